"""Database administration the ledger offers: a PostgreSQL role that may only append.

`planledger db writer-role ROLE`, run by the owner of the ledger's schema, creates the role if
it does not exist and grants it exactly what running the ledger needs: read and insert the
events, their chain and the snapshots (no UPDATE, DELETE or TRUNCATE, which the triggers
refuse anyway), and full use of the derived `rm_` read-model tables. Connecting as that role,
the ledger skips its own DDL (adapters/store/persistence.py).
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from adapters.store.persistence import DatabaseTarget, LedgerStore, psycopg_conninfo

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class WriterRoleError(ValueError):
    """A writer role that cannot be granted here."""


def grant_writer_role(
    target: DatabaseTarget, store: LedgerStore, role: str, read_models: list[str]
) -> list[str]:
    """Create (if need be) and grant the append-only writer role; return the statements run.

    `read_models` names the read side's tables, which the role may also write.

    Raises:
        WriterRoleError: not PostgreSQL, or not a plain lower-case role name.
    """
    if not target.is_postgres:
        raise WriterRoleError(
            "writer roles are a PostgreSQL feature; a SQLite file is protected by its triggers "
            "and by the file's own permissions"
        )
    if not ROLE_NAME.match(role):
        raise WriterRoleError(f"a role name is lower-case letters, digits and _: {role!r}")
    schema = target.postgres_schema or "public"
    guarded = store.guarded_tables()
    statements = _statements(schema, role, guarded, read_models)
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        sequence = connection.execute(
            "SELECT pg_get_serial_sequence(%s, 'notification_id')", [f'"{schema}"."{guarded[0]}"']
        ).fetchone()
        done = []
        for statement in statements:
            connection.execute(statement)
            done.append(statement.as_string(connection))
        if sequence and sequence[0]:
            grant = sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
                sql.SQL(sequence[0]), sql.Identifier(role)
            )
            connection.execute(grant)
            done.append(grant.as_string(connection))
    return done


def _statements(
    schema: str, role: str, guarded: list[str], read_models: list[str]
) -> list[sql.Composed]:
    who = sql.Identifier(role)

    def tables(names: list[str]) -> sql.Composable:
        return sql.SQL(", ").join(
            sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name)) for name in names
        )

    return [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), who),
        sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(tables(guarded)),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(tables(guarded), who),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(tables(guarded), who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
            tables(read_models), who
        ),
    ]
