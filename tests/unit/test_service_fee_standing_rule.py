"""The rule that gates a service fee on the plan's standing, on a standing built by hand."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from domain.periods import Period
from domain.service import check_plan_in_effect_for_fee
from domain.terms import AgreementChange, PlanStanding

APPROVED = PlanStanding(
    effective_date=date(2003, 7, 1),
    initial_term_end=date(2004, 5, 30),
    first_approval=(date(2003, 6, 17), "R-1"),
)
MAY_2004 = Period(date(2004, 5, 1), date(2004, 6, 1))


def test_a_fee_whose_days_are_all_in_effect_passes():
    days = list(Period(date(2004, 5, 1), date(2004, 5, 31)).each_day())
    check_plan_in_effect_for_fee("P on F/R", MAY_2004, days, APPROVED)


def test_the_first_day_out_of_effect_is_named_with_why():
    with pytest.raises(RuleViolation) as raised:
        check_plan_in_effect_for_fee("P on F/R", MAY_2004, list(MAY_2004.each_day()), APPROVED)
    assert raised.value.rule == "plan-not-in-effect"
    assert raised.value.clause == "SIXTH; ELEVENTH, THIRTEENTH"
    assert "would pay for 2004-05-31" in str(raised.value)


def test_days_the_provider_is_not_paid_for_are_not_asked():
    """Only the days the fee pays for (those the provider's agreement covers) are checked."""
    check_plan_in_effect_for_fee("P on F/R", MAY_2004, [date(2004, 5, 30)], APPROVED)


def test_an_ended_distributor_agreement_refuses_the_fee():
    ended = PlanStanding(
        effective_date=APPROVED.effective_date,
        initial_term_end=APPROVED.initial_term_end,
        first_approval=APPROVED.first_approval,
        agreement_changes=[AgreementChange(date(2004, 5, 15), False, "notice")],
    )
    with pytest.raises(RuleViolation) as raised:
        check_plan_in_effect_for_fee("P on F/R", MAY_2004, [date(2004, 5, 15)], ended)
    assert "THIRTEENTH (C)" in str(raised.value)
