"""Secrets at rest and session lifetimes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from queue_server import auth
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD
from tests.support.servers import InProcess, act, issue


def database_bytes(api: InProcess) -> bytes:
    """Everything SQLite keeps on disk for this database: the file, its WAL and shared memory."""
    api.engine.wait_idle()
    path = api.db.path
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


def test_passwords_and_tokens_are_not_stored_in_clear(api: InProcess) -> None:
    login = api.client.post("/api/login", json={"username": "admin", "password": ADMIN_PASSWORD}).get_json()
    session_token = login["token"]
    assert api.client.get("/api/me", headers={"Authorization": f"Bearer {session_token}"}).status_code == 200
    stored = database_bytes(api)
    secrets = [CLERK_PASSWORD, ADMIN_PASSWORD, session_token, *api.db.tokens.values()]
    for secret in secrets:
        assert secret.encode() not in stored
        # Only a token's SHA-256 is kept; the unique part alone must not be there either.
        assert secret.split("_", 1)[-1].encode() not in stored
    with api.db.connect() as conn:
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM users")]
        token_hashes = {row[0] for row in conn.execute("SELECT token_hash FROM tokens")}
    assert hashes and all(h.startswith("scrypt:") for h in hashes)
    assert len(set(hashes)) == len(hashes), "every password hash is salted"
    assert hashlib.sha256(session_token.encode()).hexdigest() in token_hashes


def test_a_session_lasts_session_hours(make_app) -> None:
    api = make_app({"session_hours = 12": "session_hours = 1"})
    before = datetime.now(UTC)
    login = api.client.post("/api/login", json={"username": "quay1", "password": CLERK_PASSWORD}).get_json()
    expires = datetime.fromisoformat(login["expires_at"])
    assert expires.tzinfo is not None
    assert before + timedelta(minutes=59) < expires <= datetime.now(UTC) + timedelta(hours=1)


def test_an_expired_session_is_refused(api: InProcess) -> None:
    expired = "ses_expired-for-the-test"
    with api.db.connect() as conn:
        person_id = conn.execute("SELECT id FROM users WHERE username = 'quay1'").fetchone()[0]
        past = datetime.now(UTC) - timedelta(minutes=1)
        conn.execute("INSERT INTO tokens (token_hash, kind, subject_id, created_at, expires_at)"
                     " VALUES (?, 'session', ?, ?, ?)",
                     (auth.hash_token(expired), person_id, (past - timedelta(hours=12)).isoformat(), past.isoformat()))
    issue(api, "HT", "a")
    for answer in (api.client.get("/api/me", headers={"Authorization": f"Bearer {expired}"}),
                   api.client.post("/api/counters/1/call-next", headers={"Authorization": f"Bearer {expired}"})):
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "invalid_token"
    assert api.client.get("/api/tickets/1").get_json()["ticket"]["status"] == "waiting"


def test_a_session_that_reaches_its_end_stops_working(api: InProcess) -> None:
    token = api.client.post("/api/login", json={"username": "quay1", "password": CLERK_PASSWORD}).get_json()["token"]
    with api.db.connect() as conn:
        conn.execute("UPDATE tokens SET expires_at = ? WHERE token_hash = ?",
                     ((datetime.now(UTC) - timedelta(seconds=1)).isoformat(), auth.hash_token(token)))
    answer = api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_logout_revokes_the_token_for_every_action(api: InProcess) -> None:
    token = api.client.post("/api/login", json={"username": "quay1", "password": CLERK_PASSWORD}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    issue(api, "HT", "a")
    assert api.client.post("/api/counters/1/call-next", headers=bearer).status_code == 200
    assert api.client.post("/api/logout", headers=bearer).status_code == 200
    with api.db.connect() as conn:
        revoked = conn.execute("SELECT revoked FROM tokens WHERE token_hash = ?", (auth.hash_token(token),)).fetchone()
        assert revoked == (1,)
    for answer in (api.client.post("/api/counters/1/complete", headers=bearer),
                   api.client.post("/api/tickets", json={"service": "HT"}, headers={**bearer, "Idempotency-Key": "b"}),
                   api.client.get("/api/me", headers=bearer)):
        assert answer.status_code == 401
    # Other sessions of the same clerk are not affected.
    assert act(api, 1, "complete").status_code == 200


def test_ticket_views_carry_no_personal_data(api: InProcess) -> None:
    ticket = issue(api, "HT", "a", procedure="1.001193").get_json()["ticket"]
    assert "device" not in ticket and "kiosk" not in repr(ticket)
    public = api.client.get("/api/tickets/1").get_json()["ticket"]
    assert "kiosk-1" not in repr(public) and "quay" not in repr(public)


def test_logout_with_a_device_token_does_not_disable_the_device(api: InProcess) -> None:
    """A device cannot be re-added under its name: a stray sign-out must not brick a kiosk."""
    assert api.client.post("/api/logout", headers=api.auth("kiosk")).status_code == 200
    assert issue(api, "HT", "after-logout").status_code == 201
    with api.db.connect() as conn:
        assert conn.execute("SELECT revoked FROM tokens WHERE kind = 'device'").fetchall() == [(0,)] * 4
