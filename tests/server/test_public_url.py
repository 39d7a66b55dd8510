"""Ticket links that phones can open (issue 12): the status URL is built from the address the
caller reached the server at, unless the office sets ``[office] public_url``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from queue_server.commands import loopback_public_url_warning
from queue_server.config import ConfigError, load_config
from queue_server.core import views
from tests.core.builders import at, office, queue
from tests.core.builders import issue as issue_core
from tests.support.live_server import COMMUNE, PROJECT, free_port
from tests.support.servers import (
    InProcess,
    OfficeDb,
    act,
    copy_office,
    issue,
    office_config,
)

PUBLIC = {'hotline = "1900 1234"\n': 'hotline = "1900 1234"\npublic_url = "https://hcc.tanphu.gov.vn/"\n'}
LOOPBACK_PUBLIC = {'hotline = "1900 1234"\n': 'hotline = "1900 1234"\npublic_url = "http://127.0.0.1:8080"\n'}


# -- the pure rule ------------------------------------------------------------------

def test_the_status_link_uses_the_base_url_the_web_layer_passes_in() -> None:
    o = office()
    s = queue(o)
    ticket = issue_core(s, o, "HT")
    view = views.ticket_view(s, o, ticket, at(0), base_url="http://192.168.1.10:8080/")
    assert view["status_url"] == f"http://192.168.1.10:8080/t/{ticket.status_token}"


def test_the_offices_public_url_wins_over_the_callers_address() -> None:
    from dataclasses import replace

    o = replace(office(), public_url="https://hcc.tanphu.gov.vn")
    s = queue(o)
    ticket = issue_core(s, o, "HT")
    assert views.status_url(o, ticket, "http://10.0.0.5:8080") == f"https://hcc.tanphu.gov.vn/t/{ticket.status_token}"


def test_a_link_built_without_a_request_is_a_path_that_the_edge_completes() -> None:
    o = office()
    s = queue(o)
    ticket = issue_core(s, o, "HT")
    view = views.ticket_view(s, o, ticket, at(0))
    assert view["status_url"] == f"/t/{ticket.status_token}"
    done = views.complete_status_url(view, "http://10.0.0.5:8080")
    assert done["status_url"] == f"http://10.0.0.5:8080/t/{ticket.status_token}"
    assert view["status_url"] == f"/t/{ticket.status_token}"  # the writer's cached view is not changed


@pytest.mark.parametrize("link", [None, "https://hcc.tanphu.gov.vn/t/abc"])
def test_completing_leaves_null_and_absolute_links_alone(link: str | None) -> None:
    view = {"id": 1, "status_url": link}
    assert views.complete_status_url(view, "http://10.0.0.5:8080") == view


def test_completing_without_a_base_keeps_the_path() -> None:
    assert views.complete_status_url({"status_url": "/t/abc"}, "") == {"status_url": "/t/abc"}


# -- configuration ------------------------------------------------------------------

@pytest.mark.parametrize("sample", ["commune.toml", "province.toml"])
def test_the_sample_offices_leave_public_url_unset(sample: str) -> None:
    assert load_config(COMMUNE.parent / sample).office.public_url == ""


def test_a_public_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    assert load_config(office_config(tmp_path, PUBLIC)).office.public_url == "https://hcc.tanphu.gov.vn"


@pytest.mark.parametrize("bad", ["127.0.0.1:8080", "ftp://hcc.vn", "http://", "http://hcc.vn:99999",
                                 "hcc.tanphu.gov.vn"])
def test_a_public_url_that_is_not_a_web_address_is_refused_naming_the_key(tmp_path: Path, bad: str) -> None:
    path = office_config(tmp_path, {'hotline = "1900 1234"\n': f'hotline = "1900 1234"\npublic_url = "{bad}"\n'})
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert refused.value.key == "office.public_url" and "remove the line" in refused.value.message


# -- the web layer ------------------------------------------------------------------

@pytest.mark.parametrize("host", ["192.168.1.10:8080", "hcc.local:9000", "motcua", "[fd00::5]:8080", "127.0.0.2:9000"])
def test_the_kiosk_gets_a_link_at_the_address_it_reached_the_server_at(api: InProcess, host: str) -> None:
    answer = api.client.post("/api/tickets", json={"service": "HT"},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "k", "Host": host})
    assert answer.status_code == 201
    assert answer.get_json()["ticket"]["status_url"] == f"http://{host}/t/tok1"


def test_a_link_follows_the_address_of_each_read_and_retry(api: InProcess) -> None:
    issue_at = {**api.auth("kiosk"), "Idempotency-Key": "k"}
    first = api.client.post("/api/tickets", json={"service": "HT"}, headers={**issue_at, "Host": "10.0.0.5:8080"})
    retry = api.client.post("/api/tickets", json={"service": "HT"}, headers={**issue_at, "Host": "hcc.local"})
    read = api.client.get("/api/tickets/1", headers={**api.auth("kiosk"), "Host": "192.168.1.10:9000"})
    assert (first.status_code, retry.status_code, read.status_code) == (201, 200, 200)
    assert [a.get_json()["ticket"]["status_url"] for a in (first, retry, read)] == [
        "http://10.0.0.5:8080/t/tok1", "http://hcc.local/t/tok1", "http://192.168.1.10:9000/t/tok1"]


def test_an_office_public_url_wins_over_the_host_header(make_app: Callable[..., InProcess]) -> None:
    api = make_app(PUBLIC)
    answer = api.client.post("/api/tickets", json={"service": "HT"},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "k", "Host": "10.0.0.5:8080"})
    assert answer.get_json()["ticket"]["status_url"] == "https://hcc.tanphu.gov.vn/t/tok1"


def test_forwarded_headers_are_ignored_without_a_public_url(api: InProcess) -> None:
    """No ProxyFix: any device on the LAN could send these; behind a proxy the office sets public_url."""
    answer = api.client.post("/api/tickets", json={"service": "HT"}, headers={
        **api.auth("kiosk"), "Idempotency-Key": "k", "Host": "10.0.0.5:8080",
        "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "Forwarded": "host=evil.example;proto=https"})
    assert answer.get_json()["ticket"]["status_url"] == "http://10.0.0.5:8080/t/tok1"


@pytest.mark.parametrize("host", ["evil.example<script>", "a b", "", "hcc.vn:99999", "ủy-ban.vn",
                                  ("a" * 60 + ".") * 5 + "vn", "hcc.vn:80/t/../../admin", "hcc.vn@evil.example"])
def test_a_hostile_host_header_gets_a_bare_path_and_no_error(api: InProcess, host: str) -> None:
    answer = api.client.post("/api/tickets", json={"service": "HT"},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "k", "Host": host})
    assert answer.status_code == 201
    assert answer.get_json()["ticket"]["status_url"] == "/t/tok1"
    page = api.client.get("/t/tok1", headers={"Host": host})
    assert page.status_code == 200 and "A001" in page.get_data(as_text=True)


def test_a_host_with_an_overlong_label_is_refused_by_flask_with_the_error_shape(api: InProcess) -> None:
    """Flask cannot encode a DNS label over 63 characters and answers 400 before any route runs."""
    answer = api.client.post("/api/tickets", json={"service": "HT"},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "k", "Host": "x" * 100})
    assert answer.status_code == 400 and set(answer.get_json()["error"]) == {"code", "message"}


def test_a_request_without_a_host_header_gets_a_bare_path(api: InProcess) -> None:
    """HTTP/1.0 may omit Host; waitress then names itself "waitress.invalid", which no phone can open."""
    headers = Headers({**api.auth("kiosk"), "Idempotency-Key": "k"})
    environ = EnvironBuilder(path="/api/tickets", method="POST", json={"service": "HT"}, headers=headers).get_environ()
    del environ["HTTP_HOST"]
    environ["SERVER_NAME"] = "waitress.invalid"
    body, status, _ = run_wsgi_app(api.app, environ, buffered=True)
    assert status.startswith("201")
    assert json.loads(b"".join(body))["ticket"]["status_url"] == "/t/tok1"


def test_no_callers_address_goes_into_the_event_log(api: InProcess) -> None:
    """Events are logged once and replayed to everyone: a per-request host must not be baked in."""
    api.client.post("/api/tickets", json={"service": "HT"},
                    headers={**api.auth("kiosk"), "Idempotency-Key": "k", "Host": "kiosk-one.example:8080"})
    act(api, 1, "call-next")
    api.engine.wait_idle()
    with api.db.connect() as conn:
        logged = " ".join(data for (data,) in conn.execute("SELECT data FROM events"))
    assert logged and "kiosk-one.example" not in logged and "localhost" not in logged


def test_the_clerks_answers_link_to_the_address_the_clerk_used(api: InProcess) -> None:
    issue(api, "HT", "k")
    called = api.client.post("/api/counters/1/call-next", headers={**api.auth("quay1"), "Host": "10.0.0.9:8080"})
    recalled = api.client.post("/api/counters/1/recall", headers={**api.auth("quay1"), "Host": "10.0.0.9:8080"})
    assert called.get_json()["ticket"]["status_url"] == "http://10.0.0.9:8080/t/tok1"
    assert recalled.get_json()["ticket"]["status_url"] == "http://10.0.0.9:8080/t/tok1"


def test_the_console_queue_links_waiting_tickets_at_the_clerks_address(api: InProcess) -> None:
    issue(api, "HT", "k")
    answer = api.client.get("/console/api/counters/1/queue", headers={**api.auth("quay1"), "Host": "10.0.0.9:8080"})
    assert [t["status_url"] for t in answer.get_json()["waiting"]] == ["http://10.0.0.9:8080/t/tok1"]


def test_a_result_ticket_links_to_the_address_the_kiosk_used(api: InProcess) -> None:
    answer = api.client.post("/api/result-tickets", json={},
                             headers={**api.auth("kiosk"), "Idempotency-Key": "r", "Host": "10.0.0.5:8080"})
    assert answer.status_code == 201
    assert answer.get_json()["ticket"]["status_url"] == "http://10.0.0.5:8080/t/tok1"


# -- the start-up warning -------------------------------------------------------------

@pytest.mark.parametrize(("public_url", "host"), [
    ("http://127.0.0.1:8080", "0.0.0.0"), ("http://localhost:8080", "::"), ("http://[::1]:8080", "192.168.1.10"),
])
def test_serve_warns_when_links_point_at_loopback_but_it_listens_for_others(public_url: str, host: str) -> None:
    warning = loopback_public_url_warning(public_url, host)
    assert warning is not None and "\n" not in warning and public_url in warning and host in warning


@pytest.mark.parametrize(("public_url", "host"), [
    ("", "0.0.0.0"), ("http://127.0.0.1:8080", "127.0.0.1"), ("http://127.0.0.1:8080", "localhost"),
    ("http://192.168.1.10:8080", "0.0.0.0"), ("https://hcc.tanphu.gov.vn", "0.0.0.0"),
])
def test_serve_is_quiet_when_the_links_fit_where_it_listens(public_url: str, host: str) -> None:
    assert loopback_public_url_warning(public_url, host) is None


# -- a real server ------------------------------------------------------------------

def _serve(db: OfficeDb, config: Path, host: str, port: int, log: Path) -> subprocess.Popen:
    """``motcua serve`` on this address, answering health checks; stderr kept apart in ``log``."""
    env = {**os.environ, "MOTCUA_DB": str(db.path), "MOTCUA_CONFIG": str(config)}
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "queue_server.cli", "serve", "--host", host, "--port", str(port)],
            env=env, cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=err)
    reach = "127.0.0.1" if host == "0.0.0.0" else host
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"http://{reach}:{port}/api/health", timeout=0.5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not answer in time")


@pytest.fixture
def serve_office(office_template: OfficeDb, tmp_path: Path) -> Iterator[Callable[..., tuple[OfficeDb, int, Path]]]:
    """Start real servers: ``serve_office(host, replacements)`` → (database, port, stderr log); stopped after."""
    started: list[subprocess.Popen] = []

    def start(host: str, replacements: dict[str, str] | None = None) -> tuple[OfficeDb, int, Path]:
        folder = tmp_path / f"live{len(started)}"
        db = copy_office(office_template, folder)
        port, log = free_port(), folder / "stderr.log"
        started.append(_serve(db, office_config(folder, replacements), host, port, log))
        return db, port, log

    yield start
    for process in started:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.e2e
def test_a_phone_opens_the_link_a_kiosk_got_from_a_server_at_another_address(serve_office) -> None:
    db, port, log = serve_office("127.0.0.2")
    server = f"http://127.0.0.2:{port}"
    answer = requests.post(server + "/api/tickets", json={"service": "HT"}, timeout=10,
                           headers={"Authorization": f"Bearer {db.tokens['kiosk']}", "Idempotency-Key": "phone-1"})
    assert answer.status_code == 201, answer.text
    ticket = answer.json()["ticket"]
    assert ticket["status_url"].startswith(server + "/t/")
    page = requests.get(ticket["status_url"], timeout=10)
    assert page.status_code == 200 and ticket["number"] in page.text
    assert "warning" not in log.read_text(encoding="utf-8")


@pytest.mark.e2e
def test_serve_warns_on_one_line_when_public_url_is_loopback_and_it_listens_on_every_address(serve_office) -> None:
    _, _, log = serve_office("0.0.0.0", LOOPBACK_PUBLIC)
    warnings = [line for line in log.read_text(encoding="utf-8").splitlines() if "public_url" in line]
    assert len(warnings) == 1 and warnings[0].startswith("motcua: warning: [office] public_url = http://127.0.0.1:8080")
