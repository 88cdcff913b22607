"""The Word briefings' docxtpl templates (reports/word/), generated here so that they are reviewable as code.

Two templates, one per kind of briefing: `briefing.docx` (a plan or a county) and `summary.docx` (the
leadership summary), on the page of `planwatch.briefing.docx_layout`; the 催报通知's template comes
from `planwatch.supervision.notice_template`. Regenerate all three with
``python -m planwatch.briefing.word_templates``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT

from planwatch.briefing.docx_layout import (
    TEXT_WIDTH_MM,
    add_table,
    fix_widths,
    masthead,
    new_document,
    save_document,
)
from planwatch.config import PROJECT_ROOT

WORD_DIR = PROJECT_ROOT / "reports" / "word"
WORD_TEMPLATE = WORD_DIR / "briefing.docx"
SUMMARY_TEMPLATE = WORD_DIR / "summary.docx"

TARGET_WIDTHS = [7.0, 22.0, 14.0, 9.0, 17.0, 17.0, 15.0, 15.0, 12.0, 11.0, 17.0]
FINAL_TARGET_WIDTHS = [7.0, 26.0, 16.0, 9.0, 19.0, 18.0, 16.0, 16.0, 15.0, 14.0]
OUTLOOK_WIDTHS = [8.0, 30.0, 17.0, 11.0, 20.0, 30.0, 22.0, 18.0]
RANKING_WIDTHS = [9.0, 30.0, 12.0, 14.0, 12.0, 17.0, 13.0, 14.0, 17.0, 18.0]
DEPARTMENT_WIDTHS = [8.0, 27.0, 9.0, 10.0, 9.0, 13.0, 10.0, 10.0, 12.0, 13.0, 12.0, 11.0, 12.0]


def _target_table(document: Any, loop: str, final: bool) -> None:
    """表1 as in the HTML (reports/templates/_macros.html.j2 target_table): every actual with its period."""
    headers = ["序号", "指标", "地区", "目标年", "目标值", "实际值（数据期）", "同比", "完成率"]
    cells = [
        "{{ loop.index }}",
        "{{ line.indicator_name }}",
        "{{ line.region_name }}",
        "{{ line.target_year }}",
        "{{ target_text(line) }}",
        "{{ line.actual_figure }}{{ line.doubt_mark }}"
        "{% if line.actual_as_of %}（{{ line.actual_span }}）{% endif %}"
        "{% if line.actual_detail %}，{{ line.actual_detail }}{% endif %}"
        "{% if line.actual_source_name %}，来源：{{ line.actual_source_name }}{% endif %}",
        "{{ line.year_on_year_text }}",
        "{{ line.completion_cell }}",
    ]
    if final:
        headers.append("与目标差距")
        cells.append("{{ line.margin_text }}")
    else:
        headers += ["时序进度", "差距"]
        cells += [
            "{{ line.time_progress | percent if line.shows_time_gap else '—' }}",
            "{{ line.gap_pp | signed if line.shows_time_gap else '—' }}",
        ]
    headers.append("状态")
    cells.append("{{r status(line) }}")
    add_table(document, headers, cells, loop, FINAL_TARGET_WIDTHS if final else TARGET_WIDTHS)


def _outlook_table(document: Any) -> None:
    """表2 of a running plan: the projection to each target year (reading.Outlook)."""
    add_table(
        document,
        ["序号", "指标", "地区", "目标年", "目标值", "预计目标年值（预测区间）", "年均增长（实际/所需）", "预计"],
        [
            "{{ loop.index }}",
            "{{ line.indicator_name }}",
            "{{ line.region_name }}",
            "{{ line.target_year }}",
            "{{ target_text(line) }}",
            "{{ line.outlook.projected }}{% if line.outlook.band %}（{{ line.outlook.band }}）{% endif %}",
            "{{ line.outlook.growth_cell }}",
            "{{ line.outlook.verdict }}",
        ],
        "b.outlook_targets",
        OUTLOOK_WIDTHS,
    )


def build_template(path: Path = WORD_TEMPLATE) -> Path:
    """Write the plan and county template: the masthead, every section of the HTML briefing, tables, charts."""
    document = new_document()
    para = masthead(document)
    para("{%p if override %}")
    para("{{ override }}", "Normal")
    para("{%p endif %}")
    para("各有关单位：", "Normal")
    para("{{ intro }}")
    para("一、总体情况", "一级标题")
    para("{{ overview }}")
    para("{%p if headline %}")
    para("{{ headline }}")
    para("{%p endif %}")
    para("二、目标任务完成情况", "一级标题")
    para("{{ targets_text }}")
    para("表1　目标任务完成情况表", "表题")
    para("{%p if b.is_final_assessment %}")
    _target_table(document, "b.targets", final=True)
    para("{%p else %}")
    _target_table(document, "b.targets", final=False)
    para("{%p endif %}")
    para("{%p for chart in completion_charts %}")
    para("{{ chart.image }}", "图")
    para("{{ chart.caption }}", "图题")
    para("{%p endfor %}")
    para("{%p if not b.is_final_assessment %}")
    para("{{ outlook_intro }}")
    para("{%p endif %}")
    para("{%p if not b.is_final_assessment and b.outlook_targets %}")
    para("表2　目标年预计完成情况（预计）", "表题")
    _outlook_table(document)
    para("{%p endif %}")
    para("三、{{ warning_heading }}", "一级标题")
    para("{%p for text in lagging %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("{%p if b.kind == 'plan' %}")
    para("四、{{ b.region_ranking_title[:2] }}和责任单位排名", "一级标题")
    para("{%p if b.regions_ranked %}")
    para(
        "{{ b.region_ranking_title }}按进度正常目标占比（不含暂无数据和数据未更新的目标）排序，"
        "占比相同的按平均完成率（单项封顶100%）排序。"
    )
    para("表{{ table_regions }}　{{ b.region_ranking_title }}", "表题")
    ranking_headers = [
        "排名",
        "名称",
        "目标数",
        "进度正常",
        "滞后",
        "严重滞后或未完成",
        "暂无数据",
        "数据未更新",
        "正常占比",
        "平均完成率",
    ]
    ranking_cells = [
        "{{ line.rank }}",
        "{{ line.name }}",
        "{{ line.targets }}",
        "{{ line.targets_on_track }}",
        "{{ line.targets_lagging }}",
        "{{ line.targets_severely_lagging_or_missed }}",
        "{{ line.targets_no_data }}",
        "{{ line.targets_stale }}",
        "{{ line.share_on_track | share }}",
        "{{ line.mean_completion | percent }}",
    ]
    add_table(
        document, [*ranking_headers[:1], "地区", *ranking_headers[2:]], ranking_cells, "b.regions", RANKING_WIDTHS
    )
    para("{%p else %}")
    para("{{ not_ranked }}")
    para("{%p endif %}")
    para("{%p if b.departments %}")
    para(
        "责任单位排名兼顾目标和重点项目：按考核得分排序，考核得分为进度正常的目标与按期完成的重点项目合计占考核项数"
        "（有当期数据的目标与完成时限已过的重点项目）的比重；得分相同的按平均完成率、逾期未完成项目数排序。"
    )
    para("表{{ table_departments }}　责任单位排名", "表题")
    add_table(
        document,
        [*ranking_headers[:1], "牵头单位", *ranking_headers[2:], "牵头任务", "逾期", "考核得分"],
        [
            *ranking_cells,
            "{{ line.milestones | integer }}",
            "{{ line.milestones_overdue | integer }}",
            "{{ line.score | fixed(1) }}",
        ],
        "b.departments",
        DEPARTMENT_WIDTHS,
    )
    para("{%p else %}")
    para("本规划目标未明确牵头单位，不作责任单位排名。")
    para("{%p endif %}")
    para("{%p endif %}")
    para("{{ section_milestones }}、重点项目进展", "一级标题")
    para("{{ milestones_text }}")
    para("{%p if b.milestones %}")
    para("重点项目进展表", "表题")
    add_table(
        document,
        ["序号", "项目", "地区", "牵头单位", "完成时限", "进展", "完成比例", "逾期天数"],
        [
            "{{ loop.index }}",
            "{{ line.project }}",
            "{{ line.region_name or '—' }}",
            "{{ line.lead_unit or '未明确' }}",
            "{{ line.deadline | zh_date }}",
            "{{ line.progress_text }}",
            "{{ line.percent_complete | percent(0) }}",
            "{{ line.days_overdue | integer if line.is_overdue else '—' }}",
        ],
        "b.milestones",
        [9.0, 40.0, 17.0, 27.0, 22.0, 14.0, 13.0, 14.0],
    )
    para("{%p endif %}")
    para("{{ section_submissions }}、数据报送情况", "一级标题")
    para("{{ submissions_text }}")
    para("{%p for text in stale %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("{%p if b.submissions %}")
    para("数据报送情况表", "表题")
    add_table(
        document,
        ["部门", "截止日期", "报送情况", "文件数", "指标（实报/应报）", "任务节点（实报/应报）", "首次报送"],
        [
            "{{ line.department_name }}",
            "{{ line.due_date | zh_date }}",
            "{{ '未报送' if not line.received else ('按时' if line.is_on_time else '逾期') }}"
            "{{ '（' ~ line.review_state ~ '）' if line.review_state else '' }}",
            "{{ line.files_received }}",
            "{{ line.indicators_received }}/{{ line.indicators_expected }}",
            "{{ line.milestones_received }}/{{ line.milestones_expected }}",
            "{{ line.first_received_at | zh_date if line.first_received_at else '—' }}",
        ],
        "b.submissions",
        [36.0, 24.0, 15.0, 13.0, 21.0, 23.0, 24.0],
    )
    para("{%p endif %}")
    para("{%p if b.follow_up %}")
    para("{{ section_follow_up }}、督办落实情况", "一级标题")
    para("{{ follow_up_text }}")
    para("督办事项落实情况表", "表题")
    add_table(
        document,
        ["督办编号", "督办事项", "责任单位", "反馈时限", "落实情况"],
        [
            "{{ line.item_id }}",
            "{{ line.subject }}",
            "{{ line.department_name }}",
            "{{ line.reply_due | zh_date }}",
            "{{ line.status_label }}",
        ],
        "b.follow_up.items",
        [30.0, 52.0, 30.0, 24.0, 20.0],
    )
    para("{%p endif %}")
    para("{%p if b.corrections %}")
    para("{{ section_corrections }}、更正说明", "一级标题")
    para("{%p for text in corrections %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("{%p endif %}")
    para("{{ section_quality }}、数据质量说明", "一级标题")
    para("{%p for text in quality %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("{%p if trend_rows %}")
    para("附：主要指标走势", "一级标题")
    trends = document.add_table(rows=3, cols=2)
    trends.alignment = WD_TABLE_ALIGNMENT.CENTER
    trends.autofit = False
    fix_widths(trends, [TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2])
    trends.rows[0].cells[0].text = "{%tr for row in trend_rows %}"
    for index, side in enumerate(("left", "right")):
        cell = trends.rows[1].cells[index]
        cell.paragraphs[0].text = "{{ row." + side + ".image }}"
        cell.paragraphs[0].style = document.styles["图"]
        cell.add_paragraph("{{ row." + side + ".caption }}", style="图题")
    trends.rows[2].cells[0].text = "{%tr endfor %}"
    para("{%p endif %}")
    para("{%p if b.final_targets %}")
    para("附表：已到目标年的目标任务完成情况", "一级标题")
    _target_table(document, "b.final_targets", final=True)
    para("{%p endif %}")
    return save_document(document, path)


def build_summary_template(path: Path = SUMMARY_TEMPLATE) -> Path:
    """Write the leadership summary template: masthead, overview with the plans table, focus, overdue projects."""
    document = new_document()
    para = masthead(document)
    para("{%p if override %}")
    para("{{ override }}", "Normal")
    para("{%p endif %}")
    para("各位领导：", "Normal")
    para("{{ intro }}")
    para("一、总体情况", "一级标题")
    para("{{ overview }}")
    para("表1　各规划目标任务推进情况（含目标年已过的目标，按最终结论计）", "表题")
    add_table(
        document,
        [
            *("规划", "地区", "目标数", "已完成或已达标", "超前", "正常", "滞后", "严重滞后"),
            *("未完成", "暂无数据", "数据未更新", "逾期项目"),
        ],
        [
            "{{ line.plan_title }}{{ '（终期评估）' if line.is_final_assessment else '' }}",
            "{{ line.region_name }}",
            "{{ line.counts.total }}",
            "{{ line.counts.achieved }}",
            "{{ line.counts.ahead }}",
            "{{ line.counts.on_track }}",
            "{{ line.counts.lagging }}",
            "{{ line.counts.severely_lagging }}",
            "{{ line.counts.missed }}",
            "{{ line.counts.no_data }}",
            "{{ line.counts.stale }}",
            "{{ line.milestones_overdue }}",
        ],
        "b.plans",
        [43.0, 16.0] + [9.7] * 10,
    )
    para("{%p for chart in summary_charts %}")
    para("{{ chart.image }}", "图")
    para("{{ chart.caption }}", "图题")
    para("{%p endfor %}")
    para("二、需重点关注的目标", "一级标题")
    para("{%p for text in focus %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("三、逾期重点项目", "一级标题")
    para("{%p for text in overdue %}")
    para("{{ text }}")
    para("{%p endfor %}")
    para("四、数据质量说明", "一级标题")
    para("{%p for text in quality %}")
    para("{{ text }}")
    para("{%p endfor %}")
    return save_document(document, path)


def build_templates() -> list[Path]:
    from planwatch.supervision.notice_template import build_reminder_template  # it builds on this module

    return [build_template(), build_summary_template(), build_reminder_template()]


if __name__ == "__main__":
    for written in build_templates():
        print(written)
