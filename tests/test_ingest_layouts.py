"""Statistics tables in the layouts the source specs describe: every row loaded, quarantined or ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from .ingest_support import QUARTERLY_SPEC, ingest, pingliang_table, query, statistics_workbook


def _accounting_holds(result) -> None:
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def _ingested_with_every_cell_accounted(path: Path, tables: dict, warehouse: Path):
    """The workbook of `tables` written to `path` and ingested; every row and every cell accounted for."""
    [result] = ingest([statistics_workbook(path, tables)], warehouse)
    _accounting_holds(result)
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    return result


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


def test_a_row_with_figures_only_in_columns_the_spec_did_not_map_is_data_not_a_note(tmp_path: Path) -> None:
    """A row whose label is unknown and whose mapped columns are blank is a note (注：…), unless it holds a
    figure elsewhere: a header the spec did not understand puts the figures there, and calling them a note
    would tell nobody they were not taken."""
    table = {
        "2024年3月": [
            ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"],
            ["指标", "计量单位", "庄浪县", "静宁县", "同比增长(%)"],
            ["苹果产量", "万吨", 12.5, 30.25, None],
            ["地区生产总值", "亿元", None, None, 120.5],
            ["说明：全市数据另报", None, None, None, None],
        ]
    }
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    quarantined = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.quarantine where scope = 'row'")
    assert quarantined == [(4, "unknown_indicator")]
    notes = query(tmp_path / "w.duckdb", "select row_number from raw.ignored_rows where reason_code = 'note_row'")
    assert notes == [(5,)]


@pytest.mark.parametrize(
    "label", ["其中：苹果产量", "其中:苹果产量", "一、苹果产量", "（二）苹果产量", "1.苹果产量", "#苹果产量"]
)
def test_an_indicator_named_with_a_statistics_tables_lead_in_is_known(tmp_path: Path, label: str) -> None:
    """Statistics tables number their rows and introduce sub-items (其中：…): the name after it is the indicator's."""
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", pingliang_table([[label, "万吨", 12.5, 30.25]]))
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0), result
    assert query(tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations") == [("apple_output",)]


@pytest.mark.parametrize(
    ("row", "reason_code", "cell", "words"),
    [
        (["苹果总产量（不存在的指标）", "万吨", 1, 1], "unknown_indicator", "A3", "无法识别"),
        (["苹果产量", "万斤两", 1, 1], "unknown_unit", "C3", "万斤两"),
        (["苹果产量", "万吨", "约三百", "-5"], "not_a_number", "C3", "约三百"),  # no figure of the row reads
    ],
)
def test_a_bad_row_is_quarantined_with_a_reason_naming_the_cell(
    tmp_path: Path, row: list, reason_code: str, cell: str, words: str
) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx", pingliang_table([row, ["肉牛饲养量", "万头", 1.5, 2.5]])
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(sheet, row_number, found_cell, code, reason)] = query(
        tmp_path / "w.duckdb", "select sheet, row_number, cell, reason_code, reason from raw.quarantine"
    )
    assert (sheet, row_number, found_cell, code) == ("2024年3月", 3, cell, reason_code)
    assert words in reason


@pytest.mark.parametrize(
    ("row", "reason_code", "words"),
    [
        (["苹果产量", "万吨", "约三百", 1], "not_a_number", "约三百"),
        (["苹果产量", "万吨", -5, 1], "negative_value", "负数"),
        (["苹果产量", "万吨", "2.80①", 1], "footnote_mark", "2.80①"),
    ],
)
def test_a_bad_cell_of_a_statistics_row_is_set_aside_alone_and_the_rows_other_figures_load(
    tmp_path: Path, row: list, reason_code: str, words: str
) -> None:
    """A row of a statistics table holds independent figures (each county's): the cell that cannot be read
    is quarantined alone, naming the sheet, the cell and the value; the other county's figure loads."""
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx", pingliang_table([row, ["肉牛饲养量", "万头", 1.5, 2.5]])
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined, result.cells_quarantined) == (2, 0, 1)
    assert result.is_partial
    [(row_number, cell, code, reason, scope)] = query(
        tmp_path / "w.duckdb", "select row_number, cell, reason_code, reason, scope from raw.quarantine"
    )
    assert (row_number, cell, code, scope) == (3, "C3", reason_code, "value")
    assert reason.startswith("2024年3月!C3：") and words in reason
    loaded = query(tmp_path / "w.duckdb", "select cell from raw.observations where row_number = 3")
    assert loaded == [("D3",)]


def test_a_duplicate_indicator_row_in_one_file_is_quarantined(tmp_path: Path) -> None:
    """The same figures twice: the repeat is set aside and the first row stands. Other figures: which row is
    right is not guessed, and both are quarantined, each naming the other."""
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2], ["苹果产量", "万吨", 1, 2]])
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert code == "duplicate_in_file" and "第3行" in reason

    other = statistics_workbook(
        tmp_path / "平凉市统计局_月报_2.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2], ["苹果产量", "万吨", 3, 4]])
    )
    [result] = ingest([other], tmp_path / "w2.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (0, 2)
    quarantined = query(tmp_path / "w2.duckdb", "select row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(row, code) for row, code, _ in quarantined] == [
        (3, "conflicting_duplicate_in_file"),
        (4, "conflicting_duplicate_in_file"),
    ]
    assert "第4行" in quarantined[0][2] and "第3行" in quarantined[1][2]
    assert query(tmp_path / "w2.duckdb", "select count(*) from raw.observations") == [(0,)]


@pytest.mark.parametrize("unreadable_first", [True, False])
def test_a_long_row_typed_twice_once_unreadably_is_taken_from_neither_row(
    tmp_path: Path, unreadable_first: bool
) -> None:
    """约70 and 75.5 for one figure are two figures: the readable copy is quarantined as a conflicting duplicate,
    never loaded as if the other were only unreadable; the unreadable one keeps its reason and names it."""
    rows = [
        ["苹果产量", "庄浪县", "2024-03", "约70", "万吨", "累计"],
        ["苹果产量", "庄浪县", "2024-03", "75.5", "万吨", "累计"],
    ]
    path = tmp_path / "平凉市统计局_导出.csv"
    path.write_bytes(_long_csv(rows if unreadable_first else rows[::-1]).encode("gbk"))
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    quarantined = {
        row: (code, reason)
        for row, code, reason in query(
            tmp_path / "w.duckdb", "select row_number, reason_code, reason from raw.quarantine"
        )
    }
    unreadable, readable = (2, 3) if unreadable_first else (3, 2)
    assert (
        quarantined[readable][0] == "conflicting_duplicate_in_file" and f"第{unreadable}行" in quarantined[readable][1]
    )
    assert quarantined[unreadable][0] == "not_a_number"
    assert "约70" in quarantined[unreadable][1] and f"第{readable}行" in quarantined[unreadable][1]


def test_a_sheet_without_a_header_is_quarantined_row_by_row(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx",
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
        (["苹果产量", "火星县", "2024-03", "1", "万吨", "累计"], "unknown_region_in_table"),
        (["苹果产量", "庄浪县", "2024年第13月", "1", "万吨", "累计"], "bad_period"),
        (["苹果产量", "庄浪县", "2024-03", "1", "万吨", "大概"], "unknown_measure"),
    ],
)
def test_long_layout_rows_with_an_unknown_region_period_or_measure_are_quarantined(
    tmp_path: Path, row: list[str], reason_code: str
) -> None:
    path = tmp_path / "平凉市统计局_export.csv"
    path.write_text(_long_csv([row, ["苹果产量", "静宁县", "2024-03", "2", "万吨", "累计"]]), encoding="utf-8")
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert query(tmp_path / "w.duckdb", "select reason_code from raw.quarantine") == [(reason_code,)]


def test_a_utf8_csv_is_not_mistaken_for_gbk(tmp_path: Path) -> None:
    path = tmp_path / "平凉市统计局_export.csv"
    path.write_text(_long_csv([["苹果产量", "庄浪县", "2024-03", "1", "万吨", "累计"]]), encoding="utf-8-sig")
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_loaded == 1
    assert query(tmp_path / "w.duckdb", "select encoding from raw.file_loads") == [("utf-8-sig",)]


def _county_rows_table(rows: list[list[object]], header: list[object] | None = None) -> dict:
    return {
        "Sheet1": [
            ["平凉市分县区主要指标（2024年1-6月）"],
            header or ["县区", "苹果产量（万吨）", "肉牛饲养量（万头）", "备注"],
            *rows,
        ]
    }


def test_a_table_with_regions_as_rows_is_read_by_its_spec_with_units_from_the_header(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx",
        _county_rows_table(
            [
                ["庄浪县 ", "12.5", 3, "快报"],
                ["静宁县", "—", 4.5, None],
                ["合计", 12.5, 7.5, None],
                ["全市", 40, 20, None],
                ["某某县", 1, 1, None],
                ["注：苹果产量为快报数。"],
            ]
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert result.layout == "stats_bureau_regions_as_rows" and result.periods == ["2024-06"]
    rows = query(
        tmp_path / "w.duckdb",
        "select cell, indicator_code, region_code, measure, value, unit from raw.observations order by cell",
    )
    assert rows == [
        ("B3", "apple_output", "620825", "ytd_value", 12.5, "万吨"),
        ("B6", "apple_output", "620800", "ytd_value", 40.0, "万吨"),  # 全市: the city its counties belong to
        ("C3", "beef_cattle_rearing_volume", "620825", "ytd_value", 3.0, "万头"),
        ("C4", "beef_cattle_rearing_volume", "620826", "ytd_value", 4.5, "万头"),  # B4 "—" is blank, not zero
        ("C6", "beef_cattle_rearing_volume", "620800", "ytd_value", 20.0, "万头"),
    ]
    assert query(tmp_path / "w.duckdb", "select row_number, cell, reason_code, reason from raw.quarantine") == [
        (
            7,
            "A7",
            "unknown_region_in_table",
            "地区“某某县”无法识别（不是本平台登记的地区，或不属于报送单位所在城市），请核实地区名称；"
            "如为新设地区，请联系平台管理员登记后重新报送",
        )
    ]
    ignored = query(
        tmp_path / "w.duckdb", "select row_number, reason_code from raw.ignored_rows where scope = 'row' order by 1"
    )
    assert ignored == [(1, "title_row"), (2, "header_row"), (5, "total_row"), (8, "note_row")]
    # the cells of loaded rows that were not loaded, each with its reason: the "—" and the remark
    values = query(
        tmp_path / "w.duckdb",
        "select cell, reason_code, row_content from raw.ignored_rows where scope = 'value' order by cell",
    )
    assert values == [("B4", "not_reported", '["—"]'), ("D3", "untracked_column", '["快报"]')]
    assert result.rows_read == 8
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    assert query(tmp_path / "w.duckdb", "select ignored_columns from raw.file_loads") == [
        ('["Sheet1!D2 备注（不跟踪的列）"]',)
    ]


def test_a_unit_row_under_the_header_gives_each_indicator_its_unit(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx",
        _county_rows_table(
            [["单位", "吨", "头"], ["庄浪县", 125000, 30000], ["静宁县", 302500, 45000]],
            header=["县区", "苹果产量", "肉牛饲养量"],
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    values = query(
        tmp_path / "w.duckdb",
        "select region_code, indicator_code, value, unit, original_unit from raw.observations order by 1, 2",
    )
    assert [(region, indicator, value) for region, indicator, value, *_ in values] == [
        ("620825", "apple_output", 12.5),
        ("620825", "beef_cattle_rearing_volume", 3.0),
        ("620826", "apple_output", 30.25),
        ("620826", "beef_cattle_rearing_volume", 4.5),
    ]
    assert {original for *_, original in values} == {"吨", "头"}
    ignored = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.ignored_rows order by 1")
    assert ignored == [(1, "title_row"), (2, "header_row"), (3, "header_row")]


def test_a_header_with_a_bracketed_alias_before_its_unit_takes_the_last_bracket_as_the_unit(tmp_path: Path) -> None:
    """农业总产值（农林牧渔业总产值）（亿元）: the first bracket is the indicator's other name, the last the unit;
    the unit is the last bracket holding a known unit, never the alias read as an unknown unit."""
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx",
        _county_rows_table(
            [["庄浪县", 9.1, 61.2], ["静宁县", 10.4, 143.7]],
            header=["县区", "农业总产值（农林牧渔业总产值）（亿元）", "苹果产量（吨）"],
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert result.rows_quarantined == 0 and result.cells_quarantined == 0
    values = query(
        tmp_path / "w.duckdb", "select cell, indicator_code, value, unit from raw.observations order by cell"
    )
    assert values == [
        ("B3", "agri_total_output_value", 9.1, "亿元"),
        ("B4", "agri_total_output_value", 10.4, "亿元"),
        ("C3", "apple_output", 0.00612, "万吨"),
        ("C4", "apple_output", 0.01437, "万吨"),
    ]


def test_a_unit_written_one_way_in_the_header_and_another_in_the_unit_row_is_not_guessed(tmp_path: Path) -> None:
    """苹果产量（吨） over a unit row of 万吨: which one the figures are in is not guessed; the column is
    quarantined value by value. The same unit written twice (头 and 头) reads."""
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx",
        _county_rows_table(
            [["单位", "万吨", "头"], ["庄浪县", 40.1, 30000], ["静宁县", 55.2, 45000]],
            header=["县区", "苹果产量（吨）", "肉牛饲养量（头）"],
        ),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert query(tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations") == [
        ("beef_cattle_rearing_volume",)
    ]
    quarantined = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine order by 1")
    assert [(cell, code) for cell, code, _ in quarantined] == [("B4", "unit_stated_twice"), ("B5", "unit_stated_twice")]
    assert "表头“苹果产量(吨)”写明的计量单位与其下单位行的“万吨”不一致" in quarantined[0][2]


def test_a_total_column_beside_the_counties_is_ignored_as_a_total_row_is(tmp_path: Path) -> None:
    table = {
        "2024年3月": [
            ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"],
            ["指标", "计量单位", "庄浪县", "静宁县", "合计"],
            ["苹果产量", "万吨", 12.5, 30.25, 42.75],
        ]
    }
    warehouse = tmp_path / "w.duckdb"
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_月报.xlsx", table, warehouse)
    assert (result.rows_loaded, result.rows_quarantined, result.cells_quarantined) == (1, 0, 0)
    assert query(warehouse, "select region_code from raw.observations order by 1") == [("620825",), ("620826",)]
    [(cell, code, content)] = query(
        warehouse, "select cell, reason_code, row_content from raw.ignored_rows where scope = 'value'"
    )
    assert (cell, code, content) == ("E3", "total_column", '["42.75"]')


def test_a_second_table_stacked_on_the_sheet_is_not_filed_under_the_first_tables_period(tmp_path: Path) -> None:
    """October's table, then September's under its own title on the same sheet: September's figures are
    quarantined naming where its table opens, never loaded as October's."""
    table = {
        "2024年3月": [
            ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"],
            ["指标", "计量单位", "庄浪县", "静宁县"],
            ["苹果产量", "万吨", 12.5, 30.25],
            [],
            ["平凉市统计局 平凉市主要指标月报（2024年1-2月）"],
            ["指标", "计量单位", "庄浪县", "静宁县"],
            ["苹果产量", "万吨", 8.5, 20.25],
        ]
    }
    warehouse = tmp_path / "w.duckdb"
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_月报.xlsx", table, warehouse)
    assert result.rows_loaded == 1 and result.rows_quarantined == 3
    assert query(warehouse, "select cell, value from raw.observations order by 1") == [("C3", 12.5), ("D3", 30.25)]
    reasons = query(warehouse, "select row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(row, code) for row, code, _ in reasons] == [(5, "second_table"), (6, "second_table"), (7, "second_table")]
    assert "第5行起是本工作表中的另一张表（“平凉市统计局 平凉市主要指标月报(2024年1-2月)”）" in reasons[2][2]


def test_one_figure_on_two_sheets_with_two_values_is_taken_from_neither(tmp_path: Path) -> None:
    """The month's table and its 修改稿 in one file, one figure different: neither is taken, each names the
    other; a figure the two agree on loads once."""
    title = "平凉市统计局 平凉市主要指标月报（2024年1-3月）"
    header = ["指标", "计量单位", "庄浪县", "静宁县"]
    table = {
        "2024年3月": [[title], header, ["苹果产量", "万吨", 12.5, 30.25], ["蔬菜产量", "万吨", 8.0, 9.0]],
        "修改稿": [[title], header, ["苹果产量", "万吨", 12.5, 31.25], ["蔬菜产量", "万吨", 8.0, 9.0]],
    }
    warehouse = tmp_path / "w.duckdb"
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_月报.xlsx", table, warehouse)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    assert query(warehouse, "select distinct indicator_code from raw.observations") == [("vegetable_output",)]
    reasons = query(warehouse, "select sheet, row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(sheet, row, code) for sheet, row, code, _ in reasons] == [
        ("2024年3月", 3, "conflicting_across_sheets"),
        ("修改稿", 3, "conflicting_across_sheets"),
    ]
    assert "与工作表“修改稿”第3行的同一数据不一致" in reasons[0][3]


_OWN_SPEC = """
layout_id: county_special_survey
description: 某县专项调查表（单位名称为行）
department: 平凉市统计局
orientation: regions_as_rows
detect:
  any_text: [专项调查]
header_marker: [单位名称]
period:
  source: title
measure: ytd_value
"""


def test_a_new_layout_is_a_spec_in_the_deployments_own_folder_not_new_code(tmp_path: Path) -> None:
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    table = {"调查": [["苹果产业专项调查（2024年1-9月）"], ["单位名称", "苹果产量（吨）"], ["庄浪县", 9000]]}
    without = statistics_workbook(tmp_path / "a_survey.xlsx", table)
    [rejected] = ingest([without], tmp_path / "before.duckdb")
    assert rejected.status == "rejected" and "文件格式无法识别" in rejected.reason
    own = tmp_path / "layouts"
    own.mkdir()
    (own / "county_special_survey.yml").write_text(_OWN_SPEC, encoding="utf-8")
    [loaded] = ingest_files([without], tmp_path / "after.duckdb", REGISTRY, layouts=load_layouts(own))
    assert (loaded.status, loaded.layout, loaded.periods) == ("loaded", "county_special_survey", ["2024-09"])
    assert query(tmp_path / "after.duckdb", "select region_code, value from raw.observations") == [("620825", 0.9)]


_BRAND_SPEC = """\
layout_id: pingliang_brand_report
description: 平凉市品牌建设月报（指标为行、县区为列）
orientation: regions_as_columns
detect:
  any_text: [品牌建设月报]
  all_headers: [指标]
header_marker: [指标]
period:
  source: title
measure: period_end_value
unit_column: [计量单位]
indicator_labels:
  注册商标数: agri_enterprise_trademark_brands
"""


def test_a_label_opening_like_a_note_is_data_when_the_spec_maps_it_and_figures_are_never_ignored_as_a_note(
    tmp_path: Path,
) -> None:
    """注册商标数 opens with 注 (a note's prefix): with figures and a label the spec maps, it is data. A row opening
    like a note with figures under a label nobody maps is quarantined naming it; one without figures is a note."""
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "pingliang_brand_report.yml").write_text(_BRAND_SPEC, encoding="utf-8")
    table = {
        "Sheet1": [
            ["平凉市品牌建设月报（2025年12月）"],
            ["指标", "计量单位", "庄浪县", "静宁县"],
            ["注册商标数", "个", 4, 6],
            ["注销商标数", "个", 1, "2个"],
            ["注：本表为快报数", None, "见附件"],
        ]
    }
    path = statistics_workbook(tmp_path / "平凉市农业农村局_品牌建设月报_2025-12.xlsx", table)
    [result] = ingest_files([path], tmp_path / "w.duckdb", REGISTRY, layouts=load_layouts(own))
    _accounting_holds(result)
    assert (result.status, result.layout) == ("loaded", "pingliang_brand_report")
    assert query(tmp_path / "w.duckdb", "select cell, indicator_code, value from raw.observations order by cell") == [
        ("C3", "agri_enterprise_trademark_brands", 4.0),
        ("D3", "agri_enterprise_trademark_brands", 6.0),
    ]
    [(cell, code, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, code) == ("A4", "note_row_with_figures")
    assert "“注销商标数”以“注”开头" in reason and "不是本表可识别的指标" in reason
    ignored = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.ignored_rows order by 1")
    assert ignored == [(1, "title_row"), (2, "header_row"), (5, "note_row")]


def test_a_broken_or_clashing_spec_stops_the_command_and_names_its_file(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "mine.yml").write_text(_OWN_SPEC.replace("regions_as_rows", "columns_sideways"), encoding="utf-8")
    path = statistics_workbook(tmp_path / "平凉市统计局_m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    environment = {**os.environ, "PLANWATCH_LAYOUTS_DIR": str(own), "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb")}
    command = [sys.executable, "-m", "planwatch", "ingest", str(path), "--receipts", str(tmp_path / "receipts")]
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert completed.returncode == 1
    output = completed.stdout + completed.stderr
    assert "mine.yml" in output and "not a valid source spec" in output
    assert not (tmp_path / "w.duckdb").exists()  # nothing read before the specs are sound
    (own / "mine.yml").write_text(_OWN_SPEC.replace("county_special_survey", "stats_bureau_regions_as_rows"))
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1 and "already defined" in output and "mine.yml" in output


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2024年3月", "2024-03"),
        ("2024年1-3月", "2024-03"),
        ("202403", "2024-03"),
        ("2024-03", "2024-03"),
        ("2024/10/01", "2024-10"),
        ("2024年一季度", "2024-03"),
        ("2024年第3季度", "2024-09"),
        ("2024年上半年", "2024-06"),
        ("2024年前三季度", "2024-09"),
        ("2024年全年", "2024-12"),
        ("2024年度", "2024-12"),
        ("2024.1-6月", "2024-06"),
        ("2024年3月5日", "2024-03"),
        # in Chinese numerals
        ("二〇二四年三月", "2024-03"),
        ("2024年十月", "2024-10"),
        ("二〇二四年一至三月", "2024-03"),
        ("二零二四年第二季度", "2024-06"),
    ],
)
def test_the_ways_statistics_write_a_period_are_read(tmp_path: Path, written: str, period: str) -> None:
    path = tmp_path / "平凉市统计局_export.csv"
    path.write_text(f"指标名称,地区,时期,数值,单位\n苹果产量,庄浪县,{written},12.5,万吨\n", encoding="utf-8")
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.rows_loaded == 1, result
    assert query(tmp_path / "w.duckdb", "select period, value from raw.observations") == [(period, 12.5)]


@pytest.mark.parametrize(
    ("written", "period"),
    [
        (dt.datetime(2025, 12, 1), "2025-12"),  # an Excel date typed 2025-12
        ("2025-12-31", "2025-12"),
        ("2025-12-01", "2025-12"),
        ("2025.11.30", "2025-11"),
        ("2024/02/29", "2024-02"),
        ("2025-01-01—2025-03-31", "2025-03"),  # from January: the year to March
        ("2025-01—2025-03", "2025-03"),
        ("2025-04-01—2025-06-30", None),  # a range not from January is no month of its own
        ("2025-04—2025-06", None),
        ("2025-12-15", None),  # a day within the month is not read as the month's end
    ],
)
def test_a_long_tables_period_typed_as_a_date_reads_as_its_month_and_a_range_still_as_a_range(
    tmp_path: Path, written: object, period: str | None
) -> None:
    """时期 typed as an Excel date (shown 2025-12, stored 2025-12-01) or as the text 2025-12-31 is that month: the
    day is no month closing a range (2025-12 — 31)."""
    path = statistics_workbook(
        tmp_path / "平凉市统计局_统计数据导出.xlsx",
        {"导出数据": [["指标名称", "地区", "时期", "数值", "单位"], ["苹果产量", "庄浪县", written, 12.5, "万吨"]]},
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    loaded = query(tmp_path / "w.duckdb", "select period from raw.observations")
    quarantined = query(tmp_path / "w.duckdb", "select cell, reason_code from raw.quarantine")
    if period is None:
        assert (loaded, quarantined) == ([], [("C2", "bad_period")])
    else:
        assert (loaded, quarantined) == ([(period,)], [])


def test_a_figure_typed_with_its_unit_is_read_when_the_unit_converts(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx",
        pingliang_table([["苹果产量", "万吨", "125,000吨", "30.25万吨"], ["肉牛饲养量", "万头", "3万只羊", 2]]),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    rows = query(
        tmp_path / "w.duckdb", "select cell, value, original_value, original_unit from raw.observations order by cell"
    )
    # the unit written is kept; 肉牛饲养量's 3万只羊 does not convert and is set aside alone, its D4 loads
    assert rows == [("C3", 12.5, "125,000吨", "吨"), ("D3", 30.25, "30.25万吨", "万吨"), ("D4", 2.0, "2", "万头")]
    [(cell, code, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, code) == ("C4", "not_a_number") and "3万只羊" in reason


def test_signature_rows_under_a_statistics_table_are_ignored(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx",
        pingliang_table([["苹果产量", "万吨", 1, 2], ["填报单位：平凉市统计局", "", "制表人：王五", 13900000000]]),
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    assert query(
        tmp_path / "w.duckdb", "select row_number from raw.ignored_rows where reason_code = 'signature_row'"
    ) == [(4,)]


def test_a_city_report_with_measure_columns_reads_each_measure_for_the_city(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_report.xlsx",
        {
            "Sheet1": [
                ["平凉市2024年1-6月主要经济指标"],
                ["指标", "计量单位", "6月", "1-6月", "同比增长（%）"],
                ["苹果产量", "万吨", 2.5, 12.5, 3.1],
                ["肉牛存栏", "万头", 40.1, 40.1, -1.2],
                ["注：同比按可比口径计算。"],
            ]
        },
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.layout, result.periods, result.rows_quarantined) == (
        "stats_bureau_regions_as_columns",
        ["2024-06"],
        0,
    )
    rows = query(
        tmp_path / "w.duckdb",
        "select indicator_code, region_code, measure, value, cell from raw.observations order by cell",
    )
    assert rows == [
        ("apple_output", "620800", "month_value", 2.5, "C3"),
        ("beef_cattle_inventory", "620800", "period_end_value", 40.1, "C4"),  # a stock: its level, once
        ("apple_output", "620800", "ytd_value", 12.5, "D3"),
    ]
    assert query(tmp_path / "w.duckdb", "select ignored_columns from raw.file_loads") == [
        ('["Sheet1!E2 同比增长（不跟踪的列）"]',)
    ]


def test_a_two_row_header_of_regions_split_into_measures_reads_each_pair(tmp_path: Path) -> None:
    """A statistics monthly whose header groups columns: each county (merged over two columns) split into
    本月 and 1-3月 by the row under it; every figure is filed under its county and measure."""
    table = {
        "2024年3月": [
            ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"],
            ["指标", "计量单位", "庄浪县", None, "静宁县", None],
            [None, None, "本月", "1-3月", "本月", "1-3月"],
            ["苹果产量", "万吨", 1.5, 12.5, 3.25, 30.25],
        ]
    }
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_月报.xlsx", table, tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined, result.cells_quarantined) == (1, 0, 0)
    rows = query(
        tmp_path / "w.duckdb",
        "select region_code, measure, value, cell from raw.observations order by cell",
    )
    assert rows == [
        ("620825", "month_value", 1.5, "C4"),
        ("620825", "ytd_value", 12.5, "D4"),
        ("620826", "month_value", 3.25, "E4"),
        ("620826", "ytd_value", 30.25, "F4"),
    ]
    ignored = query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.ignored_rows order by 1")
    assert ignored == [(1, "title_row"), (2, "header_row"), (3, "header_row")]


def test_a_two_row_header_of_indicators_split_into_measures_reads_each_pair_of_a_county_row(tmp_path: Path) -> None:
    """Counties as rows, each indicator (merged over its columns) split into 本月 | 1-10月 | 同比增长% by the
    row under it: each figure under its indicator and measure, never 本月 read as the year to date; a
    stock's 本月 and 1-10月 both give its level, and the second is named; the growth is not tracked."""
    table = {
        "Sheet1": [
            ["平凉市分县区主要农产品产量（2025年1-10月）"],
            ["县区", "苹果产量（万吨）", None, None, "肉牛存栏（万头）", None],
            [None, "本月", "1-10月", "同比增长%", "本月", "1-10月"],
            ["庄浪县", 4.0, 40.1, 3.2, 16.1, 16.1],
            ["静宁县", 5.5, 55.2, -1.0, 20.4, 20.4],
        ]
    }
    warehouse = tmp_path / "w.duckdb"
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_分县区_2025-10.xlsx", table, warehouse)
    assert result.layout == "stats_bureau_regions_as_rows"
    assert (result.rows_loaded, result.rows_quarantined, result.cells_quarantined) == (2, 0, 0)
    rows = query(
        warehouse, "select cell, indicator_code, region_code, measure, value from raw.observations order by cell"
    )
    assert [row for row in rows if row[1] == "apple_output"] == [
        ("B4", "apple_output", "620825", "month_value", 4.0),
        ("B5", "apple_output", "620826", "month_value", 5.5),
        ("C4", "apple_output", "620825", "ytd_value", 40.1),
        ("C5", "apple_output", "620826", "ytd_value", 55.2),
    ]
    stock = [(cell, measure, value) for cell, code, _, measure, value in rows if code != "apple_output"]
    assert stock == [("E4", "period_end_value", 16.1), ("E5", "period_end_value", 20.4)]
    values = query(warehouse, "select cell, reason_code from raw.ignored_rows where scope = 'value' order by cell")
    assert values == [
        ("D4", "untracked_column"),
        ("D5", "untracked_column"),
        ("F4", "same_figure_column"),
        ("F5", "same_figure_column"),
    ]
    ignored = query(warehouse, "select row_number, reason_code from raw.ignored_rows where scope = 'row' order by 1")
    assert ignored == [(1, "title_row"), (2, "header_row"), (3, "header_row")]


def test_a_two_row_header_of_measures_split_into_value_and_growth_reads_the_values(tmp_path: Path) -> None:
    """The usual city monthly: 本月 and 1-6月 each over 绝对量 | 同比增长%; the values are read for the
    city, the growth columns are set aside as untracked, and a column whose heading reads two ways is
    quarantined value by value, never guessed."""
    table = {
        "Sheet1": [
            ["平凉市2024年1-6月主要经济指标"],
            ["指标", "计量单位", "本月", None, "1-6月", None, None],
            [None, None, "绝对量", "同比增长%", "绝对量", "同比增长%", "本月"],
            ["苹果产量", "万吨", 2.5, 3.1, 12.5, 4.2, 9.9],
        ]
    }
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_report.xlsx", table, tmp_path / "w.duckdb")
    rows = query(tmp_path / "w.duckdb", "select region_code, measure, value, cell from raw.observations order by cell")
    assert rows == [("620800", "month_value", 2.5, "C4"), ("620800", "ytd_value", 12.5, "E4")]
    set_aside = {(v.cell, v.status.value) for v in result.values_set_aside}
    assert set_aside == {("D4", "ignored"), ("F4", "ignored"), ("G4", "quarantined")}
    assert result.cells_quarantined == 1 and result.is_partial


def test_a_two_row_header_with_a_heading_not_understood_still_reads_the_headings_that_are(tmp_path: Path) -> None:
    """One sub-heading nobody registered (其他口径) does not turn the second row into data or the groups
    into one-row headings: 本月/绝对量 and 1-6月/绝对量 load, 比上年同期增长% is untracked, and the column
    not understood is quarantined value by value."""
    table = {
        "Sheet1": [
            ["平凉市2024年1-6月主要经济指标"],
            ["指标", "计量单位", "本月", None, "1-6月", None],
            [None, None, "绝对量", "比上年同期增长%", "绝对量", "其他口径"],
            ["苹果产量", "万吨", 2.5, 3.1, 12.5, 7.7],
        ]
    }
    result = _ingested_with_every_cell_accounted(tmp_path / "平凉市统计局_report.xlsx", table, tmp_path / "w.duckdb")
    rows = query(tmp_path / "w.duckdb", "select measure, value, cell from raw.observations order by cell")
    assert rows == [("month_value", 2.5, "C4"), ("ytd_value", 12.5, "E4")]
    assert {(v.cell, v.status.value) for v in result.values_set_aside} == {("D4", "ignored"), ("F4", "quarantined")}


@pytest.mark.parametrize(
    ("header", "measure"),
    [
        ("本月", "month_value"),
        ("6月", "month_value"),
        ("1-6月", "ytd_value"),
        ("1～6月累计", "ytd_value"),
        ("本年累计", "ytd_value"),
        ("1-本月累计", "ytd_value"),
        ("上年同期", "prior_year_ytd_value"),
        ("上年1-6月", "prior_year_ytd_value"),
        ("期末数", "period_end_value"),
        ("同比增长", None),
        ("庄浪县", None),
    ],
)
def test_a_measure_column_is_known_by_its_header(header: str, measure: str | None) -> None:
    from planwatch.ingest.layout_head import measure_of_header
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.values import split_header

    spec = load_layouts()[0]
    found = measure_of_header(split_header(header).label, spec)
    assert (found.value if found else None) == measure


def test_the_period_comes_from_the_title_not_a_filing_date_and_else_from_the_sheet_name(tmp_path: Path) -> None:
    table = {
        "Sheet1": [
            ["平凉市分县区主要指标（2024年上半年）"],
            ["制表日期：2024年7月10日"],
            ["县区", "苹果产量（万吨）"],
            ["庄浪县", 12.5],
        ],
        "2024年9月": [["平凉市分县区主要指标"], ["县区", "苹果产量（万吨）"], ["静宁县", 30.25]],
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_t.xlsx", table)], tmp_path / "w.duckdb")
    assert result.rows_quarantined == 0
    assert query(tmp_path / "w.duckdb", "select sheet, period from raw.observations order by 1") == [
        ("2024年9月", "2024-09"),
        ("Sheet1", "2024-06"),
    ]


def test_a_table_without_any_period_names_where_it_looked(tmp_path: Path) -> None:
    table = {"Sheet1": [["平凉市分县区主要指标"], ["县区", "苹果产量（万吨）"], ["庄浪县", 12.5]]}
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_t.xlsx", table)], tmp_path / "w.duckdb")
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert result.rows_quarantined == 1 and code == "bad_period"
    assert "平凉市分县区主要指标" in reason and "Sheet1" in reason


def test_columns_for_other_months_are_named_as_ignored_not_read_as_this_month(tmp_path: Path) -> None:
    table = {
        "2024年6月": [
            ["平凉市主要经济指标"],
            ["指标", "计量单位", "4月", "5月", "6月", "1-5月", "1-6月"],
            ["苹果产量", "万吨", 1, 2, 3, 10, 13],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    assert result.periods == ["2024-06"]
    rows = query(tmp_path / "w.duckdb", "select measure, value, cell from raw.observations order by cell")
    assert rows == [("month_value", 3.0, "E3"), ("ytd_value", 13.0, "G3")]
    [(ignored,)] = query(tmp_path / "w.duckdb", "select ignored_columns from raw.file_loads")
    assert all(f"2024年6月!{cell}" in ignored for cell in ("C2 4月", "D2 5月", "F2 1-5月"))


def test_a_unit_row_with_its_label_in_a_serial_number_column_is_still_a_unit_row(tmp_path: Path) -> None:
    table = _county_rows_table([["单位", "", "吨"], [1, "庄浪县", 125000]], header=["序号", "县区", "苹果产量"])
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_分县区.xlsx", table)], tmp_path / "w.duckdb")
    assert result.rows_quarantined == 0
    assert query(tmp_path / "w.duckdb", "select value, original_unit from raw.observations") == [(12.5, "吨")]


def test_a_spec_whose_period_pattern_cannot_work_is_refused_with_its_file_named(tmp_path: Path) -> None:
    from planwatch.ingest.layout_spec import LayoutSpecError, load_layouts

    own = tmp_path / "layouts"
    own.mkdir()
    for name, pattern in (("unterminated.yml", "(?P<year>\\d{4}"), ("no_month.yml", "(?P<year>\\d{4})年")):
        (own / name).write_text(_OWN_SPEC.replace("  source: title", f'  source: title\n  pattern: "{pattern}"'))
        with pytest.raises(LayoutSpecError, match=name):
            load_layouts(own)
        (own / name).unlink()


def test_a_long_sheet_missing_its_value_column_is_quarantined_naming_the_column(tmp_path: Path) -> None:
    table = {
        "数据": [["指标名称", "地区", "时期", "数值", "单位"], ["苹果产量", "庄浪县", "2024-03", 1, "万吨"]],
        "补充": [["指标名称", "地区", "时期", "本期"], ["苹果产量", "静宁县", "2024-03", 2]],
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_导出.xlsx", table)], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    reasons = query(tmp_path / "w.duckdb", "select distinct sheet, reason_code, reason from raw.quarantine")
    assert [(sheet, code) for sheet, code, _ in reasons] == [("补充", "no_header")]
    assert "数值" in reasons[0][2]


def test_two_columns_for_one_region_count_once_and_the_second_is_named(tmp_path: Path) -> None:
    table = {
        "2024年3月": [
            ["平凉市主要指标月报"],
            ["指标", "计量单位", "平凉市", "全市", "庄浪县"],
            ["苹果产量", "万吨", 40, 41, 12.5],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    rows = query(tmp_path / "w.duckdb", "select region_code, value, cell from raw.observations order by cell")
    assert rows == [("620800", 40.0, "C3"), ("620825", 12.5, "E3")]
    [(ignored,)] = query(tmp_path / "w.duckdb", "select ignored_columns from raw.file_loads")
    assert "D2 全市（与前面的地区列重复）" in ignored
    [(cell, reason)] = query(tmp_path / "w.duckdb", "select cell, reason from raw.ignored_rows where scope = 'value'")
    assert cell == "D3" and "与“平凉市”（C列）是同一地区" in reason


def test_a_spec_promising_a_unit_row_never_swallows_a_row_of_data(tmp_path: Path) -> None:
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "survey.yml").write_text(_OWN_SPEC + "unit_row: true\n", encoding="utf-8")
    with_units = {"调查": [["苹果产业专项调查（2024年1-9月）"], ["单位名称", "苹果产量"], ["", "吨"], ["庄浪县", 9000]]}
    without = {"调查": [["苹果产业专项调查（2024年1-9月）"], ["单位名称", "苹果产量（万吨）"], ["庄浪县", 0.9]]}
    paths = [statistics_workbook(tmp_path / "a.xlsx", with_units), statistics_workbook(tmp_path / "b.xlsx", without)]
    results = ingest_files(paths, tmp_path / "w.duckdb", REGISTRY, layouts=load_layouts(own))
    assert [(r.rows_loaded, r.rows_quarantined) for r in results] == [(1, 0), (1, 0)]
    assert query(tmp_path / "w.duckdb", "select file_name, value from raw.observations order by 1") == [
        ("a.xlsx", 0.9),
        ("b.xlsx", 0.9),
    ]


def test_a_quarterly_spec_files_the_second_quarter_under_its_last_month(tmp_path: Path) -> None:
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "county_quarterly_survey.yml").write_text(QUARTERLY_SPEC, encoding="utf-8")
    table = {"Q2": [["平凉市2024年第2季度季度调查"], ["单位名称", "肉牛存栏（万头）"], ["庄浪县", 3.5]]}
    path = statistics_workbook(tmp_path / "quarterly.xlsx", table)
    [loaded] = ingest_files([path], tmp_path / "w.duckdb", REGISTRY, layouts=load_layouts(own))
    assert (loaded.status, loaded.layout, loaded.periods) == ("loaded", "county_quarterly_survey", ["2024-06"])
    assert query(tmp_path / "w.duckdb", "select period, period_label, region_code, value from raw.observations") == [
        ("2024-06", "2024年第2季度", "620825", 3.5)  # filed at the quarter's last month, and says so
    ]


@pytest.mark.parametrize(
    ("name", "period_rule", "said"),
    [
        ("month_13.yml", 'granularity: month\n  pattern: "(?P<year>\\\\d{4})年(?P<month>13)月"', "never match"),
        ("quarter_5.yml", 'granularity: quarter\n  pattern: "(?P<year>\\\\d{4})年第(?P<quarter>5)季度"', "never match"),
        ("quarter_as_month.yml", 'pattern: "(?P<year>\\\\d{4})年第(?P<month>\\\\d)季度"', "granularity: quarter"),
        ("no_quarter.yml", 'granularity: quarter\n  pattern: "(?P<year>\\\\d{4})年"', "quarter"),
    ],
)
def test_a_period_rule_that_cannot_yield_a_period_of_its_granularity_is_refused(
    tmp_path: Path, name: str, period_rule: str, said: str
) -> None:
    from planwatch.ingest.layout_spec import LayoutSpecError, load_layouts

    own = tmp_path / "layouts"
    own.mkdir()
    (own / name).write_text(QUARTERLY_SPEC.split("period:")[0] + f"period:\n  source: title\n  {period_rule}\n")
    with pytest.raises(LayoutSpecError, match=name) as refused:
        load_layouts(own)
    assert said in str(refused.value)


@pytest.mark.parametrize(
    "written",
    [
        "2024年1月—6月",
        "2024年1月至6月",
        "2024年1月-6月",
        "2024年1–6月",
        "2024年1～6月",
        "2024年1到6月",
        "2024年1-6月",
        "2024年1月-2024年6月",
        "2024.1-2024.6",
        "2024/01-2024/06",
        "表3-2024年6月",  # a table's number, no range
    ],
)
def test_a_title_for_january_to_june_is_the_year_to_june_never_january(tmp_path: Path, written: str) -> None:
    table = {"Sheet1": [[f"平凉市{written}主要经济指标"], ["指标", "计量单位", "庄浪县"], ["苹果产量", "万吨", 12.5]]}
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.status, result.periods, result.rows_loaded) == ("loaded", ["2024-06"], 1), result
    assert query(tmp_path / "w.duckdb", "select period, measure, value from raw.observations") == [
        ("2024-06", "ytd_value", 12.5)
    ]


@pytest.mark.parametrize(
    "written", ["2024年4-6月", "2024年4月—6月", "2024年4月至6月", "2024.4-6月", "2024年4月至2024年6月", "2024.4-2024.6"]
)
def test_a_range_that_does_not_start_in_january_is_not_guessed_as_a_month(tmp_path: Path, written: str) -> None:
    table = {"Sheet1": [[f"平凉市{written}主要经济指标"], ["指标", "计量单位", "庄浪县"], ["苹果产量", "万吨", 12.5]]}
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (0, 1)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert code == "bad_period" and written in reason


def test_a_quarterly_spec_reads_a_quarter_written_as_its_months(tmp_path: Path) -> None:
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "county_quarterly_survey.yml").write_text(QUARTERLY_SPEC, encoding="utf-8")
    table = {"Q2": [["平凉市2024年4月—6月季度调查"], ["单位名称", "肉牛存栏（万头）"], ["庄浪县", 3.5]]}
    path = statistics_workbook(tmp_path / "平凉市农业农村局_quarterly.xlsx", table)
    [loaded] = ingest_files([path], tmp_path / "w.duckdb", REGISTRY, layouts=load_layouts(own))
    assert (loaded.status, loaded.periods, loaded.rows_quarantined) == ("loaded", ["2024-06"], 0)
    assert query(tmp_path / "w.duckdb", "select period, period_label, value from raw.observations") == [
        ("2024-06", "2024年第2季度", 3.5)
    ]


@pytest.mark.parametrize(
    ("granularity", "written", "period", "label"),
    [
        ("quarter", "2024年第三季度", "2024-09", "2024年第3季度"),
        ("quarter", "2024年二季度", "2024-06", "2024年第2季度"),
        ("half_year", "2024年上半年", "2024-06", "2024年上半年"),
        ("half_year", "2024年下半年", "2024-12", "2024年下半年"),
        ("year", "2024年", "2024-12", "2024年"),
        ("year", "2024年度", "2024-12", "2024年"),
    ],
)
def test_a_spec_without_a_pattern_reads_its_granularitys_usual_forms_and_keeps_the_label(
    tmp_path: Path, granularity: str, written: str, period: str, label: str
) -> None:
    """The usual ways statistics write a quarter, a half-year or a year need no pattern in the spec: the
    period is filed at its last month and the briefing can say 2024年第3季度, not 2024年9月."""
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    spec = QUARTERLY_SPEC.split("period:")[0] + f"period:\n  source: title\n  granularity: {granularity}\n"
    (own / "county_survey.yml").write_text(spec + "measure: period_end_value\n", encoding="utf-8")
    table = {"Sheet1": [[f"平凉市{written}季度调查"], ["单位名称", "肉牛存栏（万头）"], ["庄浪县", 3.5]]}
    path = statistics_workbook(tmp_path / "平凉市统计局_survey.xlsx", table)
    [loaded] = ingest_files([path], tmp_path / "w.duckdb", REGISTRY, layouts=load_layouts(own))
    assert (loaded.status, loaded.periods, loaded.rows_quarantined) == ("loaded", [period], 0), loaded
    assert query(tmp_path / "w.duckdb", "select period, period_label, value from raw.observations") == [
        (period, label, 3.5)
    ]


@pytest.mark.parametrize(
    ("header", "measure"),
    [
        ("1月—6月", "ytd_value"),
        ("1月至6月累计", "ytd_value"),
        ("1–6月", "ytd_value"),
        ("1到6月", "ytd_value"),
        ("上年1月-6月", "prior_year_ytd_value"),
        ("上年同期1–6月", "prior_year_ytd_value"),
        ("4-6月", None),
    ],
)
def test_a_year_to_date_header_is_known_however_its_range_is_written(header: str, measure: str | None) -> None:
    from planwatch.ingest.layout_head import measure_of_header, month_of_header
    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.values import split_header

    spec = load_layouts()[0]
    label = split_header(header).label
    found = measure_of_header(label, spec)
    assert (found.value if found else None) == measure
    assert month_of_header(label) == 6  # the range's last month, checked against the table's period


def test_a_city_report_headed_1yue_to_6yue_reads_its_year_to_date_for_june(tmp_path: Path) -> None:
    table = {
        "Sheet1": [
            ["平凉市2024年1月—6月主要经济指标"],
            ["指标", "计量单位", "6月", "1月—6月", "上年1月—6月"],
            ["苹果产量", "万吨", 2.5, 12.5, 11.0],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    assert (result.periods, result.rows_quarantined) == (["2024-06"], 0)
    rows = query(tmp_path / "w.duckdb", "select period, measure, value from raw.observations order by cell")
    assert rows == [
        ("2024-06", "month_value", 2.5),
        ("2024-06", "ytd_value", 12.5),
        ("2024-06", "prior_year_ytd_value", 11.0),
    ]


def test_a_table_whose_sheet_name_and_title_name_different_months_is_quarantined_naming_both(tmp_path: Path) -> None:
    table = {
        "2024年5月": [
            ["平凉市2024年1-6月主要经济指标"],
            ["指标", "计量单位", "庄浪县", "静宁县"],
            ["苹果产量", "万吨", 12.5, 30.25],
            ["肉牛饲养量", "万头", 1.5, 2.5],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (0, 2)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]  # May is not revised
    rows = query(tmp_path / "w.duckdb", "select row_number, cell, reason_code, reason from raw.quarantine order by 1")
    assert [row[:3] for row in rows] == [(3, "A3", "table_period_mismatch"), (4, "A4", "table_period_mismatch")]
    reason = rows[0][3]
    assert all(words in reason for words in ("2024年5月", "2024年6月", "平凉市2024年1-6月主要经济指标"))


def test_a_sheet_name_and_title_naming_the_same_month_or_only_a_filing_date_still_load(tmp_path: Path) -> None:
    table = {
        "2024年6月": [
            ["平凉市主要经济指标（2024年1-6月）"],
            ["指标", "计量单位", "庄浪县"],
            ["苹果产量", "万吨", 12.5],
        ],
        "2024年5月": [
            ["平凉市主要经济指标"],
            ["制表日期：2024年6月10日"],
            ["指标", "计量单位", "庄浪县"],
            ["苹果产量", "万吨", 10],
        ],
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert query(tmp_path / "w.duckdb", "select sheet, period from raw.observations order by 2") == [
        ("2024年5月", "2024-05"),
        ("2024年6月", "2024-06"),
    ]


def test_a_statistics_table_nobody_can_be_held_to_is_rejected_not_counted_as_the_bureaus(tmp_path: Path) -> None:
    table = {"2024年6月": [["主要经济指标（2024年1-6月）"], ["指标", "计量单位", "庄浪县"], ["苹果产量", "万吨", 12.5]]}
    nameless = statistics_workbook(tmp_path / "月报.xlsx", table)
    [result] = ingest([nameless], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert result.status == "rejected" and result.department_id is None
    assert "无法识别报送单位" in result.reason and "月报.xlsx" in result.reason
    assert "请在文件名或表头写明报送单位" in result.reason
    assert query(tmp_path / "w.duckdb", "select status, rejection_reason from raw.file_loads") == [
        ("rejected", result.reason)
    ]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    assert result.receipt is not None


def test_a_statistics_table_whose_title_names_its_sender_is_filed_under_it(tmp_path: Path) -> None:
    table = {
        "2024年6月": [
            ["平凉市统计局 主要经济指标（2024年1-6月）"],
            ["指标", "计量单位", "庄浪县"],
            ["苹果产量", "万吨", 12.5],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "月报.xlsx", table)], tmp_path / "w.duckdb")
    assert (result.status, result.department_id) == ("loaded", "pingliang.statistics_bureau")
    assert query(tmp_path / "w.duckdb", "select department_id, region_code from raw.observations") == [
        ("pingliang.statistics_bureau", "620825")
    ]


def test_a_statistics_table_titled_for_another_city_is_refused_not_filed_as_the_senders(tmp_path: Path) -> None:
    """平凉市's monthly table saved as 张掖市统计局_统计月报: its 全市 column would load as 张掖市's figures. The
    file is refused naming the file's sender and the title's city; a title naming none, or a county of the
    sender's city, is the sender's table, and that county's 全县 is the county."""
    other = {
        "2024年6月": [
            ["平凉市主要指标统计月报（2024年1-6月）"],
            ["指标", "计量单位", "全市"],
            ["苹果产量", "万吨", 205.0],
        ]
    }
    [result] = ingest(
        [statistics_workbook(tmp_path / "张掖市统计局_统计月报_2024-06.xlsx", other)], tmp_path / "w.duckdb"
    )
    assert (result.status, result.department_id) == ("rejected", None)
    assert "文件名“张掖市统计局_统计月报_2024-06.xlsx”写明的报送单位是“张掖市统计局”（张掖市）" in result.reason
    assert "写的是平凉市的数据，平凉市不属于张掖市" in result.reason and "工作表“2024年6月”" in result.reason
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    county = {
        "2024年6月": [
            ["庄浪县主要指标统计月报（2024年1-6月）"],
            ["指标", "计量单位", "全县"],
            ["苹果产量", "万吨", 61.2],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "平凉市统计局_统计月报.xlsx", county)], tmp_path / "w.duckdb")
    assert (result.status, result.department_id) == ("loaded", "pingliang.statistics_bureau")
    assert query(tmp_path / "w.duckdb", "select region_code, value from raw.observations") == [("620825", 61.2)]


def test_a_spelling_every_citys_bureau_shares_names_no_sender(tmp_path: Path) -> None:
    """市统计局 is an alias of every city's bureau: which one sent the file is not guessed."""
    table = {
        "2024年6月": [
            ["市统计局 主要经济指标（2024年1-6月）"],
            ["指标", "计量单位", "庄浪县"],
            ["苹果产量", "万吨", 12.5],
        ]
    }
    [result] = ingest([statistics_workbook(tmp_path / "某市统计局_月报.xlsx", table)], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "无法识别报送单位" in result.reason


def test_a_countys_whole_region_is_the_county_not_its_city(tmp_path: Path) -> None:
    """全县 in a county's table, and a county's one-column report, are the county's figures: filed under its
    city they would be read as the city's and judged against the city's targets."""
    rows = statistics_workbook(
        tmp_path / "庄浪县人民政府_分乡镇.xlsx",
        _county_rows_table([["全县", 12.5, 3]], header=["乡镇", "苹果产量（万吨）", "肉牛饲养量（万头）"]),
    )
    column = statistics_workbook(
        tmp_path / "庄浪县人民政府_主要指标.xlsx",
        {
            "Sheet1": [
                ["庄浪县2024年1-6月主要经济指标"],
                ["指标", "计量单位", "1-6月", "全县"],
                ["苹果产量", "万吨", 12.5, None],
                ["肉牛饲养量", "万头", None, 3],
            ]
        },
    )
    results = ingest([rows, column], tmp_path / "w.duckdb")
    for result in results:
        _accounting_holds(result)
        assert (result.status, result.department_id) == ("loaded", "pingliang.zhuanglang_county_government")
    assert query(
        tmp_path / "w.duckdb",
        "select file_name, cell, indicator_code, region_code from raw.observations order by file_name, cell",
    ) == [
        ("庄浪县人民政府_主要指标.xlsx", "C3", "apple_output", "620825"),
        ("庄浪县人民政府_主要指标.xlsx", "D4", "beef_cattle_rearing_volume", "620825"),
        ("庄浪县人民政府_分乡镇.xlsx", "B3", "apple_output", "620825"),
        ("庄浪县人民政府_分乡镇.xlsx", "C3", "beef_cattle_rearing_volume", "620825"),
    ]


def test_the_citys_whole_region_in_a_city_departments_table_is_still_the_city(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx", _county_rows_table([["全市", 40, 20], ["庄浪县", 12.5, 3]])
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert query(tmp_path / "w.duckdb", "select distinct region_code from raw.observations order by 1") == [
        ("620800",),
        ("620825",),
    ]


_OWN_MONTHLY_SPEC = """\
layout_id: pingliang_monthly_with_own_labels
description: 平凉市主要指标月报（本地口径的指标名）
orientation: regions_as_columns
detect:
  any_text: [主要指标]
  all_headers: [指标]
header_marker: [指标]
period:
  source: sheet_name
measure: ytd_value
unit_column: [计量单位]
indicator_labels:
  鲜果产量: apple_output
"""


def test_a_deployments_own_spec_reads_a_table_a_built_in_spec_also_matches(tmp_path: Path) -> None:
    """A deployment describes its bureau's monthly table (with its own label 鲜果产量 for 苹果产量); the built-in
    monthly spec matches the table too, and would refuse the label: the deployment's spec is tried first, and
    `planwatch layouts check` names both specs the file matches."""
    import os
    import subprocess
    import sys

    from planwatch.ingest.layout_spec import load_layouts
    from planwatch.ingest.run import ingest_files

    from .conftest import PROJECT_ROOT
    from .ingest_support import REGISTRY

    own = tmp_path / "layouts"
    own.mkdir()
    (own / "pingliang_monthly.yml").write_text(_OWN_MONTHLY_SPEC, encoding="utf-8")
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx", pingliang_table([["鲜果产量", "吨", 125000, 302500]])
    )
    [built_in_only] = ingest([path], tmp_path / "before.duckdb")
    assert built_in_only.layout == "stats_bureau_regions_as_columns" and built_in_only.rows_quarantined == 1
    [loaded] = ingest_files([path], tmp_path / "after.duckdb", REGISTRY, layouts=load_layouts(own))
    assert (loaded.layout, loaded.rows_loaded, loaded.rows_quarantined) == ("pingliang_monthly_with_own_labels", 1, 0)
    assert query(tmp_path / "after.duckdb", "select indicator_code, region_code, value from raw.observations") == [
        ("apple_output", "620825", 12.5),
        ("apple_output", "620826", 30.25),
    ]
    checked = subprocess.run(
        [sys.executable, "-m", "planwatch", "layouts", "check", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PLANWATCH_LAYOUTS_DIR": str(own)},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "layout pingliang_monthly_with_own_labels" in checked.stdout
    assert "also matched by stats_bureau_regions_as_columns" in checked.stdout


def test_a_table_whose_title_names_another_month_than_its_file_name_is_quarantined(tmp_path: Path) -> None:
    """A June file (统计月报_2024-04) whose title still says 1-3月: its figures would have replaced March's as
    revisions; every row is quarantined naming the file, both months and the sheet, and nothing loads."""
    rows = [["苹果产量", "万吨", 12.5, 30.25], ["蔬菜产量", "万吨", 8.0, 9.0]]
    path = statistics_workbook(tmp_path / "平凉市统计局_统计月报_2024-04.xlsx", pingliang_table(rows))
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert result.rows_loaded == 0 and result.rows_quarantined == 2
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    reasons = query(tmp_path / "w.duckdb", "select distinct reason_code, reason from raw.quarantine")
    [(code, reason)] = reasons
    assert code == "file_period_mismatch"
    assert all(words in reason for words in (path.name, "2024年4月", "2024年3月", "工作表“2024年3月”"))


@pytest.mark.parametrize(
    ("file_name", "period"),
    [
        ("平凉市统计局_统计月报_2024-03.xlsx", "2024-03"),  # the file's month and the title's agree
        ("平凉市统计局_统计月报二〇二四年三月.xlsx", "2024-03"),
        ("平凉市统计局_主要指标.xlsx", "2024-03"),  # the file names no month: the title's
    ],
)
def test_a_table_whose_file_name_agrees_with_its_title_or_names_no_month_loads(
    tmp_path: Path, file_name: str, period: str
) -> None:
    path = statistics_workbook(tmp_path / file_name, pingliang_table([["苹果产量", "万吨", 12.5, 30.25]]))
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    assert query(tmp_path / "w.duckdb", "select distinct period from raw.observations") == [(period,)]


def test_a_table_dated_only_by_its_filling_day_takes_the_file_names_month(tmp_path: Path) -> None:
    """制表日期：2024年7月10日 is when the June table was filled, not its month: the file name (2024-06) says."""
    rows = [["平凉市分县区主要指标"], ["制表日期：2024年7月10日"], ["县区", "苹果产量（万吨）"], ["庄浪县", 12.5]]
    table = {"Sheet1": rows}
    path = statistics_workbook(tmp_path / "平凉市统计局_统计月报_2024-06.xlsx", table)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_quarantined == 0
    assert query(tmp_path / "w.duckdb", "select period, value from raw.observations") == [("2024-06", 12.5)]


def test_a_row_whose_name_and_unit_column_state_different_units_is_quarantined(tmp_path: Path) -> None:
    """营业收入（亿元） in the label and 万元 in the 计量单位 column: the figures are 10⁴ apart under the two
    readings, so the row is quarantined naming both units; the same unit written two ways loads."""
    rows = [["苹果产量（万吨）", "吨", 12.5, 30.25], ["蔬菜产量（万吨）", "万吨", 8.0, 9.0]]
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", pingliang_table(rows))
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    [(cell, code, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, code) == ("B3", "unit_stated_twice_in_row")
    assert "苹果产量(万吨)" in reason and "计量单位（万吨）" in reason and "计量单位列的“吨”" in reason
    loaded = query(tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations")
    assert len(loaded) == 1


def test_a_magnitude_typed_alone_takes_the_columns_base_unit(tmp_path: Path) -> None:
    """30.25万 in a 万吨 column is 30.25万吨 and 1200万 is 1200万吨 read in 万吨 (a clerk leaves out the 吨 the
    header gives); 1.85万头 in a 万吨 column does not convert and is said to be the wrong unit."""
    table = pingliang_table([["苹果产量", "万吨", "30.25万", "1,200万"], ["蔬菜产量", "万吨", "1.85万头", 9.0]])
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", table)
    [result] = ingest([path], tmp_path / "w.duckdb")
    _accounting_holds(result)
    loaded = query(tmp_path / "w.duckdb", "select cell, value, original_unit from raw.observations order by cell")
    assert loaded == [("C3", 30.25, "万吨"), ("D3", 1200.0, "万吨"), ("D4", 9.0, "万吨")]
    [(cell, code, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, code) == ("C4", "unit_in_cell_mismatch") and "1.85万头" in reason and "（万吨）" in reason
