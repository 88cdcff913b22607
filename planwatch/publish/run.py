"""Publishing as the main job does it: a snapshot for readers always, PostgreSQL too when configured.

The monthly DAG's `publish_marts` task and `planwatch demo` call this one function.
"""

from __future__ import annotations

from planwatch.config import Settings
from planwatch.publish.postgres import public_address, publish_postgres
from planwatch.publish.snapshot import publish_snapshot


def publish_marts(config: Settings) -> dict:
    """A consistent snapshot of the marts for readers; and PostgreSQL too, when one is configured."""
    snapshot = publish_snapshot(config.warehouse_path, config.published_path)
    published: dict = {"snapshot": str(snapshot.path)}
    if config.postgres_uri:
        publish_postgres(config.warehouse_path, config.postgres_uri, schema="marts", reader_role=config.bi_role)
        published["postgres"] = f"{public_address(config.postgres_uri)} schema marts"
    return published
