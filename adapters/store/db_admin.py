"""Database roles the ledger offers on PostgreSQL (docs/audit.md §3).

`planledger db init-roles`, run by the owner of the ledger's schema, creates (if need be) and
grants two roles:

* the **writer** runs the ledger: it reads and appends the events, their chain and the
  snapshots, and appends to the `rm_` read models what catch-up adds (rows, and the tracking
  position it moves forward). It may not update, delete or truncate any of them, nor change a
  table's shape, so what the regulator receives cannot be changed by the role that records it.
  Catch-up only inserts (projections/rows.py), which is why no separate projector role is
  needed; `rebuild`, which empties read models, is the schema owner's.
* the **auditor** reads every table and writes nothing: it can run `planledger verify`.

Grants are made from nothing each time (everything on the ledger's tables is revoked from the
role first), so running it again, or on a role that had more, leaves exactly these.
`planledger db writer-role ROLE` grants the writer alone. Connecting as either role, the
ledger skips its own DDL (adapters/store/persistence.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from adapters.store.persistence import (
    DatabaseTarget,
    LedgerStore,
    WriterRoleError,
    psycopg_conninfo,
)

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DEFAULT_WRITER = "planledger_writer"
DEFAULT_AUDITOR = "planledger_auditor"


@dataclass(frozen=True)
class LedgerTables:
    """The tables roles are granted on: the guarded log, the read models and their tracking."""

    schema: str
    guarded: list[str]
    read_models: list[str]
    tracking: str

    def names(self, names: list[str]) -> sql.Composable:
        return sql.SQL(", ").join(
            sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(name))
            for name in names
        )

    @property
    def every(self) -> list[str]:
        return [*self.guarded, *self.read_models]


def require_postgres(target: DatabaseTarget) -> None:
    """Raises WriterRoleError unless the ledger is on PostgreSQL."""
    if not target.is_postgres:
        raise WriterRoleError(
            "database roles are a PostgreSQL feature; a SQLite file is protected by its "
            "triggers and by the file's own permissions"
        )


def _check(target: DatabaseTarget, roles: list[str]) -> None:
    require_postgres(target)
    for role in roles:
        if not ROLE_NAME.match(role):
            raise WriterRoleError(f"a role name is lower-case letters, digits and _: {role!r}")
    if len(set(roles)) != len(roles):
        raise WriterRoleError(f"the writer and the auditor must be different roles: {roles}")


def ledger_tables(
    target: DatabaseTarget, store: LedgerStore, read_models: list[str], tracking: str
) -> LedgerTables:
    schema = target.postgres_schema or "public"
    data = [name for name in read_models if name != tracking]
    return LedgerTables(schema, store.guarded_tables(), data, tracking)


def init_roles(
    target: DatabaseTarget, tables: LedgerTables, writer: str, auditor: str
) -> list[str]:
    """Create (if need be) and grant the writer and the auditor; return the statements run.

    Raises:
        WriterRoleError: not PostgreSQL, or not plain lower-case role names.
    """
    _check(target, [writer, auditor])
    return _grant(target, tables, {writer: _writer_statements, auditor: _auditor_statements})


def grant_writer_role(target: DatabaseTarget, tables: LedgerTables, role: str) -> list[str]:
    """The writer of `init_roles` alone (`planledger db writer-role ROLE`)."""
    _check(target, [role])
    return _grant(target, tables, {role: _writer_statements})


def _grant(target: DatabaseTarget, tables: LedgerTables, roles: dict[str, Statements]) -> list[str]:
    """Every role's statements in one transaction: a failure leaves the roles as they were."""
    done: list[str] = []
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        found = connection.execute(
            "SELECT pg_get_serial_sequence(%s, 'notification_id')",
            [f'"{tables.schema}"."{tables.guarded[0]}"'],
        ).fetchone()
        sequence = sql.SQL(found[0]) if found and found[0] else None
        with connection.transaction():
            for role, statements_of in roles.items():
                who = sql.Identifier(role)
                exists = connection.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", [role]
                ).fetchone()
                statements: list[sql.Composed] = (
                    [] if exists else [sql.SQL("CREATE ROLE {} LOGIN").format(who)]
                )
                if sequence is not None:
                    statements.append(
                        sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}").format(sequence, who)
                    )
                statements += statements_of(tables, who, sequence)
                for statement in statements:
                    connection.execute(statement)
                    done.append(statement.as_string(connection))
    return done


Statements = Callable[[LedgerTables, sql.Identifier, sql.SQL | None], list[sql.Composed]]


def _common(tables: LedgerTables, who: sql.Identifier) -> list[sql.Composed]:
    """From nothing: no one but the owner has anything on the ledger's tables, then the role
    may reach the schema and read every table."""
    every = tables.names([*tables.every, tables.tracking])
    return [
        sql.SQL("REVOKE ALL ON {} FROM PUBLIC").format(every),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(every, who),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(tables.schema), who),
        sql.SQL("GRANT SELECT ON {} TO {}").format(every, who),
    ]


def _writer_statements(
    tables: LedgerTables, who: sql.Identifier, sequence: sql.SQL | None
) -> list[sql.Composed]:
    tracking = tables.names([tables.tracking])
    statements = [
        *_common(tables, who),
        sql.SQL("GRANT INSERT ON {} TO {}").format(tables.names(tables.every), who),
        # Catch-up records how far it has applied the log: a new projection's row, or the
        # position moved forward. Nothing else of a read model is ever updated.
        sql.SQL("GRANT INSERT, UPDATE (position) ON {} TO {}").format(tracking, who),
    ]
    if sequence is not None:  # the events' positions: USAGE draws them and does nothing else
        statements.append(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sequence, who))
    return statements


def _auditor_statements(
    tables: LedgerTables, who: sql.Identifier, sequence: sql.SQL | None
) -> list[sql.Composed]:
    return _common(tables, who)
