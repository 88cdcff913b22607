"""`planwatch remind --period YYYY-MM`: 催报 — who owes the month, by when, how many working days overdue.

Prints one line per department that owes the month (not reported, or not in full) and writes, under
output/reminders/<period>/, the whole list as CSV (催报清单) and a 催报通知 (docx) to send. Due dates and
overdue days count working days (public holidays and 调休 from chinese-calendar). Exit 0 when every
department has reported in full, 1 when someone owes the month or there is nothing to judge (one line says
which).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(soft_wrap=True, highlight=False)


def remind(
    period: Annotated[str, typer.Option(help="month whose reports are chased, YYYY-MM")],
    as_of: Annotated[
        str | None, typer.Option(help="judge on this day, YYYY-MM-DD (default: today, China Standard Time)")
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    output: Annotated[Path | None, typer.Option(help="folder for the CSV and the notice")] = None,
) -> None:
    """List each department's report for the month, its due date and working days overdue; write the 催报通知."""
    from planwatch.periods import china_today
    from planwatch.supervision.remind import MartsBehindError, duties, write_csv, write_notice
    from planwatch.warehouse import connect

    month = arguments.month(period)
    day = arguments.day(as_of, "--as-of") if as_of else china_today()
    if month.month_end >= day:
        arguments.fail(f"{month} is not over on {day.isoformat()}: no report for it is due yet")
    period = str(month)
    config = settings()
    warehouse = arguments.marts_built(arguments.existing_warehouse(warehouse))
    with connect(warehouse, read_only=True) as connection:
        try:
            found = duties(connection, period, day)
        except MartsBehindError as error:
            arguments.fail(str(error))
    if not found:
        arguments.fail(f"no department owes a report for {period} (outside every plan, or not transformed yet)")
    folder = output or config.output_path / "reminders" / period
    listed = write_csv(found, folder / f"催报清单_{period}.csv")
    issuer = config.briefing_summary_issuer
    notice = write_notice(found, period, day, issuer, folder / f"催报通知_{period}.docx")
    owing = [duty for duty in found if duty.needs_reminder]
    console.print(
        f"{period} as of {day.isoformat()}: {len(found)} department(s) report for the month, "
        f"{len(found) - len(owing)} in full, {len(owing)} to remind"
    )
    for duty in owing:
        console.print(f"  {duty.department_name}: due {duty.due_date.isoformat()}, {duty.state}")
    console.print(f"list:   {listed}")
    if notice is not None:
        console.print(f"notice: {notice}")
    raise typer.Exit(code=1 if owing else 0)
