"""Render every briefing of a month: each plan, each county a plan sets targets for, the leadership summary."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.briefing.gather import county_regions, gather_plan, gather_summary, month_end
from planwatch.briefing.marts import plans, target_progress
from planwatch.briefing.render import FORMATS, render, with_charts


@dataclass
class BriefRun:
    written: list[Path] = field(default_factory=list)
    seconds_by_format: dict[str, float] = field(default_factory=dict)
    skipped_plans: list[str] = field(default_factory=list)


def brief_month(
    warehouse: Path,
    period: str,
    out_dir: Path,
    plan_id: str | None = None,
    formats: Iterable[str] = FORMATS,
    counties: bool = True,
    summary: bool = True,
) -> BriefRun:
    """Gather and render the month's briefings; the warehouse is opened read-only."""
    formats = list(formats)
    run = BriefRun(seconds_by_format=dict.fromkeys(formats, 0.0))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if plan_id:
            plan_ids = [plan_id]
        else:
            # a plan whose progress stops before this month (its period and reporting are over) has
            # its final assessment in the briefing of its last month, not in every month after it
            month = month_end(period)
            plan_ids = [row["plan_id"] for row in plans(con) if target_progress(con, row["plan_id"], month)]
            run.skipped_plans = [row["plan_id"] for row in plans(con) if row["plan_id"] not in plan_ids]
        briefings = []
        for pid in plan_ids:
            briefings.append(with_charts(con, gather_plan(con, pid, period)))
            if counties:
                briefings.extend(
                    with_charts(con, gather_plan(con, pid, period, code)) for code in county_regions(con, pid)
                )
        if summary and plan_id is None:
            briefings.append(gather_summary(con, period))
    for briefing in briefings:
        for fmt in formats:
            if fmt == "docx" and briefing.kind == "summary":
                continue  # the Word template covers plan and county briefings; the summary is HTML and PDF
            started = time.perf_counter()
            run.written.extend(render(briefing, out_dir, [fmt]))
            run.seconds_by_format[fmt] += time.perf_counter() - started
    return run
