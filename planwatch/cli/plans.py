"""`planwatch plans …`: check the target registry, export it, load it into the warehouse."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli.onboarding import accept, propose
from planwatch.config import settings
from planwatch.registry.check import check_registry
from planwatch.registry.load import Registry, load_registry
from planwatch.registry.tables import milestone_rows, policy_parameter_rows, target_rows
from planwatch.warehouse import connect, load_registry_tables

plans_app = typer.Typer(
    help="The target registry (plans/): propose from a plan's text, accept, check, export, load.", no_args_is_help=True
)
plans_app.command("propose")(propose)
plans_app.command("accept")(accept)
console = Console(stderr=True)

PlansDir = Annotated[Path | None, typer.Option(help="registry folder (default: plans/ from the configuration)")]


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


class ExportKind(StrEnum):
    target = "target"
    milestone = "milestone"
    parameter = "parameter"


def _registry(plans_dir: Path | None) -> Registry:
    return load_registry(plans_dir or settings().plans_path)


@plans_app.command("check")
def check(plans_dir: PlansDir = None) -> None:
    """Validate every plan and the reference data; exit 1 naming file, item and field of each problem."""
    registry = _registry(plans_dir)
    problems = check_registry(registry)
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        console.print(f"[red]{len(problems)} problem(s) in the registry[/red]")
        raise typer.Exit(code=1)
    for plan_id, plan in registry.plans.items():
        console.print(
            f"[green]✓[/green] {plan_id}: {len(plan.targets)} targets, {len(plan.milestones)} milestones, "
            f"{len(plan.policy_parameters)} policy parameters",
            highlight=False,
        )
    total = sum(len(plan.targets) for plan in registry.plans.values())
    console.print(f"registry sound: {len(registry.plans)} plans, {total} targets", highlight=False)


@plans_app.command("export")
def export(
    format: Annotated[ExportFormat, typer.Option("--format", help="csv or json")] = ExportFormat.csv,
    kind: Annotated[ExportKind, typer.Option("--kind", help="target, milestone or parameter")] = ExportKind.target,
    out: Annotated[Path | None, typer.Option("--out", help="file to write (default: standard output)")] = None,
    plans_dir: PlansDir = None,
) -> None:
    """Write the registry's targets (or milestones, or policy parameters) as CSV or JSON, one row each."""
    registry = _registry(plans_dir)
    rows = {
        ExportKind.target: target_rows,
        ExportKind.milestone: milestone_rows,
        ExportKind.parameter: policy_parameter_rows,
    }[kind](registry)
    if format is ExportFormat.json:
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        # utf-8-sig so that Excel, which most offices open CSV files with, shows the Chinese.
        out.write_text(text, encoding="utf-8-sig" if format is ExportFormat.csv else "utf-8")
        console.print(f"wrote {len(rows)} {kind.value} rows to {out}", highlight=False)


@plans_app.command("load")
def load(
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    plans_dir: PlansDir = None,
) -> None:
    """Check the registry, then load it and the reference data into the warehouse's raw tables."""
    registry = _registry(plans_dir)
    problems = check_registry(registry)
    if problems:
        for problem in problems:
            console.print(f"[red]✗[/red] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)
    path = warehouse or settings().warehouse_path
    with connect(path) as connection:
        counts = load_registry_tables(connection, registry)
    for table, count in counts.items():
        console.print(f"raw.{table}: {count} rows", highlight=False)
    console.print(f"registry loaded into {path}", highlight=False)
