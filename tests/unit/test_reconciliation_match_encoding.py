"""A recorded match's date and amounts are plain text (`ItemsMatched` version 2), and a
version 1 batch, whose values were stored tagged, reads the same.

A run records a match per statement line: the tags' encoding and decoding were most of its
cost (docs/reconciliation.md §5). Stored events are never rewritten; the upcast runs as an
event is read.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from adapters.store.event_codec import EventCodec
from domain.events import Provenance
from domain.reconciliation.breaks import Reconciliation
from domain.reconciliation.records import Match
from projections.reconciliation import fold_matches

MATCHED = Reconciliation.ItemsMatched
MATCH = Match(
    "accruals", "accruals/day/INTL-BCV/R/2003-07-01", "equal", "INTL-BCV/R", date(2003, 7, 1),
    ("accrual-1",), ("3f2a#row=7",), Decimal("12.34"), Decimal("12.35"),
)  # fmt: skip
TEXT = {"business_date": "2003-07-01", "ledger_amount": "12.34", "outside_amount": "12.35"}


def _recorded() -> MATCHED:
    reconciliation = Reconciliation.opened("accruals", date(2003, 7, 31), Provenance("t", "c"))
    reconciliation.record_matches(
        [MATCH], period="all", tolerance=Decimal("0.01"), window_business_days=3,
        on=date(2003, 7, 31), provenance=Provenance("t", "c"),
    )  # fmt: skip
    event = reconciliation.collect_events()[-1]
    assert isinstance(event, MATCHED)
    return event


def test_a_match_is_stored_as_text_without_tags():
    stored = EventCodec(MATCHED).encode(vars(_recorded()))
    (match,) = stored["matches"]
    assert {name: match[name] for name in TEXT} == TEXT
    assert match["difference"] == "0.01"
    assert stored["class_version"] == 2
    assert "_type_" not in json.dumps(stored["matches"])


def test_a_version_1_batch_reads_as_version_2():
    # As the JSON decoder hands a version 1 match over: its tagged values already restored.
    v1_match = {
        "key": MATCH.key, "rule": "equal", "fund_class": "INTL-BCV/R",
        "business_date": date(2003, 7, 1), "ledger_items": ["accrual-1"],
        "outside_items": ["3f2a#row=7"], "ledger_amount": Decimal("12.34"),
        "outside_amount": Decimal("12.35"), "difference": Decimal("0.01"),
    }  # fmt: skip
    state = {"period": "all", "tolerance": "0.01", "window_business_days": 3}
    decoded = EventCodec(MATCHED).decode({**state, "matches": [v1_match]})  # no class_version
    (match,) = decoded["matches"]
    assert {name: match[name] for name in TEXT} == TEXT
    assert match["difference"] == "0.01"


def test_the_matches_fold_to_the_same_rows():
    (row,) = fold_matches([_recorded()])
    assert (row.business_date, row.ledger_amount, row.outside_amount) == (
        date(2003, 7, 1), Decimal("12.34"), Decimal("12.35"),
    )  # fmt: skip
