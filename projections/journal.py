"""The double-entry journal: each money event as a balanced entry of named accounts.

A pure function from one event to its entry (or None). Amounts are integer cents, so sums are
exact in any database. The fund class's books and the Distributor's are in one journal, told
apart by their accounts:

    Expenses:Plan12b1:{class}:AssetBasedSalesCharge     the class's 12b-1 expense, per part
    Expenses:Plan12b1:{class}:ServiceFee
    Liabilities:PayableToDistributor:{class}:AssetBasedSalesCharge   what the class owes
    Liabilities:PayableToDistributor:{class}:ServiceFee
    Assets:Fund:{class}:Cash                            what the class paid out
    Assets:Fund:{class}:ReceivableFromDistributor:AssetBasedSalesCharge   what the
    Assets:Fund:{class}:ReceivableFromDistributor:ServiceFee   Distributor owes back (A16)
    Assets:Distributor:Cash                             the Distributor's cash
    Income:Distributor:PlanFees:{class}                 plan fees the Distributor received
    Expenses:Distributor:ServiceFees:{class}:{provider} service fees it paid (SEVENTH)
    Expenses:Distributor:Fifth:{class}:{Purpose}        what it spent, by FIFTH purpose

A `{class}` is the fund code and share class joined by a dash (`INTL-BCV-R`), so that every
account name is also a valid Beancount account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import singledispatch
from typing import Any

from domain.fund_class import FundClass
from domain.money import CENT
from domain.service import ServiceArrangement

ABSC = "AssetBasedSalesCharge"
SERVICE = "ServiceFee"
DISTRIBUTOR_CASH = "Assets:Distributor:Cash"


@dataclass(frozen=True)
class JournalLine:
    account: str
    debit_cents: int
    credit_cents: int


@dataclass(frozen=True)
class JournalEntry:
    entry_id: str  # the event's identity: stream id and version
    business_date: date
    fund_class: str
    kind: str
    narration: str
    lines: tuple[JournalLine, ...]

    @property
    def is_balanced(self) -> bool:
        return sum(line.debit_cents for line in self.lines) == sum(
            line.credit_cents for line in self.lines
        )


def cents(amount: Decimal) -> int:
    assert amount == amount.quantize(CENT), amount
    return int(amount * 100)


def account_component(text: str) -> str:
    """`INTL-BCV/R` → `INTL-BCV-R`; `sales_seminars` → `SalesSeminars`."""
    if "_" in text or text.islower():
        return "".join(part.capitalize() for part in text.split("_"))
    return text.replace("/", "-")


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


def fund_cash_account(fund_class: str) -> str:
    return f"Assets:Fund:{fund_class}:Cash"


def plan_fees_income_account(fund_class: str) -> str:
    return f"Income:Distributor:PlanFees:{fund_class}"


def service_fees_expense_account(fund_class: str, provider: str) -> str:
    return f"Expenses:Distributor:ServiceFees:{fund_class}:{provider}"


def fifth_expense_account(fund_class: str, purpose: str) -> str:
    return f"Expenses:Distributor:Fifth:{fund_class}:{account_component(purpose)}"


def signed_line(account: str, amount_cents: int) -> JournalLine:
    """A debit for a positive amount, a credit for a negative one."""
    if amount_cents >= 0:
        return JournalLine(account, amount_cents, 0)
    return JournalLine(account, 0, -amount_cents)


@dataclass(frozen=True)
class StreamContext:
    """What an event's stream is about: its fund class and, for a service arrangement, the
    provider."""

    fund_class_key: str  # INTL-BCV/R
    provider: str = ""

    @property
    def fund_class(self) -> str:
        """The fund class as an account component: INTL-BCV-R."""
        return self.fund_class_key.replace("/", "-")


def covered(event: Any) -> str:
    """The days an event covers as people read a range: both ends inclusive
    (`2003-07-01..2003-07-31`), as the command line prints periods; the event keeps the end
    exclusive."""
    return f"{event.period_start}..{event.period_end_exclusive - timedelta(days=1)}"


def entry_id(event: Any) -> str:
    return f"{event.originator_id}:{event.originator_version}"


@singledispatch
def journal_entry(event: Any, context: StreamContext) -> JournalEntry | None:
    """The entry an event posts; None for events that move no money.

    Args:
        context: what the event's stream is about; the caller knows it from the event that
            created the stream.
    """
    return None


def _accrual_entry(
    event: Any, fund_class: str, kind: str, narration: str, *, absc: int, service: int
) -> JournalEntry | None:
    if absc == 0 and service == 0:
        return None
    lines = [
        signed_line(plan_expense_account(fund_class, ABSC), absc),
        signed_line(plan_expense_account(fund_class, SERVICE), service),
        signed_line(payable_account(fund_class, ABSC), -absc),
        signed_line(payable_account(fund_class, SERVICE), -service),
    ]
    return JournalEntry(
        entry_id(event),
        event.business_date,
        fund_class,
        kind,
        narration,
        tuple(line for line in lines if line.debit_cents or line.credit_cents),
    )


@journal_entry.register
def _(event: FundClass.FeeAccrued, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context.fund_class,
        "accrual",
        f"12b-1 fee accrued on {event.basis_net_assets} at "
        f"{event.absc_rate_annual}+{event.service_rate_annual} /{event.days_in_year}",
        absc=cents(event.absc_amount),
        service=cents(event.service_amount),
    )


@journal_entry.register
def _(event: FundClass.AccrualTrueUpPosted, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context.fund_class,
        "true-up",
        f"month-end true-up {event.month}: the month rounded once is {event.month_amount}",
        absc=cents(event.adjustment_absc),
        service=cents(event.adjustment_service),
    )


def _payment_lines(
    fund_class: str, absc_cents: int, service_cents: int, total: int
) -> tuple[JournalLine, ...]:
    """A payment to the Distributor: the class's payables and cash, the Distributor's cash
    and income."""
    lines = (
        JournalLine(payable_account(fund_class, ABSC), absc_cents, 0),
        JournalLine(payable_account(fund_class, SERVICE), service_cents, 0),
        JournalLine(fund_cash_account(fund_class), 0, total),
        JournalLine(DISTRIBUTOR_CASH, total, 0),
        JournalLine(plan_fees_income_account(fund_class), 0, total),
    )
    return tuple(line for line in lines if line.debit_cents or line.credit_cents)


def _expenditure_lines(fund_class: str, purpose: str, amount: int) -> tuple[JournalLine, ...]:
    return (
        JournalLine(fifth_expense_account(fund_class, purpose), amount, 0),
        JournalLine(DISTRIBUTOR_CASH, 0, amount),
    )


def _service_fee_lines(fund_class: str, provider: str, amount: int) -> tuple[JournalLine, ...]:
    return (
        JournalLine(service_fees_expense_account(fund_class, provider), amount, 0),
        JournalLine(DISTRIBUTOR_CASH, 0, amount),
    )


@journal_entry.register
def _(event: FundClass.DistributorPaid, context: StreamContext) -> JournalEntry | None:
    advance = " (advance)" if event.is_advance else ""
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "distributor-payment",
        f"plan fees paid to the Distributor for {covered(event)} ref {event.reference}{advance}",
        _payment_lines(
            context.fund_class,
            cents(event.absc_amount),
            cents(event.service_amount),
            cents(event.amount),
        ),
    )


@journal_entry.register
def _(event: FundClass.ExpenditureRecorded, context: StreamContext) -> JournalEntry | None:
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "expenditure",
        f"{event.description} by {event.performer_name} ({event.performer}) ref {event.reference}",
        _expenditure_lines(context.fund_class, event.purpose, cents(event.amount)),
    )


@journal_entry.register
def _(event: ServiceArrangement.ServiceFeePaid, context: StreamContext) -> JournalEntry | None:
    provider = context.provider
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "service-fee",
        f"service fee {event.paid_or_advanced} to {provider} for {covered(event)} "
        f"ref {event.reference}",
        _service_fee_lines(context.fund_class, provider, cents(event.amount)),
    )


# ---- corrections (docs/audit.md §2) ---------------------------------------------------------


def _flipped(lines: tuple[JournalLine, ...]) -> tuple[JournalLine, ...]:
    """The exact opposite lines: every debit becomes a credit of the same amount."""
    return tuple(JournalLine(line.account, line.credit_cents, line.debit_cents) for line in lines)


@journal_entry.register
def _(event: FundClass.FeeAccrualAdjusted, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context.fund_class,
        "accrual-adjustment",
        f"accrual of {event.business_date} adjusted: basis {event.basis_net_assets_previous} "
        f"restated to {event.basis_net_assets} ({event.reason})",
        absc=cents(event.absc_amount_delta),
        service=cents(event.service_amount_delta),
    )


@journal_entry.register
def _(event: FundClass.FeeAccrualReversed, context: StreamContext) -> JournalEntry | None:
    return _accrual_entry(
        event,
        context.fund_class,
        "accrual-reversal",
        f"accrual of {event.business_date} reversed: no longer in effect ({event.reason}; "
        f"{event.cause})",
        absc=cents(event.absc_amount_delta),
        service=cents(event.service_amount_delta),
    )


@journal_entry.register
def _(event: FundClass.DistributorPaymentReversed, context: StreamContext) -> JournalEntry | None:
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "distributor-payment-reversal",
        f"reversal of payment ref {event.reference} ({event.reason})",
        _flipped(
            _payment_lines(
                context.fund_class,
                cents(event.absc_amount),
                cents(event.service_amount),
                cents(event.amount),
            )
        ),
    )


@journal_entry.register
def _(event: FundClass.ExpenditureReversed, context: StreamContext) -> JournalEntry | None:
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "expenditure-reversal",
        f"reversal of expenditure ref {event.reference} ({event.reason})",
        _flipped(_expenditure_lines(context.fund_class, event.purpose, cents(event.amount))),
    )


@journal_entry.register
def _(event: ServiceArrangement.ServiceFeeReversed, context: StreamContext) -> JournalEntry | None:
    provider = context.provider
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        "service-fee-reversal",
        f"reversal of service fee ref {event.reference} to {provider} ({event.reason})",
        _flipped(_service_fee_lines(context.fund_class, provider, cents(event.amount))),
    )


# ---- the receivable from the Distributor (decision A16) --------------------------------------


def _entry(
    event: Any, context: StreamContext, kind: str, narration: str, lines: list[JournalLine]
) -> JournalEntry:
    return JournalEntry(
        entry_id(event),
        event.business_date,
        context.fund_class,
        kind,
        narration,
        tuple(line for line in lines if line.debit_cents or line.credit_cents),
    )


@journal_entry.register
def _(event: FundClass.DistributorReceivableBooked, context: StreamContext) -> JournalEntry | None:
    """Booked: the payable a correction took below zero goes to the receivable (a release,
    the opposite)."""
    fund_class = context.fund_class
    absc, service = cents(event.absc_amount), cents(event.service_amount)
    what = "booked" if event.amount > 0 else "released"
    return _entry(
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
    )


@journal_entry.register
def _(event: FundClass.DistributorReceivableOffset, context: StreamContext) -> JournalEntry | None:
    """What the months paid for owe is settled by what the Distributor owes back."""
    fund_class = context.fund_class
    return _entry(
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
    )


@journal_entry.register
def _(event: FundClass.DistributorRefundReceived, context: StreamContext) -> JournalEntry | None:
    """The Distributor pays back: the class's cash and receivable, the Distributor's cash and
    the plan fees it had taken as income."""
    fund_class = context.fund_class
    total = cents(event.amount)
    return _entry(
        event,
        context,
        "distributor-refund",
        f"refund from the Distributor ref {event.reference}"
        + (f" ({event.note})" if event.note else ""),
        [
            JournalLine(fund_cash_account(fund_class), total, 0),
            JournalLine(receivable_account(fund_class, ABSC), 0, cents(event.receivable_absc)),
            JournalLine(
                receivable_account(fund_class, SERVICE), 0, cents(event.receivable_service)
            ),
            JournalLine(plan_fees_income_account(fund_class), total, 0),
            JournalLine(DISTRIBUTOR_CASH, 0, total),
        ],
    )
