"""Benchmark of the queue server against a minimal Flask + SQLite reference, in one run.

Prints the figures the queue-server issue asks for:
- ticket issue at 8 concurrent clients: rate, p50, p99 — and the rate of a
  minimal "insert a row, return its number" Flask app on the same WSGI server
  and the same durability (WAL, synchronous=FULL);
- call-next p99; call-next → event received by an SSE subscriber, p99, with
  20 subscribers connected;
- server RSS after 10,000 tickets; cold start to first answer.

Run: .venv/bin/python bench/queue_server.py [--tickets-per-client 250]
Everything runs on loopback; the load is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.support.live_server import LiveServer, bench_config, free_port, prepare_server  # noqa: E402

CLIENTS = 8
SUBSCRIBERS = 20

REFERENCE_APP = textwrap.dedent(
    """
    import sqlite3, threading, sys
    from flask import Flask, jsonify
    import waitress

    DB = sys.argv[1]
    app = Flask(__name__)
    local = threading.local()

    def conn():
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = sqlite3.connect(DB, isolation_level=None, timeout=10)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=FULL")
        return c

    with sqlite3.connect(DB) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS t "
                      "(id INTEGER PRIMARY KEY, service TEXT, number INTEGER, UNIQUE(service, number))")

    @app.post("/api/tickets")
    def issue():
        c = conn()
        c.execute("BEGIN IMMEDIATE")
        number = c.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM t WHERE service = 'HT'").fetchone()[0]
        c.execute("INSERT INTO t (service, number) VALUES ('HT', ?)", (number,))
        c.execute("COMMIT")
        return jsonify({"ticket": {"number": number}}), 201

    @app.get("/api/health")
    def health():
        return {"status": "ok"}

    waitress.serve(app, host="127.0.0.1", port=int(sys.argv[2]), threads=int(sys.argv[3]), _quiet=True)
    """
)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def post(conn: http.client.HTTPConnection, path: str, body: dict, headers: dict) -> tuple[int, bytes]:
    payload = json.dumps(body).encode()
    conn.request("POST", path, body=payload, headers={"Content-Type": "application/json", **headers})
    response = conn.getresponse()
    return response.status, response.read()


def issue_load(port: int, token: str | None, per_client: int, services: list[str]) -> tuple[float, list[float], int]:
    """CLIENTS threads, each with its own keep-alive connection, issuing tickets as fast as they can."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0]
    barrier = threading.Barrier(CLIENTS + 1)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        barrier.wait()
        for i in range(per_client):
            service = services[(index + i) % len(services)]
            started = time.perf_counter()
            status, _ = post(conn, "/api/tickets", {"service": service},
                             {**headers, "Idempotency-Key": uuid.uuid4().hex})
            latencies[index].append(time.perf_counter() - started)
            if status != 201:
                errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return len(flat) / elapsed, flat, errors[0]


def cold_start(tmp: Path, config: Path) -> tuple[LiveServer, float]:
    """Start the real server and time spawn → first answer of /api/health."""
    server = prepare_server(tmp, config)
    started = time.perf_counter()
    server.start(timeout=30)
    return server, time.perf_counter() - started


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_reference(tmp: Path, per_client: int) -> tuple[float, list[float]]:
    """The minimal Flask + SQLite app on the same WSGI server and durability."""
    script = tmp / "reference_app.py"
    script.write_text(REFERENCE_APP)
    port = free_port()
    process = subprocess.Popen([sys.executable, str(script), str(tmp / "reference.db"), str(port), str(CLIENTS)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_health(port)
        rate, latencies, errors = issue_load(port, None, per_client, ["HT"])
        assert errors == 0, f"reference app answered {errors} errors"
        return rate, latencies
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_health(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("reference app did not start")


def call_next_latencies(server: LiveServer, rounds: int) -> list[float]:
    """Sequential call-next at counter 1 with a long queue waiting."""
    token = server.login("quay1")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    latencies = []
    for _ in range(rounds):
        started = time.perf_counter()
        status, _ = post(conn, "/api/counters/1/call-next", {}, {"Authorization": f"Bearer {token}"})
        latencies.append(time.perf_counter() - started)
        assert status in (200, 204), status
    return latencies


def sse_latencies(server: LiveServer, rounds: int) -> list[float]:
    """call-next sent → ticket.called received, over SUBSCRIBERS live streams."""
    received: dict[int, list[float]] = {}
    lock = threading.Lock()
    ready = threading.Barrier(SUBSCRIBERS + 1)
    stop = threading.Event()
    board = f"Bearer {server.tokens['display']}"

    def subscriber() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        # Lobby boards stream with their device token: anonymous streams are capped per address.
        conn.request("GET", "/api/events", headers={"Accept": "text/event-stream", "Authorization": board})
        response = conn.getresponse()
        if response.status != 200:
            print(f"  WARNING: a subscriber was refused its stream: {response.status} {response.read()[:200]!r}")
            ready.wait()
            return
        response.fp.readline()  # retry: line
        ready.wait()
        event_type = None
        while not stop.is_set():
            line = response.fp.readline()
            if not line:
                return
            if line.startswith(b"event: "):
                event_type = line[7:].strip()
            elif line.startswith(b"data: ") and event_type == b"ticket.called":
                now = time.perf_counter()
                ticket_id = json.loads(line[6:])["ticket"]["id"]
                with lock:
                    received.setdefault(ticket_id, []).append(now)
        conn.close()

    threads = [threading.Thread(target=subscriber, daemon=True) for _ in range(SUBSCRIBERS)]
    for thread in threads:
        thread.start()
    ready.wait()
    token = server.login("quay2")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    sent: dict[int, float] = {}
    for _ in range(rounds):
        started = time.perf_counter()
        status, body = post(conn, "/api/counters/2/call-next", {}, {"Authorization": f"Bearer {token}"})
        if status == 200:
            sent[json.loads(body)["ticket"]["id"]] = started
        time.sleep(0.02)
    time.sleep(0.5)
    stop.set()
    latencies = []
    for ticket_id, started in sent.items():
        for arrival in received.get(ticket_id, []):
            latencies.append(arrival - started)
    missing = len(sent) * SUBSCRIBERS - len(latencies)
    if missing:
        print(f"  WARNING: {missing} expected SSE deliveries were not seen")
    return latencies


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets-per-client", type=int, default=250)
    parser.add_argument("--rss-tickets", type=int, default=10_000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; SQLite WAL, synchronous=FULL")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        config = bench_config(tmp)
        (tmp / "motcua").mkdir()
        server, cold = cold_start(tmp / "motcua", config)
        try:
            print(f"cold start to first answer: {cold:.2f} s (target ≤ 1.5 s)")
            rate, latencies, errors = issue_load(server.port, server.tokens["kiosk"], args.tickets_per_client,
                                                 ["HT", "VP", "DC", "VH"])
            ref_rate, ref_latencies = run_reference(tmp, args.tickets_per_client)
            print(f"ticket issue, {CLIENTS} clients: {rate:.0f}/s, p50 {fmt_ms(statistics.median(latencies))}, "
                  f"p99 {fmt_ms(percentile(latencies, 99))}, errors {errors} (target ≥ 400/s, p99 ≤ 50 ms)")
            print(f"reference Flask+SQLite insert, same server and durability: {ref_rate:.0f}/s, "
                  f"p99 {fmt_ms(percentile(ref_latencies, 99))}")
            print(f"  ratio to reference: {rate / ref_rate * 100:.0f}% (target ≥ 75%)")
            calls = call_next_latencies(server, 300)
            print(f"call-next: p50 {fmt_ms(statistics.median(calls))}, p99 {fmt_ms(percentile(calls, 99))} "
                  "(target p99 ≤ 30 ms)")
            pushes = sse_latencies(server, 200) or [float("nan")]
            print(f"call-next → SSE event, {SUBSCRIBERS} subscribers: p50 {fmt_ms(statistics.median(pushes))}, "
                  f"p99 {fmt_ms(percentile(pushes, 99))} over {len(pushes)} deliveries (target p99 ≤ 50 ms)")
            issued = CLIENTS * args.tickets_per_client
            if args.rss_tickets > issued:
                per = (args.rss_tickets - issued + CLIENTS - 1) // CLIENTS
                issue_load(server.port, server.tokens["kiosk"], per, ["HT", "VP", "DC", "VH"])
                issued += per * CLIENTS
            assert server.process is not None  # started above
            print(f"server RSS after {issued} tickets today: {rss_mb(server.process.pid):.0f} MB (target ≤ 120 MB)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
