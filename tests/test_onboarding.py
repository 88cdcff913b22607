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

from planwatch.onboarding.draft import DraftError, accept, build
from planwatch.onboarding.extract import Extraction, extract
from planwatch.onboarding.plan_text import PlanText, PlanTextError, read_plan_text
from planwatch.onboarding.propose import propose, similarity
from planwatch.onboarding.quantities import unit_pattern
from planwatch.onboarding.years import clause_years
from planwatch.registry.reference import load_reference

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


def _built_from_sample(plans_dir: Path, root: Path) -> dict[str, str]:
    """The registry in `plans_dir` loaded, its sample up to 2024-10 written, ingested and transformed in
    `root`; the environment that points planwatch there."""
    env = {"PLANWATCH_PLANS_DIR": str(plans_dir), "PLANWATCH_WAREHOUSE": str(root / "w.duckdb")}
    run_planwatch("plans", "load", env=env)
    run_planwatch("sample", "--until", "2024-10", "--out", str(root / "sample"), env=env)
    months = sorted(str(p) for p in (root / "sample").glob("20*"))
    # its own receipts folder: another test may be clearing the default one
    run_planwatch("ingest", *months, "--receipts", str(root / "receipts"), env=env)
    run_planwatch("transform", env=env)
    return env


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


def test_a_plan_of_a_region_the_reference_does_not_know_asks_for_it_first() -> None:
    """Every target's region is blank until the county is added: the draft lists it to add."""
    text = SIXTH_PLAN.replace("张掖市甘州区", "凤岭县").replace("甘州区", "凤岭县").replace("甘区", "凤县")
    reference = load_reference(PROJECT_ROOT / "plans" / "reference")
    unknown = build(propose(PlanText(Path("x.txt"), text, "text"), reference), reference, "fengling_2024", "x.txt")
    assert unknown["region"] is None and unknown["new_reference"]["regions"] == ["凤岭县"]
    known = build(propose(PlanText(Path("x.txt"), SIXTH_PLAN, "text"), reference), reference, "ganzhou_2024", "x.txt")
    assert known["region"] == "620702" and known["new_reference"]["regions"] == []


def test_an_accepted_draft_that_fails_the_registry_check_is_not_left_in_the_registry(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    draft = tmp_path / "drafts" / "new_plan_2024.yml"
    draft.parent.mkdir()
    _write(draft.with_suffix(".txt"), "到2026年，某县肉牛存栏达到10万头。")
    entry = {"target_id": "new_plan_2024.beef", "review": {"status": "accepted"}}
    content = {"plan_id": "new_plan_2024", "source_text": "source/new_plan_2024.txt", "targets": [entry]}
    draft.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DraftError, match="not written") as refused:
        accept(draft, plans, new_problems=lambda: ["new_plan_2024.yml: lead unit 县畜牧局 is not a known department"])
    assert "县畜牧局" in str(refused.value)
    assert not (plans / "new_plan_2024.yml").exists()
    # a plan accepted before keeps its earlier version when the new one fails
    (plans / "new_plan_2024.yml").write_text("plan_id: new_plan_2024\n", encoding="utf-8")
    with pytest.raises(DraftError, match="not written"):
        accept(draft, plans, new_problems=lambda: ["a problem"])
    assert (plans / "new_plan_2024.yml").read_text(encoding="utf-8") == "plan_id: new_plan_2024\n"
    assert accept(draft, plans, new_problems=list) == plans / "new_plan_2024.yml"
    assert yaml.safe_load((plans / "new_plan_2024.yml").read_text(encoding="utf-8"))["targets"] == [
        {"target_id": "new_plan_2024.beef"}
    ]


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
    env = _built_from_sample(plans_copy, tmp_path)
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
    env = _built_from_sample(plans_copy, tmp_path)
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


# The genre's rules, one by one, on sentences written for these tests (a county plan, issued in 2024,
# running 2024—2026, for a county with the towns and the group below).

_UNITS = ["万亩", "亩", "万头", "头", "亿元", "万元", "万吨", "吨", "家", "个", "户", "处", "座"]
_PLACES = ["北山县", "南河县", "青石镇", "北山", "南河"]  # longest first, as propose passes them


def _extract(text: str, counties: list[str] | None = None) -> Extraction:
    return extract(text, (2024, 2026), 2024, unit_pattern(_UNITS), _PLACES, counties)


def _figures(extraction: Extraction) -> set[tuple]:
    return {(t.region_spelling, t.year, t.value, t.unit) for t in extraction.targets}


def test_each_county_binds_every_member_of_the_group_the_plan_defines() -> None:
    text = (
        "支持山区县（北山县、南河县，以下简称山区县）发展特色产业。\n"
        "到2026年，山区县规模以上农产品加工企业达到40家以上，每县至少有2家省级以上龙头企业。\n"
    )
    found = _extract(text)
    leaders = {(t.region_spelling, t.value) for t in found.targets if "省级" in t.subject}
    assert leaders == {("北山县", 2.0), ("南河县", 2.0)}  # 2家省级…: a level, not a count of places


def test_each_county_without_a_group_binds_the_plan_counties() -> None:
    found = _extract("到2026年，各县区建成冷链物流中心1个。\n", counties=["北山县", "南河县"])
    assert _figures(found) == {("北山县", 2026, 1.0, "个"), ("南河县", 2026, 1.0, "个")}


def test_a_description_joined_by_a_pause_mark_stays_whole_and_two_figures_joined_by_and_are_two_targets() -> None:
    found = _extract("到2026年，培育1个特色鲜明、带动力强的区域公用品牌和3个以上竞争力强的企业商标品牌。\n")
    by_value = {t.value: t.subject for t in found.targets}
    assert set(by_value) == {1.0, 3.0}
    assert "区域公用品牌" in by_value[1.0] and "带动力强" in by_value[1.0]
    assert "企业商标品牌" in by_value[3.0] and "区域公用品牌" not in by_value[3.0]


def test_a_list_of_figures_still_cuts_at_each_pause_mark() -> None:
    found = _extract("到2026年，新增家庭农场30家、农民合作社12家、种植大户8户。\n")
    assert {(t.subject, t.value) for t in found.targets} == {
        ("家庭农场", 30.0),
        ("农民合作社", 12.0),
        ("种植大户", 8.0),
    }


def test_a_list_of_places_is_where_the_figure_is_not_a_clause_of_its_own() -> None:
    [target] = _extract("到2026年，在北山、南河设立2个农产品质量检测中心。\n").targets
    assert (target.value, target.region_spelling) == (2.0, None)  # two places: the plan's own region
    [target] = _extract("到2026年，在青石镇建成千亩蔬菜示范园1处。\n").targets
    assert (target.value, target.region_spelling) == (1.0, "青石镇")


def test_a_programme_of_projects_gives_its_count_and_investment_and_each_county_its_share() -> None:
    text = (
        "实施好《山区县产业振兴规划（2022年—2025年）》中明确的5大类、120个、总投资35.6亿元的补短板项目"
        "（其中北山县70个20.1亿元，南河县50个15.5亿元）。\n"
    )
    found = _figures(_extract(text))
    assert {
        (None, 2026, 120.0, "个"),
        (None, 2026, 35.6, "亿元"),
        ("北山县", 2026, 70.0, "个"),
        ("北山县", 2026, 20.1, "亿元"),
        ("南河县", 2026, 50.0, "个"),
        ("南河县", 2026, 15.5, "亿元"),
    } == found  # the years of the cited plan's title (2022年—2025年) are not the figures': the plan's horizon is
    one_project = _extract("2025年建成年产5万吨饲料加工项目。\n")
    assert not one_project.targets and "建设规模" in one_project.left_out[0].reason


def test_the_end_of_a_five_year_plan_is_a_year_and_the_clause_before_names_the_share() -> None:
    found = _extract("逐年提高财政资金用于特色产业的比重，由2022年的40%，到“十四五”末达到60%以上。\n")
    [target] = found.targets
    assert (target.year, target.value, target.unit) == (2025, 60.0, "%") and "比重" in target.subject
    assert any("2022" in item.reason for item in found.left_out)  # 40% in 2022: the baseline


def test_a_share_of_funds_to_be_spent_on_something_is_a_policy_parameter() -> None:
    found = _extract("到2026年，统筹整合资金的30%以上用于产业发展。\n")
    assert not found.targets and "政策参数" in found.left_out[0].reason


def test_a_figure_without_words_takes_the_statistic_named_after_it() -> None:
    found = _extract("突出区域特色，2025年达到8万亩，到2026年，建成10万亩高标准蔬菜基地。\n")
    assert {(t.year, t.value, t.subject) for t in found.targets} == {
        (2025, 8.0, "高标准蔬菜基地"),
        (2026, 10.0, "高标准蔬菜基地"),
    }


def test_a_growth_rate_after_a_full_stop_is_the_growth_of_the_statistic_before() -> None:
    found = _extract("到2026年，全县果品加工业营业收入达到8亿元。比2023年增长30%，年均增长9%。\n")
    kinds = {(t.value, t.kind, t.base_year, t.subject) for t in found.targets}
    assert kinds == {
        (8.0, "level", None, "果品加工业营业收入"),
        (30.0, "growth_over_base", 2023, "果品加工业营业收入"),
        (9.0, "average_annual_growth", 2023, "果品加工业营业收入"),
    }


def test_a_breakdown_in_a_sentence_of_its_own_splits_the_figure_it_adds_up_to() -> None:
    found = _extract("2025年新建标准化养殖场4个，存栏达到2万头。（北山县3个，南河县1个）。\n")
    assert {("北山县", 2025, 3.0, "个"), ("南河县", 2025, 1.0, "个"), (None, 2025, 4.0, "个")} <= _figures(found)


def test_a_place_named_before_the_figures_of_a_sentence_is_theirs() -> None:
    found = _extract("2.重点方向。打造青石镇林下经济示范区，发展林下种植合作社3家、家庭农场5家。\n")
    assert {(t.region_spelling, t.value) for t in found.targets} == {("青石镇", 3.0), ("青石镇", 5.0)}


def test_this_year_is_the_year_the_plan_is_issued() -> None:
    found = _extract("今年，全县新建日光温室300座。\n")
    [target] = found.targets
    assert (target.year, target.value) == (2024, 300.0) and "今年" in (target.year_inherited or "")


def test_the_number_of_items_a_list_names_is_not_a_target() -> None:
    found = _extract("到2026年，重点发展苹果、蔬菜、中药材等3个特色产业，引进1家大型饲料加工企业。\n")
    assert {(t.value, t.subject) for t in found.targets} == {(1.0, "大型饲料加工企业")}  # 1家大型: a size
    assert any("列举" in item.reason for item in found.left_out)


def test_an_expected_date_of_an_event_is_a_milestone_to_watch() -> None:
    found = _extract("目前正在申报北山小米地理标志认证，预计2025年底申报成功。\n")
    [milestone] = found.milestones
    assert (milestone.deadline_year, milestone.deadline_month) == (2025, 12) and "地理标志" in milestone.project
    assert milestone.confidence < 0.6  # 预计: less sure than a committed date
    assert not found.targets


def test_clause_years_read_five_year_plans_and_leave_out_cited_titles() -> None:
    assert clause_years("到“十四五”末达到70%以上") == [2025]
    assert clause_years("十三五期末累计建成20个") == [2020]
    assert clause_years("落实《某规划（2022年—2025年）》明确的项目") == []
    assert clause_years("比2020年增长15%，到2025年达到") == [2025]


def test_an_indicator_is_matched_by_the_words_of_the_subject_the_catalogue_knows() -> None:
    weight = {"选址": 4.0, "启动": 4.0, "大型": 2.0, "奶牛": 1.5, "牛牧": 1.5, "牧场": 1.5, "场数": 1.0}
    subject = "启动新建大型奶牛牧场的选址工作"
    assert similarity(subject, "启动选址的新建奶牛牧场数", weight) > similarity(subject, "大型奶牛牧场数", weight)
    assert similarity("新增奶牛", "奶牛存栏年增加量") > similarity("奶牛", "奶牛存栏年增加量")  # 新增 is 增加


def test_a_city_plan_may_set_figures_for_its_neighbouring_cities() -> None:
    from planwatch.config import settings
    from planwatch.registry.load import load_registry

    reference = load_registry(settings().plans_path).reference
    text = (
        "呼和浩特市奶源基地建设行动方案（2024—2026年）\n"
        "到2026年，周边盟市新建奶源基地5个（包头市2个，乌兰察布市3个）。\n"
    )
    draft = propose(PlanText(Path("neighbours.txt"), text, "text"), reference)
    assert {"150200", "150900"} <= set(draft.region_codes)
