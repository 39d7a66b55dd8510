"""A short-lived cache of resolved bearer tokens and cookie sessions."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

from .. import auth


class TokenCache:
    """Resolved tokens and cookie sessions for a few seconds: saves two queries and a hash per request.

    Sign-out drops the token here at once. Revocations by ``motcua device
    revoke`` / ``user disable`` / ``user password`` (another process) bump
    the database's auth generation; the cache reads it (one primary-key
    query) at most every ``check_every`` seconds and empties itself when it
    moved, so a revocation counts within that time. (Reading it on every
    request cost ticket issue ~10% under load: each read opens a WAL snapshot.)
    """

    def __init__(self, ttl: float = 10.0, check_every: float = 0.25,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.check_every, self._clock = ttl, check_every, clock
        self._entries: dict[tuple[str, str], tuple[auth.Principal, float]] = {}
        self._generation: int | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def resolve(self, token: str, conn_factory, channel: str = auth.BEARER) -> auth.Principal | None:
        """The principal of a valid token (or cookie session id), from the cache or the database."""
        now, key = self._clock(), (channel, token)
        if now - self._checked_at >= self.check_every:
            self._check_generation(conn_factory(), now)
        with self._lock:
            entry = self._entries.get(key)
            generation = self._generation
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = auth.resolve_token(conn_factory(), token, channel)
        with self._lock:
            if principal is None or generation != self._generation:
                self._entries.pop(key, None)
            else:
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[key] = (principal, now + self.ttl)
        return principal

    def _check_generation(self, conn: sqlite3.Connection, now: float) -> None:
        generation = auth.auth_generation(conn)
        with self._lock:
            self._checked_at = now
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation

    def forget_all(self) -> None:
        """Drop every cached principal (a revocation made in this process counts at its next request)."""
        with self._lock:
            self._entries.clear()
            self._checked_at = float("-inf")

    def forget(self, token: str, channel: str = auth.BEARER) -> None:
        """Drop a token at once (sign-out)."""
        with self._lock:
            self._entries.pop((channel, token), None)
