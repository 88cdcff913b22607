"""`planwatch transform`: build the marts (dbt build: models and data tests; unit tests on request) on the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.transform import transform as run_transform

console = Console(stderr=True)


def transform(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    select: Annotated[str | None, typer.Option(help="dbt selection, e.g. marts or +fct_target_progress")] = None,
    full_refresh: Annotated[bool, typer.Option(help="rebuild incremental models from scratch")] = False,
    target: Annotated[str | None, typer.Option(help="dbt target: duckdb (default) or postgres")] = None,
    unit_tests: Annotated[
        bool, typer.Option(help="also run the dbt unit tests (they test the SQL on fixed inputs; CI runs them)")
    ] = False,
) -> None:
    """Run dbt build: staging → intermediate → marts, with data tests (and unit tests on request)."""
    if target in (None, "duckdb"):
        warehouse = arguments.existing_warehouse(warehouse)
    else:
        arguments.known(target, ["duckdb", "postgres"], "--target", "dbt target")
    with arguments.progress("dbt build") as step:
        result = run_transform(
            warehouse=warehouse,
            select=select,
            full_refresh=full_refresh,
            target=target,
            on_progress=step,
            unit_tests=unit_tests,
        )
    if not result.success:
        for node, status in sorted(result.failures.items()):
            console.print(f"✗ {node}: {status}", highlight=False)
        failed = ", ".join(sorted(result.failures)) or result.error or "see the messages above"
        arguments.fail(f"dbt build failed after {result.seconds:.1f}s: {failed}")
    console.print(f"dbt build: {len(result.statuses)} nodes passed in {result.seconds:.1f}s")
