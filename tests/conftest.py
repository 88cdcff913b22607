"""Shared fixtures: copies of the real registry to break, the briefing sample warehouse, a migrated Airflow
metadata database, and service discovery that fails in CI; and how `-n <workers> --dist loadgroup` hands the
tests to its workers (each xdist group on one worker, the longest units first)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = PROJECT_ROOT / "plans"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def plans_copy(tmp_path: Path) -> Path:
    """A private copy of plans/ that a test may break without touching the real registry."""
    target = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, target)
    return target


# the month the briefing tests render: the last of the sample, when four of the five plans end
BRIEFING_SAMPLE_LATEST = "2025-12"


def run_planwatch(*args: str, env: dict[str, str] | None = None) -> str:
    """`python -m planwatch <args>` in the project, failing the test with its output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def briefing_sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """registry → sample with mess (seed 11) up to BRIEFING_SAMPLE_LATEST → ingest → dbt: built once per
    worker for the briefing tests (test_briefing_numbers, test_briefing_charts share an xdist group)."""
    root = tmp_path_factory.mktemp("briefing")
    path = root / "w.duckdb"

    run_planwatch("plans", "load", "--warehouse", str(path))
    sample = root / "sample"
    run_planwatch("sample", "--until", BRIEFING_SAMPLE_LATEST, "--out", str(sample), "--mess", "0.1", "--seed", "11")
    run_planwatch(
        "ingest",
        *sorted(str(p) for p in sample.glob("20*")),
        "--warehouse",
        str(path),
        "--receipts",
        str(root / "receipts"),
    )
    run_planwatch("transform", env={"PLANWATCH_WAREHOUSE": str(path)})
    return path


# the messy sample that the marts coverage and the quality tests both read (xdist group "seed42_sample")
SEED42_SAMPLE_UNTIL = "2025-12"


def build_sample_warehouse(root: Path, until: str, seed: int, mess_rate: float) -> tuple[Path, Path]:
    """registry → `planwatch sample` → ingest (no receipts: the tests that share it read the warehouse) →
    transform, in this process; returns the sample folder and the warehouse."""
    from planwatch.ingest.run import ingest_files
    from planwatch.registry.load import load_registry
    from planwatch.sample.generate import generate_sample
    from planwatch.transform import transform
    from planwatch.warehouse import connect, load_registry_tables

    registry = load_registry(PLANS_DIR)
    sample, warehouse = root / "sample", root / "w.duckdb"
    generate_sample(registry, sample, until, seed=seed, mess_rate=mess_rate)
    with connect(warehouse) as con:
        load_registry_tables(con, registry)
    ingest_files(sorted(p for p in sample.iterdir() if p.is_dir()), warehouse, registry)
    built = transform(
        warehouse=warehouse,
        environment={"DBT_TARGET_PATH": str(root / "dbt_target"), "DBT_LOG_PATH": str(root / "dbt_logs")},
    )
    assert built.success, built.failures or built.error
    return sample, warehouse


@pytest.fixture(scope="session")
def seed42_messy_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default messy sample (seed 42, mess 0.1) up to SEED42_SAMPLE_UNTIL, ingested and transformed:
    built once per worker for test_marts_coverage and test_quality_sample, which read it only."""
    return build_sample_warehouse(tmp_path_factory.mktemp("seed42_messy"), SEED42_SAMPLE_UNTIL, 42, 0.1)


# The units of work (an xdist group, else one test) that take minutes, longest first. Under
# `--dist loadgroup` they are handed out first and the short tests fill in around them, so that both
# workers finish at about the same time, instead of one of them starting the Celery test when the other
# is nearly done. An entry is a group name or a test file.
LONGEST_FIRST = (
    "briefing_warehouse",  # the sample warehouse, the month's briefings, every plan in every month
    "crash_safety",  # a reference month, then every stage killed and rerun, the month run twice (~4 min)
    "seed42_sample",  # the messy sample's marts coverage and quality checks, and the clean sample's
    "tests/test_airflow_celery.py",
    "tests/test_supervision_loop.py",  # three months issued, corrected and followed up
    "plausibility",
    "dbt_warehouse",
    "tests/test_onboarding.py",  # two plans from their text to their first briefings (a minute each)
    "publish_warehouse",
    "tests/test_dag_quality.py",
    "tests/test_source_precedence.py",
    "ingest_sample",
    "tests/test_dag_ingest.py",
    "tests/test_dag_briefing.py",
)


# the session fixtures that take a minute to build, and the xdist group whose tests alone may use them
SHARED_FIXTURE_GROUPS = {"briefing_sample_warehouse": "briefing_warehouse", "seed42_messy_warehouse": "seed42_sample"}


def _xdist_groups(item: pytest.Item) -> set[str]:
    return {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }


def _unit_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    groups = _xdist_groups(item)
    for rank, unit in enumerate(LONGEST_FIRST):
        if unit in groups or (not groups and unit == path):
            return rank
    return len(LONGEST_FIRST)


def pytest_configure(config: pytest.Config) -> None:
    # the controller hands out the units in the order the workers collected them (LONGEST_FIRST),
    # not by how many tests each holds, which says nothing of how long they take
    if config.getoption("dist", "no") == "loadgroup":
        config.option.loadscopereorder = False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker under `--dist loadgroup`: name each test's group in its nodeid, longest units first.

    pytest-xdist 3.8 tells the controller a test's group by appending `@<group>` to the nodeid the
    worker collected, through the attribute `_nodeid`; pytest 9.2 derives the nodeid from a structured
    id instead, so the suffix is lost (pytest-dev/pytest-xdist#1386) and every test becomes a unit of
    its own: the tests of one group are spread over both workers, and each worker builds the group's
    session and module fixtures (the briefing sample warehouse and the month's briefings, the marts
    coverage warehouse, ...) again. This appends the suffix as xdist would, on the structured id, and
    leaves a nodeid alone where xdist's own suffix took effect.
    """
    for item in items:
        for fixture in SHARED_FIXTURE_GROUPS.keys() & set(getattr(item, "fixturenames", ())):
            if SHARED_FIXTURE_GROUPS[fixture] not in _xdist_groups(item):
                raise pytest.UsageError(
                    f"{item.nodeid} uses {fixture}: mark it xdist_group({SHARED_FIXTURE_GROUPS[fixture]!r}), "
                    "or the other worker builds the whole fixture again"
                )
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = _xdist_groups(item)
        if not groups or item.nodeid.rfind("@") > item.nodeid.rfind("]"):
            continue
        structured = getattr(item, "_id", None)
        if structured is None or not hasattr(type(structured), "parse"):
            continue  # a pytest whose nodeid xdist can still set
        item._id = type(structured).parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")
    items.sort(key=_unit_rank)  # stable: each unit keeps its tests' order


@pytest.fixture(scope="session")
def airflow_metadata(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Airflow metadata database migrated once per worker, with the pools the DAGs use: each DAG test
    starts from a copy (tests/airflow_support.initialise) instead of migrating its own."""
    from tests.airflow_support import initialise

    home = tmp_path_factory.mktemp("airflow_metadata")
    initialise(home)
    return home / "airflow.db"


def require_service(available: bool, what: str) -> None:
    """Fail in CI when a service is missing; elsewhere skip with the reason printed."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI must have it")
    pytest.skip(f"{what} is not reachable on this machine (outside CI this test is skipped)")
