"""The live feed: Server-Sent Events at /api/events.

On connect a ``snapshot`` (everything a screen needs), then every committed
event with its ``id:``. A reconnect with ``Last-Event-ID`` replays what was
missed from the event log; a gap too long to replay gets a fresh snapshot.
Heartbeat comments keep proxies and idle connections open and let the
server notice clients that went away.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Generator

from flask import Blueprint, Response, current_app, request

from .. import auth
from ..core import views
from ..core.actions import service_day
from ..engine import QueueEngine
from ..reports.board_notices import board_notices
from ..store import repository
from .context import engine, thread_conn
from .errors import ApiError
from .live_devices import LiveDevices
from .request_input import int_param
from .sessions import current_principal

bp = Blueprint("events_api", __name__, url_prefix="/api")

HEARTBEAT_SECONDS = 5.0  # also how soon a closed stream gives its thread back
MAX_REPLAY = 1000  # beyond this a snapshot is smaller and faster than the log
RETRY_MS = 2000


def sse(event_type: str, data_json: str, event_id: int | None = None) -> str:
    """One event in text/event-stream framing, without any ticket's private fields (the feed is anonymous)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event_type}\ndata: {public_data(data_json)}\n\n"


def public_data(data_json: str) -> str:
    """Event data with every ticket's status link and procedure null.

    New events are built public (``views.event_view``); this catches events
    logged before that, and any ticket view added to an event by other means.
    """
    if not any(f'"{name}":"' in data_json for name in views.PRIVATE_TICKET_FIELDS):
        return data_json
    return json.dumps(_scrub(json.loads(data_json)), ensure_ascii=False, separators=(",", ":"))


def _scrub(value):
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        value = {key: _scrub(item) for key, item in value.items()}
        return views.public_ticket_view(value) if "status_url" in value else value
    return value


@bp.get("/events")
def events() -> Response:
    """Stream the queue's events to a screen, console, phone or device."""
    last_id = _last_event_id()
    slots: StreamSlots = current_app.extensions["motcua.stream_slots"]
    address, device = request.remote_addr or "?", _is_signed_in()
    refusal = slots.acquire(address, device)
    if refusal is not None:
        status, code, message = STREAM_REFUSALS[refusal]
        raise ApiError(status, code, message)
    db_path = str(current_app.config["MOTCUA_DB"])
    release, keepalive = _releaser(slots, address, device, db_path)
    stream = _stream(engine(), db_path, last_id, release, keepalive)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _releaser(slots: StreamSlots, address: str, device: bool,
              db_path: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """What ends the stream (its slot back, and for a device, a board or a tablet, its connected mark),
    and what the stream's loop calls on each turn (a device's last contact, stamped again once a minute)."""
    live: LiveDevices = current_app.extensions["motcua.live_devices"]
    principal = _device_principal()
    if principal is None:
        return (lambda: slots.release(address, device)), (lambda: None)
    device_id = principal.id
    live.opened(thread_conn(db_path), device_id)

    def release() -> None:
        slots.release(address, device)
        live.closed(thread_conn(db_path), device_id)

    return release, lambda: live.still_open(thread_conn(db_path), device_id)


def _device_principal() -> auth.Principal | None:
    """The device behind this stream's token, if it is one."""
    try:
        principal = current_principal()
    except ApiError:
        return None
    return principal if principal is not None and principal.kind == "device" else None


def _is_signed_in() -> bool:
    """True for a valid device token or a signed-in person: they get the reserved stream slots.

    An unknown or revoked token is not refused here (the feed is public): it only
    gets no reserved slot.
    """
    try:
        return current_principal() is not None
    except ApiError:
        return False


POLL_HINT = " Trang sẽ tự cập nhật định kỳ (poll GET /api/services or /api/status/<token>, or retry later)."
FEED_FULL, FROM_ADDRESS = "full", "address"
STREAM_REFUSALS = {
    FEED_FULL: (503, "too_many_streams", "Kênh cập nhật trực tiếp đang đầy." + POLL_HINT),
    FROM_ADDRESS: (429, "too_many_streams_from_address",
                   "Máy này đã mở quá nhiều kênh cập nhật trực tiếp." + POLL_HINT),
}
"""Why a stream was refused -> its status, code and message (pages and boards then poll)."""
ANONYMOUS_STREAMS_PER_ADDRESS = 4
"""Open streams one address may hold without signing in: a phone or a browser has one or two tabs,
and a lobby board signs in with its device token (so one peer cannot fill the slots)."""
RESERVED_SHARE = 4  # one slot in this many is kept for devices and signed-in people


class StreamSlots:
    """How many live-feed streams may be open at once, and who may take the last ones.

    Each open stream holds one of the server's worker threads; keeping some
    threads free guarantees that kiosks and clerks are always answered, even
    when every phone in the lobby follows its ticket. A share of the slots is
    reserved for devices and signed-in people (boards, consoles), and each
    address has only a few anonymous streams.
    """

    def __init__(self, limit: int, reserved: int | None = None,
                 per_address: int = ANONYMOUS_STREAMS_PER_ADDRESS) -> None:
        self.limit, self.per_address = limit, per_address
        self.reserved = limit // RESERVED_SHARE if reserved is None else reserved
        self.open = 0
        self._anonymous: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, address: str = "?", device: bool = False) -> str | None:
        """Take a slot (None), or why not: ``FROM_ADDRESS`` over the address's cap, ``FEED_FULL``."""
        with self._lock:
            if device:
                if self.open >= self.limit:
                    return FEED_FULL
            else:
                if self._anonymous.get(address, 0) >= self.per_address:
                    return FROM_ADDRESS
                if self.open >= self.limit - self.reserved:
                    return FEED_FULL
                self._anonymous[address] = self._anonymous.get(address, 0) + 1
            self.open += 1
            return None

    def release(self, address: str = "?", device: bool = False) -> None:
        """Give a slot back (the stream ended)."""
        with self._lock:
            self.open -= 1
            if not device:
                left = self._anonymous.get(address, 0) - 1
                if left > 0:
                    self._anonymous[address] = left
                else:
                    self._anonymous.pop(address, None)


def _last_event_id() -> int | None:
    """From the Last-Event-ID header (browsers resend it) or ?last_event_id=."""
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    if raw is None or not raw.strip().isascii() or not raw.strip().isdigit():
        return None  # not an id this server sent ('abc', '-1', '²', '٣'): start from a snapshot
    return int_param(raw, "Last-Event-ID", code="invalid_last_event_id",
                     hint=" Kết nối lại không kèm Last-Event-ID để nhận ảnh chụp mới.")


def _snapshot(queue: QueueEngine, conn) -> tuple[int, str]:
    """The current queue and the id of the last event it includes, with the office's notices for the boards.

    The notices are read before the queue (never under its lock); a change in between is a
    ``notice.changed`` after the snapshot's id, so the board still ends with the latest list.
    """
    notices = board_notices(conn, service_day(queue.office, queue.clock()))
    return queue.read(lambda state, now: (
        state.last_event_id,
        json.dumps({**views.snapshot_view(state, queue.office, now), "notices": notices},
                   ensure_ascii=False, separators=(",", ":")),
    ))


class _SlotStream:
    """The stream body, giving its slot back when the server closes it, started or not."""

    def __init__(self, inner: Generator[str, None, None], release: Callable[[], None]) -> None:
        self._inner, self._release, self._released = inner, release, False

    def __iter__(self) -> _SlotStream:
        return self

    def __next__(self) -> str:
        return next(self._inner)

    def close(self) -> None:
        if not self._released:
            self._released = True
            self._release()
        self._inner.close()


def _stream(queue: QueueEngine, db_path: str, last_id: int | None, release: Callable[[], None],
            keepalive: Callable[[], None]) -> _SlotStream:
    """The stream body; runs outside the request context, so it gets what it needs as arguments."""
    return _SlotStream(_events_since(queue, db_path, last_id, keepalive), release)


def _events_since(queue: QueueEngine, db_path: str, last_id: int | None,
                  keepalive: Callable[[], None]) -> Generator[str, None, None]:
    broker = queue.broker
    conn = thread_conn(db_path)
    yield f"retry: {RETRY_MS}\n\n"
    cursor, chunks = _catch_up(queue, conn, last_id, resumed=True)
    yield from chunks
    while not broker.closed:
        fresh = broker.wait_after(cursor, HEARTBEAT_SECONDS)
        keepalive()  # a heartbeat or a delivery: the device is still there
        if fresh is None:  # fell behind the in-memory buffer: still this connection's live events
            cursor, chunks = _catch_up(queue, conn, cursor, resumed=False)
            yield from chunks
        elif not fresh:
            yield ": ping\n\n"
        else:
            yield "".join(sse(e.type, e.data_json, e.id) for e in fresh)
            cursor = fresh[-1].id


def _catch_up(queue: QueueEngine, conn, last_id: int | None, *, resumed: bool) -> tuple[int, list[str]]:
    """Replay from the log after ``last_id``, or a snapshot when that is impossible or too long.

    A resume's replay is announced first by a ``replay`` event (see ``replay_marker``).
    """
    current = queue.broker.last_id
    if last_id is not None and last_id <= current:
        missed = repository.events_after(conn, last_id, MAX_REPLAY + 1)
        if len(missed) <= MAX_REPLAY:
            cursor = missed[-1][0] if missed else last_id
            head = [replay_marker(queue, cursor)] if missed and resumed else []
            return cursor, head + [sse(kind, data, event_id) for event_id, kind, data in missed]
    snapshot_id, data = _snapshot(queue, conn)
    return snapshot_id, [sse("snapshot", data, snapshot_id)]


def replay_marker(queue: QueueEngine, until: int) -> str:
    """``event: replay`` (no id) before the events a resuming client missed: ``{"until", "at"}``.

    Events up to ``until`` happened while the client was away: a lobby board shows them
    without flashing or saying them (the citizen was called then, not now); what follows is
    live. ``at`` is the server's time of the resume. Clients that do not listen for it lose nothing.
    """
    data = {"until": until, "at": views.local_iso(queue.clock(), queue.office)}
    return f"event: replay\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
