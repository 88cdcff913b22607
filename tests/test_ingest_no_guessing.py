"""A number is loaded only when it reads one way, a period only when it is a real month that has come:
what cannot be read for sure is quarantined (a cell) or rejected (a file) with a Chinese reason, never
guessed, and one bad file never stops the month's transform for everyone."""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planwatch.forms.layout import template_layout
from planwatch.forms.template import build_template
from planwatch.ingest.values import (
    AmbiguousNumberError,
    FootnoteMarkError,
    NonFiniteNumberError,
    NotANumberError,
    column_index,
    number_with_unit,
    parse_number,
)
from planwatch.registry.reference import IncompatibleUnitsError
from planwatch.sample.xls import xls_bytes
from planwatch.template_format import META_SHEET

from .conftest import run_planwatch
from .ingest_support import REGISTRY, ingest, plausible_values, query

PERIOD = "2022-06"
DEPARTMENT = "hohhot.agriculture_animal_husbandry_bureau"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,234", 1234.0),
        ("12,345,678.5", 12345678.5),
        ("１，２３４", 1234.0),  # full width, as an IME types it
        ("-1,234", -1234.0),
        ("\u22125.2", -5.2),  # the minus sign of Word and of a pasted web table (U+2212)
        ("3.21", 3.21),
        ("1e3", 1000.0),
        (" 72 ", 72.0),
        ("—", None),
        ("0", 0.0),
        ("0e-400", 0.0),
        ("0.000", 0.0),
    ],
)
def test_a_number_that_reads_one_way_is_read(typed: str, read: float | None) -> None:
    assert parse_number(typed) == read


def test_minus_zero_is_zero() -> None:
    assert math.copysign(1.0, parse_number("-0")) == 1.0


@pytest.mark.parametrize("typed", ["3,21", "1,2345", "3 21", "1 234", "12,34,567", "1,234,56", ",123", "1,"])
def test_a_separator_that_could_be_a_decimal_comma_or_a_misplaced_thousands_one_is_not_guessed(typed: str) -> None:
    with pytest.raises(AmbiguousNumberError):
        parse_number(typed)


@pytest.mark.parametrize("typed", ["1e400", "-1e400", "1e-400", "-2.5e-999", float("inf"), float("nan"), "inf", "nan"])
def test_a_value_beyond_any_number_is_refused(typed: object) -> None:
    with pytest.raises(NotANumberError) as raised:
        parse_number(typed)
    assert isinstance(raised.value, NonFiniteNumberError) or typed in ("inf", "nan")


@pytest.mark.parametrize("typed", ["44.97①", "10.3¹", "10²", "2³", "①", "⑩", "²", "10.3⑴", "½", "10.3₂", "12.5万吨¹"])
def test_a_footnote_mark_beside_a_figure_is_not_read_as_a_digit(typed: str) -> None:
    """NFKC makes ① and ¹ the digit 1: '44.97①' would load as 44.971. A figure that reads two ways is refused."""
    with pytest.raises(NotANumberError) as raised:
        parse_number(typed)
    assert isinstance(raised.value, FootnoteMarkError) and typed in str(raised.value)
    assert number_with_unit(typed) is None


def _long_csv(folder: Path, rows: list[str]) -> Path:
    """平凉市农业农村局's export of the statistics system: one figure a row (指标名称, 地区, 时期, 数值, 单位, 口径)."""
    path = folder / "平凉市农业农村局_数据导出_2025-10.csv"
    path.write_text("\n".join(["指标名称,地区,时期,数值,单位,口径", *rows]) + "\n", encoding="utf-8")
    return path


def _template(path: Path) -> tuple[Path, list[tuple[str, int]]]:
    """A filled template of PERIOD; the (sheet, row) of each data sheet's region rows."""
    layout = template_layout(REGISTRY, DEPARTMENT, PERIOD)
    build_template(REGISTRY, DEPARTMENT, PERIOD, plausible_values(DEPARTMENT, PERIOD), {}, layout).save(path)
    return path, [
        (sheet.sheet_name, 4 + index) for sheet in layout.data_sheets for index in range(len(sheet.region_codes))
    ]


def _set_period(path: Path, period: str) -> None:
    workbook = load_workbook(path)
    for row in workbook[META_SHEET].iter_rows():
        if row[0].value == "period":
            row[1].value = period
    workbook.save(path)


@pytest.mark.slow
def test_ambiguous_and_poisonous_cells_and_periods_are_set_aside_and_the_transform_still_passes(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "w.duckdb"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    cells, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(cells)
    typed = {"3,21": "ambiguous_number", "1,2345": "ambiguous_number", "3 21": "ambiguous_number"}
    typed["1e400"] = "non_finite_number"
    # footnote marks that NFKC would make digits (44.97① → 44.971, 10² → 102)
    typed |= {"44.97①": "footnote_mark", "10.3¹": "footnote_mark", "10²": "footnote_mark"}
    for (sheet_name, row), text in zip(rows, typed, strict=False):
        workbook[sheet_name].cell(row=row, column=3).value = text
    workbook.save(cells)
    chinese_period, _ = _template(tmp_path / "呼和浩特市农牧局_2022年6月_填报模板.xlsx")
    _set_period(chinese_period, "2022年6月")
    future, _ = _template(tmp_path / "呼和浩特市农牧局_2030-01_填报模板.xlsx")
    _set_period(future, "2030-01")

    # the other cases of the table, each in its own file of the same month: swapped sheets, a region
    # of another city, a second column of one measure, Excel errors and an uncomputed formula
    broken = {}
    for case in ("swapped", "foreign_region", "second_column", "errors"):
        path, case_rows = _template(tmp_path / f"呼和浩特市农牧局_{PERIOD}_{case}.xlsx")
        workbook = load_workbook(path)
        sheet, row = case_rows[0]
        if case == "swapped":
            first, second = sorted({name for name, _ in case_rows})[:2]
            workbook[first].title, workbook[second].title = "swap", first
            workbook["swap"].title = second
        elif case == "foreign_region":
            workbook[sheet].cell(row=row, column=1).value = "中卫市"
            workbook[sheet].cell(row=row, column=2).value = "640500"
        elif case == "second_column":
            extra = workbook[sheet].max_column + 1
            workbook[sheet].cell(row=3, column=extra).value = workbook[sheet].cell(row=3, column=3).value
            workbook[sheet].cell(row=row, column=extra).value = 99.5
        else:
            workbook[sheet].cell(row=row, column=3).value = "#DIV/0!"
            workbook[case_rows[1][0]].cell(row=case_rows[1][1], column=3).value = "=C5*2"
        workbook.save(path)
        broken[case] = path
    results = {result.file: result for result in ingest([cells, chinese_period, future, *broken.values()], warehouse)}

    quarantined = query(
        warehouse,
        f"select cell, reason_code, reason from raw.quarantine where file_name = '{cells.name}'",
    )
    assert len(rows) >= len(typed) and len(quarantined) == len(typed)
    for text, code in typed.items():
        [(cell, reason)] = [(cell, reason) for cell, found, reason in quarantined if f"“{text}”" in reason]
        assert cell.startswith("C") and code == next(c for _, c, r in quarantined if r == reason), reason
        assert "数字" in reason, reason
    placed = {(sheet, row) for sheet, row in rows[: len(typed)]}
    assert (
        set(query(warehouse, f"select sheet, row_number from raw.quarantine where file_name = '{cells.name}'"))
        == placed
    ), "each refused value is named by its file, sheet, row and cell"
    loaded = query(warehouse, "select original_value from raw.observations")
    assert not {value for (value,) in loaded} & set(typed), "an ambiguous figure was loaded as a guess"
    assert query(warehouse, "select count(*) from raw.observations where not isfinite(value)") == [(0,)]
    assert results[cells.name].status == "loaded" and results[cells.name].rows_quarantined == len(typed)

    rejected = results[chinese_period.name]
    assert rejected.status == "rejected" and "2022年6月" in rejected.reason and "报送期" in rejected.reason
    too_early = results[future.name]
    assert too_early.status == "rejected" and "2030-01" in too_early.reason and "尚未到来" in too_early.reason
    assert query(warehouse, "select distinct period from raw.observations") == [(PERIOD,)]

    expected = {
        "swapped": {"sheet_indicator_mismatch"},
        "foreign_region": {"region_out_of_scope"},
        "second_column": {"duplicate_measure_column"},
        "errors": {"error_value", "formula_without_value"},
    }
    for case, path in broken.items():
        codes = {
            code
            for (code,) in query(warehouse, f"select reason_code from raw.quarantine where file_name = '{path.name}'")
        }
        assert codes == expected[case], case
        result = results[path.name]
        assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    assert query(warehouse, "select count(*) from raw.observations where region_code = '640500'") == [(0,)]

    # the month still builds for everyone: one current figure per key, every one finite
    run_planwatch("transform", env={"PLANWATCH_WAREHOUSE": str(warehouse)})
    keys = query(
        warehouse, "select count(distinct (indicator_code, region_code, period, measure)) from raw.observations"
    )
    assert query(warehouse, "select count(*) from marts.fct_observation") == keys
    assert all(math.isfinite(value) for (value,) in query(warehouse, "select value from marts.fct_observation"))


def _reasons(warehouse: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for sheet, code in query(warehouse, "select sheet, reason_code from raw.quarantine"):
        found.setdefault(code, set()).add(sheet)
    return found


def test_swapped_sheets_are_not_filed_under_each_others_indicator(tmp_path: Path) -> None:
    path, rows = _template(tmp_path / "t.xlsx")
    first, second = sorted({sheet for sheet, _ in rows})[:2]
    workbook = load_workbook(path)
    workbook[first].title, workbook[second].title = "swap", first
    workbook["swap"].title = second
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert _reasons(tmp_path / "w.duckdb") == {"sheet_indicator_mismatch": {first, second}}
    assert query(
        tmp_path / "w.duckdb", f"select count(*) from raw.observations where sheet in ('{first}', '{second}')"
    )[0] == (0,)
    [reason] = query(tmp_path / "w.duckdb", f"select distinct reason from raw.quarantine where sheet = '{first}'")[0]
    assert "调换或改名" in reason and first in reason
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_region_of_another_city_typed_into_the_template_is_not_filed_under_this_sender(tmp_path: Path) -> None:
    path, rows = _template(tmp_path / "t.xlsx")
    sheet, row = rows[0]
    workbook = load_workbook(path)
    workbook[sheet].cell(row=row, column=1).value = "中卫市"
    workbook[sheet].cell(row=row, column=2).value = "640500"
    workbook.save(path)
    ingest([path], tmp_path / "w.duckdb")
    assert _reasons(tmp_path / "w.duckdb") == {"region_out_of_scope": {sheet}}
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations where region_code = '640500'") == [(0,)]
    [(reason,)] = query(tmp_path / "w.duckdb", "select reason from raw.quarantine")
    assert "中卫市" in reason and "填报范围" in reason


def test_a_second_column_of_the_same_measure_is_not_read_as_either(tmp_path: Path) -> None:
    path, rows = _template(tmp_path / "t.xlsx")
    sheet, row = rows[0]
    workbook = load_workbook(path)
    data = workbook[sheet]
    header = [cell.value for cell in data[3]]
    extra = len(header) + 1
    data.cell(row=3, column=extra).value = header[2]  # the first measure's header again
    data.cell(row=row, column=extra).value = 99.5
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert _reasons(tmp_path / "w.duckdb") == {"duplicate_measure_column": {sheet}}
    assert query(tmp_path / "w.duckdb", f"select count(*) from raw.observations where sheet = '{sheet}'") == [(0,)]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_excel_errors_and_formulas_saved_without_their_result_are_quarantined_not_read_as_blank(
    tmp_path: Path,
) -> None:
    """calamine reads #DIV/0!, #N/A and an uncomputed formula as empty: the sheet's XML says otherwise."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    typed = {"#DIV/0!": "error_value", "#N/A": "error_value", "=C5*2": "formula_without_value"}
    for (sheet_name, row), text in zip(rows, typed, strict=False):
        workbook[sheet_name].cell(row=row, column=3).value = text  # openpyxl saves errors as errors, no results
    workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb")

    assert result.status == "loaded" and result.rows_quarantined == len(typed)
    quarantined = query(
        tmp_path / "w.duckdb", "select sheet, row_number, cell, reason_code, reason from raw.quarantine"
    )
    for (sheet_name, row), (text, code) in zip(rows, typed.items(), strict=False):
        [(cell, found, reason)] = [(c, f, r) for s, n, c, f, r in quarantined if (s, n) == (sheet_name, row)]
        assert (cell, found) == (f"C{row}", code)
        assert f"“{text}”" in reason and ("Excel错误" in reason or "没有保存计算结果" in reason), reason
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


@pytest.mark.parametrize("period", ["2019-06", "2024-01"])
def test_a_period_outside_the_span_of_the_senders_plans_is_refused(tmp_path: Path, period: str) -> None:
    """呼和浩特's plan runs 2021–2023 (base year 2020): a month before or after it is no plan's month."""
    path, _ = _template(tmp_path / f"呼和浩特市农牧局_{period}_填报模板.xlsx")
    _set_period(path, period)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected"
    assert f"报送期“{period}”不在规划期内" in result.reason and "2020年1月至2023年12月" in result.reason
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]


PINGLIANG = "pingliang.agriculture_rural_bureau"


def _pingliang_template(path: Path, period: str = "2024-06") -> tuple[Path, str]:
    """A filled template of 平凉市农业农村局, and its first data sheet (rows 4 and 5: 庄浪县 620825, 静宁县 620826)."""
    layout = template_layout(REGISTRY, PINGLIANG, period)
    build_template(REGISTRY, PINGLIANG, period, plausible_values(PINGLIANG, period), {}, layout).save(path)
    first = layout.data_sheets[0]
    assert first.region_codes[:2] == ("620825", "620826")
    return path, first.sheet_name


@pytest.mark.parametrize(
    ("name", "code", "code_name"),
    [
        ("庄浪县", "620826", "静宁县"),  # 庄浪县's figures typed on 静宁县's row, its code kept
        ("甘州区", "620826", "静宁县"),  # another city's county typed over the name, the code kept
        ("火星县", "620826", "静宁县"),  # a name that names no region at all
    ],
)
def test_a_template_row_whose_region_name_and_code_disagree_is_quarantined_naming_both(
    tmp_path: Path, name: str, code: str, code_name: str
) -> None:
    path, sheet = _pingliang_template(tmp_path / "平凉市农业农村局_2024-06_填报模板.xlsx")
    workbook = load_workbook(path)
    workbook[sheet]["A5"], workbook[sheet]["B5"] = name, code
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.rows_quarantined == 1
    [(cell, reason_code, reason)] = query(
        tmp_path / "w.duckdb", f"select cell, reason_code, reason from raw.quarantine where sheet = '{sheet}'"
    )
    assert (cell, reason_code) == ("A5", "region_code_mismatch")
    assert all(words in reason for words in (name, code, code_name)), reason
    assert query(
        tmp_path / "w.duckdb", f"select count(*) from raw.observations where sheet = '{sheet}' and row_number = 5"
    ) == [(0,)]
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_a_region_written_by_its_alias_beside_its_own_code_is_read(tmp_path: Path) -> None:
    path, sheet = _pingliang_template(tmp_path / "平凉市农业农村局_2024-06_填报模板.xlsx")
    workbook = load_workbook(path)
    workbook[sheet]["A5"] = "静宁 "
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_quarantined == 0
    assert query(
        tmp_path / "w.duckdb",
        f"select distinct region_code from raw.observations where sheet = '{sheet}' and row_number = 5",
    ) == [("620826",)]


def test_a_file_rejected_for_its_period_still_names_its_sender_on_the_receipt(tmp_path: Path) -> None:
    from openpyxl import load_workbook as open_receipt

    path, _ = _template(tmp_path / "呼和浩特市农牧局_2019-06_填报模板.xlsx")
    _set_period(path, "2019-06")
    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert result.status == "rejected" and "2019-06" in result.reason
    assert (result.department_id, result.periods) == (DEPARTMENT, ["2019-06"])
    assert query(tmp_path / "w.duckdb", "select status, department_id from raw.file_loads") == [
        ("rejected", DEPARTMENT)
    ]
    summary = {row[0]: row[1] for row in open_receipt(result.receipt)["回执"].iter_rows(values_only=True)}
    assert summary["报送单位"] == REGISTRY.reference.departments[DEPARTMENT].name != "未识别"
    assert summary["处理结果"] == "已拒收" and "不在规划期内" in summary["拒收原因"]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]


def test_a_whole_region_word_agrees_with_a_code_in_the_senders_city_at_any_level() -> None:
    """全旗 on a banner's own row (its department's city is 呼和浩特市) is that banner, not a mismatch;
    全市 beside another city's code is one."""
    from planwatch.ingest.resolve import Resolver

    resolver = Resolver(REGISTRY.reference)
    assert not resolver.name_disagrees_with_code("全旗", "150121", within="150100")
    assert not resolver.name_disagrees_with_code("全市", "150100", within="150100")
    assert resolver.name_disagrees_with_code("全市", "620826", within="150100")
    assert resolver.name_disagrees_with_code("庄浪县", "620826", within="620800")


def test_figures_in_a_row_the_clerk_hid_are_quarantined_but_rows_a_filter_hides_are_read(tmp_path: Path) -> None:
    """A hidden row holds what the clerk chose not to show (a draft, last period's figures): calamine reads
    it as shown, the sheet's XML says it is hidden. Rows hidden by a filter (筛选) are only out of view."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    [(sheet_name, row)] = rows[:1]
    workbook = load_workbook(path)
    typed = workbook[sheet_name].cell(row=row, column=3).value
    assert isinstance(typed, int | float)  # a figure the template carries
    workbook[sheet_name].row_dimensions[row].hidden = True
    workbook.save(path)
    filtered = tmp_path / "filtered" / path.name
    filtered.parent.mkdir()
    workbook[sheet_name].auto_filter.ref = workbook[sheet_name].dimensions
    workbook.save(filtered)

    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.rows_quarantined >= 1
    [(cell, code, reason)] = query(
        tmp_path / "w.duckdb",
        f"select cell, reason_code, reason from raw.quarantine where sheet = '{sheet_name}' and row_number = {row}",
    )
    assert (cell, code) == (f"C{row}", "hidden_row") and "被隐藏" in reason and "取消隐藏" in reason, reason
    assert f"“{typed}”" in reason  # the figure as typed (file, sheet and row are the receipt's columns)
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored

    [as_filtered] = ingest([filtered], tmp_path / "filtered.duckdb")
    assert as_filtered.status == "loaded" and as_filtered.rows_quarantined == 0
    assert query(tmp_path / "filtered.duckdb", "select count(*) from raw.quarantine")[0][0] == 0


def test_in_an_xls_errors_formulas_without_a_result_and_hidden_rows_are_quarantined_not_read_as_shown(
    tmp_path: Path,
) -> None:
    """An Excel 97-2003 file as a clerk saves one: calamine reads its error cells and a formula with no saved
    result as blank and a hidden row as shown; the workbook stream's records say otherwise."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    (error_sheet, error_row), (formula_sheet, formula_row), (hidden_sheet, hidden_row) = rows[:3]
    workbook[error_sheet].cell(row=error_row, column=3).value = "#DIV/0!"
    workbook[formula_sheet].cell(row=formula_row, column=3).value = "=C4*2"
    hidden_figure = workbook[hidden_sheet].cell(row=hidden_row, column=3).value
    assert isinstance(hidden_figure, int | float)
    workbook[hidden_sheet].row_dimensions[hidden_row].hidden = True
    xls = path.with_suffix(".xls")
    xls.write_bytes(xls_bytes(workbook))

    [result] = ingest([xls], tmp_path / "w.duckdb")

    assert result.status == "loaded" and result.rows_quarantined == 3
    quarantined = {
        (sheet, row): (cell, code, reason)
        for sheet, row, cell, code, reason in query(
            tmp_path / "w.duckdb", "select sheet, row_number, cell, reason_code, reason from raw.quarantine"
        )
    }
    cell, code, reason = quarantined[(error_sheet, error_row)]
    assert (cell, code) == (f"C{error_row}", "error_value") and "“#DIV/0!”" in reason, reason
    cell, code, reason = quarantined[(formula_sheet, formula_row)]
    assert (cell, code) == (f"C{formula_row}", "formula_without_value") and "没有保存计算结果" in reason, reason
    cell, code, reason = quarantined[(hidden_sheet, hidden_row)]
    assert (cell, code) == (f"C{hidden_row}", "hidden_row") and f"“{hidden_figure:g}”" in reason, reason
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    loaded = query(tmp_path / "w.duckdb", "select sheet, row_number from raw.observations")
    assert not {(error_sheet, error_row), (formula_sheet, formula_row), (hidden_sheet, hidden_row)} & set(loaded)


@pytest.mark.parametrize("error", ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"])
def test_each_excel_error_in_an_xls_is_quarantined_under_its_own_name(tmp_path: Path, error: str) -> None:
    """The clerk is told the error the cell shows: #VALUE! is not reported as #NUM! (xlwt's own table mixes
    them up, so the sample writes the codes itself), #N/A is written and read at all."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    sheet, row = rows[0]
    workbook[sheet].cell(row=row, column=3).value = error
    xls = path.with_suffix(".xls")
    xls.write_bytes(xls_bytes(workbook))

    [result] = ingest([xls], tmp_path / "w.duckdb")

    assert result.status == "loaded" and result.rows_quarantined == 1
    [(cell, code, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, code) == (f"C{row}", "error_value") and f"Excel错误“{error}”" in reason, reason


def _type_percentages(workbook: Workbook) -> None:
    """80% typed as 重点项目进展's 完成百分比, 72.34% as 免疫抗体合格率: stored 0.8 and 0.7234, shown as percentages."""
    milestones = workbook["重点项目进展"]
    milestones["E4"], milestones["F4"] = "推进中", 0.8
    milestones["F4"].number_format = "0%"
    rate = workbook["免疫抗体合格率"]
    rate["C4"] = 0.7234
    rate["C4"].number_format = "0.00%"


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_a_number_shown_as_a_percentage_is_read_as_shown_not_as_stored(tmp_path: Path, suffix: str) -> None:
    """A clerk who types "80%" gets 0.8 formatted as a percentage (Excel and WPS), which the 0–100 validation
    lets through: it is read as the 80 % the cell shows, not as 0.8 %; in a column whose unit is not %, it
    is quarantined as the "50%" it shows, as if typed so, not read as 0.5 of that unit."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    _type_percentages(workbook)
    (money_sheet, money_row) = next((sheet, row) for sheet, row in rows if "总产值" in sheet)
    workbook[money_sheet].cell(row=money_row, column=3).value = 0.5
    workbook[money_sheet].cell(row=money_row, column=3).number_format = "0%"
    literal = workbook["肉牛存栏"]
    head = literal["C4"].value
    literal["C4"].number_format = '0"%"'  # a % in quotes is text beside the number: nothing is scaled
    if suffix == ".xls":
        path = path.with_suffix(".xls")
        path.write_bytes(xls_bytes(workbook))
    else:
        workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb")

    warehouse = tmp_path / "w.duckdb"
    assert query(warehouse, "select percent_complete from raw.milestone_reports") == [(80.0,)]
    assert query(
        warehouse, "select value, original_value from raw.observations where sheet = '免疫抗体合格率' and cell = 'C4'"
    ) == [(72.34, "72.34%")]
    assert query(warehouse, "select value from raw.observations where sheet = '肉牛存栏' and cell = 'C4'") == [(head,)]
    [(cell, code, reason)] = query(
        warehouse,
        "select cell, reason_code, reason from raw.quarantine "
        f"where sheet = '{money_sheet}' and row_number = {money_row}",
    )
    # a percentage where money is asked for: said to be the wrong unit for the column
    assert (cell, code) == (f"C{money_row}", "unit_in_cell_mismatch") and "“50%”" in reason, reason
    assert "（亿元）不符" in reason, reason
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _prefixed(xml: bytes) -> bytes:
    """The sheet as .NET's OpenXML SDK writes it: every element of the main namespace as x:name."""
    xml = xml.replace(b'xmlns="' + _MAIN + b'"', b'xmlns:x="' + _MAIN + b'"')
    return re.sub(rb"<(/?)([A-Za-z]+)(?=[\s>/])", rb"<\1x:\2", xml)


def _placed_by_order(xml: bytes) -> bytes:
    """The sheet as a streaming writer may write it: no r= on a row that follows the row before it, nor on a
    cell that follows the cell before it in its row (its place is then its order); a jump keeps its r=."""
    row, column = 0, -1

    def drop(match: re.Match[bytes]) -> bytes:
        nonlocal row, column
        if match.group(1) is not None:  # <row r="N"
            number = int(match.group(1))
            follows, row, column = number == row + 1, number, -1
        else:  # <c r="XN"
            place = column_index(match.group(2).decode())
            follows, column = place == column + 1, place
        return match.group(0).split(b" r=")[0] if follows else match.group(0)

    return re.sub(rb'<row r="(\d+)"|<c r="([A-Z]+)\d+"', drop, xml)


def _worksheets_rewritten(path: Path, rewrite: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, rewrite(data) if name.startswith("xl/worksheets/sheet") else data)


@pytest.mark.parametrize(
    "rewrite",
    [_prefixed, _placed_by_order, lambda xml: _prefixed(_placed_by_order(xml))],
    ids=["namespace_prefix", "no_cell_references", "both"],
)
def test_percentages_errors_and_uncomputed_formulas_are_found_however_the_writer_spells_the_sheet(
    tmp_path: Path, rewrite: Callable[[bytes], bytes]
) -> None:
    """A valid sheet may name its elements with a namespace prefix (<x:c>, <x:f>: .NET's OpenXML SDK) and leave
    out the optional r="C4" of its cells and rows (placed by their order): 80% typed is still read as 80, an
    error or a formula saved without its result is still quarantined, not read as 0.8 or as blank, and a row
    the clerk hid is still set aside."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    _type_percentages(workbook)
    (error_sheet, error_row), (formula_sheet, formula_row), (hidden_sheet, hidden_row) = [
        (sheet, row) for sheet, row in rows if sheet not in ("免疫抗体合格率", "重点项目进展")
    ][:3]
    workbook[error_sheet].cell(row=error_row, column=4).value = "#DIV/0!"  # 上年同期: after C, placed by order
    workbook[formula_sheet].cell(row=formula_row, column=3).value = "=D4*2"
    workbook[hidden_sheet].row_dimensions[hidden_row].hidden = True
    workbook.save(path)
    _worksheets_rewritten(path, rewrite)

    [result] = ingest([path], tmp_path / "w.duckdb")

    warehouse = tmp_path / "w.duckdb"
    assert result.status == "loaded", result.reason
    assert query(warehouse, "select percent_complete from raw.milestone_reports") == [(80.0,)]
    assert query(
        warehouse, "select value, original_value from raw.observations where sheet = '免疫抗体合格率' and cell = 'C4'"
    ) == [(72.34, "72.34%")]
    quarantined = query(warehouse, "select sheet, cell, reason_code, reason from raw.quarantine order by reason_code")
    assert [(sheet, cell, code) for sheet, cell, code, _ in quarantined] == [
        (error_sheet, f"D{error_row}", "error_value"),
        (formula_sheet, f"C{formula_row}", "formula_without_value"),
        (hidden_sheet, f"C{hidden_row}", "hidden_row"),
    ]
    assert "“#DIV/0!”" in quarantined[0][3] and "“=D4*2”" in quarantined[1][3], quarantined
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_a_formulas_text_in_a_reason_reads_as_written_not_as_xml_character_references(tmp_path: Path) -> None:
    """Writers spell Chinese in the sheet's XML as character references (&#28857; or &#x51FB;): the clerk is
    shown the formula as typed, 点击 and all, and &amp;lt; stays the text &lt; (decoded once)."""
    path, rows = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    workbook = load_workbook(path)
    sheet, row = rows[0]
    workbook[sheet].cell(row=row, column=3).value = '=IF(D4>0,"点击&lt;",0)'
    workbook.save(path)

    def as_references(xml: bytes) -> bytes:  # openpyxl writes 点击 as &#28857;&#20987;: one of them in hex too
        return xml.replace(b"&#20987;", b"&#x51FB;").replace(b'&amp;lt;"', b"&amp;lt;&#34;")

    _worksheets_rewritten(path, as_references)
    with zipfile.ZipFile(path) as archive:
        assert any(b"&#28857;&#x51FB;&amp;lt;&#34;" in archive.read(name) for name in archive.namelist())

    [result] = ingest([path], tmp_path / "w.duckdb")

    assert result.status == "loaded" and result.rows_quarantined == 1
    [(code, reason)] = query(tmp_path / "w.duckdb", "select reason_code, reason from raw.quarantine")
    assert code == "formula_without_value" and '“=IF(D4>0,"点击&lt;",0)”' in reason, reason


def test_last_months_template_saved_under_this_months_name_is_refused_not_filed_over_last_month(
    tmp_path: Path,
) -> None:
    """A clerk fills June's template again for July and saves it as July's: its hidden sheet says June, so
    its figures would load as revisions of June's and overwrite them, and July would stay unreported.
    Which month the figures are is not guessed: the file is refused, naming both months. A name that
    states a date (submitted 2022-07-05) or the template's own month is no disagreement."""
    june, _ = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    warehouse = tmp_path / "w.duckdb"
    [first] = ingest([june], warehouse)
    loaded = query(warehouse, "select count(*) from raw.observations")
    workbook = load_workbook(june)
    sheet = workbook[workbook.sheetnames[1]]
    sheet["C4"] = sheet["C4"].value * 1.01  # July's figure, typed over June's
    renamed = tmp_path / "july" / "呼和浩特市农牧局_2022年7月_填报模板.xlsx"
    dated = tmp_path / "july" / "呼和浩特市农牧局_6月数据_2022-07-05报送.xlsx"
    renamed.parent.mkdir()
    workbook.save(renamed)
    workbook.save(dated)

    [refused] = ingest([renamed], warehouse)

    assert first.status == "loaded" and refused.status == "rejected"
    assert "2022年7月" in refused.reason and "2022年6月的填报模板" in refused.reason, refused.reason
    assert query(warehouse, "select count(*) from raw.observations") == loaded  # June's figures stand
    [as_dated] = ingest([dated], warehouse)
    assert as_dated.status == "loaded" and as_dated.periods == ["2022-06"] and as_dated.revisions > 0


def test_last_months_template_without_its_hidden_sheet_saved_under_this_months_name_is_refused(
    tmp_path: Path,
) -> None:
    """The same with the hidden sheet lost (the sheets copied into a new workbook): the month is then read
    from the titles' 报送期, and a file name that states another month is refused just the same."""
    june, _ = _template(tmp_path / "呼和浩特市农牧局_2022-06_填报模板.xlsx")
    warehouse = tmp_path / "w.duckdb"
    [first] = ingest([june], warehouse)
    loaded = query(warehouse, "select count(*) from raw.observations")
    workbook = load_workbook(june)
    del workbook[META_SHEET]
    sheet = workbook[workbook.sheetnames[1]]
    sheet["C4"] = sheet["C4"].value * 1.01
    renamed = tmp_path / "july" / "呼和浩特市农牧局_2022-07_填报模板.xlsx"
    renamed.parent.mkdir()
    workbook.save(renamed)

    [refused] = ingest([renamed], warehouse)

    assert first.status == "loaded" and refused.status == "rejected", refused
    assert "2022年7月" in refused.reason and "2022年6月的填报模板" in refused.reason, refused.reason
    assert "表头标题" in refused.reason, refused.reason
    assert query(warehouse, "select count(*) from raw.observations") == loaded  # June's figures stand


def test_a_bracket_after_an_indicator_name_is_dropped_only_when_it_holds_a_unit(tmp_path: Path) -> None:
    """肉牛出栏量（万头） is the indicator with its unit; 肉牛出栏量（上年同期）, 蔬菜产量（含食用菌） and
    畜牧业总产值（可比价） are other figures, quarantined as unknown labels, never read as its current figure."""
    rows = [
        "肉牛出栏量（万头）,庄浪县,2025-10,2.5,万头,累计",
        "肉牛出栏量(单位:万头),静宁县,2025-10,2.4,万头,累计",
        "肉牛出栏量（上年同期）,庄浪县,2025-10,2.2,万头,累计",
        "蔬菜产量（含食用菌）,庄浪县,2025-10,30.1,万吨,累计",
    ]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.rows_loaded == 2
    assert sorted(query(warehouse, "select region_code, value from raw.observations")) == [
        ("620825", 2.5),
        ("620826", 2.4),
    ]
    quarantined = query(warehouse, "select row_number, reason from raw.quarantine order by 1")
    assert [row for row, _ in quarantined] == [4, 5]
    # the label as typed, in its normal form (NFKC: full-width brackets read as ASCII ones)
    assert "肉牛出栏量(上年同期)" in quarantined[0][1] and "蔬菜产量(含食用菌)" in quarantined[1][1]


def test_a_long_tables_period_that_is_a_range_or_may_be_october_is_not_guessed(tmp_path: Path) -> None:
    """2025年4-6月 and 2025年10-12月 are quarters, not April and October; 2025.1 is January as typed or
    2025.10 as a spreadsheet stores it. Each row is quarantined naming its cell; 2025-09 loads."""
    periods = ["2025年4-6月", "2025年10-12月", "2025.1", "2025-09"]
    rows = [f"肉牛出栏量,庄浪县,{period},2.{number},万头,累计" for number, period in enumerate(periods, start=1)]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert query(warehouse, "select period, value from raw.observations") == [("2025-09", 2.4)]
    quarantined = query(warehouse, "select row_number, cell, reason_code, reason from raw.quarantine order by 1")
    assert [(row, cell, code) for row, cell, code, _ in quarantined] == [
        (2, "C2", "bad_period"),
        (3, "C3", "bad_period"),
        (4, "C4", "ambiguous_period"),
    ]
    assert "“2025.1”可能是2025年1月，也可能是2025年10月" in quarantined[2][3] and "“2025-10”" in quarantined[2][3]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_long_tables_figure_given_twice_with_two_values_is_taken_from_neither_row(tmp_path: Path) -> None:
    rows = ["肉牛出栏量,静宁县,2025-10,2.5,万头,当月", "肉牛出栏量,静宁县,2025-10,2.6,万头,当月"]
    rows += ["肉牛出栏量,庄浪县,2025-10,2.1,万头,当月", "肉牛出栏量,庄浪县,2025-10,2.1,万头,当月"]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    ingest([path], warehouse)
    assert query(warehouse, "select region_code, value from raw.observations") == [("620825", 2.1)]
    quarantined = query(warehouse, "select row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(row, code) for row, code, _ in quarantined] == [
        (2, "conflicting_duplicate_in_file"),
        (3, "conflicting_duplicate_in_file"),
        (5, "duplicate_in_file"),
    ]
    assert "第3行" in quarantined[0][2] and "第2行" in quarantined[1][2]


def test_a_count_in_another_counting_word_is_not_converted(tmp_path: Path) -> None:
    """5.2万羽 or 6.2万只 in a column of 万头 is not 5.2万头; 52000头 is 5.2万头, and 3家 of a 个 count is 3个."""
    rows = [
        "肉牛饲养量,庄浪县,2025-10,5.2,万羽,累计",
        "肉牛饲养量,静宁县,2025-10,6.2,万只,累计",
        "肉牛饲养量,静宁县,2025-09,52000,头,累计",
    ]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    ingest([path], warehouse)
    assert query(warehouse, "select region_code, period, value from raw.observations") == [("620826", "2025-09", 5.2)]
    quarantined = query(warehouse, "select row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(row, code) for row, code, _ in quarantined] == [(2, "unknown_unit"), (3, "unknown_unit")]
    assert "“万羽”无法识别或无法换算为万头" in quarantined[0][2]
    units = REGISTRY.reference.unit_table
    assert units.factor("家", "个") == 1.0 and units.factor("万人", "名") == 1.0e4 and units.factor("次", "场") == 1.0
    for other_word, column in (("次", "家"), ("人次", "场"), ("万羽", "万只")):
        with pytest.raises(IncompatibleUnitsError):
            units.factor(other_word, column)


def test_a_long_tables_row_of_a_month_not_accepted_is_quarantined_and_the_other_rows_load(tmp_path: Path) -> None:
    """One row dated before the plans' span and one not yet come do not refuse a long table of many months:
    each is quarantined naming its period; a template or a table of one period is refused whole (above)."""
    rows = [
        "肉牛出栏量,庄浪县,2019-06,2.1,万头,累计",
        "肉牛出栏量,庄浪县,2025-09,2.4,万头,累计",
        "肉牛出栏量,庄浪县,2099-05,2.6,万头,累计",
    ]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse, tmp_path / "receipts")
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 1, 2)
    assert result.periods == ["2025-09"]
    assert query(warehouse, "select period, value from raw.observations") == [("2025-09", 2.4)]
    quarantined = query(warehouse, "select row_number, cell, reason from raw.quarantine order by 1")
    assert [(row, cell) for row, cell, _ in quarantined] == [(2, "D2"), (4, "D4")]
    assert "“2019-06”不在规划期内" in quarantined[0][2] and "“2099-05”尚未到来" in quarantined[1][2]
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_a_figure_in_cells_merged_over_two_counties_is_taken_for_neither(tmp_path: Path) -> None:
    """C4:C5 merged over 庄浪县 and 静宁县 with one number: not 庄浪县's figure with 静宁县 left blank."""
    path, sheet_name = _pingliang_template(tmp_path / "平凉市农业农村局_2024-06_填报模板.xlsx")
    workbook = load_workbook(path)
    sheet = workbook[sheet_name]
    sheet["C4"], sheet["C5"] = 40.0, None
    sheet.merge_cells("C4:C5")
    workbook.save(path)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.status == "loaded" and result.rows_quarantined == 2
    quarantined = query(warehouse, "select sheet, row_number, cell, reason from raw.quarantine order by 2")
    assert [(sheet, row, cell) for sheet, row, cell, _ in quarantined] == [(sheet_name, 4, "C4"), (sheet_name, 5, "C4")]
    assert all("C4:C5为合并单元格" in reason and "请取消合并" in reason for *_, reason in quarantined)
    assert query(warehouse, f"select count(*) from raw.observations where sheet = '{sheet_name}'") == [(0,)]
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_figures_on_a_sheet_the_clerk_hid_are_quarantined_as_in_a_hidden_row(tmp_path: Path, state: str) -> None:
    path, sheet_name = _pingliang_template(tmp_path / "平凉市农业农村局_2024-06_填报模板.xlsx")
    workbook = load_workbook(path)
    workbook[sheet_name].sheet_state = state
    workbook.save(path)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse, tmp_path / "receipts")
    assert result.status == "loaded" and result.rows_quarantined >= 2
    quarantined = query(warehouse, "select sheet, reason_code, reason from raw.quarantine")
    assert {(sheet, code) for sheet, code, _ in quarantined} == {(sheet_name, "hidden_sheet")}
    assert all("工作表被隐藏" in reason for *_, reason in quarantined)
    assert query(warehouse, f"select count(*) from raw.observations where sheet = '{sheet_name}'") == [(0,)]
    assert query(warehouse, "select count(*) from raw.observations")[0][0] > 0  # the shown sheets load


def test_a_converted_figure_has_no_binary_artefact_and_a_numeric_minus_zero_is_zero(tmp_path: Path) -> None:
    rows = ["苹果产量,庄浪县,2025-09,152000,吨,累计", "苹果产量,静宁县,2025-09,0,万吨,累计"]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    ingest([path], warehouse)
    assert query(warehouse, "select region_code, value from raw.observations order by 1") == [
        ("620825", 15.2),
        ("620826", 0.0),
    ]
    path, sheet_name = _pingliang_template(tmp_path / "平凉市农业农村局_2024-06_填报模板.xlsx")
    workbook = load_workbook(path)
    workbook[sheet_name]["C4"] = -0.0
    workbook.save(path)
    ingest([path], tmp_path / "w2.duckdb")
    [(value,)] = query(
        tmp_path / "w2.duckdb", f"select value from raw.observations where sheet = '{sheet_name}' and cell = 'C4'"
    )
    assert value == 0.0 and math.copysign(1.0, value) == 1.0


def test_a_long_tables_period_marked_as_last_years_is_not_read_as_this_years(tmp_path: Path) -> None:
    rows = ["肉牛出栏量,庄浪县,2025年1-10月(上年同期),2.2,万头,累计", "肉牛出栏量,庄浪县,2025年1-10月,2.5,万头,累计"]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    ingest([path], warehouse)
    assert query(warehouse, "select period, value from raw.observations") == [("2025-10", 2.5)]
    [(row, code, reason)] = query(warehouse, "select row_number, reason_code, reason from raw.quarantine")
    assert (row, code) == (2, "period_names_prior_year") and "写有上年同期" in reason


def test_invisible_characters_pasted_into_names_and_numbers_are_not_read_as_part_of_them(tmp_path: Path) -> None:
    """A zero-width space or a BOM pasted from a web page or a chat: 庄浪县\\u200b is 庄浪县, 2.5\\u200b is 2.5."""
    rows = ["肉牛出栏量,庄浪县\u200b,2025-09,2.5\u200b,万头,累计", "肉牛出栏量,\ufeff静宁县,2025-09,3\u2060,万头,累计"]
    path = _long_csv(tmp_path, rows)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.rows_quarantined == 0
    assert query(warehouse, "select region_code, value from raw.observations order by 1") == [
        ("620825", 2.5),
        ("620826", 3.0),
    ]


def test_a_reason_quotes_a_long_cell_cut_and_says_how_long_it_was(tmp_path: Path) -> None:
    long_value = "6.15" + "x" * 40_000
    path = _long_csv(tmp_path, [f"肉牛出栏量,庄浪县,2025-09,{long_value},万头,累计"])
    warehouse = tmp_path / "w.duckdb"
    ingest([path], warehouse)
    [(reason, content)] = query(warehouse, "select reason, row_content from raw.quarantine")
    assert len(reason) < 300 and "…（共40004字）" in reason
    assert long_value in content  # the row itself is kept whole


def test_a_report_for_the_month_not_yet_over_is_refused_as_not_yet_ended() -> None:
    """December's figures on 7 December are no month's figures yet (its month-end stock, its flow): the file is
    refused with the day and the reason, as a month still to come is; last month's is taken."""
    import datetime as dt

    from planwatch.ingest.periods import unusable_period

    today = dt.date(2026, 12, 7)
    reason = unusable_period(["2026-12"], today=today)
    assert reason is not None and "报送期“2026-12”尚未结束" in reason and "2026年12月7日" in reason
    assert "尚未到来" in (unusable_period(["2027-01"], today=today) or "")
    assert unusable_period(["2026-11"], today=today) is None
    # a file of several months is refused for the first it cannot take
    assert "2026-12" in (unusable_period(["2026-11", "2026-12"], today=today) or "")
