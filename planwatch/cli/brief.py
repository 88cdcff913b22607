"""`planwatch brief`: render the month's supervision briefings (督查通报) as HTML, PDF and Word."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console()


def brief(
    period: Annotated[str, typer.Option(help="reporting month, YYYY-MM")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: output/briefings/<YYYY-MM>)")] = None,
    plan: Annotated[str | None, typer.Option(help="only this plan (and its counties)")] = None,
    format: Annotated[str, typer.Option(help="comma-separated: html,pdf,docx")] = "html,pdf,docx",
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    counties: Annotated[bool, typer.Option(help="also one briefing per county with targets")] = True,
    jobs: Annotated[int, typer.Option(min=0, help="rendering processes (0: one per core)")] = 0,
    force: Annotated[bool, typer.Option(help="write every file again, even those whose inputs did not change")] = False,
) -> None:
    """Render the briefings of one month: each plan, each county, and the leadership summary."""
    from planwatch.briefing.render import FORMATS
    from planwatch.briefing.run import brief_month
    from planwatch.quality.gate import QualityGateError
    from planwatch.supervision.issuing import IssuedArchiveAlteredError

    month = arguments.month(period)
    formats = [part.strip() for part in format.split(",") if part.strip()]
    for fmt in formats:
        arguments.known(fmt, FORMATS, "--format", "format")
    if plan is not None:
        arguments.known_plan(plan)
    warehouse = arguments.existing_warehouse(warehouse)
    arguments.month_with_data(warehouse, month)
    out_dir = out or settings().briefings_path(str(month))
    try:
        with arguments.progress(f"brief {month}") as step:
            result = brief_month(
                warehouse,
                str(month),
                out_dir,
                plan,
                formats,
                counties=counties,
                on_progress=step,
                jobs=jobs or None,
                force=force,
            )
    except (QualityGateError, ValueError, IssuedArchiveAlteredError) as error:  # before any briefing is rendered
        arguments.fail(str(error))
    for path in result.written:
        console.print(str(path), highlight=False, soft_wrap=True)
    for note in result.issued_not_reproduced:
        console.print(f"[yellow]issued, delivered as archived (not re-rendered): {note}[/]", soft_wrap=True)
    console.print(f"{len(result.written)} files in {out_dir}: {result.timings()}", highlight=False, soft_wrap=True)
