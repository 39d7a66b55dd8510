"""Many devices at once through HTTP against the real server: no duplicate, no gap, nothing lost.

The races share one server (starting one costs seconds on 2 cores), so each
compares with what the database held before it.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.support.live_server import LiveServer
from tests.support.servers import RAISED_LIMIT

THREADS = 8
TICKETS_PER_THREAD = 250
SERVICES = ("HT", "VP", "DC")


class Connection:
    """A bare keep-alive HTTP connection: on 2 cores, requests' own CPU would slow the server down."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname, f"no host in {url}"
        self.http = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.token = token

    def post(self, path: str, body: dict | None = None, key: str | None = None) -> tuple[int, dict[str, Any]]:
        """The status and the JSON body; an empty body (204) reads as {}."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        self.http.request("POST", path, body=json.dumps(body or {}), headers=headers)
        reply = self.http.getresponse()
        data = reply.read()
        return reply.status, json.loads(data) if data else {}

    def close(self) -> None:
        self.http.close()


def run_together(targets: list, timeout: float = 120) -> None:
    """Start every target at the same moment and wait for all."""
    start = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target) -> None:
        try:
            start.wait()
            target()
        except BaseException as exc:  # reported in the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a client hung"
    if errors:
        raise errors[0]


def last_numbers(db) -> dict[str, int]:
    """The last sequence number of each service today, as stored."""
    with sqlite3.connect(db) as conn:
        return dict(conn.execute(
            "SELECT issued_service, MAX(seq) FROM tickets WHERE day = (SELECT MAX(day) FROM tickets)"
            " GROUP BY issued_service"))


@pytest.mark.e2e
def test_eight_kiosks_issue_2000_distinct_gap_free_numbers(start_server) -> None:
    server = start_server(RAISED_LIMIT)  # its own: 2,000 waiting tickets would crowd the shared server
    before = last_numbers(server.db)
    answers: list[tuple[int, str, dict]] = []

    def kiosk(thread: int):
        def issue_250() -> None:
            connection = Connection(server.url, server.tokens["kiosk"])
            try:
                for index in range(TICKETS_PER_THREAD):
                    service = SERVICES[(thread + index) % len(SERVICES)]
                    status, body = connection.post("/api/tickets", {"service": service}, uuid.uuid4().hex)
                    answers.append((status, service, body))
            finally:
                connection.close()
        return issue_250

    run_together([kiosk(n) for n in range(THREADS)])
    assert len(answers) == THREADS * TICKETS_PER_THREAD
    assert {status for status, _, _ in answers} == {201}
    tickets = [body["ticket"] for _, _, body in answers]
    assert all(t["service"] == service for (_, service, _), t in zip(answers, tickets, strict=True))
    numbers = [t["number"] for t in tickets]
    assert len(set(numbers)) == len(numbers) == 2000
    assert len({t["id"] for t in tickets}) == 2000
    by_service: dict[str, list[int]] = defaultdict(list)
    for ticket in tickets:
        by_service[ticket["service"]].append(int(ticket["number"][1:]))
    assert sorted(by_service) == sorted(SERVICES)
    for service, seqs in by_service.items():
        first = before.get(service, 0) + 1
        assert sorted(seqs) == list(range(first, first + len(seqs))), f"gap or repeat in {service}"
    with sqlite3.connect(server.db) as conn:
        stored = {row[0]: (row[1], row[2]) for row in conn.execute(
            f"SELECT id, number, service FROM tickets WHERE id IN ({','.join(str(t['id']) for t in tickets)})")}
    assert stored == {t["id"]: (t["number"], t["service"]) for t in tickets}


@pytest.mark.e2e
def test_the_same_key_sent_at_once_from_many_threads_makes_one_ticket(shared_server: LiveServer) -> None:
    """A kiosk retrying while its first request is still in flight."""
    server = shared_server
    keys = [uuid.uuid4().hex for _ in range(5)]

    def sender(key: str, answers: list[tuple[int, dict[str, Any]]]) -> Callable[[], None]:
        def send() -> None:
            connection = Connection(server.url, server.tokens["kiosk"])
            try:
                answers.append(connection.post("/api/tickets", {"service": "HT"}, key))
            finally:
                connection.close()
        return send

    for key in keys:
        answers: list[tuple[int, dict[str, Any]]] = []
        run_together([sender(key, answers)] * 8)
        assert sorted(status for status, _ in answers) == [200] * 7 + [201]
        assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    with sqlite3.connect(server.db) as conn:
        marks = ",".join("?" * len(keys))
        rows = conn.execute(f"SELECT key, COUNT(*) FROM idempotency_keys WHERE key IN ({marks}) GROUP BY key",
                            keys).fetchall()
    assert sorted(rows) == sorted((key, 1) for key in keys)


@pytest.mark.e2e
def test_two_clerks_calling_at_once_never_get_the_same_ticket(shared_server: LiveServer) -> None:
    server = shared_server
    first_clerk = Connection(server.url, server.tokens["quay1"])
    while first_clerk.post("/api/counters/1/call-next")[0] == 200:  # an empty Hộ tịch line to start with
        pass
    kiosk = Connection(server.url, server.tokens["kiosk"])
    issued = [kiosk.post("/api/tickets", {"service": "HT"}, uuid.uuid4().hex)[1]["ticket"]["id"] for _ in range(120)]
    kiosk.close()
    first_clerk.close()
    called: dict[int, list[int]] = {1: [], 2: []}

    def clerk(counter: int):
        def call_until_empty() -> None:
            connection = Connection(server.url, server.tokens[f"quay{counter}"])
            try:
                while True:
                    status, body = connection.post(f"/api/counters/{counter}/call-next")
                    if status == 204:
                        return
                    assert status == 200, body
                    called[counter].append(body["ticket"]["id"])
            finally:
                connection.close()
        return call_until_empty

    run_together([clerk(1), clerk(2)])
    both = called[1] + called[2]
    assert sorted(both) == issued, "a ticket called twice, or one never called"
    assert called[1] and called[2]
    assert all(ids == sorted(ids) for ids in called.values())  # each counter takes them oldest first
    with sqlite3.connect(server.db) as conn:
        statuses = {row[0] for row in conn.execute(
            f"SELECT status FROM tickets WHERE id IN ({','.join(map(str, issued))})")}
    assert statuses == {"done"}  # each call-next ended the ticket before it, the last (204) one too
