"""What ingestion makes of each spreadsheet row: observations, milestone reports, or a named reason.

Every non-empty row of every sheet ends as exactly one `RowOutcome`: loaded (with its observations),
quarantined (with a reason a department clerk understands, and the cell it is about) or ignored (a
title, header, note or 合计 row, named). That is what makes rows read = loaded + quarantined + ignored.
Within a loaded row, every non-empty cell the row did not load (a column for a region the registry
does not know, a remark, a "—") is a `SetAsideValue`, quarantined or ignored with its own reason
(`planwatch.ingest.cells`): cells read = loaded + quarantined + ignored as well.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from planwatch.ingest.read import Sheet
from planwatch.ingest.resolve import Resolver
from planwatch.ingest.values import (
    AmbiguousNumberError,
    ErrorValueError,
    FootnoteMarkError,
    HiddenRowError,
    NonFiniteNumberError,
    NotANumberError,
    UncomputedFormulaError,
    cell_address,
    compact,
    display,
    number_with_unit,
    parse_number,
    row_is_empty,
)
from planwatch.registry.schema import Indicator
from planwatch.template_format import Measure


class RowStatus(StrEnum):
    loaded = "loaded"
    quarantined = "quarantined"
    ignored = "ignored"


# Reasons for quarantine, in the words a department clerk reads on the receipt.
QUARANTINE_REASONS: dict[str, str] = {
    "not_a_number": "{column}的值“{value}”不是有效数字，请填写阿拉伯数字（不要加单位或文字）",
    "ambiguous_number": "{column}的值“{value}”中的分隔符有两种读法（小数点还是千位分隔符），系统不作猜测，"
    "请填写不带分隔符的数字，小数点用“.”（如1234.5）",
    "footnote_mark": "{column}的值“{value}”中夹有上标、圈码等注释符号（如①、¹、²），系统不把它当作数字读，"
    "以免读错（注释号会被读成数字的末位）；请只填写数字，注释写在备注栏后重新报送",
    "non_finite_number": "{column}的值“{value}”超出了可以表示的数字范围，请核实后填写正确的数字",
    "error_value": "{column}的值是Excel错误“{value}”（公式计算出错），请核实公式，或直接填写数值后重新报送",
    "formula_without_value": "{column}是公式“{value}”，但文件中没有保存计算结果"
    "（可能由程序生成、未在Excel中重新计算），请在Excel中打开、重新计算并保存后报送，或直接填写数值",
    "hidden_row": "{column}的值“{value}”所在的行在表格中被隐藏，隐藏行的数据不入库（可能是草稿或往期数据）；"
    "如需报送，请取消隐藏该行、核实数据后重新报送",
    "negative_value": "{column}为负数（{value}），该指标不应为负，请核实后重新填报",
    "unknown_region": "地区“{value}”无法识别，请使用模板中的地区名称，不要修改地区编码",
    "unknown_region_in_table": (
        "地区“{value}”无法识别（不是本平台登记的地区，或不属于报送单位所在城市），请核实地区名称；"
        "如为新设地区，请联系平台管理员登记后重新报送"
    ),
    "unknown_indicator": "指标“{value}”无法识别，请使用统一的指标名称",
    "unknown_unit": "计量单位“{value}”无法识别或无法换算为{unit}，请按表头规定的单位填写",
    "unit_in_cell_mismatch": "填写的“{value}”所带单位与本列的计量单位（{unit}）不符，无法换算，未入库；"
    "请按表头规定的单位填写数字，不要在数字后加单位",
    "region_code_mismatch": "地区“{value}”与地区编码“{region_code}”不一致（编码{region_code}是“{code_name}”），"
    "无法确定数据属于哪个地区，未入库；请核实后填写一致的地区名称和编码，不要修改模板中的地区编码",
    "figures_in_unrecognised_columns": "本行在规定的数据列中没有填写数据，而{values}填在了无法识别的列中，"
    "未入库；请在模板或报表规定的列中填报后重新报送",
    "duplicate_in_file": "同一文件中重复填报（与第{other_row}行的{what}重复），请删除重复行",
    "conflicting_duplicate_in_file": "同一文件中{what}填报了两次且数值不同（另一行为第{other_row}行），"
    "无法确定哪一行正确，两行均未入库；请删除错误的一行后重新报送",
    "bad_period": "报告期“{value}”无法识别，请填写如“2024-03”或“2024年3月”",
    "period_not_accepted": "{why}",
    "locked_month": "{why}",
    "conflicting_across_sheets": (
        "本行的数据与工作表“{other_sheet}”第{other_row}行的同一数据不一致，无法确定哪一处正确，两处均未入库；"
        "请删除错误的一处（如作废的修改稿工作表）后重新报送"
    ),
    "period_names_prior_year": (
        "报告期“{value}”写有上年同期，不能确定是本期数还是上年同期数，未入库；请在报告期列只写本期的年月，"
        "本期数核实后重新报送"
    ),
    "second_table": (
        "第{first}行起是本工作表中的另一张表（“{title}”），报告期与第一张表不同或无法确定，未入库；"
        "请将每张表放在单独的工作表中后重新报送"
    ),
    "hidden_sheet": (
        "本行所在的工作表被隐藏，隐藏工作表中的数据不入库（可能是草稿或往期数据）；如需报送，请取消隐藏后重新报送"
    ),
    "merged_figure": (
        "{cells}为合并单元格，一个数值同时填在了几行或几列中，无法确定属于哪个地区或口径，本行未入库；"
        "请取消合并，在每个单元格中分别填写后重新报送"
    ),
    "ambiguous_period": (
        "报告期“{value}”可能是{year}年1月，也可能是{year}年10月（表格软件把数字{year}.10存为{year}.1），"
        "请填写为“{year}-01”或“{year}-10”"
    ),
    "unknown_milestone": "项目编码“{value}”无法识别，请不要修改模板中的项目编码",
    "milestone_of_another_department": "项目编码“{value}”（{project}）是{owner}报送的项目，不是本单位（{sender}）"
    "模板中的填报事项，未入库（以免以本单位填写的进展替代{owner}报送的进展）；请删除该行，"
    "只填报本单位模板中列出的项目",
    "bad_status": "进展状态“{value}”无法识别，请从下拉列表中选择：未开工、推进中、已完成、停滞",
    "bad_percent": "完成百分比“{value}”应为0到100之间的数字",
    "completed_below_full": (
        "进展状态（{status_cell}）为“{status}”，而完成百分比（{percent_cell}）为“{value}”，不足100，两者矛盾，"
        "无法确定项目是否已完成，本行未入库；项目已完成的，请将完成百分比改为100，"
        "尚未完成的，请将进展状态改为“推进中”或“停滞”，再重新报送"
    ),
    "not_started_with_progress": (
        "进展状态（{status_cell}）为“{status}”，而完成百分比（{percent_cell}）为“{value}”，大于0，两者矛盾，"
        "无法确定项目是否已开工，本行未入库；项目尚未开工的，请将完成百分比改为0，"
        "已经开工的，请将进展状态改为“推进中”“已完成”或“停滞”，再重新报送"
    ),
    "unrecognised_sheet": "工作表“{value}”不是模板中的填报表，无法识别其中的数据，请在模板规定的表中填报",
    "no_header": "工作表“{value}”中找不到表头（{marker}），无法识别数据，请勿删除或修改表头",
    "region_out_of_scope": "地区“{value}”不在本表的填报范围内（本表填报：{expected}），"
    "数据不能记在本单位名下，请核实地区后在对应模板中填报",
    "duplicate_measure_column": "表头中同一口径出现了两列（“{value}”），无法确定采用哪一列，请删除多余的列后重新报送",
    "sheet_indicator_mismatch": "工作表“{value}”的标题是“{title}”，与模板登记的指标“{expected}”不一致"
    "（工作表可能被调换或改名），无法确定数据所属指标，请使用平台下发的原模板重新填报",
    "sheet_period_mismatch": "工作表“{value}”的{place}（{address}单元格：“{text}”）写的是{title}，"
    "与模板的报送期{expected}不一致，无法确定数据所属月份，本表数据未入库；数据属于{expected}的，"
    "请将{place}改回后重新报送，属于其他月份的，请使用平台下发的该月模板填报",
    "unit_stated_twice_in_row": "指标“{value}”写明的计量单位（{named}）与计量单位列的“{stated}”不一致，"
    "无法确定数值的单位，本行数据未入库；请核实单位后重新报送",
    "file_period_mismatch": "文件名“{value}”写明的报告期是{file_period}，"
    "但工作表“{sheet_name}”的表头标题“{title}”写的是{table_period}，无法确定数据所属时期，"
    "未入库（以免覆盖其他月份已报送的数据）；请核实后将文件名和标题改为同一报告期重新报送",
    "table_period_mismatch": "工作表名“{value}”的报告期（{sheet_period}）与表头标题“{title}”的报告期（{title_period}）"
    "不一致，无法确定数据所属时期，未入库；请核实后将工作表名和标题改为同一报告期重新报送",
    "unknown_follow_up_item": "督办编号“{value}”不是本表下发的督办事项，请不要修改督办编号",
    "bad_follow_up_date": "预计完成时间“{value}”无法识别，请填写如“2027-03-31”或“2027年3月31日”",
    "bad_closure_request": "申请销号“{value}”应填写“是”或“否”",
    "unknown_measure": "口径“{value}”无法识别，请填写“本年累计”“本月”或“期末”",
    "title_names_another_region": "{named_in}写明的报送单位是“{sender}”（{sender_region}），但工作表“{sheet_name}”的"
    "表头标题“{value}”写的是{titled_region}的数据，{titled_region}不属于{sender_region}，无法确定是哪个地区、"
    "哪个单位的数据，未入库（以免把{titled_region}的数据记在{sender}名下）；请核实后将文件名中的报送单位"
    "和表头标题改为一致后重新报送，{titled_region}的数据请由{titled_region}的单位报送",
    "note_row_with_figures": "“{value}”以“{prefix}”开头，像是注释，但本行填有数据，且不是本表可识别的{names}，"
    "本行数据未入库；如为数据，请使用统一的{names}名称填写，如为注释，请不要在数据列中填写数字，核实后重新报送",
}

# Rows skipped on purpose, named so that nothing disappears unexplained.
IGNORED_REASONS: dict[str, str] = {
    "title_row": "标题或说明行",
    "header_row": "表头行",
    "template_heading": "模板标题及表头行",
    "note_row": "注释行",
    "total_row": "合计行（由系统自行汇总）",
    "signature_row": "填报人、审核人、填报日期等签署行",
    "blank_figures": "未填写任何数据的行",
    "no_reply": "未填写整改措施的督办事项（视为未反馈）",
    "instructions": "填报说明",
    "metadata": "模板元数据（隐藏表）",
}


# Cells of a loaded row that were not loaded: why, in the words a clerk reads on the receipt.
VALUE_REASONS: dict[str, tuple[RowStatus, str]] = {
    "unknown_region_column": (
        RowStatus.quarantined,
        "表头“{label}”不是本平台登记的地区（或不在本表的填报范围内），该列的值“{value}”未入库；"
        "请核实地区名称，如为新设地区请联系平台管理员登记后重新报送",
    ),
    "unknown_indicator_column": (
        RowStatus.quarantined,
        "表头“{label}”不是本平台登记的指标，该列的值“{value}”未入库；请使用统一的指标名称，或联系平台管理员登记该指标",
    ),
    "region_unknown_for_column": (
        RowStatus.quarantined,
        "表中未写明“{label}”一列所属的地区，该值“{value}”未入库；请在标题中写明地区后重新报送",
    ),
    "unrecognised_column": (
        RowStatus.quarantined,
        "“{label}”不是本表可识别的数据列，该值“{value}”未入库；请在模板规定的列中填报",
    ),
    "edited_deadline": (
        RowStatus.ignored,
        "截止日期以规划确定的{detail}为准，表中改为“{value}”不生效；如需调整节点，请按程序报规划编制部门",
    ),
    "total_column": (RowStatus.ignored, "“{label}”一列是合计，不单独入库（合计由各地区的数据汇总）"),
    "unit_stated_twice": (
        RowStatus.quarantined,
        "表头“{label}”写明的计量单位与其下单位行的“{detail}”不一致，该列的值“{value}”未入库；请核实单位后重新报送",
    ),
    "other_period_column": (RowStatus.ignored, "表头“{label}”是其他月份的数据（本表报送期为{detail}），本次不入库"),
    "duplicate_region_column": (RowStatus.ignored, "表头“{label}”与{detail}是同一地区，只采用前一列的值"),
    "same_figure_column": (RowStatus.ignored, "同一指标同一口径已采用{detail}的值，“{label}”一列不再重复入库"),
    "untracked_column": (RowStatus.ignored, "“{label}”一列不是本平台跟踪的数据（报表格式登记为不入库的列）"),
    "remark": (RowStatus.ignored, "备注仅作说明，不入库（内容：“{value}”）"),
    "measure_not_of_indicator": (
        RowStatus.quarantined,
        "表头“{label}”的口径不是{detail}，该列的值“{value}”未入库；请恢复模板原有的表头，在规定的列中填报后重新报送",
    ),
    "not_reported": (RowStatus.ignored, "填写为“{value}”，按未填报处理"),
}


# Why a column is not read, in a few words (the file's summary of columns not read).
COLUMN_NOTE_TITLES: dict[str, str] = {
    "unknown_region_column": "未登记的地区",
    "unknown_indicator_column": "未登记的指标",
    "region_unknown_for_column": "未写明所属地区",
    "unrecognised_column": "无法识别的列",
    "unit_stated_twice": "计量单位前后不一致",
    "total_column": "合计列",
    "edited_deadline": "修改了截止日期",
    "other_period_column": "其他月份",
    "duplicate_region_column": "与前面的地区列重复",
    "same_figure_column": "与前一列重复",
    "remark": "备注",
    "untracked_column": "不跟踪的列",
    "not_reported": "未填报",
    "measure_not_of_indicator": "口径与指标不符",
}


# Who filled, checked and signed the form, written under the table: never a region or an indicator.
SIGNATURE_PREFIXES = (
    "填报人",
    "填表人",
    "制表人",
    "审核人",
    "复核人",
    "负责人",
    "单位负责人",
    "统计负责人",
    "分管领导",
    "联系人",
    "联系电话",
    "填报日期",
    "填表日期",
    "报出日期",
    "填报单位",
)


def is_signature_row(row: list[object]) -> bool:
    """The row's first filled cell names a signer or the date of filling (填报人：张三  联系电话：…)."""
    for cell in row:
        if cell is None or cell == "":
            continue
        if not isinstance(cell, str):
            return False  # a number or a date first: a row of figures
        text = compact(cell)
        if text:
            return text.startswith(SIGNATURE_PREFIXES)
    return False


MAX_QUOTED = 60  # characters of a cell quoted in a reason: the cell itself stays whole in the row's content


def quoted(value: object) -> object:
    """A value as a reason quotes it: a long text cut, saying how long it was (the clerk finds the cell by its
    address; a 40,000-character cell is not copied into every message about it)."""
    if isinstance(value, str) and len(value) > MAX_QUOTED:
        return f"{value[:MAX_QUOTED]}…（共{len(value)}字）"
    return value


def quarantine_reason(code: str, **details: object) -> str:
    # a cell as typed is quoted cut; composed details (a list of cells, a label) are whole
    return QUARANTINE_REASONS[code].format(
        **{name: quoted(value) if name == "value" else value for name, value in details.items()}
    )


class Observation(NamedTuple):  # a tuple: tens of thousands are built per run
    indicator_code: str
    region_code: str
    period: str  # YYYY-MM
    measure: Measure
    value: float  # in the indicator's canonical unit
    unit: str
    original_value: str
    original_unit: str | None
    sheet: str
    cell: str
    row_number: int
    period_label: str | None = None  # a quarter, half-year or year as the source wrote it (period: its last month)


class MilestoneReport(NamedTuple):
    milestone_id: str
    period: str
    status: str
    percent_complete: float | None
    note: str
    sheet: str
    cell: str
    row_number: int


class SetAsideValue(NamedTuple):
    """A non-empty cell of a loaded row that was not loaded: quarantined or ignored, with its reason."""

    sheet: str
    row_number: int
    cell: str
    status: RowStatus
    reason_code: str
    reason: str  # Chinese, naming the cell, the column's header and the value
    value: str  # the cell as typed


class ColumnNote(NamedTuple):
    """Why a column of a sheet is not read: its values, in loaded rows, are set aside for this reason."""

    reason_code: str  # a key of VALUE_REASONS
    label: str  # the column's header as typed
    detail: str = ""  # what the reason names besides the header (the table's period, the earlier column)


@dataclass
class ColumnBook:
    """What the parsers say of each sheet's columns, for accounting for every cell of a loaded row.

    The header row of each sheet; the columns that name a row's figures (region, indicator, unit,
    a milestone's fields: loaded with them); and why each column that is not read is not.
    """

    header_rows: dict[str, int] = field(default_factory=dict)
    key_columns: dict[str, set[int]] = field(default_factory=dict)
    notes: dict[tuple[str, int], ColumnNote] = field(default_factory=dict)

    def header(self, sheet: str, row_index: int) -> None:
        self.header_rows[sheet] = row_index

    def keys(self, sheet: str, *columns: int | None) -> None:
        self.key_columns.setdefault(sheet, set()).update(c for c in columns if c is not None)

    def note(self, sheet: str, column: int, reason_code: str, label: str, detail: str = "") -> None:
        assert reason_code in VALUE_REASONS
        self.notes[(sheet, column)] = ColumnNote(reason_code, label, detail)

    def summary(self) -> list[str]:
        """The columns not read, as the file's summary lists them: sheet!cell label（why）."""
        return [
            f"{sheet}!{cell_address(self.header_rows.get(sheet, 0), column)} {note.label}"
            f"（{COLUMN_NOTE_TITLES[note.reason_code]}）"
            for (sheet, column), note in sorted(self.notes.items())
        ]


@dataclass(frozen=True)
class FollowUpReply:
    """A department's 整改反馈 on one 督办事项 (a row of the reply form)."""

    sheet: str
    cell: str
    row_number: int
    item_id: str
    measures: str
    expected_date: dt.date | None
    asks_closure: bool


@dataclass
class RowOutcome:
    sheet: str
    row_number: int  # 1-based, as Excel shows it
    status: RowStatus
    content: list[str]  # the row as typed, for the receipt and the quarantine table; empty when loaded
    reason_code: str | None = None
    reason: str | None = None
    cell: str | None = None
    observations: list[Observation] = field(default_factory=list)
    milestone_reports: list[MilestoneReport] = field(default_factory=list)
    follow_up_replies: list[FollowUpReply] = field(default_factory=list)
    row_count: int = 1  # an outcome may stand for a run of rows: a whole sheet planwatch wrote itself
    last_row_number: int | None = None  # a run's last sheet row (its empty rows included); None: this row only
    set_aside: list[SetAsideValue] = field(default_factory=list)  # a loaded row's cells not loaded, and why


@dataclass
class CellCounts:
    read: int  # non-empty cells of every sheet, counted apart from the parsers
    loaded: int  # cells of loaded rows that were loaded: figures, and the labels that name them
    quarantined: int
    ignored: int
    loaded_by_row: dict[tuple[str, int], int] = field(default_factory=dict)  # (sheet, row number) → cells

    @property
    def accounted(self) -> int:
        return self.loaded + self.quarantined + self.ignored


@dataclass
class ParsedFile:
    layout: str
    department_id: str | None
    periods: set[str]
    rows: list[RowOutcome]
    ignored_columns: list[str] = field(default_factory=list)
    rows_in_source: int | None = None  # the file's non-empty rows, counted apart from the parsers
    columns: ColumnBook = field(default_factory=ColumnBook)
    cells: CellCounts | None = None  # set by planwatch.ingest.cells.account_cells
    # what the file lacks that it should hold, for the receipt (Chinese): a template's indicator sheet deleted
    notes: list[str] = field(default_factory=list)


# Rows of the sheets planwatch itself wrote into a template: counted, but their text is ours.
_OWN_TEXT = {"instructions", "metadata"}


def ignored_row(sheet: Sheet, row_index: int, code: str) -> RowOutcome:
    """The outcome of a row skipped on purpose; `code` is a key of IGNORED_REASONS."""
    content = [] if code in _OWN_TEXT else [display(cell) for cell in sheet.rows[row_index]]
    return RowOutcome(
        sheet.name, row_index + 1, RowStatus.ignored, content, reason_code=code, reason=IGNORED_REASONS[code]
    )


def ignored_template_heading(sheet: Sheet, header_index: int) -> RowOutcome:
    """A template sheet's title rows and its header row, which planwatch wrote: one outcome for the run.

    Counted, not stored row by row; the header row's text is kept (it carries the units a clerk may change).
    """
    filled = [index for index in range(header_index + 1) if not row_is_empty(sheet.rows[index])]
    return RowOutcome(
        sheet.name,
        filled[0] + 1,
        RowStatus.ignored,
        [display(cell) for cell in sheet.rows[header_index]],
        reason_code="template_heading",
        reason=IGNORED_REASONS["template_heading"],
        row_count=len(filled),
        last_row_number=header_index + 1,
    )


def ignored_own_sheet(sheet: Sheet, code: str) -> list[RowOutcome]:
    """The non-empty rows of a sheet planwatch wrote into the template (填报说明, metadata), as one outcome.

    Their text is ours, so they are counted, not stored row by row: row_number is the first of them.
    """
    assert code in _OWN_TEXT
    filled = [index for index, row in enumerate(sheet.rows) if not row_is_empty(row)]
    if not filled:
        return []
    return [
        RowOutcome(
            sheet.name,
            filled[0] + 1,
            RowStatus.ignored,
            [],
            reason_code=code,
            reason=IGNORED_REASONS[code],
            row_count=len(filled),
            last_row_number=filled[-1] + 1,
        )
    ]


def in_second_table(sheet: Sheet, row_index: int, opens: tuple[int, str]) -> RowOutcome:
    """A row of another table stacked under the first on the sheet: quarantined, naming where it opens."""
    first, title = opens
    return quarantined_row(sheet, row_index, "second_table", cell_address(row_index, 0), first=first + 1, title=title)


def quarantined_row(sheet: Sheet, row_index: int, code: str, cell: str | None, **details: object) -> RowOutcome:
    """The outcome of a row that cannot be read; `code` is a key of QUARANTINE_REASONS."""
    return RowOutcome(
        sheet.name,
        row_index + 1,
        RowStatus.quarantined,
        [display(value) for value in sheet.rows[row_index]],
        reason_code=code,
        reason=quarantine_reason(code, **details),
        cell=cell,
    )


@dataclass(frozen=True)
class FirstRow:
    """The row that first gave a key of a file (a region, an indicator of a period): where its outcome is."""

    row_index: int
    place: int  # its outcome's index in the sheet's outcomes
    cell: str
    values: tuple[object, ...] | None  # None: the row could not be read (quarantined with its own reason)


def repeated_row(
    sheet: Sheet,
    outcomes: list[RowOutcome],
    first: FirstRow,
    row_index: int,
    cell: str,
    values: tuple[float, ...],
    what: str,
) -> RowOutcome:
    """A second row for a key of the file. The same figures again: the repeat is set aside, the first row
    stands. Other figures: which row is right is not guessed; the first row's outcome is replaced, and both
    are quarantined, each naming the other."""
    code = "duplicate_in_file"
    if values != first.values:
        code = "conflicting_duplicate_in_file"
        outcomes[first.place] = quarantined_row(
            sheet, first.row_index, code, first.cell, other_row=row_index + 1, what=what
        )
    return quarantined_row(sheet, row_index, code, cell, other_row=first.row_index + 1, what=what)


def settled_repeat(
    sheet: Sheet,
    outcomes: list[RowOutcome],
    seen: dict,
    key: object,
    row_index: int,
    cell: str,
    outcome: RowOutcome,
    values: tuple[object, ...] | None,
    what: str,
) -> RowOutcome:
    """A row's outcome once the rows before it for the same key of the file (a region, a milestone, a figure)
    are known; `values`: what it read, None when it could not be read. The key is kept for every row that
    gives one, read or not: a figure typed twice, once unreadable (约61) and once readable (70.5), is two
    different figures, and which is right is not guessed. The readable copy is quarantined as a conflicting
    duplicate, the unreadable one keeps its own reason and names the other row. Two readable copies are
    settled by `repeated_row`."""
    first = seen.get(key)
    if first is None:
        seen[key] = FirstRow(row_index, len(outcomes), cell, values)
        return outcome
    if values is not None and first.values is not None:
        return repeated_row(sheet, outcomes, first, row_index, cell, values, what)
    conflict = "conflicting_duplicate_in_file"
    if values is None and first.values is None:  # neither stands: each keeps its reason, naming the other
        outcomes[first.place] = _also_named(
            outcomes[first.place], quarantine_reason(conflict, other_row=row_index + 1, what=what), what
        )
        return _also_named(outcome, quarantine_reason(conflict, other_row=first.row_index + 1, what=what), what)
    if values is None:  # the first copy read, this one does not: the first is not taken either
        outcomes[first.place] = quarantined_row(
            sheet, first.row_index, conflict, first.cell, other_row=row_index + 1, what=what
        )
        return _also_named(outcome, quarantine_reason(conflict, other_row=first.row_index + 1, what=what), what)
    # this copy reads, the first did not: this one is not taken, and the first names it
    outcomes[first.place] = _also_named(
        outcomes[first.place], quarantine_reason(conflict, other_row=row_index + 1, what=what), what
    )
    return quarantined_row(sheet, row_index, conflict, cell, other_row=first.row_index + 1, what=what)


def _also_named(outcome: RowOutcome, reason: str, what: str) -> RowOutcome:
    """A quarantined row's outcome with the repeat of `what` named after its own reason: once, however many
    copies follow (the first names the second; a file of a thousand copies does not make it a thousand long)."""
    if outcome.reason and f"同一文件中{what}" in outcome.reason:
        return outcome
    return dataclasses.replace(outcome, reason=f"{outcome.reason}；{reason}" if outcome.reason else reason)


def row_failure(failures: list[RowOutcome]) -> RowOutcome | None:
    """A row's quarantine naming every cell of it that failed, not only the first: the clerk corrects them
    all in one resubmission. None when no cell failed; filed under the first failure's code and cell."""
    if len(failures) <= 1:
        return failures[0] if failures else None
    reason = "；".join(f"{failure.cell}：{failure.reason}" for failure in failures)
    return dataclasses.replace(failures[0], reason=reason)


def set_aside_value(
    sheet: Sheet, row_index: int, column: int, code: str, label: str, detail: str = ""
) -> SetAsideValue:
    """A cell of a loaded row that is not loaded, with the reason `code` (a key of VALUE_REASONS)."""
    value = display(sheet.rows[row_index][column])
    address = cell_address(row_index, column)
    reason = f"{sheet.name}!{address}：" + value_reason(code, label, value, detail)
    return SetAsideValue(sheet.name, row_index + 1, address, VALUE_REASONS[code][0], code, reason, value)


def value_reason(code: str, label: str, value: str, detail: str = "") -> str:
    """Why a cell is not loaded (`code`: a key of VALUE_REASONS), in the words of the receipt, without its place."""
    return VALUE_REASONS[code][1].format(label=label, detail=detail, value=quoted(value))


def observation_at(
    sheet: Sheet,
    row_index: int,
    column: int,
    indicator: Indicator,
    region_code: str,
    period: str,
    measure: Measure,
    value: float,
    written_unit: str | None,
    period_label: str | None = None,
) -> Observation:
    """A figure read from a cell, with its lineage: the cell as written, its sheet, address and row."""
    return Observation(
        indicator.indicator_code,
        region_code,
        period,
        measure,
        value,
        indicator.canonical_unit,
        display(sheet.rows[row_index][column]),
        written_unit,
        sheet.name,
        cell_address(row_index, column),
        row_index + 1,
        period_label,
    )


_PARSE_FAILURES = {
    AmbiguousNumberError: "ambiguous_number",
    NonFiniteNumberError: "non_finite_number",
    FootnoteMarkError: "footnote_mark",
    ErrorValueError: "error_value",
    UncomputedFormulaError: "formula_without_value",
    HiddenRowError: "hidden_row",
}
_PARSE_FAILURE_TYPES = tuple(_PARSE_FAILURES)


_MAGNITUDES = ("百万", "千万", "万", "亿", "千", "百")


def _with_the_columns_base(typed: str, column_unit: str | None) -> str:
    """A magnitude typed alone (7100万, 12.14亿) in the column's unit (万元, 亿元): the column's base unit with
    it (万元, 亿元), as a clerk means it; any other unit as typed."""
    if typed not in _MAGNITUDES or not column_unit:
        return typed
    base = column_unit
    for magnitude in _MAGNITUDES:
        if base.startswith(magnitude) and len(base) > len(magnitude):
            base = base[len(magnitude) :]
            break
    return typed + base if base not in ("%", "‰") else typed


def read_figure(
    sheet: Sheet,
    row_index: int,
    column: int,
    indicator: Indicator,
    unit: str | None,
    resolver: Resolver,
    column_label: str,
) -> tuple[float | None, RowOutcome | None, str | None]:
    """A cell's figure in the indicator's canonical unit (None when blank), or the quarantined row;
    and the unit it was written in (the column's, or the one typed in the cell: 125,000吨)."""
    row = sheet.rows[row_index]
    raw = row[column] if column < len(row) else None
    address = cell_address(row_index, column)
    try:
        number = parse_number(raw)
    except _PARSE_FAILURE_TYPES as error:
        code = _PARSE_FAILURES[type(error)]
        return None, quarantined_row(sheet, row_index, code, address, column=column_label, value=display(raw)), unit
    except NotANumberError:
        typed = number_with_unit(raw)  # 12.5万吨: the clerk wrote the unit in the cell; read it if it converts
        if typed is not None:
            typed = (typed[0], _with_the_columns_base(typed[1], unit))
        if typed is None or resolver.conversion_factor(typed[1], indicator) is None:
            # a unit, but not one of this column (1.85万头 in a 万吨 column, 50% where money is asked); else no
            # unit and no number (约三百, 3万只羊, 3\x002)
            wrong_unit = typed is not None and resolver.reference.unit_table.knows(typed[1])
            code, details = (
                ("unit_in_cell_mismatch", {"unit": unit or indicator.canonical_unit})
                if wrong_unit
                else ("not_a_number", {"column": column_label})
            )
            return None, quarantined_row(sheet, row_index, code, address, value=display(raw), **details), unit
        number, unit = typed
    if number is None:
        return None, None, unit
    factor = resolver.conversion_factor(unit, indicator)
    if factor is None:
        failure = quarantined_row(sheet, row_index, "unknown_unit", address, value=unit, unit=indicator.canonical_unit)
        return None, failure, unit
    if number < 0 and (indicator.plausible_min is None or indicator.plausible_min >= 0):
        failure = quarantined_row(sheet, row_index, "negative_value", address, column=column_label, value=display(raw))
        return None, failure, unit
    # in the canonical unit without a binary artefact (152000吨 is 15.2万吨, not 15.200000000000001), and
    # never a negative zero (−0 is 0)
    value = number if factor == 1 else float(f"{number * factor:.15g}")
    return value + 0.0, None, unit
