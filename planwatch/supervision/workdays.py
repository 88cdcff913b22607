"""Working days in China: public holidays and 调休 (weekend days worked) as the State Council announces
them each year, kept by the chinese-calendar library, never a hand list.

A year the library does not know yet (the notice comes out in the autumn before) counts Monday to
Friday less the statutory holidays of a fixed solar date (元旦 1月1日, 劳动节 5月1日—2日, 国庆节 10月1日—3日:
全国年节及纪念日放假办法), which fall on those days whatever the notice arranges around them; `known_year`
says so, so that a deadline computed that way can be marked provisional (春节, 清明, 端午, 中秋 and the
调休 come with the notice).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from planwatch.periods import Period


@lru_cache(maxsize=64)
def known_year(year: int) -> bool:
    """Whether the library holds the official holiday arrangement of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# (month, day) of the statutory holidays fixed on the solar calendar
FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    if known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS


def nth_working_day(year: int, month: int, n: int) -> dt.date:
    """The n-th working day (1-based) of a month: October 2026, n=5 → the 13th (after 国庆: the 8th, the 9th,
    Saturday the 10th worked as 调休, the 12th, the 13th)."""
    day, found = dt.date(year, month, 1), 0
    while True:
        if is_working_day(day):
            found += 1
            if found == n:
                return day
        day += dt.timedelta(days=1)


def due_date(period: str, working_days: int) -> dt.date:
    """When a month's report is due: the `working_days`-th working day of the next month."""
    following = Period.parse(period).shifted(1)
    return nth_working_day(following.year, following.month, working_days)


def working_days_late(due: dt.date, day: dt.date) -> int:
    """Working days after `due` up to and including `day` (0 when `day` is not after `due`)."""
    late, current = 0, due + dt.timedelta(days=1)
    while current <= day:
        late += is_working_day(current)
        current += dt.timedelta(days=1)
    return late
