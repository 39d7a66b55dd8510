"""Pure statistics for reports: percentiles, shares rounded as by hand, the weekday × hour heatmap.

Standard library only; no SQL, no clock.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAY_LABELS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
"""Thứ Hai … Chủ nhật, as Vietnamese calendars abbreviate them."""


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0…1) by linear interpolation between closest ranks (numpy's default).

    ``q = 0.5`` is the usual median (the mean of the two middle values for an
    even count); None for no values.
    """
    if not sorted_values:
        return None
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be between 0 and 1")
    position = (len(sorted_values) - 1) * q
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    fraction = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction


@dataclass(frozen=True)
class Durations:
    """Count, mean, median and 90th percentile of durations in seconds."""

    count: int
    mean: float | None
    median: float | None
    p90: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON shape: seconds rounded to a tenth."""
        return {"count": self.count, "mean": _tenth(self.mean), "median": _tenth(self.median), "p90": _tenth(self.p90)}


def describe(values: Iterable[float]) -> Durations:
    """Summarise durations; negative values (a clock stepped back) are dropped."""
    ordered = sorted(values)  # one C-level sort: a quarter holds ~80,000 durations
    negatives = bisect_left(ordered, 0.0)
    if negatives:
        del ordered[:negatives]
    if not ordered:
        return Durations(0, None, None, None)
    return Durations(len(ordered), sum(ordered) / len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


def _tenth(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def share(part: int, whole: int) -> float | None:
    """``part / whole`` in percent, rounded half up to one decimal from the exact fraction.

    Rounding the exact fraction (not a float) gives what a person computes by
    hand: 1/8 = 12.5 %, 7/16 = 43.75 % → 43.8 %, never 43.7 % from a float
    just below the half.
    """
    if whole <= 0:
        return None
    if not 0 <= part <= whole:
        raise ValueError("a share needs 0 <= part <= whole")
    tenths = Fraction(1000 * part, whole) + Fraction(1, 2)  # percent × 10, plus a half, exactly
    return (tenths.numerator // tenths.denominator) / 10


def shares(counts: Mapping[str, int], codes: Sequence[str], whole: int | None = None) -> list[dict[str, Any]]:
    """Each code's count and share (percent, one decimal) of ``whole`` (default: the sum)."""
    total = sum(counts.get(c, 0) for c in codes) if whole is None else whole
    return [{"code": c, "count": counts.get(c, 0), "share": share(counts.get(c, 0), total)} for c in codes]


def weekday_hour_heatmap(hour_counts: Iterable[tuple[str, int]], tz_name: str) -> list[list[int]]:
    """7 × 24 counts (Monday first, local hours) from counts per UTC hour ``"YYYY-MM-DDTHH"``.

    Grouping by UTC hour in SQL and converting each group here is exact for
    any zone whose offsets are whole hours (Vietnam: +07:00 all year).
    """
    zone = ZoneInfo(tz_name)
    grid = [[0] * 24 for _ in range(7)]
    for utc_hour, count in hour_counts:
        moment = datetime.fromisoformat(utc_hour[:13] + ":00:00").replace(tzinfo=UTC).astimezone(zone)
        grid[moment.weekday()][moment.hour] += count
    return grid


def period_bounds(kind: str, anchor: date) -> tuple[date, date]:
    """The day, month, quarter or year holding ``anchor``, as inclusive (first, last) dates."""
    if kind == "day":
        return anchor, anchor
    if kind == "month":
        first = anchor.replace(day=1)
        return first, _next_month(first) - timedelta(days=1)
    if kind == "quarter":
        first = anchor.replace(month=3 * ((anchor.month - 1) // 3) + 1, day=1)
        return first, _next_month(_next_month(_next_month(first))) - timedelta(days=1)
    if kind == "year":
        return anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
    raise ValueError(f"unknown period {kind!r}; use day, month, quarter or year")


def _next_month(first: date) -> date:
    return first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
