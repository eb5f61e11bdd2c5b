"""Read models in SQL tables, kept current from the event log with tracking.

The runner pulls notifications from the event store in large batches (SQLite has no change
notifications, and pulling works the same on PostgreSQL), turns each event into rows with the
pure projections of projections/rows.py, and inserts the rows and its new tracking positions in
one transaction. A batch is therefore applied exactly once: if the process dies before the
commit, nothing of the batch was written and the next run starts from the same position.

Tables live in the ledger's own database (SQLite file, or the PostgreSQL schema), prefixed
`rm_`. Amounts are integer cents.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, Connection
from sqlalchemy.schema import CreateTable

from adapters.store.chain import advisory_lock_key
from adapters.store.persistence import DatabaseTarget, LedgerStore, parse_database_url
from projections.journal import DISTRIBUTOR, StreamContext
from projections.rows import (
    JOURNAL_LINES,
    MIRRORED_LINES,
    PROJECTIONS,
    Project,
    context_of_new_stream,
    projections_with_rows,
    relevant_topics,
)

metadata = MetaData()
NAME = String(200)

TABLES: dict[str, Table] = {
    "tracking": Table(
        "rm_tracking",
        metadata,
        Column("projection", String(50), primary_key=True),
        Column("position", BigInteger, nullable=False),
    ),
    "streams": Table(
        "rm_streams",
        metadata,
        Column("stream_id", String(36), primary_key=True),
        Column("kind", String(30), nullable=False),
        Column("fund_class", NAME, nullable=False),
        Column("provider", NAME, nullable=False),
        Column("company_code", NAME, nullable=False),
        # The names the books show as payees (the plan's Distributor, the dealer).
        Column("distributor_name", NAME, nullable=False),
        Column("fund_name", NAME, nullable=False),
        Column("provider_name", NAME, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
    "provider_agreements": Table(
        "rm_provider_agreements",
        metadata,
        Column("stream_id", String(36), nullable=False),
        Column("provider", NAME, nullable=False),
        Column("fund_class", NAME, nullable=False),
        Column("reference", NAME, nullable=False),
        Column("agreement_kind", String(1), nullable=False),
        Column("rate_annual", String(40), nullable=False),
        Column("effective_from", Date, nullable=False),
        Column("effective_to", Date),
        Column("position", BigInteger, nullable=False),
    ),
    "journal_entries": Table(
        "rm_journal_entries",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("business_date", Date, nullable=False, index=True),
        Column("recorded_at", String(40), nullable=False),
        Column("fund_class", NAME, nullable=False),
        Column("kind", String(30), nullable=False),
        Column("narration", Text, nullable=False),
        Column("actor", NAME, nullable=False),
        Column("source", Text, nullable=False),
        Column("fund_payee", NAME, nullable=False),
        Column("distributor_payee", NAME, nullable=False),
        Column("links", Text, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
    "journal_lines": Table(
        "rm_journal_lines",
        metadata,
        Column("entry_id", String(60), nullable=False, index=True),
        Column("line_no", Integer, nullable=False),
        Column("business_date", Date, nullable=False, index=True),
        Column("entity", String(20), nullable=False),
        Column("account", NAME, nullable=False),
        Column("debit_cents", BigInteger, nullable=False),
        Column("credit_cents", BigInteger, nullable=False),
        Column("position", BigInteger, nullable=False),
        # By account (a prefix serves a lookup of one account), then day, with the amounts:
        # an account's balance through a day is read from the index alone (the payables at
        # each month end that reconciliation compares, docs/reconciliation.md §5).
        Index(
            "ix_rm_journal_lines_account_day",
            "account",
            "business_date",
            "credit_cents",
            "debit_cents",
        ),
    ),
    "distributor_payments": Table(
        "rm_distributor_payments",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("fund_class", NAME, nullable=False, index=True),
        Column("paid_on", Date, nullable=False),
        Column("period_start", Date, nullable=False),
        Column("period_end_exclusive", Date, nullable=False),
        Column("amount_cents", BigInteger, nullable=False),
        Column("absc_cents", BigInteger, nullable=False),
        Column("service_cents", BigInteger, nullable=False),
        Column("is_advance", Boolean, nullable=False),
        Column("reference", NAME, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
    "service_fees": Table(
        "rm_service_fees",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("fund_class", NAME, nullable=False, index=True),
        Column("provider", NAME, nullable=False),
        Column("paid_on", Date, nullable=False),
        Column("period_start", Date, nullable=False),
        Column("period_end_exclusive", Date, nullable=False),
        Column("amount_cents", BigInteger, nullable=False),
        Column("cap_cents", BigInteger, nullable=False),
        Column("paid_or_advanced", String(10), nullable=False),
        Column("reference", NAME, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
    "expenditures": Table(
        "rm_expenditures",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("fund_class", NAME, nullable=False, index=True),
        Column("incurred_on", Date, nullable=False),
        Column("period_start", Date, nullable=False),
        Column("period_end_exclusive", Date, nullable=False),
        Column("purpose", String(60), nullable=False),
        Column("performer", String(20), nullable=False),
        Column("performer_name", NAME, nullable=False),
        Column("amount_cents", BigInteger, nullable=False),
        Column("description", Text, nullable=False),
        Column("reference", NAME, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
    "accruals": Table(
        "rm_accruals",
        metadata,
        Column("entry_id", String(60), primary_key=True),
        Column("fund_class", NAME, nullable=False, index=True),
        Column("business_date", Date, nullable=False, index=True),
        Column("month", String(7), nullable=False),
        Column("kind", String(10), nullable=False),
        Column("basis_cents", BigInteger, nullable=False),
        Column("days_in_year", Integer, nullable=False),
        Column("absc_rate_annual", String(40), nullable=False),
        Column("service_rate_annual", String(40), nullable=False),
        Column("absc_cents", BigInteger, nullable=False),
        Column("service_cents", BigInteger, nullable=False),
        Column("position", BigInteger, nullable=False),
    ),
}

# Which tables each projection writes (a rebuild of one projection empties only these).
PROJECTION_TABLES = {
    "streams": ["streams", "provider_agreements"],
    "journal": ["journal_entries", "journal_lines"],
    "payments": ["distributor_payments", "service_fees", "expenditures"],
    "accruals": ["accruals"],
}

# The log position of the event that produced each row: a query "as known at" position P
# keeps the rows with position <= P (docs/audit.md §1).
POSITION = "position"
# Where a batch's mirrored fund lines (projections/rows.py MIRRORED_LINES) wait, inside the
# batch's transaction, for the two `INSERT ... SELECT` that write each line and its mirror into
# the journal: a temporary table of the connection's own, emptied before the commit, so no other
# connection ever sees it and nothing of it is kept.
MIRRORED_STAGING = Table(
    "rm_mirrored_lines_staging",
    MetaData(),
    # The journal line's own columns (the same types, so the two never drift apart), then what
    # its mirror needs, then the position.
    *(
        Column(column.name, column.type, nullable=False)
        for column in TABLES["journal_lines"].columns
        if column.name != POSITION
    ),
    Column("mirror_line_no", Integer, nullable=False),
    Column("mirror_account", NAME, nullable=False),
    Column(POSITION, BigInteger, nullable=False),
    prefixes=["TEMPORARY"],
)


# Bumped when a table changes: read models of another schema are dropped and rebuilt from the
# log (they are derived; the events are not touched). 3: the journal's narrations show the
# periods paid for with both ends inclusive. 4: the fund's and the Distributor's books apart
# (each journal line's entity; payees and links on entries; the names on streams). 5: the
# journal lines indexed by account and day with their amounts (an account's balance through
# a day from the index alone).
SCHEMA_VERSION = 5
SCHEMA_ROW = "__schema__"
# Present while a rebuild has the tables' secondary indexes dropped: a rebuild killed before it
# recreated them leaves this row, and the next process to open the read models recreates them.
INDEXES_DROPPED_ROW = "__indexes_dropped__"

BATCH_NOTIFICATIONS = 5_000
TABLES_LOCK_NAME = "rm_tracking"  # the advisory lock of processes writing the read models
RELEVANT_TOPICS = relevant_topics()
RELEVANT_TOPICS_LIST = sorted(RELEVANT_TOPICS)
# Tests set this to make the runner die in the middle of a batch, before its commit.
CRASH_AFTER_ROWS_VARIABLE = "PLANLEDGER_TEST_CRASH_AFTER_ROWS"

Progress = Callable[[int, int], None]


def sqlalchemy_url(target: DatabaseTarget) -> URL:
    """The engine's URL, built field by field: a name holding `?`, `@` or `/` stays a name and
    cannot add a host or query parameter (and the URL object hides its password when shown)."""
    env = target.environment
    if target.sqlite_path is not None:
        return URL.create("sqlite", database=str(target.sqlite_path))
    return URL.create(
        "postgresql+psycopg",
        username=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        database=env["POSTGRES_DBNAME"],
    )


def read_model_engine(database_url: str) -> Engine:
    target = parse_database_url(database_url)
    if target.sqlite_path is not None:
        engine = create_engine(sqlalchemy_url(target), connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _no_sync_per_commit(dbapi_connection: Any, _record: Any) -> None:
            # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a power cut
            # may lose the last batches of read-model rows (with their tracking positions, in
            # the same transactions, so the next catch-up applies them again), never corrupt
            # the file. The events are written by the store's own connections, unaffected.
            dbapi_connection.execute("PRAGMA synchronous = NORMAL")

        return engine
    engine = create_engine(sqlalchemy_url(target), pool_size=2, max_overflow=2)
    if target.postgres_schema:
        schema = target.postgres_schema

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: Any, _record: Any) -> None:
            from psycopg import sql as psycopg_sql

            with dbapi_connection.cursor() as cursor:
                # Quoted by psycopg: a schema name cannot close the identifier and add SQL.
                cursor.execute(
                    psycopg_sql.SQL("SET search_path TO {}").format(psycopg_sql.Identifier(schema))
                )
            dbapi_connection.commit()

    return engine


@dataclass(frozen=True)
class CatchUp:
    events: int
    position: int


class ReadModels:
    """The read models of one ledger: their tables, their runner, and their queries."""

    def __init__(self, store: LedgerStore, engine: Engine) -> None:
        self.store = store
        self.engine = engine
        schema = getattr(store.recorder, "datastore", None)
        self.lock_key = advisory_lock_key(str(getattr(schema, "schema", "")), TABLES_LOCK_NAME)
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        tracking = TABLES["tracking"]
        with self.engine.begin() as conn:
            _serialize_writers(conn, self.lock_key)  # processes opening a new ledger together
            stored: dict[str, int] = {}
            if inspect(conn).has_table(tracking.name):
                stored = dict(
                    conn.execute(
                        select(tracking.c.projection, tracking.c.position).where(
                            tracking.c.projection.in_([SCHEMA_ROW, INDEXES_DROPPED_ROW])
                        )
                    ).all()
                )
                if stored.get(SCHEMA_ROW) != SCHEMA_VERSION:
                    metadata.drop_all(conn)
            if stored.get(SCHEMA_ROW) != SCHEMA_VERSION:
                metadata.create_all(conn)
                conn.execute(
                    insert(tracking).values(projection=SCHEMA_ROW, position=SCHEMA_VERSION)
                )
                return
        if INDEXES_DROPPED_ROW in stored:
            self._restore_indexes()

    def _restore_indexes(self) -> None:
        """Create every secondary index a rebuild dropped (those missing only), then clear
        the mark. Each step may be repeated: a process killed here leaves the mark, and the
        next one to open the read models finishes the work."""
        tracking = TABLES["tracking"]
        with self.engine.begin() as conn:
            for table in TABLES.values():
                for index in table.indexes:
                    index.create(conn, checkfirst=True)
            conn.execute(delete(tracking).where(tracking.c.projection == INDEXES_DROPPED_ROW))

    def positions(self, connection: Connection | None = None) -> dict[str, int]:
        with self._connection(connection) as conn:
            stored = dict(
                conn.execute(
                    select(TABLES["tracking"].c.projection, TABLES["tracking"].c.position)
                ).all()
            )
        return {name: int(stored.get(name, 0)) for name in PROJECTIONS}

    @contextmanager
    def _connection(self, connection: Connection | None) -> Iterator[Connection]:
        if connection is not None:
            yield connection
            return
        with self.engine.connect() as conn:
            yield conn

    def _contexts(self, conn: Connection) -> dict[str, StreamContext]:
        streams = TABLES["streams"]
        return {
            row.stream_id: StreamContext(
                row.fund_class,
                row.provider,
                distributor_name=row.distributor_name,
                fund_name=row.fund_name,
                provider_name=row.provider_name,
            )
            for row in conn.execute(
                select(
                    streams.c.stream_id,
                    streams.c.fund_class,
                    streams.c.provider,
                    streams.c.distributor_name,
                    streams.c.fund_name,
                    streams.c.provider_name,
                )
            )
        }

    def catch_up(
        self,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
        batch_size: int = BATCH_NOTIFICATIONS,
        until_position: int | None = None,
    ) -> CatchUp:
        """Apply every event not yet applied to the named projections (default: all), up to
        `until_position` (a notification id) if given."""
        chosen = list(names or PROJECTIONS)
        head = self.store.recorder.max_notification_id() or 0
        if until_position is not None:
            head = min(head, until_position)
        with self.engine.connect() as conn:  # not behind (most commands): nothing else to read
            stored = self.positions(conn)
        if min(stored[name] for name in chosen) >= head:
            return CatchUp(0, min(stored[name] for name in chosen))
        if self.store.standby() is not None:  # a replica: its read models are the primary's
            return CatchUp(0, min(stored[name] for name in chosen))
        positions, contexts = self._tracked(chosen)
        position = min(positions.values())
        start_position = position
        applied = 0
        while position < head:
            # Only the events some projection reads (the database skips net assets, the
            # boards, the registry: about two in five of the log, neither sent nor decoded).
            notifications = self.store.recorder.select_notifications(
                start=position,
                limit=batch_size,
                stop=head,
                topics=RELEVANT_TOPICS_LIST,
                inclusive_of_start=False,
            )
            # A full page covers the log up to its last event; a short one, up to the head.
            last = notifications[-1].id if len(notifications) == batch_size else head
            if self._apply_batch(notifications, last, positions, contexts):
                applied += last - position  # the log's positions covered, read or skipped
            else:  # another process applied events meanwhile: go on from where it left off
                positions, contexts = self._tracked(chosen)
            position = min(positions.values())
            if progress is not None:
                progress(position - start_position, head - start_position)
        if applied >= batch_size:
            self._analyze(chosen)
        return CatchUp(applied, position)

    def _analyze(self, names: Sequence[str]) -> None:
        """PostgreSQL: refresh the planner's statistics of tables just loaded in bulk (a
        rebuild, a first catch-up), rather than leave the queries that follow to be planned
        on none until autovacuum comes round."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            for name in names:
                for table in PROJECTION_TABLES[name]:
                    conn.execute(text(f"ANALYZE {TABLES[table].name}"))

    def _tracked(self, names: Sequence[str]) -> tuple[dict[str, int], dict[str, StreamContext]]:
        """The named projections' positions and the streams' contexts, as stored now."""
        with self.engine.connect() as conn:
            stored = self.positions(conn)
            return {name: stored[name] for name in names}, self._contexts(conn)

    def _apply_batch(
        self,
        notifications: Sequence[Any],
        last: int,
        positions: dict[str, int],
        contexts: dict[str, StreamContext],
    ) -> bool:
        """Insert the batch's rows and advance the positions to `last`, unless another process
        moved them since they were read (False: nothing written, read them again).

        Processes catching up at once are serialized here, under the read models' lock, and
        the positions are checked under it: the rows are computed outside the lock, and a
        batch another process has applied meanwhile is dropped rather than inserted twice.
        """
        rows = self._rows_of(notifications, positions, contexts) if notifications else {}
        crash_after = int(os.environ.get(CRASH_AFTER_ROWS_VARIABLE, "0") or 0)
        with self.engine.begin() as conn:
            _serialize_writers(conn, self.lock_key)
            stored = self.positions(conn)
            if any(stored[name] != position for name, position in positions.items()):
                return False
            inserted = 0
            for table, table_rows in rows.items():
                if table == MIRRORED_LINES:
                    _insert_mirrored(conn, table_rows)
                else:
                    _insert_many(conn, TABLES[table], table_rows)
                inserted += len(table_rows)
                if crash_after and inserted >= crash_after:
                    os._exit(70)  # simulate a crash between the inserts and the commit
            for name in positions:
                _set_position(conn, name, last)
        for name in positions:
            positions[name] = last
        return True

    def _rows_of(
        self,
        notifications: Sequence[Any],
        positions: dict[str, int],
        contexts: dict[str, StreamContext],
    ) -> dict[str, list[Any]]:
        """The rows the batch adds, per table, for each projection not yet past each event."""
        rows: dict[str, list[Any]] = {table: [] for table in (*TABLES, MIRRORED_LINES)}
        to_domain_event = self.store.mapper.to_domain_event
        # In a rebuild (or a catch-up of projections at one position) every projection is due
        # on every event of the page: those with rows for an event's class are chosen once per
        # class, not compared on each event (nor called for no rows).
        all_due = all(position < notifications[0].id for position in positions.values())
        due_by_class: dict[type, list[Project]] = {}
        for notification in notifications:
            if notification.topic not in RELEVANT_TOPICS:
                continue
            domain_event = to_domain_event(notification)
            created = context_of_new_stream(domain_event)
            if created is not None:
                contexts[created[0]] = created[1]
            context = contexts.get(str(domain_event.originator_id))
            if context is None:
                continue  # boards, the registry, market data: no read-model rows
            position = notification.id
            event_class = type(domain_event)
            if not all_due:
                projections = _due(positions, position, event_class)
            elif event_class in due_by_class:
                projections = due_by_class[event_class]
            else:
                projections = due_by_class[event_class] = _due(positions, position, event_class)
            for project in projections:
                for table, row in project(domain_event, context):
                    if isinstance(row, tuple):  # in column order; the position is the last
                        rows[table].append((*row, position))
                    else:
                        row[POSITION] = position
                        rows[table].append(row)
        return {table: table_rows for table, table_rows in rows.items() if table_rows}

    def rebuild(
        self,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
        until_position: int | None = None,
    ) -> CatchUp:
        """Empty the named projections' tables and apply the log again (all of it, or up to a
        notification id)."""
        chosen = list(names or PROJECTIONS)
        tables = [TABLES[table] for name in chosen for table in PROJECTION_TABLES[name]]
        with self.engine.begin() as conn:
            # The mark first, in the transaction that drops the indexes: a kill at any later
            # moment leaves it, and whoever opens the read models next recreates them.
            _set_position(conn, INDEXES_DROPPED_ROW, 1)
            for table in tables:
                conn.execute(delete(table))
                # Loading into a table without its secondary indexes, then indexing it once,
                # is several times faster than keeping the indexes up to date row by row.
                # (checkfirst: a rebuild killed before may have left some of them dropped.)
                for index in table.indexes:
                    index.drop(conn, checkfirst=True)
            for name in chosen:
                _set_position(conn, name, 0)
        try:
            return self.catch_up(chosen, progress, until_position=until_position)
        finally:
            self._restore_indexes()

    def row_counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in TABLES.items()
            }

    def close(self) -> None:
        self.engine.dispose()


def _due(positions: dict[str, int], position: int, event_class: type) -> list[Project]:
    """The chosen projections that have not yet applied the event at `position` and may turn
    an event of its class into rows."""
    return [
        PROJECTIONS[name]
        for name in projections_with_rows(event_class)
        if name in positions and position > positions[name]
    ]


def _insert_many(conn: Connection, table: Table, rows: list[Any]) -> None:
    """Insert rows (dicts by column name, or tuples in column order) with the driver's
    executemany: for append-only bulk loads the SQL expression layer's per-row parameter
    processing costs more than the database itself."""
    columns = [column.name for column in table.columns]
    values = rows if isinstance(rows[0], tuple) else list(map(itemgetter(*columns), rows))
    if conn.dialect.name == "postgresql":
        _copy_many(conn, table, columns, values)
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(marker for _ in columns)})"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(statement, values)
    finally:
        cursor.close()


def _insert_mirrored(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """The fund's lines and the Distributor's mirror of each, into the journal: the rows
    (projections/rows.py `mirrored_pair`) bound once, into the connection's temporary table,
    and each line written twice by the database, once as it is and once mirrored (half the
    rows a rebuild would otherwise bind and send)."""
    staging, lines = MIRRORED_STAGING, TABLES[JOURNAL_LINES]
    conn.execute(CreateTable(staging, if_not_exists=True))
    _insert_many(conn, staging, rows)
    columns = ", ".join(column.name for column in lines.columns)
    mirror_columns = (  # the Distributor's debit is the fund's credit
        "entry_id, mirror_line_no, business_date, :entity, mirror_account, credit_cents, "
        "debit_cents, position"
    )
    for selected in (columns, mirror_columns):
        written = conn.execute(
            text(f"INSERT INTO {lines.name} ({columns}) SELECT {selected} FROM {staging.name}"),
            {"entity": DISTRIBUTOR},
        ).rowcount
        assert written == len(rows), (written, len(rows))
    # Emptied before the commit: on PostgreSQL by TRUNCATE, as a temporary table's deleted
    # rows would stay in it (autovacuum does not see temporary tables) and slow each batch.
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"TRUNCATE {staging.name}"))
    else:
        conn.execute(delete(staging))


def _copy_many(
    conn: Connection, table: Table, columns: list[str], values: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: the rows through COPY, in the transaction of the batch. An executemany sends
    each row as its own statement; COPY streams them, several times faster for a rebuild."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def _serialize_writers(conn: Connection, lock_key: int) -> None:
    """Begin the transaction holding the read models' write lock, waiting for it: PostgreSQL's
    transaction-level advisory lock; on SQLite the database's write lock (BEGIN IMMEDIATE,
    waiting out the busy timeout; a transaction that read before writing could not wait)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _set_position(conn: Connection, name: str, position: int) -> None:
    tracking = TABLES["tracking"]
    updated = conn.execute(
        tracking.update().where(tracking.c.projection == name).values(position=position)
    )
    if updated.rowcount == 0:
        conn.execute(insert(tracking).values(projection=name, position=position))
