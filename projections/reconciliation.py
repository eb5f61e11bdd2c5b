"""The breaks as known at a log position: a fold of the `Break` events committed by then
(docs/reconciliation.md §3). Pure: the caller reads the events, in log order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.reconciliation.breaks import OPEN, RESOLVED, WRITTEN_OFF, Break


@dataclass(frozen=True)
class BreakRow:
    key: str
    check: str
    kind: str
    fund_class: str
    business_date: date
    ledger_amount: Decimal | None
    outside_amount: Decimal | None
    difference: Decimal
    detail: str
    ledger_items: tuple[str, ...]
    outside_items: tuple[str, ...]
    opened_by: str
    status: str = OPEN
    owner: str = ""
    comments: tuple[str, ...] = ()
    write_off_amount: Decimal | None = None
    write_off_proposed_by: str = ""
    write_off_reason: str = ""
    written_off_by: str = ""
    resolved_by_event: str = ""
    resolution_note: str = ""
    reopened: int = 0  # times a run found again the difference of a resolved break

    def age_days(self, as_of: date) -> int:
        """Days from the business date the break is about to `as_of`."""
        return (as_of - self.business_date).days

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


def fold_breaks(events: Iterable[Any]) -> dict[str, BreakRow]:
    """Each break's row, by key, from its events in log order (other events are passed by)."""
    keys: dict[Any, str] = {}
    rows: dict[str, BreakRow] = {}
    for event in events:
        if isinstance(event, Break.BreakOpened):
            keys[event.originator_id] = event.key
            rows[event.key] = _opened(event)
            continue
        key = keys.get(event.originator_id)
        if key is not None:
            rows[key] = _applied(rows[key], event)
    return rows


def _opened(event: Break.BreakOpened) -> BreakRow:
    return BreakRow(
        event.key,
        event.check,
        event.kind,
        event.fund_class,
        event.business_date,
        event.ledger_amount,
        event.outside_amount,
        event.difference,
        event.detail,
        tuple(event.ledger_items),
        tuple(event.outside_items),
        event.actor,
    )


def _applied(row: BreakRow, event: Any) -> BreakRow:
    if isinstance(event, Break.BreakAssigned):
        return replace(row, owner=event.owner)
    if isinstance(event, Break.BreakCommented):
        return replace(row, comments=(*row.comments, f"{event.actor}: {event.comment}"))
    if isinstance(event, Break.BreakResolved):
        return replace(
            row,
            status=RESOLVED,
            resolved_by_event=event.resolving_event_id,
            resolution_note=event.note,
        )
    if isinstance(event, Break.BreakReopened):
        return replace(
            row,
            status=OPEN,
            ledger_amount=event.ledger_amount,
            outside_amount=event.outside_amount,
            difference=event.difference,
            ledger_items=tuple(event.ledger_items),
            outside_items=tuple(event.outside_items),
            detail=event.detail,
            resolved_by_event="",
            resolution_note="",
            write_off_amount=None,
            write_off_proposed_by="",
            write_off_reason="",
            reopened=row.reopened + 1,
        )
    if isinstance(event, Break.BreakWriteOffProposed):
        return replace(
            row,
            write_off_amount=event.amount,
            write_off_proposed_by=event.actor,
            write_off_reason=event.reason,
        )
    if isinstance(event, Break.BreakWrittenOff):
        return replace(row, status=WRITTEN_OFF, written_off_by=event.approved_by)
    return row
