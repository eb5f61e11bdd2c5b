"""The log's partial index names the reconciliation's topics as text; they must be the event
classes' own (a renamed topic would silently fall back to the scan)."""

from adapters.store.topic_index import INDEXED_TOPICS, all_indexed, topics_condition
from domain.reconciliation.breaks import Break, Reconciliation
from domain.reconciliation.statement import OutsideStatement


def test_the_indexed_topics_are_the_event_classes_topics():
    classes = (
        OutsideStatement.StatementImported,
        OutsideStatement.StatementLinesRecorded,
        Break.BreakOpened,
        Break.BreakAssigned,
        Break.BreakCommented,
        Break.BreakResolved,
        Break.BreakReopened,
        Break.BreakWriteOffProposed,
        Break.BreakWrittenOff,
        Reconciliation.ItemsMatched,
    )
    assert tuple(event.TOPIC for event in classes) == INDEXED_TOPICS


def test_a_read_goes_by_the_index_only_for_its_own_topics():
    assert all_indexed(INDEXED_TOPICS[:2])
    assert not all_indexed((*INDEXED_TOPICS[:2], "planledger.FundClass.DailyAccrued"))
    assert not all_indexed(())


def test_the_condition_is_one_literal_text():
    assert topics_condition() == topics_condition()
    assert topics_condition().startswith("topic IN ('planledger.OutsideStatement.")
    assert all(f"'{topic}'" in topics_condition() for topic in INDEXED_TOPICS)
