"""Dry-running the source specs on sample files (`planwatch layouts check`): what each file would load,
quarantine and ignore, and every label or region the specs leave unmapped; nothing is written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from planwatch.ingest.layout_spec import LayoutSpec
from planwatch.ingest.parse_layout import matches
from planwatch.ingest.read import UnreadableFileError, read_bytes, read_source_file
from planwatch.ingest.records import ParsedFile, RowStatus
from planwatch.ingest.run import Ingestor

UNMAPPED = {
    "unknown_region",
    "unknown_region_in_table",
    "unknown_indicator",
    "unknown_unit",
    "unknown_measure",
    "region_out_of_scope",
    "unknown_region_column",
    "unknown_indicator_column",
    "unrecognised_column",
}


def dry_run(ingestor: Ingestor, path: Path) -> dict:
    """What ingesting `path` would do, as a JSON-able dict; nothing is written."""
    try:
        parsed, rejection, _ = ingestor.parse(path, read_bytes(path))
    except UnreadableFileError as error:
        parsed, rejection = None, error.reason
    if parsed is None:
        return {"file": str(path), "status": "rejected", "reason": rejection}
    return {"file": str(path), "status": "recognised", **_outcomes(parsed)}


def matching_layouts(path: Path, specs: list[LayoutSpec]) -> list[str]:
    """The layout_ids of every spec that matches the file, in the order ingest tries them (it reads the
    file with the first): more than one is worth knowing before a layout goes live."""
    try:
        source = read_source_file(path)
    except UnreadableFileError:
        return []
    return [spec.layout_id for spec in specs if matches(spec, source)]


def _outcomes(parsed: ParsedFile) -> dict:
    counts = Counter[str]()
    quarantined, ignored = [], Counter[str]()
    for row in parsed.rows:
        counts[row.status.value] += row.row_count
        if row.status is RowStatus.quarantined:
            quarantined.append(
                {
                    "sheet": row.sheet,
                    "row": row.row_number,
                    "cell": row.cell,
                    "code": row.reason_code,
                    "reason": row.reason,
                }
            )
        elif row.status is RowStatus.ignored:
            ignored[str(row.reason)] += row.row_count
    set_aside = [
        {
            "sheet": v.sheet,
            "row": v.row_number,
            "cell": v.cell,
            "status": v.status.value,
            "code": v.reason_code,
            "reason": v.reason,
        }
        for row in parsed.rows
        for v in row.set_aside
    ]
    cells = parsed.cells
    return {
        "layout": parsed.layout,
        "department_id": parsed.department_id,
        "periods": sorted(parsed.periods),
        "rows_loaded": counts[RowStatus.loaded.value],
        "rows_quarantined": counts[RowStatus.quarantined.value],
        "rows_ignored": counts[RowStatus.ignored.value],
        "figures": sum(len(row.observations) for row in parsed.rows),
        "quarantined": quarantined,
        "ignored": dict(ignored),
        "ignored_columns": parsed.ignored_columns,
        "cells": {
            "read": cells.read if cells else None,
            "loaded": cells.loaded if cells else None,
            "quarantined": cells.quarantined if cells else None,
            "ignored": cells.ignored if cells else None,
        },
        "values_set_aside": set_aside,
        "unmapped": sorted({q["reason"] for q in quarantined if q["code"] in UNMAPPED})
        + sorted({f"{column}" for column in parsed.ignored_columns if not column.endswith("（不跟踪的列）")}),
    }
