"""The ledger opened for reading only (docs/web.md, "Read-only").

SQLite: the event store and the read models connect through a `file:…?mode=ro` URI, so the
connection itself refuses any write. PostgreSQL: the server refuses to start on a role that may
write the ledger (serve connects as the auditor of `planledger db init-roles`), and every
session of the read models is also set `default_transaction_read_only`.

The web process never catches the read models up (that would write): every page answers at the
position the read models have reached, which every command's own catch-up keeps at the head.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.pool import QueuePool

from adapters.readside.read_models import (
    SCHEMA_ROW,
    SCHEMA_VERSION,
    TABLES,
    ReadModels,
    read_model_engine,
)
from adapters.readside.view import LedgerView
from adapters.store.persistence import (
    APPLICATION_NAME,
    DatabaseTarget,
    LedgerStore,
    ensure_database,
    parse_database_url,
    psycopg_conninfo,
)


class NotReadOnlyError(ValueError):
    """The database role given to `serve` may write the ledger."""


class StaleReadModelsError(ValueError):
    """The read models are missing or of an older shape: a command must bring them up first."""


class ReadOnlyReadModels(ReadModels):
    """The read models, read only: their shape is checked, never created or upgraded."""

    def _ensure_schema(self) -> None:
        tracking = TABLES["tracking"]
        with self.engine.connect() as conn:
            stored = None
            if inspect(conn).has_table(tracking.name):
                stored = conn.execute(
                    select(tracking.c.position).where(tracking.c.projection == SCHEMA_ROW)
                ).scalar()
        if stored != SCHEMA_VERSION:
            raise StaleReadModelsError(
                "the read models are not up to date with this version: run any planledger "
                "read command (e.g. `planledger balances`) once, then serve"
            )

    def catch_up(self, *args: Any, **kwargs: Any) -> Any:
        raise NotReadOnlyError("the web workbench never writes the read models")


def sqlite_read_only_uri(target: DatabaseTarget) -> str:
    assert target.sqlite_path is not None
    return f"{target.sqlite_path.resolve().as_uri()}?mode=ro"


def read_only_engine(database_url: str) -> Engine:
    """The read models' engine, on connections that cannot write."""
    target = parse_database_url(database_url)
    if target.sqlite_path is not None:
        uri = sqlite_read_only_uri(target)
        # A pool shared by the server's threads (the engine would take "sqlite://" for a
        # database in memory and keep one connection per thread, closing the extra ones).
        return create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30),
            poolclass=QueuePool,
            pool_size=8,
            max_overflow=8,
        )
    engine = read_model_engine(database_url)

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        dbapi_connection.commit()

    return engine


def refuse_a_writing_role(target: DatabaseTarget) -> None:
    """Raises:
    NotReadOnlyError: the role of the URL may insert into the ledger's events.
    """
    import psycopg

    schema = target.postgres_schema or "public"
    table = f"{schema}.{APPLICATION_NAME}_events"
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        row = connection.execute(
            "SELECT current_user, has_table_privilege(current_user, %s, 'INSERT'), "
            "has_table_privilege(current_user, %s, 'UPDATE')",
            [table, table],
        ).fetchone()
    assert row is not None
    if row[1] or row[2]:
        raise NotReadOnlyError(
            f"role {row[0]!r} may write the ledger: serve connects as a role that only reads "
            "(`planledger db init-roles` makes one, planledger_auditor; put it in the URL)"
        )


@dataclass
class ReadOnlyLedger:
    """The store and read models of one ledger, opened for reading only."""

    target: DatabaseTarget
    store: LedgerStore
    read_models: ReadOnlyReadModels

    def served_position(self) -> int:
        """The last position every read model holds: what "now" means to the pages."""
        return min(self.read_models.positions().values(), default=0)

    def head_position(self) -> int:
        return self.store.head_position()

    def view_at(self, position: int) -> LedgerView:
        return LedgerView(self.store, self.read_models, position)

    def position_known_at(self, moment: datetime) -> int:
        return min(self.store.position_known_at(moment), self.served_position())

    def close(self) -> None:
        self.read_models.close()
        self.store.close()


def open_read_only(database_url: str) -> ReadOnlyLedger:
    """Raises:
    MissingLedgerError: no ledger at the URL.
    NotReadOnlyError: on PostgreSQL, a role that may write.
    StaleReadModelsError: read models missing or of an older shape.
    """
    target = ensure_database(parse_database_url(database_url))
    environment = dict(target.environment, CREATE_TABLE="no")
    if target.sqlite_path is not None:
        environment["SQLITE_DBNAME"] = sqlite_read_only_uri(target)
    else:
        refuse_a_writing_role(target)
    store = LedgerStore(env=environment)
    try:
        read_models = ReadOnlyReadModels(store, read_only_engine(database_url))
    except BaseException:
        store.close()
        raise
    return ReadOnlyLedger(target, store, read_models)
