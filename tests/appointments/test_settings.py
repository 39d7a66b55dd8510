"""The [appointments] section and the holiday calendar: defaults, validation messages, the shipped calendar."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from queue_server.appointments.settings import load_holidays, load_settings
from queue_server.config import ConfigError, load_config
from tests.support.live_server import COMMUNE

CALENDAR = COMMUNE.parent / "holidays_vn_2026.toml"


def office_with(tmp_path: Path, section: str) -> Path:
    """The sample office with its [appointments] section replaced."""
    text = COMMUNE.read_text(encoding="utf-8")
    start = text.index("[appointments]")
    end = text.index("[appointments.per_service]")
    tail = text[end:].split("\n", 2)[2]  # drop the per_service table and its one line
    path = tmp_path / "office.toml"
    path.write_text(text[:start] + section + "\n" + tail, encoding="utf-8")
    return path


def test_the_sample_office_books_every_field_with_its_calendar() -> None:
    settings = load_settings(load_config(COMMUNE))
    assert list(settings.rules.services) == ["HT", "VP", "DC", "VH"]
    assert settings.rules.services["DC"].capacity == 1 and settings.rules.services["HT"].capacity == 2
    assert settings.rules.morning == (time(7, 30), time(11, 30)) and not settings.collect_phone
    assert settings.rules.holidays[date(2026, 2, 17)] == "Tết Nguyên đán"


def test_the_calendar_expands_runs_of_days() -> None:
    days = load_holidays(CALENDAR)
    assert [d.day for d in days if d.month == 2 and d.year == 2026] == list(range(14, 23))
    assert days[date(2027, 2, 6)] == "Tết Nguyên đán"


@pytest.mark.parametrize(("section", "key", "words"), [
    ('[appointments]\nmorning = "7h30-11h30"', "appointments.morning", 'write hours as "07:30-11:30"'),
    ('[appointments]\nafternoon = "11:00-17:00"', "appointments.afternoon", "lunch break"),
    ('[appointments]\nservices = ["XX"]', "appointments.services", "unknown service 'XX'"),
    ('[appointments]\ncapacity = 0', "appointments.capacity", "must be 1 or more"),
    ('[appointments]\nholidays_file = "nghi-le.toml"', "appointments.holidays_file", "cannot read this holiday calendar"),
    ('[appointments]\nslot_minute = 30', "appointments.slot_minute", "unknown key"),
])
def test_mistakes_name_the_key_and_the_fix(tmp_path: Path, section: str, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(load_config(office_with(tmp_path, section)))
    assert error.value.key == key and words in error.value.message


def test_a_copied_office_file_still_finds_the_shipped_calendar(tmp_path: Path) -> None:
    settings = load_settings(load_config(office_with(tmp_path, '[appointments]\nholidays_file = "holidays_vn_2026.toml"')))
    assert date(2026, 4, 30) in settings.rules.holidays
