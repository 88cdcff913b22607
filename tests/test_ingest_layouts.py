"""Statistics tables in the layouts the source specs describe: every row loaded, quarantined or ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from .ingest_support import ingest, pingliang_table, query, statistics_workbook


def _accounting_holds(result) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_statistics_table_is_read_with_units_converted_and_title_notes_and_totals_named(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx",
        pingliang_table(
            [
                ["苹果产量", "吨", "125,000", "３０２５００"],
                ["合计", "", 1, 2],
                ["注：本表为快报数。"],
            ]
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined, result.rows_ignored) == (5, 1, 0, 4)
    rows = query(
        tmp_path / "w.duckdb",
        "select region_code, period, measure, value, unit, cell, original_value from raw.observations order by cell",
    )
    # 吨 → 万吨 (the catalogue's unit for 苹果产量); full-width digits and thousands separators read
    assert rows == [
        ("620825", "2024-03", "ytd_value", 12.5, "万吨", "C3", "125,000"),
        ("620826", "2024-03", "ytd_value", 30.25, "万吨", "D3", "３０２５００"),
    ]
    ignored = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.ignored_rows order by 1")
    assert ignored == [(1, "title_row"), (2, "header_row"), (4, "total_row"), (5, "note_row")]


@pytest.mark.parametrize(
    ("row", "reason_code", "cell", "words"),
    [
        (["苹果产量", "万吨", "约三百", 1], "not_a_number", "C3", "约三百"),
        (["苹果产量", "万吨", -5, 1], "negative_value", "C3", "负数"),
        (["苹果总产量（不存在的指标）", "万吨", 1, 1], "unknown_indicator", "A3", "无法识别"),
        (["苹果产量", "万斤两", 1, 1], "unknown_unit", "C3", "万斤两"),
    ],
)
def test_a_bad_row_is_quarantined_with_a_reason_naming_the_cell(
    tmp_path: Path, row: list, reason_code: str, cell: str, words: str
) -> None:
    path = statistics_workbook(tmp_path / "月报.xlsx", pingliang_table([row, ["肉牛饲养量", "万头", 1.5, 2.5]]))
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(sheet, row_number, found_cell, code, reason)] = query(
        tmp_path / "w.duckdb", "select sheet, row_number, cell, reason_code, reason from raw.quarantine"
    )
    assert (sheet, row_number, found_cell, code) == ("2024年3月", 3, cell, reason_code)
    assert words in reason


def test_a_duplicate_indicator_row_in_one_file_is_quarantined(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "月报.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2], ["苹果产量", "万吨", 3, 4]])
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert code == "duplicate_in_file" and "第3行" in reason


def test_a_sheet_without_a_header_is_quarantined_row_by_row(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "月报.xlsx",
        {
            **pingliang_table([["苹果产量", "万吨", 1, 2]]),
            "说明": [["平凉市主要指标月报"], ["随便写的一行", 3]],
        },
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert result.rows_quarantined == 2
    assert {row[0] for row in query(tmp_path / "w.duckdb", "select reason_code from raw.quarantine")} == {"no_header"}


def _long_csv(rows: list[list[str]]) -> str:
    lines = ["指标名称,地区,时期,数值,单位,口径", *(",".join(row) for row in rows)]
    return "\n".join(lines) + "\n"


def test_a_gbk_csv_in_the_long_layout_is_decoded_and_read(tmp_path: Path) -> None:
    path = tmp_path / "平凉市统计局_导出.csv"
    path.write_bytes(
        _long_csv(
            [
                ["苹果产量", "庄浪县 ", "2024-03", "12.5", "万吨", "累计"],
                ["苹果产量", "静宁", "2024年3月", "30", "万吨", "累计"],
            ]
        ).encode("gbk")
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.rows_loaded == 2
    rows = query(tmp_path / "w.duckdb", "select region_code, period, value from raw.observations order by 1")
    assert rows == [("620825", "2024-03", 12.5), ("620826", "2024-03", 30.0)]
    assert query(tmp_path / "w.duckdb", "select encoding from raw.file_loads") == [("gb18030",)]


@pytest.mark.parametrize(
    ("row", "reason_code"),
    [
        (["苹果产量", "火星县", "2024-03", "1", "万吨", "累计"], "unknown_region"),
        (["苹果产量", "庄浪县", "2024年第13月", "1", "万吨", "累计"], "bad_period"),
        (["苹果产量", "庄浪县", "2024-03", "1", "万吨", "大概"], "unknown_measure"),
    ],
)
def test_long_layout_rows_with_an_unknown_region_period_or_measure_are_quarantined(
    tmp_path: Path, row: list[str], reason_code: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(_long_csv([row, ["苹果产量", "静宁县", "2024-03", "2", "万吨", "累计"]]), encoding="utf-8")
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert query(tmp_path / "w.duckdb", "select reason_code from raw.quarantine") == [(reason_code,)]


def test_a_utf8_csv_is_not_mistaken_for_gbk(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(_long_csv([["苹果产量", "庄浪县", "2024-03", "1", "万吨", "累计"]]), encoding="utf-8-sig")
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_loaded == 1
    assert query(tmp_path / "w.duckdb", "select encoding from raw.file_loads") == [("utf-8-sig",)]
