"""The FINRA aggregate-cap account of a fund class (NASD 2830(d); SECOND): its events, its
opening, the sales and sales charges that move it, the monthly interest, the service fees
credited back to it (decision A13), and whether the asset-based charge is suspended.

The rules are in cap_account.py; the account run again after a correction in
cap_recompute.py (called by the corrections role).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, payload_digest, provenance_fields
from domain.finra import cap_added_for, cap_rate
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.cap_account import (
    SERVICE_FEE_CREDIT,
    SERVICE_FEE_CREDIT_REVERSED,
    CapAccount,
    PrimeRates,
    charged_to_account,
    check_gross_sales,
    credit_day,
    pending_credits,
    service_fee_credits,
    withheld_for_the_cap,
)
from domain.fund_class.records import CapLine
from domain.fund_class.terms_role import TermsRole
from domain.money import ZERO, exact_add, exact_sum, round_half_up_to_cent, shown_exact
from domain.periods import ONE_DAY, Period, month_label


class CapAccountRole(TermsRole):
    """The account's movements and views; the accruals charge it (accruals_role.py)."""

    class FinraCapAccountOpened(LedgerEvent):
        TOPIC = "planledger.FundClass.FinraCapAccountOpened"
        opening_remaining: Decimal
        note: str

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.cap_opened_on = self.business_date
            fund_class.cap_month_start = self.business_date + ONE_DAY
            fund_class.cap_month_start_remaining = self.opening_remaining

    class NewGrossSalesRecorded(LedgerEvent):
        TOPIC = "planledger.FundClass.NewGrossSalesRecorded"
        gross_sales: Decimal
        reinvested_distributions: Decimal
        exchanges: Decimal
        new_gross_sales: Decimal
        cap_rate: Decimal
        cap_added: Decimal

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.cap_lines.append(
                CapLine(self.business_date, self.cap_added, "new_gross_sales")
            )
            fund_class.cap_digests[self.idempotency_key] = payload_digest(
                self.gross_sales, self.reinvested_distributions, self.exchanges
            )

    class SalesChargeReceived(LedgerEvent):
        TOPIC = "planledger.FundClass.SalesChargeReceived"
        kind: str
        amount: Decimal
        reference: str

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.cap_lines.append(CapLine(self.business_date, -self.amount, self.kind))
            fund_class.cap_digests[self.idempotency_key] = payload_digest(
                self.business_date, self.kind, self.amount
            )

    class CapInterestCredited(LedgerEvent):
        TOPIC = "planledger.FundClass.CapInterestCredited"
        month: str
        amount: Decimal
        amount_exact: Decimal
        remaining_after: Decimal

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.cap_month_start = self.business_date + ONE_DAY
            fund_class.cap_month_start_remaining = self.remaining_after
            fund_class.cap_absc_this_month = {}
            fund_class.cap_lines = [
                line for line in fund_class.cap_lines if line.day > self.business_date
            ]

    class CapInterestAdjusted(LedgerEvent):
        """A closed month of the cap account recomputed after a correction (`cause`, its key):
        its interest and the remaining amount at its end as they should have been (A3)."""

        TOPIC = "planledger.FundClass.CapInterestAdjusted"
        month: str
        cause: str
        reason: str
        amount_previous: Decimal
        amount: Decimal
        amount_exact: Decimal
        amount_delta: Decimal
        remaining_after_previous: Decimal
        remaining_after: Decimal

        def apply(self, fund_class: CapAccountRole) -> None:
            if self.business_date + ONE_DAY == fund_class.cap_month_start:
                fund_class.cap_month_start_remaining = self.remaining_after

    class AbscSuspended(LedgerEvent):
        TOPIC = "planledger.FundClass.AbscSuspended"
        remaining: Decimal
        reason: str

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.absc_suspended = True

    class AbscResumed(LedgerEvent):
        TOPIC = "planledger.FundClass.AbscResumed"
        remaining: Decimal

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class.absc_suspended = False

    class CapServiceFeeCredited(LedgerEvent):
        """A service fee paid or advanced to a provider, credited back to the account for the
        days under it: that part of the plan's payments is not an asset-based charge (SIXTH;
        decision A13). Dated the day it takes effect in the account (`credit_day`)."""

        TOPIC = "planledger.FundClass.CapServiceFeeCredited"
        # Version 2 carries the share, per month, kept pending until the month's accruals give
        # it room (`pending_by_month`); version 1 left it never credited (`not_credited`).
        class_version = 2
        provider_code: str
        fee_reference: str
        paid_on: date
        paid_or_advanced: str
        fee_amount: Decimal
        period_start: date
        period_end_exclusive: date
        fee_under_account: Decimal
        credited_by_month: dict[str, Decimal]
        amount: Decimal
        not_credited: Decimal
        pending_by_month: dict[str, Decimal]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Before the pending share was kept, what a month had no room for was never
            credited: that is what a fee recorded then keeps."""
            state["pending_by_month"] = {}

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class._apply_service_fee_credit(self)

    class CapDeferredServiceFeeCredited(LedgerEvent):
        """The share of a service fee (paid or advanced) kept pending for a month that had no
        room for it when the fee was recorded, credited once the month's accruals give it room:
        at the month's close, in the accrual run (SIXTH; decision A13). Dated the month end."""

        TOPIC = "planledger.FundClass.CapDeferredServiceFeeCredited"
        provider_code: str
        fee_reference: str
        month: str
        amount: Decimal
        still_pending: Decimal

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class._apply_deferred_service_fee_credit(self)

    class CapServiceFeeCreditReversed(LedgerEvent):
        """The credit of a service fee reversed with the fee: it was not passed on after all."""

        TOPIC = "planledger.FundClass.CapServiceFeeCreditReversed"
        provider_code: str
        fee_reference: str
        debited_by_month: dict[str, Decimal]
        amount: Decimal
        reason: str

        def apply(self, fund_class: CapAccountRole) -> None:
            fund_class._apply_service_fee_credit_reversal(self)

    def _cap_applies_to(self, day: date) -> bool:
        # Asked on every accrual replayed: spared building the account's view each time.
        return charged_to_account(self.cap_opened_on, day)

    def _cap_account(self) -> CapAccount:
        return CapAccount(
            self.key,
            self.cap_opened_on,
            self.cap_month_start,
            self.cap_month_start_remaining,
            self.cap_lines,
            self.cap_absc_this_month,
            self.last_accrued_day,
        )

    @property
    def cap_account_open(self) -> bool:
        return self.cap_opened_on is not None

    def cap_available_on(self, day: date) -> Decimal:
        return self._cap_account().available_on(day)

    def cap_remaining_at_end_of(self, day: date) -> Decimal:
        return self._cap_account().remaining_at_end_of(day)

    def cap_remaining_recorded(self) -> Decimal:
        """What remains with every movement recorded (decision A14)."""
        return self._cap_account().remaining_recorded()

    @property
    def cap_withheld(self) -> Decimal:
        """What of the payable may not be paid to the Distributor until passed on (A14)."""
        if self.cap_opened_on is None:
            return ZERO
        return withheld_for_the_cap(self.cap_remaining_recorded())

    @property
    def cap_service_credited_by_month(self) -> dict[str, Decimal]:
        """The service fees credited to the account, per month they paid for."""
        credited: dict[str, Decimal] = {}
        for by_month in self.cap_service_credits.values():
            for month, amount in by_month.items():
                credited[month] = exact_add(credited.get(month, ZERO), amount)
        return credited

    def open_cap_account(
        self, as_of: date, remaining: Decimal, note: str, provenance: Provenance
    ) -> str:
        """Start tracking the remaining amount, as known at the end of `as_of`."""
        if self.cap_opened_on is not None:
            if (self.cap_opened_on, self.cap_month_start_remaining) == (as_of, remaining):
                return UNCHANGED
            raise RuleViolation(
                "cap-account-open",
                "SECOND; NASD 2830(d)",
                f"{self.key}: the aggregate-cap account was opened on {self.cap_opened_on}",
            )
        self._cap_account().check_date(as_of, "the opening balance")
        key = f"cap-account/{self.key}"
        self.trigger_event(
            self.FinraCapAccountOpened,
            **provenance_fields(provenance, as_of, key),
            opening_remaining=remaining,
            note=note,
        )
        return RECORDED

    def record_gross_sales(
        self,
        day: date,
        gross_sales: Decimal,
        reinvested: Decimal,
        exchanges: Decimal,
        provenance: Provenance,
    ) -> str:
        """New gross sales (excluding reinvested distributions and exchanges) raise the cap."""
        key = f"gross-sales/{self.key}/{day}"
        digest = payload_digest(gross_sales, reinvested, exchanges)
        if self.cap_digests.get(key) == digest:
            return UNCHANGED
        account = self._cap_account()
        account.check_open(day)
        account.check_date(day, "the sales")
        new_gross = gross_sales - reinvested - exchanges
        check_gross_sales(self.key, day, gross_sales, new_gross, key in self.cap_digests)
        service_rate = self.service_rate_max_on(day)
        self.trigger_event(
            self.NewGrossSalesRecorded,
            **provenance_fields(provenance, day, key),
            gross_sales=gross_sales,
            reinvested_distributions=reinvested,
            exchanges=exchanges,
            new_gross_sales=new_gross,
            cap_rate=cap_rate(service_rate),
            cap_added=cap_added_for(new_gross, service_rate),
        )
        return RECORDED

    def record_sales_charge(
        self, day: date, kind: str, amount: Decimal, reference: str, provenance: Provenance
    ) -> str:
        key = f"sales-charge/{self.key}/{reference}"
        digest = payload_digest(day, kind, amount)
        if self.cap_digests.get(key) == digest:
            return UNCHANGED
        if key in self.cap_digests:
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.key}: sales charge {reference!r} was recorded with other details",
            )
        account = self._cap_account()
        account.check_open(day)
        account.check_date(day, "the sales charge")
        self.trigger_event(
            self.SalesChargeReceived,
            **provenance_fields(provenance, day, key),
            kind=kind,
            amount=amount,
            reference=reference,
        )
        return RECORDED

    def credit_cap_interest(
        self, month_end: date, prime_rate_on: PrimeRates, provenance: Provenance
    ) -> Decimal:
        """Post the month's interest (called at each month end, after the month's true-up),
        credited at the month end, rounded half-up to the cent (brief §9(e); decision Q13)."""
        account = self._cap_account()
        interest = account.interest_exact(month_end, prime_rate_on)
        credited = round_half_up_to_cent(interest)
        # What remains at the end of the month's last day: a movement dated the next day (sales
        # recorded ahead of the run) belongs to the next month, which counts it.
        remaining_after = exact_add(account.remaining_at_end_of(month_end), credited)
        key = f"cap-interest/{self.key}/{month_label(month_end)}"
        self.trigger_event(
            self.CapInterestCredited,
            **provenance_fields(provenance, month_end, key),
            month=month_label(month_end),
            amount=credited,
            amount_exact=shown_exact(interest),
            remaining_after=remaining_after,
        )
        return credited

    def credit_service_fee(
        self,
        *,
        provider_code: str,
        fee_reference: str,
        fee_amount: Decimal,
        paid_on: date,
        paid_or_advanced: str,
        period: Period,
        provenance: Provenance,
    ) -> str:
        """Credit the account with a service fee paid or advanced to a provider, for its days
        under the account (SIXTH; decision A13). Written with the fee, in its transaction.

        Raises:
            RuleViolation: the fee's reference was credited with other details.
        """
        key = f"cap-service-credit/{self.key}/{provider_code}/{fee_reference}"
        digest = payload_digest(fee_amount, paid_on, period.start, period.end_exclusive)
        if self.cap_digests.get(key) == digest:
            return UNCHANGED
        if key in self.cap_digests:
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.key}: service fee {fee_reference!r} of {provider_code} was credited to "
                f"the aggregate-cap account with other details",
            )
        if self.cap_opened_on is None or period.end_exclusive <= self.cap_opened_on + ONE_DAY:
            return UNCHANGED  # no day of the fee is under the account
        room = self._cap_credit_room(period)
        by_month, pending, under_account = service_fee_credits(
            fee_amount, period, self.cap_opened_on, room
        )
        amount = exact_sum(list(by_month.values()))
        day = credit_day(paid_on, self._first_unaccrued_day(), self.cap_month_start)
        self.trigger_event(
            self.CapServiceFeeCredited,
            **provenance_fields(provenance, day, key),
            provider_code=provider_code,
            fee_reference=fee_reference,
            paid_on=paid_on,
            paid_or_advanced=paid_or_advanced,
            fee_amount=fee_amount,
            period_start=period.start,
            period_end_exclusive=period.end_exclusive,
            fee_under_account=under_account,
            credited_by_month=by_month,
            amount=amount,
            not_credited=under_account - amount,
            pending_by_month=pending,
        )
        return RECORDED

    def _credit_pending_service_fees(self, month_end: date, provenance: Provenance) -> None:
        """At a month's close, credit the service fees' shares pending for it as far as its
        accruals give them room (decision A13): a fee advanced before its days were accrued."""
        month = month_label(month_end)
        room = self._cap_credit_room(Period(month_end, month_end + ONE_DAY))[month]
        for fee, amount, still_pending in pending_credits(self.cap_service_pending, month, room):
            provider_code, fee_reference = fee.split("/", 1)
            key = f"cap-service-credit-deferred/{self.key}/{fee}/{month}"
            self.trigger_event(
                self.CapDeferredServiceFeeCredited,
                **provenance_fields(provenance, month_end, key),
                provider_code=provider_code,
                fee_reference=fee_reference,
                month=month,
                amount=amount,
                still_pending=still_pending,
            )

    def _cap_credit_room(self, period: Period) -> dict[str, Decimal]:
        """Per month of `period`, what service fees may still be credited for it: what it
        accrued (both parts; of the month the account opened in, its days before too) less
        what was credited for it already."""
        credited = self.cap_service_credited_by_month
        return {
            month: exact_add(
                self.accrued_absc_by_month.get(month, ZERO),
                self.accrued_service_by_month.get(month, ZERO),
            )
            - credited.get(month, ZERO)
            for month in period.months()
        }

    def reverse_service_fee_credit(
        self, *, provider_code: str, fee_reference: str, reason: str, provenance: Provenance
    ) -> str:
        """Take back the credit of a service fee that was reversed (written with the reversal,
        in its transaction): it was not passed on after all (decision A13)."""
        credit_key = f"{provider_code}/{fee_reference}"
        if credit_key not in self.cap_service_credits:
            return UNCHANGED  # never credited, or already taken back
        debited = self.cap_service_credits[credit_key]
        key = f"cap-service-credit-reversal/{self.key}/{credit_key}"
        first_unaccrued = self._first_unaccrued_day()
        day = credit_day(first_unaccrued, first_unaccrued, self.cap_month_start)
        self.trigger_event(
            self.CapServiceFeeCreditReversed,
            **provenance_fields(provenance, day, key),
            provider_code=provider_code,
            fee_reference=fee_reference,
            debited_by_month=dict(debited),
            amount=exact_sum(list(debited.values())),
            reason=reason,
        )
        return RECORDED

    def _apply_service_fee_credit(self, event: CapAccountRole.CapServiceFeeCredited) -> None:
        self.cap_service_credits[f"{event.provider_code}/{event.fee_reference}"] = dict(
            event.credited_by_month
        )
        if event.pending_by_month:
            credit_key = f"{event.provider_code}/{event.fee_reference}"
            self.cap_service_pending[credit_key] = dict(event.pending_by_month)
        self.cap_lines.append(CapLine(event.business_date, event.amount, SERVICE_FEE_CREDIT))
        self.cap_digests[event.idempotency_key] = payload_digest(
            event.fee_amount, event.paid_on, event.period_start, event.period_end_exclusive
        )

    def _apply_deferred_service_fee_credit(
        self, event: CapAccountRole.CapDeferredServiceFeeCredited
    ) -> None:
        credit_key = f"{event.provider_code}/{event.fee_reference}"
        credited = self.cap_service_credits[credit_key]
        credited[event.month] = exact_add(credited.get(event.month, ZERO), event.amount)
        pending = self.cap_service_pending[credit_key]
        if event.still_pending > ZERO:
            pending[event.month] = event.still_pending
        else:
            del pending[event.month]
            if not pending:
                del self.cap_service_pending[credit_key]
        self.cap_lines.append(CapLine(event.business_date, event.amount, SERVICE_FEE_CREDIT))

    def _apply_service_fee_credit_reversal(
        self, event: CapAccountRole.CapServiceFeeCreditReversed
    ) -> None:
        credit_key = f"{event.provider_code}/{event.fee_reference}"
        del self.cap_service_credits[credit_key]
        self.cap_service_pending.pop(credit_key, None)  # what was pending is dropped
        self.cap_lines.append(
            CapLine(event.business_date, -event.amount, SERVICE_FEE_CREDIT_REVERSED)
        )

    def _trigger_absc_flag(
        self,
        suspended: bool,
        day: date,
        *,
        remaining: Decimal,
        reason: str,
        key_suffix: str,
        provenance: Provenance,
    ) -> None:
        """The asset-based charge suspended (the remaining amount limits it) or resumed."""
        if suspended:
            self.trigger_event(
                self.AbscSuspended,
                **provenance_fields(provenance, day, f"absc-suspended{key_suffix}"),
                remaining=remaining,
                reason=reason,
            )
        else:
            self.trigger_event(
                self.AbscResumed,
                **provenance_fields(provenance, day, f"absc-resumed{key_suffix}"),
                remaining=remaining,
            )

    def _charge_open_month(self, day: date, charge: Decimal) -> None:
        """Charge the account's open month with a deemed charge booked for `day` (a closed
        month is reached by the recomputation instead, decision A3)."""
        if day >= self.cap_month_start:
            iso_day = day.isoformat()
            self.cap_absc_this_month[iso_day] = exact_add(
                self.cap_absc_this_month.get(iso_day, ZERO), charge
            )
