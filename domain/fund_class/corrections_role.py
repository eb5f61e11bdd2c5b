"""Corrections of accrued days (docs/audit.md §2): a restatement of net assets adjusts every
day whose basis it changed (`FeeAccrualAdjusted`), a fact learnt late (a termination, a notice,
an assignment) reverses the days it took out of effect (`FeeAccrualReversed`; decision A19),
and either revises the true-up of each closed month it touched, runs the FINRA aggregate-cap
account again from the first day it reaches (decision A3), and books what it changed in the
receivable from the Distributor (decision A16).

The rules are in corrections.py, late_facts.py and cap_recompute.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accrual import DailyAccrual, compute_daily_accrual
from domain.basis import BasisLookup
from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accruals_role import AccrualsRole
from domain.fund_class.cap_account import PrimeRates, deemed_charge
from domain.fund_class.cap_recompute import (
    CapHistory,
    CapInputs,
    MonthInterest,
    Recomputed,
    Rerun,
    cap_history_of,
    recompute_cap_account,
    same_booking,
    transitions_booked,
)
from domain.fund_class.corrections import (
    adjustment_fields,
    check_not_under_cap,
    days_resting_on,
    segments_with,
)
from domain.fund_class.distributor_balance_role import DistributorBalanceRole
from domain.fund_class.late_facts import accrual_reversal_fields, days_no_longer_in_effect
from domain.fund_class.late_facts import check_not_under_cap as check_late_fact_not_under_cap
from domain.money import ZERO, exact_add, shown_exact
from domain.periods import ONE_DAY, Period, month_label, month_period
from domain.terms import PlanStanding


class CorrectionsRole(AccrualsRole, DistributorBalanceRole):
    """Adjust or reverse accrued days, revise true-ups, recompute the cap account."""

    class FeeAccrualAdjusted(LedgerEvent):
        TOPIC = "planledger.FundClass.FeeAccrualAdjusted"
        # Version 2 says whether the aggregate cap limited the day's asset-based part before
        # and after, and by how much the exact limited amounts moved (decision A3).
        class_version = 2
        restatement_key: str
        reason: str
        basis_date_previous: date
        basis_net_assets_previous: Decimal
        basis_date: date
        basis_net_assets: Decimal
        absc_rate_annual: Decimal
        service_rate_annual: Decimal
        days_in_year: int
        absc_amount_exact_delta: Decimal
        service_amount_exact_delta: Decimal
        absc_amount_delta: Decimal
        service_amount_delta: Decimal
        amount_delta: Decimal
        absc_limited_by_previous: str
        absc_limited_by: str
        absc_extra_exact_delta: Decimal

        def apply(self, fund_class: CorrectionsRole) -> None:
            fund_class._apply_adjustment(self)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 adjusted only days no rule limited: a restatement reaching days under
            the cap account was refused then."""
            state["absc_limited_by_previous"] = ""
            state["absc_limited_by"] = ""
            state["absc_extra_exact_delta"] = Decimal(0)

    class FeeAccrualReversed(LedgerEvent):
        """An accrued day taken off the books: a fact learnt late (`cause`, the key of its
        event) took it out of effect (late_facts.py; decision A19). Amounts are deltas."""

        TOPIC = "planledger.FundClass.FeeAccrualReversed"
        cause: str
        reason: str
        basis_date: date
        basis_net_assets: Decimal
        absc_rate_annual: Decimal
        service_rate_annual: Decimal
        days_in_year: int
        absc_limited_by: str
        absc_amount_exact_delta: Decimal
        service_amount_exact_delta: Decimal
        absc_amount_delta: Decimal
        service_amount_delta: Decimal
        amount_delta: Decimal

        def apply(self, fund_class: CorrectionsRole) -> None:
            fund_class._apply_reversal(self)

    def correct_accruals_after_restatement(
        self,
        restated_day: date,
        figures_before: dict[str, Decimal],
        restatement_key: str,
        reason: str,
        provenance: Provenance,
        *,
        cap_inputs: CapInputs | None = None,
    ) -> int:
        """Adjust every accrued day whose basis the restatement of `restated_day` changed, then
        revise the true-up of each closed month it touched; under the FINRA aggregate-cap
        account, recompute the account from the first day affected (decision A3). Returns the
        days adjusted outside the account (its days are adjusted by the recomputation).

        Raises:
            RuleViolation: the restatement reaches the cap account and `cap_inputs` (the
                class's recorded events and the prime rates) were not given.
        """
        days = days_resting_on(self.standing(), self.last_accrued_day, restated_day, figures_before)
        if not days:
            return 0
        under_cap = self._cap_reaches(days[-1])
        if under_cap and cap_inputs is None:
            check_not_under_cap(self.key, days, self.cap_opened_on)
        excess_before, dates = self._excess_by_month(), self._receivable_dates()
        before, after = BasisLookup(figures_before), BasisLookup(self.net_assets_by_date)
        touched: list[str] = []
        adjusted = 0
        for day in days:
            old, new = before.latest_on_or_before(day), after.latest_on_or_before(day)
            if self._cap_applies_to(day) or old is None or new is None or old[1] == new[1]:
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
            if month not in self.months_awaiting_true_up and not self._cap_reaches_month(month):
                self._revise_true_up(month, restatement_key, provenance)
        if under_cap and cap_inputs is not None:
            self._recompute_cap_account(days[0], cap_inputs, restatement_key, reason, provenance)
        self._book_receivable_changes(
            excess_before, dates, f"net-assets restatement {restatement_key}", provenance
        )
        return adjusted

    def _cap_reaches(self, day: date) -> bool:
        """Whether a change to `day` reaches the cap account: the day, or its month's true-up,
        is charged to it."""
        return self._cap_applies_to(month_period(day).end_inclusive)

    def _cap_reaches_month(self, month: str) -> bool:
        return self._cap_reaches(date.fromisoformat(f"{month}-01"))

    def _recompute_cap_account(
        self,
        first_day: date,
        cap_inputs: CapInputs,
        cause: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        """Run the account again from the month of `first_day` (cap_recompute.py) and book
        what differs: each day's accrual, each closed month's true-up, interest and remaining
        amount, and whether the asset-based charge is suspended."""
        assert self.last_accrued_day is not None, "a correction reaches accrued days"
        history = cap_history_of([*cap_inputs.recorded(), *self.pending_events])
        rerun = Rerun(
            self.key,
            self.last_accrued_day,
            self.cap_month_start,
            self._accrual_on_figures(self.standing()),
            cap_inputs.prime_rate_on,
        )
        self._check_prime_rates(first_day, rerun.open_month_start, cap_inputs.prime_rate_on)
        result = recompute_cap_account(history, first_day, rerun)
        for day, new in sorted(result.accruals.items()):
            old = history.booked.get(day)
            if old is not None and not same_booking(old, new):
                self._trigger_adjustment(old, new, cause, reason, provenance)
        for month in result.interest:
            if month not in self.months_awaiting_true_up:
                self._revise_true_up(month, cause, provenance)
        for month, interest in result.interest.items():
            old_interest = history.interest.get(month)
            self._adjust_interest(
                month, old_interest, interest, cause=cause, reason=reason, provenance=provenance
            )
        self._rebook_absc_flags(history, result, cause, provenance)

    def _rebook_absc_flags(
        self, history: CapHistory, result: Recomputed, cause: str, provenance: Provenance
    ) -> None:
        """If the days the suspension changes moved, book them again from the month run again:
        a flag at its first day with the state then, then each change. Every view reads the
        flags dated before a day in the order recorded, so these, recorded last, decide from
        that day on, and the days before it keep the flags of before."""
        if transitions_booked(history, result.run_from) == result.transitions:
            return
        first = result.run_from
        flags = list(result.transitions)
        if not flags or flags[0][0] != first:
            flags.insert(0, (first, result.suspended_at_start))
        for day, suspended in flags:
            accrual = result.accruals.get(day)
            self._trigger_absc_flag(
                suspended,
                day,
                remaining=result.month_start_remaining,
                reason=accrual.absc_limited_by if accrual is not None else "",
                key_suffix=f"/{self.key}/{day}/{cause}",
                provenance=provenance,
            )

    def _accrual_on_figures(self, standing: PlanStanding) -> Callable[[date], DailyAccrual | None]:
        """Each day's accrual on the figures of now, before any limit (None: not in effect)."""
        lookup = BasisLookup(self.net_assets_by_date)

        def accrual_of(day: date) -> DailyAccrual | None:
            basis = lookup.latest_on_or_before(day)
            if basis is None or standing.authorities_by_day([day])[day] is None:
                return None
            return compute_daily_accrual(day, basis[0], basis[1], self.rates_on(day))

        return accrual_of

    def _check_prime_rates(self, first_day: date, end: date, prime_rate_on: PrimeRates) -> None:
        days = list(Period(first_day.replace(day=1), max(end, first_day + ONE_DAY)).each_day())
        missing = self._cap_account().missing_prime_rates(days, prime_rate_on)
        if missing:
            raise RuleViolation(
                "prime-rate-missing",
                "SECOND; NASD 2830(d) (interest at prime + 1%)",
                f"{self.key}: recomputing the aggregate-cap account needs the prime rate of "
                f"{missing[0]}",
            )

    def _adjust_interest(
        self,
        month: str,
        old: MonthInterest | None,
        new: MonthInterest,
        *,
        cause: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        """Book a closed month's interest and remaining amount as recomputed, if they moved."""
        assert old is not None, "every month the account closed has its interest recorded"
        if (old.amount, old.remaining_after) == (new.amount, new.remaining_after):
            return
        month_end = month_period(date.fromisoformat(f"{month}-01")).end_inclusive
        key = f"cap-interest-adjustment/{self.key}/{month}/{cause}"
        self.trigger_event(
            self.CapInterestAdjusted,
            **provenance_fields(provenance, month_end, key),
            month=month,
            cause=cause,
            reason=reason,
            amount_previous=old.amount,
            amount=new.amount,
            amount_exact=shown_exact(new.amount_exact),
            amount_delta=new.amount - old.amount,
            remaining_after_previous=old.remaining_after,
            remaining_after=new.remaining_after,
        )

    def _trigger_adjustment(
        self,
        old: DailyAccrual,
        new: DailyAccrual,
        restatement_key: str,
        reason: str,
        provenance: Provenance,
    ) -> None:
        key = f"accrual-adjustment/{self.key}/{new.day}/{restatement_key}"
        self.trigger_event(
            self.FeeAccrualAdjusted,
            **provenance_fields(provenance, new.day, key),
            **adjustment_fields(old, new, restatement_key, reason),
        )

    def _revise_true_up(self, month: str, cause: str, provenance: Provenance) -> None:
        """Post the closed month's true-up again if its once-rounded total moved by a cent the
        daily adjustments (or reversals) did not carry; `cause`: the correction's key."""
        true_up = self._compute_true_up(month)
        if true_up.adjustment_absc == ZERO and true_up.adjustment_service == ZERO:
            return
        month_end = month_period(date.fromisoformat(f"{month}-01")).end_inclusive
        self._trigger_true_up(true_up, month_end, provenance, key_suffix=f"/{cause}")

    def _apply_adjustment(self, event: CorrectionsRole.FeeAccrualAdjusted) -> None:
        month = month_label(event.business_date)
        rates = (event.service_rate_annual, event.days_in_year)
        # A day a rule limits is kept in a segment without its asset-based rate (its exact
        # asset-based amount outside the segments): the day may move between the two.
        old = (ZERO if event.absc_limited_by_previous else event.absc_rate_annual, *rates)
        new = (ZERO if event.absc_limited_by else event.absc_rate_annual, *rates)
        segments = self.segments_by_month[month]
        if old == new:
            delta = event.basis_net_assets - event.basis_net_assets_previous
            segments = segments_with(segments, old, delta, add=False)
        else:
            segments = segments_with(segments, old, -event.basis_net_assets_previous, add=False)
            segments = segments_with(segments, new, event.basis_net_assets, add=True)
        self.segments_by_month[month] = segments
        if event.absc_extra_exact_delta:
            self.absc_extra_by_month[month] = exact_add(
                self.absc_extra_by_month.get(month, ZERO), event.absc_extra_exact_delta
            )
        self._add_accrued(month, event.absc_amount_delta, event.service_amount_delta)
        if self._cap_applies_to(event.business_date):
            self._charge_open_month(
                event.business_date,
                deemed_charge(event.absc_amount_delta, event.service_amount_delta),
            )

    # ---- late facts (rules in late_facts.py; decision A19) ------------------------------------

    def _booked_accrual(self, day: date) -> DailyAccrual:
        """The day as it stands booked: its accrual on the figure it rests on now (a restatement
        moved it there by an adjustment), at the rates in force that day."""
        basis = BasisLookup(self.net_assets_by_date).latest_on_or_before(day)
        assert basis is not None, "an accrued day has a basis"
        return compute_daily_accrual(day, basis[0], basis[1], self.rates_on(day))

    def _book_late_fact(
        self,
        before: PlanStanding,
        effective_on: date,
        *,
        cause: str,
        reason: str,
        provenance: Provenance,
        cap_inputs: CapInputs | None,
    ) -> int:
        """Reverse every accrued day the fact took out of effect, then revise the true-up of
        each closed month it touched; if the days reach the FINRA aggregate-cap account,
        recompute it from the first of them (decision A3). Returns the days reversed."""
        days = days_no_longer_in_effect(
            before, self.standing(), effective_on, self.last_accrued_day
        )
        if not days:
            return 0
        # Payments for the months it lowers may now exceed their fee (decision A16).
        excess_before, dates = self._excess_by_month(), self._receivable_dates()
        recompute = cap_inputs is not None and self._cap_reaches(days[-1])
        booked: dict[date, DailyAccrual] = {}
        if recompute and cap_inputs is not None:
            # A day the cap limited is not a function of its basis: reverse what it booked.
            booked = cap_history_of([*cap_inputs.recorded(), *self.pending_events]).booked
        touched: list[str] = []
        for day in days:
            key = f"accrual-reversal/{self.key}/{day}"
            self.trigger_event(
                self.FeeAccrualReversed,
                **provenance_fields(provenance, day, key),
                **accrual_reversal_fields(
                    booked.get(day) or self._booked_accrual(day), cause, reason
                ),
            )
            if month_label(day) not in touched:
                touched.append(month_label(day))
        for month in touched:
            if month in self.months_awaiting_true_up:
                continue
            if not (recompute and self._cap_reaches_month(month)):
                self._revise_true_up(month, cause, provenance)
        if recompute and cap_inputs is not None:
            self._recompute_cap_account(days[0], cap_inputs, cause, reason, provenance)
        self._book_receivable_changes(excess_before, dates, f"late fact {cause}", provenance)
        return len(days)

    def _check_late_fact(self, effective_on: date, cap_inputs: CapInputs | None) -> None:
        if cap_inputs is None:
            check_late_fact_not_under_cap(
                self.key, effective_on, self.last_accrued_day, self.cap_opened_on
            )

    def _apply_reversal(self, event: CorrectionsRole.FeeAccrualReversed) -> None:
        month = month_label(event.business_date)
        self.days_by_month[month] -= 1
        absc_rate = event.absc_rate_annual
        if event.absc_limited_by:
            absc_rate = ZERO  # as the accrual kept it: outside the segments
            self.absc_extra_by_month[month] = exact_add(
                self.absc_extra_by_month.get(month, ZERO), event.absc_amount_exact_delta
            )
        self.segments_by_month[month] = segments_with(
            self.segments_by_month[month],
            (absc_rate, event.service_rate_annual, event.days_in_year),
            -event.basis_net_assets,
            add=False,
        )
        self._add_accrued(month, event.absc_amount_delta, event.service_amount_delta)
        if self._cap_applies_to(event.business_date):
            self._charge_open_month(
                event.business_date,
                deemed_charge(event.absc_amount_delta, event.service_amount_delta),
            )
