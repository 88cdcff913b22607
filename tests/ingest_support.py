"""Building small real submission files for ingestion tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import NamedTuple

import duckdb
import openpyxl

from planwatch.forms.layout import template_layout
from planwatch.ingest.run import ingest_files
from planwatch.ingest.store import FileResult
from planwatch.registry.load import load_registry
from planwatch.sample.series import SeriesBook
from planwatch.template_format import Measure

from .conftest import PLANS_DIR

REGISTRY = load_registry(PLANS_DIR)

# Plausible figures (the sample's own series): the plausibility review at ingest would rightly set
# aside a figure hundreds of times below its plan's level.
SERIES = SeriesBook(REGISTRY, seed=42, first_year=2020, last_year=2023)


def plausible_values(department_id: str, period: str) -> dict[tuple[str, str, Measure], float]:
    """A department's template figures for `period`, from the sample's series."""
    layout = template_layout(REGISTRY, department_id, period)
    year, month = (int(part) for part in period.split("-"))
    values = {}
    for sheet in layout.data_sheets:
        for region in sheet.region_codes:
            for measure in sheet.measures:
                figure = SERIES.series(sheet.indicator_code, region).figure(measure, year, month)
                if figure is not None:
                    values[(sheet.indicator_code, region, measure)] = figure
    return values


# A deployment's own quarterly statistics layout (regions as rows), as a spec file holds it.
QUARTERLY_SPEC = """
layout_id: county_quarterly_survey
description: 分县季度调查表（县区为行）
department: 平凉市统计局
orientation: regions_as_rows
detect:
  any_text: [季度调查]
header_marker: [单位名称]
period:
  source: title
  granularity: quarter
  pattern: "(?P<year>\\\\d{4})年第(?P<quarter>[1-4一二三四])季度"
measure: period_end_value
"""


def statistics_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A statistics-bureau workbook: sheet name → rows (title row first)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def pingliang_table(rows: list[list[object]], title: str = "平凉市统计局 平凉市主要指标月报（2024年1-3月）") -> dict:
    return {"2024年3月": [[title], ["指标", "计量单位", "庄浪县", "静宁县"], *rows]}


def ingest(paths: list[Path], warehouse: Path, receipts: Path | None = None) -> list[FileResult]:
    return ingest_files(paths, warehouse, REGISTRY, receipts)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


class Percentage(NamedTuple):
    """A number a spreadsheet stores as a fraction and shows as a percentage (0.8, shown 80%)."""

    stored: float


class Formula(NamedTuple):
    """A formula cell (=2.75*1) with its saved result, or none (a program wrote it, nobody recalculated)."""

    text: str
    result: float | None


def ods_bytes(rows: list[list[object]], sheet: str = "2024年3月") -> bytes:
    """A minimal OpenDocument spreadsheet (what WPS or LibreOffice saves), one sheet of `rows`; a
    `Percentage` is a number shown as a percentage (0.8 shown as 80%), a `Formula` a formula cell."""

    def cell(value: object) -> str:
        if isinstance(value, Formula):
            saved = "" if value.result is None else f' office:value-type="float" office:value="{value.result}"'
            shown = "" if value.result is None else f"<text:p>{value.result}</text:p>"
            return f'<table:table-cell table:formula="of:={value.text}"{saved}>{shown}</table:table-cell>'
        if isinstance(value, Percentage):
            kind = f'office:value-type="percentage" office:value="{value.stored}"'
            value = f"{value.stored * 100:g}%"
        elif isinstance(value, int | float):
            kind = f'office:value-type="float" office:value="{value}"'
        else:
            kind = 'office:value-type="string"'
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"

    body = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()
