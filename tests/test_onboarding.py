"""Onboarding a plan from its text: `planwatch plans propose` drafts, a reviewer accepts, everything downstream runs.

The sixth plan below was written for this test in the genre of the launch plans (a county's 实施方案
with a horizon, 到2026年 targets, a per-town breakdown, a 每年 target, a baseline and a subsidy that are
not targets, and a dated task with its 牵头单位); it uses indicators and regions the reference lists
already hold, so that, once accepted, templates, the sample, ingestion, the marts and the briefing run
for it with no code change.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from planwatch.onboarding.draft import DraftError, accept
from planwatch.onboarding.plan_text import PlanTextError, read_plan_text

from .conftest import PROJECT_ROOT, run_planwatch

SIXTH_PLAN = """张掖市甘州区人民政府办公室文件

甘区政办发〔2024〕31号

甘州区人民政府办公室关于印发甘州区有机蔬菜提质增效实施方案（2024—2026年）的通知

各乡镇人民政府，区直有关部门：
《甘州区有机蔬菜提质增效实施方案（2024—2026年）》已经区政府同意，现印发给你们，请认真贯彻执行。

甘州区人民政府办公室
2024年3月15日

甘州区有机蔬菜提质增效实施方案（2024—2026年）

一、发展基础
近年来，全区已建成有机农产品基地面积1.2万亩，有机农产品认证数量已达到12个。

二、发展目标
到2026年，全区有机农产品（蔬菜、中药材）基地达到2万亩以上，有机（含有机转换）农产品认证数量达到40个。每年新增粤港澳大湾区“菜篮子”生产基地2个。

三、重点任务
（一）建设有机蔬菜基地。2025年底前完成党寨镇有机蔬菜示范基地建设。（牵头单位：区农业农村局；配合单位：区财政局）
（二）落实扶持政策。对新认定的有机农产品基地，每个给予一次性奖励10万元。
"""


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_empty_scanned_and_numberless_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(PlanTextError, match="empty"):
        read_plan_text(_write(tmp_path / "empty.txt", ""))
    import weasyprint

    scan = tmp_path / "scan.pdf"
    weasyprint.HTML(string="<div style='width:80mm;height:80mm;background:#333'></div>").write_pdf(scan)
    with pytest.raises(PlanTextError, match="no text layer"):
        read_plan_text(scan)
    numberless = _write(
        tmp_path / "words.txt", "关于加强农业农村工作的意见\n" + "坚持高质量发展，推动乡村全面振兴。" * 5
    )
    plans = tmp_path / "plans"
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "plans", "propose", str(numberless), "--plans-dir", str(plans)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 1 and "no quantitative target" in done.stdout + done.stderr
    assert not plans.exists()  # nothing written


def test_a_plan_in_gbk_reads_as_the_same_text(tmp_path: Path) -> None:
    utf8 = read_plan_text(_write(tmp_path / "a.txt", SIXTH_PLAN))
    gbk = read_plan_text(_write(tmp_path / "b.txt", SIXTH_PLAN, "gbk"))
    assert gbk.text == utf8.text and gbk.encoding == "gb18030"


@pytest.mark.slow
def test_a_sixth_plan_goes_from_its_text_to_its_first_briefing(plans_copy: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "ganzhou_organic_vegetables_2024.txt", SIXTH_PLAN)
    run_planwatch("plans", "propose", str(source), "--plans-dir", str(plans_copy))
    draft_path = plans_copy / "drafts" / "ganzhou_organic_vegetables_2024.yml"
    draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))

    assert draft["title"] == "甘州区有机蔬菜提质增效实施方案（2024—2026年）"
    assert draft["document_number"] == "甘区政办发〔2024〕31号" and draft["region"] == "620702"
    assert (draft["period_start"], draft["period_end"], draft["issue_date"]) == (
        "2024-01-01",
        "2026-12-31",
        "2024-03-15",
    )
    targets = {(t["indicator_code"], t["target_year"], t["target_value"], t["unit"]): t for t in draft["targets"]}
    assert ("organic_vegetable_herb_base_area", 2026, 2.0, "万亩") in targets
    assert ("organic_certified_products", 2026, 40.0, "个") in targets
    for year in (2024, 2025, 2026):  # 每年新增: one target per year of the plan
        assert ("gba_vegetable_basket_bases", year, 2.0, "个") in targets
    assert all(t["review"]["status"] == "proposed" for t in draft["targets"])
    left_out = " ".join(item["reason"] for item in draft["left_out"])
    assert "现状" in left_out or "已有成绩" in left_out  # 已建成1.2万亩 is the baseline
    assert "奖励" in left_out or "补贴" in left_out  # 奖励10万元 is a policy parameter
    [milestone] = draft["milestones"]
    assert milestone["deadline"] == "2025-12-31" and milestone["lead_unit"] == "区农业农村局"

    # a registry with a proposed entry is refused; an accepted draft becomes plans/<plan_id>.yml
    with pytest.raises(DraftError, match="still proposed"):
        accept(draft_path, plans_copy)
    assert {"区农业农村局", "区财政局"} <= set(draft["new_reference"]["departments"])  # flagged for the reference lists
    for entry in draft["targets"] + draft["milestones"]:
        entry["review"]["status"] = "accepted"
    draft["reporting_unit"] = "甘州区农业农村局"
    # the reviewer adds the district's department the draft flagged, with the short name the text uses
    (plans_copy / "reference" / "departments" / "ganzhou.yml").write_text(
        "departments:\n  - {department_id: ganzhou.agriculture_rural_bureau, name: 甘州区农业农村局, region: '620702',"
        " aliases: [区农业农村局]}\n  - {department_id: ganzhou.finance_bureau, name: 甘州区财政局, region: '620702',"
        " aliases: [区财政局]}\n",
        encoding="utf-8",
    )
    draft_path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_planwatch("plans", "accept", str(draft_path), "--plans-dir", str(plans_copy))
    assert (plans_copy / "ganzhou_organic_vegetables_2024.yml").exists()
    run_planwatch("plans", "check", "--plans-dir", str(plans_copy))

    # downstream, with no code change: sample (templates inside), ingest, transform, the briefing; the
    # launch plans set aside so that the sample and the build are the new plan's alone
    for launch_plan in plans_copy.glob("*.yml"):
        if launch_plan.stem != "ganzhou_organic_vegetables_2024":
            launch_plan.unlink()
    env = {"PLANWATCH_PLANS_DIR": str(plans_copy), "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb")}
    run_planwatch("plans", "load", env=env)
    run_planwatch("sample", "--until", "2024-10", "--out", str(tmp_path / "sample"), env=env)
    run_planwatch("ingest", *sorted(str(p) for p in (tmp_path / "sample").glob("20*")), env=env)
    run_planwatch("transform", env=env)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "select count(*) from marts.fct_target_progress where plan_id = 'ganzhou_organic_vegetables_2024'"
        ).fetchone()[0]
    assert rows > 0
    run_planwatch("check", "--period", "2024-10", "--output", str(tmp_path / "out"), env=env)
    run_planwatch(
        "brief", "--period", "2024-10", "--plan", "ganzhou_organic_vegetables_2024", "--format", "html",
        "--out", str(tmp_path / "briefings"), "--warehouse", str(tmp_path / "w.duckdb"), env=env,
    )  # fmt: skip
    html = next((tmp_path / "briefings").glob("ganzhou_organic_vegetables_2024_620702_2024-10.html"))
    assert "甘州区有机蔬菜提质增效实施方案" in html.read_text(encoding="utf-8")


PROVINCE_PLAN = """甘肃省人民政府办公厅关于印发甘肃省有机农业发展行动方案（2024—2026年）的通知
甘政办发〔2024〕58号
《甘肃省有机农业发展行动方案（2024—2026年）》已经省政府同意，现印发给你们，请认真贯彻执行。
甘肃省人民政府办公厅
2024年4月8日

甘肃省有机农业发展行动方案（2024—2026年）

一、发展现状
全省已建成有机农产品基地面积30万亩。

二、发展目标
到2026年，全省有机农产品（蔬菜、中药材）基地达到50万亩以上，其中张掖市10万亩，平凉市5万亩。有机（含有机转换）农产品认证数量达到300个（张掖市100个，平凉市40个）。

三、重点任务
（一）建设示范基地。2025年底前完成10个省级有机农业示范基地建设。（牵头单位：省农业农村厅；配合单位：省财政厅）
"""


@pytest.mark.slow
def test_a_province_plan_sets_targets_for_its_cities_and_briefs_each_city(plans_copy: Path, tmp_path: Path) -> None:
    for launch_plan in plans_copy.glob("*.yml"):
        launch_plan.unlink()  # the province plan alone
    source = _write(tmp_path / "gansu_organic_agriculture_2024.txt", PROVINCE_PLAN)
    run_planwatch("plans", "propose", str(source), "--plans-dir", str(plans_copy))
    draft_path = plans_copy / "drafts" / "gansu_organic_agriculture_2024.yml"
    draft = yaml.safe_load(draft_path.read_text(encoding="utf-8"))
    assert draft["region"] == "620000"
    targets = {(t["indicator_code"], t["region"], t["target_value"]) for t in draft["targets"]}
    assert {  # the province's figure, and its cities' from 其中… and from the bracket
        ("organic_vegetable_herb_base_area", "620000", 50.0),
        ("organic_vegetable_herb_base_area", "620700", 10.0),
        ("organic_vegetable_herb_base_area", "620800", 5.0),
        ("organic_certified_products", "620000", 300.0),
        ("organic_certified_products", "620700", 100.0),
        ("organic_certified_products", "620800", 40.0),
    } <= targets
    for entry in draft["targets"] + draft["milestones"]:
        entry["review"]["status"] = "accepted"
    draft["reporting_unit"] = "甘肃省农业农村厅"
    draft_path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (plans_copy / "reference" / "departments" / "gansu.yml").write_text(
        "departments:\n"
        "  - {department_id: gansu.agriculture_rural_department, name: 甘肃省农业农村厅, region: '620000',"
        " aliases: [省农业农村厅]}\n"
        "  - {department_id: gansu.finance_department, name: 甘肃省财政厅, region: '620000', aliases: [省财政厅]}\n",
        encoding="utf-8",
    )
    run_planwatch("plans", "accept", str(draft_path), "--plans-dir", str(plans_copy))
    env = {"PLANWATCH_PLANS_DIR": str(plans_copy), "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb")}
    run_planwatch("plans", "load", env=env)
    run_planwatch("sample", "--until", "2024-10", "--out", str(tmp_path / "sample"), env=env)
    run_planwatch("ingest", *sorted(str(p) for p in (tmp_path / "sample").glob("20*")), env=env)
    run_planwatch("transform", env=env)
    run_planwatch("check", "--period", "2024-10", "--output", str(tmp_path / "out"), env=env)
    out = tmp_path / "briefings"
    run_planwatch("brief", "--period", "2024-10", "--format", "html", "--out", str(out), env=env)
    written = sorted(path.name for path in out.glob("gansu_organic_agriculture_2024_*.html"))
    assert written == [  # the province's briefing and one per city it sets targets for
        "gansu_organic_agriculture_2024_620000_2024-10.html",
        "gansu_organic_agriculture_2024_620700_2024-10.html",
        "gansu_organic_agriculture_2024_620800_2024-10.html",
    ]
    assert "张掖市" in (out / written[1]).read_text(encoding="utf-8")
