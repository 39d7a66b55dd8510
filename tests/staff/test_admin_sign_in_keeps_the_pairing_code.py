"""A device's QR opens /admin?pair=CODE on the head's phone, usually signed out: the sign-in brings the code back to the
pairing form (issue 15.1). Anything else in ``pair`` is dropped, never echoed."""

from __future__ import annotations

import re

import pytest

from tests.support.live_server import ADMIN_PASSWORD
from tests.support.servers import InProcess


def sign_in(api: InProcess, login_path: str) -> str:
    """Sign in through the page at ``login_path``; where the answer sends the browser."""
    client = api.app.test_client()
    form = client.get(login_path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    action = re.search(r'<form method="post" action="([^"]+)"', form)
    assert csrf and action, form
    answer = client.post(action[1].replace("&amp;", "&"),
                         data={"csrf_token": csrf[1], "username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 303
    return str(answer.headers["Location"])


def test_the_qr_address_signed_out_comes_back_to_the_code_after_the_sign_in(api: InProcess) -> None:
    to_login = api.app.test_client().get("/admin?pair=042917")
    assert (to_login.status_code, to_login.headers["Location"]) == (302, "/admin/login?pair=042917")
    assert sign_in(api, "/admin/login?pair=042917") == "/admin?pair=042917#devices"


@pytest.mark.parametrize("junk", ["<b>1</b>", "1" * 13, "javascript:x"])
def test_anything_but_a_code_is_dropped(api: InProcess, junk: str) -> None:
    assert api.app.test_client().get("/admin", query_string={"pair": junk}).headers["Location"] == "/admin/login"
    assert sign_in(api, "/admin/login?pair=" + junk.replace("<", "%3C").replace(">", "%3E")) == "/admin"


def test_a_plain_sign_in_still_opens_the_dashboard(api: InProcess) -> None:
    assert sign_in(api, "/admin/login") == "/admin"
