"""One voice for every command: how arguments are read and refused, and how a failure is said.

A command that cannot do what it was asked says so in one line on standard error,
`planwatch <command>: <what is wrong, and what would be right>`, and exits 1. Arguments are
checked the same way everywhere: a period is parsed once into a `Period`; an unknown plan or region
is answered with the valid choices; a month the warehouse holds no data for is an error, not an
empty file. Usage errors that typer finds itself (a missing option, an unknown flag) are said the
same way by `planwatch.cli.main`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planwatch.periods import Granularity, Period, PeriodError

console = Console(stderr=True, soft_wrap=True, highlight=False)
MAX_CHOICES_LISTED = 12


def command_name() -> str:
    from typer._click.globals import get_current_context  # typer 0.29 vendors click

    context = get_current_context(silent=True)
    return context.command_path if context is not None else "planwatch"


def fail(message: str) -> NoReturn:
    """Say what is wrong in one line and exit 1."""
    console.print(f"{command_name()}: {' '.join(str(message).split())}", markup=False)
    raise typer.Exit(1)


def month(text: str, option: str = "--period") -> Period:
    """A month given on the command line, or a one-line refusal."""
    try:
        return Period.parse(text, Granularity.month)
    except PeriodError as error:
        fail(f"{option} {error}")


RANGE_SEPARATOR = ".."


def months(text: str, option: str = "--period") -> list[Period]:
    """A month (`2026-11`) or a range of months (`2021-01..2025-12`, both ends included), or a refusal."""
    if RANGE_SEPARATOR not in text:
        return [month(text, option)]
    first_text, _, last_text = text.partition(RANGE_SEPARATOR)
    first, last = month(first_text.strip(), option), month(last_text.strip(), option)
    if last < first:
        fail(f"{option} {text!r}: the range ends before it starts; write the earlier month first, e.g. {last}..{first}")
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [first.shifted(step) for step in range(count)]


def day(text: str, option: str) -> dt.date:
    """A day given on the command line (YYYY-MM-DD), or a one-line refusal."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} {text!r} is not a day written YYYY-MM-DD, e.g. 2026-12-04")


def choices(values: Iterable[str]) -> str:
    values = sorted(values)
    listed = ", ".join(values[:MAX_CHOICES_LISTED])
    return listed + (f" … ({len(values)} in all)" if len(values) > MAX_CHOICES_LISTED else "")


def known(value: str, valid: Iterable[str], option: str, what: str) -> str:
    """`value` when it is one of `valid`, else a refusal listing the valid choices."""
    valid = list(valid)
    if value not in valid:
        fail(f"{option} {value!r}: no such {what}; choose from {choices(valid)}")
    return value


def known_plan(plan_id: str, plans_dir: Path | None = None) -> str:
    from planwatch.config import settings
    from planwatch.registry.load import load_registry

    registry = load_registry(plans_dir or settings().plans_path)
    return known(plan_id, registry.plans, "--plan", "plan")


def existing_warehouse(warehouse: Path | None) -> Path:
    """The warehouse file asked for (or configured), which must exist."""
    from planwatch.config import settings

    path = warehouse or settings().warehouse_path
    if not path.exists():
        fail(f"no warehouse at {path}; run `make demo`, or `planwatch plans load` and `planwatch ingest` first")
    return path


def month_with_data(warehouse: Path, period: Period) -> Period:
    """`period` when the warehouse holds loaded reports for it, else a refusal naming the months it holds."""
    from planwatch.status import months_loaded

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        held = months_loaded(connection)
    if period.month_key not in held:
        span = f"it holds {held[0]} to {held[-1]}" if held else "it holds no loaded reports yet"
        fail(f"the warehouse holds no data for {period} ({span})")
    return period


def months_with_data(warehouse: Path, asked: list[Period]) -> list[Period]:
    """The months of `asked` the warehouse holds loaded reports for; one month asked must be held (as
    `month_with_data`), a range must hold at least one."""
    from planwatch.status import months_loaded

    if len(asked) == 1:
        return [month_with_data(warehouse, asked[0])]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        held = set(months_loaded(connection))
    found = [period for period in asked if period.month_key in held]
    if not found:
        span = f"it holds {min(held)} to {max(held)}" if held else "it holds no loaded reports yet"
        fail(f"the warehouse holds no data for any month of {asked[0]}..{asked[-1]} ({span})")
    return found


def marts_built(warehouse: Path) -> Path:
    """The warehouse, which must hold the marts (`planwatch transform` has run on it)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.schemata where schema_name = 'marts'"
        ).fetchone()
    if not found[0]:
        fail(f"the warehouse {warehouse} has no marts yet; run `planwatch transform` first")
    return warehouse


@contextmanager
def progress(description: str) -> Iterator[ProgressStep]:
    """A rich progress bar on standard error for a step that takes more than a few seconds."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}", style="dim"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        yield ProgressStep(bar, bar.add_task(description, total=None, item=""))


@contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner on standard error for a step that takes seconds and reports no steps of its own."""
    with console.status(description):
        yield


class ProgressStep:
    """The callback a package function reports to: `step(done, total, item)`."""

    def __init__(self, bar: Progress, task: int) -> None:
        self.bar, self.task = bar, task

    def __call__(self, done: int, total: int | None, item: str = "") -> None:
        self.bar.update(self.task, completed=done, total=total, item=item[:40])
