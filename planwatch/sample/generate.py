"""The sample: every file the departments of the registry's plans would have sent, month by month.

For each month from the first plan's start to `until`, each department with duties that month
(`planwatch.reporting` decides) sends its filled template into `<out>/<YYYY-MM>/`; a statistics bureau
(a department whose id contains `statistics_bureau`) sends its own monthly table instead, and with
its first table last December's. In a plan's first month each department also sends the base-year
figures (基期数) of the plan's growth targets it reports, so that a growth target is evaluated from
the start rather than from the December whose 上年同期 column first carries its base. With a mess
rate, that share of files comes in messy (see `planwatch.sample.mess`), some as .xls or GBK CSV, some
followed by a correction of the month before (`…_更正`, written into that month's folder). Each file's
modification time is when it arrived (`planwatch.sample.arrival`). Everything is recorded in the
manifest and the truth files, and the same seed gives the same bytes and the same arrival times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from planwatch.forms.cells import decimals_for
from planwatch.forms.files import workbook_bytes, write_bytes
from planwatch.forms.layout import TemplateLayout, reporting_departments, template_layout
from planwatch.forms.template import build_template, template_filename, template_timestamp
from planwatch.periods import Period
from planwatch.registry.load import Registry
from planwatch.registry.schema import Nature, TargetKind
from planwatch.reporting import (
    MilestoneDuty,
    ReportingDuty,
    milestone_duties,
    reported_indicators,
    reporting_duties,
)
from planwatch.sample.arrival import arrival_time, in_china_standard_time, stamp_arrival
from planwatch.sample.grids import CsvGrid, WorkbookGrid
from planwatch.sample.long_csv import build_long_csv, csv_bytes, csv_filename, mess_long_csv
from planwatch.sample.mess import (
    BUREAU_KINDS,
    MILESTONE_ONLY_KINDS,
    TEMPLATE_KINDS,
    MessContext,
    MessKind,
    choose_kinds,
    row_of,
)
from planwatch.sample.milestones import MilestoneCourse, milestone_course
from planwatch.sample.mistakes import PATHS, Mistake, MistakeMaker
from planwatch.sample.mistakes import Path as MistakePath
from planwatch.sample.records import (
    Expected,
    InjectedMistake,
    Layout,
    MessyCell,
    MilestoneObservation,
    Observation,
    SampleFile,
    write_manifest,
    write_milestone_truth,
    write_truth,
)
from planwatch.sample.series import SeriesBook
from planwatch.sample.stats_bureau import (
    BureauLayout,
    build_bureau_workbook,
    bureau_filename,
    bureau_layout,
    mess_bureau,
)
from planwatch.sample.template_mess import mess_template
from planwatch.sample.xls import xls_bytes
from planwatch.template_format import MILESTONE_SHEET, Measure

STATISTICS_BUREAU_MARK = "statistics_bureau"
GROWTH_KINDS = (TargetKind.growth_over_base, TargetKind.average_annual_growth)
Figures = dict[tuple[str, str, Measure], float | None]


@dataclass
class SampleResult:
    out_dir: Path
    periods: list[str]
    files: list[SampleFile]
    manifest: Path
    truth: Path
    milestone_truth: Path


def is_statistics_bureau(department_id: str) -> bool:
    return STATISTICS_BUREAU_MARK in department_id


def sample_periods(registry: Registry, until: str) -> list[str]:
    """Every month from the earliest plan start to `until` (plans inactive in a month have no duties)."""
    end = Period.parse(until).month_start
    starts = [plan.period_start.replace(day=1) for plan in registry.plans.values()]
    if not starts:
        return []
    month, periods = min(starts), []
    while month <= end:
        periods.append(f"{month.year:04d}-{month.month:02d}")
        month = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return periods


class _Sampler:
    def __init__(
        self, registry: Registry, out_dir: Path, until: str, seed: int, mess_rate: float, mistake_rate: float = 0.0
    ) -> None:
        self.registry = registry
        self.reference = registry.reference
        self.out_dir = out_dir
        self.seed = seed
        self.mess_rate = mess_rate
        self.periods = sample_periods(registry, until)
        first_year = min((plan.period_start.year for plan in registry.plans.values()), default=2000) - 1
        self.book = SeriesBook(registry, seed, first_year, Period.parse(until).month_start.year)
        self.decimals = {
            code: decimals_for(self.reference.unit_table, indicator.canonical_unit)
            for code, indicator in self.reference.indicators.items()
        }
        self.courses: dict[str, MilestoneCourse] = {}
        self.duties: dict[str, tuple[list[ReportingDuty], list[MilestoneDuty]]] = {}
        self.files: list[SampleFile] = []
        self.bureaus_started: set[str] = set()
        self.base_years_sent: set[tuple[str, str]] = set()  # (department, December of a base year)
        self.mess_used: Counter[MessKind] = Counter()  # the kinds chosen so far (choose_kinds)
        self.mistakes = MistakeMaker(
            registry, self.book, mistake_rate, self.decimals, self.periods[-1] if self.periods else until, seed
        )

    # ---- what a department reports -------------------------------------------------------------

    def duties_of(self, period: str) -> tuple[list[ReportingDuty], list[MilestoneDuty]]:
        if period not in self.duties:
            self.duties[period] = (reporting_duties(self.registry, period), milestone_duties(self.registry, period))
        return self.duties[period]

    def figures(self, department_id: str, period: str, duties: list[ReportingDuty] | None = None) -> Figures:
        """The department's figures for the month; `duties` (default: the month's) say which are due."""
        month = Period.parse(period).month_start
        values: Figures = {}
        for duty in self.duties_of(period)[0] if duties is None else duties:
            if duty.department_id != department_id:
                continue
            for region_code in duty.region_codes:
                series = self.book.series(duty.indicator_code, region_code)
                for measure in duty.measures:
                    values[(duty.indicator_code, region_code, measure)] = series.figure(
                        measure, month.year, month.month
                    )
        return values

    def course(self, plan_id: str, milestone_id: str) -> MilestoneCourse:
        if milestone_id not in self.courses:
            plan = self.registry.plans[plan_id]
            milestone = next(m for m in plan.milestones if m.milestone_id == milestone_id)
            self.courses[milestone_id] = milestone_course(self.seed, plan, milestone)
        return self.courses[milestone_id]

    def layout(self, department_id: str, period: str) -> TemplateLayout:
        duties, milestones = self.duties_of(period)
        return template_layout(self.registry, department_id, period, duties, milestones)

    # ---- files ---------------------------------------------------------------------------------

    def _save(self, sample_file: SampleFile, data: bytes, arrives: dt.datetime | None = None) -> None:
        """Write the file, dated when it arrived: by default with its department's files of the folder's month."""
        path = write_bytes(self.out_dir / sample_file.path, data)
        folder_month = sample_file.path.split("/", 1)[0]
        moment = (
            in_china_standard_time(arrives)
            if arrives
            else arrival_time(self.seed, sample_file.department_id, folder_month)
        )
        stamp_arrival(path, moment)
        sample_file.submitted_at = moment.isoformat()
        sample_file.sha256 = hashlib.sha256(data).hexdigest()
        self.files.append(sample_file)
        self.mistakes.written(
            [((item.indicator_code, item.region_code, item.measure), item.period) for item in sample_file.observations]
        )

    def _context(self, rng: random.Random, sample_file: SampleFile, grid: WorkbookGrid | CsvGrid) -> MessContext:
        context = MessContext(rng, sample_file, grid, self.reference, self.decimals)
        # a clerk's mistake is left as typed: no mess of layout or spelling lands on its cell
        context.touched |= {
            (item.sheet, item.cell)
            for item in sample_file.observations
            if ((item.indicator_code, item.region_code, item.measure), item.period) in self.mistakes.touched
        }
        return context

    @staticmethod
    def _applied(sample_file: SampleFile, kinds: list[MessKind]) -> list[str]:
        """The kinds that changed something (a kind with nothing to act on is left out)."""
        seen = {cell.mess_kind for cell in sample_file.messy_cells}
        file_level = {MessKind.xls_file, MessKind.gbk_csv}
        return sorted(kind.value for kind in kinds if kind.value in seen or kind in file_level)

    def template_file(
        self,
        layout: TemplateLayout,
        values: Figures,
        kinds: list[MessKind],
        rng: random.Random,
        suffix: str = "",
        timestamp: dt.datetime | None = None,
        folder: str | None = None,
    ) -> SampleFile:
        """`folder`: the month the file is sent with, when not its own (a base-year return)."""
        period = layout.period
        reports = {
            row.milestone_id: self.course(row.plan_id, row.milestone_id).report(Period.parse(period).month_start)
            for row in layout.milestones
        }
        workbook = build_template(self.registry, layout.department_id, period, values, reports, layout=layout)
        extension = ".xls" if MessKind.xls_file in kinds else ".xlsx"
        name = template_filename(layout.department_name, period, suffix, extension)
        sample_file = SampleFile(
            f"{folder or period}/{name}", layout.department_id, period, Layout.template, is_revision=bool(suffix)
        )
        for data_sheet in layout.data_sheets:
            for region_code in data_sheet.region_codes:
                for measure in data_sheet.measures:
                    value = values.get((data_sheet.indicator_code, region_code, measure))
                    if value is not None:
                        sample_file.observations.append(
                            Observation(
                                data_sheet.sheet_name,
                                data_sheet.cell(region_code, measure),
                                data_sheet.indicator_code,
                                region_code,
                                period,
                                measure,
                                value,
                                is_revision=bool(suffix),
                            )
                        )
        for row in layout.milestones:
            report = reports[row.milestone_id]
            sample_file.milestones.append(
                MilestoneObservation(
                    MILESTONE_SHEET, row.row, row.milestone_id, period, report.state.value, report.percent, bool(suffix)
                )
            )
        mess_template(self._context(rng, sample_file, WorkbookGrid(workbook)), workbook, layout, kinds)
        sample_file.mess_kinds = self._applied(sample_file, kinds)
        data = self._workbook_data(workbook, kinds, timestamp or template_timestamp(period))
        self._save(sample_file, data, arrives=timestamp if suffix else None)  # a correction arrives when made
        return sample_file

    def csv_file(
        self, layout: TemplateLayout, values: Figures, kinds: list[MessKind], rng: random.Random
    ) -> SampleFile:
        grid, observations = build_long_csv(layout, values)
        name = csv_filename(layout.department_name, layout.period)
        sample_file = SampleFile(
            f"{layout.period}/{name}", layout.department_id, layout.period, Layout.stats_system_long_csv
        )
        sample_file.observations = observations
        mess_long_csv(self._context(rng, sample_file, grid), grid, layout, kinds, self.reference)
        sample_file.mess_kinds = self._applied(sample_file, kinds)
        self._save(sample_file, csv_bytes(grid))
        return sample_file

    def bureau_file(
        self,
        layout: BureauLayout,
        values: Figures,
        kinds: list[MessKind],
        rng: random.Random,
        suffix: str = "",
        timestamp: dt.datetime | None = None,
        folder: str | None = None,
    ) -> SampleFile:
        workbook, observations = build_bureau_workbook(layout, values)
        extension = ".xls" if MessKind.xls_file in kinds else ".xlsx"
        name = bureau_filename(layout.department_name, layout.period, suffix, extension)
        sample_file = SampleFile(
            f"{folder or layout.period}/{name}",
            layout.department_id,
            layout.period,
            Layout.stats_bureau_regions_as_columns,
            is_revision=bool(suffix),
        )
        for observation in observations:
            observation.is_revision = bool(suffix)
        sample_file.observations = observations
        mess_bureau(self._context(rng, sample_file, WorkbookGrid(workbook)), workbook, layout, kinds)
        sample_file.mess_kinds = self._applied(sample_file, kinds)
        data = self._workbook_data(workbook, kinds, timestamp or template_timestamp(layout.period))
        self._save(sample_file, data, arrives=timestamp if suffix else None)  # a correction arrives when made
        return sample_file

    @staticmethod
    def _workbook_data(workbook: Workbook, kinds: list[MessKind], timestamp: dt.datetime) -> bytes:
        return xls_bytes(workbook) if MessKind.xls_file in kinds else workbook_bytes(workbook, timestamp)

    def _revised(self, values: Figures, rng: random.Random) -> tuple[Figures, set[tuple[str, str, Measure]]]:
        """Last month's figures with one to three of them corrected by a few per cent."""
        keys = sorted(key for key, value in values.items() if value)
        chosen = rng.sample(keys, min(len(keys), rng.randint(1, 3)))
        revised = dict(values)
        for key in chosen:  # a list, not a set: set order varies between runs and would reorder the draws
            value = values[key] or 0.0
            factor = 1 + rng.choice((-1, 1)) * rng.uniform(0.02, 0.10)
            decimals = self.decimals[key[0]]
            new_value = round(value * factor, decimals)
            if new_value == value:
                new_value = round(value + 10**-decimals, decimals)
            revised[key] = float(int(new_value)) if decimals == 0 else new_value
        return revised, set(chosen)

    def correction(self, department_id: str, index: int, rng: random.Random) -> None:
        """A resubmission of the previous month's file with corrected figures (name suffix _更正)."""
        if index == 0:
            return
        previous = self.periods[index - 1]
        duties, milestones = self.duties_of(previous)
        if department_id not in reporting_departments(self.registry, previous, duties, milestones):
            return
        values = self.figures(department_id, previous)
        timestamp = template_timestamp(previous) + dt.timedelta(days=12)
        if is_statistics_bureau(department_id) and any(d.department_id == department_id for d in duties):
            layout = bureau_layout(self.registry, department_id, previous, duties, self.decimals)
            # Correct only figures the bureau's table shows (one measure per indicator).
            shown = {(row.indicator_code, row.measure) for row in layout.rows}
            values = {key: value for key, value in values.items() if (key[0], key[2]) in shown}
            if not any(values.values()):
                return
            revised, changed = self._revised(values, rng)
            sample_file = self.bureau_file(layout, revised, [], rng, "_更正", timestamp)
        else:
            if not any(values.values()):
                return
            revised, changed = self._revised(values, rng)
            template = self.layout(department_id, previous)
            sample_file = self.template_file(template, revised, [], rng, "_更正", timestamp)
        for observation in sample_file.observations:
            key = (observation.indicator_code, observation.region_code, observation.measure)
            if key in changed:
                sample_file.messy_cells.append(
                    MessyCell(
                        sheet=observation.sheet,
                        cell=observation.cell,
                        mess_kind=MessKind.correction.value,
                        expected=Expected.read,
                        indicator_code=observation.indicator_code,
                        region_code=observation.region_code,
                        period=observation.period,
                        measure=observation.measure.value,
                        clean_value=observation.value,
                    )
                )
        sample_file.mess_kinds = [MessKind.correction.value]

    def bureau_base_year(self, department_id: str, period: str) -> None:
        """Last year's December table, sent with a bureau's first monthly table.

        A template carries the prior-year measures that give a growth target its base year; a bureau's
        table shows one measure only, so the bureau sends the base year (上年年报数) once instead: the
        indicators it reports in December of its first year, as they stood at the end of the year before.
        """
        year = Period.parse(period).month_start.year
        base_period = f"{year - 1}-12"
        december = [duty for duty in self.duties_of(f"{year}-12")[0] if duty.department_id == department_id]
        if not december:
            return
        layout = bureau_layout(self.registry, department_id, base_period, december, self.decimals)
        values = self.figures(department_id, base_period, december)
        workbook, observations = build_bureau_workbook(layout, values)
        name = bureau_filename(layout.department_name, base_period)
        sample_file = SampleFile(f"{period}/{name}", department_id, base_period, Layout.stats_bureau_regions_as_columns)
        sample_file.observations = observations
        self._save(sample_file, workbook_bytes(workbook, template_timestamp(period)))
        self.base_years_sent.add((department_id, base_period))

    def base_year_returns(self, period: str) -> None:
        """The base-year figures (基期数) of growth targets whose base year ended before their plan began.

        A growth target is measured against its base year's value. A department's monthly return carries
        it only in December's 上年同期 column, so without more the target would be no_data for the whole
        first year of its plan; with the plan's first month each department reporting such a target sends
        the base year's December figures once: a one-measure template (本年累计 or 期末数), or for a
        bureau its table, unless its own base-year table (`bureau_base_year`) already covers that December.
        """
        # (department, base December) → indicator → the (region, plan) pairs that need it
        needs: dict[tuple[str, str], dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
        for plan in self.registry.plans.values():
            if f"{plan.period_start:%Y-%m}" != period:
                continue
            december = self.duties_of(f"{plan.period_start.year}-12")[0]
            for target in plan.targets:
                base_period = f"{target.base_year or plan.period_start.year - 1}-12"
                if target.kind not in GROWTH_KINDS or base_period >= period:
                    continue
                for indicator_code in reported_indicators(self.registry, target.indicator_code):
                    for duty in december:
                        if (
                            duty.indicator_code == indicator_code
                            and plan.plan_id in duty.plan_ids
                            and target.region in duty.region_codes
                        ):
                            needs[(duty.department_id, base_period)][indicator_code].add((target.region, plan.plan_id))
        for (department_id, base_period), indicators in sorted(needs.items()):
            if (department_id, base_period) in self.base_years_sent:
                continue
            duties = [
                ReportingDuty(
                    department_id,
                    code,
                    tuple(sorted({region for region, _ in pairs})),
                    (self._year_value_measure(code),),
                    tuple(sorted({plan_id for _, plan_id in pairs})),
                )
                for code, pairs in sorted(indicators.items())
            ]
            values = self.figures(department_id, base_period, duties)
            rng = random.Random(f"{self.seed}:base_year:{department_id}:{base_period}")
            if is_statistics_bureau(department_id):
                layout = bureau_layout(self.registry, department_id, base_period, duties, self.decimals)
                self.bureau_file(layout, values, [], rng, timestamp=template_timestamp(period), folder=period)
            else:
                layout = template_layout(self.registry, department_id, base_period, duties, [])
                self.template_file(layout, values, [], rng, timestamp=template_timestamp(period), folder=period)
            self.base_years_sent.add((department_id, base_period))

    def _year_value_measure(self, indicator_code: str) -> Measure:
        """The figure that is the year's value at December: a stock's level, a flow's year-to-date."""
        nature = self.reference.indicators[indicator_code].nature
        return Measure.period_end_value if nature is Nature.stock else Measure.ytd_value

    def month(self, index: int) -> None:
        period = self.periods[index]
        duties, milestones = self.duties_of(period)
        for department_id in reporting_departments(self.registry, period, duties, milestones):
            rng = random.Random(f"{self.seed}:file:{period}:{department_id}")
            values = self.figures(department_id, period)
            shown = None
            if is_statistics_bureau(department_id) and any(duty.department_id == department_id for duty in duties):
                table = bureau_layout(self.registry, department_id, period, duties, self.decimals)
                shown = {(row.indicator_code, code, row.measure) for row in table.rows for code in row.region_codes}
            mistakes = self.mistakes.inject(
                department_id, period, values, random.Random(f"{self.seed}:mistake:{period}:{department_id}"), shown
            )
            written_before = len(self.files)
            reports_data = any(duty.department_id == department_id for duty in duties)
            layout = self.layout(department_id, period)
            if is_statistics_bureau(department_id) and reports_data:
                if department_id not in self.bureaus_started:
                    self.bureaus_started.add(department_id)
                    self.bureau_base_year(department_id, period)
                kinds = choose_kinds(rng, self.mess_rate, BUREAU_KINDS, self.mess_used)
                self.bureau_file(
                    bureau_layout(self.registry, department_id, period, duties, self.decimals), values, kinds, rng
                )
                if layout.milestones:
                    # A bureau's own table has no room for project progress: it sends that on the template.
                    self.template_file(dataclasses.replace(layout, data_sheets=()), {}, [], rng)
            else:
                available = TEMPLATE_KINDS if layout.data_sheets else MILESTONE_ONLY_KINDS
                kinds = choose_kinds(rng, self.mess_rate, available, self.mess_used)
                if MessKind.gbk_csv in kinds:
                    self.csv_file(layout, values, kinds, rng)
                    if layout.milestones:
                        # The export has no room for project progress: that still comes on the template.
                        self.template_file(dataclasses.replace(layout, data_sheets=()), {}, [], rng)
                else:
                    self.template_file(layout, values, kinds, rng)
            self.record_mistakes(self.files[written_before:], [m for m in mistakes if not m.extra_file])
            for mistake in mistakes:
                if mistake.extra_file:
                    self.disagreeing_file(mistake)
            if MessKind.correction in kinds:
                self.correction(department_id, index, rng)
        self.base_year_returns(period)

    def record_mistakes(self, written: list[SampleFile], mistakes: list[Mistake]) -> None:
        """Each mistake at the cell it was written to; a row set aside leaves the truth whole.

        A mistake whose figure the file did not show (a bureau's table shows one measure) is dropped.
        """
        for mistake in mistakes:
            for sample_file in written:
                found = next(
                    (
                        item
                        for item in sample_file.observations
                        if (item.indicator_code, item.region_code, item.measure) == mistake.key
                        and item.period == mistake.period
                    ),
                    None,
                )
                if found is not None:
                    self._record_mistake(sample_file, found, mistake)
                    break

    def _record_mistake(self, sample_file: SampleFile, observation: Observation, mistake: Mistake) -> None:
        path = PATHS[mistake.kind]
        sample_file.mistakes.append(
            InjectedMistake(
                observation.sheet,
                observation.cell,
                mistake.kind.value,
                path.value,
                observation.indicator_code,
                observation.region_code,
                observation.period,
                observation.measure.value,
                mistake.clean_value,
                mistake.wrong_value,
            )
        )
        if path is not MistakePath.quarantine:
            sample_file.messy_cells.append(
                MessyCell(
                    observation.sheet,
                    observation.cell,
                    mistake.kind.value,
                    Expected.read,
                    observation.indicator_code,
                    observation.region_code,
                    observation.period,
                    observation.measure.value,
                    observation.value,
                )
            )
            return
        row = row_of(observation.cell)
        for item in [i for i in sample_file.observations if i.sheet == observation.sheet and row_of(i.cell) == row]:
            sample_file.messy_cells.append(
                MessyCell(
                    item.sheet,
                    item.cell,
                    mistake.kind.value,
                    Expected.quarantine,
                    item.indicator_code,
                    item.region_code,
                    item.period,
                    item.measure.value,
                    mistake.clean_value if item is observation else item.value,
                )
            )
            sample_file.observations.remove(item)
            self.mistakes.set_aside((item.indicator_code, item.region_code, item.measure), item.period)

    def disagreeing_file(self, mistake: Mistake) -> None:
        """Another department sends the figure too, differently: a template of that one sheet."""
        assert mistake.department_id is not None
        period = mistake.period
        duties = [ReportingDuty(mistake.department_id, mistake.key[0], (mistake.key[1],), (mistake.key[2],), ())]
        layout = template_layout(self.registry, mistake.department_id, period, duties, [])
        values: Figures = {mistake.key: mistake.wrong_value}
        rng = random.Random(f"{self.seed}:disagree:{period}:{mistake.department_id}")
        # its own name: that department may send its own template for the month as well
        sample_file = self.template_file(layout, values, [], rng, suffix="_补报")
        sample_file.is_revision = False  # a second department's figure, not a correction of its own
        for observation in sample_file.observations:
            observation.is_revision = False
        self.record_mistakes([sample_file], [mistake])


def generate_sample(
    registry: Registry,
    out_dir: Path,
    until: str,
    seed: int = 42,
    mess_rate: float = 0.0,
    on_month: Callable[[str], None] | None = None,
    mistake_rate: float = 0.0,
) -> SampleResult:
    """Write the sample into `out_dir` (one folder per month) with its manifest and truth files.

    `mess_rate`: share of files that come in messy (layout and spelling); `mistake_rate`: share of
    monthly files with a clerk's mistake in a figure (planwatch.sample.mistakes).
    """
    for name, rate in (("mess", mess_rate), ("mistake", mistake_rate)):
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"the {name} rate is a share of files between 0 and 1, got {rate}")
    sampler = _Sampler(registry, out_dir, until, seed, mess_rate, mistake_rate)
    out_dir.mkdir(parents=True, exist_ok=True)
    for index, period in enumerate(sampler.periods):
        sampler.month(index)
        if on_month is not None:
            on_month(period)
    files = sorted(sampler.files, key=lambda item: item.path)
    settings: dict[str, object] = {
        "generator": "planwatch sample",
        "seed": seed,
        "mess_rate": mess_rate,
        "mistake_rate": mistake_rate,
        "until": until,
        "periods": [sampler.periods[0], sampler.periods[-1]] if sampler.periods else [],
    }
    return SampleResult(
        out_dir=out_dir,
        periods=sampler.periods,
        files=files,
        manifest=write_manifest(out_dir, files, settings),
        truth=write_truth(out_dir, files),
        milestone_truth=write_milestone_truth(out_dir, files),
    )
