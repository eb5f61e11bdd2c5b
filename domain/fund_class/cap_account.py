"""A fund class's FINRA aggregate-cap account: what remains, and what may move it.

The account is opt-in: it starts when its remaining amount at a date is recorded (the history
before this ledger is not in it). Movements must be recorded before the days they affect are
accrued; the accrual run then charges each day's asset-based accrual, limits it to what
remains, and credits each month's interest. A correction reaching days charged to the account
recomputes it from the first day affected (cap_recompute.py; decision A3). `FundClass` builds
a `CapAccount` over its state to ask it. See domain/finra.py and docs/governance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.accrual import DailyAccrual, compute_daily_accrual
from domain.errors import RuleViolation
from domain.finra import daily_interest, limit_absc
from domain.fund_class.records import CapLine
from domain.money import ZERO, exact_add
from domain.periods import ONE_DAY, Period

PrimeRates = Callable[[date], Decimal | None]
SALES_CHARGE_KINDS = ("front_end", "deferred")
CLAUSE = "SECOND; NASD 2830(d)"


def no_prime_rate(day: date) -> Decimal | None:
    return None


def charge_for(absc_amount: Decimal) -> Decimal:
    """What an asset-based amount booked for a day (or a month's true-up of it) charges to the
    account: the one rule the accrual run, its replay and the recomputation after a correction
    (cap_recompute.py) apply."""
    return absc_amount


def limited_accrual(accrual: DailyAccrual, available: Decimal) -> tuple[DailyAccrual, bool]:
    """The day's accrual with its asset-based part limited to what remains for it, and
    whether the limit bit (the accrual run and the recomputation both call this)."""
    limit = limit_absc(accrual.absc_amount, available)
    if limit.allowed_cents is None:
        return accrual, False
    limited = compute_daily_accrual(
        accrual.day,
        accrual.basis_date,
        accrual.basis_net_assets,
        accrual.rates,
        absc_limit=limit.allowed_cents,
        limited_by=limit.reason,
    )
    return limited, True


def charged_to_account(opened_on: date | None, day: date) -> bool:
    """Whether `day`'s asset-based charge is charged to the account. The opening balance is the
    remaining amount at the end of its day, so only later days are charged: the one rule the
    accrual run and every view of the remaining amount (compliance, the bundle) apply."""
    return opened_on is not None and day > opened_on


@dataclass(frozen=True)
class CapAccount:
    """A view of the account as the fund class holds it."""

    key: str
    opened_on: date | None
    month_start: date
    month_start_remaining: Decimal
    lines: list[CapLine]
    absc_this_month: dict[str, Decimal]
    last_accrued_day: date | None

    def available_on(self, day: date) -> Decimal:
        """What remains for `day`'s asset-based accrual: the month's opening balance, the
        movements dated up to and including `day` (sales of the day count for the day), less
        the month's asset-based accruals before `day`."""
        remaining = self.month_start_remaining
        for line in self.lines:
            if self.month_start <= line.day <= day:
                remaining = exact_add(remaining, line.amount)
        for iso_day, charged in self.absc_this_month.items():
            if date.fromisoformat(iso_day) < day:
                remaining -= charged
        return remaining

    def remaining_at_end_of(self, day: date) -> Decimal:
        """What remains at the end of `day` (a day of the account's current month): what was
        available for it, less what it charged."""
        return self.available_on(day) - self.absc_this_month.get(day.isoformat(), ZERO)

    def applies_to(self, day: date) -> bool:
        """Whether `day`'s accrual is charged to the account (it opens at the end of a day)."""
        return charged_to_account(self.opened_on, day)

    def check_date(self, day: date, what: str) -> None:
        if self.last_accrued_day is not None and day <= self.last_accrued_day:
            raise RuleViolation(
                "cap-movement-after-accrual",
                CLAUSE,
                f"{self.key}: {what} is dated {day}, but accruals were already made through "
                f"{self.last_accrued_day}; record it before accruing the days it affects",
            )

    def check_open(self, day: date) -> None:
        if not self.applies_to(day):
            raise RuleViolation(
                "cap-account-not-open",
                CLAUSE,
                f"{self.key}: record the aggregate-cap account's remaining amount at a date "
                f"before {day} first (finra open-account)",
            )

    def missing_prime_rates(self, days: list[date], prime_rate_on: PrimeRates) -> list[date]:
        return [day for day in days if self.applies_to(day) and prime_rate_on(day) is None]

    def interest_exact(self, month_end: date, prime_rate_on: PrimeRates) -> Decimal:
        """The month's interest, exact: on the remaining amount at the start of the month, for
        each day at that day's prime rate + 1%, actual/actual (brief §9(e); decision Q13)."""
        interest = ZERO
        for day in Period(self.month_start, month_end + ONE_DAY).each_day():
            rate = prime_rate_on(day)
            assert rate is not None, "prime rates are checked before the run"
            interest = exact_add(interest, daily_interest(self.month_start_remaining, rate, day))
        return interest


def check_gross_sales(
    key: str, day: date, gross_sales: Decimal, new_gross: Decimal, recorded_before: bool
) -> None:
    if new_gross < ZERO or recorded_before:
        raise RuleViolation(
            "gross-sales",
            "NASD 2830(d): total new gross sales",
            f"{key} {day}: "
            + (
                "sales for that day are already recorded with other figures"
                if recorded_before
                else f"reinvested distributions and exchanges exceed gross sales {gross_sales}"
            ),
        )
