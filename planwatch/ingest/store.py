"""Appending a parsed file to the warehouse's raw tables, one transaction per file.

Nothing is updated in place: a later submission of the same figure is a revision, appended beside
the earlier one (staging picks the newest by `load_id`). A file whose sha256 was loaded before adds
nothing. Before committing, rows read = loaded + quarantined + ignored is checked and stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import duckdb
import numpy as np

from planwatch.ingest.records import ParsedFile, RowStatus

DDL = """
create schema if not exists raw;
create sequence if not exists raw.load_id_sequence start 1;
create table if not exists raw.file_loads (
    load_id bigint primary key,
    file_name varchar not null,
    file_path varchar not null,
    sha256 varchar not null,
    file_size bigint,
    encoding varchar,
    layout varchar,
    department_id varchar,
    periods varchar,
    status varchar not null,          -- loaded | rejected
    rejection_reason varchar,
    rows_read integer not null,
    rows_loaded integer not null,
    rows_quarantined integer not null,
    rows_ignored integer not null,
    observations integer not null,
    milestone_reports integer not null,
    revisions integer not null,
    ignored_columns varchar,
    submitted_at timestamp,           -- when the file arrived (its modification time in the landing folder)
    loaded_at timestamp not null
);
create table if not exists raw.observations (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_number integer not null,
    department_id varchar,
    layout varchar not null,
    indicator_code varchar not null,
    region_code varchar not null,
    period varchar not null,
    measure varchar not null,
    value double not null,
    unit varchar not null,
    original_value varchar,
    original_unit varchar,
    loaded_at timestamp not null
);
create table if not exists raw.milestone_reports (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    cell varchar not null,
    row_number integer not null,
    department_id varchar,
    milestone_id varchar not null,
    period varchar not null,
    status varchar not null,
    percent_complete double,
    note varchar,
    loaded_at timestamp not null
);
create table if not exists raw.quarantine (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar,
    row_number integer,
    cell varchar,
    department_id varchar,
    reason_code varchar not null,
    reason varchar not null,
    row_content varchar,
    loaded_at timestamp not null
);
create table if not exists raw.ignored_rows (
    load_id bigint not null,
    file_sha256 varchar not null,
    file_name varchar not null,
    sheet varchar not null,
    row_number integer not null,
    reason_code varchar not null,
    reason varchar not null,
    row_content varchar,
    loaded_at timestamp not null,
    row_count integer not null default 1  -- a run of rows from row_number on (a sheet planwatch wrote itself)
);
-- warehouses created before these columns existed
alter table raw.file_loads add column if not exists submitted_at timestamp;
alter table raw.ignored_rows add column if not exists row_count integer default 1;
"""


@dataclass
class FileResult:
    """What happened to one file: the per-file line of the CLI and the object of `--json`."""

    file: str
    sha256: str
    status: str  # loaded | duplicate | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_ignored: int = 0
    revisions: int = 0
    observations: int = 0
    milestone_reports: int = 0
    load_id: int | None = None
    department_id: str | None = None
    layout: str | None = None
    periods: list[str] = field(default_factory=list)
    reason: str | None = None

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_ignored": self.rows_ignored,
            "revisions": self.revisions,
            "observations": self.observations,
            "load_id": self.load_id,
            "department_id": self.department_id,
            "layout": self.layout,
            "periods": self.periods,
            "reason": self.reason,
        }


class AccountingError(AssertionError):
    """Rows read ≠ loaded + quarantined + ignored: a bug in a parser, never committed."""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Append rows in one statement: DuckDB scans a dict of NumPy object arrays directly.

    (Not Arrow: pyarrow imports pandas on its first conversion, which costs more than a batch's insert.)
    """
    if rows:
        names = list(rows[0])
        batch = {name: np.array([row[name] for row in rows], dtype=object) for name in names}  # noqa: F841
        columns = ", ".join(names)
        connection.execute(f"insert into raw.{table} ({columns}) select {columns} from batch")


@dataclass
class PendingFile:
    """A file read and parsed (or rejected), waiting to be written with the rest of its batch."""

    file_name: str
    file_path: str
    sha256: str
    size: int
    parsed: ParsedFile | None
    encoding: str | None = None
    rejection: str | None = None
    submitted_at: dt.datetime | None = None


def _counts(pending: PendingFile) -> dict[RowStatus, int]:
    rows = pending.parsed.rows if pending.parsed else []
    counts = dict.fromkeys(RowStatus, 0)
    for row in rows:
        counts[row.status] += row.row_count
    read = sum(row.row_count for row in rows)
    if read != sum(counts.values()) or any(row.row_count < 1 for row in rows):
        raise AccountingError(f"{pending.file_name}: rows read {read} ≠ {counts}")
    return counts


def _file_rows(pending: PendingFile, load_id: int, loaded_at: dt.datetime) -> dict[str, list[dict]]:
    common = {"load_id": load_id, "file_sha256": pending.sha256, "file_name": pending.file_name, "loaded_at": loaded_at}
    parsed = pending.parsed
    if parsed is None:
        return {
            "quarantine": [
                common
                | {
                    "sheet": None,
                    "row_number": None,
                    "cell": None,
                    "department_id": None,
                    "reason_code": "unreadable_file",
                    "reason": pending.rejection,
                    "row_content": None,
                }
            ]
        }
    return {
        "observations": [
            common
            | {
                "sheet": o.sheet,
                "cell": o.cell,
                "row_number": o.row_number,
                "department_id": parsed.department_id,
                "layout": parsed.layout,
                "indicator_code": o.indicator_code,
                "region_code": o.region_code,
                "period": o.period,
                "measure": o.measure.value,
                "value": o.value,
                "unit": o.unit,
                "original_value": o.original_value,
                "original_unit": o.original_unit,
            }
            for row in parsed.rows
            for o in row.observations
        ],
        "milestone_reports": [
            common
            | {
                "sheet": r.sheet,
                "cell": r.cell,
                "row_number": r.row_number,
                "department_id": parsed.department_id,
                "milestone_id": r.milestone_id,
                "period": r.period,
                "status": r.status,
                "percent_complete": r.percent_complete,
                "note": r.note,
            }
            for row in parsed.rows
            for r in row.milestone_reports
        ],
        "quarantine": [
            common
            | {
                "sheet": row.sheet,
                "row_number": row.row_number,
                "cell": row.cell,
                "department_id": parsed.department_id,
                "reason_code": row.reason_code,
                "reason": row.reason,
                "row_content": json.dumps(row.content, ensure_ascii=False),
            }
            for row in parsed.rows
            if row.status is RowStatus.quarantined
        ],
        "ignored_rows": [
            common
            | {
                "sheet": row.sheet,
                "row_number": row.row_number,
                "reason_code": row.reason_code,
                "reason": row.reason,
                "row_content": json.dumps(row.content, ensure_ascii=False) if row.content else None,
                "row_count": row.row_count,
            }
            for row in parsed.rows
            if row.status is RowStatus.ignored
        ],
    }


def store_batch(connection: duckdb.DuckDBPyConnection, batch: list[PendingFile]) -> list[FileResult]:
    """Write a batch of files in one transaction; one result per file, accounting checked first."""
    if not batch:
        return []
    counts = [_counts(pending) for pending in batch]
    loaded_at = _now()
    connection.execute("begin transaction")
    try:
        load_ids = [
            row[0]
            for row in connection.execute(
                "select nextval('raw.load_id_sequence') from range(?)", [len(batch)]
            ).fetchall()
        ]
        tables: dict[str, list[dict]] = {
            "observations": [],
            "milestone_reports": [],
            "quarantine": [],
            "ignored_rows": [],
        }
        for pending, load_id in zip(batch, load_ids, strict=True):
            for table, rows in _file_rows(pending, load_id, loaded_at).items():
                tables[table] += rows
        for table, rows in tables.items():
            _insert(connection, table, rows)
        revisions = dict(
            connection.execute(
                """select new.load_id, count(*) from raw.observations new
               where new.load_id between ? and ? and exists (
                   select 1 from raw.observations old
                   where old.load_id < new.load_id and old.file_sha256 <> new.file_sha256
                     and old.indicator_code = new.indicator_code and old.region_code = new.region_code
                     and old.period = new.period and old.measure = new.measure)
               group by new.load_id""",
                [load_ids[0], load_ids[-1]],
            ).fetchall()
        )
        results = []
        load_rows = []
        for pending, load_id, count in zip(batch, load_ids, counts, strict=True):
            parsed = pending.parsed
            observations = sum(len(row.observations) for row in parsed.rows) if parsed else 0
            reports = sum(len(row.milestone_reports) for row in parsed.rows) if parsed else 0
            result = FileResult(
                pending.file_name,
                pending.sha256,
                "loaded" if parsed else "rejected",
                sum(count.values()),
                count[RowStatus.loaded],
                count[RowStatus.quarantined],
                count[RowStatus.ignored],
                revisions.get(load_id, 0),
                observations,
                reports,
                load_id,
                parsed.department_id if parsed else None,
                parsed.layout if parsed else None,
                sorted(parsed.periods) if parsed else [],
                pending.rejection,
            )
            results.append(result)
            load_rows.append(
                {
                    "load_id": load_id,
                    "file_name": pending.file_name,
                    "file_path": pending.file_path,
                    "sha256": pending.sha256,
                    "file_size": pending.size,
                    "encoding": pending.encoding,
                    "layout": result.layout,
                    "department_id": result.department_id,
                    "periods": ",".join(result.periods),
                    "status": result.status,
                    "rejection_reason": pending.rejection,
                    "rows_read": result.rows_read,
                    "rows_loaded": result.rows_loaded,
                    "rows_quarantined": result.rows_quarantined,
                    "rows_ignored": result.rows_ignored,
                    "observations": observations,
                    "milestone_reports": reports,
                    "revisions": result.revisions,
                    "ignored_columns": json.dumps(parsed.ignored_columns if parsed else [], ensure_ascii=False),
                    "submitted_at": pending.submitted_at,
                    "loaded_at": loaded_at,
                }
            )
        _insert(connection, "file_loads", load_rows)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return results
