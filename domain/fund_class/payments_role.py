"""Payments of plan fees to the Distributor (SECOND, SIXTH; decision A16): a payment pays at
most what the months it covers accrued and is unpaid, netted first against what the
Distributor owes back (distributor_balance_role.py), and is split between the asset-based and
the service parts as the months accrued them. A payment recorded by mistake is reversed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.accrual import split_cents
from domain.errors import RuleViolation
from domain.events import (
    LedgerEvent,
    Provenance,
    check_not_reversed,
    check_reversal,
    is_replay_of,
    payload_digest,
    provenance_fields,
)
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.cap_account import check_passed_on
from domain.fund_class.cap_account_role import CapAccountRole
from domain.fund_class.distributor_balance_role import DistributorBalanceRole
from domain.fund_class.receivable import take_oldest_first
from domain.money import ZERO, exact_add
from domain.periods import Period
from domain.records import Payment, payment_digest, reversal_fields, without_payment


class PaymentsRole(CapAccountRole, DistributorBalanceRole):
    """Pay the Distributor, net the receivable against a payment, and reverse a payment."""

    class DistributorPaid(LedgerEvent):
        """`is_advance` and `reason` are False and empty from decision A16 on (no payment ahead
        of the fee); a payment recorded before as an advance keeps them. Version 2 adds
        `unpaid_before`: what the months covered accrued and was unpaid, after any offset, when
        it was paid (None on a version 1 payment, checked then against the whole payable)."""

        TOPIC = "planledger.FundClass.DistributorPaid"
        class_version = 2
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        period_start: date
        period_end_exclusive: date
        reference: str
        is_advance: bool
        reason: str
        payable_before: Decimal
        unpaid_before: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["unpaid_before"] = None

        def apply(self, fund_class: PaymentsRole) -> None:
            fund_class._apply_payment(self)

    class DistributorPaymentReversed(LedgerEvent):
        TOPIC = "planledger.FundClass.DistributorPaymentReversed"
        reference: str
        reversed_version: int
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        period_start: date
        period_end_exclusive: date
        reason: str

        def apply(self, fund_class: PaymentsRole) -> None:
            fund_class._apply_payment_reversal(self)

    def pay_distributor(
        self,
        *,
        amount: Decimal,
        paid_on: date,
        period: Period,
        reference: str,
        provenance: Provenance,
    ) -> str:
        """Record a payment of plan fees to the Distributor (SECOND, SIXTH; decision A16).

        `amount` is the cash paid. A receivable from the Distributor is offset first: the
        cash may be at most what the months accrued and is unpaid, less the offset (zero when
        the offset settles all of it).

        Raises:
            RuleViolation: the period is not whole months in the plan's term, the reference was
                used for another payment, or the payment would pay ahead of the fee.
        """
        digest = payment_digest(amount, paid_on, period, None)
        check_not_reversed(
            self.reversed_payment_references,
            reference,
            f"{self.key} payment",
            "reverse distributor-payment",
        )
        if is_replay_of(self.payment_digests, reference, digest, f"{self.key} payment"):
            return UNCHANGED
        self._check_payment_period(period)
        unpaid = self.accrued_unpaid_in(period)
        offset = self.offset_for(period)
        self._check_not_ahead_of_fee(amount, unpaid, offset, period)
        payable = self.payable
        check_passed_on(self.key, amount, payable, self.cap_withheld)
        if offset > ZERO:
            self._trigger_offset(
                offset,
                cash=amount,
                paid_on=paid_on,
                period=period,
                reference=reference,
                provenance=provenance,
            )
        if amount > ZERO:
            self._trigger_paid(
                amount,
                paid_on=paid_on,
                period=period,
                reference=reference,
                provenance=provenance,
                before=(payable, unpaid - offset),
            )
        return RECORDED

    def _trigger_paid(
        self,
        amount: Decimal,
        *,
        paid_on: date,
        period: Period,
        reference: str,
        provenance: Provenance,
        before: tuple[Decimal, Decimal],
    ) -> None:
        """The cash paid, split between the parts as their payables allow; `before` is what
        was payable and unpaid (less the offset) before it."""
        debits = [-part for part in self._allocate_payment(amount, period)]
        absc_amount, service_amount = [-part for part in self._payables_kept_non_negative(debits)]
        self.trigger_event(
            self.DistributorPaid,
            **provenance_fields(provenance, paid_on, f"distributor-payment/{reference}"),
            amount=amount,
            absc_amount=absc_amount,
            service_amount=service_amount,
            period_start=period.start,
            period_end_exclusive=period.end_exclusive,
            reference=reference,
            is_advance=False,
            reason="",
            payable_before=before[0],
            unpaid_before=before[1],
        )

    def _check_not_ahead_of_fee(
        self, amount: Decimal, unpaid: Decimal, offset: Decimal, period: Period
    ) -> None:
        """A payment pays at most what its months accrued and is unpaid, less the offset."""
        if amount > unpaid - offset or (amount <= ZERO and offset == ZERO):
            raise RuleViolation(
                "payment-ahead-of-fee",
                "SECOND, SIXTH; ICA §17(a)(3) (decision A16)",
                f"{self.key}: {period.label()} accrued {unpaid} that is unpaid"
                + (f", of which {offset} is offset by the receivable" if offset else "")
                + f"; a payment of {amount} would pay the Distributor ahead of the fee, "
                f"which lends it fund money",
            )

    def _trigger_offset(
        self,
        offset: Decimal,
        *,
        cash: Decimal,
        paid_on: date,
        period: Period,
        reference: str,
        provenance: Provenance,
    ) -> None:
        debits = [-part for part in self._allocate_payment(offset, period)]
        payable_absc, payable_service = [-part for part in self._payables_kept_non_negative(debits)]
        receivable_absc, receivable_service = split_cents(
            offset, [self.receivable_absc_total, self.receivable_service_total]
        )
        self.trigger_event(
            self.DistributorReceivableOffset,
            **provenance_fields(provenance, paid_on, f"distributor-receivable-offset/{reference}"),
            reference=reference,
            amount=offset,
            period_start=period.start,
            period_end_exclusive=period.end_exclusive,
            payable_absc=payable_absc,
            payable_service=payable_service,
            receivable_absc=receivable_absc,
            receivable_service=receivable_service,
            taken_by_month=take_oldest_first(offset, self.receivable_by_month),
            cash_amount=cash,
        )

    def _check_payment_period(self, period: Period) -> None:
        if not period.is_whole_months():
            raise RuleViolation(
                "payment-period",
                "SECOND; settled monthly (decision Q17)",
                f"{self.key}: a Distributor payment covers whole calendar months, "
                f"not {period.label()}",
            )
        standing = self.standing()
        if not standing.days_in_effect(period):
            _, why = standing.why_not_in_effect(period.start)
            raise RuleViolation(
                "plan-not-in-effect",
                "ELEVENTH, THIRTEENTH",
                f"{self.key}: no day of {period.label()} is in effect: {why}",
            )

    def _allocate_payment(self, amount: Decimal, period: Period) -> list[Decimal]:
        absc, service = self.accrued_in(period)
        if absc + service > ZERO:
            return split_cents(amount, [absc, service])
        # Only a payment recorded as an advance before decision A16 paid months not accrued.
        rates = self.rates_on(period.start)
        return split_cents(amount, [rates.absc_rate_annual, rates.service_rate_annual])

    def _apply_payment(self, event: PaymentsRole.DistributorPaid) -> None:
        self.paid_absc_total = exact_add(self.paid_absc_total, event.absc_amount)
        self.paid_service_total = exact_add(self.paid_service_total, event.service_amount)
        # A version 1 payment keeps no date: an older snapshot did not keep one either.
        paid_on = event.business_date if event.unpaid_before is not None else None
        self.payments.append(
            Payment(
                event.reference,
                event.period_start,
                event.period_end_exclusive,
                event.amount,
                paid_on,
            )
        )
        self.payment_digests[event.reference] = _payment_digest(event)

    def reverse_distributor_payment(
        self, original: PaymentsRole.DistributorPaid, reason: str, provenance: Provenance
    ) -> str:
        """Reverse a payment recorded by mistake (`original`: its `DistributorPaid` event).

        Raises:
            RuleViolation: no reason, or not a payment of this class as recorded.
        """
        reference = original.reference
        check_reversal(self.payment_digests, reference, _payment_digest(original), reason, self.key)
        if reference in self.reversed_payment_references:
            return UNCHANGED
        excess_before, dates = self._excess_by_month(), self._receivable_dates()
        key = f"distributor-payment-reversal/{reference}"
        self.trigger_event(
            self.DistributorPaymentReversed,
            **provenance_fields(provenance, original.business_date, key),
            **reversal_fields(original, reason),
            absc_amount=original.absc_amount,
            service_amount=original.service_amount,
        )
        # A month it had paid beyond its fee owes that much less back.
        self._book_receivable_changes(
            excess_before, dates, f"payment {reference} reversed", provenance
        )
        return RECORDED

    def _apply_payment_reversal(self, event: PaymentsRole.DistributorPaymentReversed) -> None:
        self.paid_absc_total = exact_add(self.paid_absc_total, -event.absc_amount)
        self.paid_service_total = exact_add(self.paid_service_total, -event.service_amount)
        self.payments = without_payment(self.payments, event.reference)
        self.reversed_payment_references.append(event.reference)


def _payment_digest(event: PaymentsRole.DistributorPaid) -> str:
    return payload_digest(
        event.amount,
        event.business_date,
        event.period_start,
        event.period_end_exclusive,
        event.reason or None,
    )
