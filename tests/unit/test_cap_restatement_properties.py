"""A restatement reaching days under the FINRA aggregate-cap account, without a database
(decision A3): the account is recomputed from the first day affected, so the class after the
correction equals a class that accrued the corrected figures from scratch.

Hypothesis draws a net-assets history, an opening remaining amount small enough for the cap to
bite, new gross sales that raise it again (so days are limited, then not), accrual runs, and
restated days. After the correction: each month's booked cents, the payable, every month's
interest and the remaining amount it leaves, the account's open month, whether the asset-based
charge is suspended — all equal those of the class accrued on the corrected figures. Replaying
the stored events rebuilds the live state.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.fund_class import FundClass
from domain.fund_class.cap_recompute import CapInputs
from tests.unit.test_fund_class_properties import (
    PROVENANCE,
    START,
    comparable,
    histories,
    new_fund_class,
    replay,
)


def prime_rate(day: date) -> Decimal:
    return Decimal("0.04") if day < date(2003, 9, 1) else Decimal("0.0425")


@st.composite
def capped_histories(draw):
    figures, run_ends = draw(histories())
    last_day = run_ends[-1]
    span = (last_day - START).days
    opening = Decimal(draw(st.integers(min_value=0, max_value=2_000_000))) / 100
    # Opened before the first day, or within the first month (whose true-up it is charged).
    opened_on = START + timedelta(days=draw(st.integers(min_value=-1, max_value=20)))
    sales = {}
    for offset in sorted(draw(st.sets(st.integers(0, span), max_size=4))):
        day = START + timedelta(days=offset)
        if day > opened_on:
            sales[day] = Decimal(draw(st.integers(0, 10**8))) / 100
    changes = {}
    for offset in sorted(draw(st.sets(st.integers(0, span), min_size=1, max_size=4))):
        changes[START + timedelta(days=offset)] = Decimal(draw(st.integers(0, 10**11))) / 100
    return figures, run_ends, (opened_on, opening), sales, changes


def capped_class(figures, run_ends, opening, sales) -> FundClass:
    fund_class = new_fund_class()
    fund_class.open_cap_account(opening[0], opening[1], "property test", PROVENANCE)
    for day, gross in sales.items():
        fund_class.record_gross_sales(day, gross, Decimal(0), Decimal(0), PROVENANCE)
    for day, value in figures.items():
        fund_class.record_net_assets(day, value, PROVENANCE)
    for through in run_ends:
        fund_class.accrue_through(through, PROVENANCE, max_carry_days=4, prime_rate_on=prime_rate)
    return fund_class


def interest_by_month(events) -> dict[str, tuple[Decimal, Decimal]]:
    """Each month's interest and the remaining amount it leaves, the latest word on each."""
    found = {}
    for event in events:
        if isinstance(event, FundClass.CapInterestCredited | FundClass.CapInterestAdjusted):
            found[event.month] = (event.amount, event.remaining_after)
    return found


def booked(fund_class: FundClass) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        month: (absc, fund_class.accrued_service_by_month[month])
        for month, absc in fund_class.accrued_absc_by_month.items()
    }


def account(fund_class: FundClass) -> tuple:
    return (
        fund_class.cap_month_start,
        fund_class.cap_month_start_remaining,
        {day: cents for day, cents in fund_class.cap_absc_this_month.items() if cents},
        fund_class.absc_suspended,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capped_histories())
def test_a_restatement_under_the_cap_account_books_what_accruing_it_fresh_would(case):
    figures, run_ends, opening, sales, changes = case
    restated = capped_class(figures, run_ends, opening, sales)
    for day, value in changes.items():
        restated.record_net_assets(
            day,
            value,
            PROVENANCE,
            restatement_reason="property test",
            cap_inputs=CapInputs(list, prime_rate),
        )
    events = restated.collect_events()
    fresh = capped_class({**figures, **changes}, run_ends, opening, sales)
    fresh_events = fresh.collect_events()

    assert booked(restated) == booked(fresh)
    assert restated.payable == fresh.payable
    assert interest_by_month(events) == interest_by_month(fresh_events)
    assert account(restated) == account(fresh)
    assert comparable(replay(events)) == comparable(restated)
