"""Every non-empty cell of a file accounted for: loaded, quarantined or ignored, each with its reason.

Rows are accounted for by the parsers (rows read = loaded + quarantined + ignored). A loaded row may
still hold cells it did not load: a column for a region the registry does not know, an indicator
the spec does not map, a remark, a "—". Here each such cell becomes a `SetAsideValue` with the
reason its column carries (the parsers' `ColumnBook`), or, for a cell no parser claimed, quarantined
as unrecognised. The cells of quarantined and ignored rows follow their row. The file's cells are
counted apart from all of this, and the two counts must agree before anything is written.
"""

from __future__ import annotations

from planwatch.ingest.read import Sheet, SourceFile
from planwatch.ingest.records import (
    VALUE_REASONS,
    CellCounts,
    ParsedFile,
    RowOutcome,
    RowStatus,
    SetAsideValue,
    quarantined_row,
    set_aside_value,
)
from planwatch.ingest.values import (
    PLACEHOLDERS,
    cell_address,
    column_index,
    compact,
    display,
    filled_columns,
    filled_count,
    header_label,
)


def _header_label(sheet: Sheet, header_row: int | None, column: int) -> str:
    if header_row is None or header_row >= len(sheet.rows) or column >= len(sheet.rows[header_row]):
        return header_label(None, column)
    return header_label(sheet.rows[header_row][column], column)


def _set_aside(sheet: Sheet, outcome: RowOutcome, parsed: ParsedFile, filled: list[int]) -> list[SetAsideValue]:
    """The cells of a loaded row that it did not load, each with its reason (those a parser named first)."""
    book = parsed.columns
    row_index = outcome.row_number - 1
    used = book.key_columns.get(sheet.name, set()) | {column_index(o.cell) for o in outcome.observations}
    named = {column_index(value.cell) for value in outcome.set_aside}
    set_aside = list(outcome.set_aside)
    for column in filled:
        if column in used or column in named:
            continue
        note = book.notes.get((sheet.name, column))
        if note is not None:
            set_aside.append(set_aside_value(sheet, row_index, column, note.reason_code, note.label, note.detail))
        elif compact(sheet.rows[row_index][column]).lower() in PLACEHOLDERS:
            label = _header_label(sheet, book.header_rows.get(sheet.name), column)
            set_aside.append(set_aside_value(sheet, row_index, column, "not_reported", label))
        else:
            label = _header_label(sheet, book.header_rows.get(sheet.name), column)
            set_aside.append(set_aside_value(sheet, row_index, column, "unrecognised_column", label))
    return set_aside


def _figures_astray(sheet: Sheet, outcome: RowOutcome, parsed: ParsedFile) -> RowOutcome | None:
    """A row ignored as blank whose figures were typed where no figure is read (right of the template's
    columns, under a header the spec does not map): quarantined naming those cells, never ignored as blank."""
    book = parsed.columns
    row_index = outcome.row_number - 1
    row = sheet.rows[row_index]
    keys = book.key_columns.get(sheet.name, set())
    astray = []
    for column in filled_columns(row):
        note = book.notes.get((sheet.name, column))
        if column in keys or compact(row[column]).lower() in PLACEHOLDERS:
            continue
        if note is not None and VALUE_REASONS[note.reason_code][0] is RowStatus.ignored:
            continue  # a remark, a column not tracked, another month's figure: ignored as in a loaded row
        label = note.label if note is not None else _header_label(sheet, book.header_rows.get(sheet.name), column)
        astray.append(f"{cell_address(row_index, column)}（表头“{label}”）的“{display(row[column])}”")
    if not astray:
        return None
    first = cell_address(row_index, filled_columns(row)[0])
    return quarantined_row(sheet, row_index, "figures_in_unrecognised_columns", first, values="、".join(astray))


def account_cells(source: SourceFile, parsed: ParsedFile) -> CellCounts:
    """Set aside, with a reason, every cell of a loaded row it did not load; count the file's rows and cells.

    `parsed.rows_in_source` and `parsed.cells` are set from every row of every sheet, counted apart
    from the outcomes, so a row counted twice or not at all shows as a difference when the file is
    tabulated (and nothing of it is written).
    """
    sheets = {sheet.name: sheet for sheet in source.sheets}
    filled = {sheet.name: [filled_count(row) for row in sheet.rows] for sheet in source.sheets}
    parsed.rows_in_source = sum(1 for counts in filled.values() for count in counts if count)
    read = sum(sum(counts) for counts in filled.values())
    counts = {RowStatus.loaded: 0, RowStatus.quarantined: 0, RowStatus.ignored: 0}
    loaded_by_row: dict[tuple[str, int], int] = {}  # a row the plausibility review sets aside takes its cells
    for position, outcome in enumerate(parsed.rows):
        rows = filled.get(outcome.sheet)
        if rows is None:  # a file-level outcome names no sheet of the file
            continue
        if outcome.reason_code == "blank_figures":  # blank where figures are read: are there figures elsewhere?
            astray = _figures_astray(sheets[outcome.sheet], outcome, parsed)
            if astray is not None:
                parsed.rows[position] = outcome = astray
        first, last = outcome.row_number - 1, (outcome.last_row_number or outcome.row_number) - 1
        if outcome.status is not RowStatus.loaded:
            counts[outcome.status] += sum(rows[first : last + 1])
            continue
        sheet = sheets[outcome.sheet]
        outcome.set_aside = _set_aside(sheet, outcome, parsed, filled_columns(sheet.rows[first]))
        for value in outcome.set_aside:
            counts[value.status] += 1
        loaded_by_row[(outcome.sheet, outcome.row_number)] = rows[first] - len(outcome.set_aside)
    counts[RowStatus.loaded] = sum(loaded_by_row.values())
    parsed.cells = CellCounts(
        read, counts[RowStatus.loaded], counts[RowStatus.quarantined], counts[RowStatus.ignored], loaded_by_row
    )
    return parsed.cells
