"""A parsed file as the rows it adds to each raw table, built in the reading worker.

`tabulate` turns a `ParsedFile` (or a rejection) into flat columns per raw table, which are all a
worker sends back to the writing process; `PendingFile` carries them, with the file's summary, until
its batch is written (`planwatch.ingest.store`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from planwatch.ingest.records import CellCounts, ParsedFile, RowStatus, SetAsideValue


class AccountingError(AssertionError):
    """Rows (or cells) read ≠ loaded + quarantined + ignored: a bug in a parser, never committed."""


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


# json.dumps(…, ensure_ascii=False) builds an encoder per call: one for every row's content instead
_as_json = json.JSONEncoder(ensure_ascii=False).encode


def _content_json(content: list[str]) -> str | None:
    return _as_json(content) if content else None


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
            _as_json(row.content),
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
    notes: list[str] = field(default_factory=list)  # ParsedFile.notes, for the receipt

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
            list(parsed.notes) if parsed else [],
        )
