"""The pure booking rules: opening hours, lunch break, holidays, Saturday mornings, check-in window."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.appointments.slots import (
    EARLY,
    LATE,
    ON_TIME,
    OTHER_DAY,
    BookingRefused,
    BookingRules,
    ServiceSlots,
    check_booking,
    checkin_verdict,
    closed_reason,
    day_slots,
)

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)
SUNDAY = date(2026, 3, 8)
TET = date(2026, 2, 17)


def rules(**changes) -> BookingRules:
    """The sample office's rules: 30-minute slots, 7:30–11:30 and 13:30–17:00."""
    base = dict(services={"HT": ServiceSlots(30, 2), "DC": ServiceSlots(45, 1)}, holidays={TET: "Tết Nguyên đán"})
    return BookingRules(**{**base, **changes})


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


def test_a_weekday_has_slots_in_the_morning_and_afternoon_but_none_over_lunch() -> None:
    starts = [f"{s:%H:%M}" for s in day_slots(rules(), "HT", MONDAY)]
    assert starts[:2] == ["07:30", "08:00"] and starts[7] == "11:00"
    assert "11:30" not in starts and "12:00" not in starts and "13:00" not in starts
    assert starts[8] == "13:30" and starts[-1] == "16:30"
    assert len(starts) == 8 + 7


def test_a_slot_never_runs_past_lunch_or_closing_time() -> None:
    starts = [f"{s:%H:%M}" for s in day_slots(rules(), "DC", MONDAY)]
    assert starts == ["07:30", "08:15", "09:00", "09:45", "10:30", "13:30", "14:15", "15:00", "15:45"]


def test_weekends_and_holidays_have_no_slots() -> None:
    assert day_slots(rules(), "HT", SATURDAY) == []
    assert day_slots(rules(), "HT", SUNDAY) == []
    assert day_slots(rules(), "HT", TET) == []
    assert "Tết Nguyên đán" in (closed_reason(rules(), TET) or "")
    assert "Chủ nhật" in (closed_reason(rules(), SUNDAY) or "")


def test_saturday_morning_opens_only_the_morning_when_the_office_chooses_it() -> None:
    starts = day_slots(rules(saturday_morning=True), "HT", SATURDAY)
    assert [f"{s:%H:%M}" for s in starts][-1] == "11:00" and len(starts) == 8
    assert day_slots(rules(saturday_morning=True), "HT", SUNDAY) == []


def test_an_unknown_service_has_no_slots() -> None:
    assert day_slots(rules(), "XX", MONDAY) == []


@pytest.mark.parametrize(("slot", "now", "code"), [
    (at(date(2026, 3, 1), 9), at(MONDAY, 8), "past_date"),
    (at(MONDAY, 7, 30), at(MONDAY, 8), "past_slot"),
    (at(MONDAY, 8), at(MONDAY, 8), "past_slot"),
    (at(TET, 9), at(date(2026, 2, 10), 8), "office_closed"),
    (at(SUNDAY, 9), at(MONDAY, 8), "office_closed"),
    (at(MONDAY, 8, 10), at(MONDAY, 7), "unknown_slot"),
    (at(MONDAY, 12), at(MONDAY, 7), "unknown_slot"),
    (at(date(2026, 3, 17), 9), at(MONDAY, 8), "too_far_ahead"),
])
def test_bookings_the_rules_refuse_say_why(slot: datetime, now: datetime, code: str) -> None:
    with pytest.raises(BookingRefused) as refused:
        check_booking(rules(), "HT", slot, now)
    assert refused.value.code == code and refused.value.message


def test_a_later_slot_today_and_the_last_day_ahead_can_be_booked() -> None:
    check_booking(rules(), "HT", at(MONDAY, 8, 30), at(MONDAY, 8))
    check_booking(rules(), "HT", at(date(2026, 3, 16), 9), at(MONDAY, 8))


@pytest.mark.parametrize(("now", "verdict"), [
    (at(MONDAY, 8, 44), EARLY),
    (at(MONDAY, 8, 45), ON_TIME),
    (at(MONDAY, 9, 0), ON_TIME),
    (at(MONDAY, 9, 15), ON_TIME),
    (datetime(2026, 3, 2, 9, 15, 1), LATE),
    (at(MONDAY, 16), LATE),
    (at(date(2026, 3, 3), 9), OTHER_DAY),
    (at(date(2026, 3, 1), 9), OTHER_DAY),
])
def test_the_check_in_window_runs_from_15_minutes_before_to_15_after_both_ends_included(
        now: datetime, verdict: str) -> None:
    assert checkin_verdict(rules(), at(MONDAY, 9), now) == verdict


def test_the_check_in_window_is_configurable() -> None:
    wide = rules(checkin_before_minutes=30, checkin_after_minutes=5)
    assert checkin_verdict(wide, at(MONDAY, 9), at(MONDAY, 8, 30)) == ON_TIME
    assert checkin_verdict(wide, at(MONDAY, 9), at(MONDAY, 9, 6)) == LATE


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)), st.sampled_from([15, 20, 30, 45, 60]))
def test_every_slot_lies_inside_opening_hours(day: date, minutes: int) -> None:
    office = rules(services={"HT": ServiceSlots(minutes, 1)}, saturday_morning=True)
    for start in day_slots(office, "HT", day):
        end = (start + timedelta(minutes=minutes)).time()
        in_morning = time(7, 30) <= start.time() and end <= time(11, 30)
        in_afternoon = time(13, 30) <= start.time() and end <= time(17, 0)
        assert in_morning or in_afternoon
        assert day.weekday() < 6 and day != TET
