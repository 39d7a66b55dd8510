"""Officers managed from the web admin (issue 15.1): the rules, on a real SQLite file, no HTTP."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queue_server import auth, staff
from queue_server.store.db import connect
from queue_server.store.schema import apply_migrations
from queue_server.store.staff_schema import apply_migrations as apply_staff_migrations

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
COUNTERS = [1, 2, 3, 4, 5]


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = connect(tmp_path / "office.db")
    apply_migrations(db)
    apply_staff_migrations(db)
    auth.add_user(db.conn, "truongbophan", "mat-khau-cu-1", "admin", [])
    yield db.conn
    db.close()


def add(conn: sqlite3.Connection, **body: object) -> tuple[dict, str]:
    return staff.add_officer(conn, "truongbophan", {"full_name": "Nguyễn Văn A", "username": "Quay4", "role": "clerk",
                                                    "counters": [4], **body}, COUNTERS, now=NOW)


def test_a_new_officer_gets_a_one_time_password_that_must_be_replaced(conn: sqlite3.Connection) -> None:
    person, password = add(conn)
    assert person == {"username": "quay4", "full_name": "Nguyễn Văn A", "role": "clerk", "counters": [4],
                      "active": True, "must_change_password": True}
    assert len(password) == 11 and not set(password) & set("01lio")
    signed_in = auth.check_password(conn, "quay4", password)
    assert signed_in is not None and staff.must_change_password(conn, signed_in.id)
    stored = conn.execute("SELECT password_hash FROM users WHERE username = 'quay4'").fetchone()[0]
    assert password not in stored and password not in str(staff.recent_audit(conn))
    assert staff.recent_audit(conn)[0] == {"at": "2026-12-02T02:00:00+00:00", "actor": "truongbophan",
                                            "action": "person.add", "target": "quay4",
                                            "detail": {"full_name": "Nguyễn Văn A", "role": "clerk", "counters": [4]}}


def test_changing_the_temporary_password_clears_the_flag_and_ends_the_old_sessions(conn: sqlite3.Connection) -> None:
    _, password = add(conn)
    person = auth.check_password(conn, "quay4", password)
    assert person is not None
    token, _ = auth.open_session(conn, person, 8)
    with pytest.raises(staff.StaffError) as wrong:
        staff.change_own_password(conn, person, "doan-bua", "mat-khau-moi-9")
    assert wrong.value.code == "wrong_password"
    with pytest.raises(staff.StaffError) as same:
        staff.change_own_password(conn, person, password, password)
    assert same.value.code == "invalid_password"
    staff.change_own_password(conn, person, password, "mat-khau-moi-9")
    assert not staff.must_change_password(conn, person.id)
    assert auth.resolve_token(conn, token) is None
    assert auth.check_password(conn, "quay4", "mat-khau-moi-9") is not None
    assert auth.check_password(conn, "quay4", password) is None


def test_a_reset_password_replaces_a_forgotten_one_ends_the_sessions_and_must_be_replaced(
        conn: sqlite3.Connection) -> None:
    _, temporary = add(conn)
    person = auth.check_password(conn, "quay4", temporary)
    assert person is not None
    staff.change_own_password(conn, person, temporary, "mat-khau-rieng-1")
    token, _ = auth.open_session(conn, person, 8)
    fresh = staff.reset_password(conn, "truongbophan", "QUAY4", now=NOW)
    assert auth.resolve_token(conn, token) is None
    assert auth.check_password(conn, "quay4", "mat-khau-rieng-1") is None
    assert auth.check_password(conn, "quay4", fresh) is not None and staff.must_change_password(conn, person.id)


@pytest.mark.parametrize("body, code", [
    ({"full_name": " "}, "invalid_person"), ({"role": "boss"}, "invalid_person"),
    ({"counters": [9]}, "invalid_person"), ({"counters": []}, "invalid_person"),
    ({"counters": "4"}, "invalid_person"), ({"username": "quay 4"}, "invalid_person"),
    ({"username": "truongbophan"}, "person_exists"),
])
def test_bad_officers_are_refused_in_vietnamese_and_nothing_is_written(conn: sqlite3.Connection, body: dict,
                                                                       code: str) -> None:
    before = staff.list_staff(conn)
    with pytest.raises(staff.StaffError) as refused:
        add(conn, **body)
    assert refused.value.code == code and refused.value.message.endswith(".")
    assert staff.list_staff(conn) == before and staff.recent_audit(conn) == []


def test_an_admin_cannot_lock_or_demote_themselves(conn: sqlite3.Connection) -> None:
    for body in ({"active": False}, {"role": "clerk", "counters": [1]}):
        with pytest.raises(staff.StaffError) as refused:
            staff.update_officer(conn, "truongbophan", "truongbophan", body, COUNTERS, now=NOW)
        assert refused.value.code == "cannot_change_self"


def test_moving_or_locking_an_officer_ends_their_sessions_and_is_logged(conn: sqlite3.Connection) -> None:
    _, password = add(conn)
    person = auth.check_password(conn, "quay4", password)
    assert person is not None
    token, _ = auth.open_session(conn, person, 8)
    moved = staff.update_officer(conn, "truongbophan", "quay4", {"counters": [4, 5], "full_name": "Trần Thị B"},
                                 COUNTERS, now=NOW)
    assert moved["counters"] == [4, 5] and moved["full_name"] == "Trần Thị B"
    assert auth.resolve_token(conn, token) is None
    staff.update_officer(conn, "truongbophan", "quay4", {"active": False}, COUNTERS, now=NOW)
    assert auth.check_password(conn, "quay4", password) is None
    assert [a["action"] for a in staff.recent_audit(conn)] == ["person.update", "person.update", "person.add"]
    assert staff.full_names(conn) == {"truongbophan": "truongbophan", "quay4": "Trần Thị B"}
