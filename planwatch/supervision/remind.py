"""催报: which departments owe a month's report, by when, and how many working days they are overdue.

Read from `marts.mart_submission_completeness` (what each department owes each month, its due date
in working days, when its first file arrived), judged on an as-of date (today, in China Standard
Time, unless given), with public holidays and 调休 from chinese-calendar. Written as a CSV for the
office's own follow-up and a 催报通知 (docx, from `reports/word/reminder.docx`) for the departments
that have not reported.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import jinja2
from docxtpl import DocxTemplate

from planwatch.atomic_files import write_atomically
from planwatch.config import PROJECT_ROOT, settings
from planwatch.ingest.receipt import safe_text
from planwatch.periods import Period, china_day
from planwatch.supervision.marts_state import month_files_not_in_marts
from planwatch.supervision.states import submission_states
from planwatch.supervision.workdays import known_year, working_days_late

REMINDER_TEMPLATE = PROJECT_ROOT / "reports" / "word" / "reminder.docx"
CSV_COLUMNS = [
    ("department_id", "单位编码"),
    ("department_name", "单位"),
    ("period", "报送期"),
    ("due_date", "截止日期"),
    ("state", "状态"),
    ("working_days_overdue", "逾期工作日"),
    ("received_at", "首次报送时间"),
    ("indicators_expected", "应报指标数"),
    ("indicators_received", "已报指标数"),
    ("milestones_expected", "应报项目节点数"),
    ("milestones_received", "已报项目节点数"),
]


@dataclass
class Duty:
    """One department's report for one month, as of a day."""

    department_id: str
    department_name: str
    period: str  # YYYY-MM
    due_date: dt.date
    first_received_at: dt.datetime | None
    indicators_expected: int
    indicators_received: int
    milestones_expected: int
    milestones_received: int
    as_of: dt.date
    return_reason: str | None = None  # the office returned the month's report (退回), not sent again yet
    resubmit_by: dt.date | None = None  # the day a returned report is due again (the 退回通知's deadline)
    files_taken_nothing: int = 0  # files that came for the month but of which nothing was taken

    @property
    def received(self) -> bool:
        """A file had come by the as-of day (one that came later is not known on it)."""
        return self.first_received_at is not None and self.first_received_at.date() <= self.as_of

    @property
    def received_at(self) -> dt.datetime | None:
        """When the first file came, if it had by the as-of day."""
        return self.first_received_at if self.received else None

    @property
    def is_past_due(self) -> bool:
        return self.as_of > self.due_date

    @property
    def returned(self) -> bool:
        return self.return_reason is not None

    @property
    def working_days_overdue(self) -> int:
        """Working days past the due date: when the first file came, or (none yet) as of the day."""
        until = self.first_received_at.date() if self.received and self.first_received_at else self.as_of
        return working_days_late(self.due_date, until)

    @property
    def is_incomplete(self) -> bool:
        """Files came, but not every indicator or milestone owed."""
        return self.received and (
            self.indicators_received < self.indicators_expected or self.milestones_received < self.milestones_expected
        )

    @property
    def needs_reminder(self) -> bool:
        return not self.received or self.is_incomplete or self.returned

    @property
    def state(self) -> str:
        if self.returned:  # owed again: what came was sent back, to be sent again by the notice's deadline
            reason = f"（退回理由：{self.return_reason}）"
            if self.resubmit_by is None:
                return f"已退回，尚未重新报送{reason}"
            if self.as_of > self.resubmit_by:
                return f"已退回，逾期未重新报送（重新报送截止日期{_zh_date(self.resubmit_by)}）{reason}"
            return f"已退回，请于{_zh_date(self.resubmit_by)}前重新报送{reason}"
        if not self.received:
            # files that came but gave nothing (every value quarantined) are no report: the receipt says why
            sent = ""
            if self.files_taken_nothing:
                sent = f"（所报{self.files_taken_nothing}个文件均未接收任何数据，请按回执修改后重报）"
            if self.working_days_overdue:
                return f"未报送{sent}，已逾期{self.working_days_overdue}个工作日"
            # a Sunday after a Friday's due date: past it, though no working day has passed since
            return f"未报送{sent}，已过截止日" if self.is_past_due else f"未报送{sent}，未到截止日"
        late = f"逾期{self.working_days_overdue}个工作日报送" if self.working_days_overdue else "按时报送"
        return f"{late}，未报齐" if self.is_incomplete else late


class MartsBehindError(RuntimeError):
    """Files for the month came in after the last transform: the reminders would chase departments that reported."""


def duties(connection: duckdb.DuckDBPyConnection, period: str, as_of: dt.date) -> list[Duty]:
    """Every department's report owed for `period` (YYYY-MM), judged on `as_of`; the overdue first.

    Raises MartsBehindError when files for the month were ingested after the marts were built."""
    behind = month_files_not_in_marts(connection, period)
    if behind:
        raise MartsBehindError(
            f"{behind} file(s) for {period} were ingested after the last `planwatch transform`: run it first, "
            "or the reminders would chase departments that have reported"
        )
    month_end = Period.parse(period).month_end
    rows = connection.execute(
        """
        select completeness.department_id, coalesce(departments.department_name, completeness.department_id),
            completeness.due_date, completeness.first_received_at, completeness.indicators_expected,
            completeness.indicators_received, completeness.milestones_expected, completeness.milestones_received,
            completeness.files_taken_nothing
        from marts.mart_submission_completeness as completeness
        left join marts.dim_department as departments on completeness.department_id = departments.department_id
        where completeness.period = ?
        order by completeness.department_id
        """,
        [month_end],
    ).fetchall()
    returned = _returned(connection, [row[0] for row in rows], period)
    found = [
        Duty(
            row[0],
            row[1],
            period,
            row[2],
            row[3],
            *row[4:8],
            as_of=as_of,
            return_reason=returned[row[0]][0] if row[0] in returned else None,
            resubmit_by=returned[row[0]][1] if row[0] in returned else None,
            files_taken_nothing=row[8],
        )
        for row in rows
    ]
    return sorted(found, key=lambda duty: (not duty.needs_reminder, -duty.working_days_overdue, duty.department_id))


def _returned(
    connection: duckdb.DuckDBPyConnection, department_ids: list[str], period: str
) -> dict[str, tuple[str, dt.date | None]]:
    """Department → the reason its report for `period` was returned (退回) and not sent again since, and the
    day it is due again (as its 退回通知 says)."""
    from planwatch.briefing.marts import table_exists
    from planwatch.supervision.approval import resubmission_deadline

    if not table_exists(connection, "supervision.submission_reviews"):
        return {}
    config = settings()
    return {
        state.department_id: (
            state.return_reason or "未注明",
            resubmission_deadline(returned_on, config) if (returned_on := china_day(state.returned_at)) else None,
        )
        for state in submission_states(connection, department_ids, period)
        if state.state == "returned"
    }


def write_csv(found: list[Duty], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # with a BOM: Excel opens it as UTF-8
        writer = csv.writer(handle)
        writer.writerow([label for _, label in CSV_COLUMNS])
        for duty in found:
            writer.writerow([_csv_value(getattr(duty, name)) for name, _ in CSV_COLUMNS])
    return path


def _csv_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_text(value)  # never a formula when the office opens it


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def write_notice(found: list[Duty], period: str, as_of: dt.date, issuer: str, path: Path) -> Path | None:
    """The 催报通知 for the departments that have not reported (or not in full); None when there are none."""
    from planwatch.briefing.docx_layout import fix_fonts

    owing = [duty for duty in found if duty.needs_reminder]
    if not owing:
        return None
    due = owing[0].due_date
    document = DocxTemplate(str(REMINDER_TEMPLATE))
    context = {
        "issuer": issuer,
        "period_label": Period.parse(period).label,
        "due_label": _zh_date(due),
        "as_of_label": _zh_date(as_of),
        "count": len(owing),
        "provisional": not known_year(due.year) or not known_year(as_of.year),
        "lines": [
            {"number": index, "name": duty.department_name, "due": _zh_date(duty.due_date), "state": duty.state}
            for index, duty in enumerate(owing, start=1)
        ],
        "issue_date": _zh_date(as_of),
    }
    document.render(context, jinja_env=jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True))
    fix_fonts(document.docx)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda temporary: document.save(str(temporary)))
    return path
