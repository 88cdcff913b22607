"""`planwatch layouts check FILE… [--spec SPEC]`: dry-run the source specs on sample files.

Before a new statistics layout goes live: what each file would load, quarantine and ignore, and every
label or region the specs leave unmapped, without writing anything to the warehouse.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings
from planwatch.ingest.layout_spec import LayoutSpecError, load_layouts, load_spec
from planwatch.ingest.read import UnreadableFileError, read_bytes
from planwatch.ingest.records import ParsedFile, RowStatus
from planwatch.ingest.run import Ingestor, collect_files
from planwatch.registry.load import load_registry

layouts_app = typer.Typer(help="Source specs (statistics table layouts): try them on files.", no_args_is_help=True)
console = Console()

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


@layouts_app.command("check")
def check(
    paths: Annotated[list[Path], typer.Argument(help="sample files or folders", exists=True)],
    spec: Annotated[
        list[Path] | None, typer.Option(help="a spec (YAML) to try; repeatable. Default: the configured specs")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file")] = False,
) -> None:
    """Dry-run: per file, what would load, be quarantined and be ignored, and what the specs leave unmapped."""
    config = settings()
    try:
        layouts = [load_spec(path) for path in spec] if spec else load_layouts(config.layouts_path)
    except LayoutSpecError as error:
        arguments.fail(f"source specs: {error}")
    ingestor = Ingestor(load_registry(config.plans_path), layouts)
    rejected = 0
    for path in collect_files(paths):
        result = dry_run(ingestor, path)
        rejected += result["status"] == "rejected"
        if as_json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
            continue
        _print(result)
    raise typer.Exit(code=1 if rejected else 0)


def _print(result: dict) -> None:
    name = Path(result["file"]).name
    if result["status"] == "rejected":
        console.print(f"✗ {name}: would be rejected — {result['reason']}", highlight=False, soft_wrap=True)
        return
    console.print(
        f"✓ {name}: layout {result['layout']}, department {result['department_id'] or '—'}, "
        f"periods {', '.join(result['periods']) or '—'}; would load {result['figures']} figures "
        f"({result['rows_loaded']} rows), quarantine {result['rows_quarantined']} rows, "
        f"ignore {result['rows_ignored']} rows; cells: {result['cells']['read']} read = "
        f"{result['cells']['loaded']} loaded + {result['cells']['quarantined']} quarantined + "
        f"{result['cells']['ignored']} ignored",
        highlight=False,
        soft_wrap=True,
    )
    for row in result["quarantined"]:
        console.print(
            f"    quarantined {row['sheet']} row {row['row']}: {row['reason']}", highlight=False, soft_wrap=True
        )
    for reason, rows in result["ignored"].items():
        console.print(f"    ignored {rows} rows: {reason}", highlight=False, soft_wrap=True)
    for column in result["ignored_columns"]:
        console.print(f"    column not read: {column}", highlight=False, soft_wrap=True)
    for value in result["values_set_aside"]:
        console.print(f"    {value['status']} value: {value['reason']}", highlight=False, soft_wrap=True)
