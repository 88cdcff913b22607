"""Rendering a briefing: self-contained escaped HTML, a PDF with embedded Chinese fonts, a zh-CN Word file.

These tests build the briefing context by hand (no warehouse), so they pin the renderers alone; the
end-to-end number test on the sample warehouse is in test_briefing_numbers.py.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path

import jinja2
import pytest

from planwatch.briefing.charts import completion_against_time, strip_ids
from planwatch.briefing.context import (
    Briefing,
    MilestoneLine,
    QualityNote,
    RankingLine,
    StatusCounts,
    SubmissionLine,
    TargetLine,
)
from planwatch.briefing.render import environment, render, render_html, write_atomically


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
    assert strip_ids(completion_against_time(briefing.targets)) == strip_ids(completion_against_time(briefing.targets))
    assert completion_against_time(briefing.targets).startswith("<svg")


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
    assert table_text[1] == "马铃薯种植面积<script>" and table_text[6] == "44.8%"
