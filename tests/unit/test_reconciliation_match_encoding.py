"""A recorded match's date and amounts are plain text (`ItemsMatched` version 2), as are a
statement line's (`StatementLinesRecorded` version 2), and a version 1 batch, whose values were
stored tagged, reads the same.

A run reads every statement line and records a match per line: the tags' encoding and
decoding were most of its cost (docs/reconciliation.md §5). Stored events are never rewritten;
the upcast runs as an event is read.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.persistence import JSONTranscoder

from adapters.store.event_codec import EventCodec, LedgerMapper
from domain.events import Provenance
from domain.reconciliation.breaks import Reconciliation
from domain.reconciliation.records import (
    Direction,
    Match,
    OutsideLine,
    StatementKind,
    amount_text,
)
from domain.reconciliation.statement import OutsideStatement, line_from_stored, line_to_stored
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
    # As stored: a batch of plain rows is read with no hook, so its tags reach the upcast.
    assert EventCodec(MATCHED).untagged
    v1_match = {
        "key": MATCH.key, "rule": "equal", "fund_class": "INTL-BCV/R",
        "business_date": {"_type_": "date_iso", "_data_": "2003-07-01"},
        "ledger_items": ["accrual-1"], "outside_items": ["3f2a#row=7"],
        "ledger_amount": {"_type_": "decimal_str", "_data_": "12.34"},
        "outside_amount": {"_type_": "decimal_str", "_data_": "12.35"},
        "difference": {"_type_": "decimal_str", "_data_": "0.01"},
    }  # fmt: skip
    state = {"period": "all", "tolerance": "0.01", "window_business_days": 3}
    decoded = EventCodec(MATCHED).decode({**state, "matches": [v1_match]})  # no class_version
    (match,) = decoded["matches"]
    assert {name: match[name] for name in TEXT} == TEXT
    assert match["difference"] == "0.01"


def test_a_decimal_in_a_batch_of_plain_rows_is_refused():
    event = _recorded()
    event.matches[0]["ledger_amount"] = Decimal("12.34")
    with pytest.raises(TypeError):
        json.dumps(EventCodec(MATCHED).encode(vars(event)))


def test_the_matches_fold_to_the_same_rows():
    (row,) = fold_matches([_recorded()])
    assert (row.business_date, row.ledger_amount, row.outside_amount) == (
        date(2003, 7, 1), Decimal("12.34"), Decimal("12.35"),
    )  # fmt: skip


LINES = OutsideStatement.StatementLinesRecorded
LINE = OutsideLine(
    "3f2a" * 16, 7, date(2003, 7, 31), Decimal("1.50"), Direction.NONE, "",
    "INTL-BCV/R", (), "", Decimal("45.10"),
)  # fmt: skip


def test_a_statement_line_is_stored_as_text_and_read_back_the_same():
    stored = line_to_stored(LINE)
    assert (stored["date"], stored["amount"], stored["payable"]) == ("2003-07-31", "1.50", "45.10")
    assert line_from_stored(LINE.statement_sha256, json.loads(json.dumps(stored))) == LINE
    assert EventCodec(LINES).untagged and LINES.class_version == 2


def test_a_version_1_statement_line_reads_as_version_2():
    v1_row = {
        **line_to_stored(LINE),
        "date": {"_type_": "date_iso", "_data_": "2003-07-31"},
        "amount": {"_type_": "decimal_str", "_data_": "1.50"},
        "payable": {"_type_": "decimal_str", "_data_": "45.10"},
    }
    decoded = EventCodec(LINES).decode({"first_line": 7, "lines": [v1_row]})
    assert line_from_stored(LINE.statement_sha256, decoded["lines"][0]) == LINE


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1.5", "1.50"),
        ("12", "12.00"),
        ("0.0015", "0.0015"),
        ("1E+2", "100.00"),
        ("-0.01", "-0.01"),
        ("0E-2", "0.00"),
        ("1.500", "1.50"),
        ("123456.78", "123456.78"),
        ("-7", "-7.00"),
    ],
)
def test_an_amount_is_held_as_the_log_writes_money(amount, text):
    """Two decimals (docs/audit.md §5), or the exact digits when not whole cents."""
    assert amount_text(Decimal(amount)) == text
    line = line_to_stored(OutsideLine("3f2a" * 16, 1, date(2003, 7, 1), Decimal(amount)))
    assert line["amount"] == text


def test_a_version_1_amount_reads_as_the_log_writes_it():
    v1_row = {**line_to_stored(LINE), "amount": {"_type_": "decimal_str", "_data_": "1.5"}}
    decoded = EventCodec(LINES).decode({"first_line": 7, "lines": [v1_row]})
    assert decoded["lines"][0]["amount"] == "1.50"


# Text a bank's export may hold: quotes, backslashes, control characters, accents, the line
# and paragraph separators JavaScript reads as newlines, and a character beyond the BMP.
UNUSUAL_TEXT = 'WIRE "A\\B"/\t\n\r\b\f\x00\x1f\x7f é ü \u2028\u2029 \U0001f600'


def test_a_batch_of_plain_rows_is_stored_as_the_standard_json_encoder_writes_it():
    """The batches are written by orjson (docs/reconciliation.md §5): byte for byte what the
    standard library writes for the log's other events, so a verifier reads them alike."""
    line = OutsideLine(
        "3f2a" * 16, 7, date(2003, 7, 31), Decimal("1.50"), Direction.DEBIT, "fund:INTL",
        "", ("REF-1", UNUSUAL_TEXT), UNUSUAL_TEXT, None,
    )  # fmt: skip
    statement = OutsideStatement.imported(
        StatementKind.BANK_CSV, file_name="bank.csv", sha256="3f2a" * 16,
        account="fund:INTL", lines=[line], provenance=Provenance("t", "c"),
    )  # fmt: skip
    event = statement.collect_events()[-1]
    assert isinstance(event, LINES)
    mapper = LedgerMapper(transcoder=JSONTranscoder())
    stored = mapper.to_stored_event(event)
    standard = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    assert stored.state == standard.encode(EventCodec(LINES).encode(vars(event))).encode("utf-8")
    read = mapper.to_domain_event(stored)
    assert isinstance(read, LINES)
    assert line_from_stored(line.statement_sha256, read.lines[0]) == line
