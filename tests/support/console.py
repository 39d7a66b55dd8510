"""The console tests' in-process app: sign in through the form or by a ready session, post with CSRF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from queue_server import auth
from queue_server.engine import QueueEngine
from queue_server.store.db import connect
from tests.support.clock import FakeClock
from tests.support.live_server import CLERK_PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Console:
    """The in-process app, its test client and the kiosk's token."""

    app: Any
    client: Any
    engine: QueueEngine
    kiosk_token: str
    clock: FakeClock

    def csrf_from(self, path: str = "/console/login") -> str:
        """GET a page and read the CSRF token of its form."""
        page = self.client.get(path)
        found = CSRF_FIELD.search(page.get_data(as_text=True))
        assert found, page.get_data(as_text=True)[:500]
        return found.group(1)

    def sign_in(self, username: str = "quay1", password: str = CLERK_PASSWORD):
        """Sign in through the form; returns the answer."""
        token = self.csrf_from()
        form = {"csrf_token": token, "username": username, "password": password}
        return self.client.post("/console/login", data=form)

    def enter(self, username: str = "quay1") -> str:
        """Be signed in as this person without the password check (scrypt is slow); returns the CSRF token."""
        conn = connect(self.app.config["MOTCUA_DB"]).conn
        try:
            person_id = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()[0]
            person = auth.person_by_id(conn, person_id)
            assert person is not None
            sid, _ = auth.open_session(conn, person, 1, channel=auth.COOKIE)
        finally:
            conn.close()
        with self.client.session_transaction() as session:
            session["sid"] = sid
            session["csrf"] = f"csrf-of-{username}"
        return f"csrf-of-{username}"

    def post(self, path: str, body: dict | None = None, csrf: str | None = None):
        """A JSON POST with the session cookie, and the CSRF header when given."""
        headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
        return self.client.post(path, json=body or {}, headers=headers)

    def issue(self, service: str = "HT", key: str = "k1", **body):
        """A ticket from the kiosk."""
        return self.client.post("/api/tickets", json={"service": service, **body},
                                headers={"Authorization": f"Bearer {self.kiosk_token}", "Idempotency-Key": key})
