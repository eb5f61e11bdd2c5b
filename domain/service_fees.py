"""The per-provider service-fee cap of SEVENTH, computed exactly and rounded down.

"The maximum service fee paid to any service provider shall be … 0.25%, per annum of the
average daily net assets … attributable to the Shares owned by the customers of such service
provider, or such lower rate for the Fund as is specified on Schedule B." The rate applied on
each day is the lower of the provider's contractual rate and the Schedule B maximum service
fee in force that day; days without an agreement in effect earn nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.basis import DayBasis
from domain.money import ZERO, exact_add, exact_divide, exact_multiply, round_down_to_cent
from domain.periods import ONE_DAY, Period
from domain.rates import days_in_year


@dataclass(frozen=True)
class RateSegment:
    """Consecutive days that share one rate and one day count, with their positions summed."""

    start: date
    end_exclusive: date
    rate_annual: Decimal
    days_in_year: int
    net_assets_sum: Decimal

    def cap_exact(self) -> Decimal:
        return exact_divide(
            exact_multiply(self.net_assets_sum, self.rate_annual), self.days_in_year
        )


@dataclass(frozen=True)
class ServiceFeeCap:
    period: Period
    days_covered: int
    net_assets_average_daily: Decimal
    cap_amount_exact: Decimal
    cap_amount: Decimal
    segments: tuple[RateSegment, ...]


def _segments(bases: Sequence[DayBasis], rate_on: Callable[[date], Decimal]) -> list[RateSegment]:
    segments: list[RateSegment] = []
    for basis in bases:
        rate = rate_on(basis.day)
        year_days = days_in_year(basis.day)
        last = segments[-1] if segments else None
        if (
            last is not None
            and last.end_exclusive == basis.day
            and (last.rate_annual, last.days_in_year) == (rate, year_days)
        ):
            segments[-1] = RateSegment(
                last.start,
                basis.day + ONE_DAY,
                rate,
                year_days,
                exact_add(last.net_assets_sum, basis.net_assets),
            )
        else:
            segments.append(
                RateSegment(basis.day, basis.day + ONE_DAY, rate, year_days, basis.net_assets)
            )
    return segments


def compute_service_fee_cap(
    period: Period, bases: Sequence[DayBasis], rate_on: Callable[[date], Decimal]
) -> ServiceFeeCap:
    """The cap for one provider, class and period.

    Args:
        period: the period the payment covers.
        bases: the provider's position on each day of the period that an agreement covers.
        rate_on: min(contractual rate, Schedule B maximum service fee) on a covered day.
    """
    segments = _segments(bases, rate_on)
    cap_exact = ZERO
    net_assets_total = ZERO
    for segment in segments:
        cap_exact = exact_add(cap_exact, segment.cap_exact())
        net_assets_total = exact_add(net_assets_total, segment.net_assets_sum)
    average = exact_divide(net_assets_total, len(bases)) if bases else ZERO
    return ServiceFeeCap(
        period=period,
        days_covered=len(bases),
        net_assets_average_daily=average,
        cap_amount_exact=cap_exact,
        cap_amount=round_down_to_cent(cap_exact),
        segments=tuple(segments),
    )
