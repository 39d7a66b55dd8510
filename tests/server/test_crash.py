"""kill -9 while kiosks issue tickets: nothing acknowledged is lost, numbering goes on, retries are safe."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field

import pytest
import requests

from queue_server.client import QueueClient
from tests.support.servers import RAISED_LIMIT

CLIENTS = 4
SERVICES = ("HT", "VP")


@dataclass
class Kiosk:
    """One client issuing tickets until the server stops answering."""

    service: str
    acknowledged: list[tuple[str, dict]] = field(default_factory=list)  # (key, ticket) of every 201
    in_flight: str | None = None  # the key of the request that got no answer

    def run(self, url: str, token: str) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            while True:
                key = uuid.uuid4().hex
                try:
                    reply = session.post(url + "/api/tickets", json={"service": self.service},
                                         headers={"Idempotency-Key": key}, timeout=10)
                except requests.RequestException:
                    self.in_flight = key
                    return
                assert reply.status_code == 201, reply.text
                self.acknowledged.append((key, reply.json()["ticket"]))


@pytest.mark.e2e
def test_kill_9_loses_nothing_acknowledged_and_the_server_issues_on(start_server_on_disk) -> None:
    server = start_server_on_disk(RAISED_LIMIT)
    kiosks = [Kiosk(SERVICES[n % 2]) for n in range(CLIENTS)]
    threads = [threading.Thread(target=k.run, args=(server.url, server.tokens["kiosk"])) for k in kiosks]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while sum(len(k.acknowledged) for k in kiosks) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()  # SIGKILL: no shutdown code runs
    for thread in threads:
        thread.join(timeout=20)
    acknowledged = [ticket for k in kiosks for _, ticket in k.acknowledged]
    assert len(acknowledged) >= 150
    assert all(k.in_flight is not None for k in kiosks)

    server.start(timeout=60)  # the same database, no manual step

    with sqlite3.connect(server.db) as conn:
        stored = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT id, number, service FROM tickets")}
        numbers = conn.execute("SELECT issued_service, day, seq FROM tickets").fetchall()
    for ticket in acknowledged:
        assert stored.get(ticket["id"]) == (ticket["number"], ticket["service"]), f"lost {ticket['number']}"
    assert len(set(numbers)) == len(numbers), "a number was issued twice"
    for service in SERVICES:
        seqs = sorted(seq for issued, _, seq in numbers if issued == service)
        assert seqs == list(range(1, len(seqs) + 1)), f"gap in {service}"

    # Each kiosk retries the request the crash cut off, with the same key.
    headers = {"Authorization": f"Bearer {server.tokens['kiosk']}"}
    for kiosk in kiosks:
        key = kiosk.in_flight
        assert key is not None  # every kiosk had one cut off (checked above)
        retry = requests.post(server.url + "/api/tickets", json={"service": kiosk.service},
                              headers={**headers, "Idempotency-Key": key}, timeout=10)
        assert retry.status_code in (200, 201), retry.text
        ticket = retry.json()["ticket"]
        if retry.status_code == 200:  # committed before the crash, answer lost: the same ticket again
            assert stored[ticket["id"]] == (ticket["number"], ticket["service"])
        again = requests.post(server.url + "/api/tickets", json={"service": kiosk.service},
                              headers={**headers, "Idempotency-Key": key}, timeout=10)
        assert (again.status_code, again.json()) == (200, retry.json())
    with sqlite3.connect(server.db) as conn:
        keys = conn.execute("SELECT COUNT(*), COUNT(DISTINCT ticket_id) FROM idempotency_keys").fetchone()
        tickets = conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
        last = dict(conn.execute("SELECT issued_service, MAX(seq) FROM tickets GROUP BY issued_service").fetchall())
    assert keys == (tickets, tickets), "a key with two tickets, or a ticket without its key"

    # And the numbering simply continues.
    for service in SERVICES:
        fresh = requests.post(server.url + "/api/tickets", json={"service": service},
                              headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=10)
        assert fresh.status_code == 201
        assert int(fresh.json()["ticket"]["number"][1:]) == last[service] + 1

    # The event log survived with the tickets: a screen that saw an event before the crash
    # resumes from it on the restarted server, without a gap.
    with sqlite3.connect(server.db) as conn:
        issued_events = {row[0] for row in conn.execute("SELECT ticket_id FROM events WHERE type = 'ticket.issued'")}
        last_ids = [row[0] for row in conn.execute("SELECT id FROM events ORDER BY id DESC LIMIT 4")][::-1]
    assert {t["id"] for t in acknowledged} <= issued_events
    feed = QueueClient(server.url).events(last_event_id=last_ids[0], read_timeout=10)
    assert [next(feed).id for _ in range(3)] == last_ids[1:]

    # Ctrl+C while a lobby screen follows the feed: a prompt, clean stop (waitress alone would
    # wait 5 s for the stream's thread).
    started = time.monotonic()
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    assert time.monotonic() - started < 4.5  # waitress alone waits 5 s
    assert list(feed) == []  # the stream ended cleanly
