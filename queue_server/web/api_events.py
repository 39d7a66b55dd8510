"""The live feed: Server-Sent Events at /api/events.

On connect a ``snapshot`` (everything a screen needs), then every committed
event with its ``id:``. A reconnect with ``Last-Event-ID`` replays what was
missed from the event log; a gap too long to replay gets a fresh snapshot.
Heartbeat comments keep proxies and idle connections open and let the
server notice clients that went away.
"""

from __future__ import annotations

import json
from typing import Iterator

from flask import Blueprint, Response, current_app, request

from ..core import views
from ..store import repository
from ..engine import QueueEngine
from .context import engine, thread_conn

bp = Blueprint("events_api", __name__, url_prefix="/api")

HEARTBEAT_SECONDS = 15.0
MAX_REPLAY = 1000  # beyond this a snapshot is smaller and faster than the log
RETRY_MS = 2000


def sse(event_type: str, data_json: str, event_id: int | None = None) -> str:
    """One event in text/event-stream framing."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event_type}\ndata: {data_json}\n\n"


@bp.get("/events")
def events() -> Response:
    """Stream the queue's events to a screen, console, phone or device."""
    last_id = _last_event_id()
    stream = _stream(engine(), str(current_app.config["MOTCUA_DB"]), last_id)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _last_event_id() -> int | None:
    """From the Last-Event-ID header (browsers resend it) or ?last_event_id=."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    if raw is None or not raw.strip().isdecimal():  # isdigit() accepts '²', which int() refuses
        return None
    return int(raw.strip())


def _snapshot(queue: QueueEngine) -> tuple[int, str]:
    """The current queue and the id of the last event it includes."""
    return queue.read(lambda state, now: (
        state.last_event_id,
        json.dumps(views.snapshot_view(state, queue.office, now), ensure_ascii=False, separators=(",", ":")),
    ))


def _stream(queue: QueueEngine, db_path: str, last_id: int | None) -> Iterator[str]:
    """The stream body; runs outside the request context, so it gets what it needs as arguments."""
    broker = queue.broker
    conn = thread_conn(db_path)
    yield f"retry: {RETRY_MS}\n\n"
    cursor, chunks = _catch_up(queue, conn, last_id)
    yield from chunks
    while not broker.closed:
        fresh = broker.wait_after(cursor, HEARTBEAT_SECONDS)
        if fresh is None:  # fell behind the in-memory buffer
            cursor, chunks = _catch_up(queue, conn, cursor)
            yield from chunks
        elif not fresh:
            yield ": ping\n\n"
        else:
            yield "".join(sse(e.type, e.data_json, e.id) for e in fresh)
            cursor = fresh[-1].id


def _catch_up(queue: QueueEngine, conn, last_id: int | None) -> tuple[int, list[str]]:
    """Replay from the log after ``last_id``, or a snapshot when that is impossible or too long."""
    current = queue.broker.last_id
    if last_id is not None and last_id <= current:
        missed = repository.events_after(conn, last_id, MAX_REPLAY + 1)
        if len(missed) <= MAX_REPLAY:
            cursor = missed[-1][0] if missed else last_id
            return cursor, [sse(kind, data, event_id) for event_id, kind, data in missed]
    snapshot_id, data = _snapshot(queue)
    return snapshot_id, [sse("snapshot", data, snapshot_id)]
