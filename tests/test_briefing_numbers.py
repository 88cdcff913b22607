"""On the sample warehouse: every number in every briefing of the latest month is in the marts, in HTML,
PDF and Word; and every plan renders in every month with data.

End to end: registry → sample (with mess) up to LATEST → ingest → dbt → briefings. The test reads the
marts itself (not through planwatch.briefing.marts), formats every figure with the briefing filters,
and accepts a number in a briefing only when one of those formatted figures produced it. The HTML is
checked against the marts directly; the PDF (via pdftotext) must show exactly the numbers of its HTML,
so each of its numbers is a checked one; the Word file is read with python-docx and checked against the
marts like the HTML. Sequence columns (序号), table and figure labels and the issue number are left
out: they count, they do not report.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html as html_lib
import json
import math
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest
import yaml
from docx import Document

from planwatch.briefing import formatting as f
from planwatch.briefing.gather import gather_plan, gather_summary
from planwatch.briefing.render import render, render_html
from planwatch.briefing.run import briefing_units, render_month
from planwatch.config import settings
from tests.conftest import BRIEFING_SAMPLE_LATEST, run_planwatch

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("briefing_warehouse")]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LATEST = BRIEFING_SAMPLE_LATEST
NUMBER = re.compile(r"\d+(?:\.\d+)?")
LABELS = re.compile(r"[表图]\d+|第\d+期")


_planwatch = run_planwatch


@pytest.fixture(scope="module")
def warehouse(briefing_sample_warehouse: Path) -> Path:
    """The sample warehouse up to LATEST (tests/conftest.py builds it once per worker)."""
    return briefing_sample_warehouse


@pytest.fixture(scope="module")
def briefings(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every briefing of the latest month in every format, through the command line, once the month
    passed its quality checks (the gate)."""
    out = tmp_path_factory.mktemp("out")
    _planwatch(
        "check", "--period", LATEST, "--warehouse", str(warehouse), "--output", str(tmp_path_factory.mktemp("q"))
    )
    _planwatch("brief", "--period", LATEST, "--warehouse", str(warehouse), "--out", str(out))
    return out


def expected_stems(warehouse: Path, period: str) -> set[str]:
    """The briefings a month must have: each plan with rows, each county it sets targets for, the summary."""
    day = _month_end(period)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            select plans.plan_id, plans.region_code as region_code from marts.dim_plan as plans
            where exists (select 1 from marts.fct_target_progress as p where p.plan_id = plans.plan_id and p.period = ?)
            union
            select distinct targets.plan_id, targets.region_code from marts.dim_target as targets
            join marts.dim_plan as plans using (plan_id)
            join marts.dim_region as regions on regions.region_code = targets.region_code
            where regions.parent_code = plans.region_code and regions.region_level = 'county'
              and exists (select 1 from marts.fct_target_progress as p where p.plan_id = plans.plan_id and p.period = ?)
            """,
            [day, day],
        ).fetchall()
    return {f"{plan}_{region}_{period}" for plan, region in rows} | {f"leadership_summary_{period}"}


def _month_end(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _visible_text(html: str) -> str:
    """The text a reader sees: outside charts, styles and the window title."""
    html = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", html))


def numbers_in(html: str) -> list[str]:
    """The numbers a reader sees, minus sequence columns and table/figure/issue labels."""
    html = re.sub(r'<td class="c seq">\d+</td>', "", html)
    return NUMBER.findall(LABELS.sub("", _visible_text(html)))


def pdf_numbers(path: Path) -> list[str]:
    """Every number of a PDF's text, page numbers ("— N —") left out."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return NUMBER.findall(re.sub(r"^\s*—\s*\d+\s*—\s*$", " ", text, flags=re.M))  # page numbers: a line of their own


def docx_numbers(path: Path) -> list[str]:
    """The numbers of a Word briefing's paragraphs and tables, minus 序号 columns and labels."""
    document = Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        for row in table.rows:
            texts += [cell.text for index, cell in enumerate(row.cells) if header[index] != "序号"]
    return NUMBER.findall(LABELS.sub("", "\n".join(texts)))


def _tokens(texts: Iterable[object]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        if text is not None:
            found.update(NUMBER.findall(str(text)))
    return found


def _formatted(value: object, units: Iterable[str]) -> set[str]:
    if value is None or isinstance(value, bool):
        return set()
    if isinstance(value, dt.date):
        return _tokens([f.zh_date(value)])
    if not isinstance(value, int | float):
        return _tokens([value])
    shown = [
        f.percent(value),
        f.percent(value, 0),
        f.signed(value),
        f.points(value),
        f.points(value, 2),
        f.share(value),
        f.integer(value),
        f.versus_time_progress(value),
    ]
    shown += [f.quantity(value, unit) for unit in units]
    # a projection close to its target is shown with the decimals it takes to stay on its side (6.497万吨)
    shown += [f.quantity(value, unit, digits) for unit in units for digits in (1, 3, 4)]
    return _tokens(shown)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[dict[str, object]]:
    cursor = con.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def mart_numbers(warehouse: Path, plan_ids: list[str], period: str) -> set[str]:
    """Every figure the marts hold for the plans and month, formatted by every briefing filter."""
    year, month = (int(x) for x in period.split("-"))
    day = dt.date(year, month, calendar.monthrange(year, month)[1])
    following = day + dt.timedelta(days=1)
    issue_day = settings().briefing_issue_day
    allowed = _tokens([f.zh_date(day), f.zh_date(dt.date(following.year, following.month, issue_day))])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        units = [row[0] for row in con.execute("select distinct canonical_unit from marts.dim_indicator").fetchall()]
        units += [row[0] for row in con.execute("select distinct unit from marts.dim_target").fetchall()]
        for plan_id in plan_ids:
            tables = [
                (
                    "select p.*, t.indicator_name, t.region_name from marts.fct_target_progress p "
                    "join marts.dim_target t using (target_id) where p.plan_id = ? and p.period = ?",
                    [plan_id, day],
                ),
                ("select * from marts.mart_region_ranking where plan_id = ? and period = ?", [plan_id, day]),
                ("select * from marts.mart_department_scorecard where plan_id = ? and period = ?", [plan_id, day]),
                (
                    "select s.*, m.project from marts.fct_milestone_status s "
                    "left join staging.stg_registry__milestones m "
                    "using (milestone_id) where s.plan_id = ? and s.period = ?",
                    [plan_id, day],
                ),
                ("select * from marts.dim_plan where plan_id = ? and ? is not null", [plan_id, day]),
                # a plan baseline the base period's reported figure contradicts: the briefing quotes that figure,
                # or the 上年同期 column of the report a year later where the base period has no report of its own
                (
                    "select o.value, o.file_name from marts.fct_observation o join marts.fct_target_progress p "
                    "on o.indicator_code = p.indicator_code and o.region_code = p.region_code "
                    "and (o.period = last_day(p.baseline_as_of) or (o.period = last_day(p.baseline_as_of "
                    "+ interval 1 year) and o.measure like 'prior_year_%')) where p.plan_id = ? and p.period = ?",
                    [plan_id, day],
                ),
            ]
            for sql, params in tables:
                for row in _rows(con, sql, params):
                    for value in row.values():
                        allowed |= _formatted(value, units)
            # counts of targets and milestones by status, for the plan, each region, running or final
            counts = _rows(
                con,
                """
                select count(*) as n from marts.fct_target_progress where plan_id = ? and period = ?
                group by grouping sets ((), (status), (is_final_verdict), (is_final_verdict, status), (region_code),
                    (is_final_verdict, projected_to_meet), (region_code, is_final_verdict, projected_to_meet),
                    (region_code, status), (region_code, is_final_verdict), (region_code, is_final_verdict, status),
                    (region_code, is_final_verdict, status in ('lagging', 'severely_lagging')),
                    (is_final_verdict, status in ('lagging', 'severely_lagging')))
                union all
                select count(*) from marts.fct_milestone_status where plan_id = ? and period = ?
                group by grouping sets ((), (is_overdue), (region_code), (region_code, is_overdue))
                """,
                [plan_id, day, plan_id, day],
            )
            allowed |= {str(row["n"]) for row in counts}
            paces = _rows(
                con,
                "select required_monthly_pace, measure_space, target_year, actual_as_of "
                "from marts.fct_target_progress where plan_id = ? and period = ? and required_monthly_pace is not null",
                [plan_id, day],
            )
            for pace in paces:
                allowed |= _pace_tokens(pace)
        # the leadership summary counts every target of the month, running ones by their light and
        # those whose year has passed by their final verdict (a running plan's earlier years too)
        allowed |= {
            str(row["n"])
            for row in _rows(
                con,
                """
            select count(*) as n from marts.fct_target_progress where period = ?
            group by grouping sets ((), (status), (is_final_verdict), (is_final_verdict, status))
            """,
                [day],
            )
        }
        # 预计: a briefing projects the running targets not yet met (a met one is not projected), and counts
        # them by verdict, for the plan and for each county
        allowed |= {
            str(row["n"])
            for row in _rows(
                con,
                """
            select count(*) as n from marts.fct_target_progress
            where period = ? and not is_final_verdict and status not in ('achieved', 'no_data', 'stale')
              and projected_value is not null
            group by grouping sets ((plan_id), (plan_id, projected_to_meet), (plan_id, region_code),
                (plan_id, region_code, projected_to_meet))
            """,
                [day],
            )
        }
        # submissions, quarantine and revisions behind the data-reporting and quality sections
        for row in _rows(con, "select * from marts.mart_submission_completeness where period = ?", [day]):
            allowed |= set().union(*(_formatted(v, []) for v in row.values()))
        allowed |= {
            str(r["n"])
            for r in _rows(
                con,
                "select count(*) as n from marts.mart_submission_completeness c join marts.dim_department d "
                "using (department_id) where period = ? group by grouping sets ((d.region_code), "
                "(d.region_code, submissions_received), (d.region_code, is_on_time))",
                [day],
            )
        }
        allowed |= {
            str(r["n"])
            for r in _rows(con, "select count(*) as n from raw.quarantine group by load_id, reason_code", [])
        }
        allowed |= {str(n) for n in range(0, 100)} & _revision_counts(con, day)
        # a plausibility warning quotes the figure it doubts and the one it was compared with, as the
        # ingest review recorded them (the briefing says what the finding says, not a figure of its own)
        allowed |= _tokens(
            r["message"]
            for r in _rows(con, "select message from raw.observation_findings where severity = 'warning'", [])
        )
        allowed |= _tokens(
            r["department_name"] for r in _rows(con, "select department_name from marts.dim_department", [])
        )
        allowed.add("1")  # a year-to-date's period label starts at January: 1—6月
        allowed.add("95")  # the projection's 95%预测区间
        allowed.add("12")  # 近期数据（最多12期）
        allowed.add("3")  # 少于3个数据点不估计区间
    return allowed


def _revision_counts(con: duckdb.DuckDBPyConnection, day: dt.date) -> set[str]:
    rows = con.execute(
        "select count(distinct observation_key) from marts.fct_observation o join marts.dim_target t "
        "using (indicator_code, region_code) where o.period = ? and o.superseded_revisions > 0 group by t.plan_id",
        [day],
    ).fetchall()
    return {str(row[0]) for row in rows}


def test_the_checker_catches_a_number_the_marts_do_not_hold() -> None:
    allowed = {"16.5", "72.6"}
    html = "<p>完成16.5万头，完成率72.6%，另有123456.78亿元</p><svg><text>999</text></svg>"
    assert [n for n in numbers_in(html) if n not in allowed] == ["123456.78"]


def test_every_number_of_every_briefing_of_the_latest_month_is_in_the_marts_in_each_format(
    warehouse: Path, briefings: Path
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        plan_ids = [row[0] for row in con.execute("select plan_id from marts.dim_plan").fetchall()]
    allowed = mart_numbers(warehouse, plan_ids, LATEST)
    stems = expected_stems(warehouse, LATEST)
    assert f"pingliang_key_counties_2023_620825_{LATEST}" in stems  # a county briefing
    # four plans, their counties and the summary; 呼和浩特's plan (2021–2023) had its last briefing in 2024-12
    assert len(stems) >= 13 and not any(stem.startswith("hohhot") for stem in stems)
    for fmt in ("html", "pdf", "docx"):
        assert {path.stem for path in briefings.glob(f"*.{fmt}")} == stems, fmt
    checked = Counter[str]()
    for stem in sorted(stems):
        html = (briefings / f"{stem}.html").read_text(encoding="utf-8")
        found = numbers_in(html)
        assert len(found) > 10, stem
        unexplained = sorted({number for number in found if number not in allowed})
        assert not unexplained, f"{stem}.html: numbers not in the marts: {unexplained}"
        checked["html"] += len(found)

        # the PDF shows exactly the numbers of its HTML (labels and sequence numbers included)
        in_pdf = Counter(pdf_numbers(briefings / f"{stem}.pdf"))
        in_html = Counter(NUMBER.findall(_visible_text(html)))
        assert in_pdf == in_html, f"{stem}.pdf: missing {in_html - in_pdf}, extra {in_pdf - in_html}"
        checked["pdf"] += in_pdf.total()

        found = docx_numbers(briefings / f"{stem}.docx")
        assert len(found) > 10, stem
        unexplained = sorted({number for number in found if number not in allowed})
        assert not unexplained, f"{stem}.docx: numbers not in the marts: {unexplained}"
        checked["docx"] += len(found)
    assert min(checked.values()) > 1000, checked


def _months_with_data(warehouse: Path) -> dict[str, list[str]]:
    """Each plan's months with progress rows, plans with the longest period and fewest targets first."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """
            with months as (
                select plan_id, period, count(*) as targets from marts.fct_target_progress group by plan_id, period
            )
            select plan_id, strftime(period, '%Y-%m') from months
            order by count(*) over (partition by plan_id) desc, max(targets) over (partition by plan_id), plan_id,
                period
            """
        ).fetchall()
    months: dict[str, list[str]] = {}
    for plan_id, period in rows:
        months.setdefault(plan_id, []).append(period)
    return months


def assert_valid_briefing(path: Path, period: str) -> None:
    """The file opens in its format, says 督查通报 for its month, and a PDF embeds only Noto CJK SC."""
    year, month = (int(x) for x in period.split("-"))
    month_label = f"（{year}年{month}月）"
    if path.suffix == ".html":
        text = path.read_text(encoding="utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and text.rstrip().endswith("</html>"), path
        assert "督查通报" in text and month_label in text, path
    elif path.suffix == ".pdf":
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
        assert pages >= 1 and "(A4)" in info, (path, info)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all(" yes " in row and "-CJK-SC" in row for row in rows), (path, fonts)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "督查通报" in text and month_label in text, path
        # nothing prints past the text block (GB/T 9704: 28 mm and 26 mm margins, mirrored on left pages):
        # 表1's cells once ran 20 mm into the margin, their lines over the next columns
        boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True)
        words = re.findall(r'xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)<', boxes.stdout)
        points_per_mm = 72 / 25.4
        outside = [
            word
            for low, high, word in words
            if not 25.5 <= float(low) / points_per_mm < float(high) / points_per_mm <= 184.5
        ]
        assert not outside, (path, outside[:10])
    else:
        document = Document(str(path))
        text = "\n".join(paragraph.text for paragraph in document.paragraphs)
        assert "督查通报" in text and month_label in text, path
        assert round(document.sections[0].page_width.mm) == 210, path  # A4


def _spread(periods: list[str], every: int) -> list[str]:
    """The first three months (a plan's first data: one point, no year before), then every `every`th
    month, and the last: where a month's data can break a briefing, at a fraction of the rendering."""
    return sorted({*periods[:3], *periods[::every], periods[-1]})


def test_every_plan_renders_in_every_month_with_data(warehouse: Path, tmp_path: Path) -> None:
    """All plans × all months × three formats is 972 briefings and about 50 minutes of CPU here, so this
    renders: the leadership summary (which reads every plan) of every month in HTML, its PDF and Word
    every twelfth month; the plan with the longest period (and fewest targets) in HTML in its first
    three months and every fourth month after (each draws its trend charts at their real cadence), in
    PDF and Word in its first, middle and last month; every plan's first month in all three formats, and
    its middle month with its county briefings in HTML. The last month of every plan, every briefing in
    all formats, is the number test's."""
    months = _months_with_data(warehouse)
    all_months = sorted({period for periods in months.values() for period in periods})
    assert all_months[-1] == LATEST and len(all_months) == 60
    longest = next(iter(months))
    started = time.perf_counter()
    written: list[tuple[Path, str]] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summaries = [gather_summary(con, period) for period in all_months]
    for index, (period, summary) in enumerate(zip(all_months, summaries, strict=True)):
        # every month in HTML (what the context holds), every twelfth in Word and PDF too (how they lay it out)
        formats = ["html", "docx", "pdf"] if index % 12 == 0 else ["html"]
        written += [(path, period) for path in render(summary, tmp_path / period, formats)]
    laid_out = {months[longest][0], months[longest][len(months[longest]) // 2], months[longest][-1]}
    for period in _spread(months[longest], every=4):
        formats = ["html", "docx", "pdf"] if period in laid_out else ["html"]
        run = render_month(warehouse, period, tmp_path / period, plan_id=longest, formats=formats, counties=False)
        written += [(path, period) for path in run.written]
    for plan_id, periods in months.items():
        for period, counties, formats in (
            (periods[0], False, ["html", "pdf", "docx"]),
            (periods[len(periods) // 2], True, ["html"]),
        ):
            run = render_month(
                warehouse, period, tmp_path / period, plan_id=plan_id, counties=counties, formats=formats
            )
            written += [(path, period) for path in run.written]
            assert len(run.written) >= len(formats) and not run.skipped_plans
            logged = json.loads(json.dumps(run.as_dict()))  # what an Airflow task logs and returns
            assert logged["files"] == [str(path) for path in run.written] and logged["period"] == period
            assert set(logged["seconds_by_format"]) == set(formats) and logged["seconds_gathering"] > 0
    rendered = time.perf_counter() - started
    for path, period in written:
        assert_valid_briefing(path, period)
    suffixes = Counter(path.suffix for path, _ in written)
    # 60 summaries + 5 × 2 of them laid out; ~25 months of the longest plan + 3 × 2; the plans' own runs
    assert suffixes[".html"] > 100 and suffixes[".pdf"] >= 12 and suffixes[".docx"] >= 12, suffixes
    assert not list(tmp_path.rglob("*.part"))  # no temporary file left behind
    print(f"rendered {len(written)} files in {rendered:.0f} s")


def test_an_ended_plan_has_its_final_assessment_for_a_year_then_leaves_the_months_briefings(warehouse: Path) -> None:
    """呼和浩特's plan runs 2021–2023: its 终期评估 is briefed through 2024 (final_assessment_months, 12),
    while 2023's annual figures arrive; from January 2025 no briefing, summary or 督办 speaks of it as current."""
    hohhot = "hohhot_dairy_cluster_2021"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        units, skipped, _ = briefing_units(con, dt.date(2024, 12, 31), None)
        assert hohhot in {unit.plan_id for unit in units} and hohhot not in skipped
        final = gather_plan(con, hohhot, "2024-12")
        assert final.is_final_assessment and "终期评估" in final.title
        assert hohhot in {line.plan_id for line in gather_summary(con, "2024-12").plans}

        units, skipped, _ = briefing_units(con, dt.date(2025, 1, 31), None)
        assert hohhot not in {unit.plan_id for unit in units} and skipped == [hohhot]
        assert hohhot not in {line.plan_id for line in gather_summary(con, "2025-01").plans}
        with pytest.raises(ValueError, match=r"ended \(2023-12-31\).*final_assessment_months \(12\)"):
            gather_plan(con, hohhot, "2025-01")
        # its milestones leave the monthly marts with it
        assert con.execute(
            "select max(period) from marts.fct_milestone_status where plan_id = ?", [hohhot]
        ).fetchone() == (dt.date(2024, 12, 31),)


def test_the_published_snapshot_says_the_latest_month_passed_its_quality_gate(
    warehouse: Path, briefings: Path, tmp_path: Path
) -> None:
    """`briefings` checked LATEST (the gate passed, or no briefing would exist): the snapshot's manifest says so."""
    from planwatch.publish import publish_snapshot, read_manifest

    snapshot = publish_snapshot(warehouse, tmp_path / "published")
    quality = read_manifest(snapshot.path)["quality"]
    assert quality["period"] == LATEST and quality["checked"] and quality["publishable"]
    assert quality["critical_failures"] == [] and not quality["data_changed_since_check"]


# ---- claims: each number belongs to the target, column and period it is printed against -----------

TARGET_ROW = re.compile(r'<tr data-target="([^"]+)">(.*?)</tr>', re.S)
TARGET_CELL = re.compile(r'<td[^>]*data-col="([a-z_]+)"[^>]*>(.*?)</td>', re.S)
TARGET_SPAN = re.compile(r'<span data-target="([^"]+)">(.*?)</span>(?!</td>)', re.S)


def _target_rows(warehouse: Path, period: str) -> dict[str, dict[str, object]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = _rows(
            con,
            "select p.*, coalesce(i.canonical_unit, p.unit) as measure_unit from marts.fct_target_progress p "
            "left join marts.dim_indicator i using (indicator_code) where p.period = ?",
            [_month_end(period)],
        )
    return {str(row["target_id"]): row for row in rows}


def _cell_numbers(html: str) -> list[str]:
    return NUMBER.findall(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def _as_of_tokens(row: dict[str, object]) -> set[str]:
    day = row["actual_as_of"]
    assert isinstance(day, dt.date)
    return {str(day.year), str(day.month), "1"}


def _pace_tokens(row: dict[str, object]) -> set[str]:
    """A count's pace in whole ones (此后24个月内需增加7个): the months from the actual to the target's end,
    and the whole ones the monthly pace asks of them."""
    pace, as_of = row.get("required_monthly_pace"), row.get("actual_as_of")
    if not isinstance(pace, float) or not isinstance(as_of, dt.date):
        return set()
    year = row["target_year"]
    assert isinstance(year, int)
    months = (
        12 - as_of.month
        if row["measure_space"] == "year_total"
        else year * 12 + 11 - (as_of.year * 12 + as_of.month - 1)
    )
    return {str(months), str(math.ceil(abs(pace) * months - 1e-6))}


def _since_start_tokens(row: dict[str, object], unit: str) -> set[str]:
    """What an addition or a sum since the plan start shows beside its figure: where it counts from
    (较2020年末, 2021年以来), the level or this year's part it comes with, and that figure's own 同比/环比."""
    if row.get("measure_space") not in {"change_since_plan_start", "sum_since_plan_start"}:
        return set()
    found = _formatted(row.get("reported_value"), [unit])
    for column in ("yoy_growth_pct", "yoy_change_pp", "mom_growth_pct", "mom_change_pp"):
        found |= _formatted(row.get(column), [])
    start = row.get("baseline_as_of")
    if isinstance(start, dt.date):
        found |= {str(start.year), str(start.year + 1), str(start.month)}
    return found


def assert_claims_hold(html: str, rows: dict[str, dict[str, object]], where: str) -> int:
    """Every table cell and sentence tagged with a target shows only that target's figures, in its column."""
    checked = 0
    for target_id, row_html in TARGET_ROW.findall(html):
        row = rows[target_id]
        unit = str(row["measure_unit"])
        cells = dict(TARGET_CELL.findall(row_html))
        own = {
            "target_year": _tokens([row["target_year"]]),
            "actual": _formatted(row["actual_value"], [unit])
            | (_as_of_tokens(row) if row["actual_as_of"] else set())
            | _since_start_tokens(row, unit),
            "yoy": _formatted(row["yoy_growth_pct"], []) | _formatted(row["yoy_change_pp"], []),
            "completion": _formatted(row["completion_rate"], [])
            | _formatted(row["margin_to_target"], [unit])
            | _formatted(-(row["margin_to_target"] or 0), [unit]),
            "margin": _formatted(row["margin_to_target"], [unit]) | _formatted(-(row["margin_to_target"] or 0), [unit]),
            "time_progress": _formatted(row["time_progress"], []),
            "gap": _formatted(row["gap_pp"], []),
            "projection": _formatted(row["projected_value"], [unit])
            | _formatted(row["projected_value_low"], [unit])
            | _formatted(row["projected_value_high"], [unit]),
            "growth": _formatted(row["observed_annual_growth_pct"], [])
            | _formatted(row["required_annual_growth_pct"], []),
        }
        for column, cell in cells.items():
            if column in {"target", "verdict", "as_of"}:
                continue  # the target as written (the registry's), and words
            stray = [n for n in _cell_numbers(cell) if n not in own[column]]
            assert not stray, f"{where}: {target_id} column {column} shows {stray}, not its own: {cell!r}"
            checked += 1
        if row["actual_value"] is not None and "actual" in cells:
            assert 'class="asof"' in cells["actual"], f"{where}: {target_id}: an actual without its period"
    for target_id, sentence in TARGET_SPAN.findall(html):
        row = rows[target_id]
        unit = str(row["measure_unit"])
        own_any: set[str] = set(_tokens([row["target_year"]])) | {"1", "95"}
        for value in row.values():
            own_any |= _formatted(value, [unit, str(row["unit"])])
        if row["actual_as_of"]:
            own_any |= _as_of_tokens(row) | _since_start_tokens(row, unit) | _pace_tokens(row)
        stray = [n for n in _cell_numbers(sentence) if n not in own_any]
        assert not stray, f"{where}: a sentence about {target_id} shows {stray}, not its figures: {sentence!r}"
        checked += 1
    return checked


def test_each_number_belongs_to_the_target_column_and_period_it_is_printed_against(
    warehouse: Path, briefings: Path
) -> None:
    rows = _target_rows(warehouse, LATEST)
    checked = 0
    for path in sorted(briefings.glob("*.html")):
        checked += assert_claims_hold(path.read_text(encoding="utf-8"), rows, path.name)
    assert checked > 500


def test_the_claim_checker_catches_a_figure_printed_against_another_target() -> None:
    rows = {
        "a": {
            "target_year": 2025,
            "actual_value": 10.0,
            "actual_as_of": dt.date(2025, 6, 30),
            "measure_unit": "个",
            "unit": "个",
            "yoy_growth_pct": None,
            "yoy_change_pp": None,
            "completion_rate": 50.0,
            "margin_to_target": -10.0,
            "time_progress": 50.0,
            "gap_pp": 0.0,
            "projected_value": None,
            "projected_value_low": None,
            "projected_value_high": None,
            "observed_annual_growth_pct": None,
            "required_annual_growth_pct": None,
        },
    }
    good = '<tr data-target="a"><td data-col="actual">10个<br><span class="asof">1—6月</span></td></tr>'
    assert assert_claims_hold(good, rows, "good") == 1
    wrong = '<tr data-target="a"><td data-col="actual">12个<br><span class="asof">1—6月</span></td></tr>'
    with pytest.raises(AssertionError, match="not its own"):
        assert_claims_hold(wrong, rows, "wrong")
    undated = '<tr data-target="a"><td data-col="actual">10个</td></tr>'
    with pytest.raises(AssertionError, match="without its period"):
        assert_claims_hold(undated, rows, "undated")


def test_no_briefing_shows_a_quality_finding_of_another_plan_or_region(
    warehouse: Path, briefings: Path, tmp_path: Path
) -> None:
    """A finding about one county's target of one plan shows in that plan's briefing, that county's
    briefing and the summary under that plan, and in no other briefing of the month."""
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(warehouse.read_bytes())  # with the month's quality run, which `briefings` stored
    with duckdb.connect(str(copy)) as con:
        target_id, plan_id, region = con.execute(
            """
            select t.target_id, t.plan_id, t.region_code from marts.dim_target t
            join marts.dim_plan p using (plan_id) join marts.dim_region r on r.region_code = t.region_code
            where r.parent_code = p.region_code and r.region_level = 'county' and p.plan_id like 'pingliang%'
            order by t.target_id limit 1
            """
        ).fetchone()
        run_id = con.execute(
            "select run_id from quality.runs where period = ? order by started_at desc limit 1", [LATEST]
        ).fetchone()[0]
        scope = json.dumps([{"plan_id": plan_id, "target_id": target_id, "rows": 2}])
        con.execute(
            "insert into quality.expectation_results (run_id, period, suite, check_name, expectation_type, severity, "
            "success, unexpected_count, message, checked_at, scope) values "
            "(?, ?, 'marts_target_progress', 'scoped_probe', 'probe', 'warning', false, 2, '测试探针：仅属此县目标', "
            "now(), ?)",
            [run_id, LATEST, scope],
        )
    out = tmp_path / "out"
    render_month(copy, LATEST, out, formats=["html"])
    holders = {path.stem for path in out.glob("*.html") if "测试探针" in path.read_text(encoding="utf-8")}
    assert holders == {
        f"{plan_id}_{_plan_region(copy, plan_id)}_{LATEST}",
        f"{plan_id}_{region}_{LATEST}",
        f"leadership_summary_{LATEST}",
    }
    summary = (out / f"leadership_summary_{LATEST}.html").read_text(encoding="utf-8")
    assert re.search(r"平凉市《[^》]+》：测试探针：仅属此县目标2条", summary)


def test_the_summary_counts_each_plans_rows_set_aside_as_the_plans_own_briefing_does(warehouse: Path) -> None:
    """Rows quarantined this month are not in the marts: the leadership summary says so under each plan,
    with the counts of that plan's briefing, reason by reason."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(month,)] = con.execute(
            "select unnest(string_split(l.periods, ',')) as month from raw.quarantine q "
            "join raw.file_loads l using (load_id) group by 1 order by count(*) desc, 1 desc limit 1"
        ).fetchall()
        summary = gather_summary(con, month)
        said = [note for note in summary.quality if note.kind == "quarantine"]
        assert said, month
        for plan_id in [row[0] for row in con.execute("select plan_id from marts.dim_plan").fetchall()]:
            try:
                briefing = gather_plan(con, plan_id, month)
            except ValueError:  # the plan does not run that month
                continue
            title = f"{briefing.region_name}《{briefing.plan_title}》"
            own = sorted((note.text, note.count) for note in briefing.quality if note.kind == "quarantine")
            assert sorted((note.text, note.count) for note in said if note.plans == title) == own, plan_id


def _plan_region(warehouse: Path, plan_id: str) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select region_code from marts.dim_plan where plan_id = ?", [plan_id]).fetchone()[0]


def test_every_plan_shows_a_year_on_year_change_and_an_outlook_in_a_month_it_runs(warehouse: Path) -> None:
    months = _months_with_data(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for plan_id, periods in months.items():
            period = periods[len(periods) // 2]
            briefing = gather_plan(con, plan_id, period)
            assert not briefing.is_final_assessment, (plan_id, period)
            compared = [line for line in briefing.targets if line.year_on_year_text != "—"]
            foreseen = [line for line in briefing.targets if line.outlook is not None]
            assert compared and foreseen, (plan_id, period, len(compared), len(foreseen))
            html = render_html(briefing)
            assert re.search(r"(同比|比上年)(增长|下降|提高|持平)", html), plan_id
            assert "预计能够" in html or "预计难以" in html, plan_id


def test_a_ratio_the_marts_computed_names_its_parts_as_its_source(warehouse: Path) -> None:
    """No department reported 畜牧业总产值占农业总产值比重: the table says it was computed, and from what."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        derived = con.execute(
            "select distinct p.plan_id, strftime(p.period, '%Y-%m'), p.target_id from marts.fct_target_progress p "
            "where p.actual_source = 'derived_ratio' and p.period = ?",
            [_month_end(LATEST)],
        ).fetchall()
        assert derived
        for plan_id, month, target_id in derived:
            briefing = gather_plan(con, plan_id, month)
            [line] = [line for line in (*briefing.targets, *briefing.final_targets) if line.target_id == target_id]
            source = line.actual_source_name or ""
            assert source.startswith("按") and "÷" in source and source.endswith("计算"), (target_id, source)


def test_a_month_whose_gate_failed_gets_no_briefing_until_an_override_which_page_one_states(
    warehouse: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("drop schema if exists quality cascade")  # a month nobody checked
    out = tmp_path / "out"
    common = ["--period", LATEST, "--warehouse", str(copy)]
    never_checked = subprocess.run(
        [sys.executable, "-m", "planwatch", "brief", *common, "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert never_checked.returncode != 0 and "planwatch check" in never_checked.stdout + never_checked.stderr
    assert not out.exists() or not any(out.iterdir())
    # a figure no clerk could have meant: a negative value fails a critical check
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update raw.observations set value = -abs(value) - 1 "
            "where rowid = (select min(rowid) from raw.observations where period = ?)",
            [LATEST],
        )
    failed = subprocess.run(
        [sys.executable, "-m", "planwatch", "check", *common, "--output", str(tmp_path / "q")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert failed.returncode != 0, failed.stdout
    blocked = subprocess.run(
        [sys.executable, "-m", "planwatch", "brief", *common, "--out", str(out)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert blocked.returncode != 0
    assert "critical data quality checks failed" in blocked.stdout + blocked.stderr
    assert not out.exists() or not any(out.iterdir())
    _planwatch(
        "check",
        *common,
        "--output",
        str(tmp_path / "q"),
        "--override",
        "已电话核实，数据暂按报送数使用",
        "--operator",
        "王五",
    )
    plan_id = next(iter(_months_with_data(copy)))
    _planwatch("brief", *common, "--out", str(out), "--plan", plan_id, "--format", "html,pdf", "--no-counties")
    pdf = next(out.glob("*.pdf"))
    page_one = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace("\n", "")
    assert "特别说明" in page_one and "王五" in page_one and "未全部通过关键数据质量检查" in page_one
    # dated as official documents write dates (GB/T 9704): 2026年12月5日, not 2026年12月05日
    html = re.sub(r"<[^>]+>", "", next(out.glob("*.html")).read_text(encoding="utf-8"))
    assert re.search(r"经王五于\d{4}年[1-9]\d?月[1-9]\d?日批准发布", html), html[:3000]


def test_a_range_of_months_renders_each_checked_month_in_its_folder_and_names_the_blocked_ones(
    warehouse: Path, briefings: Path, tmp_path: Path
) -> None:
    """`brief --period A..B` (history rebuilt): LATEST passed its checks (the `briefings` fixture), the
    month before was never checked; the one is rendered in <out>/<month>/, the other named, exit 1."""
    before = f"{int(LATEST[:4]) - (LATEST[5:] == '01')}-{(int(LATEST[5:]) - 2) % 12 + 1:02d}"
    plan_id = next(plan for plan, months in _months_with_data(warehouse).items() if {before, LATEST} <= set(months))
    out = tmp_path / "out"
    asked = ["--period", f"{before}..{LATEST}", "--warehouse", str(warehouse), "--out", str(out), "--plan", plan_id]
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "brief", *asked, "--format", "html", "--no-counties"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert f"1 of 2 months briefed; not briefed: {before}" in said and f"planwatch check --period {before}" in said
    assert not (out / before).exists()
    [written] = (out / LATEST).glob("*.html")  # the plan's own briefing, as the month's run wrote it
    assert written.name.startswith(plan_id) and written.read_bytes() == (briefings / written.name).read_bytes()


def test_the_leadership_summary_counts_every_target_of_the_month_as_the_mart_has_them(warehouse: Path) -> None:
    """A running plan's earlier target years count with their final verdict, as a finished plan's do: the
    summary adds up to the mart's rows and missed targets, and says what it counts."""
    day = _month_end(LATEST)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        total, missed, final, running_plan_finals = con.execute(
            """
            select count(*), count(*) filter (where status = 'missed'), count(*) filter (where is_final_verdict),
                count(*) filter (where is_final_verdict and plan_id in (
                    select plan_id from marts.fct_target_progress where period = ? and not is_final_verdict))
            from marts.fct_target_progress where period = ?
            """,
            [day, day],
        ).fetchone()
        summary = gather_summary(con, LATEST)
    assert running_plan_finals > 0  # the case the summary left out
    assert summary.counts.total == total and summary.counts.missed == missed
    assert summary.final_counts is not None and summary.final_counts.total == final
    assert summary.running_counts is not None and summary.running_counts.total == total - final
    assert sum(plan.counts.total for plan in summary.plans) == total
    html = render_html(summary)
    assert f"纳入监测的目标任务共{total}项，为各规划本月全部目标任务，含目标年已过、已作最终结论的目标" in html
    assert f"目标年已结束的{final}项中" in html and f"未完成{summary.final_counts.missed}项" in html


def test_a_file_refused_for_a_locked_month_is_said_so_not_unreadable_nor_returned(
    warehouse: Path, tmp_path: Path
) -> None:
    """The file_readable check names any refused file (拒收、未入库); a briefing says what ingest
    recorded: the month was issued and locked, the file not loaded, and no 退回 the office did not record."""
    from planwatch.supervision.states import locked_refusal

    copy = tmp_path / "w.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(copy)) as con:
        plan_id, plan_title, department_id, department_name = con.execute(
            """
            select p.plan_id, p.plan_title, d.department_id, d.department_name from marts.dim_plan p
            join marts.dim_department d on d.region_code = p.region_code
            where p.plan_id like 'hulin%' order by d.department_id limit 1
            """
        ).fetchone()
        reason = locked_refusal(
            department_id, [LATEST], {(department_id, LATEST): [(plan_id, 9)]}, {plan_id: plan_title}
        )
        assert reason is not None
        con.execute(
            """
            insert into raw.file_loads (load_id, file_name, file_path, sha256, department_id, periods, status,
                rejection_reason, rows_read, rows_loaded, rows_quarantined, rows_ignored, observations,
                milestone_reports, revisions, loaded_at)
            select max(load_id) + 1, ?, ?, 'locked-probe', ?, ?, 'rejected', ?, 0, 0, 0, 0, 0, 0, 0, now()
            from raw.file_loads
            """,
            [
                f"{department_name}_{LATEST}.xlsx",
                f"/landing/{department_name}_{LATEST}.xlsx",
                department_id,
                LATEST,
                reason,
            ],
        )
    _planwatch("check", "--period", LATEST, "--warehouse", str(copy), "--output", str(tmp_path / "q"))
    with duckdb.connect(str(copy), read_only=True) as con:
        message = con.execute(
            "select message from quality.check_results where check_name = 'file_readable' and period = ?",
            [_month_end(LATEST)],
        ).fetchone()
        assert message is not None  # the check found the refused file
        summary = render_html(gather_summary(con, LATEST))
        plan = render_html(gather_plan(con, plan_id, LATEST))
    year, month = (int(part) for part in LATEST.split("-"))
    said = f"{department_name}报送的文件所报{year}年{month}月数据已签发锁定，文件未入库"
    for html in (summary, plan):
        quality = html.split("数据质量说明", 1)[1]
        assert said in quality
        assert "无法读取" not in quality and "退回" not in quality


def test_a_plan_baseline_the_reported_base_figure_contradicts_is_told_in_the_briefing(warehouse: Path) -> None:
    """张掖's plan puts its organic base area at 0.92万亩 at the end of 2024; what the bureau reported for
    2024年末 says otherwise. Completion is measured from the plan's figure, so the briefing says both.
    The disagreements are recomputed here from the registry's YAML and the raw figures, not the marts."""
    plan = yaml.safe_load((PROJECT_ROOT / "plans" / "zhangye_organic_base_2024.yml").read_text(encoding="utf-8"))
    tolerance = settings().baseline_disagreement_tolerance
    expected: set[tuple[str, str]] = set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for target in plan["targets"]:
            if target.get("baseline_value") is None or target["kind"] != "level" or target.get("base_year") is None:
                continue
            [(canonical,)] = con.execute(
                "select canonical_unit from raw.ref_indicators where indicator_code = ?", [target["indicator_code"]]
            ).fetchall()
            reported = con.execute(
                "select arg_max(value, load_id) from raw.observations where indicator_code = ? and region_code = ?"
                " and period = ? and measure = 'period_end_value'",
                [target["indicator_code"], target["region"], f"{target['base_year']}-12"],
            ).fetchone()[0]
            if canonical != target["unit"] or reported is None:
                continue
            base = float(target["baseline_value"])
            if abs(reported - base) > tolerance * max(abs(reported), abs(base)):
                name = con.execute(
                    "select region_name from raw.ref_regions where region_code = ?", [target["region"]]
                ).fetchone()[0]
                expected.add((name, f"{f.quantity(base, canonical)}"))
        briefing = gather_plan(con, "zhangye_organic_base_2024", LATEST)
    assert expected, "the sample's zhangye base figures agree with the plan: nothing to test"
    notes = [note.text for note in briefing.quality if note.text.startswith("规划基期数与报送数据不一致")]
    told = {(name, base) for name, base in expected if any(name in text and f"为{base}，" in text for text in notes)}
    assert told == expected
    assert len(notes) == len({text.split("规划基期")[1] for text in notes})  # one note per figure, not per target year
