"""A partial index of the log on the few topics that are read by topic: the reconciliation's
statements, breaks and matches (docs/reconciliation.md §5, decision F-recon2-6).

Reading them by topic otherwise scans the whole log: a year of 1,000 fund classes is 1.8 GB
of SQLite for about a hundred such events. A full index of the log by topic was tried and left:
the databases then took it for the read models' catch-up too, which asks for most of the log
by topic a page at a time, and went quadratic. A *partial* index holds only these topics'
rows, so no other query can use it, and an insert of any other event adds no entry to it.

SQLite uses a partial index only for a query whose WHERE repeats the index's own condition
(it does no algebra on IN lists, and a bound parameter never matches a literal): the index and
the query take the condition from `topics_condition()`, the same literal text. PostgreSQL
proves the same condition implied and takes the index as well.

Only the storage changes: what a read returns is the same with the index or without it (an
older ledger gets the index when it is next opened by a role that may create; until then the
read scans, as before).
"""

from __future__ import annotations

from collections.abc import Sequence

# The topics as text, not read from the event classes: the store is imported by every command,
# and the reconciliation's modules are not (tests/unit/test_topic_index.py holds the two equal).
INDEXED_TOPICS: tuple[str, ...] = (
    "planledger.OutsideStatement.StatementImported",
    "planledger.OutsideStatement.StatementLinesRecorded",
    "planledger.Break.BreakOpened",
    "planledger.Break.BreakAssigned",
    "planledger.Break.BreakCommented",
    "planledger.Break.BreakResolved",
    "planledger.Break.BreakReopened",
    "planledger.Break.BreakWriteOffProposed",
    "planledger.Break.BreakWrittenOff",
    "planledger.Reconciliation.ItemsMatched",
)
INDEX_SUFFIX = "_read_by_topic"


def index_name(events_table: str) -> str:
    return f"{events_table}{INDEX_SUFFIX}"


def topics_condition() -> str:
    """`topic IN ('…', …)` with the topics as literals (they are the ledger's own constants,
    never input), in one fixed order."""
    quoted = ", ".join("'" + topic.replace("'", "''") + "'" for topic in INDEXED_TOPICS)
    return f"topic IN ({quoted})"


def all_indexed(topics: Sequence[str]) -> bool:
    """Whether a read of these topics can go by the index."""
    return bool(topics) and set(topics) <= set(INDEXED_TOPICS)
