"""The publication gate: a month whose latest quality run has a critical failure gets no briefing.

`assert_publishable(warehouse, period)` is called before anything is rendered. It raises
`QualityGateError` naming each failing critical check and the files behind it, unless an operator
has recorded an override (`record_override`: who, why, when) that covers every critical check still
failing; the briefing then says so (the override is a row of `quality.check_results`). A month that
was never checked is not publishable either: the gate cannot vouch for data nobody looked at; nor is
a month whose data changed since its latest run read them (each run stores the digest of what it read,
`frames.Frames.digest`, and the gate compares it with the month's data as they are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.periods import Granularity, Period, china_now
from planwatch.supervision.marts_state import marts_behind_decisions
from planwatch.warehouse import connect


class QualityGateError(RuntimeError):
    """A month cannot be published; the message says which checks failed, in which files, and what to do."""


@dataclass(frozen=True)
class FailedCheck:
    suite: str
    check_name: str
    message: str
    unexpected_count: int | None
    files: tuple[str, ...]

    @property
    def qualified_name(self) -> str:
        return f"{self.suite}.{self.check_name}"


@dataclass(frozen=True)
class Override:
    period: str
    run_id: str
    operator: str
    reason: str
    overridden_at: dt.datetime
    checks: tuple[str, ...]


@dataclass
class GateDecision:
    period: str
    run_id: str | None
    publishable: bool
    critical_failures: list[FailedCheck] = field(default_factory=list)
    warnings: list[FailedCheck] = field(default_factory=list)
    override: Override | None = None
    # the month's data changed since its latest run read it (or the run predates digests): the verdict is void
    stale: bool = False
    # why the marts do not show the office's decisions yet (a correction, a return): rebuild them first
    marts_behind: list[str] = field(default_factory=list)


def as_period(period: str | dt.date) -> str:
    """'YYYY-MM' from a 'YYYY-MM' string or a date (the marts' month-end dates); refuses any other text."""
    return (
        Period.month_of(period) if isinstance(period, dt.date) else Period.parse(period, Granularity.month)
    ).month_key


def _failures(con: duckdb.DuckDBPyConnection, run_id: str, severity: str) -> list[FailedCheck]:
    rows = con.execute(
        """
        select suite, check_name, message, unexpected_count, files
        from quality.expectation_results
        where run_id = ? and severity = ? and not success
        order by suite, check_name
        """,
        [run_id, severity],
    ).fetchall()
    return [
        FailedCheck(suite, check, message, count, tuple(files.split(";")) if files else ())
        for suite, check, message, count, files in rows
    ]


def _latest_override(con: duckdb.DuckDBPyConnection, period: str) -> Override | None:
    row = con.execute(
        """
        select period, run_id, operator, reason, overridden_at, checks from quality.overrides
        where period = ? order by overridden_at desc limit 1
        """,
        [period],
    ).fetchone()
    if row is None:
        return None
    return Override(row[0], row[1], row[2], row[3], row[4], tuple(row[5].split(";")) if row[5] else ())


def _has_quality_tables(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'quality' "
        "and table_name in ('runs', 'expectation_results', 'overrides')"
    ).fetchone()
    return bool(found and found[0] == 3)


def _latest_run(con: duckdb.DuckDBPyConnection, period: str) -> str | None:
    latest = con.execute(
        "select run_id from quality.runs where period = ? order by started_at desc limit 1", [period]
    ).fetchone()
    return latest[0] if latest else None


def latest_critical_failures(con: duckdb.DuckDBPyConnection, period: str | dt.date) -> list[FailedCheck]:
    """The failed critical checks of the month's latest quality run (none when it was never checked)."""
    period = as_period(period)
    run_id = _latest_run(con, period) if _has_quality_tables(con) else None
    return _failures(con, run_id, "critical") if run_id else []


def decide(con: duckdb.DuckDBPyConnection, period: str | dt.date) -> GateDecision:
    """What the latest quality run of `period` and its overrides say about publishing it, and whether
    the marts show the office's decisions yet."""
    period = as_period(period)
    behind = marts_behind_decisions(con)
    if not _has_quality_tables(con):  # never checked (works on a read-only connection)
        return GateDecision(period, None, publishable=False, marts_behind=behind)
    run_id = _latest_run(con, period)
    if run_id is None:
        return GateDecision(period, None, publishable=False, marts_behind=behind)
    decision = GateDecision(
        period,
        run_id,
        publishable=False,
        critical_failures=_failures(con, run_id, "critical"),
        warnings=_failures(con, run_id, "warning"),
        stale=_data_changed_since(con, run_id, period),
        marts_behind=behind,
    )
    override = _latest_override(con, period)
    released = set(override.checks) if override else set()
    failing = {failure.qualified_name for failure in decision.critical_failures}
    if override and failing <= released:
        decision.override = override
    released_or_passed = not failing or decision.override is not None
    decision.publishable = not decision.stale and not decision.marts_behind and released_or_passed
    return decision


def _data_changed_since(con: duckdb.DuckDBPyConnection, run_id: str, period: str) -> bool:
    """Whether the month's data differ from what the run read: a verdict holds for the data it judged only."""
    from planwatch.quality.frames import read_frames

    try:
        [(checked,)] = con.execute("select data_digest from quality.runs where run_id = ?", [run_id]).fetchall()
    except duckdb.BinderException:  # a warehouse whose runs predate the digest (read-only: not migrated)
        return True
    return checked is None or checked != read_frames(con, period).digest()


def _describe(failure: FailedCheck) -> str:
    count = f"，{failure.unexpected_count}条" if failure.unexpected_count else ""
    files = "；文件：" + "、".join(failure.files[:10]) if failure.files else ""
    more = f" 等{len(failure.files)}个" if len(failure.files) > 10 else ""
    return f"  - {failure.qualified_name}（{failure.message}{count}）{files}{more}"


def blocked_message(decision: GateDecision) -> str:
    if decision.marts_behind:
        return (
            f"{decision.period}: the marts do not show the office's decisions yet "
            f"({'; '.join(decision.marts_behind)}): run `planwatch transform`, then "
            f"`planwatch check --period {decision.period}`."
        )
    if decision.run_id is None:
        return (
            f"{decision.period}: no quality check has run for this month, so it cannot be published. "
            f"Run `planwatch check --period {decision.period}`."
        )
    if decision.stale:
        return (
            f"{decision.period}: the month's data changed since its quality check (run {decision.run_id}) read "
            "them: a file loaded, a month returned or approved, or the marts rebuilt on other figures. A "
            f"check vouches only for the data it read: run `planwatch check --period {decision.period}` again."
        )
    lines = [f"{decision.period}: critical data quality checks failed (run {decision.run_id}); no briefing:"]
    lines += [_describe(failure) for failure in decision.critical_failures]
    lines.append(
        "Correct the files and load them again, then run "
        f"`planwatch check --period {decision.period}`; or, to publish anyway with the reason on record, "
        f'`planwatch check --period {decision.period} --override "<why>" --operator "<who>"`.'
    )
    return "\n".join(lines)


def assert_publishable(warehouse: Path, period: str | dt.date) -> GateDecision:
    """Raise `QualityGateError` unless `period` passed its latest quality run or was overridden."""
    with connect(warehouse) as con:
        decision = decide(con, period)
    if not decision.publishable:
        raise QualityGateError(blocked_message(decision))
    return decision


def record_override(
    warehouse: Path, period: str | dt.date, operator: str, reason: str, now: dt.datetime | None = None
) -> Override:
    """Release `period` despite the critical failures of its latest run, recording who, why and when."""
    period = as_period(period)
    if not operator.strip() or not reason.strip():
        raise ValueError("an override needs the operator's name and a reason")
    with connect(warehouse) as con:
        decision = decide(con, period)
        if decision.run_id is None or decision.stale:  # an override releases the data a run judged, no other
            raise QualityGateError(blocked_message(decision))
        if not decision.critical_failures:
            raise ValueError(f"{period}: the latest quality run has no critical failure; there is nothing to override")
        override = Override(
            period=period,
            run_id=decision.run_id,
            operator=operator.strip(),
            reason=reason.strip(),
            overridden_at=now or china_now(),  # dated in the briefing: China's day
            checks=tuple(failure.qualified_name for failure in decision.critical_failures),
        )
        con.execute(
            "insert into quality.overrides values (?, ?, ?, ?, ?, ?)",
            [
                override.period,
                override.run_id,
                override.operator,
                override.reason,
                override.overridden_at,
                ";".join(override.checks),
            ],
        )
    return override
