"""What is published: the tables of the warehouse's `marts` schema, read from a read-only attachment.

Both publishers (the snapshot and PostgreSQL) read the working warehouse the same way: an in-memory
DuckDB connection attaches the file READ_ONLY as `warehouse`, so publishing never writes to it and
never sees anything but committed marts. Only the `marts` schema is listed: raw submissions (file
paths, quarantined rows), staging and intermediate views and quality results stay private.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.warehouse import LOCK_WAIT_SECONDS, when_unlocked

MARTS_SCHEMA = "marts"
WAREHOUSE_ALIAS = "warehouse"
# The marts' calendar runs from each plan's start to the last month with data (figures or milestone
# progress), so this table's newest period is the newest month the marts describe.
CALENDAR_TABLE = "fct_target_progress"


@dataclass(frozen=True)
class MartColumn:
    name: str
    duckdb_type: str
    comment: str | None


@dataclass(frozen=True)
class MartTable:
    name: str
    columns: list[MartColumn]
    comment: str | None
    rows: int
    primary_key: tuple[str, ...] = ()  # the mart's declared key (its dbt contract), kept in every copy

    @property
    def qualified(self) -> str:
        """The table as the publishing connection names it: warehouse.marts."<name>"."""
        return f'{WAREHOUSE_ALIAS}.{MARTS_SCHEMA}."{self.name}"'


@contextmanager
def open_warehouse(warehouse: Path, lock_wait: float = LOCK_WAIT_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory connection with the warehouse attached READ_ONLY as `warehouse`.

    A read-only attachment still needs the file's lock, which a writer holds exclusively: wait for it
    (polling) up to `lock_wait` seconds, the way dbt-duckdb retries its connection, then fail naming
    the file.
    """
    if not warehouse.exists():
        raise FileNotFoundError(f"{warehouse}: no warehouse to publish; run `planwatch transform` first")
    connection = duckdb.connect()
    try:
        attach = f"attach '{sql_string(str(warehouse))}' as {WAREHOUSE_ALIAS} (read_only)"
        when_unlocked(lambda: connection.execute(attach), warehouse, lock_wait)
        yield connection
    finally:
        connection.close()


def mart_tables(connection: duckdb.DuckDBPyConnection) -> list[MartTable]:
    """Every base table of the attached warehouse's `marts` schema, with columns, comments and rows."""
    tables = connection.execute(
        "select table_name, comment from duckdb_tables() "
        "where database_name = ? and schema_name = ? order by table_name",
        [WAREHOUSE_ALIAS, MARTS_SCHEMA],
    ).fetchall()
    if not tables:
        raise LookupError(
            f"the warehouse has no tables in schema {MARTS_SCHEMA!r}: build the marts (`planwatch transform`) first"
        )
    result = []
    for name, comment in tables:
        columns = [
            MartColumn(column, data_type, column_comment)
            for column, data_type, column_comment in connection.execute(
                "select column_name, data_type, comment from duckdb_columns() "
                "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
                [WAREHOUSE_ALIAS, MARTS_SCHEMA, name],
            ).fetchall()
        ]
        (rows,) = connection.execute(f'select count(*) from {WAREHOUSE_ALIAS}.{MARTS_SCHEMA}."{name}"').fetchall()[0]
        key = connection.execute(
            "select constraint_column_names from duckdb_constraints() where database_name = ? and schema_name = ? "
            "and table_name = ? and constraint_type = 'PRIMARY KEY'",
            [WAREHOUSE_ALIAS, MARTS_SCHEMA, name],
        ).fetchall()
        primary_key = tuple(key[0][0]) if key else ()
        result.append(MartTable(name=name, columns=columns, comment=comment, rows=int(rows), primary_key=primary_key))
    return result


def latest_period(connection: duckdb.DuckDBPyConnection, tables: list[MartTable]) -> dt.date | None:
    """The newest month the marts describe: the last period of their calendar (None when empty or absent)."""
    calendar = next((table for table in tables if table.name == CALENDAR_TABLE), None)
    if calendar is None or "period" not in {column.name for column in calendar.columns}:
        return None
    (period,) = connection.execute(f"select max(period) from {calendar.qualified}").fetchall()[0]
    return period


def sql_string(value: str) -> str:
    """A value to put between single quotes in DuckDB SQL (paths and comments)."""
    return value.replace("'", "''")


def quality_state(connection: duckdb.DuckDBPyConnection, period: dt.date | None) -> dict | None:
    """What the quality gate (planwatch.quality.gate) says of the marts' latest month, published beside
    them (the snapshot's manifest, PostgreSQL's `publication` table): a BI reader should know when the
    month it reads failed a critical check, was never checked, or changed since it was."""
    from planwatch.quality.gate import decide

    if period is None:
        return None
    connection.execute(f"use {WAREHOUSE_ALIAS}")  # the gate reads the warehouse's own schemas
    try:
        decision = decide(connection, period)
    finally:
        connection.execute("use memory")
    return {
        "period": decision.period,
        "checked": decision.run_id is not None,
        "run_id": decision.run_id,
        "publishable": decision.publishable,
        "critical_failures": [failure.qualified_name for failure in decision.critical_failures],
        "overridden": decision.override is not None,
        "data_changed_since_check": decision.stale,
    }
