"""The idle timer (pure): after ``idle_seconds`` without a touch the kiosk goes home and forgets."""

from __future__ import annotations


class IdleTimer:
    """Counts seconds since the last touch; the caller passes ``now`` (monotonic seconds)."""

    def __init__(self, idle_seconds: float, now: float) -> None:
        self.idle_seconds = idle_seconds
        self.last_activity = now

    def touch(self, now: float) -> None:
        """A touch, a key or a scan: the citizen is still there."""
        self.last_activity = now

    def remaining(self, now: float) -> float:
        """Seconds left before the kiosk resets (never negative)."""
        return max(0.0, self.idle_seconds - (now - self.last_activity))

    def expired(self, now: float) -> bool:
        """Whether the citizen has left (no touch for ``idle_seconds``)."""
        return now - self.last_activity >= self.idle_seconds
