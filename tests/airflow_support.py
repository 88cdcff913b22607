"""Running the real Airflow CLI against this repository's DAGs in a private AIRFLOW_HOME."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def airflow_environment(home: Path, **planwatch: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "GX_ANALYTICS_ENABLED": "False",
            "PATH": f"{BIN}{os.pathsep}{environment.get('PATH', '')}",
        }
    )
    environment.update({f"PLANWATCH_{key.upper()}": value for key, value in planwatch.items()})
    return environment


def airflow(environment: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(BIN / "airflow"), *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
        timeout=900,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"airflow {' '.join(args)} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed


def initialise(home: Path, metadata: Path | None = None) -> dict[str, str]:
    """A migrated SQLite metadata database and the pools the DAGs use: a copy of `metadata` (the
    session fixture `airflow_metadata`, migrated once) when given, else migrated here."""
    environment = airflow_environment(home)
    if metadata is not None:
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(metadata, home / "airflow.db")  # it holds no path of its home: airflow.cfg does
        return environment
    airflow(environment, "db", "migrate")
    airflow(environment, "pools", "set", "duckdb_writer", "1", "DuckDB allows one writer at a time")
    return environment


def task_states(home: Path, dag_id: str, run_id: str | None = None) -> list[tuple[str, int, str]]:
    """(task_id, map_index, state) of every task instance of the DAG's runs (or of the run `run_id`), from
    the metadata DB."""
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as connection:
        return connection.execute(
            "select task_id, map_index, state from task_instance where dag_id = ? and run_id = coalesce(?, run_id) "
            "order by task_id, map_index",
            [dag_id, run_id],
        ).fetchall()


def run_ids(home: Path, dag_id: str) -> list[str]:
    """The DAG's run ids, oldest first, from the metadata DB."""
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as connection:
        found = connection.execute("select run_id from dag_run where dag_id = ? order by id", [dag_id]).fetchall()
    return [run_id for (run_id,) in found]


def asset_events(home: Path) -> list[tuple[str, str, str, str]]:
    """(asset uri, source dag id, source run id, source task id) of every Asset event, oldest first."""
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as connection:
        return connection.execute(
            "select asset.uri, event.source_dag_id, event.source_run_id, event.source_task_id "
            "from asset_event as event join asset on asset.id = event.asset_id order by event.id"
        ).fetchall()
