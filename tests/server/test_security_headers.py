"""The Content-Security-Policy of each family of HTML pages, pinned to the byte.

Staff pages (console, admin) may be framed by this server, public pages
(a ticket's status, booking) by nobody; the status page inlines its CSS and
names it by hash. Everything else comes from this server only.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from queue_server.web.security_headers import content_security_policy
from tests.support.servers import InProcess, issue

STATUS_CSS = Path(__file__).resolve().parents[2] / "queue_server" / "web" / "static" / "status" / "status.css"

STAFF_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                "connect-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'")
PUBLIC_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def status_page_policy() -> str:
    """The public policy with the status page's inline stylesheet allowed by its sha256."""
    digest = base64.b64encode(hashlib.sha256(STATUS_CSS.read_bytes()).digest()).decode("ascii")
    return PUBLIC_POLICY.replace("style-src 'self';", f"style-src 'self' 'sha256-{digest}';")


@pytest.mark.parametrize(("path", "family"), [
    ("/", "staff"),  # the console's start page
    ("/console/login", "staff"),
    ("/console", "staff"),  # the redirect to sign in
    ("/admin/login", "staff"),
    ("/admin", "staff"),
    ("/t/tok1", "status"),
    ("/t/no-such-ticket", "status"),  # the "not found" page is the same page
    ("/dat-lich", "public"),
    ("/dat-lich/NOCODE", "public"),
    ("/display", "board"),  # the lobby board: it had no policy at all
    ("/doi-mat-khau", "public"),  # an officer's own password
])
def test_each_page_family_gets_its_policy(api: InProcess, path: str, family: str) -> None:
    assert issue(api).status_code == 201  # its status page is /t/tok1
    page = api.client.get(path)
    expected = {"staff": STAFF_POLICY, "public": PUBLIC_POLICY, "status": status_page_policy(),
                "board": "media-src 'self' blob:; " + PUBLIC_POLICY}[family]
    assert (page.mimetype, page.headers["Content-Security-Policy"]) == ("text/html", expected)


def test_json_answers_carry_no_page_policy(api: InProcess) -> None:
    assert "Content-Security-Policy" not in api.client.get("/api/appointments/services").headers


def test_the_builder_adds_style_hashes_and_the_framing_rule() -> None:
    assert content_security_policy() == PUBLIC_POLICY
    assert content_security_policy(frame_ancestors="'self'") == STAFF_POLICY
    both = content_security_policy(style_hashes=("sha256-AAA=", "sha256-BBB="))
    assert "; style-src 'self' 'sha256-AAA=' 'sha256-BBB='; " in both
