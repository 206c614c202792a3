"""The comparison's pure arithmetic and the period picker, on their own."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.fairness import gini, gini_from_sums
from national.formulas import is_falling, median, per_member, total
from national.period import academic_year, choose_period


def test_median_of_odd_and_even_counts():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5


def test_median_leaves_unknown_values_out_and_is_blank_for_nothing():
    assert median([None, 5, None]) == 5
    assert median([]) is None
    assert median([None]) is None


def test_per_member_is_blank_without_members():
    assert per_member(12, 4) == 3
    assert per_member(12, 0) is None
    assert per_member(None, 4) is None


def test_total_of_nothing_is_blank():
    assert total([1, None, 2]) == 3
    assert total([None]) is None


@pytest.mark.parametrize(
    ("now", "before", "falling"),
    [(2, 10, True), (8, 10, False), (7, 10, True), (1, 3, False), (0, 4, True), (None, 9, False)],
)
def test_a_trend_is_falling_when_a_count_drops_by_more_than_a_quarter(now, before, falling):
    assert is_falling(now, before) is falling


@given(st.lists(st.integers(min_value=0, max_value=50), max_size=30))
def test_gini_from_sql_sums_equals_the_rotation_pages_gini(counts):
    ordered = sorted(counts)
    weighted = sum((i + 1) * x for i, x in enumerate(ordered))
    assert gini_from_sums(len(counts), sum(counts), weighted) == pytest.approx(gini(counts))


def test_the_default_period_is_the_current_academic_year():
    choice = choose_period({}, date(2026, 12, 2), 8)
    assert choice.period == academic_year(2026, 8)
    assert choice.period.first_day == date(2026, 8, 1)
    assert choice.period.last_day == date(2027, 7, 31)
    assert not choice.errors


def test_a_previous_academic_year_can_be_chosen():
    choice = choose_period({"year": "2024"}, date(2026, 12, 2), 8)
    assert choice.period.first_day == date(2024, 8, 1)


def test_a_year_not_offered_falls_back_with_a_message():
    choice = choose_period({"year": "1999"}, date(2026, 12, 2), 8)
    assert choice.period == academic_year(2026, 8)
    assert "year" in choice.errors


def test_custom_dates():
    choice = choose_period({"start": "2026-01-01", "end": "2026-03-31"}, date(2026, 12, 2), 8)
    assert (choice.period.first_day, choice.period.last_day) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert choice.period.days == 90
    assert choice.period.previous().last_day == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
        ({"start": "2026-01-01", "end": ""}, "end"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "end"),
        ({"start": "2000-01-01", "end": "2026-04-01"}, "end"),
        # Dates Python holds but a period's bounds (the day after, the period before) don't.
        ({"start": "0001-01-01", "end": "0001-12-31"}, "start"),
        ({"start": "9999-01-01", "end": "9999-12-31"}, "end"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "start"),
    ],
)
def test_bad_custom_dates_get_a_message_next_to_the_field(args, field):
    choice = choose_period(args, date(2026, 12, 2), 8)
    assert field in choice.errors
    assert choice.period == academic_year(2026, 8)
