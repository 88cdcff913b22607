"""催报: due dates and overdue days in Chinese working days, and `planwatch remind` on a built warehouse."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from docx import Document

from planwatch.briefing.formatting import zh_date
from planwatch.periods import china_today
from planwatch.supervision.follow_up import add_working_days
from planwatch.supervision.workdays import due_date, is_working_day, known_year, working_days_late

from .conftest import BRIEFING_SAMPLE_LATEST, PROJECT_ROOT, run_planwatch


def test_a_due_date_counts_working_days_past_the_new_year_holiday_and_its_make_up_sunday() -> None:
    # January 2026: 元旦 off on the 1st–3rd, Sunday the 4th worked (调休): the 5th working day is the 8th,
    # where counting Monday to Friday would give the 7th
    assert not is_working_day(dt.date(2026, 1, 1)) and is_working_day(dt.date(2026, 1, 4))
    assert due_date("2025-12", 5) == dt.date(2026, 1, 8)
    # 国庆 2026: 1–7 October off, Saturday the 10th worked
    assert due_date("2026-09", 5) == dt.date(2026, 10, 13)
    assert working_days_late(dt.date(2026, 9, 30), dt.date(2026, 10, 9)) == 2
    assert working_days_late(dt.date(2026, 1, 8), dt.date(2026, 1, 8)) == 0


def test_a_year_whose_holidays_are_not_announced_yet_counts_monday_to_friday_and_says_so() -> None:
    year = next(year for year in range(2026, 2100) if not known_year(year))
    monday = next(dt.date(year, 3, day) for day in range(1, 8) if dt.date(year, 3, day).weekday() == 0)
    assert is_working_day(monday) and not is_working_day(monday + dt.timedelta(days=5))
    # the statutory holidays of a fixed date are off whatever the notice will arrange around them
    weekdays = [day for day in (dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 10, 2)) if day.weekday() < 5]
    assert weekdays and not any(is_working_day(day) for day in weekdays)
    if dt.date(year, 1, 1).weekday() < 4:  # 元旦 on a Monday to Thursday: December's report is due a day later
        assert due_date(f"{year - 1}-12", 5) > nth_weekday_after_new_year(year, 5)


def nth_weekday_after_new_year(year: int, n: int) -> dt.date:
    """The n-th Monday-to-Friday day of January, 元旦 counted as one."""
    days = [dt.date(year, 1, day) for day in range(1, 15) if dt.date(year, 1, day).weekday() < 5]
    return days[n - 1]


@pytest.mark.slow
@pytest.mark.xdist_group("briefing_warehouse")
def test_remind_lists_who_owes_the_month_with_working_days_overdue_and_writes_the_notice(
    briefing_sample_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(briefing_sample_warehouse, warehouse)
    period = BRIEFING_SAMPLE_LATEST
    with duckdb.connect(str(warehouse)) as connection:
        [first, second, returned] = [
            row[0]
            for row in connection.execute(
                "select department_id from marts.mart_submission_completeness "
                "where strftime(period, '%Y-%m') = ? and submissions_received = 1 order by department_id limit 3",
                [period],
            ).fetchall()
        ]
        # these two departments' files for the month never arrived
        loads = (
            f"select load_id from raw.file_loads where department_id in ('{first}', '{second}') "
            f"and periods like '%{period}%'"
        )
        for table in ("observations", "milestone_reports", "quarantine", "ignored_rows", "observation_findings"):
            connection.execute(f"delete from raw.{table} where load_id in ({loads})")
        connection.execute(f"delete from raw.file_loads where load_id in ({loads})")
    run_planwatch("transform", "--select", "mart_submission_completeness+", env={"PLANWATCH_WAREHOUSE": str(warehouse)})
    # a third department's report came and was returned (退回): owed again until it is sent again
    run_planwatch(
        "return", "--period", period, "--department", returned, "--reason", "数据与统计局口径不一致",
        "--warehouse", str(warehouse), env={"PLANWATCH_OUTPUT_DIR": str(tmp_path / "returns")},
    )  # fmt: skip

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planwatch",
            "remind",
            "--period",
            period,
            "--as-of",
            "2026-01-20",
            "--warehouse",
            str(warehouse),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # someone owes the month

    with (tmp_path / "out" / f"催报清单_{period}.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["单位编码"]: row for row in csv.DictReader(handle)}
    # due the 8th (the 5th working day after 元旦); on the 20th: the 9th, 12th–16th, 19th, 20th = 8 days
    for department in (first, second):
        assert rows[department]["截止日期"] == "2026-01-08"
        assert rows[department]["状态"] == "未报送，已逾期8个工作日"
        assert rows[department]["逾期工作日"] == "8"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        marts = dict(
            connection.execute(
                "select department_id, working_days_late from marts.mart_submission_completeness "
                "where strftime(period, '%Y-%m') = ? and submissions_received = 1",
                [period],
            ).fetchall()
        )
    assert marts and all(value is not None and value >= 0 for value in marts.values())
    for department, late in marts.items():  # the mart's working days late and the list agree
        assert rows[department]["逾期工作日"] == str(late), department

    notice = Document(str(tmp_path / "out" / f"催报通知_{period}.docx"))
    text = "\n".join(p.text for p in notice.paragraphs)
    cells = [cell.text for table in notice.tables for row in table.rows for cell in row.cells]
    assert "关于报送2025年12月规划目标监测数据的催报通知" in text and "2026年1月8日前" in text
    names = dict(
        duckdb.connect(str(warehouse), read_only=True)
        .execute("select department_id, department_name from marts.dim_department")
        .fetchall()
    )
    assert names[first] in cells and names[second] in cells
    assert "未报送，已逾期8个工作日" in cells
    # due again three working days after its return (resubmission_working_days), as its 退回通知 says
    resubmit_by = add_working_days(china_today(), 3)
    assert rows[returned]["状态"] == f"已退回，请于{zh_date(resubmit_by)}前重新报送（退回理由：数据与统计局口径不一致）"
    assert names[returned] in cells and rows[returned]["状态"] in cells
    later = tmp_path / "later"
    after_the_deadline = (resubmit_by + dt.timedelta(days=1)).isoformat()
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "remind", "--period", period, "--as-of", after_the_deadline,
         "--warehouse", str(warehouse), "--output", str(later)],
        capture_output=True, text=True, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    with (later / f"催报清单_{period}.csv").open(encoding="utf-8-sig") as handle:
        overdue = {row["单位编码"]: row["状态"] for row in csv.DictReader(handle)}[returned]
    deadline = f"重新报送截止日期{zh_date(resubmit_by)}"
    assert overdue == f"已退回，逾期未重新报送（{deadline}）（退回理由：数据与统计局口径不一致）"


@pytest.mark.xdist_group("briefing_warehouse")
def test_states_lists_the_departments_the_month_concerns(briefing_sample_warehouse: Path) -> None:
    """Without --plan, `states` lists who owes the month (or sent something), not every department of the
    registry as 未报送; with --plan, one owing nothing that month says so."""
    period = BRIEFING_SAMPLE_LATEST
    with duckdb.connect(str(briefing_sample_warehouse), read_only=True) as connection:
        owing = {
            row[0]
            for row in connection.execute(
                "select department_id from marts.mart_submission_completeness where strftime(period, '%Y-%m') = ?",
                [period],
            ).fetchall()
        }
        every = connection.execute("select count(*) from raw.ref_departments").fetchone()[0]
    listed = run_planwatch("states", "--period", period, "--warehouse", str(briefing_sample_warehouse))
    shown = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert owing and shown == owing and len(shown) < every
    assert "本月无报送任务" not in listed


def test_a_reply_is_dated_by_the_day_in_china_not_in_utc() -> None:
    """07:30 on 11 December in Beijing is 23:30 on the 10th in UTC, as the warehouse stores it: the 11th."""
    from planwatch.periods import china_day

    assert china_day(dt.datetime(2025, 12, 10, 23, 30)) == dt.date(2025, 12, 11)
    assert china_day(dt.datetime(2025, 12, 10, 15, 59)) == dt.date(2025, 12, 10)
    assert china_day(None) is None


@pytest.mark.xdist_group("briefing_warehouse")
def test_a_file_of_which_nothing_was_taken_is_no_submission_and_its_department_is_reminded(
    briefing_sample_warehouse: Path,
) -> None:
    """The sample's mess quarantines the only figure of some files: their receipts say 未接收任何数据, and
    the month stays owed in the marts, the states and the 催报 list, which say why."""
    from planwatch.supervision.remind import duties
    from planwatch.supervision.states import submission_states

    with duckdb.connect(str(briefing_sample_warehouse), read_only=True) as connection:
        empty = connection.execute(
            """
            select department_id, periods from raw.file_loads as empty
            where status = 'loaded' and rows_loaded = 0 and rows_quarantined > 0 and layout <> 'correction'
              and exists (  -- a month the department owes
                  select 1 from marts.mart_submission_completeness as owed
                  where owed.department_id = empty.department_id and strftime(owed.period, '%Y-%m') = empty.periods)
              and not exists (
                  select 1 from raw.file_loads as other
                  where other.department_id = empty.department_id and other.periods = empty.periods
                    and other.status = 'loaded' and other.rows_loaded > 0)
            order by department_id, periods
            """
        ).fetchall()
        assert empty, "the seed-11 sample has files whose every figure was quarantined"
        for department_id, period in empty:
            [(received, files, nothing, first)] = connection.execute(
                "select submissions_received, files_received, files_taken_nothing, first_received_at "
                "from marts.mart_submission_completeness where department_id = ? and strftime(period, '%Y-%m') = ?",
                [department_id, period],
            ).fetchall()
            assert (received, files, first) == (0, 0, None) and nothing >= 1, (department_id, period)
            [state] = submission_states(connection, [department_id], period)
            assert state.state == "not_submitted" and "均未接收任何数据" in state.label, state
            [duty] = [d for d in duties(connection, period, dt.date(2026, 12, 1)) if d.department_id == department_id]
            assert duty.needs_reminder and "均未接收任何数据" in duty.state and "已逾期" in duty.state, duty.state


def _duty(**overrides: object):
    from planwatch.supervision.remind import Duty

    values: dict = {
        "department_id": "zhangye.agriculture_rural_bureau",
        "department_name": "张掖市农业农村局",
        "period": "2025-02",
        "due_date": dt.date(2025, 3, 7),  # a Friday
        "first_received_at": None,
        "indicators_expected": 3,
        "indicators_received": 0,
        "milestones_expected": 0,
        "milestones_received": 0,
        "as_of": dt.date(2025, 3, 9),
    }
    values.update(overrides)
    return Duty(**values)


def test_a_report_not_in_by_a_weekend_after_its_friday_due_date_is_past_due_not_before_it() -> None:
    assert _duty().state == "未报送，已过截止日" and _duty().needs_reminder
    assert _duty(as_of=dt.date(2025, 3, 7)).state == "未报送，未到截止日"
    assert _duty(as_of=dt.date(2025, 3, 10)).state == "未报送，已逾期1个工作日"


def test_a_file_that_came_after_the_as_of_day_is_not_known_on_it() -> None:
    """As of 14 February, a file of the 20th has not come: no 逾期8个工作日报送 dated after the day judged."""
    later = _duty(
        due_date=dt.date(2025, 2, 10),
        as_of=dt.date(2025, 2, 14),
        first_received_at=dt.datetime(2025, 2, 20, 9, 30),
        indicators_received=3,
    )
    assert not later.received and later.received_at is None and later.needs_reminder
    assert later.state == "未报送，已逾期4个工作日"
    now = later.__class__(**{**later.__dict__, "as_of": dt.date(2025, 2, 21)})
    assert now.received and now.state == "逾期8个工作日报送"


@pytest.mark.xdist_group("briefing_warehouse")
def test_remind_refuses_marts_built_before_the_months_last_files(
    briefing_sample_warehouse: Path, tmp_path: Path
) -> None:
    """After `ingest` and before `transform`, the submission mart does not count the new files: reminders drawn
    from it would tell a department that reported that it is overdue. `remind` asks for the transform."""
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(briefing_sample_warehouse, warehouse)
    period = BRIEFING_SAMPLE_LATEST
    with duckdb.connect(str(warehouse)) as connection:
        # as the mart stood before one department's file was ingested
        connection.execute(
            "update marts.mart_submission_completeness set files_received = files_received - 1, "
            "submissions_received = 0, first_received_at = null where strftime(period, '%Y-%m') = ? "
            "and department_id = (select min(department_id) from marts.mart_submission_completeness "
            "where strftime(period, '%Y-%m') = ? and files_received = 1)",
            [period, period],
        )
    command = ["remind", "--period", period, "--as-of", "2026-01-20", "--warehouse", str(warehouse)]
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", *command, "--output", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode != 0 and "1 file(s) for" in done.stdout + done.stderr, done.stdout + done.stderr
    assert "planwatch transform" in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()
