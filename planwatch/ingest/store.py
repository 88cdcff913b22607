"""Appending a batch of parsed files to the warehouse's raw tables, one transaction per batch.

Nothing is updated in place: a later submission of the same figure is a revision, appended beside
the earlier one (staging picks the newest by `load_id`). A file whose sha256 was loaded before adds
nothing. Before committing, rows read = loaded + quarantined + ignored is checked and stored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np

from planwatch.ingest.raw_tables import LOAD_COLUMNS, TABLE_COLUMNS, PendingFile
from planwatch.ingest.records import CellCounts, RowStatus, SetAsideValue
from planwatch.periods import utc_now
from planwatch.plausibility.review import Finding, Reviewer


class Revision(NamedTuple):
    """A figure a file changes that its sender reported before: where it is, the latest value the sender
    sent before and the new one (both in the indicator's canonical unit), for the receipt's 更正明细."""

    sheet: str
    cell: str
    indicator_code: str
    region_code: str
    period: str
    measure: str
    value_before: float
    value: float
    unit: str
    file_before: str  # the file the earlier value came in


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
    revised: list[Revision] = field(default_factory=list)  # figures that correct what the sender sent before
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
    receipt: str | None = None  # the receipt written for this file
    receipt_problem: str | None = None  # why its receipt could not be written (reported, never skipped)
    notes: list[str] = field(default_factory=list)  # what the file lacks (a template's sheet deleted), in Chinese
    rows_set_aside_by_review: set[tuple[str, int]] = field(default_factory=set)  # (sheet, row) quarantined whole

    @property
    def revisions(self) -> int:
        """How many figures correct what the sender sent before (the receipt's 其中更正以前报送的数据项)."""
        return len(self.revised)

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]

    @property
    def is_partial(self) -> bool:
        """Loaded, but a row or a value was not taken (quarantined): the receipt says 部分接收."""
        return self.status == "loaded" and (self.rows_quarantined > 0 or self.cells_quarantined > 0)

    @property
    def took_nothing(self) -> bool:
        """Loaded, yet not one figure, milestone report or reply was taken from it: the receipt never says 已接收."""
        return self.status == "loaded" and self.rows_loaded == 0

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_ignored": self.rows_ignored,
            "took_nothing": self.took_nothing,
            "cells_read": self.cells_read,
            "cells_loaded": self.cells_loaded,
            "cells_quarantined": self.cells_quarantined,
            "cells_ignored": self.cells_ignored,
            "values_set_aside": [
                {"sheet": v.sheet, "cell": v.cell, "status": v.status.value, "reason": v.reason}
                for v in self.values_set_aside
            ],
            "revisions": self.revisions,
            "revised": [
                {
                    "sheet": r.sheet,
                    "cell": r.cell,
                    "indicator_code": r.indicator_code,
                    "region_code": r.region_code,
                    "period": r.period,
                    "measure": r.measure,
                    "value_before": r.value_before,
                    "value": r.value,
                    "unit": r.unit,
                    "file_before": r.file_before,
                }
                for r in self.revised
            ],
            "observations": self.observations,
            "load_id": self.load_id,
            "department_id": self.department_id,
            "layout": self.layout,
            "periods": self.periods,
            "reason": self.reason,
            "receipt": self.receipt,
            "receipt_problem": self.receipt_problem,
            "notes": self.notes,
            "findings": [
                {"check": f.check_name.value, "severity": f.severity.value, "cell": f.cell, "message": f.message}
                for f in self.findings
            ],
        }


def summarise(results: list[FileResult], receipts_dir: Path) -> str:
    """The run in one line: files by outcome, then what the loaded files gave and refused, in rows and cells."""
    loaded = [r for r in results if r.status == "loaded"]  # the files that took nothing too: their counts stand
    return (
        f"{len(results)} files: {sum(not r.took_nothing for r in loaded)} loaded, "
        f"{sum(r.took_nothing for r in loaded)} took nothing, "
        f"{sum(r.status == 'duplicate' for r in results)} already loaded, "
        f"{sum(r.status == 'rejected' for r in results)} rejected; "
        f"{sum(r.observations for r in loaded)} observations, "
        f"{sum(r.rows_quarantined for r in loaded)} rows and {sum(r.cells_quarantined for r in loaded)} cells "
        f"quarantined, {sum(r.cells_ignored for r in loaded)} cells ignored; receipts in {receipts_dir}"
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


def _revisions(connection: duckdb.DuckDBPyConnection, first: int, last: int) -> dict[int, list[Revision]]:
    """The figures of loads `first`..`last` that correct what their sender sent before, per load, in sheet order.

    A revision is a figure the same sender sent before in another file, whose value this one changes
    (against the latest value it sent before); the same figure sent again unchanged corrects nothing,
    and another department's figure for it is theirs to correct, not this sender's. The briefing counts
    a month's revisions by the same rule (planwatch.briefing.marts.revisions).
    """
    found = connection.execute(
        """with sent_before as (
           select new.load_id, any_value(new.sheet) as sheet, any_value(new.cell) as cell,
               min(new.row_number) as row_number, new.indicator_code, new.region_code, new.period, new.measure,
               arg_max(old.value, old.load_id) as before, any_value(new.value) as value, any_value(new.unit) as unit,
               arg_max(old.file_name, old.load_id) as file_before
           from raw.observations new join raw.observations old
             on old.load_id < new.load_id and old.file_sha256 <> new.file_sha256
            and old.indicator_code = new.indicator_code and old.region_code = new.region_code
            and old.period = new.period and old.measure = new.measure
            and old.department_id is not distinct from new.department_id
           where new.load_id between ? and ?
           group by new.load_id, new.indicator_code, new.region_code, new.period, new.measure)
       select load_id, sheet, cell, indicator_code, region_code, period, measure, before, value, unit, file_before
       from sent_before
       where abs(value - before) > 1e-9 * greatest(abs(value), abs(before), 1)
       order by load_id, sheet, row_number, cell""",
        [first, last],
    ).fetchall()
    revisions: dict[int, list[Revision]] = {}
    for load_id, *figure in found:
        revisions.setdefault(load_id, []).append(Revision(*figure))
    return revisions


def store_batch(
    connection: duckdb.DuckDBPyConnection,
    batch: list[PendingFile],
    reviewer: Reviewer | None = None,
    before_commit: Callable[[list[FileResult]], None] | None = None,
) -> list[FileResult]:
    """Write a batch of files in one transaction; one result per file (accounting was checked in `tabulate`).

    With a `reviewer`, the batch's figures are judged for plausibility before it commits: a row with a
    critical finding moves to quarantine, and each file's result carries its findings. `before_commit`
    sees the results while the transaction is still open (the receipts are staged then).
    """
    if not batch:
        return []
    loaded_at = utc_now()
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
        revisions = _revisions(connection, load_ids[0], load_ids[-1])
        results = []
        loads: dict[str, list] = {}
        for pending, load_id in zip(batch, load_ids, strict=True):
            tables = pending.tables
            rows_set_aside = review.quarantined_rows.get(load_id, {}) if review else {}
            set_aside = len(rows_set_aside)
            cells = tables.cells or CellCounts(0, 0, 0, 0)
            # a row set aside whole moves every cell it loaded; a figure taken from a row that keeps others, its own
            figures_set_aside = [
                removed
                for removed in (review.removed_cells.get(load_id, []) if review else [])
                if (removed.sheet, removed.row_number) not in rows_set_aside
            ]
            cells_set_aside = sum(cells.loaded_by_row.get(key, 0) for key in rows_set_aside) + len(figures_set_aside)
            result = FileResult(
                pending.file_name,
                pending.sha256,
                "rejected" if pending.rejection else "loaded",
                tables.rows_read,
                tables.rows_loaded - set_aside,
                tables.rows_quarantined + set_aside,
                tables.rows_ignored,
                revisions.get(load_id, []),
                tables.observations - (review.removed_observations.get(load_id, 0) if review else 0),
                cells.read,
                cells.loaded - cells_set_aside,
                cells.quarantined + cells_set_aside,
                cells.ignored,
                tables.values_set_aside
                + [
                    SetAsideValue(
                        removed.sheet,
                        removed.row_number,
                        removed.cell,
                        RowStatus.quarantined,
                        removed.finding.check_name.value,
                        removed.finding.message,
                        removed.original_value,
                    )
                    for removed in figures_set_aside
                ],
                tables.milestone_reports,
                load_id,
                pending.department_id,
                pending.layout,
                pending.periods,
                pending.rejection,
                list(review.findings.get(load_id, [])) if review else [],
                notes=pending.notes,
                rows_set_aside_by_review=set(rows_set_aside),
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
        if before_commit is not None:
            before_commit(results)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return results
