"""What the top of a statistics table says: its header row, its period, its unit and each column's measure.

The spec's own patterns are tried first (`LayoutSpec.period`, `header_marker`), then the usual ways
statistics write them (2024年1—6月, 第2季度, 上半年; 1—6月累计, 上年同期, 6月). A table whose period or
header cannot be found is quarantined row by row with what was searched for.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass

from planwatch.ingest.layout_spec import LayoutSpec
from planwatch.ingest.periods import chinese_dates_as_digits, months_named_in
from planwatch.ingest.read import Sheet
from planwatch.ingest.records import (
    RowOutcome,
    quarantined_row,
)
from planwatch.ingest.values import (
    NotANumberError,
    compact,
    normalise_text,
    parse_number,
    row_is_empty,
    split_header,
)
from planwatch.periods import Granularity, Period
from planwatch.registry.schema import Indicator, Nature
from planwatch.template_format import MEASURE_ALIASES, Measure

UNIT_NOTE = re.compile(r"单位[:：]\s*([^\s，,；;]+)")


def month_words(period: str | None) -> str:
    return Period.parse(period).label if period else "未写明"


def find_header(sheet: Sheet, spec: LayoutSpec) -> int | None:
    markers = {compact(marker) for marker in spec.header_marker}
    for row_index, row in enumerate(sheet.rows[: spec.detect.scan_rows + 10]):
        if any(isinstance(cell, str) and split_header(cell).label in markers for cell in row):  # a label is text
            return row_index
    return None


def no_header(sheet: Sheet, spec: LayoutSpec) -> list[RowOutcome]:
    return [
        quarantined_row(sheet, i, "no_header", None, value=sheet.name, marker="、".join(spec.header_marker))
        for i, row in enumerate(sheet.rows)
        if not row_is_empty(row)
    ]


# Ways statistics tables write a reporting period, tried after the spec's own pattern; each match
# gives (year, month of the period's end). A range from January (1-6月, 1月—6月, 1月至6月) is the
# year to its last month; a range from any other month (4-6月) is no month, and is not guessed as one.
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
RANGE_MARKS = r"[-—–~至到]"  # after NFKC: ～ is ~, － is -
_RANGE = rf"(?:0?1\s*月?\s*{RANGE_MARKS}\s*)?"  # 1-6月, 1月—6月, 1月至6月: the period is its last month
# a month that opens a range (4月—6月, 2024.4-6月, 2025.1-2025.6) or closes one not from January
# (2025年4月至2025年6月): not a month of its own. What closes a range from January (2025年1月—2025年6月,
# 2025.1-2025.6) is the year to that month; a table's number before its title (表3-2025年6月) opens nothing.
_OPENS_A_RANGE = re.compile(rf"\s*月?\s*{RANGE_MARKS}\s*(?:\d{{4}}\s*(?:年|[-/.])\s*)?\d{{1,2}}(?!\d)\s*月?")
_CLOSES_A_RANGE = re.compile(
    rf"(?:\d{{4}}\s*(?:年|[-/.])\s*(?P<after_year>\d{{1,2}})\s*月?|(?<!\d)(?P<month>\d{{1,2}})\s*月)\s*{RANGE_MARKS}\s*$"
)
_PERIOD_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], int]], ...] = (
    (re.compile(rf"(?P<year>\d{{4}})\s*年\s*{_RANGE}(?P<month>\d{{1,2}})\s*月"), lambda m: int(m["month"])),
    (re.compile(rf"(?<!\d)(?P<year>\d{{4}})\s*[\-/.]\s*{_RANGE}(?P<month>\d{{1,2}})(?!\d)"), lambda m: int(m["month"])),
    (re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})$"), lambda m: int(m["month"])),  # 202403
    (re.compile(r"(?P<year>\d{4})\s*年\s*第?(?P<quarter>[一二三四1-4])\s*季度"), lambda m: 3 * _QUARTERS[m["quarter"]]),
    (re.compile(r"(?P<year>\d{4})\s*年\s*上半年"), lambda m: 6),
    (re.compile(r"(?P<year>\d{4})\s*年\s*前三季度"), lambda m: 9),
    (re.compile(r"(?P<year>\d{4})\s*(?:年度|年\s*全年)"), lambda m: 12),
)
# a quarter written as its months (2024年4-6月, 2024年4月至6月): read only for a spec whose granularity is quarter
_QUARTER_AS_MONTHS = re.compile(
    rf"(?P<year>\d{{4}})\s*年\s*(?P<first>\d{{1,2}})\s*月?\s*{RANGE_MARKS}\s*(?P<month>\d{{1,2}})\s*月"
)
# the usual forms of a quarter, half-year or year, read as the spec's own period (its label kept: 2025年第3季度)
# when the spec's granularity is theirs, so that a spec need not write a pattern for what statistics always write
_FORMS_OF_GRANULARITY: dict[Granularity, list[tuple[re.Pattern[str], Callable[[re.Match[str]], int | None]]]] = {
    Granularity.quarter: [_PERIOD_FORMS[3]],
    Granularity.half_year: [
        _PERIOD_FORMS[4],
        (re.compile(r"(?P<year>\d{4})\s*年\s*下半年"), lambda m: 12),
    ],
    Granularity.year: [
        _PERIOD_FORMS[6],
        # 2025年主要经济指标, 2025年年报: a year not followed by a month, quarter or half of it
        (re.compile(r"(?P<year>\d{4})\s*年(?!\s*(?:\d|第|[一二三四]\s*季|上半年|下半年|前三季度))"), lambda m: 12),
    ],
}
# a full date (2025-12-31, 2025/12/01, an Excel date cell's 2025-12-01 00:00:00): its day is no month closing a
# range (2025-12 — 31); the first or last day of a month is that month, any other day is left as it is
_FULL_DATE = re.compile(r"(?<![\d.])(?P<year>\d{4})(?P<mark>[-/.])(?P<month>\d{1,2})(?P=mark)(?P<day>\d{1,2})(?![\d.])")
_A_DAY_FOLLOWS = re.compile(r"\s*月?\s*\d{1,2}\s*[日号]")  # 2024年7月10日: the day a form was filled, not a period


def _month_of_date(match: re.Match[str]) -> str:
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not 1 <= month <= 12 or day not in (1, calendar.monthrange(year, month)[1]):
        return match[0]
    return f"{year}年{month}月"


def _valid(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 < year < 2200 else None


def _quarter_of_months(match: re.Match[str]) -> int | None:
    month = int(match["month"])
    return month if month % 3 == 0 and int(match["first"]) == month - 2 else None


def _in_a_range(text: str, match: re.Match[str]) -> bool:
    """Whether a month the usual forms read is one end of a range that is not from January (4月—6月):
    which month the table is about is then not guessed."""
    if _OPENS_A_RANGE.match(text, match.end()) is not None:
        return True
    closing = _CLOSES_A_RANGE.search(text, 0, match.start())
    return closing is not None and int(closing["after_year"] or closing["month"]) != 1


def _candidates(
    text: str, forms: list[tuple[re.Pattern[str], Callable[[re.Match[str]], int | None]]], rank: int
) -> list:
    found = []
    for pattern, month_of in forms:
        for match in pattern.finditer(text):
            # a month that is one end of a range not from January (2025年4-6月) is no month of its own,
            # whoever's pattern read it: the built-in forms or a spec's (stats_system_long_csv's read 4)
            if _in_a_range(text, match) and (rank or "first" not in pattern.groupindex):
                continue
            month = month_of(match)
            period = _valid(int(match["year"]), month) if month is not None else None
            if period:
                found.append((_A_DAY_FOLLOWS.match(text, match.end()) is not None, rank, match.start(), period))
    return found


def _period_found(text: str, spec: LayoutSpec) -> tuple[bool, Period] | None:
    """(only a day's date, the period) a text names, or None."""
    text = _FULL_DATE.sub(_month_of_date, chinese_dates_as_digits(normalise_text(text)))
    rule = spec.period
    own: list[tuple[re.Pattern[str], Callable[[re.Match[str]], int | None]]] = (
        [(re.compile(rule.pattern), rule.last_month)] if rule.pattern else []
    )
    own += _FORMS_OF_GRANULARITY.get(rule.granularity, [])
    if rule.granularity is Granularity.quarter:
        own.append((_QUARTER_AS_MONTHS, _quarter_of_months))
    found = _candidates(text, own, 0) + _candidates(text, list(_PERIOD_FORMS), 1)
    if not found:
        return None
    a_day, rank, _, month = min(found)
    return a_day, Period(int(month[:4]), int(month[5:]), rule.granularity if rank == 0 else Granularity.month)


def second_table_row(
    sheet: Sheet, start: int, label_column: int, header_label: str, period: str | None, spec: LayoutSpec
) -> tuple[int, str] | None:
    """The first row from `start` that opens another table on the sheet, and its text: the header row again
    (指标 | 计量单位 …), or a lone title naming another period than the table's (a September table stacked
    under October's). Its rows are no figures of this table's period."""
    notes = tuple(spec.note_prefixes)
    for index in range(start, len(sheet.rows)):
        row = sheet.rows[index]
        filled = [cell for cell in row if compact(cell)]
        if not filled:
            continue
        label = compact(row[label_column]) if label_column < len(row) else ""
        if label and label == header_label:
            return index, normalise_text(row[label_column])
        if len(filled) == 1 and isinstance(filled[0], str) and not compact(filled[0]).startswith(notes):
            found = _period_found(filled[0], spec)
            if found is not None and not found[0] and found[1].month_key != period:
                return index, normalise_text(filled[0])
    return None


def period_from(text: str, spec: LayoutSpec) -> Period | None:
    """The reporting period a cell, sheet name or title names: the spec's own pattern first (of the
    spec's granularity), then the usual forms of a month, the earliest mention first; a day's date
    (制表日期：2024年7月10日) only when nothing else names a month."""
    found = _period_found(text, spec)
    return found[1] if found else None


# What the sheet name and what the title say of the period, each read once: (only a day's date, period) or None
_Found = tuple[bool, Period] | None


def table_period(spec: LayoutSpec, by_name: _Found, by_title: _Found) -> Period | None:
    """A table's period from where its spec says (sheet name or title), else from the other one."""
    places = [by_name, by_title] if spec.period.source == "sheet_name" else [by_title, by_name]
    return next((found[1] for found in places if found), None)


def periods_disagree(by_name: _Found, by_title: _Found) -> tuple[Period, Period] | None:
    """(the sheet name's period, the title's) when each names a period and they are different months:
    a June table in a sheet named 2025年5月 is neither month for sure. A title's day of filling
    (制表日期：2025年7月10日) names no period of the table."""
    if by_name is None or by_title is None or by_name[0] or by_title[0]:
        return None
    return (by_name[1], by_title[1]) if by_name[1].month_key != by_title[1].month_key else None


def period_missing(sheet: Sheet, title_text: str) -> str:
    """What the clerk is told was searched for a period, for the bad_period reason."""
    title = title_text.strip()[:40]
    return f"{title}”或工作表名“{sheet.name}" if title else sheet.name


# 1-6月, 1月—6月累计, 1-本月累计
_YEAR_TO_DATE = re.compile(rf"^(?:本年)?0?1月?{RANGE_MARKS}(?:本月|\d{{1,2}}月)(?:累计|合计)?(?:数)?$")
_PRIOR_YEAR_TO_DATE = re.compile(rf"^(?:上年|去年)(?:同期)?0?1月?{RANGE_MARKS}\d{{1,2}}月(?:累计)?(?:数)?$")
_ONE_MONTH = re.compile(r"^\d{1,2}月(?:份)?(?:数)?$")  # 6月


def month_of_header(label: str) -> int | None:
    """The month a measure header is about, when it writes one: 6月 → 6, 1-6月累计 and 1月—6月 → 6 (the
    range's last month), 本月 → None."""
    found = re.findall(r"(\d{1,2})月", label)
    return int(found[-1]) if found else None


def measure_of_header(label: str, spec: LayoutSpec) -> Measure | None:
    """The measure a column header names (本月, 1-6月累计, 上年同期 …), or None for anything else."""
    extra = {compact(k): v for k, v in spec.measure_labels.items()}
    if label in extra:
        return Measure(extra[label])
    if label in MEASURE_ALIASES:
        return MEASURE_ALIASES[label]
    if _PRIOR_YEAR_TO_DATE.match(label):
        return Measure.prior_year_ytd_value
    if _YEAR_TO_DATE.match(label):
        return Measure.ytd_value
    if _ONE_MONTH.match(label):
        return Measure.month_value
    return None


STOCK_MEASURES = {
    Measure.month_value: Measure.period_end_value,
    Measure.ytd_value: Measure.period_end_value,
    Measure.prior_year_ytd_value: Measure.prior_year_period_end_value,
}


def measure_for(spec: LayoutSpec, indicator: Indicator, explicit: Measure | None) -> Measure:
    """A long row's 口径 as written; otherwise the spec's measure, which for a stock means its level."""
    if explicit is not None:
        return explicit
    return measure_for_nature(spec.measure, indicator)


def measure_for_nature(measure: Measure, indicator: Indicator) -> Measure:
    """A flow's measure as headed; a stock's 本月 or 1-N月 figure is its level at the month's end."""
    return STOCK_MEASURES.get(measure, measure) if indicator.nature is Nature.stock else measure


# what a two-row header writes under a measure or a region for the figure itself (本月 over 绝对量 | 同比增长%)
VALUE_WORDS = frozenset({"绝对量", "绝对数", "绝对值", "数值", "数量", "总量", "总额", "金额", "本年", "今年", "本期"})
_PRIOR_YEAR = {
    Measure.ytd_value: Measure.prior_year_ytd_value,
    Measure.period_end_value: Measure.prior_year_period_end_value,
}


@dataclass(frozen=True)
class ColumnHeading:
    """A column's heading: its cell of the header row (or, merged across a group, the group's) and, in a
    two-row header, its cell of the row under it; both compacted, and as the clerk reads them."""

    upper: str
    lower: str
    text: str  # 本月/绝对量, for messages
    upper_text: str = ""  # the header row's cell (or its group's) as written, its unit included: 苹果产量（万吨）

    @property
    def parts(self) -> list[str]:
        return [part for part in (self.upper, self.lower) if part]


def column_headings(sheet: Sheet, header_index: int, rows: int, keys: set[str]) -> list[ColumnHeading]:
    """Each column's heading. In a two-row header a group's label (本月, 甘州区), merged across its columns,
    stands only in the first: it is carried right over the columns the row under it splits it into; the
    key columns' labels (`keys`: 指标名称, 计量单位) are never carried."""
    header = sheet.rows[header_index]
    under = sheet.rows[header_index + 1] if rows == 2 and header_index + 1 < len(sheet.rows) else []
    headings, carried, carried_text = [], "", ""
    for column in range(max(len(header), len(under))):
        upper_text = normalise_text(header[column]) if column < len(header) else ""
        lower_text = normalise_text(under[column]) if column < len(under) else ""
        upper, lower = split_header(upper_text).label, split_header(lower_text).label
        if upper:
            carried, carried_text = ("", "") if upper in keys else (upper, upper_text)
        elif lower and carried:
            upper, upper_text = carried, carried_text
        text = "/".join(part for part in (upper_text, lower_text) if part)
        headings.append(ColumnHeading(upper, lower, text, upper_text))
    return headings


def is_sub_header(row: list, key_columns: set[int], is_heading: Callable[[str], bool]) -> bool:
    """Whether the row under the header row is a second header row: blank in the key columns (the
    indicator's, the unit's), at least two cells filled, all text and none a number, and at least one a
    heading (`is_heading`: a measure, a value word, an untracked column, a region); a heading not
    understood is then its column's to explain (quarantined value by value, never read as the group's)."""
    filled = [(column, compact(cell)) for column, cell in enumerate(row) if compact(cell)]
    if len(filled) < 2 or any(column in key_columns for column, _ in filled):
        return False
    if not all(isinstance(row[column], str) and not _is_number(text) for column, text in filled):
        return False
    return any(is_heading(split_header(text).label) for _, text in filled)


def _is_number(text: str) -> bool:
    try:
        return parse_number(text) is not None
    except NotANumberError:
        return False


def grouped_measure(parts: list[str], spec: LayoutSpec) -> tuple[Measure | None, str | None, bool]:
    """(measure, the part that names it, whether the heading reads) of a column's heading parts: one
    measure at most, but a group's 1-6月 over 上年同期 is the prior year's 1-6月; a value word adds nothing."""
    measures = [(part, measure) for part in parts if (measure := measure_of_header(part, spec)) is not None]
    if len(measures) == 2:
        (upper, first), (_, second) = measures
        if _PRIOR_YEAR.get(first) == second:
            return second, upper, True
        return None, None, False
    return (measures[0][1], measures[0][0], True) if measures else (None, None, True)


@dataclass(frozen=True)
class TableHead:
    """What a statistics table says above and in its header row."""

    header_index: int
    title_text: str
    found_period: Period | None
    sheet_unit: str | None  # from a note such as 单位：万元
    markers: set[str]
    period_conflict: tuple[Period, Period] | None = None  # (sheet name's, title's) when they differ: no period
    # (the file name's month, the table's period) when they differ: no period
    file_conflict: tuple[Period, Period] | None = None
    file_name: str = ""

    def unread_period(self, sheet: Sheet, row_index: int, cell: str) -> RowOutcome:
        """A row quarantined because the table has no period to file it under: none found, the sheet
        name and the title name different months, or the file's name another month than the table."""
        if self.file_conflict is not None:
            by_file, by_table = self.file_conflict
            return quarantined_row(
                sheet,
                row_index,
                "file_period_mismatch",
                cell,
                value=self.file_name,
                file_period=by_file.label,
                sheet_name=sheet.name,
                title=self.title_text.strip()[:40],
                table_period=by_table.label,
            )
        if self.period_conflict is not None:
            by_name, by_title = self.period_conflict
            return quarantined_row(
                sheet,
                row_index,
                "table_period_mismatch",
                cell,
                value=sheet.name,
                sheet_period=by_name.label,
                title=self.title_text.strip()[:40],
                title_period=by_title.label,
            )
        return quarantined_row(sheet, row_index, "bad_period", cell, value=period_missing(sheet, self.title_text))

    @property
    def period(self) -> str | None:
        return self.found_period.month_key if self.found_period else None

    @property
    def period_label(self) -> str | None:
        return self.found_period.coarse_label if self.found_period else None


def table_head(sheet: Sheet, spec: LayoutSpec, file_name: str) -> TableHead | None:
    """The table's header row, title, unit note and period. The period is the sheet name's or the title's
    (table_period); the month the file's name states (统计月报_2025-06.xlsx) must agree with it: a June file
    whose title still says 1-5月 would otherwise overwrite May's figures. A title that names only the day
    the form was filled (制表日期：2025年7月10日) gives way to the file name's month."""
    header_index = find_header(sheet, spec)
    if header_index is None:
        return None
    title_text = " ".join(normalise_text(cell) for row in sheet.rows[:header_index] for cell in row)
    unit_note = UNIT_NOTE.search(title_text)
    by_name, by_title = _period_found(sheet.name, spec), _period_found(title_text, spec)
    conflict = periods_disagree(by_name, by_title)
    found = None if conflict else table_period(spec, by_name, by_title)
    named = months_named_in(file_name)
    by_file = Period.parse(next(iter(named))) if len(named) == 1 else None
    file_conflict = None
    if found is not None and by_file is not None and found.month_key != by_file.month_key:
        only_a_day = all(place is None or place[0] for place in (by_name, by_title))
        if only_a_day:
            found = by_file
        else:
            found, file_conflict = None, (by_file, found)
    return TableHead(
        header_index,
        title_text,
        found,
        unit_note.group(1) if unit_note else None,
        {compact(marker) for marker in spec.header_marker},
        conflict,
        file_conflict,
        file_name,
    )
