"""Every non-empty cell of a file is loaded, quarantined or ignored with a reason: nothing vanishes.

A wide table with a column for a region the registry does not know, a table with an indicator column
the registry does not know, and a long CSV with a column the spec does not map: each value of those
columns in an otherwise loaded row is set aside on its own, named on the receipt, and the file's
cells add up (counted here again, apart from the code under test).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

from planwatch.forms.layout import template_layout
from planwatch.forms.template import build_template
from planwatch.template_format import REGION_HEADER

from .ingest_support import REGISTRY, ingest, plausible_values, query, statistics_workbook


def _filled_cells(path: Path) -> int:
    """Non-empty cells of every sheet, counted with openpyxl (or csv): not with the ingest's reader."""
    if path.suffix == ".csv":
        rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
        return sum(1 for row in rows for cell in row if cell.strip())
    workbook = openpyxl.load_workbook(path)
    return sum(
        1
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None and str(cell).strip()
    )


def _set_aside_on_receipt(receipt: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(receipt)["未采用的数据项"]
    return [row for row in sheet.iter_rows(min_row=2, values_only=True)]


def _receipt_status(receipt: Path) -> str:
    summary = openpyxl.load_workbook(receipt)["回执"]
    return next(row[1] for row in summary.iter_rows(values_only=True) if row[0] == "处理结果")


def _cells_hold(warehouse: Path, path: Path) -> tuple[int, int, int, int]:
    [(read, loaded, quarantined, ignored)] = query(
        warehouse,
        f"select cells_read, cells_loaded, cells_quarantined, cells_ignored from raw.file_loads "
        f"where file_name = '{path.name}'",
    )
    assert read == loaded + quarantined + ignored == _filled_cells(path)
    return read, loaded, quarantined, ignored


def test_a_wide_table_with_an_unknown_region_column_sets_its_values_aside_one_by_one(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_月报.xlsx",
        {
            "2024年3月": [
                ["平凉市主要指标月报（2024年1-3月）"],
                ["指标", "计量单位", "庄浪县", "回民区", "静宁县"],  # 回民区 is no county of 平凉
                ["苹果产量", "万吨", 12.5, 7, 30],
                ["肉牛饲养量", "万头", 1.5, 2, "—"],
            ]
        },
    )
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    [result] = ingest([path], warehouse, receipts)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert query(warehouse, "select cell, value from raw.observations order by cell") == [
        ("C3", 12.5),
        ("C4", 1.5),
        ("E3", 30.0),
    ]
    quarantined = query(
        warehouse, "select cell, reason_code, reason from raw.quarantine where scope = 'value' order by cell"
    )
    assert [(cell, code) for cell, code, _ in quarantined] == [
        ("D3", "unknown_region_column"),
        ("D4", "unknown_region_column"),
    ]
    assert all("2024年3月!" in reason and "回民区" in reason for _, _, reason in quarantined)
    ignored = query(warehouse, "select cell, reason_code from raw.ignored_rows where scope = 'value'")
    assert ignored == [("E4", "not_reported")]  # "—": counted and shown, not a figure
    # 1 title + 5 header + 5 + 5: 2 labels, 2 units and 3 figures loaded; 2 set aside; the rest ignored
    assert _cells_hold(warehouse, path) == (16, 7, 2, 7)
    assert result.is_partial
    receipt = receipts / "平凉市统计局_月报_回执.xlsx"
    assert _receipt_status(receipt).startswith("部分接收")
    listed = _set_aside_on_receipt(receipt)
    assert [(row[2], row[3]) for row in listed] == [("D3", "未接收"), ("D4", "未接收"), ("E4", "忽略")]
    assert "回民区" in listed[0][4] and listed[0][5] == "7"


def test_a_table_with_an_unknown_indicator_column_sets_its_values_aside(tmp_path: Path) -> None:
    path = statistics_workbook(
        tmp_path / "平凉市统计局_分县区.xlsx",
        {
            "Sheet1": [
                ["平凉市分县区主要指标（2024年1-6月）"],
                ["县区", "苹果产量（万吨）", "火龙果产量（万吨）", "肉牛饲养量（万头）"],
                ["庄浪县", 12.5, 3, 3],
                ["静宁县", 30, 4, 4.5],
            ]
        },
    )
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    [result] = ingest([path], warehouse, receipts)
    assert (result.rows_loaded, result.observations) == (2, 4)
    quarantined = query(warehouse, "select cell, reason_code, reason from raw.quarantine order by cell")
    assert [(cell, code) for cell, code, _ in quarantined] == [
        ("C3", "unknown_indicator_column"),
        ("C4", "unknown_indicator_column"),
    ]
    assert "火龙果产量" in quarantined[0][2] and "“3”" in quarantined[0][2]
    assert _cells_hold(warehouse, path) == (13, 6, 2, 5)
    assert _receipt_status(receipts / "平凉市统计局_分县区_回执.xlsx").startswith("部分接收")
    [(ignored_columns,)] = query(warehouse, "select ignored_columns from raw.file_loads")
    assert json.loads(ignored_columns) == ["Sheet1!C2 火龙果产量(万吨)（未登记的指标）"]


def test_a_long_csv_with_an_unmapped_column_and_an_unknown_region_accounts_for_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "平凉市统计局_导出.csv"
    path.write_text(
        "指标名称,地区,时期,数值,单位,口径,填报人电话\n"
        "苹果产量,庄浪县,2024-03,12.5,万吨,累计,0933-1234567\n"
        "苹果产量,火星县,2024-03,1,万吨,累计,\n"
        "苹果产量,静宁县,2024-03,30,万吨,累计,\n",
        encoding="utf-8",
    )
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    [result] = ingest([path], warehouse, receipts)
    assert (result.rows_loaded, result.rows_quarantined) == (2, 1)
    rows = query(warehouse, "select row_number, cell, reason_code, scope from raw.quarantine order by row_number")
    assert rows == [(2, "G2", "unrecognised_column", "value"), (3, "B3", "unknown_region_in_table", "row")]
    # 7 header cells ignored; row 2: 6 loaded, 1 set aside; row 3: 6 quarantined with it; row 4: 6 loaded
    assert _cells_hold(warehouse, path) == (26, 12, 7, 7)
    listed = _set_aside_on_receipt(receipts / "平凉市统计局_导出_回执.xlsx")
    assert [(row[2], row[5]) for row in listed] == [("G2", "0933-1234567")]
    assert "填报人电话" in listed[0][4]


def _template_with_a_column_added(tmp_path: Path, header: str, value: str) -> tuple[Path, str]:
    """A filled template whose first data sheet has a column the clerk added right of the table, headed
    `header`, with `value` in its first data row; returns the file and that cell's address."""
    period, department = "2022-06", "hohhot.agriculture_animal_husbandry_bureau"
    layout = template_layout(REGISTRY, department, period)
    workbook = build_template(REGISTRY, department, period, plausible_values(department, period), {}, layout)
    sheet = workbook[layout.data_sheets[0].sheet_name]
    header_row = next(row[0].row for row in sheet.iter_rows() if any(cell.value == REGION_HEADER for cell in row))
    extra = sheet.max_column + 1
    sheet.cell(header_row, extra, header)
    sheet.cell(header_row + 1, extra, value)
    path = tmp_path / "模板.xlsx"
    workbook.save(path)
    return path, f"{get_column_letter(extra)}{header_row + 1}"


def test_a_template_with_a_column_added_by_a_clerk_keeps_the_figures_and_names_the_extra_values(
    tmp_path: Path,
) -> None:
    path, _ = _template_with_a_column_added(tmp_path, "自填说明", "数据为估算")
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.status == "loaded" and result.rows_quarantined == 0 and result.observations > 0
    values = query(warehouse, "select reason_code, reason, row_content from raw.quarantine where scope = 'value'")
    assert len(values) == 1
    [(code, reason, content)] = values
    assert code == "unrecognised_column" and "自填说明" in reason and content == '["数据为估算"]'
    assert _cells_hold(warehouse, path)[2] == 1


def test_a_column_headed_with_a_dash_is_named_by_its_letter(tmp_path: Path) -> None:
    """A header of "—" or "/" names nothing a clerk can find: the message names the column's letter."""
    path, cell = _template_with_a_column_added(tmp_path, "—", "数据为估算")
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.status == "loaded" and result.rows_quarantined == 0
    [(code, reason)] = query(warehouse, "select reason_code, reason from raw.quarantine where scope = 'value'")
    letter = cell.rstrip("0123456789")
    assert code == "unrecognised_column" and f"!{cell}：“{letter}列”不是本表可识别的数据列" in reason, reason
    assert "“—”" not in reason


def test_a_table_with_a_two_row_header_takes_nothing_and_its_receipt_never_says_received(tmp_path: Path) -> None:
    """The counties sit in a second header row the layout does not read: the figures under them are in
    columns no figure is read from. They are quarantined naming each cell, not ignored as a blank row."""
    path = statistics_workbook(
        tmp_path / "中卫市统计局_完成情况.xlsx",
        {
            "Sheet": [
                ["中卫市主要经济指标（2025年1-6月）"],
                ["指标", "计量单位", "地区"],
                [None, None, "全市", "沙坡头区", "中宁县", "海原县"],
                ["农产品加工业产值", "亿元", 40.1, 12.3, 15.2, 8.6],
            ]
        },
    )
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    [result] = ingest([path], warehouse, receipts)
    assert (result.status, result.rows_loaded, result.observations) == ("loaded", 0, 0)
    [(row_number, code, reason)] = query(
        warehouse, "select row_number, reason_code, reason from raw.quarantine where scope = 'row'"
    )
    assert (row_number, code) == (4, "figures_in_unrecognised_columns")
    assert all(words in reason for words in ("C4", "地区", "40.1", "D4", "12.3", "F4", "8.6")), reason
    status = _receipt_status(receipts / "中卫市统计局_完成情况_回执.xlsx")
    assert "已接收" not in status and status.startswith("未接收任何数据")
    _cells_hold(warehouse, path)


def test_figures_typed_right_of_the_templates_columns_are_quarantined_not_ignored_as_blank(tmp_path: Path) -> None:
    period, department = "2022-06", "hohhot.agriculture_animal_husbandry_bureau"
    layout = template_layout(REGISTRY, department, period)
    workbook = build_template(REGISTRY, department, period, plausible_values(department, period), {}, layout)
    sheet = workbook[layout.data_sheets[0].sheet_name]
    header_row = next(row[0].row for row in sheet.iter_rows() if any(cell.value == REGION_HEADER for cell in row))
    last = sheet.max_column
    figures = [sheet.cell(header_row + 1, column).value for column in range(3, last + 1)]
    for offset, figure in enumerate(figures):  # each figure moved two columns right, its own cell left blank
        sheet.cell(header_row + 1, 3 + offset).value = None
        sheet.cell(header_row + 1, last + 2 + offset).value = figure
    path = tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx"
    workbook.save(path)
    warehouse, receipts = tmp_path / "w.duckdb", tmp_path / "receipts"
    [result] = ingest([path], warehouse, receipts)
    assert result.status == "loaded" and result.rows_quarantined == 1
    rows = query(
        warehouse,
        f"select row_number, reason_code, reason from raw.quarantine where sheet = '{sheet.title}' and scope = 'row'",
    )
    assert [(number, code) for number, code, _ in rows] == [(header_row + 1, "figures_in_unrecognised_columns")]
    assert all(f"“{figure}”" in rows[0][2] for figure in figures if figure is not None)
    ignored = query(
        warehouse,
        f"select count(*) from raw.ignored_rows where sheet = '{sheet.title}' and reason_code = 'blank_figures'",
    )
    assert ignored == [(0,)]
    assert "部分接收" in _receipt_status(receipts / "呼和浩特市农牧局_2022-06_填报模板_回执.xlsx")
    _cells_hold(warehouse, path)
