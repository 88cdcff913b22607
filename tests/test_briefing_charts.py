"""The briefing charts carry information: observations at their real cadence, every target in 图1, the
leadership summary's status charts.

The warehouse tests run on the sample warehouse of test_briefing_numbers.py (same fixture, same seed)
and read the marts themselves to know what a chart must show; a chart's labels are read back from its
SVG, where matplotlib writes each text it draws as a comment beside the glyph paths.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from html import unescape
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import pytest
from docx import Document

from planwatch.briefing import chart_data, charts
from planwatch.briefing.chart_data import Point, TargetPoint, trend_series
from planwatch.briefing.context import TargetLine
from planwatch.briefing.gather import county_regions, gather_plan, gather_summary, month_end
from planwatch.briefing.render import render, render_html, with_charts
from tests.test_briefing_numbers import warehouse  # noqa: F401  (the fixture: the sample warehouse)

# a plan running on annual statistics, and one mid-plan with annual, quarterly and monthly ones
TREND_MONTHS = (("zhangye_organic_base_2024", "2025-11"), ("hohhot_dairy_cluster_2021", "2023-06"))


def _texts(svg: str) -> list[str]:
    """The chart's text, each line a <text> element (svg.fonttype "none")."""
    return [unescape(text) for text in re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)]


def _line(**overrides: object) -> TargetLine:
    values: dict[str, object] = {
        "target_id": "demo.revenue.150100.2025",
        "indicator_name": "农产品加工业营业收入",
        "region_code": "150100",
        "region_name": "呼和浩特市",
        "target_year": 2025,
        "target_kind": "level",
        "comparator": ">=",
        "target_value": 40.0,
        "target_unit": "亿元",
        "target_level": 40.0,
        "measure_unit": "亿元",
        "measure_space": "year_total",
        "actual_value": 30.0,
        "actual_as_of": dt.date(2024, 10, 31),
        "completion_rate": 50.0,
        "time_progress": 80.0,
        "gap_pp": -30.0,
        "status": "lagging",
        "is_final_verdict": False,
        "required_monthly_pace": None,
        "lead_unit": None,
    }
    values.update(overrides)
    return TargetLine(**values)  # type: ignore[arg-type]


def test_a_level_and_its_growth_for_one_figure_are_told_apart_on_figure_1() -> None:
    """渔业产值达到1.5亿元，比2022年增长50%，年均增长16.7%: three targets, one figure, one region, one year."""
    lines = [
        _line(target_id="hulin.fishery.level"),
        _line(target_id="hulin.fishery.growth", target_kind="growth_over_base", target_unit="%", target_value=50.0),
        _line(target_id="hulin.fishery.cagr", target_kind="average_annual_growth", target_unit="%", target_value=16.7),
    ]
    labels = [charts.completion_label(number, line) for number, line in enumerate(lines, start=1)]
    assert labels == [
        "1 农产品加工业营业收入（呼和浩特市，2025）",
        "2 农产品加工业营业收入（呼和浩特市，2025，较基期增长）",
        "3 农产品加工业营业收入（呼和浩特市，2025，年均增长）",
    ]
    (figure,) = charts.completion_figures(lines, png=False)
    assert [text for text in _texts(figure.svg) if re.match(r"\d ", text)] == labels


def test_an_annual_flow_reported_monthly_is_drawn_as_year_totals_and_this_years_year_to_date() -> None:
    months = [
        Point(dt.date(year, month, 28 if month != 12 else 31), 3.0 * month)
        for year in (2023, 2024)
        for month in range(1, 13)
    ]
    months += [Point(dt.date(2025, month, 28), 3.5 * month) for month in range(1, 11)]
    series = trend_series(
        _line(),
        months,
        Point(dt.date(2022, 12, 31), 33.0),
        [TargetPoint(2025, 40.0)],
        (41.0, 38.0, 44.0),
        month_end("2025-10"),
    )
    assert [point.as_of for point in series.observed] == [dt.date(2023, 12, 31), dt.date(2024, 12, 31)]
    assert series.year_to_date == Point(dt.date(2025, 10, 28), 35.0)
    # the projection continues the year totals, not the year's accumulation
    assert series.projection is not None and series.projection.start == Point(dt.date(2024, 12, 31), 36.0)
    assert series.projection.end == Point(dt.date(2025, 12, 31), 41.0) and series.projection.has_band


def test_a_stock_keeps_every_observation_and_a_past_target_gets_no_projection() -> None:
    quarters = [Point(dt.date(2024, month, 30 if month in (6, 9) else 31), float(month)) for month in (3, 6, 9, 12)]
    line = _line(measure_space="level", is_final_verdict=True, target_year=2024)
    series = trend_series(line, quarters, None, [TargetPoint(2024, 12.0)], (13.0, None, None), month_end("2025-03"))
    assert series.observed == tuple(quarters) and series.year_to_date is None and series.projection is None


def _indicator_dates(con: duckdb.DuckDBPyConnection, target_id: str, month: dt.date) -> tuple[list[dt.date], int]:
    """The distinct as-of dates of the indicator's series (its targets in the plan, region and measure
    space), and how many monthly mart rows repeat them."""
    siblings = """
        from marts.fct_target_progress as progress
        join marts.dim_target as others on others.target_id = progress.target_id
        join marts.dim_target as this on this.target_id = ?
        where others.plan_id = this.plan_id and others.indicator_code = this.indicator_code
          and others.region_code = this.region_code and others.measure_space = this.measure_space
          and progress.period <= ? and progress.actual_as_of is not null
    """
    dates = con.execute(f"select distinct progress.actual_as_of {siblings} order by 1", [target_id, month]).fetchall()
    (rows,) = con.execute(f"select count(*) {siblings}", [target_id, month]).fetchone()
    return [row[0] for row in dates], rows


def _cadence_kind(series: chart_data.TrendSeries, as_of: list[dt.date], mart_rows: int) -> str:
    """Assert the series plots each as-of date at most once and nothing else; say what kind it was."""
    plotted = [point.as_of for point in series.plotted_observations]
    assert len(plotted) == len(set(plotted)) and set(plotted) <= set(as_of)
    if series.measure_space == "year_total":
        # an annual flow: the year totals (Decembers), and the latest year-to-date figure apart
        assert [point.as_of for point in series.observed] == [day for day in as_of if day.month == 12]
        if as_of[-1].month != 12:
            assert series.year_to_date is not None and series.year_to_date.as_of == as_of[-1]
            return "year_to_date"
    else:
        assert plotted == as_of
    if all(day.month == 12 for day in as_of):
        # an annual statistic: one point a year, though the mart repeats it every month
        assert len(plotted) == len({day.year for day in as_of}) < mart_rows
        return "annual"
    return "sub_annual"


@pytest.mark.slow
@pytest.mark.xdist_group("briefing_warehouse")
def test_no_trend_chart_draws_a_repeated_annual_value_as_monthly_points(warehouse: Path) -> None:  # noqa: F811
    kinds: list[str] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for plan_id, period in TREND_MONTHS:
            month = month_end(period)
            briefings = [gather_plan(con, plan_id, month)]
            briefings += [gather_plan(con, plan_id, month, code) for code in county_regions(con, plan_id)]
            for line in (line for briefing in briefings for line in briefing.headline):
                series = chart_data.read_trend(con, line, month)
                as_of, mart_rows = _indicator_dates(con, line.target_id, month)
                try:
                    kinds.append(_cadence_kind(series, as_of, mart_rows))
                except AssertionError as error:
                    raise AssertionError(f"{line.target_id} in {period}: {error}") from error
                _assert_drawn_as(series)
    # each kind of series was met: annual points, a year-to-date flow, quarterly or monthly figures
    assert {"annual", "year_to_date", "sub_annual"} <= set(kinds), kinds


def _assert_drawn_as(series: chart_data.TrendSeries) -> None:
    """The figure's observation lines hold exactly the series' points: nothing else is drawn as 实际值."""
    figure = charts.draw_trend(series)
    try:
        drawn = {line.get_gid(): list(line.get_xdata()) for line in figure.axes[0].get_lines() if line.get_gid()}
    finally:
        plt.close(figure)
    assert drawn.get("observed", []) == [point.as_of for point in series.observed]
    assert drawn.get("year_to_date", []) == ([series.year_to_date.as_of] if series.year_to_date else [])


@pytest.mark.slow
@pytest.mark.xdist_group("briefing_warehouse")
def test_figure_1_shows_every_target_of_the_briefing_exactly_once(warehouse: Path) -> None:  # noqa: F811
    with duckdb.connect(str(warehouse), read_only=True) as con:
        briefing = with_charts(con, gather_plan(con, "hohhot_dairy_cluster_2021", "2023-06"), png=False)
    lines = briefing.targets
    figures = [chart for chart in briefing.charts if chart.kind == "completion"]
    assert len(lines) > charts.MAX_BARS_PER_FIGURE and len(figures) == math.ceil(
        len(lines) / charts.MAX_BARS_PER_FIGURE
    )
    labels = [text for chart in figures for text in _texts(chart.svg) if re.match(r"\d+ ", text)]
    assert labels == [charts.completion_label(number, line) for number, line in enumerate(lines, start=1)]
    for chart in figures:
        texts = _texts(chart.svg)
        shown = [line for number, line in enumerate(lines, start=1) if charts.completion_label(number, line) in texts]
        for line in shown:
            if line.completion_rate is None:
                assert line.status_label in texts, line.target_id  # a row in words, not a missing bar
            elif not charts.COMPLETION_AXIS_MIN <= line.completion_rate <= charts.COMPLETION_AXIS_MAX:
                # marked at the edge with what 表1 says of it: its value where 表1 shows a share, else its words
                # (已达标, 低于基期: never a number the table does not print)
                cell = line.completion_cell
                said = f"{line.completion_rate:.0f}%" if cell.endswith("%") else cell.split("（")[0]
                assert said in texts, line.target_id
    html = render_html(briefing)
    title = figures[0].title
    assert html.count(f"图1　{title}") == 1 and html.count(f"图1（续）　{title}") == len(figures) - 1


@pytest.mark.slow
@pytest.mark.xdist_group("briefing_warehouse")
def test_the_summary_has_a_status_chart_per_plan_and_every_county_in_its_heat_map(
    warehouse: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    month = month_end("2024-06")  # every plan followed: 呼和浩特 in its final assessment
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summary = with_charts(con, gather_summary(con, month))
        counties = con.execute(
            """
            select distinct regions.parent_name || regions.region_name
            from marts.dim_target as targets
            join marts.dim_plan as plans using (plan_id)
            join marts.dim_region as regions on regions.region_code = targets.region_code
            where regions.region_level = 'county' and regions.parent_code = plans.region_code
              and exists (select 1 from marts.fct_target_progress as p where p.plan_id = plans.plan_id and p.period = ?)
            """,
            [month],
        ).fetchall()
        (monitored_in_counties,) = con.execute(
            """
            with month as (select * from marts.fct_target_progress where period = ?)
            select count(*) from month
            join marts.dim_plan as plans using (plan_id)
            join marts.dim_region as regions on regions.region_code = month.region_code
            where regions.region_level = 'county' and regions.parent_code = plans.region_code
            """,
            [month],
        ).fetchone()
        grid = chart_data.county_status_counts(con, month)
    assert [chart.kind for chart in summary.charts] == ["plan_status", "county_status"]
    plan_chart, heat_map = summary.charts
    plan_texts = _texts(plan_chart.svg)
    for plan in summary.plans:
        assert any(text.startswith(plan.region_name) for text in plan_texts), plan.plan_id
        assert f"共{plan.counts.total}项" in plan_texts, plan.plan_id
    assert len(counties) > 10 and set(grid.counties) == {name for (name,) in counties}
    heat_texts = _texts(heat_map.svg)
    assert all(name in heat_texts for name in grid.counties)
    # the heat map counts what the plan table counts: every target row of the month, a past target year by
    # its final verdict (of a running plan too), as the mart has them
    assert sum(map(sum, grid.counts)) == monitored_in_counties
    html_path, docx_path = render(summary, tmp_path, ["html", "docx"])
    html = html_path.read_text(encoding="utf-8")
    assert "图1　各规划目标任务状态分布" in html and "图2　各县（市、区）目标任务状态分布" in html
    assert len(Document(str(docx_path)).inline_shapes) == 2


def test_a_completion_past_the_axis_says_what_the_table_says() -> None:
    """A level already met far past its target (554%) reads 已达标, one moved away from its target (−186%)
    低于基期, as in 表1; a growth target past the axis keeps its value."""
    from planwatch.briefing.context import TargetLine

    def line(target_id: str, rate: float, status: str, space: str) -> TargetLine:
        return TargetLine(
            target_id=target_id, indicator_name="应用场景数", region_code="620700", region_name="张掖市",
            target_year=2027, target_kind="level", comparator=">=", target_value=30.0, target_unit="个",
            target_level=30.0, measure_unit="个", measure_space=space, actual_value=89.0, baseline_value=25.0,
            completion_rate=rate, margin_to_target=59.0, status=status, is_final_verdict=False,
            period=dt.date(2026, 11, 30), actual_as_of=dt.date(2025, 12, 31), time_progress=66.7, gap_pp=None,
            required_monthly_pace=None, lead_unit=None, aggregation="stock", indicator_frequency="annual",
        )  # fmt: skip

    lines = [
        line("met", 554.0, "achieved", "level"),
        line("backwards", -186.0, "severely_lagging", "level"),
        line("sum", 240.0, "ahead", "sum_since_plan_start"),
    ]
    [figure] = charts.completion_figures(lines, png=False)
    texts = _texts(figure.svg)
    assert "已达标" in texts and "低于基期" in texts and "240%" in texts
    assert "554%" not in texts and "-186%" not in texts
