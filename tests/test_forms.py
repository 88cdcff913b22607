"""Fill-in templates: one per department with duties, in the contract's format, mapped back by the hidden
sheet, validating what clerks type, and never turning registry text into a formula."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.forms.cells import csv_safe, excel_sheet_name
from planwatch.forms.files import workbook_bytes
from planwatch.forms.layout import reporting_departments, template_layout
from planwatch.forms.meta import read_meta
from planwatch.forms.template import MilestoneReport, build_template, template_filename, write_templates
from planwatch.registry.load import Registry, load_registry
from planwatch.reporting import milestone_duties, reporting_duties
from planwatch.template_format import (
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    MEASURE_LABELS,
    META_SHEET,
    MILESTONE_SHEET,
    MILESTONE_STATE_LABELS,
    MilestoneState,
)

from .conftest import PLANS_DIR

BUSY_PERIOD = "2023-06"  # a quarter end inside every plan's period but zhangye's: many departments report


def write_registry_with_reporting_units(source: Path, target: Path, bureau_plans: tuple[str, ...] = ()) -> Path:
    """A copy of the registry in which every department has something to report.

    Plans that name no reporting unit report through their city's agriculture department, which also
    leads the milestones that name no lead unit; for `bureau_plans` the city's statistics bureau (added
    when the reference data has none) leads the monthly and quarterly flows. The plans being transcribed
    may not say yet who reports what; this gives the tests duties whatever the transcription state.
    """
    shutil.copytree(source, target)
    registry = load_registry(target)
    reference = registry.reference
    bureaus = []
    for plan_id, path in registry.plan_files.items():
        plan = registry.plans[plan_id]
        agriculture = [
            department
            for department in reference.departments.values()
            if department.region == plan.region and "agricultur" in department.department_id
        ]
        if not agriculture:
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        document["reporting_unit"] = document.get("reporting_unit") or agriculture[0].name
        for milestone in document.get("milestones") or []:
            milestone["lead_unit"] = milestone.get("lead_unit") or agriculture[0].name
        if plan_id in bureau_plans:
            prefix = agriculture[0].department_id.split(".")[0]
            bureau_id = f"{prefix}.statistics_bureau"
            bureau = reference.departments.get(bureau_id)
            bureau_name = bureau.name if bureau else f"{reference.regions[plan.region].name}统计局"
            if bureau is None and all(b["department_id"] != bureau_id for b in bureaus):
                bureaus.append({"department_id": bureau_id, "name": bureau_name, "region": plan.region})
            for target_entry in document["targets"]:
                indicator = reference.indicators[target_entry["indicator_code"]]
                parts = [indicator]
                if indicator.numerator and indicator.denominator:
                    parts = [reference.indicators[indicator.numerator], reference.indicators[indicator.denominator]]
                is_sub_annual_flow = all(p.nature.value == "flow" and p.frequency.value != "annual" for p in parts)
                if is_sub_annual_flow and not target_entry.get("lead_unit"):
                    target_entry["lead_unit"] = bureau_name
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    if bureaus:
        (target / "reference" / "departments" / "zz_test_statistics_bureaus.yml").write_text(
            yaml.safe_dump({"departments": bureaus}, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return target


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder = write_registry_with_reporting_units(PLANS_DIR, tmp_path_factory.mktemp("forms") / "plans")
    loaded = load_registry(folder)
    assert not loaded.problems, loaded.problems
    return loaded


def _department_name(registry: Registry, department_id: str) -> str:
    return registry.reference.departments[department_id].name


def test_each_department_with_duties_gets_one_template_named_for_it(registry: Registry, tmp_path: Path) -> None:
    written = write_templates(registry, BUSY_PERIOD, tmp_path)
    departments = {d.department_id for d in reporting_duties(registry, BUSY_PERIOD)}
    departments |= {d.department_id for d in milestone_duties(registry, BUSY_PERIOD)}
    assert len(departments) >= 3
    assert sorted(path.name for path in written) == sorted(
        template_filename(_department_name(registry, department_id), BUSY_PERIOD) for department_id in departments
    )
    assert all(path.name.endswith(f"_{BUSY_PERIOD}_填报模板.xlsx") for path in written)


def test_a_template_has_a_sheet_per_duty_with_its_regions_measures_and_units(
    registry: Registry, tmp_path: Path
) -> None:
    write_templates(registry, BUSY_PERIOD, tmp_path)
    duties = reporting_duties(registry, BUSY_PERIOD)
    checked = 0
    for department_id in {duty.department_id for duty in duties}:
        path = tmp_path / template_filename(_department_name(registry, department_id), BUSY_PERIOD)
        workbook = load_workbook(path)
        meta = read_meta(workbook)
        assert (meta.department_id, meta.period, meta.template_version) == (department_id, BUSY_PERIOD, "1")
        assert workbook.sheetnames[0] == INSTRUCTIONS_SHEET
        assert workbook[META_SHEET].sheet_state == "hidden"
        by_indicator = {row.indicator_code: row for row in meta.sheets}
        own = [duty for duty in duties if duty.department_id == department_id]
        assert set(by_indicator) == {duty.indicator_code for duty in own}
        for duty in own:
            row = by_indicator[duty.indicator_code]
            indicator = registry.reference.indicators[duty.indicator_code]
            sheet = workbook.worksheets[row.sheet_index]
            assert sheet.title == row.sheet_name
            assert (row.measures, row.region_codes, row.canonical_unit) == (
                duty.measures,
                duty.region_codes,
                indicator.canonical_unit,
            )
            header = [cell.value for cell in sheet[HEADER_ROW]]
            assert header == [
                "地区",
                "地区编码",
                *(f"{MEASURE_LABELS[m]}（{indicator.canonical_unit}）" for m in duty.measures),
                "备注",
            ]
            regions = [(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=HEADER_ROW + 1)]
            assert regions == [(registry.reference.regions[c].name, c) for c in duty.region_codes]
            assert indicator.name in sheet["A1"].value and f"A1:{get_column_letter(len(header))}1" in {
                str(span) for span in sheet.merged_cells.ranges
            }
            assert sheet["A2"].value == f"报送期：{BUSY_PERIOD}" and indicator.canonical_unit in sheet["C2"].value
            checked += 1
    assert checked >= 5


def test_the_hidden_sheet_finds_a_sheet_a_clerk_renamed(registry: Registry) -> None:
    duty = reporting_duties(registry, BUSY_PERIOD)[0]
    workbook = build_template(registry, duty.department_id, BUSY_PERIOD)
    meta_before = read_meta(workbook)
    first = meta_before.sheets[0]
    workbook.worksheets[first.sheet_index].title = "Sheet1"
    reloaded = load_workbook(_saved(workbook))
    meta = read_meta(reloaded)
    renamed = reloaded.worksheets[meta.sheets[0].sheet_index]
    assert renamed.title == "Sheet1"
    assert meta.sheets[0].indicator_code == first.indicator_code == duty.indicator_code


def _saved(workbook: Workbook) -> io.BytesIO:
    """The workbook as saved and read back, so the tests see what a clerk's Excel would."""
    return io.BytesIO(workbook_bytes(workbook, dt.datetime(2024, 1, 1)))


def test_number_cells_accept_only_decimals_and_say_so_in_chinese(registry: Registry) -> None:
    department_id = next(d.department_id for d in milestone_duties(registry, BUSY_PERIOD))
    layout = template_layout(registry, department_id, BUSY_PERIOD)
    workbook = load_workbook(_saved(build_template(registry, department_id, BUSY_PERIOD, layout=layout)))
    for data_sheet in layout.data_sheets:
        [validation] = workbook[data_sheet.sheet_name].data_validations.dataValidation
        assert validation.type == "decimal" and validation.showErrorMessage
        assert validation.operator in {"greaterThanOrEqual", "between"} and validation.formula1 == "0"
        assert "数字" in validation.error and data_sheet.canonical_unit in validation.error
        assert str(validation.sqref) == (
            f"C{HEADER_ROW + 1}:{get_column_letter(data_sheet.remark_column - 1)}{data_sheet.last_data_row}"
        )
        first = workbook[data_sheet.sheet_name].cell(HEADER_ROW + 1, 3)
        assert first.number_format.startswith("#,##0")
    milestones = workbook[MILESTONE_SHEET]
    validations = {v.type: v for v in milestones.data_validations.dataValidation}
    assert validations["list"].formula1 == '"' + ",".join(MILESTONE_STATE_LABELS.values()) + '"'
    assert (validations["decimal"].formula1, validations["decimal"].formula2) == ("0", "100")
    assert [c.value for c in milestones[HEADER_ROW]] == [
        "项目编码",
        "项目名称",
        "节点",
        "截止日期",
        "进展状态",
        "完成百分比",
        "情况说明",
    ]
    assert [row[0].value for row in milestones.iter_rows(min_row=HEADER_ROW + 1)] == [
        row.milestone_id for row in layout.milestones
    ]


def test_a_filled_template_holds_numbers_and_progress(registry: Registry) -> None:
    duty = next(d for d in reporting_duties(registry, BUSY_PERIOD) if len(d.region_codes) > 1)
    values = {
        (duty.indicator_code, code, measure): 1234.5 + i
        for i, code in enumerate(duty.region_codes)
        for measure in duty.measures
    }
    layout = template_layout(registry, duty.department_id, BUSY_PERIOD)
    reports = {row.milestone_id: MilestoneReport(MilestoneState.stalled, 40, "资金未到位") for row in layout.milestones}
    workbook = load_workbook(_saved(build_template(registry, duty.department_id, BUSY_PERIOD, values, reports, layout)))
    data_sheet = layout.sheet_for(duty.indicator_code)
    for (_, region_code, measure), value in values.items():
        assert workbook[data_sheet.sheet_name][data_sheet.cell(region_code, measure)].value == value
    for row in layout.milestones:
        cells = [c.value for c in workbook[MILESTONE_SHEET][row.row]]
        assert cells[4:7] == ["停滞", 40, "资金未到位"]


def test_text_from_the_registry_never_becomes_a_formula(registry: Registry) -> None:
    duty = next(
        d
        for d in reporting_duties(registry, BUSY_PERIOD)
        if d.department_id in {m.department_id for m in milestone_duties(registry, BUSY_PERIOD)}
    )
    hostile = {
        duty.region_codes[0]: '=HYPERLINK("http://evil.example","点我")',
    }
    reference = registry.reference
    original_regions = dict(reference.regions)
    plans = dict(registry.plans)
    try:
        for code, name in hostile.items():
            reference.regions[code] = reference.regions[code].model_copy(update={"name": name})
        plan_id = next(
            m.plan_id for m in milestone_duties(registry, BUSY_PERIOD) if m.department_id == duty.department_id
        )
        plan = registry.plans[plan_id]
        milestones = [m.model_copy(update={"project": "@SUM(A1:A9)", "description": "+1+2"}) for m in plan.milestones]
        registry.plans[plan_id] = plan.model_copy(update={"milestones": milestones})
        workbook = build_template(
            registry,
            duty.department_id,
            BUSY_PERIOD,
            milestone_reports={
                m.milestone_id: MilestoneReport(MilestoneState.in_progress, 10, "-1+1 见附件") for m in milestones
            },
        )
        data = workbook_bytes(workbook, dt.datetime(2024, 1, 1))
    finally:
        reference.regions.clear()
        reference.regions.update(original_regions)
        registry.plans.clear()
        registry.plans.update(plans)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert all("<f>" not in archive.read(name).decode("utf-8") for name in sheets)
    reloaded = load_workbook(io.BytesIO(data))
    texts = {cell.value for sheet in reloaded.worksheets for row in sheet.iter_rows() for cell in row}
    assert {'=HYPERLINK("http://evil.example","点我")', "@SUM(A1:A9)", "+1+2", "-1+1 见附件"} <= texts
    assert all(
        cell.data_type == "s"
        for sheet in reloaded.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    )
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("庄浪县") == "庄浪县"


def test_sheet_names_are_cut_to_31_characters_without_forbidden_characters_and_unique() -> None:
    taken = {"填报说明"}
    long_name = "巩固拓展脱贫攻坚成果同乡村振兴有效衔接补短板促发展项目完成投资额度"
    first = excel_sheet_name(long_name, taken)
    taken.add(first)
    second = excel_sheet_name(long_name, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert excel_sheet_name("产值[亿元]:1/2*?\\", set()) == "产值_亿元__1_2___"
    assert excel_sheet_name("填报说明", taken) == "填报说明_2"


def test_templates_command_writes_the_month_for_the_registry(registry: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["templates", "--period", BUSY_PERIOD, "--out", str(tmp_path), "--plans-dir", str(registry.plans_dir)]
    )
    assert result.exit_code == 0, result.output
    expected = reporting_departments(registry, BUSY_PERIOD)
    assert len(list(tmp_path.glob("*.xlsx"))) == len(expected)
    assert f"{len(expected)} templates for {BUSY_PERIOD}" in result.output
    bad = CliRunner().invoke(app, ["templates", "--period", "2024-3x", "--out", str(tmp_path)])
    assert bad.exit_code != 0


def test_templates_of_the_real_registry_follow_its_duties(tmp_path: Path) -> None:
    registry = load_registry(PLANS_DIR)
    periods = [f"{plan.period_start.year}-{month:02d}" for plan in registry.plans.values() for month in (3, 6, 12)]
    busy = [p for p in sorted(set(periods)) if reporting_departments(registry, p)]
    if not busy:
        pytest.skip("no plan of the registry names who reports yet")
    period = max(busy, key=lambda p: len(reporting_departments(registry, p)))
    written = write_templates(registry, period, tmp_path)
    assert {load_workbook(path, read_only=False)[META_SHEET]["B2"].value for path in written} == set(
        reporting_departments(registry, period)
    )
