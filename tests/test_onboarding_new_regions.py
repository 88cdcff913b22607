"""Onboarding a plan that names places the reference lacks, and a plan's forecasts.

A city's plan often breaks a figure down by county before anyone has added those counties to
`plans/reference/regions/`: the draft proposes their figures anyway, under the place's name, and lists
each place to add (with its parent, the plan's region, and where the plan names it); `plans accept`
refuses until the reference knows it. A 预计 sentence forecasts and is left out; and no indicator name
keeps the mood word (将, 要, 力争) its verb leaves behind. The sentences are written for these tests, in
the genre; 凤岭县 and 石溪市 are made up, 中卫市 and 中宁县 are in the reference.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from planwatch.onboarding.breakdowns import places_to_add
from planwatch.onboarding.draft import DraftError, accept, build
from planwatch.onboarding.extract import Extraction, extract
from planwatch.onboarding.plan_text import PlanText
from planwatch.onboarding.propose import propose
from planwatch.onboarding.quantities import unit_pattern
from planwatch.onboarding.subjects import without_function_words
from planwatch.registry.reference import load_reference

from .conftest import PROJECT_ROOT, run_planwatch

CITY_PLAN = """中卫市人民政府办公室关于印发中卫市滩羊产业提升实施方案（2024—2026年）的通知
卫政办发〔2024〕9号
中卫市人民政府办公室
2024年5月6日

中卫市滩羊产业提升实施方案（2024—2026年）

一、发展目标
到2026年，全市新建滩羊标准化示范场10个（中宁县4个，凤岭县3个，石溪市3个）。
全市滩羊饲养量达到300万只，其中凤岭县80万只，石溪市60万只。
"""

_UNITS = ["万亩", "亩", "万头", "头", "万只", "只", "亿元", "万元", "元", "万吨", "吨", "家", "个", "户", "%"]


def _extract(text: str) -> Extraction:
    return extract(text, (2024, 2026), 2024, unit_pattern(_UNITS), ["北山县", "北山"])


def _city_draft() -> dict:
    reference = load_reference(PROJECT_ROOT / "plans" / "reference")
    draft = propose(PlanText(Path("city.txt"), CITY_PLAN, "text"), reference)
    return build(draft, reference, "zhongwei_tan_sheep_2024", "source/zhongwei_tan_sheep_2024.txt")


def test_figures_of_places_the_reference_lacks_are_proposed_under_their_names_and_flagged() -> None:
    content = _city_draft()
    assert content["region"] == "640500"
    by_region = {(t["region"], t["target_value"], t["unit"]): t for t in content["targets"]}
    # the bracket after the total and the 其中 run: known counties by code, the others by name
    assert {
        ("640500", 10.0, "个"),
        ("640521", 4.0, "个"),
        ("凤岭县", 3.0, "个"),
        ("石溪市", 3.0, "个"),
        ("640500", 300.0, "万只"),
        ("凤岭县", 80.0, "万只"),
        ("石溪市", 60.0, "万只"),
    } <= set(by_region)
    for (region, _, _), target in by_region.items():
        flagged = any("新地区" in note and region in note for note in target["review"]["notes"])
        assert flagged == (region in ("凤岭县", "石溪市")), target  # a known county needs no flag
        assert target["review"]["status"] == "proposed"
    listed = content["new_reference"]["regions"]
    assert [entry.split("（")[0] for entry in listed] == ["凤岭县", "石溪市"]
    for entry in listed:  # its parent (the plan's region) and where the plan names it
        assert "中卫市 640500" in entry
    assert "新建滩羊标准化示范场10个（中宁县4个，凤岭县3个，石溪市3个）" in listed[0]


def test_words_that_merely_end_like_a_place_are_not_places_to_add() -> None:
    pattern = unit_pattern(_UNITS)
    for text in (
        "建设示范基地10个（示范区3个，产业园7个）。",
        "建成服务站20个（其中城区5个，乡镇15个）。",
        "其中，市级承担2000元、县级承担1000元。",
        "培育企业50家（其中规上企业20家）。",
        "建成高标准农田10万亩（东区4万亩，西区6万亩）。",
        "在北山县建成冷链设施1处（青石镇）。",
    ):
        assert places_to_add(text, pattern, ["北山县"]) == [], text
    assert places_to_add("新建基地5个（北山县2个，南岭县3个）。", pattern, ["北山县"]) == ["南岭县"]


def test_accept_refuses_a_region_the_reference_lacks_naming_it_and_takes_its_code_once_added(tmp_path: Path) -> None:
    content = _city_draft()
    plans = tmp_path / "plans"
    regions = plans / "reference" / "regions"
    regions.mkdir(parents=True)
    (regions / "zhongwei.yml").write_text(
        'regions:\n  - {code: "640500", name: 中卫市, level: city}\n'
        '  - {code: "640521", name: 中宁县, level: county, parent_code: "640500"}\n',
        encoding="utf-8",
    )
    for entry in content["targets"] + content["milestones"]:
        entry["review"]["status"] = "accepted"
    draft = tmp_path / "drafts" / "zhongwei_tan_sheep_2024.yml"
    draft.parent.mkdir()
    draft.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    draft.with_suffix(".txt").write_text(CITY_PLAN, encoding="utf-8")

    with pytest.raises(DraftError, match="凤岭县") as refused:
        accept(draft, plans, new_problems=list)
    assert "石溪市" in str(refused.value)
    assert not (plans / "zhongwei_tan_sheep_2024.yml").exists()

    with (regions / "zhongwei.yml").open("a", encoding="utf-8") as file:  # the reviewer adds the counties
        file.write('  - {code: "640599", name: 凤岭县, level: county, parent_code: "640500"}\n')
        file.write('  - {code: "640581", name: 石溪市, level: county, parent_code: "640500"}\n')
    written = yaml.safe_load(accept(draft, plans, new_problems=list).read_text(encoding="utf-8"))
    fengling = [t for t in written["targets"] if t["region"] == "640599"]
    assert {t["target_value"] for t in fengling} == {3.0, 80.0}
    assert all(".640599." in t["target_id"] for t in fengling)
    assert not any("凤岭县" in t["region"] or "石溪市" in t["target_id"] for t in written["targets"])


def test_plans_accept_names_the_missing_region_and_passes_the_check_once_it_is_added(plans_copy: Path) -> None:
    source = plans_copy.parent / "zhongwei_tan_sheep_2024.txt"
    source.write_text(CITY_PLAN, encoding="utf-8")
    run_planwatch("plans", "propose", str(source), "--plans-dir", str(plans_copy))
    draft_path = plans_copy / "drafts" / "zhongwei_tan_sheep_2024.yml"
    draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))
    for entry in draft["targets"]:  # the reviewer keeps the demonstration farms, with the catalogue's indicator
        if entry["unit"] == "个":
            entry["indicator_code"] = "tan_sheep_standardized_demo_farms"
        entry["review"]["status"] = "accepted" if entry["unit"] == "个" else "rejected"
    draft["reporting_unit"] = "中卫市农业农村局"
    draft_path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    accepting = [sys.executable, "-m", "planwatch", "plans", "accept", str(draft_path), "--plans-dir", str(plans_copy)]

    refused = subprocess.run(accepting, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert refused.returncode == 1
    assert "凤岭县" in refused.stdout + refused.stderr and "石溪市" in refused.stdout + refused.stderr
    assert not (plans_copy / "zhongwei_tan_sheep_2024.yml").exists()

    (plans_copy / "reference" / "regions" / "zhongwei_new.yml").write_text(
        'regions:\n  - {code: "640599", name: 凤岭县, level: county, parent_code: "640500"}\n'
        '  - {code: "640581", name: 石溪市, level: county, parent_code: "640500"}\n',
        encoding="utf-8",
    )
    run_planwatch("plans", "accept", str(draft_path), "--plans-dir", str(plans_copy))
    plan = yaml.safe_load((plans_copy / "zhongwei_tan_sheep_2024.yml").read_text(encoding="utf-8"))
    assert {(t["region"], t["target_value"]) for t in plan["targets"]} == {
        ("640500", 10.0),
        ("640521", 4.0),
        ("640599", 3.0),
        ("640581", 3.0),
    }
    run_planwatch("plans", "check", "--plans-dir", str(plans_copy))


def test_a_forecast_is_left_out_and_a_forecast_event_stays_a_milestone_to_watch() -> None:
    found = _extract("预计到2026年，全县农村居民人均可支配收入将超过2.5万元。\n")
    assert not found.targets and "预计" in found.left_out[0].reason
    found = _extract("到2026年，全县粮食产量达到10万吨，预计带动农民增收1亿元。\n")
    assert {(t.value, t.unit) for t in found.targets} == {(10.0, "万吨")}  # 预计 governs the clauses after it
    assert any("预计" in item.reason and "1亿元" in item.quote for item in found.left_out)
    found = _extract("预计到2026年，全县蔬菜、果品产量将分别达到20万吨、5万吨。\n")
    assert not found.targets and any("预计" in item.reason for item in found.left_out)
    found = _extract("北山小米正在申报地理标志认证，预计2025年底申报成功。\n")
    [milestone] = found.milestones
    assert milestone.deadline_year == 2025 and milestone.confidence < 0.6 and not found.targets


def test_an_indicator_name_never_ends_with_a_mood_word() -> None:
    found = _extract(
        "到2026年，全县农民合作社数量将达到200家，粮食播种面积要稳定在50万亩以上，蔬菜产量力争达到30万吨，"
        "化肥使用量控制在1万吨以内。\n"
    )
    assert {t.subject for t in found.targets} == {"农民合作社数量", "粮食播种面积", "蔬菜产量", "化肥使用量"}
    found = _extract("到2026年，肉牛、肉羊存栏将分别达到5万头、30万只。\n")
    assert {t.subject for t in found.targets} == {"肉牛存栏", "肉羊存栏"}
    assert without_function_words("收入将要") == "收入"
    assert without_function_words("农产品质量安全纲要") == "农产品质量安全纲要"  # 要 closing a word stays
