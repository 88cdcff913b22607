"""A returned 整改反馈 form read as ingest reads it: each bad cell of a reply is named, so one resubmission
corrects them all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from planwatch.forms.reply_form import write_reply_form
from planwatch.ingest.parse_reply import parse_reply_form
from planwatch.ingest.read import read_source_file
from planwatch.ingest.records import RowStatus

ITEM = {"item_id": "DB202509-001", "subject": "奶牛存栏滞后", "reply_due": dt.date(2025, 10, 20), "ask": "说明原因"}


def _returned(tmp_path: Path, expected: str, closure: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    form = write_reply_form(tmp_path / "反馈.xlsx", "dept_1", "某市农牧局", "2025-09", [ITEM], "某市人民政府督查室")
    workbook = openpyxl.load_workbook(form)
    sheet = workbook["整改反馈"]
    sheet["D3"], sheet["E3"], sheet["F3"] = "已制定专项推进方案", expected, closure
    workbook.save(form)
    return form


def _reply_rows(form: Path) -> list:
    parsed = parse_reply_form(read_source_file(form))
    return [row for row in parsed.rows if row.sheet == "整改反馈" and row.row_number == 3]


def test_a_reply_with_a_bad_date_and_a_bad_closure_request_names_both_cells(tmp_path: Path) -> None:
    [row] = _reply_rows(_returned(tmp_path, "下个月底", "可能"))
    assert row.status == RowStatus.quarantined and row.cell == "E3"
    assert "“下个月底”无法识别" in row.reason
    assert "F3单元格" in row.reason and "“可能”应填写“是”或“否”" in row.reason


def test_a_reply_with_one_bad_cell_names_it_alone_and_a_good_reply_loads(tmp_path: Path) -> None:
    [row] = _reply_rows(_returned(tmp_path / "one", "2025-12-31", "可能"))
    assert row.status == RowStatus.quarantined and row.cell == "F3" and "另" not in row.reason
    [good] = _reply_rows(_returned(tmp_path / "good", "2025年12月31日", "否"))
    assert good.status == RowStatus.loaded
    assert good.follow_up_replies[0].expected_date == dt.date(2025, 12, 31)
