"""A template sheet whose title names another month than the template's is quarantined, never filed under
either month; a title naming the template's own month, or no month, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.forms.layout import template_layout
from planwatch.forms.template import build_template
from planwatch.ingest.store import FileResult

from .ingest_support import REGISTRY, ingest, plausible_values, query

PERIOD = "2022-06"
DEPARTMENT = "hohhot.agriculture_animal_husbandry_bureau"
LAYOUT = template_layout(REGISTRY, DEPARTMENT, PERIOD)
EDITED = LAYOUT.data_sheets[0]  # the sheet whose title the clerk edits


def _template_with_title(path: Path, month_as_written: str | None) -> Path:
    """A filled template whose first data sheet's title (A1) has its month (2022年6月, as planwatch writes it)
    replaced by `month_as_written`; None leaves the title as written."""
    workbook = build_template(REGISTRY, DEPARTMENT, PERIOD, plausible_values(DEPARTMENT, PERIOD), {}, LAYOUT)
    if month_as_written is not None:
        title = workbook[EDITED.sheet_name]["A1"]
        assert "2022年6月" in title.value
        title.value = title.value.replace("2022年6月", month_as_written)
    workbook.save(path)
    return path


def _counted_in_full(result: FileResult) -> bool:
    return (
        result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
        and result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored
    )


@pytest.mark.parametrize(
    ("month_as_written", "named"),
    [
        ("2022年7月", "2022年7月"),
        ("2022年07月", "2022年7月"),
        ("2022-07", "2022年7月"),
        ("7月份", "7月"),
        # Chinese numerals, as a clerk types a title
        ("二〇二二年七月", "2022年7月"),
        ("2022年七月", "2022年7月"),
        ("七月份", "7月"),
    ],
)
def test_a_sheet_whose_title_names_another_month_is_quarantined_with_both_months_named(
    tmp_path: Path, month_as_written: str, named: str
) -> None:
    """The title edited to July while the 报送期 cell and the hidden sheet still say June: the sheet's rows
    are quarantined with a reason naming the sheet, A1, July and June; the other sheets load as June."""
    path = _template_with_title(tmp_path / "t.xlsx", month_as_written)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert result.status == "loaded" and result.is_partial and result.periods == [PERIOD]
    quarantined = query(
        warehouse, f"select distinct reason_code, reason from raw.quarantine where sheet = '{EDITED.sheet_name}'"
    )
    assert [code for code, _ in quarantined] == ["sheet_period_mismatch"]
    reason = quarantined[0][1]
    assert all(words in reason for words in (EDITED.sheet_name, "A1", month_as_written, named, "2022年6月"))
    assert query(warehouse, f"select count(*) from raw.observations where sheet = '{EDITED.sheet_name}'") == [(0,)]
    others = [sheet for sheet in LAYOUT.data_sheets if sheet is not EDITED]
    loaded = query(warehouse, "select sheet, count(*) from raw.observations where period = '2022-06' group by sheet")
    assert sorted(sheet for sheet, _ in loaded) == sorted(sheet.sheet_name for sheet in others) != []
    assert result.observations == sum(count for _, count in loaded)
    assert query(warehouse, "select count(*) from raw.observations where period <> '2022-06'") == [(0,)]
    assert query(warehouse, "select distinct sheet from raw.quarantine") == [(EDITED.sheet_name,)]
    assert _counted_in_full(result)


@pytest.mark.parametrize(
    "month_as_written",
    # the title as written, the month retyped, deleted, or with a deadline note that names a later month
    [
        None,
        "2022年06月",
        "6月份",
        "",
        "2022年6月（2022年7月底前报送）",
        "2022年6月（7月上旬报送）",
        "2022年6、7月",
        "二〇二二年六月",
        "2022年六月份",
    ],
)
def test_a_title_naming_the_templates_own_month_or_no_month_loads_every_figure(
    tmp_path: Path, month_as_written: str | None
) -> None:
    """The title as planwatch wrote it, retyped with the same month, or with its month deleted: every figure
    loads under the template's month and nothing is quarantined."""
    path = _template_with_title(tmp_path / "t.xlsx", month_as_written)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    written = plausible_values(DEPARTMENT, PERIOD)
    assert result.status == "loaded" and not result.is_partial and result.rows_quarantined == 0
    assert result.observations == len(written) > 0
    assert query(warehouse, "select count(*) from raw.quarantine") == [(0,)]
    assert query(warehouse, "select distinct period from raw.observations") == [(PERIOD,)]
    assert _counted_in_full(result)


def _template_with_filing_period(path: Path, written: str) -> Path:
    """A filled template whose first data sheet's 报送期 cell (A2, 报送期：2022-06 as planwatch writes it) a
    clerk retyped as `written`."""
    workbook = build_template(REGISTRY, DEPARTMENT, PERIOD, plausible_values(DEPARTMENT, PERIOD), {}, LAYOUT)
    cell = workbook[EDITED.sheet_name]["A2"]
    assert cell.value == f"报送期：{PERIOD}"
    cell.value = written
    workbook.save(path)
    return path


@pytest.mark.parametrize(
    ("written", "loads"),
    [
        ("报送期：2022-07", False),
        ("报送期：2022年7月", False),
        ("报送期: 2022-7", False),
        ("报送期：7月", False),
        ("报送期：2022年6月", True),
        ("报送期：2022年06月", True),
        ("报送期：二〇二二年七月", False),
        ("报送期：2022年六月", True),
    ],
)
def test_a_filing_period_retyped_in_another_form_is_read_before_the_sheet_is_taken(
    tmp_path: Path, written: str, loads: bool
) -> None:
    """The 报送期 cell retyped by hand (2022年7月, 2022-7 rather than 2022-07) still says which month the
    clerk meant: another month than the template's quarantines the sheet, naming A2; June retyped loads."""
    path = _template_with_filing_period(tmp_path / "t.xlsx", written)
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest([path], warehouse)
    assert _counted_in_full(result)
    loaded = query(warehouse, f"select count(*) from raw.observations where sheet = '{EDITED.sheet_name}'")
    reasons = query(warehouse, f"select distinct reason from raw.quarantine where sheet = '{EDITED.sheet_name}'")
    if loads:
        assert loaded != [(0,)] and reasons == []
    else:
        assert loaded == [(0,)]
        [(reason,)] = reasons
        assert all(words in reason for words in ("报送期", "A2", written.split("期", 1)[1].lstrip("：: "), "2022年6月"))
