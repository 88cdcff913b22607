"""Removing old snapshots without pulling one from under a reader.

A reader that has opened `marts.duckdb` keeps reading it after it is deleted (Linux keeps an
unlinked file's data while a descriptor is open), so deleting is safe for it. A reader that resolved
`current` and has yet to open its Parquet files is not: it needs the folder a while longer. So a
snapshot goes only when it is none of the newest `keep`, not the one `current` points to, and it
stopped being the newest at least `grace` ago (when its successor was published).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from itertools import pairwise
from pathlib import Path

from planwatch.publish.layout import (
    CURRENT_LINK,
    PARTIAL_PREFIX,
    SNAPSHOTS_DIR,
    current_snapshot_id,
    list_snapshots,
    snapshot_time,
)

log = logging.getLogger(__name__)

# A BI tool's refresh resolves `current` and reads its Parquet files within minutes; an hour is ample.
PRUNE_GRACE = dt.timedelta(hours=1)


def prune_snapshots(
    published_dir: Path,
    keep: int,
    grace: dt.timedelta = PRUNE_GRACE,
    now: dt.datetime | None = None,
) -> list[str]:
    """Delete snapshots beyond the newest `keep` that are not current and retired over `grace` ago.

    Also removes what a crashed publish left (partial folders, temporary links). Call it only while
    holding the publish lock, so no partial folder belongs to a publish in progress. Returns the ids
    deleted.
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    now = now or dt.datetime.now(dt.UTC)
    snapshots_dir = published_dir / SNAPSHOTS_DIR
    snapshots = list_snapshots(published_dir)
    protected = set(snapshots[-keep:]) | {current_snapshot_id(published_dir)}
    pruned = []
    for older, successor in pairwise(snapshots):
        if older in protected:
            continue
        retired_for = now - snapshot_time(successor)
        if retired_for < grace:
            log.info("snapshot %s kept: retired %s ago, within the %s grace period", older, retired_for, grace)
            continue
        shutil.rmtree(snapshots_dir / older)
        pruned.append(older)
    for leftover in snapshots_dir.glob(f"{PARTIAL_PREFIX}*") if snapshots_dir.is_dir() else []:
        log.warning("removing %s, left by a publish that did not finish", leftover)
        shutil.rmtree(leftover, ignore_errors=True)
    for link in published_dir.glob(f".{CURRENT_LINK}-*"):
        link.unlink(missing_ok=True)
    if pruned:
        log.info("pruned snapshots %s", ", ".join(pruned))
    return pruned
