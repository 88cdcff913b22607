"""Rendering a briefing: self-contained escaped HTML, a PDF with embedded Chinese fonts, a zh-CN Word file.

These tests build the briefing context by hand (no warehouse), so they pin the renderers alone; the
end-to-end number test on the sample warehouse is in test_briefing_numbers.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile
from pathlib import Path

import duckdb
import jinja2
import pytest
from markupsafe import Markup

from planwatch.atomic_files import write_atomically
from planwatch.briefing.charts import completion_figures, strip_ids
from planwatch.briefing.context import (
    Briefing,
    MilestoneLine,
    QualityNote,
    RankingLine,
    StatusCounts,
    SubmissionLine,
    TargetLine,
)
from planwatch.briefing.gather import _departments_named
from planwatch.briefing.render import render, render_html, write_docx
from planwatch.briefing.scope import Scope
from planwatch.briefing.templates import environment


def _target(**overrides: object) -> TargetLine:
    values: dict[str, object] = {
        "target_id": "demo.beef.620825.2025",
        "indicator_name": "肉牛饲养量",
        "region_code": "620825",
        "region_name": "庄浪县",
        "target_year": 2025,
        "target_kind": "level",
        "comparator": ">=",
        "target_value": 16.5,
        "target_unit": "万头",
        "target_level": 16.5,
        "measure_unit": "万头",
        "measure_space": "year_total",
        "actual_value": 11.98,
        "actual_as_of": dt.date(2025, 10, 31),
        "completion_rate": 72.606061,
        "time_progress": 75.0,
        "gap_pp": -2.393939,
        "status": "on_track",
        "is_final_verdict": False,
        "required_monthly_pace": 1.506667,
        "lead_unit": "平凉市畜牧兽医局",
        "aggregation": "additive_flow",
        "indicator_frequency": "monthly",
        "period": dt.date(2025, 10, 31),
    }
    values.update(overrides)
    return TargetLine(**values)  # type: ignore[arg-type]


def _briefing(**overrides: object) -> Briefing:
    lagging = _target(
        target_id="demo.potato.620826.2025",
        indicator_name="马铃薯种植面积<script>",
        region_code="620826",
        region_name="静宁县",
        target_value=42.0,
        target_unit="万亩",
        target_level=42.0,
        measure_unit="万亩",
        actual_value=38.75,
        completion_rate=44.821732,
        time_progress=66.666667,
        gap_pp=-21.844935,
        status="lagging",
        required_monthly_pace=0.270833,
    )
    targets = (_target(), lagging)
    values: dict[str, object] = {
        "kind": "plan",
        "plan_id": "demo_plan_2023",
        "title": "关于《示范规划》实施进展督查通报",
        "plan_title": "示范规划",
        "plan_document_number": "平政办发〔2023〕44号",
        "issuing_office": "平凉市人民政府督查室",
        "issue_number": 10,
        "issue_date": dt.date(2025, 11, 10),
        "period": dt.date(2025, 10, 31),
        "region_code": "620800",
        "region_name": "平凉市",
        "is_final_assessment": False,
        "counts": StatusCounts(
            total=2, achieved=0, ahead=0, on_track=1, lagging=1, severely_lagging=0, missed=0, no_data=0
        ),
        "targets": targets,
        "final_targets": (),
        "lagging": (lagging,),
        "headline": (targets[0],),
        "regions": (
            RankingLine(
                rank=1,
                name="庄浪县",
                targets=1,
                targets_on_track=1,
                targets_lagging=0,
                targets_severely_lagging_or_missed=0,
                targets_no_data=0,
                share_on_track=1.0,
                mean_completion=72.6,
                region_level="county",
            ),
        ),
        "departments": (),
        "milestones": (
            MilestoneLine(
                milestone_id="m1",
                project="冷链物流园",
                region_name="庄浪县",
                lead_unit="平凉市商务局",
                deadline=dt.date(2025, 6, 30),
                reported_status="in_progress",
                percent_complete=60.0,
                reported_as_of=dt.date(2025, 10, 31),
                is_overdue=True,
                days_overdue=123,
            ),
        ),
        "submissions": (
            SubmissionLine(
                department_name="平凉市农业农村局",
                due_date=dt.date(2025, 11, 5),
                received=True,
                files_received=1,
                indicators_expected=7,
                indicators_received=6,
                milestones_expected=1,
                milestones_received=1,
                first_received_at=dt.date(2025, 11, 4),
                is_on_time=True,
            ),
        ),
        "quality": (QualityNote(text="报送数据中因“数值为负”暂未采用的行", count=3),),
    }
    values.update(overrides)
    return Briefing(**values)  # type: ignore[arg-type]


def test_the_html_is_self_contained_declares_zh_cn_and_has_every_section() -> None:
    html = render_html(_briefing())
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    for section in (
        "总体情况",
        "目标任务完成情况",
        "滞后预警",
        "县区和责任单位排名",
        "重点项目进展",
        "数据报送情况",
        "数据质量说明",
    ):
        assert f"、{section}</h2>" in html, section
    assert "<link" not in html and 'src="http' not in html  # nothing fetched from outside
    assert "第10期" in html and "2025年11月10日" in html and "（2025年10月）" in html
    assert "慢于时序进度21.8个百分点" in html and "此后每月需完成2708亩" in html
    assert "逾期未完成1个" in html and ">123<" in html


def test_a_ranking_of_other_cities_or_of_towns_is_headed_as_regions_not_counties(tmp_path: Path) -> None:
    county = _briefing().regions[0]
    city = county.model_copy(update={"name": "包头市", "region_level": "city", "rank": 2})
    briefing = _briefing(regions=(county, city))
    assert briefing.region_ranking_title == "地区排名"
    html = render_html(briefing)
    assert "、地区和责任单位排名</h2>" in html and "县区" not in html
    [word] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "地区和责任单位排名" in document and "县区" not in document


def test_a_verdict_on_a_doubted_figure_is_marked_in_html_and_word(tmp_path: Path) -> None:
    doubted = _target(
        status="achieved", is_final_verdict=True, actual_value=17.2, completion_rate=104.2, is_doubted=True
    )
    briefing = _briefing(targets=(doubted,), lagging=(), headline=())
    html = " ".join(render_html(briefing).split())
    assert "17.2万头※" in html and "已完成※" in html
    assert "标“※”的实际值经数据合理性检查存疑（见数据质量说明），其完成情况和状态待报送部门核实后确认" in html
    [word] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "17.2万头※" in document and "已完成※" in document and "标“※”的实际值" in document
    assert "※" not in render_html(_briefing())


def test_a_comparison_against_a_doubted_figure_is_marked_and_explained_in_html_and_word(tmp_path: Path) -> None:
    """Last October's figure doubted (a warning in use) makes this October's 同比 as doubtful: ※ after it in 表1 and
    the sentences, in HTML and Word alike, and the legend under 表1 says what the mark means, though no actual
    is doubted; the 环比, against a figure nobody doubts, is not marked."""
    compared = _target(reported_value=11.98, yoy_growth_pct=499.0, mom_growth_pct=3.0, is_yoy_base_doubted=True)
    briefing = _briefing(targets=(compared,), lagging=(), headline=(compared,))
    assert briefing.doubted_targets == () and briefing.doubted_comparisons == (compared,)
    legend = "同比、环比后标“※”的，其比较基数（上年同期或上月数据）经数据合理性检查存疑（见数据质量说明）"
    html = " ".join(render_html(briefing).split())
    assert '<td class="num" data-col="yoy">同比增长499.0%※</td>' in html
    assert "1—10月为11.98万头，同比增长499.0%※，环比增长3.0%，完成率" in html
    assert legend in html and "标“※”的实际值" not in html and "11.98万头※" not in html
    [word] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "同比增长499.0%※" in document and legend in document and "标“※”的实际值" not in document
    # the month before doubted instead: the 环比 is marked, and the legend still says why
    last_month = compared.model_copy(update={"is_yoy_base_doubted": False, "is_mom_base_doubted": True})
    html = " ".join(render_html(_briefing(targets=(last_month,), lagging=(), headline=(last_month,))).split())
    assert "同比增长499.0%，环比增长3.0%※" in html and legend in html
    # both the actual and its base doubted: both marks, both explained
    both = compared.model_copy(update={"is_doubted": True})
    html = " ".join(render_html(_briefing(targets=(both,), lagging=(), headline=(both,))).split())
    assert "11.98万头※" in html and "同比增长499.0%※" in html
    assert legend in html and "标“※”的实际值经数据合理性检查存疑" in html


def test_a_ranking_that_would_compare_nothing_is_not_drawn(tmp_path: Path) -> None:
    """One county, or counties none of which has a figure to judge: no table of ranks 1, 1, 1."""
    alone = _briefing()
    assert not alone.regions_ranked
    html = " ".join(render_html(alone).split())
    assert "本规划仅1个县区单列目标，不作县区排名。" in html and "　县区排名</caption>" not in html
    # none: said as none, never 仅0个
    none = " ".join(render_html(_briefing(regions=())).split())
    assert "本规划未对县区单列目标，不作县区排名。" in none and "仅0个" not in none
    county = alone.regions[0]
    unjudged = county.model_copy(update={"share_on_track": None, "mean_completion": None, "targets_no_data": 1})
    none_judged = _briefing(regions=(unjudged, unjudged.model_copy(update={"name": "静宁县"})))
    text = " ".join(render_html(none_judged).split())
    assert "本期可作进度评价的县区不足两个（其余目标暂无数据或数据未更新），不作县区排名。" in text
    [word] = render(none_judged, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "不作县区排名" in document and "县区排名按进度正常目标占比" not in document
    ranked = _briefing(regions=(county, county.model_copy(update={"name": "静宁县", "rank": 2})))
    assert ranked.regions_ranked and "　县区排名</caption>" in render_html(ranked)


def test_a_plan_with_no_figure_yet_says_it_cannot_judge_not_that_nothing_lags() -> None:
    waiting = _target(status="no_data", actual_value=None, actual_as_of=None, completion_rate=None, gap_pp=None)
    briefing = _briefing(
        targets=(waiting,),
        lagging=(),
        headline=(),
        submissions=(),
        counts=StatusCounts(
            total=1, achieved=0, ahead=0, on_track=0, lagging=0, severely_lagging=0, missed=0, no_data=1
        ),
    )
    text = " ".join(render_html(briefing).split())
    assert "各项目标均尚无可用于评价的当期数据，本期不作进度评价；本月也无应报送的数据" in text
    assert "本期各项目标均暂无当期数据，无法判断进度是否滞后。" in text and "本期无滞后目标任务" not in text


def test_data_is_escaped_so_a_name_cannot_inject_markup() -> None:
    html = render_html(_briefing())
    assert "<script>" not in html
    assert "马铃薯种植面积&lt;script&gt;" in html


def test_a_field_the_template_needs_and_the_context_lacks_is_an_error_not_a_blank(tmp_path: Path) -> None:
    (tmp_path / "t.html.j2").write_text("{{ briefing.no_such_field }}", encoding="utf-8")
    with pytest.raises(jinja2.UndefinedError):
        environment(tmp_path).get_template("t.html.j2").render(briefing={"title": "x"})


def test_a_final_assessment_says_missed_and_drops_time_progress() -> None:
    missed = _target(status="missed", is_final_verdict=True, completion_rate=80.2, gap_pp=None, time_progress=100.0)
    html = render_html(
        _briefing(
            is_final_assessment=True,
            targets=(missed,),
            lagging=(),
            headline=(missed,),
            counts=StatusCounts(
                total=1, achieved=0, ahead=0, on_track=0, lagging=0, severely_lagging=0, missed=1, no_data=0
            ),
        )
    )
    assert "、未完成目标</h2>" in html and "未完成1项" in html
    assert "<th>时序进度</th>" not in html


def test_milestones_not_reported_this_month_are_asked_for_only_when_reports_are_due() -> None:
    """A plan still reporting asks the lead units for the missing progress; one whose reporting has ended
    (本月无应报送数据的部门) shows the latest reports without asking for what no one owes."""
    old = MilestoneLine(
        milestone_id="m2",
        project="奶业科技园",
        region_name="庄浪县",
        lead_unit="平凉市商务局",
        deadline=dt.date(2026, 6, 30),
        reported_status="in_progress",
        percent_complete=40.0,
        reported_as_of=dt.date(2025, 8, 31),
        is_overdue=False,
        days_overdue=0,
        period=dt.date(2025, 10, 31),
    )
    reporting = " ".join(render_html(_briefing(milestones=(old,))).split())
    assert "其中1个未完成节点本月未报送进展" in reporting and "请牵头单位及时报送" in reporting
    ended = " ".join(render_html(_briefing(milestones=(old,), submissions=())).split())
    assert "其中1个未完成节点本月未报送进展" in ended and "请牵头单位及时报送" not in ended
    assert "本月无应报送数据的部门" in ended
    # a county without milestones of its own: the plan may still have some elsewhere
    county = " ".join(render_html(_briefing(kind="county", milestones=())).split())
    assert "本县（区）无本规划的重点项目任务节点" in county and "本规划未设重点项目任务节点" not in county


def test_a_missed_rate_in_a_final_assessment_says_its_distance_once() -> None:
    rate = _target(
        indicator_name="农产品加工转化率",
        target_value=70.0,
        target_level=70.0,
        target_unit="%",
        measure_unit="%",
        measure_space="level",
        aggregation="averaged_flow",
        baseline_value=61.2,
        actual_value=62.8,
        margin_to_target=-7.2,
        completion_rate=18.6,
        status="missed",
        is_final_verdict=True,
        time_progress=100.0,
        gap_pp=None,
    )
    briefing = _briefing(
        is_final_assessment=True,
        targets=(rate,),
        lagging=(),
        headline=(),
        counts=StatusCounts(
            total=1, achieved=0, ahead=0, on_track=0, lagging=0, severely_lagging=0, missed=1, no_data=0
        ),
    )
    text = " ".join(render_html(briefing).split())
    assert "距2025年目标尚差7.2个百分点（基期61.2%）" in text
    assert "与目标相比差7.2个百分点" not in text


def test_a_level_target_measured_from_its_baseline_says_where_it_started() -> None:
    shrinking = _target(
        target_id="demo.area.620826.2027",
        indicator_name="有机基地面积",
        region_name="静宁县",
        target_value=4500.0,
        target_unit="亩",
        target_level=4500.0,
        measure_unit="亩",
        measure_space="level",
        aggregation="stock",
        baseline_value=3800.0,
        actual_value=2500.0,
        margin_to_target=-2000.0,
        completion_rate=-185.714286,
        time_progress=33.333333,
        gap_pp=-219.047619,
        status="severely_lagging",
    )
    year_total = _target(status="lagging", baseline_value=10.2)
    lagging = (shrinking, year_total)
    html = render_html(_briefing(targets=lagging, lagging=lagging, headline=(shrinking,)))
    text = " ".join(html.split())
    # a level that moved away from its target says so, with its baseline, never a clamped or negative rate
    said = "目标不低于4500亩，10月末实际2500亩，低于基期水平（基期3800亩），较基期反向变化，距2025年目标尚差2000亩"
    assert said in text
    assert "-185.7" not in text
    # a year's total is measured from zero: its baseline (last year's total) is not in its sentence
    year_total_sentence = text[text.index("目标不低于16.5万头") :].split("。")[0]
    assert year_total_sentence.startswith("目标不低于16.5万头，1—10月实际11.98万头，完成率72.6%")
    assert "基期" not in year_total_sentence


def test_a_good_status_beside_an_outlook_that_falls_short_is_explained(tmp_path: Path) -> None:
    """正常 today and 预计难以完成 in the outlook are both true (completion so far against time elapsed; the
    recent trend): the briefing says why, in HTML and in Word, and says nothing when they agree."""
    slowing = _target(projected_value=14.9, projected_to_meet=False, projection_points=12)
    capped = _target(
        target_id="demo.fertiliser.620825.2025",
        indicator_name="化肥使用强度",
        comparator="<=",
        target_value=20.0,
        target_level=20.0,
        target_unit="千克/亩",
        measure_unit="千克/亩",
        measure_space="level",
        aggregation="stock",
        actual_value=18.0,
        status="achieved",
        projected_value=21.3,
        projected_to_meet=False,
        projection_points=12,
    )
    meeting = _target(
        target_id="demo.beef.620826.2025", region_name="静宁县", projected_value=17.0, projected_to_meet=True
    )
    briefing = _briefing(targets=(slowing, capped, meeting), headline=(slowing,))
    assert briefing.outlooks_against_status == (slowing, capped)
    text = " ".join(render_html(briefing).split())
    assert (
        "其中庄浪县肉牛饲养量（2025年目标不低于16.5万头）当前状态为正常，但预计难以按期完成：状态比较的是累计完成率与时序进度"
        in text
    )
    assert "庄浪县化肥使用强度（2025年目标不高于20千克/亩）目前未超出上限，但按近期趋势预计到目标年将超出" in text
    assert "静宁县肉牛饲养量" not in text.split("预计结果见表2")[1].split("。")[1]
    [word] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        document = package.read("word/document.xml").decode("utf-8")
    assert "当前状态为正常，但预计难以按期完成" in document
    agreeing = _briefing(targets=(meeting,), headline=(meeting,))
    assert agreeing.outlooks_against_status == ()
    assert "需防止后劲不足" not in render_html(agreeing)
    # one figure held flat is no trend: no pace is said to have slowed
    single = slowing.model_copy(update={"projection_points": 1})
    alone = _briefing(targets=(single,), headline=(single,))
    assert single.outlook is not None and alone.outlooks_against_status == ()
    assert "近期推进速度" not in render_html(alone)


def test_a_failed_render_leaves_no_half_written_file(tmp_path: Path) -> None:
    target = tmp_path / "briefing.pdf"

    def fails_half_way(temp: Path) -> None:
        temp.write_bytes(b"%PDF-1.7 half")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError):
        write_atomically(target, fails_half_way)
    assert list(tmp_path.iterdir()) == []


def test_a_rewrite_replaces_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "b.html"
    write_atomically(target, lambda temp: temp.write_text("old", encoding="utf-8"))
    write_atomically(target, lambda temp: temp.write_text("new", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "new" and [p.name for p in tmp_path.iterdir()] == ["b.html"]


def test_the_same_context_gives_the_same_html_and_the_same_chart() -> None:
    briefing = _briefing()
    assert render_html(briefing) == render_html(briefing)
    (first,), (second,) = completion_figures(briefing.targets), completion_figures(briefing.targets)
    assert strip_ids(first.svg) == strip_ids(second.svg) and first.svg.startswith("<svg")
    assert first.png == second.png and first.png is not None and first.png.startswith(b"\x89PNG")


def test_the_pdf_embeds_the_chinese_simplified_noto_fonts_only(tmp_path: Path) -> None:
    (path,) = render(_briefing(), tmp_path, ["pdf"])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert all(" yes " in row for row in rows), fonts  # every font embedded
    assert any("Noto-Serif-CJK-SC" in row for row in rows) and any("Noto-Sans-CJK-SC" in row for row in rows), fonts
    assert not any("JP" in row or "DejaVu" in row for row in rows), fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "督查通报" in text and "肉牛饲养量" in text
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text), text  # page numbers "— N —"
    size = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in size


def test_the_word_file_sets_east_asian_fonts_and_zh_cn_on_every_run(tmp_path: Path) -> None:
    (path,) = render(_briefing(), tmp_path, ["docx"])
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "纳入本期监测的目标任务共2项" in text and "慢于时序进度21.8个百分点" in text
    assert "马铃薯种植面积<script>" in text  # escaped in XML, shown as written
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [
        run for t in document.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for run in p.runs
    ]
    assert runs
    for run in runs:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts is not None and fonts.get(qn("w:eastAsia")), run.text
        assert run._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    assert 'w:eastAsia="ja-JP"' not in styles and 'w:eastAsia="zh-CN"' in styles
    table_text = [cell.text for cell in document.tables[0].rows[2].cells]
    assert table_text[1] == "马铃薯种植面积<script>" and table_text[7] == "44.8%"


def _with_charts(briefing: Briefing) -> Briefing:
    from planwatch.briefing.chart_data import Point, TargetPoint, trend_series
    from planwatch.briefing.charts import PNG_DPI, trend_chart
    from planwatch.briefing.context import Chart

    line = briefing.targets[0]
    # a year-to-date flow reported monthly: the chart shows 2024's total and 2025's 1—10月 figure
    points = [Point(dt.date(2024, 12, 31), 13.2)]
    points += [Point(dt.date(2025, month, 28), 1.2 * month) for month in range(1, 11)]
    series = trend_series(
        line, points, Point(dt.date(2022, 12, 31), 12.0), [TargetPoint(2025, 16.5)], (15.8, 14.9, 16.7), briefing.period
    )
    (completion,) = completion_figures(briefing.targets)
    charts = (
        Chart(title="各项目标完成率与时序进度对比", kind="completion", dpi=PNG_DPI, **completion._asdict()),
        Chart(title="庄浪县肉牛饲养量走势", kind="trend", dpi=PNG_DPI, **trend_chart(series)._asdict()),
    )
    return briefing.model_copy(update={"charts": charts})


def test_charts_are_svg_in_the_html_and_png_at_print_resolution_in_the_pdf_and_word_file(tmp_path: Path) -> None:
    from docx import Document

    from planwatch.briefing.charts import FONT_FAMILY, PNG_DPI

    briefing = _with_charts(_briefing())
    html_path, pdf_path, docx_path = render(briefing, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "<img" not in html
    assert "图1　各项目标完成率与时序进度对比" in html and "图2　庄浪县肉牛饲养量走势" in html
    # the charts' labels are text the reader's browser draws, in a CJK font it has (the generic family last),
    # escaped like the rest of the page
    labels = re.findall(r"<text\b[^>]*font-family: ([^;]*);[^>]*>([^<]*)</text>", html)
    assert "1 肉牛饲养量（庄浪县，2025）" in {text for _, text in labels} and "<script>" not in html
    assert {family for family, _ in labels} == {", ".join(f"'{name}'" for name in FONT_FAMILY) + ", sans-serif"}
    images = subprocess.run(["pdfimages", "-list", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    rows = [row.split() for row in images.splitlines()[2:] if row.split()[2] == "image"]
    assert len(rows) == 2, images
    assert all(int(row[12]) == PNG_DPI for row in rows), images  # x-ppi: drawn at the size it prints
    document = Document(str(docx_path))
    shapes = document.inline_shapes
    assert len(shapes) == 2
    assert all(shape.width.mm <= 156 and shape.height.mm <= 225 for shape in shapes)
    assert abs(shapes[0].width.mm - briefing.charts[0].width_mm) < 0.5  # printed at the size drawn
    text = "\n".join(p.text for p in document.paragraphs)
    assert "图1　各项目标完成率与时序进度对比" in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(cell.strip() == "图2　庄浪县肉牛饲养量走势" for cell in cells)


def _summary() -> Briefing:
    from planwatch.briefing.context import PlanSummaryLine

    counts = StatusCounts(total=2, achieved=0, ahead=0, on_track=1, lagging=1, severely_lagging=0, missed=0, no_data=0)
    plan = _briefing()
    line = PlanSummaryLine(
        plan_id="demo_plan_2023",
        plan_title="示范规划",
        region_name="平凉市",
        counts=counts,
        milestones_overdue=1,
        is_final_assessment=False,
    )
    severe = plan.targets[1].model_copy(update={"status": "severely_lagging"})
    return plan.model_copy(
        update={
            "kind": "summary",
            "plan_id": None,
            "title": "规划目标实施情况督查通报（领导摘要）",
            "issuing_office": "规划实施监测督导办公室",
            "region_code": None,
            "plans": (line,),
            "lagging": (severe,),
            "targets": (),
            "headline": (),
            "regions": (),
            "submissions": (),
            "quality": (),
        }
    )


def test_the_summary_says_how_many_projects_are_overdue_when_it_lists_the_most_overdue_only() -> None:
    summary = _summary()
    listed = " ".join(render_html(summary).split())
    assert "逾期重点项目共" not in listed  # the one overdue project is listed: nothing left out
    more = summary.model_copy(update={"plans": (summary.plans[0].model_copy(update={"milestones_overdue": 15}),)})
    text = " ".join(render_html(more).split())
    assert "逾期重点项目共15个，以下列出逾期时间最长的1个，其余见各规划通报。" in text


def test_the_leadership_summary_has_a_word_version_in_official_document_style(tmp_path: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    html_path, docx_path = render(_summary(), tmp_path, ["html", "docx"])
    assert docx_path.name == "leadership_summary_2025-10.docx"
    document = Document(str(docx_path))
    text = "\n".join(p.text for p in document.paragraphs)
    for expected in ("规划实施监测督导办公室", "督查通报", "第10期", "2025年11月10日", "（2025年10月）", "各位领导："):
        assert expected in text, expected
    # the same sentences as the HTML summary: one source of content
    html = html_path.read_text(encoding="utf-8")
    for sentence in (
        "现将1个规划截至2025年10月的目标任务推进情况摘要报告如下。",
        "（一）静宁县马铃薯种植面积&lt;script&gt;（2025年目标）：目标不低于42万亩，1—10月实际38.75万亩，完成率44.8%",
        # an overdue project says its progress with the month it was reported
        "（一）冷链物流园（庄浪县）：完成时限2025年6月30日，已逾期123天，进展：推进中（2025年10月报送），"
        "完成比例60%，牵头单位平凉市商务局。",
    ):
        assert sentence in re.sub(r"<[^>]+>", "", html), sentence  # the claim spans left out
        assert Markup(sentence).unescape() in text, sentence
    (table,) = document.tables
    assert [cell.text for cell in table.rows[1].cells] == [
        "示范规划",
        "平凉市",
        "2",
        "0",
        "0",
        "1",
        "1",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]  # ... 未完成, 暂无数据, 数据未更新, 逾期项目
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        assert "PAGE" in footer._element.xml and "— " in footer.paragraphs[0].text
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs]
    for run in runs:
        fonts = run._r.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) in {"Noto Serif CJK SC", "Noto Sans CJK SC"}, run.text
        assert run._r.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    heading = next(p for p in document.paragraphs if p.text == "一、总体情况")
    assert heading.runs[0]._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Noto Sans CJK SC"


def test_the_issue_number_and_date_follow_the_deployment_configuration(tmp_path: Path) -> None:
    from planwatch.briefing.gather import issue_date_for, issue_number_for
    from planwatch.config import ConfigError, load_settings

    nothing_set = tmp_path / "planwatch.toml"  # a deployment's config that sets nothing: the defaults
    nothing_set.write_text("[planwatch]\n", encoding="utf-8")
    october = dt.date(2025, 10, 31)
    default = load_settings({"PLANWATCH_CONFIG": str(nothing_set)})
    assert (issue_number_for(october, default), issue_date_for(october, default)) == (10, dt.date(2025, 11, 10))
    assert issue_date_for(dt.date(2025, 12, 31), default) == dt.date(2026, 1, 10)
    counted = load_settings(
        {
            "PLANWATCH_CONFIG": str(nothing_set),
            "PLANWATCH_BRIEFING_FIRST_ISSUE": "2024-03",
            "PLANWATCH_BRIEFING_ISSUE_DAY": "5",
        }
    )
    assert issue_number_for(october, counted) == 20  # March 2024 is 第1期, October 2025 the 20th month
    # the 5th, but October's reports are due on the 5th working day, Friday 7 November: dated Monday the 10th
    assert issue_date_for(october, counted) == dt.date(2025, 11, 10)
    assert issue_date_for(dt.date(2026, 1, 31), counted) == dt.date(2026, 2, 9)  # due Friday 6 Feb
    # 国庆 (1–8 October 2025, the 11th worked) puts September's deadline on the 14th: dated the 15th, not the 10th
    assert issue_date_for(dt.date(2025, 9, 30), default) == dt.date(2025, 10, 15)
    # the scheduled briefing run renders each month on its issue date, and on no other day
    from planwatch.orchestration.monthly_tasks import briefing_due_on, briefing_period

    october_2025 = [dt.date(2025, 10, day) for day in range(1, 32)]
    assert [(day, briefing_due_on(day, default)) for day in october_2025 if briefing_due_on(day, default)] == [
        (dt.date(2025, 10, 15), "2025-09")
    ]
    assert briefing_due_on(dt.date(2025, 12, 10), default) == "2025-11"
    # what the DAG's first task is told: 01:00 UTC on 15 October is 09:00 in China, the issue date
    assert briefing_period(None, dt.datetime(2025, 10, 15, 1, tzinfo=dt.UTC), True, default) == "2025-09"
    assert briefing_period(None, dt.datetime(2025, 10, 10, 1, tzinfo=dt.UTC), True, default) is None  # skipped
    assert briefing_period(None, dt.datetime(2025, 10, 10, 1, tzinfo=dt.UTC), False, default) == "2025-09"  # a person
    assert briefing_period("2024-03", dt.datetime(2025, 10, 10, 1, tzinfo=dt.UTC), True, default) == "2024-03"
    assert briefing_due_on(dt.date(2025, 11, 10), counted) == "2025-10" and not briefing_due_on(
        dt.date(2025, 11, 5), counted
    )
    with pytest.raises(ValueError, match="briefing_first_issue is 2024-03, after 2024-02"):
        issue_number_for(dt.date(2024, 2, 29), counted)
    with pytest.raises(ConfigError, match="PLANWATCH_BRIEFING_FIRST_ISSUE: String should match"):
        load_settings({"PLANWATCH_CONFIG": str(nothing_set), "PLANWATCH_BRIEFING_FIRST_ISSUE": "2024-13"})
    with pytest.raises(ConfigError, match="PLANWATCH_BRIEFING_ISSUE_DAY: Input should be less than or equal to 28"):
        load_settings({"PLANWATCH_CONFIG": str(nothing_set), "PLANWATCH_BRIEFING_ISSUE_DAY": "31"})
    # a config named that is not there is said, never read as the defaults
    with pytest.raises(ConfigError, match=r"PLANWATCH_CONFIG names .*nonexistent\.toml, which does not exist"):
        load_settings({"PLANWATCH_CONFIG": str(tmp_path / "nonexistent.toml")})


def test_the_department_ranking_shows_the_score_it_ranks_by_in_html_and_word(tmp_path: Path) -> None:
    department = RankingLine(
        rank=1,
        name="平凉市商务局",
        targets=2,
        targets_on_track=1,
        targets_lagging=1,
        targets_severely_lagging_or_missed=0,
        targets_no_data=0,
        share_on_track=0.5,
        mean_completion=80.0,
        milestones=1,
        milestones_overdue=1,
        score=33.333333,  # 100 × (1 target on track + 0 milestones on time) ÷ (2 targets + 1 milestone due)
    )
    briefing = _briefing(departments=(department,))
    html = render_html(briefing)
    assert "<th>考核得分</th>" in html and '<td class="num">33.3</td>' in html
    assert "按考核得分排序" in html
    [docx] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(docx) as archive:
        text = re.sub(r"<[^>]+>", "", archive.read("word/document.xml").decode("utf-8"))
    assert "考核得分" in text and "33.3" in text and "按考核得分排序" in text


def test_a_briefing_is_written_again_when_a_figure_changes(tmp_path: Path) -> None:
    from planwatch.briefing.unchanged import RenderInputs, record, unchanged_file

    briefing = _briefing()
    inputs = RenderInputs.of(briefing)
    [html] = render(briefing, tmp_path, ["html"])
    record(tmp_path, inputs, {"html": html})
    assert unchanged_file(tmp_path, inputs, "html") == html
    revised = _briefing(targets=(_target(actual_value=12.5), _target(target_id="x", status="lagging")))
    assert RenderInputs.of(revised).fingerprint("html") != inputs.fingerprint("html")
    assert unchanged_file(tmp_path, RenderInputs.of(revised), "html") is None  # a revised figure: rendered again
    assert unchanged_file(tmp_path, inputs, "docx") is None  # never rendered in this format


def test_a_finding_about_departments_says_whose_rows_they_are(tmp_path: Path) -> None:
    """部门未在截止日前报送1条 names the department, of those in the briefing's scope only."""
    con = duckdb.connect()
    con.execute(
        "create schema marts; create table marts.dim_department as select * from (values "
        "('fengling.market', '凤岭县市场监督管理局'), ('other.stats', '别县统计局')) "
        "as d(department_id, department_name)"
    )
    scope = Scope("fengling", frozenset(), frozenset({"621029"}), frozenset({"fengling.market"}))
    row = {"scope": json.dumps([{"department_id": "fengling.market", "rows": 1}, {"department_id": "other.stats"}])}
    assert _departments_named(con, row, scope) == "凤岭县市场监督管理局"
    assert _departments_named(con, {"scope": json.dumps([{"plan_id": "fengling", "rows": 1}])}, scope) is None
    late = QualityNote(text="部门未在截止日前报送", count=1, concerns="凤岭县市场监督管理局")
    briefing = _briefing(quality=(late,))
    assert "部门未在截止日前报送1条（凤岭县市场监督管理局）。" in " ".join(render_html(briefing).split())
    [word] = render(briefing, tmp_path, ["docx"])
    with zipfile.ZipFile(word) as package:
        assert "部门未在截止日前报送1条（凤岭县市场监督管理局）" in package.read("word/document.xml").decode("utf-8")


def test_a_lagging_target_without_a_lead_unit_says_the_plan_names_none_and_who_reports_it() -> None:
    lagging = _target(status="lagging", lead_unit=None, actual_source_name="凤岭县统计局")
    text = " ".join(render_html(_briefing(targets=(lagging,), lagging=(lagging,))).split())
    assert "牵头单位：规划未明确（数据由凤岭县统计局报送）。" in text
    nobody = lagging.model_copy(update={"actual_source_name": None})
    assert "牵头单位：规划未明确。" in " ".join(render_html(_briefing(targets=(nobody,), lagging=(nobody,))).split())


def test_a_headline_resting_on_a_doubted_figure_claims_no_completion():
    """The overview names a headline target whose figure the plausibility review doubts (※ in 表1): the
    sentence marks its actual ※ and says the completion waits on the department, never 已达到目标."""
    achieved = _target(
        status="achieved", actual_value=89.0, completion_rate=600.0, margin_to_target=59.0, is_doubted=True
    )
    text = " ".join(render_html(_briefing(targets=(achieved,), headline=(achieved,))).split())
    sentence = text[text.index("从主要指标看") :].split("</p>")[0]
    assert "※，该数据经合理性检查存疑，完成情况待报送部门核实后确认" in sentence
    assert "完成率" not in sentence and "已达到目标" not in sentence
    clean = _target(status="achieved", actual_value=89.0, completion_rate=600.0, margin_to_target=59.0)
    text = " ".join(render_html(_briefing(targets=(clean,), headline=(clean,))).split())
    sentence = text[text.index("从主要指标看") :].split("</p>")[0]
    assert "完成率600.0%" in sentence and "※" not in sentence


def test_a_briefing_not_yet_signed_is_marked_a_draft_in_html_and_word(tmp_path: Path) -> None:
    """What `planwatch brief` writes before 签发 carries 第N期 and its date like the signed one: it says
    送审稿（未签发） above the masthead, in HTML and Word; the issued briefing does not."""
    from docx import Document

    draft, signed = _briefing(), _briefing(is_issued=True)
    assert "送审稿（未签发）" in render_html(draft) and "送审稿" not in render_html(signed)
    for briefing, marked in ((draft, True), (signed, False)):
        path = write_docx(briefing, tmp_path / f"{marked}.docx")
        text = "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)
        assert ("送审稿（未签发）" in text) is marked and "督查通报" in text
        assert "{%" not in text  # the template's tags leave no trace


def test_a_lagging_ratio_the_marts_computed_says_how_not_who_reported_it() -> None:
    """A share the marts computed from its parts has no reporting department: the lagging target's line says
    牵头单位：规划未明确（数据按…计算）, never 数据由按…计算报送."""
    ratio = _target(
        status="lagging",
        lead_unit=None,
        actual_source_name="按畜牧业总产值÷农业总产值计算",
        actual_is_derived=True,
    )
    text = " ".join(render_html(_briefing(targets=(ratio,), lagging=(ratio,))).split())
    assert "牵头单位：规划未明确（数据按畜牧业总产值÷农业总产值计算）" in text
    assert "数据由按" not in text
    reported = _target(status="lagging", lead_unit=None, actual_source_name="平凉市统计局")
    text = " ".join(render_html(_briefing(targets=(reported,), lagging=(reported,))).split())
    assert "牵头单位：规划未明确（数据由平凉市统计局报送）" in text
