"""The balance of a fund class with the Distributor (SECOND, SIXTH; decision A16): what the
class owes it (the payable: each month's accrual not yet settled) and what it owes back (the
receivable a correction books when it leaves a month paid beyond its fee), settled by an offset
against a payment or by a refund.

The rules are in receivable.py; payments are recorded by the payments role (payments_role.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.accrual import split_cents
from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, is_replay_of, payload_digest, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.receivable import (
    excess_by_month,
    receivable_date,
    settled_by_month,
    take_oldest_first,
    unpaid_in,
)
from domain.fund_class.terms_role import TermsRole
from domain.money import ZERO, exact_add, exact_sum
from domain.periods import Period
from domain.records import Payment


class DistributorBalanceRole(TermsRole):
    """The payable and the receivable month by month, refunds, and the receivable's bookings."""

    class DistributorReceivableBooked(LedgerEvent):
        """A correction left `month` paid beyond what it now accrues (amount > 0: booked), or
        gave back to it what it had been paid beyond (amount < 0: released)."""

        TOPIC = "planledger.FundClass.DistributorReceivableBooked"
        month: str
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        cause: str

        def apply(self, fund_class: DistributorBalanceRole) -> None:
            fund_class._apply_receivable_booked(self)

    class DistributorReceivableOffset(LedgerEvent):
        """The receivable netted against a payment: `amount` of the months paid for is settled
        by what the Distributor owes back, and only the rest is paid in cash (the payment's
        `DistributorPaid`, none when the offset settles it all)."""

        TOPIC = "planledger.FundClass.DistributorReceivableOffset"
        reference: str
        amount: Decimal
        period_start: date
        period_end_exclusive: date
        payable_absc: Decimal
        payable_service: Decimal
        receivable_absc: Decimal
        receivable_service: Decimal
        taken_by_month: dict[str, Decimal]
        cash_amount: Decimal

        def apply(self, fund_class: DistributorBalanceRole) -> None:
            fund_class._apply_receivable_offset(self)

    class DistributorRefundReceived(LedgerEvent):
        TOPIC = "planledger.FundClass.DistributorRefundReceived"
        reference: str
        amount: Decimal
        receivable_absc: Decimal
        receivable_service: Decimal
        taken_by_month: dict[str, Decimal]
        note: str

        def apply(self, fund_class: DistributorBalanceRole) -> None:
            fund_class._take_receivable(
                self.taken_by_month, self.receivable_absc, self.receivable_service
            )
            fund_class.refund_digests[self.reference] = payload_digest(
                self.amount, self.business_date
            )

    def _accrued_by_month(self) -> dict[str, Decimal]:
        months = set(self.accrued_absc_by_month) | set(self.accrued_service_by_month)
        return {
            month: self.accrued_absc_by_month.get(month, ZERO)
            + self.accrued_service_by_month.get(month, ZERO)
            for month in months
        }

    def _settled_by_month(self) -> dict[str, Decimal]:
        return settled_by_month(
            self.payments, self._accrued_by_month(), self.receivable_taken_by_month
        )

    @property
    def payable(self) -> Decimal:
        """What the class owes the Distributor: every month's accrual not yet settled."""
        accrued, settled = self._accrued_by_month(), self._settled_by_month()
        return unpaid_in(sorted(set(accrued) | set(settled)), settled, accrued)

    @property
    def receivable(self) -> Decimal:
        """What the Distributor owes back: months a correction left paid beyond their fee."""
        return sum(self.receivable_by_month.values(), ZERO)

    def accrued_in(self, period: Period) -> tuple[Decimal, Decimal]:
        months = period.months()
        absc = sum((self.accrued_absc_by_month.get(month, ZERO) for month in months), ZERO)
        service = sum((self.accrued_service_by_month.get(month, ZERO) for month in months), ZERO)
        return absc, service

    def accrued_unpaid_in(self, period: Period) -> Decimal:
        """What the months of `period` accrued and is not yet settled by payments or offsets."""
        return unpaid_in(period.months(), self._settled_by_month(), self._accrued_by_month())

    def offset_for(self, period: Period) -> Decimal:
        """What the receivable settles of a payment for `period`: all of it, up to what the
        months owe. A payment while the Distributor owes the fund is netted first."""
        return min(self.receivable, self.accrued_unpaid_in(period))

    def _payables_kept_non_negative(self, credits: list[Decimal]) -> list[Decimal]:
        """`credits` to the payable of each part (a negative one is a debit), their total kept,
        moved between the parts so that neither part's payable ends below zero where the
        total allows it (a split by proportions may leave one part a cent short)."""
        absc, service = credits
        payable_absc = exact_sum(list(self.accrued_absc_by_month.values())) - self.paid_absc_total
        payable_service = (
            exact_sum(list(self.accrued_service_by_month.values())) - self.paid_service_total
        )
        if payable_absc + absc < ZERO:
            return [-payable_absc, service + absc + payable_absc]
        if payable_service + service < ZERO:
            return [absc + service + payable_service, -payable_service]
        return [absc, service]

    def receive_distributor_refund(
        self,
        *,
        amount: Decimal,
        received_on: date,
        reference: str,
        note: str,
        provenance: Provenance,
    ) -> str:
        """Record the Distributor paying back (part of) its receivable; idempotent by reference.

        Raises:
            RuleViolation: the reference was used for another refund, the refund is more than
                the Distributor owes, or dated before the payment it gives back.
        """
        digest = payload_digest(amount, received_on)
        if is_replay_of(self.refund_digests, reference, digest, f"{self.key} refund"):
            return UNCHANGED
        receivable = self.receivable
        if amount <= ZERO or amount > receivable:
            raise RuleViolation(
                "refund-exceeds-receivable",
                "SECOND, SIXTH (decision A16)",
                f"{self.key}: the Distributor owes the fund {receivable}; a refund of {amount} "
                f"is not what it owes",
            )
        taken_by_month = take_oldest_first(amount, self.receivable_by_month)
        self._check_refund_date(taken_by_month, received_on)
        absc, service = split_cents(
            amount, [self.receivable_absc_total, self.receivable_service_total]
        )
        self.trigger_event(
            self.DistributorRefundReceived,
            **provenance_fields(provenance, received_on, f"distributor-refund/{reference}"),
            reference=reference,
            amount=amount,
            receivable_absc=absc,
            receivable_service=service,
            taken_by_month=taken_by_month,
            note=note,
        )
        return RECORDED

    def _check_refund_date(self, taken_by_month: dict[str, Decimal], received_on: date) -> None:
        """A refund gives back what a month was paid beyond its fee, so it comes on or after
        that payment: earlier, a view as of the days between would show a negative receivable."""
        for month in sorted(taken_by_month):
            paid_on = receivable_date(month, self.payments)
            if received_on < paid_on:
                raise RuleViolation(
                    "refund-before-receivable",
                    "SECOND, SIXTH (decision A16)",
                    f"{self.key}: the refund of {received_on} gives back what {month} was paid "
                    f"beyond its fee, paid on {paid_on}; a refund comes on or after it",
                )

    def _excess_by_month(self) -> dict[str, Decimal]:
        return excess_by_month(self._settled_by_month(), self._accrued_by_month())

    def _receivable_dates(self) -> dict[str, date]:
        """The business date a receivable of each month paid for would take, as things stand."""
        months = {month for payment in self.payments for month in payment.period.months()}
        return {month: receivable_date(month, self.payments) for month in months}

    def _book_receivable_changes(
        self,
        excess_before: dict[str, Decimal],
        dates: dict[str, date],
        cause: str,
        provenance: Provenance,
    ) -> None:
        """Book, month by month, what a correction changed in the excess paid: a receivable
        where it grew, a release (never below nothing booked) where it shrank. An excess that
        stood before (an advance recorded before decision A16) is left as it was."""
        excess_after = self._excess_by_month()
        for month in sorted(set(excess_before) | set(excess_after)):
            booked = self.receivable_by_month.get(month, ZERO)
            change = excess_after.get(month, ZERO) - excess_before.get(month, ZERO)
            change = max(change, -booked)
            if change == ZERO:
                continue
            absc, service = self._receivable_kept_non_negative(
                self._receivable_parts(month, change)
            )
            self.trigger_event(
                self.DistributorReceivableBooked,
                **provenance_fields(
                    provenance,
                    dates.get(month, receivable_date(month, self.payments)),
                    f"distributor-receivable/{self.key}/{month}@v{self.version + 1}",
                ),
                month=month,
                amount=change,
                absc_amount=absc,
                service_amount=service,
                cause=cause,
            )

    def _receivable_parts(self, month: str, amount: Decimal) -> list[Decimal]:
        """The parts of a receivable booked (or released) for `month`: as the month accrued (a
        payment is allocated so), or by the Schedule B rates if it accrued nothing; moved by
        the odd cents it takes to keep each part's payable at zero or more."""
        absc = self.accrued_absc_by_month.get(month, ZERO)
        service = self.accrued_service_by_month.get(month, ZERO)
        if absc <= ZERO or service < ZERO:
            rates = self.rates_on(date.fromisoformat(f"{month}-01"))
            absc, service = rates.absc_rate_annual, rates.service_rate_annual
        magnitude = split_cents(abs(amount), [absc, service])
        parts = magnitude if amount > ZERO else [-part for part in magnitude]
        return self._payables_kept_non_negative(parts)

    def _receivable_kept_non_negative(self, parts: list[Decimal]) -> list[Decimal]:
        """A release takes back from each part at most what that part is still owed: a refund
        or an offset split by the parts' totals may have settled one part's odd cent first."""
        absc, service = parts
        short_absc = -(self.receivable_absc_total + absc)
        if short_absc > ZERO:
            return [absc + short_absc, service - short_absc]
        short_service = -(self.receivable_service_total + service)
        if short_service > ZERO:
            return [absc - short_service, service + short_service]
        return [absc, service]

    def _apply_receivable_booked(
        self, event: DistributorBalanceRole.DistributorReceivableBooked
    ) -> None:
        # The payable a correction took below zero is credited back: it is the receivable now.
        self.paid_absc_total = exact_add(self.paid_absc_total, -event.absc_amount)
        self.paid_service_total = exact_add(self.paid_service_total, -event.service_amount)
        booked = self.receivable_by_month.get(event.month, ZERO) + event.amount
        if booked == ZERO:
            self.receivable_by_month.pop(event.month, None)
        else:
            self.receivable_by_month[event.month] = booked
        self.receivable_absc_total = exact_add(self.receivable_absc_total, event.absc_amount)
        self.receivable_service_total = exact_add(
            self.receivable_service_total, event.service_amount
        )

    def _apply_receivable_offset(
        self, event: DistributorBalanceRole.DistributorReceivableOffset
    ) -> None:
        self._take_receivable(event.taken_by_month, event.receivable_absc, event.receivable_service)
        self.paid_absc_total = exact_add(self.paid_absc_total, event.payable_absc)
        self.paid_service_total = exact_add(self.paid_service_total, event.payable_service)
        self.payments.append(
            Payment(
                f"offset/{event.reference}",
                event.period_start,
                event.period_end_exclusive,
                event.amount,
                event.business_date,
            )
        )
        if event.cash_amount == ZERO:  # the offset settled it all: no `DistributorPaid`
            self.payment_digests[event.reference] = payload_digest(
                event.cash_amount,
                event.business_date,
                event.period_start,
                event.period_end_exclusive,
                None,
            )

    def _take_receivable(
        self, taken_by_month: dict[str, Decimal], absc: Decimal, service: Decimal
    ) -> None:
        """An offset or a refund settles the receivable of these months: it leaves them, and
        what they were settled by goes down by as much."""
        for month, amount in taken_by_month.items():
            left = self.receivable_by_month[month] - amount
            if left == ZERO:
                del self.receivable_by_month[month]
            else:
                self.receivable_by_month[month] = left
            self.receivable_taken_by_month[month] = (
                self.receivable_taken_by_month.get(month, ZERO) + amount
            )
        self.receivable_absc_total = exact_add(self.receivable_absc_total, -absc)
        self.receivable_service_total = exact_add(self.receivable_service_total, -service)
