"""The accruals of a fund class (SECOND, Schedule B): each calendar day in effect accrues the
fee on its basis at the rates in force, and each month's true-up books the month's fee rounded
once (domain/accrual.py). A day under the FINRA aggregate-cap account is limited by what remains
in it, and charged to it (cap_account_role.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.accrual import (
    ROUNDING_POLICY,
    BasisSegment,
    DailyAccrual,
    MonthTrueUp,
    PartRates,
    compute_daily_accrual,
    compute_month_true_up,
)
from domain.basis import DayBasis, bases_for_days
from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import AccrualPlan, AccrualRunSummary, gaps_of
from domain.fund_class.cap_account import PrimeRates, deemed_charge, limited_accrual, no_prime_rate
from domain.fund_class.cap_account_role import CapAccountRole
from domain.fund_class.corrections import segments_with
from domain.money import ZERO, exact_add, shown_exact
from domain.periods import ONE_DAY, Period, is_last_day_of_month, month_label
from domain.rates import DAY_COUNT_ACTUAL_ACTUAL


class AccrualsRole(CapAccountRole):
    """Plan a run of days, trigger its accruals, true-ups and month closes, and apply them."""

    class FeeAccrued(LedgerEvent):
        TOPIC = "planledger.FundClass.FeeAccrued"
        # Version 2 carries what the day charges to the FINRA aggregate-cap account if it is
        # under it (decision A13); version 1 did not.
        class_version = 2
        basis_date: date
        basis_net_assets: Decimal
        absc_rate_annual: Decimal
        service_rate_annual: Decimal
        day_count: str
        days_in_year: int
        amount_exact: Decimal
        absc_amount_exact: Decimal
        service_amount_exact: Decimal
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        rounding_policy: str
        authority: str
        absc_limited_by: str
        cap_charge: Decimal  # the deemed asset-based charge (cap_account.deemed_charge)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Before decision A13 the account was charged with the asset-based part alone:
            that is what a day accrued then charged, and its month's interest was credited on
            it, so that is what it keeps."""
            state["cap_charge"] = state["absc_amount"]

        def apply(self, fund_class: AccrualsRole) -> None:
            fund_class._apply_accrual(self)

    class AccrualTrueUpPosted(LedgerEvent):
        TOPIC = "planledger.FundClass.AccrualTrueUpPosted"
        # Version 2 carries what the true-up charges to the aggregate-cap account (A13).
        class_version = 2
        month: str
        days_accrued: int
        amount_exact: Decimal
        absc_amount_exact: Decimal
        service_amount_exact: Decimal
        month_amount: Decimal
        month_absc_amount: Decimal
        month_service_amount: Decimal
        booked_amount: Decimal
        booked_absc_amount: Decimal
        booked_service_amount: Decimal
        adjustment_amount: Decimal
        adjustment_absc: Decimal
        adjustment_service: Decimal
        rounding_policy: str
        cap_charge_adjustment: Decimal  # cap_account.deemed_charge of the two adjustments

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Before decision A13 a true-up charged its asset-based adjustment alone."""
            state["cap_charge_adjustment"] = state["adjustment_absc"]

        def apply(self, fund_class: AccrualsRole) -> None:
            fund_class._apply_true_up(self)

    def accrue_through(
        self,
        through: date,
        provenance: Provenance,
        *,
        max_carry_days: int,
        prime_rate_on: PrimeRates | None = None,
    ) -> AccrualRunSummary:
        """Accrue every calendar day in effect after the last accrued day, up to `through`.

        Raises:
            MissingFiguresError: a run of days without net assets longer than the limit.
        """
        prime_rates = prime_rate_on or no_prime_rate
        plan = self.plan_accrual(through, max_carry_days=max_carry_days, prime_rate_on=prime_rates)
        return self.accrue(plan, provenance, prime_rate_on=prime_rates)

    def plan_accrual(
        self,
        through: date,
        *,
        max_carry_days: int,
        prime_rate_on: PrimeRates | None = None,
    ) -> AccrualPlan:
        """Find the authority and the basis of every day to accrue, triggering nothing.

        Every basis is found before any event is triggered, so missing net assets (or missing
        prime rates, for a class with an aggregate-cap account) refuse the whole run.

        Raises:
            MissingFiguresError: a run of days without net assets longer than the limit.
            RuleViolation: prime rates are missing.
        """
        first_day = self._first_unaccrued_day()
        if through < first_day:
            return AccrualPlan([], {}, [], [])
        standing = self.standing()
        calendar_days = list(Period(first_day, through + ONE_DAY).each_day())
        authorities = standing.authorities_by_day(calendar_days)
        effective_days = [day for day in calendar_days if authorities[day] is not None]
        bases = bases_for_days(
            self.net_assets_by_date,
            effective_days,
            max_carry_days=max_carry_days,
            subject=f"{self.key} net assets",
        )
        missing = self._cap_account().missing_prime_rates(
            calendar_days, prime_rate_on or no_prime_rate
        )
        if missing:
            raise RuleViolation(
                "prime-rate-missing",
                "SECOND; NASD 2830(d) (interest at prime + 1%)",
                f"{self.key}: no prime rate is recorded for {missing[0]}"
                + (f" to {missing[-1]}" if len(missing) > 1 else ""),
            )
        gaps = gaps_of(standing, [day for day in calendar_days if authorities[day] is None])
        return AccrualPlan(calendar_days, authorities, bases, gaps)

    def accrue(
        self,
        plan: AccrualPlan,
        provenance: Provenance,
        *,
        prime_rate_on: PrimeRates | None = None,
    ) -> AccrualRunSummary:
        """Trigger the accruals, true-ups and cap-interest credits of a plan from `plan_accrual`.

        A month's true-up (and interest credit) is posted once the run passes the month's end.
        """
        if not plan.calendar_days:
            return AccrualRunSummary(self.key, 0, None, None, ZERO, 0, [])
        assert plan.calendar_days[0] == self._first_unaccrued_day(), (
            "the plan was made for another state of this fund class"
        )
        basis_by_day = {basis.day: basis for basis in plan.bases}
        amount = ZERO
        true_ups = 0
        for day in plan.calendar_days:
            basis = basis_by_day.get(day)
            if basis is not None:
                accrual = self._accrual_for(basis, provenance)
                self._trigger_accrual(accrual, str(plan.authorities[day]), provenance)
                amount += accrual.amount
            if is_last_day_of_month(day):
                true_up = self._close_month(day, provenance, prime_rate_on or no_prime_rate)
                if true_up is not None:
                    true_ups += 1
                    amount += true_up.adjustment_amount
        return AccrualRunSummary(
            self.key,
            len(plan.bases),
            plan.bases[0].day if plan.bases else None,
            plan.bases[-1].day if plan.bases else None,
            amount,
            true_ups,
            plan.gaps,
        )

    def _accrual_for(self, basis: DayBasis, provenance: Provenance) -> DailyAccrual:
        """The day's accrual, its asset-based part limited by the aggregate cap if need be."""
        rates = self.rates_on(basis.day)
        accrual = compute_daily_accrual(basis.day, basis.basis_date, basis.net_assets, rates)
        if not self._cap_applies_to(basis.day):
            return accrual
        remaining = self._cap_account().available_on(basis.day)
        accrual, limited = limited_accrual(accrual, remaining)
        if limited != self.absc_suspended:
            self._trigger_absc_flag(
                limited,
                basis.day,
                remaining=remaining,
                reason=accrual.absc_limited_by,
                key_suffix=f"/{self.key}/{basis.day}",
                provenance=provenance,
            )
        return accrual

    def _close_month(
        self, month_end: date, provenance: Provenance, prime_rate_on: PrimeRates
    ) -> MonthTrueUp | None:
        """Post the month's true-up (if it has new accruals) and its cap interest."""
        true_up = None
        if month_label(month_end) in self.months_awaiting_true_up:
            true_up = self._compute_true_up(month_label(month_end))
            self._trigger_true_up(true_up, month_end, provenance)
        # A run may pass a month end again (after a termination the days after the last
        # accrued one are run again): a month the account already closed is not credited twice.
        if self._cap_applies_to(month_end) and month_end >= self.cap_month_start:
            self._credit_pending_service_fees(month_end, provenance)
            self.credit_cap_interest(month_end, prime_rate_on, provenance)
        return true_up

    def _trigger_accrual(
        self, accrual: DailyAccrual, authority: str, provenance: Provenance
    ) -> None:
        self.trigger_event(
            self.FeeAccrued,
            **provenance_fields(provenance, accrual.day, f"accrual/{self.key}/{accrual.day}"),
            basis_date=accrual.basis_date,
            basis_net_assets=accrual.basis_net_assets,
            absc_rate_annual=accrual.rates.absc_rate_annual,
            service_rate_annual=accrual.rates.service_rate_annual,
            day_count=DAY_COUNT_ACTUAL_ACTUAL,
            days_in_year=accrual.days_in_year,
            amount_exact=shown_exact(accrual.amount_exact),
            absc_amount_exact=shown_exact(accrual.absc_amount_exact),
            service_amount_exact=shown_exact(accrual.service_amount_exact),
            amount=accrual.amount,
            absc_amount=accrual.absc_amount,
            service_amount=accrual.service_amount,
            rounding_policy=ROUNDING_POLICY,
            authority=authority,
            absc_limited_by=accrual.absc_limited_by,
            cap_charge=deemed_charge(accrual.absc_amount, accrual.service_amount),
        )

    def _compute_true_up(self, month: str) -> MonthTrueUp:
        segments = [
            BasisSegment(
                PartRates(segment.absc_rate_annual, segment.service_rate_annual),
                segment.days_in_year,
                segment.net_assets_sum,
            )
            for segment in self.segments_by_month[month]
        ]
        return compute_month_true_up(
            month,
            self.days_by_month[month],
            segments,
            self.accrued_absc_by_month[month],
            self.accrued_service_by_month[month],
            absc_extra_exact=self.absc_extra_by_month.get(month, ZERO),
        )

    def _trigger_true_up(
        self, true_up: MonthTrueUp, month_end: date, provenance: Provenance, key_suffix: str = ""
    ) -> None:
        key = f"accrual-true-up/{self.key}/{true_up.month}{key_suffix}"
        self.trigger_event(
            self.AccrualTrueUpPosted,
            **provenance_fields(provenance, month_end, key),
            month=true_up.month,
            days_accrued=true_up.days_accrued,
            amount_exact=shown_exact(true_up.amount_exact),
            absc_amount_exact=shown_exact(true_up.absc_amount_exact),
            service_amount_exact=shown_exact(true_up.service_amount_exact),
            month_amount=true_up.month_amount,
            month_absc_amount=true_up.month_absc_amount,
            month_service_amount=true_up.month_service_amount,
            booked_amount=true_up.booked_amount,
            booked_absc_amount=true_up.booked_absc_amount,
            booked_service_amount=true_up.booked_service_amount,
            adjustment_amount=true_up.adjustment_amount,
            adjustment_absc=true_up.adjustment_absc,
            adjustment_service=true_up.adjustment_service,
            rounding_policy=ROUNDING_POLICY,
            cap_charge_adjustment=deemed_charge(
                true_up.adjustment_absc, true_up.adjustment_service
            ),
        )

    def _apply_accrual(self, event: AccrualsRole.FeeAccrued) -> None:
        month = month_label(event.business_date)
        if month not in self.months_awaiting_true_up:
            self.months_awaiting_true_up.append(month)
        self.days_by_month[month] = self.days_by_month.get(month, 0) + 1
        absc_rate = event.absc_rate_annual
        if event.absc_limited_by:
            # The day's asset-based part is not rate × basis: keep it exactly, outside segments.
            absc_rate = ZERO
            self.absc_extra_by_month[month] = exact_add(
                self.absc_extra_by_month.get(month, ZERO), event.absc_amount_exact
            )
        self.segments_by_month[month] = segments_with(
            self.segments_by_month.get(month, []),
            (absc_rate, event.service_rate_annual, event.days_in_year),
            event.basis_net_assets,
            add=True,
        )
        self._add_accrued(month, event.absc_amount, event.service_amount)
        self.last_accrued_day = event.business_date
        if self._cap_applies_to(event.business_date):
            self._charge_open_month(event.business_date, event.cap_charge)

    def _apply_true_up(self, event: AccrualsRole.AccrualTrueUpPosted) -> None:
        self._add_accrued(event.month, event.adjustment_absc, event.adjustment_service)
        if self._cap_applies_to(event.business_date):
            # The month's deemed charge is what it books, true-up included; a revision of a
            # closed month reaches the account by its recomputation (CapInterestAdjusted).
            self._charge_open_month(event.business_date, event.cap_charge_adjustment)
        if event.month in self.months_awaiting_true_up:  # a revision finds the month closed
            self.months_awaiting_true_up.remove(event.month)

    def _add_accrued(self, month: str, absc: Decimal, service: Decimal) -> None:
        self.accrued_absc_by_month[month] = exact_add(
            self.accrued_absc_by_month.get(month, ZERO), absc
        )
        self.accrued_service_by_month[month] = exact_add(
            self.accrued_service_by_month.get(month, ZERO), service
        )
