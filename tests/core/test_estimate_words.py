"""The wait promise in words (issue 14.5): the kiosk and the paper say what the API's wait_note says."""

from __future__ import annotations

from datetime import datetime

from kiosk.vm_queue import service_rows
from printers.ticket import ticket_print_from_api
from queue_server.core import actions, views
from wording import wait_promise

from .builders import at, issue, office, queue

NBSP = "\u00a0"


def lunch_ticket() -> dict:
    """A ticket view taken at 11:25 behind one citizen while the only counter serves another."""
    o = office(counters={1: ("HT",)})
    s = queue(o)
    issue(s, o, "HT", now=at(3 * 60 + 20))
    actions.call_next(s, o, 1, at(3 * 60 + 20))
    issue(s, o, "HT", now=at(3 * 60 + 24))
    mine = issue(s, o, "HT", now=at(3 * 60 + 25))
    return views.ticket_view(s, o, mine, at(3 * 60 + 25))


def test_the_api_ticket_of_11_25_carries_the_afternoon_call():
    view = lunch_ticket()
    assert (view["wait_note"], view["expected_call_at"]) == ("after_break", "2026-03-02T13:40:00+07:00")


def test_the_words_say_when_service_resumes_or_that_it_may_end():
    assert wait_promise(600, "after_break", "2026-03-02T13:40:00+07:00") == "Sau giờ nghỉ trưa, khoảng 13:40"
    assert wait_promise(1800, "before_opening", datetime(2026, 3, 2, 7, 40)) == "Khi mở cửa, khoảng 07:40"
    assert wait_promise(300, "may_miss_today") == "Có thể không kịp phục vụ hôm nay"
    assert wait_promise(600, None) == "khoảng 10 phút"
    assert wait_promise(600, "after_break", None) == "khoảng 10 phút"  # no time given: the minutes, not a gap


def test_paper_keeps_only_the_time_together_so_the_note_can_wrap():
    text = wait_promise(600, "after_break", "2026-03-02T13:40:00+07:00", nbsp=True)
    assert text == f"Sau giờ nghỉ trưa, khoảng{NBSP}13:40"


def test_the_printed_ticket_promises_the_afternoon():
    printed = ticket_print_from_api(lunch_ticket(), office_name="UBND xã Thử", timezone="Asia/Ho_Chi_Minh")
    assert printed.wait_text == f"Thời gian chờ: Sau giờ nghỉ trưa, khoảng{NBSP}13:40"


def test_the_kiosk_field_button_says_the_note_instead_of_minutes():
    service = {"code": "HT", "name": "Tư pháp – Hộ tịch", "counters": [1], "waiting": 3,
               "estimated_wait_s": 5 * 60, "wait_note": "may_miss_today", "expected_call_at": None}
    assert service_rows([service], "vi")[0].wait_text == "Có thể không kịp phục vụ hôm nay"
    plain = {**service, "wait_note": None}
    assert service_rows([plain], "vi")[0].wait_text == "Chờ khoảng 5 phút"
