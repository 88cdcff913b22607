"""`planwatch publish`: publish the marts for BI readers (a read-only snapshot, PostgreSQL, or both)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from planwatch.cli import arguments
from planwatch.config import settings

console = Console(stderr=True, soft_wrap=True)


class Destination(enum.StrEnum):
    snapshot = "snapshot"
    postgres = "postgres"
    both = "both"


def publish(
    to: Annotated[
        Destination | None,
        typer.Option(help="where to publish (default: snapshot, and PostgreSQL too when a URI is configured)"),
    ] = None,
    postgres_uri: Annotated[
        str | None, typer.Option(help="PostgreSQL URI (default: configuration postgres_uri, PLANWATCH_POSTGRES_URI)")
    ] = None,
    published_dir: Annotated[
        Path | None, typer.Option(help="folder of the snapshots and the `current` link (default: configuration)")
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(help="DuckDB file (default: configuration)")] = None,
    reader_role: Annotated[
        str | None,
        typer.Option(help="the read-only PostgreSQL role granted the marts (default: configuration bi_role)"),
    ] = None,
) -> None:
    """Copy the marts where BI tools read them, switched whole: readers see the old month or the new."""
    import psycopg2

    from planwatch.publish import ForeignSchemaError, SwapBlockedError, publish_postgres, publish_snapshot
    from planwatch.publish.postgres import public_address
    from planwatch.publish.postgres_types import UnsupportedTypeError
    from planwatch.warehouse import WarehouseLockedError

    config = settings()
    uri = postgres_uri or config.postgres_uri
    destination = to or (Destination.both if uri else Destination.snapshot)
    if destination in {Destination.postgres, Destination.both} and not uri:
        arguments.fail(f"--to {destination}: no PostgreSQL URI; pass --postgres-uri or set PLANWATCH_POSTGRES_URI")
    warehouse = arguments.existing_warehouse(warehouse)
    try:
        if destination in {Destination.snapshot, Destination.both}:
            snapshot = publish_snapshot(warehouse, published_dir or config.published_path)
            console.print(
                f"snapshot {snapshot.snapshot_id}: {len(snapshot.tables)} tables, "
                f"{sum(snapshot.tables.values())} rows, latest period {snapshot.latest_period} "
                f"in {snapshot.seconds:.1f}s → {snapshot.path}",
                highlight=False,
            )
            if snapshot.pruned:
                console.print(f"pruned snapshots: {', '.join(snapshot.pruned)}", highlight=False)
        if destination in {Destination.postgres, Destination.both}:
            publication = publish_postgres(warehouse, uri, reader_role=reader_role or config.bi_role)
            console.print(
                f"PostgreSQL {public_address(uri)} schema {publication.schema}: {len(publication.tables)} tables, "
                f"{sum(publication.tables.values())} rows, latest period {publication.latest_period} "
                f"in {publication.seconds:.1f}s",
                highlight=False,
            )
            for schema in publication.old_schemas_left:
                console.print(f"left in place for the next publish to drop: schema {schema}", highlight=False)
    except (
        FileNotFoundError,
        LookupError,
        WarehouseLockedError,
        SwapBlockedError,
        ForeignSchemaError,
        UnsupportedTypeError,
        psycopg2.Error,
    ) as error:
        arguments.fail(f"publish failed: {str(error).strip()}")
