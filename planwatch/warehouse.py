"""The embedded DuckDB warehouse: opening it, and loading the registry as its first raw tables.

Raw tables live in the `raw` schema and are replaced as a whole on every registry load, inside one
transaction, so a reader never sees half a registry.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from planwatch.atomic_files import write_atomically
from planwatch.periods import utc_now
from planwatch.registry.load import Registry
from planwatch.registry.tables import COLUMNS, NON_TEXT_COLUMNS, TABLES
from planwatch.supervision.ledger import ensure_tables as ensure_supervision_tables

RAW_SCHEMA = "raw"
T = TypeVar("T")
# An ingest, a registry load or a dbt run holds DuckDB's single-writer lock for seconds to a minute:
# another process waits that long for it, then fails saying who holds it.
LOCK_WAIT_SECONDS = 120.0


class WarehouseLockedError(RuntimeError):
    """Another process (an ingest, a dbt run) held the warehouse for longer than this one waits."""


def when_unlocked(open_it: Callable[[], T], warehouse: Path, lock_wait: float = LOCK_WAIT_SECONDS) -> T:
    """`open_it()`, retried with back-off while another process holds the warehouse's lock.

    DuckDB lets one process write a file (and no other read it meanwhile); two ingests, or an ingest
    and a transform, started at once take turns: the second waits up to `lock_wait` seconds, then
    fails with `WarehouseLockedError` naming the holder, and changes nothing.
    """
    deadline = time.monotonic() + lock_wait
    pause = 0.1
    while True:
        try:
            return open_it()
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                holder = re.search(r"held in (.*?)(?:\. See|$)", str(error))
                raise WarehouseLockedError(
                    f"the warehouse {warehouse} is in use by another process"
                    f"{' (' + holder.group(1) + ')' if holder else ''} and was not released within "
                    f"{lock_wait:.0f} s: run again when it has finished"
                ) from error
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


@contextmanager
def connect(
    path: Path, read_only: bool = False, lock_wait: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse file (creating its folder), waiting for another process's lock; closed when
    done so the lock is released."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = when_unlocked(lambda: duckdb.connect(str(path), read_only=read_only), path, lock_wait)
    try:
        yield connection
    finally:
        connection.close()


def frozen_copy(path: Path, copy: Path) -> Path:
    """A copy of the warehouse as it stands, for readers that must all see the same data (a month's
    briefings rendered by parallel tasks) while the warehouse takes new loads. Checkpointed first, so
    the file alone holds every commit; copied while this process holds the lock, so nothing changes it."""
    with connect(path) as connection:
        connection.execute("checkpoint")
        write_atomically(copy, lambda temp: shutil.copyfile(path, temp))
    return copy


def _arrow_schema(table: str) -> pa.Schema:
    fields = [
        pa.field(name, pa.from_numpy_dtype(NON_TEXT_COLUMNS[name]) if name in NON_TEXT_COLUMNS else pa.string())
        for name in COLUMNS[table]
    ]
    return pa.schema([*fields, pa.field("_loaded_at", pa.timestamp("us"))])


def load_registry_tables(connection: duckdb.DuckDBPyConnection, registry: Registry) -> dict[str, int]:
    """Replace the raw registry and reference tables with the registry's content; rows per table."""
    counts: dict[str, int] = {}
    loaded_at = utc_now()
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
