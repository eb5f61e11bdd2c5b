"""The double-entry journal: each money event as a balanced entry of named accounts, kept in
two sets of books that the plan ties together.

A pure function from one event to its entry (or None). Amounts are integer cents, so sums are
exact in any database. Every line belongs to one of two entities, and each entity's lines
balance within every entry (docs/books.md has the chart of accounts and every event's postings):

the fund (`fund`), per fund class, on the accrual basis:

    Expenses:Plan12b1:{class}:{part}                    the class's 12b-1 expense
    Liabilities:PayableToDistributor:{class}:{part}     what the class owes the Distributor
    Assets:Fund:{class}:ReceivableFromDistributor:{part}  what the Distributor owes back (A16)
    Equity:Fund:{class}:GeneralLedgerSettlement         cash paid and received for the plan,
                                                        which the fund's general ledger keeps

the Distributor (`distributor`), the mirror of the fund's plan accounts and its own spending:

    Income:Distributor:PlanFees:{class}:{part}          plan fees earned, as the fund accrues
    Assets:Distributor:ReceivableFromFund:{class}:{part}  the mirror of the fund's payable
    Liabilities:Distributor:PayableToFund:{class}:{part}  the mirror of the fund's receivable
    Equity:Distributor:GeneralLedgerSettlement          cash received and paid for the plan,
                                                        which its general ledger keeps
    Expenses:Distributor:ServiceFees:{class}:{provider} service fees it paid (SEVENTH)
    Expenses:Distributor:Fifth:{class}:{Purpose}        what it spent, by FIFTH purpose

`{part}` is AssetBasedSalesCharge or ServiceFee. A `{class}` is the fund code and share class
joined by a dash (`INTL-BCV-R`), so that every account name is also a valid Beancount account.
Each entry names, per entity, its payee (the other party) and its links: the month an accrual
is for and the months a payment covers (`INTL-BCV-R-2003-07`), and the reference that ties a
payment, a fee or an expenditure to its reversal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache, singledispatch
from typing import Any, NamedTuple

from domain.fund_class import FundClass
from domain.money import CENT
from domain.periods import month_label, next_month_start
from domain.service import ServiceArrangement

ABSC = "AssetBasedSalesCharge"
SERVICE = "ServiceFee"
PARTS = (ABSC, SERVICE)
FUND = "fund"
DISTRIBUTOR = "distributor"
ENTITIES = (FUND, DISTRIBUTOR)
DISTRIBUTOR_SETTLEMENT = "Equity:Distributor:GeneralLedgerSettlement"


class JournalLine(NamedTuple):
    # A named tuple rather than a frozen dataclass: a rebuild makes eight per accrual, and a
    # tuple is built several times faster (its fields and equality are the same).
    account: str
    debit_cents: int
    credit_cents: int
    entity: str = FUND


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str  # the event's identity: stream id and version
    business_date: date
    fund_class: str
    kind: str
    narration: str
    # The lines as posted. When `mirrored`, these are the fund's, and the Distributor's follow
    # them in `lines`: their mirror (`mirror_line`), which the read models write by SQL from
    # the fund's rather than from Python (adapters/readside/read_models.py).
    posted: tuple[JournalLine, ...]
    fund_payee: str = ""  # the other party, as each entity's books name it
    distributor_payee: str = ""
    links: tuple[str, ...] = ()
    mirrored: bool = False

    @cached_property
    def lines(self) -> tuple[JournalLine, ...]:
        """Every line of the entry: the posted ones, then the mirror of each when mirrored."""
        if not self.mirrored:
            return self.posted
        return self.posted + tuple(mirror_line(line, self.fund_class) for line in self.posted)

    @property
    def is_balanced(self) -> bool:
        """Each entity's lines balance on their own (so the whole entry does too)."""
        # The posted lines alone: a mirror line is its line with debit and credit swapped,
        # in the other entity, so the mirror balances exactly when the fund's lines do. One
        # pass (a rebuild asks this of every entry it writes).
        net_cents = dict.fromkeys(ENTITIES, 0)
        for line in self.posted:
            if line.entity in net_cents:
                net_cents[line.entity] += line.debit_cents - line.credit_cents
        return not any(net_cents.values())


def cents(amount: Decimal) -> int:
    assert amount == amount.quantize(CENT), amount
    return int(amount * 100)


def account_component(text: str) -> str:
    """`INTL-BCV/R` → `INTL-BCV-R`; `sales_seminars` → `SalesSeminars`."""
    if "_" in text or text.islower():
        return "".join(part.capitalize() for part in text.split("_"))
    return text.replace("/", "-")


# ---- the fund's accounts ----------------------------------------------------------------------


def plan_expense_account(fund_class: str, part: str) -> str:
    """The class's 12b-1 expense for one part (ABSC or SERVICE); `fund_class` as a component."""
    return f"Expenses:Plan12b1:{fund_class}:{part}"


def payable_account(fund_class: str, part: str) -> str:
    """What the class owes the Distributor for one part (ABSC or SERVICE)."""
    return f"Liabilities:PayableToDistributor:{fund_class}:{part}"


def receivable_account(fund_class: str, part: str) -> str:
    """What the Distributor owes the class back for one part: months a correction left paid
    beyond their fee (decision A16). The payable never goes below zero; this takes the rest."""
    return f"Assets:Fund:{fund_class}:ReceivableFromDistributor:{part}"


def receivable_accounts(fund_class_key: str) -> list[str]:
    """Every receivable account of the class (one per part), by its key (`FUND/CLASS`)."""
    return [receivable_account(fund_class_key.replace("/", "-"), part) for part in PARTS]


def fund_settlement_account(fund_class: str) -> str:
    """The class's cash moves for the plan: the cash itself is in the fund's general ledger
    (docs/books.md, "Cash")."""
    return f"Equity:Fund:{fund_class}:GeneralLedgerSettlement"


# ---- the Distributor's accounts ---------------------------------------------------------------


def plan_fees_income_account(fund_class: str, part: str) -> str:
    return f"Income:Distributor:PlanFees:{fund_class}:{part}"


def receivable_from_fund_account(fund_class: str, part: str) -> str:
    """The Distributor's side of the class's payable."""
    return f"Assets:Distributor:ReceivableFromFund:{fund_class}:{part}"


def payable_to_fund_account(fund_class: str, part: str) -> str:
    """The Distributor's side of the class's receivable from it."""
    return f"Liabilities:Distributor:PayableToFund:{fund_class}:{part}"


def service_fees_expense_account(fund_class: str, provider: str) -> str:
    return f"Expenses:Distributor:ServiceFees:{fund_class}:{provider}"


def fifth_expense_account(fund_class: str, purpose: str) -> str:
    return f"Expenses:Distributor:Fifth:{fund_class}:{account_component(purpose)}"


def signed_line(account: str, amount_cents: int, entity: str = FUND) -> JournalLine:
    """A debit for a positive amount, a credit for a negative one."""
    if amount_cents >= 0:
        return JournalLine(account, amount_cents, 0, entity)
    return JournalLine(account, 0, -amount_cents, entity)


@dataclass(frozen=True)
class StreamContext:
    """What an event's stream is about: its fund class and, for a service arrangement, the
    provider; and the names the books show as payees."""

    fund_class_key: str  # INTL-BCV/R
    provider: str = ""
    distributor_name: str = ""  # the plan's Distributor, on a fund class's stream
    fund_name: str = ""
    provider_name: str = ""  # the dealer, on a service arrangement's stream

    @property
    def fund_class(self) -> str:
        """The fund class as an account component: INTL-BCV-R."""
        return self.fund_class_key.replace("/", "-")

    @property
    def distributor_payee(self) -> str:
        return self.distributor_name or "the Distributor"

    @property
    def fund_class_payee(self) -> str:
        """The fund class as the Distributor's books name it."""
        share_class = self.fund_class_key.rpartition("/")[2]
        if self.fund_name:
            return f"{self.fund_name}, Class {share_class} ({self.fund_class_key})"
        return self.fund_class_key


def covered(event: Any) -> str:
    """The days an event covers as people read a range: both ends inclusive
    (`2003-07-01..2003-07-31`), as the command line prints periods; the event keeps the end
    exclusive."""
    return f"{event.period_start}..{event.period_end_exclusive - timedelta(days=1)}"


def entry_id(event: Any) -> str:
    return f"{event.originator_id}:{event.originator_version}"


_NOT_IN_LINK = re.compile(r"[^A-Za-z0-9\-_/.]")


def link(*parts: str) -> str:
    """A Beancount link (without its `^`): letters, digits and `-_/.` only."""
    return _NOT_IN_LINK.sub("-", "-".join(parts))


@lru_cache(maxsize=4096)  # every accrual asks, for the few months of its class at a time
def month_link(fund_class: str, month: str) -> str:
    """Joins a month's accruals to the payments covering it: `INTL-BCV-R-2003-07`."""
    return link(fund_class, month)


def months_covered(start: date, end_exclusive: date) -> list[str]:
    labels, day = [], start.replace(day=1)
    while day < end_exclusive:
        labels.append(month_label(day))
        day = next_month_start(day)
    return labels


def period_links(fund_class: str, event: Any) -> tuple[str, ...]:
    return tuple(
        month_link(fund_class, month)
        for month in months_covered(event.period_start, event.period_end_exclusive)
    )


def _kept(lines: Iterable[JournalLine]) -> tuple[JournalLine, ...]:
    return tuple(line for line in lines if line.debit_cents or line.credit_cents)


@singledispatch
def journal_entry(event: Any, context: StreamContext) -> JournalEntry | None:
    """The entry an event posts; None for events that move no money.

    Args:
        context: what the event's stream is about; the caller knows it from the event that
            created the stream.
    """
    return None


@lru_cache(maxsize=4096)  # a few accounts per class, asked for on every line of a rebuild
def mirror_account(account: str, fund_class: str) -> str:
    """The Distributor's account that mirrors a fund class's plan account."""
    for part in PARTS:
        mirrors = {
            plan_expense_account(fund_class, part): plan_fees_income_account(fund_class, part),
            payable_account(fund_class, part): receivable_from_fund_account(fund_class, part),
            receivable_account(fund_class, part): payable_to_fund_account(fund_class, part),
        }
        if account in mirrors:
            return mirrors[account]
    assert account == fund_settlement_account(fund_class), account
    return DISTRIBUTOR_SETTLEMENT


def mirror_line(line: JournalLine, fund_class: str) -> JournalLine:
    """The Distributor's line mirroring one of the fund's: what the fund owes, the Distributor
    is owed; what it expenses, the Distributor earns; its debit is the Distributor's credit."""
    return JournalLine(
        mirror_account(line.account, fund_class), line.credit_cents, line.debit_cents, DISTRIBUTOR
    )


def _between_entities(
    event: Any,
    context: StreamContext,
    kind: str,
    narration: str,
    fund_lines: Iterable[JournalLine],
    *,
    links: Iterable[str],
) -> JournalEntry | None:
    """An entry between the fund class and the Distributor: the fund's lines and their
    mirror; None when nothing moves."""
    lines = _kept(fund_lines)
    if not lines:
        return None
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        kind,
        narration,
        lines,
        fund_payee=context.distributor_payee,
        distributor_payee=context.fund_class_payee,
        links=tuple(dict.fromkeys(links)),
        mirrored=True,
    )


@lru_cache(maxsize=4096)  # asked for on every accrual of a rebuild, a few per class
def _accrual_accounts(fund_class: str) -> tuple[str, str, str, str]:
    """The class's expense and payable accounts, ABSC then service for each."""
    return (
        plan_expense_account(fund_class, ABSC),
        plan_expense_account(fund_class, SERVICE),
        payable_account(fund_class, ABSC),
        payable_account(fund_class, SERVICE),
    )


def _accrual_entry(
    event: Any, context: StreamContext, kind: str, narration: str, month: str, **parts: int
) -> JournalEntry | None:
    """The class's expense and payable per part; the Distributor's income and receivable."""
    fund_class = context.fund_class
    absc, service = parts["absc"], parts["service"]
    expense_absc, expense_service, payable_absc, payable_service = _accrual_accounts(fund_class)
    return _between_entities(
        event,
        context,
        kind,
        narration,
        [
            signed_line(expense_absc, absc),
            signed_line(expense_service, service),
            signed_line(payable_absc, -absc),
            signed_line(payable_service, -service),
        ],
        links=[month_link(fund_class, month)],
    )


@journal_entry.register
def _(event: FundClass.FeeAccrued, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context,
        "accrual",
        f"12b-1 fee accrued on {event.basis_net_assets} at "
        f"{event.absc_rate_annual}+{event.service_rate_annual} /{event.days_in_year}",
        month_label(event.business_date),
        absc=cents(event.absc_amount),
        service=cents(event.service_amount),
    )


@journal_entry.register
def _(event: FundClass.AccrualTrueUpPosted, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context,
        "true-up",
        f"month-end true-up {event.month}: the month rounded once is {event.month_amount}",
        event.month,
        absc=cents(event.adjustment_absc),
        service=cents(event.adjustment_service),
    )


@journal_entry.register
def _(event: FundClass.FeeAccrualAdjusted, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context,
        "accrual-adjustment",
        f"accrual of {event.business_date} adjusted: basis {event.basis_net_assets_previous} "
        f"restated to {event.basis_net_assets} ({event.reason})",
        month_label(event.business_date),
        absc=cents(event.absc_amount_delta),
        service=cents(event.service_amount_delta),
    )


@journal_entry.register
def _(event: FundClass.FeeAccrualReversed, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context,
        "accrual-reversal",
        f"accrual of {event.business_date} reversed: no longer in effect ({event.reason}; "
        f"{event.cause})",
        month_label(event.business_date),
        absc=cents(event.absc_amount_delta),
        service=cents(event.service_amount_delta),
    )


# ---- payments to the Distributor ---------------------------------------------------------------


def _payment_lines(
    fund_class: str, absc_cents: int, service_cents: int, total: int
) -> list[JournalLine]:
    """The class's side of a payment: its payables settled, the cash out of its general
    ledger."""
    return [
        JournalLine(payable_account(fund_class, ABSC), absc_cents, 0),
        JournalLine(payable_account(fund_class, SERVICE), service_cents, 0),
        JournalLine(fund_settlement_account(fund_class), 0, total),
    ]


def payment_link(fund_class: str, reference: str) -> str:
    """Joins a payment to the Distributor, its reversal and an offset under its reference."""
    return link(fund_class, "payment", reference)


def _flipped(lines: Iterable[JournalLine]) -> list[JournalLine]:
    """The exact opposite lines: every debit becomes a credit of the same amount."""
    return [
        JournalLine(line.account, line.credit_cents, line.debit_cents, line.entity)
        for line in lines
    ]


@journal_entry.register
def _(event: FundClass.DistributorPaid, context: StreamContext) -> JournalEntry | None:
    advance = " (advance)" if event.is_advance else ""
    fund_class = context.fund_class
    return _between_entities(
        event,
        context,
        "distributor-payment",
        f"plan fees paid to the Distributor for {covered(event)} ref {event.reference}{advance}",
        _payment_lines(
            fund_class, cents(event.absc_amount), cents(event.service_amount), cents(event.amount)
        ),
        links=[payment_link(fund_class, event.reference), *period_links(fund_class, event)],
    )


@journal_entry.register
def _(event: FundClass.DistributorPaymentReversed, context: StreamContext) -> JournalEntry | None:
    fund_class = context.fund_class
    return _between_entities(
        event,
        context,
        "distributor-payment-reversal",
        f"reversal of payment ref {event.reference} ({event.reason})",
        _flipped(
            _payment_lines(
                fund_class,
                cents(event.absc_amount),
                cents(event.service_amount),
                cents(event.amount),
            )
        ),
        links=[payment_link(fund_class, event.reference), *period_links(fund_class, event)],
    )


# ---- the receivable from the Distributor (decision A16) --------------------------------------


def _taken_links(fund_class: str, event: Any) -> list[str]:
    return [month_link(fund_class, month) for month in sorted(event.taken_by_month)]


@journal_entry.register
def _(event: FundClass.DistributorReceivableBooked, context: StreamContext) -> JournalEntry | None:
    """Booked: the payable a correction took below zero goes to the receivable (a release,
    the opposite)."""
    fund_class = context.fund_class
    absc, service = cents(event.absc_amount), cents(event.service_amount)
    what = "booked" if event.amount > 0 else "released"
    return _between_entities(
        event,
        context,
        "distributor-receivable",
        f"receivable from the Distributor {what} for {event.month}: {event.cause}",
        [
            signed_line(receivable_account(fund_class, ABSC), absc),
            signed_line(receivable_account(fund_class, SERVICE), service),
            signed_line(payable_account(fund_class, ABSC), -absc),
            signed_line(payable_account(fund_class, SERVICE), -service),
        ],
        links=[month_link(fund_class, event.month)],
    )


@journal_entry.register
def _(event: FundClass.DistributorReceivableOffset, context: StreamContext) -> JournalEntry | None:
    """What the months paid for owe is settled by what the Distributor owes back."""
    fund_class = context.fund_class
    return _between_entities(
        event,
        context,
        "distributor-receivable-offset",
        f"receivable from the Distributor offset against payment ref {event.reference} for "
        f"{covered(event)}",
        [
            JournalLine(payable_account(fund_class, ABSC), cents(event.payable_absc), 0),
            JournalLine(payable_account(fund_class, SERVICE), cents(event.payable_service), 0),
            JournalLine(receivable_account(fund_class, ABSC), 0, cents(event.receivable_absc)),
            JournalLine(
                receivable_account(fund_class, SERVICE), 0, cents(event.receivable_service)
            ),
        ],
        links=[
            payment_link(fund_class, event.reference),
            *period_links(fund_class, event),
            *_taken_links(fund_class, event),
        ],
    )


@journal_entry.register
def _(event: FundClass.DistributorRefundReceived, context: StreamContext) -> JournalEntry | None:
    """The Distributor pays back: the class's receivable settled in cash, which its general
    ledger receives; the Distributor's payable to the class, from its general ledger."""
    fund_class = context.fund_class
    return _between_entities(
        event,
        context,
        "distributor-refund",
        f"refund from the Distributor ref {event.reference}"
        + (f" ({event.note})" if event.note else ""),
        [
            JournalLine(fund_settlement_account(fund_class), cents(event.amount), 0),
            JournalLine(receivable_account(fund_class, ABSC), 0, cents(event.receivable_absc)),
            JournalLine(
                receivable_account(fund_class, SERVICE), 0, cents(event.receivable_service)
            ),
        ],
        links=[link(fund_class, "refund", event.reference), *_taken_links(fund_class, event)],
    )


# ---- what the Distributor spends: its books alone --------------------------------------------


def _distributor_spending(
    event: Any,
    context: StreamContext,
    kind: str,
    narration: str,
    expense_account: str,
    *,
    payee: str,
    links: tuple[str, ...],
    reversal: bool,
) -> JournalEntry:
    """An expense of the Distributor's, paid from its general ledger's cash; a reversal posts
    the exact opposite."""
    amount = cents(event.amount)
    lines = [
        JournalLine(expense_account, amount, 0, DISTRIBUTOR),
        JournalLine(DISTRIBUTOR_SETTLEMENT, 0, amount, DISTRIBUTOR),
    ]
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        kind,
        narration,
        tuple(_flipped(lines) if reversal else lines),
        distributor_payee=payee,
        links=links,
    )


def _expenditure_entry(
    event: Any, context: StreamContext, kind: str, narration: str, *, reversal: bool
) -> JournalEntry:
    fund_class = context.fund_class
    return _distributor_spending(
        event,
        context,
        kind,
        narration,
        fifth_expense_account(fund_class, event.purpose),
        payee=event.performer_name or event.performer,
        links=(link(fund_class, "expenditure", event.reference),),
        reversal=reversal,
    )


@journal_entry.register
def _(event: FundClass.ExpenditureRecorded, context: StreamContext) -> JournalEntry | None:
    return _expenditure_entry(
        event,
        context,
        "expenditure",
        f"{event.description} by {event.performer_name} ({event.performer}) ref {event.reference}",
        reversal=False,
    )


@journal_entry.register
def _(event: FundClass.ExpenditureReversed, context: StreamContext) -> JournalEntry | None:
    return _expenditure_entry(
        event,
        context,
        "expenditure-reversal",
        f"reversal of expenditure ref {event.reference} ({event.reason})",
        reversal=True,
    )


def _service_fee_entry(
    event: Any, context: StreamContext, kind: str, narration: str, *, reversal: bool
) -> JournalEntry:
    fund_class, provider = context.fund_class, context.provider
    return _distributor_spending(
        event,
        context,
        kind,
        narration,
        service_fees_expense_account(fund_class, provider),
        payee=context.provider_name or provider,
        links=(link(fund_class, "service-fee", provider, event.reference),),
        reversal=reversal,
    )


@journal_entry.register
def _(event: ServiceArrangement.ServiceFeePaid, context: StreamContext) -> JournalEntry | None:
    return _service_fee_entry(
        event,
        context,
        "service-fee",
        f"service fee {event.paid_or_advanced} to {context.provider} for {covered(event)} "
        f"ref {event.reference}",
        reversal=False,
    )


@journal_entry.register
def _(event: ServiceArrangement.ServiceFeeReversed, context: StreamContext) -> JournalEntry | None:
    return _service_fee_entry(
        event,
        context,
        "service-fee-reversal",
        f"reversal of service fee ref {event.reference} to {context.provider} ({event.reason})",
        reversal=True,
    )
