"""Which departments a plan's briefing speaks of: those that report for this plan, not every department
seated in its region (a county plan's bureaus sit under a city plan's region and report for their own)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import duckdb
import pytest

from planwatch.briefing.gather import briefing_scope

CITY, COUNTY = "230300", "230381"
MONTH = dt.date(2025, 6, 30)
MONTH_INDEX = 2025 * 12 + 6 - 1


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    """The tables the scope reads, as the marts and staging views hold them: a city plan P over a county
    that has its own plan Q."""
    con = duckdb.connect()
    for schema in ("marts", "staging", "raw"):
        con.execute(f"create schema {schema}")
    con.execute("create table marts.dim_region (region_code varchar, parent_code varchar)")
    con.execute("insert into marts.dim_region values (?, null), (?, ?)", [CITY, COUNTY, CITY])
    con.execute(
        "create table marts.dim_department (department_id varchar, department_name varchar, region_code varchar)"
    )
    con.execute(
        "insert into marts.dim_department values "
        "('city.agri', '市农业农村局', ?), ('city.office', '市政府办公室', ?), ('city.idle', '市文旅局', ?), "
        "('county.agri', '县农业农村局', ?), ('county.stats', '县统计局', ?)",
        [CITY, CITY, CITY, COUNTY, COUNTY],
    )
    con.execute("create table marts.dim_target (target_id varchar, indicator_code varchar, lead_unit_id varchar)")
    con.execute("insert into marts.dim_target values ('p.city', 'rice_area', null), ('p.county', 'rice_area', null)")
    con.execute("create table raw.ref_indicators (indicator_code varchar, numerator varchar, denominator varchar)")
    con.execute("insert into raw.ref_indicators values ('rice_area', null, null)")
    con.execute(
        "create table staging.stg_registry__expected_submissions (month_index integer, department_id varchar, "
        "indicator_codes varchar, expected_milestones integer, plan_ids varchar)"
    )
    con.execute(
        "insert into staging.stg_registry__expected_submissions values "
        "(?, 'city.agri', 'rice_area', 0, 'P'), "  # reports the city plan's figure
        "(?, 'city.office', '', 2, 'P'), "  # reports the city plan's milestones
        "(?, 'county.agri', 'rice_area;fish_output', 0, 'Q'), "  # the same indicator, for the county's own plan
        "(?, 'county.stats', 'grain_output', 0, 'Q')",
        [MONTH_INDEX] * 4,
    )
    return con


def _lines(*target_ids: str, region: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(target_id=target_id, period=MONTH, region_code=region) for target_id in target_ids]


def test_a_city_plans_briefing_names_the_departments_reporting_for_it_not_a_county_plans(con) -> None:
    plan = {"plan_id": "P", "region_code": CITY}
    _, located, reporting = briefing_scope(con, plan, _lines("p.city", region=CITY), None)
    assert set(located) == {"city.agri", "city.office", "city.idle", "county.agri", "county.stats"}
    assert reporting == ["city.agri", "city.office"]


def test_a_county_briefing_names_the_city_department_reporting_its_figure_not_the_milestones(con) -> None:
    plan = {"plan_id": "P", "region_code": CITY}
    _, _, reporting = briefing_scope(con, plan, _lines("p.county", region=COUNTY), COUNTY)
    assert reporting == ["city.agri"]


def test_duties_loaded_before_they_named_their_plans_count_for_every_plan(con) -> None:
    con.execute("update staging.stg_registry__expected_submissions set plan_ids = null")
    plan = {"plan_id": "P", "region_code": CITY}
    _, _, reporting = briefing_scope(con, plan, _lines("p.city", region=CITY), None)
    assert reporting == ["city.agri", "city.office", "county.agri"]
