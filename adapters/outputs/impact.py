"""`planledger impact --since T`: what the events committed after T change in what was already
issued or paid (docs/audit.md §2).

For every issued quarterly report, service fee and Distributor payment that the new events
could touch, the figure is computed twice, from the same code: as the ledger knew it at T (or
when the item was issued or paid, if later), and as it knows it now. Only differences are
listed, figure by figure, with the amount of the change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select

from adapters.outputs.reports import quarterly_report, report_sha256
from adapters.readside.queries import known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from domain.fund_class import FundClass
from domain.ids import fund_class_id, service_arrangement_id
from domain.periods import Period
from domain.service import ServiceArrangement

PAGE = 5_000
# Report fields that describe how the report was built, not what it reports; its issue and
# review lines (a report that moved is no longer the one issued: not a figure that moved); and
# the events behind each figure (a correction adds events: the figures it moves are listed).
PROVENANCE_PATHS = ("built_from.", "issue.", "board_review.", "sources.")
# The field that names an item of a list in a report (a month, a provider, a purpose, a
# performer, a column).
LIST_KEYS = ("month", "provider", "purpose", "performer", "section", "quarter")


@dataclass(frozen=True)
class FigureChange:
    path: str
    before: str
    after: str

    @property
    def delta(self) -> Decimal | None:
        try:
            return Decimal(self.after) - Decimal(self.before)
        except (InvalidOperation, TypeError):
            return None


@dataclass(frozen=True)
class ReportImpact:
    fund_class: str
    quarter: str
    issued_on: date
    issued_sha256: str
    sha256_then: str
    sha256_now: str
    changes: list[FigureChange]


@dataclass(frozen=True)
class AmountImpact:
    kind: str  # service-fee-cap, distributor-payment
    fund_class: str
    provider: str
    reference: str
    period: str
    paid: Decimal
    then: Decimal
    now: Decimal
    note: str = ""

    @property
    def delta(self) -> Decimal:
        return self.now - self.then


@dataclass
class Impact:
    since: datetime
    since_position: int
    now_position: int
    events_since: int = 0
    corrections: dict[str, int] = field(default_factory=dict)
    reports: list[ReportImpact] = field(default_factory=list)
    amounts: list[AmountImpact] = field(default_factory=list)


def _notifications(ledger: LedgerView, after: int, stop: int) -> Iterator[Any]:
    while after < stop:
        page = ledger.store.recorder.select_notifications(
            start=after, limit=PAGE, stop=stop, inclusive_of_start=False
        )
        if not page:
            return
        yield from page
        after = page[-1].id


def _stream_positions(ledger: LedgerView, stream_id: UUID, topic: str, stop: int) -> list[Any]:
    recorder: Any = ledger.store.recorder
    after = 0
    found: list[Any] = []
    while True:
        page = recorder.select_stream_notifications([stream_id], after, PAGE, stop)
        if not page:
            return found
        found += [n for n in page if n.topic == topic]
        after = page[-1].id


def _standing_payments(
    ledger: LedgerView, stream_id: UUID, paid_topic: str, reversed_topic: str, stop: int
) -> list[tuple[int, dict[str, Any]]]:
    """(position, state) of each payment in the stream not reversed by `stop`: a reversed
    payment is no longer paid, whatever its figures."""
    reversed_references = {
        json.loads(n.state)["reference"]
        for n in _stream_positions(ledger, stream_id, reversed_topic, stop)
    }
    payments = [
        (n.id, json.loads(n.state)) for n in _stream_positions(ledger, stream_id, paid_topic, stop)
    ]
    return [(at, state) for at, state in payments if state["reference"] not in reversed_references]


def _period_of(state: dict[str, Any]) -> Period:
    return Period(
        date.fromisoformat(state["period_start"]),
        date.fromisoformat(state["period_end_exclusive"]),
    )


def analyse_impact(ledger: LedgerView, since: datetime, *, max_carry_days: int) -> Impact:
    store = ledger.store
    now_position = store.head_position() if ledger.known_position is None else ledger.known_position
    impact = Impact(since, store.position_known_at(since), now_position)
    changed: set[UUID] = set()
    for notification in _notifications(ledger, impact.since_position, now_position):
        impact.events_since += 1
        changed.add(
            notification.originator_id
            if isinstance(notification.originator_id, UUID)
            else UUID(str(notification.originator_id))
        )
        event_type = notification.topic.rpartition(".")[2]
        if event_type.endswith(("Restated", "Adjusted", "Reversed", "ReceivableBooked")):
            impact.corrections[event_type] = impact.corrections.get(event_type, 0) + 1
    now = ledger.as_known_at(now_position)
    registry = now.registry()
    if registry is None:
        return impact
    for key in sorted(registry.fund_classes):
        fund_code, share_class = key.split("/", 1)
        providers = sorted(p for p, keys in registry.service_arrangements.items() if key in keys)
        streams = {fund_class_id(fund_code, share_class)} | {
            service_arrangement_id(provider, fund_code, share_class) for provider in providers
        }
        if not streams & changed:
            continue
        impact.reports += _report_impacts(ledger, impact, key)
        impact.amounts += _payment_impacts(ledger, impact, key)
        for provider in providers:
            impact.amounts += _service_fee_impacts(
                ledger, impact, key, provider, max_carry_days=max_carry_days
            )
    return impact


# ---- reports --------------------------------------------------------------------------------


def _report_impacts(ledger: LedgerView, impact: Impact, key: str) -> list[ReportImpact]:
    issued: dict[str, tuple[int, Any]] = {}
    stream_id = fund_class_id(*key.split("/", 1))
    for notification in _stream_positions(
        ledger, stream_id, FundClass.QuarterlyReportIssued.TOPIC, impact.now_position
    ):
        state = json.loads(notification.state)
        issued[state["quarter"]] = (notification.id, state)
    found = []
    for quarter, (position, state) in sorted(issued.items()):
        then_position = max(impact.since_position, position)
        then = quarterly_report(ledger.as_known_at(then_position), key, quarter)
        now = quarterly_report(ledger.as_known_at(impact.now_position), key, quarter)
        sha_then, sha_now = report_sha256(then), report_sha256(now)
        if sha_then == sha_now:
            continue
        found.append(
            ReportImpact(
                fund_class=key,
                quarter=quarter,
                issued_on=date.fromisoformat(state["business_date"]),
                issued_sha256=state["report_sha256"],
                sha256_then=sha_then,
                sha256_now=sha_now,
                changes=figure_changes(then, now),
            )
        )
    return found


def report_leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from report_leaves(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = (
                next((str(item[k]) for k in LIST_KEYS if item.get(k)), None)
                if isinstance(item, dict)
                else None
            )
            yield from report_leaves(item, f"{path}[{label or index}]")
    else:
        yield path, "" if value is None else str(value)


def figure_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FigureChange]:
    """Every leaf of the report that differs (the build's provenance aside)."""
    old, new = dict(report_leaves(before)), dict(report_leaves(after))
    return [
        FigureChange(path, old.get(path, ""), new.get(path, ""))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
        and not path.startswith(PROVENANCE_PATHS)
        and not path.endswith(".explanation")  # a sentence of the figures listed already
    ]


# ---- payments -------------------------------------------------------------------------------


def _accrued_cents(ledger: LedgerView, key: str, period: Period, position: int) -> int:
    accruals = TABLES["accruals"]
    query = known(
        select(func.coalesce(func.sum(accruals.c.absc_cents + accruals.c.service_cents), 0)).where(
            and_(
                accruals.c.fund_class == key,
                accruals.c.business_date >= period.start,
                accruals.c.business_date < period.end_exclusive,
            )
        ),
        position,
        accruals,
    )
    with ledger.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _payment_impacts(ledger: LedgerView, impact: Impact, key: str) -> list[AmountImpact]:
    stream_id = fund_class_id(*key.split("/", 1))
    found = []
    for paid_at, state in _standing_payments(
        ledger,
        stream_id,
        FundClass.DistributorPaid.TOPIC,
        FundClass.DistributorPaymentReversed.TOPIC,
        impact.now_position,
    ):
        period = _period_of(state)
        then_position = max(impact.since_position, paid_at)
        then = _accrued_cents(ledger, key, period, then_position)
        now = _accrued_cents(ledger, key, period, impact.now_position)
        if then == now:
            continue
        paid = Decimal(state["amount"])
        found.append(
            AmountImpact(
                kind="distributor-payment",
                fund_class=key,
                provider="",
                reference=state["reference"],
                period=period.label(),
                paid=paid,
                then=Decimal(then) / 100,
                now=Decimal(now) / 100,
                # Decision A16: a month now paid beyond its fee is owed back by the Distributor.
                note="accrued for the period it settled"
                + (
                    "; paid beyond it now: a receivable from the Distributor"
                    if paid * 100 > now
                    else ""
                ),
            )
        )
    return found


def _service_fee_impacts(
    ledger: LedgerView, impact: Impact, key: str, provider: str, *, max_carry_days: int
) -> list[AmountImpact]:
    """The cap of each period with standing service fees, then and now; the fees paid for a
    period are held against its cap together, as the ledger holds them when paying."""
    fund_code, share_class = key.split("/", 1)
    stream_id = service_arrangement_id(provider, fund_code, share_class)
    by_period: dict[Period, list[tuple[int, dict[str, Any]]]] = {}
    for paid_at, state in _standing_payments(
        ledger,
        stream_id,
        ServiceArrangement.ServiceFeePaid.TOPIC,
        ServiceArrangement.ServiceFeeReversed.TOPIC,
        impact.now_position,
    ):
        by_period.setdefault(_period_of(state), []).append((paid_at, state))
    found = []
    for period, fees in sorted(by_period.items(), key=lambda item: item[0].start):
        then_position = max(impact.since_position, min(paid_at for paid_at, _ in fees))
        then_view, now_view = (
            ledger.as_known_at(then_position),
            ledger.as_known_at(impact.now_position),
        )
        then = _cap(then_view, provider, key, period, max_carry_days)
        now = _cap(now_view, provider, key, period, max_carry_days)
        paid = sum((Decimal(state["amount"]) for _, state in fees), Decimal(0))
        # A fact learnt late may take days the fees paid for out of effect (decision A19).
        days_out = _days_in_effect(then_view, key, period) - _days_in_effect(now_view, key, period)
        if then == now and paid <= now and not days_out:
            continue  # a cap that moved and came back still leaves later fees over it
        note = "over the cap now" if paid > now else "cap of the fees paid"
        if days_out:
            note += f"; {days_out} of its days no longer in effect"
        found.append(
            AmountImpact(
                kind="service-fee-cap",
                fund_class=key,
                provider=provider,
                reference=", ".join(state["reference"] for _, state in fees),
                period=period.label(),
                paid=paid,
                then=then,
                now=now,
                note=note,
            )
        )
    return found


def _days_in_effect(view: LedgerView, key: str, period: Period) -> int:
    return len(view.fund_class_by_key(key).standing().days_in_effect(period))


def _cap(view: LedgerView, provider: str, key: str, period: Period, max_carry_days: int) -> Decimal:
    fund_code, share_class = key.split("/", 1)
    cap = view.service_fee_cap(
        provider, fund_code, share_class, period, max_carry_days=max_carry_days
    )
    return cap.cap_amount
