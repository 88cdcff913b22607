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

from planwatch.ingest.records import CellCounts, ParsedFile, RowStatus, SetAsideValue
from planwatch.plausibility.review import Finding, Reviewer, ensure_findings_table
from planwatch.supervision.ledger import ensure_tables as ensure_supervision_tables

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
    loaded_at timestamp not null,
    cells_read integer,               -- non-empty cells of every sheet = loaded + quarantined + ignored
    cells_loaded integer,
    cells_quarantined integer,
    cells_ignored integer
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
    loaded_at timestamp not null,
    period_label varchar              -- a quarter, half-year or year as written (period is its last month)
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
    loaded_at timestamp not null,
    scope varchar not null default 'row'  -- row: the whole row | value: one cell of a row otherwise loaded
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
    row_count integer not null default 1, -- a run of rows from row_number on (a sheet planwatch wrote itself)
    cell varchar,                         -- a value's cell
    scope varchar not null default 'row'  -- row: the rows | value: one cell of a loaded row (row_count 0)
);
-- warehouses created before these columns existed
alter table raw.file_loads add column if not exists submitted_at timestamp;
alter table raw.ignored_rows add column if not exists row_count integer default 1;
alter table raw.ignored_rows add column if not exists cell varchar;
alter table raw.ignored_rows add column if not exists scope varchar default 'row';
alter table raw.quarantine add column if not exists scope varchar default 'row';
alter table raw.observations add column if not exists period_label varchar;
alter table raw.file_loads add column if not exists cells_read integer;
alter table raw.file_loads add column if not exists cells_loaded integer;
alter table raw.file_loads add column if not exists cells_quarantined integer;
alter table raw.file_loads add column if not exists cells_ignored integer;
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
    cells_read: int = 0
    cells_loaded: int = 0
    cells_quarantined: int = 0
    cells_ignored: int = 0
    values_set_aside: list[SetAsideValue] = field(default_factory=list)  # cells of loaded rows not loaded
    milestone_reports: int = 0
    load_id: int | None = None
    department_id: str | None = None
    layout: str | None = None
    periods: list[str] = field(default_factory=list)
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)  # plausibility: quarantined rows' and warnings

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]

    @property
    def is_partial(self) -> bool:
        """Loaded, but a row or a value was not taken (quarantined): the receipt says 部分接收."""
        return self.status == "loaded" and (self.rows_quarantined > 0 or self.cells_quarantined > 0)

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_ignored": self.rows_ignored,
            "cells_read": self.cells_read,
            "cells_loaded": self.cells_loaded,
            "cells_quarantined": self.cells_quarantined,
            "cells_ignored": self.cells_ignored,
            "values_set_aside": [
                {"sheet": v.sheet, "cell": v.cell, "status": v.status.value, "reason": v.reason}
                for v in self.values_set_aside
            ],
            "revisions": self.revisions,
            "observations": self.observations,
            "load_id": self.load_id,
            "department_id": self.department_id,
            "layout": self.layout,
            "periods": self.periods,
            "reason": self.reason,
            "findings": [
                {"check": f.check_name.value, "severity": f.severity.value, "cell": f.cell, "message": f.message}
                for f in self.findings
            ],
        }


class AccountingError(AssertionError):
    """Rows (or cells) read ≠ loaded + quarantined + ignored: a bug in a parser, never committed."""


def ensure_tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)
    ensure_findings_table(connection)
    ensure_supervision_tables(connection)  # dbt reads the office's decisions beside the figures


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# The columns a parsed file fills in each raw table, in the order `tabulate` builds them; the load's
# own columns (load_id, file_sha256, file_name, loaded_at) are added when the batch is written.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "observations": (
        "sheet",
        "cell",
        "row_number",
        "indicator_code",
        "region_code",
        "period",
        "measure",
        "value",
        "unit",
        "original_value",
        "original_unit",
        "period_label",
        "department_id",
        "layout",
    ),
    "milestone_reports": (
        "sheet",
        "cell",
        "row_number",
        "milestone_id",
        "period",
        "status",
        "percent_complete",
        "note",
        "department_id",
    ),
    "follow_up_replies": (
        "sheet",
        "cell",
        "row_number",
        "item_id",
        "measures",
        "expected_date",
        "asks_closure",
        "department_id",
    ),
    "quarantine": ("sheet", "row_number", "cell", "reason_code", "reason", "row_content", "scope", "department_id"),
    "ignored_rows": ("sheet", "row_number", "reason_code", "reason", "row_content", "row_count", "cell", "scope"),
}
LOAD_COLUMNS = ("load_id", "file_sha256", "file_name")


@dataclass
class FileTables:
    """A file's rows as the columns of the raw tables, with its accounting: ready to append.

    Built where the file was parsed (a worker process, for large batches), so that only flat lists
    travel to the one process that writes.
    """

    columns: dict[str, dict[str, list]]
    rows_loaded: int
    rows_quarantined: int
    rows_ignored: int
    observations: int
    milestone_reports: int
    cells: CellCounts | None = None
    values_set_aside: list[SetAsideValue] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.rows_loaded + self.rows_quarantined + self.rows_ignored

    def row_count(self, table: str) -> int:
        columns = self.columns[table]
        return len(next(iter(columns.values())))


def _columns(table: str, rows: list[tuple], *constants: object) -> dict[str, list]:
    """Rows (tuples in TABLE_COLUMNS order, without the trailing per-file constants) as columns."""
    names = TABLE_COLUMNS[table]
    if not rows:
        return {name: [] for name in names}
    columns = [list(column) for column in zip(*rows, strict=True)]
    columns += [[constant] * len(rows) for constant in constants]
    return dict(zip(names, columns, strict=True))


def _content_json(content: list[str]) -> str | None:
    return json.dumps(content, ensure_ascii=False) if content else None


def tabulate(parsed: ParsedFile | None, rejection: str | None, file_name: str) -> FileTables:
    """A parsed file (or a rejected one's single quarantine row) as raw-table columns, accounting checked."""
    if parsed is None:
        unreadable = [(None, None, None, "unreadable_file", rejection, None, "row")]
        columns = {table: _columns(table, []) for table in TABLE_COLUMNS}
        columns["quarantine"] = _columns("quarantine", unreadable, None)
        return FileTables(columns, 0, 0, 0, 0, 0)
    counts = dict.fromkeys(RowStatus, 0)
    for row in parsed.rows:
        if row.row_count < 1:
            raise AccountingError(f"{file_name}: row {row.row_number} stands for {row.row_count} rows")
        counts[row.status] += row.row_count
    if parsed.rows_in_source is not None and sum(counts.values()) != parsed.rows_in_source:
        # a parser lost or double-counted a row: never committed
        raise AccountingError(f"{file_name}: {parsed.rows_in_source} non-empty rows but outcomes for {counts}")
    cells = parsed.cells
    if cells is not None and cells.read != cells.accounted:
        raise AccountingError(f"{file_name}: {cells.read} non-empty cells but {cells} accounted for")
    set_aside = [value for row in parsed.rows for value in row.set_aside]
    observations = [
        (
            o.sheet,
            o.cell,
            o.row_number,
            o.indicator_code,
            o.region_code,
            o.period,
            o.measure.value,
            o.value,
            o.unit,
            o.original_value,
            o.original_unit,
            o.period_label,
        )
        for row in parsed.rows
        for o in row.observations
    ]
    reports = [
        (r.sheet, r.cell, r.row_number, r.milestone_id, r.period, r.status, r.percent_complete, r.note)
        for row in parsed.rows
        for r in row.milestone_reports
    ]
    replies = [
        (r.sheet, r.cell, r.row_number, r.item_id, r.measures, r.expected_date, r.asks_closure)
        for row in parsed.rows
        for r in row.follow_up_replies
    ]
    quarantined = [
        (
            row.sheet,
            row.row_number,
            row.cell,
            row.reason_code,
            row.reason,
            json.dumps(row.content, ensure_ascii=False),
            "row",
        )
        for row in parsed.rows
        if row.status is RowStatus.quarantined
    ] + [
        (v.sheet, v.row_number, v.cell, v.reason_code, v.reason, _content_json([v.value]), "value")
        for v in set_aside
        if v.status is RowStatus.quarantined
    ]
    ignored = [
        (row.sheet, row.row_number, row.reason_code, row.reason, _content_json(row.content), row.row_count, None, "row")
        for row in parsed.rows
        if row.status is RowStatus.ignored
    ] + [
        (v.sheet, v.row_number, v.reason_code, v.reason, _content_json([v.value]), 0, v.cell, "value")
        for v in set_aside
        if v.status is RowStatus.ignored
    ]
    department = parsed.department_id
    columns = {
        "observations": _columns("observations", observations, department, parsed.layout),
        "milestone_reports": _columns("milestone_reports", reports, department),
        "follow_up_replies": _columns("follow_up_replies", replies, department),
        "quarantine": _columns("quarantine", quarantined, department),
        "ignored_rows": _columns("ignored_rows", ignored),
    }
    return FileTables(
        columns,
        counts[RowStatus.loaded],
        counts[RowStatus.quarantined],
        counts[RowStatus.ignored],
        len(observations),
        len(reports),
        cells,
        set_aside,
    )


@dataclass
class PendingFile:
    """A file read and parsed (or rejected), waiting to be written with the rest of its batch.

    `parsed` (every row with its content) is kept only when a receipt is to be written from it;
    everything the warehouse needs is in `tables` and the summary fields.
    """

    file_name: str
    file_path: str
    sha256: str
    size: int
    tables: FileTables
    parsed: ParsedFile | None = None
    encoding: str | None = None
    rejection: str | None = None
    submitted_at: dt.datetime | None = None
    department_id: str | None = None
    layout: str | None = None
    periods: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def refused(self, reason: str) -> PendingFile:
        """The same file refused as a whole (a locked month): nothing of it is loaded, the reason says why."""
        refused = PendingFile.of(
            self.file_name,
            self.file_path,
            self.sha256,
            self.size,
            None,
            rejection=reason,
            submitted_at=self.submitted_at,
        )
        refused.encoding, refused.department_id, refused.layout, refused.periods = (
            self.encoding,
            self.department_id,
            self.layout,
            self.periods,
        )
        return refused

    @classmethod
    def of(
        cls,
        file_name: str,
        file_path: str,
        sha256: str,
        size: int,
        parsed: ParsedFile | None,
        *,
        keep_parsed: bool = True,
        encoding: str | None = None,
        rejection: str | None = None,
        submitted_at: dt.datetime | None = None,
    ) -> PendingFile:
        return cls(
            file_name,
            file_path,
            sha256,
            size,
            tabulate(parsed, rejection, file_name),
            parsed if keep_parsed else None,
            encoding,
            rejection,
            submitted_at,
            parsed.department_id if parsed else None,
            parsed.layout if parsed else None,
            sorted(parsed.periods) if parsed else [],
            list(parsed.ignored_columns) if parsed else [],
        )


def _insert(
    connection: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list], loaded_at: dt.datetime
) -> None:
    """Append rows in one statement: DuckDB scans a dict of NumPy object arrays directly.

    (Not Arrow: pyarrow imports pandas on its first conversion, which costs more than a batch's insert.)
    """
    if not columns["load_id"]:
        return
    batch = {name: np.array(values, dtype=object) for name, values in columns.items()}  # noqa: F841
    names = ", ".join(columns)
    connection.execute(f"insert into raw.{table} ({names}, loaded_at) select {names}, ? from batch", [loaded_at])


def store_batch(
    connection: duckdb.DuckDBPyConnection, batch: list[PendingFile], reviewer: Reviewer | None = None
) -> list[FileResult]:
    """Write a batch of files in one transaction; one result per file (accounting was checked in `tabulate`).

    With a `reviewer`, the batch's figures are judged for plausibility before it commits: a row with a
    critical finding moves to quarantine, and each file's result carries its findings.
    """
    if not batch:
        return []
    loaded_at = _now()
    connection.execute("begin transaction")
    try:
        load_ids = [
            row[0]
            for row in connection.execute(
                "select nextval('raw.load_id_sequence') from range(?)", [len(batch)]
            ).fetchall()
        ]
        for table, names in TABLE_COLUMNS.items():
            columns: dict[str, list] = {name: [] for name in (*LOAD_COLUMNS, *names)}
            for pending, load_id in zip(batch, load_ids, strict=True):
                count = pending.tables.row_count(table)
                if not count:
                    continue
                columns["load_id"] += [load_id] * count
                columns["file_sha256"] += [pending.sha256] * count
                columns["file_name"] += [pending.file_name] * count
                for name, values in pending.tables.columns[table].items():
                    columns[name] += values
            _insert(connection, table, columns, loaded_at)
        review = reviewer.review(connection, load_ids[0], load_ids[-1]) if reviewer else None
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
        loads: dict[str, list] = {}
        for pending, load_id in zip(batch, load_ids, strict=True):
            tables = pending.tables
            rows_set_aside = review.quarantined_rows.get(load_id, {}) if review else {}
            set_aside = len(rows_set_aside)
            cells = tables.cells or CellCounts(0, 0, 0, 0)
            cells_set_aside = sum(cells.loaded_by_row.get(key, 0) for key in rows_set_aside)
            result = FileResult(
                pending.file_name,
                pending.sha256,
                "rejected" if pending.rejection else "loaded",
                tables.rows_read,
                tables.rows_loaded - set_aside,
                tables.rows_quarantined + set_aside,
                tables.rows_ignored,
                revisions.get(load_id, 0),
                tables.observations - (review.removed_observations.get(load_id, 0) if review else 0),
                cells.read,
                cells.loaded - cells_set_aside,
                cells.quarantined + cells_set_aside,
                cells.ignored,
                tables.values_set_aside,
                tables.milestone_reports,
                load_id,
                pending.department_id,
                pending.layout,
                pending.periods,
                pending.rejection,
                list(review.findings.get(load_id, [])) if review else [],
            )
            results.append(result)
            for name, value in (
                ("load_id", load_id),
                ("file_name", pending.file_name),
                ("file_path", pending.file_path),
                ("sha256", pending.sha256),
                ("file_size", pending.size),
                ("encoding", pending.encoding),
                ("layout", result.layout),
                ("department_id", result.department_id),
                ("periods", ",".join(result.periods)),
                ("status", result.status),
                ("rejection_reason", pending.rejection),
                ("rows_read", result.rows_read),
                ("rows_loaded", result.rows_loaded),
                ("rows_quarantined", result.rows_quarantined),
                ("rows_ignored", result.rows_ignored),
                ("observations", result.observations),
                ("milestone_reports", result.milestone_reports),
                ("revisions", result.revisions),
                ("cells_read", result.cells_read if tables.cells else None),
                ("cells_loaded", result.cells_loaded if tables.cells else None),
                ("cells_quarantined", result.cells_quarantined if tables.cells else None),
                ("cells_ignored", result.cells_ignored if tables.cells else None),
                ("ignored_columns", json.dumps(pending.ignored_columns, ensure_ascii=False)),
                ("submitted_at", pending.submitted_at),
            ):
                loads.setdefault(name, []).append(value)
        _insert(connection, "file_loads", loads, loaded_at)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return results
