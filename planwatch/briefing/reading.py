"""How a target reads in a briefing: the period its figure is from, its completion, its comparison with
last year, and its outlook, by kind of target (docs/method.md, section 9 has the rules worked by hand).

dbt computes every number (completion, margin, 同比, projection and its interval); this module only
decides which of them a cell or a sentence shows for each kind of target, and in which words, so that
a leader never reads an exploding 275% for a rate that passed its target by a few tenths, a clamped
0.0% for a value that moved backwards, or 已完成 beside 72.2%. Both the HTML and the Word briefing read
these functions through `TargetLine`'s properties.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from planwatch.briefing.formatting import (
    COUNT_UNITS,
    MISSING,
    change,
    integer,
    percent,
    points,
    quantity,
    round_half_up,
    scaled,
    shown_value,
    trimmed,
    unchanged,
)

if TYPE_CHECKING:
    from planwatch.briefing.context import TargetLine

# beside a figure, and a comparison, that rests on a figure the plausibility review doubts (a warning in use)
DOUBT_MARK = "※"
PERCENT_UNITS = frozenset({"%", "％"})
# measure spaces whose completion is a share of an amount counted from zero or from the year's start
AMOUNT_SPACES = frozenset({"year_total", "sum_since_plan_start", "change_since_plan_start"})
# measure spaces counted from the plan start: the figure is not the level (or the year's flow) reported
AMOUNT_SINCE_START = frozenset({"sum_since_plan_start", "change_since_plan_start"})


def direction(line: TargetLine) -> str:
    """'>=' or '<=': a '=' target (达到, 降至) takes its direction from where its path starts, as in dbt."""
    if line.comparator != "=":
        return line.comparator
    if line.target_level is not None and line.baseline_value is not None and line.target_level < line.baseline_value:
        return "<="
    return ">="


def is_percentage(line: TargetLine) -> bool:
    return line.measure_unit in PERCENT_UNITS


def is_cap_on_accumulation(line: TargetLine) -> bool:
    """A ceiling on something that only grows (a year's total, a sum or additions): kept by using less."""
    return direction(line) == "<=" and line.measure_space in AMOUNT_SPACES


def keeps_a_level(line: TargetLine) -> bool:
    """A level target already on the target's side at its baseline: it asks to keep a level, not to move it,
    so a share of the required change means nothing (a floor of 0.20 from a baseline of 0.38)."""
    if line.measure_space in AMOUNT_SPACES or line.baseline_value is None or line.target_level is None:
        return False
    if direction(line) == "<=":
        return line.baseline_value <= line.target_level
    return line.baseline_value >= line.target_level


def amount(value: float | None, line: TargetLine) -> str:
    """A difference in the measure's unit; for a percentage, in 百分点."""
    if value is None:
        return MISSING
    if is_percentage(line):
        return points(value)
    if line.measure_unit == ":1":
        return trimmed(abs(value), 2)  # a difference of two ratios is a plain number: 高出0.04
    return quantity(abs(value), line.measure_unit)


def as_of_label(line: TargetLine) -> str:
    """The period the actual is from, as a statistical office writes it.

    A flow's year-to-date reads 1—10月 (2025年 for a whole year), a stock's level 10月末 (2025年末 for an
    annual statistic), a rate or other averaged flow 1—10月 or 2025年, a sum since the plan start
    截至10月末; the year is written whenever it is not the briefing's own.
    """
    day = line.actual_as_of
    if day is None:
        return MISSING
    if line.actual_period_label:  # a quarterly table's figure: its quarter as the table wrote it
        return f"{line.actual_period_label}末" if line.aggregation == "stock" else line.actual_period_label
    year = "" if line.period is not None and line.period.year == day.year else f"{day.year}年"
    months = "1月" if day.month == 1 else f"1—{day.month}月"
    if line.measure_space == "sum_since_plan_start":
        return f"截至{day.year}年末" if day.month == 12 else f"截至{year}{day.month}月末"
    if line.aggregation == "stock":
        return f"{day.year}年末" if line.indicator_frequency == "annual" else f"{year}{day.month}月末"
    # a flow: its year-to-date (additive) or the year-to-date average (a rate)
    if day.month == 12:
        return f"{day.year}年"
    return f"{year}{months}"


def completion_cell(line: TargetLine) -> str:
    """What the 完成率 column shows (the rule table of docs/method.md, 9)."""
    if line.status == "stale" or line.completion_rate is None:
        return MISSING
    rate = line.completion_rate
    if is_cap_on_accumulation(line):
        return "未超上限" if line.status == "achieved" else f"已用{percent(rate)}"
    if line.measure_space == "level":
        if line.status == "achieved":
            return f"已达标（{_margin_words(line)}）"
        if beyond_target_unconfirmed(line):
            return _margin_words(line)
        if keeps_a_level(line) or is_percentage(line):
            return f"差{amount(line.margin_to_target, line)}"
        if rate < 0:
            return "低于基期" if direction(line) == ">=" else "高于基期"
        return percent(rate)
    if rate < 0:
        return "低于规划初"
    return percent(rate)


def shows_time_gap(line: TargetLine) -> bool:
    """Whether completion minus time progress means something, shown only where the share is (docs/method.md,
    10): not for a stale figure, a target already met, a level to keep, a rate in % (its distance in points
    is shown, never a share of the change), or a level that moved backwards."""
    if line.status in {"stale", "achieved"} or line.gap_pp is None or line.completion_rate is None:
        return False
    if line.measure_space == "level":
        return (
            not keeps_a_level(line)
            and not is_percentage(line)
            and line.completion_rate >= 0
            and not beyond_target_unconfirmed(line)
        )
    return True


def completion_phrase(line: TargetLine) -> str:
    """The completion in a sentence, after the actual: 完成率45.0% / 已达到目标，高出0.7个百分点 / …"""
    if line.status == "stale":
        return f"数据未更新（最新为{as_of_label(line)}数据），不作进度评价"
    if line.completion_rate is None:
        return "暂无可比数据"
    rate = line.completion_rate
    baseline = quantity(line.baseline_value, line.measure_unit)
    if is_cap_on_accumulation(line):
        if line.status == "achieved":
            return "未超过上限"
        return f"已使用上限的{percent(rate)}"
    if line.measure_space == "level":
        if line.status == "achieved":
            return f"已达到目标，{_margin_words(line)}"
        if beyond_target_unconfirmed(line):
            beyond = "高出" if direction(line) == ">=" else "低于"
            goal = f"{line.target_year}年目标" + ("" if direction(line) == ">=" else "上限")
            return f"{beyond}{goal}{amount(line.margin_to_target, line)}，按全年平均值考核，待全年数据确认"
        if keeps_a_level(line):
            side = "低于目标" if direction(line) == ">=" else "高于目标上限"
            return f"{side}{amount(line.margin_to_target, line)}（基期{baseline}）"
        target = f"距{line.target_year}年目标尚差{amount(line.margin_to_target, line)}"
        if rate < 0:
            # 低于基期水平（基期3800亩): never 低于基期3800亩, which reads as the distance below it
            side = "低于基期水平" if direction(line) == ">=" else "高于基期水平"
            return f"{side}（基期{baseline}），较基期反向变化，{target}"
        if is_percentage(line):
            return f"{target}（基期{baseline}）"
        if not line.baseline_value:
            return f"完成率{percent(rate)}"
        return f"完成率{percent(rate)}（按基期{baseline}起算）"
    if rate < 0:
        return f"较规划初减少，完成率{percent(rate)}"
    return f"完成率{percent(rate)}"


def beyond_target_unconfirmed(line: TargetLine) -> bool:
    """Past its target in value, yet not achieved: a rate averaged over the year before December, which only
    the whole year's figure can meet (docs/method.md, 4). Its distance is said as beyond the target, never
    as a shortfall (差1.9个百分点 for 34.9% against ≥33%) nor as a share above 100 %."""
    margin = line.margin_to_target
    if margin is None or line.status in {"achieved", "stale"} or line.aggregation != "averaged_flow":
        return False
    return margin >= 0 if direction(line) == ">=" else margin <= 0


def _margin_words(line: TargetLine) -> str:
    margin = line.margin_to_target
    if margin is None or abs(margin) < 1e-12:
        return "恰好达到目标值"
    above = margin > 0
    if direction(line) == "<=":
        return f"低于上限{amount(margin, line)}" if not above else f"高于上限{amount(margin, line)}"
    return f"高出{amount(margin, line)}" if above else f"低于目标{amount(margin, line)}"


def comparison_text(line: TargetLine) -> str:
    """同比 (比上年 for an annual statistic) and, for a monthly indicator, 环比; ``—`` when neither is known.

    Only where the target's figure is the reported figure: beside an addition or a sum since the plan
    start, the reported level's (or this year's) change would be read as the change of the addition,
    so there it is said inside `actual_detail`, next to the figure it compares."""
    if line.measure_space in AMOUNT_SINCE_START:
        return MISSING
    return _reported_comparison(line)


def _reported_comparison(line: TargetLine) -> str:
    """同比 and, for a monthly indicator, 环比 (`shows_month_on_month`)."""
    parts = [_year_on_year(line)]
    if shows_month_on_month(line):
        parts.append(_month_on_month(line))
    shown = [part for part in parts if part != MISSING]
    return "，".join(shown) if shown else MISSING


def shows_month_on_month(line: TargetLine) -> bool:
    """环比 for a monthly indicator, not beside a whole year's total (2023年为35.9亿元), which no month's change
    against the month before describes."""
    whole_year = line.measure_space == "year_total" and line.actual_as_of is not None and line.actual_as_of.month == 12
    return line.indicator_frequency == "monthly" and not whole_year


def _year_on_year(line: TargetLine) -> str:
    """同比 (比上年 for an annual statistic), ※ after it when the figure a year earlier is doubted."""
    prefix = "比上年" if line.indicator_frequency == "annual" else "同比"
    return _against_base(_change_text(line.yoy_growth_pct, line.yoy_change_pp, prefix), line.is_yoy_base_doubted)


def _month_on_month(line: TargetLine) -> str:
    """环比, ※ after it when a figure of the months before it compares against is doubted."""
    return _against_base(_change_text(line.mom_growth_pct, line.mom_change_pp, "环比"), line.is_mom_base_doubted)


def _against_base(compared: str, base_doubted: bool) -> str:
    """A change reckoned from a doubted figure is as doubtful as the figure: marked as an actual is (※)."""
    return f"{compared}{DOUBT_MARK}" if base_doubted and compared != MISSING else compared


def has_doubted_comparison(line: TargetLine) -> bool:
    """Whether a 同比 or 环比 shown of the target (beside a sum, only this year's part's 同比: `actual_detail`)
    carries ※ for its doubted base."""
    shown = _year_on_year(line) if line.measure_space == "sum_since_plan_start" else _reported_comparison(line)
    return DOUBT_MARK in shown


def year_on_year_text(line: TargetLine) -> str:
    """Only the year-on-year part, for the table's 同比 column (``—`` beside an addition or a sum, see
    `comparison_text`)."""
    if line.measure_space in AMOUNT_SINCE_START:
        return MISSING
    return _year_on_year(line)


def _start_label(line: TargetLine) -> str:
    """Where additions are counted from: 2020年末 (the end of the base year), as the path starts."""
    day = line.baseline_as_of
    if day is None:
        return "规划实施前"
    return f"{day.year}年末" if day.month == 12 else f"{day.year}年{day.month}月末"


def _since_label(line: TargetLine) -> str:
    """Since when a sum runs: 2023年以来 (the year after the base year)."""
    day = line.baseline_as_of
    if day is None:
        return "规划实施以来"
    return f"{day.year + 1}年以来" if day.month == 12 else f"{day.year}年{day.month}月末以来"


def _year_to_date_label(line: TargetLine) -> str:
    """The period of this year's reported flow behind a sum: 1—9月 (2024年 for a whole year)."""
    day = line.actual_as_of
    if day is None:
        return MISSING
    if day.month == 12:
        return f"{day.year}年"
    year = "" if line.period is not None and line.period.year == day.year else f"{day.year}年"
    return f"{year}1月" if day.month == 1 else f"{year}1—{day.month}月"


def actual_figure(line: TargetLine) -> str:
    """The actual as the figure it is: 5个 (a level), 新增2个 (additions since the plan start), 累计71.76亿元
    (a sum since the plan start), never an addition printed as if it were the level. Written with as many
    decimals as its margin to the target, so that the two add up as the reader checks them (203.96亿元 and
    超出3.96亿元 against 200亿元, never 204亿元 beside 超出3.96亿元)."""
    digits = _decimals_of_margin(line)
    shown = quantity(line.actual_value, line.measure_unit, digits)
    if shown == MISSING or line.actual_value is None:
        return MISSING
    if line.measure_space == "change_since_plan_start":
        if line.actual_value < 0:
            return f"减少{quantity(-line.actual_value, line.measure_unit, digits)}"
        return f"新增{shown}"
    if line.measure_space == "sum_since_plan_start":
        return f"累计{shown}"
    return shown


def _decimals_of_margin(line: TargetLine) -> int | None:
    """The decimals the margin to the target is written with, when it is written in the actual's unit."""
    if line.margin_to_target is None or line.actual_value is None or abs(line.margin_to_target) < 1e-12:
        return None
    margin, margin_unit = scaled(abs(line.margin_to_target), line.measure_unit)
    _, actual_unit = scaled(line.actual_value, line.measure_unit)
    if margin_unit != actual_unit or margin == MISSING:
        return None
    return len(margin.split(".")[1]) if "." in margin else None


def actual_span(line: TargetLine) -> str:
    """The period under the table's actual: 10月末 / 1—10月 (as_of_label); for additions 2024年末较2020年末,
    for a sum 2023年以来，截至9月末."""
    as_of = as_of_label(line)
    if as_of == MISSING:
        return MISSING
    if line.measure_space == "change_since_plan_start":
        return f"{as_of}较{_start_label(line)}"
    if line.measure_space == "sum_since_plan_start":
        return f"{_since_label(line)}，{as_of}"
    return as_of


def actual_detail(line: TargetLine) -> str:
    """What an addition or a sum is made of, each with its own 同比: additions — the level they reach
    (2024年末共5个，比上年持平); a sum — this year's part (其中1—9月18.98亿元，同比下降0.2%). Empty for a level,
    whose 同比 has its own column."""
    if line.reported_value is None or line.actual_value is None:
        return ""
    if line.measure_space == "change_since_plan_start":
        level = f"{as_of_label(line)}共{quantity(line.reported_value, line.measure_unit)}"
        compared = _reported_comparison(line)
        return level if compared == MISSING else f"{level}，{compared}"
    if line.measure_space == "sum_since_plan_start":
        part = f"其中{_year_to_date_label(line)}{quantity(line.reported_value, line.measure_unit)}"
        compared = _year_on_year(line)  # this year's part, as it
        return part if compared == MISSING else f"{part}，{compared}"
    return ""


def actual_phrase(line: TargetLine, verb: str = "为") -> str:
    """The actual in a sentence, after the indicator's name, with its period and comparisons.

    A level: 2024年末为5个，比上年增长20.0% (``verb`` 为) or 2024年末实际5个（比上年增长20.0%） (``verb`` 实际);
    additions: 新增2个（较2020年末，2024年末共5个，比上年持平）; a sum: 2023年以来累计71.76亿元（截至9月末；
    其中1—9月18.98亿元，同比下降0.2%）. A doubted actual carries its ※ beside the figure itself, not after the
    comparisons, whose own ※ says their base is doubted."""
    figure = actual_figure(line) + line.doubt_mark
    as_of = as_of_label(line)
    detail = actual_detail(line)
    if line.measure_space == "change_since_plan_start":
        if not detail:
            return f"{figure}（{as_of}较{_start_label(line)}）"
        return f"{figure}（较{_start_label(line)}，{detail}）"
    if line.measure_space == "sum_since_plan_start":
        inside = [as_of, detail] if detail else [as_of]
        return f"{_since_label(line)}{figure}（{'；'.join(inside)}）"
    compared = comparison_text(line)
    if verb == "为":
        return f"{as_of}为{figure}" + ("" if compared == MISSING else f"，{compared}")
    return f"{as_of}{verb}{figure}" + ("" if compared == MISSING else f"（{compared}）")


def pace_text(line: TargetLine) -> str:
    """The monthly pace still needed, in the direction the target asks: 此后每月需完成/新增X (a floor),
    此后每月需降低X (a ceiling above its cap), 此后每月新增不超过X (a cap on something that accumulates);
    empty when the target's side is already reached (no 需完成-14.65). The pace counts from the month of
    the actual: when that is before the briefing's month (last December's annual figure in November),
    it says so (按2025年末数据测算，此后每月需…), never as if it were reckoned from now."""
    phrase = _pace_phrase(line)
    day, period = line.actual_as_of, line.period
    if phrase and day is not None and period is not None and (day.year, day.month) < (period.year, period.month):
        return f"按{as_of_label(line)}数据测算，{phrase}"
    return phrase


def _pace_phrase(line: TargetLine) -> str:
    pace = line.required_monthly_pace
    if pace is None or line.status == "stale" or abs(pace) < 1e-12:
        return ""
    size = points(abs(pace), 2) if is_percentage(line) else quantity(abs(pace), line.measure_unit)
    if is_cap_on_accumulation(line):
        return f"此后每月新增不超过{size}" if pace > 0 else ""
    if direction(line) == "<=":
        return f"此后每月需降低{size}" if pace < 0 else ""
    if pace < 0:
        return ""
    if is_percentage(line):
        return f"此后每月需提高{size}"
    verb = "新增" if line.measure_space in AMOUNT_SINCE_START else "完成"
    counted = _counted_over_months_left(line, pace)
    if counted is not None:  # 2个 in 6 months, not 每月0.33个
        months, whole = counted
        verb = "增加" if line.measure_space == "level" else verb
        return f"此后{months}个月内需{verb}{quantity(whole, line.measure_unit)}"
    return f"此后每月需{verb}{size}"


def _counted_over_months_left(line: TargetLine, pace: float) -> tuple[int, int] | None:
    """For things counted one by one whose monthly pace is a fraction of one: the months left and the
    whole number still to come in them; None otherwise (the pace per month reads as it is)."""
    day = line.actual_as_of
    if line.measure_unit not in COUNT_UNITS or day is None or abs(pace - round(pace)) < 0.005:
        return None
    if line.measure_space == "year_total":
        months = 12 - day.month
    else:
        months = (line.target_year * 12 + 11) - (day.year * 12 + day.month - 1)
    if months <= 1:
        return None
    return months, math.ceil(pace * months - 1e-6)


def _change_text(growth_pct: float | None, change_pp: float | None, prefix: str) -> str:
    if growth_pct is not None:
        return change(growth_pct, prefix)
    if change_pp is not None:
        shown = points(change_pp)
        if shown.startswith("0.0"):
            return unchanged(prefix)
        return f"{prefix}{'提高' if change_pp > 0 else '下降'}{shown}"
    return MISSING


def margin_text(line: TargetLine) -> str:
    """By how much a target is met or missed, for the final assessment: 超出0.04万亩 / 差1.5个百分点; a
    ceiling's 低于上限1.71万/毫升 / 超出上限0.3万/毫升 (超出 alone would read as over a cap that is kept)."""
    margin = line.margin_to_target
    if margin is None or line.actual_value is None:
        return MISSING
    if abs(margin) < 1e-12:
        return "恰好达到目标"
    if direction(line) == "<=":
        return f"{'低于上限' if margin < 0 else '超出上限'}{amount(margin, line)}"
    return f"{'超出' if margin > 0 else '差'}{amount(margin, line)}"


@dataclass(frozen=True)
class Outlook:
    """The projection to the target year in words, always with 预计 (docs/method.md, 5 and 9)."""

    verdict: str  # 预计能够完成 / 预计难以完成
    will_meet: bool
    sentence: str  # 按近12期数据线性趋势推算，预计2025年末为…（95%预测区间…），预计能够完成
    projected: str  # 67.57亿元
    band: str  # 65.25亿元～69.9亿元, or "" without an interval
    growth_cell: str  # 9.4%/8.6%, or — when not a growth target


def outlook(line: TargetLine) -> Outlook | None:
    """For a target not yet due and not yet met, with a current figure and a projection; None otherwise.

    A floor already met (status achieved) is not projected: a line through earlier, lower figures can
    fall short of what is already reached (0.69家 against 1家 reached), and a met target is never to be
    called 难以完成 nor counted so. A ceiling met today still is: a figure under its cap but rising
    towards it (化肥使用强度, 能耗) is what a leader must be told in time (预计难以控制在目标以内).
    A level with one figure is held flat (按最新数据持平推算); a sum or additions since the plan start
    with one figure is not projected, since held flat it would fall short by construction."""
    if line.is_final_verdict or line.status in {"no_data", "stale"} or line.projected_value is None:
        return None
    if line.status == "achieved" and direction(line) != "<=":
        return None
    if line.actual_as_of is not None and (line.actual_as_of.year, line.actual_as_of.month) >= (line.target_year, 12):
        return None  # the target year's final figure is in: nothing left to project
    if line.measure_space in AMOUNT_SINCE_START and (line.projection_points or 0) < 2:
        return None  # an amount added up since the start only grows: one figure held flat projects nothing
    will_meet = bool(line.projected_to_meet)
    cap = direction(line) == "<="
    if cap:
        verdict = "预计能够控制在目标以内" if will_meet else "预计难以控制在目标以内"
    else:
        verdict = "预计能够完成" if will_meet else "预计难以完成"
    value = _projected(line.projected_value, line, will_meet)
    points_used = line.projection_points or 1
    method = f"按近{points_used}期数据线性趋势推算" if points_used >= 2 else "按最新数据持平推算"
    band = ""
    if line.projected_value_low is not None and line.projected_value_high is not None:
        low = _projected(line.projected_value_low, line)
        high = _projected(line.projected_value_high, line)
        if low != high:
            band = f"{low}～{high}"
            if line.measure_space == "change_since_plan_start" and low.startswith("-"):
                band = f"{_change(low)}～{_change(high)}"  # 减少3个～新增19个, not -3个～19个
    in_words = f"（95%预测区间{band}）" if band else ""
    if line.measure_space == "year_total":
        when = f"预计{line.target_year}年全年为"
    elif line.measure_space in AMOUNT_SINCE_START:
        when = f"预计到{line.target_year}年末"
    else:
        when = f"预计{line.target_year}年末为"
    sentence = f"{method}，{when}{_projected_figure(value, line)}{in_words}，{verdict}"
    if line.is_projection_doubted:
        sentence += "（推算所用数据中有待报送部门核实的数据，预计结果待核实后确认）"
    growth = growth_text(line)
    if growth:
        sentence += f"；{growth}"
    growth_cell = MISSING
    if growth:
        growth_cell = f"{percent(line.observed_annual_growth_pct)}/{percent(line.required_annual_growth_pct)}"
    return Outlook(
        verdict=verdict,
        will_meet=will_meet,
        sentence=sentence,
        projected=_projected_figure(value, line),
        band=band,
        growth_cell=growth_cell,
    )


def _change(value: str) -> str:
    """A change to a stock in words: 新增3个, or 减少3个 for -3个 (the stock below its level at the plan's start)."""
    return f"减少{value[1:]}" if value.startswith("-") else f"新增{value}"


def _projected_figure(value: str, line: TargetLine) -> str:
    """A projected addition or sum says what it is, as the actual does: 新增3个 (减少2个), 累计80.2亿元."""
    if line.measure_space == "change_since_plan_start":
        return _change(value)
    if line.measure_space == "sum_since_plan_start":
        return f"累计{value}"
    return value


def _projected(value: float | None, line: TargetLine, will_meet: bool | None = None) -> str:
    """A projected figure: things counted one by one in whole units (约32个, not 31.67个), others as any
    quantity. With `will_meet` (the projection against its target), as many more decimals as it takes for
    the shown figure to sit on the same side of the target as the projection does, as the verdict says
    (6.497万吨 against 6.5万吨 falls short, never 6.5万吨; 2.7个 against 3个, never 3个)."""
    if value is None:
        return MISSING
    count = line.measure_unit in COUNT_UNITS
    for digits in (0, 1, 2, 3, 4, 5, 6) if count else (None, 3, 4, 5, 6):
        if count:
            text = f"{integer(value) if digits == 0 else trimmed(value, digits)}{line.measure_unit}"
            shown = float(round_half_up(value, digits))
        else:
            text = quantity(value, line.measure_unit, digits)
            shown = shown_value(value, line.measure_unit, digits)
        if will_meet is None or line.target_level is None or _meets(shown, line) == _meets(value, line):
            return text
    return text


def _meets(value: float, line: TargetLine) -> bool:
    """Whether a figure meets the target level, within the 1e-9 relative tolerance dbt's projected_to_meet uses."""
    target = line.target_level if line.target_level is not None else 0.0
    tolerance = 1e-9 * max(abs(target), 1.0)
    if direction(line) == "<=":
        return value <= target + tolerance
    return value >= target - tolerance


def growth_text(line: TargetLine) -> str:
    """For a growth target: observed against required average annual growth (the UN ESCAP ratio's parts)."""
    if line.target_kind not in {"growth_over_base", "average_annual_growth"}:
        return ""
    if line.observed_annual_growth_pct is None or line.required_annual_growth_pct is None:
        return ""
    return (
        f"基期以来年均增长{percent(line.observed_annual_growth_pct)}，"
        f"完成目标需年均增长{percent(line.required_annual_growth_pct)}"
    )
