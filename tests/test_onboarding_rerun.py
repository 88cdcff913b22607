"""A draft keeps the reviewer's work when `plans propose` runs again, and no two of its entries share an id.

A level and its growth in one sentence (产值达到120亿元，比2020年增长60%，年均增长9.9%) are three targets of
one indicator, region and year: each gets an id of its own, as the registry writes such pairs. A reviewer
who corrected a milestone, named the reporting unit and typed in a policy parameter finds them all after
a rerun, and the corrected milestone is not proposed a second time."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import run_planwatch

PLAN = """中卫市人民政府办公室关于印发中卫市枸杞加工业提升行动方案（2024—2026年）的通知
卫政办发〔2024〕12号
中卫市人民政府办公室
2024年6月3日

中卫市枸杞加工业提升行动方案（2024—2026年）

一、发展目标
到2026年，全市枸杞加工业产值达到120亿元，比2023年增长60%，年均增长9.9%。

二、重点任务
（一）建设枸杞精深加工园区。2025年6月底前完成园区基础设施建设。（牵头单位：市农业农村局）
"""


def _draft(plans: Path) -> tuple[Path, dict]:
    path = plans / "drafts" / "zhongwei_wolfberry_2024.yml"
    return path, yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_rerun_keeps_the_reviewers_work_and_every_id_is_unique(plans_copy: Path) -> None:
    source = plans_copy.parent / "zhongwei_wolfberry_2024.txt"
    source.write_text(PLAN, encoding="utf-8")
    run_planwatch("plans", "propose", str(source), "--plans-dir", str(plans_copy))
    path, draft = _draft(plans_copy)
    ids = [entry["target_id"] for entry in draft["targets"]]
    assert len(ids) == len(set(ids)) >= 3, ids
    assert {entry["target_value"] for entry in draft["targets"]} >= {120.0, 60.0, 9.9}
    [milestone] = draft["milestones"]

    # the reviewer: the milestone's deadline and project corrected and accepted, the plan's units named,
    # a policy parameter typed in
    milestone["deadline"] = "2025-06-30"
    milestone["project"] = "枸杞精深加工园区基础设施"
    milestone["region"] = "640521"  # the park is in 中宁县
    milestone["review"]["status"] = "accepted"
    draft["reporting_unit"] = "中卫市农业农村局"
    draft["statistics_unit"] = "中卫市统计局"
    parameter = {"parameter_id": "subsidy", "name": "园区建设补助", "value": 500, "unit": "万元"}
    draft["policy_parameters"] = [parameter]
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")

    run_planwatch("plans", "propose", str(source), "--plans-dir", str(plans_copy))
    _, again = _draft(plans_copy)
    assert [(m["project"], m["deadline"], m["region"], m["review"]["status"]) for m in again["milestones"]] == [
        ("枸杞精深加工园区基础设施", "2025-06-30", "640521", "accepted")
    ]
    assert (again["reporting_unit"], again["statistics_unit"]) == ("中卫市农业农村局", "中卫市统计局")
    assert again["policy_parameters"] == [parameter]
    ids = [entry["target_id"] for entry in again["targets"]]
    assert len(ids) == len(set(ids)) == len(draft["targets"])
