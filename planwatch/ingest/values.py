"""Turning what a clerk typed into clean values: numbers, labels, units in headers, cell addresses.

Numbers typed as text arrive as strings: NFKC normalisation fixes full-width digits and signs,
thousands separators are stripped, and placeholders ("—", "-", "/", "无") mean "not reported".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDERS = {
    "",
    "-",
    "—",
    "——",
    "--",
    "－",
    "/",
    "／",
    "无",
    "空",
    "n/a",
    "na",
    "null",
    "none",
    "…",
    "...",
    "x",
    "×",
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_THEN_UNIT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([^\d.].*)$")
_PARENTHESISED = re.compile(r"[（(]\s*([^（）()]+?)\s*[)）]")


class NotANumberError(ValueError):
    """The cell holds text that is not a number (e.g. 约三百)."""


_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def _normalise_string(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def normalise_text(value: object) -> str:
    """NFKC, no surrounding or doubled white space; None and non-text become their text form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalise_string(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=1 << 16)
def _compact_string(text: str) -> str:
    return _normalise_string(text).replace(" ", "")


def compact(value: object) -> str:
    """A label for matching: normalised, with every space removed."""
    if isinstance(value, str):
        return _compact_string(value)
    return normalise_text(value).replace(" ", "")


def parse_number(value: object) -> float | None:
    """A cell's number; None for blank or a placeholder; NotANumberError for anything else."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise NotANumberError(str(value))
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise NotANumberError(str(value))
    text = compact(value)
    if text.lower() in PLACEHOLDERS:
        return None
    text = text.replace(",", "").replace("，", "")
    if _NUMBER.match(text):
        return float(text)
    raise NotANumberError(normalise_text(value))


def number_with_unit(value: object) -> tuple[float, str] | None:
    """A figure typed with its unit in the cell (12.5万吨, 85%), as (number, unit text); None otherwise."""
    if not isinstance(value, str):
        return None
    match = _NUMBER_THEN_UNIT.match(compact(value).replace(",", "").replace("，", ""))
    return (float(match.group(1)), match.group(2)) if match else None


@dataclass(frozen=True)
class Header:
    """A header cell split into its label and the unit in parentheses: 本月数（亿元） → 本月数, 亿元."""

    label: str
    unit: str | None


def split_header(value: object) -> Header:
    return _split_header(compact(value))


@lru_cache(maxsize=1 << 12)
def _split_header(text: str) -> Header:
    match = _PARENTHESISED.search(text)
    if match:
        label = (text[: match.start()] + text[match.end() :]).strip()
        unit = match.group(1).replace("单位:", "").replace("单位：", "").strip()
        return Header(label=label, unit=unit or None)
    return Header(label=text, unit=None)


@lru_cache(maxsize=1024)
def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_address(row_index: int, column_index: int) -> str:
    """Zero-based row and column → A1 form."""
    return f"{column_letter(column_index)}{row_index + 1}"


def display(value: object) -> str:
    """A cell as a clerk typed it, for messages and quarantine records."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_is_empty(row: list[object]) -> bool:
    """No cell holds anything but white space (a number, a date or a boolean is content)."""
    for cell in row:
        if cell is None or cell == "":
            continue
        if isinstance(cell, str) and _compact_string(cell) == "":
            continue
        return False
    return True
