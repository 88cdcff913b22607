"""`planwatch docs`: the dbt docs and the data quality docs of the warehouse in `<output>/docs/`, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(stderr=True, soft_wrap=True, highlight=False)


def docs(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="output folder: reads GX results from <output>/quality, writes <output>/docs"),
    ] = None,
) -> None:
    """Build dbt docs and the Great Expectations data docs into <output>/docs/, to open without a network."""
    from planwatch.publish.docs_site import DocsSiteError, build_docs_site

    warehouse = arguments.existing_warehouse(warehouse)
    try:
        with arguments.working("building dbt docs and the data docs"):
            site = build_docs_site(warehouse, output or settings().output_path)
    except DocsSiteError as error:
        arguments.fail(str(error))
    console.print(
        f"dbt docs ({site.models} models) {site.seconds['dbt_docs']:.1f}s, data docs "
        f"({site.validation_results} validation results) {site.seconds['data_docs']:.1f}s"
    )
    print(site.index)
