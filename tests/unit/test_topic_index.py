"""The log's partial index names the reconciliation's topics as text; they must be the event
classes' own (a renamed topic would silently fall back to the scan)."""

from adapters.application.reconciliation_report import MATCH_TOPICS
from adapters.readside.reconciliation import BREAK_TOPICS, STATEMENT_TOPICS
from adapters.store.topic_index import INDEXED_TOPICS, all_indexed, topics_condition
from domain.reconciliation.breaks import Break
from domain.reconciliation.statement import OutsideStatement


def test_the_indexed_topics_are_the_event_classes_topics():
    """The topics the reconciliation reads by topic, each an event class's own."""
    read_by_topic = (*STATEMENT_TOPICS, *BREAK_TOPICS, *MATCH_TOPICS)
    assert read_by_topic == INDEXED_TOPICS
    assert OutsideStatement.StatementLinesRecorded.TOPIC in INDEXED_TOPICS
    assert Break.BreakWrittenOff.TOPIC in INDEXED_TOPICS


def test_a_read_goes_by_the_index_only_for_its_own_topics():
    assert all_indexed(INDEXED_TOPICS[:2])
    assert not all_indexed((*INDEXED_TOPICS[:2], "planledger.FundClass.DailyAccrued"))
    assert not all_indexed(())


def test_the_condition_is_one_literal_text():
    assert topics_condition() == topics_condition()
    assert topics_condition().startswith("topic IN ('planledger.OutsideStatement.")
    assert all(f"'{topic}'" in topics_condition() for topic in INDEXED_TOPICS)
