"""One anonymous client must not silence the office (issue 17.11).

Slow sockets against the guarded waitress server; feed streams per address
and the devices' reserved slots; a sign-in flood before hashing; bodies over
the limit; a disk nearly full or full.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from queue_server import auth
from queue_server.web import api_people
from queue_server.web.disk_guard import DiskReserve
from queue_server.web.guarded_server import ConnectionPolicy, TrustedAddresses, create_guarded_server
from tests.support.servers import InProcess, issue

ATTACKER, KIOSK, STRANGER = "127.0.0.2", "127.0.0.1", "127.0.0.9"
FULL_DISK = {"error": {"code": "disk_full", "message":
                       "Ổ đĩa của máy chủ đã đầy hoặc bị lỗi; xin thử lại sau và báo quản trị viên."}}
LOW_DISK = {"error": {"code": "disk_nearly_full", "message":
                      "Ổ đĩa của máy chủ sắp đầy nên tạm ngừng việc này; việc lấy số và gọi số vẫn tiếp tục. "
                      "Xin báo quản trị viên giải phóng dung lượng."}}


def hello_app(environ, start_response):
    """The smallest WSGI app: the guards are the server's, not the app's."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture
def guarded() -> Iterator[Callable[..., tuple[int, TrustedAddresses]]]:
    """``guarded(connection_limit=…, …)``: a guarded waitress on a free loopback port, stopped afterwards."""
    stop, running = threading.Event(), []

    def start(**options) -> tuple[int, TrustedAddresses]:
        trusted = TrustedAddresses()
        settings = {"threads": 2, "connection_limit": 40, "max_body_bytes": 1024, "per_address": 8, "reserved": 8,
                    **options}
        server = create_guarded_server(hello_app, host="127.0.0.1", port=0, trusted=trusted, **settings)

        def loop() -> None:  # waitress' loop, in slices, so the test can end it from outside
            while not stop.is_set():
                server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        running.append((server, thread))
        return int(server.effective_port), trusted

    yield start
    stop.set()
    for server, thread in running:
        thread.join(timeout=5)
        for channel in list(server.active_channels.values()):
            channel.close()
        server.task_dispatcher.shutdown(timeout=1)
        server.close()


def connect(port: int, source: str, timeout: float = 3.0) -> socket.socket:
    """A TCP connection to the server from one loopback address (Linux routes all of 127/8)."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def slow_sockets(port: int, source: str, count: int) -> list[socket.socket]:
    """Connections that send half a request line and then nothing (slowloris)."""
    opened = []
    for _ in range(count):
        sock = connect(port, source)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        opened.append(sock)
    return opened


def read_answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    answer = b""
    while chunk := sock.recv(4096):
        answer += chunk
    return answer


def answer_or_reset(sock: socket.socket) -> bytes | None:
    """The refusal a refused connection got, or None when it was reset instead.

    The server answers a refused connection at once and closes it; half a request that reaches it only
    after that close makes the kernel reset the connection, which drops the answer in flight (RFC 793).
    Either way the connection was refused, never served: under load both happen.
    """
    try:
        return read_answer(sock)
    except ConnectionResetError:
        return None


def get(port: int, source: str, timeout: float = 3.0) -> bytes:
    """A whole GET / and its answer (b"" when the server closed the connection without one)."""
    with connect(port, source, timeout) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return read_answer(sock)


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def test_an_anonymous_address_gets_a_few_connections_and_no_more() -> None:
    policy = ConnectionPolicy(per_address=8, anonymous_total=100)
    assert policy.admits(from_address=7, total=50, trusted=False)
    assert not policy.admits(from_address=8, total=50, trusted=False)
    assert not policy.admits(from_address=0, total=100, trusted=False)
    assert policy.admits(from_address=500, total=500, trusted=True)


def test_slow_sockets_from_one_address_leave_the_kiosk_served(guarded) -> None:
    port, _ = guarded()
    attack = slow_sockets(port, ATTACKER, 30)  # far more than its 8, fewer than the 40 the server holds
    try:
        time.sleep(0.3)
        answers = [answer_or_reset(s) for s in attack[8:]]  # refused at once, in the one error shape
        assert all(a is None or a.startswith(b"HTTP/1.1 503") for a in answers)
        shaped = [json.loads(a.split(b"\r\n\r\n", 1)[1])["error"]["code"] for a in answers if a]
        assert set(shaped) <= {"too_many_connections"}
        assert get(port, KIOSK).startswith(b"HTTP/1.1 200 OK")
    finally:
        close_all(attack)


def test_a_request_trickling_in_is_cut_off_after_the_read_deadline(guarded) -> None:
    port, _ = guarded(read_deadline=1)
    sock = connect(port, ATTACKER, timeout=0.2)
    started, closed = time.monotonic(), False
    try:
        sock.sendall(b"GET / HTTP/1.1\r\n")
        while time.monotonic() - started < 6 and not closed:
            try:
                sock.sendall(b"X-Slow: 1\r\n")  # a byte now and then keeps waitress' idle timer from firing
                closed = sock.recv(1) == b""
            except TimeoutError:
                pass
            except OSError:
                closed = True
    finally:
        sock.close()
    assert closed and time.monotonic() - started < 4


def test_known_devices_keep_the_reserve_when_anonymous_peers_fill_the_rest(guarded) -> None:
    port, trusted = guarded(connection_limit=30, reserved=10, per_address=8)
    trusted.mark(KIOSK)
    attack = [s for source in ("127.0.0.3", "127.0.0.4", "127.0.0.5") for s in slow_sockets(port, source, 7)]
    try:
        time.sleep(0.3)
        assert get(port, STRANGER).startswith(b"HTTP/1.1 503")  # 21 anonymous open, 20 allowed
        assert get(port, KIOSK).startswith(b"HTTP/1.1 200 OK")
    finally:
        close_all(attack)


def test_a_body_over_the_limit_is_refused_by_its_length_before_it_is_sent(guarded) -> None:
    port, _ = guarded(max_body_bytes=1024)
    with connect(port, KIOSK) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n")
        head, body = read_answer(sock).split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["error"]["code"] == "body_too_large"


def test_a_chunked_body_is_refused_once_past_the_limit(guarded) -> None:
    port, _ = guarded(max_body_bytes=1024)
    with connect(port, KIOSK) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.sendall(b"800\r\n" + b"x" * 0x800 + b"\r\n")  # 2 KiB, and more would follow
        answer = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 413") and b'"body_too_large"' in answer


# Feed streams


def open_stream(api: InProcess, address: str, headers: dict[str, str] | None = None):
    return api.client.get("/api/events", headers=headers or {}, environ_base={"REMOTE_ADDR": address},
                          buffered=False)


def test_one_address_holds_at_most_four_anonymous_streams(make_app) -> None:
    api = make_app(max_streams=40)
    streams = [open_stream(api, ATTACKER) for _ in range(4)]
    try:
        assert [s.status_code for s in streams] == [200] * 4
        refused = open_stream(api, ATTACKER)
        assert refused.status_code == 429
        assert refused.get_json() == {"error": {"code": "too_many_streams_from_address", "message":
                                                "Máy này đã mở quá nhiều kênh cập nhật trực tiếp. Trang sẽ tự cập "
                                                "nhật định kỳ (poll GET /api/services or /api/status/<token>, "
                                                "or retry later)."}}
        other = open_stream(api, STRANGER)
        assert other.status_code == 200
        other.close()
    finally:
        for stream in streams:
            stream.close()
    assert api.app.extensions["motcua.stream_slots"].open == 0


def test_boards_get_reserved_stream_slots_when_anonymous_ones_are_full(make_app) -> None:
    api = make_app(max_streams=8)  # 2 kept for devices and signed-in people
    streams = [open_stream(api, f"10.0.0.{n}") for n in range(6)]
    try:
        assert [s.status_code for s in streams] == [200] * 6
        assert open_stream(api, STRANGER).status_code == 503
        board = open_stream(api, KIOSK, api.auth("display"))
        assert board.status_code == 200
        streams.append(board)
        clerk = open_stream(api, KIOSK, api.auth("quay1"))
        assert clerk.status_code == 200
        streams.append(clerk)
        assert open_stream(api, KIOSK, api.auth("display")).status_code == 503  # all 8 taken
    finally:
        for stream in streams:
            stream.close()
    assert api.app.extensions["motcua.stream_slots"].open == 0


def test_an_unknown_token_on_the_feed_gets_no_reserved_slot(make_app) -> None:
    api = make_app(max_streams=4)  # 1 reserved
    streams = [open_stream(api, f"10.0.0.{n}") for n in range(3)]
    try:
        assert open_stream(api, KIOSK, {"Authorization": "Bearer not-a-token"}).status_code == 503
    finally:
        for stream in streams:
            stream.close()


# Sign-in flood


def test_a_flood_of_fresh_usernames_costs_at_most_one_real_hash(api: InProcess, monkeypatch) -> None:
    checker = auth.PasswordChecker(sleep=lambda seconds: None)
    monkeypatch.setattr(auth, "PASSWORDS", checker)
    codes = [api.client.post("/api/login", json={"username": f"khach{n}", "password": "doan-mo-1"},
                             environ_base={"REMOTE_ADDR": ATTACKER}).status_code for n in range(159)]
    assert codes.count(401) == 30 and codes.count(429) == 129  # the address's limit, before any hashing
    assert checker.hashes == 1  # the dummy hash once; later unknown names cost a wait, not 32 MiB of scrypt


# A full or nearly full disk


def report_printer(api: InProcess):
    """The kiosk reports its printer fine (a small write that is not the queue's)."""
    return api.client.post("/api/devices/status", json={"component": "printer", "ok": True}, headers=api.auth("kiosk"))


def test_sign_in_on_a_full_disk_is_503_not_500(api: InProcess, monkeypatch) -> None:
    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(auth, "open_session", disk_full)
    answer = api.client.post("/api/login", json={"username": "quay1", "password": "mat-khau-quay"})
    assert answer.status_code == 503 and answer.get_json() == FULL_DISK


def test_a_device_report_on_a_full_disk_is_503_not_500(api: InProcess, monkeypatch) -> None:
    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(api_people, "_record_report", disk_full)
    answer = report_printer(api)
    assert answer.status_code == 503 and answer.get_json() == FULL_DISK


def test_other_database_errors_stay_500(api: InProcess, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("no such table: devices")

    monkeypatch.setattr(api_people, "_record_report", broken)
    answer = report_printer(api)
    assert answer.status_code == 500 and answer.get_json()["error"]["code"] == "server_error"


@pytest.fixture
def low_disk(api: InProcess, tmp_path: Path) -> InProcess:
    """The app believing its disk has 10 MiB free, under a 64 MiB reserve."""
    api.app.extensions["motcua.disk_reserve"] = DiskReserve(tmp_path, free=lambda folder: 10 * 2**20)
    return api


def test_a_nearly_full_disk_refuses_sign_ins_and_reports_but_not_tickets(low_disk: InProcess) -> None:
    api = low_disk
    login = api.client.post("/api/login", json={"username": "quay1", "password": "mat-khau-quay"})
    assert login.status_code == 503 and login.get_json() == LOW_DISK
    report = report_printer(api)
    assert report.status_code == 503 and report.get_json() == LOW_DISK
    assert issue(api, "HT", "low-disk").status_code == 201


def test_health_warns_the_admin_of_a_nearly_full_disk(low_disk: InProcess, api: InProcess) -> None:
    assert api.client.get("/api/health").get_json() == {"status": "ok", "warnings": ["disk_nearly_full"]}


def test_health_has_no_warning_with_room_on_the_disk(api: InProcess, tmp_path: Path) -> None:
    api.app.extensions["motcua.disk_reserve"] = DiskReserve(tmp_path, free=lambda folder: 10 * 2**30)
    assert api.client.get("/api/health").get_json() == {"status": "ok"}
