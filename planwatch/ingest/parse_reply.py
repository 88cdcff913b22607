"""Reading a returned 整改反馈 form (planwatch/forms/reply_form.py) into follow-up replies.

Each item row with 整改措施 filled in is a reply; a row left blank is no reply (ignored, counted); an
item id the form was not issued with, a date or a 是/否 that cannot be read is quarantined with its
reason, as any figure would be. The department and the month come from the form's hidden sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from planwatch.ingest.read import Sheet, SourceFile
from planwatch.ingest.records import (
    ColumnBook,
    FollowUpReply,
    ParsedFile,
    RowOutcome,
    RowStatus,
    ignored_own_sheet,
    ignored_row,
    ignored_template_heading,
    quarantine_reason,
    quarantined_row,
)
from planwatch.ingest.values import cell_address, compact, display, row_is_empty
from planwatch.template_format import INSTRUCTIONS_SHEET, REPLY_HEADERS, REPLY_META_SHEET, REPLY_SHEET

LAYOUT = "follow_up_reply"
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YES, _NO = {"是", "y", "yes", "申请"}, {"否", "n", "no", ""}


def is_reply_form(source: SourceFile) -> bool:
    return any(sheet.name == REPLY_META_SHEET for sheet in source.sheets)


def _meta(sheet: Sheet) -> dict[str, str]:
    return {compact(row[0]): display(row[1]) for row in sheet.rows if len(row) >= 2 and compact(row[0])}


def _date(value: object) -> dt.date | None:
    """A date cell or text such as 2027-03-31 / 2027年3月31日; None when blank; ValueError when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = compact(value)
    if not text:
        return None
    found = _DATE.match(text)
    if found is None:
        raise ValueError(text)
    return dt.date(*(int(part) for part in found.groups()))


def _reply_row(sheet: Sheet, row_index: int, item_ids: set[str], book: ColumnBook) -> RowOutcome:
    row = list(sheet.rows[row_index]) + [None] * len(REPLY_HEADERS)
    item_id, measures = compact(row[0]), display(row[3]).strip()
    if item_id not in item_ids:
        return quarantined_row(sheet, row_index, "unknown_follow_up_item", cell_address(row_index, 0), value=item_id)
    if not measures:
        return ignored_row(sheet, row_index, "no_reply")
    problems: list[tuple[str, int]] = []  # every cell the clerk must correct, so one resubmission fixes all
    try:
        expected = _date(row[4])
    except ValueError:
        expected = None
        problems.append(("bad_follow_up_date", 4))
    closure = compact(row[5]).lower()
    if closure not in _YES | _NO:
        problems.append(("bad_closure_request", 5))
    if problems:
        (code, column), *more = problems
        outcome = quarantined_row(sheet, row_index, code, cell_address(row_index, column), value=display(row[column]))
        also = "；".join(
            f"{cell_address(row_index, other)}单元格：{quarantine_reason(other_code, value=display(row[other]))}"
            for other_code, other in more
        )
        return replace(outcome, reason=f"{outcome.reason}；另，{also}") if also else outcome
    book.keys(sheet.name, *range(len(REPLY_HEADERS)))
    reply = FollowUpReply(
        sheet.name, cell_address(row_index, 3), row_index + 1, item_id, measures, expected, closure in _YES
    )
    return RowOutcome(sheet.name, row_index + 1, RowStatus.loaded, [], follow_up_replies=[reply])


def parse_reply_form(source: SourceFile) -> ParsedFile:
    sheets = {sheet.name: sheet for sheet in source.sheets}
    meta_sheet = sheets[REPLY_META_SHEET]
    meta = _meta(meta_sheet)
    item_ids = {item for item in meta.get("item_ids", "").split(",") if item}
    book = ColumnBook()
    rows: list[RowOutcome] = []
    for sheet in source.sheets:
        if sheet.name == REPLY_META_SHEET:
            rows += ignored_own_sheet(sheet, "metadata")
        elif sheet.name == INSTRUCTIONS_SHEET:
            rows += ignored_own_sheet(sheet, "instructions")
        elif sheet.name == REPLY_SHEET:
            header = next(
                (i for i, row in enumerate(sheet.rows[:10]) if row and compact(row[0]) == REPLY_HEADERS[0]), None
            )
            if header is None:
                rows += [
                    quarantined_row(sheet, i, "no_header", None, value=sheet.name, marker=REPLY_HEADERS[0])
                    for i in range(len(sheet.rows))
                    if not row_is_empty(sheet.rows[i])
                ]
                continue
            book.header(sheet.name, header)
            rows.append(ignored_template_heading(sheet, header))
            rows += [
                _reply_row(sheet, i, item_ids, book)
                for i in range(header + 1, len(sheet.rows))
                if not row_is_empty(sheet.rows[i])
            ]
        else:
            rows += [
                quarantined_row(sheet, i, "unrecognised_sheet", None, value=sheet.name)
                for i in range(len(sheet.rows))
                if not row_is_empty(sheet.rows[i])
            ]
    return ParsedFile(LAYOUT, meta.get("department_id") or None, {meta["period"]}, rows, columns=book)
