"""The `OutsideStatement` aggregate: one imported file of the outside world's records.

A file is one stream, keyed by its kind and SHA-256: importing the same file again finds the
stream and writes nothing. Its lines are recorded in batches, so a statement of 100,000 lines is
not one huge event; the stream is written whole, in one transaction, or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.event_building import DirectEvents
from domain.events import LedgerEvent, PlainColumns, PlainTable, Provenance, provenance_fields
from domain.ids import NAMESPACE
from domain.reconciliation.records import Direction, OutsideLine, StatementKind, amount_text

LINES_PER_EVENT = 1_000


def statement_key(kind: StatementKind, sha256: str) -> str:
    return f"statement/{kind.value}/{sha256}"


def statement_id(kind: StatementKind, sha256: str) -> UUID:
    return uuid5(NAMESPACE, statement_key(kind, sha256))


class OutsideStatement(DirectEvents, Aggregate):
    TOPIC = "planledger.OutsideStatement"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.OutsideStatement.Created"

    class StatementImported(Aggregate.Created, Event):
        TOPIC = "planledger.OutsideStatement.StatementImported"
        kind: str
        file_name: str
        sha256: str
        account: str
        line_count: int
        period_start: date
        period_end_exclusive: date

    class StatementLinesRecorded(Event):
        TOPIC = "planledger.OutsideStatement.StatementLinesRecorded"
        # Version 3 holds each line as an array of its values in the order of `columns`
        # (`LINE_COLUMNS`, stated once per event, so the log still reads line by line): the
        # names repeated per line were over half the bytes of a batch, and every run reads
        # every line. Version 2 held an object per line, its date and amounts as text;
        # version 1 held them as tagged values. Both are upcast as read; stored events are
        # never rewritten.
        class_version = 3
        first_line: int
        columns: PlainColumns
        lines: PlainTable

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """The same lines, their date and amounts as version 2 writes them: the text of
            version 1's tagged values, as stored."""
            state["lines"] = [_untagged(row) for row in state["lines"]]

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """The same lines as version 3's arrays."""
            state["columns"] = list(LINE_COLUMNS)
            state["lines"] = [[row[name] for name in LINE_COLUMNS] for row in state["lines"]]

        def apply(self, statement: OutsideStatement) -> None:
            statement.lines.extend(lines_from_stored(statement.sha256, self.columns, self.lines))

    def __init__(
        self,
        *,
        kind: str,
        file_name: str,
        sha256: str,
        account: str,
        line_count: int,
        period_start: date,
        period_end_exclusive: date,
    ) -> None:
        self.kind = kind
        self.file_name = file_name
        self.sha256 = sha256
        self.account = account
        self.line_count = line_count
        self.period_start = period_start
        self.period_end_exclusive = period_end_exclusive
        self.lines: list[OutsideLine] = []

    @classmethod
    def imported(
        cls,
        kind: StatementKind,
        *,
        file_name: str,
        sha256: str,
        account: str,
        lines: Sequence[OutsideLine],
        provenance: Provenance,
    ) -> OutsideStatement:
        """A new statement with all its lines (the caller has checked the file has some)."""
        first = min(line.day for line in lines)
        last = max(line.day for line in lines)
        key = statement_key(kind, sha256)
        statement = cls._create(
            cls.StatementImported,
            id=statement_id(kind, sha256),
            **provenance_fields(provenance, first, key),
            kind=kind.value,
            file_name=file_name,
            sha256=sha256,
            account=account,
            line_count=len(lines),
            period_start=first,
            period_end_exclusive=date.fromordinal(last.toordinal() + 1),
        )
        ordered = sorted(lines, key=lambda line: line.row)
        for start in range(0, len(ordered), LINES_PER_EVENT):
            batch = ordered[start : start + LINES_PER_EVENT]
            statement.trigger_event(
                cls.StatementLinesRecorded,
                **provenance_fields(provenance, first, f"statement-lines/{sha256}/{batch[0].row}"),
                first_line=batch[0].row,
                columns=list(LINE_COLUMNS),
                lines=[line_to_stored(line) for line in batch],
            )
        return statement


# A stored line's values, in order (StatementLinesRecorded version 3): an OutsideLine's
# fields after its statement's SHA-256 (the stream's), the date ISO and the amounts as the log
# writes money (`amount_text`).
LINE_COLUMNS = (
    "row",
    "date",
    "amount",
    "direction",
    "account",
    "fund_class",
    "references",
    "text",
    "payable",
    "dealer",
    "period",
)


def line_to_stored(line: OutsideLine) -> list[Any]:
    """A line as version 3 stores it: its values in the order of `LINE_COLUMNS`."""
    return [
        line.row,
        line.day.isoformat(),
        amount_text(line.amount),
        line.direction.value,
        line.account,
        line.fund_class,
        list(line.references),
        line.text,
        None if line.payable is None else amount_text(line.payable),
        line.dealer,
        line.period,
    ]


_DIRECTIONS = {direction.value: direction for direction in Direction}
_TAGGED_AMOUNTS = ("amount", "payable")


def _untagged(row: dict[str, Any]) -> dict[str, Any]:
    """A version 1 line with its tagged values (`{"_type_": "decimal_str", "_data_": "1.5"}`)
    as version 2 writes them."""
    plain = dict(row)
    if isinstance(plain["date"], dict):
        plain["date"] = str(plain["date"]["_data_"])
    for name in _TAGGED_AMOUNTS:
        value = plain[name]
        if isinstance(value, dict):
            plain[name] = amount_text(Decimal(value["_data_"]))
    return plain


_new_tuple = tuple.__new__


def lines_from_stored(
    sha256: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[OutsideLine]:
    """A batch's lines as version 3 holds them (versions 1 and 2 are upcast to it as they are
    read), their values in the order of `columns`, their texts the JSON's own strings taken
    as they are. A run reads every line of every statement: the batch is turned into
    columns, each column converted by one call over all its values (a date's text made a
    value once per batch), and each line made from its values without a call of the
    record's constructor."""
    if not rows:
        return []
    if tuple(columns) != LINE_COLUMNS:  # an order of names this version does not write
        places = [list(columns).index(name) for name in LINE_COLUMNS]
        rows = [[row[place] for place in places] for row in rows]
    numbers, dates, amounts, directions, accounts, classes, references, texts, payables, dealers, \
        periods = zip(*rows, strict=True)  # fmt: skip
    days = {text: date.fromisoformat(text) for text in set(dates)}
    values = zip(
        repeat(sha256), numbers, map(days.__getitem__, dates), map(Decimal, amounts),
        map(_DIRECTIONS.__getitem__, directions), accounts, classes, map(tuple, references),
        texts, [None if text is None else Decimal(text) for text in payables], dealers, periods,
    )  # fmt: skip
    return list(map(_new_tuple, repeat(OutsideLine), values))
