"""Render every briefing of a month: each plan, each county a plan sets targets for, the leadership summary.

`brief_month` is the one entry point the CLI (`planwatch brief`), `make demo` and an Airflow task call;
its result says what a task log needs: the files written and the seconds spent gathering (marts and
charts) and rendering each format (`BriefRun.as_dict()` is JSON for XCom).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.atomic_files import remove_leftovers
from planwatch.briefing.gather import county_regions, gather_plan, gather_summary, month_end
from planwatch.briefing.marts import plans, remember_reads, target_progress
from planwatch.briefing.render import FORMATS, chart_plan, draw_charts, render, warm_up
from planwatch.briefing.unchanged import RenderInputs, record, renderer_fingerprint, unchanged_file
from planwatch.config import Settings
from planwatch.processes import can_fork, forked_pool
from planwatch.supervision.issuing import deliver_issued_plans, issued_plans

Progress = Callable[[int, int, str], None]  # (briefings done, briefings in all, the one just done)


class NoBriefingError(ValueError):
    """No plan has progress rows in the month asked: nothing to brief (rather than an empty summary)."""


@dataclass
class BriefRun:
    period: str
    written: list[Path] = field(default_factory=list)
    seconds_gathering: float = 0.0  # this and the formats' seconds: summed over the rendering processes
    seconds_by_format: dict[str, float] = field(default_factory=dict)
    skipped_plans: list[str] = field(default_factory=list)
    delivered_issued: int = 0  # of `written`: issued plans' files, copied from their archive
    briefings: int = 0
    unchanged: int = 0  # files kept as they were (their inputs did not change), not written again
    processes: int = 1
    seconds: float = 0.0  # from start to the last file written

    def as_dict(self) -> dict[str, object]:
        """What a task logs and returns: JSON-serialisable (paths as strings, seconds rounded)."""
        return {
            "period": self.period,
            "files": [str(path) for path in self.written],
            "briefings": self.briefings,
            "unchanged_files": self.unchanged,
            "processes": self.processes,
            "seconds": round(self.seconds, 2),
            "seconds_gathering": round(self.seconds_gathering, 2),
            "seconds_by_format": {fmt: round(seconds, 2) for fmt, seconds in self.seconds_by_format.items()},
            "skipped_plans": list(self.skipped_plans),
            "delivered_issued": self.delivered_issued,
        }

    def timings(self) -> str:
        """One line for a log: '22 briefings rendered in 15.2 s (by 2 processes, gather 3.1 s, html 0.4 s …)'."""
        parts = [f"gather {self.seconds_gathering:.1f} s"]
        parts += [f"{fmt} {seconds:.1f} s" for fmt, seconds in self.seconds_by_format.items()]
        by = f"by {self.processes} processes, " if self.processes > 1 else ""
        kept = f"; {self.unchanged} files unchanged, not written again" if self.unchanged else ""
        issued = (
            f"; {self.delivered_issued} files of issued briefings from the archive" if self.delivered_issued else ""
        )
        rendered = f"{self.briefings} briefing{'s' if self.briefings != 1 else ''} rendered"
        return f"{rendered} in {self.seconds:.1f} s ({by}{', '.join(parts)}){kept}{issued}"


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
    jobs: int | None = None,
    force: bool = False,
) -> BriefRun:
    """Gather and render the month's briefings into `out_dir`; the warehouse is opened read-only.

    The publication gate comes first: a month whose latest quality run failed a critical check (or that
    was never checked, or whose data changed since) raises `QualityGateError` naming the checks, before
    anything is written, unless an override is recorded, which every briefing then states on its first
    page. Plans whose briefing of the month is issued are delivered from their archive, which no gate
    judges again: when nothing else is to be rendered, the gate is not asked. Raises ValueError for an
    unknown format, a malformed period or a plan without rows in the month.
    """
    return render_month(
        warehouse, period, out_dir, plan_id, formats, counties, summary, config, on_progress, jobs, force, gated=True
    )


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
    jobs: int | None = None,
    force: bool = False,
    gated: bool = False,
) -> BriefRun:
    """`brief_month` without the gate (`gated=False`): for tests and benchmarks that render months nobody checked.

    Anything that publishes (the CLI, the DAG, `make demo`) calls `brief_month`. The briefings are
    rendered by `jobs` processes (default: one per core), each gathering, drawing and writing whole
    briefings; the files are the same bytes whatever the number of processes.
    """
    formats = list(formats)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    month = month_end(period)
    run = BriefRun(period=f"{month:%Y-%m}", seconds_by_format=dict.fromkeys(formats, 0.0))
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        units, run.skipped_plans, issued = briefing_units(con, month, plan_id, counties, summary)
        if gated and units:  # what is rendered from the current data: issued plans come from their archive
            from planwatch.quality.gate import QualityGateError, blocked_message, decide

            decision = decide(con, month)
            if not decision.publishable:
                raise QualityGateError(blocked_message(decision))
        remove_leftovers(out_dir)  # part files of a render killed midway
        # an issued plan's month is its archive, copied as issued (checked against its manifest)
        delivered = deliver_issued_plans(issued, out_dir, formats)
        run.written.extend(delivered)
        run.delivered_issued = len(delivered)
    total = len(units) * len(formats)
    if on_progress is not None:
        on_progress(0, total, f"{len(run.written)} issued files delivered from the archive" if run.written else "")
    job = _Job(warehouse, month, out_dir, formats, config, force)
    run.briefings, run.processes = len(units), _processes(jobs, len(units))
    done: dict[int, UnitResult] = {}
    for index, result in rendered_units(job, units, run.processes):
        done[index] = result
        run.seconds_gathering += result.seconds_gathering
        run.unchanged += result.unchanged
        for fmt, seconds in result.seconds_by_format.items():
            run.seconds_by_format[fmt] += seconds
        if on_progress is not None:
            on_progress(len(done) * len(formats), total, result.written[-1].name if result.written else "")
    for index in range(len(units)):  # in the order of the units, however the processes finished
        run.written.extend(done[index].written)
    run.seconds = time.perf_counter() - started
    return run


def _processes(jobs: int | None, units: int) -> int:
    """The rendering processes: `jobs` (default: one per core), never more than briefings, one without fork."""
    return max(1, min(jobs or os.cpu_count() or 1, units)) if can_fork() else 1


@dataclass(frozen=True)
class BriefingUnit:
    """One briefing: a plan's (of its own region, or of one county it sets targets for), or the summary."""

    plan_id: str | None  # None: the leadership summary
    region_code: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"plan_id": self.plan_id, "region_code": self.region_code}


def briefing_units(
    con: duckdb.DuckDBPyConnection, month: dt.date, plan_id: str | None, counties: bool = True, summary: bool = True
) -> tuple[list[BriefingUnit], list[str], dict[str, Path]]:
    """The month's briefings to render; the plans skipped (their progress ended before the month); the
    plans whose briefing is issued already (plan → archive), whose archived files are delivered, not rendered."""
    if plan_id:
        plan_ids, skipped = [plan_id], []
    else:
        # a plan whose progress stops before this month (its period and reporting are over) has
        # its final assessment in the briefing of its last month, not in every month after it
        every = [row["plan_id"] for row in plans(con)]
        plan_ids = [pid for pid in every if target_progress(con, pid, month)]
        skipped = [pid for pid in every if pid not in plan_ids]
        if not plan_ids:
            raise NoBriefingError(f"no plan has progress rows in {month:%Y-%m}: nothing to brief")
    issued = issued_plans(con, f"{month:%Y-%m}")
    units = []
    for pid in plan_ids:
        if pid in issued:
            continue
        units.append(BriefingUnit(pid))
        if counties:
            units.extend(BriefingUnit(pid, code) for code in county_regions(con, pid))
    if summary and plan_id is None:
        units.append(BriefingUnit(None))
    return units, skipped, {pid: issued[pid] for pid in plan_ids if pid in issued}


@dataclass
class UnitResult:
    written: list[Path]
    seconds_gathering: float
    seconds_by_format: dict[str, float]
    unchanged: int = 0  # files kept as they were: their inputs did not change


def render_unit(
    con: duckdb.DuckDBPyConnection,
    unit: BriefingUnit,
    month: dt.date,
    out_dir: Path,
    formats: list[str],
    config: Settings | None = None,
    force: bool = False,
) -> UnitResult:
    """Gather one briefing from the marts, draw its charts and write it in each format, unless the
    file is there already as rendering would write it (`planwatch.briefing.unchanged`; `force` writes anyway).
    When every format's file is, no chart is drawn."""
    started = time.perf_counter()
    raster = bool({"pdf", "docx"} & set(formats))  # the PNG of each chart is for the PDF and Word only
    if unit.plan_id is None:
        gathered = gather_summary(con, month, config=config)
    else:
        gathered = gather_plan(con, unit.plan_id, month, unit.region_code, config=config)
    charts_from = chart_plan(con, gathered, raster)
    inputs = RenderInputs.of(gathered, charts_from)  # digested once for every format, before drawing
    kept = {fmt: None if force else unchanged_file(out_dir, inputs, fmt) for fmt in formats}
    briefing = None if all(kept.values()) else draw_charts(gathered, charts_from)
    result = UnitResult([], time.perf_counter() - started, {})
    written: dict[str, Path] = {}
    for fmt in formats:
        started = time.perf_counter()
        if (path := kept[fmt]) is not None:  # its inputs did not change: the file is what rendering would write
            result.written.append(path)
            result.unchanged += 1
            continue
        assert briefing is not None
        [written[fmt]] = render(briefing, out_dir, [fmt])
        result.written.append(written[fmt])
        result.seconds_by_format[fmt] = time.perf_counter() - started
    if written:
        record(out_dir, inputs, written)
    return result


@dataclass(frozen=True)
class _Job:
    warehouse: Path
    month: dt.date
    out_dir: Path
    formats: list[str]
    config: Settings | None
    force: bool = False


_WORKER_JOB: _Job | None = None  # inherited by the forked rendering processes
_WORKER_CONNECTION: duckdb.DuckDBPyConnection | None = None


def _render_in_worker(unit: BriefingUnit) -> UnitResult:
    global _WORKER_CONNECTION
    assert _WORKER_JOB is not None
    if _WORKER_CONNECTION is None:  # each process its own read-only connection, opened after the fork
        _WORKER_CONNECTION = remember_reads(duckdb.connect(str(_WORKER_JOB.warehouse), read_only=True))
    job = _WORKER_JOB
    return render_unit(_WORKER_CONNECTION, unit, job.month, job.out_dir, job.formats, job.config, job.force)


def rendered_units(job: _Job, units: list[BriefingUnit], workers: int) -> Iterator[tuple[int, UnitResult]]:
    """(index, result) of each unit as it is done: in this process, or in `workers` forked processes
    (CPU-bound: WeasyPrint, matplotlib and python-docx hold the GIL). This process holds no open
    connection while they run."""
    if workers == 1:
        with duckdb.connect(str(job.warehouse), read_only=True) as con:
            remember_reads(con)  # a plan's counties ask its questions again
            for index, unit in enumerate(units):
                yield index, render_unit(con, unit, job.month, job.out_dir, job.formats, job.config, job.force)
        return
    warm_up(job.formats)  # loaded once here, inherited by every process forked below
    renderer_fingerprint()
    global _WORKER_JOB
    _WORKER_JOB = job
    try:
        with forked_pool(workers) as pool:
            futures = {pool.submit(_render_in_worker, unit): index for index, unit in enumerate(units)}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    finally:
        _WORKER_JOB = None
