"""The mistakes department clerks really make, injected into sample figures at a known rate.

Where `mess.py` changes how a file looks (numbers as text, renamed sheets), a mistake changes what a
figure says: a value typed in 元 where 万元 is due, 72 % typed as 0.72, last month's figure copied
again. Each file chosen (about `rate` of the monthly files) gets one mistake, the kind least used so
far among those its figures allow, so that a sample of a few years shows every kind several times.
A mistake is only injected where planwatch's checks can know it (a unit slip needs the figure's plan
level or its history), and never where another check would catch it first, so that what a test
measures is each check's own recall. The manifest lists every mistake (`mistakes`) with the path it
must take: `quarantine` (the row is set aside at ingest), `gate` (the month's quality gate blocks) or
`warning` (the figure is used and the finding is reported in the briefing of its plan and region).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from planwatch.periods import Period
from planwatch.plausibility.expectations import ADDITIVE_DIMENSIONS, can_slip, counts_one_by_one, scale_frame
from planwatch.registry.load import Registry
from planwatch.registry.schema import Frequency, Indicator, Nature
from planwatch.sample.series import SeriesBook
from planwatch.template_format import Measure

Key = tuple[str, str, Measure]  # (indicator, region, measure)
Figures = dict[Key, float | None]


class MistakeKind(StrEnum):
    unit_slip_up = "unit_slip_up"  # typed in the unit 10⁴ smaller (元 in a 万元 column): ×10⁴
    unit_slip_down = "unit_slip_down"  # typed in the unit 10⁴ larger (万头 in a 头 column): ÷10⁴
    unit_slip_1e8 = "unit_slip_1e8"  # 元 in an 亿元 column: ×10⁸
    rate_as_fraction = "rate_as_fraction"  # 72 % typed as 0.72
    absurd_value = "absurd_value"  # 1,000,000,000 in an 亿元 column
    non_integer_count = "non_integer_count"  # 101.25 个
    negative_value = "negative_value"  # a minus sign where none can be
    text_for_number = "text_for_number"  # 约三百, 待核实
    month_above_ytd = "month_above_ytd"  # 本月 larger than 本年累计
    ytd_falls = "ytd_falls"  # 本年累计 below last month's
    stock_fall = "stock_fall"  # a stock falling by more than half since last month
    stock_jump_up = "stock_jump_up"  # a stock more than doubling since its last report, past its plan's level
    year_on_year_jump = "year_on_year_jump"  # a December year-to-date 2.4 times last year's, past its plan's level
    jump_after_gap = "jump_after_gap"  # a quarterly or annual figure falling by more than half since its last report
    flow_month_jump = "flow_month_jump"  # a month's flow 2.6 times last month's
    unchanged_copy = "unchanged_copy"  # a figure that always moves, copied from two months before
    departments_disagree = "departments_disagree"  # another department sends the same figure, 30 % off
    counties_exceed_city = "counties_exceed_city"  # a county so large its counties add up past the city


class Path(StrEnum):
    quarantine = "quarantine"
    gate = "gate"
    warning = "warning"


PATHS: dict[MistakeKind, Path] = {
    MistakeKind.unit_slip_up: Path.quarantine,
    MistakeKind.unit_slip_down: Path.quarantine,
    MistakeKind.unit_slip_1e8: Path.quarantine,
    MistakeKind.rate_as_fraction: Path.quarantine,
    MistakeKind.absurd_value: Path.quarantine,
    MistakeKind.non_integer_count: Path.quarantine,
    MistakeKind.negative_value: Path.quarantine,
    MistakeKind.text_for_number: Path.quarantine,
    MistakeKind.stock_jump_up: Path.warning,
    MistakeKind.year_on_year_jump: Path.warning,
    MistakeKind.month_above_ytd: Path.quarantine,
    MistakeKind.ytd_falls: Path.quarantine,
    MistakeKind.stock_fall: Path.warning,
    MistakeKind.jump_after_gap: Path.warning,
    MistakeKind.flow_month_jump: Path.warning,
    MistakeKind.unchanged_copy: Path.warning,
    MistakeKind.departments_disagree: Path.warning,
    MistakeKind.counties_exceed_city: Path.gate,
}

GATE_KINDS = frozenset(kind for kind, path in PATHS.items() if path is Path.gate)
# Kinds few files allow (a year of moving figures, a city with its counties in one table, a December).
SELDOM_POSSIBLE = {
    MistakeKind.unchanged_copy,
    MistakeKind.counties_exceed_city,
    MistakeKind.jump_after_gap,
    MistakeKind.year_on_year_jump,
    MistakeKind.rate_as_fraction,
}
OWN_MEASURES = (Measure.month_value, Measure.ytd_value, Measure.period_end_value)
FALL = 0.4  # a stock keeps 40 % of itself: a fall well past the default 50 % jump share
YEAR_ON_YEAR_SHARE = 1.0  # planwatch.toml's default year_on_year_jump_share
JUMP = 2.4  # a figure 2.4 times itself: past both the stock's 50 % and the year-on-year 100 %
NOT_A_NUMBER = ("约三百", "待核实", "三百左右", "见备注")


@dataclass
class Mistake:
    kind: MistakeKind
    key: Key
    clean_value: float
    wrong_value: float | str
    period: str
    extra_file: bool = False  # the figure comes in a file of its own (another department's)
    department_id: str | None = None  # that file's department


@dataclass
class MistakeMaker:
    """Chooses and applies one mistake to a file's figures; remembers what was reported before."""

    registry: Registry
    book: SeriesBook
    rate: float
    decimals: dict[str, int]
    last_period: str
    seed: int
    reported: set[tuple[Key, str]] = field(default_factory=set)  # (figure, period) written clean
    touched: set[tuple[Key, str]] = field(default_factory=set)  # (figure, period) a mistake changed
    used: Counter = field(default_factory=Counter)  # mistakes injected, by kind
    copies: dict[tuple[str, Key], tuple[float, str]] = field(default_factory=dict)  # second month of a copy
    department_id: str = ""  # the department whose figures are being chosen from

    def __post_init__(self) -> None:
        reference = self.registry.reference
        scales = scale_frame(self.registry)
        self.levels = {
            (row.indicator_code, row.region_code): row.planned_high
            for row in scales.itertuples(index=False)
            if row.planned_high == row.planned_high  # not NaN
        }
        # a group of regions (重点帮扶县) is the total of its members, not a part of their parent beside them
        self.parents = {code: region.parent_code for code, region in reference.regions.items() if not region.members}
        # the last month an indicator's targets of a region still run (a verdict is final with its year's figure)
        self.runs_until: dict[tuple[str, str], str] = {}
        for plan in self.registry.plans.values():
            for target in plan.targets:
                end, judged = f"{target.target_year}-12", (target.indicator_code, target.region)
                self.runs_until[judged] = max(self.runs_until.get(judged, end), end)

    # ---- what a figure's checks can know ----------------------------------------------------------

    def indicator(self, key: Key) -> Indicator:
        return self.registry.reference.indicators[key[0]]

    def dimension(self, key: Key) -> str | None:
        table = self.registry.reference.unit_table
        unit = self.indicator(key).canonical_unit
        return table.lookup(unit).dimension if table.knows(unit) else None

    def plan_level(self, key: Key) -> float | None:
        """How high the plan means the figure's region to rise, as the plausibility review derives it."""
        return self.levels.get((key[0], key[1]))

    def was_reported(self, key: Key, period: str) -> bool:
        return (key, period) in self.reported and (key, period) not in self.touched

    def clean(self, key: Key, period: str) -> float | None:
        month = Period.parse(period).month_start
        return self.book.series(key[0], key[1]).figure(key[2], month.year, month.month)

    def round(self, key: Key, value: float) -> float:
        decimals = self.decimals[key[0]]
        rounded = round(value, decimals)
        return float(int(rounded)) if decimals == 0 else rounded

    # ---- choosing -----------------------------------------------------------------------------

    def inject(
        self,
        department_id: str,
        period: str,
        values: Figures,
        rng: random.Random,
        shown: set[Key] | None = None,
    ) -> list[Mistake]:
        """Change `values` in place by at most one mistake (plus the second month of a copy).

        `shown`: the figures the file shows, when not all of `values` (a bureau's table shows one measure).
        """
        self.department_id = department_id
        mistakes = self._second_month_of_copies(department_id, period, values)
        if not values or rng.random() >= self.rate:
            return mistakes
        candidates: list[tuple[MistakeKind, Key]] = []
        for key in sorted(values):
            value = values[key]
            if value is None or key[2] not in OWN_MEASURES or (key, period) in self.touched:
                continue
            if shown is not None and key not in shown:
                continue
            for kind, applies in self._rules().items():
                if applies(key, value, period, values):
                    candidates.append((kind, key))
        if not candidates:
            return mistakes
        # the kind used least so far (a kind with few chances counts its uses a third), then a figure
        kinds = sorted({kind for kind, _ in candidates})
        # a mistake only the gate catches has the fewest chances (a city with its counties in one table, in
        # a month no later briefing stands on or compares with): it goes first wherever it can be made
        kinds = sorted(GATE_KINDS.intersection(kinds)) or kinds
        uses = {each: self.used[each] / (3 if each in SELDOM_POSSIBLE else 1) for each in kinds}
        kind = rng.choice([each for each in kinds if uses[each] == min(uses.values())])
        key = rng.choice([figure for each, figure in candidates if each is kind])
        self.used[kind] += 1
        mistake = self._apply(kind, key, period, values, department_id)
        if mistake is not None:
            mistakes.append(mistake)
        return mistakes

    def _rules(self) -> dict[MistakeKind, Callable[[Key, float, str, Figures], bool]]:
        return {
            MistakeKind.unit_slip_up: self._slips,
            MistakeKind.unit_slip_down: self._slips_down,
            MistakeKind.unit_slip_1e8: lambda k, v, p, f: self._slips(k, v, p, f) and self.dimension(k) == "currency",
            MistakeKind.rate_as_fraction: self._rate,
            MistakeKind.absurd_value: lambda k, v, p, f: self.dimension(k) == "currency" and self._has_scale(k, p),
            MistakeKind.non_integer_count: lambda k, v, p, f: counts_one_by_one(
                self.registry.reference, self.indicator(k)
            ),
            MistakeKind.negative_value: lambda k, v, p, f: v > 0 and (self.indicator(k).plausible_min or 0) >= 0,
            MistakeKind.text_for_number: lambda k, v, p, f: True,
            MistakeKind.stock_jump_up: self._jumps_up,
            MistakeKind.year_on_year_jump: self._year_jump,
            MistakeKind.month_above_ytd: self._month_above_ytd,
            MistakeKind.ytd_falls: self._ytd_falls,
            MistakeKind.stock_fall: lambda k, v, p, f: self._falls(k, v, p, Frequency.monthly),
            MistakeKind.jump_after_gap: lambda k, v, p, f: self._falls(k, v, p, None),
            MistakeKind.flow_month_jump: self._flow_jump,
            MistakeKind.unchanged_copy: self._copyable,
            MistakeKind.departments_disagree: lambda k, v, p, f: v > 0 and self._others(k) != [],
            MistakeKind.counties_exceed_city: self._county_of_city,
        }

    def _declared(self, key: Key, wrong: float) -> bool:
        """Within the catalogue's plausible_min/max (outside, the figure is quarantined, not warned of)."""
        indicator = self.indicator(key)
        low = indicator.plausible_min if indicator.plausible_min is not None else -math.inf
        high = indicator.plausible_max if indicator.plausible_max is not None else math.inf
        return low <= wrong <= high

    def _counted(self, key: Key) -> bool:
        return counts_one_by_one(self.registry.reference, self.indicator(key))

    def _has_history(self, key: Key, period: str) -> bool:
        """The same month last year and at least three reports of the past year were written clean."""
        reports = sum(self.was_reported(key, _shift(period, -step)) for step in range(1, 13))
        return self.was_reported(key, _shift(period, -12)) and reports >= 3

    def _has_scale(self, key: Key, period: str) -> bool:
        """The figure's plan level or its history is known."""
        return self._has_history(key, period) or self.plan_level(key) is not None

    def _slips(self, key: Key, value: float, period: str, values: Figures) -> bool:
        return value > 0 and can_slip(self.registry.reference, self.indicator(key)) and self._has_scale(key, period)

    def _slips_down(self, key: Key, value: float, period: str, values: Figures) -> bool:
        # too small: the plan gives no lower bound for a month or a county, so the history must be known
        return (
            self._slips(key, value, period, values)
            and self._has_history(key, period)
            and value / 1e4 > 10 ** -self.decimals[key[0]]
        )

    def _rate(self, key: Key, value: float, period: str, values: Figures) -> bool:
        level = self.plan_level(key)
        return self.dimension(key) == "percent" and value >= 5 and (level is not None and level >= 5)

    def _additive_flow(self, key: Key) -> bool:
        return self.indicator(key).nature is Nature.flow and self.dimension(key) in ADDITIVE_DIMENSIONS

    def _month_above_ytd(self, key: Key, value: float, period: str, values: Figures) -> bool:
        ytd = values.get((key[0], key[1], Measure.ytd_value))
        return key[2] is Measure.month_value and self._additive_flow(key) and bool(ytd) and period[5:] != "01"

    def _ytd_falls(self, key: Key, value: float, period: str, values: Figures) -> bool:
        month = Period.parse(period).month_start.month
        before = _shift(period, -1)
        return (
            key[2] is Measure.ytd_value
            and self._additive_flow(key)
            and month >= 3
            and self.was_reported(key, before)
            and bool(self.clean(key, before))
            and self.round(key, (self.clean(key, before) or 0) * 0.9) < (self.clean(key, before) or 0)
        )

    def _falls(self, key: Key, value: float, period: str, frequency: Frequency | None) -> bool:
        indicator = self.indicator(key)
        if indicator.nature is not Nature.stock or key[2] is not Measure.period_end_value or value <= 0:
            return False
        if frequency is not None and indicator.frequency is not frequency:
            return False
        if frequency is None and indicator.frequency is Frequency.monthly:
            return False
        step = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.annual: 12}[indicator.frequency]
        before = self.clean(key, _shift(period, -step))
        if not self.was_reported(key, _shift(period, -step)) or not before:
            return False
        wrong = self.round(key, value * FALL)
        # a fall, not a slip or a figure out of its plan's range, and more than a few for a count
        level = self.plan_level(key)
        return (
            wrong > 0
            and before / wrong > 2
            and abs(before - wrong) > 3
            and (level is None or wrong > level / 8)
            and not (counts_one_by_one(self.registry.reference, indicator) and before < 10)
            and self._declared(key, wrong)
        )

    def _jumps_up(self, key: Key, value: float, period: str, values: Figures) -> bool:
        indicator = self.indicator(key)
        if indicator.nature is not Nature.stock or key[2] is not Measure.period_end_value or value <= 0:
            return False
        step = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.annual: 12}[indicator.frequency]
        before = self.clean(key, _shift(period, -step))
        if not self.was_reported(key, _shift(period, -step)) or not before:
            return False
        wrong = self.round(key, value * JUMP)
        level = self.plan_level(key)
        return (
            wrong / before > 2
            and (level is None or level * (1 + self.indicator(key).month_over_month_change_limit) < wrong < level * 5)
            and not (self._counted(key) and (before < 10 or wrong - before <= 3))
            and self._declared(key, wrong)
        )

    def _year_jump(self, key: Key, value: float, period: str, values: Figures) -> bool:
        if key[2] is not Measure.ytd_value or not self._additive_flow(key) or period[5:] != "12":
            return False
        last_year = self.clean(key, _shift(period, -12))
        if not self.was_reported(key, _shift(period, -12)) or not last_year:
            return False
        wrong = self.round(key, value * JUMP)
        level = self.plan_level(key)
        return (
            wrong / last_year > 2.2
            and (level is None or level * (1 + YEAR_ON_YEAR_SHARE) < wrong < level * 5)
            and self._declared(key, wrong)
        )

    def _flow_jump(self, key: Key, value: float, period: str, values: Figures) -> bool:
        if key[2] is not Measure.month_value or not self._additive_flow(key):
            return False
        if self.indicator(key).frequency is not Frequency.monthly or not self.was_reported(key, _shift(period, -1)):
            return False
        before = self.clean(key, _shift(period, -1)) or 0
        wrong = self.round(key, value * 2.6)
        ytd = values.get((key[0], key[1], Measure.ytd_value)) or 0
        level = self.plan_level(key)
        return (
            before > 0
            and wrong / before > 2.2
            and wrong <= ytd
            and (level is None or level / 12 < wrong < level)
            and not (counts_one_by_one(self.registry.reference, self.indicator(key)) and wrong - before <= 3)
        )

    def _copyable(self, key: Key, value: float, period: str, values: Figures) -> bool:
        """A monthly figure reported and moving every month of the past year."""
        indicator = self.indicator(key)
        if indicator.frequency is not Frequency.monthly or period >= self.last_period:
            return False
        if not (
            (indicator.nature is Nature.stock and key[2] is Measure.period_end_value)
            or (self._additive_flow(key) and key[2] in (Measure.month_value, Measure.ytd_value))
        ):
            return False
        if self._counted(key):
            return False  # things counted one by one stay the same for months
        history = [self.clean(key, _shift(period, -step)) for step in range(0, 12)]
        if any(figure is None for figure in history) or not all(
            self.was_reported(key, _shift(period, -step)) for step in range(1, 12)
        ):
            return False
        moved = all(history[step] != history[step + 1] for step in range(len(history) - 1))
        copied = history[1]  # last month's figure, repeated this month and the next
        return bool(moved and copied)

    def _others(self, key: Key) -> list[str]:
        """Departments of the figure's region or a region above it, other than the one reporting it."""
        regions = self.registry.reference.ancestors_and_self(key[1])
        return sorted(
            code
            for code, department in self.registry.reference.departments.items()
            if code != self.department_id and department.region in regions
        )

    def _county_of_city(self, key: Key, value: float, period: str, values: Figures) -> bool:
        # the gate of every month whose briefings still stand on the figure, or compare a running target's
        # figure with it (同比, a year on), blocks too: only where the county reports again before the
        # sample's last month, and the figure a year on is superseded by then or judges no running target,
        # so that month stays publishable
        step = {Frequency.monthly: 1, Frequency.quarterly: 3, Frequency.annual: 12}[self.indicator(key).frequency]
        a_year_on = _shift(period, 12)
        judged_until = max(self.runs_until.get((key[0], region), "") for region in (key[1], self.parents.get(key[1])))
        compared_at_the_end = _shift(a_year_on, step) >= self.last_period and judged_until > a_year_on
        if _shift(period, step) >= self.last_period or compared_at_the_end:
            return False
        if self.dimension(key) not in ADDITIVE_DIMENSIONS:
            return False
        parent = self.parents.get(key[1])
        city = values.get((key[0], parent, key[2])) if parent else None
        # the county grows by some tenths of its city: no more than 20-fold, so no other check sees it first
        return bool(city) and value > 0 and (value + (city or 0) * 0.3) / value < 20

    # ---- applying -----------------------------------------------------------------------------

    def _apply(self, kind: MistakeKind, key: Key, period: str, values: Figures, department_id: str) -> Mistake | None:
        clean = values[key]
        assert clean is not None
        match kind:
            case MistakeKind.unit_slip_up:
                wrong = clean * 1e4
            case MistakeKind.unit_slip_down:
                wrong = clean / 1e4
            case MistakeKind.unit_slip_1e8:
                wrong = clean * 1e8
            case MistakeKind.rate_as_fraction:
                wrong = round(clean / 100, 4)
            case MistakeKind.absurd_value:
                wrong = 1_000_000_000.0
            case MistakeKind.non_integer_count:
                wrong = clean + 0.25
            case MistakeKind.negative_value:
                wrong = -clean
            case MistakeKind.month_above_ytd:
                wrong = self.round(key, (values[(key[0], key[1], Measure.ytd_value)] or 0) * 1.2 + 1)
            case MistakeKind.ytd_falls:
                wrong = self.round(key, (self.clean(key, _shift(period, -1)) or 0) * 0.9)
            case MistakeKind.text_for_number:
                text = NOT_A_NUMBER[int(clean * 100) % len(NOT_A_NUMBER)]
                values[key] = text  # type: ignore[assignment]  # what the clerk typed, written as text
                self.touched.add((key, period))
                return Mistake(kind, key, clean, text, period)
            case MistakeKind.stock_jump_up | MistakeKind.year_on_year_jump:
                wrong = self.round(key, clean * JUMP)
            case MistakeKind.stock_fall | MistakeKind.jump_after_gap:
                wrong = self.round(key, clean * FALL)
            case MistakeKind.flow_month_jump:
                wrong = self.round(key, clean * 2.6)
            case MistakeKind.unchanged_copy:
                # this month repeats last month's figure; the mistake shows next month, the third alike
                copied = self.clean(key, _shift(period, -1)) or clean
                self.copies[(department_id, key)] = (copied, _shift(period, 1))
                values[key] = copied
                self.touched.add((key, period))
                return None
            case MistakeKind.departments_disagree:
                others = self._others(key)
                other = others[int(clean * 1000) % len(others)]
                self.touched.add((key, period))
                return Mistake(kind, key, clean, self.round(key, clean * 1.3), period, True, other)
            case MistakeKind.counties_exceed_city:
                parent = self.parents[key[1]]
                city = values[(key[0], parent, key[2])] or 0.0
                siblings = sum(
                    figure or 0.0
                    for (code, region, measure), figure in values.items()
                    if code == key[0] and measure == key[2] and self.parents.get(region) == parent
                )
                wrong = self.round(key, clean + max(city - siblings, 0.0) + max(city * 0.3, 1.0))
        if kind not in (MistakeKind.absurd_value, MistakeKind.non_integer_count, MistakeKind.rate_as_fraction):
            wrong = self.round(key, wrong) if not math.isclose(wrong, 0) else wrong
        values[key] = wrong
        self.touched.add((key, period))
        return Mistake(kind, key, clean, wrong, period)

    def _second_month_of_copies(self, department_id: str, period: str, values: Figures) -> list[Mistake]:
        mistakes = []
        for (department, key), (value, month) in list(self.copies.items()):
            if department != department_id or month != period or values.get(key) is None:
                continue
            del self.copies[(department, key)]
            clean = values[key]
            assert clean is not None
            values[key] = value
            self.touched.add((key, period))
            mistakes.append(Mistake(MistakeKind.unchanged_copy, key, clean, value, period))
        return mistakes

    def written(self, figures: list[tuple[Key, str]]) -> None:
        self.reported.update(figures)

    def set_aside(self, key: Key, period: str) -> None:
        """A figure that will not reach the warehouse (its row is quarantined): no one's history."""
        self.reported.discard((key, period))


def _shift(period: str, months: int) -> str:
    month = Period.parse(period).month_start
    index = month.year * 12 + month.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
