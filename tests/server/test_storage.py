"""When the disk refuses a commit: a 503 to retry, and nothing half-done in memory or on disk."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import pytest

from queue_server.store import repository
from tests.support.servers import InProcess, act, issue


def test_a_failed_commit_answers_503_and_the_retry_gets_the_next_number(api: InProcess,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert issue(api, "HT", "a").get_json()["ticket"]["number"] == "A001"
    real_append = repository.append_event

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(repository, "append_event", disk_full)
    refused = issue(api, "HT", "b")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.get_json() == {"error": {"code": "try_again", "message": "Không ghi được dữ liệu, xin thử lại."}}
    monkeypatch.setattr(repository, "append_event", real_append)

    # The engine reloaded what the database holds: the failed ticket was never numbered.
    retry = issue(api, "HT", "b")
    assert retry.status_code == 201
    assert retry.get_json()["ticket"]["number"] == "A002"
    services = {s["code"]: s["waiting"] for s in api.client.get("/api/services").get_json()["services"]}
    assert services["HT"] == 2
    with api.db.connect() as conn:
        assert conn.execute("SELECT number FROM tickets ORDER BY id").fetchall() == [("A001",), ("A002",)]
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2


def test_a_failed_clerk_action_leaves_the_counter_as_it_was(api: InProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    issue(api, "HT", "a")
    issue(api, "HT", "b")
    assert act(api, 1, "call-next").get_json()["ticket"]["number"] == "A001"
    real_save = repository.save_changes

    def io_error(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(repository, "save_changes", io_error)
    assert act(api, 1, "call-next").status_code == 503
    monkeypatch.setattr(repository, "save_changes", real_save)
    counter = api.client.get("/api/counters").get_json()["counters"][0]
    assert (counter["state"], counter["current"]["number"], counter["current"]["status"]) == (
        "serving", "A001", "called")
    assert act(api, 1, "call-next").get_json()["ticket"]["number"] == "A002"


def test_switching_to_wal_is_retried_while_sqlite_says_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    from queue_server.store import db

    class Flaky(sqlite3.Connection):
        """A real connection that finds the file locked twice."""

        calls = 0

        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            Flaky.calls += 1
            if Flaky.calls < 3:
                raise sqlite3.OperationalError("database is locked")
            return super().execute(sql, parameters)

    monkeypatch.setattr(db.time, "sleep", lambda _s: None)
    with closing(sqlite3.connect(":memory:", factory=Flaky)) as conn:
        db._switch_to_wal(conn)
    assert Flaky.calls == 3


def test_other_errors_while_switching_to_wal_are_not_retried() -> None:
    from queue_server.store import db

    class Broken(sqlite3.Connection):
        """A real connection whose disk fails."""

        calls = 0

        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            Broken.calls += 1
            raise sqlite3.OperationalError("disk I/O error")

    conn = sqlite3.connect(":memory:", factory=Broken)
    with closing(conn), pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        db._switch_to_wal(conn)
    assert Broken.calls == 1
