"""Waitress with guards so that one peer cannot take every connection (issue 17.11).

Waitress reads requests in one event loop and hands only complete ones to
its threads, so slow sockets cost connections, not threads: one address
with hundreds of half-sent requests used to fill ``connection_limit`` and the
kiosks could no longer connect. Here each address has a few connections,
every request must arrive whole within a deadline, and a reserve of
connections is kept for addresses that recently showed a device token or a
signed-in session (kiosks, boards, clerks): anonymous peers cannot take it.
Waitress' own errors (body or headers too large) leave in the one JSON shape.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .errors import HTTP_ERROR_MESSAGES

log = logging.getLogger("motcua.serve")

CONNECTIONS_PER_ADDRESS = 32
"""Open connections one anonymous address may hold: a browser opens at most 6 per site and a
phone one or two, so 32 leaves room for a few people behind one router, not for a flood."""
READ_DEADLINE_SECONDS = 10
"""A request (headers and its at most 16 KiB body) must arrive whole this soon after its first
byte, and a new connection must send its first request this soon: a slow sender is cut off."""
IDLE_SECONDS = 30  # a kept-alive connection with nothing to do is closed after this long
RESERVED_CONNECTIONS = 64
"""Connections only addresses known as devices or signed-in people may take (kiosks, boards, clerks)."""
TRUSTED_SECONDS = 3600.0  # an address counts as a known device this long after its last signed-in request


class TrustedAddresses:
    """Addresses that recently sent a valid device token or session: they may use the reserve."""

    def __init__(self, ttl: float = TRUSTED_SECONDS, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = 4096) -> None:
        self.ttl, self._clock, self.max_entries = ttl, clock, max_entries
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, address: str) -> None:
        """This address just proved it is a device or a signed-in person."""
        now = self._clock()
        with self._lock:
            if len(self._until) >= self.max_entries:  # bounded: drop the expired, else start afresh
                self._until = {a: t for a, t in self._until.items() if t > now}
                if len(self._until) >= self.max_entries:
                    self._until.clear()
            self._until[address] = now + self.ttl

    def __contains__(self, address: object) -> bool:
        with self._lock:
            until = self._until.get(address)  # type: ignore[call-overload]
        return until is not None and until > self._clock()


@dataclass(frozen=True)
class ConnectionPolicy:
    """How many connections an address, and all anonymous peers together, may hold."""

    per_address: int = CONNECTIONS_PER_ADDRESS
    anonymous_total: int = 512 - RESERVED_CONNECTIONS

    def admits(self, from_address: int, total: int, trusted: bool) -> bool:
        """True when a new connection may be served, given what is open already."""
        if trusted:
            return True  # waitress' connection_limit still bounds everything
        return from_address < self.per_address and total < self.anonymous_total


REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
           b"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n")


def refusal_bytes() -> bytes:
    """The whole answer to a connection refused at accept: a 503 in the one error shape."""
    body = json.dumps({"error": {"code": "too_many_connections", "message":
                                 "Máy chủ đang có quá nhiều kết nối từ máy này. Xin thử lại sau ít giây."}},
                      ensure_ascii=False).encode("utf-8")
    return REFUSED % len(body) + body


class JsonErrorTask(ErrorTask):
    """Waitress' own refusals (413 body too large, 431 headers too large, 400) in the one JSON shape."""

    def execute(self) -> None:
        # types-waitress types a task's request as the Error; waitress gives the parser, which holds it.
        error = cast(HTTPRequestParser, self.request).error
        if error is None:  # waitress makes an error task only for a request that failed to parse
            return super().execute()
        code, message = HTTP_ERROR_MESSAGES.get(error.code, ("bad_request", error.reason))
        body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [*self.response_headers, ("Content-Type", "application/json; charset=utf-8")]
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """A connection that remembers since when its current request is arriving."""

    error_task_class = JsonErrorTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partial_since: float | None = time.monotonic()  # the first request is due at once

    def received(self, data: bytes) -> bool:
        if self.request is None and self.partial_since is None:
            self.partial_since = time.monotonic()
        done = super().received(data)
        if self.request is None:  # every request so far arrived whole
            self.partial_since = None
        return done


class GuardedServer(TcpWSGIServer):
    """A waitress TCP server that refuses connections over the policy and cuts off slow senders."""

    channel_class = GuardedChannel

    def __init__(self, *args: Any, policy: ConnectionPolicy, trusted: TrustedAddresses,
                 read_deadline: float = READ_DEADLINE_SECONDS, **kwargs: Any) -> None:
        self.policy, self.trusted, self.read_deadline = policy, trusted, read_deadline
        self.refused = 0  # connections refused at accept (for logs and benchmarks)
        super().__init__(*args, **kwargs)

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:
            return
        addr = self.fix_addr(addr)
        host = addr[0] if isinstance(addr, tuple) else str(addr)
        channels = self._channels()
        from_address = sum(1 for channel in channels.values() if channel.addr[0] == host)
        if not self.policy.admits(from_address, len(channels), host in self.trusted):
            self._refuse(conn, host)
            return
        # _map is wasyncore.dispatcher's socket map, which types-waitress leaves out.
        self.channel_class(self, conn, addr, self.adj, map=self._map)  # type: ignore[attr-defined]

    def _channels(self) -> dict[int, HTTPChannel]:
        """The open connections by file number (types-waitress types active_channels as one channel)."""
        return cast("dict[int, HTTPChannel]", self.active_channels)

    def _refuse(self, conn: socket.socket, host: str) -> None:
        self.refused += 1
        if self.refused % 100 == 1:  # one line per hundred, not a log flood
            log.warning("connection refused from %s: over the per-address or anonymous limit (%d refused so far)",
                        host, self.refused)
        try:
            conn.setblocking(False)
            conn.send(refusal_bytes())
            conn.recv(65536)  # what the peer sent already: closing with it unread would reset the answer away
        except OSError:
            pass
        finally:
            conn.close()

    def maintenance(self, now: float) -> None:
        """Waitress closes idle connections; also close those whose request is arriving too slowly."""
        super().maintenance(now)  # type: ignore[arg-type]  # waitress passes time.time(); types-waitress says int
        cutoff = time.monotonic() - self.read_deadline
        for channel in list(self._channels().values()):
            since = getattr(channel, "partial_since", None)
            if since is not None and since < cutoff and not channel.requests:
                channel.will_close = True


def create_guarded_server(app: Any, *, host: str, port: int, threads: int, connection_limit: int,
                          max_body_bytes: int, trusted: TrustedAddresses, ident: str = "motcua",
                          reserved: int = RESERVED_CONNECTIONS, per_address: int = CONNECTIONS_PER_ADDRESS,
                          read_deadline: float = READ_DEADLINE_SECONDS) -> Any:
    """A waitress server (like ``waitress.create_server``) with the guards above; ``.run()`` serves."""
    adj = Adjustments(host=host, port=port, threads=threads, connection_limit=connection_limit,
                      channel_timeout=IDLE_SECONDS, cleanup_interval=1, ident=ident,
                      max_request_header_size=32 * 1024,
                      max_request_body_size=max_body_bytes + 1)  # waitress refuses a body >= this
    policy = ConnectionPolicy(per_address=per_address, anonymous_total=max(1, connection_limit - reserved))
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict = {}
    servers = [GuardedServer(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=info, policy=policy,
                             trusted=trusted, read_deadline=read_deadline) for info in adj.listen]
    if len(servers) == 1:
        return servers[0]
    # TcpWSGIServer.__init__ sets effective_host and effective_port; types-waitress leaves them out.
    listening = [(server.effective_host, server.effective_port) for server in servers]  # type: ignore[attr-defined]
    return MultiSocketServer(socket_map, adj, listening, dispatcher, servers[-1].log_info)
