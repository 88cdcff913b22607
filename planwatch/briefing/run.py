"""Render every briefing of a month: each plan, each county a plan sets targets for, the leadership summary.

`brief_month` is the one entry point the CLI (`planwatch brief`), `make demo` and an Airflow task call;
its result says what a task log needs: the files written and the seconds spent gathering (marts and
charts) and rendering each format (`BriefRun.as_dict()` is JSON for XCom).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.atomic_files import remove_leftovers
from planwatch.briefing.gather import county_regions, gather_plan, gather_summary, month_end
from planwatch.briefing.marts import plans, target_progress
from planwatch.briefing.render import FORMATS, render, with_charts
from planwatch.config import Settings
from planwatch.supervision.issuing import issued_plans, reproduce

Progress = Callable[[int, int, str], None]  # (briefings done, briefings in all, the one just done)


class NoBriefingError(ValueError):
    """No plan has progress rows in the month asked: nothing to brief (rather than an empty summary)."""


@dataclass
class BriefRun:
    period: str
    written: list[Path] = field(default_factory=list)
    seconds_gathering: float = 0.0
    seconds_by_format: dict[str, float] = field(default_factory=dict)
    skipped_plans: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """What a task logs and returns: JSON-serialisable (paths as strings, seconds rounded)."""
        return {
            "period": self.period,
            "files": [str(path) for path in self.written],
            "seconds_gathering": round(self.seconds_gathering, 2),
            "seconds_by_format": {fmt: round(seconds, 2) for fmt, seconds in self.seconds_by_format.items()},
            "skipped_plans": list(self.skipped_plans),
        }

    def timings(self) -> str:
        """One line for a log: 'gather 3.1 s, html 0.4 s, pdf 21.0 s, docx 6.2 s'."""
        parts = [f"gather {self.seconds_gathering:.1f} s"]
        parts += [f"{fmt} {seconds:.1f} s" for fmt, seconds in self.seconds_by_format.items()]
        return ", ".join(parts)


def brief_month(
    warehouse: Path,
    period: str,
    out_dir: Path,
    plan_id: str | None = None,
    formats: Iterable[str] = FORMATS,
    counties: bool = True,
    summary: bool = True,
    config: Settings | None = None,
    on_progress: Progress | None = None,
) -> BriefRun:
    """Gather and render the month's briefings into `out_dir`; the warehouse is opened read-only.

    The publication gate comes first: a month whose latest quality run failed a critical check (or that
    was never checked) raises `QualityGateError` naming the checks, before anything is written, unless
    an override is recorded, which every briefing then states on its first page. Raises ValueError for
    an unknown format, a malformed period or a plan without rows in the month.
    """
    from planwatch.quality.gate import QualityGateError, blocked_message, decide

    month = month_end(period)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        decision = decide(con, month)
    if not decision.publishable:
        raise QualityGateError(blocked_message(decision))
    return render_month(warehouse, period, out_dir, plan_id, formats, counties, summary, config, on_progress)


def render_month(
    warehouse: Path,
    period: str,
    out_dir: Path,
    plan_id: str | None = None,
    formats: Iterable[str] = FORMATS,
    counties: bool = True,
    summary: bool = True,
    config: Settings | None = None,
    on_progress: Progress | None = None,
) -> BriefRun:
    """`brief_month` without the gate: for tests and benchmarks that render months nobody checked.

    Anything that publishes (the CLI, the DAG, `make demo`) calls `brief_month`.
    """
    formats = list(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    month = month_end(period)
    run = BriefRun(period=f"{month:%Y-%m}", seconds_by_format=dict.fromkeys(formats, 0.0))
    remove_leftovers(out_dir)  # part files of a render killed midway
    raster = bool({"pdf", "docx"} & set(formats))
    reproduced: list[Path] = []  # the PNG of each chart is for the PDF and Word only
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if plan_id:
            plan_ids = [plan_id]
        else:
            # a plan whose progress stops before this month (its period and reporting are over) has
            # its final assessment in the briefing of its last month, not in every month after it
            plan_ids = [row["plan_id"] for row in plans(con) if target_progress(con, row["plan_id"], month)]
            run.skipped_plans = [row["plan_id"] for row in plans(con) if row["plan_id"] not in plan_ids]
            if not plan_ids:
                raise NoBriefingError(f"no plan has progress rows in {month:%Y-%m}: nothing to brief")
        briefings = []
        issued = issued_plans(con, run.period)
        for pid in plan_ids:
            if pid in issued:  # an issued month is its archive: re-rendered only to prove it unchanged
                reproduced.extend(reproduce(issued[pid], out_dir, formats))
                continue
            briefings.append(with_charts(con, gather_plan(con, pid, month, config=config), raster))
            if counties:
                briefings.extend(
                    with_charts(con, gather_plan(con, pid, month, code, config=config), raster)
                    for code in county_regions(con, pid)
                )
        if summary and plan_id is None:
            briefings.append(with_charts(con, gather_summary(con, month, config=config), raster))
    run.seconds_gathering = time.perf_counter() - started
    run.written.extend(reproduced)
    total = len(briefings) * len(formats)
    if on_progress is not None:
        on_progress(0, total, f"{len(reproduced)} issued files reproduced" if reproduced else "")
    for number, (briefing, fmt) in enumerate(((b, f) for b in briefings for f in formats), start=1):
        started = time.perf_counter()
        written = render(briefing, out_dir, [fmt])
        run.written.extend(written)
        run.seconds_by_format[fmt] += time.perf_counter() - started
        if on_progress is not None:
            on_progress(number, total, written[-1].name if written else "")
    return run
