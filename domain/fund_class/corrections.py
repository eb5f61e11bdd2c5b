"""Corrections of a fund class: accruals adjusted after a restated net-assets figure
(docs/audit.md §2). Plain functions over the typed state, called by `FundClass`.

Nothing recorded is changed: each correction is a new event that names what it corrects and
why, dated on the business date it corrects.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.accrual import DailyAccrual
from domain.basis import BasisLookup
from domain.errors import RuleViolation
from domain.fund_class.records import Segment
from domain.money import exact_add, shown_exact
from domain.periods import ONE_DAY, Period
from domain.terms import PlanStanding


def days_resting_on(
    standing: PlanStanding,
    last_accrued_day: date | None,
    restated_day: date,
    figures: dict[str, Decimal],
) -> list[date]:
    """The accrued days in effect from `restated_day` up to the next recorded figure
    (exclusive)."""
    if last_accrued_day is None or restated_day > last_accrued_day:
        return []
    following = BasisLookup(figures).next_after(restated_day)
    last = last_accrued_day
    if following is not None:
        last = min(last, following - ONE_DAY)
    days = list(Period(restated_day, last + ONE_DAY).each_day())
    authorities = standing.authorities_by_day(days)
    return [day for day in days if authorities[day] is not None]


def check_not_under_cap(key: str, days: list[date], cap_opened_on: date | None) -> None:
    """Limited asset-based amounts are not a function of the basis alone: no restatement."""
    if cap_opened_on is not None and days[-1] > cap_opened_on:
        raise RuleViolation(
            "restatement-under-aggregate-cap",
            "SECOND; NASD 2830(d)",
            f"{key}: {days[0]}..{days[-1]} were accrued under the aggregate-cap "
            f"account; review the cap account before restating them",
        )


def adjustment_fields(
    old: DailyAccrual, new: DailyAccrual, restatement_key: str, reason: str
) -> dict[str, object]:
    """The fields of the `FeeAccrualAdjusted` that moves a day from `old` to `new`."""
    absc_delta = new.absc_amount - old.absc_amount
    service_delta = new.service_amount - old.service_amount
    return {
        "absc_limited_by_previous": old.absc_limited_by,
        "absc_limited_by": new.absc_limited_by,
        "absc_extra_exact_delta": shown_exact(limited_exact(new) - limited_exact(old)),
        "restatement_key": restatement_key,
        "reason": reason,
        "basis_date_previous": old.basis_date,
        "basis_net_assets_previous": old.basis_net_assets,
        "basis_date": new.basis_date,
        "basis_net_assets": new.basis_net_assets,
        "absc_rate_annual": new.rates.absc_rate_annual,
        "service_rate_annual": new.rates.service_rate_annual,
        "days_in_year": new.days_in_year,
        "absc_amount_exact_delta": shown_exact(new.absc_amount_exact - old.absc_amount_exact),
        "service_amount_exact_delta": shown_exact(
            new.service_amount_exact - old.service_amount_exact
        ),
        "absc_amount_delta": absc_delta,
        "service_amount_delta": service_delta,
        "amount_delta": absc_delta + service_delta,
    }


def limited_exact(accrual: DailyAccrual) -> Decimal:
    """The exact asset-based amount of a day a rule limited (kept outside the segments)."""
    return accrual.absc_amount_exact if accrual.absc_limited_by else Decimal(0)


def segments_with(
    segments: list[Segment], terms: tuple[Decimal, Decimal, int], basis: Decimal, *, add: bool
) -> list[Segment]:
    """`segments` with `basis` added to the segment of these (asset-based rate, service rate,
    days in year); a new segment if there is none and `add` (an accrual, not an adjustment)."""
    for index, segment in enumerate(segments):
        if segment.same_terms(*terms):
            summed = Segment(*terms, exact_add(segment.net_assets_sum, basis))
            return [*segments[:index], summed, *segments[index + 1 :]]
    return [*segments, Segment(*terms, basis)] if add else segments
