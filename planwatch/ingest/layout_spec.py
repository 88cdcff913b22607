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
from pydantic import BaseModel, ConfigDict, Field, field_validator

from planwatch.ingest.template_format import Measure

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


class PeriodRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(pattern=r"^(sheet_name|title|column)$")
    pattern: str = Field(
        default=r"(?P<year>\d{4})\s*年\s*(?:1\s*[-—~至]\s*)?(?P<month>\d{1,2})\s*月",
        description="regular expression with named groups year and month",
    )

    @field_validator("pattern")
    @classmethod
    def _has_year_and_month(cls, pattern: str) -> str:
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise ValueError(f"not a regular expression: {error}") from None
        missing = {"year", "month"} - set(compiled.groupindex)
        if missing:
            raise ValueError(f"the pattern needs the named groups {', '.join(sorted(missing))}")
        return pattern


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


class LayoutSpecError(ValueError):
    """A source spec that cannot be used; the message names the file."""


def load_layouts(*extra_folders: Path | None) -> list[LayoutSpec]:
    """The built-in layout specs, then those of `extra_folders`, each folder in file-name order.

    A file is recognised by the first spec that matches it, so a deployment's own specs come after
    the built-in ones; two specs with one layout_id are an error.
    """
    specs: list[LayoutSpec] = []
    seen: dict[str, Path] = {}
    for folder in (LAYOUTS_DIR, *(f for f in extra_folders if f is not None)):
        if not folder.is_dir():
            raise LayoutSpecError(f"{folder}: the folder of source specs does not exist")
        for path in sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]):
            try:
                spec = LayoutSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            except (yaml.YAMLError, ValueError) as error:
                raise LayoutSpecError(f"{path}: not a valid source spec: {error}") from None
            if spec.layout_id in seen:
                raise LayoutSpecError(
                    f"{path}: layout_id {spec.layout_id!r} is already defined in {seen[spec.layout_id]}"
                )
            if spec.orientation is Orientation.long and spec.long_columns is None:
                raise LayoutSpecError(f"{path}: a long layout needs long_columns")
            seen[spec.layout_id] = path
            specs.append(spec)
    return specs
