"""Writing the synthetic province as a registry folder, with the catalogue entries its plans use copied in."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from planwatch.registry.reference import YAML_LOADER
from planwatch.sample.province.drafts import PlanDraft
from planwatch.sample.province.geography import Province, build_province
from planwatch.sample.province.plans import INDICATORS_USED, build_plans

MARKER = "# Synthetic registry written by `planwatch sample --scale province`"
SYNTHETIC_HEADER = (
    "# SYNTHETIC: written by `planwatch sample --scale province` (seed {seed}). The province (code 990000, which\n"
    "# no real province has), its cities, counties and departments are made up; none is a real government.\n"
)


@dataclass(frozen=True)
class ProvinceRegistry:
    path: Path
    plans: int
    cities: int
    counties: int
    departments: int
    targets: int
    milestones: int


class CatalogueError(ValueError):
    """The catalogue the synthetic plans reuse lacks an indicator or unit they need."""


def _yaml(document: object, header: str = "") -> str:
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


def _read_entries(folder: Path, key: str, id_field: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """id → (file name, entry as written) over every file of a catalogue folder."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*.yml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
        for entry in document.get(key) or []:
            found.setdefault(str(entry[id_field]), (path.name, entry))
    return found


def _catalogue_files(catalogue_dir: Path, drafts: list[PlanDraft], seed: int) -> dict[str, str]:
    """The indicators the plans use, and the unit files that define their units, copied unchanged:
    relative path → text (read before anything is written: the catalogue may be a synthetic registry itself)."""
    indicators = _read_entries(catalogue_dir / "reference" / "indicators", "indicators", "indicator_code")
    used = set(INDICATORS_USED) | {str(target["indicator_code"]) for draft in drafts for target in draft.targets}
    missing = sorted(used - set(indicators))
    if missing:
        raise CatalogueError(
            f"{catalogue_dir / 'reference' / 'indicators'} lacks {', '.join(missing)}: point --plans-dir at a "
            "registry with the launch catalogue (plans/)"
        )
    used |= {
        str(entry[part])
        for _, entry in (indicators[code] for code in sorted(used))
        for part in ("numerator", "denominator")
        if entry.get(part)
    }
    by_file: dict[str, list[dict[str, Any]]] = {}
    for code, (file_name, entry) in indicators.items():
        if code in used:
            by_file.setdefault(file_name, []).append(entry)
    header = SYNTHETIC_HEADER.format(seed=seed)
    files = {}
    for file_name, entries in sorted(by_file.items()):
        note = f"# Copied unchanged from the launch catalogue's reference/indicators/{file_name}: the ones used here.\n"
        files[f"reference/indicators/{file_name}"] = _yaml({"indicators": entries}, header + note)
    units = _read_entries(catalogue_dir / "reference" / "units", "units", "unit")
    wanted = {str(entry["canonical_unit"]) for _, entry in (indicators[code] for code in used)}
    wanted |= {str(target["unit"]) for draft in drafts for target in draft.targets}
    lacking = sorted(wanted - set(units))
    if lacking:
        raise CatalogueError(f"{catalogue_dir / 'reference' / 'units'} lacks the units {', '.join(lacking)}")
    for file_name in sorted({"common.yml"} | {units[unit][0] for unit in wanted}):
        text = (catalogue_dir / "reference" / "units" / file_name).read_text(encoding="utf-8")
        if not text.startswith(header):  # copied from a synthetic registry: its header is there already
            text = header + f"# Copied unchanged from the launch catalogue's reference/units/{file_name}.\n" + text
        files[f"reference/units/{file_name}"] = text
    return files


def _reference_files(province: Province, seed: int) -> dict[str, str]:
    header = SYNTHETIC_HEADER.format(seed=seed)
    place = province.place
    note = "# The province (GB/T 2260 structure: province XX0000, city XXYY00, county XXYYZZ).\n"
    files = {"reference/regions/province.yml": _yaml({"regions": [place.as_entry()]}, header + note)}
    own = [d.as_entry() for d in province.departments if d.region == place.code]
    files["reference/departments/province.yml"] = _yaml(
        {"departments": own}, header + "# The province's departments.\n"
    )
    for city in province.cities:
        codes = {city.place.code} | {county.code for county in city.counties}
        note = f"# {city.place.name} and its district and counties (district XXYY02, counties from XXYY21).\n"
        entries = [city.place.as_entry()] + [county.as_entry() for county in city.counties]
        files[f"reference/regions/{city.place.slug}.yml"] = _yaml({"regions": entries}, header + note)
        own = [d.as_entry() for d in province.departments if d.region in codes]
        note = f"# Departments of {city.place.name} and of its counties that issue plans, as the texts name them.\n"
        files[f"reference/departments/{city.place.slug}.yml"] = _yaml({"departments": own}, header + note)
    return files


def _decisions(draft: PlanDraft) -> str:
    lines = [
        f"# {draft.plan_id}: decisions",
        "",
        "A synthetic plan (`planwatch sample --scale province`): every quantitative target and dated milestone",
        "of its text is in the registry; nothing in the text was judged not a target.",
    ]
    for milestone in draft.milestones:
        if milestone["lead_unit"] is None:
            lines += [
                "",
                f"- `{milestone['milestone_id']}`: the text names no lead unit (“{milestone['source_quote']}”); "
                f"lead_unit null, its progress is due from the reporting unit {draft.reporting_unit}.",
            ]
    return "\n".join(lines) + "\n"


def write_province_registry(target_dir: Path, seed: int, catalogue_dir: Path) -> ProvinceRegistry:
    """Write the synthetic province's registry into `target_dir` (replacing one written before), reusing the
    indicators and units of the registry at `catalogue_dir`; the same seed writes the same bytes."""
    province = build_province(random.Random(f"{seed}:province:geography"))
    drafts = build_plans(province, random.Random(f"{seed}:province:plans"))
    files = _catalogue_files(catalogue_dir, drafts, seed) | _reference_files(province, seed)
    header = SYNTHETIC_HEADER.format(seed=seed)
    for draft in drafts:
        note = f"# {draft.title} ({draft.issuer}). Decisions: decisions/{draft.plan_id}.md\n"
        files[f"{draft.plan_id}.yml"] = _yaml(draft.as_document(), header + note)
        files[f"source/{draft.plan_id}.txt"] = draft.text()
        files[f"decisions/{draft.plan_id}.md"] = _decisions(draft)
    files["README.md"] = (
        f"{MARKER} (seed {seed}).\n\nOne made-up province (990000 {province.place.name}), "
        f"{len(province.cities)} cities, {len(province.counties)} counties, {len(province.departments)} departments, "
        f"{len(drafts)} plans. Check it with `PLANWATCH_PLANS_DIR=<this folder> planwatch plans check`.\n"
    )
    readme = target_dir / "README.md"
    if target_dir.exists() and any(target_dir.iterdir()):
        if not (readme.exists() and readme.read_text(encoding="utf-8").startswith(MARKER)):
            raise FileExistsError(f"{target_dir} exists and is not a synthetic registry: choose another --out")
        shutil.rmtree(target_dir)  # a registry written before: a file of another seed must not stay behind
    for relative, text in sorted(files.items()):
        path = target_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return ProvinceRegistry(
        path=target_dir,
        plans=len(drafts),
        cities=len(province.cities),
        counties=len(province.counties),
        departments=len(province.departments),
        targets=sum(len(draft.targets) for draft in drafts),
        milestones=sum(len(draft.milestones) for draft in drafts),
    )
