"""Fan committed events out to every live-feed subscriber of this process.

One shared ring buffer and a condition variable: publishing is one append
and one ``notify_all``; each subscriber remembers the last id it sent and
reads what is newer. A subscriber that fell behind the buffer resumes from
the event log in SQLite (or gets a fresh snapshot).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class PublishedEvent:
    """A committed event, ready to send: its SSE id, type and JSON text."""

    id: int
    type: str
    data_json: str


class EventBroker:
    """The in-process publish/subscribe hub of the live feed."""

    def __init__(self, capacity: int = 5000) -> None:
        self._events: deque[PublishedEvent] = deque(maxlen=capacity)
        self._condition = threading.Condition()
        self._closed = False
        self.last_id = 0

    def publish(self, events: list[PublishedEvent]) -> None:
        """Add committed events (in id order) and wake every subscriber."""
        if not events:
            return
        with self._condition:
            self._events.extend(events)
            self.last_id = events[-1].id
            self._condition.notify_all()

    def wait_after(self, last_id: int, timeout: float) -> list[PublishedEvent] | None:
        """Events newer than ``last_id``, waiting up to ``timeout`` for one.

        Returns [] on time-out (send a heartbeat), None when the buffer no
        longer holds everything after ``last_id`` (resume from the log).
        """
        with self._condition:
            self._condition.wait_for(lambda: self.last_id > last_id or self._closed, timeout)
            if self._closed or self.last_id <= last_id:
                return []
            oldest = self._events[0].id if self._events else self.last_id + 1
            if oldest > last_id + 1:
                return None
            newer = []
            for event in reversed(self._events):  # subscribers are near the end: O(new events)
                if event.id <= last_id:
                    break
                newer.append(event)
            newer.reverse()
            return newer

    @property
    def closed(self) -> bool:
        """True once the server is shutting down."""
        return self._closed

    def close(self) -> None:
        """Wake every subscriber so their streams end (server shutdown)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
