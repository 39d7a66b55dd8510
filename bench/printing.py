"""Benchmark of ticket printing: layout, encode, send to a loopback printer.

Prints the figures the printing issue asks for, per paper width:
- layout (TicketPrint → 1-bit image), encode (image → ESC/POS bytes) and
  send (status query, job, confirmation, to a fake TCP 9100 printer on
  loopback): p50 and p99 each;
- the whole print_ticket call (its worker thread and deadline included): p50, p99;
- the raster image's size in KB (the bytes of GS v 0 data) and the job's bytes.

Target: whole ticket ≤ 100 ms p99; image ≤ 60 KB.
Run: .venv/bin/python bench/printing.py [--tickets 200]
Everything runs on loopback; the loop is bounded in count.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from printers import PrinterSettings, TicketPrint, print_ticket, render_ticket  # noqa: E402
from printers.encode import encode_raster  # noqa: E402
from printers.transports import (  # noqa: E402
    STATUS_CONFIRM,
    STATUS_QUERY,
    close,
    open_link,
    parse_printer_uri,
    read_exactly,
    send,
)

FIELDS = ["Tư pháp – Hộ tịch", "Văn phòng – Thống kê", "Địa chính – Xây dựng – Nông nghiệp – Môi trường",
          "Văn hóa – Xã hội"]
PRIORITIES = [None, None, None, "elderly", "pregnant"]


def tickets(count: int) -> list[TicketPrint]:
    """Realistic, all different tickets (numbers, fields, QR tokens, times)."""
    start = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return [TicketPrint(
        number=f"{'ABCD'[i % 4]}{i + 1:03d}", office_name="Trung tâm Phục vụ hành chính công xã Tân Phú",
        service_name=FIELDS[i % 4], counters=(1, 2) if i % 4 == 0 else (i % 4 + 2,), ahead=i % 17,
        estimated_wait_s=(i % 17) * 420, issued_at=start + timedelta(minutes=i), priority=PRIORITIES[i % 5],
        status_url=f"http://192.0.2.1:8080/t/{i:08d}Xq7bT2mYpQ", hotline="1900 1234", footer="Cảm ơn quý khách!",
        ticket_id=i,
    ) for i in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def line(name: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return f"  {name:<26} p50 {statistics.median(ms):6.1f} ms   p99 {percentile(ms, 0.99):6.1f} ms"


@contextlib.contextmanager
def loopback_printer():
    """The tests' fake TCP 9100 printer in its own process (it must not share our GIL), as a URI."""
    process = subprocess.Popen([sys.executable, "-m", "tests.support.fake_printer"], cwd=PROJECT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        yield f"tcp://127.0.0.1:{port}"
    finally:
        process.stdin.close()
        process.wait(timeout=10)


def bench_paper(paper: int, batch: list[TicketPrint]) -> bool:
    """Stage by stage on one paper width, then print_ticket whole; True when within the targets."""
    layout, encode, sending, totals, image_kb, job_kb, cpu = [], [], [], [], [], [], []
    with loopback_printer() as printer_uri:
        uri = parse_printer_uri(printer_uri)
        for ticket in batch:
            c0, t0 = time.process_time(), time.perf_counter()
            image = render_ticket(ticket, paper)
            t1 = time.perf_counter()
            data = encode_raster(image)
            t2, c2 = time.perf_counter(), time.process_time()
            link = open_link(uri, time.monotonic() + 2)
            send(link, STATUS_QUERY, time.monotonic() + 2)
            read_exactly(link, 3, time.monotonic() + 2)
            send(link, data, time.monotonic() + 2)
            send(link, STATUS_CONFIRM, time.monotonic() + 2)
            read_exactly(link, 1, time.monotonic() + 2)
            close(link)
            t3 = time.perf_counter()
            layout.append(t1 - t0)
            encode.append(t2 - t1)
            sending.append(t3 - t2)
            totals.append(t3 - t0)
            cpu.append(c2 - c0)
            image_kb.append((image.width + 7) // 8 * image.height / 1024)
            job_kb.append(len(data) / 1024)
        whole = []
        for ticket in batch:
            result = print_ticket(ticket, printer_uri, settings=PrinterSettings(paper=paper))
            assert result.ok, result
            whole.append(result.duration_s)
    print(f"{paper} mm paper ({batch and render_ticket(batch[0], paper).width} dots wide), {len(batch)} tickets:")
    print(line("layout", layout))
    print(line("encode", encode))
    print(line("send (loopback, confirmed)", sending))
    print(line("layout+encode+send", totals))
    print(line("layout+encode, CPU time", cpu))
    print(line("print_ticket() whole", whole))
    print(f"  image (raster)             max {max(image_kb):5.1f} KB   mean {statistics.mean(image_kb):5.1f} KB"
          f"   (job bytes max {max(job_kb):.1f} KB)")
    ok = percentile(totals, 0.99) <= 0.100 and percentile(whole, 0.99) <= 0.100 and max(image_kb) <= 60
    print(f"  targets (p99 ≤ 100 ms, image ≤ 60 KB): {'met' if ok else 'NOT met'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200, help="tickets per paper width (default 200)")
    args = parser.parse_args()
    batch = tickets(args.tickets)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} (figures are wall-clock unless marked CPU)")
    warm = tickets(3)
    for paper in (58, 80):  # fonts, escpos import and code paths warmed outside the figures
        for ticket in warm:
            encode_raster(render_ticket(ticket, paper))
    for paper in (58, 80):
        bench_paper(paper, batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
