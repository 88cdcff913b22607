"""Running the dbt project (dbt_project/) in-process: `dbt build` on the configured warehouse.

One function the CLI, Airflow and the tests share. dbt runs with the project and profiles folders of
this repository and the warehouse from `planwatch.config.settings()` (dbt runs in the warehouse's
folder and gets its file name as PLANWATCH_WAREHOUSE, which profiles.yml reads). dbt-duckdb keeps its
connection, and DuckDB's single-writer lock, until the adapter is released, so this releases it before
returning: another process can open the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planwatch.config import PROJECT_ROOT, settings

DBT_PROJECT_DIR = Path(os.environ.get("PLANWATCH_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project")).resolve()
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


# dbt's path variables that dbt reads relative to where it runs (DBT_TARGET_PATH is read relative to the
# project folder, wherever dbt runs)
_PATH_VARIABLES = ("DBT_LOG_PATH", "DBT_PARTIAL_PARSE_FILE_PATH")


def _absolute_paths(environment: dict[str, str]) -> dict[str, str]:
    """dbt's path variables that are set, made absolute from where the caller runs (dbt runs elsewhere)."""
    return {key: str(Path(environment[key]).resolve()) for key in _PATH_VARIABLES if environment.get(key)}


@contextmanager
def _working_directory(folder: Path) -> Iterator[None]:
    """Run in `folder`, then return. The working directory is the process's: `run_dbt` is not for threads
    (dbt itself keeps process-wide state: one dbt at a time per process)."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


PARSE_FILE = "partial_parse.msgpack"  # dbt's name for its saved parse, in its target folder


@dataclass
class _SharedParse:
    """dbt's saved parse of the project, shared by the warehouses of one file name on this machine.

    dbt parses the whole project (4–5 s) unless its target folder holds a parse saved under the same
    profile, vars, target and dbt version; it then reparses only the files that changed. A deployment
    rebuilding its own warehouse has that already; a new warehouse (another deployment, a test) starts
    from the copy the last run with the same file name, vars and target left in the project's
    `target/parse_cache/`. dbt itself checks that the copy still holds (profile, vars, every file's
    checksum) and parses in full when it does not, so a stale copy costs time, never correctness.
    """

    own: Path
    shared: Path | None

    def keep(self) -> None:
        """Offer this run's saved parse to the next warehouse (replaced whole: a reader never sees half)."""
        if self.shared is not None and self.own.is_file():
            _copy_whole(self.own, self.shared)


def _shared_parse(command: Sequence[str], warehouse_name: str, target: str | None) -> _SharedParse:
    """Seed this run's target folder with the shared parse when it has none of its own (never over one)."""
    given = command[command.index("--target-path") + 1] if "--target-path" in command else None
    target_path = Path(given or os.environ.get("DBT_TARGET_PATH") or "target")
    own = Path(os.environ.get("DBT_PARTIAL_PARSE_FILE_PATH") or DBT_PROJECT_DIR / target_path / PARSE_FILE)
    vars_given = command[command.index("--vars") + 1] if "--vars" in command else ""
    profile_target = target or os.environ.get("PLANWATCH_DBT_TARGET", "")
    key = hashlib.sha256(json.dumps([warehouse_name, vars_given, profile_target]).encode()).hexdigest()[:16]
    shared = DBT_PROJECT_DIR / "target" / "parse_cache" / f"{key}.msgpack"
    if shared.resolve() == own.resolve():
        return _SharedParse(own, None)
    if shared.is_file() and not own.exists():
        _copy_whole(shared, own)
    return _SharedParse(own, shared)


def _copy_whole(source: Path, destination: Path) -> None:
    """Copy under a temporary name, then rename: a reader sees the old file or the new, never half of one."""
    from planwatch.atomic_files import write_atomically

    try:
        write_atomically(destination, lambda temporary: shutil.copyfile(source, temporary))
    except OSError:  # a read-only folder: dbt parses in full, as it would without the copy
        return


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
    # dbt runs in the warehouse's folder and opens it by file name: the profile dbt hashes to decide
    # whether its saved parse still holds then reads the same for every warehouse of that name, so a
    # parse saved by one deployment's run serves the next (see _shared_parse). The file is the link's
    # target when the warehouse is a symbolic link; log paths given relative to where the caller runs
    # are made absolute, since dbt runs elsewhere
    real_warehouse = warehouse_path.resolve()
    variables = {"PLANWATCH_WAREHOUSE": real_warehouse.name, **(environment or {})}
    variables.update(_absolute_paths({**os.environ, **variables}))
    if warehouse_path.exists():  # a warehouse from before the supervision ledger: its tables are a dbt source
        from planwatch.supervision.ledger import ensure_tables
        from planwatch.warehouse import connect

        with connect(warehouse_path) as connection:  # waits while another process writes the warehouse
            ensure_tables(connection)
    started = time.perf_counter()
    with _environment(variables), _working_directory(real_warehouse.parent):
        saved_parse = _shared_parse(command, real_warehouse.name, target)
        callbacks = [_progress_callback(on_progress)] if on_progress is not None else []
        result = dbtRunner(callbacks=callbacks).invoke(command)
        saved_parse.keep()
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
