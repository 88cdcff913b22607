"""Briefing charts drawn with matplotlib: completion against time progress, trends, the summary's status charts.

What a chart shows is decided in chart_data.py; this module only draws. Each chart is laid out once
and saved twice: as SVG for the HTML briefing (it scales in a browser) and as PNG at `PNG_DPI` for the
PDF and the Word file. WeasyPrint lays out the glyph paths of an SVG chart slowly (a CJK label is hundreds
of path segments, re-read at every use): the PNG costs a fraction of the time and prints the same.
Text is drawn as glyph paths or pixels, so a chart shows the same Chinese whatever fonts the reader
has, and carries no numbers a search of the text could mistake for data. Both files are deterministic
(fixed hash salt, no date) so the same inputs give the same bytes.

Figure 1 shows every target: it is split into figures of at most `MAX_BARS_PER_FIGURE` bars (图1,
图1（续）…), each the height of the text block at most, and a completion beyond the axis is drawn to
the edge with a triangle and its value, never silently cut.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from typing import NamedTuple

import matplotlib
import numpy as np
from PIL import Image

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from planwatch.briefing.chart_data import CountyStatusGrid, TrendSeries, year_end
from planwatch.briefing.context import STATUS_COLOURS, STATUS_LABELS, PlanSummaryLine, TargetLine

# Matplotlib measures and draws with the first it finds (Debian's Noto Sans CJK SC here); the SVG names
# them all, then the generic sans-serif, for the reader's browser, which draws the charts' text itself
# (svg.fonttype "none" below) with the first it has: Windows has 微软雅黑, macOS 苹方. DejaVu Sans
# covers the few symbols Noto CJK lacks (matplotlib falls back glyph by glyph along the list)
FONT_FAMILY = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
# 200 dpi prints a chart's 7 pt labels sharply on an office laser printer with under half the pixels
# of 300: for the 98 charts of a month (2026-11 of the demo) the PDFs took 35 s instead of 43 s and the
# charts 40 s instead of 47 s; 150 dpi saved little more (33 s, 41 s)
PNG_DPI = 200
# charts are laid out (constrained layout, labels inside) at the size they print: the GB/T 9704 text
# block is 156 × 225 mm, so the completion chart takes its width and a trend chart a column of two
WIDTH_INCHES = 6.1
TREND_WIDTH_INCHES = WIDTH_INCHES / 2 - 0.1
TREND_HEIGHT_INCHES = 2.7
# 30 bars at this pitch, with the axis and the legend, fill the text block (225 mm) less a caption
MAX_BARS_PER_FIGURE = 30
BAR_PITCH_INCHES = 0.235
COMPLETION_AXIS_MAX = 150.0
COMPLETION_AXIS_MIN = -50.0  # used only when some target moved away from its target

ACTUAL_COLOUR = "#1f5fa8"
PATH_COLOUR = "#666666"
TARGET_COLOUR = "#c0392b"
PROJECTION_COLOUR = "#c77c02"
_LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75}
_RC = {
    # laid out at the PNG's resolution: the PNG then reuses the layout pass's renderer and its cached
    # text measurements (the SVG is drawn at 72 dpi whatever this says)
    "figure.dpi": PNG_DPI,
    "font.family": ["sans-serif"],
    "font.sans-serif": FONT_FAMILY,
    "font.size": 8,
    "axes.titlesize": 8.5,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 6.5,
    "axes.unicode_minus": False,
    "svg.hashsalt": "planwatch",
    # text as <text>, not as glyph outlines: a month's HTML briefings 7× smaller (the 17 charts of the
    # demo's five plan briefings: 352 KB instead of 2.4 MB) and their charts drawn in 0.73 of the time,
    # and the labels stay text a reader can select, search and copy. CJK glyphs are one em wide in every
    # CJK font, so the layout matplotlib measured holds in the reader's font; labels are anchored
    # (text-anchor) where matplotlib aligned them. The PDF and Word file take the PNG, drawn from the font
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


class Drawing(NamedTuple):
    """One chart as inline SVG (HTML) and as PNG bytes at `PNG_DPI` (PDF and Word)."""

    svg: str
    png: bytes | None


def _png(figure: Figure) -> bytes:
    """The figure as an opaque RGB PNG at `PNG_DPI` (the figure's own dpi, see _RC).

    savefig writes RGBA, whose alpha channel the PDF would carry as a soft mask: on a white page it
    says nothing, and without it the PNG encodes in a third of the time.
    """
    figure.dpi = PNG_DPI  # already so (see _RC), unless PNG_DPI was changed after import
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[:, :, :3]
    raster = io.BytesIO()
    # compression level 1: a chart's flat colours compress as well as at 6, in half the time
    Image.fromarray(pixels).save(raster, format="png", dpi=(PNG_DPI, PNG_DPI), compress_level=1)
    return raster.getvalue()


def _export(figure: Figure, png: bool) -> Drawing:
    try:
        # solve the constrained layout once and keep it: with the engine on, every savefig draws the
        # figure twice (a dry run for the layout, then the output), and drawing is most of a chart's cost.
        # The engine is run by itself, not through draw_without_rendering, whose dry draw after the
        # layout changes nothing the outputs show (the same bytes, 9 % less time per chart)
        engine = figure.get_layout_engine()
        if engine is not None:
            engine.execute(figure)
        figure.set_layout_engine(None)
        image = _png(figure) if png else None
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = buffer.getvalue()
    finally:
        plt.close(figure)
    # inline SVG: drop the XML prolog and doctype, keep the <svg> element and what is inside it
    return Drawing(svg=text[text.index("<svg") :].strip(), png=image)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _wrap(text: str, width: int) -> str:
    """Chinese has no spaces to break at: cut a long title every `width` characters."""
    return "\n".join(text[start : start + width] for start in range(0, len(text), width))


def _lighter(colour: str, share: float = 0.45) -> str:
    red, green, blue = to_rgb(colour)
    return to_hex((red + (1 - red) * share, green + (1 - green) * share, blue + (1 - blue) * share))


def status_colours(statuses: Sequence[str]) -> dict[str, str]:
    """Each status's colour; a status sharing its colour with an earlier one (超前 with 已完成) gets it
    lighter, so neighbouring segments of a stacked bar stay apart."""
    colours: dict[str, str] = {}
    for status in statuses:
        colour = STATUS_COLOURS[status]
        colours[status] = _lighter(colour) if colour in colours.values() else colour
    return colours


# --- Figure 1: completion against time progress, every target -------------------------------------


def completion_chunks(
    lines: Sequence[TargetLine], size: int = MAX_BARS_PER_FIGURE
) -> list[list[tuple[int, TargetLine]]]:
    """The targets numbered as in 表1 (1, 2, …), split into as few figures as fit `size` bars, evenly."""
    numbered = list(enumerate(lines, start=1))
    if not numbered:
        return []
    parts = math.ceil(len(numbered) / size)
    step = math.ceil(len(numbered) / parts)
    return [numbered[start : start + step] for start in range(0, len(numbered), step)]


def completion_label(number: int, line: TargetLine) -> str:
    """'序号 指标名（地区，年）': the 表1 number first, since two long names can shorten alike. A growth
    target says so (…，2025，年均增长): a plan often sets a level and its growth for one figure in one
    sentence (渔业产值达到1.5亿元，比2022年增长50%), and their bars would otherwise read the same."""
    region = line.region_name.split("（")[0]
    kind = f"，{line.kind_word}" if line.is_growth else ""
    return f"{number} {_shorten(line.indicator_name, 14)}（{_shorten(region, 6)}，{line.target_year}{kind}）"


def _legend_by_colour(lines: Sequence[TargetLine]) -> list[Patch]:
    """One key per bar colour, in status order, its status labels named together (已完成、超前)."""
    order = list(STATUS_LABELS)
    names: dict[str, list[str]] = {}
    for line in sorted(lines, key=lambda line: order.index(line.status) if line.status in order else len(order)):
        labels = names.setdefault(line.status_colour, [])
        if line.status_label not in labels:
            labels.append(line.status_label)
    return [Patch(color=colour, label=f"完成率（{'、'.join(labels)}）") for colour, labels in names.items()]


class _Bar(NamedTuple):
    y: float
    width: float
    colour: str


def _completion_bar(axes: Axes, y: float, line: TargetLine, floor: float, bars: list[_Bar]) -> bool:
    """One target's row: its bar (added to `bars`, drawn together), or its status in words when it has
    no completion; True when cut."""
    colour = STATUS_COLOURS[line.status]
    if line.completion_rate is None:
        axes.text(max(floor, 0.0) + 1.5, y, line.status_label, va="center", fontsize=6.5, color=colour)
        return False
    value = line.completion_rate
    shown = min(max(value, floor), COMPLETION_AXIS_MAX)
    bars.append(_Bar(y, shown, colour))
    if value == shown:
        if abs(value) < 3:  # no bar to see: say the value, in the status colour
            axes.text(1.5, y, f"{value:.0f}%", va="center", fontsize=6.5, color=colour)
        return False
    beyond_right = value > shown
    edge = COMPLETION_AXIS_MAX if beyond_right else floor
    axes.plot([edge], [y], marker=">" if beyond_right else "<", color=colour, markersize=4.5, clip_on=False, zorder=4)
    # what 表1 says of it (低于基期, 已达标), or the value itself where 表1 shows a share: outside the axes
    # past the right edge; past the left edge, right of zero (the bar fills the space between)
    cell = line.completion_cell
    axes.annotate(
        f"{value:.0f}%" if cell.endswith("%") else cell.split("（")[0],
        (edge if beyond_right else 0.0, y),
        xytext=(5 if beyond_right else 3, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=6.5,
        color="#222222",
        annotation_clip=False,
    )
    return True


def _time_ticks(axes: Axes, rows: Sequence[tuple[float, TargetLine]]) -> None:
    shown = [(y, line.time_progress) for y, line in rows if line.time_progress is not None]
    if shown:
        axes.scatter(
            [progress for _, progress in shown],
            [y for y, _ in shown],
            marker="|",
            s=110,
            color="#222222",
            linewidths=1.4,
            zorder=3,
        )


def _completion_legend(figure: Figure, with_bars: Sequence[TargetLine], with_time: bool, cut: bool) -> None:
    keys: list[Patch | Line2D] = list(_legend_by_colour(with_bars))
    if with_time:
        keys.append(Line2D([], [], marker="|", linestyle="none", color="#222222", markersize=9, label="时序进度"))
    if cut:
        keys.append(
            Line2D(
                [],
                [],
                marker=">",
                linestyle="none",
                color="#555555",
                markersize=4.5,
                label="超出坐标范围，标注实际完成率或完成情况",
            )
        )
    figure.legend(handles=keys, loc="outside lower center", ncols=3, frameon=False)


def _completion_chunk(
    chunk: Sequence[tuple[int, TargetLine]], floor: float, with_bars: Sequence[TargetLine], with_time: bool, png: bool
) -> Drawing:
    with plt.rc_context(_RC):
        height = 1.0 + BAR_PITCH_INCHES * max(len(chunk), 1)
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, height), layout="constrained")
        rows = list(zip(range(len(chunk) - 1, -1, -1), (line for _, line in chunk), strict=True))
        bars: list[_Bar] = []
        cut = [_completion_bar(axes, y, line, floor, bars) for y, line in rows]
        if bars:  # in one call: a call per bar cost a millisecond each, the same rectangles in the same order
            axes.barh(
                [bar.y for bar in bars], [bar.width for bar in bars], color=[bar.colour for bar in bars], height=0.6
            )
        if with_time:
            _time_ticks(axes, rows)
        axes.set_yticks([y for y, _ in rows], [completion_label(number, line) for number, line in chunk])
        axes.set_ylim(-0.7, len(chunk) - 0.3)
        axes.set_xlim(floor, COMPLETION_AXIS_MAX)
        axes.set_xlabel("完成率、时序进度（%）" if with_time else "完成率（%）")
        axes.axvline(100, color="#999999", linewidth=0.6, linestyle=":")
        if floor < 0:
            axes.axvline(0, color="#444444", linewidth=0.6)
        _completion_legend(figure, with_bars, with_time, any(cut))
        return _export(figure, png)


def completion_figures(lines: Sequence[TargetLine], png: bool = True) -> list[Drawing]:
    """Figure 1 and its continuations: every target exactly once, in 表1 order, one axis for all parts.

    When every target has its final verdict (a final assessment) the time progress, 100% for all,
    says nothing and is left out, as in the final assessment's table."""
    floor = COMPLETION_AXIS_MIN if any((line.completion_rate or 0.0) < 0 for line in lines) else 0.0
    with_time = not all(line.is_final_verdict for line in lines) and any(
        line.time_progress is not None for line in lines
    )
    # one legend for every part, so a colour means the same on each page
    with_bars = [line for line in lines if line.completion_rate is not None]
    return [_completion_chunk(chunk, floor, with_bars, with_time, png) for chunk in completion_chunks(lines)]


# --- trend of one headline target ------------------------------------------------------------------


def _year_ticks(axes: Axes, left: dt.date, right: dt.date) -> None:
    """A tick at each year's end, labelled with the year (an annual figure sits on its year's tick);
    every other year on a long plan."""
    years = [year for year in range(left.year, right.year + 1) if left <= year_end(year) <= right]
    step = 1 if len(years) <= 7 else 2
    axes.set_xticks([year_end(year) for year in years[::step]], [f"{year}年" for year in years[::step]])


def _span(series: TrendSeries) -> tuple[dt.date, dt.date]:
    """The axis: from the baseline to the last target (or later figure), with room for the end labels."""
    dates = [point.as_of for point in series.plotted_observations]
    dates += [target.as_of for target in series.targets]
    if series.baseline is not None:
        dates.append(series.baseline.as_of)
    if series.projection is not None:
        dates.append(series.projection.end.as_of)
    if not dates:
        dates = [series.period]
    return min(dates) - dt.timedelta(days=110), max(dates) + dt.timedelta(days=150)


def _draw_path(axes: Axes, series: TrendSeries) -> list[Line2D]:
    """The dashed target path from the baseline through every target, each target marked with its year."""
    keys: list[Line2D] = []
    path = series.path
    if len(path) >= 2:
        (dashed,) = axes.plot(
            [p.as_of for p in path], [p.value for p in path], "--", color=PATH_COLOUR, linewidth=1.0, label="目标路径"
        )
        keys.append(dashed)
    if series.baseline is not None:
        axes.plot([series.baseline.as_of], [series.baseline.value], "o", color=PATH_COLOUR, markersize=3, mfc="white")
        axes.annotate(
            "基期",
            (series.baseline.as_of, series.baseline.value),
            xytext=(0, -9),
            textcoords="offset points",
            ha="center",
            fontsize=6.5,
            color=PATH_COLOUR,
        )
    if series.targets:
        (marks,) = axes.plot(
            [t.as_of for t in series.targets],
            [t.level for t in series.targets],
            "D",
            color=TARGET_COLOUR,
            markersize=4,
            linestyle="none",
            zorder=4,
            label="目标值",
        )
        keys.append(marks)
        for target in series.targets:
            axes.annotate(
                f"{target.target_year}年目标",
                (target.as_of, target.level),
                xytext=(-4, 5),
                textcoords="offset points",
                ha="right",
                fontsize=6.5,
                color=TARGET_COLOUR,
                zorder=6,
                bbox=_LABEL_BOX,  # legible where the projection's fan or a line runs behind it
            )
    return keys


def _draw_observed(axes: Axes, series: TrendSeries) -> list[Line2D]:
    """Observations at their cadence; an annual flow's year-to-date figure apart, hollow and labelled."""
    keys: list[Line2D] = []
    if series.observed:
        many = len(series.observed) > 24
        (line,) = axes.plot(
            [p.as_of for p in series.observed],
            [p.value for p in series.observed],
            "o-",
            color=ACTUAL_COLOUR,
            markersize=2 if many else 3.5,
            linewidth=1.2,
            zorder=5,
            label="实际值（全年）" if series.measure_space == "year_total" else "实际值",
            gid="observed",
        )
        keys.append(line)
    ytd = series.year_to_date
    if ytd is not None:
        (hollow,) = axes.plot(
            [ytd.as_of],
            [ytd.value],
            "o",
            color=ACTUAL_COLOUR,
            mfc="white",
            markersize=4,
            zorder=5,
            label="实际值（年内累计）",
            gid="year_to_date",
        )
        months = "1月" if ytd.as_of.month == 1 else f"1—{ytd.as_of.month}月"
        axes.annotate(
            f"{ytd.as_of.year}年{months}累计",
            (ytd.as_of, ytd.value),
            xytext=(0, -10),
            textcoords="offset points",
            ha="center",
            fontsize=6.5,
            color=ACTUAL_COLOUR,
        )
        if not series.observed:
            keys.append(hollow)
    return keys


def _draw_projection(axes: Axes, series: TrendSeries) -> list[Line2D | tuple[Line2D, Patch]]:
    """From the latest comparable figure to the target year's end, the 95% interval as a shaded fan."""
    projection = series.projection
    if projection is None:
        return []
    start, end = projection.start, projection.end
    if start is not None:
        axes.plot([start.as_of, end.as_of], [start.value, end.value], ":", color=PROJECTION_COLOUR, linewidth=1.3)
    axes.plot([end.as_of], [end.value], "o", color=PROJECTION_COLOUR, markersize=3.5, zorder=4)
    axes.annotate(
        "预计",
        (end.as_of, end.value),
        xytext=(5, -2),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=6.5,
        color=PROJECTION_COLOUR,
    )
    key = Line2D([], [], linestyle=":", marker="o", markersize=3.5, color=PROJECTION_COLOUR, linewidth=1.3)
    if not projection.has_band:
        key.set_label("预计")
        return [key]
    low, high = projection.low, projection.high
    assert low is not None and high is not None
    if start is not None:
        axes.fill_between(
            [start.as_of, end.as_of], [start.value, low], [start.value, high], color=PROJECTION_COLOUR, alpha=0.18, lw=0
        )
    axes.plot([end.as_of, end.as_of], [low, high], "-", color=PROJECTION_COLOUR, linewidth=1.0)
    axes.plot([end.as_of, end.as_of], [low, high], "_", color=PROJECTION_COLOUR, markersize=5)
    band = Patch(color=PROJECTION_COLOUR, alpha=0.18, label="预计（含区间）")
    return [(key, band)]


def draw_trend(series: TrendSeries) -> Figure:
    """The trend figure (not yet saved): observations, target path and targets, projection and band."""
    with plt.rc_context(_RC):
        return _draw_trend(series)


def _draw_trend(series: TrendSeries) -> Figure:
    figure, axes = plt.subplots(figsize=(TREND_WIDTH_INCHES, TREND_HEIGHT_INCHES), layout="constrained")
    keys: list[Line2D | tuple[Line2D, Patch]] = []
    keys += _draw_observed(axes, series)
    keys += _draw_path(axes, series)
    keys += _draw_projection(axes, series)
    left, right = _span(series)
    axes.set_xlim(left, right)
    if left < series.period < right:
        # where the briefing stands: how old the latest figure is, how far the path still runs
        axes.axvline(series.period, color="#bbbbbb", linewidth=0.6, zorder=0)
        axes.annotate(
            "本期",
            (series.period, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=6,
            color="#888888",
        )
    _year_ticks(axes, left, right)
    axes.ticklabel_format(axis="y", style="plain", useOffset=False)
    if series.counted:
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(y=0.15)
    axes.set_title(_wrap(series.title, 19))
    labels = [key[1].get_label() if isinstance(key, tuple) else key.get_label() for key in keys]
    figure.legend(keys, labels, loc="outside lower center", ncols=2, frameon=False)
    return figure


def trend_chart(series: TrendSeries, png: bool = True) -> Drawing:
    with plt.rc_context(_RC):
        return _export(draw_trend(series), png)


# --- the leadership summary ------------------------------------------------------------------------


def _plan_label(plan: PlanSummaryLine, plans: Sequence[PlanSummaryLine]) -> str:
    """The plan's region; its shortened title too when two plans share a region."""
    label = plan.region_name
    if sum(other.region_name == plan.region_name for other in plans) > 1:
        label = f"{plan.region_name}·{_shorten(plan.plan_title, 10)}"
    return label + ("\n（终期评估）" if plan.is_final_assessment else "")


def summary_status_labels(plans: Sequence[PlanSummaryLine]) -> dict[str, str]:
    """The status names of the summary's charts, as its 表1 heads them: while a plan still runs, an
    achieved target may only have met its target early (已达标, TargetLine.status_label)."""
    labels = dict(STATUS_LABELS)
    if any(not plan.is_final_assessment for plan in plans):
        labels["achieved"] = f"{STATUS_LABELS['achieved']}或已达标"
    return labels


def plan_status_chart(plans: Sequence[PlanSummaryLine], png: bool = True) -> Drawing:
    """One bar per plan, 100% wide, split by status; the count in each wide enough segment, the total at the end."""
    statuses = list(STATUS_LABELS)
    colours = status_colours(statuses)
    labels = summary_status_labels(plans)
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 1.0 + 0.45 * max(len(plans), 1)), layout="constrained")
        present: set[str] = set()
        for row, plan in enumerate(plans):
            y = len(plans) - 1 - row
            total = plan.counts.total
            left = 0.0
            for status in statuses:
                count = int(getattr(plan.counts, status, 0))
                if not count or not total:
                    continue
                present.add(status)
                share = 100.0 * count / total
                axes.barh(y, share, left=left, color=colours[status], edgecolor="white", linewidth=0.6, height=0.62)
                if share >= 4.5:
                    axes.text(left + share / 2, y, str(count), ha="center", va="center", fontsize=6.5, color="white")
                left += share
            axes.annotate(
                f"共{total}项",
                (100, y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                annotation_clip=False,
            )
        axes.set_yticks(range(len(plans))[::-1], [_plan_label(plan, plans) for plan in plans])
        axes.set_xlim(0, 100)
        axes.set_xlabel("各状态目标数占比（%），条内数字为目标数")
        keys = [Patch(color=colours[status], label=labels[status]) for status in statuses if status in present]
        figure.legend(handles=keys, loc="outside lower center", ncols=min(len(keys), 7) or 1, frameon=False)
        return _export(figure, png)


def county_status_heatmap(grid: CountyStatusGrid, png: bool = True, labels: dict[str, str] | None = None) -> Drawing:
    """Counties by status: each cell tinted in its status colour by its count, the count written in it,
    a rule between cities; `labels` names the statuses (summary_status_labels, by default STATUS_LABELS)."""
    labels = labels or STATUS_LABELS
    rows, columns = len(grid.counties), len(grid.statuses)
    peak = max((count for row in grid.counts for count in row), default=0) or 1
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, 1.1 + 0.24 * max(rows, 1)), layout="constrained")
        cells, colours = [], []
        for row, counts in enumerate(grid.counts):
            y = rows - 1 - row
            for column, (status, count) in enumerate(zip(grid.statuses, counts, strict=True)):
                strength = 0.0 if count == 0 else 0.2 + 0.8 * count / peak
                cells.append(Rectangle((column, y), 1, 1))
                colours.append(_lighter(STATUS_COLOURS[status], 1.0 - strength))
                if count:
                    ink = "white" if strength > 0.55 else "#222222"
                    axes.text(column + 0.5, y + 0.5, str(count), ha="center", va="center", fontsize=7, color=ink)
            axes.text(columns + 0.15, y + 0.5, f"{sum(counts)}项", va="center", fontsize=6.5, color="#444444")
        axes.add_collection(PatchCollection(cells, facecolors=colours, edgecolors="#dddddd", linewidths=0.5))
        axes.set_xlim(0, columns)
        axes.set_ylim(0, max(rows, 1))
        heads = [_wrap(labels[status], 4) if len(labels[status]) > 5 else labels[status] for status in grid.statuses]
        axes.set_xticks([column + 0.5 for column in range(columns)], heads)
        for row in range(1, rows):
            if grid.cities[row] != grid.cities[row - 1]:
                axes.axhline(rows - row, color="#555555", linewidth=0.8)
        axes.xaxis.tick_top()
        axes.set_yticks([rows - 1 - row + 0.5 for row in range(rows)], list(grid.counties))
        axes.tick_params(length=0)
        for side in ("left", "bottom", "top", "right"):
            axes.spines[side].set_visible(False)
        return _export(figure, png)


def strip_ids(svg: str) -> str:
    """The SVG without element ids, for comparing two renders of one chart."""
    return re.sub(r' id="[^"]*"', "", svg)
