"""Daily accrual of the plan fee and the month-end true-up (SECOND, Schedule B).

Each calendar day the class incurs `basis × rate / days_in_year` for each part of Schedule B:
the asset-based sales charge and the service fee. The day's total is rounded half-up to the
cent and split between the parts by largest remainder. When a month is complete, a true-up
makes the month's cents equal its exact total rounded once (domain brief §6.5, oracle 9(a)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import (
    CENT,
    ZERO,
    allocate_largest_remainder,
    exact_add,
    exact_divide,
    exact_multiply,
    floor_to_cent,
    quota,
    round_half_up_to_cent,
)
from domain.rates import days_in_year

ROUNDING_POLICY = "daily-half-up/largest-remainder-absc-first/month-true-up"


@dataclass(frozen=True)
class PartRates:
    """The annual rates accrued for each part on a day."""

    absc_rate_annual: Decimal
    service_rate_annual: Decimal


@dataclass(frozen=True)
class DailyAccrual:
    day: date
    basis_date: date
    basis_net_assets: Decimal
    rates: PartRates
    days_in_year: int
    absc_amount_exact: Decimal
    service_amount_exact: Decimal
    amount: Decimal
    absc_amount: Decimal
    service_amount: Decimal
    absc_limited_by: str = ""

    @property
    def amount_exact(self) -> Decimal:
        return exact_add(self.absc_amount_exact, self.service_amount_exact)


def split_cents(total_cents: Decimal, exact_parts: Sequence[Decimal]) -> list[Decimal]:
    """Largest-remainder split that also accepts all-zero parts (a class with no assets)."""
    if len(exact_parts) == 2:  # every accrual's: without a generator, called per day
        first, second = exact_parts
        if first == ZERO and second == ZERO:
            return [ZERO, ZERO]
        return split_cents_in_two(total_cents, first, second)
    if all(part == ZERO for part in exact_parts):
        return [ZERO for _ in exact_parts]
    return allocate_largest_remainder(total_cents, exact_parts)


def split_cents_in_two(total_cents: Decimal, first: Decimal, second: Decimal) -> list[Decimal]:
    """The largest-remainder split for two parts, without the general method's sorting.

    Both quotas are computed the same way and compared the same way as in
    `allocate_largest_remainder`, so ties (equal rates) resolve identically: to the first part.
    A property test checks the two against each other.
    """
    if first == second:
        # Equal weights (Schedule B's 0.25% + 0.25%): equal quotas, so the odd cent, if any,
        # goes to the first part; that is half the total rounded half-up.
        first_cents = round_half_up_to_cent(total_cents / 2)
        return [first_cents, total_cents - first_cents]
    weight = exact_add(first, second)
    first_quota = quota(total_cents, first, weight)
    second_quota = quota(total_cents, second, weight)
    first_cents = floor_to_cent(first_quota)
    second_cents = floor_to_cent(second_quota)
    cents_left = total_cents - first_cents - second_cents
    if cents_left == CENT:
        if first_quota - first_cents >= second_quota - second_cents:
            return [first_cents + CENT, second_cents]
        return [first_cents, second_cents + CENT]
    assert cents_left in (ZERO, CENT + CENT)
    return [first_cents + cents_left / 2, second_cents + cents_left / 2]


def compute_daily_accrual(
    day: date,
    basis_date: date,
    basis_net_assets: Decimal,
    rates: PartRates,
    *,
    absc_limit: Decimal | None = None,
    limited_by: str = "",
) -> DailyAccrual:
    """One calendar day's accrual.

    Args:
        absc_limit: if a rule (the FINRA aggregate cap) allows less than the asset-based part,
            the cents it allows; that day the part is exactly this amount.
    """
    year_days = days_in_year(day)
    absc_exact = exact_divide(exact_multiply(basis_net_assets, rates.absc_rate_annual), year_days)
    service_exact = exact_divide(
        exact_multiply(basis_net_assets, rates.service_rate_annual), year_days
    )
    if absc_limit is not None:
        absc_exact = absc_limit
        amount = round_half_up_to_cent(exact_add(absc_exact, service_exact))
        absc_amount, service_amount = split_cents(amount, [absc_exact, service_exact])
    else:
        amount = round_half_up_to_cent(exact_add(absc_exact, service_exact))
        # The exact parts stand in the ratio of the rates, so the rates split the cents exactly.
        absc_amount, service_amount = split_cents(
            amount, [rates.absc_rate_annual, rates.service_rate_annual]
        )
    return DailyAccrual(
        day=day,
        basis_date=basis_date,
        basis_net_assets=basis_net_assets,
        rates=rates,
        days_in_year=year_days,
        absc_amount_exact=absc_exact,
        service_amount_exact=service_exact,
        amount=amount,
        absc_amount=absc_amount,
        service_amount=service_amount,
        absc_limited_by=limited_by,
    )


@dataclass(frozen=True)
class BasisSegment:
    """The month's basis summed over days that share rates and a day count.

    Summing the basis and dividing once keeps the month's total exact: Σ basis × r / Y equals
    (Σ basis) × r / Y when r and Y do not change.
    """

    rates: PartRates
    days_in_year: int
    net_assets_sum: Decimal


@dataclass(frozen=True)
class MonthTrueUp:
    """The month's exact total rounded once, against the cents already booked for the month
    (its daily accruals, and any earlier true-up if days were added to a closed month)."""

    month: str
    days_accrued: int
    absc_amount_exact: Decimal
    service_amount_exact: Decimal
    month_amount: Decimal
    month_absc_amount: Decimal
    month_service_amount: Decimal
    booked_absc_amount: Decimal
    booked_service_amount: Decimal

    @property
    def amount_exact(self) -> Decimal:
        return exact_add(self.absc_amount_exact, self.service_amount_exact)

    @property
    def booked_amount(self) -> Decimal:
        return self.booked_absc_amount + self.booked_service_amount

    @property
    def adjustment_absc(self) -> Decimal:
        return self.month_absc_amount - self.booked_absc_amount

    @property
    def adjustment_service(self) -> Decimal:
        return self.month_service_amount - self.booked_service_amount

    @property
    def adjustment_amount(self) -> Decimal:
        return self.month_amount - self.booked_amount


def compute_month_true_up(
    month: str,
    days_accrued: int,
    segments: Sequence[BasisSegment],
    booked_absc_amount: Decimal,
    booked_service_amount: Decimal,
    *,
    absc_extra_exact: Decimal = ZERO,
) -> MonthTrueUp:
    """Args:
    absc_extra_exact: asset-based amounts accrued on days a rule limited the part (they are
        in no segment: the segment of such a day carries an asset-based rate of zero).
    """
    absc_exact = absc_extra_exact
    service_exact = ZERO
    for segment in segments:
        absc_exact = exact_add(
            absc_exact,
            exact_divide(
                exact_multiply(segment.net_assets_sum, segment.rates.absc_rate_annual),
                segment.days_in_year,
            ),
        )
        service_exact = exact_add(
            service_exact,
            exact_divide(
                exact_multiply(segment.net_assets_sum, segment.rates.service_rate_annual),
                segment.days_in_year,
            ),
        )
    month_amount = round_half_up_to_cent(exact_add(absc_exact, service_exact))
    month_absc, month_service = split_cents(month_amount, [absc_exact, service_exact])
    return MonthTrueUp(
        month=month,
        days_accrued=days_accrued,
        absc_amount_exact=absc_exact,
        service_amount_exact=service_exact,
        month_amount=month_amount,
        month_absc_amount=month_absc,
        month_service_amount=month_service,
        booked_absc_amount=booked_absc_amount,
        booked_service_amount=booked_service_amount,
    )
