"""The read-only BI role on PostgreSQL: SELECT on the published marts, nothing else it could write with.

The role may log in (with a password) or not (NOLOGIN, for BI accounts that are granted it). It
gets CONNECT, USAGE on the marts schema, SELECT on its tables and default privileges so tables later
created in that schema are readable too; CREATE and every write privilege are revoked wherever they
were granted to it. Privileges that PostgreSQL grants to PUBLIC (all roles) cannot be taken from one
role; where one lets it create, a warning names the command that closes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import cursor as Cursor

log = logging.getLogger(__name__)

_WRITE_PRIVILEGES = sql.SQL("insert, update, delete, truncate, references, trigger")
_USER_SCHEMAS = """
    select nspname from pg_namespace
    where nspname not like 'pg\\_%' and nspname <> 'information_schema'
    order by nspname
"""


@dataclass(frozen=True)
class ReaderRole:
    """What `ensure_reader_role` found and did."""

    name: str
    created: bool
    can_login: bool
    can_create_in: list[str] = field(default_factory=list)


def ensure_reader_role(uri: str, role: str, password: str | None = None, schema: str = "marts") -> ReaderRole:
    """Create or tighten the read-only BI role in the database `uri` names; idempotent.

    Without a password a new role is NOLOGIN and an existing role keeps its login and password; with
    one, the role logs in with it. Creates the (empty) marts schema when nothing was published yet,
    so the grants and default privileges are in place before the first publish.
    """
    connection = psycopg2.connect(uri, application_name="planwatch ensure_reader_role")
    try:
        with connection.cursor() as cursor:
            created = create_role_if_missing(cursor, role, password)
            identifier = sql.Identifier(role)
            cursor.execute(
                sql.SQL("alter role {} nosuperuser nocreatedb nocreaterole noreplication nobypassrls").format(
                    identifier
                )
            )
            if password is not None:
                cursor.execute(sql.SQL("alter role {} login password %s").format(identifier), [password])
            _leave_other_roles(cursor, role)
            database = sql.Identifier(_current_database(cursor))
            cursor.execute(sql.SQL("grant connect on database {} to {}").format(database, identifier))
            cursor.execute(sql.SQL("revoke create on database {} from {}").format(database, identifier))
            cursor.execute(_USER_SCHEMAS)
            for (other,) in cursor.fetchall():
                namespace = sql.Identifier(other)
                cursor.execute(sql.SQL("revoke create on schema {} from {}").format(namespace, identifier))
                cursor.execute(
                    sql.SQL("revoke {} on all tables in schema {} from {}").format(
                        _WRITE_PRIVILEGES, namespace, identifier
                    )
                )
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
            grant_read(cursor, schema, role)
            cursor.execute("select rolcanlogin from pg_roles where rolname = %s", [role])
            (can_login,) = cursor.fetchone()
            can_create_in = _creatable(cursor, role)
        connection.commit()
    finally:
        connection.close()
    for where in can_create_in:
        log.warning(
            "role %s can still create objects in %s through a privilege granted to PUBLIC; close it with "
            "`revoke create on %s from public`",
            role,
            where,
            where,
        )
    return ReaderRole(name=role, created=created, can_login=bool(can_login), can_create_in=can_create_in)


def create_role_if_missing(cursor: Cursor, role: str, password: str | None = None) -> bool:
    """Create the role (NOLOGIN without a password) unless it exists; True when it was created."""
    cursor.execute("select 1 from pg_roles where rolname = %s", [role])
    if cursor.fetchone():
        return False
    login = sql.SQL("login password {}").format(sql.Literal(password)) if password is not None else sql.SQL("nologin")
    cursor.execute(
        sql.SQL("create role {} {} nosuperuser nocreatedb nocreaterole noreplication nobypassrls").format(
            sql.Identifier(role), login
        )
    )
    log.info("created role %s (%s)", role, "login" if password is not None else "nologin")
    return True


def grant_read(cursor: Cursor, schema: str, role: str) -> None:
    """USAGE on the schema, SELECT on its tables, and on tables created in it later (default privileges).

    Default privileges belong to the schema object, so the publisher sets them on each new staging
    schema too: they travel with it when it is renamed to the live name.
    """
    namespace, identifier = sql.Identifier(schema), sql.Identifier(role)
    cursor.execute(sql.SQL("grant usage on schema {} to {}").format(namespace, identifier))
    cursor.execute(sql.SQL("grant select on all tables in schema {} to {}").format(namespace, identifier))
    cursor.execute(
        sql.SQL("alter default privileges in schema {} grant select on tables to {}").format(namespace, identifier)
    )


def _leave_other_roles(cursor: Cursor, role: str) -> None:
    """A member of another role could use that role's privileges (SET ROLE): the BI role is a member of none."""
    cursor.execute(
        "select granted.rolname from pg_auth_members m "
        "join pg_roles granted on granted.oid = m.roleid join pg_roles member on member.oid = m.member "
        "where member.rolname = %s",
        [role],
    )
    for (granted,) in cursor.fetchall():
        log.warning("role %s was a member of %s; revoked, it must only read the marts", role, granted)
        cursor.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(granted), sql.Identifier(role)))


def _creatable(cursor: Cursor, role: str) -> list[str]:
    cursor.execute("select has_database_privilege(%s, current_database(), 'create')", [role])
    (database,) = cursor.fetchone()
    where = [f"database {_current_database(cursor)}"] if database else []
    cursor.execute(_USER_SCHEMAS)
    for (schema,) in cursor.fetchall():
        cursor.execute("select has_schema_privilege(%s, %s, 'create')", [role, schema])
        if cursor.fetchone()[0]:
            where.append(f"schema {schema}")
    return where


def _current_database(cursor: Cursor) -> str:
    cursor.execute("select current_database()")
    return cursor.fetchone()[0]
