"""`planledger log`: the auditor's view of the event log (docs/audit.md §5).

Each entry says what was recorded (the event and its stream), when (business date, recorded
time, commit time and log position), who recorded it, why (a reason, note or subject, where
the event has one) and from which source document or command.

For programs reading it, an entry also names its event (`event_id`, the stream id and version
the journal and the Beancount export carry as `event`), its fund, class and provider, its
amount and reference, and for a reversal the event id and log position of what it reverses;
its fields follow the contract of adapters/readside/event_fields.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from adapters.readside.event_fields import contract_fields
from adapters.readside.view import LedgerView
from domain.board import Board, board_id
from domain.events import LedgerEvent
from domain.fund_class import FundClass
from domain.ids import fund_class_id, service_arrangement_id
from domain.instrument import PlanInstrument
from domain.market_data import MARKET_DATA_ID, MarketData
from domain.reconciliation.breaks import Break, Reconciliation
from domain.reconciliation.statement import OutsideStatement
from domain.registry import REGISTRY_ID, Registry
from domain.seal import ChainSeal
from domain.service import ServiceArrangement

AGGREGATES = (
    FundClass,
    ServiceArrangement,
    Board,
    Registry,
    MarketData,
    PlanInstrument,
    ChainSeal,
    OutsideStatement,
    Reconciliation,
    Break,
)
PAGE = 2_000
# Fields that say why an event was recorded, in the order they are looked for.
WHY_FIELDS = ("reason", "note", "subject", "description", "why")
# Fields an entry shows in columns of their own (or not at all), not among its fields.
SHOWN_ELSEWHERE = frozenset(
    ("actor", "source", "idempotency_key", "business_date", "timestamp", "originator_topic")
)


def event_types() -> dict[str, str]:
    """Event class name → topic, for every ledger event."""
    types: dict[str, str] = {}
    for aggregate in AGGREGATES:
        for name, member in vars(aggregate).items():
            if isinstance(member, type) and issubclass(member, LedgerEvent):
                topic = getattr(member, "TOPIC", None)
                if topic and name not in ("Event", "Created"):
                    types[name] = topic
    return types


@dataclass(frozen=True)
class LogFilter:
    fund: str | None = None
    share_class: str | None = None
    event_types: Sequence[str] = ()
    actor: str | None = None
    business_from: date | None = None
    business_to: date | None = None
    committed_from: datetime | None = None
    committed_to: datetime | None = None
    # Log positions, both inclusive (`log --position N` or `N..M`, `log --event ID`).
    first_position: int | None = None
    last_position: int | None = None

    def accepts(self, entry: LogEntry) -> bool:
        if self.actor is not None and entry.actor != self.actor:
            return False
        day = entry.business_date
        if self.business_from is not None and (day is None or day < self.business_from):
            return False
        return not (self.business_to is not None and (day is None or day > self.business_to))


@dataclass(frozen=True)
class LogEntry:
    position: int
    committed_at: str
    recorded_at: str
    business_date: date | None
    stream: str
    version: int
    event_type: str
    actor: str
    source: str
    why: str
    idempotency_key: str
    fields: dict[str, Any] = field(default_factory=dict)
    event_id: str = ""  # stream id:version, as the journal's entries name their event
    fund: str | None = None
    share_class: str | None = None
    provider: str | None = None
    amount: str | None = None
    reference: str | None = None
    reverses_event_id: str | None = None
    reverses_position: int | None = None


class UnknownEventTypeError(ValueError):
    pass


@dataclass(frozen=True)
class StreamLabel:
    """How the log names a stream, and the fund class it belongs to (if any)."""

    text: str
    fund_class: str | None = None
    provider: str | None = None


def stream_labels(view: LedgerView) -> dict[UUID, StreamLabel]:
    labels = {REGISTRY_ID: StreamLabel("Registry"), MARKET_DATA_ID: StreamLabel("MarketData")}
    registry = view.registry()
    if registry is None:
        return labels
    for key in registry.fund_classes:
        labels[fund_class_id(*key.split("/", 1))] = StreamLabel(f"FundClass {key}", key)
    for company in {fund_class.company_code for fund_class in view.fund_classes()}:
        labels[board_id(company)] = StreamLabel(f"Board {company}")
    for provider, keys in registry.service_arrangements.items():
        for key in keys:
            labels[service_arrangement_id(provider, *key.split("/", 1))] = StreamLabel(
                f"ServiceArrangement {provider} {key}", key, provider
            )
    return labels


def _topics(names: Sequence[str]) -> list[str]:
    known = event_types()
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownEventTypeError(
            f"--type: unknown event type {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [known[name] for name in names]


def _streams_of(labels: dict[UUID, StreamLabel], chosen: LogFilter) -> list[UUID] | None:
    """The streams of the chosen fund and class (None: every stream)."""
    if chosen.fund is None and chosen.share_class is None:
        return None
    wanted = []
    for stream_id, label in labels.items():
        if label.fund_class is None:
            continue
        fund, share_class = label.fund_class.split("/", 1)
        if chosen.fund in (None, fund) and chosen.share_class in (None, share_class):
            wanted.append(stream_id)
    return wanted


def event_classes() -> dict[str, type]:
    """Topic → event class, for every ledger event."""
    classes: dict[str, type] = {}
    for aggregate in AGGREGATES:
        for member in vars(aggregate).values():
            if isinstance(member, type) and issubclass(member, LedgerEvent):
                topic = getattr(member, "TOPIC", None)
                if topic:
                    classes[topic] = member
    return classes


def _bounds(view: LedgerView, chosen: LogFilter) -> tuple[int, int]:
    """The positions the log reads: after the first, up to and with the second."""
    store = view.store
    after = 0
    if chosen.committed_from is not None:
        # From is inclusive: start after the last event committed before it.
        after = store.position_known_at(chosen.committed_from - timedelta(microseconds=1))
    if chosen.first_position is not None:
        after = max(after, chosen.first_position - 1)
    stops = [
        position
        for position in (
            view.known_position,
            store.position_known_at(chosen.committed_to) if chosen.committed_to else None,
            chosen.last_position,
        )
        if position is not None
    ]
    return after, min(stops) if stops else store.head_position()


def read_log(view: LedgerView, chosen: LogFilter) -> Iterator[LogEntry]:
    """The entries the filter accepts, in log order, as known at the view's position."""
    store = view.store
    labels = stream_labels(view)
    topics = _topics(chosen.event_types)
    streams = _streams_of(labels, chosen)
    if streams == []:
        return
    after, stop = _bounds(view, chosen)
    reader = _EntryReader(labels, event_classes(), store.recorder, stop)
    while after < stop:
        page = _page(store, streams, topics, after, stop)
        if not page:
            return
        times = store.recorder.commit_times([n.id for n in page])  # type: ignore[attr-defined]
        for notification in page:
            if topics and notification.topic not in topics:
                continue
            entry = reader.entry(notification, times.get(notification.id, ""))
            if chosen.accepts(entry):
                yield entry
        after = page[-1].id


def last_entries(view: LedgerView, chosen: LogFilter, limit: int) -> list[LogEntry]:
    """The last `limit` entries the filter accepts, in log order: read back from the end in
    widening windows, so `log --limit 20` on a long log reads about 20 events, not the log."""
    _, stop = _bounds(view, chosen)
    floor = chosen.first_position or 1
    window = limit
    while True:
        first = max(floor, stop - window + 1)
        entries = list(read_log(view, replace(chosen, first_position=first)))
        if len(entries) >= limit or first <= floor:
            return entries[-limit:] if limit else []
        window *= 4


def event_position(view: LedgerView, event_id: str) -> int | None:
    """The log position of the event `event_id` names (`STREAM:VERSION`, as the journal and
    the Beancount export's `event` metadata carry it), if the view knows it."""
    stream, _, version = event_id.strip().partition(":")
    try:
        stream_id, number = UUID(stream), int(version)
    except ValueError:
        return None
    position = view.store.recorder.position_of(stream_id, number)  # type: ignore[attr-defined]
    known = view.known_position
    if position is None or (known is not None and position > known):
        return None
    return int(position)


def _page(
    store: Any, streams: list[UUID] | None, topics: list[str], after: int, stop: int
) -> list[Any]:
    """The next page of notifications after `after` (filtered by topic in SQL where the
    recorder can; the caller filters again)."""
    if streams is None:
        return list(
            store.recorder.select_notifications(
                start=after, limit=PAGE, stop=stop, topics=topics, inclusive_of_start=False
            )
        )
    return list(store.recorder.select_stream_notifications(streams, after, PAGE, stop))


class _EntryReader:
    """Turns notifications into log entries; knows the streams' labels and event classes,
    and asks the recorder where a reversed event stands in the log."""

    def __init__(
        self, labels: dict[UUID, StreamLabel], classes: dict[str, type], recorder: Any, stop: int
    ) -> None:
        self.labels = labels
        self.classes = classes
        self.recorder = recorder
        self.stop = stop  # the last position the log reads
        # Per stream, read once when a day's reversal first asks: each business day's
        # accruals as (position, version), in log order.
        self.accruals: dict[UUID, dict[str, list[tuple[int, int]]]] = {}

    def entry(self, notification: Any, committed_at: str) -> LogEntry:
        state = json.loads(notification.state) if notification.state else {}
        stream_id = (
            notification.originator_id
            if isinstance(notification.originator_id, UUID)
            else UUID(str(notification.originator_id))
        )
        topic = notification.topic
        aggregate, _, event_type = topic.rpartition(".")
        known = self.labels.get(stream_id)
        label = known.text if known else f"{aggregate.rpartition('.')[2]} {str(stream_id)[:8]}"
        business = state.get("business_date")
        why = next((str(state[name]) for name in WHY_FIELDS if state.get(name)), "")
        if state.get("restatement_key"):
            why = f"{why} [restatement {state['restatement_key']}]".strip()
        fields = contract_fields(
            {key: value for key, value in state.items() if key not in SHOWN_ELSEWHERE},
            self.classes.get(topic),
        )
        fund, share_class = _fund_and_class(known, state)
        return LogEntry(
            position=notification.id,
            committed_at=committed_at,
            recorded_at=_recorded_at(state),
            business_date=date.fromisoformat(business) if isinstance(business, str) else None,
            stream=label,
            version=notification.originator_version,
            event_type=event_type,
            actor=str(state.get("actor", "")),
            source=str(state.get("source", "")),
            why=why,
            idempotency_key=str(state.get("idempotency_key", "")),
            fields=fields,
            event_id=f"{stream_id}:{notification.originator_version}",
            fund=fund,
            share_class=share_class,
            provider=(known.provider if known else None) or _text(state.get("provider_code")),
            amount=_text(fields.get("amount")),
            reference=_text(state.get("reference")) or _text(state.get("fee_reference")),
            **self._reverses(stream_id, notification, state),
        )

    def _reverses(
        self, stream_id: UUID, notification: Any, state: dict[str, Any]
    ) -> dict[str, Any]:
        """What a reversal reverses, in its own stream: a payment's reversal names it by
        `reversed_version`; a day's accrual taken off the books (`FeeAccrualReversed`) is that
        day's latest `FeeAccrued` before it."""
        version = state.get("reversed_version")
        if isinstance(version, int):
            return {
                "reverses_event_id": f"{stream_id}:{version}",
                "reverses_position": self.recorder.position_of(stream_id, version),
            }
        if notification.topic != FundClass.FeeAccrualReversed.TOPIC:
            return {}
        earlier = [
            (position, accrued_version)
            for position, accrued_version in self._accruals_of(stream_id).get(
                str(state.get("business_date")), []
            )
            if position < notification.id
        ]
        if not earlier:
            return {}
        position, accrued_version = earlier[-1]
        return {
            "reverses_event_id": f"{stream_id}:{accrued_version}",
            "reverses_position": position,
        }

    def _accruals_of(self, stream_id: UUID) -> dict[str, list[tuple[int, int]]]:
        known = self.accruals.get(stream_id)
        if known is not None:
            return known
        days: dict[str, list[tuple[int, int]]] = {}
        after = 0
        while True:
            page = self.recorder.select_stream_notifications([stream_id], after, PAGE, self.stop)
            if not page:
                break
            for found in page:
                if found.topic == FundClass.FeeAccrued.TOPIC:
                    day = str(json.loads(found.state).get("business_date"))
                    days.setdefault(day, []).append((found.id, found.originator_version))
            after = page[-1].id
        self.accruals[stream_id] = days
        return days


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _fund_and_class(
    label: StreamLabel | None, state: dict[str, Any]
) -> tuple[str | None, str | None]:
    """The fund and class of the entry's stream, else of the event's own fields."""
    if label is not None and label.fund_class is not None:
        fund, _, share_class = label.fund_class.partition("/")
        return fund, share_class
    return _text(state.get("fund_code")), _text(state.get("share_class"))


def _recorded_at(state: dict[str, Any]) -> str:
    stamp = state.get("timestamp")
    if isinstance(stamp, dict):  # the library's tagged form
        stamp = stamp.get("_data_")
    return str(stamp or "")
