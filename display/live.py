"""Follow the server's live feed forever: resume, reconnect with back-off.

``EventFeed`` runs on its own thread. It hands every event to a callback
(the screen folds it with ``board.reduce``), remembers the last event id and
resumes with ``Last-Event-ID`` after a break; the server answers a resume
with the missed events or, when the gap is too old, a fresh snapshot. While
the server is unreachable it reports ``connected=False`` (the screen keeps
its last state and shows "mất kết nối") and retries with growing pauses.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from queue_server.client import ApiError, ServerEvent, ServerUnreachable
from queue_server.device_token import refused

log = logging.getLogger(__name__)


class EventSource(Protocol):
    """What the feed needs from ``QueueClient``."""

    def events(self, last_event_id: int | None = None, read_timeout: float = 60.0) -> Iterator[ServerEvent]:
        """Yield events, snapshot first."""


@dataclass
class Backoff:
    """Growing pauses between reconnects, with jitter so many screens don't reconnect in step."""

    first: float = 0.5
    maximum: float = 5.0  # a lobby screen should be back within seconds of the server
    factor: float = 2.0
    jitter: float = 0.2
    _next: float = 0.0

    def reset(self) -> None:
        """Back to the first, short pause (after a good connection)."""
        self._next = 0.0

    def next_delay(self) -> float:
        """The pause before the next attempt."""
        self._next = self.first if self._next == 0.0 else min(self.maximum, self._next * self.factor)
        return self._next * (1 + random.uniform(-self.jitter, self.jitter))


class EventFeed:
    """Keeps one subscription to ``/api/events`` alive."""

    def __init__(self, source: EventSource, on_event: Callable[[ServerEvent], None],
                 on_connection: Callable[[bool], None] | None = None, backoff: Backoff | None = None,
                 read_timeout: float = 30.0, on_refused: Callable[[ApiError], bool] | None = None) -> None:
        self.source = source
        # The server refused the token itself (revoked): True from this callback ends the feed (the board pairs again).
        self.on_refused = on_refused
        self.on_event = on_event
        self.on_connection = on_connection or (lambda connected: None)
        self.backoff = backoff or Backoff()
        self.read_timeout = read_timeout
        self.last_event_id: int | None = None
        self.connected = False
        self.connects = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._stream: Any = None  # the open /api/events response, cut by stop()
        self._watch_stream_opening()

    def _watch_stream_opening(self) -> None:
        """Count as connected as soon as the server answers the subscription.

        A resume with nothing missed brings no event for a while (only
        heartbeat comments), yet the screen must drop its "mất kết nối" mark
        at once; a requests response hook on the client's session sees the
        answer's headers arrive.
        """
        session = getattr(self.source, "session", None)
        if session is not None and hasattr(session, "hooks"):
            session.hooks.setdefault("response", []).append(self._on_response)

    def _on_response(self, response, *_args, **_kwargs):
        if response.status_code == 200 and response.url.split("?")[0].endswith("/api/events"):
            self._stream = response
            if self._stop.is_set():  # stopped while this stream was being opened
                _cut(response)
            self._opened()
        return response

    def start(self) -> EventFeed:
        """Run on a daemon thread."""
        self._thread = threading.Thread(target=self.run, name="event-feed", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the loop now: the open stream is cut (its heartbeats never reach the loop, only events do).

        Without the cut a board that stopped its feed (revoked, pairing again)
        kept the old stream open, and counted as connected in /admin, until the next call.
        """
        self._stop.set()
        _cut(self._stream)

    def run(self) -> None:
        """Subscribe, deliver, and on any break wait and resume, until stopped."""
        while not self._stop.is_set():
            try:
                self._follow()
                reason = "stream ended"
            except ServerUnreachable as exc:
                reason = exc.message
            except ApiError as exc:  # e.g. a revoked token: keep trying, slowly, and say why
                reason = f"{exc.status} {exc.code}: {exc.message}"
                if refused(exc) and self.on_refused is not None and self.on_refused(exc):
                    self._set_connected(False)
                    log.warning("live feed: the server refused this board's token (%s); stopping", exc.message)
                    return
            except ValueError as exc:  # a garbled event: reconnect for a clean stream
                reason = f"bad event: {exc}"
            if self._stop.is_set():
                return  # stopped (the cut stream is no lost connection: a new feed may be showing by now)
            self._set_connected(False)
            delay = self.backoff.next_delay()
            log.info("live feed lost (%s); retrying in %.1f s", reason, delay)
            self._stop.wait(delay)

    def _follow(self) -> None:
        for event in self.source.events(self.last_event_id, read_timeout=self.read_timeout):
            if self._stop.is_set():
                return
            self._opened()
            if event.type == "snapshot" and isinstance(event.data.get("last_event_id"), int):
                self.last_event_id = event.data["last_event_id"]
            elif event.id is not None:
                self.last_event_id = event.id
            self.on_event(event)

    def _opened(self) -> None:
        if not self.connected:
            self.connects += 1
            self.backoff.reset()
            self._set_connected(True)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.on_connection(connected)


def _cut(response: Any) -> None:
    """Shut the socket under a streaming response: a read blocked on it in another thread returns at once.

    urllib3 (2.3 and later) keeps the socket's shutdown for this; ``connection.sock``
    is already None when the server closes after the stream (http.client hands it to the response).
    """
    raw: Any = getattr(response, "raw", None)
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        if raw is not None and hasattr(raw, "shutdown"):
            raw.shutdown()
            return
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
