"""Plausible monthly statistics for every (indicator, region) a sample needs, derived from the targets.

Each series starts from a year-end (stock) or year-total (flow) path that passes through what the
targets require (`required path`), then bends it by an outcome the seed chooses per (indicator,
region): ahead of the target, on track, behind or far behind, so that some targets are met early and
some missed. Flows are spread over the months with a seasonal profile (year-to-date = running sum of
the rounded month values, the prior-year figures are last year's series); stocks move from one
year-end to the next with noise. A ratio target is honoured through its two components: the
numerator follows the denominator times the ratio's path. Values are in the canonical unit, rounded
as reported (2 decimals for 亿元, whole counts, 1 decimal for %).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from enum import StrEnum

from planwatch.forms.cells import decimals_for
from planwatch.registry.load import Registry
from planwatch.registry.reference import IncompatibleUnitsError, UnknownUnitError
from planwatch.registry.schema import Comparator, Indicator, Nature, Plan, Target, TargetKind
from planwatch.template_format import Measure


class SeriesKind(StrEnum):
    extensive_flow = "extensive_flow"  # adds up over months: 产值, 产量, 场次
    intensive_flow = "intensive_flow"  # a rate over a period: %, 吨/日; the year-to-date is an average
    stock = "stock"  # a level at the end of each month


class Outcome(StrEnum):
    ahead = "ahead"
    on_track = "on_track"
    behind = "behind"
    far_behind = "far_behind"


# How much of the change the targets require (from the year before the plan to each target year) a
# series achieves: more than all of it when ahead, less when behind. Acting on the change rather than
# the level keeps a stock growing when it falls short, and works the same way for a ceiling (<=).
_OUTCOME_FACTORS: dict[Outcome, tuple[float, float]] = {
    Outcome.ahead: (1.25, 1.60),
    Outcome.on_track: (1.02, 1.12),
    Outcome.behind: (0.75, 0.95),
    Outcome.far_behind: (0.30, 0.65),
}

# Month shares of a year's flow. Harvest-driven statistics peak in autumn, processing dips at the
# Spring Festival (February) and rises towards year end, slaughter peaks before the festival.
_SEASONS: dict[str, tuple[float, ...]] = {
    "harvest": (0.03, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12, 0.15, 0.16, 0.11, 0.07),
    "processing": (0.075, 0.055, 0.080, 0.080, 0.082, 0.085, 0.085, 0.088, 0.092, 0.093, 0.090, 0.095),
    "livestock": (0.095, 0.070, 0.070, 0.070, 0.070, 0.070, 0.072, 0.078, 0.082, 0.090, 0.110, 0.133),
    "even": tuple([1 / 12] * 12),
}
_SEASON_WORDS = (
    ("livestock", ("出栏", "屠宰", "饲养量")),
    ("harvest", ("产量", "种植", "农业总产值", "农林牧渔", "蔬菜", "苹果", "畜牧业总产值")),
    ("processing", ("加工", "营业收入", "产值", "收入", "投资")),
)

# What a city-sized region typically has when no target says (in each dimension's base unit).
_CITY_MAGNITUDE: dict[str, float] = {
    "currency": 5.0e9,  # 50亿元
    "mass": 3.0e8,  # 30万吨
    "area": 1.0e5,  # 10万亩
    "head": 2.0e5,  # 20万头
    "count": 40,
    "percent": 60,
    "ratio": 1.5,
    "mass_per_day": 1000,
    "colonies_per_ml": 3.0e5,
    "head_per_hour": 300,
    "head_per_year": 1.0e5,
}
_LEVEL_SCALE = {"province": 8.0, "city": 1.0, "county": 0.35, "subregion": 0.12}
_SUMMED_KINDS = (TargetKind.new_additions, TargetKind.cumulative)


def _rng(seed: int, *parts: object) -> random.Random:
    # A string seed is hashed with SHA-512 by `random`, so the stream is the same on every run.
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _round(value: float, decimals: int) -> float:
    rounded = round(value, decimals)
    return float(int(rounded)) if decimals == 0 else rounded + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass
class Series:
    """One (indicator, region) from the first to the last year the sample needs."""

    indicator_code: str
    region_code: str
    kind: SeriesKind
    decimals: int
    outcome: Outcome
    annual: dict[int, float]  # year total (extensive flow), year average (intensive flow), year end (stock)
    monthly: dict[tuple[int, int], float] = field(default_factory=dict)  # month value, rate or level
    ytd: dict[tuple[int, int], float] = field(default_factory=dict)

    def figure(self, measure: Measure, year: int, month: int) -> float | None:
        """The figure a department reports for the measure in the month; None outside the series."""
        if measure is Measure.month_value and self.kind is not SeriesKind.stock:
            return self.monthly.get((year, month))
        if measure is Measure.ytd_value and self.kind is not SeriesKind.stock:
            return self.ytd.get((year, month))
        if measure is Measure.prior_year_ytd_value and self.kind is not SeriesKind.stock:
            return self.ytd.get((year - 1, month))
        if measure is Measure.period_end_value and self.kind is SeriesKind.stock:
            return self.monthly.get((year, month))
        if measure is Measure.prior_year_period_end_value and self.kind is SeriesKind.stock:
            return self.monthly.get((year - 1, month))
        return None

    def year_value(self, year: int) -> float | None:
        """The value a target compares with: year total or average (flows) or year-end level (stocks)."""
        if self.kind is SeriesKind.stock:
            return self.monthly.get((year, 12))
        return self.ytd.get((year, 12))


class SeriesBook:
    """Every series of a sample, built on first use; ratio components are built as a pair."""

    def __init__(self, registry: Registry, seed: int, first_year: int, last_year: int) -> None:
        self.registry = registry
        self.reference = registry.reference
        self.seed = seed
        self.first_year = first_year
        self.last_year = last_year
        self._series: dict[tuple[str, str], Series] = {}
        self._targets: dict[tuple[str, str], list[tuple[Plan, Target]]] = {}
        for plan in registry.plans.values():
            for target in plan.targets:
                self._targets.setdefault((target.indicator_code, target.region), []).append((plan, target))

    # ---- public -------------------------------------------------------------------------------

    def series(self, indicator_code: str, region_code: str) -> Series:
        key = (indicator_code, region_code)
        if key not in self._series:
            series = self._build(indicator_code, region_code)
            self._series[key] = series
            self._hold_parts(series)
        return self._series[key]

    def _hold_parts(self, series: Series) -> None:
        """A region's figure of a quantity that adds up across regions is never below its parts' sum, and a
        group of regions' is their sum.

        The plans split a city's target among its counties; each county's series is bent by its own
        outcome, so the city's own path is raised, month by month, to the sum of its counties' where
        they add up to more (a year-to-date stays the running sum of the raised months).
        """
        indicator = self.reference.indicators[series.indicator_code]
        if not self._adds_up_across_regions(indicator) or series.kind is SeriesKind.intensive_flow:
            return
        # a group of regions (重点帮扶县 = 庄浪县 + 静宁县) is its members added up, exactly; it is no part of
        # its parent beside them
        members = self.reference.regions[series.region_code].members
        part_codes = members or [
            region.code
            for region in self.reference.regions.values()
            if region.parent_code == series.region_code and not region.members
        ]
        parts = [
            self.series(series.indicator_code, code)
            for code in part_codes
            if self.targets_of(series.indicator_code, code)
        ]
        if not parts:
            return
        for month in series.monthly:
            # a group adds up what its members report (their figures as written, rounded)
            total = sum(
                _round(part.monthly.get(month, 0.0), part.decimals) if members else part.monthly.get(month, 0.0)
                for part in parts
            )
            if total > series.monthly[month] or members:
                series.monthly[month] = _round(total, series.decimals)
        if series.kind is SeriesKind.extensive_flow:
            for year in sorted({year for year, _ in series.monthly}):
                running = 0.0
                for month in range(1, 13):
                    if (year, month) in series.monthly:
                        running += series.monthly[(year, month)]
                        series.ytd[(year, month)] = _round(running, series.decimals)
                series.annual[year] = series.ytd.get((year, 12), series.annual[year])
        else:
            for year in series.annual:
                series.annual[year] = series.monthly.get((year, 12), series.annual[year])

    def _adds_up_across_regions(self, indicator: Indicator) -> bool:
        unit_table = self.reference.unit_table
        if not unit_table.knows(indicator.canonical_unit):
            return False
        return unit_table.lookup(indicator.canonical_unit).dimension in {"currency", "mass", "area", "head", "count"}

    def targets_of(self, indicator_code: str, region_code: str) -> list[tuple[Plan, Target]]:
        return self._targets.get((indicator_code, region_code), [])

    # ---- annual paths -------------------------------------------------------------------------

    def kind_of(self, indicator: Indicator) -> SeriesKind:
        if indicator.nature is Nature.stock:
            return SeriesKind.stock
        unit_table = self.reference.unit_table
        if unit_table.knows(indicator.canonical_unit):
            dimension = unit_table.lookup(indicator.canonical_unit).dimension
            if dimension in {"percent", "ratio"} or "_per_" in dimension:
                return SeriesKind.intensive_flow
        return SeriesKind.extensive_flow

    def _magnitude(self, indicator: Indicator, region_code: str, rng: random.Random) -> float:
        unit_table = self.reference.unit_table
        level = self.reference.regions[region_code].level if region_code in self.reference.regions else "city"
        if not unit_table.knows(indicator.canonical_unit):
            return 100 * rng.uniform(0.5, 1.5)
        unit = unit_table.lookup(indicator.canonical_unit)
        base = _CITY_MAGNITUDE.get(unit.dimension, 100 * unit.factor)
        if unit.dimension in {"percent", "ratio"}:
            return base * rng.uniform(0.8, 1.2)
        return base * _LEVEL_SCALE.get(level, 1.0) * rng.uniform(0.5, 1.5) / unit.factor

    def _in_canonical(self, value: float, unit: str, indicator: Indicator) -> float:
        try:
            return self.reference.unit_table.convert(value, unit, indicator.canonical_unit)
        except (UnknownUnitError, IncompatibleUnitsError):
            return value  # the registry check reports such a unit; the sample uses the figure as is

    def _required_points(
        self, indicator: Indicator, region_code: str, kind: SeriesKind, rng: random.Random
    ) -> tuple[dict[int, float], int, bool, bool]:
        """Year → value the targets require, the first target year, whether the targets are ceilings
        and whether they are sums of a flow over the years (新增, 累计)."""
        # growth targets after the level targets of their year: a plan that states both (达到0.5亿元，比2022年
        # 增长50%) gets its base year from the level, not a magnitude of its own
        growth_kinds = (TargetKind.growth_over_base, TargetKind.average_annual_growth)
        pairs = sorted(
            self.targets_of(indicator.indicator_code, region_code),
            key=lambda p: (p[1].target_year, p[1].kind in growth_kinds),
        )
        points: dict[int, float] = {}
        ceiling = any(target.comparator is Comparator.at_most for _, target in pairs)
        summed_so_far: dict[str, tuple[int, float]] = {}  # plan → (year, total) of summed targets
        stock_base: dict[str, float] = {}  # plan → level before the plan, for new_additions of a stock

        def merge(year: int, value: float) -> None:
            if year in points:
                value = min(points[year], value) if ceiling else max(points[year], value)
            points[year] = max(value, 0.0)

        for plan, target in pairs:
            year = target.target_year
            start_year = plan.period_start.year - 1
            if target.kind in growth_kinds:
                base_year = target.base_year or start_year
                growth = target.target_value / 100
                factor = (
                    (1 + growth)
                    if target.kind is TargetKind.growth_over_base
                    else (1 + growth) ** max(year - base_year, 1)
                )
                if base_year in points:
                    base = points[base_year]
                elif target.baseline_value is not None:
                    base = target.baseline_value
                elif year in points:
                    base = points[year] / factor
                else:
                    base = self._magnitude(indicator, region_code, rng)
                points.setdefault(base_year, base)
                merge(year, base * factor)
                continue
            value = self._in_canonical(target.target_value, target.unit, indicator)
            if target.kind in _SUMMED_KINDS and kind is SeriesKind.extensive_flow:
                # The sum of the years' flows from the plan start: spread the rest evenly over the years.
                last_year, last_total = summed_so_far.get(plan.plan_id, (start_year, 0.0))
                years = max(year - last_year, 1)
                per_year = max(value - last_total, 0.0) / years
                for each in range(last_year + 1, year + 1):
                    merge(each, per_year)
                summed_so_far[plan.plan_id] = (year, value)
            elif target.kind is TargetKind.new_additions and kind is SeriesKind.stock:
                if plan.plan_id not in stock_base:
                    stock_base[plan.plan_id] = points.get(start_year, value * rng.uniform(0.6, 2.0))
                    points[start_year] = stock_base[plan.plan_id]
                merge(year, stock_base[plan.plan_id] + value)
            else:
                merge(year, value)
        first_target_year = min((target.target_year for _, target in pairs), default=self.last_year)
        return points, first_target_year, ceiling, bool(summed_so_far)

    def _annual_path(
        self, indicator: Indicator, region_code: str, kind: SeriesKind
    ) -> tuple[dict[int, float], Outcome]:
        rng = _rng(self.seed, "path", indicator.indicator_code, region_code)
        points, first_target_year, ceiling, summed = self._required_points(indicator, region_code, kind, rng)
        unit_table = self.reference.unit_table
        percent_like = (
            unit_table.knows(indicator.canonical_unit)
            and unit_table.lookup(indicator.canonical_unit).dimension == "percent"
        )
        if not points:
            points = {self.last_year: self._magnitude(indicator, region_code, rng)}
        first_point = min(points)
        growth = rng.uniform(0.03, 0.10)
        plan_starts = [plan.period_start.year - 1 for plan, _ in self.targets_of(indicator.indicator_code, region_code)]
        start_year = min(plan_starts, default=first_point - 1)
        if start_year < first_point:
            gap = first_point - start_year
            first_value = points[first_point]
            if percent_like:
                step = rng.uniform(0.5, 3.0) * gap
                points[start_year] = first_value + step if ceiling else first_value - step
            else:
                points[start_year] = first_value * ((1 + growth) ** gap if ceiling else (1 + growth) ** -gap)
        outcome = Outcome(rng.choice(list(Outcome)))
        factor = rng.uniform(*_OUTCOME_FACTORS[outcome])
        years = sorted(points)
        ramp_start, ramp_end = min(start_year, years[0]), first_target_year
        start_value = points[ramp_start]
        ceiling_value = indicator.plausible_max if indicator.plausible_max is not None else 100.0
        path: dict[int, float] = {}
        for year in range(min(self.first_year, years[0]), self.last_year + 1):
            required = _interpolate(points, year, growth, percent_like)
            progress = min(max((year - ramp_start) / max(ramp_end - ramp_start, 1), 0.0), 1.0)
            if summed:
                # Yearly additions: ahead means more added every year, behind fewer.
                value = required * (1 + (factor - 1) * 0.35 * progress)
            else:
                value = start_value + (required - start_value) * (1 + (factor - 1) * progress)
            value *= rng.lognormvariate(0, 0.01)
            if percent_like:
                value = min(value, ceiling_value)
            path[year] = max(value, 0.0)
        return path, outcome

    # ---- months -------------------------------------------------------------------------------

    def _build(self, indicator_code: str, region_code: str) -> Series:
        indicator = self.reference.indicators[indicator_code]
        kind = self.kind_of(indicator)
        decimals = decimals_for(self.reference.unit_table, indicator.canonical_unit)
        derived = self._ratio_derived(indicator, region_code)
        if derived is None:
            annual, outcome = self._annual_path(indicator, region_code, kind)
        else:
            annual, outcome = derived
        if kind is not SeriesKind.extensive_flow:
            # a rate or level a department reports stays inside the catalogue's plausible range, which
            # the quality checks hold it to: a clean sample must not fail them
            annual = {year: _within(value, indicator) for year, value in annual.items()}
        series = Series(indicator_code, region_code, kind, decimals, outcome, annual)
        rng = _rng(self.seed, "months", indicator_code, region_code)
        if kind is SeriesKind.stock:
            _fill_stock(series, rng)
        else:
            _fill_flow(series, rng, _season_of(indicator))
        if kind is not SeriesKind.extensive_flow:
            series.monthly = {key: _within(value, indicator) for key, value in series.monthly.items()}
            if kind is SeriesKind.intensive_flow:
                for year, month in sorted(series.monthly):
                    months = [series.monthly[(year, m)] for m in range(1, month + 1)]
                    series.ytd[(year, month)] = _round(sum(months) / month, decimals)
        return series

    def _ratio_derived(self, indicator: Indicator, region_code: str) -> tuple[dict[int, float], Outcome] | None:
        """A ratio component without targets of its own: the partner's path times (or over) the ratio."""
        if self.targets_of(indicator.indicator_code, region_code):
            return None
        for ratio in self.reference.indicators.values():
            if not (ratio.numerator and ratio.denominator):
                continue
            if indicator.indicator_code not in (ratio.numerator, ratio.denominator):
                continue
            if not self.targets_of(ratio.indicator_code, region_code):
                continue
            is_numerator = indicator.indicator_code == ratio.numerator
            partner = ratio.denominator if is_numerator else ratio.numerator
            if not is_numerator and not self.targets_of(partner, region_code):
                return None  # neither has targets: the denominator gets its own path, the numerator follows
            partner_series = self.series(partner, region_code)
            ratio_path, outcome = self._annual_path(ratio, region_code, SeriesKind.intensive_flow)
            scale = 100.0 if ratio.canonical_unit == "%" else 1.0
            annual = {}
            for year, partner_value in partner_series.annual.items():
                share = ratio_path.get(year, ratio_path[min(ratio_path, key=lambda y: abs(y - year))]) / scale
                annual[year] = partner_value * share if is_numerator else partner_value / max(share, 1e-9)
            return annual, outcome
        return None


def _within(value: float, indicator: Indicator) -> float:
    low = indicator.plausible_min if indicator.plausible_min is not None else value
    high = indicator.plausible_max if indicator.plausible_max is not None else value
    return min(max(value, low), high)


def _interpolate(points: dict[int, float], year: int, growth: float, percent_like: bool) -> float:
    years = sorted(points)
    if year in points:
        return points[year]
    if year < years[0]:
        gap = years[0] - year
        return points[years[0]] - gap if percent_like else points[years[0]] / (1 + growth) ** gap
    if year > years[-1]:
        gap = year - years[-1]
        return points[years[-1]] + 0.5 * gap if percent_like else points[years[-1]] * (1 + growth) ** gap
    before = max(y for y in years if y < year)
    after = min(y for y in years if y > year)
    share = (year - before) / (after - before)
    return points[before] + (points[after] - points[before]) * share


def _season_of(indicator: Indicator) -> tuple[float, ...]:
    for season, words in _SEASON_WORDS:
        if any(word in indicator.name for word in words):
            return _SEASONS[season]
    return _SEASONS["even"]


def _integer_split(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers (largest remainder first)."""
    raw = [total * weight for weight in weights]
    parts = [math.floor(value) for value in raw]
    remainders = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for index in remainders[: total - sum(parts)]:
        parts[index] += 1
    return parts


def _fill_flow(series: Series, rng: random.Random, season: tuple[float, ...]) -> None:
    decimals = series.decimals
    for year, annual in sorted(series.annual.items()):
        weights = [share * rng.lognormvariate(0, 0.08) for share in season]
        total = sum(weights)
        weights = [weight / total for weight in weights]
        if series.kind is SeriesKind.intensive_flow:
            # A rate's month values wander around the year's average; the year-to-date is their mean.
            months = [_round(annual * rng.lognormvariate(0, 0.03), decimals) for _ in range(12)]
            for month in range(1, 13):
                series.monthly[(year, month)] = months[month - 1]
                series.ytd[(year, month)] = _round(sum(months[:month]) / month, decimals)
            continue
        if decimals == 0:
            months = [float(part) for part in _integer_split(round(annual), weights)]
        else:
            months = [_round(annual * weight, decimals) for weight in weights]
        running = 0.0
        for month in range(1, 13):
            running += months[month - 1]
            series.monthly[(year, month)] = months[month - 1]
            series.ytd[(year, month)] = _round(running, decimals)


def _fill_stock(series: Series, rng: random.Random) -> None:
    years = sorted(series.annual)
    for year in years:
        end = series.annual[year]
        start = series.annual.get(year - 1, end)
        for month in range(1, 13):
            if month == 12:
                level = end
            else:
                share = month / 12 + rng.uniform(-0.04, 0.04)
                level = start + (end - start) * min(max(share, 0.0), 1.0)
                level *= rng.lognormvariate(0, 0.004)
            series.monthly[(year, month)] = max(_round(level, series.decimals), 0.0)
