"""Whether the marts show the office's decisions: what the publication gate asks before any briefing."""

from __future__ import annotations

import datetime as dt

import duckdb

from planwatch.supervision.ledger import ensure_tables
from planwatch.supervision.marts_state import marts_behind_decisions

KEY = ("beef_cattle_rearing_volume", "620825", "2024-06", "ytd_value")


def _warehouse(current_load_ids: list[int]) -> duckdb.DuckDBPyConnection:
    """The ledger's own tables, and a fct_observation holding figures of these loads."""
    connection = duckdb.connect()
    ensure_tables(connection)
    connection.execute("create schema marts")
    connection.execute("create table marts.fct_observation (load_id bigint, department_id varchar, period date)")
    for load_id in current_load_ids:
        connection.execute(
            "insert into marts.fct_observation values (?, 'pingliang.agriculture_rural_bureau', ?)",
            [load_id, dt.date(2024, 6, 30)],
        )
    return connection


def _correct(connection: duckdb.DuckDBPyConnection, correction_id: int, load_id: int, value: float) -> None:
    connection.execute(
        "insert into supervision.corrections (correction_id, indicator_code, region_code, period, measure, "
        "old_value, new_value, unit, department_id, reason, actor, corrected_at, load_id) "
        "values (?, ?, ?, ?, ?, 30.0, ?, '万头', null, '统计局核定', '张科长', now(), ?)",
        [correction_id, *KEY, value, load_id],
    )


def test_a_correction_not_yet_rebuilt_into_the_marts_holds_the_gate() -> None:
    connection = _warehouse([1])
    _correct(connection, 1, 10, 31.0)
    assert marts_behind_decisions(connection) == ["1 correction(s) not yet in the marts"]
    connection.execute("insert into marts.fct_observation values (10, null, '2024-06-30')")
    assert marts_behind_decisions(connection) == []


def test_a_figure_corrected_twice_shows_only_its_second_correction() -> None:
    connection = _warehouse([11])  # the second correction is current: the first is history, not missing
    _correct(connection, 1, 10, 31.0)
    _correct(connection, 2, 11, 31.5)
    assert marts_behind_decisions(connection) == []


def test_the_figures_of_a_returned_month_must_leave_the_marts() -> None:
    connection = _warehouse([5])
    connection.execute(
        "insert into supervision.submission_reviews values (null, 'pingliang.agriculture_rural_bureau', '2024-06', "
        "'city', 'returned', '与统计局数据不一致', 5, '张科长', now())"
    )
    assert marts_behind_decisions(connection) == ["1 figure(s) of returned submissions still in the marts"]
    connection.execute(
        "insert into supervision.submission_reviews values (null, 'pingliang.agriculture_rural_bureau', '2024-06', "
        "'city', 'approved', null, 5, '张科长', now() + interval 1 minute)"
    )
    assert marts_behind_decisions(connection) == []  # approved again: its figures are current once more
