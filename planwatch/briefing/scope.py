"""What a briefing speaks of: its plan, its region, its targets and its departments.

Every section that reads something month-wide (quality findings, submissions, quarantined rows) keeps
only what falls inside the scope, so a Zhangye finding never appears in a Hohhot briefing and one
county's late department never in another county's. A quality finding carries, over all its rows, the
plans, targets, regions and departments they belong to (`quality.check_results.scope`); the most
specific key decides: a target, else a region, else a department, else a plan. A finding with none of
them (a file nobody could attribute) belongs to no plan and is shown in the leadership summary only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    plan_id: str
    target_ids: frozenset[str]
    region_codes: frozenset[str]
    department_ids: frozenset[str]


def scope_entries(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The scope entries of a `quality.check_results` row ([] when the run stored none)."""
    raw = row.get("scope")
    if not raw:
        return []
    entries = json.loads(raw) if isinstance(raw, str) else raw
    return [dict(entry) for entry in entries]


def entry_in_scope(entry: Mapping[str, Any], scope: Scope) -> bool:
    """Whether one group of a finding's rows concerns the briefing (the most specific key decides)."""
    if entry.get("target_id"):
        return entry["target_id"] in scope.target_ids
    if entry.get("plan_id") and entry["plan_id"] != scope.plan_id:
        return False
    if entry.get("region_code"):
        return entry["region_code"] in scope.region_codes
    if entry.get("department_id"):
        return entry["department_id"] in scope.department_ids
    return bool(entry.get("plan_id"))


def rows_in_scope(row: Mapping[str, Any], scope: Scope) -> int:
    """How many of a finding's rows concern the briefing: 0 when none (or the finding is unattributed)."""
    return sum(int(entry.get("rows", 0)) for entry in scope_entries(row) if entry_in_scope(entry, scope))


def is_attributed(row: Mapping[str, Any]) -> bool:
    """Whether any group of the finding's rows names a plan, target, region or department."""
    return any(
        entry.get(key)
        for entry in scope_entries(row)
        for key in ("plan_id", "target_id", "region_code", "department_id")
    )


def plans_concerned(row: Mapping[str, Any], scopes: Iterable[Scope]) -> dict[str, int]:
    """For the leadership summary: the rows of a finding by the plan they concern."""
    counts: dict[str, int] = {}
    for scope in scopes:
        rows = rows_in_scope(row, scope)
        if rows:
            counts[scope.plan_id] = rows
    return counts
