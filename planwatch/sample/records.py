"""What a sample records about itself: every file, every messy cell, every observation written.

`sample_manifest.json` holds the settings (generator, seed, mess_rate, until, periods), `files`
(path relative to the sample folder, sha256, department_id, period the figures are for, layout —
template, stats_bureau_regions_as_columns or stats_system_long_csv —, mess_kinds, is_revision,
number of observations, submitted_at: when it arrived, which is also its modification time) and
`cells`, one per messy cell: file, sheet, cell, mess_kind, expected ("read": the clean value is read
from it; "quarantine": ingestion must set its row aside; "ignored": not an observation — a blank, a
合计 row, an extra column, a title), indicator_code, region_code, period, measure and clean_value
(canonical unit; null for a blank or "—"), and `mistakes`, one per clerk's mistake injected
(`planwatch.sample.mistakes`): file, sheet, cell, kind, path (quarantine, gate or warning),
indicator_code, region_code, period, measure, clean_value and wrong_value. A whole row is
quarantined, so every figure of a quarantined row is listed. `sample_truth.csv` holds every observation
ingestion should read (file,
sheet, cell, indicator_code, region_code, period, measure, value in the canonical unit, is_revision)
and nothing it should not; `sample_milestone_truth.csv` does the same for the 重点项目进展 rows. A cell is
an A1 address in a workbook; in a CSV file it is `<line>:<column name>` (1-based line, the header
being line 1) and the sheet is empty.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from planwatch.template_format import Measure

MANIFEST_FILE = "sample_manifest.json"
TRUTH_FILE = "sample_truth.csv"
MILESTONE_TRUTH_FILE = "sample_milestone_truth.csv"
REGISTRY_FOLDER = "registry"  # a province sample's own registry, beside its months


class Layout(StrEnum):
    template = "template"
    stats_bureau_regions_as_columns = "stats_bureau_regions_as_columns"
    stats_system_long_csv = "stats_system_long_csv"


class Expected(StrEnum):
    read = "read"  # ingestion reads the clean value from the cell
    quarantine = "quarantine"  # ingestion must set the row aside with a reason
    ignored = "ignored"  # not an observation: a total, an extra column, a blank, a title


@dataclass
class Observation:
    """One figure written into a file, as ingestion should read it."""

    sheet: str
    cell: str
    indicator_code: str
    region_code: str
    period: str
    measure: Measure
    value: float  # canonical unit
    is_revision: bool = False


@dataclass
class MessyCell:
    sheet: str
    cell: str
    mess_kind: str
    expected: Expected
    indicator_code: str | None = None
    region_code: str | None = None
    period: str | None = None
    measure: str | None = None
    clean_value: float | None = None


@dataclass
class MilestoneObservation:
    sheet: str
    row: int
    milestone_id: str
    period: str
    state: str
    percent: float | None
    is_revision: bool = False


@dataclass
class SampleFile:
    """A file of the sample with what it holds; `observations` excludes cells that are not read."""

    path: str  # relative to the sample folder, with /
    department_id: str
    period: str
    layout: Layout
    mess_kinds: list[str] = field(default_factory=list)
    is_revision: bool = False
    observations: list[Observation] = field(default_factory=list)
    messy_cells: list[MessyCell] = field(default_factory=list)
    milestones: list[MilestoneObservation] = field(default_factory=list)
    sha256: str = ""
    submitted_at: str = ""  # ISO 8601 with offset: when the file arrived, also its modification time
    mistakes: list[InjectedMistake] = field(default_factory=list)


@dataclass
class InjectedMistake:
    """A clerk's mistake written into a cell (planwatch.sample.mistakes), with the path it must take."""

    sheet: str
    cell: str
    kind: str
    path: str  # quarantine | gate | warning
    indicator_code: str
    region_code: str
    period: str
    measure: str
    clean_value: float
    wrong_value: float | str  # a number, or the text typed instead of one


def manifest_document(files: list[SampleFile], settings: dict[str, object]) -> dict[str, object]:
    return {
        **settings,
        "files": [
            {
                "path": item.path,
                "sha256": item.sha256,
                "department_id": item.department_id,
                "period": item.period,
                "layout": item.layout.value,
                "mess_kinds": sorted(item.mess_kinds),
                "is_revision": item.is_revision,
                "observations": len(item.observations),
                "submitted_at": item.submitted_at,
            }
            for item in files
        ],
        "cells": [
            {
                "file": item.path,
                **{key: (value.value if isinstance(value, StrEnum) else value) for key, value in asdict(cell).items()},
            }
            for item in files
            for cell in item.messy_cells
        ],
        "mistakes": [{"file": item.path, **asdict(mistake)} for item in files for mistake in item.mistakes],
    }


def write_manifest(folder: Path, files: list[SampleFile], settings: dict[str, object]) -> Path:
    path = folder / MANIFEST_FILE
    text = json.dumps(manifest_document(files, settings), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _csv_text(header: list[str], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_truth(folder: Path, files: list[SampleFile]) -> Path:
    header = ["file", "sheet", "cell", "indicator_code", "region_code", "period", "measure", "value", "is_revision"]
    rows: list[list[object]] = [
        [
            item.path,
            row.sheet,
            row.cell,
            row.indicator_code,
            row.region_code,
            row.period,
            row.measure.value,
            repr(row.value),
            str(row.is_revision).lower(),
        ]
        for item in files
        for row in item.observations
    ]
    path = folder / TRUTH_FILE
    path.write_text(_csv_text(header, rows), encoding="utf-8")
    return path


def write_milestone_truth(folder: Path, files: list[SampleFile]) -> Path:
    header = ["file", "sheet", "row", "milestone_id", "period", "state", "percent", "is_revision"]
    rows: list[list[object]] = [
        [
            item.path,
            row.sheet,
            row.row,
            row.milestone_id,
            row.period,
            row.state,
            "" if row.percent is None else repr(float(row.percent)),
            str(row.is_revision).lower(),
        ]
        for item in files
        for row in item.milestones
    ]
    path = folder / MILESTONE_TRUTH_FILE
    path.write_text(_csv_text(header, rows), encoding="utf-8")
    return path
