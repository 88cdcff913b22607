"""What each briefing chart shows: every read of the warehouse a chart makes, shaped for drawing.

`charts.py` draws; this module decides what is drawn, so that the decisions can be tested without
looking at pixels. A trend chart plots a target's observations at their real cadence: the marts'
`fct_target_progress` carries the latest evaluation into every month, so only its distinct
`actual_as_of` dates are observations (Decembers for annual statistics, quarter ends for quarterly
ones, every month for monthly ones); its per-month rows are never plotted. An annual flow
(`measure_space = 'year_total'`, reported year to date) is shown as annual totals plus the current
year's latest year-to-date figure, labelled as such, never as a month-by-month line against an
annual target. The leadership summary's county heat map counts the same targets as its plan table:
a plan's running targets, or all of them once every target year has passed (its final assessment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from planwatch.briefing.context import STATUS_LABELS, TargetLine
from planwatch.briefing.formatting import COUNT_UNITS


@dataclass(frozen=True)
class Point:
    """One value at the date it describes (an observation's as-of date, a year's end)."""

    as_of: dt.date
    value: float


@dataclass(frozen=True)
class TargetPoint:
    """One target of the indicator's path: its level at the end of its target year."""

    target_year: int
    level: float
    target_id: str = ""

    @property
    def as_of(self) -> dt.date:
        return year_end(self.target_year)


@dataclass(frozen=True)
class Projection:
    """Where the linear projection puts the value at the end of the target year, with its 95% interval."""

    start: Point | None
    end: Point
    low: float | None
    high: float | None

    @property
    def has_band(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class TrendSeries:
    """Everything one trend chart draws, in the indicator's measure unit."""

    title: str
    measure_space: str
    period: dt.date
    observed: tuple[Point, ...]
    year_to_date: Point | None
    baseline: Point | None
    targets: tuple[TargetPoint, ...]
    path: tuple[Point, ...]
    projection: Projection | None
    counted: bool = False  # things counted one by one: the value axis has whole-number ticks

    @property
    def plotted_observations(self) -> tuple[Point, ...]:
        """Every observation the chart marks, the year-to-date point included, in date order."""
        extra = (self.year_to_date,) if self.year_to_date else ()
        return tuple(sorted((*self.observed, *extra), key=lambda point: point.as_of))


@dataclass(frozen=True)
class CountyStatusGrid:
    """Targets counted by county (rows, '市县' names) and status (columns, in STATUS_LABELS order)."""

    counties: tuple[str, ...]
    cities: tuple[str, ...]
    statuses: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def observations(con: duckdb.DuckDBPyConnection, target_ids: Sequence[str], until: dt.date) -> list[Point]:
    """The targets' observations up to `until`, one per as-of date (not one per month of the mart).

    Given the targets of one indicator, region and measure space (see `path_targets`), this is the
    indicator's series: a target whose year has passed keeps its final figure, so the later figures
    of a final assessment come from the plan's later targets of the same indicator.
    """
    # a revision can give one as-of date two values over the months: the latest month's evaluation wins
    found = con.execute(
        """
        select actual_as_of, arg_max(actual_value, period) as actual_value
        from marts.fct_target_progress
        where target_id in (select unnest(?)) and period <= ?
          and actual_as_of is not null and actual_value is not null
        group by actual_as_of
        order by actual_as_of
        """,
        [list(target_ids), until],
    ).fetchall()
    return [Point(as_of, float(value)) for as_of, value in found]


def _target_context(con: duckdb.DuckDBPyConnection, target_id: str, period: dt.date) -> dict[str, Any]:
    rows = _rows(
        con,
        """
        select coalesce(progress.baseline_as_of, make_date(targets.base_year, 12, 31)) as baseline_as_of,
               progress.baseline_value, progress.projected_value, progress.projected_value_low,
               progress.projected_value_high
        from marts.fct_target_progress as progress
        inner join marts.dim_target as targets on progress.target_id = targets.target_id
        where progress.target_id = ? and progress.period = ?
        """,
        [target_id, period],
    )
    if not rows:
        raise ValueError(f"marts.fct_target_progress has no row for target {target_id} in {period:%Y-%m}")
    return rows[0]


def path_targets(con: duckdb.DuckDBPyConnection, target_id: str, period: dt.date) -> list[TargetPoint]:
    """Every target the plan sets for the target's indicator and region, itself included (the
    intermediate ones and the last), in the same measure space: a 'new additions' target of an
    indicator counts a change, a level target of it a level, and the two do not share an axis."""
    rows = con.execute(
        """
        select others.target_id, others.target_year,
               coalesce(progress.target_level, others.target_level) as level
        from marts.dim_target as this
        inner join marts.dim_target as others
            on others.plan_id = this.plan_id and others.indicator_code = this.indicator_code
           and others.region_code = this.region_code and others.measure_space = this.measure_space
        left join marts.fct_target_progress as progress
            on progress.target_id = others.target_id and progress.period = ?
        where this.target_id = ?
        order by others.target_year, others.target_id
        """,
        [period, target_id],
    ).fetchall()
    return [TargetPoint(int(year), float(level), str(other)) for other, year, level in rows if level is not None]


def target_path(line: TargetLine, baseline: Point | None, targets: Sequence[TargetPoint]) -> tuple[Point, ...]:
    """The dashed path: the baseline, then one level per target year (the line's own target where a
    year has two, as a level and a growth target of one indicator can)."""
    by_year: dict[int, TargetPoint] = {}
    for target in targets:
        if target.target_year not in by_year or target.target_id == line.target_id:
            by_year[target.target_year] = target
    path = [Point(target.as_of, target.level) for _, target in sorted(by_year.items())]
    return tuple(([baseline] if baseline is not None else []) + path)


def annual_view(points: Sequence[Point]) -> tuple[tuple[Point, ...], Point | None]:
    """An annual flow reported year to date: the December figures (the years' totals) and, when the
    latest figure is not a December, that year-to-date figure apart. A year without its December has
    no total and is left out rather than drawn as a partial year."""
    totals = tuple(point for point in points if point.as_of.month == 12)
    latest = points[-1] if points else None
    year_to_date = latest if latest is not None and latest.as_of.month != 12 else None
    return totals, year_to_date


def _projection_start(observed: tuple[Point, ...], baseline: Point | None) -> Point | None:
    """The projection leaves from the latest figure comparable with its end (for an annual flow, the
    latest year's total: a year-to-date figure would draw a year's accumulation as a trend)."""
    if observed:
        return observed[-1]
    return baseline


def trend_series(
    line: TargetLine,
    points: Sequence[Point],
    baseline: Point | None,
    targets: Sequence[TargetPoint],
    projected: tuple[float | None, float | None, float | None],
    period: dt.date,
) -> TrendSeries:
    """Shape a target's reads into what its trend chart draws (pure: no database, no drawing).

    `projected` is (value, low, high) at the end of the target year; no projection is drawn for a
    target whose year has passed or when the value is unknown.
    """
    if line.measure_space == "year_total":
        observed, year_to_date = annual_view(points)
    else:
        observed, year_to_date = tuple(points), None
    value, low, high = projected
    projection = None
    latest = points[-1].as_of if points else None
    # nothing to project once the target year's own year-end figure is in (or the verdict is given)
    if value is not None and not line.is_final_verdict and (latest is None or latest < year_end(line.target_year)):
        start = _projection_start(observed, baseline)
        projection = Projection(start=start, end=Point(year_end(line.target_year), value), low=low, high=high)
    return TrendSeries(
        title=f"{line.indicator_name}（{line.measure_unit}）",
        measure_space=line.measure_space,
        period=period,
        observed=observed,
        year_to_date=year_to_date,
        baseline=baseline,
        targets=tuple(targets),
        path=target_path(line, baseline, targets),
        projection=projection,
        counted=line.measure_unit in COUNT_UNITS,
    )


def read_trend(con: duckdb.DuckDBPyConnection, line: TargetLine, period: dt.date) -> TrendSeries:
    """The trend chart's series for one headline target in the briefing's month."""
    context = _target_context(con, line.target_id, period)
    baseline = None
    if context["baseline_value"] is not None:
        baseline = Point(context["baseline_as_of"], float(context["baseline_value"]))
    targets = path_targets(con, line.target_id, period)
    points = observations(con, [target.target_id for target in targets] or [line.target_id], period)
    projected = (context["projected_value"], context["projected_value_low"], context["projected_value_high"])
    return trend_series(line, points, baseline, targets, projected, period)


def county_status_counts(con: duckdb.DuckDBPyConnection, period: dt.date) -> CountyStatusGrid:
    """Every county a plan with rows in the month sets targets for, its targets by status (running and final)."""
    rows = _rows(
        con,
        """
        with month as (
            select * from marts.fct_target_progress where period = ?
        ),
        -- every target of the month, the final verdicts of earlier target years included, as the summary counts
        monitored as (
            select month.* from month
        ),
        counties as (
            select distinct regions.region_code, regions.parent_name, regions.region_name
            from marts.dim_target as targets
            inner join marts.dim_plan as plans on targets.plan_id = plans.plan_id
            inner join marts.dim_region as regions on targets.region_code = regions.region_code
            where regions.region_level = 'county' and regions.parent_code = plans.region_code
              and targets.plan_id in (select plan_id from month)
        )
        select counties.region_code, counties.parent_name, counties.region_name, monitored.status,
               count(monitored.target_id) as targets
        from counties
        left join monitored on monitored.region_code = counties.region_code
        group by all
        order by counties.region_code, monitored.status
        """,
        [period],
    )
    return county_grid(rows)


def county_grid(rows: Sequence[dict[str, Any]]) -> CountyStatusGrid:
    """Pivot (county, status, targets) rows; a status the labels do not know is an error, not a gap."""
    statuses = tuple(STATUS_LABELS)
    names: dict[str, str] = {}
    cities: dict[str, str] = {}
    cells: dict[str, dict[str, int]] = {}
    for row in rows:
        code = row["region_code"]
        cities[code] = row["parent_name"] or ""
        names[code] = f"{cities[code]}{row['region_name']}"
        counts = cells.setdefault(code, {})
        if row["status"] is None:
            continue  # a county with no monitored target this month: a row of zeros
        if row["status"] not in STATUS_LABELS:
            raise ValueError(f"status {row['status']!r} has no label in planwatch.briefing.context.STATUS_LABELS")
        counts[row["status"]] = int(row["targets"])
    codes = list(names)
    return CountyStatusGrid(
        counties=tuple(names[code] for code in codes),
        cities=tuple(cities[code] for code in codes),
        statuses=statuses,
        counts=tuple(tuple(cells[code].get(status, 0) for status in statuses) for code in codes),
    )
