"""The hash chain on PostgreSQL: the recorder that links each event as it is stored.

Apart from adapters/store/chain.py (the chain itself and the SQLite recorder), so that a
command on SQLite never loads psycopg and the PostgreSQL module of the event library: persistence
names this recorder by its topic, imported only for a `postgresql://` ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from adapters.store.chain import (
    APPEND_ONLY_MESSAGE,
    CHAIN_TABLE,
    REPORT_FILES_TABLE,
    STATEMENT_EVENTS,
    ChainHead,
    ChainRecord,
    StoredRow,
    advisory_lock_key,
    commit_time_now,
    link,
    lower_bound,
    statement_chunks,
)
from adapters.store.topic_index import index_name, topics_condition


def _notifications(rows: Sequence[Any]) -> list[Notification]:
    """Rows of the events table (as dicts) as the library's notifications."""
    return [
        Notification(
            id=row["notification_id"],
            originator_id=row["originator_id"],
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
        )
        for row in rows
    ]


STANDBY_STATE_QUERY = (
    "SELECT pg_is_in_recovery() AS standby, pg_last_xact_replay_timestamp() AS reached"
)


def as_uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """The built-in PostgreSQL recorder, writing the chain in the events' transaction.

    Writers serialize on a transaction-level advisory lock instead of `LOCK TABLE … IN
    EXCLUSIVE MODE`: the effect for the notification order is the same (one writer at a time,
    ids issued in commit order), and it needs no UPDATE privilege, so the ledger can run as a
    role that may only SELECT and INSERT its events (docs/audit.md §3).
    """

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(datastore.schema)
        self.chain_table = SQL("{0}.{1}").format(schema, Identifier(CHAIN_TABLE))
        self.files_table = SQL("{0}.{1}").format(schema, Identifier(REPORT_FILES_TABLE))
        self.lock_table_statements = [
            # Read committed whatever the server's default: under repeatable read the snapshot
            # would be taken before the lock is granted, and the head read after it stale.
            SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
            SQL("SET LOCAL lock_timeout = '{0}s'").format(datastore.lock_timeout),
            SQL("SELECT pg_advisory_xact_lock({0})").format(
                Literal(advisory_lock_key(datastore.schema, events_table_name))
            ),
        ]
        assert datastore.originator_id_type == "uuid", "the ledger's stream ids are UUIDs"
        self.insert_unnested_statement = SQL(
            "INSERT INTO {0}.{1} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id, originator_id, originator_version"
        ).format(schema, Identifier(events_table_name))
        self.insert_chain_statement = SQL(
            "INSERT INTO {0} (position, originator_id, originator_version, committed_at, "
            "previous_hash, hash) SELECT * FROM unnest(%b::bigint[], %b::text[], %b::bigint[], "
            "%b::text[], %b::text[], %b::text[])"
        ).format(self.chain_table)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} ("
                "position bigint PRIMARY KEY, originator_id text NOT NULL, "
                "originator_version bigint NOT NULL, committed_at text NOT NULL, "
                "previous_hash text NOT NULL, hash text NOT NULL)"
            ).format(self.chain_table),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (committed_at)").format(
                Identifier(f"{CHAIN_TABLE}_committed_at"), self.chain_table
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (sha256 text PRIMARY KEY, content bytea NOT NULL)"
            ).format(self.files_table),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1}.{2} (topic) WHERE {3}").format(
                Identifier(index_name(events_table_name)),
                schema,
                Identifier(events_table_name),
                SQL(topics_condition()),  # literals of our own, never input
            ),
        ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        statement_events: int = STATEMENT_EVENTS,
        **kwargs: Any,
    ) -> Sequence[int] | None:
        """The events and their chain records in one ordinary transaction, however many: a
        save is all or nothing. They are sent in statements of at most `statement_events`.

        The library pipelines its statements; with a batch of several megabytes (an accrual
        run of a hundred classes, about 10,000 events) psycopg's pipeline never returns from
        its sync, the server waiting on the client (a test writes such a batch). A handful of
        round trips per batch of thousands of events costs nothing measurable, so the ledger
        does without the pipeline.
        """
        if not stored_events:
            return []
        positions: list[int] = []
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            for chunk in statement_chunks(stored_events, statement_events):
                # Columns as arrays in binary form (the `%b` placeholders: `binary=True` asks
                # only for binary results): an array sent as text is escaped item by item in
                # Python, about 17 µs per event for the state's bytes alone; the library's
                # composite-type array is dumped as escaped text too.
                curs.execute(
                    self.insert_unnested_statement,
                    [
                        [stored.originator_id for stored in chunk],
                        [stored.originator_version for stored in chunk],
                        [stored.topic for stored in chunk],
                        [bytes(stored.state) for stored in chunk],
                    ],
                    binary=True,
                )
                positions += self._fetch_ids_after_insert_events(curs, chunk, **kwargs) or []
        return positions

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        rows = curs.fetchall()
        if len(rows) != len(stored_events):
            raise RuntimeError(f"got {len(rows)} notification ids for {len(stored_events)} events")
        # Keyed by UUID (the column's type, as psycopg returns it), not by its text: writing
        # two UUIDs out as text per event cost a tenth of the insert.
        by_identity = {
            (as_uuid(stored.originator_id), stored.originator_version): stored
            for stored in stored_events
        }
        positioned = [
            (
                row["notification_id"],
                by_identity[(as_uuid(row["originator_id"]), row["originator_version"])],
            )
            for row in rows
        ]
        curs.execute(
            SQL(
                "SELECT position, hash, committed_at FROM {0} ORDER BY position DESC LIMIT 1"
            ).format(self.chain_table)
        )
        head_row = curs.fetchone()
        head = (
            ChainHead(head_row["position"], head_row["hash"], head_row["committed_at"])
            if head_row
            else None
        )
        records = link(head, positioned, commit_time_now())
        # One statement over arrays, as the library inserts the events themselves: a batch of
        # thousands of rows costs one round trip instead of one per row.
        columns = [list(column) for column in zip(*records, strict=True)]
        curs.execute(self.insert_chain_statement, columns, binary=True)
        return [row["notification_id"] for row in rows]

    # ---- the issued reports' files ---------------------------------------------------------

    def keep_files(self, files: Sequence[tuple[str, bytes]]) -> int:
        """Insert each (SHA-256, bytes) not kept yet, in one transaction; how many were new.
        ON CONFLICT DO NOTHING needs the INSERT privilege alone: the writer role may keep."""
        new = 0
        with self.datastore.transaction(commit=True) as curs:
            for digest, content in files:
                curs.execute(
                    SQL(
                        "INSERT INTO {0} (sha256, content) VALUES (%s, %s) "
                        "ON CONFLICT (sha256) DO NOTHING"
                    ).format(self.files_table),
                    [digest, content],
                )
                new += max(curs.rowcount, 0)
        return new

    def kept_file(self, digest: str) -> bytes | None:
        rows = self._query(
            SQL("SELECT content FROM {0} WHERE sha256 = %s").format(self.files_table), [digest]
        )
        return bytes(rows[0]["content"]) if rows else None

    def kept_files(self, after: str, limit: int) -> list[tuple[str, bytes]]:
        """Kept files in order of their digest, after `after` ("" for the first page)."""
        rows = self._query(
            SQL(
                "SELECT sha256, content FROM {0} WHERE sha256 > %s ORDER BY sha256 LIMIT %s"
            ).format(self.files_table),
            [after, limit],
        )
        return [(str(row["sha256"]), bytes(row["content"])) for row in rows]

    # ---- reads ------------------------------------------------------------------------------

    def _query(self, statement: Any, params: Sequence[Any] = ()) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return list(curs.fetchall())

    def standby_state(self) -> tuple[bool, datetime | None]:
        """Whether the server is a standby, and if so the primary's commit time of the last
        transaction replayed here (None: none yet). WAL is replayed in the primary's commit
        order, so the state here is the primary's state right after that commit
        (docs/decisions.md S1)."""
        rows = self._query(SQL(STANDBY_STATE_QUERY))
        return bool(rows[0]["standby"]), rows[0]["reached"]

    def chain_head(self, position: int | None = None) -> ChainHead | None:
        statement = SQL("SELECT position, hash, committed_at FROM {0}").format(self.chain_table)
        params: list[Any] = []
        if position is not None:
            statement += SQL(" WHERE position <= %s")
            params.append(position)
        statement += SQL(" ORDER BY position DESC LIMIT 1")
        rows = self._query(statement, params)
        if not rows:
            return None
        return ChainHead(rows[0]["position"], rows[0]["hash"], rows[0]["committed_at"])

    def position_committed_by(self, committed_at: str) -> int:
        rows = self._query(
            SQL("SELECT MAX(position) AS position FROM {0} WHERE committed_at <= %s").format(
                self.chain_table
            ),
            [committed_at],
        )
        return int(rows[0]["position"] or 0)

    def version_at(self, originator_id: UUID, position: int) -> int | None:
        rows = self._query(
            SQL(
                "SELECT originator_version FROM {0}.{1} WHERE originator_id = %s "
                "AND notification_id <= %s ORDER BY originator_version DESC LIMIT 1"
            ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
            [originator_id, position],
        )
        return int(rows[0]["originator_version"]) if rows else None

    def position_of(self, originator_id: UUID, version: int) -> int | None:
        """The log position of one event of a stream (None: no such event)."""
        rows = self._query(
            SQL(
                "SELECT notification_id FROM {0}.{1} WHERE originator_id = %s "
                "AND originator_version = %s"
            ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
            [originator_id, version],
        )
        return int(rows[0]["notification_id"]) if rows else None

    def chain_records(self, after: int | None, limit: int, stop: int) -> list[ChainRecord]:
        above, after = lower_bound(after)
        rows = self._query(
            SQL(
                "SELECT position, originator_id, originator_version, committed_at, "
                "previous_hash, hash FROM {0} WHERE position " + above + " %s "
                "AND position <= %s ORDER BY position LIMIT %s"
            ).format(self.chain_table),
            [after, stop, limit],
        )
        return [
            ChainRecord(
                row["position"],
                row["originator_id"],
                row["originator_version"],
                row["committed_at"],
                row["previous_hash"],
                row["hash"],
            )
            for row in rows
        ]

    def stored_rows(
        self, after: int | None, limit: int, stop: int, topic: str | None = None
    ) -> list[StoredRow]:
        """Stored events after a position (None: from the lowest) up to `stop`, as the
        database holds them."""
        above, after = lower_bound(after)
        statement = SQL(
            "SELECT notification_id, originator_id::text AS originator_id, originator_version, "
            "topic, state FROM {0}.{1} WHERE notification_id " + above + " %s "
            "AND notification_id <= %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        params: list[Any] = [after, stop]
        if topic is not None:
            statement += SQL(" AND topic = %s")
            params.append(topic)
        statement += SQL(" ORDER BY notification_id LIMIT %s")
        rows = self._query(statement, [*params, limit])
        return [
            StoredRow(
                row["notification_id"],
                row["originator_id"],
                row["originator_version"],
                row["topic"],
                row["state"],
            )
            for row in rows
        ]

    @staticmethod
    def stored_id(originator_id: UUID) -> str:
        """A stream id as this database gives it back as text (uuid: hyphenated)."""
        return str(originator_id)

    def stream_rows(
        self, originator_ids: Sequence[UUID], stop: int | None
    ) -> list[tuple[str, int, str, bytes]]:
        """Every event of the streams stored up to position `stop` (None: all), by stream and
        version: (stored id, version, topic, state), in one statement (chain.py's)."""
        statement = SQL(
            "SELECT originator_id::text AS originator_id, originator_version, topic, state "
            "FROM {0}.{1} WHERE originator_id = ANY(%s)"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        params: list[Any] = [list(originator_ids)]
        if stop is not None:
            statement += SQL(" AND notification_id <= %s")
            params.append(stop)
        statement += SQL(" ORDER BY originator_id, originator_version")
        return [
            (row["originator_id"], row["originator_version"], row["topic"], bytes(row["state"]))
            for row in self._query(statement, params)
        ]

    def commit_times(self, positions: Sequence[int]) -> dict[int, str]:
        if not positions:
            return {}
        rows = self._query(
            SQL(
                "SELECT position, committed_at FROM {0} WHERE position >= %s AND position <= %s"
            ).format(self.chain_table),
            [min(positions), max(positions)],
        )
        return {row["position"]: row["committed_at"] for row in rows}

    def select_indexed_topics(
        self, topics: Sequence[str], after: int, limit: int, stop: int
    ) -> list[Notification]:
        """The notifications of these topics (each one of `INDEXED_TOPICS`) after a position
        up to `stop`, in log order, read by the partial index (adapters/store/topic_index.py)."""
        rows = self._query(
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {0}.{1} WHERE {2} AND topic = ANY(%s) AND notification_id > %s "
                "AND notification_id <= %s ORDER BY notification_id LIMIT %s"
            ).format(
                Identifier(self.datastore.schema),
                Identifier(self.events_table_name),
                SQL(topics_condition()),  # literals of our own, never input
            ),
            [list(topics), after, stop, limit],
        )
        return _notifications(rows)

    def select_stream_notifications(
        self, originator_ids: Sequence[UUID], after: int, limit: int, stop: int | None = None
    ) -> list[Notification]:
        """The notifications of the given streams after a position, in log order."""
        rows = self._query(
            SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state "
                "FROM {0}.{1} WHERE originator_id = ANY(%s) AND notification_id > %s "
                "AND notification_id <= %s ORDER BY notification_id LIMIT %s"
            ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
            [list(originator_ids), after, stop or 2**62, limit],
        )
        return _notifications(rows)

    def install_guards(self, tables: Sequence[str]) -> None:
        schema = Identifier(self.datastore.schema)
        function = SQL("{0}.planledger_refuse_change").format(schema)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "CREATE OR REPLACE FUNCTION {0}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN RAISE EXCEPTION '{1} (% on % refused)', TG_OP, TG_TABLE_NAME "
                    "USING ERRCODE = 'insufficient_privilege'; END $$"
                ).format(function, SQL(APPEND_ONLY_MESSAGE))
            )
            for table in tables:
                target = SQL("{0}.{1}").format(schema, Identifier(table))
                curs.execute(
                    SQL(
                        "CREATE OR REPLACE TRIGGER {0} BEFORE UPDATE OR DELETE ON {1} "
                        "FOR EACH ROW EXECUTE FUNCTION {2}()"
                    ).format(Identifier(f"{table}_append_only"), target, function)
                )
                curs.execute(
                    SQL(
                        "CREATE OR REPLACE TRIGGER {0} BEFORE TRUNCATE ON {1} "
                        "FOR EACH STATEMENT EXECUTE FUNCTION {2}()"
                    ).format(Identifier(f"{table}_no_truncate"), target, function)
                )
