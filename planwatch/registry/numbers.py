"""Reading numbers out of plan text: Arabic (half- or full-width) and Chinese numerals."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
_CHINESE_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_ARABIC = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
# Idioms whose number is not spelled out: 翻一番 doubles (+100%), 翻两番 quadruples (+300%).
_IDIOMS = {"翻一番": 100.0, "翻两番": 300.0, "翻番": 100.0}


def chinese_to_number(text: str) -> float | None:
    """Value of a Chinese numeral such as 三十五, 两万, 一百二十; None if it is not one."""
    if not text or any(ch not in _DIGITS and ch not in _SMALL_UNITS and ch not in _LARGE_UNITS for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            total += (section + (digit or 0)) * _LARGE_UNITS[ch]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def numbers_in(text: str) -> set[float]:
    """Every number the text states, including a Chinese numeral with and without its 万/亿 suffix."""
    normalised = unicodedata.normalize("NFKC", text)
    found = {float(match.replace(",", "")) for match in _ARABIC.findall(normalised)}
    for run in _CHINESE_RUN.findall(normalised):
        for candidate in (run, run.rstrip("万亿")):
            value = chinese_to_number(candidate)
            if value is not None:
                found.add(value)
    for idiom, value in _IDIOMS.items():
        if idiom in normalised:
            found.add(value)
    return found


def states_number(text: str, value: float) -> bool:
    return any(abs(found - value) <= 1e-9 * max(1.0, abs(value)) for found in numbers_in(text))


def without_whitespace(text: str) -> str:
    return re.sub(r"\s+", "", text)
