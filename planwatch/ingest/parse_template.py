"""Reading a filled fill-in template (填报模板) back into observations and milestone reports.

The hidden `_planwatch` sheet says who sent it, for which month, and which indicator each data
sheet holds; a sheet a clerk renamed is found again by its position. Measures and units are read
from the header row as the clerk left it, so a header changed to 亿元 converts instead of misleading.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import NamedTuple

from planwatch.forms.meta import TemplateMeta, parse_meta
from planwatch.ingest.layout_head import RANGE_MARKS
from planwatch.ingest.periods import chinese_dates_as_digits, is_month, months_named_in
from planwatch.ingest.read import Sheet, SourceFile
from planwatch.ingest.records import (
    IGNORED_REASONS,
    ColumnBook,
    FirstRow,
    MilestoneReport,
    ParsedFile,
    RowOutcome,
    RowStatus,
    SetAsideValue,
    ignored_own_sheet,
    ignored_row,
    ignored_template_heading,
    in_second_table,
    is_signature_row,
    observation_at,
    quarantined_row,
    quoted,
    read_figure,
    row_failure,
    set_aside_value,
    settled_repeat,
    value_reason,
)
from planwatch.ingest.resolve import Resolver
from planwatch.ingest.values import (
    NotANumberError,
    cell_address,
    column_letter,
    compact,
    display,
    header_label,
    normalise_text,
    number_with_unit,
    parse_number,
    row_is_empty,
    split_header,
)
from planwatch.periods import Period
from planwatch.registry.schema import Indicator, Nature
from planwatch.reporting import measures_for
from planwatch.template_format import (
    INSTRUCTIONS_SHEET,
    MEASURE_ALIASES,
    MEASURE_LABELS,
    META_SHEET,
    MILESTONE_HEADERS,
    MILESTONE_SHEET,
    MILESTONE_STATE_LABELS,
    REGION_CODE_HEADER,
    REGION_HEADER,
    REMARK_HEADER,
    Measure,
    MilestoneState,
)

TOTAL_LABELS = {"合计", "总计", "小计", "全市合计"}
NOTE_PREFIXES = ("注", "说明", "备注", "填表说明", "资料来源", "数据来源")
STATE_BY_LABEL = {label: state.value for state, label in MILESTONE_STATE_LABELS.items()}


def is_template(source: SourceFile) -> bool:
    return any(sheet.name == META_SHEET for sheet in source.sheets)


def _whole_sheet(sheet: Sheet, code: str, start: int = 0, **details: object) -> list[RowOutcome]:
    return [
        quarantined_row(sheet, i, code, None, **details)
        for i in range(start, len(sheet.rows))
        if not row_is_empty(sheet.rows[i])
    ]


def _find_header(sheet: Sheet, marker: str) -> int | None:
    head = sheet.rows[:15]
    for row_index, row in enumerate(head):
        if marker in row:  # as planwatch wrote it: a plain comparison, no normalising
            return row_index
    for row_index, row in enumerate(head):
        if any(isinstance(cell, str) and compact(cell) == marker for cell in row):  # as a clerk retyped it
            return row_index
    return None


def _second_table(sheet: Sheet, header_index: int, region_column: int | None, period: str) -> tuple[int, str] | None:
    """The first row under the header that opens another table on the sheet, and its text: the 地区 header
    again, or a lone title naming another month than the template's (last month's table pasted under
    this month's). Its rows are no figures of this month: they are quarantined, the first table's load."""
    for index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[index]
        label = row[region_column] if region_column is not None and region_column < len(row) else ""
        if label == REGION_HEADER or (isinstance(label, str) and compact(label) == REGION_HEADER):
            return index, normalise_text(label)
        filled = [cell for cell in row if cell not in ("", None)]  # a data row has several: no closer look
        if len(filled) != 1:
            continue
        lone = filled[0]
        a_title = isinstance(lone, str | dt.date) and not compact(lone).startswith(NOTE_PREFIXES)
        if a_title and is_month(period) and _other_months_in_title(lone, period, ""):
            return index, normalise_text(lone)
    return None


def parse_data_sheet(
    sheet: Sheet,
    indicator: Indicator,
    period: str,
    resolver: Resolver,
    city: str | None,
    book: ColumnBook,
    declared_regions: tuple[str, ...] = (),
    asked_measures: tuple[Measure, ...] = (),
) -> list[RowOutcome]:
    """One indicator's sheet: a row per region, a column per measure (unit from the header).

    A region is taken only when it is one the template asks for (`declared_regions`, from the hidden
    sheet) or, without them, one of the sender's city: a figure typed for another city's region is
    quarantined, never filed under this sender. A measure is taken only when it is one the template asks
    for (`asked_measures`, from the hidden sheet) or, without them, one the indicator has by its nature."""
    header_index = _find_header(sheet, REGION_HEADER)
    if header_index is None:
        return _whole_sheet(sheet, "no_header", value=sheet.name, marker=REGION_HEADER)
    outcomes = [ignored_template_heading(sheet, header_index)]
    region_column = code_column = None
    measure_columns: list[tuple[int, Measure, str | None, str]] = []
    book.header(sheet.name, header_index)
    allowed = asked_measures or measures_for(indicator.nature, indicator.frequency)
    asked = _measures_asked(indicator, allowed)
    for column, cell in enumerate(sheet.rows[header_index]):
        header = split_header(cell)
        if header.label == REGION_HEADER:
            region_column = column
        elif header.label == REGION_CODE_HEADER:
            code_column = column
        elif header.label == REMARK_HEADER:  # a remark is set aside with its text: shown, not loaded
            book.note(sheet.name, column, "remark", normalise_text(cell))
        elif header.label in MEASURE_ALIASES and MEASURE_ALIASES[header.label] not in allowed:
            # a header retitled to a measure the indicator has not (a stock's 上年同期末数 made 本年累计, a 本月数
            # added to a stock): not read as that measure, nor guessed back to the one the template asked for
            book.note(sheet.name, column, "measure_not_of_indicator", header_label(cell, column), asked)
        elif header.label in MEASURE_ALIASES:
            measure_columns.append((column, MEASURE_ALIASES[header.label], header.unit, normalise_text(cell)))
        else:  # a column a clerk added: its values are quarantined one by one
            book.note(sheet.name, column, "unrecognised_column", header_label(cell, column))
    book.keys(sheet.name, region_column, code_column)
    repeated = _repeated_measure(measure_columns)
    if repeated:
        return outcomes + _whole_sheet(sheet, "duplicate_measure_column", start=header_index + 1, value=repeated)
    seen: dict[str, FirstRow] = {}  # region → the row that gave its figures
    opens = _second_table(sheet, header_index, region_column, period)
    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        if row_is_empty(row):
            continue
        if opens is not None and row_index >= opens[0]:
            outcomes.append(in_second_table(sheet, row_index, opens))
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        name = row[region_column] if region_column is not None and region_column < len(row) else ""
        label = compact(name)
        code = row[code_column] if code_column is not None and code_column < len(row) else None
        if label in TOTAL_LABELS:
            code_text = compact(code)
            if code_text not in resolver.reference.regions or _totals_the_sheet(code_text, declared_regions, resolver):
                outcomes.append(ignored_row(sheet, row_index, "total_row"))
                continue
            # a total's label beside a region's code: a region row whose label a clerk typed over (the
            # template writes no total row). The code says which region; a total of regions (全市合计 beside
            # the city's code) is that region, a total beside a region that sums none is quarantined below
            if len(resolver.reference.descendants_and_self(code_text)) > 1:
                name = resolver.reference.regions[code_text].name
        if label.startswith(NOTE_PREFIXES) and all(compact(row[c]) == "" for c, *_ in measure_columns if c < len(row)):
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        region_code = resolver.region(name, code, within=city)
        region_cell = cell_address(row_index, region_column or 0)
        if region_code is None:
            outcomes.append(
                quarantined_row(
                    sheet, row_index, "unknown_region", region_cell, value=normalise_text(name) or display(code)
                )
            )
            continue
        if resolver.name_disagrees_with_code(name, code, within=city):
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "region_code_mismatch",
                    region_cell,
                    value=normalise_text(name),
                    region_code=display(code),
                    code_name=resolver.reference.regions[region_code].name,
                )
            )
            continue
        if not _region_in_scope(region_code, declared_regions, city, resolver):
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "region_out_of_scope",
                    region_cell,
                    value=normalise_text(name) or display(code),
                    expected="、".join(resolver.reference.regions[c].name for c in declared_regions) or "本市地区",
                )
            )
            continue
        outcome = _measure_cells(sheet, row_index, measure_columns, indicator, period, region_code, resolver)
        if outcome.status is not RowStatus.ignored:  # a region's row is kept whether or not it reads
            values = tuple(o.value for o in outcome.observations) if outcome.status is RowStatus.loaded else None
            what = f"{resolver.reference.regions[region_code].name}的数据"
            outcome = settled_repeat(sheet, outcomes, seen, region_code, row_index, region_cell, outcome, values, what)
        outcomes.append(outcome)
    return outcomes


def _measures_asked(indicator: Indicator, measures: tuple[Measure, ...]) -> str:
    """What a sheet's indicator can be reported as, for a clerk (its nature, and the measures asked)."""
    kind = "时点指标" if indicator.nature is Nature.stock else "时期指标"
    labels = "、".join(MEASURE_LABELS[measure] for measure in measures)
    return f"指标“{indicator.name}”（{kind}）可以填报的口径（本表要求填报：{labels}）"


def _totals_the_sheet(code: str, declared: tuple[str, ...], resolver: Resolver) -> bool:
    """Whether a 合计 row's region code is of a region the sheet does not ask for but whose regions it
    does (the city's code under the city's counties): the row is the sum of the sheet's rows, a total."""
    below = resolver.reference.descendants_and_self(code) - {code}
    return bool(declared) and code not in declared and any(region in below for region in declared)


def _repeated_measure(measure_columns: list[tuple[int, Measure, str | None, str]]) -> str | None:
    """The header of a measure that has two columns (a second 本月数): which one is meant is not guessed."""
    seen: dict[Measure, str] = {}
    for column, measure, _, label in measure_columns:
        if measure in seen:
            return f"{seen[measure]}”和“{label}（{column_letter(column)}列）"
        seen[measure] = label
    return None


def _region_in_scope(region_code: str, declared: tuple[str, ...], city: str | None, resolver: Resolver) -> bool:
    if declared:
        return region_code in declared
    return resolver.in_scope(region_code, city)


def _disagrees_with_its_entry(
    sheet: Sheet, entry_indicator: Indicator, period: str, resolver: Resolver
) -> list[RowOutcome]:
    """The whole sheet, quarantined, when its own title names another indicator or period than the
    hidden sheet says it holds (sheets swapped or renamed): whose figures they are is not guessed."""
    title = normalise_text(sheet.rows[0][0]) if sheet.rows and sheet.rows[0] else ""
    named = resolver.indicator(title.split(" ")[-1]) if title else None
    if named is not None and named.indicator_code != entry_indicator.indicator_code:
        return _whole_sheet(
            sheet, "sheet_indicator_mismatch", value=sheet.name, title=named.name, expected=entry_indicator.name
        )
    return _filed_for_another_period(sheet, period, entry_indicator.name)


def _filed_for_another_period(sheet: Sheet, period: str, indicator_name: str = "") -> list[RowOutcome]:
    """The whole sheet, quarantined, when its own heading names another month than the template's: its
    报送期 (报送期：2025-06) or its title in A1 (平凉市农业农村局 2025年6月 …, edited to 2025年7月 while the
    报送期 and the hidden sheet still say June). Whose month its figures or milestone reports are is not
    guessed. A title naming no month, or only the template's, changes nothing."""
    if not is_month(period):
        return []  # a template whose own period is no month is rejected for it (unusable_period)
    address, text = _filing_cell(sheet)
    # the 报送期 as planwatch writes it (2025-06) or as a clerk retypes it (2025年7月, 2025-7, 7月), else the title
    place, named = "报送期", _other_months_in_title(text.split("报送期", 1)[-1], period, "") if text else []
    if not named:
        title = sheet.rows[0][0] if sheet.rows and sheet.rows[0] else None
        place, address, text = "标题", "A1", normalise_text(title)
        named = _other_months_in_title(title, period, indicator_name)
    if not named:
        return []
    return _whole_sheet(
        sheet,
        "sheet_period_mismatch",
        value=sheet.name,
        place=place,
        address=address,
        text=quoted(text),
        title=quoted("、".join(named)),
        expected=f"{Period.parse(period).label}（{period}）",
    )


def _filing_cell(sheet: Sheet) -> tuple[str, str]:
    """Where the 报送期 is written (A2 as planwatch writes it), and its text, for the clerk to find it."""
    for row_index, row in enumerate(sheet.rows[:3]):
        for column, cell in enumerate(row):
            if "报送期" in normalise_text(cell):
                return cell_address(row_index, column), normalise_text(cell)
    return "A2", ""


# A month a sheet's title names: as planwatch writes it (2025年6月), or as a clerk retypes it (2025年06月,
# 2025-06, 2025.6, 6月份, 6月); a range from January (2025年1-6月, 1月—6月) is the year to its last month.
# A range from another month (2025年4-6月), a day's date (2025年7月10日, 2025-07-10), a deadline (7月上旬报送,
# 2025年7月底前) and the second of two months listed (6、7月) name no month.
# (planwatch.ingest.periods reads a file name, which never writes a month without its year.)
_FROM_JANUARY = rf"(?:0?1\s*月?\s*{RANGE_MARKS}\s*)?"
# a day's date, or a deadline (7月上旬报送, 7月底前, 7月初), names no period
_NO_DAY_FOLLOWS = r"(?!\s*(?:\d{1,2}\s*[日号]|[上中下]旬|底|初|前))"
_TITLE_MONTH = re.compile(
    rf"(?<!\d)(?P<year>\d{{4}})\s*(?:年\s*{_FROM_JANUARY}(?P<month>\d{{1,2}})\s*月{_NO_DAY_FOLLOWS}"
    r"|[-/.]\s*(?P<dashed>\d{1,2})(?!\s*[-/.]?\s*\d))"
    rf"|(?<![\d年、和及])(?<!{RANGE_MARKS}){_FROM_JANUARY}(?P<alone>\d{{1,2}})\s*月{_NO_DAY_FOLLOWS}"
)


def _other_months_in_title(title: object, period: str, indicator_name: str) -> list[str]:
    """The months (2025年7月, or 7月 written without its year) a title names other than `period`; empty when
    it names none or only `period`. The indicator's own name is left out: a month in it is no period."""
    year, month = (int(part) for part in period.split("-"))
    if isinstance(title, dt.date):  # 2025-07 typed over the title: Excel keeps it as the date 2025-07-01
        return [] if (title.year, title.month) == (year, month) else [f"{title.year}年{title.month}月"]
    text = normalise_text(title)
    if indicator_name:
        text = text.replace(normalise_text(indicator_name), " ")
    other = []
    for named_year, named_month in _months_in(text):
        if named_month != month or named_year not in (None, year):
            label = f"{named_year}年{named_month}月" if named_year else f"{named_month}月"
            if label not in other:
                other.append(label)
    return other


def _measure_cells(
    sheet: Sheet,
    row_index: int,
    measure_columns: list[tuple[int, Measure, str | None, str]],
    indicator: Indicator,
    period: str,
    region_code: str,
    resolver: Resolver,
) -> RowOutcome:
    row = sheet.rows[row_index]
    observations = []
    failures = []
    for column, measure, unit, column_label in measure_columns:
        number, failure, written_unit = read_figure(sheet, row_index, column, indicator, unit, resolver, column_label)
        if failure is not None:
            failures.append(failure)
            continue
        if number is None:
            continue
        observations.append(
            observation_at(sheet, row_index, column, indicator, region_code, period, measure, number, written_unit)
        )
    failed = row_failure(failures)
    if failed is not None:
        return failed
    if not observations:
        return RowOutcome(
            sheet.name,
            row_index + 1,
            RowStatus.ignored,
            [display(cell) for cell in row],
            reason_code="blank_figures",
            reason=IGNORED_REASONS["blank_figures"],
        )
    return RowOutcome(sheet.name, row_index + 1, RowStatus.loaded, [], observations=observations)


class KnownMilestone(NamedTuple):
    """A milestone of the registry as a template's 重点项目进展 row is checked against."""

    deadline: dt.date  # the plan's: a template's copy is not changed by a clerk
    department_id: str | None  # the department that reports it (reporting.milestone_department)
    project: str


def parse_milestone_sheet(
    sheet: Sheet,
    period: str,
    known_milestones: Mapping[str, KnownMilestone],
    book: ColumnBook,
    department_id: str,
    resolver: Resolver,
) -> list[RowOutcome]:
    """The 重点项目进展 sheet: a row per milestone the sender reports. A milestone another department reports
    is quarantined (its report is that department's to give); one typed twice with other progress is taken
    from neither row."""
    disagreement = _filed_for_another_period(sheet, period)
    if disagreement:
        return disagreement
    header_index = _find_header(sheet, "项目编码")
    if header_index is None:
        return _whole_sheet(sheet, "no_header", value=sheet.name, marker="项目编码")
    outcomes = [ignored_template_heading(sheet, header_index)]
    columns = {compact(cell): column for column, cell in enumerate(sheet.rows[header_index])}
    book.header(sheet.name, header_index)
    book.keys(sheet.name, *(columns.get(name) for name in MILESTONE_HEADERS))  # a report is the whole row
    for label, column in columns.items():
        if label not in MILESTONE_HEADERS:
            book.note(sheet.name, column, "unrecognised_column", header_label(label, column))

    seen: dict[str, FirstRow] = {}  # milestone → the row that reported it
    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        if row_is_empty(row):
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        milestone_id = compact(_in_column(row, columns, "项目编码"))
        status_text, percent_raw = compact(_in_column(row, columns, "进展状态")), _in_column(row, columns, "完成百分比")
        if not status_text and compact(percent_raw) == "":
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
            continue
        known = known_milestones.get(milestone_id)
        code_cell = cell_address(row_index, columns.get("项目编码", 0))
        if known is not None and known.department_id != department_id:
            outcomes.append(
                _another_departments(sheet, row_index, code_cell, milestone_id, known, department_id, resolver)
            )
            continue
        deadline = known.deadline if known is not None else None
        edited = _deadline_edited(sheet, row_index, columns.get("截止日期"), deadline) if deadline is not None else []
        failed = _milestone_row_failure(sheet, row_index, columns, deadline, edited)
        what = f"项目“{milestone_id}”的进展"
        status_cell = cell_address(row_index, columns.get("进展状态", 0))
        if failed is not None:
            if known is not None:  # a row of a milestone, read or not, is kept: a second one with progress is not taken
                failed = settled_repeat(sheet, outcomes, seen, milestone_id, row_index, status_cell, failed, None, what)
            outcomes.append(failed)
            continue
        report = MilestoneReport(
            milestone_id,
            period,
            STATE_BY_LABEL[status_text],
            _percent(percent_raw),
            normalise_text(_in_column(row, columns, "情况说明")),
            sheet.name,
            cell_address(row_index, columns.get("进展状态", 0)),
            row_index + 1,
        )
        loaded = RowOutcome(
            sheet.name, row_index + 1, RowStatus.loaded, [], milestone_reports=[report], set_aside=edited
        )
        values = (report.status, report.percent_complete, report.note)
        outcomes.append(
            settled_repeat(sheet, outcomes, seen, milestone_id, row_index, status_cell, loaded, values, what)
        )
    return outcomes


def _another_departments(
    sheet: Sheet,
    row_index: int,
    cell: str,
    milestone_id: str,
    known: KnownMilestone,
    department_id: str,
    resolver: Resolver,
) -> RowOutcome:
    """A row for a milestone another department reports (a clerk typed another template's 项目编码): its
    progress is that department's to report, never taken as this one's."""
    departments = resolver.reference.departments
    owner = departments[known.department_id].name if known.department_id in departments else "其他单位"
    sender = departments[department_id].name if department_id in departments else department_id
    return quarantined_row(
        sheet,
        row_index,
        "milestone_of_another_department",
        cell,
        value=milestone_id,
        project=known.project,
        owner=owner,
        sender=sender,
    )


def _in_column(row: list, columns: Mapping[str, int], name: str) -> object:
    """The row's cell under the header `name`; None when the sheet has no such column or the row stops short."""
    column = columns.get(name)
    return row[column] if column is not None and column < len(row) else None


def _percent(typed: object) -> float | None:
    """完成百分比 as the clerk sees it: 80 or 80% typed (Excel stores 0.8 and shows 80%: read as shown); None
    when blank; -1 when it reads as no percentage at all (out of 0–100, named with what was typed)."""
    try:
        return parse_number(typed)
    except NotANumberError:
        with_unit = number_with_unit(typed)
        return with_unit[0] if with_unit is not None and with_unit[1] == "%" else -1.0


def _milestone_row_failure(
    sheet: Sheet, row_index: int, columns: Mapping[str, int], deadline: dt.date | None, edited: list[SetAsideValue]
) -> RowOutcome | None:
    """A milestone report's quarantine naming every cell the clerk must correct (an unknown 项目编码, an unknown
    进展状态, a 完成百分比 outside 0–100, 已完成 below 100 %), so that one resubmission mends them all, and
    the 截止日期 the clerk changed (`edited`: the plan's `deadline` stands); filed under the first. `deadline`
    is None for a 项目编码 the registry does not know. None: the row reads."""
    row = sheet.rows[row_index]

    def quarantined(code: str, header: str, **details: object) -> RowOutcome:
        address = cell_address(row_index, columns.get(header, 0))
        return quarantined_row(sheet, row_index, code, address, **details)

    failures = []
    if deadline is None:
        failures.append(
            quarantined("unknown_milestone", "项目编码", value=compact(_in_column(row, columns, "项目编码")))
        )
    status_text = compact(_in_column(row, columns, "进展状态"))
    status = STATE_BY_LABEL.get(status_text)
    if status is None:
        failures.append(quarantined("bad_status", "进展状态", value=status_text))
    percent_typed = _in_column(row, columns, "完成百分比")
    percent = _percent(percent_typed)
    if percent is not None and not 0 <= percent <= 100:
        failures.append(quarantined("bad_percent", "完成百分比", value=display(percent_typed)))
    elif (contradiction := _status_against_percent(status, percent)) is not None:
        # 已完成 at 50 % (or 未开工 at 30 %) says two things, and which is true is not guessed: the row is
        # quarantined, as the plausibility review quarantines a figure that contradicts its own row
        # (month_above_ytd, critical), never loaded with a warning, which would show a leader the project as
        # done (or not begun) on a slip
        failures.append(
            quarantined(
                contradiction,
                "进展状态",
                status_cell=cell_address(row_index, columns.get("进展状态", 0)),
                status=status_text,
                percent_cell=cell_address(row_index, columns.get("完成百分比", 0)),
                value=display(percent_typed),
            )
        )
    if failures and deadline is not None:  # the deadline alone quarantines nothing; told beside what does
        failures += [  # row_failure reads the cell and the reason of every failure after the first
            replace(
                failures[0],
                cell=value.cell,
                reason=value_reason(value.reason_code, "截止日期", value.value, f"{deadline}"),
            )
            for value in edited
        ]
    return row_failure(failures)


def _status_against_percent(status: MilestoneState | None, percent: float | None) -> str | None:
    """The reason code when the 进展状态 and the 完成百分比 (0–100) of one row contradict each other:
    已完成 below 100 %, 未开工 above 0 %. 推进中 at 100 % is not one (done, not yet accepted)."""
    if percent is None:
        return None
    if status == MilestoneState.completed and percent < 100:
        return "completed_below_full"
    if status == MilestoneState.not_started and percent > 0:
        return "not_started_with_progress"
    return None


def _deadline_edited(sheet: Sheet, row_index: int, column: int | None, deadline: dt.date) -> list[SetAsideValue]:
    """The 截止日期 cell when the clerk changed it: the plan's deadline stands, and the receipt says so."""
    if column is None or column >= len(sheet.rows[row_index]):
        return []
    typed = sheet.rows[row_index][column]
    if isinstance(typed, dt.datetime):
        typed = typed.date()
    if typed == deadline or normalise_text(typed) in {deadline.isoformat(), ""}:
        return []
    return [set_aside_value(sheet, row_index, column, "edited_deadline", "截止日期", deadline.isoformat())]


class SenderMismatchError(ValueError):
    """The hidden sheet names a sender its own regions cannot belong to: whose figures they are is not guessed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _check_sender(meta: TemplateMeta, resolver: Resolver) -> str | None:
    """The sender's city; SenderMismatchError when the hidden sheet names a department the registry does not
    know, or regions outside the department's city (another department's template, or the sheet edited)."""
    reference = resolver.reference
    department = reference.departments.get(meta.department_id)
    if department is None:
        raise SenderMismatchError(
            f"填报模板隐藏表“{META_SHEET}”中的报送单位“{meta.department_id}”不是平台登记的单位，无法确定数据归属；"
            "请使用平台下发给本单位的原模板重新填报"
        )
    city = resolver.city_of(department.region)
    declared = [code for entry in meta.sheets for code in entry.region_codes]
    foreign = next(
        (code for code in declared if code not in reference.regions or not resolver.in_scope(code, city)), None
    )
    if foreign is not None:
        region = reference.regions[foreign].name if foreign in reference.regions else foreign
        raise SenderMismatchError(
            f"填报模板中的地区“{region}”不属于报送单位“{department.name}”所在的"
            f"{reference.regions[city].name if city in reference.regions else '城市'}（模板可能是其他单位的，"
            f"或隐藏表“{META_SHEET}”已被修改），数据不能记在本单位名下；请使用平台下发给本单位的原模板重新填报"
        )
    return city


def _named_sender_differs(source: SourceFile, meta: TemplateMeta, resolver: Resolver) -> None:
    """SenderMismatchError when a template sheet's title names another department than the hidden sheet (the
    hidden sheet edited): whose figures they are is not guessed, never filed under the hidden sheet's
    department. The file name alone is not asked: a file saved under another name is still the template
    its hidden sheet and titles agree on."""
    own = {entry.sheet_name for entry in meta.sheets}
    titles = [
        (f"工作表“{sheet.name}”的标题", normalise_text(sheet.rows[0][0]))
        for sheet in source.sheets
        if sheet.name in own and sheet.rows and sheet.rows[0]
    ]
    departments = resolver.reference.departments
    own_name = departments[meta.department_id].name if meta.department_id in departments else None
    for place, text in titles:
        if own_name and own_name in text:
            continue  # the title names the hidden sheet's department (the common case: one look, not all names)
        named = resolver.department_named_in(text)
        if named is not None and named != meta.department_id:
            raise SenderMismatchError(
                f"{place}写明的报送单位“{departments[named].name}”与填报模板隐藏表“{META_SHEET}”记录的"
                f"“{own_name or meta.department_id}”"
                "不一致，无法确定是哪个单位的数据，未入库；请使用平台下发给本单位的原模板重新填报"
            )


def parse_template(
    source: SourceFile, resolver: Resolver, known_milestones: Mapping[str, KnownMilestone]
) -> ParsedFile:
    sheets = {sheet.name: sheet for sheet in source.sheets}
    meta = parse_meta(sheets[META_SHEET].rows, where=f"{source.path.name}!{META_SHEET}")
    city = _check_sender(meta, resolver)
    _named_sender_differs(source, meta, resolver)
    # a sheet the clerk renamed is found at its place; a sheet at that place that bears another entry's
    # name is that entry's (the clerk deleted this one, and the next moved up), not this one's; a sheet
    # renamed and moved is found by its title, when exactly one of the sheets left names the indicator
    # (the template's own sheets, 填报说明 and 重点项目进展, are never a data sheet found at its place)
    named = {entry.sheet_name for entry in meta.sheets} | {META_SHEET, MILESTONE_SHEET, INSTRUCTIONS_SHEET}
    by_position = {sheet.index: sheet for sheet in source.sheets if sheet.name not in named}
    by_title = _renamed_and_moved(source, meta, by_position, resolver)
    claimed: set[str] = {META_SHEET}
    rows: list[RowOutcome] = []
    book = ColumnBook()
    notes: list[str] = []
    for entry in meta.sheets:
        sheet = sheets.get(entry.sheet_name) or by_position.get(entry.sheet_index) or by_title.get(entry.sheet_name)
        indicator = resolver.reference.indicators.get(entry.indicator_code)
        if indicator is None:
            continue  # a sheet of an indicator the catalogue no longer has: quarantined below as unrecognised
        if sheet is None or sheet.name in claimed:
            notes.append(_missing_sheet_note(entry.sheet_name, indicator.name, meta.period))
            continue
        claimed.add(sheet.name)
        disagreement = _disagrees_with_its_entry(sheet, indicator, meta.period, resolver)
        if disagreement:
            rows += disagreement
            continue
        rows += parse_data_sheet(
            sheet, indicator, meta.period, resolver, city, book, entry.region_codes, entry.measures
        )
    for sheet in source.sheets:
        if sheet.name in claimed:
            continue
        if sheet.name == MILESTONE_SHEET:
            rows += parse_milestone_sheet(sheet, meta.period, known_milestones, book, meta.department_id, resolver)
        elif sheet.name == INSTRUCTIONS_SHEET:
            rows += ignored_own_sheet(sheet, "instructions")
        else:
            rows += _whole_sheet(sheet, "unrecognised_sheet", value=sheet.name)
    rows += ignored_own_sheet(sheets[META_SHEET], "metadata")
    return ParsedFile("template", meta.department_id, {meta.period}, rows, book.summary(), columns=book, notes=notes)


def _renamed_and_moved(
    source: SourceFile, meta: TemplateMeta, by_position: dict[int, Sheet], resolver: Resolver
) -> dict[str, Sheet]:
    """Entry sheet name → the sheet a clerk both renamed and moved, found by the indicator its title names
    (as the template wrote it: the sheet's first cell ends with the indicator's name). Only an entry found
    neither by name nor by place, and only when exactly one sheet that is no entry's names its indicator."""
    sheet_names = {sheet.name for sheet in source.sheets}
    unnamed = [entry for entry in meta.sheets if entry.sheet_name not in sheet_names]
    placed = {by_position[entry.sheet_index].name for entry in unnamed if entry.sheet_index in by_position}
    lost = [entry for entry in unnamed if entry.sheet_index not in by_position]
    if not lost:
        return {}
    taken = {entry.sheet_name for entry in meta.sheets} | placed | {META_SHEET, MILESTONE_SHEET, INSTRUCTIONS_SHEET}
    titled: dict[str, list[Sheet]] = {}
    for sheet in source.sheets:
        if sheet.name in taken or not sheet.rows:
            continue
        title = normalise_text(sheet.rows[0][0]) if sheet.rows[0] else ""
        indicator = resolver.indicator(title.split(" ")[-1]) if title else None
        if indicator is not None:
            titled.setdefault(indicator.indicator_code, []).append(sheet)
    found = {}
    for entry in lost:
        candidates = titled.get(entry.indicator_code, [])
        if len(candidates) == 1 and sum(e.indicator_code == entry.indicator_code for e in lost) == 1:
            found[entry.sheet_name] = candidates[0]
    return found


def _missing_sheet_note(sheet_name: str, indicator_name: str, period: str) -> str:
    year, month = period.split("-")
    return (
        f"模板中的工作表“{sheet_name}”（指标：{indicator_name}）未找到，可能已被删除：{year}年{int(month)}月该指标"
        "视为本单位未报送；如需报送，请在平台下发的原模板中填写后重新报送"
    )


_FILING_PERIOD = re.compile(r"报送期[:：]\s*(\d{4}-\d{2})")


def _filed_for(titles: str, file_name: str) -> str | None:
    """The month a template that lost its hidden sheet is for: its 报送期 (报送期：2025-06), else the one month
    its file name states (2025-06, 2025年6月), else the one month its sheets' titles name with its year
    (平凉市农业农村局 二〇二五年六月 肉牛饲养量); None when none does, or several."""
    filed = _FILING_PERIOD.search(titles)
    if filed is not None:
        return filed.group(1)
    for named in (months_named_in(file_name), _months_titled(titles)):
        if len(named) == 1:
            return next(iter(named))
        if named:
            return None
    return None


def _months_titled(titles: str) -> set[str]:
    """The months (YYYY-MM) titles name with their year."""
    return {f"{year}-{month:02d}" for year, month in _months_in(titles) if year is not None}


def _months_in(text: str) -> list[tuple[int | None, int]]:
    """(year or None, month) of each month a title names (2025年7月, 2025-07, 7月份; in Chinese numerals too)."""
    found = []
    for match in _TITLE_MONTH.finditer(chinese_dates_as_digits(text)):
        month = int(match["month"] or match["dashed"] or match["alone"])
        if 1 <= month <= 12:
            found.append((int(match["year"]) if match["year"] else None, month))
    return found


def _looks_like_data_sheet(sheet: Sheet) -> int | None:
    """The header row of a sheet laid out as a planwatch data sheet (地区 and 地区编码 side by side)."""
    header_index = _find_header(sheet, REGION_HEADER)
    if header_index is None:
        return None
    labels = {split_header(cell).label for cell in sheet.rows[header_index]}
    return header_index if REGION_CODE_HEADER in labels and labels & set(MEASURE_ALIASES) else None


def parse_template_without_meta(
    source: SourceFile, resolver: Resolver, known_milestones: Mapping[str, KnownMilestone], department_id: str | None
) -> ParsedFile | None:
    """A filled template whose hidden sheet was lost (sheets copied into a new workbook, saved as CSV).

    Recognised by its data sheets' headers (地区, 地区编码, measure columns); the period from a title's
    报送期 or the file name, the department from the file name or a title, each sheet's indicator from
    its name or its title. None when the file does not look like a template or these cannot be told.
    """
    data_sheets = [(sheet, index) for sheet in source.sheets if (index := _looks_like_data_sheet(sheet)) is not None]
    if not data_sheets:
        return None
    titles = " ".join(
        normalise_text(cell) for sheet, index in data_sheets for row in sheet.rows[:index] for cell in row
    )
    period = _filed_for(titles, source.path.name)
    department_id = department_id or resolver.department_named_in(titles)
    if period is None or department_id is None:
        return None
    department = resolver.reference.departments[department_id]
    city = resolver.city_of(department.region)
    rows: list[RowOutcome] = []
    book = ColumnBook()
    claimed: set[str] = set()
    for sheet, _ in data_sheets:
        title = normalise_text(sheet.rows[0][0]) if sheet.rows and sheet.rows[0] else ""
        indicator = resolver.indicator(sheet.name) or resolver.indicator(title.split(" ")[-1] if title else "")
        if indicator is None:
            continue
        claimed.add(sheet.name)
        # a title or 报送期 naming another month than the one the file is filed under: whose month is not guessed
        rows += _filed_for_another_period(sheet, period, indicator.name) or parse_data_sheet(
            sheet, indicator, period, resolver, city, book
        )
    if not claimed:
        return None
    for sheet in source.sheets:
        if sheet.name in claimed:
            continue
        if sheet.name == MILESTONE_SHEET:
            rows += parse_milestone_sheet(sheet, period, known_milestones, book, department_id, resolver)
        elif sheet.name == INSTRUCTIONS_SHEET:
            rows += ignored_own_sheet(sheet, "instructions")
        else:
            rows += _whole_sheet(sheet, "unrecognised_sheet", value=sheet.name)
    return ParsedFile("template_without_meta", department_id, {period}, rows, book.summary(), columns=book)
