"""`airflow dags test planwatch_quality`: a critical failure blocks the month, an override releases it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planwatch.cli import app
from tests.test_quality_submissions import BAD_CASES, PERIOD, registry_warehouse, write_warehouse

from .airflow_support import airflow, airflow_environment, initialise, task_states

__all__ = ["registry_warehouse"]  # the session fixture, shared


@pytest.mark.slow
def test_the_quality_dag_blocks_a_bad_month_and_an_override_releases_it(
    registry_warehouse: Path, tmp_path: Path, airflow_metadata: Path
) -> None:
    home = tmp_path / "airflow"
    initialise(home, airflow_metadata)
    warehouse = write_warehouse(registry_warehouse, tmp_path / "w.duckdb", BAD_CASES["ytd_not_decreasing"][1])
    environment = airflow_environment(home, warehouse=str(warehouse), output_dir=str(tmp_path / "output"))
    conf = f'{{"period": "{PERIOD}"}}'

    blocked = airflow(environment, "dags", "test", "planwatch_quality", "2026-01-01", "--conf", conf, check=False)
    assert blocked.returncode != 0
    assert "ytd_not_decreasing" in blocked.stdout + blocked.stderr
    assert [state for _, _, state in task_states(home, "planwatch_quality")] == ["failed"]
    # the failure notifier recorded it for the engineers on duty
    alerts = (tmp_path / "output" / "alerts" / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    [alert] = [json.loads(line) for line in alerts]
    assert (alert["dag_id"], alert["task_id"]) == ("planwatch_quality", "check_and_gate")
    assert "ytd_not_decreasing" in alert["error"]

    override = CliRunner().invoke(
        app,
        [
            "check",
            "--warehouse",
            str(warehouse),
            "--output",
            str(tmp_path / "output"),
            "--period",
            PERIOD,
            "--override",
            "统计局确认数据有误，以更正数为准",
            "--operator",
            "王五",
        ],
    )
    assert override.exit_code == 0, override.output

    released = airflow(environment, "dags", "test", "planwatch_quality", "2026-01-02", "--conf", conf, check=False)
    assert released.returncode == 0, released.stdout[-2000:] + released.stderr[-2000:]
    assert sorted(state for _, _, state in task_states(home, "planwatch_quality")) == ["failed", "success"]
