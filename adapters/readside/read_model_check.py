"""`planledger verify`, for the read models: every row recomputed from the log (docs/audit.md §3).

The read models are pure folds of the events (projections/rows.py), and every row keeps the
log position of the event that made it. So the rows each projection must hold at the position
it tracks can be made again from the events alone and compared with the stored ones, a window
of positions at a time (memory stays flat however long the log): a row changed, removed or
added behind the ledger's back is a finding naming its table and its row, whoever could write
to the table. A projection tracking a position past the end of the log, or rows made by events
past it, are evidence that the log lost its end: findings too, never OK.

The check reads only: it never creates a table (a ledger without read models has nothing to
check) and it sees the read models in one read transaction, so a catch-up committing while it
runs is seen whole or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, inspect, select
from sqlalchemy.engine import Connection

from adapters.readside.read_models import (
    POSITION,
    PROJECTION_TABLES,
    RELEVANT_TOPICS,
    SCHEMA_ROW,
    TABLES,
    read_model_engine,
)
from adapters.store.persistence import LedgerStore
from adapters.store.verify import Finding
from projections.journal import StreamContext
from projections.rows import (
    JOURNAL_LINES,
    MIRRORED_LINES,
    PROJECTIONS,
    Row,
    context_of_new_stream,
    mirrored_pair,
)

WINDOW = 5_000
SHOWN_PER_TABLE = 20  # findings named one by one per table; the rest are counted
# How a row is named in a finding: its key columns (the primary key where the table has one).
ROW_KEYS = {
    "provider_agreements": ("stream_id", "reference"),
    "journal_lines": ("entry_id", "line_no"),
}

Canonical = tuple[Any, ...]


@dataclass
class ReadModelCheck:
    tables: int = 0
    rows: int = 0
    positions: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    skipped: bool = False


def _canonical(table: Table, row: Any) -> Canonical:
    """A row as plain values in the table's column order, the same from the database (either
    backend) and from the projections."""
    values = []
    for column in table.columns:
        value = row[column.name]
        if isinstance(value, bool):
            value = int(value)
        elif isinstance(value, date):
            value = value.isoformat()
        values.append(value)
    return tuple(values)


def _key_columns(name: str, table: Table) -> tuple[str, ...]:
    return ROW_KEYS.get(name) or tuple(column.name for column in table.primary_key.columns)


class _Tables:
    """The stored and recomputed rows of one window of positions, compared table by table."""

    def __init__(self, result: ReadModelCheck, limits: dict[str, int]) -> None:
        self.result = result
        self.limits = limits  # table key → the position its projection is checked to
        self.shown: Counter[str] = Counter()
        self.hidden: Counter[str] = Counter()

    def compare(
        self, conn: Connection, low: int | None, high: int | None, expected: dict[str, list[Any]]
    ) -> None:
        """Rows with position in (low, high] (either end open when None)."""
        for name, limit in self.limits.items():
            table = TABLES[name]
            query = select(table)
            if low is not None:
                query = query.where(table.c[POSITION] > low)
            if high is not None:
                query = query.where(table.c[POSITION] <= high)
            stored = Counter(_canonical(table, row._mapping) for row in conn.execute(query))
            made = Counter(_canonical(table, row) for row in expected.get(name, []))
            self.result.rows += sum(stored.values())
            if stored != made:
                self._differences(name, table, made - stored, stored - made, limit)

    def _differences(
        self,
        name: str,
        table: Table,
        missing: Counter[Canonical],
        extra: Counter[Canonical],
        limit: int,
    ) -> None:
        columns = [column.name for column in table.columns]
        key_at = [columns.index(column) for column in _key_columns(name, table)]
        position_at = columns.index(POSITION)

        def key(row: Canonical) -> Canonical:
            return tuple(row[index] for index in key_at)

        made_by_key = {key(row): row for row in missing.elements()}
        for row in extra.elements():
            was = made_by_key.pop(key(row), None)
            if was is not None:
                changed = [
                    f"{column} is {row[index]!r}, the log gives {was[index]!r}"
                    for index, column in enumerate(columns)
                    if row[index] != was[index]
                ]
                self._add("read-model-changed", table, row[position_at], key(row), changed)
            elif row[position_at] > limit:
                self._add(
                    "read-model-inserted",
                    table,
                    row[position_at],
                    key(row),
                    [f"its position is past the {limit} its projection is checked to"],
                )
            else:
                self._add(
                    "read-model-inserted", table, row[position_at], key(row), ["no event made it"]
                )
        for row in made_by_key.values():
            self._add(
                "read-model-missing",
                table,
                row[position_at],
                key(row),
                ["the log makes it, the table lacks it"],
            )

    def _add(
        self, kind: str, table: Table, position: int, key: Canonical, details: list[str]
    ) -> None:
        if self.shown[table.name] >= SHOWN_PER_TABLE:
            self.hidden[table.name] += 1
            return
        self.shown[table.name] += 1
        named = ", ".join(str(part) for part in key)
        self.result.findings.append(
            Finding(kind, position, table.name, None, f"row {named}: {'; '.join(details)}")
        )

    def finish(self) -> None:
        for name, count in sorted(self.hidden.items()):
            self.result.findings.append(
                Finding("read-model-changed", None, name, None, f"and {count} more row(s)")
            )


@contextmanager
def _read_transaction(database_url: str) -> Iterator[Connection]:
    """One read-only transaction over the read models: a snapshot on both backends (SQLite
    in WAL mode, PostgreSQL at REPEATABLE READ), which a writer never waits for."""
    engine = read_model_engine(database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            else:
                conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()
    finally:
        engine.dispose()


def verify_read_models(store: LedgerStore, database_url: str) -> ReadModelCheck:
    """Compare every read-model row with the rows the log makes, up to the position each
    projection tracks (and the end of the log)."""
    result = ReadModelCheck()
    with _read_transaction(database_url) as conn:
        present = set(inspect(conn).get_table_names())
        tracking = TABLES["tracking"]
        if tracking.name not in present:
            result.skipped = True  # no read models were ever made here
            return result
        stored = dict(conn.execute(select(tracking.c.projection, tracking.c.position)).all())
        stored.pop(SCHEMA_ROW, None)
        head = store.head_position()  # after the tracking: a catch-up follows its events
        limits = _limits(result, stored, head)
        for name in list(limits):
            if TABLES[name].name not in present:
                result.findings.append(
                    Finding(
                        "read-model-missing", None, TABLES[name].name, None, "the table is gone"
                    )
                )
                del limits[name]
        result.tables = len(limits)
        _walk(store, conn, result, limits)
    return result


def _limits(result: ReadModelCheck, stored: dict[str, int], head: int) -> dict[str, int]:
    """Each table's position to check to: its projection's, never past the end of the log."""
    limits: dict[str, int] = {}
    for projection, tables in PROJECTION_TABLES.items():
        tracked = int(stored.get(projection, 0))
        result.positions[projection] = tracked
        if tracked > head:
            result.findings.append(
                Finding(
                    "read-model-ahead",
                    tracked,
                    TABLES["tracking"].name,
                    None,
                    f"projection {projection} has applied the log to position {tracked}, past "
                    f"its end at {head}: events were removed from the end of the log, or the "
                    "tracking was changed",
                )
            )
        for name in tables:
            limits[name] = min(tracked, head)
    return limits


def _walk(
    store: LedgerStore, conn: Connection, result: ReadModelCheck, limits: dict[str, int]
) -> None:
    tables = _Tables(result, limits)
    by_projection = {
        projection: min(limits.get(name, 0) for name in names)
        for projection, names in PROJECTION_TABLES.items()
        if all(name in limits for name in names)
    }
    contexts: dict[str, StreamContext] = {}
    stop, low = max(limits.values(), default=0), None
    position = 0
    while position < stop:
        notifications = store.recorder.select_notifications(
            start=position, limit=WINDOW, stop=stop, inclusive_of_start=False
        )
        if not notifications:
            break
        expected = _rows_of(store, notifications, by_projection, contexts, result)
        position = notifications[-1].id
        tables.compare(conn, low, position, expected)
        low = position
    tables.compare(conn, low, None, {})  # rows of no event up to here: past what is checked
    tables.finish()


def _rows_of(
    store: LedgerStore,
    notifications: Any,
    limits: dict[str, int],
    contexts: dict[str, StreamContext],
    result: ReadModelCheck,
) -> dict[str, list[dict[str, Any]]]:
    """The rows these events make, per table, for each projection checked past them."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for notification in notifications:
        if notification.topic not in RELEVANT_TOPICS:
            continue
        try:
            domain_event = store.mapper.to_domain_event(notification)
        except Exception as error:  # an edited event: the chain names it, here it is unchecked
            result.findings.append(
                Finding(
                    "read-model-unchecked",
                    notification.id,
                    str(notification.originator_id),
                    notification.originator_version,
                    f"the event cannot be read ({type(error).__name__}), so the rows it made "
                    "cannot be recomputed",
                )
            )
            continue
        created = context_of_new_stream(domain_event)
        if created is not None:
            contexts[created[0]] = created[1]
        context = contexts.get(str(domain_event.originator_id))
        if context is None:
            continue
        for projection, limit in limits.items():
            if notification.id <= limit:
                for table, made in _as_tables(PROJECTIONS[projection](domain_event, context)):
                    if isinstance(made, tuple):  # the table's columns in order, but the position
                        names = [column.name for column in TABLES[table].columns]
                        row = dict(zip(names, (*made, notification.id), strict=True))
                    else:
                        row = made
                        row[POSITION] = notification.id
                    rows.setdefault(table, []).append(row)
    return rows


def _as_tables(rows: list[Row]) -> Iterator[Row]:
    """The rows by the table that holds them: a mirrored fund line as its two journal lines
    (the fund's and the Distributor's), as the read models write them."""
    for table, made in rows:
        if table == MIRRORED_LINES:
            assert isinstance(made, tuple)
            for line in mirrored_pair(made):
                yield JOURNAL_LINES, line
        else:
            yield table, made
