"""What the warehouse holds, read without changing it: `planwatch status` and the CLI's month checks.

Plans registered, months with loaded reports, the last ingest and build, the quality gate of the
newest month, the months issued, and what is published for BI readers.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.config import Settings


@dataclass
class GateState:
    period: str
    checked_at: dt.datetime | None
    publishable: bool
    critical_failures: int
    warnings: int
    overridden: bool
    stale: bool = False  # the month's data changed since: the verdict is void until checked again
    marts_behind: bool = False  # the marts do not show the office's decisions yet (transform, then check)


@dataclass
class WarehouseStatus:
    warehouse: Path
    plans: list[tuple[str, str]] = field(default_factory=list)  # plan id, title
    months: list[str] = field(default_factory=list)
    files_loaded: int = 0
    files_rejected: int = 0
    last_ingest: dt.datetime | None = None
    marts_built: bool = False
    marts_latest_period: dt.date | None = None
    gate: GateState | None = None
    issued: list[tuple[str, str, int]] = field(default_factory=list)  # plan id, period, 期号
    published_snapshot: str | None = None
    published_latest_period: str | None = None
    published_at: str | None = None
    published_rows: dict[str, int] = field(default_factory=dict)  # mart table → rows, as the snapshot holds them
    published_behind: list[str] = field(default_factory=list)  # how the warehouse moved on since it was published
    postgres: str | None = None


def _tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {name for (name,) in rows}


def months_loaded(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The months (YYYY-MM) some loaded file reported for, oldest first; none before the first ingest."""
    if "raw.file_loads" not in _tables(connection):
        return []
    rows = connection.execute(
        """
        select distinct trim(period) as period
        from raw.file_loads, unnest(string_split(periods, ',')) as split(period)
        where status = 'loaded' and trim(period) <> ''
        order by period
        """
    ).fetchall()
    return [period for (period,) in rows]


def warehouse_status(config: Settings, warehouse: Path | None = None) -> WarehouseStatus:
    path = warehouse or config.warehouse_path
    status = WarehouseStatus(warehouse=path)
    _read_published(config, status)
    if path.exists():
        with duckdb.connect(str(path), read_only=True) as connection:
            _read_warehouse(connection, status)
            if status.published_snapshot is not None:
                status.published_behind = _published_behind(connection, status)
    return status


# what the marts show once rebuilt, recorded after a moment (naive UTC, as every moment here is stored); a
# review (审核) changes no mart
_CHANGES_AFTER_PUBLISHING = (
    ("files or corrections loaded", "raw.file_loads", "loaded_at > ?"),
    ("decisions of the office recorded", "supervision.audit_log", "recorded_at > ? and action <> 'review_briefing'"),
)


def _published_behind(connection: duckdb.DuckDBPyConnection, status: WarehouseStatus) -> list[str]:
    """How the warehouse moved on since the current snapshot was published, each with what brings it to BI
    readers: a later month or other rows in the marts (`planwatch publish`); files, corrections or the
    office's decisions recorded after it, which the marts show only once rebuilt (`planwatch transform`,
    then publish). The marts' rows are compared by count: a value changed in place shows as the load or
    decision that changed it."""
    behind = []
    published_period = dt.date.fromisoformat(status.published_latest_period) if status.published_latest_period else None
    if status.marts_latest_period is not None and (
        published_period is None or status.marts_latest_period > published_period
    ):
        shown = f"{published_period:%Y-%m}" if published_period else "no month"
        behind.append(f"the marts reach {status.marts_latest_period:%Y-%m}, the snapshot {shown} (planwatch publish)")
    tables = _tables(connection)
    changed = []
    for table, rows in sorted(status.published_rows.items()):
        if f"marts.{table}" not in tables:
            changed.append(f"{table} (no longer in the marts)")
            continue
        now = connection.execute(f'select count(*) from marts."{table}"').fetchone()[0]
        if now != rows:
            changed.append(f"{table} ({rows} → {now} rows)")
    if changed:
        behind.append("marts rebuilt with other rows: " + ", ".join(changed) + " (planwatch publish)")
    if status.published_at is None:
        return behind
    published_at = dt.datetime.fromisoformat(status.published_at).astimezone(dt.UTC).replace(tzinfo=None)
    since = [
        what
        for what, table, condition in _CHANGES_AFTER_PUBLISHING
        if table in tables
        and connection.execute(f"select count(*) from {table} where {condition}", [published_at]).fetchone()[0]
    ]
    if since:
        behind.append(" and ".join(since) + " since it was published (planwatch transform, then planwatch publish)")
    return behind


def _read_warehouse(connection: duckdb.DuckDBPyConnection, status: WarehouseStatus) -> None:
    tables = _tables(connection)
    if "raw.registry_plans" in tables:
        status.plans = connection.execute("select plan_id, title from raw.registry_plans order by plan_id").fetchall()
    status.months = months_loaded(connection)
    if "raw.file_loads" in tables:
        status.files_loaded, status.files_rejected, status.last_ingest = connection.execute(
            # files: a correction the office recorded (更正登记) is a load, not a file a department sent
            "select count(*) filter (status = 'loaded'), count(*) filter (status <> 'loaded'), max(loaded_at) "
            "from raw.file_loads where coalesce(layout, '') <> 'correction'"
        ).fetchone()
    if "marts.fct_target_progress" in tables:
        status.marts_built = True
        latest = connection.execute("select max(period) from marts.fct_target_progress").fetchone()
        status.marts_latest_period = latest[0]
    if "quality.runs" in tables:
        _read_gate(connection, status)
    if "supervision.issued_briefings" in tables:
        status.issued = connection.execute(
            "select plan_id, period, issue_number from supervision.issued_briefings where state = '签发' "
            "order by period desc, plan_id"
        ).fetchall()


def _read_gate(connection: duckdb.DuckDBPyConnection, status: WarehouseStatus) -> None:
    from planwatch.quality.gate import decide

    latest = connection.execute(
        "select period, finished_at from quality.runs order by period desc, finished_at desc"
    ).fetchone()
    if latest is None:
        return
    period, finished_at = latest
    decision = decide(connection, period)
    status.gate = GateState(
        period=period,
        checked_at=finished_at,
        publishable=decision.publishable,
        critical_failures=len(decision.critical_failures),
        warnings=len(decision.warnings),
        overridden=decision.override is not None,
        stale=decision.stale,
        marts_behind=bool(decision.marts_behind),
    )


def _read_published(config: Settings, status: WarehouseStatus) -> None:
    from planwatch.publish.layout import current_snapshot, current_snapshot_id, read_manifest
    from planwatch.publish.postgres import public_address

    published = config.published_path
    status.published_snapshot = current_snapshot_id(published)
    if status.published_snapshot is not None:
        manifest = read_manifest(current_snapshot(published))
        status.published_latest_period = manifest.get("latest_period")
        status.published_at = manifest.get("built_at")
        status.published_rows = {name: table["rows"] for name, table in manifest.get("tables", {}).items()}
    # under Airflow the PostgreSQL target is the Connection planwatch_postgres (orchestration.airflow_config),
    # which a deployment gives as AIRFLOW_CONN_PLANWATCH_POSTGRES (the compose file does)
    from planwatch.orchestration.airflow_config import POSTGRES_CONNECTION

    uri = config.postgres_uri or os.environ.get(f"AIRFLOW_CONN_{POSTGRES_CONNECTION.upper()}", "")
    if uri:
        status.postgres = public_address(uri) + (
            "" if config.postgres_uri else f" (Airflow Connection {POSTGRES_CONNECTION})"
        )
