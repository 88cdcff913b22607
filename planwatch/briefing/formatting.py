"""Chinese number and date formatting for briefings: the one set of filters every template uses.

Quantities are rescaled to 万 or 亿 the way a municipal office writes them (``123456万元`` reads
``12.35亿元``), percentages keep one decimal (``85.0%``), differences of percentages are 百分点,
changes read 同比增长 / 同比下降, and dates read ``2025年10月``. Rounding is half-up on the decimal
value, not Python's banker's rounding on the binary float, so ``2.25`` shows ``2.3`` as a reader
expects. A missing value is ``—``. The number test formats the marts with these same functions, so a
briefing's figure and the mart's figure agree by construction of one rule, not two.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MISSING = "—"

# Units a reader expects rescaled between none, 万 and 亿: a noun counted or measured in bulk.
_SCALABLE_BASES = {"元", "吨", "亩", "头", "只", "羽", "人", "人次", "户", "支", "袋", "枚", "千克"}
_SCALE_OF_PREFIX = {"": 1, "万": 10**4, "亿": 10**8}
# Units counted one by one: shown as whole numbers when the value is whole.
COUNT_UNITS = {"个", "家", "项", "处", "座", "条", "名", "人", "户", "村", "场", "次", "款", "件", "枚"}

_CHINESE_DIGITS = "零一二三四五六七八九"


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def round_half_up(value: float, digits: int) -> Decimal:
    """Round as a reader does: 2.25 → 2.3, -2.25 → -2.3 (on the shortest decimal repr of the float)."""
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)


def fixed(value: Any, digits: int = 1) -> str:
    """A number with exactly `digits` decimals, half-up; ``—`` when missing. Never shows ``-0.0``."""
    if _is_missing(value):
        return MISSING
    rounded = round_half_up(float(value), digits)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:.{digits}f}"


def trimmed(value: Any, digits: int = 2) -> str:
    """A number with at most `digits` decimals, trailing zeros dropped: 16.50 → 16.5, 3.00 → 3."""
    text = fixed(value, digits)
    if text == MISSING or "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def _split_unit(unit: str) -> tuple[str, str] | None:
    """'万吨' → ('万', '吨') when the unit is a rescalable noun with an optional 万/亿 prefix."""
    for prefix in ("亿", "万", ""):
        if unit.startswith(prefix) and unit[len(prefix) :] in _SCALABLE_BASES:
            return prefix, unit[len(prefix) :]
    return None


def _precision(magnitude: float) -> int:
    """Decimals for a rescaled figure: three to four significant digits, at most two decimals."""
    if magnitude >= 1000:
        return 0
    if magnitude >= 100:
        return 1
    return 2


def scaled(value: Any, unit: str | None, digits: int | None = None) -> tuple[str, str]:
    """The number and unit as a briefing writes them: (``'12.35'``, ``'亿元'``).

    Rescalable units move to 亿 at 10⁸ of the base unit and to 万 at 10⁴, and down to the base unit
    below 10⁴ (``0.35万头`` → ``3500头``). Other units keep their unit; a ratio reads ``1.2:1``.
    `digits`, when given, is the least number of decimals kept (trailing zeros still dropped), for a
    figure that must not round onto the other side of a target.
    """
    unit = unit or ""
    if _is_missing(value):
        return MISSING, ""
    number = float(value)
    if unit in {"%", "％"}:
        return fixed(number, max(1, digits or 0)), "%"
    if unit == ":1":
        return trimmed(number, max(2, digits or 0)), ":1"
    split = _split_unit(unit)
    if split is None:
        if unit in COUNT_UNITS and float(round_half_up(number, 2)).is_integer() and not digits:
            return fixed(number, 0), unit
        return trimmed(number, max(2, digits or 0)), unit
    prefix, base = split
    in_base = number * _SCALE_OF_PREFIX[prefix]
    new_prefix = _prefix_for(abs(in_base))
    shown = in_base / _SCALE_OF_PREFIX[new_prefix]
    if new_prefix == "" and base in {"元", "头", "只", "羽", "人", "人次", "户", "支", "袋", "枚"}:
        places = 0 if abs(shown) >= 100 else 2
    else:
        places = _precision(abs(shown))
    return trimmed(shown, max(places, digits or 0)), new_prefix + base


def _prefix_for(magnitude: float) -> str:
    if magnitude >= 10**8:
        return "亿"
    if magnitude >= 10**4:
        return "万"
    return ""


def shown_value(value: float, unit: str | None, digits: int | None = None) -> float:
    """The figure a reader sees in `quantity(value, unit, digits)`, back in `unit` (6.497万吨 → 6.497)."""
    number, shown_unit = scaled(value, unit, digits)
    if number == MISSING:
        return float("nan")
    split, shown_split = _split_unit(unit or ""), _split_unit(shown_unit)
    if split is None or shown_split is None:
        return float(number)
    return float(number) * _SCALE_OF_PREFIX[shown_split[0]] / _SCALE_OF_PREFIX[split[0]]


def quantity(value: Any, unit: str | None, digits: int | None = None) -> str:
    """``12.35亿元``, ``16.5万头``, ``85.0%``, ``1.2:1``; ``—`` when missing. `digits`: see `scaled`."""
    number, shown_unit = scaled(value, unit, digits)
    if number == MISSING:
        return MISSING
    return f"{number}{shown_unit}"


def percent(value: Any, digits: int = 1) -> str:
    """``85.3%`` (one decimal, half-up); ``—`` when missing."""
    text = fixed(value, digits)
    return text if text == MISSING else f"{text}%"


def share(value: Any, digits: int = 1) -> str:
    """A share stored as a fraction (0.853) as a percentage: ``85.3%``."""
    if _is_missing(value):
        return MISSING
    return percent(float(value) * 100, digits)


def signed(value: Any, digits: int = 1) -> str:
    """``+3.2`` / ``-12.3`` / ``0.0`` for table cells of differences."""
    text = fixed(value, digits)
    if text == MISSING or text.startswith("-") or float(text) == 0:
        return text
    return f"+{text}"


def points(value: Any, digits: int = 1) -> str:
    """The size of a difference of percentages: ``3.2个百分点`` (always positive; say the direction in words)."""
    if _is_missing(value):
        return MISSING
    return f"{fixed(abs(float(value)), digits)}个百分点"


def change(value: Any, prefix: str = "同比", digits: int = 1) -> str:
    """A percentage change in words: ``同比增长5.2%``, ``同比下降3.1%``, ``同比持平``."""
    if _is_missing(value):
        return MISSING
    text = fixed(abs(float(value)), digits)
    if float(text) == 0:
        return unchanged(prefix)
    direction = "增长" if float(value) > 0 else "下降"
    return f"{prefix}{direction}{text}%"


def unchanged(prefix: str) -> str:
    """No change in words: ``同比持平``, ``环比持平``; against last year ``与上年持平`` (比上年持平 is no Chinese)."""
    return "与上年持平" if prefix == "比上年" else f"{prefix}持平"


def versus_time_progress(gap_pp: Any, digits: int = 1) -> str:
    """A completion-minus-time-progress gap in words: ``快于时序进度3.2个百分点`` / ``慢于…`` / ``与时序进度持平``."""
    if _is_missing(gap_pp):
        return MISSING
    text = fixed(abs(float(gap_pp)), digits)
    if float(text) == 0:
        return "与时序进度持平"
    direction = "快于" if float(gap_pp) > 0 else "慢于"
    return f"{direction}时序进度{text}个百分点"


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return dt.date(int(text[:4]), int(text[5:]), 1)
    return dt.date.fromisoformat(text[:10])


def zh_month(value: Any) -> str:
    """``2025年10月`` from a date, a datetime or ``'2025-10'``; ``—`` when missing."""
    if value is None:
        return MISSING
    day = _as_date(value)
    return f"{day.year}年{day.month}月"


def zh_date(value: Any) -> str:
    """``2025年10月31日`` (no leading zeros, as GB/T 9704 writes dates); ``—`` when missing."""
    if value is None:
        return MISSING
    day = _as_date(value)
    return f"{day.year}年{day.month}月{day.day}日"


def zh_numeral(number: int) -> str:
    """Chinese numerals for heading numbers: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < number < 100:
        raise ValueError(f"heading numbers run from 1 to 99, got {number}")
    tens, units = divmod(number, 10)
    if tens == 0:
        return _CHINESE_DIGITS[units]
    head = "" if tens == 1 else _CHINESE_DIGITS[tens]
    return f"{head}十{_CHINESE_DIGITS[units] if units else ''}"


def integer(value: Any) -> str:
    """A count: ``12``; ``—`` when missing."""
    if _is_missing(value):
        return MISSING
    return fixed(value, 0)


FILTERS = {
    "quantity": quantity,
    "percent": percent,
    "share": share,
    "signed": signed,
    "points": points,
    "change": change,
    "versus_time_progress": versus_time_progress,
    "zh_month": zh_month,
    "zh_date": zh_date,
    "zh_numeral": zh_numeral,
    "integer": integer,
    "fixed": fixed,
}
"""The Jinja filters: ``{{ target.actual_value | quantity(target.unit) }}``."""
