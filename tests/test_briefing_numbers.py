"""Every number in a rendered briefing is found, after formatting, in the marts for its plan and month.

End to end on the sample: registry → sample (with mess) → ingest → dbt → `planwatch brief`. The test
reads the marts itself (not through planwatch.briefing.marts), formats every figure with the briefing
filters, and accepts a number in the briefing only when one of those formatted figures produced it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html as html_lib
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest

from planwatch.briefing import formatting as f

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("briefing_warehouse")]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2025-10"
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _planwatch(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("briefing")
    path = root / "w.duckdb"
    _planwatch("plans", "load", "--warehouse", str(path))
    _planwatch("sample", "--until", "2025-10", "--out", str(root / "sample"), "--mess", "0.1", "--seed", "11")
    files = sorted(str(p) for p in (root / "sample").glob("20*"))
    _planwatch("ingest", *files, "--warehouse", str(path), "--receipts", str(root / "receipts"))
    _planwatch("transform", env={"PLANWATCH_WAREHOUSE": str(path)})
    return path


@pytest.fixture(scope="module")
def briefings(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    _planwatch(
        "brief",
        "--period",
        PERIOD,
        "--plan",
        "pingliang_key_counties_2023",
        "--format",
        "html",
        "--warehouse",
        str(warehouse),
        "--out",
        str(out),
    )
    _planwatch(
        "brief",
        "--period",
        PERIOD,
        "--format",
        "html",
        "--no-counties",
        "--warehouse",
        str(warehouse),
        "--out",
        str(out),
    )
    return out


def numbers_in(html: str) -> list[str]:
    """The numbers a reader sees: text outside charts, styles and sequence columns, minus table/figure labels."""
    html = re.sub(r"<svg.*?</svg>|<style>.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    html = re.sub(r'<td class="c seq">\d+</td>', "", html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    text = re.sub(r"[表图]\d+|第\d+期", "", text)
    return NUMBER.findall(text)


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
    allowed = _tokens([f.zh_date(day), f.zh_date(dt.date(following.year, following.month, 10))])
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
        # the leadership summary adds up each plan's monitored targets: those still running, or all
        # of them once the plan's last target year has passed (its final assessment)
        allowed |= {
            str(row["n"])
            for row in _rows(
                con,
                """
            with monitored as (
                select * from marts.fct_target_progress as p
                where period = ? and (not is_final_verdict or not exists (
                    select 1 from marts.fct_target_progress as q
                    where q.plan_id = p.plan_id and q.period = p.period and not q.is_final_verdict))
            )
            select count(*) as n from monitored group by grouping sets ((), (status))
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
        allowed |= _tokens(
            r["department_name"] for r in _rows(con, "select department_name from marts.dim_department", [])
        )
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


def test_every_number_in_the_plan_county_and_summary_briefings_is_in_the_marts(
    warehouse: Path, briefings: Path
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        plan_ids = [row[0] for row in con.execute("select plan_id from marts.dim_plan").fetchall()]
    allowed = mart_numbers(warehouse, plan_ids, PERIOD)
    pages = sorted(briefings.glob("*.html"))
    names = {page.name for page in pages}
    assert "pingliang_key_counties_2023_620800_2025-10.html" in names
    assert "pingliang_key_counties_2023_620825_2025-10.html" in names  # a county briefing
    assert "leadership_summary_2025-10.html" in names
    assert len(pages) == 5 + 2 + 1
    checked = 0
    for page in pages:
        found = numbers_in(page.read_text(encoding="utf-8"))
        assert len(found) > 20, page.name
        unexplained = sorted({number for number in found if number not in allowed})
        assert not unexplained, f"{page.name}: numbers not in the marts: {unexplained}"
        checked += len(found)
    assert checked > 500
