"""Corrections of a fund class: accruals adjusted after a restated net-assets figure, and
mistaken payments and expenditures reversed (docs/audit.md §2).

A mixin of `FundClass` (domain/fund_class.py), where the events are declared. Nothing recorded
is changed: each correction is a new event that names what it corrects and why, dated on the
business date it corrects.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.accrual import DailyAccrual, compute_daily_accrual
from domain.basis import BasisLookup
from domain.errors import RuleViolation
from domain.events import Provenance, check_reversal, payload_digest, provenance_fields
from domain.expenditures import expenditure_digest
from domain.money import ZERO, exact_add, shown_exact
from domain.periods import ONE_DAY, Period, month_label, month_period

if TYPE_CHECKING:
    from domain.fund_class import FundClass

RECORDED = "recorded"
UNCHANGED = "unchanged"


class FundClassCorrections:
    """Correcting commands; mixed into `FundClass`."""

    # ---- accruals after a restatement -------------------------------------------------------

    def correct_accruals_after_restatement(
        self: FundClass,
        restated_day: date,
        figures_before: dict[str, Decimal],
        restatement_key: str,
        reason: str,
        provenance: Provenance,
    ) -> int:
        """Adjust every accrued day whose basis the restatement of `restated_day` changed, then
        revise the true-up of each closed month it touched. Returns the days adjusted.

        Raises:
            RuleViolation: a day to adjust is under the FINRA aggregate-cap account, whose
                limited asset-based amounts are not a function of the basis alone.
        """
        days = self._days_resting_on(restated_day, figures_before)
        if not days:
            return 0
        if self.cap_opened_on is not None and days[-1] > self.cap_opened_on:
            raise RuleViolation(
                "restatement-under-aggregate-cap",
                "SECOND; NASD 2830(d)",
                f"{self.key}: {days[0]}..{days[-1]} were accrued under the aggregate-cap "
                f"account; review the cap account before restating them",
            )
        before, after = BasisLookup(figures_before), BasisLookup(self.net_assets_by_date)
        touched: list[str] = []
        adjusted = 0
        for day in days:
            old, new = before.latest_on_or_before(day), after.latest_on_or_before(day)
            if old is None or new is None or old[1] == new[1]:
                continue  # the same figure, from another date: nothing to correct
            rates = self.rates_on(day)
            self._trigger_adjustment(
                compute_daily_accrual(day, old[0], old[1], rates),
                compute_daily_accrual(day, new[0], new[1], rates),
                restatement_key,
                reason,
                provenance,
            )
            adjusted += 1
            if month_label(day) not in touched:
                touched.append(month_label(day))
        for month in touched:
            if month not in self.months_awaiting_true_up:
                self._revise_true_up(month, restatement_key, provenance)
        return adjusted

    def _days_resting_on(
        self: FundClass, restated_day: date, figures: dict[str, Decimal]
    ) -> list[date]:
        """The accrued days from `restated_day` up to the next recorded figure (exclusive)."""
        if self.last_accrued_day is None or restated_day > self.last_accrued_day:
            return []
        following = BasisLookup(figures).next_after(restated_day)
        last = self.last_accrued_day
        if following is not None:
            last = min(last, following - ONE_DAY)
        days = list(Period(restated_day, last + ONE_DAY).each_day())
        authorities = self.standing().authorities_by_day(days)
        return [day for day in days if authorities[day] is not None]

    def _trigger_adjustment(
        self: FundClass,
        old: DailyAccrual,
        new: DailyAccrual,
        restatement_key: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        key = f"accrual-adjustment/{self.key}/{new.day}/{restatement_key}"
        absc_delta = new.absc_amount - old.absc_amount
        service_delta = new.service_amount - old.service_amount
        self.trigger_event(
            self.FeeAccrualAdjusted,
            **provenance_fields(provenance, new.day, key),
            restatement_key=restatement_key,
            reason=reason,
            basis_date_previous=old.basis_date,
            basis_net_assets_previous=old.basis_net_assets,
            basis_date=new.basis_date,
            basis_net_assets=new.basis_net_assets,
            absc_rate_annual=new.rates.absc_rate_annual,
            service_rate_annual=new.rates.service_rate_annual,
            days_in_year=new.days_in_year,
            absc_amount_exact_delta=shown_exact(new.absc_amount_exact - old.absc_amount_exact),
            service_amount_exact_delta=shown_exact(
                new.service_amount_exact - old.service_amount_exact
            ),
            absc_amount_delta=absc_delta,
            service_amount_delta=service_delta,
            amount_delta=absc_delta + service_delta,
        )

    def _revise_true_up(
        self: FundClass, month: str, restatement_key: str, provenance: Provenance
    ) -> None:
        """Post the closed month's true-up again if its once-rounded total moved by a cent the
        daily adjustments did not carry."""
        true_up = self._compute_true_up(month)
        if true_up.adjustment_absc == ZERO and true_up.adjustment_service == ZERO:
            return
        month_end = month_period(date.fromisoformat(f"{month}-01")).end_inclusive
        self._trigger_true_up(true_up, month_end, provenance, key_suffix=f"/{restatement_key}")

    def _apply_adjustment(self: FundClass, event: FundClass.FeeAccrualAdjusted) -> None:
        month = month_label(event.business_date)
        delta = event.basis_net_assets - event.basis_net_assets_previous
        for segment in self.segments_by_month[month]:
            if (
                segment["absc_rate_annual"] == event.absc_rate_annual
                and segment["service_rate_annual"] == event.service_rate_annual
                and segment["days_in_year"] == event.days_in_year
            ):
                segment["net_assets_sum"] = exact_add(segment["net_assets_sum"], delta)
                break
        self._add_accrued(month, event.absc_amount_delta, event.service_amount_delta)

    # ---- mistaken records -------------------------------------------------------------------

    def reverse_distributor_payment(
        self: FundClass, original: Any, reason: str, provenance: Provenance
    ) -> str:
        """Reverse a payment recorded by mistake (`original`: its `DistributorPaid` event).

        Raises:
            RuleViolation: no reason, or not a payment of this class as recorded.
        """
        reference = original.reference
        check_reversal(self.payment_digests, reference, _payment_digest(original), reason, self.key)
        if reference in self.reversed_payment_references:
            return UNCHANGED
        self.trigger_event(
            self.DistributorPaymentReversed,
            **provenance_fields(
                provenance, original.business_date, f"distributor-payment-reversal/{reference}"
            ),
            reference=reference,
            reversed_version=original.originator_version,
            amount=original.amount,
            absc_amount=original.absc_amount,
            service_amount=original.service_amount,
            period_start=original.period_start,
            period_end_exclusive=original.period_end_exclusive,
            reason=reason,
        )
        return RECORDED

    def reverse_expenditure(
        self: FundClass, original: Any, reason: str, provenance: Provenance
    ) -> str:
        """Reverse an expenditure recorded by mistake (`original`: its `ExpenditureRecorded`).

        Raises:
            RuleViolation: no reason, or not an expenditure of this class as recorded.
        """
        reference = original.reference
        check_reversal(
            self.expenditure_digests, reference, expenditure_digest(original), reason, self.key
        )
        if reference in self.reversed_expenditure_references:
            return UNCHANGED
        self.trigger_event(
            self.ExpenditureReversed,
            **provenance_fields(
                provenance, original.business_date, f"expenditure-reversal/{reference}"
            ),
            reference=reference,
            reversed_version=original.originator_version,
            amount=original.amount,
            purpose=original.purpose,
            performer=original.performer,
            performer_name=original.performer_name,
            period_start=original.period_start,
            period_end_exclusive=original.period_end_exclusive,
            reason=reason,
        )
        return RECORDED

    def _apply_payment_reversal(
        self: FundClass, event: FundClass.DistributorPaymentReversed
    ) -> None:
        self.paid_absc_total = exact_add(self.paid_absc_total, -event.absc_amount)
        self.paid_service_total = exact_add(self.paid_service_total, -event.service_amount)
        self.payments = [p for p in self.payments if p["reference"] != event.reference]
        self.reversed_payment_references.append(event.reference)


def _payment_digest(event: Any) -> str:
    return payload_digest(
        event.amount,
        event.business_date,
        event.period_start,
        event.period_end_exclusive,
        event.reason or None,
    )
