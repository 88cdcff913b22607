"""The one period type: a month, quarter, half-year or year, parsed once where it enters.

A period enters planwatch as text (the CLI's --period, a DAG's logical date, a template's hidden
sheet, a statistics table's title) and is parsed there, once, into a `Period` that knows its
granularity; from there on code passes the value, not the text. Its text form is `2026-11` for a
month, `2025-Q2`, `2025-H1`, `2025` for the others; `label` is how a briefing writes it (2026年11月,
2025年第2季度, 2025年上半年, 2025年).

A quarter, half-year or year is filed at its last month (a quarterly stock is the stock at the
quarter's end): the warehouse keys every figure by `month_key` (`2025-06` for 2025-Q2) and keeps the
coarser period's `label` beside it; `month_start` and `month_end` of `2025-Q2` are June's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering

CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8), "CST")  # the departments' and the leaders' calendar


def utc_now() -> dt.datetime:
    """UTC, naive: how the warehouse stores every moment (shown to people in China's time, `china_now`)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def china_now() -> dt.datetime:
    """The wall-clock time in China, naive: what a date or time shown to a department or a leader is in
    (the machine may keep UTC: 20:00 UTC on the 5th is already the 6th in China)."""
    return dt.datetime.now(CHINA_STANDARD_TIME).replace(tzinfo=None)


def china_today() -> dt.date:
    return china_now().date()


def china_day(moment: dt.datetime | None) -> dt.date | None:
    """The day in China of a moment the warehouse stores as naive UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(CHINA_STANDARD_TIME).date()


class Granularity(StrEnum):
    month = "month"
    quarter = "quarter"
    half_year = "half_year"
    year = "year"


MONTHS_PER_PERIOD = {Granularity.month: 1, Granularity.quarter: 3, Granularity.half_year: 6, Granularity.year: 12}

_TEXT_FORMS = (
    (re.compile(r"(\d{4})-(0[1-9]|1[0-2])"), Granularity.month),
    (re.compile(r"(\d{4})-Q([1-4])"), Granularity.quarter),
    (re.compile(r"(\d{4})-H([12])"), Granularity.half_year),
    (re.compile(r"(\d{4})"), Granularity.year),
)


class PeriodError(ValueError):
    """Text that is not a period; the message says what was expected."""


@total_ordering
@dataclass(frozen=True)
class Period:
    """A reporting period, ordered by its last month (then by length: a month before its quarter)."""

    year: int
    month: int  # the last month the period covers, 1–12
    granularity: Granularity = Granularity.month

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 9999 or not 1 <= self.month <= 12:
            raise PeriodError(f"no such period: year {self.year}, month {self.month}")
        if self.month % MONTHS_PER_PERIOD[self.granularity]:
            raise PeriodError(f"a {self.granularity.value} cannot end in month {self.month}")

    @classmethod
    def parse(cls, text: str, granularity: Granularity | None = None) -> Period:
        """'2026-11', '2025-Q2', '2025-H1' or '2025'; with `granularity`, only that form is accepted."""
        cleaned = str(text)
        for pattern, form in _TEXT_FORMS:
            match = pattern.fullmatch(cleaned)
            if match is None or (granularity is not None and form is not granularity):
                continue
            year = int(match.group(1))
            if form is Granularity.year:
                return cls(year, 12, form)
            number = int(match.group(2))
            return cls(year, number * MONTHS_PER_PERIOD[form], form)
        expected = {
            None: "a month like 2026-11 (or 2025-Q2, 2025-H1, 2025)",
            Granularity.month: "a month written YYYY-MM, e.g. 2026-11",
            Granularity.quarter: "a quarter written YYYY-Qn, e.g. 2025-Q2",
            Granularity.half_year: "a half-year written YYYY-H1 or YYYY-H2",
            Granularity.year: "a year written YYYY",
        }[granularity]
        raise PeriodError(f"{text!r} is not {expected}")

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def month_key(self) -> str:
        """YYYY-MM of the period's last month: the key the warehouse files the period's figures under."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def month_start(self) -> dt.date:
        """The first day of the period's last month (how the marts date a period)."""
        return dt.date(self.year, self.month, 1)

    @property
    def month_end(self) -> dt.date:
        """The last day of the period (the marts' `period` column)."""
        following = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)

    @property
    def first_month(self) -> dt.date:
        months = MONTHS_PER_PERIOD[self.granularity]
        return dt.date(self.year, self.month - months + 1, 1)

    @property
    def months(self) -> list[Period]:
        """The months the period covers, in order."""
        first = self.first_month.month
        return [Period(self.year, month) for month in range(first, self.month + 1)]

    @property
    def label(self) -> str:
        match self.granularity:
            case Granularity.month:
                return f"{self.year}年{self.month}月"
            case Granularity.quarter:
                return f"{self.year}年第{self.month // 3}季度"
            case Granularity.half_year:
                return f"{self.year}年{'上' if self.month == 6 else '下'}半年"
            case _:
                return f"{self.year}年"

    @property
    def coarse_label(self) -> str | None:
        """The label of a quarter, half-year or year (kept beside its month key); None for a month."""
        return None if self.granularity is Granularity.month else self.label

    def shifted(self, periods: int) -> Period:
        """The period `periods` steps later (earlier when negative), of the same granularity."""
        index = self.year * 12 + self.month - 1 + periods * MONTHS_PER_PERIOD[self.granularity]
        return Period(index // 12, index % 12 + 1, self.granularity)

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key < other._key

    @property
    def _key(self) -> tuple[int, int, int]:
        return self.year, self.month, MONTHS_PER_PERIOD[self.granularity]

    def __str__(self) -> str:
        match self.granularity:
            case Granularity.month:
                return f"{self.year:04d}-{self.month:02d}"
            case Granularity.quarter:
                return f"{self.year:04d}-Q{self.month // 3}"
            case Granularity.half_year:
                return f"{self.year:04d}-H{self.month // 6}"
            case _:
                return f"{self.year:04d}"
