"""一单位一单: a department's letter says 牵头 only of what the plan names it to lead; targets the plan names no
lead unit for go to the plan's reporting unit, and its letter says it answers for them as such."""

from __future__ import annotations

from pathlib import Path

from planwatch.briefing.letters import department_letters, render_letter

from .test_briefing_render import _briefing, _target

REPORTING_UNIT = "平凉市农业农村局"


def _text(path: Path) -> str:
    import re

    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


def test_a_letter_says_lead_only_of_what_the_plan_names_the_department_to_lead(tmp_path: Path) -> None:
    led = _target(target_id="t.led", lead_unit="平凉市畜牧兽医局")
    unled_a = _target(target_id="t.a", lead_unit=None)
    unled_b = _target(target_id="t.b", lead_unit=None, region_code="620826", region_name="静宁县")
    plan = _briefing(targets=(led, unled_a, unled_b), lagging=(), headline=(), milestones=())
    letters = {letter.department_name: letter for letter in department_letters(plan, [], REPORTING_UNIT)}
    assert set(letters) == {"平凉市畜牧兽医局", REPORTING_UNIT}

    leader = letters["平凉市畜牧兽医局"]
    assert (leader.targets_without_lead, leader.briefing.title) == (0, "关于平凉市畜牧兽医局牵头任务推进情况的通报")
    [html] = render_letter(leader, tmp_path / "leader", ["html"])
    assert "你单位牵头目标1项" in _text(html) and "负责报送" not in _text(html)

    reporter = letters[REPORTING_UNIT]
    assert reporter.targets_without_lead == 2
    assert reporter.briefing.title == f"关于{REPORTING_UNIT}负责任务推进情况的通报"
    [html] = render_letter(reporter, tmp_path / "reporter", ["html"])
    text = _text(html)
    assert "你单位牵头" not in text and "牵头目标" not in text and "牵头任务" not in text
    assert "规划未明确以下2项目标的牵头单位，由你单位作为规划报送单位负责报送和推进" in text
    assert "负责目标任务完成情况" in text


def test_a_department_leading_some_and_reporting_others_is_told_both(tmp_path: Path) -> None:
    led = _target(target_id="t.led", lead_unit=REPORTING_UNIT)
    unled = _target(target_id="t.a", lead_unit=None)
    plan = _briefing(targets=(led, unled), lagging=(), headline=(), milestones=())
    [letter] = department_letters(plan, [], REPORTING_UNIT)
    [html] = render_letter(letter, tmp_path, ["html"])
    assert "你单位牵头目标1项，另负责报送规划未明确牵头单位的目标1项，共2项" in _text(html)
