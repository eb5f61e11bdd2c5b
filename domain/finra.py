"""The FINRA aggregate cap ("remaining amount") of NASD Conduct Rule 2830(d) / FINRA Rule 2341.

Per fund class: new gross sales add 6.25% of their amount (7.25% if the class pays no service
fee); sales charges received (front-end, deferred, and each day's deemed asset-based charge,
SIXTH: the plan accrual not passed on to providers as service fees) subtract; interest at
prime + 1% a year accrues daily on the remaining amount of the day before, and is credited at
each month end. An asset-based accrual may not take the remaining amount below zero. The
mechanics are a documented choice (brief §4.3, §10 Q13): see docs/governance.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.money import ZERO, exact_add, exact_divide, exact_multiply, round_half_up_to_cent
from domain.rates import days_in_year

CAP_RATE_WITH_SERVICE_FEE = Decimal("0.0625")
CAP_RATE_WITHOUT_SERVICE_FEE = Decimal("0.0725")
PRIME_SPREAD_ANNUAL = Decimal("0.01")


def cap_rate(service_rate_annual: Decimal) -> Decimal:
    """6.25% of new gross sales where a service fee is paid, 7.25% where none is."""
    return CAP_RATE_WITH_SERVICE_FEE if service_rate_annual > ZERO else CAP_RATE_WITHOUT_SERVICE_FEE


def cap_added_for(new_gross_sales: Decimal, service_rate_annual: Decimal) -> Decimal:
    return round_half_up_to_cent(exact_multiply(new_gross_sales, cap_rate(service_rate_annual)))


def daily_interest(remaining_before: Decimal, prime_rate_annual: Decimal, day: date) -> Decimal:
    """Exact interest for `day` on a remaining amount (none on a negative or zero one)."""
    if remaining_before <= ZERO:
        return ZERO
    rate = exact_add(prime_rate_annual, PRIME_SPREAD_ANNUAL)
    return exact_divide(exact_multiply(remaining_before, rate), days_in_year(day))


@dataclass(frozen=True)
class AbscLimit:
    """How much of a day's asset-based part the remaining amount allows."""

    allowed_cents: Decimal | None  # None: no limit (the whole part may accrue)
    reason: str


def limit_absc(absc_cents: Decimal, remaining_before: Decimal) -> AbscLimit:
    if remaining_before <= ZERO:
        return AbscLimit(ZERO, "finra-aggregate-cap: no remaining amount")
    if absc_cents > remaining_before:
        return AbscLimit(remaining_before, "finra-aggregate-cap: the remaining amount accrued")
    return AbscLimit(None, "")
