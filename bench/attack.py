"""Denial of service from one anonymous client (issue 17.11): does the kiosk still get its tickets?

    .venv/bin/python bench/attack.py [--slow-sockets 560] [--streams 120] [--sign-ins 159] [--upload-mib 83]

Starts its own ``motcua serve`` (sample office, temp database) on loopback.
The attacker connects from 127.0.0.2 (Linux routes all of 127/8 to this
machine), the kiosk and the clerk from 127.0.0.1, as two machines would.
Each round runs an attack and, while it lasts, a kiosk taking 5 tickets:

1. slow sockets: half send half a request line, half send headers and a
   trickle of a body; each gets one more byte every 2 s;
2. feed streams: anonymous /api/events streams from one address, then from
   many addresses, then a lobby board (display token) asks for one;
3. sign-in flood: fresh usernames, 32 at once; the server's RSS before and
   after, the kiosk's p99, and the clerk signing in meanwhile;
4. oversized bodies: uploads by Content-Length and chunked, and what the
   database's folder grew by;
5. wrong passwords: 10 for the clerk's name from the attacker, then the
   clerk's right one from the counter.

Then the server is killed (-9) and restarted: every acknowledged ticket must
still be there. Every loop is bounded in count and time; the script stops
its server itself. Prints one line of figures per round.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.support.live_server import CLERK_PASSWORD, LiveServer, bench_config, prepare_server  # noqa: E402

ATTACKER, GUESSER, OFFICE = "127.0.0.2", "127.0.0.3", "127.0.0.1"
ROUND_SECONDS = 30.0  # no round lasts longer than this
KIOSK_TICKETS = 5


@dataclass
class Tally:
    """What one round sent and got back."""

    sent: int = 0
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int | str) -> None:
        with self.lock:
            self.sent += 1
            self.statuses[status] += 1

    def line(self) -> str:
        four = sum(n for s, n in self.statuses.items() if isinstance(s, int) and 400 <= s < 500)
        five = sum(n for s, n in self.statuses.items() if isinstance(s, int) and s >= 500)
        other = {s: n for s, n in self.statuses.items() if not isinstance(s, int) or s < 400}
        return f"sent {self.sent}, 4xx {four}, 5xx {five}, other {dict(other)}"


def request(port: int, method: str, path: str, *, source: str = OFFICE, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 5.0) -> tuple[int | str, bytes]:
    """One request on its own connection from ``source``: the status (or the error's name) and the body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, b""
    finally:
        conn.close()


class Kiosk:
    """The office's kiosk: takes tickets and remembers every acknowledged one."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.acknowledged: list[int] = []
        self.latencies: list[float] = []

    def take(self, count: int = KIOSK_TICKETS, service: str = "HT") -> int:
        """Take ``count`` tickets (5 s each at most); how many were issued."""
        served = 0
        for _ in range(count):
            started = time.perf_counter()
            status, body = request(self.port, "POST", "/api/tickets", body=json.dumps({"service": service}).encode(),
                                   headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                                            "Idempotency-Key": uuid.uuid4().hex})
            self.latencies.append(time.perf_counter() - started)
            if status in (200, 201):
                served += 1
                self.acknowledged.append(json.loads(body)["ticket"]["id"])
        return served


def rss_mib(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak (VmRSS, VmHWM), in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


def slow_sockets(port: int, kiosk: Kiosk, count: int) -> str:
    """Open ``count`` slow sockets from one address, then the kiosk takes its tickets while they trickle."""
    tally, opened = Tally(), []
    for n in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(ATTACKER, 0))
            sock.sendall(b"GET /api/services HTTP/1.1\r\nHost: x\r\n" if n % 2 else
                         b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 10000\r\n\r\n{")
            opened.append(sock)
        except OSError as exc:
            tally.count(type(exc).__name__)
    time.sleep(0.5)
    refused = _refused_at_once(opened, tally)
    stop = threading.Event()

    def trickle() -> None:
        deadline = time.monotonic() + ROUND_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            for sock in list(opened):
                try:
                    sock.setblocking(False)
                    sock.send(b"a")
                except BlockingIOError:
                    pass
                except OSError:
                    opened.remove(sock)
            stop.wait(2.0)

    held = len(opened)
    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    kiosk.latencies.clear()
    served = kiosk.take()
    slowest = max(kiosk.latencies)
    time.sleep(12)  # past the 10 s read deadline: the slow ones are cut off
    stop.set()
    trickler.join(timeout=5)
    still_open = _still_open(opened)
    tally.statuses["cut off by the deadline"] = held - still_open
    for sock in opened:
        sock.close()
    return (f"slow sockets: {count} opened from one address: {refused} refused at once (503 in the JSON shape), "
            f"{held} held, of which {held - still_open} cut off by the read deadline, {still_open} still open after "
            f"12 s; kiosk {served}/{KIOSK_TICKETS} tickets, slowest {slowest * 1000:.0f} ms")


def _refused_at_once(opened: list[socket.socket], tally: Tally) -> int:
    """Remove and count the sockets the server answered at accept (503) or closed; the rest are held."""
    refused = 0
    for sock in list(opened):
        sock.setblocking(False)
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            continue  # held by the server, waiting for the rest of the request
        except OSError:
            data = b""
        opened.remove(sock)
        sock.close()
        refused += data.startswith(b"HTTP/1.1 503")
        tally.count(503 if data.startswith(b"HTTP/1.1 503") else "closed")
    return refused


def _still_open(opened: list[socket.socket]) -> int:
    """How many of these sockets the server has not closed."""
    alive = 0
    for sock in opened:
        sock.setblocking(False)
        try:
            alive += sock.recv(4096) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive


def feed_streams(port: int, kiosk: Kiosk, display_token: str, count: int) -> str:
    """Anonymous streams from one address, then from many; then a board asks for a stream."""
    tally, held = Tally(), []

    def open_stream(source: str, token: str | None = None) -> int | str:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
        try:
            conn.request("GET", "/api/events", headers={"Authorization": f"Bearer {token}"} if token else {})
            answer = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            return type(exc).__name__
        if answer.status == 200:
            held.append(conn)
        else:
            answer.read()
            conn.close()
        return answer.status

    for _ in range(count):
        tally.count(open_stream(ATTACKER))
    from_one = tally.statuses[200]
    for n in range(count):
        tally.count(open_stream(f"127.0.1.{n % 250 + 1}"))
    board = open_stream(OFFICE, display_token)
    served = kiosk.take()
    for conn in held:
        conn.close()
    return (f"feed streams: {count} from one address ({from_one} opened), {count} from {min(count, 250)} addresses; "
            f"{tally.line()}; {len(held) - (board == 200)} anonymous streams held; board with a device token: "
            f"{board}; kiosk {served}/{KIOSK_TICKETS} tickets")


def sign_in_flood(server: LiveServer, kiosk: Kiosk, tries: int) -> str:
    """Fresh usernames from one address, 32 at once, while the kiosk takes tickets and the clerk signs in."""
    assert server.process is not None, "the server is started"
    port, pid, tally = server.port, server.process.pid, Tally()
    before, peak_before = rss_mib(pid)
    names, codes = iter(range(tries)), Counter[str]()
    lock = threading.Lock()

    def attacker() -> None:
        while True:
            with lock:
                n = next(names, None)
            if n is None:
                return
            body = json.dumps({"username": f"khach{n}", "password": "doan-mo-1"}).encode()
            status, answer = request(port, "POST", "/api/login", source=ATTACKER, body=body,
                                     headers={"Content-Type": "application/json"}, timeout=10)
            codes[_error_code(answer)] += 1
            tally.count(status)

    threads = [threading.Thread(target=attacker, daemon=True) for _ in range(32)]
    for thread in threads:
        thread.start()
    kiosk.latencies.clear()
    served = kiosk.take(40)
    right = json.dumps({"username": "quay1", "password": CLERK_PASSWORD}).encode()
    clerk = request(port, "POST", "/api/login", body=right,
                    headers={"Content-Type": "application/json"})[0]
    for thread in threads:
        thread.join(timeout=ROUND_SECONDS)
    after, peak = rss_mib(pid)
    return (f"sign-in flood: {tally.line()}; codes {dict(codes)}; server RSS {before:.0f} -> {after:.0f} MiB "
            f"(peak {peak_before:.0f} -> {peak:.0f}), "
            f"growth {after - before:+.0f} MiB; kiosk {served}/40 tickets, p99 {p99(kiosk.latencies) * 1000:.0f} ms; "
            f"the clerk's sign-in meanwhile: {clerk}")


def _error_code(body: bytes) -> str:
    """The ``error.code`` of an answer in the one error shape, else "-"."""
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return "-"


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def oversized_bodies(server: LiveServer, kiosk: Kiosk, total_mib: int) -> str:
    """Uploads adding up to ``total_mib`` MiB, half by Content-Length, half chunked; the database folder's growth."""
    port, tally, folder = server.port, Tally(), server.db.parent
    before = folder_bytes(folder)
    each = 4 * 2**20
    for n in range(max(1, total_mib // 4)):
        head = (b"Transfer-Encoding: chunked\r\n" if n % 2 else b"Content-Length: %d\r\n" % each)
        tally.count(_upload(port, head, each, chunked=bool(n % 2)))
    grown = folder_bytes(folder) - before
    served = kiosk.take()
    return (f"oversized bodies: {total_mib} MiB offered in {tally.sent} uploads; {tally.line()}; database folder "
            f"grew {grown / 2**10:.0f} KiB; kiosk {served}/{KIOSK_TICKETS} tickets")


def _upload(port: int, head: bytes, size: int, chunked: bool) -> int | str:
    """A POST of ``size`` bytes in 64 KiB pieces, reading the answer as soon as the server gives one."""
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(ATTACKER, 0))
    except OSError as exc:
        return type(exc).__name__
    piece = b"x" * 0x10000
    if chunked:
        piece = b"10000\r\n" + piece + b"\r\n"
    with sock:
        sock.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + head + b"\r\n")
        sock.setblocking(False)
        answer, sent, deadline = b"", 0, time.monotonic() + 10
        while sent < size and not answer and time.monotonic() < deadline:
            try:
                answer = sock.recv(64)
                break  # the server answered (or closed) before the body was all sent
            except BlockingIOError:
                pass
            except OSError:
                return "reset"
            try:
                sent += sock.send(piece)
            except BlockingIOError:
                time.sleep(0.01)
            except OSError:
                return "reset"
    return int(answer.split()[1]) if answer.startswith(b"HTTP/1.1 ") else "closed"


def wrong_passwords(port: int) -> str:
    """Ten wrong passwords for a clerk's name from another machine, then the right one from it and from the counter."""
    statuses = []
    for _ in range(10):
        body = json.dumps({"username": "quay2", "password": "doan-sai-1"}).encode()
        statuses.append(request(port, "POST", "/api/login", source=GUESSER, body=body,
                                headers={"Content-Type": "application/json"})[0])
    right = json.dumps({"username": "quay2", "password": CLERK_PASSWORD}).encode()
    guesser = request(port, "POST", "/api/login", source=GUESSER, body=right,
                      headers={"Content-Type": "application/json"})[0]
    clerk = request(port, "POST", "/api/login", body=right, headers={"Content-Type": "application/json"})[0]
    return (f"wrong passwords: 10 wrong from another machine {dict(Counter(statuses))}; then the right one from the "
            f"same machine: {guesser} (slow lane), from the counter: {clerk}")


def nothing_lost(server: LiveServer, kiosk: Kiosk) -> str:
    """Kill -9, restart, and look up every acknowledged ticket."""
    server.kill()
    server.start(timeout=60)
    missing = [t for t in kiosk.acknowledged if request(server.port, "GET", f"/api/tickets/{t}")[0] != 200]
    duplicated = len(kiosk.acknowledged) - len(set(kiosk.acknowledged))
    return f"after kill -9: {len(kiosk.acknowledged)} acknowledged, {len(missing)} missing, {duplicated} duplicated"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow-sockets", type=int, default=560)
    parser.add_argument("--streams", type=int, default=120)
    parser.add_argument("--sign-ins", type=int, default=159)
    parser.add_argument("--upload-mib", type=int, default=83)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-attack-") as folder:
        server = prepare_server(Path(folder), bench_config(Path(folder))).start(timeout=60)
        try:
            kiosk = Kiosk(server.port, server.tokens["kiosk"])
            rounds: list[Callable[[], str]] = [
                lambda: slow_sockets(server.port, kiosk, args.slow_sockets),
                lambda: feed_streams(server.port, kiosk, server.tokens["display"], args.streams),
                lambda: sign_in_flood(server, kiosk, args.sign_ins),
                lambda: oversized_bodies(server, kiosk, args.upload_mib),
                lambda: wrong_passwords(server.port),
                lambda: nothing_lost(server, kiosk),
            ]
            for run in rounds:
                print(run(), flush=True)
            log = server.log_path.read_text(errors="replace") if server.log_path else ""
            print(f"server log: {log.count('Traceback')} tracebacks, "
                  f"{log.count('connection refused from')} refusal lines")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
