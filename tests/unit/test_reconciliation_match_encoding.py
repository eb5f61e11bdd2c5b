"""A recorded match is an array of plain text in the order of the event's `columns`
(`ItemsMatched` version 3), and so is a statement line (`StatementLinesRecorded` version 3);
a version 2 batch (an object per match, its difference with it; an object per line) and a
version 1 batch, whose values were stored tagged, read the same.

A run reads every statement line and records a match per line: the tags' encoding and
decoding were most of its cost, then the bytes of the names repeated per match and per line
(docs/reconciliation.md §5). Stored events are never rewritten; the upcast runs as an event
is read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.persistence import JSONTranscoder

from adapters.store.event_codec import EventCodec, LedgerMapper
from domain.events import Provenance
from domain.reconciliation.breaks import MATCH_COLUMNS, Reconciliation
from domain.reconciliation.records import (
    Direction,
    Match,
    OutsideLine,
    StatementKind,
    amount_text,
)
from domain.reconciliation.statement import (
    LINE_COLUMNS,
    OutsideStatement,
    line_to_stored,
    lines_from_stored,
)
from projections.reconciliation import fold_matches

MATCHED = Reconciliation.ItemsMatched
MATCH = Match(
    "accruals", "accruals/day/INTL-BCV/R/2003-07-01", "equal", "INTL-BCV/R", date(2003, 7, 1),
    ("accrual-1",), ("3f2a#row=7",), Decimal("12.34"), Decimal("12.35"),
)  # fmt: skip
ROW = [
    MATCH.key, "equal", "INTL-BCV/R", "2003-07-01", ["accrual-1"], ["3f2a#row=7"], "12.34",
    "12.35",
]  # fmt: skip
# Text a bank's export may hold: quotes, backslashes, control characters, accents, the line
# and paragraph separators JavaScript reads as newlines, and a character beyond the BMP.
UNUSUAL_TEXT = 'WIRE "A\\B"/\t\n\r\b\f\x00\x1f\x7f é ü \u2028\u2029 \U0001f600'


def _recorded(*matches: Match) -> MATCHED:
    reconciliation = Reconciliation.opened("accruals", date(2003, 7, 31), Provenance("t", "c"))
    reconciliation.record_matches(
        matches or [MATCH], period="all", tolerance=Decimal("0.01"), window_business_days=3,
        on=date(2003, 7, 31), provenance=Provenance("t", "c"),
    )  # fmt: skip
    event = reconciliation.collect_events()[-1]
    assert isinstance(event, MATCHED)
    return event


def test_a_match_is_stored_as_an_array_of_text_in_the_order_of_its_columns():
    stored = EventCodec(MATCHED).encode(vars(_recorded()))
    assert stored["columns"] == list(MATCH_COLUMNS) == [
        "key", "rule", "fund_class", "business_date", "ledger_items", "outside_items",
        "ledger_amount", "outside_amount",
    ]  # fmt: skip
    assert stored["matches"] == [ROW]  # no difference: the outside amount less the ledger's
    assert stored["class_version"] == 3
    assert "_type_" not in json.dumps(stored["matches"])


def test_a_match_takes_some_40_percent_fewer_bytes_than_as_an_object():
    event = _recorded()
    as_array = json.dumps(event.matches[0], separators=(",", ":"))
    as_object = {**dict(zip(MATCH_COLUMNS, event.matches[0], strict=True)), "difference": "0.01"}
    assert len(as_array) < 0.65 * len(json.dumps(as_object, separators=(",", ":")))


def _version_2_match(row: list[object]) -> dict[str, object]:
    """A match as version 2 stored it: an object, its difference with it."""
    match = dict(zip(MATCH_COLUMNS, row, strict=True))
    difference = Decimal(str(match["outside_amount"])) - Decimal(str(match["ledger_amount"]))
    return {**match, "difference": amount_text(difference)}


def _read_as_version_2(
    event: Any, batch: str, columns: tuple[str, ...], as_object: Callable[[Any], dict[str, Any]]
) -> Any:
    """The event stored as version 2 would have stored it (its batch's rows as objects, no
    `columns`), then read back through the mapper, which upcasts it."""
    mapper = LedgerMapper(transcoder=JSONTranscoder())
    stored = mapper.to_stored_event(event)
    state = json.loads(stored.state)
    assert state.pop("columns") == list(columns)
    state[batch] = [as_object(row) for row in state[batch]]
    state["class_version"] = 2
    v2_bytes = json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    return mapper.to_domain_event(replace(stored, state=v2_bytes))


def test_a_version_2_event_as_stored_reads_as_version_3_with_the_same_matches():
    event = _recorded(MATCH, MATCH._replace(key=MATCH.key + "x", ledger_items=("a", "b")))
    read = _read_as_version_2(event, "matches", MATCH_COLUMNS, _version_2_match)
    assert isinstance(read, MATCHED)
    assert (read.columns, read.matches) == (event.columns, event.matches)
    assert vars(read) == vars(event)
    assert fold_matches([read]) == fold_matches([event])
    keys = Reconciliation.opened("accruals", date(2003, 7, 31), Provenance("t", "c"))
    read.apply(keys)
    assert keys.match_keys == {MATCH.key, MATCH.key + "x"}


def test_a_version_1_batch_reads_as_version_3():
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
    assert decoded["columns"] == list(MATCH_COLUMNS)
    assert decoded["matches"] == [ROW] == _recorded().matches


def test_a_version_1_event_as_stored_reads_as_version_3():
    event = _recorded()
    mapper = LedgerMapper(transcoder=JSONTranscoder())
    stored = mapper.to_stored_event(event)
    state = json.loads(stored.state)
    del state["class_version"], state["columns"]
    (match,) = (_version_2_match(row) for row in state["matches"])
    for name in ("ledger_amount", "outside_amount", "difference"):
        match[name] = {"_type_": "decimal_str", "_data_": match[name]}
    match["business_date"] = {"_type_": "date_iso", "_data_": match["business_date"]}
    state["matches"] = [match]
    read = mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    assert vars(read) == vars(event)


def test_a_decimal_in_a_batch_of_plain_rows_is_refused():
    event = _recorded()
    event.matches[0][6] = Decimal("12.34")
    with pytest.raises(TypeError):
        json.dumps(EventCodec(MATCHED).encode(vars(event)))


def test_the_matches_fold_to_the_same_rows():
    (row,) = fold_matches([_recorded()])
    assert (row.check, row.key, row.rule, row.fund_class) == (
        "accruals", MATCH.key, "equal", "INTL-BCV/R",
    )  # fmt: skip
    assert (row.business_date, row.ledger_amount, row.outside_amount) == (
        date(2003, 7, 1), Decimal("12.34"), Decimal("12.35"),
    )  # fmt: skip


def test_a_batch_of_matches_is_stored_as_the_standard_json_encoder_writes_it():
    """Arrays take the plain rows' path (orjson): byte for byte the standard encoder's."""
    unusual = MATCH._replace(
        key=MATCH.key + UNUSUAL_TEXT, fund_class=UNUSUAL_TEXT, outside_items=(UNUSUAL_TEXT,)
    )
    event = _recorded(MATCH, unusual)
    mapper = LedgerMapper(transcoder=JSONTranscoder())
    stored = mapper.to_stored_event(event)
    standard = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
    assert stored.state == standard.encode(EventCodec(MATCHED).encode(vars(event))).encode("utf-8")
    assert vars(mapper.to_domain_event(stored)) == vars(event)


LINES = OutsideStatement.StatementLinesRecorded
LINE = OutsideLine(
    "3f2a" * 16, 7, date(2003, 7, 31), Decimal("1.50"), Direction.NONE, "",
    "INTL-BCV/R", (), "", Decimal("45.10"),
)  # fmt: skip
BANK_LINE = OutsideLine(
    "3f2b" * 16, 7, date(2003, 7, 30), Decimal("1234.56"), Direction.DEBIT, "fund:INTL", "",
    ("W-1", "REF 2"), "WIRE", None, "", "",
)  # fmt: skip


def line_from_stored(sha256: str, row: list[object]) -> OutsideLine:
    (line,) = lines_from_stored(sha256, LINE_COLUMNS, [row])
    return line


def _as_object(row: list[object]) -> dict[str, object]:
    """A line as version 2 stored it: an object of its values by name."""
    return dict(zip(LINE_COLUMNS, row, strict=True))


def test_a_statement_line_is_stored_as_an_array_of_text_and_read_back_the_same():
    stored = line_to_stored(LINE)
    assert LINE_COLUMNS == (
        "row", "date", "amount", "direction", "account", "fund_class", "references", "text",
        "payable", "dealer", "period",
    )  # fmt: skip
    assert stored == [7, "2003-07-31", "1.50", "", "", "INTL-BCV/R", [], "", "45.10", "", ""]
    assert line_from_stored(LINE.statement_sha256, json.loads(json.dumps(stored))) == LINE
    assert EventCodec(LINES).untagged and LINES.class_version == 3


def test_a_statement_line_takes_under_half_the_bytes_of_an_object():
    as_array = json.dumps(line_to_stored(LINE), separators=(",", ":"))
    as_object = json.dumps(_as_object(line_to_stored(LINE)), separators=(",", ":"))
    assert len(as_array) < 0.5 * len(as_object)


def test_lines_stored_in_another_order_of_columns_read_the_same():
    columns = list(reversed(LINE_COLUMNS))
    rows = [list(reversed(line_to_stored(LINE))), list(reversed(line_to_stored(BANK_LINE)))]
    read = lines_from_stored(BANK_LINE.statement_sha256, columns, rows)
    assert read == [LINE._replace(statement_sha256=BANK_LINE.statement_sha256), BANK_LINE]


@pytest.mark.parametrize("whole_lines_before", [0, 1])
def test_a_line_short_of_a_value_is_refused(whole_lines_before):
    rows = [line_to_stored(LINE)] * whole_lines_before + [line_to_stored(LINE)[:-1]]
    with pytest.raises(ValueError, match=r"zip|unpack"):
        lines_from_stored(LINE.statement_sha256, LINE_COLUMNS, rows)


def test_a_version_1_statement_line_reads_as_version_3():
    v1_row = {
        **_as_object(line_to_stored(LINE)),
        "date": {"_type_": "date_iso", "_data_": "2003-07-31"},
        "amount": {"_type_": "decimal_str", "_data_": "1.50"},
        "payable": {"_type_": "decimal_str", "_data_": "45.10"},
    }
    decoded = EventCodec(LINES).decode({"first_line": 7, "lines": [v1_row]})
    assert decoded["columns"] == list(LINE_COLUMNS)
    assert line_from_stored(LINE.statement_sha256, decoded["lines"][0]) == LINE


def test_a_version_2_event_as_stored_reads_as_version_3_with_the_same_lines():
    statement = OutsideStatement.imported(
        StatementKind.BANK_CSV, file_name="bank.csv", sha256=BANK_LINE.statement_sha256,
        account="fund:INTL", lines=[BANK_LINE, BANK_LINE._replace(row=8)],
        provenance=Provenance("t", "c"),
    )  # fmt: skip
    event = statement.collect_events()[-1]
    read = _read_as_version_2(event, "lines", LINE_COLUMNS, _as_object)
    assert isinstance(read, LINES)
    assert vars(read) == vars(event)
    assert lines_from_stored(BANK_LINE.statement_sha256, read.columns, read.lines) == [
        BANK_LINE, BANK_LINE._replace(row=8),
    ]  # fmt: skip


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
    assert line[LINE_COLUMNS.index("amount")] == text


def test_a_version_1_amount_reads_as_the_log_writes_it():
    v1_row = {
        **_as_object(line_to_stored(LINE)),
        "amount": {"_type_": "decimal_str", "_data_": "1.5"},
    }
    decoded = EventCodec(LINES).decode({"first_line": 7, "lines": [v1_row]})
    assert decoded["lines"][0][LINE_COLUMNS.index("amount")] == "1.50"


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
