"""The 催报通知 Word template (reports/word/reminder.docx), generated like the briefings' templates so that
it is reviewable as code: the same GB/T 9704 page and styles (planwatch.briefing.docx_layout), a title, the
notice, one table row per department that owes the month, the issuing office and date.
Regenerate with ``python -m planwatch.briefing.word_templates``."""

from __future__ import annotations

from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH

from planwatch.briefing.docx_layout import add_table, new_document, save_document
from planwatch.supervision.remind import REMINDER_TEMPLATE


def build_reminder_template(path: Path = REMINDER_TEMPLATE) -> Path:
    document = new_document()

    def para(text: str, style: str = "正文") -> object:
        return document.add_paragraph(text, style=style)

    para("关于报送{{ period_label }}规划目标监测数据的催报通知", "标题")
    para("", "Normal")
    para("各有关单位：", "Normal")
    para(
        "按照规划目标监测督导工作安排，{{ period_label }}监测数据应于{{ due_label }}前通过平台报送。"
        "截至{{ as_of_label }}，以下{{ count }}个单位尚未报送或未报齐，请于收到本通知后尽快报送；"
        "逾期未报的，将在督查通报中予以通报。"
    )
    para("{% if provisional %}（注：部分年份的法定节假日安排尚未发布，逾期天数暂按周一至周五计算。）{% endif %}")
    add_table(
        document,
        ["序号", "单位", "截止日期", "报送情况"],
        ["{{ line.number }}", "{{ line.name }}", "{{ line.due }}", "{{ line.state }}"],
        "lines",
        [14, 62, 32, 48],
    )
    para("", "Normal")
    signature = para("{{ issuer }}", "Normal")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated = para("{{ issue_date }}", "Normal")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return save_document(document, path)
