"""Turning what a clerk typed into clean values: numbers, labels, units in headers, cell addresses.

Numbers typed as text arrive as strings: NFKC normalisation fixes full-width digits and signs,
thousands separators are stripped where they group by three (1,234,567.8), and placeholders ("—",
"-", "/", "无") mean "not reported". A number that could be read two ways ('3,21': a decimal comma or a
slipped thousands separator; '3 21') or that no float holds ('1e400') is refused, never guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
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
_GROUPED_BY_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DIGITS_AND_SEPARATORS = re.compile(r"^[+-]?[\d,]*(\.\d*)?$")
_DIGITS_APART = re.compile(r"\d\s+\d")  # '3 21': a thousands space or two numbers in one cell
_NUMBER_THEN_UNIT = re.compile(r"^([+-]?(?:\d[\d,，]*(?:\.\d*)?|\.\d+))([^\d.,，].*)$")
_PARENTHESISED = re.compile(r"[（(]\s*([^（）()]+?)\s*[)）]")
_UNIT_LEAD_IN = re.compile(r"^(?:计量)?单位[:：]")


class ErrorCell(str):
    """A cell Excel saved as an error (#DIV/0!, #N/A): its text is the error."""


class FormulaCell(str):
    """A formula saved without its result (=A1/A2): its text is the formula."""


class HiddenRowCell(str):
    """A figure in a row the clerk hid (not by a filter): its text is the figure as read. A hidden row
    holds what the clerk chose not to show (a draft, last period's figures), so it is not taken."""


class NotANumberError(ValueError):
    """The cell holds text that is not a number (e.g. 约三百)."""


class AmbiguousNumberError(NotANumberError):
    """The separators in the cell read two ways ('3,21', '1,2345', '3 21'): it is not guessed."""


class ErrorValueError(NotANumberError):
    """The cell holds an Excel error, not a number."""


class UncomputedFormulaError(NotANumberError):
    """The cell holds a formula whose result was never saved."""


class HiddenRowError(NotANumberError):
    """The figure is in a row the clerk hid."""


class FootnoteMarkError(NotANumberError):
    """A digit-like mark that is not a digit is in the cell ('44.97①', '10.3¹', '10²'): NFKC would make it one
    (44.971, 10.31, 102), and a footnote mark read as a digit is a wrong figure, so it is refused."""


class NonFiniteNumberError(NotANumberError):
    """The cell's number is beyond what a float holds ('1e400') or is not a number at all (NaN)."""


def _finite(number: float, typed: object) -> float:
    if not math.isfinite(number):
        raise NonFiniteNumberError(normalise_text(typed))
    return number


@lru_cache(maxsize=1 << 12)
def _has_digit_mark(text: str) -> bool:
    """Superscripts, subscripts, circled and parenthesised digits (Unicode 'No', other numbers): what NFKC
    turns into plain digits. Full-width digits are 'Nd' (decimal digits) and read as the digits they are."""
    return not text.isascii() and any(unicodedata.category(character) == "No" for character in text)


def _without_separators(text: str, typed: object) -> str:
    """`text` (compacted) with thousands separators removed where they group by three."""
    text = text.replace("，", ",")
    if "," not in text:
        return text
    if _GROUPED_BY_THOUSANDS.match(text):
        return text.replace(",", "")
    if _DIGITS_AND_SEPARATORS.match(text):
        raise AmbiguousNumberError(normalise_text(typed))
    return text  # not a bare number (125,000吨): the caller reads it otherwise


_WHITESPACE = re.compile(r"\s+")
# characters that show nothing (zero-width space and joiners, word joiner, BOM, soft hyphen): pasted from web
# pages and chat apps, they make 虎林市 unequal to 虎林市 and 12 no number; they carry nothing a clerk meant
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@lru_cache(maxsize=1 << 16)
def _normalise_string(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))).strip()


def normalise_text(value: object) -> str:
    """NFKC, no surrounding or doubled white space; None and non-text become their text form."""
    if value.__class__ is str:  # most cells: straight to the cache
        return _normalise_string(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalise_string(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=1 << 16)
def _compact_string(text: str) -> str:
    # the minus sign (U+2212) of Word and of pasted web tables is the sign a clerk meant; NFKC keeps it
    return _normalise_string(text).replace(" ", "").replace("\u2212", "-")


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
        return _finite(float(value), value)
    if isinstance(value, dt.date | dt.datetime | dt.time | dt.timedelta):
        raise NotANumberError(str(value))
    if isinstance(value, ErrorCell):
        raise ErrorValueError(str(value))
    if isinstance(value, FormulaCell):
        raise UncomputedFormulaError(str(value))
    if isinstance(value, HiddenRowCell):
        raise HiddenRowError(str(value))
    if isinstance(value, str) and _has_digit_mark(value):
        raise FootnoteMarkError(value.strip())
    text = compact(value)
    if text.lower() in PLACEHOLDERS:
        return None
    if _DIGITS_APART.search(normalise_text(value)):
        raise AmbiguousNumberError(normalise_text(value))
    text = _without_separators(text, value)
    if _NUMBER.match(text):
        number = _finite(float(text), value)
        if number == 0 and any(digit in text.lower().split("e")[0] for digit in "123456789"):
            raise NonFiniteNumberError(normalise_text(value))  # '1e-400': below what a float holds, not 0
        return number + 0.0  # '-0' is 0
    raise NotANumberError(normalise_text(value))


def number_with_unit(value: object) -> tuple[float, str] | None:
    """A figure typed with its unit in the cell (12.5万吨, 85%), as (number, unit text); None otherwise."""
    if not isinstance(value, str) or _has_digit_mark(value) or _DIGITS_APART.search(normalise_text(value)):
        return None
    match = _NUMBER_THEN_UNIT.match(compact(value))
    if match is None:
        return None
    try:
        number = float(_without_separators(match.group(1), value))
    except AmbiguousNumberError:
        return None
    return (number, match.group(2)) if math.isfinite(number) else None


@dataclass(frozen=True)
class Header:
    """A header cell split into its label and the unit in parentheses: 本月数（亿元） → 本月数, 亿元."""

    label: str
    unit: str | None


def split_header(value: object, knows: Callable[[str], bool] | None = None) -> Header:
    """A header's label and unit. With `knows` (the unit table's), the unit is the last bracket that holds a
    known unit, the rest the label: 农业总产值（农林牧渔业总产值）（亿元） → 农业总产值（农林牧渔业总产值）, 亿元;
    a header with no known unit in brackets keeps its first bracket as the unit (a misspelt unit is reported)."""
    text = compact(value)
    if knows is not None:
        for match in reversed(list(_PARENTHESISED.finditer(text))):
            unit = _unit_of(match.group(1))
            if unit and knows(unit):
                return Header(label=(text[: match.start()] + text[match.end() :]).strip(), unit=unit)
    return _split_header(text)


def _unit_of(bracketed: str) -> str:
    return _UNIT_LEAD_IN.sub("", bracketed.strip()).strip()


@lru_cache(maxsize=1 << 12)
def _split_header(text: str) -> Header:
    match = _PARENTHESISED.search(text)
    if match:
        label = (text[: match.start()] + text[match.end() :]).strip()
        return Header(label=label, unit=_unit_of(match.group(1)) or None)
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


def column_index(address: str | bytes) -> int:
    """The zero-based column of a column's letters or a cell address: A → 0, AA → 26, B7 → 1."""
    text = address.decode("ascii", "replace") if isinstance(address, bytes) else address
    number = 0
    for letter in text:
        if not "A" <= letter <= "Z":
            break
        number = number * 26 + ord(letter) - 64
    return number - 1


def header_label(cell: object, column: int) -> str:
    """A column's header as typed, or its letter when the header is blank or a placeholder (—, /): 备注, F列.

    A message reads “F列”不是本表可识别的数据列, never “—”不是…, which names no column a clerk can find."""
    label = normalise_text(cell)
    return label if label.lower() not in PLACEHOLDERS else f"{column_letter(column)}列"


def cell_address(row_index: int, column_index: int) -> str:
    """Zero-based row and column → A1 form."""
    return f"{column_letter(column_index)}{row_index + 1}"


def display(value: object) -> str:
    """A cell as a clerk typed it, for messages and quarantine records."""
    if value is None:
        return ""
    if isinstance(value, bool):  # as Excel shows it
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A text is blank (nothing left once normalised and compacted) only if it is white space to begin with:
# NFKC maps no other character to white space (checked over every code point), so `str.isspace`, in C,
# spares the normalising of every text that is not


def _blank_text(text: str) -> bool:
    return text.isspace() and _compact_string(text) == ""


def row_is_empty(row: list[object]) -> bool:
    """No cell holds anything but white space (a number, a date or a boolean is content)."""
    for cell in row:
        if cell is None or cell == "":
            continue
        if isinstance(cell, str) and _blank_text(cell):
            continue
        return False
    return True


def filled_count(row: list[object]) -> int:
    """How many of a row's cells hold something (what `row_is_empty` looks for): counted in C where it can be."""
    count = len(row) - row.count("") - row.count(None)
    if count:
        for cell in row:
            if cell.__class__ is str and cell.isspace() and _compact_string(cell) == "":
                count -= 1
    return count


def filled_columns(row: list[object]) -> list[int]:
    """The columns of a row's cells that hold something (what `row_is_empty` looks for)."""
    return [
        column
        for column, cell in enumerate(row)
        if cell is not None and cell != "" and not (isinstance(cell, str) and _blank_text(cell))
    ]
