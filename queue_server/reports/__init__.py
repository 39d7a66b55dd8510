"""Satisfaction ratings, the office head's reports, the admin dashboard and the year simulator.

Pure computation (``stats``, ``summary``, ``live``) is kept apart from SQL
(``store``, ``queries``) and from the adapters (``api``, ``cli``, ``export``,
``charts``).
"""
