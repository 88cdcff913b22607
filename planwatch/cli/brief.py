"""`planwatch brief`: render the month's supervision briefings (督查通报) as HTML, PDF and Word.

A range (`--period 2021-01..2025-12`: history rebuilt after a registry or template change) renders
each month with data in one process; a month the gate blocks is named and skipped, the others are
rendered, and the exit status is 1 when any was skipped. Files whose inputs did not change are kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console()


def brief(
    period: Annotated[
        str, typer.Option(help="reporting month, YYYY-MM, or a range YYYY-MM..YYYY-MM (each month with data)")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="output folder (default: output/briefings/<YYYY-MM>; a range: <out>/<YYYY-MM>)"),
    ] = None,
    plan: Annotated[str | None, typer.Option(help="only this plan (and its counties)")] = None,
    format: Annotated[str, typer.Option(help="comma-separated: html,pdf,docx")] = "html,pdf,docx",
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    counties: Annotated[bool, typer.Option(help="also one briefing per county with targets")] = True,
    jobs: Annotated[int, typer.Option(min=0, help="rendering processes (0: one per core)")] = 0,
    force: Annotated[bool, typer.Option(help="write every file again, even those whose inputs did not change")] = False,
) -> None:
    """Render the briefings of one month (or each month of a range): each plan, each county, the leadership summary."""
    from planwatch.briefing.render import FORMATS
    from planwatch.briefing.run import brief_month
    from planwatch.quality.gate import QualityGateError
    from planwatch.supervision.issuing import IssuedArchiveAlteredError

    months = arguments.months(period)
    is_range = arguments.RANGE_SEPARATOR in period  # a range behaves as one, however many months hold data
    formats = [part.strip() for part in format.split(",") if part.strip()]
    for fmt in formats:
        arguments.known(fmt, FORMATS, "--format", "format")
    if plan is not None:
        arguments.known_plan(plan)
    warehouse = arguments.existing_warehouse(warehouse)
    months = arguments.months_with_data(warehouse, months)
    arguments.marts_built(warehouse)
    blocked: list[str] = []
    for month in months:
        # a range writes each month in its own folder: under --out, or where the month's briefings go
        out_dir = (out / str(month) if out else None) if is_range else out
        out_dir = out_dir or settings().briefings_path(str(month))
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
        except IssuedArchiveAlteredError as error:  # an issued archive was altered: nothing more is delivered
            arguments.fail(str(error))
        except (QualityGateError, ValueError) as error:  # before any briefing of the month is rendered
            if not is_range:
                arguments.fail(str(error))
            blocked.append(str(month))
            console.print(f"[red]{month}: not briefed: {error}[/]", highlight=False, soft_wrap=True)
            continue
        for path in result.written:
            console.print(str(path), highlight=False, soft_wrap=True)
        if result.delivered_issued:
            console.print(
                f"{result.delivered_issued} files of issued briefings delivered from the archive as issued "
                "(`planwatch reproduce` re-renders them to check the renderer still gives those bytes)",
                highlight=False,
                soft_wrap=True,
            )
        console.print(f"{len(result.written)} files in {out_dir}: {result.timings()}", highlight=False, soft_wrap=True)
    if is_range:
        console.print(
            f"{len(months) - len(blocked)} of {len(months)} months briefed"
            + (f"; not briefed: {', '.join(blocked)}" if blocked else ""),
            highlight=False,
        )
    if blocked:
        raise typer.Exit(code=1)
