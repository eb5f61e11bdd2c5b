"""The rules of a lapse and of an agreement approved in advance (issue 11; decisions Q6b, Q11a).

ELEVENTH: the plan continues "from year to year ..., provided that such continuance is
specifically approved at least annually"; a continuance passed after the lapse continues
nothing. THIRTEENTH (C): a new agreement approved in advance takes effect from the end it
replaces, never before its own approval.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.fund_class.governance import (
    ApprovalClaim,
    advance_start,
    continuance_after_lapse,
    next_plan_year_end,
    offered_to_public_since,
    plan_year_end_on_or_after,
)
from domain.fund_class.records import AdvanceAgreementApproval
from domain.governance import annual_period_ending
from domain.terms import CoverageInterval, PlanStanding

INITIAL_TERM_END = date(2004, 5, 30)
YEAR_2005 = annual_period_ending(date(2005, 5, 30))  # 2004-05-31 .. 2005-05-30
YEAR_2006 = annual_period_ending(date(2006, 5, 30))


def standing(*continued: tuple[date, date]) -> PlanStanding:
    return PlanStanding(
        effective_date=date(2003, 7, 1),
        initial_term_end=INITIAL_TERM_END,
        first_approval=(date(2003, 6, 17), "R-1"),
        continuances=[CoverageInterval(start, end, "continuance", "R") for start, end in continued],
    )


def passed(on: date, retroactive: bool = False) -> ApprovalClaim:
    return ApprovalClaim("R-C", "M-1", "continuance", on, on, retroactive)


def test_the_lapse_starts_the_day_after_the_last_day_covered():
    assert standing().lapsed_since(date(2004, 5, 30)) is None
    assert standing().lapsed_since(date(2004, 5, 31)) == date(2004, 5, 31)
    assert standing().lapsed_since(date(2004, 9, 1)) == date(2004, 5, 31)
    continued = standing((date(2004, 5, 31), date(2005, 5, 30)))
    assert continued.lapsed_since(date(2004, 9, 1)) is None
    assert continued.lapsed_since(date(2005, 6, 2)) == date(2005, 5, 31)


@pytest.mark.parametrize(
    ("approved_on", "retroactive", "claims_from"),
    [
        (date(2004, 6, 15), False, date(2004, 6, 15)),  # late: it would have covered from then
        (date(2004, 6, 15), True, date(2004, 5, 31)),  # retroactive: the whole plan year
        (date(2004, 5, 31), True, None),  # on the year's first day: in time, no lapse
        (date(2004, 5, 20), False, None),  # before the year: in time
    ],
)
def test_a_continuance_after_the_lapse_claims_days_and_covers_none(
    approved_on, retroactive, claims_from
):
    found = continuance_after_lapse(standing(), YEAR_2005, passed(approved_on, retroactive))
    if claims_from is None:
        assert found is None
        return
    assert found is not None
    claim, reason = found
    assert (claim.claims_from, claim.claims_through) == (claims_from, date(2005, 5, 30))
    assert claim.retroactive is retroactive
    assert "lapsed on 2004-05-31" in reason and "Rule 12b-1(b)(1)" in reason


def test_a_continuance_in_time_for_a_year_after_a_lapsed_one_continues_nothing():
    # Passed on 2005-05-20 for 2005-05-31 .. 2006-05-30, with 2004-05-31 .. 2005-05-30 lapsed.
    found = continuance_after_lapse(standing(), YEAR_2006, passed(date(2005, 5, 20)))
    assert found is not None
    assert found[0].claims_from == date(2005, 5, 31)


@given(st.integers(min_value=1, max_value=364))
def test_any_continuance_passed_after_its_year_began_is_an_exception(days_late):
    approved_on = YEAR_2005.start + timedelta(days=days_late)
    found = continuance_after_lapse(standing(), YEAR_2005, passed(approved_on))
    assert found is not None
    assert found[0].claims_from == approved_on


@given(st.integers(min_value=0, max_value=365))
def test_no_continuance_passed_in_time_after_a_covered_year_is_an_exception(days_early):
    approved_on = YEAR_2006.start - timedelta(days=days_early)
    continued = standing((date(2004, 5, 31), date(2005, 5, 30)))
    assert continuance_after_lapse(continued, YEAR_2006, passed(approved_on)) is None


def test_a_year_a_new_plan_put_back_in_effect_counts_as_continued():
    approved_on = date(2005, 5, 20)
    assert next_plan_year_end(INITIAL_TERM_END, [], approved_on) == date(2005, 5, 30)
    resumed = frozenset({date(2005, 5, 30)})
    assert next_plan_year_end(INITIAL_TERM_END, [], approved_on, resumed) == date(2006, 5, 30)


def test_a_new_plan_runs_to_the_end_of_its_plan_year():
    assert plan_year_end_on_or_after(INITIAL_TERM_END, date(2004, 7, 6)) == date(2005, 5, 30)
    assert plan_year_end_on_or_after(INITIAL_TERM_END, date(2005, 5, 30)) == date(2005, 5, 30)
    assert plan_year_end_on_or_after(INITIAL_TERM_END, date(2005, 5, 31)) == date(2006, 5, 30)


def test_a_class_is_offered_to_the_public_from_its_first_net_assets():
    recorded = {"2003-06-30": Decimal(0), "2003-07-01": Decimal("5.00")}
    assert offered_to_public_since(recorded, date(2004, 6, 15)) == date(2003, 7, 1)
    assert offered_to_public_since(recorded, date(2003, 6, 30)) is None
    assert offered_to_public_since({}, date(2004, 6, 15)) is None


def advance(effective_on=None, on_assignment=None) -> AdvanceAgreementApproval:
    return AdvanceAgreementApproval(
        "R-N", "new_agreement", "X", date(2003, 8, 1), effective_on, on_assignment
    )


@pytest.mark.parametrize(
    ("pending", "ended_on", "reference", "start"),
    [
        (advance(on_assignment="C-1"), date(2003, 8, 16), "C-1", date(2003, 8, 16)),  # no gap
        (advance(on_assignment="C-1"), date(2003, 8, 16), "C-2", None),  # another assignment
        (advance(on_assignment="C-1"), date(2003, 8, 16), None, None),  # a notice
        (advance(on_assignment="C-1"), date(2003, 7, 20), "C-1", date(2003, 8, 1)),  # learnt late
        (advance(effective_on=date(2003, 9, 1)), date(2003, 10, 1), None, date(2003, 10, 1)),
        (advance(effective_on=date(2003, 9, 8)), date(2003, 9, 1), None, date(2003, 9, 8)),
        (advance(effective_on=date(2003, 9, 8)), date(2003, 9, 1), "C-9", date(2003, 9, 8)),
    ],
)
def test_an_advance_approval_takes_effect_from_the_end_it_replaces(
    pending, ended_on, reference, start
):
    assert advance_start(pending, ended_on, reference) == start
