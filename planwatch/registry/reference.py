"""Reference data the registry keys on: regions, departments, indicators and units.

Each kind lives in its own folder under `plans/reference/`, any number of YAML files that are merged;
a key defined twice is an error, not a silent override. `ReferenceData` answers the look-ups the
checker, the ingestion and the warehouse loader need, so that each is done one way only.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from planwatch.registry.schema import Department, Indicator, Region, Unit

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the registry, located well enough to fix it."""

    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.field}: {self.message}"


class UnknownUnitError(ValueError):
    pass


class IncompatibleUnitsError(ValueError):
    pass


@dataclass
class UnitTable:
    """The one unit converter: every unit with its dimension and factor to the dimension's base."""

    units: dict[str, Unit]
    _by_spelling: dict[str, Unit] = field(init=False)
    _factors: dict[tuple[str, str], float] = field(init=False)

    def __post_init__(self) -> None:
        self._by_spelling = {}
        self._factors = {}  # every file converts the same few pairs, thousands of times
        for unit in self.units.values():
            for spelling in (unit.unit, *unit.aliases):
                self._by_spelling[normalise_unit(spelling)] = unit

    def lookup(self, spelling: str) -> Unit:
        try:
            return self._by_spelling[normalise_unit(spelling)]
        except KeyError:
            raise UnknownUnitError(f"unknown unit {spelling!r}") from None

    def knows(self, spelling: str) -> bool:
        return normalise_unit(spelling) in self._by_spelling

    def factor(self, from_unit: str, to_unit: str) -> float:
        """The multiplier that turns a value in `from_unit` into `to_unit`."""
        known = self._factors.get((from_unit, to_unit))
        if known is not None:
            return known
        source, target = self.lookup(from_unit), self.lookup(to_unit)
        if source.dimension != target.dimension or source.counts != target.counts:
            raise IncompatibleUnitsError(
                f"{from_unit} ({source.dimension}, {source.counts}) cannot be converted to {to_unit} "
                f"({target.dimension}, {target.counts})"
            )
        factor = self._factors[(from_unit, to_unit)] = source.factor / target.factor
        return factor

    def convert(self, value: float, from_unit: str, to_unit: str) -> float:
        return value * self.factor(from_unit, to_unit)


@lru_cache(maxsize=4096)
def normalise_unit(spelling: str) -> str:
    text = unicodedata.normalize("NFKC", spelling).strip()
    for wrapper in "()（）[]【】":
        text = text.replace(wrapper, "")
    return text.replace("单位:", "").replace("单位：", "").replace(" ", "").lower()


@dataclass
class ReferenceData:
    regions: dict[str, Region]
    departments: dict[str, Department]
    indicators: dict[str, Indicator]
    unit_table: UnitTable
    sources: dict[tuple[str, str], str]  # (kind, key) -> file it came from

    def region_name(self, code: str) -> str:
        return self.regions[code].name

    def descendants_and_self(self, code: str) -> set[str]:
        cache = self.__dict__.setdefault("_descendants_cache", {})
        if code not in cache:
            cache[code] = self._descendants(code)
        return cache[code]

    def _descendants(self, code: str) -> set[str]:
        children: dict[str | None, list[str]] = defaultdict(list)
        for region in self.regions.values():
            children[region.parent_code].append(region.code)
        found, frontier = {code}, [code]
        while frontier:
            for child in children[frontier.pop()]:
                if child not in found:
                    found.add(child)
                    frontier.append(child)
        return found

    def ancestors_and_self(self, code: str) -> list[str]:
        chain = []
        current: str | None = code
        while current is not None and current in self.regions and current not in chain:
            chain.append(current)
            current = self.regions[current].parent_code
        return chain

    def resolve_department(self, spelling: str, plan_region: str) -> list[Department]:
        """Departments of the plan's region (or a region under it) that go by this name or alias."""
        key = (spelling, plan_region)
        cache = self.__dict__.setdefault("_department_cache", {})
        if key not in cache:
            cache[key] = self._resolve_department(spelling, plan_region)
        return cache[key]

    def _resolve_department(self, spelling: str, plan_region: str) -> list[Department]:
        """By full name in the plan's region, those above it and those under it; by alias in the plan's own
        region and those above it, and under it only by an alias that names its place (托县人民政府): a short
        name (市农业农村局, 农牧局) means the bureau of whichever government writes it. A city's plan that
        writes 市农业农村局 means the city's bureau, never a county-level city's under it that goes by the
        same short name; and where the plan's own region has one, it is that one, not the city's above."""
        wanted = spelling.strip()
        above = set(self.ancestors_and_self(plan_region))
        scope = self.descendants_and_self(plan_region) | above
        named = [d for d in self.departments.values() if d.region in scope and d.name == wanted]
        if named:
            return named
        aliased = [
            d
            for d in self.departments.values()
            if wanted in d.aliases and (d.region in above or (d.region in scope and self._names_its_region(wanted, d)))
        ]
        own = [d for d in aliased if d.region == plan_region]
        return own or aliased

    def _names_its_region(self, alias: str, department: Department) -> bool:
        """Whether an alias names the department's own place (托县人民政府, 庄浪县), so that it means the
        same whoever writes it; 市农业农村局 and 农牧局 name none."""
        region = self.regions.get(department.region)
        return region is not None and any(name in alias for name in (region.name, *region.aliases))

    def resolve_region(self, spelling: str, within: str | None = None) -> Region | None:
        """A region by code, name or alias; `within` restricts to a region and those under it."""
        wanted = spelling.strip()
        if wanted in self.regions:
            return self.regions[wanted]
        scope = self.descendants_and_self(within) if within else set(self.regions)
        matches = [
            region
            for region in self.regions.values()
            if region.code in scope and (region.name == wanted or wanted in region.aliases)
        ]
        return matches[0] if len(matches) == 1 else None


def _read_folder(
    folder: Path, list_key: str, model: type[Model], key_field: str, problems: list[Problem]
) -> tuple[dict[str, Model], dict[str, str]]:
    items: dict[str, Model] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        relative = str(path)
        try:
            document: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
        except yaml.YAMLError as error:
            problems.append(Problem(relative, "-", "yaml", f"not valid YAML: {error}"))
            continue
        entries = document.get(list_key, []) if isinstance(document, dict) else None
        if not isinstance(entries, list):
            problems.append(Problem(relative, "-", list_key, f"expected a list under '{list_key}:'"))
            continue
        for position, entry in enumerate(entries, start=1):
            label = (entry or {}).get(key_field, f"#{position}") if isinstance(entry, dict) else f"#{position}"
            try:
                item = model.model_validate(entry)
            except ValidationError as error:
                for detail in error.errors():
                    where = ".".join(str(part) for part in detail["loc"]) or "-"
                    problems.append(Problem(relative, str(label), where, detail["msg"]))
                continue
            key = str(getattr(item, key_field))
            if key in items:
                problems.append(
                    Problem(relative, key, key_field, f"duplicate {key_field}: already defined in {origin[key]}")
                )
                continue
            items[key] = item
            origin[key] = relative
    return items, origin


def load_reference(reference_dir: Path, problems: list[Problem] | None = None) -> ReferenceData:
    """Read every file of `plans/reference/`; schema errors and duplicates go to `problems`."""
    problems = [] if problems is None else problems
    regions, region_files = _read_folder(reference_dir / "regions", "regions", Region, "code", problems)
    departments, department_files = _read_folder(
        reference_dir / "departments", "departments", Department, "department_id", problems
    )
    indicators, indicator_files = _read_folder(
        reference_dir / "indicators", "indicators", Indicator, "indicator_code", problems
    )
    units, unit_files = _read_folder(reference_dir / "units", "units", Unit, "unit", problems)
    sources = {("region", k): v for k, v in region_files.items()}
    sources |= {("department", k): v for k, v in department_files.items()}
    sources |= {("indicator", k): v for k, v in indicator_files.items()}
    sources |= {("unit", k): v for k, v in unit_files.items()}
    return ReferenceData(regions, departments, indicators, UnitTable(units), sources)
