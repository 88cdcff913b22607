"""`planwatch templates`: write the month's fill-in templates (填报模板), one per reporting department."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(stderr=True)


def templates(
    period: Annotated[str, typer.Option(help="reporting month, YYYY-MM")],
    out: Annotated[Path, typer.Option(help="folder to write the templates into")],
    plans_dir: Annotated[
        Path | None, typer.Option(help="registry folder (default: plans/ from the configuration)")
    ] = None,
) -> None:
    """Write one template per department with duties in the month (from the reporting duties)."""
    from planwatch.forms.template import write_templates
    from planwatch.registry.load import load_registry

    month = arguments.month(period)
    registry = load_registry(plans_dir or settings().plans_path)
    written = write_templates(registry, str(month), out)
    if not written:
        arguments.fail(f"no department reports for {month} under the registry's plans (no template to write)")
    for path in written:
        console.print(f"wrote {path}", highlight=False)
    print(f"{len(written)} templates for {period} in {out}")
