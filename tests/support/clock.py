"""The suite's fixed morning and a clock the test moves by hand: no test reads the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
"""08:00 in Hà Nội (UTC+7) on Monday 2 March 2026: an ordinary office morning."""


class FakeClock:
    """A clock the test moves by hand; the engine calls it for ``now``."""

    def __init__(self, start: datetime = MORNING) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward, e.g. ``advance(minutes=5)``."""
        self.now += timedelta(**delta)
