"""`planwatch plans propose FILE` and `planwatch plans accept DRAFT`: a new plan from its text, reviewed."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console

from planwatch.config import settings

console = Console(stderr=True, highlight=False, soft_wrap=True)

PlansDir = Annotated[Path | None, typer.Option(help="registry folder (default: plans/ from the configuration)")]


def propose(
    file: Annotated[
        Path, typer.Argument(help="the plan's text: .txt (UTF-8 or GBK), .docx, or a PDF with a text layer")
    ],
    plan_id: Annotated[str | None, typer.Option(help="id for the plan (default: from the file name)")] = None,
    plans_dir: PlansDir = None,
) -> None:
    """Draft the registry entry of a new plan into plans/drafts/<plan_id>.yml, every entry marked proposed."""
    from planwatch.onboarding.draft import DRAFTS, build, merge, plan_id_for, write_draft
    from planwatch.onboarding.plan_text import PlanTextError, read_plan_text
    from planwatch.onboarding.propose import propose as draft_plan
    from planwatch.registry.reference import load_reference

    plans = plans_dir or settings().plans_path
    started = time.perf_counter()
    try:
        text = read_plan_text(file)
    except PlanTextError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    reference = load_reference(plans / "reference")
    draft = draft_plan(text, reference)
    if not draft.extraction.targets:
        console.print(
            f"[red]{file}: no quantitative target found (no 到20XX年…达到 figure with a unit): is this a plan's "
            "text? Nothing was written.[/red]"
        )
        raise typer.Exit(code=1)
    plan = plan_id or plan_id_for(draft, reference, file.stem)
    path = plans / DRAFTS / f"{plan}.yml"
    content = build(draft, reference, plan, f"source/{plan}.txt")
    if path.exists():
        content = merge(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, content)
    write_draft(content, path)
    path.with_suffix(".txt").write_text(text.text, encoding="utf-8")
    if text.kind == "text" and file.resolve() != path.with_suffix(".txt").resolve():
        shutil.copystat(file, path.with_suffix(".txt"))
    meta = draft.metadata
    console.print(f"{file} → {path} in {time.perf_counter() - started:.2f}s")
    console.print(
        f"  {meta.title} ({meta.document_number or '无文号'}, {meta.issue_date or '日期未识别'}), {meta.horizon_note}"
    )
    console.print(
        f"  {len(content['targets'])} targets, {len(content['milestones'])} milestones proposed; "
        f"{len(content['left_out'])} passages left out (with the reason); "
        f"{len(draft.new_indicators)} indicators not in the catalogue"
    )
    console.print("review each entry (review.status: accepted or rejected), then `planwatch plans accept`")


def accept(
    draft: Annotated[Path, typer.Argument(help="the reviewed draft, plans/drafts/<plan_id>.yml")],
    plans_dir: PlansDir = None,
) -> None:
    """Write the accepted entries of a reviewed draft as plans/<plan_id>.yml and check the registry."""
    from planwatch.onboarding.draft import DraftError
    from planwatch.onboarding.draft import accept as accept_draft
    from planwatch.registry.check import check_registry
    from planwatch.registry.load import load_registry

    plans = plans_dir or settings().plans_path

    def problems() -> list[str]:
        return [str(problem) for problem in check_registry(load_registry(plans))]

    already = set(problems())  # another plan's problems are not this draft's to fix

    try:
        written = accept_draft(draft, plans, lambda: [problem for problem in problems() if problem not in already])
    except DraftError as error:
        console.print(str(error), style="red", markup=False)
        raise typer.Exit(code=1) from None
    for problem in sorted(already):
        console.print(f"[yellow]![/yellow] {problem} (there before this plan)")
    console.print(f"{written}: written; the registry's check passes for it")
