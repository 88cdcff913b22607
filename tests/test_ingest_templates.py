"""Filled fill-in templates read back exactly, and each way a clerk can break one is named."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from planwatch.forms.layout import DataSheetLayout, template_layout
from planwatch.forms.template import MilestoneReport, build_template
from planwatch.ingest.records import RowStatus
from planwatch.registry.schema import Nature
from planwatch.reporting import milestone_duties
from planwatch.template_format import (
    INSTRUCTIONS_SHEET,
    META_SHEET,
    MILESTONE_SHEET,
    Measure,
    MilestoneState,
)

from .ingest_support import REGISTRY, ingest, plausible_values, query

PERIOD = "2022-06"
DATA_DEPARTMENT = "hohhot.agriculture_animal_husbandry_bureau"
MILESTONE_DEPARTMENT = "hohhot.industry_it_bureau"


def _plausible_values(department_id: str) -> dict[tuple[str, str, Measure], float]:
    return plausible_values(department_id, PERIOD)


def _filled(path: Path, department_id: str, **reports: MilestoneReport) -> tuple[Path, Workbook]:
    layout = template_layout(REGISTRY, department_id, PERIOD)
    values = _plausible_values(department_id)
    milestone_reports = {
        row.milestone_id: MilestoneReport(MilestoneState.in_progress, 40.0, "按计划推进") for row in layout.milestones
    }
    milestone_reports.update(reports)
    workbook = build_template(REGISTRY, department_id, PERIOD, values, milestone_reports, layout)
    workbook.save(path)
    return path, workbook


def test_a_filled_template_is_read_back_to_every_value_it_holds(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    layout = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD)
    expected = sum(len(sheet.region_codes) * len(sheet.measures) for sheet in layout.data_sheets)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.rows_quarantined == 0 and result.findings == []
    assert result.department_id == DATA_DEPARTMENT and result.periods == [PERIOD]
    assert result.observations == expected > 0
    read = query(tmp_path / "w.duckdb", "select indicator_code, region_code, measure, value from raw.observations")
    written = _plausible_values(DATA_DEPARTMENT)
    assert len(written) == expected
    assert {(code, region, Measure(measure)): value for code, region, measure, value in read} == written


def test_the_sheets_planwatch_wrote_are_counted_as_runs_and_the_arrival_time_is_kept(tmp_path: Path) -> None:
    path, workbook = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    arrived = dt.datetime(2022, 7, 5, 9, 30, tzinfo=dt.UTC)
    os.utime(path, (arrived.timestamp(), arrived.timestamp()))
    [result] = ingest([path], tmp_path / "w.duckdb")
    own_rows = {
        name: sum(1 for row in workbook[name].iter_rows(values_only=True) if any(v not in (None, "") for v in row))
        for name in (INSTRUCTIONS_SHEET, META_SHEET)
    }
    runs = query(
        tmp_path / "w.duckdb",
        "select sheet, reason_code, row_count, row_content from raw.ignored_rows "
        "where reason_code in ('instructions', 'metadata') order by sheet",
    )
    assert sorted((sheet, count) for sheet, _, count, _ in runs) == sorted(own_rows.items())
    assert all(content is None for *_, content in runs)  # our own text is not stored again
    [(ignored,)] = query(tmp_path / "w.duckdb", "select sum(row_count) from raw.ignored_rows")
    assert ignored == result.rows_ignored
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert query(tmp_path / "w.duckdb", "select submitted_at from raw.file_loads") == [(arrived.replace(tzinfo=None),)]


def test_each_template_sheet_heading_is_one_counted_run_that_keeps_its_header_text(tmp_path: Path) -> None:
    path, workbook = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    layout = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD)
    ingest([path], tmp_path / "w.duckdb")
    headings = query(
        tmp_path / "w.duckdb",
        "select sheet, row_number, row_count, row_content from raw.ignored_rows "
        "where reason_code = 'template_heading' order by sheet",
    )
    sheets = {sheet.sheet_name for sheet in layout.data_sheets} | ({MILESTONE_SHEET} if layout.milestones else set())
    assert {sheet for sheet, *_ in headings} == sheets
    for sheet, first, count, content in headings:
        rows = list(workbook[sheet].iter_rows(values_only=True))
        marker = "项目编码" if sheet == MILESTONE_SHEET else "地区"
        header = next(index for index, row in enumerate(rows) if marker in row)
        filled = [index for index in range(header + 1) if any(v not in (None, "") for v in rows[index])]
        assert (first, count) == (filled[0] + 1, len(filled))  # the title rows and the header row, counted
        assert marker in content  # the header's text (its units) stays on record


def test_milestone_progress_is_read_and_bad_rows_are_quarantined_with_reasons(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    header = [cell.value for cell in sheet[3]]
    code, state, percent = header.index("项目编码") + 1, header.index("进展状态") + 1, header.index("完成百分比") + 1
    sheet.cell(row=4, column=code).value = "hohhot.ms.no_such_project"
    sheet.cell(row=5, column=state).value = "差不多了"
    sheet.cell(row=6, column=percent).value = 150
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    reasons = dict(query(tmp_path / "w.duckdb", "select row_number, reason_code from raw.quarantine"))
    assert reasons == {4: "unknown_milestone", 5: "bad_status", 6: "bad_percent"}
    reports = query(
        tmp_path / "w.duckdb", "select count(*), min(status), min(percent_complete) from raw.milestone_reports"
    )
    assert reports == [(result.milestone_reports, "in_progress", 40.0)]
    assert result.milestone_reports == sheet.max_row - 3 - 3


def test_a_deadline_the_clerk_changed_is_not_taken_and_the_receipt_says_so(tmp_path: Path) -> None:
    """The 截止日期 is the plan's: a clerk who moves it sees on the receipt that the plan's date stands; the
    progress of the row is still read."""
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    header = [cell.value for cell in sheet[3]]
    deadline = sheet.cell(row=4, column=header.index("截止日期") + 1)
    planned = str(deadline.value)[:10]
    deadline.value = "2030-06-30"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert result.rows_quarantined == 0 and result.milestone_reports == sheet.max_row - 3
    [edited] = [value for value in result.values_set_aside if value.reason_code == "edited_deadline"]
    assert edited.row_number == 4 and edited.status is RowStatus.ignored
    assert f"截止日期以规划确定的{planned}为准，表中改为“2030-06-30”不生效" in edited.reason
    receipt = load_workbook(result.receipt)["未采用的数据项"]
    assert any("2030-06-30" in str(row[4]) for row in receipt.iter_rows(min_row=2, values_only=True))


def _milestone_columns(sheet) -> dict[str, str]:
    """The 重点项目进展 sheet's column letters by header (项目编码 → A …)."""
    return {cell.value: cell.column_letter for cell in sheet[3] if cell.value}


def _receipt_rows(receipt: str, name: str) -> list[tuple]:
    return list(load_workbook(receipt, read_only=True)[name].iter_rows(min_row=2, values_only=True))


def test_a_milestone_row_with_several_bad_cells_names_every_one_of_them_in_one_reason(tmp_path: Path) -> None:
    """An unknown 进展状态, a 截止日期 that is no date and a 完成百分比 of 150 in one row: the receipt's one reason
    names each cell, what was typed and what is expected, so one resubmission corrects them all."""
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    column = _milestone_columns(sheet)
    planned = sheet[f"{column['截止日期']}5"].value.date().isoformat()
    sheet[f"{column['进展状态']}5"] = "差不多了"
    sheet[f"{column['截止日期']}5"] = "2025-13-45"
    sheet[f"{column['完成百分比']}5"] = 150
    sheet[f"{column['项目编码']}6"] = "hohhot.ms.no_such_project"
    sheet[f"{column['进展状态']}6"] = "快了"
    sheet[f"{column['完成百分比']}6"] = "八成"
    workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")

    assert result.rows_quarantined == 2 and result.milestone_reports == sheet.max_row - 3 - 2
    quarantined = {
        row: (cell, code, reason)
        for row, cell, code, reason in query(
            tmp_path / "w.duckdb", "select row_number, cell, reason_code, reason from raw.quarantine"
        )
    }
    status, deadline, percent, code = (column[name] for name in ("进展状态", "截止日期", "完成百分比", "项目编码"))
    assert quarantined[5][:2] == (f"{status}5", "bad_status")
    assert quarantined[5][2] == (
        f"{status}5：进展状态“差不多了”无法识别，请从下拉列表中选择：未开工、推进中、已完成、停滞；"
        f"{percent}5：完成百分比“150”应为0到100之间的数字；"
        f"{deadline}5：截止日期以规划确定的{planned}为准，表中改为“2025-13-45”不生效；如需调整节点，请按程序报规划编制部门"
    )
    assert quarantined[6][:2] == (f"{code}6", "unknown_milestone")
    for named in (f"{code}6：", "hohhot.ms.no_such_project", f"{status}6：", "快了", f"{percent}6：", "八成"):
        assert named in quarantined[6][2], named
    # the receipt says the same, row by row, with the row as typed
    told = {row[1]: row for row in _receipt_rows(result.receipt, "未接收的行")}
    assert told[5][:4] == (MILESTONE_SHEET, 5, f"{status}5", quarantined[5][2])
    assert "2025-13-45" in told[5][4] and "差不多了" in told[5][4]
    assert told[6][3] == quarantined[6][2]
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


@pytest.mark.parametrize(
    ("contradictory", "taken", "code", "says"),
    [
        (  # 已完成 at 50 %; 已完成 at 100 % is taken
            MilestoneReport(MilestoneState.completed, 50.0, "主体完工"),
            [MilestoneReport(MilestoneState.completed, 100.0, "已竣工验收")],
            "completed_below_full",
            "为“已完成”，而完成百分比（{percent}）为“50”，不足100，两者矛盾，无法确定项目是否已完成，本行未入库；"
            "项目已完成的，请将完成百分比改为100，尚未完成的，请将进展状态改为“推进中”或“停滞”，再重新报送",
        ),
        (  # 未开工 at 30 %; 未开工 at 0 % and 推进中 at 100 % (finished, not yet accepted) are taken
            MilestoneReport(MilestoneState.not_started, 30.0, "前期手续办理中"),
            [
                MilestoneReport(MilestoneState.not_started, 0.0, "尚未开工"),
                MilestoneReport(MilestoneState.in_progress, 100.0, "待验收"),
            ],
            "not_started_with_progress",
            "为“未开工”，而完成百分比（{percent}）为“30”，大于0，两者矛盾，无法确定项目是否已开工，本行未入库；"
            "项目尚未开工的，请将完成百分比改为0，已经开工的，请将进展状态改为“推进中”“已完成”或“停滞”，再重新报送",
        ),
    ],
    ids=["completed_below_100", "not_started_above_0"],
)
def test_a_milestone_whose_status_and_percentage_contradict_is_quarantined_naming_both_cells(
    tmp_path: Path, contradictory: MilestoneReport, taken: list[MilestoneReport], code: str, says: str
) -> None:
    """已完成 at 50 % or 未开工 at 30 % contradicts itself: which is true is not guessed (as a month above its
    year-to-date is set aside), so the row is not taken and the receipt says why and how to mend it; the
    reports that agree with themselves are taken."""
    layout = template_layout(REGISTRY, MILESTONE_DEPARTMENT, PERIOD)
    wrong, *right = (row.milestone_id for row in layout.milestones[: 1 + len(taken)])
    path, workbook = _filled(
        tmp_path / "m.xlsx", MILESTONE_DEPARTMENT, **{wrong: contradictory}, **dict(zip(right, taken, strict=True))
    )
    column = _milestone_columns(workbook[MILESTONE_SHEET])
    row = next(r.row for r in layout.milestones if r.milestone_id == wrong)

    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")

    assert result.status == "loaded" and result.is_partial and result.rows_quarantined == 1
    [(cell, found, reason)] = query(tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine")
    assert (cell, found) == (f"{column['进展状态']}{row}", code)
    assert reason == f"进展状态（{column['进展状态']}{row}）" + says.format(percent=f"{column['完成百分比']}{row}")
    reports = dict(query(tmp_path / "w.duckdb", "select milestone_id, status from raw.milestone_reports"))
    assert wrong not in reports
    assert [reports[milestone] for milestone in right] == [report.state.value for report in taken]
    [told] = _receipt_rows(result.receipt, "未接收的行")
    assert told[:4] == (MILESTONE_SHEET, row, cell, reason)
    summary = dict(row[:2] for row in load_workbook(result.receipt, read_only=True)["回执"].iter_rows(values_only=True))
    assert str(summary["处理结果"]).startswith("部分接收") and summary["未接收行数（需更正后重报）"] == 1


def test_a_template_with_its_hidden_sheet_edited_is_rejected(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    meta = workbook[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "department_id":
            row[1].value = None
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "_planwatch" in result.reason


def test_a_hidden_sheet_edited_to_another_department_of_the_city_is_rejected_not_filed_under_it(
    tmp_path: Path,
) -> None:
    """The hidden sheet's department edited to another bureau of the same city, while the sheets' titles name
    the department the template was made for: refused naming both, never filed under the hidden sheet's
    department (a file name alone naming another department changes nothing: tests/test_hostile_corpus.py)."""
    departments = REGISTRY.reference.departments
    path, _ = _filled(tmp_path / f"{departments[DATA_DEPARTMENT].name}_{PERIOD}_填报模板.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    for row in workbook[META_SHEET].iter_rows():
        if row[0].value == "department_id":
            row[1].value = MILESTONE_DEPARTMENT
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected", result
    named = (departments[DATA_DEPARTMENT].name, departments[MILESTONE_DEPARTMENT].name)
    assert all(name in result.reason for name in named), result.reason
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]


def test_figures_typed_into_an_extra_sheet_are_quarantined_not_lost(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    extra = workbook.create_sheet("补充数据")
    extra.append(["赛罕区", 12.5])
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert query(tmp_path / "w.duckdb", "select sheet, reason_code from raw.quarantine") == [
        ("补充数据", "unrecognised_sheet")
    ]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_renamed_sheet_an_unknown_region_and_a_duplicate_region_row(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    layout = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD)
    first = layout.data_sheets[0]
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    sheet.title = "Sheet1"
    last = sheet.max_row
    sheet.cell(row=last + 1, column=1).value = "火星县"
    sheet.cell(row=last + 1, column=3).value = 1
    for column in range(1, sheet.max_column + 1):  # the first region's row again
        sheet.cell(row=last + 2, column=column).value = sheet.cell(row=4, column=column).value
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    reasons = sorted(query(tmp_path / "w.duckdb", "select sheet, reason_code from raw.quarantine"))
    assert reasons == [("Sheet1", "duplicate_in_file"), ("Sheet1", "unknown_region")]
    renamed = query(
        tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations where sheet = 'Sheet1'"
    )
    assert renamed == [(first.indicator_code,)]
    assert result.rows_quarantined == 2


def test_a_sheet_renamed_and_moved_is_found_by_the_indicator_its_title_names(tmp_path: Path) -> None:
    """Neither its name nor its place is the template's any more: its title (which names the indicator, as
    the template wrote it) says whose figures they are, when exactly one sheet left names that indicator."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    layout = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD)
    assert len(layout.data_sheets) >= 3
    first = layout.data_sheets[0]
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    sheet.title = "我的表"
    workbook.move_sheet(sheet, offset=len(workbook.sheetnames) - 1 - workbook.index(sheet))  # now the last sheet
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert result.status == "loaded" and result.rows_quarantined == 0 and result.notes == []
    expected = sum(len(sheet.region_codes) * len(sheet.measures) for sheet in layout.data_sheets)
    assert result.observations == expected
    moved = query(tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations where sheet = '我的表'")
    assert moved == [(first.indicator_code,)]
    # moved to the front instead: its place now holds 填报说明, which is never a data sheet found at its place
    workbook = load_workbook(path)
    workbook.move_sheet("我的表", offset=-workbook.index(workbook["我的表"]))
    workbook.save(path)
    assert load_workbook(path).sheetnames[:2] == ["我的表", INSTRUCTIONS_SHEET]
    [front] = ingest([path], tmp_path / "w1.duckdb")
    assert front.status == "loaded" and front.rows_quarantined == 0 and front.notes == []
    assert front.observations == expected
    # two sheets left naming it: whose is which is not guessed, both quarantined as unrecognised
    workbook = load_workbook(path)
    workbook.copy_worksheet(workbook["我的表"]).title = "我的表2"
    workbook.save(path)
    [again] = ingest([path], tmp_path / "w2.duckdb")
    assert again.observations == expected - len(first.region_codes) * len(first.measures)
    unrecognised = query(tmp_path / "w2.duckdb", "select distinct sheet, reason_code from raw.quarantine")
    assert sorted(unrecognised) == [("我的表", "unrecognised_sheet"), ("我的表2", "unrecognised_sheet")]


def test_a_sheet_the_clerk_deleted_leaves_the_next_sheet_to_its_own_indicator(tmp_path: Path) -> None:
    """The sheets after a deleted one move up a place: the one now at the deleted sheet's place bears its
    own name and is read as its own indicator, not quarantined as the deleted one's. The receipt tells the
    clerk which indicator's sheet is gone, and that it counts as not reported."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    layout = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD)
    assert len(layout.data_sheets) >= 3
    deleted = layout.data_sheets[0]
    workbook = load_workbook(path)
    del workbook[deleted.sheet_name]
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert result.status == "loaded" and result.rows_quarantined == 0
    indicator_name = REGISTRY.reference.indicators[deleted.indicator_code].name
    [note] = result.notes
    assert f"“{deleted.sheet_name}”（指标：{indicator_name}）未找到" in note and "视为本单位未报送" in note
    summary = load_workbook(result.receipt, read_only=True)["回执"]
    lines = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert lines["未找到的工作表"] == note
    assert lines["处理结果"] == "已接收（另有1个指标的工作表未找到，视为未报送，见“未找到的工作表”）"
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.quarantine") == [(0,)]
    expected = sum(len(sheet.region_codes) * len(sheet.measures) for sheet in layout.data_sheets[1:])
    assert result.observations == expected
    read = query(tmp_path / "w.duckdb", "select distinct sheet, indicator_code from raw.observations")
    assert sorted(read) == sorted({(sheet.sheet_name, sheet.indicator_code) for sheet in layout.data_sheets[1:]})


def _first_region_taken_from_neither_row(warehouse: Path, first: DataSheetLayout, result) -> None:
    """Nothing of the sheet's first region loaded, and every row and cell of the file accounted for."""
    region = first.region_codes[0]
    assert query(
        warehouse,
        f"select count(*) from raw.observations where sheet = '{first.sheet_name}' and region_code = '{region}'",
    ) == [(0,)]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_a_region_typed_twice_with_other_figures_is_taken_from_neither_row(tmp_path: Path) -> None:
    """Which of two rows for one region is right is not guessed: both are quarantined, each naming the other."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    last = sheet.max_row
    for column in range(1, sheet.max_column + 1):  # the first region's row again, its figure changed
        sheet.cell(row=last + 1, column=column).value = sheet.cell(row=4, column=column).value
    sheet.cell(row=last + 1, column=3).value = sheet.cell(row=4, column=3).value + 1
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    quarantined = query(
        tmp_path / "w.duckdb",
        "select row_number, reason_code, reason from raw.quarantine where scope = 'row' order by 1",
    )
    assert [(row, code) for row, code, _ in quarantined] == [
        (4, "conflicting_duplicate_in_file"),
        (last + 1, "conflicting_duplicate_in_file"),
    ]
    assert (
        f"第{last + 1}行" in quarantined[0][2] and "第4行" in quarantined[1][2] and "两行均未入库" in quarantined[0][2]
    )
    _first_region_taken_from_neither_row(tmp_path / "w.duckdb", first, result)


def test_a_row_with_two_bad_cells_names_both_so_one_resubmission_corrects_them(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    assert len(first.measures) >= 2
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    sheet["C4"], sheet["D4"] = "约三百", "12,34"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    [(cell, code, reason)] = query(
        tmp_path / "w.duckdb", "select cell, reason_code, reason from raw.quarantine where scope = 'row'"
    )
    assert (cell, code) == ("C4", "not_a_number")
    assert "C4：" in reason and "约三百" in reason and "D4：" in reason and "12,34" in reason, reason
    assert result.rows_quarantined == 1
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_signature_rows_under_the_table_are_ignored_and_named_not_quarantined(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    last = sheet.max_row
    sheet.cell(row=last + 2, column=1).value = "填报人：张三"
    sheet.cell(row=last + 2, column=3).value = "联系电话："
    sheet.cell(row=last + 2, column=4).value = 13812345678  # a phone number under a figure column
    sheet.cell(row=last + 3, column=1).value = "  审核人：李四    填报日期：2022年7月5日"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_quarantined == 0
    signed = query(
        tmp_path / "w.duckdb",
        "select row_number, reason from raw.ignored_rows where reason_code = 'signature_row' order by 1",
    )
    assert signed == [(last + 2, "填报人、审核人、填报日期等签署行"), (last + 3, "填报人、审核人、填报日期等签署行")]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations where value > 1e6") == [(0,)]


def _observations(warehouse: Path) -> list[tuple]:
    return query(
        warehouse,
        "select indicator_code, region_code, period, measure, value, cell from raw.observations order by all",
    )


def test_a_template_that_lost_its_hidden_sheet_is_still_read_from_its_headers_and_titles(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "intact.xlsx", DATA_DEPARTMENT)
    [intact] = ingest([path], tmp_path / "intact.duckdb")
    workbook = load_workbook(path)
    del workbook[META_SHEET]  # what copying the sheets into a new workbook leaves
    orphan = tmp_path / "no_meta.xlsx"
    workbook.save(orphan)
    [result] = ingest([orphan], tmp_path / "orphan.duckdb")
    assert (result.status, result.layout, result.department_id, result.periods) == (
        "loaded",
        "template_without_meta",
        DATA_DEPARTMENT,
        [PERIOD],
    )
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert result.observations == intact.observations > 0
    assert _observations(tmp_path / "orphan.duckdb") == _observations(tmp_path / "intact.duckdb")


def test_a_template_that_lost_its_hidden_sheet_saved_under_another_departments_name_is_refused(tmp_path: Path) -> None:
    """Hohhot's sheets copied into a workbook named for 张掖市农业农村局: its titles name another department than
    its file name. Neither is guessed: the file is refused naming both, and nothing loads under either."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    del workbook[META_SHEET]
    renamed = tmp_path / f"张掖市农业农村局_{PERIOD}_填报模板.xlsx"
    workbook.save(renamed)
    [result] = ingest([renamed], tmp_path / "w.duckdb")
    assert (result.status, result.department_id) == ("rejected", None)
    titled = REGISTRY.reference.departments[DATA_DEPARTMENT].name
    assert "文件名写明的报送单位“张掖市农业农村局”" in result.reason and f"“{titled}”不一致" in result.reason
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.milestone_reports") == [(0,)]


@pytest.mark.parametrize("filing_cell", ["keep", "clear"])
def test_a_copied_template_whose_title_names_another_month_is_quarantined_not_filed(
    tmp_path: Path, filing_cell: str
) -> None:
    """Sheets copied into a new workbook (no hidden sheet), one sheet's title edited to last month while the
    file name (and the 报送期, or none) says this month: that sheet is quarantined naming both months, as
    with the hidden sheet; the other sheets load under this month."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    del workbook[META_SHEET]
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    year, month = (int(part) for part in PERIOD.split("-"))
    earlier = f"{year}年{month - 1}月"
    sheet = workbook[first.sheet_name]
    assert f"{year}年{month}月" in sheet["A1"].value
    sheet["A1"] = sheet["A1"].value.replace(f"{year}年{month}月", earlier)
    if filing_cell == "clear":
        for each in workbook.worksheets:
            if each["A2"].value and "报送期" in str(each["A2"].value):
                each["A2"] = None
    copied = tmp_path / f"{DATA_DEPARTMENT}_{PERIOD}_填报模板.xlsx"
    workbook.save(copied)
    [result] = ingest([copied], tmp_path / "w.duckdb")
    assert (result.status, result.layout, result.periods) == ("loaded", "template_without_meta", [PERIOD])
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    quarantined = query(tmp_path / "w.duckdb", "select distinct sheet, reason_code, reason from raw.quarantine")
    assert [(sheet_name, code) for sheet_name, code, _ in quarantined] == [(first.sheet_name, "sheet_period_mismatch")]
    assert earlier in quarantined[0][2] and f"{year}年{month}月" in quarantined[0][2]
    filed = query(tmp_path / "w.duckdb", "select distinct sheet, period from raw.observations order by 1")
    assert filed and first.sheet_name not in {name for name, _ in filed}
    assert {period for _, period in filed} == {PERIOD}


@pytest.mark.parametrize("opened_by", ["title", "header"])
def test_last_months_table_pasted_under_this_months_is_quarantined_and_this_months_loads(
    tmp_path: Path, opened_by: str
) -> None:
    """Under June's rows a clerk pastes May's table (its title 2022年5月, or only its header row again):
    June's figures load; May's rows are quarantined as another table, naming where it opens, never taken as
    June's nor as conflicting duplicates of June's rows."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    [intact] = ingest([path], tmp_path / "intact.duckdb")
    workbook = load_workbook(path)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    sheet = workbook[first.sheet_name]
    header_row = next(row for row in range(1, 10) if sheet.cell(row=row, column=1).value == "地区")
    table = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row)]
    start = sheet.max_row + 2
    if opened_by == "title":
        sheet.cell(row=start, column=1).value = "2022年5月"
        start += 1
    for offset, values in enumerate(table):
        for column, value in enumerate(values, start=1):
            pasted = value * 0.9 if isinstance(value, int | float) and offset else value
            sheet.cell(row=start + offset, column=column).value = pasted
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert result.observations == intact.observations
    assert _observations(tmp_path / "w.duckdb") == _observations(tmp_path / "intact.duckdb")
    codes = query(tmp_path / "w.duckdb", "select distinct reason_code from raw.quarantine")
    assert codes == [("second_table",)]
    reason = query(tmp_path / "w.duckdb", "select reason from raw.quarantine limit 1")[0][0]
    opening = start - 1 if opened_by == "title" else start
    assert f"第{opening}行起是本工作表中的另一张表" in reason


def test_a_copied_sheet_whose_title_alone_names_its_month_is_read_as_that_month(tmp_path: Path) -> None:
    """No hidden sheet, no 报送期, no month in the file name: the month the sheet's title names (in Chinese
    numerals, as typed) is the template's; the figures load under it."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    del workbook[META_SHEET]
    year, month = (int(part) for part in PERIOD.split("-"))
    numerals = "〇一二三四五六七八九"
    written = "".join(numerals[int(digit)] for digit in str(year)) + f"年{'一二三四五六七八九'[month - 1]}月"
    for sheet in workbook.worksheets:
        if isinstance(sheet["A1"].value, str):
            sheet["A1"] = sheet["A1"].value.replace(f"{year}年{month}月", written)
        if sheet["A2"].value and "报送期" in str(sheet["A2"].value):
            sheet["A2"] = None
    copied = tmp_path / f"{REGISTRY.reference.departments[DATA_DEPARTMENT].name}报表.xlsx"
    workbook.save(copied)
    [intact] = ingest([path], tmp_path / "intact.duckdb")
    [result] = ingest([copied], tmp_path / "w.duckdb")
    assert (result.status, result.layout, result.periods) == ("loaded", "template_without_meta", [PERIOD])
    assert result.observations == intact.observations > 0


def test_one_template_sheet_saved_as_csv_is_read_from_its_title(tmp_path: Path) -> None:
    import csv

    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    rows = list(load_workbook(path)[first.sheet_name].iter_rows(values_only=True))
    exported = tmp_path / "export.csv"
    with exported.open("w", encoding="gb18030", newline="") as handle:  # Excel's 另存为 CSV on a Chinese PC
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])
    [result] = ingest([exported], tmp_path / "w.duckdb")
    assert (result.status, result.layout, result.periods) == ("loaded", "template_without_meta", [PERIOD])
    codes = query(tmp_path / "w.duckdb", "select distinct indicator_code from raw.observations")
    assert codes == [(first.indicator_code,)]


def test_a_headerless_copy_with_no_department_or_period_is_still_rejected(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    del workbook[META_SHEET]
    for sheet in workbook.worksheets:  # titles gone too: nothing says who sent it or for when
        sheet.delete_rows(1, 2)
    bare = tmp_path / "bare.xlsx"
    workbook.save(bare)
    [result] = ingest([bare], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "文件格式无法识别" in result.reason


def test_milestone_reports_whose_sheet_names_another_month_than_the_hidden_sheet_are_quarantined(
    tmp_path: Path,
) -> None:
    """The hidden sheet edited to 2022-05 while every sheet's heading says 报送期：2022-06: the data sheets
    and the 重点项目进展 sheet alike are quarantined, none filed under May."""
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    for row in workbook[META_SHEET].iter_rows():
        if row[0].value == "period":
            row[1].value = "2022-05"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "loaded" and result.milestone_reports == 0 and result.observations == 0
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.milestone_reports") == [(0,)]
    quarantined = query(
        tmp_path / "w.duckdb",
        f"select distinct reason_code, reason from raw.quarantine where sheet = '{MILESTONE_SHEET}'",
    )
    assert [code for code, _ in quarantined] == ["sheet_period_mismatch"]
    assert all(words in quarantined[0][1] for words in (MILESTONE_SHEET, "2022-06", "2022-05"))
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_milestone_another_department_reports_is_quarantined_naming_whose_it_is(tmp_path: Path) -> None:
    """A clerk who types another department's 项目编码 into the 重点项目进展 sheet reports progress that is not
    the sender's to give: it is quarantined naming the code and the department that reports it, and that
    department's own report is never replaced by it."""
    others = [
        duty
        for duty in milestone_duties(REGISTRY, PERIOD)
        if duty.department_id not in (MILESTONE_DEPARTMENT, DATA_DEPARTMENT)
    ]
    foreign = others[0]
    owner = REGISTRY.reference.departments[foreign.department_id].name
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    column = _milestone_columns(sheet)
    row = sheet.max_row + 1
    sheet[f"{column['项目编码']}{row}"] = foreign.milestone_id
    sheet[f"{column['进展状态']}{row}"] = "停滞"
    sheet[f"{column['完成百分比']}{row}"] = 10
    workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb", tmp_path / "receipts")

    assert result.status == "loaded" and result.rows_quarantined == 1
    [(number, cell, code, reason)] = query(
        tmp_path / "w.duckdb", "select row_number, cell, reason_code, reason from raw.quarantine"
    )
    assert (number, cell, code) == (row, f"{column['项目编码']}{row}", "milestone_of_another_department")
    assert foreign.milestone_id in reason and f"是{owner}报送的项目" in reason, reason
    assert query(
        tmp_path / "w.duckdb",
        f"select count(*) from raw.milestone_reports where milestone_id = '{foreign.milestone_id}'",
    ) == [(0,)]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored


def test_a_milestone_typed_twice_with_other_progress_is_taken_from_neither_row(tmp_path: Path) -> None:
    """As a region typed twice: the same report again is set aside and the first stands; other progress for
    the same 项目编码 is not guessed between, both rows are quarantined, each naming the other."""
    path, _ = _filled(tmp_path / "m.xlsx", MILESTONE_DEPARTMENT)
    workbook = load_workbook(path)
    sheet = workbook[MILESTONE_SHEET]
    column = _milestone_columns(sheet)
    milestone_id = sheet[f"{column['项目编码']}4"].value
    again, other = sheet.max_row + 1, sheet.max_row + 2
    for copy in (again, other):  # the first milestone's row twice more
        for letter in column.values():
            sheet[f"{letter}{copy}"] = sheet[f"{letter}4"].value
    workbook.save(path)
    [same] = ingest([path], tmp_path / "same.duckdb")
    # the same report three times: the first stands, the repeats are set aside
    assert query(tmp_path / "same.duckdb", "select row_number, reason_code from raw.quarantine order by 1") == [
        (again, "duplicate_in_file"),
        (other, "duplicate_in_file"),
    ]
    assert query(
        tmp_path / "same.duckdb", f"select cell from raw.milestone_reports where milestone_id = '{milestone_id}'"
    ) == [(f"{column['进展状态']}4",)]

    sheet[f"{column['进展状态']}{other}"] = "推进中"
    sheet[f"{column['完成百分比']}{other}"] = 60
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    quarantined = query(tmp_path / "w.duckdb", "select row_number, reason_code, reason from raw.quarantine order by 1")
    assert [(row, code) for row, code, _ in quarantined] == [
        (4, "conflicting_duplicate_in_file"),
        (again, "duplicate_in_file"),
        (other, "conflicting_duplicate_in_file"),
    ]
    assert f"第{other}行" in quarantined[0][2] and "第4行" in quarantined[2][2] and milestone_id in quarantined[0][2]
    assert query(
        tmp_path / "w.duckdb", f"select count(*) from raw.milestone_reports where milestone_id = '{milestone_id}'"
    ) == [(0,)]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
    assert same.milestone_reports == result.milestone_reports + 1


@pytest.mark.parametrize("unreadable_first", [True, False])
def test_a_region_typed_twice_once_unreadably_is_taken_from_neither_row(tmp_path: Path, unreadable_first: bool) -> None:
    """约61 in one row and 70.5 in another for one region are two figures: which is right is not guessed. The
    readable copy is quarantined as a conflicting duplicate; the unreadable one keeps its own reason and
    names the other row, whichever comes first."""
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    first = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets[0]
    workbook = load_workbook(path)
    sheet = workbook[first.sheet_name]
    last = sheet.max_row + 1
    for column in range(1, sheet.max_column + 1):  # the first region's row again
        sheet.cell(row=last, column=column).value = sheet.cell(row=4, column=column).value
    unreadable, readable = (4, last) if unreadable_first else (last, 4)
    sheet.cell(row=unreadable, column=3).value = "约61"
    sheet.cell(row=readable, column=3).value = 70.5
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    quarantined = {
        row: (code, reason)
        for row, code, reason in query(
            tmp_path / "w.duckdb", "select row_number, reason_code, reason from raw.quarantine where scope = 'row'"
        )
    }
    assert set(quarantined) == {4, last}
    assert (
        quarantined[readable][0] == "conflicting_duplicate_in_file" and f"第{unreadable}行" in quarantined[readable][1]
    )
    assert quarantined[unreadable][0] == "not_a_number"
    assert "约61" in quarantined[unreadable][1] and f"第{readable}行" in quarantined[unreadable][1]
    _first_region_taken_from_neither_row(tmp_path / "w.duckdb", first, result)


def _sheet_of(nature: Nature) -> DataSheetLayout:
    return next(
        sheet
        for sheet in template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets
        if REGISTRY.reference.indicators[sheet.indicator_code].nature is nature
    )


def test_a_measure_column_retitled_to_one_its_indicator_cannot_have_is_not_loaded_as_it(tmp_path: Path) -> None:
    """A stock's 上年同期末数 retitled 本年累计, a 本月数 column added to a stock, a 期末数 added to a flow: each
    value is quarantined naming the header, the indicator and what the template asked for; never loaded as
    a measure the indicator has not, nor guessed back to the one the template asked for."""
    stock, flow = _sheet_of(Nature.stock), _sheet_of(Nature.flow)
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    retitled = workbook[stock.sheet_name]
    assert [retitled.cell(row=3, column=c).value.split("（")[0] for c in (3, 4)] == ["期末数", "上年同期末数"]
    retitled["D3"] = "本年累计（头）"
    retitled["E3"], retitled["E4"] = "本月数", 5
    added = workbook[flow.sheet_name]
    added["E3"], added["E4"] = "期末数", 7
    workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb")

    assert result.status == "loaded"
    measures = dict(
        query(
            tmp_path / "w.duckdb",
            "select indicator_code, list(distinct measure order by measure) from raw.observations group by 1",
        )
    )
    assert measures[stock.indicator_code] == ["period_end_value"]
    assert measures[flow.indicator_code] == ["prior_year_ytd_value", "ytd_value"]
    set_aside = {(value.sheet, value.cell): value for value in result.values_set_aside if value.reason_code != "remark"}
    assert set(set_aside) == {(stock.sheet_name, "D4"), (stock.sheet_name, "E4"), (flow.sheet_name, "E4")}
    assert all(value.status is RowStatus.quarantined for value in set_aside.values())
    stock_name = REGISTRY.reference.indicators[stock.indicator_code].name
    reason = set_aside[(stock.sheet_name, "D4")].reason
    assert "本年累计" in reason and f"指标“{stock_name}”" in reason and "本表要求填报：期末数、上年同期末数" in reason
    assert "本表要求填报：本年累计、上年同期累计" in set_aside[(flow.sheet_name, "E4")].reason
    assert result.cells_read == result.cells_loaded + result.cells_quarantined + result.cells_ignored


def test_a_city_row_relabelled_as_a_total_is_read_by_its_region_code(tmp_path: Path) -> None:
    """The template writes no 合计 row: a row labelled 合计 or 全市合计 that keeps a region's code is that
    region's row a clerk typed over, and the code says whose; 小计 beside a region that sums none disagrees
    with its code and is quarantined naming both; a 合计 row without a code is still a total."""
    sheets = template_layout(REGISTRY, DATA_DEPARTMENT, PERIOD).data_sheets
    city = sheets[0].region_codes[0]
    county = next(code for code, region in REGISTRY.reference.regions.items() if region.parent_code == city)
    county_name = REGISTRY.reference.regions[county].name
    path, _ = _filled(tmp_path / "t.xlsx", DATA_DEPARTMENT)
    workbook = load_workbook(path)
    workbook[sheets[0].sheet_name]["A4"] = "合计"
    workbook[sheets[1].sheet_name]["A4"] = "全市合计"
    subtotal = workbook[sheets[2].sheet_name]
    subtotal["A4"], subtotal["B4"] = "小计", county
    total = workbook[sheets[3].sheet_name]
    total["A5"], total["C5"] = "合计", 1
    workbook.save(path)

    [result] = ingest([path], tmp_path / "w.duckdb")

    loaded = {
        sheet: regions
        for sheet, regions in query(
            tmp_path / "w.duckdb", "select sheet, list(distinct region_code) from raw.observations group by 1"
        )
    }
    assert loaded[sheets[0].sheet_name] == [city] and loaded[sheets[1].sheet_name] == [city]
    assert sheets[2].sheet_name not in loaded
    [(sheet, code, reason)] = query(tmp_path / "w.duckdb", "select sheet, reason_code, reason from raw.quarantine")
    assert (sheet, code) == (sheets[2].sheet_name, "region_code_mismatch")
    assert "小计" in reason and county in reason and county_name in reason
    totals = query(
        tmp_path / "w.duckdb", "select sheet, row_number from raw.ignored_rows where reason_code = 'total_row'"
    )
    assert totals == [(sheets[3].sheet_name, 5)]
    assert result.rows_read == result.rows_loaded + result.rows_quarantined + result.rows_ignored
