"""The supervision loop over three simulated months of the Hohhot plan (2023-09 … 2023-11).

Departments report (one late, one not at all, one returned and resubmitting); the office approves,
issues month 1 (督办 opened, the month locked, the files archived), a late upload for the locked month
is refused; in month 2 a department replies to its 督办 on time, the office corrects a locked figure and
issues; month 3's draft shows who has not replied. Month 1's issued files never change and re-render
byte for byte. Everything runs for real: sample files, ingest, dbt, the quality gate, the renderers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from planwatch.briefing.context import Briefing
from planwatch.briefing.formatting import zh_date
from planwatch.briefing.gather import gather_plan
from planwatch.briefing.render import render_html
from planwatch.briefing.run import brief_month
from planwatch.config import settings
from planwatch.ingest.raw_schema import ensure_tables
from planwatch.ingest.run import ingest_files
from planwatch.periods import china_today
from planwatch.quality.run import check_and_gate
from planwatch.registry.load import load_registry
from planwatch.supervision import approval, corrections, follow_up, issuing
from planwatch.supervision.issuing import (
    IssuedArchiveAlteredError,
    IssuedBriefingChangedError,
    IssueError,
    IssueResult,
    deliver_issued,
    issue_briefing,
    issue_month,
    plan_departments,
    reproduce,
    review_briefing,
)
from planwatch.supervision.remind import duties
from planwatch.supervision.states import submission_states
from planwatch.transform import transform
from planwatch.warehouse import connect, load_registry_tables

from .conftest import PLANS_DIR, run_planwatch

PLAN = "hohhot_dairy_cluster_2021"
MONTHS = ("2023-09", "2023-10", "2023-11")
LATE = "呼和浩特市区域经济合作局"
MISSING = "呼和浩特市科学技术局"  # never reports 2023-09
RETURNED = "呼和浩特市发展和改革委员会"
PLAN_TITLE_WORD = "乳业"  # in the plan's title, on every page of its briefing
CST = dt.timezone(dt.timedelta(hours=8))


def _arrive(path: Path, day: dt.date) -> None:
    """The file lands in the folder on `day` (10:00 China time): its modification time is its arrival."""
    moment = dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST).timestamp()
    os.utime(path, (moment, moment))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Office:
    """The pieces of one deployment: its warehouse, output folders and settings."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.warehouse = root / "w.duckdb"
        self.plans = root / "plans"  # the registry with the Hohhot plan alone: a smaller sample, a faster build
        shutil.copytree(PLANS_DIR, self.plans)
        for other in self.plans.glob("*.yml"):
            if other.stem != PLAN:
                other.unlink()
        self.config = settings().model_copy(
            update={
                "output_dir": root / "out",
                "issued_dir": root / "issued",
                "warehouse": self.warehouse,
                "plans_dir": self.plans,
            }
        )
        self.registry = load_registry(self.config.plans_path)
        self.env = {
            "PLANWATCH_PLANS_DIR": str(self.plans),
            "PLANWATCH_WAREHOUSE": str(self.warehouse),
            "PLANWATCH_OUTPUT_DIR": str(root / "out"),
            "PLANWATCH_ISSUED_DIR": str(root / "issued"),
        }
        with connect(self.warehouse) as connection:
            load_registry_tables(connection, self.registry)

    def ingest(self, *files: Path) -> list:
        return ingest_files(list(files), self.warehouse, self.registry, self.root / "out" / "receipts")

    def build(self, period: str) -> None:
        # dbt's artefacts apart from other tests' runs: the project is parsed once, then partially (a
        # shared target is parsed again whenever another test's warehouse used it in between)
        built = transform(
            warehouse=self.warehouse,
            environment={"DBT_TARGET_PATH": str(self.root / "dbt_target"), "DBT_LOG_PATH": str(self.root / "dbt_logs")},
        )
        assert built.success, built.failures
        _, decision = check_and_gate(self.warehouse, period, self.root / "out")
        assert decision.publishable

    def states(self, period: str) -> dict[str, str]:
        with duckdb.connect(str(self.warehouse)) as connection:
            departments = plan_departments(connection, PLAN, period)
            return {s.department_name: s.state for s in submission_states(connection, departments, period)}

    def approve_all(self, period: str) -> None:
        run_planwatch("approve", "--period", period, "--plan", PLAN, "--actor", "张科长", env=self.env)

    def issue(self, period: str, signed_on: dt.date) -> IssueResult:
        """审核, then 签发 on `signed_on` at 10:00 China time: the months simulated are past, so the clock the
        signing reads (its date and time) is that day's."""
        review_briefing(self.warehouse, PLAN, period, "王主任", self.config)
        moment = dt.datetime(signed_on.year, signed_on.month, signed_on.day, 10, tzinfo=CST)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(issuing, "now", lambda: moment.astimezone(dt.UTC).replace(tzinfo=None))
            return issue_briefing(self.warehouse, PLAN, period, "李秘书长", self.config)

    def draft(self, period: str) -> Briefing:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return gather_plan(connection, PLAN, period, config=self.config)


def test_an_archived_context_an_earlier_version_wrote_is_reported_not_a_traceback(tmp_path: Path) -> None:
    """`reproduce` after an upgrade: a context the current model cannot read is said so, plainly."""
    from planwatch.supervision.issuing import IssuedBriefingChangedError, _archived

    from .test_briefing_render import _briefing

    archived = json.loads(_briefing().model_dump_json())
    archived["quality"][0]["departments"] = "凤岭县市场监督管理局"  # a field this version no longer has
    context = tmp_path / "plan_620800_2025-10.json"
    context.write_text(json.dumps(archived, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(IssuedBriefingChangedError, match="earlier version of planwatch") as refused:
        _archived(Briefing, context)
    assert "quality.0.departments" in str(refused.value) and "the issued files stand" in str(refused.value)
    context.write_text(_briefing().model_dump_json(), encoding="utf-8")
    assert _archived(Briefing, context) == _briefing()


def test_a_briefing_signed_after_its_scheduled_day_is_dated_the_day_it_was_signed_and_reproduces(
    tmp_path: Path,
) -> None:
    """The draft (送审稿) carries its scheduled date, 10 November; signed on the 14th, the issued briefing is dated
    the 14th (its 成文日期), with 督办落实情况 as that day stood: a reply due on the 12th and not sent is 逾期未反馈
    by then. The date is in its archived context, so a re-rendering gives the issued bytes."""
    from planwatch.briefing.supervision_sections import follow_up_status
    from planwatch.supervision.issuing import MANIFEST, _render_archive, signed

    from .test_briefing_render import _briefing

    signed_on = dt.date(2025, 11, 14)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        ensure_tables(connection)
        connection.execute(
            "insert into supervision.follow_up_items (item_id, plan_id, opened_period, issue_number, kind, "
            "subject_id, subject, department_name, ask, reply_due, opened_at, state) values ('DB202509-001', "
            "'demo_plan_2023', '2025-09', 9, 'target', 'demo.potato.620826.2025', '马铃薯种植面积严重滞后', "
            "'静宁县农业农村局', '请整改', '2025-11-12', '2025-10-10 02:00:00', 'open')"
        )
        scheduled = _briefing()  # as gathered: 督办落实情况 as of the scheduled date
        on_schedule = follow_up_status(connection, "demo_plan_2023", scheduled.period, scheduled.issue_date, None)
        draft = scheduled.model_copy(update={"follow_up": on_schedule})
        issued = signed(connection, draft, signed_on)
    assert draft.issue_date == dt.date(2025, 11, 10) and not draft.is_issued
    assert (issued.issue_date, issued.is_issued) == (signed_on, True)
    assert [item.status for item in draft.follow_up.items] == ["open"]
    assert [item.status for item in issued.follow_up.items] == ["overdue"]
    drafted = render_html(draft)
    assert "2025年11月10日" in drafted and "送审稿" in drafted
    archive = tmp_path / "issued"
    hashes = _render_archive([issued], [], archive)
    (archive / MANIFEST).write_text(json.dumps({"files": hashes}), encoding="utf-8")
    html = (archive / f"{issued.file_stem}.html").read_text(encoding="utf-8")
    assert "2025年11月14日" in html and "2025年11月10日" not in html and "送审稿" not in html
    assert "逾期未反馈1项" in html
    with zipfile.ZipFile(archive / f"{issued.file_stem}.docx") as package:
        assert "2025年11月14日" in package.read("word/document.xml").decode("utf-8")
    context = json.loads((archive / "contexts" / f"{issued.file_stem}.json").read_text(encoding="utf-8"))
    assert context["issue_date"] == "2025-11-14"
    reproduced = reproduce(archive, tmp_path / "reproduced", ["html", "pdf", "docx"])
    assert {path.name: _sha256(path) for path in reproduced} == hashes


def test_a_target_missed_last_year_is_followed_up_and_one_missed_long_ago_is_not() -> None:
    """The year after its target year, a 未完成 target is a 督办事项 (it sits among the final verdicts, not
    the running targets); two years on, nobody can still act on it."""
    from planwatch.supervision.issuing import _subjects

    from .test_briefing_render import _briefing, _target

    missed = _target(
        target_id="demo.beef.620825.2024",
        target_year=2024,
        status="missed",
        is_final_verdict=True,
        completion_rate=80.0,
        time_progress=100.0,
        gap_pp=-20.0,
    )
    briefing = _briefing(period=dt.date(2025, 3, 31), targets=(), lagging=(), headline=(), final_targets=(missed,))
    [subject] = [found for found in _subjects(briefing, include_lagging=False) if found.kind == "target"]
    assert (subject.kind, subject.subject_id, subject.lead_unit) == ("target", missed.target_id, missed.lead_unit)
    assert "未完成" in subject.subject and "完成率80.0%" in subject.ask and "时序进度" not in subject.ask
    # the target itself is named: a level and a growth target of one figure and year read apart
    assert subject.subject == "庄浪县肉牛饲养量（2024年目标不低于16.5万头）未完成"
    growth = missed.model_copy(update={"target_id": "demo.beef.growth", "target_kind": "average_annual_growth"})
    both = briefing.model_copy(update={"final_targets": (missed, growth)})
    named = [found.subject for found in _subjects(both, include_lagging=False) if found.kind == "target"]
    assert len(set(named)) == 2, named
    long_ago = missed.model_copy(update={"target_year": 2022})
    later = briefing.model_copy(update={"final_targets": (long_ago,)})
    assert [found for found in _subjects(later, include_lagging=False) if found.kind == "target"] == []
    # the plan's milestones: one overdue since June 2024 is still followed up; two years on, not any more
    [milestone] = briefing.overdue_milestones
    final = briefing.model_copy(update={"is_final_assessment": True, "milestones": (milestone.model_copy(
        update={"deadline": dt.date(2024, 6, 30)}),)})  # fmt: skip
    assert [found.subject_id for found in _subjects(final, False) if found.kind == "milestone"] == ["m1"]
    ended = final.model_copy(update={"period": dt.date(2026, 3, 31)})
    assert [found for found in _subjects(ended, False) if found.kind == "milestone"] == []


@pytest.mark.slow
def test_three_months_of_supervision(tmp_path: Path) -> None:
    office = Office(tmp_path)
    sample = tmp_path / "sample"
    run_planwatch(
        "sample", "--until", MONTHS[-1], "--out", str(sample), "--mess", "0", "--seed", "7",
        "--plans-dir", str(office.plans),
    )  # fmt: skip
    history = sorted(p for p in sample.glob("20*/*") if p.parent.name < MONTHS[0])
    month = {m: sorted((sample / m).iterdir()) for m in MONTHS}
    for path in history:
        _arrive(path, dt.date(2023, 8, 1))

    # ── month 1: 2023-09, due the 5th working day of October: 11 October (国庆 1–6, 7–8 worked as 调休)
    first = MONTHS[0]
    held_back = next(p for p in month[first] if p.name.startswith(MISSING))
    arriving = [p for p in month[first] if p != held_back]
    for path in arriving:
        _arrive(path, dt.date(2023, 10, 13) if path.name.startswith(LATE) else dt.date(2023, 10, 9))
    office.ingest(*history, *arriving)
    office.build(first)

    with duckdb.connect(str(office.warehouse), read_only=True) as connection:
        on_the_10th = {d.department_name: d for d in duties(connection, first, dt.date(2023, 10, 10))}
        on_the_16th = {d.department_name: d for d in duties(connection, first, dt.date(2023, 10, 16))}
        late_in_marts = connection.execute(
            "select d.department_name, m.working_days_late from marts.mart_submission_completeness m "
            "join marts.dim_department d using (department_id) where strftime(m.period, '%Y-%m') = ?",
            [first],
        ).fetchall()
    # the 10th is ten calendar days into October but only the 3rd working day: nobody is overdue yet
    assert on_the_10th[MISSING].due_date == dt.date(2023, 10, 11)
    assert not on_the_10th[MISSING].needs_reminder or "逾期" not in on_the_10th[MISSING].state
    assert on_the_16th[MISSING].needs_reminder and "已逾期3个工作日" in on_the_16th[MISSING].state
    assert dict(late_in_marts)[LATE] == 2  # arrived the 13th: the 12th and the 13th

    states = office.states(first)
    assert states[MISSING] == "not_submitted" and states[RETURNED] == "submitted"

    # the office returns one department's month; the department sees why and sends it again
    run_planwatch(
        "return", "--period", first, "--department", "hohhot.development_reform_commission",
        "--reason", "规上工业增加值与统计局口径不一致，请核实", "--plan", PLAN, "--actor", "张科长", env=office.env,
    )  # fmt: skip
    notice = openpyxl.load_workbook(tmp_path / "out" / "receipts" / f"{RETURNED}_{first}_退回通知.xlsx").active
    assert any("规上工业增加值与统计局口径不一致" in str(cell.value) for row in notice.iter_rows() for cell in row)
    said = {row[0].value: row[1].value for row in notice.iter_rows()}
    assert said["退回单位"] == "呼和浩特市人民政府督查室"  # the plan's office, as its briefing is issued by
    # dated, with a deadline three working days on (resubmission_working_days), holidays counted
    returned_on = china_today()
    resubmit_by = follow_up.add_working_days(returned_on, 3)
    assert said["退回日期"] == zh_date(returned_on) and said["重新报送截止日期"] == zh_date(resubmit_by)
    assert f"于{zh_date(resubmit_by)}前" in said["处理办法"] and resubmit_by > returned_on
    assert office.states(first)[RETURNED] == "returned"
    original = next(p for p in arriving if p.name.startswith(RETURNED))
    # the same bytes sent again answer nothing: refused, saying the month was returned and why
    unchanged = tmp_path / "unchanged" / original.name.replace(".xlsx", "_再报.xlsx")
    unchanged.parent.mkdir()
    shutil.copyfile(original, unchanged)
    [again] = office.ingest(unchanged)
    assert again.status == "rejected" and "已被退回" in again.reason
    assert "规上工业增加值与统计局口径不一致" in again.reason
    assert office.states(first)[RETURNED] == "returned"
    resubmitted = tmp_path / "resubmit" / original.name.replace(".xlsx", "_重报.xlsx")
    resubmitted.parent.mkdir()
    workbook = openpyxl.load_workbook(original)
    workbook.worksheets[1]["A1"] = f"{workbook.worksheets[1]['A1'].value}（重报）"
    workbook.save(resubmitted)
    _arrive(resubmitted, dt.date(2023, 10, 12))
    [result] = office.ingest(resubmitted)
    assert result.status == "loaded"
    assert office.states(first)[RETURNED] == "submitted"

    # nothing issues while a report waits for review
    with pytest.raises(IssueError, match="尚未审核"):
        review_briefing(office.warehouse, PLAN, first, "王主任", office.config)
    office.approve_all(first)
    assert set(office.states(first).values()) <= {"approved", "not_submitted"}
    office.build(first)
    # what is signed is what was reviewed: a briefing that reads otherwise since (here its issuing office)
    # waits for a new review
    review_briefing(office.warehouse, PLAN, first, "王主任", office.config)
    # 审核与签发分离: who reviewed a briefing does not sign it
    with pytest.raises(IssueError, match="不能由同一人签发"):
        issue_briefing(office.warehouse, PLAN, first, "王主任", office.config)
    renamed = office.config.model_copy(update={"briefing_issuer": "呼和浩特市人民政府办公室"})
    with pytest.raises(IssueError, match="审核后本月数据或通报内容已有变化"):
        issue_briefing(office.warehouse, PLAN, first, "李秘书长", renamed)
    # scheduled for 12 October (the day after the reports were due), signed on Monday the 16th: the issued
    # briefing, its letters and its 督办 deadlines are dated the day it was signed, the draft the scheduled day
    assert office.draft(first).issue_date == dt.date(2023, 10, 12)
    signed_on = dt.date(2023, 10, 16)
    issued = office.issue(first, signed_on)
    assert issued.issue_date == signed_on
    assert issued.opened, "month 1 has severely lagging targets or overdue milestones to follow up"
    assert {item["reply_due"] for item in issued.opened} == {follow_up.add_working_days(signed_on, 10)}
    # months are issued in order: an earlier month would claim the 督办 its successor opened and closed
    with pytest.raises(IssueError, match=f"{first}的通报已签发.*不能再签发更早月份"):
        review_briefing(office.warehouse, PLAN, "2023-08", "王主任", office.config)
    month_one_files = {path.name: _sha256(path) for path in issued.files}
    manifest = json.loads((issued.archive_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"] == month_one_files and manifest["issued_by"] == "李秘书长"
    assert manifest["issue_date"] == "2023-10-16" and manifest["issued_at"] == "2023-10-16T02:00:00"
    # the signed briefing carries no draft mark (送审稿, on what `planwatch brief` writes before 签发)
    signed = [path for path in issued.archive_dir.glob("*.html") if "_letter" not in path.name]
    assert signed and not any("送审稿" in path.read_text(encoding="utf-8") for path in signed)
    # every issued page, the briefings and the letters, is dated the day it was signed
    pages = [path.read_text(encoding="utf-8") for path in issued.archive_dir.glob("*.html")]
    assert pages and all('<td class="right">2023年10月16日</td>' in page for page in pages)
    assert set(office.states(first).values()) == {"locked"}
    # 一单位一单: each item is in its lead unit's own letter, with its deadline
    letters = {path: path.read_text(encoding="utf-8") for path in issued.archive_dir.glob("*_letter*.html")}
    assert letters and all(path.with_suffix(".pdf").name in month_one_files for path in letters)
    for item in issued.opened:
        due = f"{item['reply_due'].year}年{item['reply_due'].month}月{item['reply_due'].day}日"
        assert any(
            f"{item['department_name']}：" in text and item["item_id"] in text and due in text
            for text in letters.values()
        ), item["item_id"]

    # the missing department's file arrives after the month was issued: refused, with how to correct
    _arrive(held_back, dt.date(2023, 10, 20))
    [refused] = office.ingest(held_back)
    assert refused.status == "rejected"
    assert "已随" in refused.reason and "签发并锁定" in refused.reason and "更正申请" in refused.reason

    # ── month 2: 2023-10; one department replies to its 督办 in time, the others do not
    second = MONTHS[1]
    for path in month[second]:
        _arrive(path, dt.date(2023, 11, 6))
    office.ingest(*month[second])
    with duckdb.connect(str(office.warehouse)) as connection:
        forms = follow_up.write_reply_forms(connection, first, tmp_path / "forms", "呼和浩特市人民政府督查室")
    assert forms
    form = forms[0]
    workbook = openpyxl.load_workbook(form)
    sheet = workbook["整改反馈"]
    answered = sheet["A3"].value
    sheet["D3"], sheet["E3"], sheet["F3"] = "已制定专项推进方案，每周调度", "2024-03-31", "否"
    workbook.save(form)
    reply_due = next(item["reply_due"] for item in issued.opened if item["item_id"] == answered)
    _arrive(form, reply_due - dt.timedelta(days=2))
    [reply] = office.ingest(form)
    assert reply.status == "loaded" and reply.rows_loaded == 1
    # its receipt says one 整改反馈 was taken, not 接收数据项 0
    told = dict(row[:2] for row in openpyxl.load_workbook(reply.receipt).worksheets[0].iter_rows(values_only=True))
    assert told["接收整改反馈"] == 1 and "接收数据项" not in told
    with duckdb.connect(str(office.warehouse), read_only=True) as connection:
        # as the days stood: before it arrived the item was still 办理中; two days before its deadline, 已反馈
        before, after = (
            {item["item_id"]: item["status_label"] for item in follow_up.item_lines(connection, PLAN, second, day)}
            for day in (reply_due - dt.timedelta(days=3), reply_due)
        )
    assert (before[answered], after[answered]) == ("办理中", "已反馈")

    # a locked figure of month 1 is corrected: recorded, old and new, and shown once in the next briefing
    with duckdb.connect(str(office.warehouse)) as connection:
        figure = connection.execute(
            """
            select o.indicator_code, o.region_code, o.measure, o.value from marts.fct_observation o
            join marts.dim_target t on o.indicator_code = t.indicator_code and o.region_code = t.region_code
            where t.plan_id = ? and strftime(o.period, '%Y-%m') = ? order by 1, 2, 3 limit 1
            """,
            [PLAN, first],
        ).fetchone()
        indicator, region, measure, old = figure
        reference = office.registry.reference
        # a value no report could carry is refused as ingest refuses it
        with pytest.raises(corrections.CorrectionError, match="为负数"):
            corrections.correct(connection, indicator, region, first, -5.0, "更正", "张科长", measure, reference)
        interim = round(old * 1.05, 2)
        corrections.correct(connection, indicator, region, first, interim, "初步更正", "张科长", measure, reference)
        # a correction to the value already in use changes nothing and is not recorded
        with pytest.raises(corrections.CorrectionError, match="无需更正"):
            corrections.correct(connection, indicator, region, first, interim, "重复", "张科长", measure, reference)
        # corrected again before the marts were rebuilt: the old value is the first correction's, not the marts'
        done = corrections.correct(
            connection,
            indicator,
            region,
            first,
            round(old * 1.1, 2),
            "统计年报核定后更正",
            "张科长",
            measure,
            reference,
        )
    assert done.old_value == interim
    office.build(second)
    draft = office.draft(second)
    assert [(c.old_value, c.new_value) for c in draft.corrections] == [(old, interim), (interim, round(old * 1.1, 2))]
    assert draft.follow_up is not None
    assert draft.follow_up.replied_on_time == 1
    assert draft.follow_up.count("overdue") == len(issued.opened) - 1  # the others' deadline passed unanswered
    html = render_html(draft)
    assert "更正说明" in html and "督办落实情况" in html and "统计年报核定后更正" in html
    assert any(name in html for name in draft.follow_up.overdue_units)
    with duckdb.connect(str(office.warehouse), read_only=True) as connection:
        used = connection.execute(
            "select value from marts.fct_observation where indicator_code = ? and region_code = ? "
            "and strftime(period, '%Y-%m') = ? and measure = ?",
            [indicator, region, first, measure],
        ).fetchone()[0]
        audit = connection.execute("select action, actor from supervision.audit_log order by recorded_at").fetchall()
        in_marts = connection.execute(
            "select item_id, follow_up_status, replied_on_time, latest_measures from marts.mart_follow_up_items"
        ).fetchall()
        reviews = connection.execute(
            "select department_id, city_decision, return_reason, is_locked from marts.mart_submission_reviews "
            "where strftime(period, '%Y-%m') = ?",
            [first],
        ).fetchall()
    assert used == round(old * 1.1, 2)  # the marts read the corrected figure
    # for BI: each item with its reply, each department's month with its review
    assert (answered, "replied", True, "已制定专项推进方案，每周调度") in in_marts
    assert len(in_marts) == len(issued.opened)
    assert ("hohhot.development_reform_commission", "approved", None, True) in reviews
    assert {("return", "张科长"), ("approve", "张科长"), ("issue", "李秘书长"), ("correct", "张科长")} <= set(audit)
    office.approve_all(second)
    second_issue = office.issue(second, dt.date(2023, 11, 10))  # on the scheduled day

    # ── month 3: 2023-11; the correction was reported in month 2 and is not repeated
    third = MONTHS[2]
    for path in month[third]:
        _arrive(path, dt.date(2023, 12, 6))
    office.ingest(*month[third])
    office.build(third)
    draft = office.draft(third)
    assert draft.corrections == ()
    assert draft.follow_up is not None
    ids = {item.item_id for item in draft.follow_up.items}
    assert {item["item_id"] for item in issued.opened + second_issue.opened} - set(second_issue.closed) <= ids
    assert draft.follow_up.overdue_units  # named in month 3 too
    assert "督办落实情况" in render_html(draft)

    # month 1's issued files never changed; a month's run delivers them as issued, and re-rendering them
    # from the archived contexts (`planwatch reproduce`) gives the same bytes
    assert {path.name: _sha256(path) for path in sorted(issued.archive_dir.glob("*.*")) if path.suffix != ".json"} == (
        month_one_files
    )
    again = brief_month(office.warehouse, first, tmp_path / "again", PLAN, summary=False, config=office.config)
    assert {path.name: _sha256(path) for path in again.written} == month_one_files
    assert again.delivered_issued == len(month_one_files)
    issued_html = {name: sha for name, sha in month_one_files.items() if name.endswith(".html")}
    reproduced = reproduce(issued.archive_dir, tmp_path / "reproduced", ["html", "docx"])
    assert reproduced and {path.name: _sha256(path) for path in reproduced} == {
        name: sha for name, sha in month_one_files.items() if name.endswith((".html", ".docx"))
    }
    said = run_planwatch("reproduce", "--period", first, "--plan", PLAN, "--format", "html", env=office.env)
    assert f"{PLAN} {first}: {len(issued_html)} files re-rendered, each the issued bytes" in said, said

    # a rendering that differs from the issued bytes is refused, and nothing is written
    tampered = tmp_path / "tampered"
    shutil.copytree(issued.archive_dir, tampered)
    tampered.chmod(0o755)
    for path in tampered.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    context = next((tampered / "contexts").glob("*.json"))
    context.write_text(context.read_text(encoding="utf-8").replace(PLAN_TITLE_WORD, "改动"), encoding="utf-8")
    with pytest.raises(IssuedBriefingChangedError, match="differs from the issued file"):
        reproduce(tampered, tmp_path / "not_written", ["html"])
    assert not (tmp_path / "not_written").exists()

    # a month's run delivers the archived files as issued, whatever a rendering would give now ...
    delivered = deliver_issued(tampered, tmp_path / "delivered", ["html"])
    assert issued_html and {path.name: _sha256(path) for path in delivered} == issued_html
    # ... unless an archived file is not the one issued: then nothing is written
    altered = next(tampered.glob("*.html"))
    altered.write_text(altered.read_text(encoding="utf-8") + "<!-- -->", encoding="utf-8")
    with pytest.raises(IssuedArchiveAlteredError, match=altered.name):
        deliver_issued(tampered, tmp_path / "nothing_delivered", ["html"])
    assert not (tmp_path / "nothing_delivered").exists()
    # ... and so when its contexts still render the issued bytes: the archive is checked first, whole
    # (an altered HTML when only Word files are asked, a letter missing)
    untouched_contexts = tmp_path / "untouched_contexts"
    shutil.copytree(tampered, untouched_contexts)
    shutil.rmtree(untouched_contexts / "contexts")
    shutil.copytree(issued.archive_dir / "contexts", untouched_contexts / "contexts")
    with pytest.raises(IssuedArchiveAlteredError, match=altered.name):
        deliver_issued(untouched_contexts, tmp_path / "nothing_delivered", ["docx"])
    altered.write_bytes((issued.archive_dir / altered.name).read_bytes())  # restored: only the letter now
    letter = next(tampered.glob("*letter*.pdf"))
    letter.unlink()
    with pytest.raises(IssuedArchiveAlteredError, match=letter.name):
        deliver_issued(tampered, tmp_path / "nothing_delivered", ["html"])
    assert not (tmp_path / "nothing_delivered").exists()


def _file_loaded(connection: duckdb.DuckDBPyConnection, department: str) -> None:
    """A.xlsx of `department` for 2023-09, as ingest records it."""
    connection.execute(
        "insert into raw.file_loads (load_id, file_name, file_path, sha256, department_id, periods, status, "
        "rows_read, rows_loaded, rows_quarantined, rows_ignored, observations, milestone_reports, revisions, "
        "loaded_at) values (nextval('raw.load_id_sequence'), 'a.xlsx', 'a.xlsx', 'x', ?, '2023-09', 'loaded', "
        "1, 1, 0, 0, 1, 0, 0, now())",
        [department],
    )


def test_a_county_departments_report_is_approved_by_the_county_then_the_city(tmp_path: Path) -> None:
    office = Office(tmp_path)
    department = "hohhot.togtoh_county_government"
    with duckdb.connect(str(office.warehouse)) as connection:
        ensure_tables(connection)
        _file_loaded(connection, department)
        [state] = submission_states(connection, [department], "2023-09")
        assert state.two_levels and state.state == "submitted"
        with pytest.raises(approval.DecisionError, match="先经县级审核"):
            approval.decide(connection, [department], "2023-09", "approved", "市级", level="city")
        [county] = approval.decide(connection, [department], "2023-09", "approved", "县级")
        assert county.level == "county" and county.state_after == "county_approved"
        [city] = approval.decide(connection, [department], "2023-09", "approved", "市级")
        assert city.level == "city" and city.state_after == "approved"
        with pytest.raises(approval.DecisionError, match="不能审核"):
            approval.decide(connection, [department], "2023-09", "approved", "市级")
        # an error found after approval, before 签发: the report is still returned, then owed again
        [back] = approval.decide(connection, [department], "2023-09", "returned", "市级", reason="口径有误")
        assert back.level == "city" and back.state_after == "returned"
        connection.execute(
            "insert into supervision.locked_months values ('hohhot_dairy_cluster_2021', '2023-09', ?, now())",
            [department],
        )
        with pytest.raises(approval.DecisionError, match="已锁定的月份只能通过更正登记"):
            approval.decide(connection, [department], "2023-09", "returned", "市级", reason="口径有误")


def test_a_report_whose_file_failed_a_critical_check_is_not_approved(tmp_path: Path) -> None:
    """庄浪 40 + 静宁 32 above the city's 64: the month's critical check names the file; its sender's report
    cannot be 审核通过 until it is corrected and checked again (a failure in another sender's file does not
    hold this one back)."""
    from planwatch.quality.store import ensure_tables as ensure_quality_tables

    office = Office(tmp_path)
    department = "hohhot.togtoh_county_government"
    with duckdb.connect(str(office.warehouse)) as connection:
        ensure_tables(connection)
        ensure_quality_tables(connection)
        _file_loaded(connection, department)

        def check_run(run_id: str, files: str) -> None:
            connection.execute(
                "insert into quality.runs (run_id, period, started_at, finished_at, suites, critical_failures, "
                "warnings, passed) values (?, '2023-09', now(), now(), 'marts', 1, 0, false)",
                [run_id],
            )
            connection.execute(
                "insert into quality.expectation_results (run_id, period, suite, check_name, expectation_type, "
                "severity, success, unexpected_count, message, files, checked_at) values (?, '2023-09', "
                "'marts_observations', 'regions_within_their_total', 'x', 'critical', false, 1, "
                "'各县合计超过全市数', ?, now())",
                [run_id, files],
            )

        check_run("run-1", "other.xlsx;a.xlsx")
        with pytest.raises(approval.DecisionError, match="未通过关键数据质量检查") as refused:
            approval.decide(connection, [department], "2023-09", "approved", "县级")
        assert "托克托县" in str(refused.value) and "各县合计超过全市数（a.xlsx）" in str(refused.value)
        assert "planwatch check" in str(refused.value)
        time.sleep(0.01)  # the next run starts later
        check_run("run-2", "other.xlsx")
        [county] = approval.decide(connection, [department], "2023-09", "approved", "县级")
        assert county.state_after == "county_approved"


def test_closing_an_item_whose_target_still_lags_is_the_offices_call_but_it_is_told(tmp_path: Path) -> None:
    office = Office(tmp_path)
    with duckdb.connect(str(office.warehouse)) as connection:
        ensure_tables(connection)
        connection.execute(
            "insert into supervision.follow_up_items (item_id, plan_id, opened_period, issue_number, kind, "
            "subject_id, subject, department_name, ask, reply_due, opened_at, state) values ('DB202501-001', "
            "'hulin_agri_processing_2023', '2025-01', 1, 'target', 't.revenue', '营业收入严重滞后', '虎林市工信局', "
            "'请整改', '2025-02-25', now(), 'open')"
        )
        connection.execute(
            "create schema marts; create table marts.fct_target_progress as select * from (values "
            "('t.revenue', date '2025-01-31', 'severely_lagging'), ('t.revenue', date '2025-02-28', 'lagging')) "
            "as p(target_id, period, status)"
        )
        assert follow_up.still_lagging(connection, "DB202501-001") == "按最新数据（2025-02），该目标仍为滞后"
    closed = run_planwatch(
        "followup", "close", "DB202501-001", "--reason", "已整改到位", "--actor", "张科长", env=office.env
    )
    assert "已销号" in closed and "注意：按最新数据（2025-02），该目标仍为滞后" in closed
    with duckdb.connect(str(office.warehouse)) as connection:
        connection.execute("update marts.fct_target_progress set status = 'on_track' where period = '2025-02-28'")
        assert follow_up.still_lagging(connection, "DB202501-001") is None


def test_a_closure_recorded_later_counts_from_the_day_the_office_decided_it(tmp_path: Path) -> None:
    """销号 decided on 2025-03-05 and typed in today: the 2025-02 briefing (issued 2025-03-10) shows it
    closed, the 2025-01 one (issued 2025-02-10) open; a day before the item's briefing or in the future is
    refused, and the audit log keeps when it was recorded as well as the day decided."""
    office = Office(tmp_path)
    with duckdb.connect(str(office.warehouse)) as connection:
        ensure_tables(connection)
        connection.execute(
            "insert into supervision.follow_up_items (item_id, plan_id, opened_period, issue_number, kind, "
            "subject_id, subject, department_name, ask, reply_due, opened_at, state) values ('DB202412-001', "
            f"'{PLAN}', '2024-12', 12, 'target', 't.milk', '奶类产量严重滞后', '农牧局', '请整改', '2025-01-24', "
            "'2025-01-10 02:00:00', 'open')"  # signed on 2025-01-10, 10:00 in China
        )

    def close(date: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "planwatch", "followup", "close", "DB202412-001", "--reason", "已整改到位",
             "--date", date, "--actor", "张科长"],
            capture_output=True, text=True, env={**os.environ, **office.env}, check=False,
        )  # fmt: skip

    early = close("2024-12-20")
    assert early.returncode != 0 and "早于该事项的交办日期（2025-01-10，2024-12通报" in early.stderr + early.stdout
    before_signed = close("2025-01-09")  # after its month, but before the briefing that opened it was signed
    assert before_signed.returncode != 0 and "早于该事项的交办日期" in before_signed.stderr + before_signed.stdout
    blank = subprocess.run(
        [sys.executable, "-m", "planwatch", "followup", "close", "DB202412-001", "--reason", "  ",
         "--actor", "张科长"],
        capture_output=True, text=True, env={**os.environ, **office.env}, check=False,
    )  # fmt: skip
    assert blank.returncode != 0 and "理由不能为空" in blank.stderr + blank.stdout
    future = close((dt.date.today() + dt.timedelta(days=3)).isoformat())
    assert future.returncode != 0 and "晚于今天" in future.stderr + future.stdout
    assert close("2025-03-05").returncode == 0
    with duckdb.connect(str(office.warehouse)) as connection:

        def status_on(day: dt.date) -> str:
            [item] = follow_up.item_lines(connection, PLAN, "2025-03", day)
            return item["status"]

        assert status_on(dt.date(2025, 2, 10)) == "overdue"  # the 2025-01 briefing: no reply, not yet closed
        assert status_on(dt.date(2025, 3, 10)) == "closed"
        [(detail, at)] = connection.execute(
            "select detail, recorded_at from supervision.audit_log where action = 'close_item'"
        ).fetchall()
        assert json.loads(detail)["decided_on"] == "2025-03-05" and at.date() >= dt.date(2026, 1, 1)
        # closed on the very day its briefing was signed, in the afternoon (15:00 in China): never before it
        connection.execute(
            "insert into supervision.follow_up_items (item_id, plan_id, opened_period, issue_number, kind, "
            "subject_id, subject, department_name, ask, reply_due, opened_at, state) values ('DB202412-002', "
            f"'{PLAN}', '2024-12', 12, 'target', 't.beef', '肉牛饲养量严重滞后', '农牧局', '请整改', '2025-01-24', "
            "'2025-01-10 07:00:00', 'open')"
        )
    same_day = subprocess.run(
        [sys.executable, "-m", "planwatch", "followup", "close", "DB202412-002", "--reason", "已整改到位",
         "--date", "2025-01-10", "--actor", "张科长"],
        capture_output=True, text=True, env={**os.environ, **office.env}, check=False,
    )  # fmt: skip
    assert same_day.returncode == 0, same_day.stderr
    with duckdb.connect(str(office.warehouse), read_only=True) as connection:
        [(opened_at, closed_at)] = connection.execute(
            "select opened_at, closed_at from supervision.follow_up_items where item_id = 'DB202412-002'"
        ).fetchall()
    assert closed_at >= opened_at


def test_issuing_a_whole_month_refuses_one_person_as_reviewer_and_signer(tmp_path: Path) -> None:
    """审核与签发分离 for the month's issue too (make demo's office), before any plan is reviewed."""
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(IssueError, match="审核与签发须由不同人员进行"):
        issue_month(warehouse, "2025-01", "张科长", " 张科长 ", settings())
    assert not warehouse.exists()  # refused before anything was opened or written
