"""The bytes a ledger takes, by part: the log (events, their chain, snapshots, the issued
reports' files) and the read models, each per event of the log. docs/scaling.md builds its
sizes from these figures.

SQLite: the `dbstat` table (pages of each table and index). PostgreSQL: `pg_total_relation_size`
of each table of the ledger's schema (its indexes and TOAST included).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from adapters.store.persistence import parse_database_url, psycopg_conninfo

READ_MODEL_PREFIX = "rm_"  # every read model's table; the rest is the log and its guards


def is_log_table(name: str) -> bool:
    """Whether a table belongs to the log (events, chain, snapshots, issued files, the
    schema) rather than the read models."""
    return not name.lower().startswith(READ_MODEL_PREFIX)


def sqlite_table_bytes(path: str) -> dict[str, int]:
    """Each table's bytes, its indexes counted with it."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        indexes = dict(connection.execute("SELECT name, tbl_name FROM sqlite_schema"))
        sizes: dict[str, int] = {}
        for name, pages_bytes in connection.execute(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"
        ):
            table = indexes.get(name, name)
            sizes[table] = sizes.get(table, 0) + int(pages_bytes)
        return sizes
    finally:
        connection.close()


def postgres_table_bytes(url: str) -> dict[str, int]:
    target = parse_database_url(url)
    schema = target.environment.get("POSTGRES_SCHEMA", "public")
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
            [schema],
        ).fetchall()
    return {str(name): int(size) for name, size in rows}


def storage(url: str, events: int) -> dict[str, Any]:
    """The log's and the read models' bytes, in all and per event."""
    if url.startswith("sqlite"):
        tables = sqlite_table_bytes(url.removeprefix("sqlite:///"))
    else:
        tables = postgres_table_bytes(url)
    log_bytes = sum(size for name, size in tables.items() if is_log_table(name))
    read_model_bytes = sum(size for name, size in tables.items() if not is_log_table(name))
    return {
        "events": events,
        "log_bytes": log_bytes,
        "read_model_bytes": read_model_bytes,
        "log_bytes_per_event": log_bytes / events,
        "read_model_bytes_per_event": read_model_bytes / events,
        "tables": dict(sorted(tables.items())),
    }


def print_storage(result: dict[str, Any]) -> None:
    read_models = (
        "not built (--ingest-only)"
        if not result["read_model_bytes"]
        else f"{result['read_model_bytes'] / 2**20:,.0f} MiB "
        f"({result['read_model_bytes_per_event']:,.0f} bytes an event)"
    )
    print(
        f"storage:            log {result['log_bytes'] / 2**20:,.0f} MiB "
        f"({result['log_bytes_per_event']:,.0f} bytes an event: events, chain, snapshots), "
        f"read models {read_models}"
    )
