"""The Word briefings: the docxtpl templates of reports/word/ filled from the same context as the HTML.

The prose comes from the same Jinja macros the HTML uses (one source), turned into plain paragraphs;
the status marks are coloured runs; charts go in as the PNG (charts.PNG_DPI) drawn with the SVG of
the HTML, sized to fit the text block. The file is saved reproducibly (`docx_layout.save_reproducibly`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from markupsafe import Markup

from planwatch.briefing.context import Briefing, Chart, TargetLine
from planwatch.briefing.docx_layout import (
    CHART_MAX_HEIGHT_MM,
    TEXT_WIDTH_MM,
    TREND_CELL_WIDTH_MM,
    fix_fonts,
    save_reproducibly,
)
from planwatch.briefing.formatting import FILTERS
from planwatch.briefing.templates import environment
from planwatch.briefing.word_templates import SUMMARY_TEMPLATE, WORD_TEMPLATE


def _text_environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.filters.update(FILTERS)
    return env


def _plain(markup: object) -> str:
    """Macro output is escaped HTML with claim spans; docxtpl escapes for XML itself, so hand it plain text."""
    return Markup(str(markup)).striptags().strip()


def _lines(markup: object) -> list[str]:
    """A macro's output of one sentence a line, as plain paragraphs."""
    return [_plain(text) for text in str(markup).splitlines() if text.strip()]


def _status(line: TargetLine) -> RichText:
    """The coloured status mark of the HTML table: a dot in the status colour, then the label."""
    text = RichText()
    text.add("● ", color=line.status_colour)
    text.add(line.status_label + line.doubt_mark)
    return text


def _image(document: DocxTemplate, chart: Chart, max_width_mm: float, caption: str) -> dict[str, object]:
    """The chart's PNG at its drawn size, shrunk to fit `max_width_mm` and the height left on a page."""
    if chart.png is None:
        raise ValueError(f"chart {chart.title!r} has no PNG: gather it with with_charts(..., png=True) for Word")
    width = min(chart.width_mm, max_width_mm, chart.width_mm * CHART_MAX_HEIGHT_MM / chart.height_mm)
    return {"image": InlineImage(document, io.BytesIO(chart.png), width=Mm(width)), "caption": caption}


def _pairs(items: list[dict[str, object]]) -> Iterator[dict[str, object]]:
    empty = {"image": "", "caption": ""}
    for index in range(0, len(items), 2):
        yield {"left": items[index], "right": items[index + 1] if index + 1 < len(items) else empty}


def _plan_context(briefing: Briefing, document: DocxTemplate) -> dict[str, object]:
    """The prose of a plan or county briefing, rendered by the same macros the HTML uses (one source)."""
    prose = environment().get_template("_prose.j2").module
    sections = 4 if briefing.kind == "plan" else 3
    # 图1 and its continuations (图1（续）) take the text block's width, trends (图2…) a column of two
    completion = [chart for chart in briefing.charts if chart.kind == "completion"]
    completion_charts = [
        _image(document, chart, TEXT_WIDTH_MM, ("图1　" if index == 0 else "图1（续）　") + chart.title)
        for index, chart in enumerate(completion)
    ]
    trends = [chart for chart in briefing.charts if chart.kind == "trend"]
    trend_charts = [
        _image(document, chart, TREND_CELL_WIDTH_MM, f"图{number}　{chart.title}")
        for number, chart in enumerate(trends, start=2)
    ]
    return {
        "intro": _plain(prose.intro(briefing)),
        "overview": _plain(prose.overview(briefing)),
        "headline": _plain(prose.headline(briefing)),
        "targets_text": _plain(prose.targets_intro(briefing)),
        "override": _plain(prose.override_text(briefing)) if briefing.override_note else "",
        "lagging": [_plain(prose.lagging_intro(briefing)), *_lines(prose.warning_lines(briefing))],
        "warning_heading": "未完成目标" if briefing.is_final_assessment else "滞后预警",
        "milestones_text": _plain(prose.milestones_text(briefing)),
        "outlook_intro": _plain(prose.outlook_intro(briefing)),
        "stale": _lines(prose.stale_lines(briefing)),
        "table_regions": 3 if briefing.outlook_targets and not briefing.is_final_assessment else 2,
        "table_departments": (3 if briefing.outlook_targets and not briefing.is_final_assessment else 2)
        + (1 if briefing.regions_ranked else 0),
        "not_ranked": _plain(prose.not_ranked_text(briefing)),
        "submissions_text": _plain(prose.submissions_text(briefing)),
        "quality": _lines(prose.quality_lines(briefing)),
        "section_milestones": FILTERS["zh_numeral"](sections + 1),
        "section_submissions": FILTERS["zh_numeral"](sections + 2),
        "section_follow_up": FILTERS["zh_numeral"](sections + 3),
        "section_corrections": FILTERS["zh_numeral"](sections + 3 + bool(briefing.follow_up)),
        "section_quality": FILTERS["zh_numeral"](sections + 3 + bool(briefing.follow_up) + bool(briefing.corrections)),
        "follow_up_text": _plain(prose.follow_up_text(briefing)) if briefing.follow_up else "",
        "corrections": _lines(prose.correction_lines(briefing)),
        "completion_charts": completion_charts,
        "trend_rows": list(_pairs(trend_charts)),
    }


def _summary_context(briefing: Briefing, document: DocxTemplate) -> dict[str, object]:
    prose = environment().get_template("_prose.j2").module
    return {
        # 图1 the plans by status, 图2 the counties by status, after 表1 as in the HTML
        "summary_charts": [
            _image(document, chart, TEXT_WIDTH_MM, f"图{number}　{chart.title}")
            for number, chart in enumerate(briefing.charts, start=1)
        ],
        "intro": _plain(prose.summary_intro(briefing)),
        "override": _plain(prose.override_text(briefing)) if briefing.override_note else "",
        "quality": _lines(prose.summary_quality_lines(briefing)),
        "overview": _plain(prose.summary_overview(briefing)),
        "focus": _lines(prose.summary_focus_lines(briefing)),
        "overdue": _lines(prose.summary_overdue_lines(briefing)),
    }


def render_docx(briefing: Briefing, path: Path) -> None:
    summary = briefing.kind == "summary"
    document = DocxTemplate(str(SUMMARY_TEMPLATE if summary else WORD_TEMPLATE))
    env = _text_environment()
    macros = environment().get_template("_macros.html.j2").module
    env.globals["target_text"] = lambda line: _plain(macros.target_text(line))
    env.globals["status"] = _status
    extra = _summary_context(briefing, document) if summary else _plan_context(briefing, document)
    context = {"b": briefing, **extra}
    document.render(context, jinja_env=env, autoescape=True)
    fix_fonts(document.docx)
    save_reproducibly(document, path)
