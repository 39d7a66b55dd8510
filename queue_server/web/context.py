"""Per-request plumbing: the app's engine and this thread's database connection.

Routes stay thin: parse input (``request_input``), check the caller
(``sessions``), call the engine, answer.
"""

from __future__ import annotations

import sqlite3
import threading

from flask import current_app

from ..engine import QueueEngine
from ..store.db import connect

_local = threading.local()


def engine() -> QueueEngine:
    """The app's queue engine."""
    return current_app.extensions["motcua.engine"]


def read_conn() -> sqlite3.Connection:
    """A connection of this thread for reads and small side writes (users, tokens, devices)."""
    return thread_conn(str(current_app.config["MOTCUA_DB"]))


def thread_conn(db_path: str) -> sqlite3.Connection:
    """This thread's connection to a database, outside a request too (streams)."""
    conns = getattr(_local, "conns", None)
    if conns is None:
        conns = _local.conns = {}
    conn = conns.get(db_path)
    if conn is None:
        conn = conns[db_path] = connect(db_path).conn
    return conn


def get_db():
    """A sqlite-utils Database for this thread (for blueprints of other parts)."""
    import sqlite_utils

    return sqlite_utils.Database(read_conn())
