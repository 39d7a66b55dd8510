"""The province hub (issue 16): offices ship their append-only history to one PostgreSQL; the hub reports on it.

``office_schema`` and ``sync`` run at the office (SQLite, no PostgreSQL
needed); ``schema``, ``store``, ``app`` and ``report`` run at the hub
(``psycopg``, the ``hub`` extra). Nothing here is imported by the queue.
"""
