"""Briefing charts drawn with matplotlib: completion against time progress, and trends.

Each chart is drawn once and saved twice: as SVG for the HTML briefing (it scales in a browser) and as
PNG at 300 dpi, print resolution, for the PDF and the Word file. WeasyPrint lays out the glyph paths
of an SVG chart slowly (a CJK label is hundreds of path segments, re-read at every use): the PNG
costs a quarter of the time and prints the same. Text is drawn as glyph paths or pixels, so a chart shows
the same Chinese whatever fonts the reader has, and carries no numbers a search could mistake for
data. Both files are deterministic (fixed hash salt, no date) so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import NamedTuple

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from planwatch.briefing.context import STATUS_COLOURS, STATUS_LABELS, TargetLine

FONT_FAMILY = ["Noto Sans CJK SC", "DejaVu Sans"]
MAX_BARS = 40
PNG_DPI = 300
# charts are laid out (constrained layout, labels inside) at the size they print: the GB/T 9704 text
# block is 156 mm wide, so the completion chart takes its width and a trend chart a column of two
WIDTH_INCHES = 6.1
# the tallest completion chart still fits the GB/T 9704 text block (225 mm) with its caption
MAX_HEIGHT_INCHES = 8.0
_RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "axes.unicode_minus": False,
    "svg.hashsalt": "planwatch",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


class Drawing(NamedTuple):
    """One chart as inline SVG (HTML) and as PNG bytes at `PNG_DPI` (PDF and Word)."""

    svg: str
    png: bytes | None


def _export(figure: plt.Figure, png: bool) -> Drawing:
    try:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = buffer.getvalue()
        image = None
        if png:
            raster = io.BytesIO()
            figure.savefig(raster, format="png", dpi=PNG_DPI, metadata={"Software": None})
            image = raster.getvalue()
    finally:
        plt.close(figure)
    # inline SVG: drop the XML prolog and doctype, keep the <svg> element and what is inside it
    return Drawing(svg=text[text.index("<svg") :].strip(), png=image)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _label(line: TargetLine) -> str:
    """'指标名（地区，年）': a long name cut with an ellipsis, a region's note in brackets left out."""
    region = line.region_name.split("（")[0]
    return f"{_shorten(line.indicator_name, 14)}（{_shorten(region, 6)}，{line.target_year}）"


def completion_against_time(lines: Sequence[TargetLine], png: bool = True) -> Drawing:
    """Horizontal bars of completion (capped at 150 for the scale), a tick for time progress."""
    shown = [line for line in lines if line.completion_rate is not None][:MAX_BARS]
    with plt.rc_context(_RC):
        height = min(0.8 + 0.28 * max(len(shown), 1), MAX_HEIGHT_INCHES)
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES, height), layout="constrained")
        positions = list(range(len(shown)))[::-1]
        values = [min(max(line.completion_rate or 0.0, 0.0), 150.0) for line in shown]
        axes.barh(positions, values, color=[STATUS_COLOURS[line.status] for line in shown], height=0.6)
        axes.scatter(
            [line.time_progress or 0.0 for line in shown],
            positions,
            marker="|",
            s=140,
            color="#222222",
            linewidths=1.6,
            zorder=3,
        )
        axes.set_yticks(positions, [_label(line) for line in shown])
        axes.set_xlim(0, 150)
        axes.set_xlabel("%")
        axes.axvline(100, color="#999999", linewidth=0.6, linestyle=":")
        # one key per status shown (the bar colours), then the time-progress tick
        statuses = list(dict.fromkeys(line.status for line in shown))
        keys = [Patch(color=STATUS_COLOURS[status], label=f"完成率（{STATUS_LABELS[status]}）") for status in statuses]
        keys.append(Line2D([], [], marker="|", linestyle="none", color="#222222", markersize=10, label="时序进度"))
        figure.legend(handles=keys, loc="outside lower center", ncols=4, frameon=False, fontsize=7)
        return _export(figure, png)


def trend_with_path(line: TargetLine, months: Sequence[dict[str, object]], png: bool = True) -> Drawing:
    """The year's actual values by month against the expected path and the target level."""
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(WIDTH_INCHES / 2 - 0.1, 2.2), layout="constrained")
        labels = [f"{month['period'].month}月" for month in months]  # type: ignore[attr-defined]
        x = list(range(len(months)))
        actual = [month["actual_value"] for month in months]
        path = [month["expected_value_now"] for month in months]
        axes.plot(
            x, [value if value is not None else float("nan") for value in path], "--", color="#888888", label="进度路径"
        )
        axes.plot(
            x,
            [value if value is not None else float("nan") for value in actual],
            "o-",
            color="#1f5fa8",
            markersize=3,
            label="实际值",
        )
        if line.target_level is not None:
            axes.axhline(line.target_level, color="#c0392b", linewidth=0.8, label="目标值")
        step = math.ceil(len(x) / 6)  # at most six month labels, so they never run together
        axes.set_xticks(x[::step], labels[::step])
        axes.set_title(f"{_shorten(line.indicator_name, 16)}（{line.measure_unit}）", fontsize=9)
        axes.legend(frameon=False, fontsize=7)
        return _export(figure, png)


def strip_ids(svg: str) -> str:
    """The SVG without element ids, for comparing two renders of one chart."""
    return re.sub(r' id="[^"]*"', "", svg)
