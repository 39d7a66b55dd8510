"""Many kiosks at once through HTTP against the real server: no duplicate, no gap, nothing lost."""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
import uuid
from collections import defaultdict
from urllib.parse import urlsplit

import pytest

THREADS = 8
TICKETS_PER_THREAD = 250
SERVICES = ("HT", "VP", "DC")


def issue_many(url: str, token: str, thread: int, start: threading.Barrier, answers: list) -> None:
    """One kiosk: 250 tickets as fast as the server answers, spread over the services.

    A bare keep-alive http.client connection: on 2 cores, requests' own CPU
    would otherwise slow the server down more than the queue does.
    """
    host, port = urlsplit(url).hostname, urlsplit(url).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        start.wait()
        for index in range(TICKETS_PER_THREAD):
            service = SERVICES[(thread + index) % len(SERVICES)]
            connection.request("POST", "/api/tickets", body=json.dumps({"service": service}), headers={
                "Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "application/json"})
            reply = connection.getresponse()
            answers.append((reply.status, service, json.loads(reply.read())))
    finally:
        connection.close()


@pytest.mark.e2e
def test_eight_kiosks_issue_2000_distinct_gap_free_numbers(start_server) -> None:
    server = start_server({"tickets_per_minute_per_device = 30": "tickets_per_minute_per_device = 100000"})
    answers: list[tuple[int, str, dict]] = []
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=issue_many, args=(server.url, server.tokens["kiosk"], n, start, answers))
               for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == THREADS * TICKETS_PER_THREAD
    assert {status for status, _, _ in answers} == {201}
    tickets = [body["ticket"] for _, _, body in answers]
    assert all(t["service"] == service for (_, service, _), t in zip(answers, tickets))
    numbers = [t["number"] for t in tickets]
    assert len(set(numbers)) == len(numbers) == 2000
    assert len({t["id"] for t in tickets}) == 2000
    by_service: dict[str, list[int]] = defaultdict(list)
    for ticket in tickets:
        by_service[ticket["service"]].append(int(ticket["number"][1:]))
    for service, seqs in by_service.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gap or repeat in {service}"
    assert sorted(by_service) == sorted(SERVICES)
    with sqlite3.connect(server.db) as conn:
        stored = {row[0]: (row[1], row[2]) for row in conn.execute("SELECT id, number, service FROM tickets")}
        assert conn.execute("SELECT COUNT(*) FROM idempotency_keys").fetchone()[0] == 2000
    assert stored == {t["id"]: (t["number"], t["service"]) for t in tickets}
