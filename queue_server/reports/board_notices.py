"""The office's notices as the lobby boards get them: in the feed's snapshot and as ``notice.changed`` events.

A board must show a notice added in /admin without a reload, and drop one
that is deleted, switched off or past its end date. So every change of the
notices table publishes the whole list a board may need (small: a lobby
shows a handful), through the queue engine, which logs it with an id like
any other event; a board that reconnects gets it replayed or in its fresh
snapshot. The list holds every active notice that has not ended by the
office's day, with its dates: a board picks the ones showing on the
server's day (``day`` of the snapshot and of ``day.started``), so a notice
starting tomorrow appears at the day's start without another change.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from ..core.actions import service_day
from ..core.model import Event, Outcome
from ..engine import CommandContext
from . import store

NOTICE_CHANGED = "notice.changed"
BOARD_FIELDS = ("id", "text", "position", "starts_on", "ends_on")


def board_notices(conn: sqlite3.Connection, day: date) -> list[dict[str, Any]]:
    """The active notices not yet ended on ``day``, in ticker order, with the fields a board needs."""
    today = day.isoformat()
    return [{name: notice[name] for name in BOARD_FIELDS} for notice in store.list_notices(conn)
            if notice["active"] and (notice["ends_on"] is None or notice["ends_on"] >= today)]


def publish_notices(ctx: CommandContext) -> None:
    """Log and push ``notice.changed`` with the current list (inside the writer's transaction)."""
    notices = board_notices(ctx.conn, service_day(ctx.office, ctx.now))
    ctx.apply(Outcome(events=[Event(NOTICE_CHANGED, {"notices": notices})]))
