"""Benchmark of the province hub (issue 16): catch-up ingest of many offices' weeks into PostgreSQL.

A week of the sample commune office is played through its own API on a fake
clock (real events, tickets and their changes), copied as N offices (each
its own SQLite file and hub token), and every office's real sync worker
then ships its whole week to a real ``motcua hub serve`` on a throwaway
PostgreSQL cluster, several offices at a time, as after a province-wide
outage. Prints the events per second into PostgreSQL (target ≥ 20,000/s on
this 2-core machine) and the time until every office is current, then a
real office server's ticket-issue p99 under 4 kiosks with ``motcua sync``
running against off, alternating (target: at most 10 % worse, judged on the
median of the rounds' p99s; the pooled p99 and the spread are printed too). The
offices' workers run on the same machine as the hub and PostgreSQL, so the
figure is for the whole chain, the office side included.

Run: .venv/bin/python bench/hub.py [--offices 100] [--days 5] [--senders 4]
     .venv/bin/python bench/hub.py --only-office-p99 --sync-mode separate|child|thread
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue as queue_module  # the standard library's queue (no module of ours is named queue)
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from queue_server.config import load_config  # noqa: E402
from queue_server.engine import QueueEngine  # noqa: E402
from queue_server.hub import schema, store  # noqa: E402
from queue_server.hub.cluster import TempCluster  # noqa: E402
from queue_server.hub.sync import Syncer, build_batch, open_db  # noqa: E402
from queue_server.hub.sync_settings import SyncSettings, shipped_settings  # noqa: E402
from queue_server.hub.wire import gzip_json  # noqa: E402
from queue_server.web.app import create_app  # noqa: E402
from tests.support.clock import FakeClock  # noqa: E402
from tests.support.live_server import bench_config, free_port, prepare_server  # noqa: E402
from tests.support.servers import act, build_office_db, counting_tokens, issue, office_config  # noqa: E402

TARGET_EVENTS_PER_S = 20_000
TICKETS_PER_DAY = 60  # the commune profile ([reports.simulation] tickets_per_day of config/commune.toml)


def play_week(folder: Path, days: int) -> Path:
    """The commune office's ``days`` working days through its API: every ticket issued, called and completed."""
    config = load_config(office_config(folder, {"tickets_per_minute_per_device = 30":
                                                "tickets_per_minute_per_device = 100000000"}))
    made = build_office_db(folder / "template.db")
    clock = FakeClock()
    morning = clock.now
    engine = QueueEngine(config, made.path, clock=clock, new_token=counting_tokens()).start()
    app = create_app(config, made.path, engine=engine)
    from tests.support.servers import InProcess

    api = InProcess(app, app.test_client(), engine, clock, made, config)
    services = [(c.number, c.services[0]) for c in config.office.counters]
    try:
        for day in range(days):
            for n in range(TICKETS_PER_DAY):
                counter, service = services[n % len(services)]
                clock.advance(minutes=4)
                assert issue(api, service, key=f"{day}-{n}").status_code == 201
                if n >= len(services):  # counters work a few tickets behind the kiosk
                    back, _ = services[(n - len(services)) % len(services)]
                    act(api, back, "call-next")
                    clock.advance(minutes=2)
                    act(api, back, "complete")
            clock.now = morning + timedelta(days=day + 1)  # the next working morning
    finally:
        engine.stop()
    checkpoint = open_db(made.path)  # everything into the main file, which is then copied for each office
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    return made.path


def start_hub(dsn: str, log: Path, niceness: int = 0) -> tuple[subprocess.Popen, str]:
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(["nice", "-n", str(niceness),
                                    sys.executable, "-m", "queue_server.cli", "hub", "serve", "--dsn", dsn,
                                    "--port", str(port), "--threads", "8"], cwd=PROJECT, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if requests.get(url + "/api/health", timeout=0.5).ok:
                return process, url
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(log.read_text(errors="replace")[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--days", type=int, default=5, help="working days of each office's week")
    parser.add_argument("--senders", type=int, default=4, help="offices shipping at the same time")
    parser.add_argument("--rounds", type=int, default=4, help="office p99: rounds of sync off then on")
    parser.add_argument("--phase-seconds", type=float, default=5.0, help="office p99: seconds of each phase")
    parser.add_argument("--sync-mode", choices=SYNC_MODES, default="child",
                        help="office p99: motcua sync beside the server, the child of motcua serve, or its thread")
    parser.add_argument("--only-office-p99", action="store_true", help="skip the ingest parts")
    args = parser.parse_args()
    if args.only_office_p99:
        only_office_p99(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-hub-"))
    cluster = TempCluster().start()
    hub = None
    try:
        started = time.perf_counter()
        template = play_week(folder, args.days)
        print(f"one office week played through its API: {time.perf_counter() - started:.1f} s")
        dsn = cluster.create_database("hub")
        with store.connect(dsn) as conn:
            schema.apply_migrations(conn)
            tokens = {f"XA{i:03d}": store.add_office(conn, f"XA{i:03d}", f"Xã {i}") for i in range(args.offices)}
        hub, url = start_hub(dsn, folder / "hub.log")
        config = load_config(folder / "office.toml")
        settings_sent = shipped_settings(config)
        work: queue_module.Queue[tuple[str, Path]] = queue_module.Queue()
        for code in tokens:
            copy = folder / f"{code}.db"
            shutil.copyfile(template, copy)
            work.put((code, copy))
        report("the whole chain (each office's worker reads SQLite, builds and gzips its batches)",
               run_senders(work, tokens, url, settings_sent, args.senders), dsn, args)
        hub_only(cluster, template, settings_sent, args, folder)
        office_issue_p99(cluster, folder, args)
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=10)
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def only_office_p99(args: argparse.Namespace) -> None:
    """The office p99 part alone, on its own throwaway cluster."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-bench-hub-"))
    cluster = TempCluster().start()
    try:
        office_issue_p99(cluster, folder, args)
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run_senders(work: queue_module.Queue, tokens: dict[str, str], url: str, settings_sent: dict,
                senders: int) -> float:
    """Every office catches up, ``senders`` at a time; returns the seconds until the last is current."""
    failures: list[BaseException] = []

    def sender() -> None:
        while True:
            try:
                code, path = work.get_nowait()
            except queue_module.Empty:
                return
            syncer = Syncer(SyncSettings(url, code, tokens[code]), path, settings_sent)
            try:
                syncer.catch_up()
            except BaseException as exc:  # reported after the run
                failures.append(exc)
            finally:
                syncer.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} offices failed: {failures[0]}")
    return time.perf_counter() - started


def hub_only(cluster: TempCluster, template: Path, settings_sent: dict, args: argparse.Namespace,
             folder: Path) -> None:
    """The hub and PostgreSQL alone: every office's gzip batch built beforehand (offices do it on their own PCs)."""
    dsn = cluster.create_database("hub_only")
    with store.connect(dsn) as conn:
        schema.apply_migrations(conn)
        tokens = {f"XA{i:03d}": store.add_office(conn, f"XA{i:03d}", f"Xã {i}") for i in range(args.offices)}
    office_db = open_db(template)
    batch, _, _ = build_batch(office_db, "", settings_sent, 1_000_000, 1_000_000)
    office_db.close()
    bodies: queue_module.Queue[tuple[str, bytes]] = queue_module.Queue()
    for code in tokens:
        bodies.put((code, gzip_json({**batch, "office": code})))
    process, url = start_hub(dsn, folder / "hub-only.log")
    failures: list[str] = []

    def poster() -> None:
        with requests.Session() as http:
            while True:
                try:
                    code, body = bodies.get_nowait()
                except queue_module.Empty:
                    return
                answer = http.post(url + "/api/hub/batches", data=body, timeout=120, headers={
                    "Authorization": f"Bearer {tokens[code]}", "Content-Encoding": "gzip",
                    "Content-Type": "application/json"})
                if answer.status_code != 200:
                    failures.append(answer.text)

    try:
        started = time.perf_counter()
        threads = [threading.Thread(target=poster) for _ in range(args.senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    if failures:
        raise RuntimeError(f"{len(failures)} batches refused: {failures[0][:300]}")
    report("the hub alone (batches built beforehand, as on the offices' own PCs)", seconds, dsn, args)


def kiosk(port: int, token: str, services: list[str], stop: threading.Event, log: list[tuple[float, float]]) -> None:
    """One very fast kiosk: tickets one after another, each timed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    count = 0
    while not stop.is_set():
        count += 1
        started = time.monotonic()
        conn.request("POST", "/api/tickets", body=json.dumps({"service": services[count % len(services)]}),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                              "Idempotency-Key": uuid.uuid4().hex})
        answer = conn.getresponse()
        answer.read()
        if answer.status == 201:
            log.append((started, time.monotonic()))
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


SYNC_MODES = ("separate", "child", "thread")
"""How the worker runs in the office p99 part: ``motcua sync`` beside the server, the child ``motcua serve``
starts with [sync] (the default), or a thread of the server (``MOTCUA_SYNC_WORKER=thread``)."""


def office_issue_p99(cluster: TempCluster, folder: Path, args: argparse.Namespace) -> None:
    """A real office server with 4 kiosks: ticket issue p99 with sync running vs off, alternating.

    The server is started afresh for every phase (the worker of ``child`` and ``thread`` starts with it),
    in every mode alike, and each phase's first second is not timed (start-up, the worker's catch-up).
    """
    dsn = cluster.create_database(f"office_p99_{args.sync_mode}")
    with store.connect(dsn) as conn:
        schema.apply_migrations(conn)
        token = store.add_office(conn, "XA-BENCH", "Xã bench")
    # The hub and PostgreSQL stand for another machine here: lowest priority, so the figure is the office's own
    # cost of syncing (its worker), not theirs on the same two cores.
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    os.setpriority(os.PRIO_PROCESS, postmaster, 19)  # the backends it forks from now on inherit it
    process, url = start_hub(dsn, folder / f"hub-p99-{args.sync_mode}.log", niceness=19)
    office_folder = folder / f"office-{args.sync_mode}"
    office_folder.mkdir()
    plain = bench_config(office_folder)
    with_sync = office_folder / "bench-sync.toml"
    with_sync.write_text(plain.read_text(encoding="utf-8") + f'\n[sync]\nhub_url = "{url}"\n'
                         'office_code = "XA-BENCH"\ninterval_seconds = 0.5\n', encoding="utf-8")
    server = prepare_server(office_folder, plain)
    os.environ["MOTCUA_HUB_TOKEN"] = token
    os.environ["MOTCUA_SYNC_WORKER"] = "thread" if args.sync_mode == "thread" else "process"
    services = [s.code for s in load_config(plain).office.services]
    timings: dict[str, list[float]] = {"off": [], "on": []}
    round_p99s: dict[str, list[float]] = {"off": [], "on": []}
    loads: list[float] = []
    try:
        for phase in phase_order(args.rounds):
            server.config = with_sync if phase == "on" and args.sync_mode != "separate" else plain
            server.start()
            sync = None
            if phase == "on" and args.sync_mode == "separate":
                sync = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "sync", "--config", str(with_sync),
                                         "--db", str(server.db)], cwd=PROJECT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            time.sleep(1.0)  # started and caught up with the earlier phases
            timed = time_kiosks(server.port, server.tokens["kiosk"], services, args.phase_seconds)
            timings[phase] += timed
            round_p99s[phase].append(percentile(timed, 99) * 1000)
            loads.append(os.getloadavg()[0])
            if sync is not None:
                sync.terminate()
                sync.wait(timeout=10)
            server.stop()
        with store.connect(dsn) as conn:
            office = store.office(conn, "XA-BENCH")
        local = sqlite3.connect(server.db)
        last_event = local.execute("SELECT MAX(id) FROM events").fetchone()[0]
        local.close()
    finally:
        server.stop()
        process.terminate()
        process.wait(timeout=10)
    off, on = (percentile(timings[p], 99) * 1000 for p in ("off", "on"))
    med_off, med_on = (statistics.median(round_p99s[p]) for p in ("off", "on"))
    verdict = "OK" if med_on <= med_off * 1.1 else "OVER the 10 % target"
    print(f"office ticket issue, 4 kiosks, sync {args.sync_mode}, {args.rounds} x {args.phase_seconds:g} s each way "
          f"(load average {min(loads):.1f}-{max(loads):.1f}):")
    for phase in ("off", "on"):
        p99s = round_p99s[phase]
        print(f"  sync {phase:>3}: {len(timings[phase])} tickets, round p99s median {statistics.median(p99s):.1f} ms "
              f"(spread {min(p99s):.1f}-{max(p99s):.1f}), pooled p99 {percentile(timings[phase], 99) * 1000:.1f} ms")
    print(f"  sync on vs off: median of round p99s {(med_on / med_off - 1) * 100:+.0f} %, pooled "
          f"{(on / off - 1) * 100:+.0f} %  {verdict}")
    print(f"  the hub held events up to {office.events_ack if office else 0} of the office's {last_event} "
          "(the last phase's tail ships after it)")


def phase_order(rounds: int) -> list[str]:
    """off, on, on, off, off, on…: each mode as often first as second in a pair, so a drift of the machine's
    load during the run (other work starting or ending) weighs on both alike."""
    pairs = [("off", "on") if n % 2 == 0 else ("on", "off") for n in range(rounds)]
    return [phase for pair in pairs for phase in pair]


def time_kiosks(port: int, token: str, services: list[str], seconds: float) -> list[float]:
    """Four kiosks for ``seconds``: every ticket's issue time."""
    log: list[tuple[float, float]] = []
    stop = threading.Event()
    threads = [threading.Thread(target=kiosk, args=(port, token, services, stop, log)) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return [end - start for start, end in log]


def report(what: str, seconds: float, dsn: str, args: argparse.Namespace) -> None:
    with store.connect(dsn) as conn:
        events, tickets = (conn.execute(f"SELECT count(*) FROM {t}").fetchone() or (0,) for t in ("events", "tickets"))
        behind = conn.execute("SELECT count(*) FROM hub_offices WHERE events_ack = 0").fetchone() or (0,)
    rate = events[0] / seconds
    verdict = "OK" if rate >= TARGET_EVENTS_PER_S else f"SHORT of the {TARGET_EVENTS_PER_S:,} target"
    print(f"{what}:")
    print(f"  {args.offices} offices x {args.days} days ({args.senders} shipping at once): {events[0]:,} events and "
          f"{tickets[0]:,} tickets in {seconds:.1f} s until every office is current ({behind[0]} not)")
    print(f"  catch-up ingest: {rate:,.0f} events/s into PostgreSQL  {verdict}")


if __name__ == "__main__":
    main()
