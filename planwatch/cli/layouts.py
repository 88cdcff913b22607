"""`planwatch layouts check FILE… [--spec SPEC]`: dry-run the source specs on sample files.

Before a new statistics layout goes live: what each file would load, quarantine and ignore, and every
label or region the specs leave unmapped, without writing anything to the warehouse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

layouts_app = typer.Typer(help="Source specs (statistics table layouts): try them on files.", no_args_is_help=True)
console = Console()


@layouts_app.command("check")
def check(
    paths: Annotated[list[Path], typer.Argument(help="sample files or folders", exists=True)],
    spec: Annotated[
        list[Path] | None, typer.Option(help="a spec (YAML) to try; repeatable. Default: the configured specs")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file")] = False,
) -> None:
    """Dry-run: per file, what would load, be quarantined and be ignored, and what the specs leave unmapped."""
    from planwatch.ingest.dry_run import dry_run, matching_layouts
    from planwatch.ingest.layout_spec import LayoutSpecError, load_layouts, load_spec
    from planwatch.ingest.run import Ingestor, collect_files
    from planwatch.registry.load import load_registry

    config = settings()
    try:
        configured = load_layouts(config.layouts_path)
        layouts = [load_spec(path) for path in spec] if spec else configured
    except LayoutSpecError as error:
        arguments.fail(f"source specs: {error}")
    tried = {layout.layout_id for layout in layouts}
    # as ingest would try them once the specs tried here are installed: a deployment's own specs first
    live_order = [*layouts, *(layout for layout in configured if layout.layout_id not in tried)]
    ingestor = Ingestor(load_registry(config.plans_path), layouts)
    rejected = 0
    for path in collect_files(paths):
        result = dry_run(ingestor, path)
        result["matching_layouts"] = matching_layouts(path, live_order)
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
    if len(result["matching_layouts"]) > 1:
        first, *others = result["matching_layouts"]
        console.print(
            f"    ! also matched by {', '.join(others)}: ingest reads the file with the first spec that matches "
            f"({first}); a deployment's specs (layouts_dir) are tried before the built-in ones",
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
