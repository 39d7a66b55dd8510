"""The dashboard's sign-in and cookie session, in-process (the Chromium test drives the page itself)."""

from __future__ import annotations

import re

from tests.support.reports_office import PASSWORD, Office


def _sign_in(office: Office, username: str):
    client = office.client()
    page = client.get("/admin/login").data.decode()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    token = found.group(1)
    answer = client.post("/admin/login", data={"csrf_token": token, "username": username, "password": PASSWORD})
    return client, answer


def test_the_dashboard_sends_strangers_to_sign_in(office):
    answer = office.client().get("/admin")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/login")


def test_an_admin_signs_in_and_the_page_calls_the_api_with_its_cookie(office):
    client, answer = _sign_in(office, "admin")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin")
    page = client.get("/admin")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.data.decode()).group(1)
    assert client.get("/api/reports/live").status_code == 200
    assert client.post("/api/notices", json={"text": "Không có CSRF"}).status_code == 403
    assert client.post("/api/notices", json={"text": "Có CSRF"}, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_a_clerk_is_refused_at_sign_in(office):
    _, answer = _sign_in(office, "quay1")
    assert answer.status_code == 403 and "dành cho lãnh đạo" in answer.data.decode()


def test_a_wrong_password_or_an_old_form_is_refused(office):
    client = office.client()
    assert client.post("/admin/login", data={"username": "admin", "password": PASSWORD}).status_code == 403
    page = client.get("/admin/login").data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post("/admin/login", data={"csrf_token": token, "username": "admin", "password": "sai"})
    assert refused.status_code == 401
