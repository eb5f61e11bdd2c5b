"""Where the ledger keeps its events: the one module that knows about databases.

A database URL (`--db`, else `PLANLEDGER_DB`, else `planledger.db` in the working folder)
becomes the event library's environment: the built-in SQLite module for a file, the built-in
PostgreSQL module (psycopg 3) for `postgresql://user@host:port/db?schema=name`. No other code
branches on the backend. See docs/architecture.md for why the built-in modules were chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding
from eventsourcing.utils import get_topic
from psycopg import sql

from adapters.store.chain import (
    CHAIN_TABLE,
    ChainedPostgresApplicationRecorder,
    ChainedSQLiteApplicationRecorder,
    ChainHead,
    format_commit_time,
)
from adapters.store.event_codec import LedgerMapper
from domain.fund_class import SNAPSHOT_RECORDS as FUND_CLASS_RECORDS
from domain.fund_class import FundClass
from domain.service import SNAPSHOT_RECORDS as SERVICE_RECORDS
from domain.service import ServiceArrangement

DEFAULT_DATABASE_URL = "sqlite:///planledger.db"
APPLICATION_NAME = "planledger"


class DatabaseUrlError(ValueError):
    """A database URL the ledger cannot use."""


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class RecordAsFields(Transcoding):
    """A state record (a frozen dataclass) in a snapshot: its fields, under its stable name.

    Snapshots store the aggregate's `__dict__` as it is, so its typed records are transcoded
    here rather than turned back into plain mappings by the aggregate: the stored form names
    the record, and a snapshot read back holds the same records a replay builds (which
    `verify` checks). Values inside (Decimal, date) go through their own transcodings.
    """

    def __init__(self, record_class: type) -> None:
        self.type = record_class
        self.name = record_class.RECORD_NAME  # type: ignore[attr-defined]
        self._fields = [field.name for field in fields(record_class)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL: what the library needs, and how to describe it to a person."""

    url: str
    environment: dict[str, str]
    postgres_schema: str | None = None
    sqlite_path: Path | None = None

    @property
    def is_postgres(self) -> bool:
        return self.environment["PERSISTENCE_MODULE"] == "eventsourcing.postgres"


def parse_database_url(url: str) -> DatabaseTarget:
    """`sqlite:///relative.db`, `sqlite:////absolute.db`, a plain path, or `postgresql://…`.

    Raises:
        DatabaseUrlError: any other scheme, or a PostgreSQL URL without a database name.
    """
    if "://" not in url:
        return _sqlite_target(url, Path(url))
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path_text = unquote(parts.path)
        if not path_text or path_text == "/":
            raise DatabaseUrlError(f"no database file in {url!r}")
        return _sqlite_target(url, Path(path_text[1:]))
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return _postgres_target(url)
    raise DatabaseUrlError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://")


def _sqlite_target(url: str, path: Path) -> DatabaseTarget:
    environment = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": get_topic(ChainedSQLiteApplicationRecorder),
    }
    return DatabaseTarget(url, environment, sqlite_path=path)


def _postgres_target(url: str) -> DatabaseTarget:
    parts = urlsplit(url)
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise DatabaseUrlError(f"no database name in {url!r}")
    schema = parse_qs(parts.query).get("schema", [""])[0] or None
    environment = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": get_topic(ChainedPostgresApplicationRecorder),
    }
    if schema:
        environment["POSTGRES_SCHEMA"] = schema
    return DatabaseTarget(url, environment, postgres_schema=schema)


def psycopg_conninfo(target: DatabaseTarget) -> str:
    env = target.environment
    return (
        f"host={env['POSTGRES_HOST']} port={env['POSTGRES_PORT']} "
        f"dbname={env['POSTGRES_DBNAME']} user={env['POSTGRES_USER']}"
        + (f" password={env['POSTGRES_PASSWORD']}" if env["POSTGRES_PASSWORD"] else "")
    )


def ensure_database(target: DatabaseTarget) -> DatabaseTarget:
    """Create what the library will not create itself (the SQLite folder, the PG schema), and
    say whether this connection may create tables.

    A PostgreSQL role that does not own the ledger's events (the writer role of
    `planledger db writer-role`) must not run the library's DDL: it only reads and appends.
    """
    if target.sqlite_path is not None:
        target.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        return target
    schema = target.postgres_schema or "public"
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        owned = connection.execute(
            "SELECT pg_get_userbyid(c.relowner) = current_user FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            [schema, f"{APPLICATION_NAME}_events"],
        ).fetchone()
    if owned is None or owned[0]:
        return target
    environment = dict(target.environment, CREATE_TABLE="no")
    return DatabaseTarget(target.url, environment, target.postgres_schema, target.sqlite_path)


class LedgerStore(Application[UUID]):
    """The event store of one ledger: the library's application, configured for planledger.

    Snapshots of the long-lived aggregates are taken every `SNAPSHOT_INTERVAL` events, from
    the aggregate that was just saved rather than by replaying it (see docs/architecture.md).
    """

    name = APPLICATION_NAME
    is_snapshotting_enabled = True
    log_section_size = 1000
    SNAPSHOT_INTERVAL = 200
    SNAPSHOTTED_TYPES: ClassVar[tuple[type, ...]] = (FundClass, ServiceArrangement)
    # Tests add a transcoding for freezegun's datetime here; production adds nothing.
    extra_transcodings: ClassVar[list[Transcoding]] = []

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        install_guards = getattr(self.recorder, "install_guards", None)
        may_create = self.env.get("CREATE_TABLE", "yes").lower() not in ("no", "false", "0")
        if install_guards is not None and may_create:
            install_guards(self.guarded_tables())

    def guarded_tables(self) -> list[str]:
        """The tables no one may update or delete from: events, chain, snapshots."""
        tables = [self.recorder.events_table_name, CHAIN_TABLE]  # type: ignore[attr-defined]
        if self.snapshots is not None:
            tables.append(self.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
        return tables

    # ---- the chain and the known-at position (docs/audit.md) --------------------------------

    def chain_head(self, position: int | None = None) -> ChainHead | None:
        """The last chain record (at or before `position`, if given)."""
        return self.recorder.chain_head(position)  # type: ignore[attr-defined,no-any-return]

    def head_position(self) -> int:
        return int(self.recorder.max_notification_id() or 0)

    def position_known_at(self, moment: datetime) -> int:
        """The position of the last event committed at or before `moment` (0: none)."""
        return self.recorder.position_committed_by(  # type: ignore[attr-defined,no-any-return]
            format_commit_time(moment)
        )

    def version_at(self, aggregate_id: UUID, position: int | None) -> int | None:
        """The aggregate's version as known at `position` (None: it did not exist yet)."""
        if position is None:
            return None
        return self.recorder.version_at(  # type: ignore[attr-defined,no-any-return]
            aggregate_id, position
        )

    def construct_mapper(self) -> Mapper[Any]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=LedgerMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        for record_class in (*FUND_CLASS_RECORDS, *SERVICE_RECORDS):
            transcoder.register(RecordAsFields(record_class))
        for transcoding in self.extra_transcodings:
            transcoder.register(transcoding)

    def _take_snapshots(self, processing_event: ProcessingEvent[Any]) -> None:
        assert self.snapshots is not None
        first_versions: dict[Any, int] = {}
        for event in processing_event.events:
            first_versions.setdefault(event.originator_id, event.originator_version)
        snapshots = []
        for aggregate_id, aggregate in processing_event.aggregates.items():
            if not isinstance(aggregate, self.SNAPSHOTTED_TYPES):
                continue
            version_before = first_versions.get(aggregate_id, aggregate.version) - 1
            if (
                aggregate.version // self.SNAPSHOT_INTERVAL
                > version_before // self.SNAPSHOT_INTERVAL
            ):
                snapshots.append(Snapshot.take(aggregate))
        if snapshots:
            self.snapshots.put(snapshots)


def open_store(url: str) -> LedgerStore:
    target = ensure_database(parse_database_url(url))
    return LedgerStore(env=target.environment)
