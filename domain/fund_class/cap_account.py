"""A fund class's FINRA aggregate-cap account: what remains, and what may move it.

The account is opt-in: it starts when its remaining amount at a date is recorded (the history
before this ledger is not in it). Movements must be recorded before the days they affect are
accrued; the accrual run then charges each day's deemed asset-based charge (`deemed_charge`:
the whole plan accrual, SIXTH), limits the asset-based part to what remains, and credits each
month's interest. Service fees paid or advanced to providers for days under the account are
credited back when they are recorded (`service_fee_credits`). A correction reaching days
charged to the account recomputes it from the first day affected (cap_recompute.py; decision
A3). `FundClass` builds a `CapAccount` over its state to ask it. See domain/finra.py and
docs/governance.md (decisions A3, A11, A13, A14).
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
from domain.money import ZERO, allocate_largest_remainder, exact_add, exact_sum
from domain.periods import ONE_DAY, Period, month_label, next_month_start

PrimeRates = Callable[[date], Decimal | None]
SALES_CHARGE_KINDS = ("front_end", "deferred")
CLAUSE = "SECOND; NASD 2830(d)"
SIXTH_CLAUSE = "SIXTH; NASD 2830(d) / FINRA 2341"
SERVICE_FEE_CREDIT = "service_fee_credit"
SERVICE_FEE_CREDIT_REVERSED = "service_fee_credit_reversed"


def no_prime_rate(day: date) -> Decimal | None:
    return None


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


def deemed_charge(absc_amount: Decimal, service_amount: Decimal) -> Decimal:
    """What a day's accrual (or a month's true-up) charges to the account: the deemed
    asset-based charge. SIXTH: "That portion of the amounts paid under the Plan and Agreement
    that is not paid or advanced by Distributor to dealers or other institutions that provide
    personal continuing shareholder service as a service fee ... shall be deemed an asset-based
    sales charge." Until a service fee is paid or advanced for its days, no part of the plan's
    accrual has been, so both parts are charged; the fees are credited back when recorded
    (`service_fee_credits`). The one per-day rule (decision A13): the accrual run writes it on
    each event, and every view of the remaining amount reads it from there."""
    return exact_add(absc_amount, service_amount)


def account_charge(opened_on: date | None, day: date, charge: Decimal) -> Decimal:
    """What the account is charged with for an accrual or true-up dated `day` whose deemed
    charge is `charge`: all of it on a day under the account, nothing before (A11)."""
    return charge if charged_to_account(opened_on, day) else ZERO


def withheld_for_the_cap(remaining: Decimal) -> Decimal:
    """What of the Distributor's payable may not be paid (decision A14): the remaining amount
    is below zero only by service parts accrued and not yet passed on to providers; kept by
    the Distributor they would be an asset-based charge beyond the cap."""
    return max(ZERO, -remaining)


def check_passed_on(key: str, amount: Decimal, payable: Decimal, withheld: Decimal) -> None:
    """Refuse a Distributor payment that would pay service parts not passed on to providers
    while the remaining amount is exhausted (decision A14)."""
    if withheld > ZERO and amount > payable - withheld:
        raise RuleViolation(
            "cap-exhausted-service-not-passed-on",
            SIXTH_CLAUSE,
            f"{key}: payment {amount} exceeds the {max(payable - withheld, ZERO)} that may be "
            f"paid: the aggregate cap's remaining amount is exhausted, and {withheld} of the "
            f"payable {payable} is service fee accrued but not passed on to providers; kept by "
            f"the Distributor it would be an asset-based sales charge beyond the cap. Record "
            f"the service fees paid or advanced to providers (or new gross sales) first",
        )


def credit_day(paid_on: date, first_unaccrued_day: date, month_start: date) -> date:
    """The day a service-fee credit (or its reversal) takes effect in the account: the day it
    was paid, but never on a day already accrued, whose figure the accruals used (A13)."""
    return max(paid_on, first_unaccrued_day, month_start)


def service_fee_credits(
    fee_amount: Decimal,
    period: Period,
    opened_on: date,
    room_by_month: dict[str, Decimal],
) -> tuple[dict[str, Decimal], dict[str, Decimal], Decimal]:
    """A service fee's credit to the account, per month; its share under the account that a
    month has no room for yet, per month (kept pending: `pending_credits` credits it once the
    month's accruals give it room); and the fee's share under the account.

    The fee is spread over its period's days (largest remainder, ties to the earlier part), as
    the SIXTH split spreads it; the share of the days under the account is credited per month,
    up to the month's `room` (what its accruals charged, less what was credited for it):
    service fees above the plan's payments are the Distributor's own money (I-SIXTH-2).
    """
    parts: list[tuple[str, bool, int]] = []
    start = period.start
    while start < period.end_exclusive:
        end = min(next_month_start(start), period.end_exclusive)
        before = min(max((opened_on + ONE_DAY - start).days, 0), (end - start).days)
        for under, days in ((False, before), (True, (end - start).days - before)):
            if days:
                parts.append((month_label(start), under, days))
        start = end
    shares = allocate_largest_remainder(fee_amount, [Decimal(days) for _, _, days in parts])
    credited: dict[str, Decimal] = {}
    pending: dict[str, Decimal] = {}
    under_account: list[Decimal] = []
    for (month, under, _), share in zip(parts, shares, strict=True):
        if under:
            under_account.append(share)
            room = max(room_by_month.get(month, ZERO), ZERO)
            credited[month] = min(share, room)
            if share > credited[month]:
                pending[month] = share - credited[month]
    return credited, pending, exact_sum(under_account)


def pending_credits(
    pending_by_fee: dict[str, dict[str, Decimal]], month: str, room: Decimal
) -> list[tuple[str, Decimal, Decimal]]:
    """What of the service fees' shares pending for `month` its room now allows crediting
    (decision A13): per fee (in the order recorded), the amount credited and what stays
    pending. A fee advanced for days not yet accrued has no room when recorded; the month's
    accruals give it room, and the accrual run credits it at the month's close."""
    given: list[tuple[str, Decimal, Decimal]] = []
    room = max(room, ZERO)
    for fee, by_month in pending_by_fee.items():
        pending = by_month.get(month, ZERO)
        amount = min(pending, room)
        if amount > ZERO:
            given.append((fee, amount, pending - amount))
            room -= amount
    return given


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
        movements dated up to and including `day` (sales of the day count for the day, and
        service-fee credits), less the month's deemed charges before `day`."""
        remaining = self.month_start_remaining
        for line in self.lines:
            if self.month_start <= line.day <= day:
                remaining = exact_add(remaining, line.amount)
        for iso_day, charged in self.absc_this_month.items():
            if date.fromisoformat(iso_day) < day:
                remaining -= charged
        return remaining

    def remaining_recorded(self) -> Decimal:
        """What remains with every movement recorded, whatever its day: the figure that a
        payment made now must respect (decision A14)."""
        remaining = self.month_start_remaining
        for line in self.lines:
            if self.month_start <= line.day:
                remaining = exact_add(remaining, line.amount)
        return remaining - exact_sum(list(self.absc_this_month.values()))

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
