"""Every read of the warehouse a briefing makes: the one place that names mart tables and columns.

The marts are built by dbt (issue 4) and may still change; when a column is renamed, this file is
the only one to edit. Each function returns plain dict rows for one plan and one reporting month
(the month's last day, as the marts store it). Two reads reach outside `marts`: milestone names
(`staging.stg_registry__milestones`, until `fct_milestone_status` carries them) and quarantined
rows (`raw.quarantine`, until the quality results table of issue 5 exists; it is used when present).
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Any

import duckdb

Row = dict[str, Any]

QUALITY_RESULTS_TABLE = "quality.check_results"


# Reads remembered per connection, for a connection that sees one unchanging warehouse: the read-only
# connection of a briefing run (DuckDB lets no process write the file while it is open). A month's county
# briefings ask their plan's questions again (every target of the plan, its rankings and milestones) and
# every briefing asks the month's quality results: each is read once per process.
_REMEMBERED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, dict[tuple, tuple[list[str], list[tuple]]]] = (
    weakref.WeakKeyDictionary()
)


def remember_reads(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Remember every read this module makes on `con` for the connection's life; `con` must be read-only."""
    [(mode,)] = con.execute("select current_setting('access_mode')").fetchall()
    if str(mode).lower() != "read_only":
        raise ValueError("reads are remembered only on a read-only connection: a writable one may change under them")
    _REMEMBERED.setdefault(con, {})
    return con


def _described(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[list[str], list[tuple]]:
    """The column names and rows of a read (remembered, on a connection given to `remember_reads`)."""
    remembered = _REMEMBERED.get(con)
    key = (sql, tuple(tuple(param) if isinstance(param, list) else param for param in params))
    if remembered is not None and key in remembered:
        return remembered[key]
    cursor = con.execute(sql, params)
    read = [column[0] for column in cursor.description], cursor.fetchall()
    if remembered is not None:
        remembered[key] = read
    return read


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[tuple]:
    return _described(con, sql, params or [])[1]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Row]:
    names, found = _described(con, sql, params)
    return [dict(zip(names, values, strict=True)) for values in found]


# per connection, the tables seen to exist: a briefing asks for the same optional tables (quality results,
# findings, the supervision ledger) several times, and the catalogue query cost more than most reads.
# Only a table found is remembered: planwatch never drops these, and one created later is then seen.
_TABLES_FOUND: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, set[str]] = weakref.WeakKeyDictionary()


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    found_before = _TABLES_FOUND.setdefault(con, set())
    if qualified in found_before:
        return True
    schema, table = qualified.split(".")
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()
    if found and found[0]:
        found_before.add(qualified)
        return True
    return False


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
            coalesce(indicators.aggregation, 'stock') as aggregation,
            coalesce(progress.indicator_frequency, 'annual') as indicator_frequency,
            progress.baseline_value, progress.baseline_as_of, progress.actual_value, progress.actual_as_of,
            progress.period,
            progress.data_age_months, progress.margin_to_target, progress.completion_rate,
            progress.time_progress, progress.gap_pp, progress.status, progress.is_final_verdict,
            progress.required_monthly_pace, progress.lead_unit,
            progress.reported_value, progress.reported_value_a_year_earlier, progress.yoy_growth_pct,
            progress.yoy_change_pp, progress.mom_growth_pct, progress.mom_change_pp,
            progress.is_yoy_base_doubted, progress.is_mom_base_doubted,
            progress.projected_value, progress.projected_value_low, progress.projected_value_high,
            progress.projected_to_meet, progress.projection_points,
            progress.observed_annual_growth_pct, progress.required_annual_growth_pct,
            -- a ratio the marts computed from its parts says so, naming them (no department reported it)
            case
                when progress.actual_source = 'derived_ratio'
                    then '按' || numerators.indicator_name || '÷' || denominators.indicator_name || '计算'
                else sources.department_name
            end as actual_source_name,
            coalesce(progress.actual_source = 'derived_ratio', false) as actual_is_derived,
            observed.period_label as actual_period_label
        from marts.fct_target_progress as progress
        inner join marts.dim_target as targets on progress.target_id = targets.target_id
        left join marts.dim_indicator as indicators on progress.indicator_code = indicators.indicator_code
        left join marts.dim_indicator as numerators on indicators.numerator_code = numerators.indicator_code
        left join marts.dim_indicator as denominators on indicators.denominator_code = denominators.indicator_code
        -- who reported the figure the target is judged by (the current source, by source_precedence)
        left join (
            select file_name, sheet, cell, any_value(department_id) as department_id,
                any_value(period_label) as period_label
            from marts.fct_observation group by file_name, sheet, cell
        ) as observed
            on progress.actual_file_name = observed.file_name and progress.actual_sheet = observed.sheet
            and progress.actual_cell = observed.cell
        left join marts.dim_department as sources on observed.department_id = sources.department_id
        where progress.plan_id = ? and progress.period = ?
        order by progress.target_year, progress.target_id
        """,
        [plan_id, period],
    )


def region_ranking(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    return _rows(
        con,
        """
        select ranking.region_rank as rank, ranking.region_code, ranking.region_name as name, ranking.targets,
               ranking.targets_on_track, ranking.targets_lagging, ranking.targets_severely_lagging_or_missed,
               ranking.targets_no_data, ranking.targets_stale, ranking.share_on_track, ranking.mean_completion,
               regions.region_level
        from marts.mart_region_ranking as ranking
        left join marts.dim_region as regions on ranking.region_code = regions.region_code
        where ranking.plan_id = ? and ranking.period = ? and not ranking.is_aggregate
        order by ranking.region_rank, ranking.region_code
        """,
        [plan_id, period],
    )


def department_ranking(con: duckdb.DuckDBPyConnection, plan_id: str, period: dt.date) -> list[Row]:
    return _rows(
        con,
        """
        select department_rank as rank, department_id, department_name as name, targets, targets_on_track,
               targets_lagging, targets_severely_lagging_or_missed, targets_no_data, targets_stale, share_on_track,
               mean_completion, milestones, milestones_overdue, department_score as score
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
            status.is_overdue, status.days_overdue, status.period, status.completed_as_of,
            status.days_late_at_completion
        from marts.fct_milestone_status as status
        left join staging.stg_registry__milestones as registry on status.milestone_id = registry.milestone_id
        left join marts.dim_region as regions on status.region_code = regions.region_code
        left join marts.dim_department as departments on status.lead_unit_id = departments.department_id
        where status.plan_id = ? and status.period = ?
        order by status.is_overdue desc, status.days_overdue desc nulls last, status.deadline, status.milestone_id
        """,
        [plan_id, period],
    )


def departments_located_in(con: duckdb.DuckDBPyConnection, region_code: str, with_children: bool) -> list[str]:
    """The departments seated in a region (and, `with_children`, in the regions directly under it)."""
    found = _fetch(
        con,
        """
        select departments.department_id
        from marts.dim_department as departments
        left join marts.dim_region as regions on departments.region_code = regions.region_code
        where departments.region_code = ? or (? and regions.parent_code = ?)
        order by departments.department_id
        """,
        [region_code, with_children, region_code],
    )
    return [row[0] for row in found]


def department_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every department's name by its id."""
    return dict(_fetch(con, "select department_id, department_name from marts.dim_department"))


def target_names(con: duckdb.DuckDBPyConnection, target_ids: list[str]) -> dict[str, str]:
    """Each target as a finding names it: 民乐县有机农产品基地面积（2027年目标）."""
    if not target_ids:
        return {}
    found = _fetch(
        con,
        "select target_id, region_name || indicator_name || '（' || target_year || '年目标）' "
        "from marts.dim_target where target_id in (select unnest(?))",
        [target_ids],
    )
    return dict(found)


def lead_units(con: duckdb.DuckDBPyConnection, target_ids: list[str]) -> list[str]:
    """The departments that lead (and so report) the given targets."""
    if not target_ids:
        return []
    found = _fetch(
        con,
        "select distinct lead_unit_id from marts.dim_target where target_id in (select unnest(?)) "
        "and lead_unit_id is not null order by 1",
        [target_ids],
    )
    return [row[0] for row in found]


def departments_reporting(
    con: duckdb.DuckDBPyConnection, plan_id: str, indicator_codes: list[str], period: dt.date, milestones: bool
) -> list[str]:
    """The departments that owe, in the month, the plan a figure of any of the indicators, or (`milestones`)
    a report on its milestones (expected submissions; a warehouse loaded before duties named their plans:
    any plan's)."""
    found = _fetch(
        con,
        """
        select distinct department_id from staging.stg_registry__expected_submissions
        where month_index = ?
          and (plan_ids is null or list_contains(string_split(plan_ids, ';'), ?))
          and (list_has_any(string_split(coalesce(indicator_codes, ''), ';'), ?) or (? and expected_milestones > 0))
        order by 1
        """,
        [period.year * 12 + period.month - 1, plan_id, indicator_codes, milestones],
    )
    return [row[0] for row in found]


def indicators_of(con: duckdb.DuckDBPyConnection, target_ids: list[str]) -> list[str]:
    if not target_ids:
        return []
    found = _fetch(
        con,
        "select distinct indicator_code from marts.dim_target where target_id in (select unnest(?)) order by 1",
        [target_ids],
    )
    return [row[0] for row in found]


def reported_indicators_of(con: duckdb.DuckDBPyConnection, target_ids: list[str]) -> list[str]:
    """The indicators departments report for the targets: each target's own, and a ratio's two parts."""
    if not target_ids:
        return []
    found = _fetch(
        con,
        """
        select distinct code from (
            select targets.indicator_code, indicators.numerator, indicators.denominator
            from marts.dim_target as targets
            left join raw.ref_indicators as indicators on targets.indicator_code = indicators.indicator_code
            where targets.target_id in (select unnest(?))
        ) unpivot (code for role in (indicator_code, numerator, denominator))
        where code is not null
        order by 1
        """,
        [target_ids],
    )
    return [row[0] for row in found]


def submissions(con: duckdb.DuckDBPyConnection, department_ids: list[str], period: dt.date) -> list[Row]:
    """Submissions owed in the month by the briefing's departments."""
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
        where completeness.period = ? and completeness.department_id in (select unnest(?))
        order by completeness.is_on_time, received, departments.department_name
        """,
        [period, department_ids],
    )


def quarantined_rows(con: duckdb.DuckDBPyConnection, department_ids: list[str], period: dt.date) -> list[Row]:
    """What was set aside in files covering the month from the given departments, by reason: `rows`, the
    rows set aside whole (a row once, however many entries it has), and `values`, the figures set aside
    from rows whose other figures were taken (scope value: an unknown county's column, one county's slip)."""
    label = f"{period.year:04d}-{period.month:02d}"
    return _rows(
        con,
        """
        with entries as (
            select quarantine.*,
                -- a row a later review round emptied: its earlier single-figure entries are the row's
                bool_or(quarantine.scope = 'row') over (
                    partition by quarantine.load_id, quarantine.sheet, quarantine.row_number
                ) as row_set_aside
            from raw.quarantine as quarantine
            inner join raw.file_loads as loads on quarantine.load_id = loads.load_id
            where ',' || replace(loads.periods, ' ', '') || ',' like '%,' || ? || ',%'
              and quarantine.department_id in (select unnest(?))
        )
        select reason_code,
            count(distinct (load_id, sheet, row_number)) filter (where row_set_aside) as rows,
            count(*) filter (where not row_set_aside) as "values"
        from entries
        group by reason_code
        order by rows desc, "values" desc, reason_code
        """,
        [label, department_ids],
    )


def set_aside_figures(con: duckdb.DuckDBPyConnection, department_ids: list[str], period: dt.date) -> dict[str, str]:
    """By plausibility check: the figures (地区+指标) whose rows were set aside in the files that
    `quarantined_rows` counts, and that no later report has replaced (the briefing names what is missing)."""
    if not table_exists(con, PLAUSIBILITY_FINDINGS_MART):
        return {}
    label = f"{period.year:04d}-{period.month:02d}"
    rows = _fetch(
        con,
        f"""
        with figures as (
            select distinct findings.check_name,
                coalesce(regions.region_name, findings.region_code)
                    || coalesce(indicators.indicator_name, findings.indicator_code) as figure
            from {PLAUSIBILITY_FINDINGS_MART} as findings
            inner join raw.file_loads as loads on findings.load_id = loads.load_id
            left join marts.dim_region as regions on findings.region_code = regions.region_code
            left join marts.dim_indicator as indicators on findings.indicator_code = indicators.indicator_code
            where findings.severity = 'critical'
              and ',' || replace(loads.periods, ' ', '') || ',' like '%,' || ? || ',%'
              and findings.department_id in (select unnest(?))
        )
        select check_name, list(figure order by figure) from figures group by check_name
        """,
        [label, department_ids],
    )
    return {check: "、".join(names[:5]) + (f"等{len(names)}项" if len(names) > 5 else "") for check, names in rows}


def revisions(con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date) -> int:
    """How many current values behind the plan's targets in the month a department's later file changed: its
    latest earlier value for the same figure differs (as the receipt counts 更正; the same figure sent again
    unchanged corrects nothing, and another department's figure is not this one's earlier value)."""
    if not target_ids:
        return 0
    found = con.execute(
        """
        with current_figures as (
            select distinct observations.observation_key, observations.indicator_code, observations.region_code,
                observations.measure, observations.value, observations.load_id, observations.department_id,
                strftime(observations.period, '%Y-%m') as month
            from marts.fct_observation as observations
            inner join marts.dim_target as targets
                on observations.indicator_code = targets.indicator_code
                and observations.region_code = targets.region_code
            where targets.target_id in (select unnest(?)) and observations.period = ?
        ),
        sent_before as (
            select figures.observation_key, any_value(figures.value) as value,
                arg_max(earlier.value, earlier.load_id) as before
            from current_figures as figures
            inner join raw.observations as earlier
                on earlier.indicator_code = figures.indicator_code and earlier.region_code = figures.region_code
                and earlier.period = figures.month and earlier.measure = figures.measure
                and earlier.department_id is not distinct from figures.department_id
                and earlier.load_id < figures.load_id
            group by figures.observation_key
        )
        select count(*) from sent_before
        where abs(value - before) > 1e-9 * greatest(abs(value), abs(before), 1)
        """,
        [target_ids, period],
    ).fetchone()
    return int(found[0]) if found else 0


# the plausibility findings no later load of their figure has answered (a warning's figure still in use,
# a critical one's still missing): the marts' one reading of raw.observation_findings
PLAUSIBILITY_FINDINGS_MART = "marts.fct_plausibility_finding"


def doubted_targets(con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date) -> set[str]:
    """The targets judged this month by a figure that carries a plausibility warning still in use
    (fct_target_progress.is_doubted): their actual and verdict are shown as doubted (※) until the
    department confirms or corrects the figure."""
    rows = _fetch(
        con,
        "select target_id from marts.fct_target_progress where period = ? and target_id in (select unnest(?)) "
        "and is_doubted",
        [period, target_ids],
    )
    return {row[0] for row in rows}


def projections_on_doubted_figures(con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date) -> set[str]:
    """The targets whose projection this month runs through a figure that carries a plausibility warning
    still in use (a month 18 times the others bends the line): their outlook says it waits on the check."""
    query = f"""
        select distinct progress.target_id
        from marts.fct_target_progress as progress
        inner join {PLAUSIBILITY_FINDINGS_MART} as warnings
            on warnings.indicator_code = progress.indicator_code and warnings.region_code = progress.region_code
        where progress.period = ? and progress.target_id in (select unnest(?))
          and progress.projection_points >= 2 and warnings.severity = 'warning'
          and warnings.period between last_day(progress.projection_first_as_of) and last_day(progress.actual_as_of)
        """
    if not table_exists(con, PLAUSIBILITY_FINDINGS_MART):
        return set()
    return {row[0] for row in _fetch(con, query, [period, target_ids])}


def plausibility_warnings(
    con: duckdb.DuckDBPyConnection,
    indicator_codes: list[str],
    region_codes: list[str],
    target_ids: list[str],
    period: dt.date,
) -> list[Row]:
    """Plausibility warnings (planwatch.plausibility) a briefing's figures carry: on the month's own figures
    of its indicators and regions, on the figure each of its targets is judged by this month, and on the
    figures its 同比 and 环比 marked doubted compare against (fct_target_progress.is_yoy_base_doubted,
    is_mom_base_doubted: a warning on a figure of the month compared against, reported for it or in the
    上年同期 column a year on); only while the figure warned of is still the one in use (a correction since
    clears it)."""
    if not table_exists(con, PLAUSIBILITY_FINDINGS_MART):
        return []
    return _rows(
        con,
        f"""
        with in_use as (
            select * replace (strftime(period, '%Y-%m') as period)
            from {PLAUSIBILITY_FINDINGS_MART}
            where severity = 'warning'
        ),
        progress as (
            select * from marts.fct_target_progress where period = ? and target_id in (select unnest(?))
        ),
        judged_by as (  -- the cell each of the briefing's targets is judged by in the month
            select actual_file_name, actual_sheet, actual_cell from progress
        ),
        compared_against as (  -- the months a doubted 同比 or 环比 compares against, and the reports a year on
            select indicator_code, region_code, base_month, base_month + interval 1 year as restated_in
            from (
                select indicator_code, region_code, unnest([
                    case when is_yoy_base_doubted then actual_as_of - interval 1 year end,
                    case when is_mom_base_doubted then actual_as_of - interval 1 month end,
                    case when is_mom_base_doubted then actual_as_of - interval 2 month end
                ]) as base_month
                from progress
            )
            where base_month is not null
        )
        select distinct check_name, message, indicator_code, region_code, period, measure, value, department_id,
            (select department_name from marts.dim_department as departments
             where departments.department_id = in_use.department_id) as department_name
        from in_use
        where (period = ? and indicator_code in (select unnest(?)) and region_code in (select unnest(?)))
           or exists (
                select 1 from judged_by
                where judged_by.actual_file_name = in_use.file_name and judged_by.actual_sheet = in_use.sheet
                  and judged_by.actual_cell = in_use.cell
           )
           or exists (
                select 1 from compared_against as base
                where base.indicator_code = in_use.indicator_code and base.region_code = in_use.region_code
                  and (
                      (in_use.period = strftime(base.base_month, '%Y-%m') and in_use.measure not like 'prior_year_%')
                      or (in_use.period = strftime(base.restated_in, '%Y-%m') and in_use.measure like 'prior_year_%')
                  )
           )
        order by indicator_code, region_code, period, measure, check_name
        """,
        [period, target_ids, f"{period.year:04d}-{period.month:02d}", indicator_codes, region_codes],
    )


def baseline_disagreements(
    con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date, tolerance: float
) -> list[Row]:
    """The briefing's targets measured from the plan's baseline (规划基期数) where the figure reported for
    that base period says otherwise beyond `tolerance` (a share of the larger): one row per indicator,
    region and base period, with both values in the measure's unit. The base period's figure is its own
    report, else the 上年同期 column of the report a year later (a base year reported only that way)."""
    return _rows(
        con,
        """
        with compared as (
            select
                indicators.indicator_name, indicators.aggregation, regions.region_name, progress.baseline_as_of,
                progress.unit, progress.baseline_value,
                coalesce(observed.value, restated.value) as reported_value,
                coalesce(observed.file_name, restated.file_name) as file_name
            from marts.fct_target_progress as progress
            inner join marts.dim_indicator as indicators on progress.indicator_code = indicators.indicator_code
            -- as the marts store a figure: a stock's level at the period's end, anything else year-to-date
            left join marts.fct_observation as observed
                on observed.indicator_code = progress.indicator_code
                and observed.region_code = progress.region_code
                and observed.period = last_day(progress.baseline_as_of)
                and observed.measure = case
                    when indicators.aggregation = 'stock' then 'period_end_value' else 'ytd_value'
                end
            left join marts.fct_observation as restated
                on restated.indicator_code = progress.indicator_code
                and restated.region_code = progress.region_code
                and restated.period = last_day(progress.baseline_as_of + interval 1 year)
                and restated.measure = case
                    when indicators.aggregation = 'stock' then 'prior_year_period_end_value'
                    else 'prior_year_ytd_value'
                end
            inner join marts.dim_region as regions on progress.region_code = regions.region_code
            where progress.period = ? and progress.target_id in (select unnest(?))
              and progress.baseline_source = 'registry' and progress.measure_space in ('level', 'year_total')
              and progress.target_kind not in ('growth_over_base', 'average_annual_growth')
        )
        select distinct * from compared
        where reported_value is not null
          and abs(reported_value - baseline_value) > ? * greatest(abs(reported_value), abs(baseline_value))
        order by 3, 1, 4
        """,
        [period, target_ids, tolerance],
    )


def prior_year_disagreements(
    con: duckdb.DuckDBPyConnection, target_ids: list[str], period: dt.date, tolerance: float
) -> list[Row]:
    """The briefing's targets whose 同比 is reckoned from a figure reported a year earlier that the current
    report's 上年同期 column restates otherwise beyond `tolerance` (a share of the larger): one row per
    indicator, region and month, both values in the indicator's unit (docs/method.md, 9: the direct report
    is the base)."""
    return _rows(
        con,
        """
        select distinct
            indicators.indicator_name, indicators.aggregation, regions.region_name, progress.actual_as_of,
            indicators.canonical_unit as unit, progress.reported_value_a_year_earlier as earlier_value,
            restated.value as restated_value, restated.file_name
        from marts.fct_target_progress as progress
        inner join marts.fct_observation as restated
            on restated.indicator_code = progress.indicator_code
            and restated.region_code = progress.region_code
            and restated.period = progress.actual_as_of
            and restated.measure in ('prior_year_ytd_value', 'prior_year_period_end_value')
        inner join marts.dim_indicator as indicators on progress.indicator_code = indicators.indicator_code
        inner join marts.dim_region as regions on progress.region_code = regions.region_code
        where progress.period = ? and progress.target_id in (select unnest(?))
          and progress.reported_value_a_year_earlier is not null
          and abs(restated.value - progress.reported_value_a_year_earlier)
              > ? * greatest(abs(restated.value), abs(progress.reported_value_a_year_earlier))
        order by 3, 1, 4
        """,
        [period, target_ids, tolerance],
    )


def quality_results(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[Row]:
    """The month's findings of its latest quality run and its override, when the results table exists;
    `scope` (JSON) says whose rows each finding concerns (planwatch.quality.run.scope_of)."""
    if not table_exists(con, QUALITY_RESULTS_TABLE):
        return []
    return _rows(
        con, f"select * from {QUALITY_RESULTS_TABLE} where period = ? order by severity, suite, check_name", [period]
    )


def rejected_files(con: duckdb.DuckDBPyConnection, period: dt.date) -> list[Row]:
    """Files covering the month refused as a whole (`raw.file_loads` status rejected), with the reason
    ingest recorded, the sender's name, and whether the office recorded a 退回 of the sender's month
    that covers the file (`supervision.submission_reviews`): what the file_readable finding is about."""
    label = f"{period.year:04d}-{period.month:02d}"
    returned = "false"
    if table_exists(con, "supervision.submission_reviews"):
        returned = """exists (
            select 1 from supervision.submission_reviews as reviews
            where reviews.department_id = loads.department_id and reviews.period = ?
              and reviews.decision = 'returned' and coalesce(reviews.up_to_load_id, 0) >= loads.load_id
        )"""
    params: list[Any] = [label] if returned != "false" else []
    return _rows(
        con,
        f"""
        select loads.load_id, loads.file_name, loads.department_id, departments.department_name,
               loads.rejection_reason, {returned} as returned
        from raw.file_loads as loads
        left join marts.dim_department as departments on loads.department_id = departments.department_id
        where loads.status = 'rejected'
          and ',' || replace(coalesce(loads.periods, ''), ' ', '') || ',' like '%,' || ? || ',%'
        order by loads.load_id
        """,
        [*params, label],
    )
