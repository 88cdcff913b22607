"""The same figure from a department's template and a statistics bureau's table: both are kept, the
source planwatch.toml ranks first is current whatever the load order, and the briefing names it."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from docx import Document

from planwatch.briefing.gather import gather_plan
from planwatch.briefing.render import render_html, write_docx
from planwatch.forms.layout import template_layout
from planwatch.forms.template import build_template
from planwatch.quality.gate import blocked_message, decide
from planwatch.reporting import ReportingDuty
from planwatch.template_format import Measure

from .conftest import PROJECT_ROOT, run_planwatch
from .ingest_support import REGISTRY, ingest, query, statistics_workbook

pytestmark = pytest.mark.slow

PERIOD = "2024-06"
DEPARTMENT = "pingliang.agriculture_rural_bureau"
INDICATOR = "beef_cattle_rearing_volume"
COUNTY = "620825"  # 庄浪县
FIGURE = f"indicator_code = '{INDICATOR}' and region_code = '{COUNTY}' and measure = 'ytd_value'"
KEY = f"indicator_code = '{INDICATOR}' and region_code = '{COUNTY}' and period = '{PERIOD}' and measure = 'ytd_value'"


def _statistics_table(tmp_path: Path, value: float, period: str = PERIOD) -> Path:
    year, month = int(period[:4]), int(period[5:])
    return statistics_workbook(
        tmp_path / f"平凉市统计局_分县区_{period}.xlsx",
        {
            "Sheet1": [
                [f"平凉市分县区主要指标（{year}年1-{month}月）"],
                ["县区", "肉牛饲养量（万头）"],
                ["庄浪县", value],
            ]
        },
    )


def _department_template(tmp_path: Path, value: float, department: str = DEPARTMENT, period: str = PERIOD) -> Path:
    """The department's template with `value` for the figure; a department not asked to report it sends a
    template of that one sheet (a 补报)."""
    if department == DEPARTMENT:
        layout = template_layout(REGISTRY, DEPARTMENT, period)
    else:
        duty = ReportingDuty(department, INDICATOR, (COUNTY,), (Measure.ytd_value, Measure.prior_year_ytd_value), ())
        layout = template_layout(REGISTRY, department, period, [duty], [])
    values = {
        (sheet.indicator_code, region, Measure.ytd_value): value
        for sheet in layout.data_sheets
        if sheet.indicator_code == INDICATOR
        for region in sheet.region_codes
    }
    name = REGISTRY.reference.departments[department].name
    path = tmp_path / f"{name}_{period}_填报模板{'' if department == DEPARTMENT else '_补报'}.xlsx"
    build_template(REGISTRY, department, period, values, {}, layout).save(path)
    return path


def _current(warehouse: Path) -> tuple:
    [row] = query(
        warehouse,
        "select value, source_kind, department_id from marts.fct_observation "
        f"where {FIGURE} and strftime(period, '%Y-%m') = '{PERIOD}'",
    )
    return row


def test_the_configured_source_is_current_whatever_the_load_order_and_the_briefing_names_it(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    # the bureau's table arrives first, the department's own figure (a little different) after it
    [table] = ingest([_statistics_table(tmp_path, 30.0)], warehouse)
    [template] = ingest([_department_template(tmp_path, 30.4)], warehouse)
    assert (table.status, template.status) == ("loaded", "loaded")
    assert sorted(query(warehouse, f"select value from raw.observations where {KEY}")) == [(30.0,), (30.4,)]
    # the disagreement is told to the department, not silently settled
    assert query(warehouse, f"select check_name from raw.observation_findings where {KEY}") == [
        ("departments_disagree",)
    ]

    environment = {"PLANWATCH_WAREHOUSE": str(warehouse)}
    run_planwatch("transform", env=environment)
    assert _current(warehouse) == (30.0, "statistics", "pingliang.statistics_bureau")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        briefing = gather_plan(con, "pingliang_key_counties_2023", PERIOD, region_code=COUNTY)
    lines = (*briefing.targets, *briefing.final_targets)
    [line] = [line for line in lines if line.target_id.startswith(f"pingliang.{INDICATOR}.{COUNTY}")]
    assert line.actual_value == 30.0 and line.actual_source_name == "平凉市统计局"
    assert "来源：平凉市统计局" in render_html(briefing)
    document = Document(str(write_docx(briefing, tmp_path / "briefing.docx")))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("来源：平凉市统计局" in cell for cell in cells)

    # a deployment that trusts the department for this indicator says so in planwatch.toml
    config = tmp_path / "planwatch.toml"
    own = (PROJECT_ROOT / "planwatch.toml").read_text(encoding="utf-8")
    own = re.sub(r"(?m)^plans_dir = .*$", f'plans_dir = "{PROJECT_ROOT / "plans"}"', own)
    config.write_text(
        own.replace(
            "[planwatch]\n",
            f'[planwatch]\nsource_precedence_by_indicator = {{ {INDICATOR} = ["department", "statistics"] }}\n',
        ),
        encoding="utf-8",
    )
    # a plain (incremental) transform follows the new ranking: nothing new was loaded, yet the current
    # figure changed, and fct_observation rewrites the rows that differ
    configured = environment | {"PLANWATCH_CONFIG": str(config)}
    run_planwatch("transform", env=configured)
    assert _current(warehouse) == (30.4, "department", DEPARTMENT)

    # the office returns the department's month: its figure leaves the marts at the next incremental
    # transform, and the bureau's is current again
    run_planwatch(
        "return", "--period", PERIOD, "--department", DEPARTMENT, "--reason", "与统计局数据不一致，请核实",
        "--actor", "张科长", env=configured,
    )  # fmt: skip
    # until the marts are rebuilt, the publication gate says they do not show the return yet
    with duckdb.connect(str(warehouse), read_only=True) as con:
        behind = decide(con, PERIOD)
    assert not behind.publishable and any("returned submissions" in why for why in behind.marts_behind)
    assert "planwatch transform" in blocked_message(behind)
    run_planwatch("transform", env=configured)
    assert _current(warehouse) == (30.0, "statistics", "pingliang.statistics_bureau")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert decide(con, PERIOD).marts_behind == []
    everything = "select * from marts.fct_observation order by observation_key"
    incremental = query(warehouse, everything)
    run_planwatch("transform", "--full-refresh", "--select", "+fct_observation", env=configured)
    assert query(warehouse, everything) == incremental


def test_between_departments_the_one_asked_to_report_is_current_whatever_the_load_order(tmp_path: Path) -> None:
    """Another bureau sends the figure unasked, after the lead unit: the lead unit's stays current (before,
    whichever file was read last won); both are kept, and the disagreement goes back to the sender."""
    warehouse = tmp_path / "w.duckdb"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    other = "pingliang.commerce_bureau"
    duties = query(warehouse, "select department_id, indicator_codes from raw.expected_submissions")
    assert any(department == DEPARTMENT and INDICATOR in codes.split(";") for department, codes in duties)
    assert not any(department == other and INDICATOR in codes.split(";") for department, codes in duties)
    [own] = ingest([_department_template(tmp_path, 30.4)], warehouse)
    [unasked] = ingest([_department_template(tmp_path, 31.9, other)], warehouse)
    assert (own.status, unasked.status) == ("loaded", "loaded")
    assert sorted(query(warehouse, f"select value from raw.observations where {KEY}")) == [(30.4,), (31.9,)]
    run_planwatch("transform", env={"PLANWATCH_WAREHOUSE": str(warehouse)})
    assert _current(warehouse) == (30.4, "department", DEPARTMENT)


def test_a_figure_is_judged_against_the_current_source_not_a_later_lower_ranked_one(tmp_path: Path) -> None:
    """The bureau's 1—5月 figure is 30, a bureau's 补报 of another department says 35 for May (loaded later,
    ranked below the bureau); the bureau's 1—6月 figure, 32, rises from the current May figure and is loaded,
    not set aside as a year-to-date that fell below May's 35."""
    warehouse = tmp_path / "w.duckdb"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    [may] = ingest([_statistics_table(tmp_path, 30.0, "2024-05")], warehouse)
    [unasked] = ingest([_department_template(tmp_path, 35.0, "pingliang.commerce_bureau", "2024-05")], warehouse)
    [june] = ingest([_statistics_table(tmp_path, 32.0, "2024-06")], warehouse)
    assert (may.status, unasked.status, june.status) == ("loaded", "loaded", "loaded")
    assert query(warehouse, f"select value from raw.observations where {KEY}") == [(32.0,)]
    assert query(warehouse, "select count(*) from raw.quarantine where file_name like '%2024-06%'") == [(0,)]
    checks = query(warehouse, f"select check_name from raw.observation_findings where {KEY}")
    assert ("ytd_falls",) not in checks
    run_planwatch("transform", env={"PLANWATCH_WAREHOUSE": str(warehouse)})
    value, source, _ = _current(warehouse)
    assert (value, source) == (32.0, "statistics")
