"""Source specs: how a statistics table's layout maps to observations (one YAML per layout).

A statistics bureau publishes its tables in its own layout; a new layout is a new spec, not new
code: the built-in specs are in `planwatch/ingest/layouts/`, a deployment's own go in the folder the
setting `layouts_dir` names (`PLANWATCH_LAYOUTS_DIR`). Three orientations cover the tables seen so far:

- `regions_as_columns`: indicators as rows, regions as columns (one sheet per month, a title row
  with the period, a unit column or a unit row, notes under the table); a column headed by a
  measure instead (本月, 1-6月, 本年累计, 上年同期) holds the figures of one region: the spec's
  `region`, else the sender's city, else the region the title names;
- `regions_as_rows`: the transpose: regions as rows, indicators as columns, each indicator header
  with its unit in parentheses (农产品加工业产值（亿元）) or a unit row under the header;
- `long`: one observation per row, with columns for indicator, region, period, value and unit
  (the exports of statistics systems, often GBK-encoded CSV).
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from planwatch.periods import MONTHS_PER_PERIOD, Granularity
from planwatch.template_format import Measure

LAYOUTS_DIR = Path(__file__).parent / "layouts"


class Orientation(StrEnum):
    regions_as_columns = "regions_as_columns"
    regions_as_rows = "regions_as_rows"
    long = "long"


class Detection(BaseModel):
    """How a file is recognised as this layout: words found in its first rows."""

    model_config = ConfigDict(extra="forbid")
    any_text: list[str] = Field(default_factory=list, description="one of these appears in the first rows")
    all_headers: list[str] = Field(default_factory=list, description="the header row holds all of these")
    scan_rows: int = 10


# The named groups a period pattern of each granularity must have, and the values each group may
# take (as a clerk writes them: 3, 03, 三; 2, 二; 上, 下).
_CHINESE_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
PERIOD_GROUPS: dict[Granularity, dict[str, dict[str, int]]] = {
    Granularity.month: {
        "month": {
            **{str(n): n for n in range(1, 13)},
            **{f"{n:02d}": n for n in range(1, 10)},
            **{word: n for n, word in enumerate(_CHINESE_NUMBERS, start=1)},
        }
    },
    Granularity.quarter: {
        "quarter": {**{str(n): n for n in range(1, 5)}, **{word: n for n, word in enumerate(_CHINESE_NUMBERS[:4], 1)}}
    },
    Granularity.half_year: {"half": {"上": 1, "下": 2, "1": 1, "2": 2, "一": 1, "二": 2}},
    Granularity.year: {},
}
_GRANULARITY_WORDS = {"季度": Granularity.quarter, "季": Granularity.quarter, "半年": Granularity.half_year}


def _group_pattern(pattern: str, name: str) -> str | None:
    """The sub-pattern of the named group `name` in `pattern` (its balanced parentheses)."""
    start = pattern.find(f"(?P<{name}>")
    if start < 0:
        return None
    depth, index, body = 0, start, start + len(f"(?P<{name}>")
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        depth += char == "("
        depth -= char == ")"
        if depth == 0:
            return pattern[body:index]
        index += 1
    return None


class PeriodRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(pattern=r"^(sheet_name|title|column)$")
    granularity: Granularity = Field(
        default=Granularity.month, description="what one period covers: month, quarter, half_year or year"
    )
    pattern: str | None = Field(
        default=None,
        description="regular expression with the named group year and, by granularity, month (1–12), "
        "quarter (1–4), half (上/下); default: the granularity's usual forms",
    )

    @model_validator(mode="after")
    def _pattern_yields_periods(self) -> PeriodRule:
        if self.pattern is None:
            return self
        try:
            compiled = re.compile(self.pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        wanted = {"year", *PERIOD_GROUPS[self.granularity]}
        missing = wanted - set(compiled.groupindex)
        if missing:
            raise ValueError(f"a {self.granularity.value} pattern needs the named groups {', '.join(sorted(missing))}")
        word, written_as = next(((w, g) for w, g in _GRANULARITY_WORDS.items() if w in self.pattern), ("", None))
        if written_as is not None and written_as is not self.granularity:
            groups = ", ".join(PERIOD_GROUPS[written_as]) or "year"
            raise ValueError(
                f"the pattern reads a {written_as.value} ({word}) but the granularity is "
                f"{self.granularity.value}: set granularity: {written_as.value} and name its group "
                f"{groups}, or a {written_as.value} would be filed as a month"
            )
        for name, values in PERIOD_GROUPS[self.granularity].items():
            group = re.compile(_group_pattern(self.pattern, name) or ".*")
            if not any(group.fullmatch(text) for text in values):
                raise ValueError(
                    f"the group {name} of the pattern can never match a valid {name} "
                    f"({', '.join(list(values)[:12])}…): no {self.granularity.value} could be read"
                )
        return self

    def last_month(self, match: re.Match[str]) -> int | None:
        """The month a match of the pattern ends in (第2季度 → 6); None when a group holds no valid value
        (a month 13, a quarter 5)."""
        if self.granularity is Granularity.year:
            return 12
        [(name, values)] = PERIOD_GROUPS[self.granularity].items()
        number = values.get(match[name].strip()) if match[name] is not None else None
        return None if number is None else number * MONTHS_PER_PERIOD[self.granularity]


class LongColumns(BaseModel):
    """Header names (any of the aliases) of a long layout's columns."""

    model_config = ConfigDict(extra="forbid")
    indicator: list[str]
    region: list[str]
    period: list[str]
    value: list[str]
    unit: list[str] = Field(default_factory=list)
    measure: list[str] = Field(default_factory=list)


class LayoutSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    layout_id: str
    description: str
    department: str | None = Field(default=None, description="who sends it, as the department name or alias")
    orientation: Orientation
    detect: Detection
    header_marker: list[str] = Field(description="the header row is the first row with a cell equal to one of these")
    period: PeriodRule
    measure: Measure = Measure.ytd_value
    header_rows: int | None = Field(
        default=None,
        ge=1,
        le=2,
        description="the rows the header takes; 2 when a row under the header row splits each column group "
        "(本月 | 1-6月 under each region or, counties as rows, under each indicator; 绝对量 | 同比增长% under each "
        "measure); None: two when "
        "the row under the header row holds only such headings, one otherwise",
    )
    unit_column: list[str] = Field(default_factory=list, description="header of a unit column, if any")
    unit_row: bool | None = Field(
        default=None,
        description="regions_as_rows: a row of units under the header (None: recognised when every cell is a unit)",
    )
    long_columns: LongColumns | None = None
    indicator_labels: dict[str, str] = Field(
        default_factory=dict, description="row label (or long-layout indicator text) → indicator code"
    )
    measure_labels: dict[str, Measure] = Field(
        default_factory=dict, description="extra labels of measures (口径 cells, measure column headers)"
    )
    region: str | None = Field(
        default=None, description="regions_as_columns: the region (code or name) of measure columns"
    )
    note_prefixes: list[str] = Field(default_factory=lambda: ["注", "资料来源", "说明", "备注", "数据来源"])
    total_labels: list[str] = Field(default_factory=lambda: ["合计", "总计", "小计"])
    untracked_columns: list[str] = Field(
        default_factory=lambda: [
            *("序号", "备注", "说明"),
            *("同比增长", "同比增减", "同比", "增速", "增长率", "比上年增长", "比上年同期增长", "增长", "增减", "增幅"),
        ],
        description="headers of columns that hold no figure to track (a row number, a remark, a growth rate the "
        "marts compute themselves): their cells are "
        "counted as ignored with this reason; any other column the spec does not map is quarantined, value by value",
    )


class LayoutSpecError(ValueError):
    """A source spec that cannot be used; the message names the file."""


def load_spec(path: Path) -> LayoutSpec:
    """One source spec file, validated; LayoutSpecError naming the file when it cannot be used."""
    try:
        spec = LayoutSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as error:
        raise LayoutSpecError(f"{path}: not a valid source spec: {error}") from None
    if spec.orientation is Orientation.long and spec.long_columns is None:
        raise LayoutSpecError(f"{path}: a long layout needs long_columns")
    return spec


def load_layouts(*extra_folders: Path | None) -> list[LayoutSpec]:
    """The specs of `extra_folders` (a deployment's own), then the built-in ones, each folder in file-name order.

    A file is recognised by the first spec that matches it: a deployment's own spec comes first, so a
    table it describes is read its way (with its own indicator labels) even where a built-in spec would
    also match it. Two specs with one layout_id are an error.
    """
    specs: list[LayoutSpec] = []
    seen: dict[str, Path] = {}
    for folder in (*(f for f in extra_folders if f is not None), LAYOUTS_DIR):
        if not folder.is_dir():
            raise LayoutSpecError(f"{folder}: the folder of source specs does not exist")
        for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
            spec = load_spec(path)
            if spec.layout_id in seen:
                raise LayoutSpecError(
                    f"{path}: layout_id {spec.layout_id!r} is already defined in {seen[spec.layout_id]}"
                )
            seen[spec.layout_id] = path
            specs.append(spec)
    return specs
