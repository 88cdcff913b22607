"""Fuzzing ingestion with the project's own files, mutated: whatever arrives, nothing escapes, everything adds
up, and nothing is loaded that the file did not hold.

N mutants (PLANWATCH_FUZZ_FILES, default 1000; `make fuzz` runs 10,000) of the sample's templates,
statistics tables and CSVs (tests/fuzz_support.py) are ingested in one `ingest_files` call, as a
landing folder would be. For every file: no exception escapes (a rejected file is fine, with a Chinese
reason); rows read = loaded + quarantined + ignored, and cells likewise; every quarantined row has a
reason; every observation is finite, and its original value is what the mutated file holds in that
sheet and cell (read back by an independent reader); a template's figures are filed under a department
of the registry, for a region its city's plans cover (another city's are never filed under it).
PLANWATCH_FUZZ_SEED picks another corpus of mutants.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planwatch.forms.reply_form import write_reply_form
from planwatch.ingest.run import ingest_files
from planwatch.sample.generate import generate_sample
from planwatch.template_format import REPLY_SHEET

from .fuzz_support import Mutant, Seed, load_seed, mutate, oracle_texts
from .ingest_support import REGISTRY, pingliang_table, query, statistics_workbook

FUZZ_FILES = int(os.environ.get("PLANWATCH_FUZZ_FILES", "1000"))
RECEIPTS = 200
DEPARTMENT = "hohhot.agriculture_animal_husbandry_bureau"
FUZZ_SEED = int(os.environ.get("PLANWATCH_FUZZ_SEED", "20261205"))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[Seed]:
    return _seeds(tmp_path_factory.mktemp("seeds"))


def _seeds(folder: Path) -> list[Seed]:
    """Two files of each kind the sample writes (a department's template, .xls, a bureau's table, a CSV
    export, corrections, late submissions), messy and clean, and the statistics tables of the layout tests."""
    generate_sample(REGISTRY, folder / "sample", "2024-06", seed=3, mess_rate=0.3)
    kinds: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((folder / "sample").glob("20*/*")):
        kinds[re.sub(r"\d{4}-\d{2}", "", path.name)].append(path)
    chosen = [path for paths in kinds.values() for path in paths[:: max(1, len(paths) // 2)][:2]]
    chosen.append(
        statistics_workbook(
            folder / "平凉市统计局_月报.xlsx",
            pingliang_table(
                [["苹果产量", "吨", "125,000", "３０２５００"], ["肉牛饲养量", "万头", 1.5, 2], ["注：快报"]]
            ),
        )
    )
    chosen.append(
        statistics_workbook(
            folder / "平凉市统计局_分县区.xlsx",
            {
                "Sheet1": [
                    ["平凉市分县区主要指标（2024年1-6月）"],
                    ["县区", "苹果产量（万吨）", "肉牛饲养量（万头）"],
                    ["庄浪县", 12.5, 3],
                    ["静宁县", 30, 4.5],
                    ["合计", 42.5, 7.5],
                ]
            },
        )
    )
    long_csv = folder / "平凉市统计局_导出.csv"
    long_csv.write_text(
        "指标名称,地区,时期,数值,单位,口径\n苹果产量,庄浪县,2024-03,12.5,万吨,累计\n苹果产量,静宁县,2024-03,30,万吨,累计\n",
        encoding="utf-8",
    )
    chosen.append(long_csv)
    chosen.append(_reply_form(folder / "呼和浩特市农牧局_2022-06_整改反馈.xlsx"))
    return [load_seed(path) for path in chosen]


def _reply_form(path: Path) -> Path:
    """A 整改反馈 form of two 督办事项, one of them answered."""
    items = [
        {"item_id": f"hohhot.2022-05.{n}", "subject": f"督办事项{n}", "reply_due": dt.date(2022, 6, 30)} for n in (1, 2)
    ]
    write_reply_form(path, DEPARTMENT, "呼和浩特市农牧局", "2022-06", items, "市委督查室")
    workbook = load_workbook(path)
    sheet = workbook[REPLY_SHEET]
    sheet["D3"], sheet["E3"], sheet["F3"] = "已完成整改，建立长效机制", "2022-09-30", "是"
    workbook.save(path)
    return path


def _city(region_code: str) -> str:
    reference = REGISTRY.reference
    chain = reference.ancestors_and_self(region_code)
    return next((code for code in chain if reference.regions[code].level == "city"), chain[-1])


def _reportable(department_id: str) -> set[str]:
    """The regions a department may file figures for: its city's, and those its city's plans set targets for."""
    city = _city(REGISTRY.reference.departments[department_id].region)
    regions = set(REGISTRY.reference.descendants_and_self(city))
    for plan in REGISTRY.plans.values():
        if _city(plan.region) == city:
            regions |= {target.region for target in plan.targets}
    return regions


def _plain_number(text: str) -> float | None:
    """A number as Python's float reads the text (ASCII or not), when it does; None otherwise."""
    try:
        return float(text)
    except ValueError:
        return None


def _problems(mutants: dict[str, Mutant], results: list, warehouse: Path) -> list[str]:
    problems: list[str] = []
    for result in results:
        mutant = mutants[result.file]
        where = f"{result.file} ({'; '.join(mutant.steps)})"
        if result.status not in ("loaded", "rejected", "duplicate"):
            problems.append(f"{where}: status {result.status}")
        if result.rows_read != result.rows_loaded + result.rows_quarantined + result.rows_ignored:
            problems.append(f"{where}: rows do not add up")
        if result.cells_read != result.cells_loaded + result.cells_quarantined + result.cells_ignored:
            problems.append(f"{where}: cells do not add up")
        if result.status == "rejected" and not CHINESE.search(result.reason or ""):
            problems.append(f"{where}: rejected without a Chinese reason: {result.reason!r}")
    for file_name, sheet, row in query(
        warehouse, "select file_name, sheet, row_number from raw.quarantine where coalesce(trim(reason), '') = ''"
    ):
        problems.append(f"{file_name}: quarantined {sheet} row {row} without a reason")
    departments = REGISTRY.reference.departments
    for file_name, sheet, cell, original, value, unit, original_unit, region, department, layout in query(
        warehouse,
        "select file_name, sheet, cell, original_value, value, unit, original_unit, region_code, department_id, "
        "layout from raw.observations",
    ):
        mutant = mutants[file_name]
        where = f"{file_name}!{sheet}!{cell} ({'; '.join(mutant.steps)})"
        if not math.isfinite(value):
            problems.append(f"{where}: a non-finite value {value} loaded")
        if original_unit in (None, "", unit) and _plain_number(original) not in (None, value):
            problems.append(f"{where}: {original!r} in the indicator's own unit loaded as {value}")
        if department is not None and department not in departments:
            problems.append(f"{where}: filed under {department!r}, no department of the registry")
        elif layout.startswith("template") and department in departments and region not in _reportable(department):
            problems.append(f"{where}: region {region} filed under {department}, whose city's plans do not cover it")
        if not mutant.checkable:
            continue
        if mutant.oracle is None:
            problems.append(f"{where}: {original!r} loaded from a file no independent reader can read")
            continue
        held = mutant.oracle.get((sheet, cell))
        if held is None or original not in oracle_texts(held):
            problems.append(f"{where}: loaded {original!r}, the file holds {held}")
    return problems


@pytest.mark.slow
def test_mutated_submissions_are_loaded_quarantined_or_rejected_and_nothing_is_made_up(
    tmp_path: Path, seeds: list[Seed]
) -> None:
    started = time.perf_counter()
    rng = random.Random(FUZZ_SEED)
    landing = tmp_path / "landing"
    landing.mkdir()
    mutants: dict[str, Mutant] = {}
    for index in range(FUZZ_FILES):
        mutant = mutate(rng.choice(seeds), index, rng)
        (landing / mutant.name).write_bytes(mutant.data)
        mutants[mutant.name] = mutant
    prepared = time.perf_counter()
    warehouse = tmp_path / "w.duckdb"
    results = ingest_files(sorted(landing.iterdir()), warehouse, REGISTRY)  # nothing may escape this call
    ingested = time.perf_counter()

    assert len(results) == FUZZ_FILES
    problems = _problems(mutants, results, warehouse)
    statuses = defaultdict(int)
    for result in results:
        statuses[result.status] += 1
    print(
        f"\nfuzz: {FUZZ_FILES} files from {len(seeds)} seeds (seed {FUZZ_SEED}): {dict(statuses)}; "
        f"mutants written in {prepared - started:.1f}s, ingested in {ingested - prepared:.1f}s, "
        f"checked in {time.perf_counter() - ingested:.1f}s"
    )
    assert not problems, f"{len(problems)} problems, the first of them:\n" + "\n".join(problems[:25])
    assert statuses["loaded"] > FUZZ_FILES // 4, "the mutants should mostly stay readable: a fuzzer that only rejects"


@pytest.mark.slow
def test_mutated_submissions_get_receipts_that_run_nothing(tmp_path: Path, seeds: list[Seed]) -> None:
    """The first RECEIPTS mutants again, with receipts (each takes a workbook to write): every file gets one,
    and no cell of any is a formula, whatever the file's names and cells held."""
    rng = random.Random(FUZZ_SEED)
    landing = tmp_path / "landing"
    landing.mkdir()
    for index in range(min(RECEIPTS, FUZZ_FILES)):
        mutant = mutate(rng.choice(seeds), index, rng)
        (landing / mutant.name).write_bytes(mutant.data)
    results = ingest_files(sorted(landing.iterdir()), tmp_path / "w.duckdb", REGISTRY, tmp_path / "receipts")
    assert [r.file for r in results if r.receipt_problem or r.receipt is None] == []
    for result in results:
        workbook = load_workbook(result.receipt, read_only=True)
        formulas = [
            (sheet.title, cell.coordinate)
            for sheet in workbook
            for row in sheet.iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f"
        ]
        assert formulas == [], (result.file, formulas)
