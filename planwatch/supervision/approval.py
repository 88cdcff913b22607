"""The office's decisions on a month's submissions: approve (county, then city) or return with a reason.

A decision covers the department's files for the month received so far (`up_to_load_id`); a file
that arrives later reopens the submission. A returned submission's figures leave the marts at the
next transform (stg_ingest__observations), and the department gets a 退回通知 beside its receipts
saying why and what to do. A locked month (its briefing issued) takes no decision: it changes only
through a correction (corrections.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
from openpyxl import Workbook

from planwatch.atomic_files import write_atomically
from planwatch.briefing.formatting import zh_date
from planwatch.config import Settings
from planwatch.ingest.receipt import safe_text
from planwatch.supervision.follow_up import add_working_days
from planwatch.supervision.ledger import audit, now, transaction
from planwatch.supervision.states import AWAITING_REVIEW, STATE_LABELS, SubmissionState, submission_states


class DecisionError(ValueError):
    """A decision the submission's state does not allow; the message says what to do instead."""


@dataclass(frozen=True)
class Decision:
    department_id: str
    department_name: str
    period: str
    level: str
    decision: str  # approved | returned
    state_after: str


def _level_for(state: SubmissionState, level: str | None) -> str:
    """County first for a county's department, then city; an explicit level is checked against that order."""
    expected = "county" if state.two_levels and state.state == "submitted" else "city"
    if level is None:
        return expected
    if level == "city" and expected == "county":
        raise DecisionError(
            f"{state.department_name}: 县级部门的报送须先经县级审核，再由市级审核（先运行 --level county）"
        )
    if level == "county" and not state.two_levels:
        raise DecisionError(f"{state.department_name}: 市直部门的报送只需市级审核（--level city）")
    return level


def decide(
    connection: duckdb.DuckDBPyConnection,
    department_ids: list[str],
    period: str,
    decision: str,
    actor: str,
    *,
    plan_id: str | None = None,
    level: str | None = None,
    reason: str | None = None,
) -> list[Decision]:
    """Approve or return each department's submission for the month; all decisions or none are recorded."""
    if decision not in ("approved", "returned"):
        raise ValueError(f"decision must be approved or returned, not {decision!r}")
    if decision == "returned" and not (reason and reason.strip()):
        raise DecisionError("退回须写明理由（--reason），理由会写入退回通知发给报送单位")
    states = {state.department_id: state for state in submission_states(connection, department_ids, period)}
    unknown = sorted(set(department_ids) - set(states))
    if unknown:
        raise DecisionError(f"unknown department(s): {', '.join(unknown)} (see plans/reference/departments)")
    if decision == "approved":
        failed = _failed_critical_checks(connection, department_ids, period)
        if failed:
            raise DecisionError(
                f"{period}: 以下部门报送的数据未通过关键数据质量检查，不能审核通过：{'；'.join(failed)}。"
                "请退回（planwatch return）或待更正后重新运行 planwatch check，通过后再审核"
            )
    made = []
    with transaction(connection):
        for department_id in department_ids:
            state = states[department_id]
            # an approved report may still be returned until the month is issued and locked: an error found
            # between approval and 签发 is sent back, not corrected after issue
            open_to = AWAITING_REVIEW | ({"approved"} if decision == "returned" else set())
            if state.state not in open_to:
                raise DecisionError(
                    f"{state.department_name} {period}: 当前状态为{STATE_LABELS[state.state]}，不能"
                    f"{'审核' if decision == 'approved' else '退回'}"
                    + ("；已锁定的月份只能通过更正登记（planwatch correct）修改" if state.state == "locked" else "")
                )
            at_level = _level_for(state, level)
            connection.execute(
                "insert into supervision.submission_reviews values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [plan_id, department_id, period, at_level, decision, reason, state.last_load_id, actor, now()],
            )
            audit(
                connection,
                actor,
                "approve" if decision == "approved" else "return",
                plan_id=plan_id,
                period=period,
                department_id=department_id,
                subject=f"up to load {state.last_load_id}",
                detail={"level": at_level, "reason": reason},
            )
            after = submission_states(connection, [department_id], period)[0].state
            made.append(Decision(department_id, state.department_name, period, at_level, decision, after))
    return made


def _failed_critical_checks(connection: duckdb.DuckDBPyConnection, department_ids: list[str], period: str) -> list[str]:
    """The month's failed critical checks that name a file of one of the departments: 部门 — 检查（文件）."""
    from planwatch.quality.gate import latest_critical_failures

    failures = latest_critical_failures(connection, period)
    files = {name for failure in failures for name in failure.files}
    if not files:
        return []
    senders = dict(
        connection.execute(
            "select loads.file_name, coalesce(departments.department_name, loads.department_id) "
            "from raw.file_loads as loads "
            "left join raw.ref_departments as departments on loads.department_id = departments.department_id "
            "where loads.file_name in (select unnest(?)) and loads.department_id in (select unnest(?))",
            [sorted(files), department_ids],
        ).fetchall()
    )
    return [
        f"{senders[name]} — {failure.message or failure.check_name}（{name}）"
        for failure in failures
        for name in failure.files
        if name in senders
    ]


def write_return_notice(
    receipts_dir: Path,
    state: SubmissionState,
    period: str,
    reason: str,
    files: list[str],
    office: str,
    returned_on: dt.date,
    resubmit_by: dt.date,
) -> Path:
    """The 退回通知 a department finds beside its receipts: why its month was returned, when, and what to do
    by when (`resubmit_by`, see resubmission_deadline)."""
    receipts_dir.mkdir(parents=True, exist_ok=True)
    path = receipts_dir / f"{state.department_name}_{period}_退回通知.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "退回通知"
    lines = [
        ["报送单位", state.department_name],
        ["报送期", period],
        ["状态", "已退回"],
        ["退回理由", reason],
        ["退回日期", zh_date(returned_on)],
        [
            "处理办法",
            f"请按退回理由核实修改后，于{zh_date(resubmit_by)}前使用原填报模板重新报送；"
            "重新报送的文件经审核后方可用于通报。",
        ],
        ["重新报送截止日期", zh_date(resubmit_by)],
        ["退回单位", office],
    ]
    lines += [["退回的文件", name] for name in files]
    for line in lines:
        sheet.append([safe_text(value) for value in line])
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 90
    write_atomically(path, lambda temporary: workbook.save(temporary))
    return path


def resubmission_deadline(returned_on: dt.date, config: Settings) -> dt.date:
    """The day a returned month is due again: `resubmission_working_days` working days after its return
    (public holidays and 调休 counted)."""
    return add_working_days(returned_on, config.resubmission_working_days)


def returning_office(
    connection: duckdb.DuckDBPyConnection, department_id: str, plan_id: str | None, config: Settings
) -> str:
    """Who returns a report, as the 退回通知 names it: the configured issuer, else the 督查室 of the plan's
    region, else of the department's city (a county's department is returned by its city), else the
    summary's issuer."""
    if config.briefing_issuer:
        return config.briefing_issuer
    from planwatch.briefing.gather import OFFICE_SUFFIX

    found = None
    if plan_id is not None:
        found = connection.execute("select region_name from raw.registry_plans where plan_id = ?", [plan_id]).fetchone()
    if found is None:
        found = connection.execute(
            """
            with recursive up(region_code, region_name, level, parent_code) as (
                select r.region_code, r.region_name, r.level, r.parent_code
                from raw.ref_departments as d join raw.ref_regions as r on d.region_code = r.region_code
                where d.department_id = ?
                union all
                select r.region_code, r.region_name, r.level, r.parent_code
                from up join raw.ref_regions as r on up.parent_code = r.region_code
                where up.level not in ('city', 'province')
            )
            select region_name from up where level in ('city', 'province') limit 1
            """,
            [department_id],
        ).fetchone()
    return f"{found[0]}{OFFICE_SUFFIX}" if found else config.briefing_summary_issuer


def files_covered(connection: duckdb.DuckDBPyConnection, department_id: str, period: str, up_to: int) -> list[str]:
    found = connection.execute(
        """
        select file_name from raw.file_loads
        where department_id = ? and status = 'loaded' and load_id <= ?
          and list_contains(string_split(replace(coalesce(periods, ''), ' ', ''), ','), ?)
        order by load_id
        """,
        [department_id, up_to, period],
    ).fetchall()
    return [row[0] for row in found]
