"""Loading the target registry: every `plans/<plan_id>.yml` with the reference data beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from planwatch.registry.reference import YAML_LOADER, Problem, ReferenceData, load_reference
from planwatch.registry.schema import Plan


@dataclass
class Registry:
    plans_dir: Path
    plans: dict[str, Plan]
    plan_files: dict[str, Path]
    reference: ReferenceData
    problems: list[Problem] = field(default_factory=list)

    def plan_text(self, plan_id: str) -> str:
        return (self.plans_dir / self.plans[plan_id].source_text).read_text(encoding="utf-8")


def _item_label(document: dict, location: tuple) -> str:
    """`targets[3]` → that target's id, so an error names the item a person can search for."""
    if len(location) >= 2 and isinstance(location[1], int):
        items = document.get(location[0]) or []
        if location[1] < len(items) and isinstance(items[location[1]], dict):
            for key in ("target_id", "milestone_id", "parameter_id"):
                if key in items[location[1]]:
                    return str(items[location[1]][key])
        return f"{location[0]}[{location[1]}]"
    return str(document.get("plan_id", "-"))


def load_registry(plans_dir: Path) -> Registry:
    """Read and validate the schema of every plan file; problems are collected, not raised."""
    problems: list[Problem] = []
    reference = load_reference(plans_dir / "reference", problems)
    plans: dict[str, Plan] = {}
    plan_files: dict[str, Path] = {}
    for path in sorted(plans_dir.glob("*.yml")):
        try:
            document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
        except yaml.YAMLError as error:
            problems.append(Problem(str(path), "-", "yaml", f"not valid YAML: {error}"))
            continue
        if not isinstance(document, dict):
            problems.append(Problem(str(path), "-", "-", "a plan file must be a mapping with plan_id, targets, …"))
            continue
        try:
            plan = Plan.model_validate(document)
        except ValidationError as error:
            for detail in error.errors():
                location = detail["loc"]
                item = _item_label(document, location)
                where = ".".join(str(part) for part in location[2:] or location) or "-"
                problems.append(Problem(str(path), item, where, detail["msg"]))
            continue
        if plan.plan_id != path.stem:
            problems.append(Problem(str(path), plan.plan_id, "plan_id", f"must equal the file name '{path.stem}'"))
        if plan.plan_id in plans:
            problems.append(Problem(str(path), plan.plan_id, "plan_id", "duplicate plan_id"))
            continue
        plans[plan.plan_id] = plan
        plan_files[plan.plan_id] = path
    return Registry(plans_dir, plans, plan_files, reference, problems)
