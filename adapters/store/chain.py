"""The hash chain: every stored event linked to the one stored before it (docs/audit.md §3).

The ledger's recorders are the library's built-in SQLite and PostgreSQL application recorders,
with their inserts replaced by one bulk statement per batch and one addition: in the same
transaction as the events, they write one chain record per event (its position, its commit
time, the previous hash and its own hash). A crash therefore never leaves an event without its
chain record, nor a record without its event. Reads are the library's.

    hash = SHA-256(header + "\\n" + state)
    header = JSON [previous_hash, position, originator_id, originator_version, topic, committed_at]

The bundle's verifier (outputs/verifier/chain.py) computes the same thing with the standard
library alone; tests check the two agree.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from adapters.store.topic_index import index_name, topics_condition

GENESIS_HASH = "0" * 64
CHAIN_TABLE = "planledger_chain"
# The bytes of each issued report file, keyed by their SHA-256 (docs/audit.md §7): written
# once, never updated or deleted, guarded like the events.
REPORT_FILES_TABLE = "planledger_report_files"
COMMIT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width: text order is time order
_NEEDS_ESCAPING = re.compile(r'["\\\x00-\x1f\x7f-\U0010ffff]')


class StoredContent(NamedTuple):
    """What the chain hashes of one stored event, besides the previous hash."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    committed_at: str
    state: bytes


def chain_header(previous_hash: str, content: StoredContent) -> str:
    """The JSON array hashed before the state, as `json.dumps(..., separators=(",", ":"),
    ensure_ascii=False)` writes it; formatted directly when no field needs escaping (every
    ledger topic), because this runs for every event stored."""
    if _NEEDS_ESCAPING.search(content.topic) is None:
        return (
            f'["{previous_hash}",{content.position},"{content.originator_id}",'
            f'{content.originator_version},"{content.topic}","{content.committed_at}"]'
        )
    return json.dumps([previous_hash, *content[:5]], separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, content: StoredContent) -> str:
    header = chain_header(previous_hash, content)
    return hashlib.sha256(header.encode("utf-8") + b"\n" + content.state).hexdigest()


def format_commit_time(moment: datetime) -> str:
    """Fixed width, so that text order is time order: `strftime("%Y")` leaves a year before
    1000 unpadded, so the fields are written out here."""
    utc = moment.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond:06d}Z"
    )


def parse_commit_time(text: str) -> datetime:
    return datetime.strptime(text, COMMIT_TIME_FORMAT).replace(tzinfo=UTC)


def canonical_id(originator_id: UUID | str) -> str:
    """The stream id as the chain hashes it: the hyphenated UUID, whatever the database keeps."""
    return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))


@dataclass(frozen=True)
class ChainHead:
    position: int
    hash: str
    committed_at: str


@dataclass(frozen=True)
class ChainRecord:
    position: int
    originator_id: str
    originator_version: int
    committed_at: str
    previous_hash: str
    hash: str


ChainRow = tuple[int, str, int, str, str, str]


def link(
    head: ChainHead | None,
    positioned: Sequence[tuple[int, StoredEvent]],
    now: datetime,
) -> list[ChainRow]:
    """The chain rows (as ChainRecord's fields) of events just inserted, in position order,
    after `head`. The commit time is never earlier than the head's, so positions and commit
    times agree."""
    committed_at = format_commit_time(now)
    previous_hash = GENESIS_HASH
    if head is not None:
        committed_at = max(committed_at, head.committed_at)
        previous_hash = head.hash
    rows: list[ChainRow] = []
    ids: dict[Any, str] = {}
    plain_topics: dict[str, bool] = {}
    sha256 = hashlib.sha256
    for position, stored in sorted(positioned, key=lambda pair: pair[0]):
        originator_id = ids.get(stored.originator_id)
        if originator_id is None:
            originator_id = ids[stored.originator_id] = canonical_id(stored.originator_id)
        version, topic, state = stored.originator_version, stored.topic, bytes(stored.state)
        plain = plain_topics.get(topic)
        if plain is None:
            plain = plain_topics[topic] = _NEEDS_ESCAPING.search(topic) is None
        if plain:  # the header as chain_header writes it, inlined: this runs for every event
            header = (
                f'["{previous_hash}",{position},"{originator_id}",{version},'
                f'"{topic}","{committed_at}"]'
            )
        else:
            content = StoredContent(position, originator_id, version, topic, committed_at, state)
            header = chain_header(previous_hash, content)
        digest = sha256(header.encode("utf-8") + b"\n" + state).hexdigest()
        rows.append((position, originator_id, version, committed_at, previous_hash, digest))
        previous_hash = digest
    return rows


def commit_time_now() -> datetime:
    return datetime.now(tz=UTC)


# A save of any size is one transaction (all or nothing); its events go to the database in
# statements of at most this many, because one statement of several megabytes stalls the
# PostgreSQL driver (docs/decisions.md).
STATEMENT_EVENTS = 10_000


def statement_chunks(
    stored_events: Sequence[StoredEvent], statement_events: int
) -> Iterator[Sequence[StoredEvent]]:
    for start in range(0, len(stored_events), max(1, statement_events)):
        yield stored_events[start : start + max(1, statement_events)]


# ---- SQLite ---------------------------------------------------------------------------------

SQLITE_CHAIN_TABLE = f"""
CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (
    position INTEGER PRIMARY KEY,
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    committed_at TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
)"""
SQLITE_REPORT_FILES_TABLE = f"""
CREATE TABLE IF NOT EXISTS {REPORT_FILES_TABLE} (
    sha256 TEXT PRIMARY KEY,
    content BLOB NOT NULL
)"""
SQLITE_CHAIN_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {CHAIN_TABLE}_committed_at ON {CHAIN_TABLE} (committed_at)"
)


def _notifications(rows: Sequence[Any]) -> list[Notification]:
    """Rows of (position, stream id as hex, version, topic, state) as the library's
    notifications."""
    return [
        Notification(
            id=row[0],
            originator_id=UUID(row[1]),
            originator_version=row[2],
            topic=row[3],
            state=bytes(row[4]),
        )
        for row in rows
    ]


def sqlite_topic_index(events_table: str) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {index_name(events_table)} ON {events_table} (topic) "
        f"WHERE {topics_condition()}"
    )


APPEND_ONLY_MESSAGE = "planledger: stored events are append-only; record a correcting event instead"


class StoredRow(NamedTuple):
    """One stored event as the database holds it, read without the library's decoding, so
    that `verify` can report a row that would not even decode (or decodes to another id)."""

    position: int
    originator_id: Any
    originator_version: Any
    topic: Any
    state: Any


LOWEST_POSITION = -(2**63)  # the ledger's positions start at 1; verify reads rows put below


def lower_bound(after: int | None) -> tuple[str, int]:
    """The comparison and value for "after this position"; None means from the lowest
    position a 64-bit column holds, itself included."""
    return (">=", LOWEST_POSITION) if after is None else (">", after)


def sqlite_insert_refused_when(table: str, has_rowid: bool) -> str:
    """When an INSERT into a guarded table is refused: when it would land on a stored row.

    The chain and the snapshots look the row up. The events table, where every lookup costs
    the ingest rate, refuses any row given a position (rowid) of its own: the ledger never
    gives one (SQLite shows an automatic rowid as -1 to the trigger). An event replaced by its
    stream id and version instead gets a new position at the end of the log, and the position
    it left is reported by `verify` as deleted, its chain record being untouchable.
    """
    if table == CHAIN_TABLE:
        return f"EXISTS (SELECT 1 FROM {table} WHERE position = NEW.position)"
    if table == REPORT_FILES_TABLE:
        return f"EXISTS (SELECT 1 FROM {table} WHERE sha256 = NEW.sha256)"
    if has_rowid:
        return "NEW.rowid <> -1"
    return (
        f"EXISTS (SELECT 1 FROM {table} WHERE originator_id = NEW.originator_id "
        "AND originator_version = NEW.originator_version)"
    )


def sqlite_guard_statements(table: str, has_rowid: bool = True) -> list[str]:
    """Triggers refusing UPDATE, DELETE and an INSERT over a stored row.

    The last closes `INSERT OR REPLACE`: SQLite carries it out as a delete and an insert
    without firing the DELETE trigger (unless the connection turns on recursive triggers), so
    without it a row could be rewritten in place with every other trigger standing.
    """

    def refuse(what: str) -> str:
        return f"SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} ({what} on {table} refused)')"

    statements = [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN {refuse(action)}; END"
        for action in ("UPDATE", "DELETE")
    ]
    statements.append(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN {sqlite_insert_refused_when(table, has_rowid)} "
        f"BEGIN {refuse('INSERT over a stored row')}; END"
    )
    return statements


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    """The built-in SQLite recorder, writing the chain in the events' transaction."""

    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements += [SQLITE_CHAIN_TABLE, SQLITE_CHAIN_INDEX, SQLITE_REPORT_FILES_TABLE]
        statements += [sqlite_topic_index(self.events_table_name)]
        statements += sqlite_guard_statements(self.events_table_name)
        statements += sqlite_guard_statements(CHAIN_TABLE)
        statements += sqlite_guard_statements(REPORT_FILES_TABLE)
        return statements

    def _insert_events(
        self,
        c: SQLiteCursor,
        stored_events: Sequence[StoredEvent],
        *,
        statement_events: int = STATEMENT_EVENTS,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """Every event of the save in this one transaction, in statements of bounded size."""
        positions: list[int] = []
        for chunk in statement_chunks(stored_events, statement_events):
            positions += self._insert_chunk(c, chunk)
        return positions

    def _insert_chunk(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        # Insert first: that takes the write lock, so nothing read next can move.
        positions = self._insert_stored_events(c, stored_events)
        c.execute(
            f"SELECT position, hash, committed_at FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
        )
        row = c.fetchone()
        head = ChainHead(row[0], row[1], row[2]) if row else None
        records = link(head, list(zip(positions, stored_events, strict=True)), commit_time_now())
        c.executemany(
            f"INSERT INTO {CHAIN_TABLE} VALUES (?,?,?,?,?,?)",
            records,
        )
        return positions

    def _insert_stored_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """Insert the events in one `executemany` and return their rowids (positions).

        The library inserts row by row to read each `lastrowid`. Under the write lock, SQLite
        gives each new row the largest rowid plus one (rows are never deleted here: the
        triggers refuse it), so the batch's rowids are the last `n` up to the new maximum;
        the count is checked rather than assumed.
        """
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute(f"SELECT MAX(rowid) FROM {self.events_table_name}")
        last = c.fetchone()[0]
        first = last - len(stored_events) + 1
        c.execute(
            f"SELECT COUNT(*) FROM {self.events_table_name} WHERE rowid >= ? AND rowid <= ?",
            [first, last],
        )
        if c.fetchone()[0] != len(stored_events):
            raise RuntimeError("the events' rowids are not consecutive; nothing was written")
        return list(range(first, last + 1))

    # ---- the issued reports' files ---------------------------------------------------------

    def keep_files(self, files: Sequence[tuple[str, bytes]]) -> int:
        """Insert each (SHA-256, bytes) not kept yet, in one transaction; how many were new.
        A file already kept is the same bytes: it is left as it is (the guard refuses an
        insert over it, so it is not even tried)."""
        new = 0
        with self.datastore.transaction(commit=True) as c:
            for digest, content in files:
                c.execute(
                    f"INSERT INTO {REPORT_FILES_TABLE} (sha256, content) SELECT ?, ? "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {REPORT_FILES_TABLE} WHERE sha256 = ?)",
                    [digest, content, digest],
                )
                c.execute("SELECT changes()")
                new += int(c.fetchone()[0])
        return new

    def kept_file(self, digest: str) -> bytes | None:
        rows = self._query(f"SELECT content FROM {REPORT_FILES_TABLE} WHERE sha256 = ?", [digest])
        return bytes(rows[0][0]) if rows else None

    def kept_files(self, after: str, limit: int) -> list[tuple[str, bytes]]:
        """Kept files in order of their digest, after `after` ("" for the first page)."""
        rows = self._query(
            f"SELECT sha256, content FROM {REPORT_FILES_TABLE} WHERE sha256 > ? "
            "ORDER BY sha256 LIMIT ?",
            [after, limit],
        )
        return [(str(digest), bytes(content)) for digest, content in rows]

    # ---- reads ------------------------------------------------------------------------------

    def _query(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return list(c.fetchall())

    def chain_head(self, position: int | None = None) -> ChainHead | None:
        where, params = ("WHERE position <= ? ", [position]) if position is not None else ("", [])
        rows = self._query(
            f"SELECT position, hash, committed_at FROM {CHAIN_TABLE} {where}"
            "ORDER BY position DESC LIMIT 1",
            params,
        )
        return ChainHead(rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def position_committed_by(self, committed_at: str) -> int:
        rows = self._query(
            f"SELECT MAX(position) FROM {CHAIN_TABLE} WHERE committed_at <= ?", [committed_at]
        )
        return int(rows[0][0] or 0)

    def version_at(self, originator_id: UUID, position: int) -> int | None:
        rows = self._query(
            f"SELECT originator_version FROM {self.events_table_name} "
            "WHERE originator_id = ? AND rowid <= ? ORDER BY originator_version DESC LIMIT 1",
            [originator_id.hex, position],
        )
        return int(rows[0][0]) if rows else None

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The log position of one event of a stream (None: no such event)."""
        rows = self._query(
            f"SELECT rowid FROM {self.events_table_name} "
            "WHERE originator_id = ? AND originator_version = ?",
            [originator_id.hex, version],
        )
        return int(rows[0][0]) if rows else None

    def chain_records(self, after: int | None, limit: int, stop: int) -> list[ChainRecord]:
        above, after = lower_bound(after)
        rows = self._query(
            f"SELECT position, originator_id, originator_version, committed_at, previous_hash, "
            f"hash FROM {CHAIN_TABLE} WHERE position {above} ? AND position <= ? "
            "ORDER BY position LIMIT ?",
            [after, stop, limit],
        )
        return [ChainRecord(*row) for row in rows]

    def stored_rows(
        self, after: int | None, limit: int, stop: int, topic: str | None = None
    ) -> list[StoredRow]:
        """Stored events after a position (None: from the lowest) up to `stop`, as the
        database holds them."""
        above, after = lower_bound(after)
        where, params = ("AND topic = ? ", [topic]) if topic is not None else ("", [])
        rows = self._query(
            f"SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE rowid {above} ? AND rowid <= ? {where}"
            "ORDER BY rowid LIMIT ?",
            [after, stop, *params, limit],
        )
        return [StoredRow(*row) for row in rows]

    @staticmethod
    def stored_id(originator_id: UUID) -> str:
        """A stream id as this database stores it (the library writes the bare hex)."""
        return originator_id.hex

    def stream_rows(
        self, originator_ids: Sequence[UUID], stop: int | None
    ) -> list[tuple[str, int, str, bytes]]:
        """Every event of the streams stored up to position `stop` (None: all), as the
        database holds them, by stream and version: (stored id, version, topic, state). One
        statement for them all, and no object a row (the library's `select_events` builds a
        stream id and a stored event for each)."""
        marks = ",".join("?" * len(originator_ids))
        bound, params = ("AND rowid <= ? ", [stop]) if stop is not None else ("", [])
        rows = self._query(
            f"SELECT originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE originator_id IN ({marks}) {bound}"
            "ORDER BY originator_id, originator_version",
            [*(stream.hex for stream in originator_ids), *params],
        )
        return [tuple(row) for row in rows]

    def commit_times(self, positions: Sequence[int]) -> dict[int, str]:
        if not positions:
            return {}
        rows = self._query(
            f"SELECT position, committed_at FROM {CHAIN_TABLE} "
            "WHERE position >= ? AND position <= ?",
            [min(positions), max(positions)],
        )
        return {int(position): committed_at for position, committed_at in rows}

    def select_indexed_topics(
        self, topics: Sequence[str], after: int, limit: int, stop: int
    ) -> list[Notification]:
        """The notifications of these topics (each one of `INDEXED_TOPICS`) after a position
        up to `stop`, in log order, read by the partial index (adapters/store/topic_index.py)."""
        marks = ",".join("?" * len(topics))
        rows = self._query(
            f"SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE {topics_condition()} AND topic IN ({marks}) "
            "AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
            [*topics, after, stop, limit],
        )
        return _notifications(rows)

    def select_stream_notifications(
        self, originator_ids: Sequence[UUID], after: int, limit: int, stop: int | None = None
    ) -> list[Notification]:
        """The notifications of the given streams after a position, in log order."""
        marks = ",".join("?" * len(originator_ids))
        rows = self._query(
            f"SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} WHERE originator_id IN ({marks}) AND rowid > ? "
            "AND rowid <= ? ORDER BY rowid LIMIT ?",
            [*(stream.hex for stream in originator_ids), after, stop or 2**62, limit],
        )
        return _notifications(rows)

    def install_guards(self, tables: Sequence[str]) -> None:
        # BEGIN IMMEDIATE: the write lock first (waiting out the busy timeout), since a
        # transaction that reads the schema and then writes cannot wait for a concurrent
        # writer in WAL mode and would fail with "database is locked".
        with self.datastore.get_connection(commit=True) as connection:
            c = connection.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                for table in tables:
                    c.execute(
                        "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", [table]
                    )
                    has_rowid = "WITHOUT ROWID" not in c.fetchone()[0].upper()
                    for statement in sqlite_guard_statements(table, has_rowid):
                        c.execute(statement)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()


# ---- the guards in place? (opening a ledger runs no DDL when they are) ----------------------

SQLITE_GUARDED_TABLES = ("stored_events", "stored_snapshots", CHAIN_TABLE, REPORT_FILES_TABLE)
POSTGRES_GUARDED_TABLES = (
    "planledger_events",
    "planledger_snapshots",
    CHAIN_TABLE,
    REPORT_FILES_TABLE,
)
DDL_LOCK_NAME = "ddl"  # the advisory lock that processes opening one ledger at once share


def sqlite_guard_triggers() -> list[str]:
    """Every trigger the SQLite guards create (they exist only once the tables do)."""
    actions = ("no_update", "no_delete", "no_replace")
    return [f"{table}_{action}" for table in SQLITE_GUARDED_TABLES for action in actions]


def postgres_guard_triggers() -> list[str]:
    actions = ("append_only", "no_truncate")
    return [f"{table}_{action}" for table in POSTGRES_GUARDED_TABLES for action in actions]


# ---- PostgreSQL -----------------------------------------------------------------------------


def advisory_lock_key(schema: str, table: str) -> int:
    """A stable signed 64-bit key for the writers' lock of one ledger (schema and table)."""
    digest = hashlib.sha256(f"planledger:{schema}.{table}".encode()).digest()
    return int(struct.unpack(">q", digest[:8])[0])
