"""Building small real submission files for ingestion tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl

from planwatch.ingest.run import ingest_files
from planwatch.ingest.store import FileResult
from planwatch.registry.load import load_registry

from .conftest import PLANS_DIR

REGISTRY = load_registry(PLANS_DIR)


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


def pingliang_table(rows: list[list[object]], title: str = "平凉市主要指标月报（2024年1-3月）") -> dict:
    return {"2024年3月": [[title], ["指标", "计量单位", "庄浪县", "静宁县"], *rows]}


def ingest(paths: list[Path], warehouse: Path, receipts: Path | None = None) -> list[FileResult]:
    return ingest_files(paths, warehouse, REGISTRY, receipts)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()
