"""A tiny SSE server that speaks the queue server's /api/events contract, for tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def ticket(tid: int, number: str, service: str = "HT", counter: int | None = 1, status: str = "called",
           service_name: str = "Tư pháp – Hộ tịch") -> dict[str, Any]:
    """A ticket as the API shows it."""
    return {"id": tid, "number": number, "service": service, "service_name": service_name, "priority": None,
            "status": status, "issued_at": "2026-11-23T08:00:00+07:00", "called_at": "2026-11-23T08:05:00+07:00",
            "counter": counter, "counter_name": f"Quầy {counter}" if counter else None, "ahead": 0,
            "estimated_wait_s": 0, "status_url": f"http://x/t/{tid}"}


def counter(number: int, state: str = "idle", current: dict | None = None, services=("HT",),
            reason: str | None = None) -> dict[str, Any]:
    """A counter view."""
    return {"number": number, "name": f"Quầy {number}", "services": list(services), "state": state,
            "pause_reason": reason, "current": current}


SERVICES = [
    {"code": "HT", "name": "Tư pháp – Hộ tịch", "prefix": "A", "counters": [1, 2], "waiting": 3,
     "estimated_wait_s": 600},
    {"code": "VP", "name": "Văn phòng – Thống kê", "prefix": "B", "counters": [3], "waiting": 1,
     "estimated_wait_s": 300},
]


def snapshot(last_event_id: int = 0, counters=None, recent=()) -> dict[str, Any]:
    """A snapshot payload."""
    return {"office": {"name": "Trung tâm Phục vụ hành chính công xã Tân Phú", "timezone": "Asia/Ho_Chi_Minh",
                       "hotline": "1900 1234"},
            "day": "2026-11-23", "services": SERVICES,
            "counters": counters or [counter(1), counter(2), counter(3, services=("VP",))],
            "waiting_tickets": [], "recent_calls": list(recent), "last_event_id": last_event_id,
            "at": "2026-11-23T08:00:00+07:00"}


class FakeEventServer:
    """Serves a snapshot then pushed events; remembers each connection's Last-Event-ID."""

    def __init__(self, port: int = 0) -> None:
        self.events: list[tuple[int, str, dict]] = []
        self.snapshot_data = snapshot()
        self.seen_last_ids: list[str | None] = []
        self.condition = threading.Condition()
        self.generation = 0  # bump to drop every open stream
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != "/api/events":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                last = self.headers.get("Last-Event-ID")
                fake.seen_last_ids.append(last)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Transfer-Encoding", "chunked")  # as WSGI servers stream
                self.end_headers()
                generation = fake.generation
                if last is None or not last.isdigit():
                    with fake.condition:
                        data = dict(fake.snapshot_data, last_event_id=fake.last_id())
                    self._write(fake.last_id(), "snapshot", data)
                    sent = fake.last_id()
                else:
                    sent = int(last)
                try:
                    while True:
                        with fake.condition:
                            def moved(seen: int = sent) -> bool:
                                return fake.last_id() > seen or fake.generation != generation

                            fake.condition.wait_for(moved, 0.5)
                            if fake.generation != generation:
                                self.close_connection = True
                                return
                            pending = [e for e in fake.events if e[0] > sent]
                        if not pending:
                            self._chunk(b": ping\n\n")
                        for event_id, event_type, data in pending:
                            self._write(event_id, event_type, data)
                            sent = event_id
                except (BrokenPipeError, ConnectionResetError):
                    return

            def _write(self, event_id: int, event_type: str, data: dict) -> None:
                body = f"id: {event_id}\nevent: {event_type}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                self._chunk(body.encode("utf-8"))

            def _chunk(self, payload: bytes) -> None:
                self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
                self.wfile.flush()

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def last_id(self) -> int:
        return self.events[-1][0] if self.events else 0

    def push(self, event_type: str, data: dict) -> int:
        """Publish one event; returns its id."""
        with self.condition:
            event_id = self.last_id() + 1
            self.events.append((event_id, event_type, data))
            self.condition.notify_all()
        return event_id

    def drop_connections(self) -> None:
        """End every open stream (clients must reconnect and resume)."""
        with self.condition:
            self.generation += 1
            self.condition.notify_all()

    def close(self) -> None:
        self.drop_connections()
        self.server.shutdown()
        self.server.server_close()
