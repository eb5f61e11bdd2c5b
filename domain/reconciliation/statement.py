"""The `OutsideStatement` aggregate: one imported file of the outside world's records.

A file is one stream, keyed by its kind and SHA-256: importing the same file again finds the
stream and writes nothing. Its lines are recorded in batches, so a statement of 100,000 lines is
not one huge event; the stream is written whole, in one transaction, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.event_building import DirectEvents
from domain.events import LedgerEvent, PlainRows, Provenance, provenance_fields
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
        # Version 2 holds each line's date and amounts as text (ISO date; amounts as the
        # log writes money, `amount_text`), not as tagged values, and is read with no hook
        # per object: a run reads every line of every statement. Version 1 held them tagged.
        class_version = 2
        first_line: int
        lines: PlainRows

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """The same lines, their date and amounts as version 2 writes them: the text of
            version 1's tagged values, as stored."""
            state["lines"] = [_untagged(row) for row in state["lines"]]

        def apply(self, statement: OutsideStatement) -> None:
            statement.lines.extend(lines_from_stored(statement.sha256, self.lines))

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
                lines=[line_to_stored(line) for line in batch],
            )
        return statement


def line_to_stored(line: OutsideLine) -> dict[str, Any]:
    return {
        "row": line.row,
        "date": line.day.isoformat(),
        "amount": amount_text(line.amount),
        "direction": line.direction.value,
        "account": line.account,
        "fund_class": line.fund_class,
        "references": list(line.references),
        "text": line.text,
        "payable": None if line.payable is None else amount_text(line.payable),
        "dealer": line.dealer,
        "period": line.period,
    }


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


def line_from_stored(sha256: str, row: dict[str, Any]) -> OutsideLine:
    """A line as version 2 holds it (a version 1 row is upcast to it as it is read): its
    texts are the JSON's own strings, taken as they are."""
    return lines_from_stored(sha256, [row])[0]


def lines_from_stored(sha256: str, rows: Iterable[dict[str, Any]]) -> list[OutsideLine]:
    """A batch's lines (see `line_from_stored`). A run reads every line of every statement,
    and a statement's lines share a few days and, day after day, the same amounts: each
    date's and amount's text is made a value once per batch."""
    days: dict[str, date] = {}
    amounts: dict[str, Decimal] = {}
    lines = []
    for row in rows:
        text = row["date"]
        day = days.get(text)
        if day is None:
            day = days[text] = date.fromisoformat(text)
        text = row["amount"]
        amount = amounts.get(text)
        if amount is None:
            amount = amounts[text] = Decimal(text)
        payable = row["payable"]
        line = OutsideLine(
            sha256, row["row"], day, amount, _DIRECTIONS[row["direction"]], row["account"],
            row["fund_class"], tuple(row["references"]), row["text"],
            None if payable is None else Decimal(payable), row["dealer"], row["period"],
        )  # fmt: skip
        lines.append(line)
    return lines
