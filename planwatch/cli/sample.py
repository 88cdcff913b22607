"""`planwatch sample`: write the sample data the departments of the five plans would have sent.

With `--scale province` it first writes a synthetic provincial registry (`planwatch.sample.province`) into
`<out>/registry` and writes the sample of that registry's plans instead.
"""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from planwatch.cli import arguments
from planwatch.config import settings

if TYPE_CHECKING:
    from planwatch.registry.load import Registry

console = Console(stderr=True)


class Scale(StrEnum):
    default = "default"  # the registry's own plans
    province = "province"  # a synthetic province written into <out>/registry first


def _province_registry(out: Path, seed: int, catalogue_dir: Path) -> Registry:
    """Write the synthetic province's registry under `out` and load it; it must pass `plans check`."""
    from planwatch.registry.check import check_registry
    from planwatch.registry.load import load_registry
    from planwatch.sample.province import write_province_registry
    from planwatch.sample.province.registry import CatalogueError
    from planwatch.sample.records import REGISTRY_FOLDER

    try:
        written = write_province_registry(out / REGISTRY_FOLDER, seed, catalogue_dir)
    except (CatalogueError, FileExistsError) as error:
        arguments.fail(str(error))
    registry = load_registry(written.path)
    problems = check_registry(registry)
    if problems:
        arguments.fail(
            f"the synthetic registry does not pass plans check: {problems[0]} (and {len(problems) - 1} more)"
        )
    print(
        f"synthetic registry: {written.plans} plans, {written.cities} cities, {written.counties} counties, "
        f"{written.departments} departments, {written.targets} targets, {written.milestones} milestones, "
        f"in {written.path}"
    )
    return registry


def sample(
    until: Annotated[str, typer.Option(help="last month to write, YYYY-MM")],
    out: Annotated[Path, typer.Option(help="folder to write the sample into")],
    seed: Annotated[int, typer.Option(help="the same seed writes the same bytes")] = 42,
    mess: Annotated[float, typer.Option(help="share of files (0..1) that come in messy")] = 0.0,
    mistakes: Annotated[
        float | None,
        typer.Option(help="share of monthly files (0..1) with a clerk's mistake in a figure (default: --mess)"),
    ] = None,
    plans_dir: Annotated[
        Path | None,
        typer.Option(
            help="registry folder (default: plans/ from the configuration); with --scale province, the "
            "catalogue whose indicators and units the synthetic plans reuse"
        ),
    ] = None,
    scale: Annotated[
        Scale,
        typer.Option(
            help="default: the registry's plans; province: a synthetic province (14 cities, 100+ counties, "
            "a dozen plans) written into <out>/registry, then its sample"
        ),
    ] = Scale.default,
) -> None:
    """Write every month's filled templates and statistics-bureau tables, with manifest and truth."""
    from planwatch.registry.load import load_registry
    from planwatch.sample.generate import generate_sample, sample_periods

    until = str(arguments.month(until, "--until"))
    for name, rate in (("--mess", mess), ("--mistakes", mistakes)):
        if rate is not None and not 0.0 <= rate <= 1.0:
            arguments.fail(f"{name} {rate}: a share between 0 and 1")
    catalogue = plans_dir or settings().plans_path
    registry = _province_registry(out, seed, catalogue) if scale is Scale.province else load_registry(catalogue)
    months = sample_periods(registry, until)
    if not months:
        arguments.fail(f"no plan of the registry reports in any month up to {until}")
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("sample", total=len(months))

        def advance(period: str) -> None:
            progress.update(task, advance=1, description=f"sample {period}")

        result = generate_sample(
            registry,
            out,
            until,
            seed=seed,
            mess_rate=mess,
            on_month=advance,
            mistake_rate=mess if mistakes is None else mistakes,
        )
    messy = sum(1 for item in result.files if item.mess_kinds)
    injected = sum(len(item.mistakes) for item in result.files)
    observations = sum(len(item.observations) for item in result.files)
    span = f"{months[0]}..{months[-1]}" if months else "no months"
    print(
        f"{len(result.files)} files ({messy} messy, {injected} mistakes), {observations} observations, {span}, "
        f"seed {seed}, in {out} ({time.perf_counter() - started:.1f}s)"
    )
