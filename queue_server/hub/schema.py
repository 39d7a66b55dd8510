"""The hub's PostgreSQL tables, created and upgraded by numbered migrations; monthly partitions made on demand.

Like the offices' SQLite migrations: add a new entry at the end of
``MIGRATIONS`` for every change and never edit an applied one. The history
tables (events, tickets, ratings) are partitioned by month of their own
time (an event's ``at``, a ticket's or rating's ``day``), so a year or a
province's decade stays a set of small tables that can be detached or
archived whole; every key starts with the office.

An event's ``data`` is kept as the office's own JSON text, not ``jsonb``:
the archive holds exactly what the office wrote (a restore puts back the
same bytes), and parsing into ``jsonb`` was a third of the ingest's cost
(26,000 → 37,000 events/s in one connection); queries cast ``data::jsonb``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import psycopg

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("m001_offices_and_history", """
        CREATE TABLE hub_offices (
            code text PRIMARY KEY,
            name text NOT NULL,
            token_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            last_contact_at timestamptz,
            events_ack bigint NOT NULL DEFAULT 0,
            changes_ack bigint NOT NULL DEFAULT 0,
            settings jsonb
        );
        CREATE TABLE hub_viewers (
            name text PRIMARY KEY,
            token_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );
        CREATE TABLE events (
            office text NOT NULL,
            id bigint NOT NULL,
            at timestamptz NOT NULL,
            type text NOT NULL,
            ticket_id bigint,
            counter integer,
            actor text,
            data text NOT NULL,
            PRIMARY KEY (office, id, at)
        ) PARTITION BY RANGE (at);
        CREATE INDEX events_office_type_at ON events (office, type, at);
        CREATE TABLE tickets (
            office text NOT NULL,
            id bigint NOT NULL,
            day date NOT NULL,
            row jsonb NOT NULL,
            PRIMARY KEY (office, id, day)
        ) PARTITION BY RANGE (day);
        CREATE TABLE ratings (
            office text NOT NULL,
            id bigint NOT NULL,
            day date NOT NULL,
            row jsonb NOT NULL,
            answers jsonb NOT NULL,
            PRIMARY KEY (office, id, day)
        ) PARTITION BY RANGE (day);
    """),
    ("m002_appointments", """
        CREATE TABLE appointments (
            office text NOT NULL,
            id bigint NOT NULL,
            day date NOT NULL,
            row jsonb NOT NULL,
            PRIMARY KEY (office, id, day)
        ) PARTITION BY RANGE (day);
    """),
    ("m003_office_records", """
        CREATE TABLE hub_office_records (
            office text NOT NULL REFERENCES hub_offices (code),
            kind text NOT NULL,
            data jsonb NOT NULL,
            updated_at timestamptz NOT NULL,
            seq bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (office, kind)
        );
        ALTER TABLE hub_offices ADD COLUMN history text;
    """),
    ("m002_dashboard", """
        -- One row per office and office-local day: the province dashboard reads these, never a year of jsonb rows
        -- (queue_server/hub/rollups.py keeps them, in the ingest's transaction).
        CREATE TABLE hub_office_days (
            office text NOT NULL REFERENCES hub_offices(code),
            day date NOT NULL,
            tickets integer NOT NULL,
            served integer NOT NULL,
            no_show integer NOT NULL,
            waiting integer NOT NULL,
            oldest_waiting jsonb NOT NULL,
            waited integer NOT NULL,
            wait_sum_s double precision NOT NULL,
            targeted integer NOT NULL,
            within_target integer NOT NULL,
            ballots integer NOT NULL,
            satisfied integer NOT NULL,
            levels jsonb NOT NULL,
            PRIMARY KEY (office, day)
        );
        CREATE INDEX hub_office_days_day ON hub_office_days (day, office);
        CREATE TABLE hub_office_day_waits (
            office text NOT NULL REFERENCES hub_offices(code),
            day date NOT NULL,
            minute integer NOT NULL,
            tickets integer NOT NULL,
            PRIMARY KEY (office, day, minute)
        );
        CREATE INDEX hub_office_day_waits_day ON hub_office_day_waits (day, office, minute) INCLUDE (tickets);
        CREATE INDEX tickets_office_day ON tickets (office, day);
        CREATE INDEX ratings_office_day ON ratings (office, day);
        CREATE TABLE hub_sessions (
            id_hash text PRIMARY KEY,
            viewer text NOT NULL REFERENCES hub_viewers(name),
            csrf text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL
        );
    """),
)
"""(name, SQL) in the order they run; each runs once, in its own transaction."""

PARTITIONED = ("events", "tickets", "ratings", "appointments")

_made: set[tuple[str, str]] = set()
"""(database, partition) known to exist in this process, so a batch touches the catalogue only for a new month."""


def apply_migrations(conn: psycopg.Connection) -> list[str]:
    """Bring a hub database up to date; returns the migrations applied now (several hubs may start at once)."""
    applied: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('motcua.hub.migrations'))")
        conn.execute("CREATE TABLE IF NOT EXISTS hub_migrations (name text PRIMARY KEY, "
                     "applied_at timestamptz NOT NULL DEFAULT now())")
        done = {name for (name,) in conn.execute("SELECT name FROM hub_migrations")}
        for name, sql in MIGRATIONS:
            if name not in done:
                conn.execute(sql)  # several statements: sent as one simple query
                conn.execute("INSERT INTO hub_migrations (name) VALUES (%s)", (name,))
                applied.append(name)
    if "m002_dashboard" in applied:  # a hub that already held history: its dashboard figures from it
        from .rollups import refresh_office

        for (code,) in conn.execute("SELECT code FROM hub_offices ORDER BY code").fetchall():
            refresh_office(conn, code)
    return applied


def month_start(day: date) -> date:
    """The first day of a date's month."""
    return day.replace(day=1)


def partition_name(table: str, month: date) -> str:
    """``events_2026_03``: one partition per table and month."""
    return f"{table}_{month.year:04d}_{month.month:02d}"


def ensure_partitions(conn: psycopg.Connection, table: str, months: Iterable[date]) -> None:
    """Create the monthly partitions ``table`` needs for ``months`` (first days), in a short transaction of their own.

    Made before a batch's transaction, not inside it: creating a partition
    locks the parent table, and a batch must not hold that lock while it writes.
    """
    assert table in PARTITIONED, table
    database = f"{conn.info.host}:{conn.info.port}/{conn.info.dbname}"
    wanted = {partition_name(table, m): m for m in months}
    missing = [(name, m) for name, m in sorted(wanted.items()) if (database, name) not in _made]
    if not missing:
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('motcua.hub.partitions'))")
        for name, first in missing:
            following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            conn.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {table} "
                         f"FOR VALUES FROM ('{first.isoformat()}') TO ('{following.isoformat()}')")
    _made.update((database, name) for name, _ in missing)
