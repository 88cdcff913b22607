"""The registry draft a reviewer works on: YAML in the registry's own format, each entry marked.

`plans propose` writes `plans/drafts/<plan_id>.yml`: the plan's metadata, every proposed target and
milestone with a `review` block (status proposed, confidence, and what the assistant was unsure of),
the passages left out and why, and what the reference lists lack (indicators, units, departments).
The reviewer corrects an entry and sets `review.status` to accepted (or rejected). A second `propose`
keeps every entry a reviewer touched and adds only proposals it does not already hold. `plans
accept` writes the accepted entries into `plans/<plan_id>.yml` and refuses while any is proposed.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from planwatch.onboarding.propose import Draft
from planwatch.registry.reference import ReferenceData, UnknownUnitError, load_reference

DRAFTS = "drafts"
PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"


class DraftError(ValueError):
    """The draft cannot be accepted as it stands; the message lists what to review."""


def plan_id_for(draft: Draft, reference: ReferenceData, stem: str) -> str:
    """An id from the file name (letters, digits, _), else from the region and the first year."""
    slug = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")
    if re.fullmatch(r"[a-z][a-z0-9_]{2,}", slug):
        return slug
    year = draft.metadata.period_start or draft.metadata.period_end or 0
    return f"plan_{draft.metadata.region_code or 'unknown'}_{year}"


def _unit(reference: ReferenceData, unit: str) -> tuple[str, bool]:
    try:
        return reference.unit_table.lookup(unit).unit, True
    except UnknownUnitError:
        return unit, False


def _target(index: int, plan_id: str, draft: Draft, reference: ReferenceData) -> dict[str, Any]:
    target = draft.extraction.targets[index]
    code, score = draft.indicator_matches[index]
    region = draft.region_codes[index] or draft.metadata.region_code
    unit, known_unit = _unit(reference, target.unit)
    notes = []
    if target.region_spelling in draft.new_regions:
        region = target.region_spelling  # the place as written, until the reference gives it a code
        notes.append(
            f"新地区：“{region}”不在 plans/reference/regions/ 中，请按 new_reference.regions 登记；"
            "登记后 `plans accept` 按名称换成其代码"
        )
    if code is None:
        notes.append(f"新指标：“{target.subject}”与指标目录中的指标都不相近，请在 plans/reference/indicators/ 中登记")
    else:
        notes.append(f"指标按名称匹配为“{reference.indicators[code].name}”（相似度{score:.2f}），请核对")
    if target.year_inherited:
        notes.append(target.year_inherited)
    if not known_unit:
        notes.append(f"单位“{target.unit}”不在单位目录中，请在 plans/reference/units/ 中登记")
    confidence = round(target.confidence * (0.5 + min(score, 1.0) / 2), 2)
    indicator = code or f"new_indicator_{index + 1:03d}"
    return {
        "target_id": f"{plan_id}.{indicator}.{region}.{target.year}",
        "indicator_code": indicator,
        "region": region,
        "target_year": target.year,
        "target_value": target.value,
        "unit": unit,
        "comparator": target.comparator,
        "kind": target.kind,
        "base_year": target.base_year,
        "baseline_value": None,
        "lead_unit": target.lead_unit,
        "responsible_units": target.responsible_units,
        "section": target.section or "（正文）",
        "source_quote": target.quote,
        "review": {"status": PROPOSED, "confidence": confidence, "notes": notes},
    }


def _milestone(index: int, plan_id: str, draft: Draft) -> dict[str, Any]:
    milestone = draft.extraction.milestones[index]
    import calendar

    day = calendar.monthrange(milestone.deadline_year, milestone.deadline_month)[1]
    return {
        "milestone_id": f"{plan_id}.ms.{index + 1:03d}",
        "project": milestone.project[:60],
        "description": milestone.project,
        "deadline": f"{milestone.deadline_year:04d}-{milestone.deadline_month:02d}-{day:02d}",
        "region": draft.metadata.region_code,
        "lead_unit": milestone.lead_unit,
        "responsible_units": milestone.responsible_units,
        "section": milestone.section or "（正文）",
        "source_quote": milestone.quote,
        "review": {"status": PROPOSED, "confidence": milestone.confidence, "notes": []},
    }


def _proposals(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry knows what it was proposed as (see merge), and no two share an id."""
    for entry in entries:
        entry["review"]["proposed_as"] = _proposed_as(entry)
    _unique_ids(entries, "target_id" if entries and "target_id" in entries[0] else "milestone_id")
    return entries


def _unknown_departments(draft: Draft, reference: ReferenceData) -> list[str]:
    """Lead and responsible units no department of the reference goes by (to add, with the alias)."""
    region = draft.metadata.region_code
    named = {
        unit
        for item in (*draft.extraction.targets, *draft.extraction.milestones)
        for unit in (item.lead_unit, *item.responsible_units)
        if unit
    }
    return sorted(unit for unit in named if region is None or not reference.resolve_department(unit, region))


_ISSUING_REGION = re.compile(r"^([\u4e00-\u9fff]{1,8}?(?:自治州|自治县|自治旗|省|市|县|区|旗|盟))")


def _unknown_regions(draft: Draft, reference: ReferenceData) -> list[str]:
    """The issuing region, as the issuer or the title names it, when the reference does not know it: every
    target's region is then blank, and the region and its townships are to be added first. Else the places
    the plan binds figures to that the reference lacks, each with its parent (the plan's region) and where
    the plan names it: their targets carry the name as their region until it is added."""
    meta = draft.metadata
    if meta.region_code is not None:
        parent = f"{reference.region_name(meta.region_code)} {meta.region_code}"
        return [f"{name}（上级：{parent}；原文：{quote}）" for name, quote in draft.new_regions.items()]
    for text in (meta.issuer, meta.title):
        found = _ISSUING_REGION.match(text or "")
        if found:
            return [found.group(1)]
    return ["（发文地区未识别）"]


def build(draft: Draft, reference: ReferenceData, plan_id: str, source_text: str) -> dict[str, Any]:
    meta = draft.metadata
    return {
        "plan_id": plan_id,
        "title": meta.title or "（标题未识别，请填写）",
        "issuer": meta.issuer or "（发文机关未识别，请填写）",
        "document_number": meta.document_number,
        "issue_date": meta.issue_date.isoformat() if meta.issue_date else None,
        "period_start": f"{meta.period_start}-01-01" if meta.period_start else None,
        "period_end": f"{meta.period_end}-12-31" if meta.period_end else None,
        "region": meta.region_code,
        "source_text": source_text,
        "reporting_unit": None,
        "statistics_unit": None,
        "horizon_note": meta.horizon_note,
        "targets": _proposals([_target(i, plan_id, draft, reference) for i in range(len(draft.extraction.targets))]),
        "milestones": _proposals([_milestone(i, plan_id, draft) for i in range(len(draft.extraction.milestones))]),
        "policy_parameters": [],
        "left_out": [
            {"source_quote": item.quote, "section": item.section, "reason": item.reason}
            for item in draft.extraction.left_out
        ],
        "new_reference": {
            "regions": _unknown_regions(draft, reference),
            "indicators": draft.new_indicators,
            "departments": _unknown_departments(draft, reference),
        },
    }


def _key(entry: dict[str, Any]) -> tuple:
    return (entry.get("source_quote"), entry.get("target_value"), entry.get("target_year"), entry.get("region"))


def _proposed_as(entry: dict[str, Any]) -> str:
    """What an entry was proposed as, kept in its review block: a reviewer corrects the entry's fields, and
    a rerun still knows the fresh proposal it would repeat."""
    fields = (entry.get("source_quote"), entry.get("target_value"), entry.get("target_year"), entry.get("deadline"))
    return hashlib.sha256(repr((*fields, entry.get("project"), entry.get("kind"))).encode()).hexdigest()[:12]


def _unique_ids(entries: list[dict[str, Any]], id_field: str) -> None:
    """Two proposals with one id (a level and its growth in one sentence): the later ones say their kind
    (…2025.growth_over_base, as the registry writes such pairs), then a number if that is taken too."""
    seen: set[str] = set()
    for entry in entries:
        identifier = entry[id_field]
        if identifier in seen and entry.get("kind") not in (None, "level"):
            identifier = f"{identifier}.{entry['kind']}"
        number = 2
        while identifier in seen:
            identifier = f"{entry[id_field]}.{number}"
            number += 1
        entry[id_field] = identifier
        seen.add(identifier)


def merge(previous: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """A rerun: every entry a reviewer touched stays as it is, and a fresh proposal it was made from is not
    proposed again however the reviewer corrected it; fresh proposals are added if new. The reviewer's
    plan fields (reporting and statistics units, metadata) and policy parameters stand."""
    merged = dict(fresh)
    for kind, id_field in (("targets", "target_id"), ("milestones", "milestone_id")):
        kept = [entry for entry in previous.get(kind) or [] if (entry.get("review") or {}).get("status") != PROPOSED]
        held = {_key(entry) for entry in kept} | {(entry.get("review") or {}).get("proposed_as") for entry in kept}
        merged[kind] = kept + [
            entry for entry in fresh[kind] if _key(entry) not in held and entry["review"].get("proposed_as") not in held
        ]
        _unique_ids(merged[kind], id_field)
    for field in (
        *("title", "issuer", "document_number", "issue_date", "period_start", "period_end", "region"),
        *("reporting_unit", "statistics_unit"),
    ):
        if previous.get(field) not in (None, fresh.get(field)):
            merged[field] = previous[field]  # the reviewer's correction of the metadata stands
    if previous.get("policy_parameters") and not fresh.get("policy_parameters"):
        merged["policy_parameters"] = previous["policy_parameters"]  # typed in by the reviewer
    return merged


def write_draft(content: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# planwatch plans propose: a DRAFT for review. For each entry, check it against its source_quote,\n"
        "# correct what is wrong and set review.status to accepted (or rejected); then `planwatch plans accept`.\n"
        "# left_out lists the passages with numbers that were not taken as targets, and why.\n"
    )
    path.write_text(header + yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    return path


_REGION_CODE = re.compile(r"^\d{6}(-[a-z0-9_]+)?$")


def _resolve_new_regions(plan: dict[str, Any], reference_dir: Path, draft_path: Path) -> None:
    """An accepted entry whose region is still a place's name (a place the reference lacked when the draft
    was proposed) takes the code the reference now gives that name, in its region and its id; a name the
    reference still lacks refuses the draft, naming it."""
    entries = [(entry, "target_id") for entry in plan["targets"]] + [
        (entry, "milestone_id") for entry in plan["milestones"]
    ]
    named = [
        (entry, key)
        for entry, key in entries
        if isinstance(entry.get("region"), str) and not _REGION_CODE.match(entry["region"])
    ]
    if not named:
        return
    reference = load_reference(reference_dir)
    within = plan.get("region") if plan.get("region") in reference.regions else None
    missing: dict[str, list[str]] = {}
    for entry, key in named:
        name = entry["region"]
        found = reference.resolve_region(name, within) or reference.resolve_region(name)
        if found is None:
            missing.setdefault(name, []).append(str(entry.get(key)))
            continue
        entry["region"] = found.code
        if isinstance(entry.get(key), str):
            entry[key] = entry[key].replace(f".{name}.", f".{found.code}.")
    if missing:
        listed = "; ".join(
            f"“{name}” ({len(ids)} accepted entries: {', '.join(ids[:3])}{' …' if len(ids) > 3 else ''})"
            for name, ids in missing.items()
        )
        raise DraftError(
            f"{draft_path}: region not in {reference_dir / 'regions'}: {listed}. Add each with its GB/T 2260 code "
            "and parent (new_reference.regions says where the plan names it), then accept again"
        )


def accept(draft_path: Path, plans_dir: Path, new_problems: Callable[[], list[str]] | None = None) -> Path:
    """Write the accepted entries as plans/<plan_id>.yml (refusing while any entry is still proposed).

    `new_problems` checks the registry with the plan in place: any problem it reports puts back what was
    there before (no file, or the plan's earlier version) and is raised, so a registry that fails its
    check is never left behind."""
    content = yaml.safe_load(draft_path.read_text(encoding="utf-8")) or {}
    waiting = [
        entry.get("target_id") or entry.get("milestone_id")
        for kind in ("targets", "milestones")
        for entry in content.get(kind) or []
        if (entry.get("review") or {}).get("status", PROPOSED) == PROPOSED
    ]
    if waiting:
        listed = ", ".join(str(item) for item in waiting[:10]) + (" …" if len(waiting) > 10 else "")
        raise DraftError(f"{draft_path}: {len(waiting)} entries still proposed ({listed}): review them first")
    plan = {key: value for key, value in content.items() if key not in ("left_out", "new_reference", "horizon_note")}
    for kind in ("targets", "milestones"):
        plan[kind] = [
            {key: value for key, value in entry.items() if key != "review"}
            for entry in content.get(kind) or []
            if (entry.get("review") or {}).get("status") == ACCEPTED
        ]
    if not plan["targets"]:
        raise DraftError(f"{draft_path}: no accepted target: a plan needs at least one")
    _resolve_new_regions(plan, plans_dir / "reference", draft_path)
    target = plans_dir / f"{plan['plan_id']}.yml"
    text_path = plans_dir / plan["source_text"]
    if not text_path.exists():  # the text as read (a .docx or .pdf's too), which every quote is checked against
        text_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(draft_path.with_suffix(".txt"), text_path)
    before = target.read_bytes() if target.exists() else None
    target.write_text(yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
    problems = new_problems() if new_problems is not None else []
    if problems:
        if before is None:
            target.unlink()
        else:
            target.write_bytes(before)
        listed = "\n".join(f"  ✗ {problem}" for problem in problems)
        raise DraftError(
            f"{target}: not written: with it the registry fails {len(problems)} check(s); fix the draft "
            f"{draft_path} and accept it again:\n{listed}"
        )
    return target
