"""Reading a long statistics table: one figure a row, with indicator, region, period and value columns."""

from __future__ import annotations

import re

from planwatch.ingest.layout_head import find_header, measure_for, no_header, period_from
from planwatch.ingest.layout_spec import LayoutSpec
from planwatch.ingest.read import Sheet
from planwatch.ingest.records import (
    ColumnBook,
    FirstRow,
    RowOutcome,
    RowStatus,
    ignored_row,
    is_signature_row,
    observation_at,
    quarantined_row,
    read_figure,
    settled_repeat,
)
from planwatch.ingest.resolve import Resolver
from planwatch.ingest.values import (
    cell_address,
    compact,
    display,
    header_label,
    normalise_text,
    row_is_empty,
    split_header,
)
from planwatch.template_format import MEASURE_ALIASES, Measure

REQUIRED_COLUMNS = ("indicator", "region", "period", "value")
# 2025.1: January as typed, or October as a spreadsheet stores the number 2025.10 (and a CSV exports it)
_OCTOBER_OR_JANUARY = re.compile(r"^\d{4}\.1$")
_PRIOR_YEAR_WORDS = re.compile(r"上年|去年|同期")


def read_long_sheet(
    sheet: Sheet, spec: LayoutSpec, resolver: Resolver, sender_region: str | None, book: ColumnBook
) -> list[RowOutcome]:
    assert spec.long_columns is not None
    sender_city = resolver.city_of(sender_region) if sender_region else None
    header_index = find_header(sheet, spec)
    if header_index is None:
        return no_header(sheet, spec)
    header = [split_header(cell).label for cell in sheet.rows[header_index]]
    wanted = spec.long_columns.model_dump()
    position: dict[str, int] = {}
    for role, names in wanted.items():
        for name in names:
            if compact(name) in header:
                position[role] = header.index(compact(name))
                break
    missing = [names for role, names in wanted.items() if role in REQUIRED_COLUMNS and role not in position]
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
    seen: dict[tuple, FirstRow] = {}

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
        region_code = resolver.region(cell(row, "region"), within=sender_city, whole=sender_region)
        if region_code is None:
            outcomes.append(
                quarantined_row(
                    sheet,
                    row_index,
                    "unknown_region_in_table",
                    address.get("region"),
                    value=normalise_text(cell(row, "region")),
                )
            )
            continue
        period_text = display(cell(row, "period")).strip()
        if _PRIOR_YEAR_WORDS.search(period_text):  # 2025年1-10月(上年同期): last year's figure, not this one
            outcomes.append(
                quarantined_row(sheet, row_index, "period_names_prior_year", address.get("period"), value=period_text)
            )
            continue
        if _OCTOBER_OR_JANUARY.match(period_text):
            outcomes.append(
                quarantined_row(
                    sheet, row_index, "ambiguous_period", address.get("period"), value=period_text, year=period_text[:4]
                )
            )
            continue
        found_period = period_from(period_text, spec)
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
        measure = measure_for(spec, indicator, Measure(explicit) if explicit else None)
        unit = compact(cell(row, "unit")) or None
        value, failure, written_unit = read_figure(
            sheet, row_index, position["value"], indicator, unit, resolver, sheet.rows[header_index][position["value"]]
        )
        if value is None and failure is None:
            outcomes.append(ignored_row(sheet, row_index, "blank_figures"))
            continue
        # the figure's key is kept whether or not it reads: the same figure again is set aside; another figure
        # for it (or one that cannot be read, 约70 beside 75.5) takes neither row
        key = (indicator.indicator_code, region_code, period, measure)
        what = f"{indicator.name}{period}"
        if failure is not None:
            outcomes.append(
                settled_repeat(sheet, outcomes, seen, key, row_index, address["value"], failure, None, what)
            )
            continue
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
        loaded = RowOutcome(sheet.name, row_index + 1, RowStatus.loaded, [], observations=[observation])
        outcomes.append(settled_repeat(sheet, outcomes, seen, key, row_index, address["value"], loaded, (value,), what))
    return outcomes
