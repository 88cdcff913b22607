"""The GB/T 9704 page of planwatch's Word documents and the blocks they are built from.

A4, top 37 mm, binding side 28 mm, text block 156 × 225 mm, 16 pt body on a 28.9 pt line pitch (22
lines), 22 pt title, 一、 headings in the 黑体 role, page numbers "— N —" in 14 pt at the outside edge
(right on odd pages, left on even ones). python-docx's ``font.name`` does not reach Chinese text and
its default template declares ja-JP, so after rendering every run gets ``w:eastAsia`` fonts and every
style and run the zh-CN East Asian language (`fix_fonts`).

Fonts default to the faces the PDF uses, Noto Serif CJK SC (body, title) and Noto Sans CJK SC
(headings), which `make setup` installs; an office with licensed 仿宋_GB2312 / 方正小标宋简体 / 黑体 /
楷体_GB2312 sets ``PLANWATCH_BRIEFING_DOCX_FONT_<ROLE>``. The briefings' templates
(`planwatch.briefing.word_templates`) and the 催报通知 (`planwatch.supervision.notice_template`) are
built from these blocks.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TEXT_WIDTH_MM = 156.0
TEXT_HEIGHT_MM = 225.0
# a chart leaves room on its page for its caption and a line of text
CHART_MAX_HEIGHT_MM = 205.0
TREND_CELL_WIDTH_MM = 76.0


def docx_fonts() -> dict[str, str]:
    return {
        "body": os.environ.get("PLANWATCH_BRIEFING_DOCX_FONT_BODY", "Noto Serif CJK SC"),
        "title": os.environ.get("PLANWATCH_BRIEFING_DOCX_FONT_TITLE", "Noto Serif CJK SC"),
        "heading": os.environ.get("PLANWATCH_BRIEFING_DOCX_FONT_HEADING", "Noto Sans CJK SC"),
        "kai": os.environ.get("PLANWATCH_BRIEFING_DOCX_FONT_KAI", "Noto Serif CJK SC"),
    }


def set_run_fonts(r_pr: OxmlElement, east_asia: str, ascii_font: str = "Times New Roman") -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        # rStyle, when present, must stay first in w:rPr
        r_pr.insert(1 if r_pr.find(qn("w:rStyle")) is not None else 0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), ascii_font)
    fonts.set(qn("w:eastAsia"), east_asia)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def paragraph_style(
    document: Any,
    name: str,
    east_asia: str,
    size: float,
    bold: bool = False,
    centred: bool = False,
    indent: bool = False,
    colour: RGBColor | None = None,
    line_pitch: float | None = 28.9,
) -> None:
    """A paragraph style; `line_pitch` is an exact line height in points, None for single spacing (images)."""
    styles = document.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    if name != "Normal":
        style.base_style = styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    if colour is not None:
        style.font.color.rgb = colour
    set_run_fonts(style.element.get_or_add_rPr(), east_asia)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(0)
    paragraph.line_spacing = Pt(line_pitch) if line_pitch else 1.0
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if indent:
        paragraph.first_line_indent = Pt(2 * size)
    if name in {"一级标题", "表题"}:
        paragraph.keep_with_next = True  # a heading or table caption never ends a page alone


def page_number(paragraph: Any, alignment: WD_ALIGN_PARAGRAPH) -> None:
    """ "— PAGE —" in 4号 (14 pt) digits, one character in from the outside edge."""
    paragraph.alignment = alignment
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = Pt(14)
    else:
        paragraph.paragraph_format.left_indent = Pt(14)
    paragraph.add_run("— ").font.size = Pt(14)
    run = paragraph.add_run()
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —").font.size = Pt(14)


def new_document() -> Any:
    """An empty A4 document with the GB/T 9704 page, the styles and the page numbers."""
    fonts = docx_fonts()
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.gutter = Mm(0)
    # page numbers sit 7 mm below the text block
    section.footer_distance = Mm(28)
    section.start_type = WD_SECTION.NEW_PAGE
    document.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    paragraph_style(document, "Normal", fonts["body"], 16)
    paragraph_style(document, "正文", fonts["body"], 16, indent=True)
    paragraph_style(
        document, "版头", fonts["title"], 30, bold=True, centred=True, colour=RGBColor(0xC0, 0, 0), line_pitch=40
    )
    paragraph_style(document, "期号", fonts["body"], 16, centred=True)
    paragraph_style(document, "发文", fonts["body"], 16)
    paragraph_style(document, "红线", fonts["body"], 4, line_pitch=6)
    paragraph_style(document, "标题", fonts["title"], 22, bold=True, centred=True, line_pitch=32)
    paragraph_style(document, "一级标题", fonts["heading"], 16, indent=True)
    paragraph_style(document, "表格", fonts["body"], 9, line_pitch=12)  # 小五 in tables, as offices set them
    paragraph_style(document, "表题", fonts["heading"], 12, bold=True, centred=True, line_pitch=20)
    paragraph_style(document, "图", fonts["body"], 10.5, centred=True, line_pitch=None)
    paragraph_style(document, "图题", fonts["body"], 10.5, centred=True, line_pitch=16)
    return document


def red_rule(paragraph: Any) -> None:
    """The red separator line under the masthead: a bottom border on an empty paragraph."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "16"), ("w:space", "1"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def masthead(document: Any) -> Callable[[str, str], Any]:
    """The red masthead (版头), issue number, office and date, red rule, title; returns a paragraph writer."""

    def para(text: str, style: str = "正文") -> Any:
        return document.add_paragraph(text, style=style)

    # a briefing not yet signed (签发) is a draft for review: marked so above the masthead
    para("{%p if not b.is_issued %}", "Normal")
    draft = para("送审稿（未签发）", "期号")
    draft.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para("{%p endif %}", "Normal")
    para("{{ b.issuing_office }}", "版头")
    para("督查通报", "版头")
    para("第{{ b.issue_number }}期", "期号")
    meta = para("{{ b.issuing_office }}\t{{ b.issue_date | zh_date }}", "发文")
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)  # the date at the right
    red_rule(para("", "红线"))
    para("", "Normal")
    para("{{ b.title }}", "标题")
    para("（{{ b.period | zh_month }}）", "标题")
    para("", "Normal")
    return para


def add_table(
    document: Any, headers: list[str], cells: list[str], loop: str, widths_mm: list[float], style: str = "Table Grid"
) -> Any:
    """A table whose one body row repeats over `loop` (docxtpl ``{%tr %}``), columns sized to the text block."""
    assert len(headers) == len(cells) == len(widths_mm), headers
    table = document.add_table(rows=4, cols=len(headers))
    table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, header in enumerate(headers):
        table.rows[0].cells[index].text = header
    table.rows[1].cells[0].text = "{%tr for line in " + loop + " %}"
    for index, cell in enumerate(cells):
        table.rows[2].cells[index].text = cell
    table.rows[3].cells[0].text = "{%tr endfor %}"
    fix_widths(table, widths_mm)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.style = document.styles["表格"]
    header_row = table.rows[0]
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat the header on every page
    for cell in header_row.cells:
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.font.bold = True
    return table


def fix_widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths: Word reads the cells' widths, LibreOffice the table grid, so set both."""
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "45")  # twips: 0.8 mm, so short numbers stay on one line
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)
    for index, width in enumerate(widths_mm):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)


def save_document(document: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def all_paragraphs(document: Any) -> Iterator[Any]:
    def in_tables(tables: list[Any]) -> Iterator[Any]:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
                    yield from in_tables(cell.tables)

    yield from document.paragraphs
    yield from in_tables(document.tables)
    for section in document.sections:
        yield from section.footer.paragraphs
        yield from section.even_page_footer.paragraphs


def fix_fonts(document: Any) -> None:
    """Give every run the East Asian font of its paragraph's style and the zh-CN language."""
    fonts = docx_fonts()
    style_font = {
        "版头": fonts["title"],
        "标题": fonts["title"],
        "一级标题": fonts["heading"],
        "表题": fonts["heading"],
    }
    for paragraph in all_paragraphs(document):
        east_asia = style_font.get(paragraph.style.name if paragraph.style is not None else "", fonts["body"])
        for run in paragraph.runs:
            set_run_fonts(run._r.get_or_add_rPr(), east_asia)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")


def save_reproducibly(document: Any, path: Path) -> None:
    """Save with every zip entry dated 1980-01-01: the same briefing gives the same bytes, whenever it
    is rendered (python-docx stamps each entry with the time of saving), so an issued briefing can be
    re-rendered and checked byte for byte."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, source.read(entry.filename))
