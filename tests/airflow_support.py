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


def task_states(home: Path, dag_id: str) -> list[tuple[str, int, str]]:
    """(task_id, map_index, state) of every task instance of the DAG's runs, from the metadata DB."""
    import sqlite3

    with sqlite3.connect(home / "airflow.db") as connection:
        return connection.execute(
            "select task_id, map_index, state from task_instance where dag_id = ? order by task_id, map_index",
            [dag_id],
        ).fetchall()
