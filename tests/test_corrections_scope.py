"""更正登记 corrects only a figure whose own sender's month is locked (its briefing issued): another
department's issued briefing locks only its own reports, and a figure of a month still open is sent again
by its department, never overridden by a correction."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from planwatch.ingest.raw_schema import ensure_tables as ensure_raw_tables
from planwatch.supervision.corrections import CorrectionError, correct
from planwatch.supervision.ledger import ensure_tables

PERIOD = "2025-11"
LOCKED, OPEN = "zhangye.agriculture_rural_bureau", "hulin.statistics_bureau"


def _warehouse() -> duckdb.DuckDBPyConnection:
    """Two departments' figures of November in the marts; only the first department's month is locked."""
    connection = duckdb.connect()
    ensure_raw_tables(connection)
    ensure_tables(connection)
    connection.execute("create schema if not exists marts")
    connection.execute(
        "create table marts.fct_observation (indicator_code varchar, region_code varchar, period date, "
        "measure varchar, value double, unit varchar, department_id varchar, period_label varchar)"
    )
    for indicator, region, department in (
        ("organic_base_area", "620702", LOCKED),
        ("meat_processing_revenue", "230381", OPEN),
    ):
        connection.execute(
            "insert into marts.fct_observation values (?, ?, ?, 'period_end_value', 10.0, '万亩', ?, null)",
            [indicator, region, dt.date(2025, 11, 30), department],
        )
    connection.execute("insert into supervision.locked_months values ('zhangye_plan', ?, ?, now())", [PERIOD, LOCKED])
    return connection


def test_a_figure_of_a_department_whose_month_is_not_locked_is_not_corrected() -> None:
    connection = _warehouse()
    with pytest.raises(CorrectionError, match="尚未随通报签发锁定"):
        correct(connection, "meat_processing_revenue", "230381", PERIOD, 1.0, "核定", "张科长")
    assert connection.execute("select count(*) from supervision.corrections").fetchone() == (0,)
    assert connection.execute("select count(*) from raw.observations").fetchone() == (0,)


def test_a_figure_of_a_locked_department_is_corrected() -> None:
    connection = _warehouse()
    done = correct(connection, "organic_base_area", "620702", PERIOD, 12.0, "统计局核定", "张科长")
    assert done.correction_id == 1
    assert connection.execute("select value, department_id from raw.observations").fetchall() == [(12.0, LOCKED)]
