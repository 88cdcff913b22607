"""Reading a statistics table whose layout a source spec describes (see layout_spec.py).

The spec says where the header is, where the period is written, which measure the figures are and
how row labels map to indicators (the catalogue's Chinese names match without being listed). Regions
are read from the header (regions_as_columns) or a column (regions_as_rows, long); 全市 means the
sender's city.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from planwatch.ingest.layout_spec import LayoutSpec, Orientation
from planwatch.ingest.read import Sheet, SourceFile
from planwatch.ingest.records import (
    ColumnBook,
    Observation,
    ParsedFile,
    RowOutcome,
    RowStatus,
    SetAsideValue,
    ignored_row,
    is_signature_row,
    observation_at,
    quarantined_row,
    read_figure,
    set_aside_value,
)
from planwatch.ingest.resolve import CITY_WIDE_NAMES, Resolver
from planwatch.ingest.template_format import MEASURE_ALIASES, Measure
from planwatch.ingest.values import (
    cell_address,
    column_letter,
    compact,
    display,
    header_label,
    normalise_text,
    row_is_empty,
    split_header,
)
from planwatch.periods import Granularity, Period
from planwatch.registry.schema import Indicator, Nature

_UNIT_NOTE = re.compile(r"单位[:：]\s*([^\s，,；;]+)")


def _month_words(period: str | None) -> str:
    return f"{period[:4]}年{int(period[5:])}月" if period else "未写明"


def _find_header(sheet: Sheet, spec: LayoutSpec) -> int | None:
    markers = {compact(marker) for marker in spec.header_marker}
    for row_index, row in enumerate(sheet.rows[: spec.detect.scan_rows + 10]):
        if any(isinstance(cell, str) and split_header(cell).label in markers for cell in row):  # a label is text
            return row_index
    return None


def _no_header(sheet: Sheet, spec: LayoutSpec) -> list[RowOutcome]:
    return [
        quarantined_row(sheet, i, "no_header", None, value=sheet.name, marker="、".join(spec.header_marker))
        for i, row in enumerate(sheet.rows)
        if not row_is_empty(row)
    ]


def matches(spec: LayoutSpec, source: SourceFile) -> bool:
    """Whether the file looks like this layout (its first sheet with rows decides)."""
    for sheet in source.sheets:
        head = sheet.rows[: spec.detect.scan_rows]
        if not head:
            continue
        text = " ".join(compact(cell) for row in head for cell in row)
        headers = {split_header(cell).label for row in head for cell in row}
        found_text = not spec.detect.any_text or any(compact(word) in text for word in spec.detect.any_text)
        found_headers = all(compact(word) in headers for word in spec.detect.all_headers)
        return found_text and found_headers
    return False


# Ways statistics tables write a reporting period, tried after the spec's own pattern; each match
# gives (year, month of the period's end).
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RANGE = r"(?:1\s*[-—~至]\s*)?"  # 1-6月: the period is its last month
_PERIOD_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], int]], ...] = (
    (re.compile(rf"(?P<year>\d{{4}})\s*年\s*{_RANGE}(?P<month>\d{{1,2}})\s*月"), lambda m: int(m["month"])),
    (re.compile(rf"(?<!\d)(?P<year>\d{{4}})\s*[\-/.]\s*{_RANGE}(?P<month>\d{{1,2}})(?!\d)"), lambda m: int(m["month"])),
    (re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})$"), lambda m: int(m["month"])),  # 202403
    (re.compile(r"(?P<year>\d{4})\s*年\s*第?(?P<quarter>[一二三四1-4])\s*季度"), lambda m: 3 * _QUARTERS[m["quarter"]]),
    (re.compile(r"(?P<year>\d{4})\s*年\s*上半年"), lambda m: 6),
    (re.compile(r"(?P<year>\d{4})\s*年\s*前三季度"), lambda m: 9),
    (re.compile(r"(?P<year>\d{4})\s*(?:年度|年\s*全年)"), lambda m: 12),
)
_A_DAY_FOLLOWS = re.compile(r"\s*月?\s*\d{1,2}\s*[日号]")  # 2024年7月10日: the day a form was filled, not a period


def _valid(year: int, month: int) -> str | None:
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1900 < year < 2200 else None


def _candidates(
    text: str, forms: list[tuple[re.Pattern[str], Callable[[re.Match[str]], int | None]]], rank: int
) -> list:
    found = []
    for pattern, month_of in forms:
        for match in pattern.finditer(text):
            month = month_of(match)
            period = _valid(int(match["year"]), month) if month is not None else None
            if period:
                found.append((_A_DAY_FOLLOWS.match(text, match.end()) is not None, rank, match.start(), period))
    return found


def _period_from(text: str, spec: LayoutSpec) -> Period | None:
    """The reporting period a cell, sheet name or title names: the spec's own pattern first (of the
    spec's granularity), then the usual forms of a month, the earliest mention first; a day's date
    (制表日期：2024年7月10日) only when nothing else names a month."""
    text = normalise_text(text)
    rule = spec.period
    own = [(re.compile(rule.pattern), rule.last_month)] if rule.pattern else []
    found = _candidates(text, own, 0) + _candidates(text, list(_PERIOD_FORMS), 1)
    if not found:
        return None
    _, rank, _, month = min(found)
    return Period(int(month[:4]), int(month[5:]), rule.granularity if rank == 0 else Granularity.month)


def _table_period(sheet: Sheet, spec: LayoutSpec, title_text: str) -> Period | None:
    """A table's period from where its spec says (sheet name or title), else from the other one."""
    places = [sheet.name, title_text] if spec.period.source == "sheet_name" else [title_text, sheet.name]
    return next((period for place in places if (period := _period_from(place, spec))), None)


def _period_missing(sheet: Sheet, title_text: str) -> str:
    """What the clerk is told was searched for a period, for the bad_period reason."""
    title = title_text.strip()[:40]
    return f"{title}”或工作表名“{sheet.name}" if title else sheet.name


_YEAR_TO_DATE = re.compile(r"^(?:本年)?1[-—~至](?:本月|\d{1,2}月)(?:累计|合计)?(?:数)?$")  # 1-6月, 1-6月累计
_PRIOR_YEAR_TO_DATE = re.compile(r"^(?:上年|去年)(?:同期)?1[-—~至]\d{1,2}月(?:累计)?(?:数)?$")
_ONE_MONTH = re.compile(r"^\d{1,2}月(?:份)?(?:数)?$")  # 6月


def month_of_header(label: str) -> int | None:
    """The month a measure header is about, when it writes one: 6月 → 6, 1-6月累计 → 6, 本月 → None."""
    found = re.search(r"(\d{1,2})月", label)
    return int(found.group(1)) if found else None


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


_STOCK_MEASURES = {
    Measure.month_value: Measure.period_end_value,
    Measure.ytd_value: Measure.period_end_value,
    Measure.prior_year_ytd_value: Measure.prior_year_period_end_value,
}


def _measure_for(spec: LayoutSpec, indicator: Indicator, explicit: Measure | None) -> Measure:
    """A long row's 口径 as written; otherwise the spec's measure, which for a stock means its level."""
    if explicit is not None:
        return explicit
    return _column_measure(spec.measure, indicator)


def _column_measure(measure: Measure, indicator: Indicator) -> Measure:
    """A flow's measure as headed; a stock's 本月 or 1-N月 figure is its level at the month's end."""
    return _STOCK_MEASURES.get(measure, measure) if indicator.nature is Nature.stock else measure


@dataclass(frozen=True)
class _TableHead:
    """What a statistics table says above and in its header row."""

    header_index: int
    title_text: str
    found_period: Period | None
    sheet_unit: str | None  # from a note such as 单位：万元
    markers: set[str]

    @property
    def period(self) -> str | None:
        return self.found_period.month_key if self.found_period else None

    @property
    def period_label(self) -> str | None:
        return self.found_period.coarse_label if self.found_period else None


def _table_head(sheet: Sheet, spec: LayoutSpec) -> _TableHead | None:
    header_index = _find_header(sheet, spec)
    if header_index is None:
        return None
    title_text = " ".join(normalise_text(cell) for row in sheet.rows[:header_index] for cell in row)
    unit_note = _UNIT_NOTE.search(title_text)
    return _TableHead(
        header_index,
        title_text,
        _table_period(sheet, spec, title_text),
        unit_note.group(1) if unit_note else None,
        {compact(marker) for marker in spec.header_marker},
    )


def _regions_as_columns(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_city: str | None, book: ColumnBook
) -> list[RowOutcome]:
    head = _table_head(sheet, spec)
    if head is None:
        return _no_header(sheet, spec)
    header_index, title_text, period, sheet_unit = head.header_index, head.title_text, head.period, head.sheet_unit
    header, markers = sheet.rows[header_index], head.markers
    unit_headers = {compact(name) for name in spec.unit_column}
    untracked = {compact(name) for name in spec.untracked_columns}
    label_column = unit_column = None
    region_columns: list[tuple[int, str]] = []
    measure_columns: list[tuple[int, Measure]] = []
    unresolved: list[tuple[int, str]] = []
    for column, cell in enumerate(header):
        label = split_header(cell).label
        if label in markers and label_column is None:
            label_column = column
        elif label in unit_headers:
            unit_column = column
        elif label in untracked:
            book.note(sheet.name, column, "untracked_column", label)
        elif label and (measure := measure_of_header(label, spec)) is not None:
            month = month_of_header(label)
            if month is None or period is None or month == int(period[5:]):
                measure_columns.append((column, measure))
            else:  # 4月 and 5月 beside 6月: other months' figures, not this period's
                book.note(sheet.name, column, "other_period_column", normalise_text(cell), _month_words(period))
        elif label:
            region_code = resolver.region(label, within=sender_city) if label not in CITY_WIDE_NAMES else None
            (region_columns if region_code else unresolved).append((column, region_code or label))
    city = sender_city or resolver.common_city([code for _, code in region_columns])
    for column, label in unresolved:
        if label in CITY_WIDE_NAMES and city:
            region_columns.append((column, city))
        else:
            book.note(sheet.name, column, "unknown_region_column", normalise_text(header[column]))
    region_columns.sort()
    first_column: dict[str, int] = {}
    for column, region_code in list(region_columns):  # 全市 beside the city's own name: one column counts
        if region_code in first_column:
            region_columns.remove((column, region_code))
            earlier = first_column[region_code]
            book.note(
                sheet.name,
                column,
                "duplicate_region_column",
                normalise_text(header[column]),
                f"“{normalise_text(header[earlier])}”（{column_letter(earlier)}列）",
            )
        else:
            first_column[region_code] = column
    # measure columns hold one region's figures: the spec's, the sender's city, or the one the title names
    table_region = (
        (resolver.region(spec.region) if spec.region else None) or sender_city or resolver.named_in(title_text)
    )
    if measure_columns and table_region is None:
        for column, _ in measure_columns:
            book.note(sheet.name, column, "region_unknown_for_column", normalise_text(header[column]))
        measure_columns = []
    book.header(sheet.name, header_index)
    book.keys(sheet.name, label_column or 0, unit_column)
    figure_columns = [(column, region, None) for column, region in region_columns] + [
        (column, table_region, measure) for column, measure in measure_columns
    ]
    outcomes = [ignored_row(sheet, i, "title_row") for i in range(header_index) if not row_is_empty(sheet.rows[i])]
    outcomes.append(ignored_row(sheet, header_index, "header_row"))
    seen: dict[tuple[str, str], int] = {}
    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        if row_is_empty(row):
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        label_raw = row[label_column or 0] if (label_column or 0) < len(row) else ""
        label = compact(label_raw)
        values_blank = all(compact(row[c]) == "" for c, *_ in figure_columns if c < len(row))
        if label.startswith(tuple(spec.note_prefixes)) or (values_blank and not resolver.indicator(label_raw)):
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        if label in {compact(t) for t in spec.total_labels}:
            outcomes.append(ignored_row(sheet, row_index, "total_row"))
            continue
        label_cell = cell_address(row_index, label_column or 0)
        indicator = resolver.indicator(label_raw)
        if indicator is None:
            outcomes.append(
                quarantined_row(sheet, row_index, "unknown_indicator", label_cell, value=normalise_text(label_raw))
            )
            continue
        if period is None:
            outcomes.append(
                quarantined_row(sheet, row_index, "bad_period", label_cell, value=_period_missing(sheet, title_text))
            )
            continue
        unit = split_header(label_raw).unit or sheet_unit
        if unit_column is not None and unit_column < len(row) and compact(row[unit_column]):
            unit = compact(row[unit_column])
        observations: list[Observation] = []
        set_aside: list[SetAsideValue] = []
        failure = None
        for column, region_code, column_measure in figure_columns:
            value, failure, written_unit = read_figure(
                sheet, row_index, column, indicator, unit, resolver, normalise_text(header[column])
            )
            if failure is not None:
                break
            if value is not None:
                measure = _column_measure(column_measure or spec.measure, indicator)
                taken = next((o for o in observations if o.region_code == region_code and o.measure == measure), None)
                if taken is not None:  # a stock's 本月 and 1-N月 columns both give its level at the month's end
                    set_aside.append(
                        set_aside_value(
                            sheet,
                            row_index,
                            column,
                            "same_figure_column",
                            normalise_text(header[column]),
                            f"{taken.cell}单元格",
                        )
                    )
                    continue
                observations.append(
                    observation_at(
                        sheet,
                        row_index,
                        column,
                        indicator,
                        region_code,
                        period,
                        measure,
                        value,
                        written_unit,
                        head.period_label,
                    )
                )
        if failure is not None:
            outcomes.append(failure)
        elif not observations:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
        elif (indicator.indicator_code, period) in seen:
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "duplicate_in_file",
                    label_cell,
                    other_row=seen[(indicator.indicator_code, period)],
                    what=indicator.name,
                )
            )
        else:
            seen[(indicator.indicator_code, period)] = row_index + 1
            outcomes.append(
                RowOutcome(
                    sheet.name, row_index + 1, RowStatus.loaded, [], observations=observations, set_aside=set_aside
                )
            )
    return outcomes


_UNIT_LABELS = {"单位", "计量单位"}


def _is_unit_row(row: list, label_column: int, resolver: Resolver) -> bool:
    """A row under the header whose filled cells are all units the catalogue knows, besides a 单位 label
    (in any column: a 序号 column may come first) and nothing in the region column."""
    cells = [compact(cell) for cell in row]
    units = [text for text in cells if text and text not in _UNIT_LABELS]
    label = cells[label_column] if label_column < len(cells) else ""
    return bool(units) and label in {"", *_UNIT_LABELS} and all(resolver.reference.unit_table.knows(u) for u in units)


def _regions_as_rows(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_city: str | None, book: ColumnBook
) -> list[RowOutcome]:
    """Regions as rows, indicators as columns: the header names each indicator, with its unit in parentheses
    or in a unit row under it; the label column (a header marker) names the region of each row."""
    head = _table_head(sheet, spec)
    if head is None:
        return _no_header(sheet, spec)
    header_index, title_text, period, sheet_unit = head.header_index, head.title_text, head.period, head.sheet_unit
    header, markers = sheet.rows[header_index], head.markers
    label_column = next(column for column, cell in enumerate(header) if split_header(cell).label in markers)
    after_header = header_index + 1
    unit_row: list = []
    below = sheet.rows[after_header] if after_header < len(sheet.rows) else []
    names_a_region = label_column < len(below) and resolver.region(below[label_column]) is not None
    if (
        not row_is_empty(below)
        and not names_a_region
        and (spec.unit_row or (spec.unit_row is None and _is_unit_row(below, label_column, resolver)))
    ):  # a spec's unit_row is trusted, except over a row that is blank or names a region (data, then)
        unit_row = below
        after_header += 1
    indicator_columns: list[tuple[int, Indicator, str | None, str]] = []
    for column, cell in enumerate(header):
        if column == label_column or not split_header(cell).label:
            continue
        indicator = resolver.indicator(cell)
        if indicator is None:
            label = normalise_text(cell)
            untracked = compact(label) in {compact(name) for name in spec.untracked_columns}
            book.note(sheet.name, column, "untracked_column" if untracked else "unknown_indicator_column", label)
            continue
        row_unit = compact(unit_row[column]) if column < len(unit_row) else ""
        unit = split_header(cell).unit or row_unit or sheet_unit
        indicator_columns.append((column, indicator, unit, normalise_text(cell)))
    book.header(sheet.name, header_index)
    book.keys(sheet.name, label_column)
    outcomes = [ignored_row(sheet, i, "title_row") for i in range(header_index) if not row_is_empty(sheet.rows[i])]
    outcomes += [ignored_row(sheet, i, "header_row") for i in range(header_index, after_header)]
    rows = sheet.rows
    labels = {i: rows[i][label_column] if label_column < len(rows[i]) else "" for i in range(after_header, len(rows))}
    city = sender_city or resolver.common_city(
        [resolver.region(label) or "" for label in labels.values() if compact(label) not in CITY_WIDE_NAMES]
    )
    totals = {compact(t) for t in spec.total_labels}
    seen: dict[str, int] = {}
    for row_index in range(after_header, len(rows)):
        row = rows[row_index]
        if row_is_empty(row):
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        name = labels[row_index]
        label = compact(name)
        values_blank = all(compact(row[c]) == "" for c, *_ in indicator_columns if c < len(row))
        if label.startswith(tuple(spec.note_prefixes)) or (values_blank and not resolver.region(name, within=city)):
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        if label in totals:
            outcomes.append(ignored_row(sheet, row_index, "total_row"))
            continue
        label_cell = cell_address(row_index, label_column)
        region_code = resolver.region(name, within=city)
        if region_code is None:
            outcomes.append(quarantined_row(sheet, row_index, "unknown_region", label_cell, value=normalise_text(name)))
            continue
        if period is None:
            outcomes.append(
                quarantined_row(sheet, row_index, "bad_period", label_cell, value=_period_missing(sheet, title_text))
            )
            continue
        if region_code in seen:
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "duplicate_in_file",
                    label_cell,
                    other_row=seen[region_code],
                    what=f"{normalise_text(name)}的数据",
                )
            )
            continue
        observations: list[Observation] = []
        failure = None
        for column, indicator, unit, column_label in indicator_columns:
            value, failure, written_unit = read_figure(
                sheet, row_index, column, indicator, unit, resolver, column_label
            )
            if failure is not None:
                break
            if value is not None:
                observations.append(
                    observation_at(
                        sheet,
                        row_index,
                        column,
                        indicator,
                        region_code,
                        period,
                        _column_measure(spec.measure, indicator),
                        value,
                        written_unit,
                        head.period_label,
                    )
                )
        if failure is not None:
            outcomes.append(failure)
        elif not observations:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
        else:
            seen[region_code] = row_index + 1
            outcomes.append(RowOutcome(sheet.name, row_index + 1, RowStatus.loaded, [], observations=observations))
    return outcomes


_LONG_REQUIRED = ("indicator", "region", "period", "value")


def _long(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_city: str | None, book: ColumnBook
) -> list[RowOutcome]:
    assert spec.long_columns is not None
    header_index = _find_header(sheet, spec)
    if header_index is None:
        return _no_header(sheet, spec)
    header = [split_header(cell).label for cell in sheet.rows[header_index]]
    wanted = spec.long_columns.model_dump()
    position: dict[str, int] = {}
    for role, names in wanted.items():
        for name in names:
            if compact(name) in header:
                position[role] = header.index(compact(name))
                break
    missing = [names for role, names in wanted.items() if role in _LONG_REQUIRED and role not in position]
    if missing:  # without an indicator, region, period or value column no row can be read
        marker = "；".join("/".join(names) for names in missing)
        return [
            quarantined_row(sheet, i, "no_header", None, value=sheet.name, marker=marker)
            for i, row in enumerate(sheet.rows)
            if not row_is_empty(row)
        ]
    book.header(sheet.name, header_index)
    book.keys(sheet.name, *(column for role, column in position.items() if role != "value"))
    untracked = {compact(name) for name in spec.untracked_columns}
    for column, label in enumerate(header):
        if column not in position.values():
            typed = header_label(sheet.rows[header_index][column], column)
            book.note(sheet.name, column, "untracked_column" if label in untracked else "unrecognised_column", typed)
    measure_labels = {compact(k): v for k, v in spec.measure_labels.items()} | MEASURE_ALIASES
    outcomes = [ignored_row(sheet, i, "title_row") for i in range(header_index) if not row_is_empty(sheet.rows[i])]
    outcomes.append(ignored_row(sheet, header_index, "header_row"))
    seen: dict[tuple, int] = {}

    def cell(row: list, role: str) -> object:
        column = position.get(role)
        return row[column] if column is not None and column < len(row) else None

    for row_index in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[row_index]
        if row_is_empty(row):
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        first = compact(row[0]) if row else ""
        if first.startswith(tuple(spec.note_prefixes)) and compact(cell(row, "value")) == "":
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        region_text = compact(cell(row, "region"))
        if region_text in {compact(t) for t in spec.total_labels}:
            outcomes.append(ignored_row(sheet, row_index, "total_row"))
            continue
        address = {role: cell_address(row_index, column) for role, column in position.items()}
        indicator = resolver.indicator(cell(row, "indicator"))
        if indicator is None:
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "unknown_indicator",
                    address.get("indicator"),
                    value=normalise_text(cell(row, "indicator")),
                )
            )
            continue
        region_code = resolver.region(cell(row, "region"), within=sender_city)
        if region_code is None:
            outcomes.append(
                quarantined_row(
                    sheet, row_index, "unknown_region", address.get("region"), value=normalise_text(cell(row, "region"))
                )
            )
            continue
        found_period = _period_from(display(cell(row, "period")), spec)
        period = found_period.month_key if found_period else None
        if period is None:
            outcomes.append(
                quarantined_row(
                    sheet, row_index, "bad_period", address.get("period"), value=display(cell(row, "period"))
                )
            )
            continue
        measure_text = compact(cell(row, "measure"))
        explicit = measure_labels.get(measure_text) if measure_text else None
        if measure_text and explicit is None:
            outcomes.append(
                quarantined_row(sheet, row_index, "unknown_measure", address.get("measure"), value=measure_text)
            )
            continue
        measure = _measure_for(spec, indicator, Measure(explicit) if explicit else None)
        unit = compact(cell(row, "unit")) or None
        value, failure, written_unit = read_figure(
            sheet, row_index, position["value"], indicator, unit, resolver, sheet.rows[header_index][position["value"]]
        )
        if failure is not None:
            outcomes.append(failure)
            continue
        if value is None:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
            continue
        key = (indicator.indicator_code, region_code, period, measure)
        if key in seen:
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "duplicate_in_file",
                    address.get("value"),
                    other_row=seen[key],
                    what=f"{indicator.name}{period}",
                )
            )
            continue
        seen[key] = row_index + 1
        observation = observation_at(
            sheet,
            row_index,
            position["value"],
            indicator,
            region_code,
            period,
            measure,
            value,
            written_unit,
            found_period.coarse_label,
        )
        outcomes.append(RowOutcome(sheet.name, row_index + 1, RowStatus.loaded, [], observations=[observation]))
    return outcomes


def parse_layout(source: SourceFile, spec: LayoutSpec, resolver: Resolver, department_id: str | None) -> ParsedFile:
    department = resolver.reference.departments.get(department_id) if department_id else None
    sender_city = resolver.city_of(department.region) if department else None
    book = ColumnBook()
    rows: list[RowOutcome] = []
    read_sheet = {
        Orientation.regions_as_columns: _regions_as_columns,
        Orientation.regions_as_rows: _regions_as_rows,
        Orientation.long: _long,
    }[spec.orientation]
    for sheet in source.sheets:
        if not any(not row_is_empty(row) for row in sheet.rows):
            continue
        rows += read_sheet(sheet, spec, resolver, sender_city, book)
    periods = {o.period for outcome in rows for o in outcome.observations}
    return ParsedFile(spec.layout_id, department_id, periods, rows, book.summary(), columns=book)
