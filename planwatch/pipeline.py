"""The main job, end to end, on the embedded default: the one sequence `make demo` and tests run.

registry check and load → sample submissions for every plan (when asked) → ingest → dbt build of the
marts → quality checkpoints and the publication gate → the month's briefings in HTML, PDF and Word →
the office's approval and 签发 of each plan's briefing (archived, the month locked, 督办 opened).
Each step is the same function the CLI command and the Airflow task of that stage call.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planwatch.config import Settings
from planwatch.ingest.layout_spec import load_layouts
from planwatch.ingest.run import collect_files, ingest_files
from planwatch.ingest.store import FileResult, summarise
from planwatch.periods import china_today
from planwatch.registry.check import check_registry
from planwatch.registry.load import load_registry
from planwatch.registry.reference import Problem
from planwatch.warehouse import connect, load_registry_tables

if TYPE_CHECKING:
    from planwatch.transform import TransformResult

# who the audit log says approved and reviewed, and who signed, in a demo run (two people: 审核与签发分离)
DEMO_OFFICE = "演示督查室（make demo）"
DEMO_SIGNER = "演示签发人（make demo）"


class TransformFailedError(RuntimeError):
    """dbt build failed: no briefing is rendered on marts that did not build and pass their tests."""


class RegistryProblemsError(RuntimeError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


ProgressFactory = Callable[[str], AbstractContextManager[Callable[[int, int, str], None]]]


@dataclass
class PipelineRun:
    period: str
    warehouse: Path
    registry_tables: dict[str, int] = field(default_factory=dict)
    sample_dir: Path | None = None
    ingest_results: list[FileResult] = field(default_factory=list)
    receipts_dir: Path | None = None
    outputs: dict[str, Path | str] = field(default_factory=dict)  # what a user opens: paths, a database
    issued: list = field(default_factory=list)  # supervision.issuing.IssueResult of each plan signed


def previous_month(today: dt.date | None = None) -> str:
    today = today or china_today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def _no_progress(description: str) -> AbstractContextManager[Callable[[int, int, str], None]]:
    return nullcontext(lambda done, total, item: None)


def _transformed(config: Settings, progress: ProgressFactory, description: str) -> TransformResult:
    """`dbt build` of the warehouse's marts, or TransformFailedError naming what failed."""
    from planwatch.transform import transform

    with progress(description) as step:
        built = transform(warehouse=config.warehouse_path, on_progress=step)
    if not built.success:
        failures = ", ".join(f"{node} ({status})" for node, status in built.failures.items()) or built.error
        raise TransformFailedError(f"dbt build failed: {failures}")
    return built


def run_pipeline(
    config: Settings,
    period: str,
    with_sample: bool = True,
    say: Callable[[str], None] = print,
    progress: ProgressFactory = _no_progress,
) -> PipelineRun:
    """Run every stage for the month; `with_sample` first writes sample submissions into the landing.

    `progress(description)` opens a progress report for a long stage (the CLI passes a rich bar):
    a context manager giving a callback `step(done, total, item)`.
    """
    registry = load_registry(config.plans_path)
    problems = check_registry(registry)
    if problems:
        raise RegistryProblemsError(problems)
    run = PipelineRun(period=period, warehouse=config.warehouse_path)
    with connect(config.warehouse_path) as connection:
        run.registry_tables = load_registry_tables(connection, registry)
    targets = sum(len(plan.targets) for plan in registry.plans.values())
    say(f"registry: {len(registry.plans)} plans, {targets} targets checked and loaded into {run.warehouse}")
    submissions = [config.landing_path]
    if with_sample:
        from planwatch.sample.generate import generate_sample, sample_periods

        run.sample_dir = config.output_path / "sample"
        shutil.rmtree(run.sample_dir, ignore_errors=True)
        months = sample_periods(registry, period)
        with progress("sample") as step:
            result = generate_sample(
                registry,
                run.sample_dir,
                period,
                seed=42,
                mess_rate=0.1,
                mistake_rate=0.1,
                on_month=lambda month: step(months.index(month) + 1, len(months), month),
            )
        say(f"sample: {len(result.files)} department files up to {period} in {run.sample_dir}")
        submissions = sorted(p for p in run.sample_dir.iterdir() if p.is_dir())
    run.receipts_dir = config.output_path / "receipts"
    files = collect_files([p for p in submissions if p.exists()])
    finished = itertools.count(1)
    with progress("ingest") as step:
        run.ingest_results = ingest_files(
            files,
            config.warehouse_path,
            registry,
            run.receipts_dir,
            on_file=lambda result: step(next(finished), len(files), Path(result.file).name),
            layouts=load_layouts(config.layouts_path),
        )
    say(f"ingest: {summarise(run.ingest_results, run.receipts_dir)}")
    run.outputs["warehouse"] = run.warehouse
    run.outputs["receipts"] = run.receipts_dir

    built = _transformed(config, progress, "transform (dbt build)")
    say(f"transform: dbt build of {len(built.statuses)} nodes passed in {built.seconds:.0f}s (schema marts)")

    # write, audit, publish: no briefing goes out on a month with a critical quality failure
    from planwatch.quality.run import check_and_gate

    record, _ = check_and_gate(config.warehouse_path, period, config.output_path)
    say(
        f"quality: {period} passed the gate ({len(record.outcomes)} checks, {len(record.warnings)} warnings); "
        f"data docs in {record.data_docs}"
    )

    from planwatch.briefing.run import brief_month

    briefings_dir = config.briefings_path(period)
    with progress("briefings") as step:
        briefed = brief_month(config.warehouse_path, period, briefings_dir, on_progress=step)
    say(f"briefings: {len(briefed.written)} files for {period}: {briefed.timings()}")
    if briefed.skipped_plans:
        say(f"  no progress rows in {period} (plan and reporting over) for: {', '.join(briefed.skipped_plans)}")
    if briefed.delivered_issued:
        say(f"  {briefed.delivered_issued} files of issued briefings delivered from the archive as issued")
    run.outputs["briefings"] = briefings_dir
    for path in briefed.written:
        if "leadership_summary" in path.name:
            run.outputs[f"leadership summary ({path.suffix[1:]})"] = path

    # the office's side, done here in its place: approve what waits, review and sign each plan's briefing
    from planwatch.supervision.issuing import issue_month

    issued, skipped = issue_month(config.warehouse_path, period, DEMO_OFFICE, DEMO_SIGNER, config, approve_waiting=True)
    for note in skipped:
        say(f"issue: {note}")
    for result in issued:
        say(
            f"issue: {result.plan_id} 第{result.issue_number}期 签发 {result.issue_date} into {result.archive_dir}; "
            f"{len(result.locked_departments)} departments' {period} locked; "
            f"督办 opened {len(result.opened)}, closed {len(result.closed)}"
        )
        for item in result.opened:
            due = item["reply_due"]
            say(f"  督办 {item['item_id']} → {item['department_name']}: {item['subject']}（反馈时限 {due}）")
        run.outputs[f"issued {result.plan_id}"] = result.archive_dir
    run.issued = issued
    if issued:  # the 督办 opened, the months locked and approved: the marts BI tools read show them
        rebuilt = _transformed(config, progress, "transform (the office's decisions)")
        say(f"transform: the marts rebuilt with the office's decisions in {rebuilt.seconds:.0f}s")

    # the marts where BI tools read them, switched whole (the same step as the monthly DAG's publish task)
    from planwatch.publish.layout import CURRENT_LINK, DUCKDB_FILE, PARQUET_DIR
    from planwatch.publish.run import publish_marts

    published = publish_marts(config)
    current = config.published_path / CURRENT_LINK
    say(f"publish: marts snapshot {Path(published['snapshot']).name} is now {current}")
    run.outputs["BI: DuckDB file (open read-only, tables marts.*)"] = current / DUCKDB_FILE
    run.outputs["BI: Parquet folder (one file per mart)"] = current / PARQUET_DIR
    if "postgres" in published:
        run.outputs["BI: PostgreSQL"] = published["postgres"]
    else:
        say("publish: PostgreSQL not configured (set PLANWATCH_POSTGRES_URI to publish the marts there too)")
    return run
