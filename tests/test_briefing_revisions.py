"""What a briefing counts as 经部门更正后重新报送的数值: a current figure that a department's later file changed,
as its receipt counts 更正 — not a figure sent again unchanged, nor one another department also reported."""

from __future__ import annotations

import datetime as dt

import duckdb

from planwatch.briefing.marts import revisions

MONTH = dt.date(2025, 9, 30)


def _warehouse(loads: list[tuple[int, str, str | None, float]]) -> duckdb.DuckDBPyConnection:
    """raw.observations of one figure per region (apples, 2025-09), load by load, and the marts' current value
    (the newest load of each region)."""
    con = duckdb.connect()
    con.execute("create schema raw; create schema marts")
    con.execute(
        "create table raw.observations (load_id bigint, indicator_code varchar, region_code varchar, "
        "period varchar, measure varchar, department_id varchar, value double)"
    )
    for load_id, region, department, value in loads:
        con.execute(
            "insert into raw.observations values (?, 'apple_output', ?, '2025-09', 'ytd_value', ?, ?)",
            [load_id, region, department, value],
        )
    con.execute(
        """
        create table marts.fct_observation as
        select indicator_code || '|' || region_code || '|' || period || '|' || measure as observation_key,
            last_day(cast(period || '-01' as date)) as period, indicator_code, region_code, measure,
            arg_max(value, load_id) as value, max(load_id) as load_id, arg_max(department_id, load_id) as department_id
        from raw.observations group by all
        """
    )
    con.execute("create table marts.dim_target (target_id varchar, indicator_code varchar, region_code varchar)")
    con.execute(
        "insert into marts.dim_target values ('t1', 'apple_output', '620825'), ('t2', 'apple_output', '620826'), "
        "('t3', 'apple_output', '620823'), ('t4', 'apple_output', '620821')"
    )
    return con


def test_only_figures_a_department_changed_count_as_resubmitted() -> None:
    agri, stats = "pingliang.agriculture_rural_bureau", "pingliang.statistics_bureau"
    con = _warehouse(
        [
            (1, "620825", agri, 10.0),
            (2, "620825", agri, 12.0),  # changed by the same department: a correction
            (1, "620826", agri, 20.0),
            (2, "620826", agri, 20.0),  # sent again unchanged: no correction
            (1, "620823", agri, 30.0),
            (3, "620823", stats, 31.0),  # another department's figure: no correction of the first's
            (1, "620821", agri, 40.0),
            (2, "620821", agri, 44.0),
            (4, "620821", agri, 44.0),  # the latest earlier value is 44: unchanged, though 40 came before it
        ]
    )
    assert revisions(con, ["t1", "t2", "t3", "t4"], MONTH) == 1
    assert revisions(con, ["t2", "t3", "t4"], MONTH) == 0
    assert revisions(con, [], MONTH) == 0
