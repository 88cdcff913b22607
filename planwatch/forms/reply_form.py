"""The 整改反馈 form: one workbook per department, listing its open 督办事项 to answer.

A department fills in, for each item, the measures taken (整改措施), the expected completion date and
whether it asks to close the item (申请销号), and sends the file back like any report: `planwatch
ingest` recognises it by its hidden sheet and loads the replies into `raw.follow_up_replies`, with a
receipt. The hidden sheet lists the item ids the form was issued with, so a reply to an item that
was not sent to that department is quarantined, not filed under someone else's item.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from planwatch.forms.cells import set_text
from planwatch.periods import Granularity, Period
from planwatch.template_format import INSTRUCTIONS_SHEET, REPLY_HEADERS, REPLY_META_SHEET, REPLY_SHEET


def reply_form_filename(department_name: str, period: str) -> str:
    return f"{department_name}_{period}_整改反馈.xlsx"


def write_reply_form(
    path: Path, department_id: str, department_name: str, period: str, items: list[dict], office: str
) -> Path:
    """Write the form for one department's open items (dicts with item_id, subject, reply_due, ask)."""
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    lines = [
        f"{department_name}督办事项整改反馈表填报说明",
        f"1. 本表列出{office}通报交办给本单位、尚未销号的督办事项，共{len(items)}项。",
        "2. 请在“整改反馈”表中逐项填写整改措施（必填）、预计完成时间（如2027-03-31）和是否申请销号（是/否）。",
        "3. 不要修改督办编号、督办事项和反馈时限，不要增删行列；未填写整改措施的事项视为未反馈。",
        "4. 请在反馈时限前将本文件报送至督查室（与月度数据报送方式相同），系统将出具回执。",
    ]
    for row, text in enumerate(lines, start=1):
        set_text(instructions.cell(row=row, column=1), text)
    instructions.column_dimensions["A"].width = 110
    instructions["A1"].font = Font(bold=True, size=14)

    sheet = workbook.create_sheet(REPLY_SHEET)
    month = Period.parse(period, Granularity.month).label
    set_text(sheet.cell(row=1, column=1), f"{department_name}督办事项整改反馈表（{month}）")
    sheet["A1"].font = Font(bold=True, size=14)
    for column, header in enumerate(REPLY_HEADERS, start=1):
        set_text(sheet.cell(row=2, column=column), header)
        sheet.cell(row=2, column=column).font = Font(bold=True)
    for row, item in enumerate(items, start=3):
        set_text(sheet.cell(row=row, column=1), item["item_id"])
        set_text(sheet.cell(row=row, column=2), item["subject"])
        due: dt.date = item["reply_due"]
        set_text(sheet.cell(row=row, column=3), due.isoformat())
        for column in range(1, 7):
            sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    closure = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    sheet.add_data_validation(closure)
    if items:
        closure.add(f"F3:F{len(items) + 2}")
    for column, width in zip("ABCDEF", (30, 48, 12, 60, 14, 12), strict=True):
        sheet.column_dimensions[column].width = width

    meta = workbook.create_sheet(REPLY_META_SHEET)
    for row, (key, value) in enumerate(
        (
            ("form", "follow_up_reply"),
            ("department_id", department_id),
            ("period", period),
            ("item_ids", ",".join(item["item_id"] for item in items)),
        ),
        start=1,
    ):
        set_text(meta.cell(row=row, column=1), key)
        set_text(meta.cell(row=row, column=2), value)
    meta.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
