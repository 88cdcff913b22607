"""Acceptance of the marts on the sample: every target in the registry has a row for each month from
its plan's start to the last month with data, no_data appears only where there truly is none, and a
department's month is on time when its first file arrived by the due date.

The expectations are computed apart from the marts: the months from the registry YAML
(`planwatch.registry.load`), what each row needs from `raw.observations`. A value is dated by the
month it is for: a 上年同期 figure reported in month m is the value of month m − 12.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from planwatch.registry.load import Registry, load_registry
from planwatch.registry.schema import Nature, Plan, Target, TargetKind

from .conftest import PLANS_DIR, SEED42_SAMPLE_UNTIL

UNTIL = SEED42_SAMPLE_UNTIL
GROWTH_KINDS = (TargetKind.growth_over_base, TargetKind.average_annual_growth)
SUMMED_KINDS = (TargetKind.cumulative, TargetKind.new_additions)
PRIOR_YEAR_MEASURES = {"prior_year_ytd_value", "prior_year_period_end_value"}
STOCK_VALUE_MEASURES = {"period_end_value", "prior_year_period_end_value"}  # a stock's level at the month's end
FLOW_VALUE_MEASURES = {"ytd_value", "prior_year_ytd_value"}  # a flow's year-to-date
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("seed42_sample")]


@pytest.fixture(scope="module")
def sample(seed42_messy_warehouse: tuple[Path, Path]) -> Path:
    return seed42_messy_warehouse[0]


@pytest.fixture(scope="module")
def warehouse(seed42_messy_warehouse: tuple[Path, Path]) -> Path:
    """The default messy sample up to UNTIL, ingested and transformed (tests/conftest.py builds it once per
    worker for these tests and test_quality_sample's; both read it only)."""
    return seed42_messy_warehouse[1]


@pytest.fixture(scope="module")
def registry() -> Registry:
    loaded = load_registry(PLANS_DIR)
    assert not loaded.problems, loaded.problems
    return loaded


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _index_of_period(period: str) -> int:
    return _index(int(period[:4]), int(period[5:7]))


def _index_of_date(day: dt.date) -> int:
    return _index(day.year, day.month)


def _month_end(index: int) -> dt.date:
    year, month = divmod(index, 12)
    following = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _last_month_with_data(warehouse: Path) -> int:
    ((last,),) = _rows(
        warehouse,
        "select max(period) from (select period from raw.observations"
        " union all select period from raw.milestone_reports)",
    )
    return _index_of_period(last)


def _targets(registry: Registry) -> list[tuple[Plan, Target]]:
    return [(plan, target) for plan in registry.plans.values() for target in plan.targets]


# ---- every target, every month --------------------------------------------------------------------


def _last_followed_month(plan: Plan) -> int:
    """An ended plan is followed for final_assessment_months (12 by default) after the later of its
    period's end and its last target year: its final assessment, then it leaves the monthly marts."""
    last_target_month = max((_index(target.target_year, 12) for target in plan.targets), default=0)
    return max(_index_of_date(plan.period_end), last_target_month) + 12


def test_every_target_has_a_row_for_each_month_from_plan_start_to_the_last_month_with_data(
    warehouse: Path, registry: Registry
) -> None:
    last = _last_month_with_data(warehouse)
    assert last == _index_of_period(UNTIL), "the sample reports up to its last month"
    expected = {
        (target.target_id, _month_end(month))
        for plan, target in _targets(registry)
        for month in range(_index_of_date(plan.period_start), min(last, _last_followed_month(plan)) + 1)
    }
    rows = _rows(warehouse, "select target_id, period from marts.fct_target_progress")
    assert len(rows) == len(set(rows)), "one row per target and month"
    assert set(rows) == expected
    assert len({target_id for target_id, _ in rows}) == len(_targets(registry)) == 314
    # 呼和浩特's 2021–2023 plan: its final assessment through 2024, not reported as current in 2025
    hohhot = {period for target_id, period in rows if target_id.startswith("hohhot.")}
    assert max(hohhot) == dt.date(2024, 12, 31)


# ---- no_data only where the data truly is absent -------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What a target's progress is computed from, read from the registry alone."""

    target: Target
    base_month: int  # the end of the base year, where the path starts
    target_month: int  # December of the target year
    sum_start_year: int  # the first year a sum counts: the plan's first, or the year after a named base year
    summed: bool  # a sum of a flow's year totals since the plan start (累计, 新增 of a flow)
    year_total: bool  # this year's total of a flow

    @property
    def growth(self) -> bool:
        return self.target.kind in GROWTH_KINDS


def _needs(registry: Registry) -> dict[str, Need]:
    unit_table = registry.reference.unit_table
    needs = {}
    for plan, target in _targets(registry):
        indicator = registry.reference.indicators[target.indicator_code]
        unit = indicator.canonical_unit
        dimension = unit_table.lookup(unit).dimension if unit_table.knows(unit) else ""
        # as int_indicators_classified: a % or a per-unit rate averages over the year, other flows add up
        averaged = dimension in {"percent", "ratio"} or "_per_" in dimension
        additive_flow = indicator.nature is Nature.flow and not averaged
        summed = additive_flow and target.kind in SUMMED_KINDS
        year_total = additive_flow and not summed and target.kind not in (TargetKind.rate, TargetKind.ratio)
        base_year = target.base_year or plan.period_start.year - 1
        # a sum counts from the plan's first year, or from the year after the base year the registry names
        sum_start_year = target.base_year + 1 if target.base_year else plan.period_start.year
        needs[target.target_id] = Need(
            target, _index(base_year, 12), _index(target.target_year, 12), sum_start_year, summed, year_total
        )
    return needs


def _dated_values(warehouse: Path, registry: Registry) -> dict[tuple[str, str], set[int]]:
    """(indicator, region) → the months with a value: reported, from a 上年同期 column, or (for a ratio
    in the catalogue) from both components in the same month."""
    stock = {code for code, indicator in registry.reference.indicators.items() if indicator.nature is Nature.stock}
    dated: dict[tuple[str, str], set[int]] = defaultdict(set)
    for indicator, region, period, measure in _rows(
        warehouse, "select distinct indicator_code, region_code, period, measure from raw.observations"
    ):
        if measure in (STOCK_VALUE_MEASURES if indicator in stock else FLOW_VALUE_MEASURES):
            dated[(indicator, region)].add(_index_of_period(period) - (12 if measure in PRIOR_YEAR_MEASURES else 0))
    for code, indicator in registry.reference.indicators.items():
        if indicator.numerator and indicator.denominator:
            regions = {region for (component, region) in dated if component == indicator.numerator}
            for region in regions:
                both = dated[(indicator.numerator, region)] & dated.get((indicator.denominator, region), set())
                dated[(code, region)] |= both
    return dated


NO_BASE = "the growth target's base year has no value"
NO_VALUE = "no value since the base year ended"
NO_FINAL_VALUE = "no value of the target year's end"  # the verdict waits, unless the target was met earlier
NO_EARLIER_DECEMBER = "the sum since the plan start lacks an earlier year's December total"


def _why_no_data(need: Need, month: int, dated: set[int]) -> str | None:
    """Why a row at `month` cannot have a status, from the raw data alone; None when nothing is missing."""
    if need.growth and need.target.baseline_value is None and need.base_month not in dated:
        return NO_BASE
    in_path = {d for d in dated if need.base_month < d <= min(month, need.target_month)}
    if not in_path:
        return NO_VALUE
    if month > need.target_month:
        # the verdict reads the target year's final value: December of a year total or a sum, any month
        # of the target year for a level
        first_final = need.target_month if (need.year_total or need.summed) else need.target_month - 11
        if not any(d >= first_final for d in in_path):
            return NO_FINAL_VALUE
    latest = max(in_path)
    if need.summed and any(_index(year, 12) not in dated for year in range(need.sum_start_year, latest // 12)):
        return NO_EARLIER_DECEMBER
    return None


def test_no_data_appears_only_where_the_raw_data_truly_has_none(warehouse: Path, registry: Registry) -> None:
    needs = _needs(registry)
    dated = _dated_values(warehouse, registry)
    reasons: dict[str, int] = defaultdict(int)
    unexplained, unfounded = [], []
    rows = _rows(warehouse, "select target_id, period, status from marts.fct_target_progress")
    for target_id, period, status in rows:
        need = needs[target_id]
        values = dated.get((need.target.indicator_code, need.target.region), set())
        why = _why_no_data(need, _index_of_date(period), values)
        if status == "no_data":
            if why is None:
                unexplained.append((target_id, period))
            reasons[str(why)] += 1
        elif why is not None and not (why == NO_FINAL_VALUE and status == "achieved"):
            unfounded.append((target_id, period, status, why))
    assert unexplained == [], f"{len(unexplained)} no_data rows although the data is there, e.g. {unexplained[:5]}"
    assert unfounded == [], f"{len(unfounded)} rows with a status the data cannot give, e.g. {unfounded[:5]}"
    assert reasons[NO_VALUE] > 0
    print(f"no_data rows by reason: {dict(reasons)}")


def test_growth_targets_whose_base_year_precedes_the_plan_have_it_reported(warehouse: Path, registry: Registry) -> None:
    # With a plan's first month the sample sends the base-year figures (基期数) its growth targets need,
    # so their base comes from a direct report of the base year's December, not from the 上年同期 column
    # of the first December, and the first year of the plan is evaluated.
    growth = {
        target.target_id: _month_end(_index(target.base_year or plan.period_start.year - 1, 12))
        for plan, target in _targets(registry)
        if target.kind in GROWTH_KINDS and (target.base_year or 0) < plan.period_start.year
    }
    rows = _rows(
        warehouse,
        f"""
        select target_id, any_value(baseline_source), any_value(baseline_as_of)
        from marts.fct_target_progress where target_id in ({", ".join(f"'{t}'" for t in growth)})
        group by target_id
    """,
    )
    assert len(rows) == len(growth) >= 7
    assert {(target_id, source, as_of) for target_id, source, as_of in rows} == {
        (target_id, "reported", base) for target_id, base in growth.items()
    }


# ---- on time by arrival -------------------------------------------------------------------------


def test_a_month_is_on_time_when_its_first_file_arrived_by_the_due_date(warehouse: Path, sample: Path) -> None:
    # The sample dates each file by its arrival (its modification time, also in the manifest); a month
    # is on time when the department's first file for it arrived by the 5th of the next month, in China
    # Standard Time.
    manifest = json.loads((sample / "sample_manifest.json").read_text(encoding="utf-8"))
    first_arrival: dict[tuple[str, dt.date], dt.datetime] = {}
    for item in manifest["files"]:
        key = (item["department_id"], _month_end(_index_of_period(item["period"])))
        arrived = dt.datetime.fromisoformat(item["submitted_at"]).replace(tzinfo=None)  # China Standard Time
        first_arrival[key] = min(arrived, first_arrival.get(key, arrived))
    rows = _rows(
        warehouse,
        "select department_id, period, due_date, first_received_at, is_on_time from marts.mart_submission_completeness"
        " where submissions_received = 1",
    )
    assert rows
    for department_id, period, due_date, first_received_at, is_on_time in rows:
        arrived = first_arrival[(department_id, period)]
        assert first_received_at == arrived, (department_id, period)
        assert is_on_time == (arrived.date() <= due_date), (department_id, period, arrived, due_date)
    on_time = [is_on_time for *_, is_on_time in rows]
    assert 0.75 < sum(on_time) / len(on_time) < 0.97, "most arrive by the due date, some late"
    # a month has a row once it has ended in China, and is past due once its due date has gone by
    from planwatch.periods import china_today

    today = china_today()
    owed = _rows(warehouse, "select period, due_date, is_past_due from marts.mart_submission_completeness")
    assert owed and all(period < today for period, _, _ in owed)
    assert all(is_past_due == (due_date < today) for _, due_date, is_past_due in owed)


def test_every_projection_stays_within_what_its_quantity_can_be(warehouse: Path) -> None:
    """A level is projected within its indicator's range (a share within 0–100), never below zero when it
    has never been negative (additions to a stock may: the stock can fall), and an interval has both
    bounds or none (a 0 beside no upper bound would
    read as a lower bound it never computed). Recomputed from the catalogue and the raw figures."""
    outside = _rows(
        warehouse,
        """
        select progress.target_id, progress.period, progress.projected_value, indicators.plausible_min,
               indicators.plausible_max
        from marts.fct_target_progress as progress
        inner join raw.ref_indicators as indicators on progress.indicator_code = indicators.indicator_code
        where progress.measure_space = 'level' and progress.projected_value is not null
          and (progress.projected_value < indicators.plausible_min - 1e-9
               or progress.projected_value > indicators.plausible_max + 1e-9)
        """,
    )
    assert outside == []
    never_negative = _rows(
        warehouse,
        """
        select progress.target_id, progress.period, progress.projected_value, progress.projected_value_low
        from marts.fct_target_progress as progress
        where (progress.projected_value < 0 or progress.projected_value_low < 0)
          -- additions to a stock are no such quantity: they fall below zero when the stock falls
          and progress.measure_space <> 'change_since_plan_start'
          and not exists (
              select 1 from raw.observations as observed
              where observed.indicator_code = progress.indicator_code and observed.value < 0
          )
          and coalesce(progress.baseline_value, 0) >= 0
        """,
    )
    assert never_negative == []
    one_sided = _rows(
        warehouse,
        "select count(*) from marts.fct_target_progress"
        " where (projected_value_low is null) <> (projected_value_high is null)",
    )
    assert one_sided == [(0,)]
    with_interval = _rows(
        warehouse, "select count(*) from marts.fct_target_progress where projected_value_high is not null"
    )
    assert with_interval[0][0] > 0
