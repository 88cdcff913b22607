"""Gather one briefing's context from the marts: a plan, a plan's county, or all plans, for one month.

Rules a reader relies on, decided here once:
- the main table lists the targets still running in the month; targets whose year has passed keep
  their final verdict and go to the annex, and when every target has passed the briefing is the
  plan's final assessment (终期评估), listing them all with achieved or missed and by how much;
- the issue number (期号), issue date and issuing office come from the deployment's configuration
  (`briefing_*` in planwatch.toml): by default 期号 is the month's number in the year, the date the
  10th of the next month and the office the plan region's government supervision office (督查室), so
  the same warehouse gives the same briefing whenever it is rendered. That date is the draft's (送审稿):
  an issued briefing is dated the day it is signed (`supervision.issuing.signed`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

import duckdb

from planwatch.briefing import marts, supervision_sections
from planwatch.briefing.context import (
    Briefing,
    MilestoneLine,
    PlanSummaryLine,
    QualityNote,
    RankingLine,
    StatusCounts,
    SubmissionLine,
    TargetLine,
)
from planwatch.briefing.formatting import quantity
from planwatch.briefing.scope import (
    Scope,
    entry_in_scope,
    is_attributed,
    plans_concerned,
    rows_in_scope,
    scope_entries,
)
from planwatch.config import Settings, settings
from planwatch.periods import Granularity, Period
from planwatch.plausibility.checks import CHECKS, CheckName

HEADLINE_COUNT = 4
OFFICE_SUFFIX = "人民政府督查室"
LAGGING_STATUSES = ("severely_lagging", "lagging")

QUARANTINE_REASONS: dict[str, str] = {
    "not_a_number": "数值无法识别",
    "negative_value": "数值为负",
    "unknown_region": "地区无法识别",
    "unknown_indicator": "指标无法识别",
    "unknown_unit": "单位无法识别",
    "unit_mismatch": "单位不一致",
    "ambiguous_number": "数字分隔符有歧义",
    "footnote_mark": "数字中夹有注释符号",
    "non_finite_number": "数值超出可表示范围",
    "error_value": "单元格为Excel错误值",
    "formula_without_value": "公式未保存计算结果",
    "hidden_row": "数据在隐藏行中",
    "region_code_mismatch": "地区名称与编码不一致",
    "figures_in_unrecognised_columns": "数据填在无法识别的列中",
    "duplicate_in_file": "同一文件重复填报",
    "conflicting_duplicate_in_file": "同一文件重复填报且数值不同",
    "bad_period": "报告期无法识别",
    "ambiguous_period": "报告期可能是1月也可能是10月",
    "period_not_accepted": "报告期未到或不在规划期内",
    "locked_month": "所属月份已签发锁定",
    "merged_figure": "数值填在合并单元格中",
    "hidden_sheet": "数据在隐藏工作表中",
    "second_table": "同一工作表中的第二张表",
    "period_names_prior_year": "报告期写有上年同期",
    "conflicting_across_sheets": "同一文件两个工作表数值不同",
    "unknown_region_in_table": "地区无法识别",
    "unknown_milestone": "项目编码无法识别",
    "milestone_of_another_department": "项目不属于本单位",
    "bad_status": "进展状态无法识别",
    "bad_percent": "完成比例无效",
    "completed_below_full": "已完成但完成比例不足100%",
    "not_started_with_progress": "未开工但完成比例大于0",
    "unrecognised_sheet": "工作表无法识别",
    "no_header": "找不到表头",
    "region_out_of_scope": "地区不属于本单位",
    "duplicate_measure_column": "同一口径有两列",
    "sheet_indicator_mismatch": "工作表与指标不符",
    "sheet_period_mismatch": "工作表报告期不符",
    "table_period_mismatch": "表名与标题报告期不一致",
    "file_period_mismatch": "文件名与标题报告期不一致",
    "unit_stated_twice_in_row": "计量单位前后不一致",
    "unit_in_cell_mismatch": "数字所带单位与该列不符",
    "unknown_follow_up_item": "督办编号无法识别",
    "bad_follow_up_date": "日期无法识别",
    "bad_closure_request": "销号申请无效",
    "unknown_measure": "统计口径无法识别",
    "title_names_another_region": "表头标题与报送单位地区不符",
    "note_row_with_figures": "注释行中填有数据",
}


def month_end(period: str | dt.date) -> dt.date:
    """'2025-10' or any day of October 2025 → 2025-10-31, the date the marts store a month under."""
    month = Period.month_of(period) if isinstance(period, dt.date) else Period.parse(period, Granularity.month)
    return month.month_end


def issue_date_for(period: dt.date, config: Settings) -> dt.date:
    """The briefing of a month is dated `briefing_issue_day` of the following month, or, when the month's
    reports are due later (国庆 and 春节 push the 5th working day past the 10th), the first working day
    after they are due: a briefing never predates the deadline of the reports it judges."""
    from planwatch.supervision.workdays import due_date, is_working_day

    last = month_end(period)
    following = last + dt.timedelta(days=1)
    configured = dt.date(following.year, following.month, config.briefing_issue_day)
    after_due = due_date(f"{last:%Y-%m}", config.report_due_working_days) + dt.timedelta(days=1)
    while not is_working_day(after_due):
        after_due += dt.timedelta(days=1)
    return max(configured, after_due)


def issue_number_for(period: dt.date, config: Settings) -> int:
    """第N期: counted on by month from `briefing_first_issue` when set, else the month of the year."""
    if not config.briefing_first_issue:
        return period.month
    first_year, first_month = (int(part) for part in config.briefing_first_issue.split("-"))
    number = (period.year - first_year) * 12 + period.month - first_month + 1
    if number < 1:
        raise ValueError(
            f"briefing_first_issue is {config.briefing_first_issue}, after {period:%Y-%m}: set it (planwatch.toml "
            f"or PLANWATCH_BRIEFING_FIRST_ISSUE) to the month of the first briefing, or leave it empty"
        )
    return number


def status_counts(lines: list[TargetLine]) -> StatusCounts:
    by_status = Counter(line.status for line in lines)
    return StatusCounts(
        total=len(lines),
        achieved=by_status["achieved"],
        ahead=by_status["ahead"],
        on_track=by_status["on_track"],
        lagging=by_status["lagging"],
        severely_lagging=by_status["severely_lagging"],
        missed=by_status["missed"],
        no_data=by_status["no_data"],
        stale=by_status["stale"],
    )


def _headline(lines: list[TargetLine], region_code: str) -> tuple[TargetLine, ...]:
    """Up to four targets with current data, the briefing region's own first, one per indicator; those
    with a 同比 before those without; of an indicator's targets, the one judged by the newest figure, then
    the later target year (a final assessment quotes 2023's 6.45万头, not 2021's 4.7万头)."""
    chosen: list[TargetLine] = []
    seen: set[str] = set()
    ordered = sorted(
        lines,
        key=lambda line: (
            line.region_code != region_code,
            line.comparison_text == "—",
            -(line.actual_as_of.toordinal() if line.actual_as_of else 0),
            -line.target_year,
            line.region_code,
            line.target_id,
        ),
    )
    for line in ordered:
        if line.actual_value is None or line.is_stale or line.indicator_name in seen:
            continue
        chosen.append(line)
        seen.add(line.indicator_name)
        if len(chosen) == HEADLINE_COUNT:
            break
    return tuple(chosen)


class _ScopeQuality(NamedTuple):
    """What the month's quality records say of one briefing's scope: its notes, and the rows behind the
    notes the leadership summary counts again per plan (read once for both)."""

    notes: list[QualityNote]
    set_aside: list[dict]  # rows quarantined from the departments seated in the scope
    figures: dict[str, str]  # by check, the figures those rows held (marts.set_aside_figures)
    warned: list[dict]  # plausibility warnings on the scope's figures


def _quality(
    con: duckdb.DuckDBPyConnection, scope: Scope, located: list[str], period: dt.date, config: Settings
) -> _ScopeQuality:
    """The month's quality findings, quarantined rows and corrections that concern the briefing's scope."""
    notes: list[QualityNote] = []
    for row in marts.quality_results(con, period):
        if row.get("severity") == "override":
            continue  # said on the first page (override_note), not as a finding
        if row.get("check_name") == REJECTED_FILES_CHECK:
            notes += rejected_file_notes(con, period, lambda department: department in scope.department_ids)
            continue
        rows = rows_in_scope(row, scope)
        if rows:
            text = str(row.get("message") or row.get("check_name"))
            notes.append(QualityNote(text=text, count=rows, concerns=_departments_named(con, row, scope)))
    figures = marts.set_aside_figures(con, located, period)
    set_aside = marts.quarantined_rows(con, located, period)
    notes += [note for row in set_aside for note in quarantine_notes(row, figures=figures)]
    target_ids = sorted(scope.target_ids)
    warned = marts.plausibility_warnings(
        con, marts.reported_indicators_of(con, target_ids), sorted(scope.region_codes), target_ids, period
    )
    notes += [QualityNote(text=plausibility_note(row), kind="plausibility") for row in warned]
    tolerance = config.baseline_disagreement_tolerance
    for row in marts.baseline_disagreements(con, target_ids, period, tolerance):
        notes.append(QualityNote(text=baseline_note(row), kind="plausibility"))
    tolerance = config.prior_year_disagreement_tolerance
    for row in marts.prior_year_disagreements(con, target_ids, period, tolerance):
        notes.append(QualityNote(text=prior_year_note(row), kind="plausibility"))
    revised = marts.revisions(con, sorted(scope.target_ids), period)
    if revised:
        notes.append(QualityNote(text="本月采用的数据中经部门更正后重新报送的数值", count=revised, kind="revision"))
    return _ScopeQuality(notes, set_aside, figures, warned)


REJECTED_FILES_CHECK = "file_readable"  # the quality check that counts files refused as a whole
LOCKED_MONTH_MARK = "签发并锁定"  # what ingest's refusal of a file for an issued, locked month says
UNREADABLE_MARK = "无法读取"


def rejection_text(row: dict) -> str:
    """A refused file by the reason ingest recorded: a locked month is not an unreadable file, and 退回 is
    said only when the office recorded one (the quality check's own message claims both)."""
    name = row.get("department_name")
    who = f"{name}报送的文件" if name else "一份未能识别报送单位的文件"
    reason = str(row.get("rejection_reason") or "")
    if LOCKED_MONTH_MARK in reason:
        months = reason.split("的数据已随", 1)[0]
        text = f"{who}所报{months}数据已签发锁定，文件未入库（如需更正，须向督查室申请登记更正）"
    elif UNREADABLE_MARK in reason:
        # the reason says how it could not be read (已损坏, 已加密 …), without repeating that it could not
        detail = _first_clause(reason).replace("文件无法读取：", "").replace(UNREADABLE_MARK, "").strip("：:，, ")
        text = f"{who}无法读取，文件未入库" + (f"（{detail}）" if detail else "")
    else:
        text = f"{who}未予接收，文件未入库（{_first_clause(reason) or '原因未记录'}）"
    if row.get("returned"):
        text += "，该单位本月报送已退回"
    return text


def _departments_named(con: duckdb.DuckDBPyConnection, row: dict, scope: Scope) -> str | None:
    """What a finding's rows in the scope concern: the departments (A、B: 部门未在截止日前报送 says who), else
    the targets (目标完成率超出合理范围 says which)."""
    entries = [entry for entry in scope_entries(row) if entry_in_scope(entry, scope)]
    ids = {entry["department_id"] for entry in entries if entry.get("department_id")}
    if ids:
        names = marts.department_names(con)
        return "、".join(sorted(names.get(department, department) for department in ids))
    targets = sorted({entry["target_id"] for entry in entries if entry.get("target_id")})
    named = marts.target_names(con, targets)
    return "、".join(named.get(target, target) for target in targets) or None


def _first_clause(reason: str) -> str:
    """The reason without the clerk's instructions that follow it (请重新导出…)."""
    for stop in ("。", "，请", "；请"):
        reason = reason.split(stop, 1)[0]
    return reason.strip()


def rejected_file_notes(
    con: duckdb.DuckDBPyConnection, period: dt.date, concerns: Callable[[str | None], bool]
) -> list[QualityNote]:
    """One note per refused file of the month whose sender `concerns` the briefing."""
    return [
        QualityNote(text=rejection_text(row), kind="check")
        for row in marts.rejected_files(con, period)
        if concerns(row.get("department_id"))
    ]


def quarantine_notes(row: dict, plans: str | None = None, figures: dict[str, str] | None = None) -> list[QualityNote]:
    """What was set aside for one reason (marts.quarantined_rows): the rows set aside whole, and the figures
    taken out of rows whose others were used, each a quality note naming, for a plausibility check, the
    figures they held (marts.set_aside_figures): a leader learns which target lacks its figure."""
    title = quarantine_title(row["reason_code"])
    named = (figures or {}).get(row["reason_code"])
    concerns = f"涉及{named}" if named else None
    counted = [(f"报送数据中因“{title}”暂未采用的行", int(row.get("rows") or 0))]
    counted.append((f"报送数据中因“{title}”暂未采用的单项数值（所在行其他数值已采用）", int(row.get("values") or 0)))
    return [
        QualityNote(text=text, count=count, kind="quarantine", plans=plans, concerns=concerns)
        for text, count in counted
        if count
    ]


def quarantine_title(reason_code: str) -> str:
    """A quarantine reason in a few words: a plausibility check's title, else ingestion's reason."""
    try:
        return CHECKS[CheckName(reason_code)].title
    except ValueError:
        return QUARANTINE_REASONS.get(reason_code, reason_code)


def plausibility_note(row: dict) -> str:
    """A plausibility warning as a leader reads it: what the figure says and why it is doubted, that it
    is used, and that its department is to verify it (the clerk's instructions and the cell stay on the
    receipt)."""
    message = str(row["message"])
    said = message.split("：", 1)[1] if "：" in message else message
    said = said.split("，请核实", 1)[0]
    # the receipt's 本表 is the clerk's own table; a leader is told whose table it is
    said = said.replace("本表填报", f"{row.get('department_name') or '报送部门'}填报", 1)
    return f"数据合理性提示（{CHECKS[CheckName(row['check_name'])].title}）：{said}；该数据已采用，请报送部门核实"


def _period_words(day: dt.date, aggregation: str | None) -> str:
    """A figure's period with its year: a stock's 2024年末 / 2024年6月末, a flow's 2024年 / 2024年1—6月."""
    if aggregation == "stock":
        return f"{day.year}年末" if day.month == 12 else f"{day.year}年{day.month}月末"
    if day.month == 12:
        return f"{day.year}年"
    return f"{day.year}年1月" if day.month == 1 else f"{day.year}年1—{day.month}月"


def baseline_note(row: dict) -> str:
    """A plan's baseline that the figure reported for its base period contradicts: the completion and the
    status are measured from the plan's, which the reader is told, with both figures and the file."""
    when = _period_words(row["baseline_as_of"], row["aggregation"])
    return (
        f"规划基期数与报送数据不一致：{row['region_name']}{row['indicator_name']}规划基期（{when}）为"
        f"{quantity(row['baseline_value'], row['unit'])}，{row['file_name']}报送{when}为"
        f"{quantity(row['reported_value'], row['unit'])}；完成率和时序进度按规划基期计算，请牵头单位核实口径"
    )


def prior_year_note(row: dict) -> str:
    """A 同比 whose base, reported a year earlier, the current report's 上年同期 restates otherwise: the
    reader is told both figures and which the 同比 uses."""
    as_of = row["actual_as_of"]
    when = _period_words(dt.date(as_of.year - 1, as_of.month, 1), row["aggregation"])
    return (
        f"上年同期数据前后不一致：{row['region_name']}{row['indicator_name']}{when}原报"
        f"{quantity(row['earlier_value'], row['unit'])}，{row['file_name']}中“上年同期”为"
        f"{quantity(row['restated_value'], row['unit'])}；同比按原报数计算，请报送部门核实"
    )


def override_note(con: duckdb.DuckDBPyConnection, period: dt.date) -> str | None:
    """The first-page notice of a month released despite failed critical checks (who, why, when)."""
    for row in marts.quality_results(con, period):
        if row.get("severity") == "override":
            return str(row["message"])
    return None


def briefing_scope(
    con: duckdb.DuckDBPyConnection, plan: dict, lines: list[TargetLine], region_code: str | None
) -> tuple[Scope, list[str], list[str]]:
    """The scope, the departments seated in it (their quarantined rows) and those reporting for it: the
    targets' lead units, and the departments of the plan's region (a county's: of the county, or the
    city's departments that report its figures) that owe the plan this month a figure of the briefing's
    indicators, or (the plan's own briefing) a report on its milestones. A department seated in the
    region but reporting only for another plan (a county plan's bureau under a city plan's region) is
    not this plan's."""
    region = region_code or plan["region_code"]
    located = marts.departments_located_in(con, region, with_children=region_code is None)
    target_ids = [line.target_id for line in lines]
    reporting = set(marts.lead_units(con, target_ids))
    period = lines[0].period if lines else None
    if period is None:
        reporting |= set(located)
    else:
        indicators = marts.reported_indicators_of(con, target_ids)
        # the plan's milestones are briefed with the plan, not with each county
        owing = set(marts.departments_reporting(con, plan["plan_id"], indicators, period, region_code is None))
        candidates = set(located)
        if region_code is not None:  # a county's figures are often reported by the city's departments
            candidates |= set(marts.departments_located_in(con, plan["region_code"], with_children=True))
        reporting |= candidates & owing
    scope = Scope(
        plan_id=plan["plan_id"],
        target_ids=frozenset(target_ids),
        region_codes=frozenset({region, *(line.region_code for line in lines)}),
        department_ids=frozenset(reporting),
    )
    return scope, located, sorted(reporting)


class _PlanReading(NamedTuple):
    briefing: Briefing
    scope: Scope
    located: list[str]  # the departments seated in the briefing's region
    quality: _ScopeQuality


def gather_plan(
    con: duckdb.DuckDBPyConnection,
    plan_id: str,
    period: str | dt.date,
    region_code: str | None = None,
    config: Settings | None = None,
) -> Briefing:
    """The briefing of one plan (or, with `region_code`, of one of its counties) for one month."""
    config = config or settings()
    month = month_end(period)
    plan = next((row for row in marts.plans(con) if row["plan_id"] == plan_id), None)
    if plan is None:
        raise ValueError(
            f"plan {plan_id!r} is not in marts.dim_plan; run `planwatch plans load` and `planwatch transform`"
        )
    reading = _read_plan(con, plan, month, region_code, config)
    if reading is None:
        raise ValueError(
            f"marts.fct_target_progress has no rows for plan {plan_id} in {month:%Y-%m}: the month is before the "
            f"plan's start or after its data, or the plan ended ({plan['period_end']}) more than "
            f"final_assessment_months ({config.final_assessment_months}) before it and its final assessment is in "
            "the last month it was followed"
        )
    return reading.briefing


def _read_plan(
    con: duckdb.DuckDBPyConnection, plan: dict, month: dt.date, region_code: str | None, config: Settings
) -> _PlanReading | None:
    """The plan's (or county's) briefing and what it was read from; None when the plan has no targets
    followed in the month."""
    plan_id = plan["plan_id"]
    rows = marts.target_progress(con, plan_id, month)
    if not rows:
        return None
    target_ids = [row["target_id"] for row in rows]
    doubted = marts.doubted_targets(con, target_ids, month)
    bent = marts.projections_on_doubted_figures(con, target_ids, month)
    all_lines = [
        TargetLine(**row, is_doubted=row["target_id"] in doubted, is_projection_doubted=row["target_id"] in bent)
        for row in rows
    ]
    if region_code is not None:
        all_lines = [line for line in all_lines if line.region_code == region_code]
        if not all_lines:
            raise ValueError(f"plan {plan_id} sets no target for region {region_code}")
    running = [line for line in all_lines if not line.is_final_verdict]
    final = [line for line in all_lines if line.is_final_verdict]
    is_final_assessment = not running
    main = running or final
    lagging = sorted(
        (line for line in main if line.status in LAGGING_STATUSES),
        key=lambda line: (line.gap_pp if line.gap_pp is not None else 0.0, line.target_id),
    )
    scope, located, reporting = briefing_scope(con, plan, all_lines, region_code)
    region_rows = marts.region_ranking(con, plan_id, month)
    department_rows = marts.department_ranking(con, plan_id, month)
    milestone_rows = marts.milestones(con, plan_id, month)
    if region_code is not None:
        region_name = all_lines[0].region_name
        milestone_rows = [row for row in milestone_rows if row["region_code"] == region_code]
    else:
        region_name = plan["region_name"]
    briefing_region = region_code or plan["region_code"]
    issue_date = issue_date_for(month, config)
    states = supervision_sections.review_states(con, reporting, month)
    submissions = [
        SubmissionLine(**row, review_state=states.get(row["department_name"]))
        for row in marts.submissions(con, reporting, month)
    ]
    quality = _quality(con, scope, located, month, config)
    briefing = Briefing(
        kind="county" if region_code else "plan",
        plan_id=plan_id,
        title=_title(plan["plan_title"], region_name if region_code else None, is_final_assessment),
        plan_title=plan["plan_title"],
        plan_document_number=plan["document_number"],
        issuing_office=config.briefing_issuer or f"{plan['region_name']}{OFFICE_SUFFIX}",
        issue_number=issue_number_for(month, config),
        issue_date=issue_date,
        period=month,
        region_code=briefing_region,
        region_name=region_name,
        is_final_assessment=is_final_assessment,
        counts=status_counts(main),
        targets=tuple(main),
        final_targets=tuple(final) if running else (),
        lagging=tuple(lagging),
        headline=_headline(main, briefing_region),
        regions=tuple(
            RankingLine(**{key: value for key, value in row.items() if key != "region_code"}) for row in region_rows
        ),
        departments=tuple(
            RankingLine(**{key: value for key, value in row.items() if key != "department_id"})
            for row in department_rows
        ),
        milestones=tuple(
            MilestoneLine(**{key: value for key, value in row.items() if key != "region_code"})
            for row in milestone_rows
        ),
        submissions=tuple(submissions),
        quality=tuple(quality.notes),
        override_note=override_note(con, month),
        corrections=supervision_sections.correction_lines(con, plan_id, all_lines, month),
        follow_up=supervision_sections.follow_up_status(con, plan_id, month, issue_date, region_code),
    )
    return _PlanReading(briefing, scope, located, quality)


def _title(plan_title: str, county: str | None, final: bool) -> str:
    kind = "终期评估" if final else "实施进展督查通报"
    if county:
        return f"关于{county}落实《{plan_title}》{kind}"
    return f"关于《{plan_title}》{kind}"


def county_regions(con: duckdb.DuckDBPyConnection, plan_id: str) -> list[str]:
    """The regions directly under the plan's own that it sets targets for, each briefed apart: a city
    plan's counties, a province plan's cities (not sub-regions such as towns or groups of counties)."""
    found = con.execute(
        """
        select distinct targets.region_code
        from marts.dim_target as targets
        inner join marts.dim_plan as plans on targets.plan_id = plans.plan_id
        inner join marts.dim_region as regions on targets.region_code = regions.region_code
        where targets.plan_id = ? and regions.parent_code = plans.region_code
          and regions.region_level in ('city', 'county')
        order by targets.region_code
        """,
        [plan_id],
    ).fetchall()
    return [row[0] for row in found]


def gather_summary(con: duckdb.DuckDBPyConnection, period: str | dt.date, config: Settings | None = None) -> Briefing:
    """The leadership summary: every plan's standing in the month, and the most lagging targets."""
    config = config or settings()
    month = month_end(period)
    plan_lines: list[PlanSummaryLine] = []
    all_main: list[TargetLine] = []
    overdue: list[MilestoneLine] = []
    running_lines: list[TargetLine] = []
    final_lines: list[TargetLine] = []
    readings: list[_PlanReading] = []
    titles: dict[str, str] = {}
    for plan in marts.plans(con):
        reading = _read_plan(con, plan, month, None, config)
        if reading is None:
            continue  # the plan's reporting is over: its final assessment is in its last month's briefing
        readings.append(reading)
        titles[plan["plan_id"]] = f"{plan['region_name']}《{plan['plan_title']}》"
        briefing = reading.briefing
        # every target of the plan in the month: the running ones by their light, and those whose year has
        # passed by their final verdict (a running plan's earlier years too), so the summary adds up to the
        # mart's rows, as the chart of counties does
        plan_targets = [*briefing.targets, *briefing.final_targets]
        running_lines.extend(line for line in plan_targets if not line.is_final_verdict)
        final_lines.extend(line for line in plan_targets if line.is_final_verdict)
        plan_lines.append(
            PlanSummaryLine(
                plan_id=plan["plan_id"],
                plan_title=plan["plan_title"],
                region_name=plan["region_name"],
                counts=status_counts(plan_targets),
                milestones_overdue=len(briefing.overdue_milestones),
                is_final_assessment=briefing.is_final_assessment,
            )
        )
        if not briefing.is_final_assessment:
            all_main.extend(briefing.lagging)
        overdue.extend(briefing.overdue_milestones)
    severe = sorted(
        (line for line in all_main if line.status == "severely_lagging"),
        key=lambda line: (line.gap_pp if line.gap_pp is not None else 0.0, line.target_id),
    )
    counts = StatusCounts(
        **{field: sum(getattr(line.counts, field) for line in plan_lines) for field in StatusCounts.model_fields}
    )
    return Briefing(
        kind="summary",
        plan_id=None,
        title="规划目标实施情况督查通报（领导摘要）",
        plan_title=None,
        plan_document_number=None,
        issuing_office=config.briefing_summary_issuer,
        issue_number=issue_number_for(month, config),
        issue_date=issue_date_for(month, config),
        period=month,
        region_code=None,
        region_name=f"{len(plan_lines)}个规划",
        is_final_assessment=False,
        counts=counts,
        running_counts=status_counts(running_lines),
        final_counts=status_counts(final_lines),
        targets=(),
        final_targets=(),
        lagging=tuple(severe[:10]),
        headline=(),
        regions=(),
        departments=(),
        milestones=tuple(sorted(overdue, key=lambda line: -(line.days_overdue or 0))[:10]),
        submissions=(),
        quality=tuple(_summary_quality(con, month, readings, titles)),
        plans=tuple(plan_lines),
        override_note=override_note(con, month),
    )


def _summary_quality(
    con: duckdb.DuckDBPyConnection, month: dt.date, readings: list[_PlanReading], titles: dict[str, str]
) -> list[QualityNote]:
    """The month's findings grouped by the plans they concern, with the rows set aside as each plan's own
    briefing counts them (those of the departments seated in its region); unattributed ones said as such."""
    scopes = [reading.scope for reading in readings]
    notes: list[QualityNote] = []
    for row in marts.quality_results(con, month):
        if row.get("severity") == "override":
            continue
        if row.get("check_name") == REJECTED_FILES_CHECK:
            for scope in scopes:
                for note in rejected_file_notes(con, month, lambda department, s=scope: department in s.department_ids):
                    notes.append(note.model_copy(update={"plans": titles[scope.plan_id]}))
            unattributed = rejected_file_notes(
                con, month, lambda department: not any(department in s.department_ids for s in scopes)
            )
            notes += [note.model_copy(update={"plans": "未能归属具体规划"}) for note in unattributed]
            continue
        by_plan = plans_concerned(row, scopes)
        text = str(row.get("message") or row.get("check_name"))
        if by_plan:
            for plan_id, rows in by_plan.items():
                notes.append(QualityNote(text=text, count=rows, plans=titles[plan_id]))
        elif not is_attributed(row) or not scopes:
            notes.append(QualityNote(text=text, count=row.get("unexpected_count"), plans="未能归属具体规划"))
    for reading in readings:
        plan, quality = titles[reading.scope.plan_id], reading.quality
        notes += [note for row in quality.set_aside for note in quarantine_notes(row, plan, quality.figures)]
        if quality.warned:
            notes.append(
                QualityNote(
                    text="数据合理性提示（数据已采用，待报送部门核实）",
                    count=len(quality.warned),
                    kind="plausibility",
                    plans=plan,
                )
            )
    return sorted(notes, key=lambda note: (note.plans or "", note.text))
