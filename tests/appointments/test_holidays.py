"""Days off for booking in any year: public holidays computed (Tết by the lunar calendar), bridge days
from the office's file.

Dates come in as arguments and the app's clock is the fake one: nothing here reads the wall clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from queue_server.appointments.holidays import OfficeCalendar, public_holidays
from queue_server.appointments.settings import AppointmentSettings, load_settings
from queue_server.appointments.slots import BookingRules, ServiceSlots, closed_reason, day_slots
from queue_server.config import load_config
from tests.support.appointments import office_with
from tests.support.live_server import COMMUNE

YEARS = range(2026, 2036)
VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


@pytest.fixture(scope="module")
def office() -> AppointmentSettings:
    """The sample office's booking settings (its closures file included)."""
    return load_settings(load_config(COMMUNE))


def weekdays(first: date, last: date) -> list[date]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [day for day in days if day.weekday() < 5]


@pytest.mark.parametrize(("first", "last"), [
    (date(2028, 1, 24), date(2028, 1, 28)),  # 29 Tết (Mon) to mùng 3; mùng 1 = Wednesday 26/01/2028
    (date(2029, 2, 12), date(2029, 2, 16)),  # Giao thừa to mùng 4; mùng 1 = 13/02/2029
    (date(2035, 2, 6), date(2035, 2, 12)),   # 29 Tết to mùng 5; mùng 1 = 08/02/2035
])
def test_tet_is_closed_for_booking_in_years_no_file_lists(office, first: date, last: date) -> None:
    for day in weekdays(first, last):
        assert "Tết" in office.closed_reason(day), day
        assert day_slots(office.rules, "HT", day) == []


def test_the_first_day_of_tet_2028_is_named_in_vietnamese(office) -> None:
    assert office.closed_reason(date(2028, 1, 26)) == ("Ngày 26/01/2028 là ngày nghỉ (Tết Nguyên Đán); "
                                                       "xin chọn ngày khác.")
    assert office.closed_reason(date(2028, 1, 25)) == (
        "Ngày 25/01/2028 là ngày nghỉ (Giao thừa Tết Nguyên Đán); xin chọn ngày khác.")


def test_hung_kings_day_2028_follows_the_lunar_calendar(office) -> None:
    # 10/3 âm lịch Mậu Thân = Tuesday 4 April 2028.
    assert office.closed_reason(date(2028, 4, 4)) == ("Ngày 04/04/2028 là ngày nghỉ (Ngày Giỗ Tổ Hùng Vương); "
                                                      "xin chọn ngày khác.")
    assert office.closed_reason(date(2028, 4, 3)) is None


@pytest.mark.parametrize("year", YEARS)
def test_new_year_30_april_1_may_and_2_september_are_closed_every_year(office, year: int) -> None:
    for month, day in ((1, 1), (4, 30), (5, 1), (9, 2)):
        holiday = date(year, month, day)
        assert office.closed_reason(holiday) is not None, holiday
        assert office.rules.holidays.holiday_name(holiday) is not None, holiday


@pytest.mark.parametrize("year", YEARS)
def test_national_day_has_its_adjacent_day_off_every_year(office, year: int) -> None:
    adjacent = [date(year, 9, 1), date(year, 9, 3)]
    assert any(office.rules.holidays.holiday_name(day) == "Quốc khánh" for day in adjacent)


def test_a_holiday_on_a_weekend_gives_the_next_working_day_off(office) -> None:
    # 30/4/2028 is a Sunday: Tuesday 2 May is off in lieu (1 May is Monday); 2/9/2028 a Saturday: Monday 4 September.
    assert office.closed_reason(date(2028, 5, 2)) == ("Ngày 02/05/2028 là ngày nghỉ (Ngày Chiến thắng (nghỉ bù)); "
                                                      "xin chọn ngày khác.")
    assert "Quốc khánh (nghỉ bù)" in office.closed_reason(date(2028, 9, 4))


def test_vietnam_culture_day_is_a_day_off_from_2026(office) -> None:
    assert "Ngày Văn hóa Việt Nam" in office.closed_reason(date(2026, 11, 24))
    assert "Ngày Văn hóa Việt Nam" in office.closed_reason(date(2028, 11, 24))


def test_tet_of_every_year_to_2100_has_at_least_four_working_days_off(office) -> None:
    for year in range(2026, 2101):
        tet = [day for day in weekdays(date(year, 1, 15), date(year, 2, 25))
               if "Tết" in (office.rules.holidays.holiday_name(day) or "")]
        assert len(tet) >= 4, year


def test_tet_2026_and_2027_stay_closed_as_the_old_sample_file_had_them(office) -> None:
    for day in weekdays(date(2026, 2, 14), date(2026, 2, 22)) + weekdays(date(2027, 2, 4), date(2027, 2, 12)):
        assert "Tết" in office.closed_reason(day), day


def test_a_bridge_day_from_the_office_file_is_closed(office) -> None:
    assert office.closed_reason(date(2027, 2, 11)) == (
        "Ngày 11/02/2027 là ngày nghỉ (Tết Nguyên đán (nghỉ thêm)); xin chọn ngày khác.")


def test_a_bridge_day_the_office_adds_for_a_later_year_is_closed(tmp_path: Path) -> None:
    (tmp_path / "nghi-bu.toml").write_text(
        '[[closures]]\ndate = 2028-04-03\nname = "Nghỉ bù (hoán đổi ngày làm việc)"\n', encoding="utf-8")
    office = load_settings(load_config(office_with(tmp_path, '[appointments]\nclosures_file = "nghi-bu.toml"')))
    assert office.closed_reason(date(2028, 4, 3)) == (
        "Ngày 03/04/2028 là ngày nghỉ (Nghỉ bù (hoán đổi ngày làm việc)); xin chọn ngày khác.")
    assert office.closed_reason(date(2028, 4, 4)) is not None  # Giỗ Tổ still computed


def test_an_ordinary_weekday_is_open(office) -> None:
    assert office.closed_reason(date(2028, 3, 1)) is None
    assert len(day_slots(office.rules, "HT", date(2028, 3, 1))) == 15


def test_holiday_names_are_vietnamese_with_composed_diacritics() -> None:
    for year in YEARS:
        for name in public_holidays(year).values():
            assert unicodedata.is_normalized("NFC", name), name
            assert set(name.lower()) & VIETNAMESE_LETTERS, name


def test_holidays_are_computed_only_for_the_years_asked_about() -> None:
    asked: list[int] = []

    def recording(year: int) -> Mapping[date, str]:
        asked.append(year)
        return public_holidays(year)

    calendar = OfficeCalendar({}, public=recording)
    assert calendar.holiday_name(date(2031, 1, 23)) == "Tết Nguyên Đán"
    assert calendar.holiday_name(date(2031, 3, 4)) is None
    assert asked == [2031, 2031]
    assert public_holidays(2031) is public_holidays(2031)  # computed once per year


def test_the_slot_rules_take_a_calendar_or_a_plain_mapping() -> None:
    services = {"HT": ServiceSlots()}
    computed = BookingRules(services=services, holidays=OfficeCalendar())
    plain = BookingRules(services=services, holidays={date(2028, 3, 1): "Nghỉ"})
    assert "Tết" in (closed_reason(computed, date(2028, 1, 26)) or "")
    assert closed_reason(plain, date(2028, 1, 26)) is None
    assert closed_reason(plain, date(2028, 3, 1)) == "Ngày 01/03/2028 là ngày nghỉ (Nghỉ); xin chọn ngày khác."


# -- through the app (in process, fake clock) --------------------------------------------------

THURSDAY_20_JAN_2028_0800 = datetime(2028, 1, 20, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội


def test_booking_on_tet_2028_through_the_api_is_refused_in_plain_vietnamese(app) -> None:
    app.clock.now = THURSDAY_20_JAN_2028_0800
    answer = app.client.post("/api/appointments", json={"service": "HT", "slot": "2028-01-26T09:00"})
    assert answer.status_code == 422
    assert answer.get_json()["error"] == {"code": "office_closed", "message":
                                          "Ngày 26/01/2028 là ngày nghỉ (Tết Nguyên Đán); xin chọn ngày khác."}
    slots = app.client.get("/api/appointments/slots?service=HT&date=2028-01-26").get_json()
    assert slots["slots"] == []
    assert slots["closed"] == "Ngày 26/01/2028 là ngày nghỉ (Tết Nguyên Đán); xin chọn ngày khác."
    assert app.client.post("/api/appointments", json={"service": "HT", "slot": "2028-01-21T09:00"}).status_code == 201


def test_the_booking_page_names_the_holiday(app) -> None:
    app.clock.now = THURSDAY_20_JAN_2028_0800
    page = app.client.get("/dat-lich?service=HT&date=2028-01-27")
    assert page.status_code == 422
    assert "Ngày 27/01/2028 là ngày nghỉ (Mùng hai Tết Nguyên Đán); xin chọn ngày khác." in page.get_data(as_text=True)
