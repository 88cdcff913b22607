"""一单位一单: each responsible department's own page of an issued briefing.

The plan's briefing narrowed to what one department leads (its targets, its milestones) and the
督办事项 it must answer, with their deadlines; rendered as HTML and PDF beside the briefing by
`planwatch issue`, each from a context archived with it, so it reproduces byte for byte like the rest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from planwatch.briefing.context import Briefing
from planwatch.briefing.gather import status_counts
from planwatch.briefing.render import write_html, write_pdf
from planwatch.briefing.templates import environment, fonts


class LetterItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str
    subject: str
    opened_period: str
    reply_due: dt.date


class Letter(BaseModel):
    """One department's page: the briefing narrowed to it, and its open items."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    department_name: str
    number: int  # its place among the plan's letters: file names sort by it
    briefing: Briefing
    items: tuple[LetterItem, ...]
    # of its targets and milestones, those the plan names no lead unit for: the department answers for them
    # as the plan's reporting unit, and the letter says so rather than 牵头
    targets_without_lead: int = 0
    milestones_without_lead: int = 0

    @property
    def file_stem(self) -> str:
        return f"{self.briefing.file_stem}_letter{self.number:02d}"


def department_letters(plan: Briefing, items: list[dict], fallback_unit: str | None) -> list[Letter]:
    """A letter for every department that leads a target or a milestone of the plan, or has open items.

    A target or milestone without a named lead unit goes to `fallback_unit` (the plan's reporting
    unit), as its 督办 does. `items` are the open 督办事项 (dicts from supervision.follow_up_items).
    """

    def unit(name: str | None) -> str | None:
        return name or fallback_unit

    names = sorted(
        {u for u in (unit(line.lead_unit) for line in plan.targets) if u}
        | {u for u in (unit(line.lead_unit) for line in plan.milestones) if u}
        | {item["department_name"] for item in items}
    )
    letters = []
    for number, name in enumerate(names, start=1):
        targets = tuple(line for line in plan.targets if unit(line.lead_unit) == name)
        milestones = tuple(line for line in plan.milestones if unit(line.lead_unit) == name)
        without_lead = sum(not line.lead_unit for line in targets), sum(not line.lead_unit for line in milestones)
        leads_any = sum(without_lead) < len(targets) + len(milestones)
        narrowed = plan.model_copy(
            update={
                "title": f"关于{name}{'牵头' if leads_any else '负责'}任务推进情况的通报",
                "targets": targets,
                "final_targets": (),
                "lagging": tuple(line for line in plan.lagging if unit(line.lead_unit) == name),
                "headline": (),
                "milestones": milestones,
                "counts": status_counts(list(targets)),
                "charts": (),
                "regions": (),
                "departments": (),
                "quality": (),
                "submissions": (),
                "corrections": (),
                "follow_up": None,
            }
        )
        own = tuple(
            LetterItem(
                item_id=item["item_id"],
                subject=item["subject"],
                opened_period=item["opened_period"],
                reply_due=item["reply_due"],
            )
            for item in items
            if item["department_name"] == name
        )
        letters.append(
            Letter(
                department_name=name,
                number=number,
                briefing=narrowed,
                items=own,
                targets_without_lead=without_lead[0],
                milestones_without_lead=without_lead[1],
            )
        )
    return letters


def render_letter(letter: Letter, out_dir: Path, formats: list[str]) -> list[Path]:
    """Write the letter as HTML and/or PDF, named ``<plan>_<region>_<YYYY-MM>_letterNN``."""
    template = environment().get_template("letter.html.j2")
    written = []
    for fmt in formats:
        if fmt not in ("html", "pdf"):
            continue
        html = template.render(briefing=letter.briefing, letter=letter, fonts=fonts(), raster_charts=fmt == "pdf")
        path = out_dir / f"{letter.file_stem}.{fmt}"
        written.append(write_html(html, path) if fmt == "html" else write_pdf(html, path))
    return written
