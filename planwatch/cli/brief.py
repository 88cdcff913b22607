"""`planwatch brief`: render the month's supervision briefings (督查通报) as HTML, PDF and Word."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.config import settings

console = Console()


def brief(
    period: Annotated[str, typer.Option(help="reporting month, YYYY-MM")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: output/briefings/<YYYY-MM>)")] = None,
    plan: Annotated[str | None, typer.Option(help="only this plan (and its counties)")] = None,
    format: Annotated[str, typer.Option(help="comma-separated: html,pdf,docx")] = "html,pdf,docx",
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    counties: Annotated[bool, typer.Option(help="also one briefing per county with targets")] = True,
) -> None:
    """Render the briefings of one month: each plan, each county, and the leadership summary."""
    from planwatch.briefing.gather import month_end
    from planwatch.briefing.run import brief_month

    try:
        month_end(period)
    except ValueError:
        console.print(f"[red]--period must look like YYYY-MM, got {period!r}[/red]")
        raise typer.Exit(2) from None
    formats = [part.strip() for part in format.split(",") if part.strip()]
    config = settings()
    out_dir = out or config.briefings_path(period)
    from planwatch.quality.gate import QualityGateError

    try:
        result = brief_month(warehouse or config.warehouse_path, period, out_dir, plan, formats, counties=counties)
    except QualityGateError as error:
        # nothing was written: the gate is decided before the first file
        console.print(str(error), style="red", markup=False)
        raise typer.Exit(1) from None
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    for path in result.written:
        console.print(str(path))
    console.print(f"{len(result.written)} files in {out_dir} ({result.timings()})")
