"""The reports tests' office: the sample commune in process, cheaply hashed people, a clock moved by hand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.security import generate_password_hash

from queue_server import auth
from queue_server.config import load_config
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.web.app import create_app
from tests.support.clock import FakeClock

PROJECT = Path(__file__).resolve().parents[2]
COMMUNE = PROJECT / "config" / "commune.toml"
PASSWORD = "mat-khau-thu"
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hà Nội


@dataclass
class Office:
    """An app, its engine and clock, and bearer tokens of its people and devices."""

    app: Any
    engine: QueueEngine
    clock: FakeClock
    db_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> Any:
        """A new test client (no cookies carried over)."""
        return self.app.test_client()

    def headers(self, who: str) -> dict[str, str]:
        """The Authorization header of a person or device."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def post(self, path: str, who: str, json: dict | None = None, **headers: str) -> Any:
        """A JSON POST as ``who``."""
        return self.client().post(path, json=json if json is not None else {}, headers={**self.headers(who), **headers})

    def get(self, path: str, who: str | None = None) -> Any:
        """A GET, as ``who`` or signed out."""
        return self.client().get(path, headers=self.headers(who) if who else {})

    _keys: int = 0

    def issue(self, service: str = "HT") -> dict:
        """A ticket from the kiosk (each with its own Idempotency-Key)."""
        self._keys += 1
        answer = self.post("/api/tickets", "kiosk", {"service": service}, **{"Idempotency-Key": f"k{self._keys}"})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["ticket"]


FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
"""Tests sign in often: a cheap hash of the same password keeps them fast (production uses scrypt)."""


def add_person(conn, name: str, role: str, counters: list[int]) -> None:
    conn.execute("INSERT INTO users (username, password_hash, role, counters, created_at) VALUES (?, ?, ?, ?, ?)",
                 (name, FAST_HASH, role, json.dumps(counters), START.isoformat()))


@contextmanager
def running_office(tmp_path: Path, config_path: Path = COMMUNE) -> Iterator[Office]:
    """The sample commune office with clerks quay1…5, an admin, and kiosk/rating/display devices."""
    config = load_config(config_path)
    db_path = tmp_path / "motcua.db"
    with connect(db_path) as db:
        apply_migrations(db)
        people = [(f"quay{c.number}", "clerk", [c.number]) for c in config.office.counters] + [("admin", "admin", [])]
        for name, role, counters in people:
            add_person(db.conn, name, role, counters)
        device_tokens = {role: auth.add_device(db.conn, f"{role}-1", role) for role in ("kiosk", "rating", "display")}
    clock = FakeClock(START)
    engine = QueueEngine(config, db_path, clock=clock).start()
    app = create_app(config, db_path, engine=engine)
    app.config["TESTING"] = True
    result = Office(app, engine, clock, db_path, dict(device_tokens))
    with connect(db_path) as db:
        for person_id, name, role, counters in db.conn.execute("SELECT id, username, role, counters FROM users"):
            person = auth.Principal("person", person_id, name, role, tuple(json.loads(counters)))
            result.tokens[name], _ = auth.open_session(db.conn, person, 12)
    try:
        yield result
    finally:
        engine.stop()


def act(office: Office, counter: int, action: str, body: dict | None = None) -> dict:
    """A clerk action at a counter by that counter's clerk; it must succeed."""
    answer = office.post(f"/api/counters/{counter}/{action}", f"quay{counter}", body)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def play_morning(office: Office) -> None:
    """The morning tests/reports/test_report_figures.py counts by hand: tickets, calls, a transfer, ratings."""
    clock = office.clock
    tickets = {}
    for minute, service in ((0, "HT"), (1, "HT"), (2, "VP"), (3, "HT")):
        clock.now = clock.now.replace(hour=1, minute=minute)
        ticket = office.issue(service)
        tickets[ticket["number"]] = ticket["id"]
    steps: list[tuple[Any, ...]] = [  # (minute, counter, action[, body])
        (5, 1, "call-next"), (6, 2, "call-next"), (10, 3, "call-next"), (15, 1, "complete"), (16, 1, "call-next"),
        (18, 2, "no-show"), (20, 3, "transfer", {"service": "HT"}), (25, 1, "complete"), (26, 2, "call-next"),
        (30, 2, "start"), (40, 2, "complete")]
    for minute, counter, action, *body in steps:
        clock.now = clock.now.replace(minute=minute)
        act(office, counter, action, *body)
    clock.now = clock.now.replace(minute=41)
    office.issue("VH")
    ratings: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("A001", "very_satisfied", {}), ("A003", "dissatisfied", {"reasons": ["waited_long"]}),
        ("B001", "satisfied", {}))
    for number, overall, extra in ratings:
        answer = office.post("/api/ratings", "rating", {"ticket": tickets[number], "overall": overall, **extra})
        assert answer.status_code == 201, answer.get_json()
