"""Every read of the warehouse a briefing makes: the one place that names mart tables and columns.

The marts are built by dbt (issue 4) and may still change; when a column is renamed, this file is
the only one to edit. Each function returns plain dict rows for one plan and one reporting month
(the month's last day, as the marts store it). Two reads reach outside `marts`: milestone names
(`staging.stg_registry__milestones`, until `fct_milestone_status` carries them) and quarantined
rows (`raw.quarantine`, until the quality results table of issue 5 exists; it is used when present).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

Row = dict[str, Any]

QUALITY_RESULTS_TABLE = "quality.check_results"


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()
    return bool(found and found[0])


def plans(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return _rows(
        con,
        """
        select plan_id, plan_title, issuer, document_number, issue_date, period_start, period_end,
               region_code, region_name
        from marts.dim_plan order by plan_id
        """,
        [],
    )


def latest_period(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    found = con.execute("select max(period) from marts.fct_target_progress").fetchone()
    return found[0] if found else None


def target_progress(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    """Every target of the plan in the month, with its names and the unit its actual is measured in."""
    return _rows(
        con,
        """
        select
            progress.target_id, targets.indicator_name, progress.region_code, targets.region_name,
            progress.target_year, progress.target_kind, progress.comparator, progress.target_value,
            progress.unit as target_unit, progress.target_level,
            coalesce(indicators.canonical_unit, progress.unit) as measure_unit, progress.measure_space,
            progress.baseline_value, progress.actual_value, progress.actual_as_of, progress.completion_rate,
            progress.time_progress, progress.gap_pp, progress.status, progress.is_final_verdict,
            progress.required_monthly_pace, progress.lead_unit
        from marts.fct_target_progress as progress
        inner join marts.dim_target as targets on progress.target_id = targets.target_id
        left join marts.dim_indicator as indicators on progress.indicator_code = indicators.indicator_code
        where progress.plan_id = ? and progress.period = ?
        order by progress.target_year, progress.target_id
        """,
        [plan_id, period],
    )


def target_trend(con: duckdb.DuckDBPyConnection, target_id: str, year: int, until: dt.date) -> list[Row]:
    """A target's months of one year up to `until`: actual and the expected path value."""
    return _rows(
        con,
        """
        select period, actual_value, actual_as_of, expected_value_now, target_level
        from marts.fct_target_progress
        where target_id = ? and year(period) = ? and period <= ?
        order by period
        """,
        [target_id, year, until],
    )


def region_ranking(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    return _rows(
        con,
        """
        select region_rank as rank, region_code, region_name as name, targets, targets_on_track, targets_lagging,
               targets_severely_lagging_or_missed, targets_no_data, share_on_track, mean_completion
        from marts.mart_region_ranking
        where plan_id = ? and period = ?
        order by region_rank, region_code
        """,
        [plan_id, period],
    )


def department_ranking(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    return _rows(
        con,
        """
        select department_rank as rank, department_id, department_name as name, targets, targets_on_track,
               targets_lagging, targets_severely_lagging_or_missed, targets_no_data, share_on_track,
               mean_completion, milestones, milestones_overdue
        from marts.mart_department_scorecard
        where plan_id = ? and period = ?
        order by department_rank, department_id
        """,
        [plan_id, period],
    )


def milestones(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    """The plan's milestones in the month, overdue first and longest overdue first."""
    return _rows(
        con,
        """
        select
            status.milestone_id, coalesce(registry.project, status.milestone_id) as project,
            regions.region_name, status.region_code, departments.department_name as lead_unit,
            status.deadline, status.reported_status, status.percent_complete, status.reported_as_of,
            status.is_overdue, status.days_overdue
        from marts.fct_milestone_status as status
        left join staging.stg_registry__milestones as registry on status.milestone_id = registry.milestone_id
        left join marts.dim_region as regions on status.region_code = regions.region_code
        left join marts.dim_department as departments on status.lead_unit_id = departments.department_id
        where status.plan_id = ? and status.period = ?
        order by status.is_overdue desc, status.days_overdue desc nulls last, status.deadline, status.milestone_id
        """,
        [plan_id, period],
    )


def submissions(con: duckdb.DuckDBPyConnection, plan_region_code: str, period: dt.date) -> list[Row]:
    """Submissions owed in the month by the departments of the plan's city (and its counties)."""
    return _rows(
        con,
        """
        select
            departments.department_name, completeness.due_date,
            completeness.submissions_received > 0 as received, completeness.files_received,
            completeness.indicators_expected, completeness.indicators_received,
            completeness.milestones_expected, completeness.milestones_received,
            cast(completeness.first_received_at as date) as first_received_at, completeness.is_on_time
        from marts.mart_submission_completeness as completeness
        inner join marts.dim_department as departments on completeness.department_id = departments.department_id
        left join marts.dim_region as regions on departments.region_code = regions.region_code
        where completeness.period = ?
          and (departments.region_code = ? or regions.parent_code = ?)
        order by completeness.is_on_time, received, departments.department_name
        """,
        [period, plan_region_code, plan_region_code],
    )


def quarantined_rows(con: duckdb.DuckDBPyConnection, plan_region_code: str, period: dt.date) -> list[Row]:
    """Rows set aside in files covering the month from the plan's departments, counted by reason."""
    label = f"{period.year:04d}-{period.month:02d}"
    return _rows(
        con,
        """
        select quarantine.reason_code, count(*) as rows
        from raw.quarantine as quarantine
        inner join raw.file_loads as loads on quarantine.load_id = loads.load_id
        inner join marts.dim_department as departments on quarantine.department_id = departments.department_id
        left join marts.dim_region as regions on departments.region_code = regions.region_code
        where ',' || replace(loads.periods, ' ', '') || ',' like '%,' || ? || ',%'
          and (departments.region_code = ? or regions.parent_code = ?)
        group by quarantine.reason_code
        order by rows desc, quarantine.reason_code
        """,
        [label, plan_region_code, plan_region_code],
    )


def revisions(con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date) -> int:
    """How many current values behind the plan's targets in the month replaced an earlier submission."""
    if not target_ids:
        return 0
    found = con.execute(
        """
        select count(distinct observations.observation_key)
        from marts.fct_observation as observations
        inner join marts.dim_target as targets
            on observations.indicator_code = targets.indicator_code and observations.region_code = targets.region_code
        where targets.target_id in (select unnest(?)) and observations.period = ?
          and observations.superseded_revisions > 0
        """,
        [target_ids, period],
    ).fetchone()
    return int(found[0]) if found else 0


def quality_results(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[Row]:
    """Warnings and overrides from the quality gate (issue 5), when its results table exists."""
    if not table_exists(con, QUALITY_RESULTS_TABLE):
        return []
    return _rows(con, f"select * from {QUALITY_RESULTS_TABLE} where period = ?", [period])
