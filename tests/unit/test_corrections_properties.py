"""Restatements, without a database: correcting after the fact books what accruing on the
corrected figures in the first place would have booked.

Hypothesis draws a net-assets history (with carried, weekend-like days), accrues it in runs,
then restates random days: some recorded figures change, some carried days get a figure of
their own. For every history, month by month, the booked cents of the restated class equal
those of a class that accrued the corrected figures from the start; the complete months equal
their exact total rounded once; and replaying the stored events rebuilds the live state.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.fund_class import FundClass
from tests.unit.test_fund_class_properties import (
    PROVENANCE,
    START,
    comparable,
    histories,
    independent_month_total,
    replay,
    run,
)


@st.composite
def restatements(draw):
    figures, run_ends = draw(histories())
    last_day = run_ends[-1]
    span = (last_day - START).days
    chosen = draw(st.sets(st.integers(min_value=0, max_value=span), min_size=1, max_size=6))
    changes = {}
    for offset in sorted(chosen):
        day = START + timedelta(days=offset)
        cents = draw(st.integers(min_value=0, max_value=10**11))
        changes[day] = Decimal(cents) / 100
    return figures, run_ends, changes


def booked_by_month(fund_class: FundClass) -> dict[str, tuple[Decimal, Decimal]]:
    return {
        month: (
            fund_class.accrued_absc_by_month[month],
            fund_class.accrued_service_by_month[month],
        )
        for month in fund_class.accrued_absc_by_month
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(restatements())
def test_restating_books_what_the_corrected_figures_would_have(case):
    figures, run_ends, changes = case
    restated, events = run(figures, run_ends)
    for day, value in changes.items():
        restated.record_net_assets(day, value, PROVENANCE, restatement_reason="property test")
    events += restated.collect_events()

    corrected = {**figures, **changes}
    fresh, _ = run(corrected, run_ends)
    assert booked_by_month(restated) == booked_by_month(fresh)
    assert restated.payable == fresh.payable

    for month in restated.accrued_absc_by_month:
        month_first = date.fromisoformat(f"{month}-01")
        month_end = (month_first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if month_end <= run_ends[-1]:
            absc, service = booked_by_month(restated)[month]
            assert absc + service == independent_month_total(corrected, month_first)

    assert comparable(replay(events)) == comparable(restated)
    for event in events:
        if isinstance(event, FundClass.FeeAccrualAdjusted):
            assert event.absc_amount_delta + event.service_amount_delta == event.amount_delta
            assert event.basis_net_assets != event.basis_net_assets_previous
