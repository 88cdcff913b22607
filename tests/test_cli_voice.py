"""One CLI voice: every command refuses a bad period, an unknown plan and a month without data the same
way, with exit status 1 and one line naming the command, and what would be right.

The commands run in this process through the app's own entry (`app(args)`, what the `planwatch`
script calls), on a small real warehouse: the registry loaded and three months of sample reports
ingested.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from planwatch.cli import app
from tests.conftest import run_planwatch

# one worker builds the small warehouse for all of them, instead of each worker its own (12 s each)
pytestmark = pytest.mark.xdist_group("cli_voice")

LATEST = "2021-03"
EMPTY_MONTH = "2030-01"


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli_voice")
    warehouse = root / "w.duckdb"
    run_planwatch("plans", "load", "--warehouse", str(warehouse))
    sample = root / "sample"
    run_planwatch("sample", "--until", LATEST, "--out", str(sample), "--seed", "3")
    months = sorted(str(folder) for folder in sample.glob("20*"))
    run_planwatch("ingest", *months, "--warehouse", str(warehouse), "--receipts", str(root / "receipts"))
    return warehouse


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        app(args)
    captured = capsys.readouterr()
    return ended.value.code, captured.out, captured.err


def _period_commands(warehouse: Path, out: Path) -> dict[str, list[str]]:
    """Each command that takes a month, with everything else it needs; PERIOD stands for the month."""
    w = ["--warehouse", str(warehouse)]
    return {
        "brief": ["brief", "--period", "PERIOD", "--out", str(out), *w],
        "check": ["check", "--period", "PERIOD", "--output", str(out), *w],
        "remind": ["remind", "--period", "PERIOD", "--output", str(out), *w],
        "states": ["states", "--period", "PERIOD", *w],
        "approve": ["approve", "--period", "PERIOD", *w],
        "return": ["return", "--period", "PERIOD", "--department", "x", "--reason", "数据有误", *w],
        "issue": ["issue", "--period", "PERIOD", "--plan", "hulin_agri_processing_2023", *w],
        "reproduce": ["reproduce", "--period", "PERIOD", *w],
        "correct": [
            "correct",
            "--period",
            "PERIOD",
            "--indicator",
            "x",
            "--region",
            "230381",
            "--value",
            "1",
            "--reason",
            "更正",
            *w,
        ],
        "followup forms": ["followup", "forms", "--period", "PERIOD", "--out", str(out), *w],
        "templates": ["templates", "--period", "PERIOD", "--out", str(out)],
        "sample": ["sample", "--until", "PERIOD", "--out", str(out)],
        "demo": ["demo", "--period", "PERIOD"],
    }


def _with(command: list[str], period: str) -> list[str]:
    return [period if part == "PERIOD" else part for part in command]


def _one_line(err: str, command: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"planwatch {command}: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("name", list(_period_commands(Path("w"), Path("o"))))
@pytest.mark.parametrize("bad", ["2026-13", "2026/11", "November"])
def test_a_bad_period_is_refused_in_one_line(
    name: str, bad: str, small_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _period_commands(small_warehouse, tmp_path / "out")[name]
    code, _, err = _run(_with(command, bad), capsys)
    assert code == 1
    line = _one_line(err, name)
    assert repr(bad) in line and "YYYY-MM" in line
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize(
    "name",
    [
        "brief",
        "check",
        "remind",
        "states",
        "approve",
        "return",
        "issue",
        "reproduce",
        "correct",
        "followup forms",
        "templates",
    ],
)
def test_a_month_without_data_is_an_error_not_an_empty_file(
    name: str, small_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _period_commands(small_warehouse, tmp_path / "out")[name]
    code, _, err = _run(_with(command, EMPTY_MONTH), capsys)
    assert code == 1
    line = _one_line(err, name)
    assert EMPTY_MONTH in line
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] if (tmp_path / "out").exists() else []
    assert written == []


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("brief", ["brief", "--period", LATEST, "--plan", "atlantis_2099"]),
        ("states", ["states", "--period", LATEST, "--plan", "atlantis_2099"]),
        ("approve", ["approve", "--period", LATEST, "--plan", "atlantis_2099"]),
        ("return", ["return", "--period", LATEST, "--plan", "atlantis_2099", "--department", "x", "--reason", "r"]),
        ("issue", ["issue", "--period", LATEST, "--plan", "atlantis_2099"]),
        ("followup list", ["followup", "list", "--plan", "atlantis_2099"]),
    ],
)
def test_an_unknown_plan_is_answered_with_the_valid_ones(
    name: str, command: list[str], small_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run([*command, "--warehouse", str(small_warehouse)], capsys)
    assert code == 1
    line = _one_line(err, name)
    assert "'atlantis_2099'" in line and "hulin_agri_processing_2023" in line and "zhangye_organic_base_2024" in line


def test_usage_errors_and_a_missing_warehouse_speak_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(["brief"], capsys)
    assert code == 1 and "--period" in _one_line(err, "brief")
    code, _, err = _run(["states", "--period", LATEST, "--bogus"], capsys)
    assert code == 1 and "--bogus" in _one_line(err, "states")
    missing = tmp_path / "nowhere.duckdb"
    code, _, err = _run(["states", "--period", LATEST, "--warehouse", str(missing)], capsys)
    assert code == 1 and str(missing) in _one_line(err, "states")
    assert not missing.exists()


def test_version_and_status_from_the_installed_script(small_warehouse: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("planwatch")
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip().startswith("planwatch ") and version.stdout.strip()[10:11].isdigit()
    environment = {
        **os.environ,
        "PLANWATCH_WAREHOUSE": str(small_warehouse),
        "PLANWATCH_PUBLISHED_DIR": str(tmp_path / "published"),
        "PLANWATCH_POSTGRES_URI": "",
        # how the compose deployment gives the PostgreSQL target: an Airflow Connection in the environment
        "AIRFLOW_CONN_PLANWATCH_POSTGRES": "postgresql://planwatch:secret@db:5432/planwatch",
    }
    status = subprocess.run([str(script), "status"], capture_output=True, text=True, check=True, env=environment)
    lines = status.stdout.splitlines()
    assert lines[0] == f"warehouse: {small_warehouse}"
    assert "plans: 5" in lines
    assert any(
        line.startswith("months loaded: ") and line.rstrip().endswith("months)") and LATEST in line for line in lines
    )
    assert "marts: not built (planwatch transform)" in lines
    # the last ingest in China's time, as the office's other messages, its zone said
    [files] = [line for line in lines if line.startswith("files: ")]
    assert re.search(r"last ingest \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC\+8\)$", files), files
    assert "quality gate: no month checked yet (planwatch check)" in lines
    assert "published: nothing yet (planwatch publish)" in lines
    assert "PostgreSQL: db:5432/planwatch (Airflow Connection planwatch_postgres) (publish target)" in lines
    assert "secret" not in status.stdout


@pytest.mark.parametrize("name", ["brief", "remind"])
def test_a_command_that_reads_the_marts_asks_for_them_before_they_are_built(
    name: str, small_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = _period_commands(small_warehouse, tmp_path / "out")[name]
    code, _, err = _run(_with(command, LATEST), capsys)
    assert code == 1
    assert "planwatch transform" in _one_line(err, name)


def test_followup_list_of_every_plan_runs_before_anything_was_issued(
    small_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["followup", "list", "--warehouse", str(small_warehouse)], capsys)
    assert (code, out, err) == (0, "", "")
