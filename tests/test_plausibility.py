"""Plausibility: every mistake a clerk makes is caught on the path its severity sets, and clean data raises nothing.

A sample of all five plans is written with clerks' mistakes injected (`planwatch sample --mistakes`,
no layout mess), ingested, transformed and checked through the CLI, as a department's month would be.
The manifest says what was injected where and which path it must take: a critical mistake's row is
quarantined at ingest with its reason (or, across a month, the gate blocks the month); a warning's
figure is used, told on the receipt and shown in the briefing of the plan whose targets it concerns,
and in no other plan's. The same sample without mistakes raises no plausibility finding at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from planwatch.briefing.gather import gather_plan, gather_summary
from planwatch.briefing.render import render_html
from planwatch.ingest.receipt import RECEIPT_SUFFIX
from planwatch.periods import Period
from planwatch.plausibility.checks import CHECKS, CheckName
from planwatch.sample.mistakes import PATHS, MistakeKind

from .conftest import PROJECT_ROOT, run_planwatch
from .ingest_support import ingest, query, statistics_workbook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("plausibility")]

UNTIL = "2026-11"
MISTAKE_RATE = "0.7"


@dataclass
class Built:
    root: Path
    warehouse: Path
    receipts: Path
    mistakes: list[dict]
    env: dict[str, str]


def _month_folders(sample: Path) -> list[str]:
    """The sample's month folders (its manifest and truth files beside them are not submissions)."""
    return sorted(str(folder) for folder in sample.iterdir() if folder.is_dir())


def _build(root: Path, mistakes: str) -> Built:
    sample, warehouse, receipts = root / "sample", root / "w.duckdb", root / "receipts"
    env = {"PLANWATCH_WAREHOUSE": str(warehouse), "PLANWATCH_OUTPUT_DIR": str(root / "output")}
    run_planwatch("sample", "--until", UNTIL, "--out", str(sample), "--mess", "0", "--mistakes", mistakes)
    run_planwatch("plans", "load", env=env)
    run_planwatch("ingest", *_month_folders(sample), "--receipts", str(receipts), env=env)
    run_planwatch("transform", env=env)
    manifest = json.loads((sample / "sample_manifest.json").read_text(encoding="utf-8"))
    return Built(root, warehouse, receipts, manifest["mistakes"], env)


@pytest.fixture(scope="module")
def with_mistakes(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("mistakes"), MISTAKE_RATE)


def _row(cell: str) -> int:
    return int(re.sub(r"\D", "", cell.split(":", 1)[0]))


def _name(mistake: dict) -> str:
    return mistake["file"].rsplit("/", 1)[-1]


def test_the_sample_injects_every_kind_several_times(with_mistakes: Built) -> None:
    kinds = Counter(mistake["kind"] for mistake in with_mistakes.mistakes)
    assert len(kinds) >= 15, kinds
    assert all(count >= 3 for count in kinds.values()), kinds
    assert {mistake["path"] for mistake in with_mistakes.mistakes} == {"quarantine", "gate", "warning"}
    assert all(PATHS[MistakeKind(mistake["kind"])].value == mistake["path"] for mistake in with_mistakes.mistakes)


def test_every_critical_mistake_is_quarantined_with_a_reason_naming_its_cell(with_mistakes: Built) -> None:
    quarantined = {
        (file_name, sheet or "", row_number): (reason_code, reason)
        for file_name, sheet, row_number, reason_code, reason in query(
            with_mistakes.warehouse, "select file_name, sheet, row_number, reason_code, reason from raw.quarantine"
        )
    }
    caught: dict[str, list[bool]] = defaultdict(list)
    for mistake in with_mistakes.mistakes:
        if mistake["path"] != "quarantine":
            continue
        found = quarantined.get((_name(mistake), mistake["sheet"], _row(mistake["cell"])))
        caught[mistake["kind"]].append(found is not None)
        if found is not None and found[0] not in ("not_a_number", "negative_value"):
            # the review's own message: file, sheet, row, cell and the value as typed
            reason = found[1]
            assert _name(mistake) in reason and f"第{_row(mistake['cell'])}行" in reason
            assert mistake["sheet"] in reason and mistake["cell"] in reason
    assert caught and all(all(flags) for flags in caught.values()), {
        kind: f"{sum(flags)}/{len(flags)}" for kind, flags in caught.items()
    }
    # none of the quarantined figures reached the marts
    in_marts = query(
        with_mistakes.warehouse, "select count(*) from marts.fct_observation where value >= 1e8 or value < 0"
    )[0][0]
    assert in_marts == 0


def test_a_month_whose_counties_add_up_past_their_city_is_blocked(with_mistakes: Built) -> None:
    months = sorted({m["period"] for m in with_mistakes.mistakes if m["path"] == "gate"})
    assert months
    for month in months:
        done = subprocess.run(
            [sys.executable, "-m", "planwatch", "check", "--period", month, "--json"],
            capture_output=True,
            text=True,
            env={**os.environ, **with_mistakes.env},
            cwd=PROJECT_ROOT,
        )
        assert done.returncode == 1, done.stdout + done.stderr  # 1: the gate blocks the month
        verdict = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
        assert not verdict["publishable"]
        assert "submissions_observations.regions_within_their_total" in verdict["critical_failures"]
        assert verdict["rows_checked"]["submissions_observations"] > 0


def test_every_warning_is_on_the_receipt_and_in_its_plans_briefing_only(with_mistakes: Built) -> None:
    warnings = [m for m in with_mistakes.mistakes if m["path"] == "warning"]
    assert warnings
    with duckdb.connect(str(with_mistakes.warehouse), read_only=True) as con:
        targets = con.execute("select plan_id, indicator_code, region_code from marts.dim_target").fetchall()
        components = dict(
            con.execute(
                "select indicator_code, list_value(numerator, denominator) from raw.ref_indicators"
                " where numerator is not null"
            ).fetchall()
        )
        plans_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for plan_id, indicator, region in targets:
            for code in (indicator, *components.get(indicator, [])):
                plans_of[(code, region)].add(plan_id)
        all_plans = {plan_id for plan_id, _, _ in targets}
        notes: dict[tuple[str, str], list[str]] = {}

        def plausibility_notes(plan_id: str, period: str) -> list[str]:
            if (plan_id, period) not in notes:
                try:
                    briefing = gather_plan(con, plan_id, period)
                except ValueError:  # the plan has no briefing that month (not begun, or reporting over)
                    notes[(plan_id, period)] = []
                else:
                    notes[(plan_id, period)] = [n.text for n in briefing.quality if n.kind == "plausibility"]
            return notes[(plan_id, period)]

        missing = []
        for mistake in warnings:
            receipt = load_workbook(with_mistakes.receipts / f"{Path(_name(mistake)).stem}{RECEIPT_SUFFIX}.xlsx")
            told = [row for row in receipt["数据合理性提示"].iter_rows(min_row=2, values_only=True)]
            assert any(row[1] == mistake["cell"] for row in told), (mistake, told)
            region_name = con.execute(
                "select region_name from raw.ref_regions where region_code = ?", [mistake["region_code"]]
            ).fetchone()[0]
            # 奶牛存栏（呼和浩特市，2021年12月，期末数）为…
            said = f"（{region_name}，{Period.parse(mistake['period']).label}，"
            concerned = plans_of[(mistake["indicator_code"], mistake["region_code"])]
            assert concerned, mistake
            if not any(said in text for plan in concerned for text in plausibility_notes(plan, mistake["period"])):
                missing.append(mistake)
            for other in sorted(all_plans - concerned):
                assert not any(said in text for text in plausibility_notes(other, mistake["period"])), (other, mistake)
        assert not missing, missing


def test_a_target_judged_by_a_figure_warned_of_is_marked_doubted_in_its_table(with_mistakes: Built) -> None:
    """The 已完成 of a target whose figure the review doubts is not presented as settled: its actual and status
    carry ※, and the table's introduction says they wait for the department to confirm the figure."""
    with duckdb.connect(str(with_mistakes.warehouse), read_only=True) as con:
        judged = con.execute(
            """
            select distinct p.plan_id, strftime(p.period, '%Y-%m') as month, p.target_id,
                exists (
                    select 1 from raw.observations later
                    where later.indicator_code = f.indicator_code and later.region_code = f.region_code
                      and later.period = f.period and later.measure = f.measure and later.load_id > f.load_id
                ) as corrected
            from marts.fct_target_progress p
            join raw.observation_findings f
              on f.file_name = p.actual_file_name and f.sheet = p.actual_sheet and f.cell = p.actual_cell
            where f.severity = 'warning'
            order by 1, 2, 3
            """
        ).fetchall()
        doubted = [(plan, month, target) for plan, month, target, corrected in judged if not corrected]
        assert len(doubted) >= 3, judged
        for plan, month in sorted({(plan, month) for plan, month, _ in doubted})[:6]:
            briefing = gather_plan(con, plan, month)
            expected = {target for p, m, target in doubted if (p, m) == (plan, month)}
            assert {line.target_id for line in briefing.doubted_targets} == expected, (plan, month)
            html = render_html(briefing)
            assert "标“※”的实际值经数据合理性检查存疑" in html
            [line, *_] = briefing.doubted_targets
            assert f"{line.actual_figure}※" in html and f"{line.status_label}※" in html


def test_the_open_findings_mart_holds_each_finding_until_a_later_load_answers_it(with_mistakes: Built) -> None:
    """marts.fct_plausibility_finding (what the briefings and BI readers see) holds exactly the findings whose
    figure no later load has replaced: a warning's figure still in use, a critical one's still missing."""
    with duckdb.connect(str(with_mistakes.warehouse), read_only=True) as con:
        findings = con.execute(
            """
            select f.load_id, f.sheet, f.cell, f.check_name, f.severity,
                exists (
                    select 1 from raw.observations later
                    where later.indicator_code = f.indicator_code and later.region_code = f.region_code
                      and later.period = f.period and later.measure = f.measure and later.load_id > f.load_id
                ) as answered
            from raw.observation_findings f
            """
        ).fetchall()
        in_mart = con.execute(
            "select load_id, sheet, cell, check_name, severity, strftime(period, '%Y-%m'), message "
            "from marts.fct_plausibility_finding"
        ).fetchall()
        raw_messages = dict(
            ((load_id, sheet, cell, check), (period, message))
            for load_id, sheet, cell, check, period, message in con.execute(
                "select load_id, sheet, cell, check_name, period, message from raw.observation_findings"
            ).fetchall()
        )
    open_ones = {row[:5] for row in findings if not row[5]}
    answered = {row[:5] for row in findings if row[5]}
    assert {"warning", "critical"} <= {row[4] for row in open_ones}, "the sample must leave findings of both kinds open"
    assert answered, "the sample must answer some findings with a later load"
    assert {row[:5] for row in in_mart} == open_ones
    assert len(in_mart) == len(open_ones)
    for load_id, sheet, cell, check, _, period, message in in_mart:
        assert (period, message) == raw_messages[(load_id, sheet, cell, check)]


def test_an_outlook_drawn_through_a_figure_warned_of_says_it_waits_on_the_check(with_mistakes: Built) -> None:
    """A line through a month 18 times the others is bent by it: the outlook says the figures it rests on
    wait for the department's check, for exactly the targets whose projection window holds such a figure."""
    with duckdb.connect(str(with_mistakes.warehouse), read_only=True) as con:
        bent = con.execute(
            """
            select distinct p.plan_id, strftime(p.period, '%Y-%m') as month, p.target_id
            from marts.fct_target_progress p
            join raw.observation_findings f
              on f.indicator_code = p.indicator_code and f.region_code = p.region_code
             and f.period between strftime(p.projection_first_as_of, '%Y-%m') and strftime(p.actual_as_of, '%Y-%m')
            where f.severity = 'warning' and p.projection_points >= 2
              and not exists (
                    select 1 from raw.observations later
                    where later.indicator_code = f.indicator_code and later.region_code = f.region_code
                      and later.period = f.period and later.measure = f.measure and later.load_id > f.load_id
              )
            order by 1, 2, 3
            """
        ).fetchall()
        assert len(bent) >= 3, bent
        said = 0
        for plan, month in sorted({(plan, month) for plan, month, _ in bent})[:6]:
            briefing = gather_plan(con, plan, month)
            expected = {target for p, m, target in bent if (p, m) == (plan, month)}
            lines = (*briefing.targets, *briefing.final_targets)
            assert {line.target_id for line in lines if line.is_projection_doubted} == expected, (plan, month)
            for line in lines:
                if line.outlook is not None:
                    assert ("待报送部门核实" in line.outlook.sentence) == line.is_projection_doubted, line.target_id
                    said += line.is_projection_doubted
        assert said >= 1


def test_rows_set_aside_by_a_critical_finding_name_the_figures_they_held(with_mistakes: Built) -> None:
    """报送数据中因“疑似单位错误”暂未采用的行1条 says which figure is missing from the tables (涉及白马镇肉牛存栏),
    in the plan's briefing and under the plan in the leadership summary."""
    with duckdb.connect(str(with_mistakes.warehouse), read_only=True) as con:
        set_aside = con.execute(
            """
            select distinct plans.plan_id, unnest(string_split(loads.periods, ',')) as month, f.check_name,
                regions.region_name || indicators.indicator_name as figure
            from raw.observation_findings f
            join raw.file_loads loads using (load_id)
            join marts.dim_department departments on departments.department_id = f.department_id
            join marts.dim_plan plans on plans.region_code = departments.region_code
            join marts.dim_region regions on regions.region_code = f.region_code
            join marts.dim_indicator indicators on indicators.indicator_code = f.indicator_code
            where f.severity = 'critical' and not exists (
                select 1 from raw.observations later
                where later.indicator_code = f.indicator_code and later.region_code = f.region_code
                  and later.period = f.period and later.measure = f.measure and later.load_id > f.load_id
            )
            order by 1, 2, 3, 4
            """
        ).fetchall()
        assert len(set_aside) >= 3, set_aside
        named = 0
        for plan, month in sorted({(plan, month) for plan, month, _, _ in set_aside})[:4]:
            try:
                briefing = gather_plan(con, plan, month)
            except ValueError:  # the plan does not run that month
                continue
            notes = {note.text: note.concerns or "" for note in briefing.quality if note.kind == "quarantine"}
            title = f"{briefing.region_name}《{briefing.plan_title}》"
            summary = {
                note.text: note.concerns or ""
                for note in gather_summary(con, month).quality
                if note.kind == "quarantine" and note.plans == title
            }
            for _, _, check, figure in [row for row in set_aside if row[:2] == (plan, month)]:
                [text] = [text for text in notes if f"“{CHECKS[CheckName(check)].title}”" in text]
                said = notes[text]
                assert said.startswith("涉及") and (figure in said or "等" in said), (plan, month, figure, said)
                assert summary[text] == said
                named += 1
        assert named >= 1


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample with no mess and no mistakes, ingested with its receipts (no transform)."""
    root = tmp_path_factory.mktemp("clean")
    sample, warehouse, receipts = root / "sample", root / "w.duckdb", root / "receipts"
    env = {"PLANWATCH_WAREHOUSE": str(warehouse), "PLANWATCH_OUTPUT_DIR": str(root / "output")}
    run_planwatch("sample", "--until", UNTIL, "--out", str(sample), "--mess", "0")
    run_planwatch("plans", "load", env=env)
    run_planwatch("ingest", *_month_folders(sample), "--receipts", str(receipts), env=env)
    return Built(root, warehouse, receipts, [], env)


def test_the_clean_sample_raises_no_plausibility_finding(clean: Built) -> None:
    warehouse = clean.warehouse
    assert query(warehouse, "select count(*) from raw.observations")[0][0] > 2000
    assert query(warehouse, "select check_name, message from raw.observation_findings") == []
    assert query(warehouse, "select count(*) from raw.quarantine where reason_code <> 'unreadable_file'")[0][0] == 0


def _long_sheet(rows: list[list[object]]) -> dict:
    return {"导出数据": [["指标名称", "地区", "时期", "数值", "单位", "口径"], *rows]}


def test_the_named_mistakes_are_rejected_with_file_sheet_row_and_value(tmp_path: Path) -> None:
    """1,000,000,000 亿元 of revenue, 101.25 dairy farms, and a month above its year-to-date."""
    path = statistics_workbook(
        tmp_path / "虎林市统计局_导出_2025-03.xlsx",
        _long_sheet(
            [
                ["农产品加工业营业收入", "虎林市", "2025-03", 1_000_000_000, "亿元", "累计"],
                ["大型（高标准规模化）奶牛牧场数", "呼和浩特市", "2025-03", 101.25, "个", "期末"],
                ["农产品加工业营业收入", "虎林市", "2025-02", 9, "亿元", "累计"],
                ["农产品加工业营业收入", "虎林市", "2025-02", 12, "亿元", "本月"],
            ]
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb", receipts=tmp_path / "receipts")
    assert result.rows_quarantined == 3 and result.rows_loaded == 1
    reasons = {
        row_number: (code, reason)
        for row_number, code, reason in query(
            tmp_path / "w.duckdb", "select row_number, reason_code, reason from raw.quarantine order by row_number"
        )
    }
    assert reasons[2][0] in ("out_of_range", "unit_scale") and "1000000000亿元" in reasons[2][1]
    assert reasons[3][0] == "non_integer_count" and "101.25个" in reasons[3][1] and "整数" in reasons[3][1]
    assert reasons[5][0] == "month_above_ytd" and "本月数12亿元大于本年累计数9亿元" in reasons[5][1]
    for row_number, (_, reason) in reasons.items():
        assert path.name in reason and "工作表“导出数据”" in reason and f"第{row_number}行" in reason
    receipt = load_workbook(tmp_path / "receipts" / f"{path.stem}{RECEIPT_SUFFIX}.xlsx")
    listed = [row for row in receipt["未接收的行"].iter_rows(min_row=2, values_only=True)]
    assert sorted(row[1] for row in listed) == [2, 3, 5]
    assert all("请" in row[3] for row in listed)  # each tells the clerk what to do


def test_a_slip_against_the_plans_scale_says_what_the_scale_is_for_the_month(tmp_path: Path) -> None:
    """March's year-to-date is held to a quarter of the plan's yearly scale: the reason says so, and does
    not call that quarter the plan's target (虎林's target is 70亿元 a year, not 17.5)."""
    path = statistics_workbook(
        tmp_path / "虎林市统计局_导出_2025-03.xlsx",
        _long_sheet([["农产品加工业营业收入", "虎林市", "2025-03", 150_000, "亿元", "累计"]]),
    )
    ingest([path], tmp_path / "w.duckdb")
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert code == "unit_scale", reason
    assert "与按规划基期值和目标值折算的本期规模（约" in reason and "相差约" in reason
    assert "与规划目标（" not in reason


def test_the_right_figure_a_year_after_a_slip_is_never_judged_against_it(tmp_path: Path) -> None:
    """Two years and a quarter of 中卫's 农产品加工业产值 in one file (a figure with no target of its own, so
    only its history can tell a slip), January and March 2023 typed in 元 as 亿元: both are set aside
    (March in a second round: January was its history), and March 2024 (a flow, read against the same
    month last year) is judged against the history without them, not quarantined as 10⁸ times off."""
    pace = {2022: 1.5, 2023: 1.55, 2024: 1.6}
    rows = [
        ["农产品加工业产值", "中卫市", f"{year}-{month:02d}", round(month * pace[year], 2), "亿元", "累计"]
        for year, last in ((2022, 12), (2023, 12), (2024, 3))
        for month in range(1, last + 1)
    ]
    rows[12][3], rows[14][3] = 155_000_000, 465_000_000  # 1.55 and 4.65亿元 typed in 元
    path = statistics_workbook(tmp_path / "中卫市统计局_导出_2024-03.xlsx", _long_sheet(rows))
    [result] = ingest([path], tmp_path / "w.duckdb")
    quarantined = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.quarantine order by 1")
    assert quarantined == [(14, "unit_scale"), (16, "unit_scale")]
    assert result.rows_loaded == len(rows) - 2
    assert query(
        tmp_path / "w.duckdb", "select value from raw.observations where period = '2024-03' and measure = 'ytd_value'"
    ) == [(4.8,)]


def test_changing_the_lagging_threshold_in_planwatch_toml_changes_the_statuses(clean: Built, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(clean.warehouse, warehouse)  # the clean sample, ingested: the statuses are the point
    statuses = {}
    for threshold in ("10", "45"):
        config = tmp_path / f"planwatch_{threshold}.toml"
        text = (PROJECT_ROOT / "planwatch.toml").read_text(encoding="utf-8")
        text = re.sub(r"^lagging_threshold_pp = .*$", f"lagging_threshold_pp = {threshold}", text, flags=re.M)
        text = re.sub(r"^severe_threshold_pp = .*$", "severe_threshold_pp = 60", text, flags=re.M)
        assert f"lagging_threshold_pp = {threshold}" in text
        config.write_text(text, encoding="utf-8")
        env = {
            "PLANWATCH_CONFIG": str(config),
            "PLANWATCH_WAREHOUSE": str(warehouse),
            "PLANWATCH_OUTPUT_DIR": str(tmp_path / "output"),
        }
        run_planwatch("transform", env=env)
        statuses[threshold] = dict(
            query(warehouse, "select status, count(*) from marts.fct_target_progress group by status")
        )
    assert statuses["10"] != statuses["45"]
    # a wider band before 滞后 turns lagging targets on track: fewer lag, more are on track
    assert statuses["45"].get("lagging", 0) + statuses["45"].get("severely_lagging", 0) < statuses["10"].get(
        "lagging", 0
    ) + statuses["10"].get("severely_lagging", 0)
    assert statuses["45"].get("on_track", 0) > statuses["10"].get("on_track", 0)
