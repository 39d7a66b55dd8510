"""POST /api/ratings, GET /api/ratings/form and the rating tablet's prompt."""

from __future__ import annotations

import sqlite3

import pytest

from tests.support.reports_office import Office


def _served(office: Office, counter: int = 1, service: str = "HT", minutes: float = 5) -> dict:
    """A ticket called and completed at a counter."""
    ticket = office.issue(service)
    assert office.post(f"/api/counters/{counter}/call-next", f"quay{counter}").status_code == 200
    office.clock.advance(minutes=minutes)
    assert office.post(f"/api/counters/{counter}/complete", f"quay{counter}").status_code == 200
    return ticket


def _rate(office: Office, body: dict, who: str = "rating"):
    return office.post("/api/ratings", who, body)


def test_a_served_ticket_is_rated_once_and_linked_to_its_service_counter_and_clerk(office):
    ticket = _served(office)
    answer = _rate(office, {"ticket": ticket["id"], "overall": "neutral", "reasons": ["waited_long"],
                            "criteria": {"attitude": "satisfied"}, "answers": {"info_source": "notice_board"},
                            "comment": "  Cần thêm ghế  ", "dossier": "H12.22-261123-0001"})
    assert answer.status_code == 201
    rating = answer.get_json()["rating"]
    assert rating == {"id": 1, "ticket": ticket["id"], "day": "2026-11-23", "rated_at": "2026-11-23T08:05:00+07:00",
                      "service": "HT", "counter": 1, "overall": "neutral", "comment": "Cần thêm ghế",
                      "dossier": "H12.22-261123-0001", "criteria": {"attitude": "satisfied"},
                      "answers": {"info_source": "notice_board"}, "reasons": ["waited_long"]}
    row = office.engine._conn.execute("SELECT clerk, device FROM ratings").fetchone()
    assert row == ("quay1", "rating-1")


def test_a_second_rating_of_a_ticket_is_a_conflict(office):
    ticket = _served(office)
    assert _rate(office, {"ticket": ticket["id"], "overall": "satisfied"}).status_code == 201
    again = _rate(office, {"ticket": ticket["number"], "overall": "very_satisfied"}, who="kiosk")
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_rated"


def test_a_ticket_is_found_by_its_printed_number_or_status_token(office):
    first, second = _served(office), _served(office)
    assert _rate(office, {"ticket": "a001", "overall": "satisfied"}).get_json()["rating"]["ticket"] == first["id"]
    token = second["status_url"].rsplit("/", 1)[-1].upper()  # the kiosk upper-cases what its scanner reads
    assert _rate(office, {"ticket": token, "overall": "satisfied"}).get_json()["rating"]["ticket"] == second["id"]


def test_an_unknown_ticket_is_404(office):
    for ref in (999, "Z999"):
        answer = _rate(office, {"ticket": ref, "overall": "satisfied"})
        assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "unknown_ticket"


def test_a_waiting_or_absent_ticket_cannot_be_rated(office):
    waiting = office.issue("VP")
    answer = _rate(office, {"ticket": waiting["id"], "overall": "satisfied"})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "not_served"
    absent = office.issue("HT")
    office.post("/api/counters/1/call-next", "quay1")
    office.post("/api/counters/1/no-show", "quay1")
    assert _rate(office, {"ticket": absent["id"], "overall": "satisfied"}).status_code == 422


def test_a_ticket_at_the_counter_may_be_rated_before_the_clerk_presses_done(office):
    ticket = office.issue("HT")
    office.post("/api/counters/2/call-next", "quay2")
    assert _rate(office, {"ticket": ticket["id"], "overall": "satisfied", "counter": 2}).status_code == 201


def test_the_counter_in_the_body_must_be_the_one_that_served(office):
    ticket = _served(office, counter=1)
    answer = _rate(office, {"ticket": ticket["id"], "overall": "satisfied", "counter": 2})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "wrong_counter"


@pytest.mark.parametrize("body, says", [
    ({"overall": "satisfied"}, "ticket"),
    ({"ticket": 1, "overall": "great"}, "overall"),
    ({"ticket": 1, "overall": "satisfied", "reasons": ["waited_long"]}, "mức thấp"),
    ({"ticket": 1, "overall": "dissatisfied", "reasons": ["too_hot"]}, "too_hot"),
    ({"ticket": 1, "overall": "satisfied", "criteria": {"parking": "satisfied"}}, "parking"),
    ({"ticket": 1, "overall": "satisfied", "criteria": {"attitude": "yes"}}, "criteria.attitude"),
    ({"ticket": 1, "overall": "satisfied", "answers": {"extra_requests": "maybe"}}, "answers.extra_requests"),
    ({"ticket": 1, "overall": "satisfied", "comment": "x" * 501}, "comment"),
    ({"ticket": 1, "overall": "satisfied", "dossier": "Nguyễn Văn A"}, "dossier"),
    ({"ticket": True, "overall": "satisfied"}, "ticket"),
])
def test_invalid_bodies_are_422_with_a_message_naming_the_field(office, body, says):
    answer = _rate(office, body)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "invalid_rating"
    assert says in answer.get_json()["error"]["message"]


def test_only_rating_devices_kiosks_and_admins_may_rate(office):
    ticket = _served(office)
    anonymous = office.client().post("/api/ratings", json={"ticket": ticket["id"], "overall": "satisfied"})
    assert anonymous.status_code == 401
    for who in ("display", "quay1"):
        assert _rate(office, {"ticket": ticket["id"], "overall": "satisfied"}, who=who).status_code == 403


def test_the_form_lists_the_commune_survey(office):
    form = office.get("/api/ratings/form").get_json()
    assert [lv["code"] for lv in form["levels"]] == ["very_satisfied", "satisfied", "neutral", "dissatisfied"]
    assert [c["code"] for c in form["criteria"]] == ["guidance", "attitude", "forms", "time", "facilities"]
    assert [q["code"] for q in form["questions"]] == ["info_source", "extra_requests", "result_timing"]
    assert form["prompt_seconds"] == 30


def test_the_tablet_is_prompted_for_the_ticket_just_completed_until_it_expires(office):
    assert office.get("/api/counters/1/rating-prompt", "rating").status_code == 204
    ticket = _served(office)
    office.clock.advance(seconds=10)
    prompt = office.get("/api/counters/1/rating-prompt", "rating").get_json()
    assert prompt == {"ticket": {"id": ticket["id"], "number": "A001", "service": "HT",
                                 "service_name": "Tư pháp – Hộ tịch", "counter": 1,
                                 "finished_at": "2026-11-23T08:05:00+07:00"},
                      "expires_at": "2026-11-23T08:05:30+07:00", "expires_in_s": 20.0}
    assert office.get("/api/counters/2/rating-prompt", "rating").status_code == 204
    office.clock.advance(seconds=21)
    assert office.get("/api/counters/1/rating-prompt", "rating").status_code == 204


def test_the_prompt_ends_once_the_ticket_is_rated(office):
    _served(office)
    assert office.get("/api/counters/1/rating-prompt", "rating").status_code == 200
    assert _rate(office, {"counter": 1, "overall": "very_satisfied"}).get_json()["rating"]["ticket"] == 1
    assert office.get("/api/counters/1/rating-prompt", "rating").status_code == 204


def test_a_counter_rating_without_a_ticket_it_asks_about_is_refused(office):
    answer = _rate(office, {"counter": 3, "overall": "satisfied"})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "no_ticket_to_rate"
    assert "số phiếu" in answer.get_json()["error"]["message"]
    _served(office, counter=3, service="VP")
    office.clock.advance(seconds=31)  # the tablet's prompt has expired
    assert _rate(office, {"counter": 3, "overall": "satisfied"}).status_code == 422
    with sqlite3.connect(office.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM ratings").fetchone() == (0,)


def test_one_device_cannot_stuff_the_ballot_of_a_counter(office):
    """Issue 17: 60 of 60 ratings of one counter without any ticket were accepted from one device."""
    _served(office)
    answers = []
    for _ in range(60):
        answers.append(_rate(office, {"counter": 1, "overall": "dissatisfied", "reasons": ["waited_long"]}).status_code)
    assert answers[0] == 201 and answers.count(201) == 1
    assert set(answers[1:6]) == {409} and set(answers[6:]) == {429}
    with sqlite3.connect(office.db_path) as conn:
        assert conn.execute("SELECT COUNT(*), COUNT(ticket_id) FROM ratings").fetchone() == (1, 1)


def test_a_device_rates_a_few_tickets_a_minute_at_most(office):
    tickets = [_served(office, minutes=1) for _ in range(7)]
    answers = [_rate(office, {"ticket": t["id"], "overall": "satisfied"}).status_code for t in tickets]
    assert answers == [201] * 6 + [429]
    assert _rate(office, {"ticket": tickets[6]["id"], "overall": "satisfied"}, who="kiosk").status_code == 201


def test_the_prompt_needs_a_device_and_a_real_counter(office):
    assert office.get("/api/counters/1/rating-prompt").status_code == 401
    assert office.get("/api/counters/1/rating-prompt", "quay1").status_code == 403
    assert office.get("/api/counters/9/rating-prompt", "rating").status_code == 404


def test_openapi_lists_the_reports_endpoints(office):
    paths = office.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/ratings", "/api/ratings/form", "/api/counters/{n}/rating-prompt", "/api/reports/summary",
                 "/api/reports/live", "/api/reports/charts/{name}.png", "/api/notices", "/api/notices/{id}"):
        assert path in paths


def test_a_ticket_id_beyond_sqlite_integers_is_422(office):
    answer = _rate(office, {"ticket": 2**70, "overall": "satisfied"})
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == "invalid_rating"
