"""The published folder's layout, shared by the publisher, the pruner and readers.

    <published_dir>/
        current -> snapshots/<snapshot_id>      (relative symlink, switched atomically)
        snapshots/<snapshot_id>/
            marts.duckdb                        (open it read_only; tables are `marts.<table>`)
            parquet/<table>.parquet
            manifest.json

A snapshot id is the UTC time it was built and a short hash of its content, e.g.
`20261110T083015123456Z-1a2b3c4d`, so ids sort in the order snapshots were published.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

SNAPSHOTS_DIR = "snapshots"
CURRENT_LINK = "current"
DUCKDB_FILE = "marts.duckdb"
PARQUET_DIR = "parquet"
MANIFEST_FILE = "manifest.json"
PARTIAL_PREFIX = ".partial-"

_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
_SNAPSHOT_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{8}$")


def new_snapshot_id(built_at: dt.datetime, content_sha256: str) -> str:
    return f"{built_at.astimezone(dt.UTC).strftime(_TIME_FORMAT)}-{content_sha256[:8]}"


def snapshot_time(snapshot_id: str) -> dt.datetime:
    """When the snapshot was built, read back from its id."""
    return dt.datetime.strptime(snapshot_id.split("-")[0], _TIME_FORMAT).replace(tzinfo=dt.UTC)


def list_snapshots(published_dir: Path) -> list[str]:
    """Completed snapshots, oldest first (a publish in progress writes under a `.partial-` name)."""
    folder = published_dir / SNAPSHOTS_DIR
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if path.is_dir() and _SNAPSHOT_ID.match(path.name))


def current_snapshot_id(published_dir: Path) -> str | None:
    """The snapshot `current` points to, or None before the first publish."""
    link = published_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    return Path(os.readlink(link)).name


def current_snapshot(published_dir: Path) -> Path:
    """The folder `current` points to now, resolved once.

    A reader that reads several files (the Parquet tables, the manifest) resolves `current` once and
    reads them all from this folder: reading `current/...` file by file could straddle a switch and
    mix two snapshots.
    """
    link = published_dir / CURRENT_LINK
    if not link.is_symlink():
        raise FileNotFoundError(f"{link}: nothing published yet; run `planwatch publish`")
    return Path(os.path.realpath(link))


def read_manifest(snapshot_dir: Path) -> dict:
    return json.loads((snapshot_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
