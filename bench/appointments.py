"""Benchmark of the citizen's pages and of booking, against a real `motcua serve` on loopback.

Prints the figures the appointments issue asks for:
- the ticket status page (/t/<token>): first render time and bytes transferred,
  in headless Chromium (first contentful paint, navigation + resources'
  transfer sizes, cold cache) and over plain HTTP (HTML + CSS + JS, new
  connection each round: p50, p99);
- booking (POST /api/appointments): latency p50/p99 with one client and
  with 8 concurrent keep-alive clients (every booking is a command of the
  engine's single writer, committed with synchronous=FULL).

Targets: status page first render ≤ 300 ms and ≤ 100 KB; booking ≤ 50 ms p99.
Run: .venv/bin/python bench/appointments.py [--bookings 400] [--no-browser]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.live_server import COMMUNE, free_port  # noqa: E402

PAGE_TARGET_MS, PAGE_TARGET_KB, BOOKING_TARGET_MS = 300, 100, 50


def motcua(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "queue_server.cli", *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=120).stdout


def bench_office(folder: Path) -> Path:
    """The sample office with seats and rate limits large enough to book hundreds of times."""
    text = COMMUNE.read_text(encoding="utf-8")
    zone = 'timezone = "Asia/Ho_Chi_Minh"'
    text = text.replace(zone, f'{zone}\nfiles_dir = "{ROOT / "config"}"')
    text = text.replace("capacity = 2\n", "capacity = 100\nbookings_per_minute = 100000\n"
                        # one bench address books hundreds of seats: lift the per-address and per-phone caps
                        "bookings_per_address_per_day = 100000\nbookings_per_phone_per_day = 100000\n", 1)
    path = folder / "office.toml"
    path.write_text(text, encoding="utf-8")
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
    answer = conn.getresponse()
    data = answer.read()
    if own:
        conn.close()
    return answer.status, data


def http_page(port: int, path: str, rounds: int) -> tuple[list[float], int]:
    """Cold loads over HTTP: the page (CSS inlined) and its script, a new connection each round."""
    times, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        size = 0
        for part in (path, "/static/status/status.js"):  # the CSS is inlined in the page
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", part, headers={"Accept-Encoding": "identity"})
            answer = conn.getresponse()
            body = answer.read()
            size += len(body) + sum(len(k) + len(v) + 4 for k, v in answer.getheaders())
            conn.close()
        times.append((time.perf_counter() - start) * 1000)
    return times, size


def browser_page(url: str, rounds: int) -> tuple[list[float], list[int], list[float]] | None:
    """First contentful paint and bytes transferred in headless Chromium, cache disabled."""
    chromium, driver_path = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not (chromium.exists() and driver_path.exists()):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="motcua-bench-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=390,844", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(driver_path)), options=options)
    paints, sizes, floor = [], [], []
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        for _ in range(rounds):
            driver.get("about:blank")
            driver.get("data:text/html,<h1>A001</h1>")  # the browser's own floor on this machine right now
            floor.append(_paint(driver))
            driver.get("about:blank")
            driver.get(url)
            paint = _paint(driver)
            size = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return n.transferSize + performance.getEntriesByType('resource')"
                ".filter(r => !r.name.includes('/api/events')).reduce((s, r) => s + r.transferSize, 0);")
            paints.append(paint)
            sizes.append(int(size))
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return paints, sizes, floor


def _paint(driver) -> float:
    """The first contentful paint of the loaded page (ms after navigation start)."""
    deadline = time.monotonic() + 10
    paint = None
    while paint is None and time.monotonic() < deadline:
        paint = driver.execute_script(
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;")
        time.sleep(0.02)
    return float(paint or 0)


def next_working_days(port: int, count: int) -> list[str]:
    """Slot starts of HT on the next days that have free slots."""
    starts: list[str] = []
    day = date.today() + timedelta(days=1)
    while len(starts) < count and day < date.today() + timedelta(days=14):
        _, data = request(port, "GET", f"/api/appointments/slots?service=HT&date={day.isoformat()}")
        starts.extend(s["start"] for s in json.loads(data).get("slots", []) if s["bookable"])
        day += timedelta(days=1)
    return starts


def bench_bookings(port: int, total: int, clients: int, slots: list[str]) -> list[float]:
    """Latency of POST /api/appointments from ``clients`` keep-alive clients."""
    times: list[float] = []
    lock = threading.Lock()
    per_client = total // clients

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for i in range(per_client):
            slot = slots[(index * per_client + i) % len(slots)]
            start = time.perf_counter()
            status, data = request(port, "POST", "/api/appointments", {"service": "HT", "slot": slot}, conn=conn)
            mine.append((time.perf_counter() - start) * 1000)
            assert status in (201, 409), data
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-apt-"))
    config = bench_office(folder)
    env = {**os.environ, "MOTCUA_CONFIG": str(config), "MOTCUA_DB": str(folder / "motcua.db")}
    motcua("init", env=env)
    kiosk = motcua("device", "add", "kiosk-bench", "--role", "kiosk", env=env).strip()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "serve", "--port", str(port)], env=env,
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(port, "GET", "/api/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        for i in range(5):  # a few people ahead, so the page shows a real queue
            status, data = request(port, "POST", "/api/tickets", {"service": "HT"},
                                   {"Authorization": f"Bearer {kiosk}", "Idempotency-Key": f"bench-{i}"})
        path = "/t/" + json.loads(data)["ticket"]["status_url"].rsplit("/", 1)[1]
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (other engineers' tests share it)")
        times, size = http_page(port, path, args.rounds)
        print(f"status page over HTTP (HTML with inline CSS + JS, new connections, {args.rounds} cold loads): "
              f"p50 {statistics.median(times):.1f} ms, p99 {percentile(times, 0.99):.1f} ms, {size / 1024:.1f} KB")
        if not args.no_browser:
            measured = browser_page(f"http://127.0.0.1:{port}{path}", min(args.rounds, 15))
            if measured:
                paints, sizes, floor = measured
                print("  first contentful paints (ms):", " ".join(f"{p:.0f}" for p in paints))
                print(f"status page in headless Chromium (cache disabled, {len(paints)} loads): first contentful paint "
                      f"p50 {statistics.median(paints):.0f} ms, max {max(paints):.0f} ms; "
                      f"transferred {max(sizes) / 1024:.1f} KB "
                      f"(target ≤ {PAGE_TARGET_MS} ms, ≤ {PAGE_TARGET_KB} KB); a one-line data: page paints in "
                      f"p50 {statistics.median(floor):.0f} ms on this machine now")
        slots = next_working_days(port, 30)
        for clients in (1, 8):
            times = bench_bookings(port, args.bookings, clients, slots)
            print(f"booking POST /api/appointments, {clients} client(s), {len(times)} bookings: "
                  f"p50 {statistics.median(times):.1f} ms, p99 {percentile(times, 0.99):.1f} ms "
                  f"(target p99 ≤ {BOOKING_TARGET_MS} ms)")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
