"""Shared fixtures: copies of the real registry to break, the briefing sample warehouse, and service
discovery that fails in CI."""

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


def require_service(available: bool, what: str) -> None:
    """Fail in CI when a service is missing; elsewhere skip with the reason printed."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI must have it")
    pytest.skip(f"{what} is not reachable on this machine (outside CI this test is skipped)")
