"""A clerk gets 403 on every /admin endpoint, a kiosk too, and nobody signed out changes anything (issue 15.1).

The endpoints are read from the app's own URL map, so a new admin endpoint is covered the day it is added.
"""

from __future__ import annotations

import re

import pytest

from tests.support.live_server import ADMIN_PASSWORD
from tests.support.servers import InProcess

ADMIN_ONLY = re.compile(r"^/api/(people|admin/|reports/|counters/<int:counter>/services|devices$|notices/"
                        r"|devices/<path:name>/revoke$)")


def admin_routes(api: InProcess) -> list[tuple[str, str]]:
    found = []
    for rule in api.app.url_map.iter_rules():
        if not ADMIN_ONLY.match(rule.rule):
            continue
        path = re.sub(r"<int:[a-z_]+>", "1", re.sub(r"<(?:path:)?[a-z_]+>", "x", rule.rule))
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_the_admin_endpoints_are_found(api: InProcess) -> None:
    paths = {path for _, path in admin_routes(api)}
    assert {"/api/people", "/api/admin/bookings", "/api/admin/calendar", "/api/counters/1/services",
            "/api/reports/summary", "/api/admin/dossiers/import", "/api/admin/pairings",
            "/api/devices/x/revoke"} <= paths


@pytest.mark.parametrize("who", ["quay1", "kiosk", "display"])
def test_every_admin_endpoint_refuses_anyone_but_an_admin(api: InProcess, who: str) -> None:
    for method, path in admin_routes(api):
        answer = api.client.open(path, method=method, json={}, headers=api.auth(who))
        assert answer.status_code == 403, (who, method, path, answer.status_code)
        assert answer.get_json()["error"]["code"] == "forbidden"


def test_signed_out_nobody_gets_in(api: InProcess) -> None:
    for method, path in admin_routes(api):
        answer = api.client.open(path, method=method, json={})
        assert answer.status_code == 401, (method, path, answer.status_code)


def test_the_admin_page_lists_the_configured_ticker_lines_beside_the_notices(api: InProcess) -> None:
    form = api.client.get("/admin/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf is not None
    api.client.post("/admin/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                          "csrf_token": csrf.group(1)})
    page = api.client.get("/admin").get_data(as_text=True)
    assert 'id="configured-ticker"' in page and "Đường dây nóng: 1900 1234." in page
