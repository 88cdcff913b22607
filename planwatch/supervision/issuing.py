"""Issuing a plan's briefing for a month: 草稿 → 审核 → 签发, frozen in an archive no run rewrites.

`review_briefing` (审核) checks that the month may go out: its quality gate passed, every
department's submission approved or returned (none waiting), the marts rebuilt since the last
decision or correction. `issue_briefing` (签发) checks the same again, renders the plan's briefing
and its counties' in every format, dated the day they are signed (China time), into
`issued_dir/<plan>/<YYYY-MM>/` with the context each was built from (`contexts/*.json`: the marts'
rows as the briefing read them, and its date) and a manifest of hashes, then, in one transaction,
records the files, locks the month for the plan's departments, opens 督办 for what lags, closes the
items whose target recovered and marks the corrections the briefing reported. An issued month
re-rendered (`reproduce`, `planwatch reproduce`) gives the archived bytes or is refused;
`deliver_issued` is what a month's run does with it: the archived files themselves, checked against
the manifest, never a new rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
from pydantic import ValidationError

from planwatch.briefing.context import Briefing, MilestoneLine, TargetLine
from planwatch.briefing.formatting import zh_date
from planwatch.briefing.gather import briefing_scope, county_regions, gather_plan, month_end
from planwatch.briefing.letters import Letter, department_letters, render_letter
from planwatch.briefing.render import FORMATS, render, with_charts
from planwatch.briefing.supervision_sections import follow_up_status
from planwatch.config import Settings
from planwatch.periods import china_day
from planwatch.supervision import follow_up
from planwatch.supervision.corrections import unreported
from planwatch.supervision.ledger import audit, ensure_tables, now, rows, transaction
from planwatch.supervision.states import AWAITING_REVIEW, STATE_LABELS, submission_states

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
CONTEXTS = "contexts"
LETTERS = "letters"  # 一单位一单: each department's page, contexts in contexts/letters/
LETTER_FORMATS = ("html", "pdf")


class IssueError(RuntimeError):
    """The month cannot be reviewed or issued as it stands; the message says what to do first."""


class IssuedBriefingChangedError(RuntimeError):
    """Re-rendering an issued briefing did not give the archived bytes: nothing is written over them."""


class IssuedArchiveAlteredError(RuntimeError):
    """An archived file is missing or differs from the hash its manifest recorded at issue."""


@dataclass
class IssueResult:
    plan_id: str
    period: str
    issue_number: int
    archive_dir: Path
    issue_date: dt.date  # the day it was signed (China time), which the issued briefing is dated
    files: list[Path] = field(default_factory=list)
    opened: list[dict] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    locked_departments: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _issued(connection: duckdb.DuckDBPyConnection, plan_id: str, period: str) -> dict | None:
    found = rows(
        connection, "select * from supervision.issued_briefings where plan_id = ? and period = ?", [plan_id, period]
    )
    return found[0] if found else None


def refuse_unknown_plan(connection: duckdb.DuckDBPyConnection, plan_id: str) -> None:
    """A ValueError listing the registry's plan ids when `plan_id` is not one of them.

    The registry is read as loaded into the warehouse (raw.registry_plans, which the marts are built from):
    the planwatch_issue DAG's `plan` is typed by a person, who needs the right ids, not a missing table."""
    try:
        found = connection.execute("select plan_id from raw.registry_plans order by plan_id").fetchall()
    except duckdb.CatalogException:
        raise ValueError(
            f"plan {plan_id!r}: the warehouse holds no registry yet; run `planwatch plans load` and `transform`"
        ) from None
    registered = [row[0] for row in found]
    if plan_id not in registered:
        raise ValueError(f"unknown plan {plan_id!r}; the registry has: {', '.join(registered) or 'no plans'}")


def plan_departments(connection: duckdb.DuckDBPyConnection, plan_id: str, period: str) -> list[str]:
    """The departments the plan's briefing of the month reports on: seated in its region, leading its
    targets, or owing its figures that month."""
    from planwatch.briefing import marts

    refuse_unknown_plan(connection, plan_id)
    plan = next((row for row in marts.plans(connection) if row["plan_id"] == plan_id), None)
    if plan is None:
        raise ValueError(f"plan {plan_id!r} is in the registry but not yet in marts.dim_plan; run `transform`")
    lines = [TargetLine(**row) for row in marts.target_progress(connection, plan_id, month_end(period))]
    return briefing_scope(connection, plan, lines, None)[2]


def _check_issuable(connection: duckdb.DuckDBPyConnection, plan_id: str, period: str) -> list[str]:
    """Everything that stops the month from going out: submissions waiting, the gate (stale marts included)."""
    from planwatch.quality.gate import blocked_message, decide

    later = connection.execute(
        "select max(period) from supervision.issued_briefings where plan_id = ? and state = '签发' and period > ?",
        [plan_id, period],
    ).fetchone()[0]
    if later is not None:  # its 督办 were opened, followed and closed on the later month's figures
        raise IssueError(
            f"{plan_id} {period}: 该规划{later}的通报已签发，督办事项已按其后的数据交办和销号，"
            "不能再签发更早月份的通报（按月依次签发）"
        )
    # the office's own step first: approving or returning a report changes the data the gate then judges
    departments = plan_departments(connection, plan_id, period)
    waiting = [s for s in submission_states(connection, departments, period) if s.state in AWAITING_REVIEW]
    if waiting:
        listed = "、".join(f"{s.department_name}（{STATE_LABELS[s.state]}）" for s in waiting)
        raise IssueError(
            f"{plan_id} {period}: 以下单位的报送尚未审核：{listed}。"
            f"请先审核或退回（planwatch approve / planwatch return --period {period}）"
        )
    decision = decide(connection, month_end(period))  # the gate, and the marts behind the office's decisions
    if not decision.publishable:
        raise IssueError(blocked_message(decision))
    return departments


def review_briefing(warehouse: Path, plan_id: str, period: str, actor: str, config: Settings) -> int:
    """审核: record that the month's briefing of the plan was reviewed and may be signed; its 期号."""
    from planwatch.briefing.gather import issue_number_for

    with duckdb.connect(str(warehouse)) as connection:
        ensure_tables(connection)
        existing = _issued(connection, plan_id, period)
        if existing and existing["state"] == "签发":
            signed_on = china_day(existing["issued_at"])
            raise IssueError(f"{plan_id} {period} 已于{signed_on:%Y-%m-%d}签发（第{existing['issue_number']}期）")
        _check_issuable(connection, plan_id, period)
        number = issue_number_for(month_end(period), config)
        content = _content_digest(_plan_briefings(connection, plan_id, month_end(period), config))
        with transaction(connection):
            connection.execute(
                "delete from supervision.issued_briefings where plan_id = ? and period = ?", [plan_id, period]
            )
            connection.execute(
                "insert into supervision.issued_briefings "
                "(plan_id, period, issue_number, state, reviewed_by, reviewed_at, reviewed_content) "
                "values (?, ?, ?, '审核', ?, ?, ?)",
                [plan_id, period, number, actor, now(), content],
            )
            audit(connection, actor, "review_briefing", plan_id=plan_id, period=period, detail={"issue_number": number})
    return number


def _plan_briefings(
    connection: duckdb.DuckDBPyConnection, plan_id: str, month: dt.date, config: Settings
) -> list[Briefing]:
    """The plan's briefings of the month as gathered (charts not yet drawn): its own, then each county's."""
    return [gather_plan(connection, plan_id, month, config=config)] + [
        gather_plan(connection, plan_id, month, code, config=config) for code in county_regions(connection, plan_id)
    ]


def _content_digest(briefings: list[Briefing]) -> str:
    """What a 审核 reads and a 签发 must find unchanged: every figure and sentence of the plan's briefings."""
    digest = hashlib.sha256()
    for briefing in briefings:
        digest.update(briefing.model_dump_json().encode())
    return digest.hexdigest()


def signed(connection: duckdb.DuckDBPyConnection, briefing: Briefing, signed_on: dt.date) -> Briefing:
    """The briefing as issued: no draft mark (送审稿), dated the day it is signed (its 成文日期, where the draft
    carries the scheduled date, `gather.issue_date_for`), with 督办落实情况 as it stood that day."""
    region_code = None if briefing.kind == "plan" else briefing.region_code
    follow_up_on_the_day = follow_up_status(connection, briefing.plan_id or "", briefing.period, signed_on, region_code)
    return briefing.model_copy(update={"is_issued": True, "issue_date": signed_on, "follow_up": follow_up_on_the_day})


MISSED_FOLLOW_UP_MONTHS = 12  # a missed target is followed up in the year after its target year, not for ever


def _long_missed(line: TargetLine, period: dt.date) -> bool:
    """A target missed more than a year ago: its final verdict stands in the briefing, nobody can still act on it."""
    months_since = (period.year - line.target_year - 1) * 12 + period.month
    return line.status == "missed" and line.is_final_verdict and months_since > MISSED_FOLLOW_UP_MONTHS


def _long_overdue_after_the_plan(deadline: dt.date | None, briefing: Briefing) -> bool:
    """A milestone of a plan whose every target year has passed (its final assessment), due more than a
    year ago: as a target missed long ago, its overdue days stand in the briefing, and no 督办 is opened."""
    if not briefing.is_final_assessment or deadline is None:
        return False
    months_since = (briefing.period.year - deadline.year) * 12 + briefing.period.month - deadline.month
    return months_since > MISSED_FOLLOW_UP_MONTHS


def _subjects(briefing: Briefing, include_lagging: bool) -> list[follow_up.Subject]:
    statuses = follow_up.SEVERE_STATUSES | ({"lagging"} if include_lagging else set())
    subjects = []
    # the running targets, and those whose year has ended (a 未完成 stays followed up for a year after it)
    for line in (*briefing.targets, *briefing.final_targets):
        if line.status not in statuses or _long_missed(line, briefing.period):
            continue
        shows_gap = line.gap_pp is not None and not line.is_final_verdict
        gap = f"，低于时序进度{abs(line.gap_pp):.1f}个百分点" if shows_gap else ""
        completion = f"完成率{line.completion_rate:.1f}%" if line.completion_rate is not None else "未完成"
        # the target itself named: one figure often has a level and a growth target for one year
        target = f"{line.target_year}年目标{line.target_text}"
        subject = f"{line.region_name}{line.indicator_name}（{target}）{line.status_label}"
        subjects.append(
            follow_up.Subject(
                "target",
                line.target_id,
                subject,
                line.region_code,
                line.lead_unit,
                f"{line.region_name}{line.indicator_name}{completion}{gap}，{line.status_label}。请分析原因、提出整改措施，",
            )
        )
    for milestone in briefing.overdue_milestones:
        if _long_overdue_after_the_plan(milestone.deadline, briefing):
            continue
        deadline = zh_date(milestone.deadline) if milestone.deadline else "时限"
        subjects.append(
            follow_up.Subject(
                "milestone",
                milestone.milestone_id,
                f"{_milestone_place(milestone)}{milestone.project}逾期{milestone.days_overdue or 0}天",
                None,
                milestone.lead_unit,
                f"{milestone.project}已逾期{milestone.days_overdue or 0}天（完成时限{deadline}）。"
                "请说明进展、提出整改措施，",
            )
        )
    return subjects


def _milestone_place(milestone: MilestoneLine) -> str:
    """The region a milestone's project is in, when its name does not say it (重点帮扶县科技特派团 is in
    静宁县 and in 庄浪县: two items, each named by its county)."""
    region = milestone.region_name or ""
    return "" if region in milestone.project else region


def _render_archive(briefings: list[Briefing], letters: list[Letter], folder: Path) -> dict[str, str]:
    """Render every briefing in every format, and each department's letter, into `folder`, with each
    one's context as JSON; file name → sha256."""
    (folder / CONTEXTS / LETTERS).mkdir(parents=True)
    hashes = {}
    for briefing in briefings:
        (folder / CONTEXTS / f"{briefing.file_stem}.json").write_text(briefing.model_dump_json(), encoding="utf-8")
        for path in render(briefing, folder, FORMATS):
            hashes[path.name] = _sha256(path)
    for letter in letters:
        context = folder / CONTEXTS / LETTERS / f"{letter.file_stem}.json"
        context.write_text(letter.model_dump_json(), encoding="utf-8")
        for path in render_letter(letter, folder, list(LETTER_FORMATS)):
            hashes[path.name] = _sha256(path)
    return hashes


def _freeze(folder: Path) -> None:
    """Read-only files and folders: no later run (of ours or anyone's by mistake) writes over an issue."""
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (stat.S_IXUSR if path.is_dir() else 0))
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)


def issue_briefing(warehouse: Path, plan_id: str, period: str, actor: str, config: Settings) -> IssueResult:
    """签发: freeze the plan's briefings of the month, lock the month, open and close 督办."""
    with duckdb.connect(str(warehouse)) as connection:
        ensure_tables(connection)
        refuse_unknown_plan(connection, plan_id)  # before "not reviewed yet", which a mistyped id would get
        existing = _issued(connection, plan_id, period)
        if existing is None:
            raise IssueError(f"{plan_id} {period}: 通报尚未审核，请先审核（planwatch issue --stage review）")
        if existing["state"] == "签发":
            raise IssueError(
                f"{plan_id} {period} 已签发（第{existing['issue_number']}期），不能重复签发；更正请用 planwatch correct"
            )
        if existing["reviewed_by"] and actor.strip() == str(existing["reviewed_by"]).strip():
            raise IssueError(
                f"{plan_id} {period}: 通报由{actor}审核，不能由同一人签发（审核与签发须由不同人员进行）；"
                "请由签发人签发（planwatch issue … --actor <签发人>）"
            )
        departments = _check_issuable(connection, plan_id, period)
        gathered = _plan_briefings(connection, plan_id, month_end(period), config)
        if _content_digest(gathered) != existing["reviewed_content"]:
            raise IssueError(
                f"{plan_id} {period}: 审核后本月数据或通报内容已有变化（补报、重报、退回、更正或重新计算），"
                "签发的须是审核过的内容，请重新审核"
                f"（planwatch issue --period {period} --plan {plan_id} --stage review）"
            )
        issued_at = now()
        signed_on = china_day(issued_at)  # the date the issued briefing carries: the day it is signed, in China
        briefings = [signed(connection, with_charts(connection, briefing), signed_on) for briefing in gathered]
        plan = briefings[0]
        if plan.issue_number != existing["issue_number"]:
            raise IssueError(
                f"期号 changed since review ({existing['issue_number']} → {plan.issue_number}): review again"
            )
        statuses = {line.target_id: line.status for line in plan.targets}
        completed = {line.milestone_id for line in plan.milestones if line.reported_status == "completed"}
        recovered = follow_up.recovered_items(connection, plan_id, period, statuses, completed)
        opening = follow_up.new_items(
            connection,
            plan_id,
            period,
            plan.issue_number,
            plan.issue_date,
            _subjects(plan, config.follow_up_lagging),
            config.follow_up_reply_working_days,
        )
        still_open = [i for i in follow_up.open_items_of(connection, plan_id) if i["item_id"] not in recovered]
        letters = department_letters(plan, still_open + opening, follow_up.reporting_unit(connection, plan_id))
        archive = config.issued_path / plan_id / period
        if archive.exists():
            raise IssueError(f"{archive} exists: an issued briefing is never written over")
        archive.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{period}.", dir=archive.parent))
        try:
            hashes = _render_archive(briefings, letters, staging)
            manifest = {
                "plan_id": plan_id,
                "period": period,
                "issue_number": plan.issue_number,
                "issue_date": plan.issue_date.isoformat(),
                "reviewed_by": existing["reviewed_by"],
                "issued_by": actor,
                "issued_at": issued_at.isoformat(timespec="seconds"),
                "files": hashes,
            }
            (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            os.rename(staging, archive)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        try:
            result = _record_issue(connection, plan, departments, hashes, archive, actor, issued_at, recovered, opening)
        except BaseException:
            shutil.rmtree(archive, ignore_errors=True)
            raise
        _freeze(archive)
    return result


def _record_issue(
    connection: duckdb.DuckDBPyConnection,
    plan: Briefing,
    departments: list[str],
    hashes: dict[str, str],
    archive: Path,
    actor: str,
    issued_at: dt.datetime,
    recovered: dict[str, str],
    opening: list[dict],
) -> IssueResult:
    """Everything issuing records, in one transaction: the files, the 签发, the locks, the corrections
    reported, the items closed (销号) and opened (督办), and the audit rows."""
    plan_id, period = plan.plan_id or "", f"{plan.period:%Y-%m}"
    files = [archive / name for name in sorted(hashes)]
    result = IssueResult(plan_id, period, plan.issue_number, archive, plan.issue_date, files)
    result.opened, result.closed = opening, sorted(recovered)
    with transaction(connection):
        for item_id, reason in recovered.items():
            follow_up.close_item(connection, item_id, actor, reason)
        follow_up.open_items(connection, opening, actor)
        for name, digest in sorted(hashes.items()):
            connection.execute(
                "insert into supervision.issued_files values (?, ?, ?, ?, ?)",
                [plan_id, period, name, digest, (archive / name).stat().st_size],
            )
        connection.execute(
            "update supervision.issued_briefings set state = '签发', issued_by = ?, issued_at = ?, archive_dir = ? "
            "where plan_id = ? and period = ?",
            [actor, issued_at, str(archive), plan_id, period],
        )
        for department_id in departments:
            connection.execute(
                "insert into supervision.locked_months values (?, ?, ?, ?)", [plan_id, period, department_id, issued_at]
            )
        result.locked_departments = departments
        if plan.corrections:
            lines = list(plan.targets + plan.final_targets)
            from planwatch.briefing import marts

            codes = marts.reported_indicators_of(connection, [line.target_id for line in lines])
            regions = sorted({line.region_code for line in lines})
            for correction in unreported(connection, plan_id, codes, regions, period):
                connection.execute(
                    "insert into supervision.correction_reports values (?, ?, ?)",
                    [correction["correction_id"], plan_id, period],
                )
        audit(
            connection,
            actor,
            "issue",
            plan_id=plan_id,
            period=period,
            subject=f"第{plan.issue_number}期",
            detail={"files": hashes},
            at=issued_at,
        )
    return result


def issued_plans(connection: duckdb.DuckDBPyConnection, period: str) -> dict[str, Path]:
    """plan → archive folder of the plans whose briefing of the month is issued."""
    from planwatch.briefing.marts import table_exists

    if not table_exists(connection, "supervision.issued_briefings"):
        return {}
    found = connection.execute(
        "select plan_id, archive_dir from supervision.issued_briefings where period = ? and state = '签发'", [period]
    ).fetchall()
    return {plan_id: Path(folder) for plan_id, folder in found}


_Archived = TypeVar("_Archived", Briefing, Letter)


def _archived(model: type[_Archived], context: Path) -> _Archived:
    """An archived context read back; one this version's model cannot read (archived by an earlier version)
    cannot be rendered again, which says nothing against the issued files themselves."""
    try:
        return model.model_validate_json(context.read_text(encoding="utf-8"))
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3])
        raise IssuedBriefingChangedError(
            f"{context.name}: the archived context was written by an earlier version of planwatch and cannot be "
            f"rendered again by this one ({problems}); the issued files stand, checked against their hashes, and "
            "are what every run delivers"
        ) from None


def reproduce(archive: Path, out_dir: Path, formats: list[str]) -> list[Path]:
    """Re-render an issued briefing from its archived contexts; write it only if every byte is the issued one."""
    manifest = _manifest(archive)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        rendered: list[Path] = []
        for context in sorted((archive / CONTEXTS).glob("*.json")):
            briefing = _archived(Briefing, context).model_copy(update={"is_issued": True})  # archived: issued
            rendered += render(briefing, Path(scratch), formats)
        for context in sorted((archive / CONTEXTS / LETTERS).glob("*.json")):
            letter = _archived(Letter, context)
            rendered += render_letter(letter, Path(scratch), [f for f in formats if f in LETTER_FORMATS])
        for path in rendered:
            if manifest["files"].get(path.name) != _sha256(path):
                raise IssuedBriefingChangedError(
                    f"{path.name}: re-rendered from the archived context it differs from the issued file "
                    f"({archive / path.name}); the issued file stands and is not written over. Templates or "
                    "renderer changed since issue: send the archived file, not a new rendering"
                )
            written.append(path)
        out_dir.mkdir(parents=True, exist_ok=True)
        return [Path(shutil.copyfile(path, out_dir / path.name)) for path in written]


def verify_archive(archive: Path) -> None:
    """Raise `IssuedArchiveAlteredError` when a file its manifest lists is missing or not the bytes issued."""
    hashes = _manifest(archive)["files"]
    altered = [
        name for name, sha in sorted(hashes.items()) if not (archive / name).is_file() or _sha256(archive / name) != sha
    ]
    if altered:
        raise IssuedArchiveAlteredError(
            f"{archive}: {', '.join(altered)} missing or not the file issued (its sha256 differs from "
            f"{MANIFEST}); restore the archive from its backup. Nothing was written"
        )


def deliver_issued(archive: Path, out_dir: Path, formats: list[str]) -> list[Path]:
    """An issued month's archived files of `formats`, copied into `out_dir` as they were issued.

    The archive is checked first, every file against the hash its manifest recorded: one missing or
    altered raises `IssuedArchiveAlteredError` before anything is written. A month's run never renders an
    issued briefing again: what goes out is what was issued, whatever changed in the templates, fonts or
    libraries since. Whether the renderer still gives the issued bytes is `reproduce`'s question
    (`planwatch reproduce`), asked on purpose, not paid for by every run of the month.
    """
    return deliver_issued_plans({archive.name: archive}, out_dir, formats)


def deliver_issued_plans(issued: dict[str, Path], out_dir: Path, formats: list[str]) -> list[Path]:
    """`deliver_issued` for each issued plan (plan → archive).

    Every archive is checked before any is delivered: an altered one stops the run with nothing written."""
    for archive in issued.values():
        verify_archive(archive)
    suffixes = {f".{fmt}" for fmt in formats}
    files = [
        archive / name
        for archive in issued.values()
        for name in sorted(_manifest(archive)["files"])
        if Path(name).suffix in suffixes
    ]
    if files:
        out_dir.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copyfile(path, out_dir / path.name)) for path in files]


def _manifest(archive: Path) -> dict:
    return json.loads((archive / MANIFEST).read_text(encoding="utf-8"))


def issue_month(
    warehouse: Path,
    period: str,
    reviewer: str,
    signer: str,
    config: Settings,
    approve_waiting: bool = False,
) -> tuple[list[IssueResult], list[str]]:
    """Review (as `reviewer`) and sign (as `signer`, another person) every plan's briefing of the month
    that has progress rows and is not issued yet.

    `approve_waiting` first approves every report still waiting, as the reviewer (what `make demo` does
    in the office's place; a real office runs `planwatch approve` after looking). Returns the issues and,
    for each plan left out, why.
    """
    from planwatch.briefing.marts import plans, target_progress
    from planwatch.supervision.approval import decide

    if reviewer.strip() == signer.strip():
        raise IssueError(f"审核人与签发人均为{reviewer}：审核与签发须由不同人员进行")
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        month = month_end(period)
        plan_ids = [row["plan_id"] for row in plans(connection) if target_progress(connection, row["plan_id"], month)]
    issued, skipped = [], []
    for plan_id in plan_ids:
        with duckdb.connect(str(warehouse)) as connection:
            ensure_tables(connection)
            existing = _issued(connection, plan_id, period)
            if existing and existing["state"] == "签发":
                skipped.append(
                    f"{plan_id}: 第{existing['issue_number']}期 already issued, in {existing['archive_dir']}"
                )
                continue
            if approve_waiting:
                for _ in range(2):  # a county's department: county, then city
                    departments = plan_departments(connection, plan_id, period)
                    waiting = [
                        s.department_id
                        for s in submission_states(connection, departments, period)
                        if s.state in AWAITING_REVIEW
                    ]
                    if waiting:
                        decide(connection, waiting, period, "approved", reviewer, plan_id=plan_id)
        review_briefing(warehouse, plan_id, period, reviewer, config)
        issued.append(issue_briefing(warehouse, plan_id, period, signer, config))
    return issued, skipped
