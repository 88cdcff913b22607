"""The embedded DuckDB warehouse: opening it, and loading the registry as its first raw tables.

Raw tables live in the `raw` schema and are replaced as a whole on every registry load, inside one
transaction, so a reader never sees half a registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from planwatch.registry.load import Registry
from planwatch.registry.tables import COLUMNS, NON_TEXT_COLUMNS, TABLES
from planwatch.supervision.ledger import ensure_tables as ensure_supervision_tables

RAW_SCHEMA = "raw"


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse file (creating its folder), closing it when done so the lock is released."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path), read_only=read_only)
    try:
        yield connection
    finally:
        connection.close()


def _arrow_schema(table: str) -> pa.Schema:
    fields = [
        pa.field(name, pa.from_numpy_dtype(NON_TEXT_COLUMNS[name]) if name in NON_TEXT_COLUMNS else pa.string())
        for name in COLUMNS[table]
    ]
    return pa.schema([*fields, pa.field("_loaded_at", pa.timestamp("us"))])


def load_registry_tables(connection: duckdb.DuckDBPyConnection, registry: Registry) -> dict[str, int]:
    """Replace the raw registry and reference tables with the registry's content; rows per table."""
    counts: dict[str, int] = {}
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    connection.execute(f"create schema if not exists {RAW_SCHEMA}")
    ensure_supervision_tables(connection)
    connection.execute("begin transaction")
    try:
        for table, make_rows in TABLES.items():
            rows = make_rows(registry)
            if rows and list(rows[0]) != COLUMNS[table]:
                raise AssertionError(f"{table}: rows carry {list(rows[0])}, COLUMNS says {COLUMNS[table]}")
            for row in rows:
                row["_loaded_at"] = loaded_at
            arrow_table = pa.Table.from_pylist(rows, schema=_arrow_schema(table))  # noqa: F841  (read by name)
            connection.execute(f"create or replace table {RAW_SCHEMA}.{table} as select * from arrow_table")
            counts[table] = len(rows)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return counts
