"""A field no counter takes today (issue 15): greyed at the kiosk with what to do, and no number for it.

Counter 5 is the commune's only Văn hóa – Xã hội counter: the admin closes it
for today through the real API, the kiosk's real screens show it, and it is
opened again afterwards (the server is shared by the kiosk's e2e tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support.kiosk_screens import wait_fields
from tests.support.live_server import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

FIELD, COUNTER = "VH", 5
CLOSED = "Hôm nay không nhận hồ sơ lĩnh vực này."
SAID = "Hôm nay không nhận hồ sơ lĩnh vực này. Mời quý khách quay lại vào ngày làm việc sau, hoặc hỏi cán bộ hướng dẫn."


def _post(server: Any, token: str, path: str) -> requests.Response:
    return requests.post(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)


@pytest.fixture
def close_counter(kiosk_server) -> Iterator[Any]:
    """``close()`` closes counter 5 for today (its waiting tickets called off first); opened again after the test."""
    admin = kiosk_server.login("admin", ADMIN_PASSWORD)

    def close() -> None:
        clerk = kiosk_server.login(f"quay{COUNTER}")
        while _waiting(kiosk_server) and _post(kiosk_server, clerk, f"/api/counters/{COUNTER}/call-next").ok:
            _post(kiosk_server, clerk, f"/api/counters/{COUNTER}/no-show")
        answer = _post(kiosk_server, admin, f"/api/counters/{COUNTER}/close-today")
        assert answer.ok, answer.text

    yield close
    _post(kiosk_server, admin, f"/api/counters/{COUNTER}/open-today")


def _waiting(server: Any) -> int:
    services = requests.get(server.url + "/api/services", timeout=5).json()["services"]
    return next(s["waiting"] for s in services if s["code"] == FIELD)


def _card(screen: Any) -> Any:
    return next(b for b in screen.ids.services.children if b.code == FIELD)


def test_a_field_closed_today_is_greyed_says_what_to_do_and_gives_no_number(d, close_counter):
    from kiosk import theme

    close_counter()
    d.tap(d.screen.ids.take_button)
    screen = wait_fields(d)
    card = _card(screen)
    d.wait_until(lambda: not card.accepting, what="the closed field greyed")
    assert tuple(card.bg) == theme.GREY and card.details.startswith(CLOSED)
    assert "quay lại vào ngày làm việc sau" in card.details
    d.shot(d.shots / "take-number-closed-today.png")
    d.tap(card)
    assert not screen.asking and screen.requester.pending is None and d.app.manager.current == "take_number"
    assert screen.status == SAID and d.app.reader.said[-1][0] == SAID
    assert f"{card.name}: {CLOSED}" in screen.spoken_text("vi")


def test_a_field_closed_after_the_list_was_loaded_is_refused_in_plain_words_and_greyed(d, close_counter):
    d.tap(d.screen.ids.take_button)
    screen = wait_fields(d)
    card = _card(screen)
    assert card.accepting
    close_counter()  # the kiosk still shows it open
    d.tap(card)
    if screen.asking:  # the office asks the priority question first
        d.tap(screen.ids.no_priority_button)
    d.wait_until(lambda: screen.status_kind == "error" and screen.requester.pending is None, what="the refusal")
    assert screen.status == SAID
    d.wait_until(lambda: not _card(screen).accepting, what="the list reloaded, the field greyed")


def test_a_procedure_of_a_field_closed_today_keeps_its_facts_and_offers_no_number(d, close_counter):
    close_counter()
    d.app.go("detail")
    detail = d.at("detail")
    detail.load("1.010833")  # Người có công: Văn hóa – Xã hội
    d.wait_until(lambda: detail.detail is not None and detail.closed_note, what="the detail, closed today")
    assert detail.closed_note == SAID and not detail.can_take and detail.ids.take_button.disabled
    assert detail.ids.take_button.text == "Hôm nay không lấy số cho thủ tục này"
    texts = [w.text for w in detail.ids.sections.children]
    assert SAID in texts and "Giấy tờ cần mang" in texts  # what to bring stays readable
    assert detail.spoken_text("vi").endswith(SAID)
    d.shot(d.shots / "detail-closed-today.png")
