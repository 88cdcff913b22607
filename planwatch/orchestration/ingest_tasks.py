"""Ingestion as Airflow runs it: list the landing folder, ingest one file per mapped task.

A loaded (or already loaded) file moves to the archive folder; a rejected file moves to the
rejected folder and its task fails alone, with the reason, while the other files go on. Once every file
is in, `raw_tables_changed` decides from the files' results whether the run announces new observations.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from planwatch.config import Settings, settings
from planwatch.ingest.layout_spec import load_layouts
from planwatch.ingest.run import collect_files, ingest_files
from planwatch.registry.load import load_registry


class FileRejectedError(RuntimeError):
    """A file could not be read at all; its receipt says why."""


def new_landing_files(config: Settings | None = None) -> list[str]:
    """Files waiting in the landing folder, oldest name first."""
    config = config or settings()
    landing = config.landing_path
    landing.mkdir(parents=True, exist_ok=True)
    return [str(path) for path in collect_files([landing])]


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    destination = folder / path.name
    counter = 1
    while destination.exists():
        destination = folder / f"{path.stem}.{counter}{path.suffix}"
        counter += 1
    shutil.move(str(path), destination)
    return destination


def ingest_landing_file(path: str, config: Settings | None = None, attempt: int = 1) -> dict:
    """Ingest one landed file, move it out of the landing folder, and return its result as a dict.

    `attempt`: the task's try number, kept in the result (see `raw_tables_changed`)."""
    config = config or settings()
    source = Path(path)
    registry = load_registry(config.plans_path)
    [result] = ingest_files(
        [source],
        config.warehouse_path,
        registry,
        config.output_path / "receipts",
        layouts=load_layouts(config.layouts_path),
    )
    archive = config.archive_path
    if result.status == "rejected":
        moved = _move(source, archive.parent / "rejected")
        raise FileRejectedError(f"{source.name} rejected: {result.reason} (moved to {moved})")
    _move(source, archive)
    return {**result.as_json(), "attempt": attempt}


def raw_tables_changed(results: Iterable[Mapping], files: int) -> bool:
    """Whether the run's `files` changed the raw tables the marts and the month's quality check read, from the
    results of the files' tasks (`ingest_landing_file`'s dicts; a file whose task failed has none).

    A loaded file did, even one from which nothing was taken: the marts count it (files_taken_nothing). A file
    whose task failed was refused, and its refusal is recorded (raw.file_loads), which the month's quality
    check reads: its verdict is stale until the chain runs again. A duplicate adds nothing, unless found on a
    retry: the try before may have committed its bytes and failed after (moving it to the archive).
    """
    results = list(results)
    if len(results) < files:
        return True
    return any(
        result["status"] == "loaded" or (result["status"] == "duplicate" and result.get("attempt", 1) > 1)
        for result in results
    )
