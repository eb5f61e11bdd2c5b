"""Late facts, without a database: recording a termination or an assignment after the days it
ends were accrued books what recording it before accruing them would have booked (decision A19).

Hypothesis draws a net-assets history accrued in runs and a day the fact takes effect. Class A
accrues, then learns the fact; class B learns it first, then accrues the same runs. Month by
month their booked cents are equal, so is the payable; every complete month equals the exact
total of its days in effect rounded once; and replaying A's stored events rebuilds A.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.fund_class import FundClass
from domain.fund_class.cap_recompute import CapInputs
from domain.periods import month_period
from tests.unit.test_fund_class_properties import (
    PROVENANCE,
    START,
    comparable,
    histories,
    independent_month_total,
    new_fund_class,
    replay,
)


@st.composite
def late_facts(draw):
    figures, run_ends = draw(histories())
    span = (run_ends[-1] - START).days
    effective_on = START + timedelta(days=draw(st.integers(min_value=0, max_value=span + 3)))
    kind = draw(st.sampled_from(["termination", "assignment"]))
    return figures, run_ends, effective_on, kind


def learn(fund_class: FundClass, kind: str, effective_on: date) -> None:
    if kind == "termination":
        fund_class.terminate_by_independent_board_members("R-LATE", effective_on, PROVENANCE)
    else:
        fund_class.record_assignment(
            occurred_on=effective_on,
            description="a change of control found by counsel",
            rule_2a6_exempt=False,
            determination_reference="COUNSEL-1",
            provenance=PROVENANCE,
        )


def accrue_runs(fund_class: FundClass, run_ends: list[date]) -> None:
    for through in run_ends:
        fund_class.accrue_through(through, PROVENANCE, max_carry_days=4)


def booked(fund_class: FundClass) -> dict[str, tuple[Decimal, Decimal]]:
    """Each month's booked cents, months that book nothing left out."""
    found = {}
    for month, absc in fund_class.accrued_absc_by_month.items():
        service = fund_class.accrued_service_by_month[month]
        if (absc, service) != (0, 0):
            found[month] = (absc, service)
    return found


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(late_facts())
def test_recording_late_books_what_recording_before_accruing_would_have(case):
    figures, run_ends, effective_on, kind = case
    month_end = month_period(run_ends[-1]).end_inclusive
    late = new_fund_class()
    for day, value in figures.items():
        late.record_net_assets(day, value, PROVENANCE)
    accrue_runs(late, run_ends)
    learn(late, kind, effective_on)
    accrue_runs(late, [month_end])
    events = late.collect_events()

    early = new_fund_class()
    for day, value in figures.items():
        early.record_net_assets(day, value, PROVENANCE)
    learn(early, kind, effective_on)
    accrue_runs(early, [*run_ends, month_end])

    assert booked(late) == booked(early)
    assert late.payable == early.payable
    reversed_days = [e.business_date for e in events if isinstance(e, FundClass.FeeAccrualReversed)]
    accrued_days = [e.business_date for e in events if isinstance(e, FundClass.FeeAccrued)]
    assert reversed_days == [day for day in accrued_days if day >= effective_on]

    in_effect = {day: value for day, value in figures.items() if day < effective_on}
    for month, (absc, service) in booked(late).items():
        first = date.fromisoformat(f"{month}-01")
        if month_period(first).end_exclusive <= effective_on:
            assert absc + service == independent_month_total(figures, first)
        elif in_effect:
            assert absc + service == independent_total_before(figures, first, effective_on)
    assert comparable(replay(events)) == comparable(late)


def independent_total_before(figures: dict[date, Decimal], first: date, end: date) -> Decimal:
    """The month's exact total over its days before `end`, rounded once (as the test module
    for complete months computes it, here for the days left in effect)."""
    from fractions import Fraction

    total = Fraction(0)
    for day in month_period(first).each_day():
        if day >= end:
            break
        basis = figures[max(known for known in figures if known <= day)]
        total += Fraction(basis) * Fraction(5, 1000) / (366 if day.year % 4 == 0 else 365)
    exact = Decimal(total.numerator) / Decimal(total.denominator)
    return exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@st.composite
def capped_late_facts(draw):
    figures, run_ends, effective_on, kind = draw(late_facts())
    span = (run_ends[-1] - START).days
    opening = Decimal(draw(st.integers(min_value=0, max_value=2_000_000))) / 100
    sales = {}
    for offset in sorted(draw(st.sets(st.integers(0, span), max_size=3))):
        sales[START + timedelta(days=offset)] = Decimal(draw(st.integers(0, 10**8))) / 100
    return figures, run_ends, effective_on, kind, opening, sales


def capped(figures, opening, sales) -> FundClass:
    fund_class = new_fund_class()
    fund_class.open_cap_account(START - timedelta(days=1), opening, "property test", PROVENANCE)
    for day, gross in sales.items():
        fund_class.record_gross_sales(day, gross, Decimal(0), Decimal(0), PROVENANCE)
    for day, value in figures.items():
        fund_class.record_net_assets(day, value, PROVENANCE)
    return fund_class


def accrue_capped(fund_class: FundClass, run_ends: list[date]) -> None:
    for through in run_ends:
        fund_class.accrue_through(
            through, PROVENANCE, max_carry_days=4, prime_rate_on=capped_prime_rate
        )


def capped_prime_rate(day: date) -> Decimal:
    return Decimal("0.04") if day < date(2003, 9, 1) else Decimal("0.0425")


def learn_capped(fund_class: FundClass, kind: str, effective_on: date) -> None:
    inputs = CapInputs(list, capped_prime_rate)  # the history: the events not yet collected
    if kind == "termination":
        fund_class.terminate_by_independent_board_members(
            "R-LATE", effective_on, PROVENANCE, cap_inputs=inputs
        )
    else:
        fund_class.record_assignment(
            occurred_on=effective_on,
            description="a change of control found by counsel",
            rule_2a6_exempt=False,
            determination_reference="COUNSEL-1",
            provenance=PROVENANCE,
            cap_inputs=inputs,
        )


def cap_interest(events) -> dict[str, tuple[Decimal, Decimal]]:
    found = {}
    for event in events:
        if isinstance(event, FundClass.CapInterestCredited | FundClass.CapInterestAdjusted):
            found[event.month] = (event.amount, event.remaining_after)
    return found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(capped_late_facts())
def test_under_the_cap_account_recording_late_books_what_recording_before_would(case):
    """The days the fact ends are taken off the account too: each later day may accrue more,
    each later month earns the interest of what now remains (decision A3)."""
    figures, run_ends, effective_on, kind, opening, sales = case
    month_end = month_period(run_ends[-1]).end_inclusive
    late = capped(figures, opening, sales)
    accrue_capped(late, run_ends)
    learn_capped(late, kind, effective_on)
    accrue_capped(late, [month_end])
    events = late.collect_events()

    early = capped(figures, opening, sales)
    learn_capped(early, kind, effective_on)
    accrue_capped(early, [*run_ends, month_end])
    early_events = early.collect_events()

    assert booked(late) == booked(early)
    assert late.payable == early.payable
    assert cap_interest(events) == cap_interest(early_events)
    assert (late.cap_month_start, late.cap_month_start_remaining, late.absc_suspended) == (
        early.cap_month_start,
        early.cap_month_start_remaining,
        early.absc_suspended,
    )
    assert comparable(replay(events)) == comparable(late)
