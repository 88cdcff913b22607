"""What each suite validates: dataframes read from the DuckDB warehouse, with the columns the checks compare.

GX's SQL datasource does not work on DuckDB, so every suite validates a pandas dataframe read with
`con.sql(...).df()`. The SQL here only gathers and derives (month indexes, the previous month's
current value, the indicator's range and unit dimension), the indicator catalogue adds each row's
jump thresholds, and the judging is the suites'. This is the one place that names warehouse tables
and mart columns for the quality checks: when a mart column is renamed, edit `MARTS` below.

Which rows belong to a month: every observation of every file (load) that reported a figure for that
month, so a wrong period typed in such a file is checked with it, and of every file whose figures the
month's target progress stands on (an annual figure reported last December is the current figure of
every month after it): a briefing never shows as current a figure whose file failed a critical check.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from planwatch.config import Settings, settings
from planwatch.periods import Period
from planwatch.quality.project import ROW_ID
from planwatch.registry.reference import Problem, load_reference
from planwatch.registry.schema import Indicator

# Mart tables and the columns read from them (issue 4's marts; period is the month's last day).
MARTS = {
    "target_progress": "marts.fct_target_progress",
    "region_ranking": "marts.mart_region_ranking",
    "submission_completeness": "marts.mart_submission_completeness",
    "dim_target": "marts.dim_target",
    "dim_plan": "marts.dim_plan",
    "observations": "marts.fct_observation",
}

# Columns a sample row of each frame keeps in the results table: where the figure came from.
LINEAGE_COLUMNS = {
    "observations": [
        "file_name",
        "sheet",
        "cell",
        "indicator_code",
        "region_code",
        "period",
        "measure",
        "value",
        "parts_total",
        "members_allowed",
    ],
    "file_loads": ["file_name", "status", "rows_read", "rows_accounted", "rejection_reason"],
    "submission_completeness": [
        "department_id",
        "period",
        "submissions_expected",
        "submissions_received",
        "indicators_expected",
        "indicators_received",
        "due_date",
    ],
    "target_progress": ["target_id", "status", "completion_rate", "file_name", "sheet", "cell"],
    "region_ranking": ["plan_id", "region_code", "region_rank", "expected_rank"],
}

_MONTH_INDEX = "(year({0}) * 12 + month({0}) - 1)"

OBSERVATIONS_SQL = f"""
with
ref_regions as (
    -- a warehouse whose registry was loaded before regions had members has no such column: no groups
    select region_code, parent_code, {{members}} as members from raw.ref_regions
),
units as (
    select unit, dimension from raw.ref_units
    union all
    select trim(alias), dimension
    from raw.ref_units, unnest(string_split(coalesce(aliases, ''), ';')) as aliases(alias)
    where trim(alias) <> ''
),
indexed as (
    select
        *,
        {_MONTH_INDEX.format("period_date")} as period_month_index,
        {_MONTH_INDEX.format("loaded_at")} as load_month_index,
        -- the value each row revises: the same figure's newest value from an earlier load
        lag(value) over revisions as superseded_value,
        lag(load_id) over revisions as superseded_load_id,
        row_number() over (
            partition by indicator_code, region_code, period, measure order by load_id desc, row_number desc
        ) = 1 as is_current
    from (select *, try_strptime(period || '-01', '%Y-%m-%d') as period_date from raw.observations)
    window revisions as (partition by indicator_code, region_code, period, measure order by load_id, row_number)
),
current_values as (
    -- the value a reader sees: the newest load's, per (indicator, region, month, measure)
    select indicator_code, region_code, period_month_index, measure, value
    from indexed
    where period_month_index is not null
    qualify row_number() over (
        partition by indicator_code, region_code, period_month_index, measure
        order by load_id desc, row_number desc
    ) = 1
),
part_of as (
    -- a region's parts: a group's members (重点帮扶县 = 庄浪县 + 静宁县), else its direct sub-regions, of
    -- which a group of some of them is not one (it would count them twice)
    select parent_code as region_code, region_code as part_code
    from ref_regions
    where parent_code is not null and members is null
    union all
    select groups.region_code, trim(member.part_code)
    from ref_regions as groups, unnest(string_split(groups.members, ';')) as member(part_code)
    where groups.members is not null
),
group_sizes as (
    select region_code, count(*) as members from part_of
    where region_code in (select region_code from ref_regions where members is not null)
    group by region_code
),
region_parts as (
    -- the current figures of a region's parts, added up (for a quantity that adds up)
    select
        part_of.region_code, current_values.indicator_code, current_values.period_month_index,
        current_values.measure, sum(current_values.value) as parts_total, count(*) as parts
    from current_values
    inner join part_of on current_values.region_code = part_of.part_code
    group by all
),
plan_starts as (
    -- the earliest month an indicator may report: January of the year before its first plan starts
    select targets.indicator_code, min((year(cast(plans.period_start as date)) - 1) * 12) as earliest_month_index
    from raw.registry_targets as targets
    inner join raw.registry_plans as plans on targets.plan_id = plans.plan_id
    group by targets.indicator_code
),
first_plan as (
    select min((year(cast(period_start as date)) - 1) * 12) as earliest_month_index from raw.registry_plans
),
loads_of_month as (
    select distinct load_id from raw.observations where period = $period
),
final as (
    select
        indexed.load_id,
        nullif(trim(indexed.file_name), '') as file_name,
        nullif(trim(indexed.sheet), '') as sheet,
        nullif(trim(indexed.cell), '') as cell,
        indexed.department_id,
        nullif(trim(indexed.indicator_code), '') as indicator_code,
        nullif(trim(indexed.region_code), '') as region_code,
        nullif(trim(indexed.period), '') as period,
        nullif(trim(indexed.measure), '') as measure,
        indexed.value,
        nullif(trim(indexed.unit), '') as unit,
        indexed.original_value,
        indexed.original_unit,
        indexed.loaded_at,
        indexed.period_month_index,
        indexed.load_month_index,
        -- an earlier figure in use is checked for what blocks a briefing (the critical checks); its warnings
        -- were its own month's, and the briefings that use it carry its plausibility findings
        case
            when loads_of_month.load_id is not null
                then coalesce(plan_starts.earliest_month_index, first_plan.earliest_month_index)
        end as earliest_month_index,
        indicators.canonical_unit,
        canonical_units.dimension as canonical_unit_dimension,
        original_units.dimension as original_unit_dimension,
        indicators.plausible_min,
        indicators.plausible_max,
        case
            when indexed.measure = 'ytd_value' and month(indexed.period_date) > 1 then previous_month.value
        end as ytd_previous_month,
        case
            when loads_of_month.load_id is null then null
            when indexed.measure in ('period_end_value', 'month_value') and previous_month.value <> 0
                then abs(indexed.value / previous_month.value - 1)
        end as month_over_month_change,
        previous_month.value as previous_month_value,
        case
            when loads_of_month.load_id is null then null
            when indexed.superseded_load_id < indexed.load_id and indexed.superseded_value <> 0
                then abs(indexed.value / indexed.superseded_value - 1)
        end as revision_change,
        indexed.superseded_value,
        loads.file_name as load_file_name,
        case
            when indexed.is_current and canonical_units.dimension in ('currency', 'mass', 'area', 'head', 'count')
                then parts.parts_total
        end as parts_total,
        case
            when indexed.is_current and canonical_units.dimension in ('currency', 'mass', 'area', 'head', 'count')
                and parts.parts_total is not null
                then indexed.value * (1 + $county_total_tolerance)
        end as parts_allowed,
        -- a group is its members added up: once every member reported, it is not above their sum either
        case
            when indexed.is_current and canonical_units.dimension in ('currency', 'mass', 'area', 'head', 'count')
                and parts.parts = group_sizes.members
                then parts.parts_total * (1 + $county_total_tolerance)
        end as members_allowed
    from indexed
    left join loads_of_month on indexed.load_id = loads_of_month.load_id
    cross join first_plan
    left join plan_starts on indexed.indicator_code = plan_starts.indicator_code
    left join raw.ref_indicators as indicators on indexed.indicator_code = indicators.indicator_code
    left join units as canonical_units on indicators.canonical_unit = canonical_units.unit
    left join units as original_units on coalesce(indexed.original_unit, indexed.unit) = original_units.unit
    left join raw.file_loads as loads on indexed.load_id = loads.load_id
    left join current_values as previous_month
        on indexed.indicator_code = previous_month.indicator_code
        and indexed.region_code = previous_month.region_code
        and indexed.measure = previous_month.measure
        and indexed.period_month_index - 1 = previous_month.period_month_index
    left join group_sizes on indexed.region_code = group_sizes.region_code
    left join region_parts as parts
        on indexed.indicator_code = parts.indicator_code
        and indexed.region_code = parts.region_code
        and indexed.measure = parts.measure
        and indexed.period_month_index = parts.period_month_index
    where loads_of_month.load_id is not null
       or list_contains($figures_in_use, indexed.load_id || '|' || indexed.indicator_code || '|' || indexed.period)
)
select * from final order by load_id, sheet, cell
"""

FILE_LOADS_SQL = """
select
    load_id, file_name, status, rejection_reason, department_id, periods,
    rows_read, rows_loaded, rows_quarantined, rows_ignored,
    rows_loaded + rows_quarantined + rows_ignored as rows_accounted,
    loaded_at
from raw.file_loads
where load_id in (select load_id from raw.observations where period = $period)
   -- a file's months as ingest records them, comma-separated: a refused file names its month too
   or list_contains(string_split(replace(coalesce(periods, ''), ' ', ''), ','), $period)
order by load_id
"""

COMPLETENESS_SQL = f"""
select
    department_id, strftime(period, '%Y-%m') as period, due_date,
    submissions_expected, submissions_received, indicators_expected, indicators_received,
    files_received, first_received_at, is_on_time
from {MARTS["submission_completeness"]}
where period = $month_end
order by department_id
"""

TARGET_PROGRESS_SQL = f"""
select
    target_id, plan_id, strftime(period, '%Y-%m') as period, status, completion_rate,
    actual_file_name as file_name, actual_sheet as sheet, actual_cell as cell
from {MARTS["target_progress"]}
where period = $month_end
order by target_id
"""

REGION_RANKING_SQL = f"""
select
    plan_id, region_code, strftime(period, '%Y-%m') as period, region_rank,
    -- a competition rank (1, 1, 3): one more than the number of regions ranked strictly better (a total of
    -- other regions, the plan's own or a group, is ranked among the totals apart from its parts)
    1 + (
        select count(*) from {MARTS["region_ranking"]} as better
        where better.plan_id = ranking.plan_id and better.period = ranking.period
          and better.is_aggregate = ranking.is_aggregate and better.region_rank < ranking.region_rank
    ) as expected_rank
from {MARTS["region_ranking"]} as ranking
where period = $month_end
order by plan_id, region_rank
"""

ACTIVE_TARGETS_SQL = f"""
select targets.target_id
from {MARTS["dim_target"]} as targets
inner join {MARTS["dim_plan"]} as plans on targets.plan_id = plans.plan_id
where plans.period_start <= $month_end and plans.followed_until >= $month_end  -- int_plan_windows
order by targets.target_id
"""

EXPECTED_SUBMISSIONS_SQL = "select count(*) from raw.expected_submissions where period = $period"
FIGURES_OWED_SQL = """
select count(*) > 0
from raw.expected_submissions as owed
inner join raw.file_loads as loads
    on owed.department_id = loads.department_id and loads.status = 'loaded'
    and list_contains(string_split(replace(coalesce(loads.periods, ''), ';', ','), ','), owed.period)
where owed.period = $period and owed.expected_indicators > 0
"""


class CatalogueProblemsError(ValueError):
    """The indicator catalogue does not validate, so its jump thresholds cannot be trusted."""


@lru_cache(maxsize=4)
def catalogue_indicators(reference_dir: Path) -> Mapping[str, Indicator]:
    """The indicator catalogue of `plans/reference/`, read once per process; it carries the jump thresholds."""
    problems: list[Problem] = []
    indicators = load_reference(reference_dir, problems).indicators
    if problems:
        listed = "\n".join(str(problem) for problem in problems)
        raise CatalogueProblemsError(f"{listed}\nfix the registry (`planwatch plans check`) before checking data")
    return indicators


def jump_thresholds(frame: pd.DataFrame, indicators: Mapping[str, Indicator]) -> pd.DataFrame:
    """Per row, the relative changes beyond which a month-over-month move and a revision are jumps.

    An indicator the catalogue does not know gets none: `indicator_code_known` fails that row critically.
    """
    codes = frame["indicator_code"]
    return pd.DataFrame(
        {
            "month_over_month_threshold": codes.map(
                {code: indicator.month_over_month_change_limit for code, indicator in indicators.items()}
            ).astype("float64"),
            "revision_threshold": codes.map(
                {code: indicator.revision_change_limit for code, indicator in indicators.items()}
            ).astype("float64"),
        },
        index=frame.index,
    )


def with_row_ids(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame.insert(0, ROW_ID, range(len(frame)))
    return frame


def _has_column(con: duckdb.DuckDBPyConnection, schema: str, table: str, column: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.columns where table_schema = ? and table_name = ? and column_name = ?",
        [schema, table, column],
    ).fetchone()
    return bool(found and found[0])


def has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?",
        [MARTS["target_progress"].split(".")[1]],
    ).fetchone()
    return bool(found and found[0])


@dataclass
class Frames:
    """The dataframes of one month's checks, by frame name, and the suite parameters."""

    period: str
    frames: dict[str, pd.DataFrame]
    parameters: dict[str, Any]
    # per frame, whether the month should give it rows: a suite that checked none of them has not passed
    rows_expected: dict[str, bool] = field(default_factory=dict)

    def digest(self) -> str:
        """The data the checks read, as one sha256: every frame's columns and rows, and the parameters.

        A quality run's verdict holds for the data of its digest only: the gate compares it with the
        digest of the month's data as it is now (a file loaded since, a month returned or approved, the
        marts rebuilt on other figures) and asks for a new check when they differ.
        """
        # in any order: the queries give their rows (and the parameters' lists) in no set order
        parameters = {key: sorted(map(str, v)) if isinstance(v, list) else v for key, v in self.parameters.items()}
        digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode())
        for name, frame in sorted(self.frames.items()):
            frame = frame.drop(columns=[ROW_ID], errors="ignore")  # numbered by position
            # floats to 12 significant digits: a sum DuckDB adds up in another order differs in its last bits
            floats = frame.select_dtypes("floating").columns
            frame = frame.assign(**{column: frame[column].map(_significant) for column in floats})
            digest.update(f"{name}|{len(frame)}|{'|'.join(map(str, frame.columns))}".encode())
            try:
                rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
            except TypeError:  # a cell holding a list or a dict: hashed as its JSON text
                rows = pd.util.hash_pandas_object(frame.map(_hashable), index=False).to_numpy()
            digest.update(np.sort(rows).tobytes())
        return digest.hexdigest()


def _significant(value: float) -> str | None:
    return None if pd.isna(value) else format(value, ".12g")


def _hashable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, list | dict) else value


FIGURES_IN_USE_SQL = f"""
with running as (
    select indicator_code, region_code, actual_as_of, reported_value_a_year_earlier
    from {MARTS["target_progress"]}
    where period = $month_end and not is_final_verdict and status <> 'stale' and actual_as_of is not null
),
in_use as (
    -- an earlier figure a running target is judged by
    select indicator_code, region_code, actual_as_of as period from running where actual_as_of < $month_start
    union
    -- the figure a year before the one judged by, which the briefing compares it with (同比)
    select indicator_code, region_code, last_day(actual_as_of - interval 12 month) as period
    from running
    where reported_value_a_year_earlier is not null
)
select distinct observed.load_id || '|' || observed.indicator_code || '|' || strftime(observed.period, '%Y-%m')
from in_use
inner join {MARTS["observations"]} as observed
    on observed.indicator_code = in_use.indicator_code
    and observed.region_code = in_use.region_code
    and observed.period = in_use.period
order by 1
"""


def figures_in_use(con: duckdb.DuckDBPyConnection, period: str) -> list[str]:
    """The earlier figures the month's running targets are judged by (an annual figure of last December,
    a county's latest stock) and compared with (the figure a year before, 同比), as 'load|indicator|period'
    keys: the current figure's load (never one it superseded), with that load's figures of the same
    indicator and month for every region, so that a check across regions sees the city and its counties
    together. The month's briefings show them, so they are checked with the month's own figures, and a
    critical failure in them blocks it."""
    month = Period.parse(period)
    parameters = {"month_end": month.month_end, "month_start": month.month_start}
    return [key for (key,) in con.execute(FIGURES_IN_USE_SQL, parameters).fetchall()]


def read_frames(
    con: duckdb.DuckDBPyConnection,
    period: str,
    include_marts: bool | None = None,
    indicators: Mapping[str, Indicator] | None = None,
    config: Settings | None = None,
) -> Frames:
    """Every frame the suites validate for `period` (YYYY-MM); mart frames only when the marts exist.

    `indicators` is the catalogue the jump thresholds come from (default: the configured registry's);
    `config` the settings whose tolerance applies (default: the process's; an Airflow task passes its own).
    """
    config = config or settings()
    if indicators is None:
        indicators = catalogue_indicators(config.plans_path / "reference")
    params = {"period": period}
    marts_built = has_marts(con)
    if include_marts is None:
        include_marts = marts_built
    used = {"figures_in_use": figures_in_use(con, period) if marts_built else []}
    members = "members" if _has_column(con, "raw", "ref_regions", "members") else "cast(null as varchar)"
    observations = con.execute(
        OBSERVATIONS_SQL.replace("{members}", members),
        params | used | {"county_total_tolerance": config.county_total_tolerance},
    ).df()
    observations[["month_over_month_threshold", "revision_threshold"]] = jump_thresholds(observations, indicators)
    frames = {
        "observations": observations,
        "file_loads": con.execute(FILE_LOADS_SQL, params).df(),
    }
    parameters: dict[str, Any] = {
        "known_region_codes": [row[0] for row in con.execute("select region_code from raw.ref_regions").fetchall()],
        "known_indicator_codes": [
            row[0] for row in con.execute("select indicator_code from raw.ref_indicators").fetchall()
        ],
    }
    submitted = not frames["file_loads"].empty
    # figures are expected when a department that sent the month's files owes figures for it: a
    # month of milestone-only templates (annual indicators, monthly project progress) gives none
    [(owes_figures,)] = con.execute(FIGURES_OWED_SQL, params).fetchall()
    rows_expected = {"observations": submitted and bool(owes_figures), "file_loads": submitted}
    if include_marts:
        month = {"month_end": Period.parse(period).month_end}
        frames["target_progress"] = con.execute(TARGET_PROGRESS_SQL, month).df()
        frames["region_ranking"] = con.execute(REGION_RANKING_SQL, month).df()
        frames["submission_completeness"] = con.execute(COMPLETENESS_SQL, month).df()
        parameters["active_target_ids"] = [row[0] for row in con.execute(ACTIVE_TARGETS_SQL, month).fetchall()]
        # a month before every plan's start (a base year's figures) has no targets to follow, and a
        # month nobody owes a submission for has no completeness to check
        following = bool(parameters["active_target_ids"])
        owed = con.execute(EXPECTED_SUBMISSIONS_SQL, params).fetchone()
        rows_expected |= {
            "target_progress": submitted and following,
            "region_ranking": submitted and following,
            "submission_completeness": submitted and bool(owed and owed[0]),
        }
    return Frames(period, {name: with_row_ids(frame) for name, frame in frames.items()}, parameters, rows_expected)


def latest_period(con: duckdb.DuckDBPyConnection) -> str | None:
    """The newest month with a well-formed period in raw.observations: what `planwatch check` checks by default."""
    found = con.execute(
        "select max(period) from raw.observations"
        " where regexp_full_match(period, '\\d{4}-(0[1-9]|1[0-2])') and period <= strftime(current_date, '%Y-%m')"
    ).fetchone()
    return found[0] if found else None
