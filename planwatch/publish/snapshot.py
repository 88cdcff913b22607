"""Publishing the marts as a read-only snapshot: a DuckDB file and Parquet files, switched atomically.

DuckDB lets one process write a file or many read it, never both, so BI readers must never open the
working warehouse: ingest and dbt would lock them out, or they would lock out the pipeline. Each
publish copies the `marts` schema into a new folder under `snapshots/`, then points the `current`
link at it with one rename. A reader opens `current/marts.duckdb` read_only (or resolves `current`
once and reads its Parquet files) and sees one whole snapshot: the old month until it reopens, then
the new one, never half of each. Publishes are serialised by a lock file in the published folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from planwatch.publish.layout import (
    CURRENT_LINK,
    DUCKDB_FILE,
    MANIFEST_FILE,
    PARQUET_DIR,
    PARTIAL_PREFIX,
    SNAPSHOTS_DIR,
    new_snapshot_id,
)
from planwatch.publish.marts import (
    MartTable,
    latest_period,
    mart_tables,
    open_warehouse,
    quality_state,
    sql_string,
)
from planwatch.publish.prune import PRUNE_GRACE, prune_snapshots

log = logging.getLogger(__name__)

MANIFEST_VERSION = 1
_LOCK_FILE = ".publish.lock"
_SNAPSHOT_ALIAS = "snapshot"
SNAPSHOT_SCHEMA = "main"


@dataclass(frozen=True)
class Snapshot:
    """One published snapshot: where it is, what it holds, and what publishing it pruned."""

    snapshot_id: str
    path: Path
    built_at: dt.datetime
    latest_period: dt.date | None
    tables: dict[str, int]
    seconds: float
    pruned: list[str] = field(default_factory=list)

    @property
    def duckdb_path(self) -> Path:
        return self.path / DUCKDB_FILE

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_FILE

    def parquet_path(self, table: str) -> Path:
        return self.path / PARQUET_DIR / f"{table}.parquet"


def publish_snapshot(
    warehouse: Path,
    published_dir: Path,
    *,
    keep: int | None = None,
    grace: dt.timedelta = PRUNE_GRACE,
) -> Snapshot:
    """Copy the warehouse's marts into a new snapshot, switch `current` to it, prune old snapshots.

    `keep` defaults to the configured `keep_snapshots`. If anything fails, `current` still points to
    the previous snapshot and no partial folder is left behind.
    """
    if keep is None:
        from planwatch.config import settings

        keep = settings().keep_snapshots
    started = time.perf_counter()
    snapshots_dir = published_dir / SNAPSHOTS_DIR
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(published_dir):
        for leftover in snapshots_dir.glob(f"{PARTIAL_PREFIX}*"):  # a publish killed midway (we hold the lock)
            shutil.rmtree(leftover, ignore_errors=True)
        partial = snapshots_dir / f"{PARTIAL_PREFIX}{uuid.uuid4().hex}"
        partial.mkdir()
        try:
            with open_warehouse(warehouse) as connection:
                built_at = dt.datetime.now(dt.UTC)  # the marts as they are from here on, once the lock is had
                tables = mart_tables(connection)
                period = latest_period(connection, tables)
                _write_duckdb(connection, tables, partial / DUCKDB_FILE)
                _write_parquet(connection, tables, partial / PARQUET_DIR)
                quality = quality_state(connection, period)
            content_sha256 = _content_sha256(partial / PARQUET_DIR, tables)
            snapshot_id = new_snapshot_id(built_at, content_sha256)
            _write_manifest(partial, snapshot_id, built_at, period, tables, content_sha256, quality)
            _seal(partial)
            final = snapshots_dir / snapshot_id
            partial.rename(final)
            _fsync_directory(snapshots_dir)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        _switch_current(published_dir, snapshot_id)
        pruned = prune_snapshots(published_dir, keep=keep, grace=grace)
    snapshot = Snapshot(
        snapshot_id=snapshot_id,
        path=final,
        built_at=built_at,
        latest_period=period,
        tables={table.name: table.rows for table in tables},
        seconds=time.perf_counter() - started,
        pruned=pruned,
    )
    log.info(
        "published snapshot %s (%d tables, latest period %s) in %.1fs",
        snapshot_id,
        len(tables),
        period,
        snapshot.seconds,
    )
    return snapshot


@contextmanager
def _publish_lock(published_dir: Path) -> Iterator[None]:
    """One publish at a time per folder, so pruning never meets another publish's partial folder."""
    with (published_dir / _LOCK_FILE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_duckdb(connection: duckdb.DuckDBPyConnection, tables: list[MartTable], path: Path) -> None:
    """The marts, with their comments and primary keys, into a new DuckDB file.

    The tables go in the file's default schema: DuckDB names the database after the file, `marts`,
    so readers write `marts.fct_target_progress` as they would on PostgreSQL (a schema `marts`
    inside a database `marts` would make that name ambiguous).
    """
    connection.execute(f"attach '{sql_string(str(path))}' as {_SNAPSHOT_ALIAS}")
    try:
        for table in tables:
            target = f'{_SNAPSHOT_ALIAS}.{SNAPSHOT_SCHEMA}."{table.name}"'
            connection.execute(f"create table {target} as select * from {table.qualified}")
            if table.primary_key:  # BI tools read the grain from the declared key
                key = ", ".join(f'"{column}"' for column in table.primary_key)
                connection.execute(f"alter table {target} add primary key ({key})")
            if table.comment:
                connection.execute(f"comment on table {target} is '{sql_string(table.comment)}'")
            for column in table.columns:
                if column.comment:
                    connection.execute(
                        f"comment on column {target}.\"{column.name}\" is '{sql_string(column.comment)}'"
                    )
        # Everything in the main file, no write-ahead log beside it: readers open it read_only.
        connection.execute(f"checkpoint {_SNAPSHOT_ALIAS}")
    finally:
        connection.execute(f"detach {_SNAPSHOT_ALIAS}")


def _write_parquet(connection: duckdb.DuckDBPyConnection, tables: list[MartTable], folder: Path) -> None:
    """Each mart as one Parquet file, its descriptions (the comments of the DuckDB file and PostgreSQL) in
    the file's key-value metadata: `planwatch.table` the table's, `planwatch.columns` a JSON object of
    column → description."""
    folder.mkdir()
    for table in tables:
        target = sql_string(str(folder / f"{table.name}.parquet"))
        columns = {column.name: column.comment for column in table.columns if column.comment}
        metadata = {
            "planwatch.table": table.comment or "",
            "planwatch.columns": json.dumps(columns, ensure_ascii=False),
        }
        pairs = ", ".join(f"'{key}': '{sql_string(value)}'" for key, value in metadata.items())
        connection.execute(
            f"copy (select * from {table.qualified}) to '{target}' "
            f"(format parquet, compression zstd, kv_metadata {{{pairs}}})"
        )


def _content_sha256(parquet_dir: Path, tables: list[MartTable]) -> str:
    digest = hashlib.sha256()
    for table in tables:
        digest.update(table.name.encode())
        with (parquet_dir / f"{table.name}.parquet").open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _write_manifest(
    folder: Path,
    snapshot_id: str,
    built_at: dt.datetime,
    period: dt.date | None,
    tables: list[MartTable],
    content_sha256: str,
    quality: dict | None = None,
) -> None:
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "snapshot_id": snapshot_id,
        "built_at": built_at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        "latest_period": period.isoformat() if period else None,
        # the latest month's quality gate: publishable false means a briefing of it is held back
        "quality": quality,
        "content_sha256": content_sha256,
        "duckdb": {"file": DUCKDB_FILE, "schema": SNAPSHOT_SCHEMA},
        "tables": {
            table.name: {
                "rows": table.rows,
                "parquet": f"{PARQUET_DIR}/{table.name}.parquet",
                "columns": {column.name: column.duckdb_type for column in table.columns},
            }
            for table in tables
        },
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    (folder / MANIFEST_FILE).write_text(text, encoding="utf-8")


def _seal(folder: Path) -> None:
    """Make every file read-only and flush it to disk before `current` can point at it."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            _fsync_directory(path)
            continue
        path.chmod(0o444)
        with path.open("rb") as handle:
            os.fsync(handle.fileno())


def _switch_current(published_dir: Path, snapshot_id: str) -> None:
    """Point `current` at the snapshot in one step: a new link under a temporary name, renamed over it.

    The link is relative, so the published folder can be mounted anywhere (a BI container, a share).
    """
    link = published_dir / CURRENT_LINK
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a link; move it away, publishing owns this name")
    temporary = published_dir / f".{CURRENT_LINK}-{uuid.uuid4().hex}"
    os.symlink(Path(SNAPSHOTS_DIR) / snapshot_id, temporary)
    try:
        os.replace(temporary, link)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(published_dir)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
