"""Every figure a leader acts on says what it is: additions and sums are not levels, a met target is not
难以完成, a projection is shown precisely enough to agree with its verdict, a milestone's progress carries
the month it was reported, a ceiling's pace says 降低, and a refused file says why it was refused.

The cases are the two reviews' findings on the 2025-10 sample briefings (seed 7), with their figures.
The briefing is rendered by the real templates (HTML and Word); the summary's counts and the refused
file are checked on the sample warehouse in test_briefing_numbers.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document

from planwatch.briefing.context import MilestoneLine, StatusCounts, TargetLine
from planwatch.briefing.gather import rejection_text
from planwatch.briefing.render import render, render_html
from tests.test_briefing_render import _briefing, _target

PERIOD = dt.date(2025, 10, 31)


def _additions(**overrides: object) -> TargetLine:
    """中卫市奶源基地数, 2025: 新增不低于2个 from the end of 2020; 6 at the end of 2024, 5 a year before."""
    values: dict[str, object] = {
        "target_id": "zhongwei.dairy_source_bases.640500.2025",
        "indicator_name": "奶源基地数",
        "region_code": "640500",
        "region_name": "中卫市",
        "target_kind": "new_additions",
        "measure_space": "change_since_plan_start",
        "aggregation": "stock",
        "indicator_frequency": "annual",
        "target_value": 3.0,
        "target_unit": "个",
        "target_level": 3.0,
        "measure_unit": "个",
        "baseline_value": 0.0,
        "baseline_as_of": dt.date(2020, 12, 31),
        "actual_value": 2.0,
        "actual_as_of": dt.date(2024, 12, 31),
        "reported_value": 6.0,
        "reported_value_a_year_earlier": 5.0,
        "yoy_growth_pct": 20.0,
        "completion_rate": 66.666667,
        "time_progress": 80.0,
        "gap_pp": -13.333333,
        "margin_to_target": -1.0,
        "status": "lagging",
        "required_monthly_pace": 1 / 12,
        "projected_value": 2.7,
        "projected_to_meet": False,
        "projection_points": 5,
    }
    values.update(overrides)
    return _target(**values)


def _sum(**overrides: object) -> TargetLine:
    """平凉 重点帮扶县 补短板项目完成投资 since 2023: 98.47亿元 to the end of September, 30.1亿元 of it in
    1—9月 2025, 3.8% more than in 1—9月 2024 (the 同比 of this year's part, not of the sum)."""
    values: dict[str, object] = {
        "target_id": "pingliang.consolidation_projects_investment.620800-key_counties.2025",
        "indicator_name": "补短板促发展项目完成投资",
        "region_name": "重点帮扶县",
        "target_kind": "cumulative",
        "measure_space": "sum_since_plan_start",
        "aggregation": "additive_flow",
        "indicator_frequency": "quarterly",
        "target_value": 120.0,
        "target_unit": "亿元",
        "target_level": 120.0,
        "measure_unit": "亿元",
        "baseline_value": 0.0,
        "baseline_as_of": dt.date(2022, 12, 31),
        "actual_value": 98.47,
        "actual_as_of": dt.date(2025, 9, 30),
        "reported_value": 30.1,
        "reported_value_a_year_earlier": 29.0,
        "yoy_growth_pct": 3.8,
        "completion_rate": 82.058333,
        "time_progress": 91.666667,
        "gap_pp": -9.608333,
        "status": "on_track",
        "required_monthly_pace": 7.176667,
    }
    values.update(overrides)
    return _target(**values)


# ---- 1. additions and sums say what they are ---------------------------------------------------------


def test_additions_say_new_since_the_base_year_beside_the_level_they_reach_with_the_levels_own_change() -> None:
    added = _additions()
    assert added.actual_figure == "新增2个"
    assert added.actual_phrase("为") == "新增2个（较2020年末，2024年末共6个，比上年增长20.0%）"
    assert added.actual_phrase("实际") == added.actual_phrase("为")
    # the level's growth is never beside the addition: the 同比 column and the bare comparison are empty
    assert added.year_on_year_text == "—" and added.comparison_text == "—"
    assert added.actual_span == "2024年末较2020年末"
    assert added.actual_detail == "2024年末共6个，比上年增长20.0%"
    # the Hohhot cold storage: 21.08万吨 added to reach 49.23万吨
    storage = added.model_copy(
        update={
            "measure_unit": "万吨",
            "actual_value": 21.08,
            "reported_value": 49.23,
            "yoy_growth_pct": 16.465578,
            "actual_as_of": dt.date(2023, 12, 31),
        }
    )
    assert storage.actual_phrase("为") == "新增21.08万吨（较2020年末，2023年末共49.23万吨，比上年增长16.5%）"
    fell = added.model_copy(update={"actual_value": -1.0})
    assert fell.actual_figure == "减少1个"


def test_a_sum_since_the_plan_start_says_since_when_and_its_year_on_year_is_only_this_years_part() -> None:
    summed = _sum()
    assert summed.actual_figure == "累计98.47亿元"
    assert summed.actual_phrase("为") == "2023年以来累计98.47亿元（截至9月末；其中1—9月30.1亿元，同比增长3.8%）"
    assert summed.year_on_year_text == "—" and summed.comparison_text == "—"
    assert summed.actual_span == "2023年以来，截至9月末"
    # a level keeps its wording: the figure, its period and its 同比
    level = _target(yoy_growth_pct=5.24)
    assert level.actual_phrase("为") == "1—10月为11.98万头，同比增长5.2%"
    assert level.actual_phrase("实际") == "1—10月实际11.98万头（同比增长5.2%）"
    # a doubted actual's ※ sits beside the figure: after the 同比 it would say the 同比's base is doubted
    doubted = _target(yoy_growth_pct=5.24, mom_growth_pct=3.0, indicator_frequency="monthly", is_doubted=True)
    assert doubted.actual_phrase("为") == "1—10月为11.98万头※，同比增长5.2%，环比增长3.0%"
    assert doubted.actual_phrase("实际") == "1—10月实际11.98万头※（同比增长5.2%，环比增长3.0%）"


def test_every_place_a_target_is_written_says_new_or_cumulative_in_html_and_word(tmp_path: Path) -> None:
    added, summed = _additions(), _sum()
    briefing = _briefing(
        targets=(added, summed),
        lagging=(added,),
        headline=(summed, added),
        counts=StatusCounts(
            total=2, achieved=0, ahead=0, on_track=1, lagging=1, severely_lagging=0, missed=0, no_data=0
        ),
    )
    html = render_html(briefing)
    assert "中卫市奶源基地数新增2个（较2020年末，2024年末共6个，比上年增长20.0%）" in html  # 从主要指标看
    assert "目标新增不低于3个，新增2个（较2020年末，2024年末共6个，比上年增长20.0%）" in html  # 滞后预警
    assert "2023年以来累计98.47亿元（截至9月末；其中1—9月30.1亿元，同比增长3.8%）" in html
    assert "2024年末为2个" not in html and "截至9月末为98.47亿元" not in html
    assert ">新增2个<br>" in html and ">累计98.47亿元<br>" in html  # 表1
    assert "预计到2025年末新增2.7个" in html  # the projection of an addition, not of the level
    _html_path, docx_path = render(briefing, tmp_path, ["html", "docx"])
    document = Document(str(docx_path))
    words = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "新增2个（较2020年末，2024年末共6个，比上年增长20.0%）" in words
    assert "新增2个（2024年末较2020年末），2024年末共6个，比上年增长20.0%" in cells
    assert "累计98.47亿元（2023年以来，截至9月末），其中1—9月30.1亿元，同比增长3.8%" in cells


# ---- 2. the projection agrees with the status and with the figure shown ------------------------------


def test_a_target_already_met_is_not_projected_nor_counted_among_those_hard_to_meet() -> None:
    # 虎林 新增一家乳制品规上企业: 1家 reached, a line through the earlier zeros gives 0.69
    met = _additions(
        target_value=1.0,
        target_level=1.0,
        measure_unit="家",
        target_unit="家",
        actual_value=1.0,
        reported_value=2.0,
        status="achieved",
        completion_rate=100.0,
        margin_to_target=0.0,
        projected_value=0.69,
        projected_to_meet=False,
    )
    assert met.outlook is None
    html = render_html(
        _briefing(
            targets=(met,),
            lagging=(),
            headline=(met,),
            counts=StatusCounts(
                total=1, achieved=1, ahead=0, on_track=0, lagging=0, severely_lagging=0, missed=0, no_data=0
            ),
        )
    )
    assert "难以" not in html and "预计2025年末为1家" not in html
    # a ceiling under its cap today but rising towards it is still projected: the leader is told in time
    capped = met.model_copy(update={"comparator": "<=", "projected_value": 1.4, "projected_to_meet": False})
    assert capped.outlook is not None and capped.outlook.verdict == "预计难以控制在目标以内"


def test_a_projection_is_shown_precisely_enough_to_agree_with_its_verdict() -> None:
    short = _target(
        measure_space="level",
        aggregation="stock",
        indicator_frequency="annual",
        target_value=6.5,
        target_unit="万吨",
        target_level=6.5,
        measure_unit="万吨",
        actual_value=6.2,
        actual_as_of=dt.date(2024, 12, 31),
        status="lagging",
        projected_value=6.497,
        projected_to_meet=False,
        projection_points=3,
    )
    assert short.outlook is not None
    assert short.outlook.projected == "6.497万吨" and short.outlook.verdict == "预计难以完成"
    assert "预计2025年末为6.497万吨" in short.outlook.sentence
    # far from the target the usual precision stays
    assert short.model_copy(update={"projected_value": 6.31}).outlook.projected == "6.31万吨"
    # a count: 2.7 of 3 is not shown as 3个 beside 预计难以完成; 31.6 of 30 stays whole
    assert _additions().outlook.projected == "新增2.7个"
    met_count = _additions(projected_value=3.4, projected_to_meet=True)
    assert met_count.outlook.projected == "新增3个" and met_count.outlook.verdict == "预计能够完成"


# ---- 3. milestones: the month of the report, and a late completion -----------------------------------


def _milestone(**overrides: object) -> MilestoneLine:
    values: dict[str, object] = {
        "milestone_id": "hohhot.ms.mengniu_cheese_plant.main_works",
        "project": "蒙牛中国乳业产业园年产3万吨奶酪工厂",
        "region_name": "和林格尔县",
        "lead_unit": "呼和浩特市工业和信息化局",
        "deadline": dt.date(2021, 12, 31),
        "reported_status": "stalled",
        "percent_complete": 85.0,
        "reported_as_of": dt.date(2023, 12, 31),
        "is_overdue": True,
        "days_overdue": 1400,
        "period": PERIOD,
    }
    values.update(overrides)
    return MilestoneLine(**values)  # type: ignore[arg-type]


def test_a_milestone_last_reported_long_ago_says_when_and_that_nothing_came_since() -> None:
    old = _milestone()
    assert old.progress_text == "停滞（2023年12月报送，此后未报送）"
    current = _milestone(reported_status="in_progress", reported_as_of=PERIOD, is_overdue=False, days_overdue=0)
    assert current.progress_text == "推进中（2025年10月报送）"
    late = _milestone(
        reported_status="completed",
        percent_complete=100.0,
        is_overdue=False,
        days_overdue=0,
        completed_as_of=dt.date(2022, 7, 31),
        days_late_at_completion=212,
    )
    # the month it was done and the deadline, not 212 days late: the reports do not say on which day
    assert late.progress_text == "逾期完成（完成于2022年7月，时限为2021年12月31日）"
    on_time = late.model_copy(update={"completed_as_of": dt.date(2021, 11, 30), "days_late_at_completion": 0})
    assert on_time.progress_text == "已完成（完成于2021年11月）"
    html = render_html(_briefing(milestones=(old, late)))
    assert "停滞（2023年12月报送，此后未报送）" in html and "逾期完成（完成于2022年7月，时限为2021年12月31日）" in html
    assert "1个未完成节点本月未报送进展" in html


# ---- 4. a ceiling's pace ------------------------------------------------------------------------------


def test_a_ceiling_above_its_cap_needs_to_come_down_never_a_negative_completion() -> None:
    ceiling = _target(
        indicator_name="生鲜乳体细胞数",
        comparator="<=",
        measure_space="level",
        aggregation="averaged_flow",
        target_value=40.0,
        target_unit="万/毫升",
        target_level=40.0,
        measure_unit="万/毫升",
        baseline_value=60.0,
        actual_value=69.3,
        completion_rate=-46.5,
        status="severely_lagging",
        required_monthly_pace=-14.65,
    )
    assert ceiling.pace_text == "此后每月需降低14.65万/毫升"
    html = render_html(_briefing(targets=(ceiling,), lagging=(ceiling,), headline=()))
    assert "此后每月需降低14.65万/毫升" in html and "完成-" not in html
    assert _target().pace_text == "此后每月需完成1.51万头"
    assert _target(required_monthly_pace=-0.5).pace_text == ""  # a floor already passed needs nothing more


# ---- 6. a refused file says why ---------------------------------------------------------------------


def test_a_refused_file_is_described_by_its_recorded_reason_and_never_said_returned_without_a_return() -> None:
    locked = {
        "department_name": "虎林市统计局",
        "rejection_reason": (
            "2025年9月的数据已随《虎林市三年行动计划》督查通报第9期签发并锁定，本文件未接收。如数据确需更正，…"
        ),
        "returned": False,
    }
    text = rejection_text(locked)
    assert text == "虎林市统计局报送的文件所报2025年9月数据已签发锁定，文件未入库（如需更正，须向督查室申请登记更正）"
    assert "无法读取" not in text and "退回" not in text
    unreadable = {
        "department_name": "平凉市农业农村局",
        "rejection_reason": "文件无法读取：不是有效的Excel文件，请重新报送",
        "returned": True,
    }
    assert rejection_text(unreadable) == (
        "平凉市农业农村局报送的文件无法读取，文件未入库（不是有效的Excel文件），该单位本月报送已退回"
    )
    # no sender named: the sentence still reads, and 无法读取 is said once
    nameless = {"department_name": None, "rejection_reason": "文件无法读取：已损坏。请重新导出", "returned": False}
    assert rejection_text(nameless) == "一份未能识别报送单位的文件无法读取，文件未入库（已损坏）"
