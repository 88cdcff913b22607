"""Publishing the marts for BI readers, who must never see a half-built month or be locked out.

By default a consistent snapshot: a read-only DuckDB file and Parquet files under
`<published_dir>/snapshots/<id>/`, with `current` switched to it atomically (`snapshot`). With
PostgreSQL, the marts are built into a staging schema and swapped with the live one in one
transaction (`postgres`), readable by a read-only BI role (`roles`).
"""

from planwatch.publish.layout import current_snapshot, read_manifest
from planwatch.publish.postgres import ForeignSchemaError, PostgresPublication, SwapBlockedError, publish_postgres
from planwatch.publish.roles import ReaderRole, ensure_reader_role
from planwatch.publish.snapshot import Snapshot, publish_snapshot

__all__ = [
    "ForeignSchemaError",
    "PostgresPublication",
    "ReaderRole",
    "Snapshot",
    "SwapBlockedError",
    "current_snapshot",
    "ensure_reader_role",
    "publish_postgres",
    "publish_snapshot",
    "read_manifest",
]
