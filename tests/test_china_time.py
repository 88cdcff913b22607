"""Dates a department or a leader reads are China's, whatever clock the machine keeps (often UTC)."""

from __future__ import annotations

import datetime as dt

from planwatch.orchestration.monthly_tasks import reporting_period
from planwatch.periods import china_now, china_today


def test_china_now_is_eight_hours_ahead_of_utc() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=8)
    now = china_now()
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=8)
    assert now.tzinfo is None and before <= now <= after
    assert china_today() in (before.date(), after.date())


def test_a_run_dated_in_utc_is_about_the_month_before_its_day_in_china() -> None:
    """Airflow dates a run in UTC: 17:00 UTC on 30 November is 01:00 on 1 December in China, so the run is
    about November; read as the UTC date it would have been about October."""
    assert reporting_period(None, dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)) == "2026-11"
    assert reporting_period(None, dt.datetime(2026, 11, 30, 15, tzinfo=dt.UTC)) == "2026-10"  # 23:00 on the 30th
    assert reporting_period(None, dt.date(2026, 12, 1)) == "2026-11"
    assert reporting_period("2025-06", dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)) == "2025-06"
