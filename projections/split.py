"""The SIXTH split: what part of the plan's payments paid service fees, and what is deemed an
asset-based sales charge.

SIXTH: "That portion of the amounts paid under the Plan and Agreement that is not paid or
advanced by Distributor to dealers or other institutions that provide personal continuing
shareholder service as a service fee pursuant to paragraph SEVENTH below shall be deemed an
asset-based sales charge." Per fund class and period:

    plan payments to the Distributor  =  service fees paid from them  +  deemed ABSC

Service fees beyond the plan payments of a period come from the Distributor's own resources
(THIRD) and are shown apart. A payment or fee covering several months is spread over them in
proportion to their days (largest remainder, ties to the earlier month), so months add up to
quarters and plan years exactly. Rates are annualised on the calendar-day average net assets
at actual/actual: amount ÷ Σ(net assets ÷ days in year). Pure: rows in, figures out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.money import (
    CENT,
    ZERO,
    allocate_largest_remainder,
    exact_add,
    exact_divide,
)
from domain.periods import Period, month_label, month_period, next_month_start, quarter_period
from domain.rates import FINRA_ABSC_RATE_ANNUAL_MAX, FINRA_SERVICE_RATE_ANNUAL_MAX

RATE_QUANTUM = Decimal("1E-6")


@dataclass(frozen=True)
class Covering:
    """An amount in cents for a span of days: a payment, a fee, or an accrual basis."""

    fund_class: str
    start: date
    end_exclusive: date
    amount_cents: int
    provider: str = ""


@dataclass(frozen=True)
class MonthBasis:
    """One fund class's accrued days in a month: Σ basis (in cents) ÷ days in year, Σ basis in
    cents, and the number of days."""

    fund_class: str
    month: str
    basis_per_day_count: Decimal
    basis_cents_sum: int
    days: int


def spread_over_months(item: Covering) -> dict[str, int]:
    """The item's cents per month it covers, in proportion to days, summing to the item."""
    months: list[tuple[str, int]] = []
    start = item.start
    while start < item.end_exclusive:
        end = min(next_month_start(start), item.end_exclusive)
        months.append((month_label(start), (end - start).days))
        start = end
    if len(months) == 1:
        return {months[0][0]: item.amount_cents}
    sign = 1 if item.amount_cents >= 0 else -1
    shares = allocate_largest_remainder(
        Decimal(abs(item.amount_cents)) * CENT, [Decimal(days) for _, days in months]
    )
    return {
        label: sign * int(share / CENT) for (label, _), share in zip(months, shares, strict=True)
    }


@dataclass
class SplitFigures:
    """One fund class over one period; amounts in cents."""

    fund_class: str
    period: str
    plan_payments: int = 0
    service_fees: int = 0
    service_fees_by_provider: dict[str, int] = field(default_factory=dict)
    basis_per_day_count: Decimal = ZERO
    basis_cents_sum: int = 0
    days: int = 0

    @property
    def service_from_plan(self) -> int:
        return min(self.service_fees, max(self.plan_payments, 0))

    @property
    def deemed_absc(self) -> int:
        return self.plan_payments - self.service_from_plan

    @property
    def service_from_own_resources(self) -> int:
        return self.service_fees - self.service_from_plan

    def annualised(self, cents: int) -> Decimal | None:
        """The amount as an annual rate (a fraction) of the period's average daily net assets."""
        if self.basis_per_day_count == ZERO:
            return None
        rate = exact_divide(Decimal(cents), self.basis_per_day_count)
        return rate.quantize(RATE_QUANTUM / 100)

    @property
    def average_daily_net_assets(self) -> Decimal | None:
        if self.days == 0:
            return None
        return (Decimal(self.basis_cents_sum) / 100 / self.days).quantize(CENT)

    def exceeds(self) -> list[str]:
        """The FINRA caps the period's deemed ABSC or service fees exceed, annualised."""
        problems = []
        absc = self.annualised(self.deemed_absc)
        service = self.annualised(self.service_from_plan)
        if absc is not None and absc > FINRA_ABSC_RATE_ANNUAL_MAX:
            problems.append("deemed asset-based sales charge above 0.75% a year")
        if service is not None and service > FINRA_SERVICE_RATE_ANNUAL_MAX:
            problems.append("service fees above 0.25% a year")
        return problems


def split_by_month(
    payments: Iterable[Covering], fees: Iterable[Covering], bases: Iterable[MonthBasis]
) -> dict[tuple[str, str], SplitFigures]:
    """Figures per (fund class, month)."""
    figures: dict[tuple[str, str], SplitFigures] = {}

    def at(fund_class: str, month: str) -> SplitFigures:
        return figures.setdefault((fund_class, month), SplitFigures(fund_class, month))

    for payment in payments:
        for month, share in spread_over_months(payment).items():
            at(payment.fund_class, month).plan_payments += share
    for fee in fees:
        for month, share in spread_over_months(fee).items():
            cell = at(fee.fund_class, month)
            cell.service_fees += share
            cell.service_fees_by_provider[fee.provider] = (
                cell.service_fees_by_provider.get(fee.provider, 0) + share
            )
    for basis in bases:
        cell = at(basis.fund_class, basis.month)
        cell.basis_per_day_count = exact_add(cell.basis_per_day_count, basis.basis_per_day_count)
        cell.basis_cents_sum += basis.basis_cents_sum
        cell.days += basis.days
    return figures


def combine(fund_class: str, label: str, months: Iterable[SplitFigures]) -> SplitFigures:
    """Several months as one period: every figure is a sum, so parts still add up."""
    total = SplitFigures(fund_class, label)
    for month in months:
        total.plan_payments += month.plan_payments
        total.service_fees += month.service_fees
        for provider, cents in month.service_fees_by_provider.items():
            total.service_fees_by_provider[provider] = (
                total.service_fees_by_provider.get(provider, 0) + cents
            )
        total.basis_per_day_count = exact_add(total.basis_per_day_count, month.basis_per_day_count)
        total.basis_cents_sum += month.basis_cents_sum
        total.days += month.days
    return total


def sub_periods(
    period: Period, by: str, plan_year_end: tuple[int, int]
) -> list[tuple[str, Period]]:
    """`period` cut into months, quarters or plan years (each clipped to whole months)."""
    pieces: list[tuple[str, Period]] = []
    start = period.start.replace(day=1)
    while start < period.end_exclusive:
        if by == "month":
            piece = month_period(start)
            label = month_label(start)
        elif by == "quarter":
            quarter = (start.month - 1) // 3 + 1
            piece = quarter_period(start.year, quarter)
            label = f"{start.year}Q{quarter}"
        else:
            label, piece = _plan_year_from(start, plan_year_end)
        pieces.append((label, piece))
        start = piece.end_exclusive
    return pieces


def _plan_year_from(start: date, plan_year_end: tuple[int, int]) -> tuple[str, Period]:
    """The plan year holding `start`, by whole months: a plan year ending on May 30 is taken as
    June to May (its last day, May 31, falls in May)."""
    month, day = plan_year_end
    end = date(start.year, month, day)
    if end < start:
        end = date(start.year + 1, month, day)
    year_start = date(end.year - 1, month, day)
    piece = Period(max(year_start, start.replace(day=1)), next_month_start(end))
    return f"plan year to {end}", piece
