"""The ingest benchmark's second baseline (`scripts/bench.py`, its default mode): a raw
`executemany` of the ledger's own stored rows into the same kind of database.

After the ledger's run, the rows it stored (stream id, version, topic, state: the events
table's columns, the very bytes) are read back, untimed, and inserted again into a fresh
events table made by the event library's own DDL (the same columns, primary key and, on
PostgreSQL, the notification id's sequence and unique index), on a connection set up as the
library sets its own (SQLite in WAL mode). The insert is the database driver's `executemany`,
in statements of `STATEMENT_ROWS` rows, all in one transaction, as the ledger saves a command's
events: no hash chain, no guard triggers, no domain and no JSON. It is the physical limit of
writing these rows here; the goal is a ledger at least a quarter of its rate.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any
from uuid import UUID

from adapters.application.compose import opened
from adapters.store.chain import STATEMENT_EVENTS
from adapters.store.persistence import parse_database_url

STATEMENT_ROWS = STATEMENT_EVENTS
READ_PAGE_ROWS = 50_000
EXECUTEMANY_GOAL = 0.25


def ledger_rows(url: str, after_position: int) -> list[tuple[Any, int, str, bytes]]:
    """The ledger's stored rows after a position, as the events table holds them."""
    rows: list[tuple[Any, int, str, bytes]] = []
    with opened(url, "bench") as ledger:
        recorder: Any = ledger.store.recorder
        stop = ledger.store.head_position()
        after = after_position
        while after < stop:
            page = recorder.stored_rows(after, READ_PAGE_ROWS, stop)
            if not page:
                break
            rows += [
                (row.originator_id, row.originator_version, row.topic, bytes(row.state))
                for row in page
            ]
            after = page[-1].position
    return rows


def run_raw_executemany(
    bench: Any, kind: str, folder: Any, name: str, rows: list[tuple[Any, int, str, bytes]]
) -> dict[str, float]:
    """Insert `rows` with `executemany` into a new events table; time the insert and commit."""
    target = parse_database_url(bench.database_url(kind, folder, name))
    environment = dict(target.environment)
    environment.pop("APPLICATION_RECORDER_TOPIC", None)
    if target.is_postgres:
        environment["POSTGRES_SCHEMA"] = f"rawbench_{uuid.uuid4().hex[:8]}"
        bench.create_schema(target, environment["POSTGRES_SCHEMA"])
        # The library's column is a uuid, sent by the driver in binary, as the ledger does.
        rows = [(UUID(str(row[0])), *row[1:]) for row in rows]
    app = bench.RawApplication(env=environment)  # creates the table with the library's DDL
    recorder: Any = app.recorder
    table = recorder.events_table_name
    if target.is_postgres:
        table = f'"{environment["POSTGRES_SCHEMA"]}"."{table}"'
        statement = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)"
        )
    else:
        statement = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)"
        )
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        with recorder.datastore.transaction(commit=True) as cursor:
            for first in range(0, len(rows), STATEMENT_ROWS):
                cursor.executemany(statement, rows[first : first + STATEMENT_ROWS])
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        app.close()
    state_bytes = sum(len(row[3]) for row in rows)
    return {
        "events": len(rows),
        "state_bytes": state_bytes,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # this process's alone: on PostgreSQL the server's is not in it
        "events_per_second": len(rows) / seconds,
    }


def print_executemany(result: dict[str, Any]) -> None:
    runs = result["raw_executemany_runs"]
    print(
        f"raw executemany:    {result['raw_executemany_events_per_second']:,.0f} events/s "
        f"(the ledger's {runs[0]['events']:,} rows, {runs[0]['state_bytes'] / 2**20:,.0f} MiB "
        f"of state, mean of {len(runs)} runs)"
    )
    print(
        f"ratio ledger/executemany: {result['ratio_ledger_to_executemany']:.2f}  "
        f"(goal: at least {EXECUTEMANY_GOAL})"
    )
    ledger, library = result["ledger"], result["raw_library_runs"]
    print(
        f"this process's CPU per event: ledger {cpu_per_event(ledger) * 1e6:.1f} µs, library "
        f"{statistics.mean(map(cpu_per_event, library)) * 1e6:.1f} µs, "
        f"executemany {statistics.mean(map(cpu_per_event, runs)) * 1e6:.1f} µs"
        + ("  (the server's not counted)" if result["database"] == "postgres" else "")
    )


def cpu_per_event(run: dict[str, Any]) -> float:
    """This process's CPU seconds per event: steadier than wall-clock time on a shared machine,
    and all of the work on SQLite (on PostgreSQL the server's is elsewhere)."""
    return float(run.get("cpu_seconds", float("nan"))) / float(run["events"])
