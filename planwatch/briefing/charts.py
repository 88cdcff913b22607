"""Briefing charts drawn with matplotlib as inline SVG: completion against time progress, and trends.

Text is drawn as glyph paths (matplotlib's default `svg.fonttype`), so a chart shows the same Chinese
in a browser, in WeasyPrint and in Word whatever fonts the reader has, and carries no numbers a search
could mistake for data. The SVG is made deterministic (fixed hash salt, no date) so the same inputs
give the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from planwatch.briefing.context import STATUS_COLOURS, TargetLine

FONT_FAMILY = ["Noto Sans CJK SC", "DejaVu Sans"]
MAX_BARS = 40
_RC = {
    "font.family": FONT_FAMILY,
    "font.size": 9,
    "axes.unicode_minus": False,
    "svg.hashsalt": "planwatch",
    "svg.fonttype": "path",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _to_svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    # inline SVG: drop the XML prolog and doctype, keep the <svg> element and what is inside it
    return text[text.index("<svg") :].strip()


def _label(line: TargetLine) -> str:
    name = line.indicator_name if len(line.indicator_name) <= 14 else line.indicator_name[:13] + "…"
    return f"{name}（{line.region_name[:6]}，{line.target_year}）"


def completion_against_time(lines: Sequence[TargetLine]) -> str:
    """Horizontal bars of completion (capped at 150 for the scale), a tick for time progress."""
    shown = [line for line in lines if line.completion_rate is not None][:MAX_BARS]
    with plt.rc_context(_RC):
        height = 0.8 + 0.28 * max(len(shown), 1)
        figure, axes = plt.subplots(figsize=(6.1, height))
        positions = list(range(len(shown)))[::-1]
        values = [min(max(line.completion_rate or 0.0, 0.0), 150.0) for line in shown]
        axes.barh(positions, values, color=[STATUS_COLOURS[line.status] for line in shown], height=0.6, label="完成率")
        axes.scatter(
            [line.time_progress or 0.0 for line in shown],
            positions,
            marker="|",
            s=140,
            color="#222222",
            linewidths=1.6,
            zorder=3,
            label="时序进度",
        )
        axes.set_yticks(positions, [_label(line) for line in shown])
        axes.set_xlim(0, 150)
        axes.set_xlabel("%")
        axes.axvline(100, color="#999999", linewidth=0.6, linestyle=":")
        axes.legend(loc="lower right", frameon=False, fontsize=8)
        return _to_svg(figure)


def trend_with_path(line: TargetLine, months: Sequence[dict[str, object]]) -> str:
    """The year's actual values by month against the expected path and the target level."""
    with plt.rc_context(_RC):
        figure, axes = plt.subplots(figsize=(3.0, 2.1))
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
        step = max(1, len(x) // 6)
        axes.set_xticks(x[::step], labels[::step])
        axes.set_title(f"{line.indicator_name[:16]}（{line.measure_unit}）", fontsize=9)
        axes.legend(frameon=False, fontsize=7)
        return _to_svg(figure)


def strip_ids(svg: str) -> str:
    """The SVG without element ids, for comparing two renders of one chart."""
    return re.sub(r' id="[^"]*"', "", svg)
