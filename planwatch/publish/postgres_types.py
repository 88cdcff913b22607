"""DuckDB column types as PostgreSQL types, and how each column travels through CSV to COPY.

Types map to their exact PostgreSQL counterpart (DOUBLE to double precision, DECIMAL(p,s) to
numeric(p,s), DATE to date, BOOLEAN to boolean, VARCHAR to text), unsigned integers to the next wider
signed type. A type without a faithful text form in CSV (lists, structs, blobs) is refused by name
rather than published garbled.
"""

from __future__ import annotations

import re

_SIMPLE = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "UUID": "uuid",
    "JSON": "jsonb",
}
# Sent as DuckDB's text form: Arrow carries UUID as 16 bytes, and JSON's Arrow type is an extension.
_SENT_AS_TEXT = {"UUID", "JSON"}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


class UnsupportedTypeError(TypeError):
    """A mart column whose type this publisher cannot carry to PostgreSQL faithfully."""


def postgres_type(duckdb_type: str, where: str) -> str:
    """The PostgreSQL type for a DuckDB column type; `where` (table.column) names it in the error."""
    if duckdb_type in _SIMPLE:
        return _SIMPLE[duckdb_type]
    decimal = _DECIMAL.match(duckdb_type)
    if decimal:
        return f"numeric({decimal.group(1)}, {decimal.group(2)})"
    raise UnsupportedTypeError(
        f"{where}: DuckDB type {duckdb_type} has no PostgreSQL mapping; cast it in the mart or add a mapping "
        "in planwatch/publish/postgres_types.py"
    )


def select_expression(column: str, duckdb_type: str) -> str:
    """How the column is selected for the CSV stream (its text form where Arrow's would not do)."""
    quoted = f'"{column}"'
    return f"cast({quoted} as varchar) as {quoted}" if duckdb_type in _SENT_AS_TEXT else quoted
