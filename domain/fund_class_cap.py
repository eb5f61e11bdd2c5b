"""A fund class's FINRA aggregate-cap account: opening, sales, sales charges, interest.

A mixin of `FundClass` (domain/fund_class.py), where the events are declared. The account is
opt-in: it starts when its remaining amount at a date is recorded (the history before this
ledger is not in it). Movements must be recorded before the days they affect are accrued; the
accrual run then charges each day's asset-based accrual, limits it to what remains, and
credits each month's interest. See domain/finra.py and docs/governance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.errors import RuleViolation
from domain.events import Provenance, payload_digest, provenance_fields
from domain.finra import cap_added_for, cap_rate, daily_interest
from domain.money import ZERO, exact_add, round_half_up_to_cent, shown_exact
from domain.periods import ONE_DAY, Period, month_label

if TYPE_CHECKING:
    from domain.fund_class import FundClass

PrimeRates = Callable[[date], Decimal | None]
SALES_CHARGE_KINDS = ("front_end", "deferred")


class FundClassCapAccount:
    """The aggregate-cap account; mixed into `FundClass`."""

    @property
    def cap_account_open(self: FundClass) -> bool:
        return self.cap_opened_on is not None

    def open_cap_account(
        self: FundClass, as_of: date, remaining: Decimal, note: str, provenance: Provenance
    ) -> str:
        """Start tracking the remaining amount, as known at the end of `as_of`."""
        if self.cap_opened_on is not None:
            if (self.cap_opened_on, self.cap_month_start_remaining) == (as_of, remaining):
                return "unchanged"
            raise RuleViolation(
                "cap-account-open",
                "SECOND; NASD 2830(d)",
                f"{self.key}: the aggregate-cap account was opened on {self.cap_opened_on}",
            )
        self._check_cap_date(as_of, "the opening balance")
        key = f"cap-account/{self.key}"
        self.trigger_event(
            self.FinraCapAccountOpened,
            **provenance_fields(provenance, as_of, key),
            opening_remaining=remaining,
            note=note,
        )
        return "recorded"

    def _check_cap_date(self: FundClass, day: date, what: str) -> None:
        if self.last_accrued_day is not None and day <= self.last_accrued_day:
            raise RuleViolation(
                "cap-movement-after-accrual",
                "SECOND; NASD 2830(d)",
                f"{self.key}: {what} is dated {day}, but accruals were already made through "
                f"{self.last_accrued_day}; record it before accruing the days it affects",
            )

    def _check_open(self: FundClass, day: date) -> None:
        if self.cap_opened_on is None or day <= self.cap_opened_on:
            raise RuleViolation(
                "cap-account-not-open",
                "SECOND; NASD 2830(d)",
                f"{self.key}: record the aggregate-cap account's remaining amount at a date "
                f"before {day} first (finra open-account)",
            )

    def record_gross_sales(
        self: FundClass,
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
            return "unchanged"
        self._check_open(day)
        self._check_cap_date(day, "the sales")
        new_gross = gross_sales - reinvested - exchanges
        if new_gross < ZERO or key in self.cap_digests:
            raise RuleViolation(
                "gross-sales",
                "NASD 2830(d): total new gross sales",
                f"{self.key} {day}: "
                + (
                    "sales for that day are already recorded with other figures"
                    if key in self.cap_digests
                    else f"reinvested distributions and exchanges exceed gross sales {gross_sales}"
                ),
            )
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
        return "recorded"

    def record_sales_charge(
        self: FundClass,
        day: date,
        kind: str,
        amount: Decimal,
        reference: str,
        provenance: Provenance,
    ) -> str:
        key = f"sales-charge/{self.key}/{reference}"
        digest = payload_digest(day, kind, amount)
        if self.cap_digests.get(key) == digest:
            return "unchanged"
        if key in self.cap_digests:
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.key}: sales charge {reference!r} was recorded with other details",
            )
        self._check_open(day)
        self._check_cap_date(day, "the sales charge")
        self.trigger_event(
            self.SalesChargeReceived,
            **provenance_fields(provenance, day, key),
            kind=kind,
            amount=amount,
            reference=reference,
        )
        return "recorded"

    # ---- used by the accrual run ------------------------------------------------------------

    def cap_available_on(self: FundClass, day: date) -> Decimal:
        """What remains for `day`'s asset-based accrual: the month's opening balance, the
        movements dated up to and including `day` (sales of the day count for the day), less
        the month's asset-based accruals before `day`."""
        remaining = self.cap_month_start_remaining
        for line in self.cap_lines:
            if self.cap_month_start <= line["date"] <= day:
                remaining = exact_add(remaining, line["amount"])
        for iso_day, charged in self.cap_absc_this_month.items():
            if date.fromisoformat(iso_day) < day:
                remaining -= charged
        return remaining

    def missing_prime_rates(
        self: FundClass, days: list[date], prime_rate_on: PrimeRates
    ) -> list[date]:
        if self.cap_opened_on is None:
            return []
        return [day for day in days if day > self.cap_opened_on and prime_rate_on(day) is None]

    def credit_cap_interest(
        self: FundClass, month_end: date, prime_rate_on: PrimeRates, provenance: Provenance
    ) -> Decimal:
        """Post the month's interest (called at each month end, after the month's true-up).

        Interest runs on the remaining amount at the start of the month (the end of the month
        before), for each day of the month at that day's prime rate + 1%, actual/actual; it is
        credited at the month end, rounded half-up to the cent (brief §9(e); decision Q13).
        """
        opening = self.cap_month_start_remaining
        interest = ZERO
        for day in Period(self.cap_month_start, month_end + ONE_DAY).each_day():
            rate = prime_rate_on(day)
            assert rate is not None, "prime rates are checked before the run"
            interest = exact_add(interest, daily_interest(opening, rate, day))
        credited = round_half_up_to_cent(interest)
        remaining_after = exact_add(self.cap_available_on(month_end + ONE_DAY), credited)
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
