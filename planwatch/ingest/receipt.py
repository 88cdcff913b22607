"""The receipt (回执) a department gets for each file: what was accepted, what was not and why.

Every text cell is written so that it cannot run as a formula when opened: a text that begins with
= + - @ tab or CR gets a leading apostrophe and is stored as a string; control characters a
spreadsheet cannot hold (a NUL byte in a CSV cell) are written as visible escapes (\\x00).

Each file gets its own receipt, never overwriting another: a resubmission of the same file name (or
the same bytes again, 重复报送) gets `<name>_回执_2.xlsx`, and so on. A name too long for the file system
or holding path separators or control characters is shortened and cleaned, with a hash of the full
name so that two long names never share a receipt. A table lists at most `MAX_LISTED_ROWS` rows
(a 100,000-row file's receipt takes seconds): the counts on the first sheet cover every row.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from pathlib import Path

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from planwatch.atomic_files import write_atomically
from planwatch.ingest.parse_reply import LAYOUT as REPLY_LAYOUT
from planwatch.ingest.records import ParsedFile, RowStatus
from planwatch.ingest.store import FileResult
from planwatch.plausibility.checks import CHECKS
from planwatch.plausibility.review import Finding
from planwatch.template_format import MEASURE_LABELS

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
RECEIPT_SUFFIX = "_回执"  # receipts we wrote are never read back as submissions
MAX_LISTED_ROWS = 2000
MAX_NAME_BYTES = 160  # of the submission's stem in a receipt's name (file systems allow 255 for the whole)
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_HEADER_FILL = "#DDEBF7"


def safe_text(value: object) -> object:
    """Numbers stay numbers; text that a spreadsheet would run as a formula is neutralised, and control
    characters it cannot hold are written as escapes."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub(lambda match: f"\\x{ord(match.group()):02x}", value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


_RECEIPT_STEM = re.compile(re.escape(RECEIPT_SUFFIX) + r"(?:_\d+)?$")


def is_receipt_name(stem: str) -> bool:
    """Whether a file's stem is one of our receipts' (`…_回执`, `…_回执_2`): never read as a submission."""
    return _RECEIPT_STEM.search(stem) is not None


STAGED_SUFFIX = ".staged"
_STAGED = re.compile(r"^\.(?P<stem>.+)\.(?P<sha>[0-9a-f]{16})" + re.escape(STAGED_SUFFIX) + "$")


def staged_receipt_path(receipts_dir: Path, submission: Path, sha256: str) -> Path:
    """Where a receipt waits, hidden, while its batch commits: its receipt's stem and the file's bytes."""
    return receipts_dir / f".{_receipt_stem(submission)}.{sha256[:16]}{STAGED_SUFFIX}"


def promote_receipt(staged: Path, receipts_dir: Path) -> Path:
    """A staged receipt under its own name (never over one already written)."""
    found = _STAGED.match(staged.name)
    final = _free_path(receipts_dir, found.group("stem") if found else staged.stem.lstrip("."))
    os.replace(staged, final)
    return final


def recover_staged_receipts(receipts_dir: Path, committed: set[str]) -> list[Path]:
    """After a crash: the staged receipts of committed files take their place; the others are deleted
    (their files were not committed and load again). `committed` holds the sha256 of committed files."""
    if not receipts_dir.is_dir():
        return []
    prefixes = {sha[:16] for sha in committed}
    promoted = []
    for staged in sorted(receipts_dir.glob(f".*{STAGED_SUFFIX}")):
        found = _STAGED.match(staged.name)
        if found and found.group("sha") in prefixes:
            promoted.append(promote_receipt(staged, receipts_dir))
        else:
            staged.unlink(missing_ok=True)
    return promoted


def receipt_path(receipts_dir: Path, submission: Path) -> Path:
    """A new receipt's path for `submission`: its cleaned, bounded name, never one already written."""
    return _free_path(receipts_dir, _receipt_stem(submission))


def _receipt_stem(submission: Path) -> str:
    """The submission's stem, cleaned of what a file name cannot hold and bounded (with a hash when cut)."""
    stem = _UNSAFE_IN_NAME.sub("_", submission.stem) or "_"
    encoded = stem.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        digest = hashlib.sha256(submission.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        stem = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore") + f"…{digest}"
    return stem


def _free_path(receipts_dir: Path, stem: str) -> Path:
    path = receipts_dir / f"{stem}{RECEIPT_SUFFIX}.xlsx"
    number = 1
    while path.exists():
        number += 1
        path = receipts_dir / f"{stem}{RECEIPT_SUFFIX}_{number}.xlsx"
    return path


# xlsxwriter, not openpyxl: a receipt took 13 ms with openpyxl and takes under 4 ms with it, and a month of
# a province's files is thousands of receipts. Its conversions are off: a text that looks like a formula,
# a number or a URL is written as the text it is; its parts are assembled in memory, not in a temporary
# file each (opening those was half its time).
_WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": True,
}


class _Receipt:
    """The receipt workbook being written: its formats, and rows written as text, numbers or blanks."""

    def __init__(self, path: Path) -> None:
        self.workbook = xlsxwriter.Workbook(str(path), _WORKBOOK_OPTIONS)
        self.header = self.workbook.add_format({"bold": True, "bg_color": _HEADER_FILL})
        self.title = self.workbook.add_format({"bold": True, "font_size": 14})
        self.top = self.workbook.add_format({"valign": "top"})

    def write_row(self, sheet: Worksheet, row: int, values: list[object], first_format: Format | None = None) -> None:
        for column, value in enumerate(values):
            cell_format = first_format if column == 0 else None
            value = safe_text(value)
            if value is None:
                sheet.write_blank(row, column, None, cell_format)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                sheet.write_string(row, column, str(value), cell_format)
            elif isinstance(value, float) and not math.isfinite(value):
                sheet.write_string(row, column, repr(value), cell_format)
            else:
                sheet.write_number(row, column, value, cell_format)

    def table(self, title: str, headers: list[str], rows: list[list[object]], widths: list[int]) -> None:
        sheet = self.workbook.add_worksheet(title)
        for column, header in enumerate(headers):
            sheet.write_string(0, column, header, self.header)
        for number, row in enumerate(rows[:MAX_LISTED_ROWS], start=1):
            self.write_row(sheet, number, row)
        if len(rows) > MAX_LISTED_ROWS:
            rest = f"其余{len(rows) - MAX_LISTED_ROWS}行不再逐行列出（本表共{len(rows)}行）"
            self.write_row(sheet, MAX_LISTED_ROWS + 1, [f"{rest}，“回执”页的统计数已包含全部行"])
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)


def write_receipt(
    path: Path, result: FileResult, parsed: ParsedFile | None, names: dict[str, str], department_name: str | None
) -> Path:
    """Write the receipt workbook; `names` maps indicator and region codes to their Chinese names."""
    status = {"loaded": "已接收", "duplicate": "重复报送（此前已接收，未重复入库）", "rejected": "已拒收"}[
        result.status
    ]
    if result.is_partial:
        status = "部分接收（部分行或数据项未接收，见“未接收的行”“未采用的数据项”，请更正后重报）"
    if result.took_nothing:
        status = (
            "未接收任何数据（文件中没有可以入库的数据，见“未接收的行”“未采用的数据项”，请更正后重报）"
            if result.rows_quarantined or result.cells_quarantined
            else "未接收任何数据（文件中没有填写可以入库的数据，请填写后重新报送）"
        )
    if result.status == "loaded" and result.notes and not result.took_nothing:
        status += f"（另有{len(result.notes)}个指标的工作表未找到，视为未报送，见“未找到的工作表”）"
    lines = [
        ["数据报送回执"],
        ["文件名", result.file],
        ["报送单位", department_name or "未识别"],
        ["报送期", "、".join(result.periods) or "—"],
        ["处理结果", status],
        ["读取行数", result.rows_read],
        ["接收行数", result.rows_loaded],
        ["未接收行数（需更正后重报）", result.rows_quarantined],
        ["忽略行数（标题、表头、注释、合计等）", result.rows_ignored],
        ["读取单元格数", result.cells_read],
        ["接收单元格数", result.cells_loaded],
        ["未接收单元格数（需更正后重报）", result.cells_quarantined],
        ["忽略单元格数（标题、表头、备注、未填报等）", result.cells_ignored],
        ["数据合理性提示（已接收，请核实）", len(result.warnings)],
        # what was taken, in the words of what the file holds: figures, milestone progress, 整改反馈
        *([["接收整改反馈", result.rows_loaded]] if result.layout == REPLY_LAYOUT else []),
        *([["接收数据项", result.observations]] if result.layout != REPLY_LAYOUT else []),
        *([["接收项目节点进展", result.milestone_reports]] if result.milestone_reports else []),
        ["其中更正以前报送的数据项", result.revisions],  # each listed on the sheet 更正明细
        ["文件校验码（SHA-256）", result.sha256],
    ]
    if result.reason:
        lines.append(["拒收原因", result.reason])
    lines += [["未找到的工作表", note] for note in result.notes]
    return write_atomically(path, lambda temporary: _write(temporary, result, parsed, names, lines))


def _write(path: Path, result: FileResult, parsed: ParsedFile | None, names: dict[str, str], lines: list) -> None:
    receipt = _Receipt(path)
    summary = receipt.workbook.add_worksheet("回执")
    for number, line in enumerate(lines):
        receipt.write_row(summary, number, line, receipt.title if number == 0 else receipt.top)
    summary.set_column(0, 0, 36)
    summary.set_column(1, 1, 70)
    rows = parsed.rows if parsed else []
    # rows the plausibility review set aside whole after parsing: not received, with the review's message (a
    # figure it took from a row that keeps others is among the values set aside, 未采用的数据项)
    critical: dict[tuple[str, int], Finding] = {}
    for finding in result.findings:  # the row's first critical finding names it
        if finding.severity == "critical":
            critical.setdefault((finding.sheet, finding.row_number), finding)
    set_aside = {key: critical[key] for key in result.rows_set_aside_by_review if key in critical}
    taken = {(v.sheet, v.cell) for v in result.values_set_aside if v.status is RowStatus.quarantined}
    receipt.table(
        "未接收的行",
        ["工作表", "行号", "单元格", "原因", "该行内容"],
        [
            [r.sheet, r.row_number, r.cell or "", r.reason, " | ".join(r.content)]
            for r in rows
            if r.status is RowStatus.quarantined
        ]
        + [
            [
                r.sheet,
                r.row_number,
                set_aside[(r.sheet, r.row_number)].cell,
                set_aside[(r.sheet, r.row_number)].message,
                " | ".join(f"{o.cell}={o.original_value}" for o in r.observations),
            ]
            for r in rows
            if r.status is RowStatus.loaded and (r.sheet, r.row_number) in set_aside
        ],
        [18, 8, 10, 60, 60],
    )
    receipt.table(
        "未采用的数据项",
        ["工作表", "行号", "单元格", "处理", "原因", "填报值"],
        [
            [
                v.sheet,
                v.row_number,
                v.cell,
                "未接收" if v.status is RowStatus.quarantined else "忽略",
                v.reason,
                v.value,
            ]
            for v in result.values_set_aside
        ],
        [18, 8, 10, 8, 80, 20],
    )
    receipt.table(
        "已接收的数据",
        ["工作表", "单元格", "指标", "地区", "报送期", "口径", "数值", "单位", "原填报值"],
        [
            [
                o.sheet,
                o.cell,
                names.get(o.indicator_code, o.indicator_code),
                names.get(o.region_code, o.region_code),
                o.period,
                MEASURE_LABELS[o.measure],
                o.value,
                o.unit,
                o.original_value,
            ]
            for r in rows
            if (r.sheet, r.row_number) not in set_aside
            for o in r.observations
            if (o.sheet, o.cell) not in taken
        ],
        [18, 10, 30, 14, 10, 12, 14, 8, 14],
    )
    receipt.table(
        "更正明细",
        ["工作表", "单元格", "指标", "地区", "报送期", "口径", "原报送数值", "更正后数值", "单位", "原报送文件"],
        [
            [
                r.sheet,
                r.cell,
                names.get(r.indicator_code, r.indicator_code),
                names.get(r.region_code, r.region_code),
                r.period,
                MEASURE_LABELS.get(r.measure, r.measure),
                r.value_before,
                r.value,
                r.unit,
                r.file_before,
            ]
            for r in result.revised
        ],
        [18, 10, 30, 14, 10, 12, 14, 14, 8, 40],
    )
    receipt.table(
        "数据合理性提示",
        ["工作表", "单元格", "提示", "说明（数据已接收，请核实；如有误请报送更正表）"],
        [[f.sheet, f.cell, CHECKS[f.check_name].title, f.message] for f in result.warnings],
        [18, 10, 20, 100],
    )
    receipt.table(
        "已忽略的行",
        ["工作表", "行号", "原因", "该行内容"],
        [
            [
                r.sheet,
                r.row_number if r.row_count == 1 else f"{r.row_number}起共{r.row_count}行",
                r.reason,
                " | ".join(r.content),
            ]
            for r in rows
            if r.status is RowStatus.ignored
        ],
        [18, 8, 30, 80],
    )
    receipt.workbook.close()
