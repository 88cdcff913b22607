"""Targets in a table that a Word-to-text conversion wrote one cell per line (each cell opens with a tab).

The layout plans use for per-county plans (附件 …年度计划表): a header row of year groups (2024年基数,
2025年目标 …), a header row of column labels (有机农产品基地面积, 有机农产品数量 …), then one row per
region: its name and one number per column. Columns divide evenly among the year groups; a column
under a 目标 group is a target of that year, under 基数 a baseline (left out, with the reason). The unit
is the table's (单位：万亩) for an amount, 个 for a count (…数量, …个数).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_YEAR_GROUP = re.compile(r"(20\d{2})\s*年\s*(目标|基数|计划|任务)?")
_TABLE_UNIT = re.compile(r"(?<![头任合])单位[:：]\s*([^\s，,。、；;（）()]{1,4})\s*$")  # not 牵头单位：…


@dataclass(frozen=True)
class TableFigure:
    region_label: str
    label: str
    year: int
    is_target: bool
    value: float
    unit: str
    quote: str
    section: str


def _cells(lines: list[str]) -> list[str]:
    cells: list[str] = []
    for line in lines:
        if line.startswith("\t"):
            cells.append(line.strip())
        elif cells and line.strip():
            cells[-1] += line.strip()  # a label broken over lines
    return cells


def table_figures(text: str, region_labels: set[str]) -> list[TableFigure]:
    """Every figure of every one-cell-per-line table whose rows open with a region (or 全市, 合计)."""
    lines = text.split("\n")
    found: list[TableFigure] = []
    index = 0
    while index < len(lines):
        if not lines[index].startswith("\t"):
            index += 1
            continue
        start = index
        while index < len(lines) and (
            lines[index].startswith("\t") or not lines[index].strip() or not _ends(lines[index])
        ):
            index += 1
            if index - start > 2000:
                break
        found += _table(lines[max(0, start - 12) : start], _cells(lines[start:index]), region_labels)
    return found


def _ends(line: str) -> bool:
    """A line of prose (a sentence's end) closes the table."""
    return bool(re.search(r"[。；]$", line.strip()))


def _table(before: list[str], cells: list[str], region_labels: set[str]) -> list[TableFigure]:
    rows: list[tuple[str, list[str]]] = []
    header: list[str] = []
    position = 0
    while position < len(cells):
        cell = cells[position]
        numbers = []
        ahead = position + 1
        while ahead < len(cells) and _NUMBER.match(cells[ahead]):
            numbers.append(cells[ahead])
            ahead += 1
        if (cell in region_labels or cell in ("全市", "合计", "全县", "全区")) and len(numbers) >= 2:
            rows.append((cell, numbers))
            position = ahead
            continue
        if not rows and cell:
            header.append(cell)
        position += 1
    if not rows:
        return []
    width = len(rows[0][1])
    groups = [(int(m.group(1)), m.group(2) or "目标") for cell in header if (m := _YEAR_GROUP.search(cell))]
    labels = [cell for cell in header if not _YEAR_GROUP.search(cell)]
    if not groups or width % len(groups) or len(labels) != width:
        return []
    per_group = width // len(groups)
    unit_match = next((m for line in reversed(before) for m in [_TABLE_UNIT.search(line.strip())] if m), None)
    table_unit = unit_match.group(1) if unit_match else ""
    section = next((line.strip() for line in reversed(before) if line.strip() and "单位" not in line), "附表")
    figures = []
    for region, numbers in rows:
        if len(numbers) != width:
            continue
        quote = " ".join([region, *numbers])
        for column, (label, number) in enumerate(zip(labels, numbers, strict=True)):
            year, role = groups[column // per_group]
            unit = "个" if re.search(r"数量|个数|数$", label) else table_unit
            if not unit:
                continue
            figures.append(TableFigure(region, label, year, role != "基数", float(number), unit, quote, section))
    return figures
