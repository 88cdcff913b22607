"""The Chinese formatting filters: 万/亿 with sensible precision, 百分点, 同比增长/下降, dates."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from planwatch.briefing import formatting as f


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (123456, "万元", "12.35亿元"),  # 万 grows into 亿 at 10⁸ yuan
        (80.49, "亿元", "80.49亿元"),
        (0.5, "亿元", "5000万元"),  # and shrinks back to 万 below 1亿
        (0.35, "万头", "3500头"),  # below 1万 the base unit reads better
        (16.5, "万头", "16.5万头"),  # trailing zeros are dropped
        (16.0, "万头", "16万头"),
        (140, "万吨", "140万吨"),
        (123.456, "万吨", "123.5万吨"),  # three to four significant digits
        (1234.56, "万亩", "1235万亩"),
        (12345.6, "万亩", "1.23亿亩"),
        (123456789, "元", "1.23亿元"),
        (56789, "元", "5.68万元"),
        (999, "元", "999元"),
        (35.27, "吨", "35.27吨"),
        (0.45, "万亩", "4500亩"),
        (-3.5, "亿元", "-3.5亿元"),  # a negative figure keeps its sign and scale
    ],
)
def test_quantities_are_rescaled_to_wan_and_yi_with_sensible_precision(value: float, unit: str, expected: str) -> None:
    assert f.quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (35.093168, "%", "35.1%"),
        (33, "%", "33.0%"),
        (1.25, ":1", "1.25:1"),
        (129.0, "家", "129家"),  # counts are whole numbers
        (2.5, "个", "2.5个"),  # unless the figure is not whole
        (12.345, "万/毫升", "12.35万/毫升"),  # units that are not bulk nouns are not rescaled
        (3, None, "3"),
    ],
)
def test_other_units_keep_their_unit(value: float, unit: str | None, expected: str) -> None:
    assert f.quantity(value, unit) == expected


@pytest.mark.parametrize("missing", [None, math.nan, float("nan"), "not a number"])
def test_a_missing_value_is_a_dash_in_every_filter(missing: object) -> None:
    for render in (f.percent, f.signed, f.points, f.change, f.versus_time_progress, f.integer, f.share):
        assert render(missing) == "—"
    assert f.quantity(missing, "万元") == "—"


def test_rounding_is_half_up_as_a_reader_expects_not_bankers() -> None:
    assert f.fixed(2.25, 1) == "2.3"
    assert f.fixed(2.35, 1) == "2.4"
    assert f.fixed(-2.25, 1) == "-2.3"
    assert f.fixed(0.125, 2) == "0.13"
    assert f.fixed(72.606061, 1) == "72.6"
    # a float just under the half stays down: 1.0049999 is not 1.005
    assert f.fixed(1.0049999, 2) == "1.00"


def test_a_rounded_zero_never_shows_a_minus_sign() -> None:
    assert f.fixed(-0.04, 1) == "0.0"
    assert f.signed(-0.04) == "0.0"


def test_percentages_keep_one_decimal() -> None:
    assert f.percent(85) == "85.0%"
    assert f.percent(100.260355) == "100.3%"
    assert f.percent(7.25, 2) == "7.25%"
    assert f.share(0.761905) == "76.2%"


def test_differences_are_signed_in_tables_and_in_percentage_points_in_text() -> None:
    assert f.signed(18.71345) == "+18.7"
    assert f.signed(-21.844935) == "-21.8"
    assert f.signed(0) == "0.0"
    assert f.points(-21.844935) == "21.8个百分点"
    assert f.points(3.0) == "3.0个百分点"


def test_changes_read_growth_or_decline_in_words() -> None:
    assert f.change(5.24) == "同比增长5.2%"
    assert f.change(-3.06) == "同比下降3.1%"
    assert f.change(0.04) == "同比持平"
    assert f.change(12.0, prefix="较上月") == "较上月增长12.0%"


def test_the_gap_to_time_progress_reads_faster_or_slower() -> None:
    assert f.versus_time_progress(18.71345) == "快于时序进度18.7个百分点"
    assert f.versus_time_progress(-5.576923) == "慢于时序进度5.6个百分点"
    assert f.versus_time_progress(0.02) == "与时序进度持平"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 10, 31), "2025年10月"),
        (dt.datetime(2025, 1, 5, 12, 30), "2025年1月"),
        ("2025-10", "2025年10月"),
        ("2025-03-31", "2025年3月"),
        (None, "—"),
    ],
)
def test_months_are_written_in_chinese_without_leading_zeros(value: object, expected: str) -> None:
    assert f.zh_month(value) == expected


def test_dates_are_written_in_chinese_without_leading_zeros() -> None:
    assert f.zh_date(dt.date(2025, 11, 5)) == "2025年11月5日"
    assert f.zh_date("2025-01-09") == "2025年1月9日"


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "一"), (7, "七"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五"), (99, "九十九")],
)
def test_heading_numbers_are_chinese_numerals(number: int, expected: str) -> None:
    assert f.zh_numeral(number) == expected


def test_heading_numbers_outside_one_to_ninety_nine_are_refused() -> None:
    with pytest.raises(ValueError, match="1 to 99"):
        f.zh_numeral(0)
    with pytest.raises(ValueError, match="1 to 99"):
        f.zh_numeral(100)


def test_every_filter_is_registered_for_jinja() -> None:
    from planwatch.briefing.templates import environment

    env = environment()
    for name in f.FILTERS:
        assert name in env.filters
    template = env.from_string("{{ v | quantity('万元') }} {{ g | versus_time_progress }} {{ d | zh_month }}")
    assert template.render(v=123456, g=-2.0, d="2025-10") == "12.35亿元 慢于时序进度2.0个百分点 2025年10月"


def test_every_reason_ingestion_can_quarantine_for_has_a_chinese_title_in_the_briefing() -> None:
    """The briefing says why rows were not taken (报送数据中因“…”暂未采用的行): never an English reason code."""
    from planwatch.briefing.gather import quarantine_title
    from planwatch.ingest.records import QUARANTINE_REASONS

    for code in QUARANTINE_REASONS:
        title = quarantine_title(code)
        assert title != code and "_" not in title and any("\u4e00" <= c <= "\u9fff" for c in title), (code, title)
