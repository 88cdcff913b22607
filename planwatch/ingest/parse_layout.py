"""Reading a statistics table whose layout a source spec describes (see layout_spec.py): the wide shapes
here, the long one in parse_long_layout.py, the table's head (period, header, measures) in layout_head.py.

The spec says where the header is, where the period is written, which measure the figures are and
how row labels map to indicators (the catalogue's Chinese names match without being listed). Regions
are read from the header (regions_as_columns) or a column (regions_as_rows, long); 全市 means the
sender's city.
"""

from __future__ import annotations

from typing import NamedTuple

from planwatch.ingest.layout_head import (
    VALUE_WORDS,
    column_headings,
    grouped_measure,
    is_sub_header,
    measure_for_nature,
    measure_of_header,
    month_of_header,
    month_words,
    no_header,
    second_table_row,
    table_head,
)
from planwatch.ingest.layout_spec import LayoutSpec, Orientation
from planwatch.ingest.parse_long_layout import read_long_sheet
from planwatch.ingest.read import Sheet, SourceFile
from planwatch.ingest.records import (
    ColumnBook,
    FirstRow,
    Observation,
    ParsedFile,
    RowOutcome,
    RowStatus,
    SetAsideValue,
    ignored_row,
    in_second_table,
    is_signature_row,
    observation_at,
    quarantined_row,
    read_figure,
    repeated_row,
    row_failure,
    set_aside_value,
)
from planwatch.ingest.resolve import CITY_WIDE_NAMES, Resolver
from planwatch.ingest.values import (
    NotANumberError,
    cell_address,
    column_index,
    column_letter,
    compact,
    display,
    normalise_text,
    number_with_unit,
    parse_number,
    row_is_empty,
    split_header,
)
from planwatch.registry.schema import Indicator
from planwatch.template_format import Measure


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


def _regions_as_columns(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_region: str | None, book: ColumnBook, file_name: str
) -> list[RowOutcome]:
    head = table_head(sheet, spec, file_name)
    if head is None:
        return no_header(sheet, spec)
    sender_city = resolver.city_of(sender_region) if sender_region else None
    header_index, title_text, period, sheet_unit = head.header_index, head.title_text, head.period, head.sheet_unit
    markers = head.markers
    unit_headers = {compact(name) for name in spec.unit_column}
    untracked = {compact(name) for name in spec.untracked_columns}
    rows = _header_rows(sheet, spec, header_index, markers | unit_headers, untracked, resolver, sender_city)
    headings = column_headings(sheet, header_index, rows, markers | unit_headers)
    label_column = unit_column = None
    region_columns: list[tuple[int, str, Measure | None]] = []
    measure_columns: list[tuple[int, Measure]] = []
    unresolved: list[tuple[int, str, Measure | None]] = []
    for column, heading in enumerate(headings):
        parts = heading.parts
        if not parts:
            continue
        if heading.upper in markers and label_column is None:
            label_column = column
            continue
        if heading.upper in unit_headers:
            unit_column = column
            continue
        if any(_untracked(part, untracked) for part in parts):
            book.note(sheet.name, column, "untracked_column", "/".join(parts))
            continue
        measure, measure_part, reads = grouped_measure(parts, spec)
        # what names the column's region: any part that is no measure, nor (under a group) the figure itself
        named = [
            part for part in parts if measure_of_header(part, spec) is None and not (rows == 2 and part in VALUE_WORDS)
        ]
        if not reads or len(named) > 1 or (measure is None and not named):
            book.note(sheet.name, column, "unrecognised_column", heading.text)
            continue
        month = month_of_header(measure_part) if measure_part else None
        if month is not None and period is not None and month != int(period[5:]):
            # 4月 and 5月 beside 6月: other months' figures, not this period's
            book.note(sheet.name, column, "other_period_column", heading.text, month_words(period))
            continue
        if not named:
            assert measure is not None
            measure_columns.append((column, measure))
            continue
        label = named[0]
        region_code = resolver.region(label, within=sender_city) if label not in CITY_WIDE_NAMES else None
        (region_columns if region_code else unresolved).append((column, region_code or label, measure))
    city = sender_city or resolver.common_city([code for _, code, _ in region_columns])
    totals = {compact(t) for t in spec.total_labels}
    # 全县 in a county's table is the county, 全市 in a city's the city; 全县 under a county's title, the county
    whole = resolver.whole_region(title_text, sender_region) or city
    for column, label, measure in unresolved:
        if label in CITY_WIDE_NAMES and whole:
            region_columns.append((column, whole, measure))
        elif label in totals:  # 合计 beside the counties, as a 合计 row under them: the sum of theirs
            book.note(sheet.name, column, "total_column", headings[column].text)
        else:
            book.note(sheet.name, column, "unknown_region_column", headings[column].text)
    region_columns.sort()
    first_column: dict[tuple[str, Measure | None], int] = {}
    for column, region_code, measure in list(region_columns):  # 全市 beside the city's own name: one column counts
        if (region_code, measure) in first_column:
            region_columns.remove((column, region_code, measure))
            earlier = first_column[(region_code, measure)]
            book.note(
                sheet.name,
                column,
                "duplicate_region_column",
                headings[column].text,
                f"“{headings[earlier].text}”（{column_letter(earlier)}列）",
            )
        else:
            first_column[(region_code, measure)] = column
    # measure columns hold one region's figures: the spec's, the sender's own, or the one the title names
    table_region = (
        (resolver.region(spec.region) if spec.region else None)
        or resolver.whole_region(title_text, sender_region)
        or resolver.named_in(title_text)
    )
    if measure_columns and table_region is None:
        for column, _ in measure_columns:
            book.note(sheet.name, column, "region_unknown_for_column", headings[column].text)
        measure_columns = []
    book.header(sheet.name, header_index)
    book.keys(sheet.name, label_column or 0, unit_column)
    figure_columns = list(region_columns) + [(column, table_region, measure) for column, measure in measure_columns]
    outcomes = [ignored_row(sheet, i, "title_row") for i in range(header_index) if not row_is_empty(sheet.rows[i])]
    outcomes += [ignored_row(sheet, i, "header_row") for i in range(header_index, header_index + rows)]
    note_prefixes, totals = tuple(spec.note_prefixes), {compact(t) for t in spec.total_labels}
    header_labels = [heading.text for heading in headings]  # each figure column's, as its messages name it
    seen: dict[tuple[str, str], FirstRow] = {}  # (indicator, period) → the row that gave it
    header_label = compact(sheet.rows[header_index][label_column or 0])
    opens = second_table_row(sheet, header_index + rows, label_column or 0, header_label, period, spec)
    for row_index in range(header_index + rows, len(sheet.rows)):
        row = sheet.rows[row_index]
        if row_is_empty(row):
            continue
        if opens is not None and row_index >= opens[0]:
            outcomes.append(in_second_table(sheet, row_index, opens))
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        label_raw = row[label_column or 0] if (label_column or 0) < len(row) else ""
        label = compact(label_raw)
        values_blank = all(compact(row[c]) == "" for c, *_ in figure_columns if c < len(row))
        # a row with no label the spec knows and nothing in its figure columns is a note, unless it holds a
        # figure elsewhere (a header the spec did not understand): then it is data, quarantined, not a note
        mapped = resolver.indicator(label_raw) is not None
        keys = {label_column or 0, unit_column}
        if label.startswith(note_prefixes):
            note = _as_note(
                sheet, row_index, label_column or 0, label_raw, note_prefixes, mapped, values_blank, keys, "指标"
            )
            if note is not None:
                outcomes.append(note)
                continue
        elif values_blank and not mapped and not _holds_a_figure(row, keys):
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        if label in totals:
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
            outcomes.append(head.unread_period(sheet, row_index, label_cell))
            continue
        unit = named_unit = split_header(label_raw, resolver.reference.unit_table.knows).unit
        if unit_column is not None and unit_column < len(row) and compact(row[unit_column]):
            unit = compact(row[unit_column])
            known = resolver.reference.unit_table.knows(named_unit) if named_unit else False  # not （二）'s 二
            if known and not _same_unit(named_unit, unit, resolver):
                # 营业收入（亿元） | 万元: the figures' scale is one of the two, 10⁴ apart; which is not guessed
                unit_cell = cell_address(row_index, unit_column)
                outcomes.append(
                    quarantined_row(
                        sheet, row_index, "unit_stated_twice_in_row", unit_cell,
                        value=normalise_text(label_raw), named=named_unit, stated=unit,
                    )
                )  # fmt: skip
                continue
        unit = unit or sheet_unit
        observations: list[Observation] = []
        set_aside: list[SetAsideValue] = []
        failures: list[RowOutcome] = []
        for column, region_code, column_measure in figure_columns:
            value, failure, written_unit = read_figure(
                sheet, row_index, column, indicator, unit, resolver, header_labels[column]
            )
            if failure is not None:
                failures.append(failure)
                continue
            if value is not None:
                measure = measure_for_nature(column_measure or spec.measure, indicator)
                figure = _Figure(column, indicator, region_code, measure, value, written_unit, header_labels[column])
                _take(figure, sheet, row_index, period, head.period_label, observations, set_aside)
        failed = _failed_unless_others_load(sheet, failures, observations, set_aside)
        if failed is not None:
            outcomes.append(failed)
        elif not observations:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
        elif (key := (indicator.indicator_code, period)) in seen:
            values = tuple(o.value for o in observations)
            outcomes.append(repeated_row(sheet, outcomes, seen[key], row_index, label_cell, values, indicator.name))
        else:
            seen[key] = FirstRow(row_index, len(outcomes), label_cell, tuple(o.value for o in observations))
            outcomes.append(
                RowOutcome(
                    sheet.name, row_index + 1, RowStatus.loaded, [], observations=observations, set_aside=set_aside
                )
            )
    return outcomes


class _Figure(NamedTuple):
    """A figure read from a cell of a table row, with the column's label for messages."""

    column: int
    indicator: Indicator
    region_code: str
    measure: Measure
    value: float
    written_unit: str | None
    column_label: str


def _take(
    figure: _Figure,
    sheet: Sheet,
    row_index: int,
    period: str,
    period_label: str | None,
    observations: list[Observation],
    set_aside: list[SetAsideValue],
) -> None:
    """The row's observation of a figure; a second column of the same figure in the row (a stock's 本月 and
    1-N月 both give its level at the month's end) is set aside, naming the cell that gave it."""
    key = (figure.indicator.indicator_code, figure.region_code, figure.measure)
    taken = next((o for o in observations if (o.indicator_code, o.region_code, o.measure) == key), None)
    if taken is not None:
        detail = f"{taken.cell}单元格"
        set_aside.append(
            set_aside_value(sheet, row_index, figure.column, "same_figure_column", figure.column_label, detail)
        )
        return
    observations.append(
        observation_at(
            sheet,
            row_index,
            figure.column,
            figure.indicator,
            figure.region_code,
            period,
            figure.measure,
            figure.value,
            figure.written_unit,
            period_label,
        )
    )


_UNIT_LABELS = {"单位", "计量单位"}


def _untracked(label: str, untracked: set[str]) -> bool:
    """A column that holds no figure to track: 同比增长, also written 同比增长% (its unit outside parentheses)."""
    return label in untracked or label.rstrip("%％") in untracked


def _header_rows(
    sheet: Sheet,
    spec: LayoutSpec,
    header_index: int,
    keys: set[str],
    untracked: set[str],
    resolver: Resolver,
    sender_city: str | None,
) -> int:
    """The rows the header takes: the spec's `header_rows`, else two when the row under the header row
    splits its column groups (see layout_head.is_sub_header)."""
    if spec.header_rows is not None:
        return spec.header_rows
    if header_index + 1 >= len(sheet.rows):
        return 1
    header = sheet.rows[header_index]
    key_columns = {column for column, cell in enumerate(header) if split_header(cell).label in keys}

    def is_heading(label: str) -> bool:
        return (
            label in VALUE_WORDS
            or _untracked(label, untracked)
            or measure_of_header(label, spec) is not None
            or label in CITY_WIDE_NAMES
            or resolver.region(label, within=sender_city) is not None
        )

    return 2 if is_sub_header(sheet.rows[header_index + 1], key_columns, is_heading) else 1


def _as_note(
    sheet: Sheet,
    row_index: int,
    label_column: int,
    label: object,
    prefixes: tuple[str, ...],
    mapped: bool,
    values_blank: bool,
    keys: set[int | None],
    names: str,
) -> RowOutcome | None:
    """What a row whose label opens like a note (注…, 说明…) is: a note when it holds no figure; data (None) when
    the spec knows its label (注册商标数) and it holds something; quarantined when it holds a figure under a label
    the spec does not know, for figures ignored as a note would vanish unexplained."""
    row = sheet.rows[row_index]
    figures = _holds_a_figure(row, keys) or any(
        number_with_unit(cell) is not None for column, cell in enumerate(row) if column not in keys
    )
    if mapped and (figures or not values_blank):
        return None
    if not mapped and figures:
        text = compact(label)
        return quarantined_row(
            sheet,
            row_index,
            "note_row_with_figures",
            cell_address(row_index, label_column),
            value=normalise_text(label),
            prefix=next(prefix for prefix in prefixes if text.startswith(prefix)),
            names=names,
        )
    return ignored_row(sheet, row_index, "note_row")


def _holds_a_figure(row: list, keys: set[int | None]) -> bool:
    """Whether a cell outside the key columns (label, unit) holds a number."""
    for column, cell in enumerate(row):
        if column in keys or cell is None or isinstance(cell, bool):
            continue
        try:
            if parse_number(cell) is not None:
                return True
        except NotANumberError:
            continue
    return False


def _same_unit(first: str, second: str, resolver: Resolver) -> bool:
    """Whether two spellings name one unit (万吨 and 万吨, 公斤 and 千克)."""
    units = resolver.reference.unit_table
    if compact(first) == compact(second):
        return True
    try:
        return units.knows(first) and units.knows(second) and units.factor(first, second) == 1.0
    except ValueError:
        return False


def _is_unit_row(row: list, label_column: int, resolver: Resolver) -> bool:
    """A row under the header whose filled cells are all units the catalogue knows, besides a 单位 label
    (in any column: a 序号 column may come first) and nothing in the region column."""
    cells = [compact(cell) for cell in row]
    units = [text for text in cells if text and text not in _UNIT_LABELS]
    label = cells[label_column] if label_column < len(cells) else ""
    return bool(units) and label in {"", *_UNIT_LABELS} and all(resolver.reference.unit_table.knows(u) for u in units)


def _regions_as_rows(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_region: str | None, book: ColumnBook, file_name: str
) -> list[RowOutcome]:
    """Regions as rows, indicators as columns: the header names each indicator, with its unit in parentheses
    or in a unit row under it; the label column (a header marker) names the region of each row."""
    head = table_head(sheet, spec, file_name)
    if head is None:
        return no_header(sheet, spec)
    sender_city = resolver.city_of(sender_region) if sender_region else None
    header_index, period, sheet_unit = head.header_index, head.period, head.sheet_unit
    header, markers = sheet.rows[header_index], head.markers
    label_column = next(column for column, cell in enumerate(header) if split_header(cell).label in markers)
    untracked = {compact(name) for name in spec.untracked_columns}
    # a two-row header: each indicator over its measures (苹果产量（万吨） over 本月 | 1-10月)
    rows_of_header = _header_rows(sheet, spec, header_index, markers, untracked, resolver, sender_city)
    headings = column_headings(sheet, header_index, rows_of_header, markers)
    after_header = header_index + rows_of_header
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
    indicator_columns: list[tuple[int, Indicator, str | None, str, Measure | None]] = []
    for column, heading in enumerate(headings):
        if column == label_column or not heading.upper:
            continue
        if any(_untracked(part, untracked) for part in heading.parts):
            book.note(sheet.name, column, "untracked_column", heading.text)
            continue
        measure = measure_of_header(heading.lower, spec) if heading.lower else None
        if heading.lower and measure is None and heading.lower not in VALUE_WORDS:
            book.note(sheet.name, column, "unrecognised_column", heading.text)
            continue
        month = month_of_header(heading.lower) if measure is not None else None
        if month is not None and period is not None and month != int(period[5:]):
            book.note(sheet.name, column, "other_period_column", heading.text, month_words(period))
            continue
        indicator = resolver.indicator(heading.upper_text)
        if indicator is None:
            book.note(sheet.name, column, "unknown_indicator_column", heading.text)
            continue
        row_unit = compact(unit_row[column]) if column < len(unit_row) else ""
        header_unit = split_header(heading.upper_text, resolver.reference.unit_table.knows).unit
        if header_unit and row_unit and not _same_unit(header_unit, row_unit, resolver):
            book.note(sheet.name, column, "unit_stated_twice", heading.text, row_unit)
            continue
        unit = header_unit or row_unit or sheet_unit
        indicator_columns.append((column, indicator, unit, heading.text, measure))
    book.header(sheet.name, header_index)
    book.keys(sheet.name, label_column)
    outcomes = [ignored_row(sheet, i, "title_row") for i in range(header_index) if not row_is_empty(sheet.rows[i])]
    outcomes += [ignored_row(sheet, i, "header_row") for i in range(header_index, after_header)]
    rows = sheet.rows
    labels = {i: rows[i][label_column] if label_column < len(rows[i]) else "" for i in range(after_header, len(rows))}
    city = sender_city or resolver.common_city(
        [resolver.region(label) or "" for label in labels.values() if compact(label) not in CITY_WIDE_NAMES]
    )
    whole = resolver.whole_region(head.title_text, sender_region) or city  # as in `_regions_as_columns`
    totals = {compact(t) for t in spec.total_labels}
    seen: dict[str, FirstRow] = {}  # region → the row that gave it
    note_prefixes = tuple(spec.note_prefixes)
    opens = second_table_row(sheet, after_header, label_column, compact(header[label_column]), period, spec)
    for row_index in range(after_header, len(rows)):
        row = rows[row_index]
        if row_is_empty(row):
            continue
        if opens is not None and row_index >= opens[0]:
            outcomes.append(in_second_table(sheet, row_index, opens))
            continue
        if is_signature_row(row):
            outcomes.append(ignored_row(sheet, row_index, "signature_row"))
            continue
        name = labels[row_index]
        label = compact(name)
        values_blank = all(compact(row[c]) == "" for c, *_ in indicator_columns if c < len(row))
        mapped = resolver.region(name, within=city, whole=whole) is not None
        if label.startswith(note_prefixes):
            note = _as_note(
                sheet, row_index, label_column, name, note_prefixes, mapped, values_blank, {label_column}, "地区"
            )
            if note is not None:
                outcomes.append(note)
                continue
        elif values_blank and not mapped:
            outcomes.append(ignored_row(sheet, row_index, "note_row"))
            continue
        if label in totals:
            outcomes.append(ignored_row(sheet, row_index, "total_row"))
            continue
        label_cell = cell_address(row_index, label_column)
        region_code = resolver.region(name, within=city, whole=whole)
        if region_code is None:
            outcomes.append(
                quarantined_row(sheet, row_index, "unknown_region_in_table", label_cell, value=normalise_text(name))
            )
            continue
        if period is None:
            outcomes.append(head.unread_period(sheet, row_index, label_cell))
            continue
        observations: list[Observation] = []
        set_aside: list[SetAsideValue] = []
        failures: list[RowOutcome] = []
        for column, indicator, unit, column_label, column_measure in indicator_columns:
            value, failure, written_unit = read_figure(
                sheet, row_index, column, indicator, unit, resolver, column_label
            )
            if failure is not None:
                failures.append(failure)
                continue
            if value is None:
                continue
            measure = measure_for_nature(column_measure or spec.measure, indicator)
            figure = _Figure(column, indicator, region_code, measure, value, written_unit, column_label)
            _take(figure, sheet, row_index, period, head.period_label, observations, set_aside)
        failed = _failed_unless_others_load(sheet, failures, observations, set_aside)
        if failed is not None:
            outcomes.append(failed)
        elif not observations:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
        elif region_code in seen:
            values = tuple(o.value for o in observations)
            what = f"{normalise_text(name)}的数据"
            outcomes.append(repeated_row(sheet, outcomes, seen[region_code], row_index, label_cell, values, what))
        else:
            seen[region_code] = FirstRow(row_index, len(outcomes), label_cell, tuple(o.value for o in observations))
            outcomes.append(
                RowOutcome(
                    sheet.name, row_index + 1, RowStatus.loaded, [], observations=observations, set_aside=set_aside
                )
            )
    return outcomes


def _failed_unless_others_load(
    sheet: Sheet, failures: list[RowOutcome], observations: list[Observation], set_aside: list[SetAsideValue]
) -> RowOutcome | None:
    """A statistics table's row holds independent figures (each county's, each indicator's): a cell that
    cannot be read ('2.80①', '约500') is set aside alone, with its reason, and the row's other figures load;
    the row is quarantined, naming every failed cell, only when none of its figures could be read."""
    if not failures or not observations:
        return row_failure(failures)
    for failure in failures:
        column = column_index(failure.cell or "A")
        set_aside.append(
            SetAsideValue(
                sheet.name,
                failure.row_number,
                failure.cell or "",
                RowStatus.quarantined,
                failure.reason_code or "",
                f"{sheet.name}!{failure.cell}：{failure.reason}",
                display(sheet.rows[failure.row_number - 1][column]),
            )
        )
    return None


def parse_layout(source: SourceFile, spec: LayoutSpec, resolver: Resolver, department_id: str | None) -> ParsedFile:
    department = resolver.reference.departments.get(department_id) if department_id else None
    sender_region = department.region if department else None
    book = ColumnBook()
    rows: list[RowOutcome] = []
    for sheet in source.sheets:
        if not any(not row_is_empty(row) for row in sheet.rows):
            continue
        if spec.orientation is Orientation.long:  # each row names its own period
            rows += read_long_sheet(sheet, spec, resolver, sender_region, book)
            continue
        # a wide table's period is its title's or sheet name's, checked against the file name's month
        read_wide = _regions_as_columns if spec.orientation is Orientation.regions_as_columns else _regions_as_rows
        rows += read_wide(sheet, spec, resolver, sender_region, book, source.path.name)
    periods = {o.period for outcome in rows for o in outcome.observations}
    return ParsedFile(spec.layout_id, department_id, periods, rows, book.summary(), columns=book)
