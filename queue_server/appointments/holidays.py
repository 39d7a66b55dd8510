"""The office's days off: Vietnam's public holidays, computed per year, plus the office's own closures file.

The public holidays of the Labour Code 2019 (art. 112) follow rules: Tết
Dương lịch, Tết Nguyên đán and Giỗ Tổ Hùng Vương by the lunar calendar,
30/4, 1/5, Quốc khánh 2/9 with its adjacent day, the days off in lieu
(nghỉ bù). The ``holidays`` package computes them for any year, so an office
running for years never books on Tết. What no rule gives (the Government's
yearly bridge days, a longer Tết, a local closure) is in the office's
closures file, read by ``settings.load_closures``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType

import holidays as holiday_calendars

COUNTRY = "VN"
LANGUAGE = "vi"


@cache
def public_holidays(year: int) -> Mapping[date, str]:
    """Vietnam's public holidays of one year, named in Vietnamese (NFC); computed once per year, on first use."""
    found = holiday_calendars.country_holidays(COUNTRY, years=year, language=LANGUAGE)
    return MappingProxyType({day: unicodedata.normalize("NFC", name) for day, name in sorted(found.items())})


@dataclass(frozen=True)
class OfficeCalendar:
    """One office's days off: its own closures over the country's public holidays."""

    closures: Mapping[date, str] = field(default_factory=dict)
    public: Callable[[int], Mapping[date, str]] = public_holidays

    def holiday_name(self, day: date) -> str | None:
        """The day off ``day`` is (the office's own name first), or None on a working day."""
        return self.closures.get(day) or self.public(day.year).get(day)

