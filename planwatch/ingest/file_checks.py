"""Checks across a whole parsed file, once each sheet was parsed on its own: what no sheet's parser can
see. Each check names the rows it sets aside (quarantined, with a reason for the clerk); `check_file`
applies them in turn, so that a row set aside by one is no longer a figure the next one reads:
- in a file of several periods (a long table), a row of a month not yet come or outside the plans' span,
  or of a month an issued briefing locked (one bad row does not refuse the file, as it does a template
  or table of one period, or a file of locked months only);
- a figure typed into merged cells (C4:C5, one number for two counties): every row the merge covers;
- figures on a sheet the clerk hid (a draft, last period's), as in a hidden row;
- one figure on two sheets with two values (a table and its 修改稿): both rows, each naming the other.
"""

from __future__ import annotations

from collections.abc import Callable

from planwatch.ingest.periods import PlanSpan, unusable_period
from planwatch.ingest.read import SourceFile
from planwatch.ingest.records import ParsedFile, RowStatus, quarantined_row
from planwatch.ingest.values import cell_address

# a row set aside: its index in the file's rows → (reason code, cell, the reason's details)
SetAside = dict[int, tuple[str, str | None, dict[str, object]]]


def check_file(
    parsed: ParsedFile, source: SourceFile, span: PlanSpan | None, locked: dict[str, str] | None = None
) -> None:
    """Quarantine the rows the whole-file checks set aside, in place; the file's periods follow.
    `locked`: the sender's months an issued briefing locked → why their rows are not taken."""
    checks: list[Callable[[ParsedFile, SourceFile], SetAside]] = [merged_figures, hidden_sheets, sheets_disagree]
    if len(parsed.periods) > 1:
        checks.insert(0, lambda parsed, source: months_not_accepted(parsed, span))
        if locked and not set(parsed.periods) <= set(locked):  # locked months only: the file is refused whole
            checks.insert(1, lambda parsed, source: months_locked(parsed, locked))
    sheets = {sheet.name: sheet for sheet in source.sheets}
    changed = False
    for check in checks:
        for index, (code, cell, details) in check(parsed, source).items():
            row = parsed.rows[index]
            parsed.rows[index] = quarantined_row(sheets[row.sheet], row.row_number - 1, code, cell, **details)
            changed = True
    if changed:  # a file none of whose rows is left keeps its periods: the receipt says which month it was
        parsed.periods = {o.period for row in parsed.rows for o in row.observations} or parsed.periods


def months_not_accepted(parsed: ParsedFile, span: PlanSpan | None) -> SetAside:
    """Rows of a month not yet come or outside the span of the sender's plans, with the reason."""
    found: SetAside = {}
    for index, row in enumerate(parsed.rows):
        periods = {observation.period for observation in row.observations}
        why = unusable_period(periods, span=span) if row.status is RowStatus.loaded and periods else None
        if why is not None:
            found[index] = ("period_not_accepted", row.observations[0].cell, {"why": why})
    return found


def months_locked(parsed: ParsedFile, locked: dict[str, str]) -> SetAside:
    """Rows of a month an issued briefing locked, with the way to ask for a correction."""
    found: SetAside = {}
    for index, row in enumerate(parsed.rows):
        periods = sorted({observation.period for observation in row.observations} & set(locked))
        if row.status is RowStatus.loaded and periods:
            found[index] = ("locked_month", row.observations[0].cell, {"why": locked[periods[0]]})
    return found


def merged_figures(parsed: ParsedFile, source: SourceFile) -> SetAside:
    """Every row a merged range holding a figure covers (its value stands in its first cell: only those are
    looked up), naming the range."""
    firsts = {
        (sheet.name, cell_address(r0, c0)): (r0, c0, r1, c1)
        for sheet in source.sheets
        for (r0, c0), (r1, c1) in sheet.merged
        if r1 > r0 or c1 > c0
    }
    covered: dict[tuple[str, int], str] = {}  # (sheet, row number) → the range that covers it
    for row in parsed.rows if firsts else ():
        for observation in row.observations:
            span = firsts.get((row.sheet, observation.cell))
            if span is not None:
                text = f"{cell_address(span[0], span[1])}:{cell_address(span[2], span[3])}"
                covered.update({(row.sheet, number + 1): text for number in range(span[0], span[2] + 1)})
    return {
        index: ("merged_figure", text.split(":")[0], {"cells": text})
        for index, row in enumerate(parsed.rows)
        if row.row_count == 1 and (text := covered.get((row.sheet, row.row_number))) is not None
    }


def hidden_sheets(parsed: ParsedFile, source: SourceFile) -> SetAside:
    """The rows that would load from a sheet the clerk hid (the hidden _planwatch sheet holds none)."""
    hidden = {sheet.name for sheet in source.sheets if sheet.hidden}
    return {
        index: ("hidden_sheet", row.observations[0].cell, {})
        for index, row in enumerate(parsed.rows)
        if row.sheet in hidden and row.status is RowStatus.loaded and row.observations
    }


def sheets_disagree(parsed: ParsedFile, source: SourceFile) -> SetAside:
    """The rows of two sheets that give one figure (indicator, region, period, measure) two values; within a
    sheet the parsers do the same, and the same value twice is harmless and loads once."""
    first: dict[tuple, tuple[str, int, float]] = {}  # figure → (sheet, row number, value)
    clashes: dict[tuple[str, int], tuple[str, int]] = {}  # a row → the other sheet's row it disagrees with
    for row in parsed.rows:
        if row.status is not RowStatus.loaded:
            continue
        for observation in row.observations:
            key = (observation.indicator_code, observation.region_code, observation.period, observation.measure)
            seen = first.setdefault(key, (row.sheet, row.row_number, observation.value))
            if seen[0] != row.sheet and abs(seen[2] - observation.value) > 1e-9 * max(abs(seen[2]), 1.0):
                clashes[(row.sheet, row.row_number)] = seen[:2]
                clashes.setdefault(seen[:2], (row.sheet, row.row_number))
    return {
        index: (
            "conflicting_across_sheets",
            row.observations[0].cell if row.observations else None,
            {"other_sheet": other[0], "other_row": other[1]},
        )
        for index, row in enumerate(parsed.rows)
        if row.status is RowStatus.loaded and (other := clashes.get((row.sheet, row.row_number))) is not None
    }
