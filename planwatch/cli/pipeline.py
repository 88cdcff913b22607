"""`planwatch demo`: the main job on the embedded default, end to end, printing what it wrote."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from planwatch.config import settings
from planwatch.registry.check import check_registry
from planwatch.registry.load import load_registry
from planwatch.warehouse import connect, load_registry_tables

console = Console(stderr=True)


def demo(
    period: Annotated[
        str | None, typer.Option(help="last month to run, YYYY-MM (default: last month)")
    ] = None,
) -> None:
    """Run the whole pipeline on sample data for all five plans into the embedded warehouse."""
    config = settings()
    registry = load_registry(config.plans_path)
    problems = check_registry(registry)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/red] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)
    console.print(f"1. registry checked: {len(registry.plans)} plans", highlight=False)
    with connect(config.warehouse_path) as connection:
        counts = load_registry_tables(connection, registry)
    console.print(
        f"2. registry loaded into {config.warehouse_path}: "
        + ", ".join(f"{table} {count}" for table, count in counts.items()),
        highlight=False,
    )
