"""`airflow dags test planwatch_briefing` on a deployment that has ingested nothing yet: skipped, not failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from .airflow_support import airflow, airflow_environment, initialise, task_states


@pytest.mark.slow
def test_a_new_deployment_skips_the_briefing_instead_of_alerting_a_failure(
    tmp_path: Path, airflow_metadata: Path
) -> None:
    home = tmp_path / "airflow"
    initialise(home, airflow_metadata)
    environment = airflow_environment(home, warehouse=str(tmp_path / "w.duckdb"), output_dir=str(tmp_path / "output"))
    completed = airflow(
        environment, "dags", "test", "planwatch_briefing", "--conf", '{"period": "2026-10"}', check=False
    )
    states = {task_id: state for task_id, _, state in task_states(home, "planwatch_briefing")}
    downstream = ("plan_briefings", "briefings_to_render", "render_briefing", "finish_briefings")
    expected = {"reporting_period": "success", "quality_gate": "skipped"} | dict.fromkeys(downstream, "skipped")
    assert states == expected, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert not (tmp_path / "output" / "alerts" / "failures.jsonl").exists()  # nobody is paged
    assert not (tmp_path / "output" / "briefings").exists()
