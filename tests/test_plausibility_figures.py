"""A critical plausibility finding sets aside its own figure, not its neighbours': a statistics table's row
holds one figure per county, and one county's unit slip leaves the other counties' figures loaded. A row
none of whose figures is left is quarantined whole, as a template's row (one figure) always is."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from .ingest_support import ingest, pingliang_table, query, statistics_workbook

SLIPPED = 125000  # 万吨 of apples for 庄浪县 in a quarter: 10⁴ times the plan's scale (吨 typed as 万吨)


def _receipt_rows(receipts: Path, sheet: str) -> list[tuple]:
    [path] = receipts.glob("*.xlsx")
    return list(load_workbook(path)[sheet].iter_rows(min_row=2, values_only=True))


def test_one_countys_unit_slip_sets_aside_that_figure_and_the_other_county_loads(tmp_path: Path) -> None:
    rows = [["苹果产量", "万吨", SLIPPED, 30.25], ["肉牛饲养量", "万头", 1.5, 2.5]]
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", pingliang_table(rows))
    receipts = tmp_path / "receipts"
    [result] = ingest([path], tmp_path / "w.duckdb", receipts)
    assert [(f.check_name.value, f.severity.value, f.cell) for f in result.findings] == [
        ("unit_scale", "critical", "C3")
    ]
    assert (result.rows_loaded, result.rows_quarantined, result.observations) == (2, 0, 3)
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    assert result.cells_quarantined == 1 and result.is_partial
    assert query(tmp_path / "w.duckdb", "select row_number, cell, reason_code, scope from raw.quarantine") == [
        (3, "C3", "unit_scale", "value")
    ]
    assert query(tmp_path / "w.duckdb", "select cell from raw.observations where row_number = 3") == [("D3",)]
    assert query(tmp_path / "w.duckdb", "select cells_quarantined from raw.file_loads") == [(1,)]
    # the receipt: the figure among the values not taken, with the review's message; no row refused
    assert _receipt_rows(receipts, "未接收的行") == []
    [(sheet, row_number, cell, action, reason, value)] = _receipt_rows(receipts, "未采用的数据项")
    assert (sheet, row_number, cell, action, value) == ("2024年3月", 3, "C3", "未接收", str(SLIPPED))
    assert "疑似计量单位填错" in reason
    assert [row[1] for row in _receipt_rows(receipts, "已接收的数据")] == ["D3", "C4", "D4"]


def test_a_row_whose_every_figure_is_set_aside_is_quarantined_whole(tmp_path: Path) -> None:
    rows = [["苹果产量", "万吨", SLIPPED, SLIPPED * 2], ["肉牛饲养量", "万头", 1.5, 2.5]]
    path = statistics_workbook(tmp_path / "平凉市统计局_月报.xlsx", pingliang_table(rows))
    receipts = tmp_path / "receipts"
    [result] = ingest([path], tmp_path / "w.duckdb", receipts)
    assert (result.rows_loaded, result.rows_quarantined, result.observations) == (1, 1, 2)
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    scopes = query(tmp_path / "w.duckdb", "select cell, scope from raw.quarantine order by cell")
    assert scopes == [("C3", "row"), ("D3", "row")]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations where row_number = 3") == [(0,)]
    [(sheet, row_number, cell, reason, content)] = _receipt_rows(receipts, "未接收的行")
    assert (sheet, row_number, cell) == ("2024年3月", 3, "C3") and "疑似计量单位填错" in reason
    assert content == f"C3={SLIPPED} | D3={SLIPPED * 2}"
    assert _receipt_rows(receipts, "未采用的数据项") == []


def test_a_unit_slip_beyond_the_catalogues_range_is_named_a_unit_slip(tmp_path: Path) -> None:
    """奶牛存栏 typed in 头 under the 万头 header (36万头 as 360000): beyond the catalogue's 1000万头 too,
    but the clerk is told what the mistake likely is (a unit), not only that the figure is out of range."""
    from planwatch.forms.layout import template_layout
    from planwatch.forms.template import build_template

    from .ingest_support import REGISTRY, plausible_values

    department, period = "hohhot.agriculture_animal_husbandry_bureau", "2022-06"
    values = plausible_values(department, period)
    key = next(key for key in values if key[0] == "dairy_cow_inventory")
    values[key] = values[key] * 10_000
    assert values[key] > 1000  # the catalogue's plausible_max for 奶牛存栏
    layout = template_layout(REGISTRY, department, period)
    path = tmp_path / f"呼和浩特市农牧局_{period}_填报模板.xlsx"
    build_template(REGISTRY, department, period, values, {}, layout).save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    [finding] = [f for f in result.findings if f.indicator_code == "dairy_cow_inventory" and f.region_code == key[1]]
    assert (finding.check_name.value, finding.severity.value) == ("unit_scale", "critical")
    assert "疑似计量单位填错" in finding.message
