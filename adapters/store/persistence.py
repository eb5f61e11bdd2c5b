"""Where the ledger keeps its events: the one module that knows about databases.

A database URL (`--db`, else `PLANLEDGER_DB`, else `planledger.db` in the working folder)
becomes the event library's environment: the built-in SQLite module for a file, the built-in
PostgreSQL module (psycopg 3) for `postgresql://user@host:port/db?schema=name`. No other code
branches on the backend. See docs/architecture.md for why the built-in modules were chosen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding
from eventsourcing.utils import get_topic

from adapters.store.chain import (
    CHAIN_TABLE,
    DDL_LOCK_NAME,
    REPORT_FILES_TABLE,
    ChainedSQLiteApplicationRecorder,
    ChainHead,
    advisory_lock_key,
    format_commit_time,
    parse_commit_time,
    postgres_guard_triggers,
    sqlite_guard_triggers,
)
from adapters.store.event_codec import LedgerMapper
from adapters.store.topic_index import index_name
from domain.fund_class import SNAPSHOT_RECORDS as FUND_CLASS_RECORDS
from domain.fund_class import FundClass
from domain.service import SNAPSHOT_RECORDS as SERVICE_RECORDS
from domain.service import ServiceArrangement

if TYPE_CHECKING:
    import psycopg

DEFAULT_DATABASE_URL = "sqlite:///planledger.db"
# The PostgreSQL recorder by its topic: its module (and psycopg) load only for such a ledger.
POSTGRES_RECORDER_TOPIC = "adapters.store.chain_postgres:ChainedPostgresApplicationRecorder"
APPLICATION_NAME = "planledger"


class WriterRoleError(ValueError):
    """A role that cannot be granted here (`planledger db`)."""


class DatabaseUrlError(ValueError):
    """A database URL the ledger cannot use."""


class DatabaseUnreachableError(DatabaseUrlError):
    """The database server cannot be reached with the URL given."""


class MissingLedgerError(DatabaseUrlError):
    """No ledger at the URL, and the command does not start one (only `init` and `plan load`
    do), so a mistyped `--db` never creates an empty ledger that then answers "OK"."""


def url_secrets(url: str) -> tuple[str, ...]:
    """The password in `url`, as written and as decoded: what no output may show."""
    if "://" not in url:
        return ()
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    return tuple(secret for secret in {password or "", unquote(password or "")} if secret)


def shown_url(url: str) -> str:
    """`url` as it may be printed: any password replaced by `***`."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


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
        self._fields = [record_field.name for record_field in fields(record_class)]

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL: what the library needs, and how to describe it to a person."""

    # Both may hold a password, so neither is part of the repr.
    url: str = field(repr=False)
    environment: dict[str, str] = field(repr=False)
    postgres_schema: str | None = None
    sqlite_path: Path | None = None

    @property
    def is_postgres(self) -> bool:
        return self.environment["PERSISTENCE_MODULE"] == "eventsourcing.postgres"

    @property
    def shown(self) -> str:
        """The URL as it may be printed (no password)."""
        return shown_url(self.url)


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
            raise DatabaseUrlError(f"no database file in {shown_url(url)!r}")
        return _sqlite_target(url, Path(path_text[1:]))
    if parts.scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return _postgres_target(url)
    raise DatabaseUrlError(
        f"unsupported database URL {shown_url(url)!r}: use sqlite:///FILE or postgresql://"
    )


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
        raise DatabaseUrlError(f"no database name in {shown_url(url)!r}")
    schema = parse_qs(parts.query).get("schema", [""])[0] or None
    try:
        port = parts.port or 5432
    except ValueError:  # urllib's own check of the port, worded for the operator
        raise DatabaseUrlError(f"not a port number in {shown_url(url)!r}") from None
    environment = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database,
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": POSTGRES_RECORDER_TOPIC,
    }
    if schema:
        environment["POSTGRES_SCHEMA"] = schema
    return DatabaseTarget(url, environment, postgres_schema=schema)


def psycopg_conninfo(target: DatabaseTarget) -> str:
    """The libpq connection string, built field by field: psycopg quotes each value, so a
    database or user name holding `port=` or a quote cannot set another parameter."""
    env = target.environment
    parameters = {
        "host": env["POSTGRES_HOST"],
        "port": env["POSTGRES_PORT"],
        "dbname": env["POSTGRES_DBNAME"],
        "user": env["POSTGRES_USER"],
    }
    if env["POSTGRES_PASSWORD"]:
        parameters["password"] = env["POSTGRES_PASSWORD"]
    from psycopg.conninfo import make_conninfo

    return make_conninfo(**parameters)


START_A_LEDGER = "start one with `planledger init` (or `planledger plan load FILE`)"
SQLITE_EVENTS_TABLE = "stored_events"  # the event library's name for it in a SQLite file
POSTGRES_EVENTS_TABLE = f"{APPLICATION_NAME}_events"  # and in a PostgreSQL schema


def ensure_database(target: DatabaseTarget, create: bool = False) -> DatabaseTarget:
    """Check that the ledger is there, or (`create`) create what the library will not create
    itself (the SQLite folder, the PG schema); and say whether this connection may create
    tables.

    A PostgreSQL role that does not own the ledger's events (the writer role of
    `planledger db writer-role`) must not run the library's DDL: it only reads and appends.

    Raises:
        MissingLedgerError: no ledger there, and `create` is false.
    """
    if target.sqlite_path is not None:
        _ensure_sqlite(target, target.sqlite_path, create)
        return target
    schema = target.postgres_schema or "public"
    from psycopg import sql

    with _connected(target) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]
        ).fetchone()
        if not exists and create:
            connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        owned = connection.execute(
            "SELECT pg_get_userbyid(c.relowner) = current_user FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s",
            [schema, POSTGRES_EVENTS_TABLE],
        ).fetchone()
        standby = connection.execute("SELECT pg_is_in_recovery()").fetchone()
    if owned is None and not create:
        missing = "the schema does not exist" if not exists else "its tables do not exist"
        raise MissingLedgerError(
            f"no ledger in schema {schema!r} of {target.shown} ({missing}): {START_A_LEDGER}"
        )
    # A standby (a streaming replica) is read-only: the library's CREATE TABLE IF NOT EXISTS
    # would be refused there, tables and all being the primary's.
    if (owned is None or owned[0]) and not (standby and standby[0]):
        return target
    environment = dict(target.environment, CREATE_TABLE="no")
    return DatabaseTarget(target.url, environment, target.postgres_schema, target.sqlite_path)


@contextmanager
def _connected(target: DatabaseTarget) -> Iterator[psycopg.Connection[Any]]:
    """A connection to the target's server; one that cannot be had is the operator's to fix
    (a mistyped host, port or name, a server not running), not a bug.

    Raises:
        DatabaseUnreachableError: the server cannot be reached or refuses the connection.
    """
    import psycopg

    try:
        connection = psycopg.connect(psycopg_conninfo(target), autocommit=True)
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DatabaseUnreachableError(f"cannot connect to {target.shown}: {reason}") from None
    with connection:
        yield connection


def _ensure_sqlite(target: DatabaseTarget, path: Path, create: bool) -> None:
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if not path.is_file():
        raise MissingLedgerError(
            f"no ledger at {target.shown}: the file {str(path)!r} does not exist; {START_A_LEDGER}"
        )
    # Opened read-only, so that looking never turns a stray file into a database.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                [SQLITE_EVENTS_TABLE],
            ).fetchone()
    except sqlite3.DatabaseError:
        found = None
    if found is None:
        raise MissingLedgerError(
            f"no ledger in {str(path)!r}: the file holds no ledger's tables; {START_A_LEDGER}"
        )


class CommittedEvents:
    """How many events this process has committed, to any ledger: after a conflict or an
    error, the command line tells from it whether the command wrote anything."""

    def __init__(self) -> None:
        self.count = 0

    def add(self, events: int) -> None:
        self.count += events


COMMITTED_EVENTS = CommittedEvents()


def _may_create(environment: dict[str, str]) -> bool:
    return environment.get("CREATE_TABLE", "yes").lower() not in ("no", "false", "0")


@contextmanager
def ddl_needed_under_lock(environment: dict[str, str]) -> Iterator[bool]:
    """Whether opening this ledger must create its tables or guards; while it does, under a
    lock that every process opening the ledger takes.

    Processes starting together used to re-run every CREATE OR REPLACE of the guards at each
    open, and PostgreSQL failed one of them with "tuple concurrently updated". Now the guards
    are looked up first (one query), and only when one is missing does the process take the
    ledger's DDL advisory lock, look again and create what is still missing. On SQLite the
    creation itself takes the write lock (BEGIN IMMEDIATE) and waits out the busy timeout.
    """
    if not _may_create(environment):
        yield False
        return
    module = environment.get("PERSISTENCE_MODULE")
    if module == "eventsourcing.sqlite":
        yield not _sqlite_guards_in_place(environment["SQLITE_DBNAME"])
        return
    if module != "eventsourcing.postgres":  # in memory (unit tests): nothing to share
        yield True
        return
    schema = environment.get("POSTGRES_SCHEMA") or "public"
    conninfo = psycopg_conninfo(DatabaseTarget("", environment))
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as connection:
        if _postgres_guards_in_place(connection, schema):
            yield False
            return
        key = advisory_lock_key(schema, DDL_LOCK_NAME)
        connection.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield not _postgres_guards_in_place(connection, schema)
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", [key])


def _sqlite_guards_in_place(path: str) -> bool:
    """Whether the guards and the log's partial index by topic are all there (a ledger made
    before the index gets it at its next open)."""
    if not Path(path).is_file():
        return False
    names = sqlite_guard_triggers()
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        found = connection.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE (type = 'trigger' "
            f"AND name IN ({','.join('?' * len(names))})) OR (type = 'index' AND name = ?)",
            [*names, index_name(SQLITE_EVENTS_TABLE)],
        ).fetchone()
    return bool(found[0] == len(names) + 1)


def _postgres_guards_in_place(connection: psycopg.Connection[Any], schema: str) -> bool:
    """Whether the guards and the log's partial index by topic are all there (one query: it
    runs at every open)."""
    names = postgres_guard_triggers()
    found = connection.execute(
        "SELECT (SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND t.tgname = ANY(%s)), "
        "(SELECT COUNT(*) FROM pg_indexes WHERE schemaname = %s AND indexname = %s)",
        [schema, names, schema, index_name(POSTGRES_EVENTS_TABLE)],
    ).fetchone()
    return found is not None and found[0] == len(names) and found[1] == 1


@dataclass(frozen=True)
class Standby:
    """A PostgreSQL standby (a streaming replica of the ledger's server): `reached` is the
    latest time, on the primary's clock, at which the primary's committed state was the one
    replayed here (None: none known yet). docs/decisions.md S1."""

    reached: datetime | None


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
        self._settled: dict[UUID, Any] = {}
        environment = dict(env or {})
        with ddl_needed_under_lock(environment) as ddl_needed:
            if not ddl_needed:
                environment["CREATE_TABLE"] = "no"
            super().__init__(env=environment)
            install_guards = getattr(self.recorder, "install_guards", None)
            if install_guards is not None and ddl_needed:
                install_guards(self.guarded_tables())

    def _record(self, processing_event: ProcessingEvent[Any]) -> list[Any]:
        recordings = super()._record(processing_event)
        COMMITTED_EVENTS.add(len(recordings))
        return recordings

    # ---- aggregates a bulk command saved, for the next command to load -------------------

    # The most settled aggregates kept (the latest saved): a bulk command held them all until
    # its one save anyway, so keeping them costs no more memory than the command took.
    SETTLED_MAX = 2_000

    def settle(self, aggregates: Iterable[Any]) -> None:
        """Keep fund classes just saved by a bulk command, which no longer changes them, so
        that the next load of each takes it rather than reading it again (an accrual run
        after an import of net assets loads every class the import saved)."""
        settled = self._settled
        for aggregate in aggregates:
            if isinstance(aggregate, FundClass) and not aggregate.pending_events:
                settled.pop(aggregate.id, None)
                settled[aggregate.id] = aggregate
        while len(settled) > self.SETTLED_MAX:
            del settled[next(iter(settled))]

    def take_settled(self, aggregate_id: UUID) -> Any | None:
        """The settled aggregate, if it is still the stored one; taken, so never handed out
        twice: a command that changes it and is refused leaves no trace of it here.

        It is the stored one if it has no event its save did not write (a command triggered
        none since) and its version is the stream's latest (no one else wrote to it since)."""
        aggregate = self._settled.pop(aggregate_id, None)
        if aggregate is None or aggregate.pending_events:
            return None
        latest = self.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not latest or latest[0].originator_version != aggregate.version:
            return None
        return aggregate

    def guarded_tables(self) -> list[str]:
        """The tables no one may update or delete from: events, chain, snapshots, and the
        issued reports' files."""
        tables = [self.recorder.events_table_name, CHAIN_TABLE]  # type: ignore[attr-defined]
        if self.snapshots is not None:
            tables.append(self.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
        tables.append(REPORT_FILES_TABLE)
        return tables

    def standby(self) -> Standby | None:
        """None on a primary (or SQLite); on a PostgreSQL standby, what it has reached: the
        later of the last replayed commit and its chain head's commit time (every event
        committed before the head is in the chain before it)."""
        state = getattr(self.recorder, "standby_state", None)
        if state is None:
            return None
        standby, replayed = state()
        if not standby:
            return None
        head = self.chain_head()
        committed = None if head is None else parse_commit_time(head.committed_at)
        return Standby(max(filter(None, (replayed, committed)), default=None))

    # ---- the issued reports' files (docs/audit.md §7) ---------------------------------------

    def keep_files(self, files: dict[str, bytes]) -> int:
        """Keep each file's bytes under its SHA-256 (the keys); how many were not kept yet."""
        return self.recorder.keep_files(  # type: ignore[attr-defined,no-any-return]
            sorted(files.items())
        )

    def kept_file(self, digest: str) -> bytes | None:
        return self.recorder.kept_file(digest)  # type: ignore[attr-defined,no-any-return]

    def kept_files(self, page: int = 50) -> Iterator[tuple[str, bytes]]:
        """Every kept file (digest, bytes), in order of digest, read a page at a time."""
        after = ""
        while True:
            found = self.recorder.kept_files(after, page)  # type: ignore[attr-defined]
            if not found:
                return
            yield from found
            after = found[-1][0]

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


def open_store(url: str, create: bool = False) -> LedgerStore:
    """The ledger's store at `url`; created there only with `create` (`init`, `plan load`).

    Raises:
        DatabaseUrlError: a URL the ledger cannot use.
        MissingLedgerError: no ledger at `url`, and `create` is false.
    """
    target = ensure_database(parse_database_url(url), create)
    return LedgerStore(env=target.environment)
