"""What a briefing's data-quality section counts as set aside: rows set aside whole, once each, apart from the
single figures taken out of rows whose other figures were used (a statistics table's one county)."""

from __future__ import annotations

import datetime as dt

import duckdb

from planwatch.briefing.gather import quarantine_notes
from planwatch.briefing.marts import quarantined_rows

BUREAU = "pingliang.statistics_bureau"


def test_rows_are_counted_once_and_single_figures_apart() -> None:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.file_loads (load_id bigint, periods varchar)")
    con.execute("insert into raw.file_loads values (1, '2025-06'), (2, '2025-05')")
    con.execute(
        "create table raw.quarantine (load_id bigint, sheet varchar, row_number integer, department_id varchar, "
        "reason_code varchar, scope varchar)"
    )
    con.execute(
        "insert into raw.quarantine values "
        # a row emptied in two review rounds: two entries, one row
        f"(1, 's', 3, '{BUREAU}', 'unit_scale', 'value'), (1, 's', 3, '{BUREAU}', 'unit_scale', 'row'), "
        f"(1, 's', 4, '{BUREAU}', 'unit_scale', 'row'), "
        # one county's figure taken from a row whose other counties were used, twice
        f"(1, 's', 5, '{BUREAU}', 'unit_scale', 'value'), (1, 's', 6, '{BUREAU}', 'unit_scale', 'value'), "
        f"(2, 's', 3, '{BUREAU}', 'unit_scale', 'row')"  # another month's file
    )
    [row] = quarantined_rows(con, [BUREAU], dt.date(2025, 6, 30))
    assert (row["reason_code"], row["rows"], row["values"]) == ("unit_scale", 2, 2)
    notes = quarantine_notes(row)
    assert [(note.count, "暂未采用的行" in note.text, "单项数值" in note.text) for note in notes] == [
        (2, True, False),
        (2, False, True),
    ]
    assert quarantine_notes(row | {"values": 0}) == notes[:1]
