"""Pure statistics: percentiles, shares rounded as by hand, heatmap, periods."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.reports.stats import describe, percentile, period_bounds, share, shares, weekday_hour_heatmap


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_values():
    assert percentile([1, 2, 3, 4], 0.5) == 2.5


def test_p90_interpolates_between_closest_ranks():
    assert percentile([300, 780, 1440], 0.9) == pytest.approx(1308.0)


def test_describe_drops_negative_durations_and_rounds_to_a_tenth():
    assert describe([10, 20, -5, 30.04]).as_dict() == {"count": 3, "mean": 20.0, "median": 20.0, "p90": 28.0}


def test_describe_of_nothing_is_empty():
    assert describe([]).as_dict() == {"count": 0, "mean": None, "median": None, "p90": None}


@pytest.mark.parametrize("part, whole, expected", [
    (1, 8, 12.5), (7, 16, 43.8), (2, 160, 1.3), (90, 160, 56.3), (87, 174, 50.0), (1, 3, 33.3), (2, 3, 66.7),
    (0, 5, 0.0), (5, 5, 100.0), (1, 2000, 0.1), (1, 2001, 0.0),
])
def test_shares_round_half_up_from_the_exact_fraction(part, whole, expected):
    assert share(part, whole) == expected


def test_a_share_of_nothing_is_none():
    assert share(0, 0) is None


@given(st.integers(min_value=1, max_value=100_000).flatmap(
    lambda whole: st.tuples(st.integers(0, whole), st.just(whole))))
def test_share_equals_decimal_half_up_of_the_exact_percentage(pair):
    part, whole = pair
    exact = Fraction(100 * part, whole)
    expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    # Decimal division is exact to 28 digits: enough to decide the half for any whole here.
    assert share(part, whole) == float(expected)


def test_shares_list_counts_and_shares_in_code_order():
    assert shares({"b": 1, "a": 3}, ["a", "b", "c"]) == [
        {"code": "a", "count": 3, "share": 75.0}, {"code": "b", "count": 1, "share": 25.0},
        {"code": "c", "count": 0, "share": 0.0}]


def test_heatmap_converts_utc_hours_to_local_weekday_and_hour():
    grid = weekday_hour_heatmap([("2026-11-23T01", 5), ("2026-11-22T17", 2)], "Asia/Ho_Chi_Minh")
    assert grid[0][8] == 5  # Monday 08h local
    assert grid[0][0] == 2  # Sunday 17h UTC is Monday 00h in Hà Nội
    assert sum(map(sum, grid)) == 7


@pytest.mark.parametrize("kind, anchor, expected", [
    ("day", date(2026, 8, 15), (date(2026, 8, 15), date(2026, 8, 15))),
    ("month", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 28))),
    ("quarter", date(2026, 8, 15), (date(2026, 7, 1), date(2026, 9, 30))),
    ("quarter", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    ("year", date(2026, 5, 5), (date(2026, 1, 1), date(2026, 12, 31))),
])
def test_periods_hold_their_anchor_day(kind, anchor, expected):
    assert period_bounds(kind, anchor) == expected


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200))
def test_the_median_is_the_statistics_modules_median(values):
    import statistics

    assert percentile(sorted(values), 0.5) == pytest.approx(statistics.median(values), rel=1e-9, abs=1e-9)


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=200))
def test_p90_matches_the_inclusive_quantile(values):
    import statistics

    expected = statistics.quantiles(values, n=10, method="inclusive")[-1]
    assert percentile(sorted(values), 0.9) == pytest.approx(expected, rel=1e-9, abs=1e-6)
