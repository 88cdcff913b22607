"""A province-scale sample: `planwatch sample --scale province` writes a synthetic registry that `plans check`
accepts (one made-up province, 14 cities, 100+ counties in GB/T 2260 structure, plans at three levels,
40+ departments), the same seed writes the same bytes, and a month of its submissions ingests whole."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import duckdb
import pytest

from planwatch.registry.check import check_registry
from planwatch.registry.load import Registry, load_registry
from planwatch.sample.province.plans import INDICATORS_USED

from .conftest import PLANS_DIR, run_planwatch

pytestmark = pytest.mark.xdist_group("province_sample")

UNTIL = "2021-03"
SEED = 7


def _sample(out: Path) -> Path:
    run_planwatch("sample", "--scale", "province", "--until", UNTIL, "--out", str(out), "--seed", str(SEED))
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _sample(tmp_path_factory.mktemp("province") / "sample")


@pytest.fixture(scope="module")
def registry(sample: Path) -> Registry:
    return load_registry(sample / "registry")


def test_the_synthetic_registry_passes_plans_check(sample: Path, registry: Registry) -> None:
    assert check_registry(registry) == []
    run_planwatch("plans", "check", env={"PLANWATCH_PLANS_DIR": str(sample / "registry")})


def test_one_made_up_province_with_14_cities_and_over_100_counties_coded_as_gb_t_2260(registry: Registry) -> None:
    regions = registry.reference.regions.values()
    provinces = [region for region in regions if region.level == "province"]
    cities = [region for region in regions if region.level == "city"]
    counties = [region for region in regions if region.level == "county"]
    assert [(p.code, p.parent_code) for p in provinces] == [("990000", None)]  # 99: no real province's code
    assert len(cities) >= 14 and len(counties) >= 100
    for city in cities:
        assert re.fullmatch(r"99\d{2}00", city.code) and city.code != "990000", city
        assert city.parent_code == "990000"
    for county in counties:
        assert re.fullmatch(r"99\d{4}", county.code) and not county.code.endswith("00"), county
        assert county.parent_code == county.code[:4] + "00", county
    assert len({region.name for region in regions}) == len(registry.reference.regions)  # each name one region
    assert "SYNTHETIC" in (registry.plans_dir / "reference" / "regions" / "province.yml").read_text(encoding="utf-8")


def test_a_dozen_plans_at_province_city_and_county_level_with_40_departments(registry: Registry) -> None:
    levels = [registry.reference.regions[plan.region].level for plan in registry.plans.values()]
    assert len(levels) >= 10
    assert {"province", "city", "county"} <= set(levels)
    assert len(registry.reference.departments) >= 40
    province_plan = next(plan for plan in registry.plans.values() if plan.region == "990000")
    city_targets = {target.region for target in province_plan.targets if target.region != "990000"}
    assert len(city_targets) >= 14  # the province's plan sets every city a target
    assert all(plan.milestones for plan in registry.plans.values())
    assert any(m.lead_unit for plan in registry.plans.values() for m in plan.milestones)


def test_the_plans_reuse_the_launch_catalogue_unchanged(registry: Registry) -> None:
    launch = load_registry(PLANS_DIR).reference
    used = {target.indicator_code for plan in registry.plans.values() for target in plan.targets}
    assert used <= set(INDICATORS_USED)
    for code, indicator in registry.reference.indicators.items():
        assert launch.indicators[code] == indicator
    for unit, definition in registry.reference.unit_table.units.items():
        assert launch.unit_table.units[unit] == definition


def test_the_same_seed_writes_the_same_files(sample: Path, tmp_path: Path) -> None:
    again = _sample(tmp_path / "again")
    first, second = _hashes(sample), _hashes(again)
    assert any(name.startswith("registry/") for name in first)
    assert any(name.startswith(f"{UNTIL}/") for name in first)
    assert first == second


def test_a_month_of_the_province_ingests_with_no_file_rejected(sample: Path, tmp_path: Path) -> None:
    environment = {
        "PLANWATCH_PLANS_DIR": str(sample / "registry"),
        "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "PLANWATCH_OUTPUT_DIR": str(tmp_path / "output"),
    }
    month = sample / UNTIL
    run_planwatch("plans", "load", env=environment)
    run_planwatch("ingest", str(month), env=environment)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as connection:
        statuses = connection.execute("select status, count(*) from raw.file_loads group by status").fetchall()
        loaded = connection.execute(
            "select file_name, indicator_code, region_code, period, measure, round(value, 6) from raw.observations"
        ).fetchall()
        quarantined = connection.execute("select count(*) from raw.quarantine").fetchone()
    files = [path for path in month.iterdir() if path.is_file()]
    assert dict(statuses) == {"loaded": len(files)}
    assert quarantined == (0,)
    with (sample / "sample_truth.csv").open(encoding="utf-8") as handle:
        truth = [
            (
                Path(row["file"]).name,
                row["indicator_code"],
                row["region_code"],
                row["period"],
                row["measure"],
                round(float(row["value"]), 6),
            )
            for row in csv.DictReader(handle)
            if row["file"].startswith(f"{UNTIL}/")
        ]
    assert truth and sorted(loaded) == sorted(truth)
    cities = {row[2] for row in loaded if row[2].endswith("00") and row[2] != "990000"}
    assert len(cities) >= 14  # every city's figure of the province's plan came in
