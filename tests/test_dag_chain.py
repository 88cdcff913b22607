"""The monthly chain under `airflow dags test`, on sample data: templates out, the month's files
ingested, marts built with cosmos and published, the quality gate, and the month's briefings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from planwatch.ingest.run import ingest_files
from planwatch.registry.load import load_registry
from planwatch.sample.generate import generate_sample

from .airflow_support import PROJECT_ROOT, airflow, airflow_environment, initialise, task_states

PERIOD = "2024-06"


@pytest.mark.slow
def test_one_month_runs_through_every_dag_and_produces_the_briefings(tmp_path: Path, airflow_metadata: Path) -> None:
    registry = load_registry(PROJECT_ROOT / "plans")
    sample = tmp_path / "sample"
    generate_sample(registry, sample, PERIOD, seed=7, mess_rate=0.0)
    warehouse, output, landing = tmp_path / "w.duckdb", tmp_path / "output", tmp_path / "landing"
    earlier = sorted(folder for folder in sample.iterdir() if folder.is_dir() and folder.name < PERIOD)
    ingest_files(earlier, warehouse, registry)  # the months before: already in the warehouse
    shutil.copytree(sample / PERIOD, landing)
    landed = sorted(path.name for path in landing.iterdir())

    home = tmp_path / "airflow"
    initialise(home, airflow_metadata)
    environment = airflow_environment(
        home,
        warehouse=str(warehouse),
        output_dir=str(output),
        landing_dir=str(landing),
        archive_dir=str(tmp_path / "archive"),
        outbox_dir=str(tmp_path / "outbox"),
        published_dir=str(output / "published"),
    )
    conf = json.dumps({"period": PERIOD})

    def run(dag_id: str, *extra: str) -> dict[str, str]:
        completed = airflow(environment, "dags", "test", dag_id, *extra, check=False)
        states = {f"{task}[{index}]" if index >= 0 else task: state for task, index, state in task_states(home, dag_id)}
        failed = {task: state for task, state in states.items() if state != "success"}
        diagnosis = f"{dag_id}: {failed}\n{completed.stdout[-4000:]}\n{completed.stderr[-2000:]}"
        assert states and not failed and completed.returncode == 0, diagnosis
        return states

    run("planwatch_templates", "--conf", conf)
    templates = sorted((tmp_path / "outbox" / PERIOD).glob("*_填报模板.xlsx"))
    assert len(templates) >= 5  # one per reporting department of the five plans

    states = run("planwatch_ingest")
    assert sum(task.startswith("ingest_file[") for task in states) == len(landed)
    assert sorted(path.name for path in (tmp_path / "archive").iterdir()) == landed

    states = run("planwatch_transform")
    assert "dbt.fct_target_progress.run" in states and "publish_marts" in states
    with duckdb.connect(str(output / "published" / "current" / "marts.duckdb"), read_only=True) as con:
        [(latest,)] = con.execute("select max(period) from marts.fct_target_progress").fetchall()
    assert str(latest) == "2024-06-30"  # the month just ingested is what readers now see

    run("planwatch_quality", "--conf", conf)
    states = run("planwatch_briefing", "--conf", conf)
    mapped = [task for task in states if task.startswith("render_briefing[")]
    # what a reader sees (each briefing's hidden .rendered.json records its inputs' fingerprint)
    briefings = sorted(path for path in (output / "briefings" / PERIOD).iterdir() if not path.name.startswith("."))
    assert len(mapped) * 3 == len(briefings) and len(mapped) > 5  # one mapped task per briefing, three formats
    assert not list((output / "briefings").glob(".reading-*"))  # the run's frozen copy is removed
    suffixes = {path.suffix for path in briefings}
    assert suffixes == {".html", ".pdf", ".docx"}
    assert any("leadership_summary" in path.name for path in briefings)
    assert all(path.stat().st_size > 1000 for path in briefings)
