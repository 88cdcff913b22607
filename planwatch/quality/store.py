"""The warehouse's `quality` schema: every run, every expectation's result, every operator override.

`quality.runs` (one row per `planwatch check`), `quality.expectation_results` (one row per run and
expectation: severity, success, unexpected count, a sample of the rows with file, sheet and cell) and
`quality.overrides` (who released a month despite a critical failure, why, when) are appended to and
never updated. `quality.check_results` is the view the briefing reads: for each month, what its latest
run found wrong and any override, with the month as its last day like the marts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

DDL = """
create schema if not exists quality;
create table if not exists quality.runs (
    run_id varchar primary key,
    period varchar not null,           -- YYYY-MM
    started_at timestamp not null,     -- naive UTC, as the loads and the office's decisions are stored
    finished_at timestamp not null,
    suites varchar not null,           -- ';'-joined suite names
    critical_failures integer not null,
    warnings integer not null,
    passed boolean not null,           -- no critical failure
    gx_import_seconds double,
    gx_context_seconds double,
    checks_seconds double,
    data_docs varchar,                 -- the data docs index page
    data_digest varchar                -- sha256 of the data the checks read (frames.Frames.digest)
);
-- a warehouse from before the digest: its runs have none, and the gate asks for a new check
alter table quality.runs add column if not exists data_digest varchar;
create table if not exists quality.expectation_results (
    run_id varchar not null,
    period varchar not null,
    suite varchar not null,
    check_name varchar not null,
    expectation_type varchar not null,
    severity varchar not null,         -- critical | warning
    success boolean not null,
    element_count integer,
    unexpected_count integer,
    message varchar not null,          -- Chinese, as the briefing states it
    files varchar,                     -- ';'-joined files behind the unexpected rows
    sample_rows varchar,               -- JSON list: up to 20 rows with file_name, sheet, cell, ...
    exception varchar,                 -- when GX could not evaluate the expectation
    checked_at timestamp not null,
    scope varchar                      -- JSON list over ALL unexpected rows: {plan_id, target_id, region_code,
                                       -- department_id (those the frame has), rows}: whose finding it is
);
-- a warehouse from before the scope column
alter table quality.expectation_results add column if not exists scope varchar;
create table if not exists quality.overrides (
    period varchar not null,
    run_id varchar not null,           -- the run whose critical failures were released
    operator varchar not null,
    reason varchar not null,
    overridden_at timestamp not null,  -- naive China time: the day the briefing states it was released
    checks varchar not null            -- ';'-joined suite.check names released
);
create or replace view quality.check_results as
with latest_runs as (
    select * from quality.runs qualify row_number() over (partition by period order by started_at desc) = 1
),
failures as (
    select
        last_day(cast(results.period || '-01' as date)) as period,
        results.run_id,
        results.severity,
        results.suite,
        results.check_name,
        results.message,
        results.unexpected_count,
        results.files,
        results.sample_rows,
        results.scope,
        cast(null as varchar) as operator,
        cast(null as varchar) as reason,
        results.checked_at as recorded_at
    from quality.expectation_results as results
    inner join latest_runs on results.run_id = latest_runs.run_id
    where not results.success
),
latest_overrides as (
    select * from quality.overrides qualify row_number() over (partition by period order by overridden_at desc) = 1
),
overrides as (
    select
        last_day(cast(period || '-01' as date)) as period,
        run_id,
        'override' as severity,
        'quality_gate' as suite,
        'operator_override' as check_name,
        '本期存在严重数据质量问题，经' || operator || '于' || strftime(overridden_at, '%Y年%-m月%-d日')  -- no leading 0
            || '批准发布，理由：' || reason as message,
        cast(null as integer) as unexpected_count,
        cast(null as varchar) as files,
        cast(null as varchar) as sample_rows,
        cast(null as varchar) as scope,
        operator,
        reason,
        overridden_at as recorded_at
    from latest_overrides
)
select * from failures
union all by name
select * from overrides;
"""


@dataclass
class ExpectationOutcome:
    """One expectation's result in one run, as stored."""

    suite: str
    check_name: str
    expectation_type: str
    severity: str
    success: bool
    message: str
    element_count: int | None = None
    unexpected_count: int | None = None
    files: list[str] = field(default_factory=list)
    sample_rows: list[dict[str, Any]] = field(default_factory=list)
    exception: str | None = None
    scope: list[dict[str, Any]] = field(default_factory=list)

    @property
    def qualified_name(self) -> str:
        return f"{self.suite}.{self.check_name}"


@dataclass
class RunRecord:
    run_id: str
    period: str
    started_at: dt.datetime
    finished_at: dt.datetime
    suites: list[str]
    outcomes: list[ExpectationOutcome]
    gx_import_seconds: float | None = None
    gx_context_seconds: float | None = None
    checks_seconds: float | None = None
    data_docs: str | None = None
    data_digest: str | None = None  # what the checks read; the verdict holds for these data only

    @property
    def critical_failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success and outcome.severity == "critical"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success and outcome.severity == "warning"]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return str(value)


def write_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Append one run and its expectation results, in one transaction."""
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into quality.runs (run_id, period, started_at, finished_at, suites, critical_failures, warnings, "
            "passed, gx_import_seconds, gx_context_seconds, checks_seconds, data_docs, data_digest) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.period,
                run.started_at,
                run.finished_at,
                ";".join(run.suites),
                len(run.critical_failures),
                len(run.warnings),
                not run.critical_failures,
                run.gx_import_seconds,
                run.gx_context_seconds,
                run.checks_seconds,
                run.data_docs,
                run.data_digest,
            ],
        )
        rows = [
            [
                run.run_id,
                run.period,
                outcome.suite,
                outcome.check_name,
                outcome.expectation_type,
                outcome.severity,
                outcome.success,
                outcome.element_count,
                outcome.unexpected_count,
                outcome.message,
                ";".join(outcome.files) or None,
                json.dumps(outcome.sample_rows, ensure_ascii=False, default=_json_default)
                if outcome.sample_rows
                else None,
                outcome.exception,
                run.finished_at,
                json.dumps(outcome.scope, ensure_ascii=False, default=_json_default) if outcome.scope else None,
            ]
            for outcome in run.outcomes
        ]
        if rows:
            con.executemany(
                "insert into quality.expectation_results (run_id, period, suite, check_name, expectation_type, "
                "severity, success, element_count, unexpected_count, message, files, sample_rows, exception, "
                "checked_at, scope) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
