"""Direct access to a ledger's database, around the ledger, to tamper with it in tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from adapters.store.chain import CHAIN_TABLE
from adapters.store.persistence import LedgerStore, parse_database_url, psycopg_conninfo


class RawDatabase:
    """The ledger's tables, reached with the database driver alone (as an intruder would)."""

    def __init__(self, store: LedgerStore, database_url: str, user: str | None = None) -> None:
        self.target = parse_database_url(database_url)
        self.events = store.recorder.events_table_name  # type: ignore[attr-defined]
        self.snapshots = store.snapshots.recorder.events_table_name  # type: ignore[union-attr]
        self.chain = CHAIN_TABLE
        self.is_postgres = self.target.is_postgres
        self.position = "notification_id" if self.is_postgres else "rowid"
        self.user = user

    def _connect(self) -> Any:
        if not self.is_postgres:
            return sqlite3.connect(str(self.target.sqlite_path), isolation_level=None)
        conninfo = psycopg_conninfo(self.target)
        if self.user:
            conninfo = conninfo.replace("user=postgres", f"user={self.user}")
        connection = psycopg.connect(conninfo, autocommit=True)
        schema = self.target.postgres_schema or "public"
        connection.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        return connection

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; `?` marks parameters on both databases."""
        if self.is_postgres:
            statement = statement.replace("?", "%s")
        connection = self._connect()
        try:
            cursor = connection.execute(statement, params)
            rows = cursor.fetchall() if cursor.description else []
        finally:
            connection.close()
        return [tuple(row) for row in rows]

    def drop_guards(self) -> None:
        if not self.is_postgres:
            for (name,) in self.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
                self.execute(f'DROP TRIGGER "{name}"')
            return
        triggers = self.execute(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        )
        for name, table in triggers:
            self.execute(f'DROP TRIGGER "{name}" ON "{table}"')

    def state_at(self, position: int) -> bytes:
        rows = self.execute(
            f"SELECT state FROM {self.events} WHERE {self.position} = ?", [position]
        )
        return bytes(rows[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        self.execute(
            f"UPDATE {self.events} SET state = ? WHERE {self.position} = ?", [state, position]
        )

    def positions_of_topic(self, topic: str) -> list[int]:
        rows = self.execute(
            f"SELECT {self.position} FROM {self.events} WHERE topic = ? ORDER BY {self.position}",
            [topic],
        )
        return [int(row[0]) for row in rows]
