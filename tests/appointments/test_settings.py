"""The [appointments] section and the closures file: defaults, validation messages, the shipped closures."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from queue_server.appointments.settings import load_closures, load_settings
from queue_server.config import ConfigError, load_config
from tests.support.appointments import office_with
from tests.support.live_server import COMMUNE

CLOSURES = COMMUNE.parent / "closures.toml"


def test_the_sample_office_books_every_field_with_its_calendar() -> None:
    settings = load_settings(load_config(COMMUNE))
    assert list(settings.rules.services) == ["HT", "VP", "DC", "VH"]
    assert settings.rules.services["DC"].capacity == 1 and settings.rules.services["HT"].capacity == 2
    assert settings.rules.morning == (time(7, 30), time(11, 30)) and not settings.collect_phone
    assert settings.closed_reason(date(2026, 2, 17)) == ("Ngày 17/02/2026 là ngày nghỉ (Tết Nguyên Đán); "
                                                         "xin chọn ngày khác.")
    assert settings.closed_reason(date(2026, 2, 14)) == ("Ngày 14/02/2026 là ngày nghỉ (Tết Nguyên đán (nghỉ thêm)); "
                                                         "xin chọn ngày khác.")


def test_the_closures_file_expands_runs_of_days_and_keeps_only_what_is_not_computed() -> None:
    days = load_closures(CLOSURES)
    assert sorted(days) == [date(2026, 2, 14), date(2026, 2, 15), date(2026, 2, 21), date(2026, 2, 22),
                            date(2027, 2, 11), date(2027, 2, 12)]
    assert set(days.values()) == {"Tết Nguyên đán (nghỉ thêm)"}


@pytest.mark.parametrize(("section", "key", "words"), [
    ('[appointments]\nmorning = "7h30-11h30"', "appointments.morning", 'write hours as "07:30-11:30"'),
    ('[appointments]\nafternoon = "11:00-17:00"', "appointments.afternoon", "lunch break"),
    ('[appointments]\nservices = ["XX"]', "appointments.services", "unknown service 'XX'"),
    ('[appointments]\ncapacity = 0', "appointments.capacity", "must be 1 or more"),
    ('[appointments]\nholidays_file = "nghi-le.toml"', "appointments.holidays_file",
     "cannot read this closures calendar"),
    ('[appointments]\nclosures_file = "nghi-le.toml"', "appointments.closures_file",
     "cannot read this closures calendar"),
    ('[appointments]\nclosures_file = "closures.toml"\nholidays_file = "closures.toml"', "appointments.holidays_file",
     "give only closures_file"),
    ('[appointments]\nslot_minute = 30', "appointments.slot_minute", "unknown key"),
])
def test_mistakes_name_the_key_and_the_fix(tmp_path: Path, section: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(load_config(office_with(tmp_path, section)))
    assert error.value.key == key and words in error.value.message


def test_a_copied_office_file_still_finds_the_shipped_closures(tmp_path: Path) -> None:
    settings = load_settings(load_config(office_with(tmp_path, '[appointments]\nclosures_file = "closures.toml"')))
    assert "nghỉ thêm" in (settings.closed_reason(date(2027, 2, 11)) or "")


def test_an_office_file_naming_the_old_key_and_the_old_calendar_gets_the_closures(tmp_path: Path) -> None:
    office_file = office_with(tmp_path, '[appointments]\nholidays_file = "holidays_vn_2026.toml"')
    settings = load_settings(load_config(office_file))
    assert "nghỉ thêm" in (settings.closed_reason(date(2027, 2, 11)) or "")
    assert "Ngày Chiến thắng" in (settings.closed_reason(date(2026, 4, 30)) or "")


def test_an_old_full_holiday_file_of_an_office_still_works_alongside_the_computed_holidays(tmp_path: Path) -> None:
    (tmp_path / "nghi-le.toml").write_text(
        '[[holidays]]\nfrom = 2026-02-14\nto = 2026-02-22\nname = "Tết Nguyên đán"\n', encoding="utf-8")
    settings = load_settings(load_config(office_with(tmp_path, '[appointments]\nholidays_file = "nghi-le.toml"')))
    assert "(Tết Nguyên đán)" in (settings.closed_reason(date(2026, 2, 17)) or "")  # the office's own name wins
    assert "(Tết Nguyên Đán)" in (settings.closed_reason(date(2028, 1, 26)) or "")
