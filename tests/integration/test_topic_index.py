"""The log's partial index on the reconciliation's topics (adapters/store/topic_index.py), on
SQLite and PostgreSQL: a read by the index gives exactly the library's read by topic, up to
any position; no other read can take the index; a ledger without it gets it at its next open."""

from __future__ import annotations

import pytest

from adapters.application.compose import compose
from adapters.application.reconciliation import BreakAction
from adapters.application.reconciliation_report import MATCH_TOPICS
from adapters.readside import reconciliation as reads
from adapters.readside.read_models import RELEVANT_TOPICS_LIST
from adapters.store.topic_index import INDEXED_TOPICS, index_name, topics_condition
from projections.reconciliation import fold_breaks
from tests.integration.tamper import RawDatabase
from tests.integration.test_reconciliation import RUN_ON, paid_quarter, quarter_statements, run

GROUPS = (
    reads.STATEMENT_TOPICS + reads.BREAK_TOPICS,
    MATCH_TOPICS,
    reads.BREAK_TOPICS[1:3],
    INDEXED_TOPICS,
)


__all__ = ["paid_quarter"]  # a fixture of the reconciliation's tests


def library_read(recorder, topics, stop):
    found, after = [], 0
    while True:
        page = recorder.select_notifications(
            after, 3, stop=stop, topics=list(topics), inclusive_of_start=False
        )
        if not page:
            return found
        found += [(n.id, n.topic, bytes(n.state)) for n in page]
        after = page[-1].id


def indexed_read(recorder, topics, stop):
    found, after = [], 0
    while True:
        page = recorder.select_indexed_topics(list(topics), after, 3, stop)
        if not page:
            return found
        found += [(n.id, n.topic, bytes(n.state)) for n in page]
        after = page[-1].id


@pytest.fixture
def reconciled(paid_quarter, tmp_path):
    """Statements imported, a run's matches and breaks recorded, one break assigned, and a
    second run after it."""
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    run(ledger)
    key = sorted(reads.breaks(ledger.view))[0]
    ledger.reconciliation.work(BreakAction(key, "assign", RUN_ON, "alice"))
    run(ledger)
    return ledger


def test_the_indexed_read_is_the_librarys_read_by_topic(reconciled, store):
    recorder = store.recorder
    head = store.head_position()
    stops = sorted({1, head // 3, head // 2, head - 1, head})
    for topics in GROUPS:
        assert library_read(recorder, topics, head), topics
        for stop in stops:
            assert indexed_read(recorder, topics, stop) == library_read(recorder, topics, stop)


def test_the_reconciliations_reads_as_known_at_any_position(reconciled, store):
    """What the reads fold (statements, breaks) at each past position is what the library's
    read by topic gives there."""
    view = reconciled.view
    positions = [p for p, _t, _s in library_read(store.recorder, INDEXED_TOPICS, None)]
    for stop in (positions[0], positions[len(positions) // 2], positions[-1] - 1, None):
        known = view.as_known_at(stop)
        read = [(e.originator_id, e.originator_version) for e in reads.events_of(known, GROUPS[0])]
        expected = library_read(store.recorder, GROUPS[0], stop or store.head_position())
        assert len(read) == len(expected) > 0
        assert reads.breaks(known) == fold_breaks(
            store.mapper.to_domain_event(n)
            for n in store.recorder.select_notifications(
                0, 10_000, stop=stop, topics=list(reads.BREAK_TOPICS)
            )
        )


def test_only_the_reconciliations_reads_can_take_the_index(database_url, ledger):
    raw = RawDatabase(ledger.store, database_url)
    if raw.is_postgres:
        return  # the plan is SQLite's concern: PostgreSQL proves implication itself
    events = raw.events
    indexed_plan = raw.execute(
        f"EXPLAIN QUERY PLAN SELECT rowid FROM {events} WHERE {topics_condition()} "
        "AND topic IN (?) AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
        [INDEXED_TOPICS[0], 0, 10, 5],
    )
    assert index_name(events) in " ".join(str(step) for step in indexed_plan)
    marks = ",".join("?" * len(RELEVANT_TOPICS_LIST))
    catch_up_plan = raw.execute(
        f"EXPLAIN QUERY PLAN SELECT rowid FROM {events} WHERE topic IN ({marks}) "
        "AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
        [*RELEVANT_TOPICS_LIST, 0, 10, 5],
    )
    assert index_name(events) not in " ".join(str(step) for step in catch_up_plan)


def index_present(raw):
    if raw.is_postgres:
        rows = raw.execute(
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?",
            [index_name(raw.events)],
        )
    else:
        rows = raw.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?",
            [index_name(raw.events)],
        )
    return rows[0][0] == 1


def test_a_ledger_without_the_index_gets_it_at_its_next_open(database_url, ledger):
    raw = RawDatabase(ledger.store, database_url)
    assert index_present(raw)
    ledger.close()
    raw.execute(f"DROP INDEX {index_name(raw.events)}")
    assert not index_present(raw)
    again = compose(database_url, actor="test-accountant")
    try:
        assert index_present(raw)
    finally:
        again.close()
