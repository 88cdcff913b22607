"""Printed templates: every sheet on A4, one page wide, its title and header on every page, nothing cut
off, numbered pages; and input cells that refuse what the platform would refuse, saying so in Chinese.

The launch plans' templates of two year ends (2023-12: Hohhot's last, 2025-12: Zhangye's first plan
year) are printed with LibreOffice as a clerk's printer would, and the PDF is read back with poppler.
A sheet needs one page when its rows fit, else as many as its rows fill at the scale the printer chose
(measured from the PDF, since it depends on the fonts installed).
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from planwatch.forms.layout import template_layout
from planwatch.forms.meta import read_meta
from planwatch.forms.printing import FOOTER_PAGES, MARGINS, printable_width
from planwatch.forms.template import write_templates
from planwatch.forms.validation import number_rule
from planwatch.registry.load import Registry, load_registry
from planwatch.template_format import MILESTONE_SHEET

from .conftest import IN_CI, PLANS_DIR

PERIODS = ("2023-12", "2025-12")
A4_POINTS = (595.3, 841.9)
SOFFICE_TIMEOUT = 600  # seconds for one period's templates, on a slow CI machine
PAGE_NUMBER = re.compile(r"第(\d+)页，共(\d+)页")  # the footer, whitespace removed
CJK = re.compile(r"[\u4e00-\u9fff]")
HANZI_ONLY = re.compile(r"[\u4e00-\u9fff]+")


def _require_tools() -> None:
    missing = [tool for tool in ("soffice", "pdfinfo", "pdftotext") if shutil.which(tool) is None]
    if not missing:
        return
    why = f"{', '.join(missing)} not installed (make installs libreoffice-calc-nogui and poppler-utils)"
    if IN_CI:
        pytest.fail(f"{why}, and CI must print the templates")
    print(f"skipped: {why}; outside CI the printing test is skipped")
    pytest.skip(why)


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Page:
    raw: str  # the text in drawing order: a cell's lines come together, whitespace removed
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Printed:
    xlsx: Path
    pdf: Path
    pages: tuple[Page, ...]


def _pdf_pages(pdf: Path) -> tuple[Page, ...]:
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    texts = raw.split("\f")[:-1]
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    namespace = "{http://www.w3.org/1999/xhtml}"
    document = ElementTree.fromstring(html)
    words = [
        tuple(
            Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter(f"{namespace}word")
        )
        for page in document.iter(f"{namespace}page")
    ]
    assert len(texts) == len(words), pdf
    return tuple(Page(re.sub(r"\s+", "", text), page) for text, page in zip(texts, words, strict=True))


def _page_sizes(pdf: Path) -> list[tuple[float, float, str]]:
    """(width, height, paper name) of every page, in points, as pdfinfo reports them."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    each = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?", each)
    return [(float(width), float(height), paper) for width, height, paper in sizes]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(PLANS_DIR)


@pytest.fixture(scope="module")
def printed(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> list[Printed]:
    _require_tools()
    root = tmp_path_factory.mktemp("printed")
    result = []
    for period in PERIODS:
        written = write_templates(registry, period, root / period)
        assert written, period
        done = subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={(root / 'libreoffice_profile').as_uri()}",  # private: runs may overlap
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(root / period / "pdf"),
                *map(str, written),
            ],
            capture_output=True,
            text=True,
            timeout=SOFFICE_TIMEOUT,
        )
        for xlsx in written:
            pdf = root / period / "pdf" / f"{xlsx.stem}.pdf"
            assert done.returncode == 0 and pdf.exists(), f"soffice did not print {xlsx.name}: {done.stderr}"
            result.append(Printed(xlsx, pdf, _pdf_pages(pdf)))
    return result


def _visible(path: Path) -> list[Worksheet]:
    return [sheet for sheet in load_workbook(path).worksheets if sheet.sheet_state == "visible"]


def _print_area(sheet: Worksheet) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row) of the sheet's print area."""
    area = sheet.print_area[0] if isinstance(sheet.print_area, list) else sheet.print_area
    return range_boundaries(area.rsplit("!", 1)[-1].replace("$", ""))


def _title_rows(sheet: Worksheet) -> int:
    return int(str(sheet.print_title_rows).split(":")[-1].lstrip("$"))


def _strip(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pages_by_sheet(item: Printed, sheets: list[Worksheet]) -> Iterator[tuple[Worksheet, list[Page]]]:
    """Each sheet with its pages: a page is the sheet's whose title (repeated on every page) it shows;
    of titles that contain one another, the longest."""
    titles = sorted(((_strip(sheet["A1"].value), sheet) for sheet in sheets), key=lambda t: -len(t[0]))
    owner = [next((sheet for title, sheet in titles if title in page.raw), None) for page in item.pages]
    assert None not in owner, f"{item.pdf.name}: page {owner.index(None) + 1} shows no sheet's title"
    for sheet in sheets:
        yield sheet, [page for page, page_owner in zip(item.pages, owner, strict=True) if page_owner is sheet]


def _scale(sheet: Worksheet, page: Page) -> float:
    """The printer's fit-to-width scale, from the width of the sheet's 11-point Chinese text on the page:
    a Chinese character is one em wide, so n of them print n × 11 pt × scale wide."""
    _, _, _, last_row = _print_area(sheet)
    body = [
        cell.value
        for row in sheet.iter_rows(min_row=_title_rows(sheet) + 1, max_row=last_row)
        for cell in row
        if isinstance(cell.value, str) and (cell.font.sz or 11) == 11
    ]
    ratios = sorted(
        (word.x_max - word.x_min) / (11 * len(word.text))
        for word in page.words
        if len(word.text) >= 2 and HANZI_ONLY.fullmatch(word.text) and any(word.text in text for text in body)
    )
    assert ratios, f"{sheet.title}: no Chinese text on its first page to measure the print scale by"
    return ratios[len(ratios) // 2]


def _pages_needed(sheet: Worksheet, first_page: Page) -> int:
    """Pages the sheet's rows fill, one page wide, with the title rows repeated on each."""
    _, first_row, _, last_row = _print_area(sheet)
    heights = [sheet.row_dimensions[row].height for row in range(first_row, last_row + 1)]
    assert all(heights), f"{sheet.title}: a row without an explicit height prints as the printer guesses"
    landscape = sheet.page_setup.orientation == "landscape"
    paper_height = A4_POINTS[0] if landscape else A4_POINTS[1]
    usable = paper_height - 72 * (MARGINS["top"] + MARGINS["bottom"])
    if sum(heights) <= usable:
        return 1  # it fits unscaled, so it fits scaled down to the page's width
    titles = sum(heights[: _title_rows(sheet)])
    room = usable / _scale(sheet, first_page) - titles
    pages, used = 1, 0.0
    for height in heights[_title_rows(sheet) :]:
        if used + height > room:
            pages, used = pages + 1, 0.0
        used += height
    return pages


def _texts(sheet: Worksheet) -> list[str]:
    first_column, first_row, last_column, last_row = _print_area(sheet)
    cells = sheet.iter_rows(min_row=first_row, max_row=last_row, min_col=first_column, max_col=last_column)
    return [cell.value for row in cells for cell in row if isinstance(cell.value, str) and cell.value.strip()]


def _overlapping(page: Page) -> list[tuple[str, str]]:
    """Words drawn over one another: a cell's text running past its row into the next (a row too low).
    The lines of one wrapped cell touch (a Latin font's box is taller than the line), by a tenth or so."""
    words = [w for w in page.words if w.text.strip()]
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            overlap_x = min(a.x_max, b.x_max) - max(a.x_min, b.x_min)
            overlap_y = min(a.y_max, b.y_max) - max(a.y_min, b.y_min)
            if overlap_x > 0.5 and overlap_y > 0.25 * min(a.y_max - a.y_min, b.y_max - b.y_min):
                found.append((a.text, b.text))
    return found


def test_every_sheet_prints_on_a4_one_page_wide_with_its_title_and_header_on_every_page(
    printed: list[Printed],
) -> None:
    total = 0
    for item in printed:
        sheets = _visible(item.xlsx)
        sizes = _page_sizes(item.pdf)
        assert len(sizes) == len(item.pages) and {paper for _, _, paper in sizes} == {"A4"}, item.pdf.name
        size_of = dict(zip(item.pages, sizes, strict=True))
        for sheet, pages in _pages_by_sheet(item, sheets):
            needed = _pages_needed(sheet, pages[0])
            assert len(pages) == needed, f"{item.xlsx.name} {sheet.title}: {len(pages)} pages, needs {needed}"
            landscape = sheet.page_setup.orientation == "landscape"
            assert all((size_of[page][0] > size_of[page][1]) == landscape for page in pages), sheet.title
            header_row = _title_rows(sheet)
            _, _, last_column, _ = _print_area(sheet)
            headers = [_strip(str(sheet.cell(header_row, c).value or "")) for c in range(1, last_column + 1)]
            for page in pages:
                # every column's header on every page: nothing printed on a page of its own to the right
                assert all(header in page.raw for header in headers), f"{item.xlsx.name} {sheet.title}"
        total += len(item.pages)
    print(f"{len(printed)} templates, {total} A4 pages")


def test_no_text_is_cut_off_and_every_page_is_numbered(printed: list[Printed]) -> None:
    for item in printed:
        sheets = _visible(item.xlsx)
        numbers = [PAGE_NUMBER.search(page.raw) for page in item.pages]
        assert [n and (int(n.group(1)), int(n.group(2))) for n in numbers] == [
            (number, len(item.pages)) for number in range(1, len(item.pages) + 1)
        ], item.pdf.name
        for sheet, pages in _pages_by_sheet(item, sheets):
            text = "".join(page.raw for page in pages)
            for cell_text in _texts(sheet):
                assert _strip(cell_text) in text, f"{item.xlsx.name} {sheet.title}: {cell_text!r} is cut"
            for page in pages:
                assert not _overlapping(page), f"{item.xlsx.name} {sheet.title}: {_overlapping(page)[:3]}"


def test_each_visible_sheet_carries_its_print_setup(registry: Registry, tmp_path: Path) -> None:
    for path in write_templates(registry, "2025-12", tmp_path):
        for sheet in _visible(path):
            setup = sheet.page_setup
            assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (int(sheet.PAPERSIZE_A4), 1, 0)
            assert sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.print_options.horizontalCentered
            assert sheet.oddFooter.center.text == FOOTER_PAGES
            first_column, first_row, last_column, last_row = _print_area(sheet)
            assert (first_column, first_row) == (1, 1) and last_row == sheet.max_row
            assert last_column == max(c.column for row in sheet.iter_rows() for c in row if c.value is not None)
            width = sum(sheet.column_dimensions[get_column_letter(c)].width for c in range(1, last_column + 1))
            wide = width > printable_width(landscape=False)
            assert (setup.orientation == "landscape") == wide, f"{path.name} {sheet.title}: {width}"
            if sheet.title != "填报说明":
                assert str(sheet.print_title_rows) in {"1:3", "$1:$3"}


def _cells(validation: DataValidation) -> set[str]:
    """The addresses of the cells a validation covers."""
    return {
        f"{get_column_letter(column)}{row}"
        for cell_range in validation.sqref.ranges
        for row in range(cell_range.min_row, cell_range.max_row + 1)
        for column in range(cell_range.min_col, cell_range.max_col + 1)
    }


def _accepts(validation: DataValidation, value: float) -> bool:
    """Whether Excel lets `value` into a cell under `validation` (the number rules planwatch uses)."""
    if validation.type == "whole" and not float(value).is_integer():
        return False
    low = float(validation.formula1)
    if validation.operator == "between":
        return low <= value <= float(validation.formula2)
    return value >= low


def test_every_input_cell_validates_what_a_clerk_types_with_chinese_messages(
    registry: Registry, tmp_path: Path
) -> None:
    kinds = set()
    for path in write_templates(registry, "2025-12", tmp_path):
        workbook = load_workbook(path)
        meta = read_meta(workbook)  # the hidden sheet ingestion reads, as before
        layout = template_layout(registry, meta.department_id, meta.period)
        assert [row.indicator_code for row in meta.sheets] == [s.indicator_code for s in layout.data_sheets]
        for data_sheet in layout.data_sheets:
            [validation] = workbook[data_sheet.sheet_name].data_validations.dataValidation
            figures = {data_sheet.cell(code, m) for code in data_sheet.region_codes for m in data_sheet.measures}
            assert _cells(validation) == figures
            assert validation.showInputMessage and validation.showErrorMessage and validation.allow_blank
            for message in (validation.promptTitle, validation.prompt, validation.errorTitle, validation.error):
                assert CJK.search(message), message
            assert data_sheet.canonical_unit in validation.prompt and data_sheet.canonical_unit in validation.error
            assert not _accepts(validation, -1)  # no indicator of the launch plans can be negative
            if data_sheet.counted:
                kinds.add("count")
                assert validation.type == "whole" and validation.errorStyle == "stop"
                assert "整数" in validation.prompt
                assert not _accepts(validation, 101.25) and _accepts(validation, 101)
            elif data_sheet.percent and (data_sheet.plausible_min, data_sheet.plausible_max) == (0, 100):
                kinds.add("share")
                assert (validation.type, validation.errorStyle) == ("decimal", "stop")
                assert _accepts(validation, 100) and not _accepts(validation, 100.5)
            elif data_sheet.percent and data_sheet.plausible_max is not None:
                kinds.add("declared range")
                assert (validation.type, validation.errorStyle) == ("decimal", "warning")
                assert (float(validation.formula1), float(validation.formula2)) == (
                    data_sheet.plausible_min,
                    data_sheet.plausible_max,
                )
                assert "备注" in validation.error
            else:
                kinds.add("quantity")
                assert (validation.type, validation.errorStyle, validation.formula1) == ("decimal", "stop", "0")
                assert _accepts(validation, 101.25)
        if layout.milestones:
            validations = {v.type: v for v in workbook[MILESTONE_SHEET].data_validations.dataValidation}
            assert _cells(validations["list"]) == {f"E{row.row}" for row in layout.milestones}
            assert _cells(validations["decimal"]) == {f"F{row.row}" for row in layout.milestones}
            assert all(CJK.search(v.prompt) and CJK.search(v.error) for v in validations.values())
            kinds.add("milestones")
    assert kinds == {"count", "share", "declared range", "quantity", "milestones"}


def test_a_figure_the_catalogue_lets_be_negative_is_only_warned_below_its_declared_minimum(
    registry: Registry,
) -> None:
    layout = template_layout(registry, "hohhot.agriculture_animal_husbandry_bureau", "2023-12")
    data_sheet = next(s for s in layout.data_sheets if not s.counted and not s.percent)
    growth = dataclasses.replace(data_sheet, plausible_min=-50.0, plausible_max=None)
    rule = number_rule(growth)
    assert (rule.whole, rule.minimum, rule.maximum, rule.stop) == (False, -50.0, None, False)
    assert math.isclose(number_rule(data_sheet).minimum, 0) and number_rule(data_sheet).stop
