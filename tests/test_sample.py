"""Sample data: the same seed writes the same bytes at the same arrival times; the figures are
plausible and answer the month's duties; growth targets get their base year; statistics bureaus send
their own tables; files arrive by the due date or late, dated so; every mess kind is recorded with the
outcome ingestion should reach, and ingestion reads exactly the truth."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import unicodedata
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from openpyxl.utils import coordinate_to_tuple
from python_calamine import CalamineWorkbook, SheetVisibleEnum
from typer.testing import CliRunner

from planwatch.cli import app
from planwatch.ingest.run import ingest_files
from planwatch.periods import Period
from planwatch.registry.load import Registry, load_registry
from planwatch.registry.schema import Comparator, TargetKind
from planwatch.reporting import milestone_duties, reported_indicators, reporting_duties
from planwatch.sample.arrival import DUE_DAY, LAST_LATE_DAY
from planwatch.sample.generate import GROWTH_KINDS, SampleResult, generate_sample
from planwatch.sample.mess import MessKind
from planwatch.sample.records import MANIFEST_FILE, MILESTONE_TRUTH_FILE, TRUTH_FILE
from planwatch.sample.series import SeriesBook, SeriesKind
from planwatch.template_format import META_SHEET, Measure

from .conftest import PLANS_DIR
from .test_forms import write_registry_with_reporting_units

# Under pytest -n <workers> --dist loadgroup the tests of one sample run on one worker, which builds it once.
CLEAN_GROUP = pytest.mark.xdist_group("sample_clean")
MESSY_GROUP = pytest.mark.xdist_group("sample_messy")

UNTIL = "2025-12"
BUREAU_PLANS = ("zhongwei_green_food_2021", "pingliang_key_counties_2023")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    folder = tmp_path_factory.mktemp("sample") / "plans"
    loaded = load_registry(write_registry_with_reporting_units(PLANS_DIR, folder, BUREAU_PLANS))
    assert not loaded.problems, loaded.problems
    return loaded


@pytest.fixture(scope="module")
def clean(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(registry, tmp_path_factory.mktemp("clean"), UNTIL, seed=42, mess_rate=0.0)


@pytest.fixture(scope="module")
def messy(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> SampleResult:
    return generate_sample(registry, tmp_path_factory.mktemp("messy"), UNTIL, seed=42, mess_rate=0.3)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _arrivals(folder: Path) -> dict[str, float]:
    """Each file's modification time: when it arrived."""
    return {
        str(path.relative_to(folder)): path.stat().st_mtime for path in sorted(folder.glob("*/*")) if path.is_file()
    }


def _truth(result: SampleResult) -> list[dict[str, str]]:
    with (result.out_dir / TRUTH_FILE).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _manifest(result: SampleResult) -> dict:
    return json.loads((result.out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))


def _cell_value(folder: Path, file: str, sheet: str, cell: str, cache: dict) -> object:
    """A cell as a reader of the file sees it: workbook cells by A1 address, CSV cells by line:column."""
    path = folder / file
    if (file, sheet) not in cache:
        if path.suffix == ".csv":
            cache[(file, sheet)] = list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
        else:
            workbook = CalamineWorkbook.from_path(str(path))
            cache[(file, sheet)] = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    rows = cache[(file, sheet)]
    if path.suffix == ".csv":
        line, column = cell.split(":", 1)
        return rows[int(line) - 1][rows[0].index(column)]
    row, column = coordinate_to_tuple(cell)
    return rows[row - 1][column - 1] if row - 1 < len(rows) and column - 1 < len(rows[row - 1]) else None


@MESSY_GROUP
def test_the_same_seed_writes_the_same_bytes_and_another_seed_does_not(registry: Registry, tmp_path: Path) -> None:
    first = generate_sample(registry, tmp_path / "a", "2021-06", seed=42, mess_rate=0.5)
    second = generate_sample(registry, tmp_path / "b", "2021-06", seed=42, mess_rate=0.5)
    other = generate_sample(registry, tmp_path / "c", "2021-06", seed=7, mess_rate=0.5)
    hashes = _hashes(first.out_dir)
    assert len(hashes) > 20
    assert hashes == _hashes(second.out_dir)
    assert _arrivals(first.out_dir) == _arrivals(second.out_dir)
    other_hashes = _hashes(other.out_dir)
    assert sum(hashes.get(name) != digest for name, digest in other_hashes.items()) > len(other_hashes) / 2
    recorded = {item["path"]: item["sha256"] for item in _manifest(first)["files"]}
    assert recorded == {name: digest for name, digest in hashes.items() if "/" in name}


@CLEAN_GROUP
def test_each_month_every_department_with_duties_sends_exactly_its_duties(
    registry: Registry, clean: SampleResult
) -> None:
    manifest = _manifest(clean)
    sent = defaultdict(set)
    for row in _truth(clean):
        sent[(row["period"], row["file"])].add((row["indicator_code"], row["region_code"], row["measure"]))
    by_file = {item["path"]: item for item in manifest["files"]}
    for period in clean.periods:
        duties = reporting_duties(registry, period)
        departments = {d.department_id for d in duties} | {d.department_id for d in milestone_duties(registry, period)}
        # A bureau's base-year table (last December, sent in its first month) lies in a later month's folder.
        files = [item for item in manifest["files"] if item["period"] == period and item["path"].startswith(period)]
        assert {item["department_id"] for item in files} == departments, period
        for item in files:
            due = {
                (duty.indicator_code, region, measure.value)
                for duty in duties
                if duty.department_id == item["department_id"]
                for region in duty.region_codes
                for measure in duty.measures
            }
            assert sent.get((period, item["path"]), set()) <= due
            if item["layout"] == "template":
                assert sent.get((period, item["path"]), set()) == due, item["path"]
    # Base-year figures (a bureau's last-December table, the 基期数 of growth targets) lie in the folder of
    # the month they were sent with: each is the December of an earlier year.
    base_year_files = [item for item in by_file.values() if not item["path"].startswith(item["period"])]
    assert {item["layout"] for item in base_year_files} == {"stats_bureau_regions_as_columns", "template"}
    assert all(
        item["period"].endswith("-12") and item["period"] < item["path"][:7] and not item["mess_kinds"]
        for item in base_year_files
    )
    first_months = {plan.plan_id: f"{plan.period_start:%Y-%m}" for plan in registry.plans.values()}
    assert set(first_months.values()) <= {item["period"] for item in by_file.values()}
    assert max(item["period"] for item in by_file.values()) == UNTIL


@CLEAN_GROUP
def test_the_truth_is_what_the_files_say(clean: SampleResult) -> None:
    cache: dict = {}
    truth = _truth(clean)
    assert len(truth) > 1000
    for row in truth:
        assert _cell_value(clean.out_dir, row["file"], row["sheet"], row["cell"], cache) == float(row["value"]), row


@CLEAN_GROUP
def test_year_to_date_adds_up_the_months_and_never_falls_within_a_year(registry: Registry, clean: SampleResult) -> None:
    book = SeriesBook(registry, 42, 2020, 2025)
    figures: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for row in _truth(clean):
        figures[(row["indicator_code"], row["region_code"], row["measure"])][row["period"]] = float(row["value"])
    checked = 0
    for (indicator_code, region_code, measure), by_period in figures.items():
        if measure != Measure.ytd_value or book.kind_of(registry.reference.indicators[indicator_code]) is not (
            SeriesKind.extensive_flow
        ):
            continue
        months = sorted(by_period)
        for earlier, later in itertools.pairwise(months):
            if earlier[:4] == later[:4]:
                assert by_period[later] >= by_period[earlier], (indicator_code, region_code, earlier, later)
                checked += 1
        monthly = figures.get((indicator_code, region_code, Measure.month_value.value), {})
        prior = figures.get((indicator_code, region_code, Measure.prior_year_ytd_value.value), {})
        for period, ytd in by_period.items():
            year, month = period.split("-")
            months_of_year = [monthly.get(f"{year}-{m:02d}") for m in range(1, int(month) + 1)]
            if monthly and all(v is not None for v in months_of_year):
                assert sum(months_of_year) == pytest.approx(ytd, abs=0.011)
            last_year = f"{int(year) - 1}-{month}"
            if last_year in by_period and period in prior:
                assert prior[period] == by_period[last_year]
    assert checked > 200


@CLEAN_GROUP
def test_some_targets_are_met_early_and_some_missed(registry: Registry, clean: SampleResult) -> None:
    year_end: dict[tuple[str, str, int], float] = {}
    for row in _truth(clean):
        if row["period"].endswith("-12") and row["measure"] in (Measure.ytd_value, Measure.period_end_value):
            year_end[(row["indicator_code"], row["region_code"], int(row["period"][:4]))] = float(row["value"])
    met = missed = early = 0
    for plan in registry.plans.values():
        for target in plan.targets:
            if target.kind not in (TargetKind.level, TargetKind.rate):
                continue
            indicator = registry.reference.indicators[target.indicator_code]
            actual = year_end.get((target.indicator_code, target.region, target.target_year))
            if actual is None:
                continue
            wanted = registry.reference.unit_table.convert(target.target_value, target.unit, indicator.canonical_unit)
            reached = actual <= wanted if target.comparator is Comparator.at_most else actual >= wanted
            met += reached
            missed += not reached
            before = year_end.get((target.indicator_code, target.region, target.target_year - 1))
            early += before is not None and (
                before <= wanted if target.comparator is Comparator.at_most else before >= wanted
            )
    assert met >= 5 and missed >= 5 and early >= 3, (met, missed, early)


@CLEAN_GROUP
def test_a_ratio_follows_its_target_through_its_two_components_and_growth_has_its_base_year(
    registry: Registry, clean: SampleResult
) -> None:
    year_end: dict[tuple[str, str, str, str], float] = {}
    for row in _truth(clean):
        year_end[(row["indicator_code"], row["region_code"], row["period"], row["measure"])] = float(row["value"])
    ratios = growths = 0
    for plan in registry.plans.values():
        for target in plan.targets:
            indicator = registry.reference.indicators[target.indicator_code]
            period = f"{target.target_year}-12"
            if target.kind is TargetKind.ratio and indicator.numerator and indicator.denominator:
                numerator = year_end.get((indicator.numerator, target.region, period, Measure.ytd_value.value))
                denominator = year_end.get((indicator.denominator, target.region, period, Measure.ytd_value.value))
                if numerator is None or denominator is None:
                    continue
                scale = 100 if indicator.canonical_unit == "%" else 1
                assert 0.6 < numerator / denominator * scale / target.target_value < 1.6, target.target_id
                ratios += 1
            if target.kind is TargetKind.growth_over_base and target.base_year and target.target_year <= 2025:
                measure = (
                    Measure.prior_year_ytd_value
                    if indicator.nature.value == "flow"
                    else (Measure.prior_year_period_end_value)
                )
                base = year_end.get((target.indicator_code, target.region, f"{target.base_year + 1}-12", measure.value))
                same = Measure.ytd_value if indicator.nature.value == "flow" else Measure.period_end_value
                direct = year_end.get((target.indicator_code, target.region, f"{target.base_year}-12", same.value))
                assert base is not None or direct is not None, target.target_id
                growths += 1
    assert ratios >= 1 and growths >= 1, (ratios, growths)


@CLEAN_GROUP
def test_growth_targets_get_their_base_year_with_the_plans_first_month(registry: Registry, clean: SampleResult) -> None:
    # A growth target's base year ended before its plan began: without more, only the 上年同期 column of the
    # plan's first December would carry it. The departments send it (基期数) with the plan's first month,
    # as the figure of the base year's December, and it agrees with that later 上年同期 column.
    truth = _truth(clean)
    sent = {
        (row["file"][:7], row["indicator_code"], row["region_code"], row["period"], row["measure"]): float(row["value"])
        for row in truth
    }
    prior_year = {
        (row["indicator_code"], row["region_code"], row["period"]): float(row["value"])
        for row in truth
        if row["measure"].startswith("prior_year_")
    }
    checked = 0
    for plan in registry.plans.values():
        first_month = f"{plan.period_start:%Y-%m}"
        for target in plan.targets:
            base_period = f"{target.base_year or plan.period_start.year - 1}-12"
            if target.kind not in GROWTH_KINDS or base_period >= first_month:
                continue
            for code in reported_indicators(registry, target.indicator_code):
                stock = registry.reference.indicators[code].nature.value == "stock"
                measure = Measure.period_end_value if stock else Measure.ytd_value
                value = sent.get((first_month, code, target.region, base_period, measure.value))
                assert value is not None, (target.target_id, code, base_period)
                later = prior_year.get((code, target.region, f"{int(base_period[:4]) + 1}-12"))
                assert later is None or later == value, (target.target_id, code, value, later)
                checked += 1
    assert checked >= 7


@CLEAN_GROUP
def test_files_arrive_by_the_due_date_or_late_and_are_dated_so(clean: SampleResult) -> None:
    files = _manifest(clean)["files"]
    arrivals = _arrivals(clean.out_dir)
    by_sending: dict[tuple[str, str], set[str]] = defaultdict(set)
    for item in files:
        arrived = dt.datetime.fromisoformat(item["submitted_at"])
        assert arrived.utcoffset() == dt.timedelta(hours=8), item  # China Standard Time
        assert arrivals[item["path"]] == arrived.timestamp(), item["path"]
        folder = Period.parse(item["path"][:7]).month_start
        following = dt.date(folder.year + folder.month // 12, folder.month % 12 + 1, 1)
        if item["is_revision"]:
            continue
        assert (arrived.year, arrived.month) == (following.year, following.month), item
        assert 1 <= arrived.day <= LAST_LATE_DAY and 8 <= arrived.hour <= 17, item
        by_sending[(item["department_id"], item["path"][:7])].add(item["submitted_at"])
    # everything a department sends for a month arrives together
    assert all(len(times) == 1 for times in by_sending.values())
    late = sum(dt.datetime.fromisoformat(next(iter(times))).day > DUE_DAY for times in by_sending.values())
    assert 0.04 < late / len(by_sending) < 0.25, (late, len(by_sending))


@MESSY_GROUP
def test_a_correction_arrives_after_the_file_it_corrects(messy: SampleResult) -> None:
    files = _manifest(messy)["files"]
    originals = {
        (item["department_id"], item["period"]): dt.datetime.fromisoformat(item["submitted_at"])
        for item in files
        if not item["is_revision"] and item["path"].startswith(item["period"])
    }
    corrections = [item for item in files if item["is_revision"]]
    assert corrections
    arrivals = _arrivals(messy.out_dir)
    for item in corrections:
        arrived = dt.datetime.fromisoformat(item["submitted_at"])
        assert arrived > originals[(item["department_id"], item["period"])], item["path"]
        assert arrivals[item["path"]] == arrived.timestamp()


@CLEAN_GROUP
def test_figures_are_rounded_as_reported(registry: Registry, clean: SampleResult) -> None:
    for row in _truth(clean):
        unit = registry.reference.indicators[row["indicator_code"]].canonical_unit
        value = float(row["value"])
        assert value >= 0
        if unit in {"家", "个", "项", "处", "场", "头"}:
            assert value == int(value), row
        elif unit in {"亿元", "万吨", "万亩", "万头"}:
            assert round(value, 2) == value, row


@CLEAN_GROUP
def test_milestones_finish_on_time_late_or_not_at_all(registry: Registry, clean: SampleResult) -> None:
    with (clean.out_dir / MILESTONE_TRUTH_FILE).open(encoding="utf-8") as handle:
        reports = list(csv.DictReader(handle))
    deadlines = {m.milestone_id: f"{m.deadline:%Y-%m}" for plan in registry.plans.values() for m in plan.milestones}
    course: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for row in reports:
        course[row["milestone_id"]].append((row["period"], row["state"], float(row["percent"])))
    on_time = late = overdue = 0
    for milestone_id, months in course.items():
        months.sort()
        percents = [percent for _, _, percent in months]
        assert percents == sorted(percents), milestone_id
        done = [period for period, state, _ in months if state == "completed"]
        if done:
            on_time += done[0] <= deadlines[milestone_id]
            late += done[0] > deadlines[milestone_id]
        elif months[-1][0] > deadlines[milestone_id]:
            overdue += 1
            assert months[-1][1] == "stalled" and months[-1][2] < 100
    assert on_time and late and overdue, (on_time, late, overdue)


@CLEAN_GROUP
def test_a_statistics_bureau_sends_its_monthly_table_instead_of_the_template(
    registry: Registry, clean: SampleResult
) -> None:
    bureau_files = [item for item in _manifest(clean)["files"] if "statistics_bureau" in item["department_id"]]
    tables = [item for item in bureau_files if item["layout"] == "stats_bureau_regions_as_columns"]
    assert tables and all(item["path"].endswith(f"_统计月报_{item['period']}.xlsx") for item in tables)
    names = {indicator.name for indicator in registry.reference.indicators.values()}
    for item in tables[:12]:
        year, month = item["period"].split("-")
        workbook = CalamineWorkbook.from_path(str(clean.out_dir / item["path"]))
        assert workbook.sheet_names == [f"{int(year)}年{int(month)}月"]
        rows = workbook.get_sheet_by_index(0).to_python()
        assert "统计月报" in rows[0][0] and f"{int(year)}年" in rows[0][0]
        header = rows[2]
        assert header[:2] == ["指标", "计量单位"] and len(header) >= 3
        labels = [row[0] for row in rows[3:] if row[0]]
        assert labels[-2].startswith("注：") and all(label in names for label in labels[:-2])


@MESSY_GROUP
def test_mess_records_every_kind_with_the_outcome_ingestion_should_reach(messy: SampleResult) -> None:
    manifest = _manifest(messy)
    files = {item["path"]: item for item in manifest["files"]}
    kinds = {kind for item in files.values() for kind in item["mess_kinds"]}
    assert kinds == {kind.value for kind in MessKind}
    messy_share = sum(bool(item["mess_kinds"]) for item in files.values()) / len(files)
    assert 0.15 < messy_share < 0.45
    assert {cell["expected"] for cell in manifest["cells"]} == {"read", "quarantine", "ignored"}
    cache: dict = {}
    for cell in manifest["cells"]:
        assert cell["file"] in files and cell["mess_kind"] in files[cell["file"]]["mess_kinds"], cell
        if cell["mess_kind"] == MessKind.missing_values:
            assert cell["clean_value"] is None and cell["expected"] == "ignored"
            assert _cell_value(messy.out_dir, cell["file"], cell["sheet"], cell["cell"], cache) in (None, "", "—", "-")
        if cell["mess_kind"] in (MessKind.numbers_as_text, MessKind.full_width_digits):
            text = _cell_value(messy.out_dir, cell["file"], cell["sheet"], cell["cell"], cache)
            assert isinstance(text, str) and cell["expected"] == "read"
            number = float(unicodedata.normalize("NFKC", text).replace(",", ""))
            assert number == pytest.approx(cell["clean_value"]) or files[cell["file"]]["mess_kinds"].count(
                "unit_changed"
            )
        if cell["mess_kind"] == MessKind.quarantine_rows and cell["clean_value"] is not None:
            assert cell["expected"] == "quarantine"
    for item in files.values():
        data = (messy.out_dir / item["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        if item["path"].endswith(".xls"):
            sheets = CalamineWorkbook.from_path(str(messy.out_dir / item["path"])).sheets_metadata
            hidden = {sheet.name for sheet in sheets if sheet.visible is not SheetVisibleEnum.Visible}
            assert item["layout"] != "template" or hidden == {META_SHEET}
        if item["path"].endswith(".csv"):
            assert item["layout"] == "stats_system_long_csv" and "gbk_csv" in item["mess_kinds"]
            assert data.decode("gbk").startswith("指标名称,地区,时期,数值,单位,口径\r\n")
        if item["path"].split("/")[-1].rsplit(".", 1)[0].endswith("_更正"):
            assert item["is_revision"] and item["mess_kinds"] == ["correction"]


@MESSY_GROUP
def test_ingestion_reads_exactly_the_truth_and_quarantines_the_marked_rows(registry: Registry, tmp_path: Path) -> None:
    result = generate_sample(registry, tmp_path / "sample", "2021-12", seed=3, mess_rate=0.5)
    months = sorted(path for path in result.out_dir.iterdir() if path.is_dir())
    ingest_files(months, tmp_path / "w.duckdb", registry)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        loaded = connection.sql(
            "select o.file_name, o.indicator_code, o.region_code, o.period, o.measure, o.value from raw.observations o"
        ).fetchall()
        quarantined_rows = connection.sql("select file_name, sheet, row_number from raw.quarantine").fetchall()
        submitted = connection.sql("select file_path, submitted_at from raw.file_loads").fetchall()
    key = lambda file, *rest: (Path(file).name, *rest)  # noqa: E731 - ingestion names files without their month
    truth = sorted(
        key(r["file"], r["indicator_code"], r["region_code"], r["period"], r["measure"], round(float(r["value"]), 6))
        for r in _truth(result)
    )
    assert sorted(key(*row[:5], round(row[5], 6)) for row in loaded) == truth
    expected_rows = {
        (Path(cell["file"]).name, cell["sheet"], int("".join(ch for ch in cell["cell"] if ch.isdigit())))
        for cell in _manifest(result)["cells"]
        if cell["expected"] == "quarantine" and not cell["file"].endswith(".csv")
    }
    assert expected_rows and expected_rows <= set(quarantined_rows)
    # ingestion records each file's arrival (its modification time, in UTC) as submitted_at
    arrived = {
        str(result.out_dir / item["path"]): dt.datetime.fromisoformat(item["submitted_at"])
        .astimezone(dt.UTC)
        .replace(tzinfo=None)
        for item in _manifest(result)["files"]
    }
    assert {str(Path(path)): at for path, at in submitted} == arrived


@MESSY_GROUP
def test_sample_command_prints_a_summary(registry: Registry, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "sample",
            "--until",
            "2021-03",
            "--out",
            str(tmp_path),
            "--plans-dir",
            str(registry.plans_dir),
            "--mess",
            "0.2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "files" in result.output and "seed 42" in result.output
    assert (tmp_path / MANIFEST_FILE).exists() and (tmp_path / TRUTH_FILE).exists()
    assert CliRunner().invoke(app, ["sample", "--until", "2021-03", "--out", str(tmp_path), "--mess", "2"]).exit_code
