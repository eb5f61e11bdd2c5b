"""A prototype of the per-stream chain's write path (docs/scaling.md, "Past one lock"), for the
writers bench only: nothing in the ledger uses it, and `verify` does not read what it writes.

Each event is linked to the previous event of its own stream, and those links are computed and
inserted before the save takes the log's lock (a writer of another stream cannot move them;
one of the same stream would fail on the stream's version, as it does today). Under the lock
remain what orders the log: the events' insert (their positions) and one save record per
transaction, chained to the previous save, holding the save's positions, its commit time and
the SHA-256 of its events' stream hashes in position order: one hash under the lock per save
instead of one per event.

    stream hash = SHA-256(JSON [previous stream hash, stream id, version, topic] + "\\n" + state)
    save hash   = SHA-256(JSON [previous save hash, first, last, committed_at, events digest])
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from psycopg.sql import SQL, Identifier

from adapters.store.chain import (
    GENESIS_HASH,
    STATEMENT_EVENTS,
    canonical_id,
    commit_time_now,
    format_commit_time,
    statement_chunks,
)

STREAM_CHAIN_TABLE = "planledger_stream_chain"
SAVES_TABLE = "planledger_saves"


def prototype_tables(recorder: Any) -> dict[str, Any]:
    schema = Identifier(recorder.datastore.schema)
    return {
        "streams": SQL("{0}.{1}").format(schema, Identifier(STREAM_CHAIN_TABLE)),
        "saves": SQL("{0}.{1}").format(schema, Identifier(SAVES_TABLE)),
    }


def create_tables(recorder: Any) -> None:
    """The prototype's tables (once, before the writers start: creating them together races)."""
    tables = prototype_tables(recorder)
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (originator_id uuid, originator_version bigint, "
                "previous_hash text NOT NULL, hash text NOT NULL, "
                "PRIMARY KEY (originator_id, originator_version))"
            ).format(tables["streams"])
        )
        curs.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0} (first_position bigint PRIMARY KEY, "
                "last_position bigint NOT NULL, committed_at text NOT NULL, "
                "events_digest text NOT NULL, previous_hash text NOT NULL, hash text NOT NULL)"
            ).format(tables["saves"])
        )


def install(recorder: Any, totals: dict[str, float]) -> None:
    """Make the recorder write through the prototype (its tables made by create_tables)."""
    tables = prototype_tables(recorder)

    def insert_events(
        stored_events: Sequence[Any], *, statement_events: int = STATEMENT_EVENTS, **_: Any
    ) -> list[int]:
        return write(recorder, tables, totals, stored_events, statement_events)

    recorder.insert_events = insert_events


def stream_links(curs: Any, streams_table: Any, stored_events: Sequence[Any]) -> dict[Any, str]:
    """Each event's stream hash, keyed by (stream id, version), after its stream's head."""
    ids = sorted({canonical_id(stored.originator_id) for stored in stored_events})
    curs.execute(
        SQL(
            "SELECT DISTINCT ON (originator_id) originator_id::text AS id, hash FROM {0} "
            "WHERE originator_id = ANY(%s::uuid[]) ORDER BY originator_id, originator_version DESC"
        ).format(streams_table),
        [ids],
    )
    heads = {row["id"]: row["hash"] for row in curs.fetchall()}
    links: dict[Any, str] = {}
    rows: list[tuple[str, int, str, str]] = []
    for stored in sorted(
        stored_events, key=lambda s: (canonical_id(s.originator_id), s.originator_version)
    ):
        stream, version = canonical_id(stored.originator_id), stored.originator_version
        previous = heads.get(stream, GENESIS_HASH)
        header = f'["{previous}","{stream}",{version},"{stored.topic}"]'
        digest = hashlib.sha256(header.encode() + b"\n" + bytes(stored.state)).hexdigest()
        rows.append((stream, version, previous, digest))
        links[(stream, version)] = heads[stream] = digest
    curs.execute(
        SQL(
            "INSERT INTO {0} SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::text[])"
        ).format(streams_table),
        [list(column) for column in zip(*rows, strict=True)],
        binary=True,
    )
    return links


def write(
    recorder: Any,
    tables: dict[str, Any],
    totals: dict[str, float],
    stored_events: Sequence[Any],
    statement_events: int,
) -> list[int]:
    if not stored_events:
        return []
    positioned: list[tuple[int, str]] = []
    with recorder.datastore.transaction(commit=True) as curs:
        curs.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        links = stream_links(curs, tables["streams"], stored_events)  # before the lock
        recorder._lock_table(curs)
        recorder._notify_channel(curs)
        for chunk in statement_chunks(stored_events, statement_events):
            curs.execute(
                recorder.insert_unnested_statement,
                [
                    [stored.originator_id for stored in chunk],
                    [stored.originator_version for stored in chunk],
                    [stored.topic for stored in chunk],
                    [bytes(stored.state) for stored in chunk],
                ],
                binary=True,
            )
            positioned += [
                (
                    row["notification_id"],
                    links[(str(row["originator_id"]), row["originator_version"])],
                )
                for row in curs.fetchall()
            ]
        started = time.perf_counter()
        save_record(curs, tables["saves"], sorted(positioned))
        totals["chain_seconds"] += time.perf_counter() - started
    return [position for position, _ in positioned]


def save_record(curs: Any, saves_table: Any, positioned: list[tuple[int, str]]) -> None:
    """The save's record, chained to the previous save's (under the lock: one per save)."""
    curs.execute(
        SQL("SELECT hash, committed_at FROM {0} ORDER BY first_position DESC LIMIT 1").format(
            saves_table
        )
    )
    head = curs.fetchone()
    previous, committed_at = GENESIS_HASH, format_commit_time(commit_time_now())
    if head is not None:
        previous, committed_at = head["hash"], max(committed_at, head["committed_at"])
    events_digest = hashlib.sha256("".join(link for _, link in positioned).encode()).hexdigest()
    first, last = positioned[0][0], positioned[-1][0]
    header = f'["{previous}",{first},{last},"{committed_at}","{events_digest}"]'
    digest = hashlib.sha256(header.encode()).hexdigest()
    curs.execute(
        SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s, %s, %s)").format(saves_table),
        [first, last, committed_at, events_digest, previous, digest],
    )
