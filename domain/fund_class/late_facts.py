"""Late facts of a fund class: a termination, an assignment, a notice or an adviser change
learnt after the days it changes were accrued (issue 11 §3; decision A19).

The fact is recorded, dated when it took effect; the consequences are new events in the same
command: each accrued day no longer in effect is reversed (`FeeAccrualReversed`), and the
true-up of each closed month it touched is revised, so the month books what accruing only the
days in effect would have booked. Plain functions over the typed state, called by `FundClass`.
"""

from __future__ import annotations

from datetime import date

from domain.accrual import DailyAccrual
from domain.errors import RuleViolation
from domain.money import shown_exact
from domain.periods import ONE_DAY, Period
from domain.terms import PlanStanding


def days_no_longer_in_effect(
    before: PlanStanding, after: PlanStanding, first_day: date, last_accrued_day: date | None
) -> list[date]:
    """The accrued days from `first_day` that the fact took out of effect: in effect before it
    (so accrued: a run accrues every day in effect, or refuses), not after it."""
    if last_accrued_day is None or first_day > last_accrued_day:
        return []
    days = list(Period(first_day, last_accrued_day + ONE_DAY).each_day())
    was, now = before.authorities_by_day(days), after.authorities_by_day(days)
    return [day for day in days if was[day] is not None and now[day] is None]


def check_not_under_cap(
    key: str, effective_on: date, last_accrued_day: date | None, cap_opened_on: date | None
) -> None:
    """Days charged to the FINRA aggregate-cap account are not reversed here: their limited
    asset-based amounts are not a function of the basis alone (decision A19)."""
    if (
        cap_opened_on is not None
        and last_accrued_day is not None
        and effective_on <= last_accrued_day
        and last_accrued_day > cap_opened_on
    ):
        raise RuleViolation(
            "late-fact-under-aggregate-cap",
            "SECOND; NASD 2830(d)",
            f"{key}: the fact takes effect on {effective_on}, and days through "
            f"{last_accrued_day} were accrued under the aggregate-cap account; reversing them "
            f"needs the account recomputed, which the ledger does not do yet",
        )


def accrual_reversal_fields(booked: DailyAccrual, cause: str, reason: str) -> dict[str, object]:
    """The fields of the `FeeAccrualReversed` that takes `booked` (the day as it stands booked,
    corrections included) off the books: every amount is the opposite of the booked one."""
    return {
        "cause": cause,
        "reason": reason,
        "basis_date": booked.basis_date,
        "basis_net_assets": booked.basis_net_assets,
        "absc_rate_annual": booked.rates.absc_rate_annual,
        "service_rate_annual": booked.rates.service_rate_annual,
        "days_in_year": booked.days_in_year,
        "absc_limited_by": booked.absc_limited_by,
        "absc_amount_exact_delta": shown_exact(-booked.absc_amount_exact),
        "service_amount_exact_delta": shown_exact(-booked.service_amount_exact),
        "absc_amount_delta": -booked.absc_amount,
        "service_amount_delta": -booked.service_amount,
        "amount_delta": -booked.amount,
    }
