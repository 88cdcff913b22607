"""When each sample file arrives: the moment a department's office drops it into the landing folder.

Departments report a month by its due date, the 5th working day of the next month (the date
`planwatch plans load` writes into `expected_submissions`). Most files arrive between the 1st and the
5th in office hours, China Standard Time; a seeded share of departments is late some months and
sends after the due date, by the 20th. Everything a department sends for a month arrives together
(its template, a milestone-only template, a base-year return); a correction arrives when it was
made. The sample writes the moment as the file's modification time, which ingestion stores as
`submitted_at` and the completeness mart judges punctuality on, and records it in the manifest.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

from planwatch.config import settings
from planwatch.periods import CHINA_STANDARD_TIME, Period
from planwatch.supervision.workdays import due_date

DUE_DAY = 5
LATE_SHARE = 0.12  # of (department, month) pairs: enough for the briefings' 逾期 lines to show
LAST_LATE_DAY = 20
OFFICE_HOURS_MINUTES = (8 * 60 + 30, 17 * 60 + 30)


def arrival_time(seed: int, department_id: str, period: str) -> dt.datetime:
    """When the department's files for the month arrive (time zone aware, China Standard Time)."""
    rng = random.Random(f"{seed}:arrival:{department_id}:{period}")
    month = Period.parse(period).month_start
    year, next_month = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    late = rng.random() < LATE_SHARE
    due = due_date(period, settings().report_due_working_days)
    first_late = due + dt.timedelta(days=1)
    day = rng.randint(first_late.day, max(first_late.day, LAST_LATE_DAY)) if late else rng.randint(1, DUE_DAY)
    minute = rng.randint(*OFFICE_HOURS_MINUTES)
    return dt.datetime(year, next_month, day, minute // 60, minute % 60, tzinfo=CHINA_STANDARD_TIME)


def in_china_standard_time(moment: dt.datetime) -> dt.datetime:
    """A naive time read as China Standard Time (the templates' own timestamps are naive local times)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_STANDARD_TIME)


def stamp_arrival(path: Path, moment: dt.datetime) -> None:
    """Give the file the modification time of its arrival."""
    seconds = moment.timestamp()
    os.utime(path, (seconds, seconds))
