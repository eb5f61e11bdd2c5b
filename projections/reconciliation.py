"""The breaks as known at a log position: a fold of the `Break` events committed by then
(docs/reconciliation.md §3). Pure: the caller reads the events, in log order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.periods import Period
from domain.reconciliation.breaks import OPEN, RESOLVED, WRITTEN_OFF, Break, Reconciliation
from domain.reconciliation.records import Check


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


@dataclass(frozen=True)
class MatchRow:
    """One recorded match, as the report counts it."""

    check: str
    key: str
    rule: str
    fund_class: str
    business_date: date
    ledger_amount: Decimal
    outside_amount: Decimal


def fold_matches(events: Iterable[Any]) -> list[MatchRow]:
    """Every match the `ItemsMatched` events record, in log order (a key is recorded once)."""
    found: list[MatchRow] = []
    for event in events:
        if not isinstance(event, Reconciliation.ItemsMatched):
            continue
        # Each match's values in `MATCH_COLUMNS`' order (version 3; earlier ones upcast).
        for key, rule, fund_class, day, _, _, ledger, outside in event.matches:
            found.append(
                MatchRow(
                    key.split("/", 1)[0],
                    key,
                    rule,
                    fund_class,
                    date.fromisoformat(day),
                    Decimal(ledger),
                    Decimal(outside),
                )
            )
    return found


@dataclass(frozen=True)
class CheckTotals:
    """One check over a period: what matched (count and both sides' totals) and its breaks."""

    check: str
    matches: int = 0
    within_tolerance: int = 0  # matches whose two sides differ, by no more than the tolerance
    ledger_matched: Decimal = Decimal(0)
    outside_matched: Decimal = Decimal(0)
    breaks_open: int = 0
    breaks_resolved: int = 0
    breaks_written_off: int = 0
    open_difference: Decimal = Decimal(0)  # the open breaks' differences summed


def check_totals(matches: Iterable[MatchRow], breaks: Iterable[BreakRow]) -> list[CheckTotals]:
    """Each check's totals, in the order of `Check`, then any other check by name."""
    totals: dict[str, CheckTotals] = {check.value: CheckTotals(check.value) for check in Check}
    for match in matches:
        now = totals.setdefault(match.check, CheckTotals(match.check))
        totals[match.check] = replace(
            now,
            matches=now.matches + 1,
            within_tolerance=now.within_tolerance + (match.ledger_amount != match.outside_amount),
            ledger_matched=now.ledger_matched + match.ledger_amount,
            outside_matched=now.outside_matched + match.outside_amount,
        )
    for row in breaks:
        now = totals.setdefault(row.check, CheckTotals(row.check))
        if row.is_open:
            now = replace(
                now,
                breaks_open=now.breaks_open + 1,
                open_difference=now.open_difference + row.difference,
            )
        elif row.status == RESOLVED:
            now = replace(now, breaks_resolved=now.breaks_resolved + 1)
        else:
            now = replace(now, breaks_written_off=now.breaks_written_off + 1)
        totals[row.check] = now
    return list(totals.values())


def dealer_status(
    breaks: dict[str, BreakRow], match_keys: set[str], key: tuple[str, str, str], invoiced: bool
) -> str:
    """A dealer's class and period as the three-way check left it: `agrees` (owed, invoiced and
    paid matched), `open: KIND, …` (its open breaks), `closed` (its breaks resolved or written
    off), `not invoiced`, or `not run` (invoiced, never reconciled)."""
    dealer, fund_class, period = key
    base = f"{Check.DEALER_FEES.value}/{dealer}/{fund_class}/{period}/"
    own = [row for row in breaks.values() if row.key.startswith(base)]
    kinds = sorted({row.kind for row in own if row.is_open})
    if kinds:
        return "open: " + ", ".join(kinds)
    if f"{base}three-way" in match_keys:
        return "agrees"
    if own:
        return "closed"
    return "not run" if invoiced else "not invoiced"


@dataclass(frozen=True)
class DealerLine:
    """One dealer, fund class and fee period: the three ways and the cap."""

    dealer: str
    dealer_name: str
    fund_class: str
    period: str
    agreement_reference: str
    method: str
    average_net_assets: Decimal | None
    rate_annual: Decimal | None
    owed: Decimal | None
    invoiced: Decimal | None
    cap: Decimal | None
    paid: Decimal | None
    payment_references: tuple[str, ...]
    status: str
    detail: str = ""


@dataclass(frozen=True)
class ReconciliationReport:
    period: Period
    as_of: date
    checks: tuple[CheckTotals, ...]
    open_breaks: tuple[BreakRow, ...]
    dealers: tuple[DealerLine, ...]
