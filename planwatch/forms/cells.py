"""Cell-level rules every workbook planwatch writes follows: safe text, sheet names, number formats.

Text that comes from data (names, remarks, a clerk's figures written as text) is stored as a string
cell, never as a formula: a spreadsheet treats text starting with `=`, `+`, `-` or `@` as a formula,
and a registry entry or a pasted value must not run in a clerk's Excel (CSV/formula injection).
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell

from planwatch.registry.reference import UnitTable

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_LIMIT = 31  # Excel refuses longer sheet names
_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def set_text(cell: Cell, text: str) -> None:
    """Store `text` as a plain string, also when it looks like a formula or an error code."""
    cell.value = text
    # openpyxl turns "=…" into a formula and "#N/A" into an error when the value is bound; forcing the
    # type back keeps the characters as typed. The quote prefix makes Excel keep it text when edited.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def csv_safe(text: str) -> str:
    """A text field for a CSV file that a spreadsheet will not evaluate (the OWASP advice: prefix ')."""
    return "'" + text if is_formula_like(text) else text


def excel_sheet_name(wanted: str, taken: set[str]) -> str:
    """`wanted` made a valid, unused Excel sheet name: no []:*?/\\, at most 31 characters, unique.

    Excel compares sheet names case-insensitively, so `taken` is compared that way too.
    """
    base = _FORBIDDEN_IN_SHEET_NAMES.sub("_", wanted).strip("'").strip() or "Sheet"
    base = base[:SHEET_NAME_LIMIT]
    lowered = {name.casefold() for name in taken}
    candidate, number = base, 2
    while candidate.casefold() in lowered:
        suffix = f"_{number}"
        candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        number += 1
    return candidate


def decimals_for(unit_table: UnitTable, unit: str) -> int:
    """Decimal places a figure in `unit` is reported with: whole counts, 1 for %, 2 otherwise (亿元, 万吨)."""
    if not unit_table.knows(unit):
        return 2
    found = unit_table.lookup(unit)
    if found.dimension == "percent":
        return 1
    if found.factor == 1 and found.dimension in {"count", "head"}:
        return 0
    return 2


def number_format_for(decimals: int) -> str:
    return "#,##0" if decimals == 0 else "#,##0." + "0" * decimals
