"""Source specs: how a statistics table's layout maps to observations (one YAML per layout).

A statistics bureau publishes its tables in its own layout; a new layout is a new spec in
`planwatch/ingest/layouts/`, not new code. Two orientations cover the tables seen so far:

- `regions_as_columns`: indicators as rows, regions as columns (one sheet per month, a title row
  with the period, a unit column or a unit row, notes under the table);
- `long`: one observation per row, with columns for indicator, region, period, value and unit
  (the exports of statistics systems, often GBK-encoded CSV).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from planwatch.ingest.template_format import Measure

LAYOUTS_DIR = Path(__file__).parent / "layouts"


class Orientation(StrEnum):
    regions_as_columns = "regions_as_columns"
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
    long_columns: LongColumns | None = None
    indicator_labels: dict[str, str] = Field(
        default_factory=dict, description="row label (or long-layout indicator text) → indicator code"
    )
    measure_labels: dict[str, Measure] = Field(default_factory=dict)
    note_prefixes: list[str] = Field(default_factory=lambda: ["注", "资料来源", "说明", "备注", "数据来源"])
    total_labels: list[str] = Field(default_factory=lambda: ["合计", "总计", "小计"])


def load_layouts(folder: Path = LAYOUTS_DIR) -> list[LayoutSpec]:
    """Every layout spec, in file-name order."""
    return [
        LayoutSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.yml"))
    ]
