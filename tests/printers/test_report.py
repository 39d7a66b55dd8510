"""Printer status to the queue server: a local HTTP stub, and the real server end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from printers import PrintResult, report_printer_status
from printers.faults import result

PAPER_OUT = result("paper_out", 0.08)


class StatusStub:
    """Records POST /api/devices/status; answers 401 without the right token."""

    def __init__(self, token: str = "tok-kiosk", status: int = 200) -> None:
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                      "body": json.loads(body)})
                ok = self.headers.get("Authorization") == f"Bearer {token}"
                code = status if ok else 401
                payload = {"status": "recorded"} if code == 200 else {
                    "error": {"code": "unauthorized", "message": "Bad token."}}
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)


@pytest.fixture
def stub() -> Iterator[StatusStub]:
    server = StatusStub()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_fault_is_posted_as_the_devices_printer_status(stub: StatusStub) -> None:
    assert report_printer_status(stub.url, "tok-kiosk", PAPER_OUT) is True
    assert stub.requests == [{
        "path": "/api/devices/status", "auth": "Bearer tok-kiosk",
        "body": {"component": "printer", "ok": False, "code": "paper_out", "message": PAPER_OUT.message_vi},
    }]


def test_a_refused_report_is_logged_not_raised(stub: StatusStub, caplog: pytest.LogCaptureFixture) -> None:
    assert report_printer_status(stub.url, "wrong", PAPER_OUT) is False
    assert "not reported" in caplog.text and "401" in caplog.text


def test_an_unreachable_server_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    assert report_printer_status("http://127.0.0.1:9", "tok", PAPER_OUT, timeout_s=0.5) is False
    assert report_printer_status("not a url", "tok", PAPER_OUT, timeout_s=0.5) is False
    assert caplog.text.count("not reported") == 2


def test_a_long_message_is_cut_to_what_the_server_accepts(stub: StatusStub) -> None:
    report_printer_status(stub.url, "tok-kiosk", PrintResult(False, "error", "ư" * 500, 0.1))
    assert len(stub.requests[0]["body"]["message"]) == 300


def test_the_real_server_shows_the_printer_fault_in_device_status(office_server: Any) -> None:
    assert report_printer_status(office_server.url, office_server.kiosk_token, PAPER_OUT) is True
    printer = office_server.device_status()["printer"]
    assert (printer["ok"], printer["code"], printer["message"]) == (False, "paper_out", PAPER_OUT.message_vi)
