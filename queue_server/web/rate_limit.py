"""Rate limits: a sliding window per caller, and the sign-in guard (per address, per name)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class RateLimiter:
    """A sliding one-minute window per caller: at most ``per_minute`` actions."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an attempt; False when the caller is over its limit."""
        now = time.monotonic()
        with self._lock:
            times = self._times.setdefault(key, deque())
            while times and now - times[0] > 60.0:
                times.popleft()
            if len(times) >= self.per_minute:
                return False
            times.append(now)
            return True


FAILURES_PER_ADDRESS = 30
"""Failed (or still running) sign-ins one address may make in a minute, whatever the names:
past it the address waits (password spraying: one machine trying every username)."""
FAILURES_PER_NAME = 10  # wrong passwords for one name from one address in a minute before the slow lane
SLOW_LANE_SECONDS = 10.0
"""Past its limit a name is still checked, once every this many seconds: the clerk who
mistyped ten times gets in with the right password, a guesser gets six tries a minute."""
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Refusal:
    """Why the guard refused a sign-in before hashing: the stable code and the Vietnamese message."""

    code: str
    message: str


FROM_ADDRESS = Refusal("too_many_attempts_from_address",
                       "Quá nhiều lần đăng nhập sai từ máy này. Vui lòng thử lại sau 1 phút.")
FOR_NAME = Refusal("too_many_attempts",
                   f"Sai mật khẩu nhiều lần. Vui lòng đợi {int(SLOW_LANE_SECONDS)} giây rồi thử lại.")


class SignInGuard:
    """Sign-in limits per address and per (address, username), checked before any password hashing.

    An address counts its failed sign-ins and those still being checked (so a
    burst of parallel tries is bounded before the first one ends); a
    successful sign-in is refunded. A name past its limit goes to a slow
    lane: one check ``slow_lane`` seconds after its last failure, which lets a correct password in.
    """

    def __init__(self, failures_per_address: int = FAILURES_PER_ADDRESS, failures_per_name: int = FAILURES_PER_NAME,
                 slow_lane: float = SLOW_LANE_SECONDS, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_per_address, self.failures_per_name = failures_per_address, failures_per_name
        self.slow_lane, self.window, self._clock = slow_lane, window, clock
        self._addresses: dict[str, deque[float]] = {}
        self._names: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, address: str, name: str) -> Refusal | None:
        """None when this sign-in may be checked now (and it is counted), else why not."""
        now = self._clock()
        with self._lock:
            self._forget_stale(now)
            tries = self._recent(self._addresses, address, now)
            if len(tries) >= self.failures_per_address:
                return FROM_ADDRESS
            failures = self._recent(self._names, (address, name), now)
            if len(failures) >= self.failures_per_name and now - failures[-1] < self.slow_lane:
                return FOR_NAME
            tries.append(now)
            return None

    def failed(self, address: str, name: str) -> None:
        """A wrong password or unknown name: the address keeps its count, the name gets one."""
        now = self._clock()
        with self._lock:
            self._recent(self._names, (address, name), now).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """The right password: the address gets its try back, the name starts afresh."""
        with self._lock:
            self.refund_locked(address)
            self._names.pop((address, name), None)

    def refund(self, address: str) -> None:
        """Give the address back a try that was not checked (the server was busy)."""
        with self._lock:
            self.refund_locked(address)

    def refund_locked(self, address: str) -> None:
        tries = self._addresses.get(address)
        if tries:
            tries.pop()

    def _recent(self, table: dict, key: Any, now: float) -> deque[float]:
        times = table.setdefault(key, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def _forget_stale(self, now: float) -> None:
        """Keep memory bounded under a flood of names: drop keys with nothing in the window."""
        if len(self._names) + len(self._addresses) < 10_000:
            return
        _drop_stale(self._addresses, now, self.window)
        _drop_stale(self._names, now, self.window)


def _drop_stale(table: dict[Any, deque[float]], now: float, window: float) -> None:
    """Drop the keys of one table with nothing in the window (its keys are addresses, or address and name)."""
    for key in [k for k, times in table.items() if not times or now - times[-1] > window]:
        del table[key]
