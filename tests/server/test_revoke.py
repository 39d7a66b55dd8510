"""Revoking: ``motcua device list/revoke``, ``motcua user list/disable/enable/password``, at once on a live server."""

from __future__ import annotations

import io
import re
import sys
import time

import pytest
import requests

from queue_server import auth
from queue_server.cli import main
from queue_server.web.token_cache import TokenCache
from tests.support.live_server import ADMIN_PASSWORD, CLERK_PASSWORD, COMMUNE
from tests.support.live_server import motcua as motcua_process
from tests.support.servers import InProcess, OfficeDb, issue

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def motcua(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, office_db: OfficeDb):
    """Run ``motcua ARGS`` in-process on this test's database: (status, stdout, stderr)."""
    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        status = main([*args, "--config", str(COMMUNE), "--db", str(office_db.path)])
        out, err = capsys.readouterr()
        return status, out, err
    return run


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the commands ---------------------------------------------------------------------------

def test_device_list_shows_every_device_and_whether_it_works(motcua) -> None:
    assert motcua("device", "revoke", "kiosk-2") == (0, "Revoked device kiosk-2: its token no longer works\n", "")
    status, out, _ = motcua("device", "list")
    assert status == 0
    assert out.splitlines() == [
        "display-1\tdisplay\tlast seen never\tactive",
        "kiosk-1\tkiosk\tlast seen never\tactive",
        "kiosk-2\tkiosk\tlast seen never\trevoked",
        "rating-1\trating\tlast seen never\tactive",
    ]


def test_revoking_an_unknown_device_names_the_list_command(motcua) -> None:
    assert motcua("device", "revoke", "kiosk-9") == (1, "", "motcua: No device 'kiosk-9'. See: motcua device list.\n")


def test_user_list_shows_roles_counters_state_and_sessions(motcua) -> None:
    assert motcua("user", "disable", "Quay2") == (0, "Disabled quay2; their sessions are ended\n", "")
    status, out, _ = motcua("user", "list")
    lines = out.splitlines()
    assert status == 0
    assert "admin\tadmin\tcounters -\tactive\t1 session(s)" in lines
    assert "quay1\tclerk\tcounters 1\tactive\t1 session(s)" in lines
    assert "quay2\tclerk\tcounters 2\tdisabled\t0 session(s)" in lines


def test_disable_enable_and_password_of_an_unknown_user_are_refused(motcua) -> None:
    for args in (("disable", "nobody"), ("enable", "nobody"), ("password", "nobody", "--password-stdin")):
        assert motcua("user", *args, stdin="mat-khau-moi-dai\n") == (
            1, "", "motcua: No user 'nobody'. See: motcua user list.\n")


def test_a_new_password_must_be_long_enough(motcua, office_db: OfficeDb) -> None:
    assert motcua("user", "password", "quay1", "--password-stdin", stdin="ngan\n") == (
        1, "", "motcua: Password must have at least 8 characters.\n")
    with office_db.connect() as conn:
        assert auth.check_password(conn, "quay1", CLERK_PASSWORD) is not None


def test_a_new_password_replaces_the_old_and_ends_every_session(motcua, office_db: OfficeDb) -> None:
    assert motcua("user", "password", "quay1", "--password-stdin", stdin="mật khẩu mới\n") == (
        0, "Password changed for quay1; their sessions are ended\n", "")
    with office_db.connect() as conn:
        assert auth.check_password(conn, "quay1", CLERK_PASSWORD) is None
        assert auth.check_password(conn, "quay1", "mật khẩu mới") is not None
        assert auth.resolve_token(conn, office_db.tokens["quay1"]) is None
        assert auth.resolve_token(conn, office_db.tokens["quay2"]) is not None


def test_an_enabled_user_signs_in_again_but_old_sessions_stay_ended(motcua, office_db: OfficeDb) -> None:
    motcua("user", "disable", "quay1")
    with office_db.connect() as conn:
        assert auth.check_password(conn, "quay1", CLERK_PASSWORD) is None
    assert motcua("user", "enable", "quay1") == (0, "Enabled quay1\n", "")
    with office_db.connect() as conn:
        assert auth.check_password(conn, "quay1", CLERK_PASSWORD) is not None
        assert auth.resolve_token(conn, office_db.tokens["quay1"]) is None


# -- a running app sees revocations made elsewhere at once ------------------------------------

class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(api: InProcess) -> Ticking:
    """The app's token cache on a clock of the test's own."""
    ticking = Ticking()
    api.app.extensions["motcua.token_cache"] = TokenCache(clock=ticking)
    return ticking


def test_a_token_revoked_by_another_process_is_refused_within_a_quarter_second_despite_the_cache(
        api: InProcess, clock: Ticking) -> None:
    assert issue(api, "HT", "a").status_code == 201  # resolved once: now in the app's token cache
    with api.db.connect() as conn:  # what `motcua device revoke` does, on its own connection
        auth.revoke_device(conn, "kiosk-1")
    clock.now += 0.25  # the cache's 10 s would still hold the token
    answer = issue(api, "HT", "b")
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "invalid_token"
    assert issue(api, "HT", "c", who="kiosk2").status_code == 201  # other devices keep working


def test_a_disabled_clerks_cached_session_stops_within_a_quarter_second(api: InProcess, clock: Ticking) -> None:
    assert api.client.get("/api/me", headers=api.auth("quay1")).status_code == 200
    with api.db.connect() as conn:
        auth.set_user_active(conn, "quay1", False)
    clock.now += 0.25
    assert api.client.get("/api/me", headers=api.auth("quay1")).status_code == 401
    assert api.client.get("/api/me", headers=api.auth("quay2")).status_code == 200


# -- a real server and the real command -----------------------------------------------------

def console_session(url: str, username: str = "quay1", password: str = CLERK_PASSWORD) -> requests.Session:
    """A browser-like session signed in through the console's form."""
    browser = requests.Session()
    form = browser.get(url + "/console/login", timeout=5).text
    field = CSRF_FIELD.search(form)
    assert field is not None, form[:300]
    answer = browser.post(url + "/console/login",
                          data={"csrf_token": field.group(1), "username": username, "password": password},
                          allow_redirects=False, timeout=5)
    assert answer.status_code == 303, answer.text[:300]
    return browser


def status_within(check, want: int, seconds: float = 1.0) -> float:
    """Seconds until ``check()`` answers ``want`` (fails after ``seconds``)."""
    started = time.monotonic()
    while True:
        code = check().status_code
        elapsed = time.monotonic() - started
        if code == want:
            return elapsed
        assert elapsed < seconds, f"still {code} after {elapsed:.2f} s"
        time.sleep(0.02)


@pytest.mark.e2e
def test_revoking_a_kiosk_with_the_command_stops_it_on_the_running_server(start_server) -> None:
    server = start_server()
    kiosk = bearer(server.tokens["kiosk"])

    def ticket(key: str) -> requests.Response:
        return requests.post(server.url + "/api/tickets", json={"service": "HT"},
                             headers={**kiosk, "Idempotency-Key": key}, timeout=5)

    assert ticket("before").status_code == 201  # the token is in the server's cache now
    motcua_process("device", "revoke", "kiosk-1", db=server.db, config=server.config)
    assert status_within(lambda: ticket("after"), 401) < 1.0
    assert ticket("again").json()["error"]["code"] == "invalid_token"
    assert "kiosk-1\tkiosk" in motcua_process("device", "list", db=server.db, config=server.config)


@pytest.mark.e2e
def test_disabling_a_clerk_ends_their_sessions_and_sign_in_on_the_running_server(start_server) -> None:
    server = start_server()
    browser = console_session(server.url)
    token = server.login("quay1")
    assert browser.get(server.url + "/api/me", timeout=5).json()["user"]["name"] == "quay1"
    assert requests.get(server.url + "/api/me", headers=bearer(token), timeout=5).status_code == 200
    motcua_process("user", "disable", "quay1", db=server.db, config=server.config)
    assert status_within(lambda: browser.get(server.url + "/api/me", timeout=5), 401) < 1.0
    assert browser.get(server.url + "/console", allow_redirects=False, timeout=5).status_code == 302
    assert requests.get(server.url + "/api/me", headers=bearer(token), timeout=5).status_code == 401
    refused = requests.post(server.url + "/api/login", json={"username": "quay1", "password": CLERK_PASSWORD},
                            timeout=5)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_credentials"
    assert server.login("admin", ADMIN_PASSWORD)  # others still sign in
    motcua_process("user", "enable", "quay1", db=server.db, config=server.config)
    assert server.login("quay1")


@pytest.mark.e2e
def test_a_password_change_ends_the_old_sessions_on_the_running_server(start_server) -> None:
    server = start_server()
    browser = console_session(server.url, "quay2")
    assert browser.get(server.url + "/api/me", timeout=5).status_code == 200
    motcua_process("user", "password", "quay2", "--password-stdin", db=server.db, config=server.config,
                   stdin="mật khẩu mới của quầy 2\n")
    assert status_within(lambda: browser.get(server.url + "/api/me", timeout=5), 401) < 1.0
    old = requests.post(server.url + "/api/login", json={"username": "quay2", "password": CLERK_PASSWORD}, timeout=5)
    assert old.status_code == 401
    assert server.login("quay2", "mật khẩu mới của quầy 2")
