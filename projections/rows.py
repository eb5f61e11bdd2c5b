"""Read-model rows as pure functions of events.

Every read model is append-only: each event adds rows and never changes earlier ones, so a
catch-up only inserts, and a rebuild is the same inserts from the first event. Money is in
integer cents and rates are exact decimal strings, so every database sums them exactly.

Projections, by name (each has its own tracking position):

    streams    what each stream is about (fund class, provider), and provider agreements
    journal    the double-entry journal (projections/journal.py)
    payments   payments to the Distributor, service fees to providers, FIFTH expenditures
    accruals   each day's accrual and each true-up, with the basis (for averages and rates)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache, singledispatch
from typing import TYPE_CHECKING, Any

from domain.events import LedgerEvent
from domain.fund_class import FundClass
from domain.ids import fund_class_key
from domain.periods import month_label, month_period
from domain.service import ServiceArrangement
from projections.journal import (
    DISTRIBUTOR,
    JournalEntry,
    StreamContext,
    cents,
    entry_id,
    journal_entry,
    mirror_account,
)

if TYPE_CHECKING:
    from functools import _SingleDispatchCallable

# A row of a table: by column name, or (the journal's lines) a tuple in the table's column
# order without the position, which the runner appends.
Row = tuple[str, dict[str, Any] | tuple[Any, ...]]
Project = Callable[[Any, StreamContext], list[Row]]


@singledispatch
def stream_rows(event: Any, context: StreamContext) -> list[Row]:
    return []


@stream_rows.register
def _(event: FundClass.PlanAdopted, context: StreamContext) -> list[Row]:
    return [
        (
            "streams",
            {
                "stream_id": str(event.originator_id),
                "kind": "fund_class",
                "fund_class": fund_class_key(event.fund_code, event.share_class),
                "provider": "",
                "company_code": event.company_code,
                "distributor_name": event.distributor_name,
                "fund_name": event.fund_name,
                "provider_name": "",
            },
        )
    ]


@stream_rows.register
def _(event: ServiceArrangement.ServiceArrangementOpened, context: StreamContext) -> list[Row]:
    return [
        (
            "streams",
            {
                "stream_id": str(event.originator_id),
                "kind": "service_arrangement",
                "fund_class": fund_class_key(event.fund_code, event.share_class),
                "provider": event.provider_code,
                "company_code": "",
                "distributor_name": "",
                "fund_name": "",
                "provider_name": event.provider_name,
            },
        )
    ]


@stream_rows.register
def _(event: ServiceArrangement.ProviderAgreementSigned, context: StreamContext) -> list[Row]:
    return [
        (
            "provider_agreements",
            {
                "stream_id": str(event.originator_id),
                "provider": context.provider,
                "fund_class": context.fund_class_key,
                "reference": event.agreement_reference,
                "agreement_kind": event.kind,
                "rate_annual": str(event.contractual_rate_annual),
                "effective_from": event.effective_from,
                "effective_to": event.effective_to,
            },
        )
    ]


JOURNAL_LINES = "journal_lines"
# Not a table: the rows of the fund's lines that the Distributor's books mirror, each with its
# mirror's line number and account; each stands for two rows of `journal_lines`
# (`mirrored_pair`), which the read models write by SQL (a rebuild binds half the lines).
MIRRORED_LINES = "journal_lines_mirrored"


def mirrored_pair(row: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The two `journal_lines` rows a `MIRRORED_LINES` row stands for: the fund's line and
    the Distributor's mirror of it (debit and credit swapped); a position, if the row ends
    with one, is kept on both."""
    entry, number, day, entity, account, debit, credit, mirror_number, mirrored, *rest = row
    return (
        (entry, number, day, entity, account, debit, credit, *rest),
        (entry, mirror_number, day, DISTRIBUTOR, mirrored, credit, debit, *rest),
    )


def journal_rows(event: Any, context: StreamContext) -> list[Row]:
    entry = journal_entry(event, context)
    if entry is None:
        return []
    assert entry.is_balanced, entry
    return [_journal_entry_row(event, entry), *_journal_line_rows(entry)]


def _journal_entry_row(event: Any, entry: JournalEntry) -> Row:
    return (
        "journal_entries",
        {
            "entry_id": entry.entry_id,
            "business_date": entry.business_date,
            "recorded_at": event.timestamp.isoformat(),
            "fund_class": entry.fund_class,
            "kind": entry.kind,
            "narration": entry.narration,
            "actor": event.actor,
            "source": event.source,
            "fund_payee": entry.fund_payee,
            "distributor_payee": entry.distributor_payee,
            # Beancount links (without `^`), space-separated: none holds a space.
            "links": " ".join(entry.links),
        },
    )


def _journal_line_rows(entry: JournalEntry) -> list[Row]:
    """The lines as tuples in the table's column order (the runner adds the position): a
    rebuild writes eight per accrual, and a tuple is cheaper to build and to insert than a
    dict. The columns: entry_id, line_no, business_date, entity, account, debit_cents,
    credit_cents. A mirrored entry gives the fund's lines with what their mirror needs (its
    line number and account): the database writes each line and its mirror from that one row
    (`MIRRORED_LINES`)."""
    key, day = entry.entry_id, entry.business_date
    lines = [
        (key, number, day, line.entity, line.account, line.debit_cents, line.credit_cents)
        for number, line in enumerate(entry.posted, start=1)
    ]
    if not entry.mirrored:
        return [(JOURNAL_LINES, line) for line in lines]
    count, fund_class = len(lines), entry.fund_class
    return [
        (MIRRORED_LINES, (*line, line[1] + count, mirror_account(line[4], fund_class)))
        for line in lines
    ]


@singledispatch
def payment_rows(event: Any, context: StreamContext) -> list[Row]:
    return []


def _distributor_payment(event: Any, context: StreamContext, sign: int, is_advance: bool) -> Row:
    """A payment (sign 1) or its reversal (sign -1): the same columns, opposite amounts."""
    return (
        "distributor_payments",
        {
            "entry_id": entry_id(event),
            "fund_class": context.fund_class_key,
            "paid_on": event.business_date,
            "period_start": event.period_start,
            "period_end_exclusive": event.period_end_exclusive,
            "amount_cents": sign * cents(event.amount),
            "absc_cents": sign * cents(event.absc_amount),
            "service_cents": sign * cents(event.service_amount),
            "is_advance": is_advance,
            "reference": event.reference,
        },
    )


def _service_fee(event: Any, context: StreamContext, sign: int, cap_cents: int) -> Row:
    return (
        "service_fees",
        {
            "entry_id": entry_id(event),
            "fund_class": context.fund_class_key,
            "provider": context.provider,
            "paid_on": event.business_date,
            "period_start": event.period_start,
            "period_end_exclusive": event.period_end_exclusive,
            "amount_cents": sign * cents(event.amount),
            "cap_cents": cap_cents,
            "paid_or_advanced": event.paid_or_advanced,
            "reference": event.reference,
        },
    )


def _expenditure(event: Any, context: StreamContext, sign: int, description: str) -> Row:
    return (
        "expenditures",
        {
            "entry_id": entry_id(event),
            "fund_class": context.fund_class_key,
            "incurred_on": event.business_date,
            "period_start": event.period_start,
            "period_end_exclusive": event.period_end_exclusive,
            "purpose": event.purpose,
            "performer": event.performer,
            "performer_name": event.performer_name,
            "amount_cents": sign * cents(event.amount),
            "description": description,
            "reference": event.reference,
        },
    )


@payment_rows.register
def _(event: FundClass.DistributorPaid, context: StreamContext) -> list[Row]:
    return [_distributor_payment(event, context, 1, event.is_advance)]


@payment_rows.register
def _(event: FundClass.DistributorPaymentReversed, context: StreamContext) -> list[Row]:
    return [_distributor_payment(event, context, -1, is_advance=False)]


@payment_rows.register
def _(event: ServiceArrangement.ServiceFeePaid, context: StreamContext) -> list[Row]:
    return [_service_fee(event, context, 1, cents(event.cap_amount))]


@payment_rows.register
def _(event: ServiceArrangement.ServiceFeeReversed, context: StreamContext) -> list[Row]:
    return [_service_fee(event, context, -1, cap_cents=0)]


def _receivable_settled_rows(
    event: Any, context: StreamContext, absc_cents: int, service_cents: int
) -> list[Row]:
    """What an offset or a refund took back from each month it settles the receivable of, as
    negative payment rows for that month (decision A16): a month's payments in the SIXTH split
    are then what the Distributor kept for it. The parts run down month by month, the last
    month taking what is left."""
    rows: list[Row] = []
    absc_left, service_left = absc_cents, service_cents
    months = sorted(event.taken_by_month.items())
    for number, (month, amount) in enumerate(months, start=1):
        total = cents(amount)
        share = total * absc_cents // max(absc_cents + service_cents, 1)
        # Neither part gives back more than it has left; the last month takes the rest.
        absc = (
            absc_left if number == len(months) else max(min(absc_left, share), total - service_left)
        )
        service = total - absc
        absc_left, service_left = absc_left - absc, service_left - service
        period = month_period(date.fromisoformat(f"{month}-01"))
        rows.append(
            (
                "distributor_payments",
                {
                    "entry_id": f"{entry_id(event)}/{number}",
                    "fund_class": context.fund_class_key,
                    "paid_on": event.business_date,
                    "period_start": period.start,
                    "period_end_exclusive": period.end_exclusive,
                    "amount_cents": -total,
                    "absc_cents": -absc,
                    "service_cents": -service,
                    "is_advance": False,
                    "reference": event.reference,
                },
            )
        )
    return rows


@payment_rows.register
def _(event: FundClass.DistributorReceivableOffset, context: StreamContext) -> list[Row]:
    """The months paid for are settled by the offset as by a payment; the months the
    receivable came from give it back."""
    settled: Row = (
        "distributor_payments",
        {
            "entry_id": entry_id(event),
            "fund_class": context.fund_class_key,
            "paid_on": event.business_date,
            "period_start": event.period_start,
            "period_end_exclusive": event.period_end_exclusive,
            "amount_cents": cents(event.amount),
            "absc_cents": cents(event.payable_absc),
            "service_cents": cents(event.payable_service),
            "is_advance": False,
            "reference": event.reference,
        },
    )
    taken = _receivable_settled_rows(
        event, context, cents(event.receivable_absc), cents(event.receivable_service)
    )
    return [settled, *taken]


@payment_rows.register
def _(event: FundClass.DistributorRefundReceived, context: StreamContext) -> list[Row]:
    return _receivable_settled_rows(
        event, context, cents(event.receivable_absc), cents(event.receivable_service)
    )


@payment_rows.register
def _(event: FundClass.ExpenditureRecorded, context: StreamContext) -> list[Row]:
    return [_expenditure(event, context, 1, event.description)]


@payment_rows.register
def _(event: FundClass.ExpenditureReversed, context: StreamContext) -> list[Row]:
    return [_expenditure(event, context, -1, f"reversal: {event.reason}")]


@singledispatch
def accrual_rows(event: Any, context: StreamContext) -> list[Row]:
    return []


def _accrual_row(
    event: Any,
    context: StreamContext,
    kind: str,
    *,
    month: str,
    basis_cents: int,
    rated: bool,
    absc_cents: int,
    service_cents: int,
) -> Row:
    """One row of `rm_accruals`; a true-up carries no basis, rates or day count."""
    return (
        "accruals",
        {
            "entry_id": entry_id(event),
            "fund_class": context.fund_class_key,
            "business_date": event.business_date,
            "month": month,
            "kind": kind,
            "basis_cents": basis_cents,
            "days_in_year": event.days_in_year if rated else 0,
            "absc_rate_annual": str(event.absc_rate_annual) if rated else "",
            "service_rate_annual": str(event.service_rate_annual) if rated else "",
            "absc_cents": absc_cents,
            "service_cents": service_cents,
        },
    )


@accrual_rows.register
def _(event: FundClass.FeeAccrued, context: StreamContext) -> list[Row]:
    return [
        _accrual_row(
            event,
            context,
            "accrual",
            month=month_label(event.business_date),
            basis_cents=cents(event.basis_net_assets),
            rated=True,
            absc_cents=cents(event.absc_amount),
            service_cents=cents(event.service_amount),
        )
    ]


@accrual_rows.register
def _(event: FundClass.AccrualTrueUpPosted, context: StreamContext) -> list[Row]:
    return [
        _accrual_row(
            event,
            context,
            "true-up",
            month=event.month,
            basis_cents=0,
            rated=False,
            absc_cents=cents(event.adjustment_absc),
            service_cents=cents(event.adjustment_service),
        )
    ]


@accrual_rows.register
def _(event: FundClass.FeeAccrualAdjusted, context: StreamContext) -> list[Row]:
    return [
        _accrual_row(
            event,
            context,
            "adjustment",
            month=month_label(event.business_date),
            basis_cents=cents(event.basis_net_assets) - cents(event.basis_net_assets_previous),
            rated=True,
            absc_cents=cents(event.absc_amount_delta),
            service_cents=cents(event.service_amount_delta),
        )
    ]


@accrual_rows.register
def _(event: FundClass.FeeAccrualReversed, context: StreamContext) -> list[Row]:
    # The day's basis leaves the month with it (a negative basis), as its cents do.
    return [
        _accrual_row(
            event,
            context,
            "reversal",
            month=month_label(event.business_date),
            basis_cents=-cents(event.basis_net_assets),
            rated=True,
            absc_cents=cents(event.absc_amount_delta),
            service_cents=cents(event.service_amount_delta),
        )
    ]


PROJECTIONS: dict[str, Project] = {
    "streams": stream_rows,
    "journal": journal_rows,
    "payments": payment_rows,
    "accruals": accrual_rows,
}


# What each projection turns on: journal_rows on journal_entry, the others on themselves.
_DISPATCHERS: dict[str, _SingleDispatchCallable[Any]] = {
    "streams": stream_rows,
    "journal": journal_entry,
    "payments": payment_rows,
    "accruals": accrual_rows,
}


assert _DISPATCHERS.keys() == PROJECTIONS.keys()


@cache
def projections_with_rows(event_class: type) -> tuple[str, ...]:
    """The projections that may turn an event of this class into rows: those with a function
    for it (each one's fallback, registered for `object`, returns none). A rebuild skips the
    others without calling them."""
    return tuple(
        name
        for name, dispatcher in _DISPATCHERS.items()
        if dispatcher.dispatch(event_class) is not dispatcher.registry[object]
    )


def relevant_topics() -> frozenset[str]:
    """The topics of every event some projection turns into rows, or that opens a stream.

    The runner skips the others (net assets, governance, the registry) without decoding them.
    """
    classes: set[type[LedgerEvent]] = {
        FundClass.PlanAdopted,
        ServiceArrangement.ServiceArrangementOpened,
    }
    for dispatcher in (stream_rows, payment_rows, accrual_rows, journal_entry):
        classes |= {cls for cls in dispatcher.registry if cls is not object}
    return frozenset(cls.TOPIC for cls in classes)


def context_of_new_stream(event: Any) -> tuple[str, StreamContext] | None:
    """The context a stream-creating event establishes, for the events that follow it."""
    if isinstance(event, FundClass.PlanAdopted):
        return str(event.originator_id), StreamContext(
            fund_class_key(event.fund_code, event.share_class),
            distributor_name=event.distributor_name,
            fund_name=event.fund_name,
        )
    if isinstance(event, ServiceArrangement.ServiceArrangementOpened):
        return str(event.originator_id), StreamContext(
            fund_class_key(event.fund_code, event.share_class),
            event.provider_code,
            provider_name=event.provider_name,
        )
    return None
