"""On PostgreSQL the read models loaded in bulk are planned on statistics, and the books'
export plans for reading every line: a cursor's default plan is for its first tenth, which
over a journal without statistics was a nested loop reading every line again for each entry
(docs/performance.md, Rebuild)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlalchemy import event, text

from adapters.outputs.beancount import export_beancount
from tests.conftest import fresh_postgres_schema
from tests.integration.test_read_models import q3_history

pytestmark = pytest.mark.postgres  # the planner's statistics and the cursor's plan


@pytest.fixture
def database_url() -> Iterator[str]:
    """PostgreSQL alone: the ledger fixture's database, without its SQLite run."""
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def read_models(ledger):
    assert ledger.read_models.engine.dialect.name == "postgresql"
    return ledger.read_models


def _journal_tuples(read_models) -> float:
    with read_models.engine.connect() as conn:
        return float(
            conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'rm_journal_lines'::regclass")
            ).scalar_one()
        )


def test_a_bulk_catch_up_leaves_the_journal_with_statistics(loaded_ledger, read_models, tmp_path):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=False)
    assert _journal_tuples(read_models) <= 0  # created empty, never analyzed
    done = read_models.catch_up(batch_size=50)
    assert done.events >= 50
    assert _journal_tuples(read_models) > 0


def test_the_export_plans_its_cursor_for_every_row(loaded_ledger, read_models, tmp_path):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=False)
    read_models.catch_up()
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "rm_journal_lines" in statement:  # asked on the same connection, in its transaction
            shown = cursor.connection.execute("SHOW cursor_tuple_fraction").fetchone()
            seen.append(shown[0])

    event.listen(read_models.engine, "before_cursor_execute", record)
    try:
        export_beancount(read_models.engine, io.StringIO(), "test", "fund")
    finally:
        event.remove(read_models.engine, "before_cursor_execute", record)
    assert seen == ["1"]
