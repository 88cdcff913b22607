"""Running the dbt project (dbt_project/) in-process: `dbt build` on the configured warehouse.

One function the CLI, Airflow and the tests share. dbt runs with the project and profiles folders of
this repository and the warehouse from `planwatch.config.settings()` (passed as PLANWATCH_WAREHOUSE,
which profiles.yml reads). dbt-duckdb keeps its connection, and DuckDB's single-writer lock, until
the adapter is released, so this releases it before returning: another process can open the file.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planwatch.config import PROJECT_ROOT, settings

DBT_PROJECT_DIR = Path(os.environ.get("PLANWATCH_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"))
Progress = Callable[[int, int, str], None]  # (nodes done, nodes in all, the node just finished)


@dataclass
class TransformResult:
    """What a dbt invocation did: success, seconds taken, and each node's status."""

    success: bool
    seconds: float
    command: list[str]
    statuses: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def failures(self) -> dict[str, str]:
        # an exposure runs nothing: its "no-op" is not a failure
        return {
            node: status
            for node, status in self.statuses.items()
            if status not in {"success", "pass", "skipped", "no-op"}
        }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _progress_callback(on_progress: Progress) -> Callable[[Any], None]:
    """A dbtRunner callback that reports each node finished: (nodes done, nodes in all, node id)."""
    counts = {"done": 0, "total": 0}

    def callback(event: Any) -> None:
        name = event.info.name
        if name == "LogStartLine":
            counts["total"] = max(counts["total"], int(event.data.total))
        elif name == "NodeFinished":
            counts["done"] += 1
            on_progress(counts["done"], counts["total"], event.data.node_info.node_name)

    return callback


def run_dbt(
    args: Sequence[str],
    warehouse: Path | None = None,
    target: str | None = None,
    environment: dict[str, str] | None = None,
    on_progress: Progress | None = None,
) -> TransformResult:
    """Run one dbt command (e.g. ["build"]) on the warehouse; never raises for a failed model.

    With `on_progress`, dbt's own log lines are quieted (errors still show) and each node finished is
    reported to it instead, for a progress bar.
    """
    from dbt.cli.main import dbtRunner

    warehouse_path = Path(warehouse) if warehouse else settings().warehouse_path
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        *args,
        "--vars",
        json.dumps(settings().dbt_vars()),  # the thresholds of planwatch.toml, their one source
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        *(["--target", target] if target else []),
        *(["--quiet"] if on_progress is not None else []),
    ]
    variables = {"PLANWATCH_WAREHOUSE": str(warehouse_path.resolve()), **(environment or {})}
    if warehouse_path.exists():  # a warehouse from before the supervision ledger: its tables are a dbt source
        from planwatch.supervision.ledger import ensure_tables
        from planwatch.warehouse import connect

        with connect(warehouse_path) as connection:  # waits while another process writes the warehouse
            ensure_tables(connection)
    started = time.perf_counter()
    with _environment(variables):
        callbacks = [_progress_callback(on_progress)] if on_progress is not None else []
        result = dbtRunner(callbacks=callbacks).invoke(command)
    seconds = time.perf_counter() - started
    _release_connections()
    statuses: dict[str, str] = {}
    results = getattr(result.result, "results", None) or []
    for node_result in results:
        statuses[node_result.node.unique_id] = str(node_result.status)
    error = str(result.exception) if result.exception else None
    return TransformResult(
        success=bool(result.success), seconds=seconds, command=["dbt", *command], statuses=statuses, error=error
    )


def _release_connections() -> None:
    """Close dbt-duckdb's process-wide DuckDB environment so the file's lock is released."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not installed: nothing held
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
            DuckDBConnectionManager._ENV = None


def transform(
    warehouse: Path | None = None,
    select: str | None = None,
    full_refresh: bool = False,
    target: str | None = None,
    environment: dict[str, str] | None = None,
    on_progress: Progress | None = None,
    unit_tests: bool = False,
) -> TransformResult:
    """`dbt build` (models and data tests; with `unit_tests`, the dbt unit tests too) on the warehouse.

    The unit tests check the models' SQL on fixed inputs, not the data: they run in CI (`make test`),
    and a production build skips them, as dbt advises. They were two thirds of a build's time (20 of
    33 s on the bench sample), the same for every month's data.
    `environment` adds variables for the run, e.g. DBT_TARGET_PATH to keep a test's artefacts apart.
    """
    args = ["build"] if unit_tests else ["build", "--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return run_dbt(args, warehouse=warehouse, target=target, environment=environment, on_progress=on_progress)
