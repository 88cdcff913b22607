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
import pyarrow as pa

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
    loaded_at timestamp not null
);
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
            "file": self.file, "sha256": self.sha256, "status": self.status, "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded, "rows_quarantined": self.rows_quarantined,
            "rows_ignored": self.rows_ignored, "revisions": self.revisions, "observations": self.observations,
            "load_id": self.load_id, "department_id": self.department_id, "layout": self.layout,
            "periods": self.periods, "reason": self.reason,
        }


class AccountingError(AssertionError):
    """Rows read ≠ loaded + quarantined + ignored: a bug in a parser, never committed."""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)


def loaded_before(connection: duckdb.DuckDBPyConnection, sha256: str) -> tuple[int, str, str | None] | None:
    """(load id, status, rejection reason) of the first load of these exact bytes, if any."""
    row = connection.execute(
        "select load_id, status, rejection_reason from raw.file_loads where sha256 = ? order by load_id limit 1",
        [sha256],
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _insert(connection: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    if rows:
        batch = pa.Table.from_pylist(rows)  # noqa: F841  (read by DuckDB by name)
        columns = ", ".join(rows[0])
        connection.execute(f"insert into raw.{table} ({columns}) select {columns} from batch")


def store_rejected(
    connection: duckdb.DuckDBPyConnection, file_name: str, file_path: str, sha256: str, size: int, reason: str
) -> FileResult:
    """A file that could not be read at all: one load row and one quarantine row with the reason."""
    loaded_at = _now()
    connection.execute("begin transaction")
    try:
        load_id = connection.execute("select nextval('raw.load_id_sequence')").fetchone()[0]
        connection.execute(
            """insert into raw.file_loads (load_id, file_name, file_path, sha256, file_size, status,
               rejection_reason, rows_read, rows_loaded, rows_quarantined, rows_ignored, observations,
               milestone_reports, revisions, loaded_at)
               values (?, ?, ?, ?, ?, 'rejected', ?, 0, 0, 0, 0, 0, 0, 0, ?)""",
            [load_id, file_name, file_path, sha256, size, reason, loaded_at],
        )
        _insert(connection, "quarantine", [{
            "load_id": load_id, "file_sha256": sha256, "file_name": file_name, "sheet": None, "row_number": None,
            "cell": None, "department_id": None, "reason_code": "unreadable_file", "reason": reason,
            "row_content": None, "loaded_at": loaded_at}])
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return FileResult(file_name, sha256, "rejected", load_id=load_id, reason=reason)


def store_parsed(
    connection: duckdb.DuckDBPyConnection, parsed: ParsedFile, file_name: str, file_path: str, sha256: str,
    size: int, encoding: str | None,
) -> FileResult:
    counts = {status: sum(1 for row in parsed.rows if row.status is status) for status in RowStatus}
    rows_read = len(parsed.rows)
    if rows_read != sum(counts.values()):
        raise AccountingError(f"{file_name}: rows read {rows_read} ≠ {counts}")
    loaded_at = _now()
    connection.execute("begin transaction")
    try:
        load_id = connection.execute("select nextval('raw.load_id_sequence')").fetchone()[0]
        common = {"load_id": load_id, "file_sha256": sha256, "file_name": file_name, "loaded_at": loaded_at}
        observations = [
            common | {"sheet": o.sheet, "cell": o.cell, "row_number": o.row_number,
                      "department_id": parsed.department_id, "layout": parsed.layout,
                      "indicator_code": o.indicator_code, "region_code": o.region_code, "period": o.period,
                      "measure": o.measure.value, "value": o.value, "unit": o.unit,
                      "original_value": o.original_value, "original_unit": o.original_unit}
            for row in parsed.rows for o in row.observations
        ]
        reports = [
            common | {"sheet": r.sheet, "cell": r.cell, "row_number": r.row_number,
                      "department_id": parsed.department_id, "milestone_id": r.milestone_id, "period": r.period,
                      "status": r.status, "percent_complete": r.percent_complete, "note": r.note}
            for row in parsed.rows for r in row.milestone_reports
        ]
        quarantined = [
            common | {"sheet": row.sheet, "row_number": row.row_number, "cell": row.cell,
                      "department_id": parsed.department_id, "reason_code": row.reason_code,
                      "reason": row.reason, "row_content": json.dumps(row.content, ensure_ascii=False)}
            for row in parsed.rows if row.status is RowStatus.quarantined
        ]
        ignored = [
            common | {"sheet": row.sheet, "row_number": row.row_number, "reason_code": row.reason_code,
                      "reason": row.reason, "row_content": json.dumps(row.content, ensure_ascii=False)}
            for row in parsed.rows if row.status is RowStatus.ignored
        ]
        _insert(connection, "observations", observations)
        _insert(connection, "milestone_reports", reports)
        _insert(connection, "quarantine", quarantined)
        _insert(connection, "ignored_rows", ignored)
        revisions = connection.execute(
            """select count(*) from raw.observations new
               where new.load_id = ? and exists (
                   select 1 from raw.observations old
                   where old.load_id < new.load_id and old.file_sha256 <> new.file_sha256
                     and old.indicator_code = new.indicator_code and old.region_code = new.region_code
                     and old.period = new.period and old.measure = new.measure)""",
            [load_id],
        ).fetchone()[0]
        connection.execute(
            """insert into raw.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', null, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [load_id, file_name, file_path, sha256, size, encoding, parsed.layout, parsed.department_id,
             ",".join(sorted(parsed.periods)), rows_read, counts[RowStatus.loaded],
             counts[RowStatus.quarantined], counts[RowStatus.ignored], len(observations), len(reports), revisions,
             json.dumps(parsed.ignored_columns, ensure_ascii=False), loaded_at],
        )
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return FileResult(
        file_name, sha256, "loaded", rows_read, counts[RowStatus.loaded], counts[RowStatus.quarantined],
        counts[RowStatus.ignored], revisions, len(observations), len(reports), load_id, parsed.department_id,
        parsed.layout, sorted(parsed.periods),
    )
