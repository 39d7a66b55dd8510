"""Benchmark of ``motcua backup`` on a provincial centre's simulated year while 4 kiosks issue tickets.

Prints: the database size, the backup's time, and ticket-issue p50/p99 of 4
kiosk clients (as fast as they can, the worst case) just before and during
the backup (target p99 ≤ 100 ms during the backup), plus a check that every
ticket acknowledged before the backup began is in it.

Run: .venv/bin/python bench/backup.py [--days 365]
Everything runs on loopback; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from queue_server.config import load_config  # noqa: E402
from queue_server.core.actions import service_day  # noqa: E402
from queue_server.reports.simulate import simulate  # noqa: E402
from queue_server.store.db import connect  # noqa: E402
from tests.support.live_server import prepare_server  # noqa: E402

KIOSKS = 4
BASELINE_S = 5.0
MAX_TICKETS = 200_000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def office_file(tmp: Path) -> Path:
    """The provincial office with the per-device limit lifted (the bench's kiosks are very fast)."""
    source = PROJECT / "queue_server" / "offices" / "province.toml"
    text = source.read_text(encoding="utf-8").replace("[office]\n", f'[office]\nfiles_dir = "{source.parent}"\n', 1)
    text = text.replace("tickets_per_minute_per_device = 30", "tickets_per_minute_per_device = 100000000", 1)
    path = tmp / "province.toml"
    path.write_text(text, encoding="utf-8")
    return path


def kiosk(port: int, token: str, services: list[str], stop: threading.Event,
          log: list[tuple[float, float, tuple[str, str, str]]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(MAX_TICKETS):
        if stop.is_set():
            break
        started = time.monotonic()
        conn.request("POST", "/api/tickets", body=json.dumps({"service": services[i % len(services)]}),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                              "Idempotency-Key": uuid.uuid4().hex})
        answer = conn.getresponse()
        body = answer.read()
        if answer.status == 201:
            ticket = json.loads(body)["ticket"]
            log.append((started, time.monotonic(), (ticket["service"], ticket["issued_at"][:10], ticket["number"])))
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="simulated days before today (default a year)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-backup-") as tmp_name:
        tmp = Path(tmp_name)
        config_path = office_file(tmp)
        config = load_config(config_path)
        server = prepare_server(tmp, config_path)
        today = service_day(config.office, datetime.now(UTC))
        began = time.monotonic()
        with connect(server.db) as db:
            result = simulate(config, db.conn, today - timedelta(days=args.days), args.days, today=today)
        print(f"simulated {args.days} days: {result.tickets} tickets in {time.monotonic() - began:.0f} s")
        size_mb = server.db.stat().st_size / 1e6
        server.start(timeout=60)
        services = [s.code for s in config.office.services]
        log: list[tuple[float, float, tuple[str, str, str]]] = []
        stop = threading.Event()
        threads = [threading.Thread(target=kiosk, args=(server.port, server.tokens["kiosk"], services, stop, log))
                   for _ in range(KIOSKS)]
        try:
            for thread in threads:
                thread.start()
            time.sleep(BASELINE_S)
            backup_began = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "queue_server.cli", "backup", "--db", str(server.db),
                                   "--config", str(config_path), str(tmp / "backups")],
                                  capture_output=True, text=True, timeout=600, check=True)
            backup_ended = time.monotonic()
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            stop.set()
            server.stop()
        backup = Path(done.stdout.strip().splitlines()[-1])
        before = [end - start for start, end, _ in log if backup_began - BASELINE_S <= start < backup_began]
        during = [end - start for start, end, _ in log if backup_began <= start < backup_ended]
        acknowledged = {number for _, end, number in log if end < backup_began}
        conn = sqlite3.connect(backup)
        held = set(conn.execute("SELECT service, day, number FROM tickets"))
        conn.close()
        print(f"database {size_mb:.0f} MB; backup {backup_ended - backup_began:.2f} s "
              f"(motcua backup as its own process, integrity check included), {backup.stat().st_size / 1e6:.0f} MB")
        print(f"issue before the backup: {len(before)} tickets, p50 {percentile(before, 50) * 1000:.1f} ms, "
              f"p99 {percentile(before, 99) * 1000:.1f} ms")
        if during:
            p99 = percentile(during, 99) * 1000
            print(f"issue during the backup: {len(during)} tickets, p50 {percentile(during, 50) * 1000:.1f} ms, "
                  f"p99 {p99:.1f} ms (target ≤ 100 ms{'' if p99 <= 100 else ': SHORT'})")
        print(f"acknowledged before the backup began: {len(acknowledged)}, missing from it: "
              f"{len(acknowledged - held)}")


if __name__ == "__main__":
    main()
