"""Render a gathered briefing as HTML, PDF (WeasyPrint) and Word (docxtpl), each written atomically.

One Jinja2 environment (StrictUndefined, autoescape on) renders the HTML from reports/templates; the
PDF is that same HTML, with the charts as PNG (charts.PNG_DPI) instead of SVG, laid out by WeasyPrint; the Word
file is filled from the same context by docxtpl with reports/word/. Each file is written to a
temporary name in the target folder and renamed into place, so a failed render leaves no half-written
briefing.

Speed: every PDF of a process shares one WeasyPrint FontConfiguration, so the large Noto CJK
collections are opened and their faces loaded once, not once per document (half the time of a short
briefing), and charts go into the PDF as PNG (see charts.py).

The font stack is configurable (``PLANWATCH_BRIEFING_FONT_BODY`` etc.): GB/T 9704 asks for 仿宋
body text and 小标宋 titles, which Debian does not ship with simplified characters; Noto Serif CJK SC
(body) and Noto Sans CJK SC (headings) stand in unless the office supplies its licensed fonts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from planwatch.atomic_files import write_atomically
from planwatch.briefing import chart_data, charts
from planwatch.briefing.context import Briefing, Chart, ChartKind
from planwatch.briefing.templates import TEMPLATES_DIR, environment, fonts

FORMATS = ("html", "pdf", "docx")


@dataclass(frozen=True)
class ChartPlan:
    """Everything a briefing's charts are drawn from besides the briefing itself: the trend series and the
    county grid read from the warehouse, and whether a PNG is drawn beside each SVG (for the PDF and Word).

    Drawing is a function of the briefing and its plan alone (`draw_charts`), so the two digested say
    whether the charts would come out the same, before any is drawn (`planwatch.briefing.unchanged`).
    """

    png: bool
    trends: tuple[tuple[str, chart_data.TrendSeries], ...] = ()  # (title, series), each headline target charted
    county_grid: chart_data.CountyStatusGrid | None = None


def chart_plan(con: duckdb.DuckDBPyConnection, briefing: Briefing, png: bool = True) -> ChartPlan:
    """What the briefing's charts need from the warehouse: the trend of each headline target (a final
    assessment has none: it is read from its table and 图1, and its paths have nothing left to project,
    which halves the charts of a month where plans have ended); for the leadership summary, the county grid.

    `png=False` leaves out the PNG that only the PDF and the Word file need (an HTML-only run).
    """
    if briefing.kind == "summary":
        grid = chart_data.county_status_counts(con, briefing.period)
        return ChartPlan(png=png, county_grid=grid if grid.counties else None)
    trends = []
    for line in () if briefing.is_final_assessment else briefing.headline:
        series = chart_data.read_trend(con, line, briefing.period)
        if len(series.plotted_observations) + (series.baseline is not None) >= 2:
            trends.append((f"{line.region_name}{line.indicator_name}走势", series))
    return ChartPlan(png=png, trends=tuple(trends))


def draw_charts(briefing: Briefing, plan: ChartPlan) -> Briefing:
    """The briefing with its charts drawn: completion against time progress for every target (split over
    as many figures as it takes, never cut) and a trend for each headline target; for the leadership
    summary, the status of each plan and the county × status heat map. Reads nothing but its arguments."""

    def chart(title: str, kind: ChartKind, drawing: charts.Drawing) -> Chart:
        return Chart(title=title, kind=kind, svg=drawing.svg, png=drawing.png, dpi=charts.PNG_DPI)

    png = plan.png
    if briefing.kind == "summary":
        drawn = []
        if briefing.plans:
            drawn.append(chart("各规划目标任务状态分布", "plan_status", charts.plan_status_chart(briefing.plans, png)))
        if plan.county_grid is not None:
            heat_map = charts.county_status_heatmap(plan.county_grid, png, charts.summary_status_labels(briefing.plans))
            drawn.append(chart("各县（市、区）目标任务状态分布", "county_status", heat_map))
        return briefing.model_copy(update={"charts": tuple(drawn)})
    title = "各项目标完成率" if briefing.is_final_assessment else "各项目标完成率与时序进度对比"
    drawn = [chart(title, "completion", drawing) for drawing in charts.completion_figures(briefing.targets, png)]
    drawn += [chart(title, "trend", charts.trend_chart(series, png)) for title, series in plan.trends]
    return briefing.model_copy(update={"charts": tuple(drawn)})


def with_charts(con: duckdb.DuckDBPyConnection, briefing: Briefing, png: bool = True) -> Briefing:
    """The briefing with its charts (`chart_plan`, then `draw_charts`)."""
    return draw_charts(briefing, chart_plan(con, briefing, png))


def render_html(briefing: Briefing, env: jinja2.Environment | None = None, raster_charts: bool = False) -> str:
    """The briefing as one HTML page; `raster_charts` puts the charts in as PNG (for the PDF)."""
    env = env or environment()
    template = "summary.html.j2" if briefing.kind == "summary" else "briefing.html.j2"
    return env.get_template(template).render(briefing=briefing, fonts=fonts(), raster_charts=raster_charts)


def write_html(html: str, path: Path) -> Path:
    return write_atomically(path, lambda temp: temp.write_text(html, encoding="utf-8"))


def warm_up(formats: Iterable[str]) -> None:
    """Load what rendering `formats` needs once, here, so that forked rendering processes inherit it
    instead of each importing WeasyPrint and loading the fonts again."""
    if "pdf" in formats:
        _font_config()
    if "docx" in formats:
        import planwatch.briefing.word  # noqa: F401 (python-docx, docxtpl and the Word templates' code)


@cache
def _font_config() -> Any:
    """One WeasyPrint FontConfiguration per process: fonts found and loaded once for every PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def write_pdf(html: str, path: Path) -> Path:
    import weasyprint  # heavy import: only when a PDF is asked for

    # WeasyPrint warns about every SVG presentation attribute it does not style; the PDF is checked
    # by tests (fonts, pages), so keep normal runs quiet
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)

    def produce(temp: Path) -> None:
        weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf(temp, font_config=_font_config())

    return write_atomically(path, produce)


def write_docx(briefing: Briefing, path: Path) -> Path:
    from planwatch.briefing.word import render_docx

    return write_atomically(path, lambda temp: render_docx(briefing, temp))


def render(briefing: Briefing, out_dir: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the briefing in each format under `out_dir`, named ``<plan>_<region>_<YYYY-MM>.<ext>``."""
    formats = list(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    written: list[Path] = []
    for fmt in formats:
        path = out_dir / f"{briefing.file_stem}.{fmt}"
        if fmt == "html":
            written.append(write_html(render_html(briefing), path))
        elif fmt == "pdf":
            written.append(write_pdf(render_html(briefing, raster_charts=True), path))
        else:
            written.append(write_docx(briefing, path))
    return written
