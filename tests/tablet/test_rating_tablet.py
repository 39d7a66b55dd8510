"""The counter's rating tablet (/danh-gia/<n>) and the status page's rating, in process with a fake clock."""

from __future__ import annotations

import re

import pytest

from queue_server import auth, pairing
from queue_server.store.db import connect
from queue_server.web.rating_tablet import face_kind, face_svg
from tests.support.servers import InProcess, act, issue

CODE = re.compile(r'id="pair-code"[^>]*>(\d{3}) (\d{3})<')


def shown_code(api: InProcess, counter: int = 1) -> str:
    """Open the tablet page without a device cookie and read the pairing code it shows."""
    page = api.client.get(f"/danh-gia/{counter}")
    assert page.status_code == 200
    found = CODE.search(page.get_data(as_text=True))
    assert found, "the pairing page shows no code"
    return found[1] + found[2]


def confirm(api: InProcess, code: str, counter: int = 1, name: str = "quay-1-tablet") -> str:
    with connect(api.db.path) as db:
        return pairing.confirm_pairing(db.conn, code, name, counter, api.clock())


def paired(api: InProcess, counter: int = 1, name: str = "quay-1-tablet") -> str:
    """Pair the test client as counter ``counter``'s tablet; returns its CSRF token."""
    confirm(api, shown_code(api, counter), counter, name)
    answer = api.client.get(f"/danh-gia/{counter}/ghep")
    assert answer.get_json() == {"state": "paired"}
    page = api.client.get(f"/danh-gia/{counter}").get_data(as_text=True)
    found = re.search(r'"csrf": ?"([0-9a-f]{64})"', page)
    assert found, "the tablet page carries no CSRF token"
    return found[1]


def served(api: InProcess, counter: int = 1, key: str = "k") -> dict:
    """A ticket issued, called and completed at ``counter``."""
    ticket = issue(api, key=key).get_json()["ticket"]
    assert act(api, counter, "call-next").status_code == 200
    api.clock.advance(minutes=4)
    assert act(api, counter, "complete").status_code == 200
    return ticket


def rate(api: InProcess, csrf: str, ticket: int, overall: str = "very_satisfied", counter: int = 1, **extra):
    return api.client.post(f"/danh-gia/{counter}/danh-gia", json={"ticket": ticket, "counter": counter,
                                                                  "overall": overall, **extra},
                           headers={"X-CSRF-Token": csrf})


def test_an_unpaired_tablet_shows_a_six_digit_code_and_cannot_rate(api: InProcess) -> None:
    code = shown_code(api)
    assert len(code) == 6
    ticket = served(api)
    refused = rate(api, "x" * 64, ticket["id"])
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    assert api.client.get("/danh-gia/1/ghep").get_json() == {"state": "waiting"}
    with connect(api.db.path) as db:  # only a hash of the code is kept
        stored = [row[0] for row in db.conn.execute("SELECT code_hash FROM tablet_pairings")]
    assert stored and code not in "".join(stored)


def test_a_confirmed_code_gives_the_tablet_an_httponly_strict_device_cookie(api: InProcess) -> None:
    confirm(api, shown_code(api), name="quay-1-tablet")
    answer = api.client.get("/danh-gia/1/ghep")
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("motcua_tablet="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/danh-gia" in cookie
    session_id = cookie.split(";")[0].split("=", 1)[1]
    with connect(api.db.path) as db:
        assert db.conn.execute("SELECT COUNT(*) FROM tokens WHERE token_hash = ?", (session_id,)).fetchone()[0] == 0
        assert auth.resolve_token(db.conn, session_id) is None  # not a bearer token
        listed = {d["name"]: d for d in auth.list_devices(db.conn)}
    assert listed["quay-1-tablet"]["role"] == "rating" and listed["quay-1-tablet"]["active"]
    page = api.client.get("/danh-gia/1").get_data(as_text=True)
    assert "Quầy 1" in page and "pair-code" not in page and session_id not in page


def test_a_code_dies_after_ten_minutes(api: InProcess) -> None:
    code = shown_code(api)
    api.clock.advance(minutes=10, seconds=1)
    with pytest.raises(pairing.PairingError, match="No tablet shows this code"):
        confirm(api, code)
    assert api.client.get("/danh-gia/1/ghep").get_json() == {"state": "expired"}


def test_a_code_opened_for_another_counter_is_refused(api: InProcess) -> None:
    with pytest.raises(pairing.PairingError, match="counter 2, not 1"):
        confirm(api, shown_code(api, 2), counter=1)


def test_the_tablet_rates_the_ticket_it_was_asked_about_once(api: InProcess) -> None:
    csrf = paired(api)
    ticket = served(api)
    prompt = api.client.get("/danh-gia/1/loi-moi")
    assert prompt.status_code == 200 and prompt.get_json()["ticket"]["number"] == ticket["number"]
    first = rate(api, csrf, ticket["id"], "dissatisfied", reasons=["waited_long"])
    assert first.status_code == 201
    assert first.get_json()["rating"]["overall"] == "dissatisfied"
    assert first.get_json()["rating"]["reasons"] == ["waited_long"]
    again = rate(api, csrf, ticket["id"], "very_satisfied")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    assert api.client.get("/danh-gia/1/loi-moi").status_code == 204
    with connect(api.db.path) as db:
        assert db.conn.execute("SELECT device, overall FROM ratings").fetchall() == [("quay-1-tablet", "dissatisfied")]


def test_a_later_completion_prompts_again(api: InProcess) -> None:
    csrf = paired(api)
    first = served(api, key="a")
    assert rate(api, csrf, first["id"]).status_code == 201
    api.clock.advance(minutes=7)
    second = served(api, key="b")
    assert api.client.get("/danh-gia/1/loi-moi").get_json()["ticket"]["id"] == second["id"]
    assert rate(api, csrf, second["id"], "neutral").status_code == 201


def test_an_expired_prompt_does_not_accept_a_rating(api: InProcess) -> None:
    csrf = paired(api)
    ticket = served(api)
    api.clock.advance(seconds=31)  # the sample office's prompt_seconds is 30
    refused = rate(api, csrf, ticket["id"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "no_ticket_to_rate"


def test_a_rating_needs_the_pages_csrf_token_and_this_counters_ticket(api: InProcess) -> None:
    csrf = paired(api)
    ticket = served(api)
    assert rate(api, "0" * 64, ticket["id"]).get_json()["error"]["code"] == "csrf_failed"
    assert rate(api, csrf, ticket["id"] + 1).get_json()["error"]["code"] == "no_ticket_to_rate"
    other = api.client.post("/danh-gia/2/danh-gia", json={"ticket": ticket["id"], "counter": 2, "overall": "neutral"},
                            headers={"X-CSRF-Token": csrf})
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "not_your_counter"


def test_a_revoked_tablet_cannot_rate(api: InProcess) -> None:
    csrf = paired(api)
    ticket = served(api)
    with connect(api.db.path) as db:
        auth.revoke_device(db.conn, "quay-1-tablet")
    assert rate(api, csrf, ticket["id"]).status_code == 401
    assert CODE.search(api.client.get("/danh-gia/1").get_data(as_text=True))  # back to pairing


def test_the_status_page_offers_the_rating_only_when_done(api: InProcess) -> None:
    ticket = issue(api).get_json()["ticket"]
    path = "/t/" + ticket["status_url"].rsplit("/", 1)[-1]
    waiting = api.client.get(path).get_data(as_text=True)
    assert 'id="rate" hidden' in waiting and 'id="sound" class="sound">' in waiting
    act(api, 1, "call-next")
    act(api, 1, "complete")
    done = api.client.get(path).get_data(as_text=True)
    assert 'id="rate" hidden' not in done and "Quý khách có hài lòng" in done
    assert 'id="sound" class="sound" hidden' in done


def test_the_status_page_rates_its_own_ticket_once(api: InProcess) -> None:
    ticket = served(api)
    token = ticket["status_url"].rsplit("/", 1)[-1]
    first = api.client.post(f"/t/{token}/danh-gia", json={"ticket": token, "overall": "satisfied"})
    assert first.status_code == 201 and first.get_json()["rating"]["ticket"] == ticket["id"]
    again = api.client.post(f"/t/{token}/danh-gia", json={"ticket": token, "overall": "satisfied"})
    assert again.status_code == 409
    after = api.client.get(f"/t/{token}").get_data(as_text=True)
    assert 'id="rate" hidden' in after and 'id="rate-done">' in after  # no second offer; the thanks stays
    other = api.client.post(f"/t/{token}/danh-gia", json={"ticket": "someone-else", "overall": "satisfied"})
    assert other.status_code == 422


@pytest.mark.parametrize("count, kinds", [
    (3, ["grin", "neutral", "frown"]),
    (4, ["grin", "smile", "neutral", "frown"]),
    (5, ["grin", "smile", "neutral", "displeased", "frown"]),
])
def test_every_level_of_a_scale_gets_its_own_face(count: int, kinds: list[str]) -> None:
    assert [face_kind(i, count) for i in range(count)] == kinds
    drawings = {str(face_svg(kind)) for kind in kinds}
    assert len(drawings) == count


def test_an_admin_confirms_the_code_from_the_qr_page_and_a_stranger_cannot(api: InProcess) -> None:
    from tests.support.live_server import ADMIN_PASSWORD

    code = shown_code(api)
    stranger = api.app.test_client().get(f"/danh-gia/xac-nhan?ma={code}&quay=1")
    assert stranger.status_code == 403 and "/admin/login" in stranger.get_data(as_text=True)
    admin = api.app.test_client()
    login = admin.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    admin.post("/admin/login", data={"csrf_token": token[1], "username": "admin", "password": ADMIN_PASSWORD})
    form = admin.get(f"/danh-gia/xac-nhan?ma={code}&quay=1").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf and f'value="{code}"' in form
    no_csrf = admin.post("/danh-gia/xac-nhan", data={"ma": code, "quay": "1", "name": "quay-1-tablet"})
    assert no_csrf.status_code == 403
    done = admin.post("/danh-gia/xac-nhan", data={"ma": code, "quay": "1", "name": "quay-1-tablet",
                                                   "csrf_token": csrf[1]})
    assert "Đã ghép quay-1-tablet" in done.get_data(as_text=True)
    assert api.client.get("/danh-gia/1/ghep").get_json() == {"state": "paired"}
