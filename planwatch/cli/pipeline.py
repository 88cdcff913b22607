"""`planwatch demo`: the main job on the embedded default, end to end, printing what it wrote."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(stderr=True)


def demo(
    period: Annotated[str | None, typer.Option(help="last month to run, YYYY-MM (default: last month)")] = None,
) -> None:
    """Run the whole pipeline on sample data for all five plans into the embedded warehouse."""
    from planwatch.pipeline import RegistryProblemsError, TransformFailedError, previous_month, run_pipeline
    from planwatch.quality.gate import QualityGateError

    period = str(arguments.month(period)) if period else previous_month()
    try:
        run = run_pipeline(
            settings(),
            period,
            with_sample=True,
            say=lambda line: console.print(line, highlight=False, soft_wrap=True),
            progress=arguments.progress,
        )
    except RegistryProblemsError as error:
        for problem in error.problems:
            console.print(f"[red]✗[/red] {problem}", highlight=False, soft_wrap=True)
        arguments.fail(f"the registry has {len(error.problems)} problem(s), listed above; fix them in plans/")
    except (TransformFailedError, QualityGateError) as error:
        arguments.fail(str(error))
    console.print(f"\n[bold]planwatch demo for {period} done.[/bold] Written:", highlight=False)
    for name, path in run.outputs.items():
        print(f"  {name}: {path}")
