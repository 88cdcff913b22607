"""`planwatch ingest PATH…`: load department files into the warehouse, with receipts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planwatch.cli import arguments
from planwatch.config import settings

if TYPE_CHECKING:
    from planwatch.ingest.store import FileResult

console = Console(stderr=True)


def summary_line(result: FileResult) -> str:
    line = _outcome_line(result)
    return f"{line}; RECEIPT NOT WRITTEN: {result.receipt_problem}" if result.receipt_problem else line


def _outcome_line(result: FileResult) -> str:
    if result.status == "rejected":
        return f"✗ {result.file}: rejected — {result.reason}"
    if result.status == "duplicate":
        return f"= {result.file}: already loaded (load {result.load_id}), nothing added"
    counts = (
        f"read {result.rows_read} rows = loaded {result.rows_loaded} + quarantined {result.rows_quarantined} + ignored "
        f"{result.rows_ignored}"
        + (f"; {result.cells_quarantined} cells quarantined" if result.cells_quarantined else "")
    )
    if result.took_nothing:  # its receipt says 未接收任何数据: no success to show, a file to look at
        return f"! {result.file}: took nothing — {counts}; see its receipt"
    return f"✓ {result.file}: {counts}; {result.observations} observations, {result.revisions} revisions" + (
        f"; {len(result.notes)} template sheet(s) missing" if result.notes else ""
    )


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (xlsx, xls, csv)", exists=True)],
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    receipts: Annotated[Path | None, typer.Option(help="folder for receipts (default: output/receipts)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per file on standard output")] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="files per transaction: a run stopped midway redoes at most this many (more: faster); "
            "default: planwatch.ingest.run.BATCH_SIZE",
        ),
    ] = None,
) -> None:
    """Read department files into observations; quarantine what cannot be read; write a receipt per file.

    A line per file: ✓ loaded, ! took nothing (every row quarantined or none filled), = already loaded, ✗ rejected.
    The summary counts the files by outcome, and the rows and cells quarantined and the cells ignored.
    Exit 0 when no file was rejected: a file that took nothing is counted apart, its receipt says 未接收任何数据.
    Exit 2 when some file was rejected (the others are loaded), 1 when it could not run or a receipt was not written.
    """
    # imported here: `planwatch --help` and the other commands start without the readers and pandas
    from planwatch.ingest.layout_spec import LayoutSpecError, load_layouts
    from planwatch.ingest.run import BATCH_SIZE, WorkerDiedError, collect_files, ingest_files
    from planwatch.ingest.store import summarise
    from planwatch.registry.load import load_registry

    config = settings()
    registry = load_registry(config.plans_path)
    files = collect_files(paths)
    try:
        layouts = load_layouts(config.layouts_path)
    except LayoutSpecError as error:
        arguments.fail(f"source specs: {error}")
    receipts_dir = receipts or config.output_path / "receipts"
    progress = Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=as_json,
    )
    with progress:
        task = progress.add_task("", total=len(files))

        def report(result: FileResult) -> None:
            if as_json:
                print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
            else:
                progress.console.print(summary_line(result), highlight=False, soft_wrap=True)
            progress.update(task, advance=1, description=result.file)

        try:
            results = ingest_files(
                files,
                warehouse or config.warehouse_path,
                registry,
                receipts_dir,
                report,
                batch_size=batch_size or BATCH_SIZE,
                layouts=layouts,
            )
        except WorkerDiedError as error:  # the files committed before it stay loaded; rerun skips them
            arguments.fail(f"ingest stopped: {error}")
    if not as_json:
        console.print(summarise(results, receipts_dir), highlight=False, soft_wrap=True)
    unwritten = [r.file for r in results if r.receipt_problem]
    if unwritten:
        listed = ", ".join(unwritten[:5])
        arguments.fail(f"{len(unwritten)} receipt(s) could not be written (the data is loaded): {listed}")
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(code=2)
