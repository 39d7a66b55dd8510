"""The one vocabulary: its rules, and that every part says what it says (issue 14.7)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

import wording
from wording import (
    PRIORITY_LABELS,
    STATUS_LABELS,
    WEEKDAYS,
    date_text,
    join_alternatives,
    long_date_text,
    priority_label,
    read_number,
    read_ticket_number,
    status_label,
    time_text,
    wait_minutes,
    wait_text,
)


def test_waits_read_as_people_say_them() -> None:
    assert wait_text(None) == ""
    assert wait_text(0) == wait_text(59) == "dưới 1 phút"
    assert wait_text(60) == "khoảng 1 phút"
    assert wait_text(8 * 60 + 1) == "khoảng 9 phút"
    assert wait_text(23 * 60) == "khoảng 25 phút"
    assert wait_text(80 * 60) == "khoảng 1 giờ 20 phút"
    assert wait_text(120 * 60) == "khoảng 2 giờ"
    assert wait_text(80 * 60, about=False, nbsp=True) == "1\u00a0giờ\u00a020\u00a0phút"


@given(st.floats(min_value=0, max_value=10 * 3600), st.floats(min_value=0, max_value=10 * 3600))
def test_a_longer_wait_never_promises_less(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert wait_minutes(low) <= wait_minutes(high)
    assert wait_minutes(high) * 60 >= high  # the promise is never shorter than the estimate


def test_ticket_numbers_are_read_with_vietnamese_letter_names() -> None:
    assert read_ticket_number("B012") == "Bê, không, một, hai"
    assert read_ticket_number("c003") == "Xê, không, không, ba"
    assert read_ticket_number("Đ101", "number") == "Đê, một trăm linh một"
    assert read_number(21) == "hai mươi mốt" and read_number(15) == "mười lăm"
    assert read_number(1002) == "một nghìn không trăm linh hai"


def test_alternatives_dates_and_times() -> None:
    assert join_alternatives([]) == "" and join_alternatives([4]) == "4"
    assert join_alternatives([1, 2]) == "1 hoặc 2" and join_alternatives([1, 2, 3]) == "1, 2 hoặc 3"
    assert date_text(date(2026, 3, 2)) == "02/03/2026"
    assert long_date_text(date(2026, 3, 8)) == "Chủ nhật, 08/03/2026"
    assert time_text(datetime(2026, 3, 2, 9, 5)) == "09:05"
    assert len(WEEKDAYS) == 7


def test_priorities_take_the_office_wording_first() -> None:
    assert priority_label(None) == "" and priority_label("elderly") == "Người cao tuổi"
    assert priority_label("elderly", {"elderly": "Người từ 75 tuổi"}) == "Người từ 75 tuổi"
    assert priority_label("veteran") == "Ưu tiên"
    assert status_label("no_show") == "Vắng mặt" and status_label("new_status") == "new_status"


def test_every_word_is_nfc() -> None:
    texts = [*PRIORITY_LABELS.values(), *STATUS_LABELS.values(), *WEEKDAYS, *wording.LETTER_NAMES.values(),
             wording.TICKET, wording.ADDRESS, wording.CALLED_PERSON]
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)
