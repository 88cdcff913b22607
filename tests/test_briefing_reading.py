"""How each kind of target reads in a briefing: completion, status label, period, 同比 and 预计.

One case per target kind and per rule of docs/method.md section 9, with the figures worked by hand
there; the three cases issue 12 quoted (Hohhot's rate target at 71.7% against ≥71%, a rate at 58.5%
against ≥60%, a Zhangye county at 0.25万亩 against ≥0.20万亩 from a baseline of 0.38万亩) among them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planwatch.briefing.context import TargetLine


def line(**overrides: object) -> TargetLine:
    """A running level target of a stock, on track, as fct_target_progress gives it."""
    values: dict[str, object] = {
        "target_id": "t",
        "indicator_name": "苜蓿种植面积",
        "region_code": "150100",
        "region_name": "呼和浩特市",
        "target_year": 2023,
        "target_kind": "level",
        "comparator": ">=",
        "target_value": 12.0,
        "target_unit": "万亩",
        "target_level": 12.0,
        "measure_unit": "万亩",
        "measure_space": "level",
        "aggregation": "stock",
        "indicator_frequency": "annual",
        "baseline_value": 10.0,
        "actual_value": 11.0,
        "actual_as_of": dt.date(2022, 12, 31),
        "period": dt.date(2023, 6, 30),
        "margin_to_target": -1.0,
        "completion_rate": 50.0,
        "time_progress": 50.0,
        "gap_pp": 0.0,
        "status": "on_track",
        "is_final_verdict": False,
        "required_monthly_pace": 1 / 6,
        "lead_unit": "市农牧局",
    }
    values.update(overrides)
    return TargetLine(**values)  # type: ignore[arg-type]


# ---- the three cases of issue 12 ------------------------------------------------------------------


def test_a_met_rate_target_says_achieved_with_its_margin_in_points_not_an_exploding_rate() -> None:
    # Hohhot 农产品加工转化率 2021: ≥71%, baseline 70.6%, actual 71.7%; the mart's completion is
    # (71.7 − 70.6) / (71 − 70.6) = 275%, which no leader can read
    hohhot = line(
        target_kind="rate",
        target_value=71.0,
        target_unit="%",
        target_level=71.0,
        measure_unit="%",
        aggregation="averaged_flow",
        baseline_value=70.6,
        actual_value=71.7,
        margin_to_target=0.7,
        completion_rate=275.0,
        status="achieved",
        is_final_verdict=True,
        actual_as_of=dt.date(2021, 12, 31),
        period=dt.date(2026, 11, 30),
    )
    assert hohhot.completion_cell == "已达标（高出0.7个百分点）"
    assert hohhot.completion_phrase == "已达到目标，高出0.7个百分点"
    assert hohhot.status_label == "已完成"
    assert hohhot.margin_text == "超出0.7个百分点"
    assert hohhot.as_of_label == "2021年"
    assert "275" not in hohhot.completion_cell + hohhot.completion_phrase


def test_a_rate_short_of_its_floor_says_how_many_points_are_missing_never_a_clamped_zero() -> None:
    # 58.5% against ≥60%: the baseline was the first observation, 58.5%, so completion is 0.0%
    short = line(
        target_kind="rate",
        target_value=60.0,
        target_unit="%",
        target_level=60.0,
        measure_unit="%",
        aggregation="averaged_flow",
        baseline_value=58.5,
        actual_value=58.5,
        margin_to_target=-1.5,
        completion_rate=0.0,
        time_progress=50.0,
        gap_pp=-50.0,
        status="severely_lagging",
    )
    assert short.completion_cell == "差1.5个百分点"
    assert short.completion_phrase == "距2023年目标尚差1.5个百分点（基期58.5%）"
    assert "0.0%" not in short.completion_cell


def test_a_county_above_its_floor_before_the_target_year_reads_reached_not_done_and_no_72_percent() -> None:
    # Zhangye 民乐县 2026: ≥0.20万亩 from a baseline of 0.38万亩, 0.25万亩 at the end of 2025;
    # (0.25 − 0.38) / (0.20 − 0.38) = 72.2% is a share of a change the target never asked for
    county = line(
        region_name="民乐县",
        target_year=2026,
        target_value=0.2,
        target_level=0.2,
        baseline_value=0.38,
        actual_value=0.25,
        margin_to_target=0.05,
        completion_rate=72.2,
        gap_pp=22.2,
        status="achieved",
        actual_as_of=dt.date(2025, 12, 31),
        period=dt.date(2026, 11, 30),
    )
    assert county.completion_cell == "已达标（高出500亩）"
    assert county.status_label == "已达标"
    assert not county.shows_time_gap
    assert county.as_of_label == "2025年末"


# ---- one case per kind and rule -------------------------------------------------------------------


def test_a_level_on_its_way_shows_the_share_of_the_required_change_from_its_baseline() -> None:
    # (11 − 10) / (12 − 10) = 50.0%
    running = line()
    assert running.completion_cell == "50.0%"
    assert running.completion_phrase == "完成率50.0%（按基期10万亩起算）"
    assert running.shows_time_gap


def test_a_level_that_moved_backwards_says_below_its_baseline() -> None:
    # baseline 0.38, target 0.45, actual 0.25: (0.25 − 0.38) / (0.45 − 0.38) = −185.7%
    backwards = line(
        target_value=0.45,
        target_level=0.45,
        baseline_value=0.38,
        actual_value=0.25,
        margin_to_target=-0.2,
        completion_rate=-185.7,
        gap_pp=-219.0,
        status="severely_lagging",
    )
    assert backwards.completion_cell == "低于基期"
    # never 低于基期3800亩, read as the distance below it; the target named
    assert backwards.completion_phrase == "低于基期水平（基期3800亩），较基期反向变化，距2023年目标尚差2000亩"
    assert not backwards.shows_time_gap


def test_a_level_to_keep_that_fell_below_its_floor_says_by_how_much() -> None:
    # ≥0.20 from a baseline of 0.38: a level to keep; at 0.15 it is 0.05万亩 short
    fallen = line(
        target_value=0.2,
        target_level=0.2,
        baseline_value=0.38,
        actual_value=0.15,
        margin_to_target=-0.05,
        completion_rate=127.8,
        gap_pp=77.8,
        status="ahead",
    )
    assert fallen.completion_cell == "差500亩"
    assert fallen.completion_phrase == "低于目标500亩（基期3800亩）"


def test_a_ceiling_met_says_below_its_cap_and_one_that_rose_says_above_its_baseline() -> None:
    met = line(
        target_kind="level",
        comparator="<=",
        target_value=20.0,
        target_level=20.0,
        measure_unit="万/毫升",
        target_unit="万/毫升",
        baseline_value=21.13,
        actual_value=19.18,
        margin_to_target=-0.82,
        completion_rate=172.6,
        status="achieved",
    )
    assert met.completion_cell == "已达标（低于上限0.82万/毫升）"
    rose = met.model_copy(
        update={"actual_value": 22.0, "margin_to_target": 2.0, "completion_rate": -77.0, "status": "severely_lagging"}
    )
    assert rose.completion_cell == "高于基期"


def test_a_ratio_met_gives_its_margin_as_a_plain_number() -> None:
    ratio = line(
        target_kind="ratio",
        target_value=2.0,
        target_level=2.0,
        measure_unit=":1",
        target_unit=":1",
        aggregation="averaged_flow",
        baseline_value=1.25,
        actual_value=2.035,
        margin_to_target=0.035,
        completion_rate=104.7,
        status="achieved",
        is_final_verdict=True,
    )
    assert ratio.completion_cell == "已达标（高出0.04）"


def test_a_year_total_shows_the_year_to_date_share_and_its_months() -> None:
    # Hulin 农产品加工业营业收入 70亿元: 31.51亿元 in 1—6月 2025, 31.51 / 70 = 45.0%
    flow = line(
        indicator_name="农产品加工业营业收入",
        region_name="虎林市",
        target_year=2025,
        target_value=70.0,
        target_level=70.0,
        measure_unit="亿元",
        target_unit="亿元",
        measure_space="year_total",
        aggregation="additive_flow",
        indicator_frequency="monthly",
        baseline_value=60.0,
        actual_value=31.51,
        margin_to_target=-38.49,
        completion_rate=45.014,
        time_progress=50.0,
        gap_pp=-4.986,
        actual_as_of=dt.date(2025, 6, 30),
        period=dt.date(2025, 6, 30),
        yoy_growth_pct=2.64,
        mom_growth_pct=20.0,
    )
    assert flow.completion_cell == "45.0%"
    assert flow.as_of_label == "1—6月"
    assert flow.comparison_text == "同比增长2.6%，环比增长20.0%"
    assert flow.year_on_year_text == "同比增长2.6%"
    done = flow.model_copy(
        update={
            "actual_value": 71.4,
            "completion_rate": 102.0,
            "status": "achieved",
            "is_final_verdict": True,
            "actual_as_of": dt.date(2025, 12, 31),
            "period": dt.date(2026, 2, 28),
            "margin_to_target": 1.4,
        }
    )
    assert done.completion_cell == "102.0%" and done.status_label == "已完成"
    assert done.as_of_label == "2025年" and done.margin_text == "超出1.4亿元"
    # a whole year's total is compared with last year's, not its December with its November
    assert done.comparison_text == "同比增长2.6%"
    on_the_dot = done.model_copy(update={"actual_value": 70.0, "margin_to_target": 0.0, "completion_rate": 100.0})
    assert on_the_dot.margin_text == "恰好达到目标"


def test_a_cap_on_a_year_total_reads_as_the_share_used() -> None:
    cap = line(
        comparator="<=",
        measure_space="year_total",
        aggregation="additive_flow",
        target_value=100.0,
        target_level=100.0,
        measure_unit="万吨",
        target_unit="万吨",
        actual_value=45.0,
        completion_rate=45.0,
        margin_to_target=-55.0,
        status="on_track",
    )
    assert cap.completion_cell == "已用45.0%"
    assert cap.completion_phrase == "已使用上限的45.0%"
    kept = cap.model_copy(update={"status": "achieved", "is_final_verdict": True})
    assert kept.completion_cell == "未超上限"


def test_a_ceiling_kept_reads_below_it_and_a_ceiling_passed_reads_over_it() -> None:
    """生鲜乳体细胞数 ≤20万/毫升 at 18.29: kept, 1.71 below the ceiling, never 超出1.71 (which reads as over it)."""
    kept = line(
        indicator_name="生鲜乳体细胞数",
        comparator="<=",
        target_value=20.0,
        target_level=20.0,
        target_unit="万/毫升",
        measure_unit="万/毫升",
        baseline_value=25.0,
        actual_value=18.29,
        margin_to_target=-1.71,
        status="achieved",
        is_final_verdict=True,
    )
    assert kept.margin_text == "低于上限1.71万/毫升"
    passed = kept.model_copy(update={"actual_value": 20.3, "margin_to_target": 0.3, "status": "lagging"})
    assert passed.margin_text == "超出上限0.3万/毫升"


def test_growth_targets_show_the_share_and_the_observed_against_the_required_growth() -> None:
    growth = line(
        target_kind="average_annual_growth",
        target_year=2025,
        target_value=17.0,
        target_unit="%",
        target_level=0.58,
        measure_unit="亿元",
        measure_space="year_total",
        aggregation="additive_flow",
        indicator_frequency="monthly",
        baseline_value=0.32,
        actual_value=0.25,
        completion_rate=52.1,
        margin_to_target=-0.33,
        status="on_track",
        projected_value=0.58,
        projected_value_low=0.56,
        projected_value_high=0.6,
        projected_to_meet=True,
        projection_points=12,
        observed_annual_growth_pct=26.2,
        required_annual_growth_pct=17.0,
        actual_as_of=dt.date(2025, 6, 30),
        period=dt.date(2025, 6, 30),
    )
    assert growth.completion_cell == "52.1%"
    assert growth.outlook is not None
    assert growth.outlook.sentence == (
        "按近12期数据线性趋势推算，预计2025年全年为5800万元（95%预测区间5600万元～6000万元），预计能够完成；"
        "基期以来年均增长26.2%，完成目标需年均增长17.0%"
    )
    assert growth.outlook.growth_cell == "26.2%/17.0%"


def test_additions_and_sums_since_the_plan_start_are_shares_of_an_amount_from_zero() -> None:
    added = line(
        target_kind="new_additions",
        measure_space="change_since_plan_start",
        target_value=10.0,
        target_level=10.0,
        measure_unit="家",
        target_unit="家",
        baseline_value=0.0,
        actual_value=8.0,
        completion_rate=80.0,
        margin_to_target=-2.0,
        status="lagging",
    )
    assert added.completion_cell == "80.0%"
    assert added.completion_phrase == "完成率80.0%"
    fell = added.model_copy(update={"actual_value": -1.0, "completion_rate": -10.0})
    assert fell.completion_cell == "低于规划初"
    summed = added.model_copy(
        update={
            "measure_space": "sum_since_plan_start",
            "aggregation": "additive_flow",
            "actual_as_of": dt.date(2023, 5, 31),
            "target_kind": "cumulative",
        }
    )
    assert summed.as_of_label == "截至5月末"
    assert summed.completion_cell == "80.0%"


def test_counts_over_their_target_keep_their_share() -> None:
    count = line(
        target_kind="new_additions",
        measure_space="change_since_plan_start",
        target_value=3.0,
        target_level=3.0,
        measure_unit="家",
        target_unit="家",
        baseline_value=0.0,
        actual_value=4.0,
        completion_rate=133.3,
        margin_to_target=1.0,
        status="achieved",
        is_final_verdict=True,
    )
    assert count.completion_cell == "133.3%" and count.margin_text == "超出1家"


def test_a_stale_figure_gets_no_completion_no_gap_and_no_outlook() -> None:
    stale = line(
        status="stale",
        projected_value=11.5,
        projected_to_meet=False,
        data_age_months=18,
        actual_as_of=dt.date(2021, 12, 31),
    )
    assert stale.completion_cell == "—"
    assert stale.status_label == "数据未更新"
    assert stale.completion_phrase == "数据未更新（最新为2021年末数据），不作进度评价"
    assert not stale.shows_time_gap and stale.outlook is None


@pytest.mark.parametrize(
    ("frequency", "growth", "points", "expected"),
    [
        ("annual", 3.4, None, "比上年增长3.4%"),
        ("quarterly", -5.24, None, "同比下降5.2%"),
        ("monthly", None, 0.3, "同比提高0.3个百分点"),
        ("monthly", None, -0.04, "同比持平"),
        ("annual", None, 0.02, "与上年持平"),
        ("annual", 0.01, None, "与上年持平"),
        ("annual", None, None, "—"),
    ],
)
def test_year_on_year_reads_per_cent_or_points_by_unit(
    frequency: str, growth: float | None, points: float | None, expected: str
) -> None:
    assert (
        line(indicator_frequency=frequency, yoy_growth_pct=growth, yoy_change_pp=points).year_on_year_text == expected
    )


def test_a_comparison_against_a_doubted_figure_is_marked_wherever_it_is_said() -> None:
    """A 同比 (环比) reckoned from a figure a plausibility warning doubts carries ※ after it: in the 同比 column, in
    the sentences and beside an addition's or a sum's detail; the other comparison and the actual are not marked."""
    monthly = line(
        indicator_frequency="monthly",
        actual_as_of=dt.date(2023, 5, 31),
        reported_value=11.0,
        yoy_growth_pct=450.0,
        mom_growth_pct=2.0,
        is_yoy_base_doubted=True,
    )
    assert monthly.year_on_year_text == "同比增长450.0%※"
    assert monthly.comparison_text == "同比增长450.0%※，环比增长2.0%"
    assert monthly.doubt_mark == "" and monthly.has_doubted_comparison
    last_month = monthly.model_copy(update={"is_yoy_base_doubted": False, "is_mom_base_doubted": True})
    assert last_month.comparison_text == "同比增长450.0%，环比增长2.0%※"
    assert last_month.year_on_year_text == "同比增长450.0%" and last_month.has_doubted_comparison
    added = monthly.model_copy(update={"measure_space": "change_since_plan_start", "baseline_value": 9.0})
    assert added.actual_detail == "5月末共11万亩，同比增长450.0%※，环比增长2.0%"
    summed = monthly.model_copy(update={"measure_space": "sum_since_plan_start", "aggregation": "additive_flow"})
    assert summed.actual_detail == "其中1—5月11万亩，同比增长450.0%※"
    # a sum shows no 环比, so a doubted month before it marks nothing it shows
    summed_last_month = summed.model_copy(update={"is_yoy_base_doubted": False, "is_mom_base_doubted": True})
    assert "※" not in summed_last_month.actual_detail and not summed_last_month.has_doubted_comparison
    # no comparison made, nothing marked; nothing doubted, nothing marked
    assert line(is_yoy_base_doubted=True).year_on_year_text == "—"
    assert not line(is_yoy_base_doubted=True).has_doubted_comparison
    assert "※" not in line(yoy_growth_pct=3.0).comparison_text


def test_an_outlook_is_said_with_its_interval_only_for_targets_not_yet_due() -> None:
    running = line(
        projected_value=11.6,
        projected_value_low=11.2,
        projected_value_high=12.4,
        projected_to_meet=False,
        projection_points=3,
    )
    assert running.outlook is not None
    assert running.outlook.sentence == (
        "按近3期数据线性趋势推算，预计2023年末为11.6万亩（95%预测区间11.2万亩～12.4万亩），预计难以完成"
    )
    assert running.outlook.verdict == "预计难以完成"
    single = running.model_copy(
        update={"projection_points": 1, "projected_value_low": None, "projected_value_high": None}
    )
    assert single.outlook is not None and single.outlook.sentence.startswith(
        "按最新数据持平推算，预计2023年末为11.6万亩，"
    )
    counted = running.model_copy(
        update={
            "measure_unit": "个",
            "projected_value": 31.67,
            "projected_value_low": 20.6,
            "projected_value_high": 45.7,
        }
    )
    assert counted.outlook is not None and "预计2023年末为32个（95%预测区间21个～46个）" in counted.outlook.sentence
    assert running.model_copy(update={"is_final_verdict": True}).outlook is None
    doubted = running.model_copy(update={"is_projection_doubted": True}).outlook
    assert doubted is not None and doubted.sentence == (
        running.outlook.sentence + "（推算所用数据中有待报送部门核实的数据，预计结果待核实后确认）"
    )
    # additions whose interval reaches below the stock's level at the plan's start say 减少, not a minus sign
    additions = counted.model_copy(
        update={
            "measure_space": "change_since_plan_start",
            "projected_value": 6.17,
            "projected_value_low": -3.0,
            "projected_value_high": 18.69,
        }
    )
    assert additions.outlook is not None
    assert "预计到2023年末新增6个（95%预测区间减少3个～新增19个）" in additions.outlook.sentence
    shrinking = additions.model_copy(update={"projected_value": -2.0, "projected_value_high": 4.0})
    assert shrinking.outlook is not None and "预计到2023年末减少2个（" in shrinking.outlook.sentence
    # a sum since the plan start only grows: one figure held flat would fall short by construction
    for space in ("sum_since_plan_start", "change_since_plan_start"):
        assert single.model_copy(update={"measure_space": space}).outlook is None
        assert running.model_copy(update={"measure_space": space}).outlook is not None


def test_a_quarterly_figure_reads_as_its_quarter_as_the_table_wrote_it_not_as_a_month() -> None:
    # a county's quarterly survey: Q2 sits at June in the marts, and the briefing says 第2季度, not 6月末
    stock = line(actual_as_of=dt.date(2024, 6, 30), period=dt.date(2024, 8, 31), actual_period_label="2024年第2季度")
    assert stock.as_of_label == "2024年第2季度末"
    flow = line(
        aggregation="additive_flow",
        indicator_frequency="monthly",
        actual_as_of=dt.date(2024, 6, 30),
        period=dt.date(2024, 8, 31),
        actual_period_label="2024年上半年",
    )
    assert flow.as_of_label == "2024年上半年"
    assert line(actual_as_of=dt.date(2024, 6, 30), period=dt.date(2024, 8, 31)).as_of_label == "2024年末"


def test_a_pace_reckoned_from_an_earlier_figure_says_from_when() -> None:
    """张掖's annual count of 2025年末 in the briefing of 2026-06: its pace counts from December, and the
    sentence says so instead of presenting it as what each month from now must bring."""
    annual = line(indicator_frequency="annual", actual_as_of=dt.date(2022, 12, 31), period=dt.date(2023, 6, 30))
    assert annual.pace_text.startswith("按2022年末数据测算，此后每月需完成")
    current = annual.model_copy(update={"actual_as_of": dt.date(2023, 6, 30)})
    assert current.pace_text.startswith("此后每月需完成")


def test_a_pace_of_things_counted_one_by_one_is_whole_ones_over_the_months_left() -> None:
    """8家 of 10 in June: 2家 in the 6 months left, not 每月需完成0.33家; a whole number a month stays per month."""
    firms = line(
        indicator_name="规模以上农产品加工企业数",
        target_value=10.0,
        target_unit="家",
        target_level=10.0,
        measure_unit="家",
        indicator_frequency="monthly",
        actual_value=8.0,
        actual_as_of=dt.date(2023, 6, 30),
        required_monthly_pace=2 / 6,
    )
    assert firms.pace_text == "此后6个月内需增加2家"
    assert firms.model_copy(update={"required_monthly_pace": 2.0}).pace_text == "此后每月需完成2家"
    yearly = firms.model_copy(update={"measure_space": "year_total", "aggregation": "additive_flow"})
    assert yearly.model_copy(update={"required_monthly_pace": 7 / 6}).pace_text == "此后6个月内需完成7家"
    added = firms.model_copy(update={"measure_space": "sum_since_plan_start", "required_monthly_pace": 0.45})
    assert added.pace_text == "此后6个月内需新增3家"  # 2.7 rounded up: a floor asks for whole ones
    assert line(required_monthly_pace=1 / 6).pace_text.endswith("此后每月需完成1667亩")  # a quantity keeps its pace


def test_an_actual_is_written_with_the_decimals_of_its_margin_so_that_they_add_up() -> None:
    # 中卫 绿色食品产业总产值 2025: 203.96亿元 against 200亿元, 超出3.96亿元 (not 204亿元 beside it)
    met = line(
        indicator_name="绿色食品产业总产值",
        target_value=200.0,
        target_level=200.0,
        measure_unit="亿元",
        target_unit="亿元",
        measure_space="year_total",
        aggregation="additive_flow",
        actual_value=203.96,
        margin_to_target=3.96,
        completion_rate=101.98,
        status="achieved",
        is_final_verdict=True,
    )
    assert met.actual_figure == "203.96亿元" and met.margin_text == "超出3.96亿元"
    # a margin in another unit than the actual, or none, leaves the actual's own precision
    assert met.model_copy(update={"actual_value": 1957.86, "margin_to_target": None}).actual_figure == "1958亿元"
    near = met.model_copy(update={"actual_value": 1.2, "target_level": 1.195, "margin_to_target": 0.005})
    assert near.margin_text == "超出50万元" and near.actual_figure == "1.2亿元"


def test_the_headline_quotes_an_indicators_newest_figure_and_latest_target() -> None:
    """A plan with 肉牛存栏 targets for 2021 and 2023, in its final assessment: the headline quotes 2023's."""
    from planwatch.briefing.gather import _headline

    early = line(
        target_id="h.beef.150100.2021",
        indicator_name="肉牛存栏",
        target_year=2021,
        actual_as_of=dt.date(2021, 12, 31),
        actual_value=4.7,
        yoy_growth_pct=3.0,
    )
    late = early.model_copy(
        update={"target_id": "h.beef.150100.2023", "target_year": 2023, "actual_as_of": dt.date(2023, 12, 31)}
    )
    assert _headline([early, late], "150100") == (late,)


def test_time_progress_and_gap_are_shown_only_where_the_share_is() -> None:
    """A rate in % reads its distance in points, never a share: no gap beside it; a target met, no gap."""
    rate = line(
        target_kind="rate",
        target_value=50.0,
        target_unit="%",
        target_level=50.0,
        measure_unit="%",
        aggregation="averaged_flow",
        baseline_value=47.7,
        actual_value=48.2,
        margin_to_target=-1.8,
        completion_rate=21.7,
        gap_pp=-11.6,
        status="lagging",
    )
    assert rate.completion_cell == "差1.8个百分点" and not rate.shows_time_gap
    met = line(
        measure_space="year_total", aggregation="additive_flow", completion_rate=100.0, gap_pp=66.7, status="achieved"
    )
    assert not met.shows_time_gap
    assert line().shows_time_gap  # a level on its way: its share and its gap


# ---- a year's average past its target before December ---------------------------------------------


def test_a_year_average_rate_past_its_floor_before_december_is_beyond_the_target_not_short_of_it() -> None:
    """平凉 庄浪县 畜牧业总产值占比 1—6月 34.865% against ≥33%: only the whole year's average can meet it, so
    the status is 超前, not 已完成; its distance is said as beyond the target, never as 差1.9个百分点."""
    share = line(
        indicator_name="畜牧业总产值占比",
        region_name="庄浪县",
        target_year=2025,
        target_kind="rate",
        target_value=33.0,
        target_unit="%",
        target_level=33.0,
        measure_unit="%",
        aggregation="averaged_flow",
        indicator_frequency="monthly",
        baseline_value=30.0,
        actual_value=34.865,
        actual_as_of=dt.date(2025, 6, 30),
        period=dt.date(2025, 6, 30),
        margin_to_target=1.865,
        completion_rate=162.2,
        time_progress=83.3,
        gap_pp=78.9,
        status="ahead",
    )
    assert share.completion_cell == "高出1.9个百分点"
    assert share.completion_phrase == "高出2025年目标1.9个百分点，按全年平均值考核，待全年数据确认"
    assert not share.shows_time_gap
    # a ceiling's average already under its cap: below it, not 差
    loss = share.model_copy(
        update={
            "comparator": "<=",
            "target_level": 5.0,
            "baseline_value": 8.0,
            "actual_value": 4.5,
            "margin_to_target": -0.5,
        }
    )
    assert loss.completion_cell == "低于上限0.5个百分点"
    assert loss.completion_phrase.startswith("低于2025年目标上限0.5个百分点")
    # a ratio (not in %) past its target: its distance, not a share above 100 % (docs/method.md, 10)
    ratio = share.model_copy(
        update={
            "measure_unit": "亿元",
            "target_level": 2.0,
            "baseline_value": 1.5,
            "actual_value": 3.7,
            "margin_to_target": 1.7,
            "completion_rate": 446.9,
        }
    )
    assert ratio.completion_cell == "高出1.7亿元" and "446.9" not in ratio.completion_phrase
    # short of the floor in June: still the shortfall
    short = share.model_copy(update={"actual_value": 32.0, "margin_to_target": -1.0, "status": "on_track"})
    assert short.completion_cell == "差1.0个百分点"
