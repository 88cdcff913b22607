"""Running the checkpoints for one month: read the frames, validate them with GX, store the results.

`run_checks` is what `planwatch check` and the Airflow quality task call. It reads the warehouse
read-only, runs one committed checkpoint per suite (the mart suites only once the marts exist), turns
each GX result into an `ExpectationOutcome` carrying the failing rows' file, sheet and cell, rebuilds
the data docs under `<output>/quality/`, and appends the run to the warehouse's `quality` schema.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from planwatch.periods import utc_now
from planwatch.quality import frames as frames_module
from planwatch.quality.project import ROW_ID
from planwatch.quality.store import ExpectationOutcome, RunRecord, write_run
from planwatch.quality.suites import CHECKPOINTS, SUITES, Suite
from planwatch.registry.schema import Indicator
from planwatch.warehouse import connect

if TYPE_CHECKING:
    from planwatch.config import Settings
    from planwatch.quality.gate import GateDecision

SAMPLE_ROWS = 20
SCOPE_COLUMNS = ("plan_id", "target_id", "region_code", "department_id")
FILES_LISTED = 50


class NoDataError(ValueError):
    """The warehouse has nothing to check for the month asked."""


@dataclass
class Timings:
    read_frames: float = 0.0
    gx_import: float = 0.0
    gx_context: float = 0.0
    checkpoints: float = 0.0
    data_docs: float = 0.0
    store: float = 0.0


def _unexpected_row_ids(result: dict[str, Any]) -> list[int]:
    ids = []
    for item in result.get("unexpected_index_list") or []:
        value = item.get(ROW_ID) if isinstance(item, dict) else item
        if value is not None:
            ids.append(int(value))
    return ids


def scope_of(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Whose finding it is, over every unexpected row (not only the sample): the distinct plan, target,
    region and department the rows carry, with how many rows each; a briefing shows a finding only to
    the plan and region it concerns."""
    keys = [column for column in SCOPE_COLUMNS if column in rows.columns]
    if not keys or rows.empty:
        return []
    counted = rows[keys].astype("object").value_counts(dropna=False)
    return [
        {
            **{
                key: value
                for key, value in zip(
                    keys, combination if isinstance(combination, tuple) else (combination,), strict=True
                )
                if pd.notna(value)
            },
            "rows": int(n),
        }
        for combination, n in counted.items()
    ]


def outcome_of(
    suite: Suite, expectation_result: Any, frame: pd.DataFrame, parameters: dict[str, Any]
) -> ExpectationOutcome:
    """One GX expectation result as stored: severity and message from the suite, lineage from the frame."""
    config = expectation_result.expectation_config
    meta = config.meta or {}
    check_name = meta.get("check") or config.type
    declared = next((check for check in suite.checks if check.name == check_name), None)
    result = expectation_result.result or {}
    severity = str(
        getattr(config.severity, "value", config.severity) or (declared.severity if declared else "critical")
    )
    outcome = ExpectationOutcome(
        suite=suite.name,
        check_name=check_name,
        expectation_type=config.type,
        severity=severity,
        success=bool(expectation_result.success),
        message=meta.get("message") or (declared.message if declared else config.type),
        element_count=result.get("element_count"),
        unexpected_count=result.get("unexpected_count"),
    )
    exception_info = expectation_result.exception_info or {}
    if exception_info.get("raised_exception"):
        outcome.exception = str(exception_info.get("exception_message"))
    lineage = [column for column in frames_module.LINEAGE_COLUMNS[suite.frame] if column in frame.columns]
    row_ids = _unexpected_row_ids(result)
    if row_ids:
        rows = frame.set_index(ROW_ID).loc[row_ids]
        outcome.sample_rows = rows[lineage].head(SAMPLE_ROWS).to_dict(orient="records")
        outcome.scope = scope_of(rows)
        if "file_name" in rows.columns:
            # a row that lost its file name still came from a file the load record names
            names = rows["file_name"].fillna(rows["load_file_name"]) if "load_file_name" in rows else rows["file_name"]
            outcome.files = sorted({str(name) for name in names.dropna()})[:FILES_LISTED]
    elif not outcome.success and config.type == "expect_column_distinct_values_to_contain_set":
        # an aggregate check names no rows: the missing values are its sample
        wanted = config.kwargs.get("value_set")
        if isinstance(wanted, dict):
            wanted = parameters.get(wanted.get("$PARAMETER", ""), [])
        missing = sorted(set(wanted or []) - set(frame[config.kwargs["column"]].dropna()))
        outcome.unexpected_count = len(missing)
        outcome.sample_rows = [{config.kwargs["column"]: value} for value in missing[:SAMPLE_ROWS]]
        outcome.scope = scope_of(pd.DataFrame({config.kwargs["column"]: missing}))
    return outcome


ROWS_CHECKED = "rows_checked"


def rows_checked(suite: Suite, rows: int, rows_expected: bool) -> ExpectationOutcome:
    """How many rows the suite checked; none, in a month that should give it rows (it has submissions,
    and for the marts' suites targets to follow or submissions owed), fails it (critical): a check that
    looked at nothing has not passed."""
    return ExpectationOutcome(
        suite=suite.name,
        check_name=ROWS_CHECKED,
        expectation_type="planwatch_rows_checked",
        severity="critical",
        success=rows > 0 or not rows_expected,
        message=f"检查组“{suite.description or suite.name}”本月共检查{rows}行"
        + ("；本月有报送文件，但未检查到任何数据行" if rows == 0 and rows_expected else ""),
        element_count=rows,
        unexpected_count=0 if rows > 0 or not rows_expected else 1,
    )


def run_checks(
    warehouse: Path,
    period: str | None,
    output_dir: Path,
    checkpoints: list[str] | None = None,
    store: bool = True,
    data_docs: bool = True,
    indicators: Mapping[str, Indicator] | None = None,
    config: Settings | None = None,
) -> tuple[RunRecord, Timings]:
    """Run the checkpoints for `period` (default: the newest month with data) and store the run.

    `indicators` is the catalogue whose jump thresholds apply (default: the configured registry's).
    """
    from planwatch.quality import gx as gx_module

    timings = Timings()
    started_at = utc_now()  # naive UTC, as the warehouse stores moments
    clock = time.perf_counter()
    with connect(warehouse, read_only=True) as con:
        period = period or frames_module.latest_period(con)
        if period is None:
            raise NoDataError(f"{warehouse}: raw.observations is empty; run `planwatch ingest` first")
        frames = frames_module.read_frames(con, period, indicators=indicators, config=config)
    data_digest = frames.digest()  # before the checks run: what they read, as read
    if frames.frames["observations"].empty and frames.frames["file_loads"].empty:
        raise NoDataError(f"{warehouse}: no file reported figures for {period}")
    timings.read_frames = time.perf_counter() - clock

    wanted = checkpoints or list(CHECKPOINTS)
    suites = [
        suite
        for name in wanted
        for suite in CHECKPOINTS[name].suites
        if SUITES[suite].frame in frames.frames  # mart suites wait for the marts
    ]
    opened = gx_module.open_context(output_dir / "quality")
    timings.gx_import, timings.gx_context = opened.import_seconds, opened.context_seconds
    run_id = f"{period}_{started_at:%Y%m%dT%H%M%S%f}"
    outcomes: list[ExpectationOutcome] = []
    clock = time.perf_counter()
    for suite_name in suites:
        suite = SUITES[suite_name]
        frame = frames.frames[suite.frame]
        outcomes.append(rows_checked(suite, len(frame), frames.rows_expected.get(suite.frame, True)))
        validation = gx_module.run_checkpoint(opened.context, suite.name, frame, frames.parameters, run_id)
        outcomes.extend(outcome_of(suite, result, frame, frames.parameters) for result in validation.results)
    timings.checkpoints = time.perf_counter() - clock
    clock = time.perf_counter()
    docs = gx_module.build_data_docs(opened.context) if data_docs else None
    timings.data_docs = time.perf_counter() - clock

    record = RunRecord(
        run_id=run_id,
        period=period,
        started_at=started_at,
        finished_at=utc_now(),
        suites=suites,
        outcomes=outcomes,
        gx_import_seconds=timings.gx_import,
        gx_context_seconds=timings.gx_context,
        checks_seconds=timings.checkpoints,
        data_docs=str(docs) if docs else None,
        data_digest=data_digest,
    )
    if store:
        clock = time.perf_counter()
        with connect(warehouse) as con:
            write_run(con, record)
        timings.store = time.perf_counter() - clock
    return record, timings


def check_and_gate(
    warehouse: Path, period: str | None, output_dir: Path, config: Settings | None = None
) -> tuple[RunRecord, GateDecision]:
    """Write, audit, publish: run and store the month's checkpoints, then apply the publication gate.

    The one sequence the CLI pipeline and the Airflow tasks share; raises QualityGateError, naming the
    failed checks and their files, when the month is blocked.
    """
    from planwatch.quality.gate import assert_publishable

    record, _ = run_checks(warehouse, period, output_dir, config=config)
    return record, assert_publishable(warehouse, record.period)
