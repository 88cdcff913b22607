"""The one period type: parsed once, knows its granularity, its months, its label and its key."""

from __future__ import annotations

import datetime as dt

import pytest

from planwatch.periods import Granularity, Period, PeriodError


@pytest.mark.parametrize(
    ("text", "granularity", "month_key", "label", "first_month"),
    [
        ("2026-11", Granularity.month, "2026-11", "2026年11月", dt.date(2026, 11, 1)),
        ("2025-Q2", Granularity.quarter, "2025-06", "2025年第2季度", dt.date(2025, 4, 1)),
        ("2025-H2", Granularity.half_year, "2025-12", "2025年下半年", dt.date(2025, 7, 1)),
        ("2024", Granularity.year, "2024-12", "2024年", dt.date(2024, 1, 1)),
    ],
)
def test_each_granularity_round_trips(
    text: str, granularity: Granularity, month_key: str, label: str, first_month: dt.date
) -> None:
    period = Period.parse(text)
    assert period.granularity is granularity
    assert str(period) == text and Period.parse(str(period)) == period
    assert period.month_key == month_key and period.label == label and period.first_month == first_month
    assert period.coarse_label == (None if granularity is Granularity.month else label)
    assert [month.month_key for month in period.months][-1] == month_key


def test_month_end_shift_and_order() -> None:
    february = Period.parse("2024-02")
    assert february.month_end == dt.date(2024, 2, 29) and february.month_start == dt.date(2024, 2, 1)
    assert Period.parse("2025-12").shifted(1) == Period.parse("2026-01")
    assert Period.parse("2025-Q1").shifted(-1) == Period.parse("2024-Q4")
    assert sorted([Period.parse("2025-Q2"), Period.parse("2025-06"), Period.parse("2025-05")]) == [
        Period.parse("2025-05"),
        Period.parse("2025-06"),
        Period.parse("2025-Q2"),
    ]


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026/11", "2026-Q5", "2026-H3", "26-11", "", "十一月"])
def test_what_is_not_a_period_is_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_granularity_asked_for_accepts_only_its_form() -> None:
    assert Period.parse("2026-11", Granularity.month) == Period(2026, 11)
    with pytest.raises(PeriodError, match="YYYY-MM"):
        Period.parse("2026-Q2", Granularity.month)
    with pytest.raises(PeriodError, match="cannot end in month 5"):
        Period(2026, 5, Granularity.quarter)
