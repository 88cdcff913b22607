"""Judging an ingest batch's figures, in the batch's own transaction, before it commits.

Two passes over the batch's rows of `raw.observations`:

1. Against the registry alone: the catalogue's declared range, whole numbers for counts, and the
   plan's scale for the region and measure (beyond `range_factor` of it: a unit slip when the distance
   is 10⁴ or 10⁸, else out of range; a percentage typed as a fraction).
2. Against the warehouse's history of the same figure (the current value of every month, whichever
   load it came from, including earlier files of this batch): a unit slip against the median of its
   last three reports, or beyond range_factor² of them; a month larger than its year-to-date; a
   year-to-date below an earlier month's of the same year; a jump against the last known report
   (however old: the threshold grows with the number of reporting intervals since) and against the
   same month last year; a figure that always moves, unchanged for `unchanged_months`; the same figure
   reported differently by another department.

A row with a critical finding moves to `raw.quarantine` with the finding's message (its observations
leave `raw.observations`); every finding, critical or warning, is kept in `raw.observation_findings`.
The second pass runs on what the first left, so a figure already set aside is no one's history.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

import duckdb
import numpy as np

from planwatch.periods import Granularity, Period, PeriodError, utc_now
from planwatch.plausibility.checks import CHECKS, CheckName, locate
from planwatch.plausibility.expectations import (
    DEPARTMENT_TABLE,
    DUTY_TABLE,
    INDICATOR_TABLE,
    SCALE_TABLE,
    Thresholds,
)
from planwatch.quality.severity import Severity
from planwatch.template_format import MEASURE_LABELS, Measure

FINDINGS_DDL = """
create table if not exists raw.observation_findings (
    load_id bigint not null,
    file_name varchar not null,
    sheet varchar,
    cell varchar,
    row_number integer,
    department_id varchar,
    indicator_code varchar not null,
    region_code varchar not null,
    period varchar not null,
    measure varchar not null,
    value double,
    check_name varchar not null,
    severity varchar not null,        -- critical: the row was quarantined | warning: the value is used
    expected_value double,            -- what it was compared with
    expected_period varchar,          -- the month of that figure, where it is one
    message varchar not null,         -- Chinese, as the receipt and the briefing state it
    found_at timestamp not null
);
"""

_INDEX = "(cast(substr({0}, 1, 4) as integer) * 12 + cast(substr({0}, 6, 2) as integer) - 1)"
_SLIP = (  # the ratio is 10⁴ or 10⁸ (or their inverses) within the tolerance: a unit slip
    "(abs(abs(log10({ratio})) - 4) <= log10(unit_slip_tolerance)"
    " or abs(abs(log10({ratio})) - 8) <= log10(unit_slip_tolerance))"
)

_BATCH = f"""
batch as (
    select
        o.load_id, o.file_name, o.sheet, o.cell, o.row_number, o.department_id, o.indicator_code,
        o.region_code, o.period, o.measure, o.value,
        {_INDEX.format("o.period")} as idx,
        cast(substr(o.period, 6, 2) as integer) as month_number
    from raw.observations as o
    where o.load_id between $first and $last and regexp_full_match(o.period, '\\d{{4}}-(0[1-9]|1[0-2])')
)"""
# the month's own figures: the 上年同期 columns restate last year's, which were judged when reported
_OWN_MEASURES = "batch.measure in ('month_value', 'ytd_value', 'period_end_value')"

# Pass 1: the registry alone.
REGISTRY_PASS = f"""
with
{_BATCH},
thresholds as (select $unit_slip_tolerance as unit_slip_tolerance),
shares as (
    -- how much of a year this measure shows: a month of an additive flow is a twelfth of its year, a
    -- year-to-date the months so far, anything else (a stock, a rate) the whole level
    select
        batch.*,
        case
            when i.is_additive_flow and batch.measure = 'month_value' then 1 / 12
            when i.is_additive_flow and batch.measure in ('ytd_value', 'prior_year_ytd_value')
                then batch.month_number / 12
            else 1
        end as year_share,
        i.is_count, i.is_percent, i.can_slip, i.declared_min, i.declared_max, i.range_factor,
        -- a flow's months are seasonal beyond knowing (apples are picked in autumn): its lower bound is
        -- the year's, on the December year-to-date only; a slip in another month is caught by its history
        i.has_lower_bound and (not i.is_additive_flow or (batch.measure = 'ytd_value' and batch.month_number = 12))
            as has_lower_bound
    from batch
    inner join {INDICATOR_TABLE} as i on batch.indicator_code = i.indicator_code
),
scaled as (
    -- the plan's scale as this measure shows it; the upper bound allows a whole year in any month
    select
        shares.*,
        coalesce(s.scale_low, s.scale_high) * year_share as expected,
        s.scale_high * range_factor as high,
        case when has_lower_bound and value > 0 then s.scale_low * year_share / range_factor end as low
    from shares
    left join {SCALE_TABLE} as s on shares.indicator_code = s.indicator_code and shares.region_code = s.region_code
),
judged as (
    select
        scaled.*,
        case
            -- a figure 10⁴ or 10⁸ off its plan's scale is named a unit slip (元 for 万元), the clerk's likely
            -- mistake, even where it also leaves the catalogue's declared range
            when ((high is not null and value > high) or (low is not null and value < low)
                    or (declared_min is not null and value < declared_min)
                    or (declared_max is not null and value > declared_max))
                and can_slip and value > 0 and expected > 0 and {_SLIP.format(ratio="value / expected")}
                then 'unit_scale'
            when (declared_min is not null and value < declared_min)
                or (declared_max is not null and value > declared_max) then 'outside_declared_range'
            when is_count and abs(value - round(value)) > 1e-9 then 'non_integer_count'
            when is_percent and value > 0 and value <= 1.5 and expected >= 5 then 'rate_as_fraction'
            when (high is not null and value > high) or (low is not null and value < low) then 'out_of_range'
        end as check_name
    from scaled, thresholds
)
select
    load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period, measure,
    value, check_name,
    case check_name when 'outside_declared_range' then null else expected end as expected_value,
    null as expected_period, low, high, declared_min, declared_max
from judged
where check_name is not null
"""

# Pass 2: the history of the same figure.
HISTORY_PASS = f"""
with
{_BATCH},
thresholds as (
    select
        $unit_slip_tolerance as unit_slip_tolerance,
        $year_on_year_jump_share as yoy_share,
        $department_disagreement_tolerance as disagreement,
        $unchanged_months as unchanged_months
),
series as (
    -- every figure of the batch, or in a later round only those whose history a round changed
    select distinct indicator_code, region_code from batch
    where $series is null or list_contains($series, indicator_code || '|' || region_code)
),
reports as (
    select
        o.load_id, o.row_number, o.department_id, o.indicator_code, o.region_code, o.measure, o.period, o.value,
        {_INDEX.format("o.period")} as idx,
        -- as stg_ingest__observations ranks them: a correction, then the source source_precedence puts
        -- first (a statistics bureau's table, or a department named 统计局, against a department's own)
        case
            when o.layout = 'correction' then 0
            when coalesce(i.first_source, '') = '' then 1
            when i.first_source = case
                when o.layout not in ('template', 'template_without_meta') or coalesce(d.is_statistics, false)
                    then 'statistics' else 'department' end then 1
            else 2
        end as source_rank,
        duties.department_id is not null as is_reporting_duty
    from raw.observations as o
    semi join series on o.indicator_code = series.indicator_code and o.region_code = series.region_code
    left join {INDICATOR_TABLE} as i on o.indicator_code = i.indicator_code
    left join {DEPARTMENT_TABLE} as d on o.department_id = d.department_id
    left join {DUTY_TABLE} as duties
        on o.department_id = duties.department_id and o.indicator_code = duties.indicator_code
    where regexp_full_match(o.period, '\\d{{4}}-(0[1-9]|1[0-2])')
),
current_values as (
    -- what a reader sees of each month, as the marts choose it: the source ranked first, within it a
    -- department asked to report the indicator, then the newest load (an aggregate: a window costs more)
    select indicator_code, region_code, measure, idx, newest.*
    from (
        select
            indicator_code, region_code, measure, idx,
            arg_max(
                {{'period': period, 'value': value, 'department_id': department_id}},
                (-source_rank, is_reporting_duty, load_id, row_number)
            ) as newest
        from reports
        group by indicator_code, region_code, measure, idx
    )
),
history as (
    select
        *,
        median(value) over recent as recent_median,
        max(value) over (partition by indicator_code, region_code, measure, idx // 12 order by idx) as year_max,
        coalesce(moved, true) as moved_or_first,
        count(*) over so_far as reports_so_far,
        sum(case when is_next_month then 1 else 0 end) over recent_year as pairs_so_far,
        sum(case when is_next_month and not moved then 1 else 0 end) over recent_year as still_so_far
    from (
        select
            *,
            value <> lag(value) over by_month as moved,
            lag(idx) over by_month as idx_before,
            lag(idx, 2) over by_month as idx_two_before,
            coalesce(idx - lag(idx) over by_month = 1, false) as is_next_month
        from current_values
        window by_month as (partition by indicator_code, region_code, measure order by idx)
    )
    window
        recent as (
            partition by indicator_code, region_code, measure order by idx rows between 2 preceding and current row
        ),
        so_far as (partition by indicator_code, region_code, measure order by idx rows unbounded preceding),
        -- whether a figure always moves is judged on its last twelve reports
        recent_year as (
            partition by indicator_code, region_code, measure order by idx rows between 11 preceding and current row
        )
),
runs as (
    -- the length of the run of consecutive months with one value that ends at each month
    select
        *,
        count(*) over (
            partition by indicator_code, region_code, measure, run_id order by idx rows unbounded preceding
        ) as run_length
    from (
        select
            *,
            sum(case when is_next_month and not moved then 0 else 1 end) over (
                partition by indicator_code, region_code, measure order by idx rows unbounded preceding
            ) as run_id
        from history
    )
),
compared as (
    select
        batch.*,
        i.is_percent, i.can_slip, i.range_factor, i.jump_share, i.frequency_months, i.is_stock,
        i.is_additive_flow, i.is_count, i.declared_min, i.declared_max,
        previous.idx as last_idx, previous.period as last_period, previous.value as last_value,
        -- the months a single figure's checks read: the last three reports and the same month last year
        [previous.idx, previous.idx_before, previous.idx_two_before, batch.idx - 12] as history_months,
        previous.recent_median, previous.year_max, previous.run_length, previous.pairs_so_far,
        previous.still_so_far, previous.reports_so_far,
        last_year.value as last_year_value, last_year.period as last_year_period,
        ytd.value as ytd_value,
        -- the plan's own level for this region as this measure shows it: rising towards it (or past it by
        -- no more than the jump share: a region ahead of its plan) is the plan at work
        scales.planned_high * case
            when i.is_additive_flow and batch.measure = 'month_value' then 1 / 12
            when i.is_additive_flow and batch.measure = 'ytd_value' then batch.month_number / 12
            else 1
        end as plan_level
    from batch
    semi join series on batch.indicator_code = series.indicator_code and batch.region_code = series.region_code
    inner join {INDICATOR_TABLE} as i on batch.indicator_code = i.indicator_code
    left join {SCALE_TABLE} as scales
        on batch.indicator_code = scales.indicator_code and batch.region_code = scales.region_code
    asof left join runs as previous
        on batch.indicator_code = previous.indicator_code and batch.region_code = previous.region_code
        and batch.measure = previous.measure and batch.idx > previous.idx
    left join current_values as last_year
        on batch.indicator_code = last_year.indicator_code and batch.region_code = last_year.region_code
        and batch.measure = last_year.measure and batch.idx - 12 = last_year.idx
    left join current_values as ytd
        on batch.measure = 'month_value' and ytd.measure = 'ytd_value'
        and batch.indicator_code = ytd.indicator_code and batch.region_code = ytd.region_code
        and batch.idx = ytd.idx
    where {_OWN_MEASURES}
),
others as (
    -- the newest figure another department reported for the same cell
    select
        batch.load_id, batch.sheet, batch.cell,
        arg_max(reports.value, reports.load_id) as other_value,
        arg_max(reports.department_id, reports.load_id) as other_department
    from batch
    inner join reports
        on batch.indicator_code = reports.indicator_code and batch.region_code = reports.region_code
        and batch.measure = reports.measure and batch.idx = reports.idx
        and reports.department_id is not null and batch.department_id is not null
        and reports.department_id <> batch.department_id
    group by all
),
findings as (
    select compared.*, t.*, others.other_value, others.other_department,
        -- a stock against its median, a flow against the same month last year: both unit-free of seasons
        case
            when (is_stock or not is_additive_flow) and reports_so_far >= 3 then recent_median
            when is_additive_flow and not is_stock then last_year_value
        end as history_value
    from compared
    cross join thresholds as t
    left join others using (load_id, sheet, cell)
)
select * from (
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'unit_scale' as check_name, history_value as expected_value, null as expected_period,
        1 as stage, history_months
    from findings
    where $stage in (0, 1) and can_slip and value > 0 and history_value > 0
        and {_SLIP.format(ratio="value / history_value")}
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'out_of_range', history_value, null, 1, history_months
    from findings
    where $stage in (0, 1) and is_stock is not null and value > 0 and history_value > 0
        and (value / history_value > range_factor * range_factor or history_value / value > range_factor * range_factor)
        and not (can_slip and {_SLIP.format(ratio="value / history_value")})
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'rate_as_fraction', recent_median, null, 1, history_months
    from findings
    where $stage in (0, 1) and is_percent and value > 0 and value <= 1.5 and recent_median >= 5
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'month_above_ytd', ytd_value, period, 2, null
    from findings
    where $stage in (0, 2) and measure = 'month_value' and is_additive_flow and value > ytd_value * (1 + 1e-9) + 1e-9
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'ytd_falls', year_max, last_period, 2, null
    from findings
    where $stage in (0, 2) and measure = 'ytd_value' and is_additive_flow and last_idx // 12 = idx // 12
        and value < year_max * (1 - 1e-9) - 1e-9
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'jump_from_last_report', last_value, last_period, 2, null
    from findings
    where $stage in (0, 2) and last_value > 0 and (
            (is_stock and measure = 'period_end_value')
            or (not is_stock and measure = 'month_value' and idx - last_idx = frequency_months)
        )
        and abs(value / last_value - 1) > jump_share * greatest(1, (idx - last_idx) / frequency_months)
        and not (is_count and abs(value - last_value) <= 3)
        and not coalesce(value > last_value and value <= plan_level * (1 + jump_share), false)
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'jump_from_last_year', last_year_value, last_year_period, 2, null
    from findings
    where $stage in (0, 2) and last_year_value > 0 and abs(value / last_year_value - 1) > yoy_share
        and not (is_count and abs(value - last_year_value) <= 3)
        and not coalesce(value > last_year_value and value <= plan_level * (1 + yoy_share), false)
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'unchanged_for_months', value, last_period, 2, null
    from findings
    where $stage in (0, 2) and frequency_months = 1 and value <> 0 and last_idx = idx - 1 and last_value = value
        and run_length + 1 >= unchanged_months and not is_count
        -- a figure at its indicator's bound (a pass rate of 100 %) stays there for good reason
        and value is distinct from declared_min and value is distinct from declared_max
        and still_so_far = run_length - 1 and pairs_so_far - still_so_far >= 11 - (run_length - 1)
        and (is_stock or measure <> 'period_end_value')
    union all
    select load_id, file_name, sheet, cell, row_number, department_id, indicator_code, region_code, period,
        measure, value, 'departments_disagree', other_value, other_department, 2, null
    from findings
    where $stage in (0, 2) and other_value is not null
        and abs(value - other_value) > disagreement * greatest(abs(value), abs(other_value))
)
"""

_COLUMNS = (
    "load_id",
    "file_name",
    "sheet",
    "cell",
    "row_number",
    "department_id",
    "indicator_code",
    "region_code",
    "period",
    "measure",
    "value",
    "check_name",
    "expected_value",
    "expected_period",
)


_STAGE = len(_COLUMNS)  # HISTORY_PASS: 1 for a single figure's checks, 2 for relations; then the months it read
MAX_ROUNDS = 24  # single-figure history rounds per batch: one per wrong month of a figure whose history holds another


def _figure_key(record: dict) -> tuple[int, str, int, str, str]:
    """A figure of a loaded row: its load, sheet, row, indicator and region (what a critical finding sets aside)."""
    return (record["load_id"], record["sheet"], record["row_number"], record["indicator_code"], record["region_code"])


def _series_of(row: tuple) -> str:
    return f"{row[_COLUMNS.index('indicator_code')]}|{row[_COLUMNS.index('region_code')]}"


def _month_index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _independent_findings(rows: list[tuple]) -> list[tuple]:
    """Of a round's single-figure findings, those no other of them could have changed, earliest first.

    A finding is taken unless the months its check read (the last three reports, the same month last
    year) hold another finding of the round, taken or not: setting that one aside (now, or in a later
    round) changes this one's history, so it is asked again in the next round. Two wrong months a year
    apart are both caught, in two rounds, and the right figure a year after a wrong one is never judged
    against it (14.98亿元 in March against last March's 1369000000亿元); wrong months far apart, in one.
    The earliest finding of a figure reads no month of another, so every round takes at least one.
    """
    index = {name: position for position, name in enumerate(_COLUMNS)}
    found_months = {(_series_of(row), _month_index(row[index["period"]])) for row in rows}
    taken: list[tuple] = []
    for row in sorted(rows, key=lambda row: row[index["period"]]):
        series = _series_of(row)
        read = row[_STAGE + 1] or ()
        if any((series, month) in found_months for month in read if month is not None):
            continue
        taken.append(row)
    return taken


@dataclass(frozen=True)
class Finding:
    load_id: int
    file_name: str
    sheet: str
    cell: str
    row_number: int
    department_id: str | None
    indicator_code: str
    region_code: str
    period: str
    measure: str
    value: float
    check_name: CheckName
    severity: Severity
    expected_value: float | None
    expected_period: str | None
    message: str


class RemovedCell(NamedTuple):
    """A cell of a row that keeps other figures, set aside for a critical finding on its own figure."""

    sheet: str
    row_number: int
    cell: str
    original_value: str
    finding: Finding


@dataclass
class Review:
    """What the review did to a batch, per load.

    A critical finding sets aside its figure: the observations of its row with its indicator and region
    (a template's row is one figure; a statistics table's row holds one per county or per indicator, and
    the others stay). A row none of whose figures is left is quarantined whole (`quarantined_rows`);
    the cells taken from a row that keeps others are `removed_cells`."""

    findings: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    quarantined_rows: dict[int, dict[tuple[str, int], Finding]] = field(default_factory=lambda: defaultdict(dict))
    removed_cells: dict[int, list[RemovedCell]] = field(default_factory=lambda: defaultdict(list))
    removed_observations: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    figures_set_aside: set[tuple[int, str, int, str, str]] = field(default_factory=set)


def ensure_findings_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(FINDINGS_DDL)


def _plain(value: object) -> object:
    return value.value if isinstance(value, StrEnum) else value


def _number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value)}"
    return f"{value:.6g}" if abs(value) >= 1e6 or abs(value) < 1e-3 else f"{round(value, 4):g}"


class Reviewer:
    """Holds what every batch's review needs: thresholds, names and units (the tables are registered once)."""

    def __init__(
        self, thresholds: Thresholds, names: dict[str, str], units: dict[str, str], department_names: dict[str, str]
    ) -> None:
        self.thresholds = thresholds
        self.names = names  # indicator and region codes → Chinese names
        self.units = units  # indicator code → canonical unit
        self.department_names = department_names

    def review(self, connection: duckdb.DuckDBPyConnection, first: int, last: int) -> Review:
        review = Review()
        parameters = {"first": first, "last": last, "unit_slip_tolerance": self.thresholds.unit_slip_tolerance}
        self._apply(connection, connection.execute(REGISTRY_PASS, parameters).fetchall(), review, registry_pass=True)
        parameters |= {
            "year_on_year_jump_share": self.thresholds.year_on_year_jump_share,
            "department_disagreement_tolerance": self.thresholds.department_disagreement_tolerance,
            "unchanged_months": self.thresholds.unchanged_months,
        }
        # single figures against their history first, the earliest finding of each figure at a time, so
        # that no figure set aside is another's history (two absurd months in a row are both caught);
        # then the figures' relations (a year-to-date that falls, a jump) on what is left. The first run
        # asks both at once over the whole batch; only the figures whose history a round changed are
        # asked again (a batch with nothing set aside is reviewed in one query).
        found = connection.execute(HISTORY_PASS, parameters | {"stage": 0, "series": None}).fetchall()
        single = [row for row in found if row[_STAGE] == 1]
        if not single:
            self._apply(connection, found, review, registry_pass=False)
            return review
        changed: set[str] = set()
        relations = [row for row in found if row[_STAGE] == 2]
        for _ in range(MAX_ROUNDS):
            changed |= {_series_of(row) for row in single} | self._apply(
                connection, _independent_findings(single), review, registry_pass=False
            )
            again = connection.execute(HISTORY_PASS, parameters | {"stage": 0, "series": sorted(changed)}).fetchall()
            single = [row for row in again if row[_STAGE] == 1]
            if not single:
                break
        else:  # a figure wrong in more months of one batch than there are rounds: its relations are asked last
            again = connection.execute(HISTORY_PASS, parameters | {"stage": 2, "series": sorted(changed)}).fetchall()
        unchanged = [row for row in relations if _series_of(row) not in changed]
        self._apply(connection, unchanged + [row for row in again if row[_STAGE] == 2], review, registry_pass=False)
        return review

    def _apply(
        self, connection: duckdb.DuckDBPyConnection, rows: list[tuple], review: Review, registry_pass: bool
    ) -> set[str]:
        """Record the findings of `rows` and quarantine the rows with a critical one; returns the figures
        (indicator|region) those rows held."""
        findings = []
        for row in rows:
            record = dict(zip(_COLUMNS, row[: len(_COLUMNS)], strict=True))
            if _figure_key(record) in review.figures_set_aside:
                continue
            findings.append(self._finding(record, row[len(_COLUMNS) :] if registry_pass else ()))
        if not findings:
            return set()
        now = utc_now()
        found = {  # noqa: F841 (read by DuckDB by name)
            name: np.array([_plain(getattr(f, name)) for f in findings], dtype=object)
            for name in Finding.__dataclass_fields__
        }
        columns = ", ".join(Finding.__dataclass_fields__)
        connection.execute(
            f"insert into raw.observation_findings ({columns}, found_at) select {columns}, ? from found", [now]
        )
        critical: dict[tuple[int, str, int, str, str], Finding] = {}
        for finding in findings:
            review.findings[finding.load_id].append(finding)
            if finding.severity is Severity.CRITICAL:
                critical.setdefault(_figure_key(finding.__dict__), finding)
        return self._quarantine(connection, critical, review) if critical else set()

    def _wording(self, check: CheckName, record: dict, extra: tuple) -> tuple[str, str]:
        """The message's {expected} and {other} for a finding; `extra` holds the registry pass's bounds."""
        unit = self.units.get(record["indicator_code"], "")
        expected = record["expected_value"]
        other = _month_words(record["expected_period"] or "")
        source = "规划目标" if extra else "近期报送值"
        match check:
            case CheckName.out_of_range if extra:
                low, high = extra[0], extra[1]
                bounds = [f"不低于{_number(low)}{unit}" if low is not None else ""]
                bounds.append(f"不高于{_number(high)}{unit}" if high is not None else "")
                return "按规划基期值和目标值推算应" + "、".join(b for b in bounds if b), other
            case CheckName.out_of_range:
                factor = _number(self.thresholds.range_factor**2)
                return f"与近期报送的{_number(expected)}{unit}相差不超过{factor}倍", other
            case CheckName.outside_declared_range:
                low, high = (extra[2], extra[3]) if extra else (None, None)
                return f"{_number(low)}～{_number(high)}{unit}", other
            case CheckName.unit_scale:
                ratio = record["value"] / expected if expected else 0.0
                times = _number(round(ratio if ratio >= 1 else 1 / ratio, -2)) if ratio else "—"
                if extra:  # the plan's scale as this measure shows it (a year-to-date in March: a quarter of it)
                    return f"按规划基期值和目标值折算的本期规模（约{_number(expected)}{unit}）", times
                return f"{source}（{_number(expected)}{unit}）", times
            case CheckName.rate_as_fraction:
                return f"该指标{source}约为{_number(expected)}%", other
            case CheckName.unchanged_for_months:
                return _number(expected), str(self.thresholds.unchanged_months)
            case CheckName.departments_disagree:
                return _number(expected), self.department_names.get(other, other)
            case _:
                return _number(expected), other

    def _finding(self, record: dict, extra: tuple) -> Finding:
        check = CHECKS[CheckName(record["check_name"])]
        unit = self.units.get(record["indicator_code"], "")
        expected_text, other = self._wording(check.name, record, extra)
        measure = record["measure"]
        text = check.message.format(
            indicator=self.names.get(record["indicator_code"], record["indicator_code"]),
            region=self.names.get(record["region_code"], record["region_code"]),
            period=_month_words(record["period"]),
            measure=MEASURE_LABELS.get(Measure(measure), measure),
            value=_number(record["value"]),
            unit=unit,
            expected=expected_text,
            other=other,
        )
        where = locate(record["file_name"], record["sheet"], record["row_number"], record["cell"])
        return Finding(
            record["load_id"],
            record["file_name"],
            record["sheet"],
            record["cell"],
            record["row_number"],
            record["department_id"],
            record["indicator_code"],
            record["region_code"],
            record["period"],
            measure,
            record["value"],
            check.name,
            check.severity,
            record["expected_value"],
            record["expected_period"] if check.name is not CheckName.departments_disagree else None,
            f"{where}：{text}",
        )

    @staticmethod
    def _quarantine(
        connection: duckdb.DuckDBPyConnection, critical: dict[tuple[int, str, int, str, str], Finding], review: Review
    ) -> set[str]:
        """Move each figure with a critical finding (its row's observations of its indicator and region) from
        raw.observations to raw.quarantine, with its message: the whole row when no other figure of the row
        is left, else the figure's cells alone (scope value). Returns the figures (indicator|region) set aside."""
        keys = {  # noqa: F841 (read by DuckDB by name)
            name: np.array(values, dtype=object)
            for name, values in (
                ("load_id", [key[0] for key in critical]),
                ("sheet", [key[1] for key in critical]),
                ("row_number", [key[2] for key in critical]),
                ("indicator_code", [key[3] for key in critical]),
                ("region_code", [key[4] for key in critical]),
                ("reason_code", [f.check_name.value for f in critical.values()]),
                ("reason", [f.message for f in critical.values()]),
                ("cell", [f.cell for f in critical.values()]),
            )
        }
        connection.execute("create or replace temp table plausibility_quarantined as select * from keys")
        # the figures' observations, and whether each one's row keeps another figure once they are gone
        connection.execute(
            """
            create or replace temp table plausibility_taken as
            select o.load_id, o.sheet, o.row_number, o.indicator_code, o.region_code, o.cell,
                coalesce(o.original_value, cast(o.value as varchar)) as original_value,
                o.file_sha256, o.file_name, o.department_id, o.loaded_at, q.reason_code, q.reason, q.cell as found_in,
                exists (
                    select 1 from raw.observations as other
                    where other.load_id = o.load_id and other.sheet = o.sheet and other.row_number = o.row_number
                      and not exists (
                        select 1 from plausibility_quarantined as also
                        where also.load_id = other.load_id and also.sheet = other.sheet
                          and also.row_number = other.row_number and also.indicator_code = other.indicator_code
                          and also.region_code = other.region_code
                      )
                ) as row_keeps_others
            from raw.observations as o
            inner join plausibility_quarantined as q
                on o.load_id = q.load_id and o.sheet = q.sheet and o.row_number = q.row_number
                and o.indicator_code = q.indicator_code and o.region_code = q.region_code
            """
        )
        connection.execute(
            """
            insert into raw.quarantine
                (load_id, file_sha256, file_name, sheet, row_number, cell, department_id, reason_code, reason,
                 row_content, loaded_at, scope)
            select load_id, any_value(file_sha256), any_value(file_name), sheet, row_number, any_value(found_in),
                any_value(department_id), any_value(reason_code), any_value(reason),
                to_json(list(cell || '=' || original_value order by cell)), any_value(loaded_at),
                case when bool_or(row_keeps_others) then 'value' else 'row' end
            from plausibility_taken
            group by load_id, sheet, row_number, indicator_code, region_code
            """
        )
        removed = connection.execute(
            """
            delete from raw.observations as o using plausibility_quarantined as q
            where o.load_id = q.load_id and o.sheet = q.sheet and o.row_number = q.row_number
              and o.indicator_code = q.indicator_code and o.region_code = q.region_code
            returning o.load_id, o.indicator_code || '|' || o.region_code
            """
        ).fetchall()
        for load_id, _ in removed:
            review.removed_observations[load_id] += 1
        review.figures_set_aside.update(critical)
        partial = connection.execute(
            """
            select load_id, sheet, row_number, indicator_code, region_code, cell, original_value
            from plausibility_taken where row_keeps_others order by load_id, sheet, row_number, cell
            """
        ).fetchall()
        kept = {(load_id, sheet, row_number) for load_id, sheet, row_number, *_ in partial}
        for load_id, sheet, row_number, indicator, region, cell, value in partial:
            finding = critical[(load_id, sheet, row_number, indicator, region)]
            review.removed_cells[load_id].append(RemovedCell(sheet, row_number, cell, value, finding))
        for key, finding in critical.items():
            load_id, sheet, row_number = key[:3]
            if (load_id, sheet, row_number) not in kept:
                review.quarantined_rows[load_id].setdefault((sheet, row_number), finding)
        return {series for _, series in removed}


def _month_words(period: str) -> str:
    """A month as a clerk and a leader write it (2025年12月), in the Chinese messages; anything else as it is."""
    try:
        return Period.parse(period, Granularity.month).label
    except PeriodError:
        return period
