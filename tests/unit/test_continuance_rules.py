"""ELEVENTH: "from year to year ... specifically approved at least annually". One continuance
covers the next plan year only (issue 11): a meeting cannot continue the plan through
2005-05-30 and 2006-05-30 at once."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from domain.fund_class.governance import continuance_period, next_plan_year_end
from domain.fund_class.records import Continuance

KEY = "INTL-BCV/R"
INITIAL_TERM_END = date(2004, 5, 30)


def continued(approved_on: date, through: date) -> Continuance:
    return Continuance("R-0", approved_on, through, through.replace(year=through.year - 1))


@pytest.mark.parametrize(
    ("approved_on", "before", "next_end"),
    [
        (date(2004, 5, 20), [], date(2005, 5, 30)),  # the first plan year after the initial term
        (date(2003, 7, 1), [], date(2005, 5, 30)),
        (date(2004, 6, 15), [], date(2005, 5, 30)),  # late: the year it falls in, not yet continued
        (date(2005, 5, 20), [continued(date(2004, 5, 20), date(2005, 5, 30))], date(2006, 5, 30)),
        (date(2004, 6, 15), [continued(date(2004, 5, 20), date(2005, 5, 30))], date(2006, 5, 30)),
        (date(2007, 1, 10), [continued(date(2004, 5, 20), date(2005, 5, 30))], date(2007, 5, 30)),
        # A continuance approved the same day (the same meeting) does not move the next year on.
        (date(2004, 6, 15), [continued(date(2004, 6, 15), date(2005, 5, 30))], date(2005, 5, 30)),
    ],
)
def test_the_next_plan_year_is_the_first_ending_on_or_after_the_approval_not_yet_continued(
    approved_on, before, next_end
):
    assert next_plan_year_end(INITIAL_TERM_END, before, approved_on) == next_end


def test_a_continuance_reaching_past_the_next_plan_year_is_refused():
    with pytest.raises(RuleViolation) as refused:
        continuance_period(KEY, INITIAL_TERM_END, [], date(2006, 5, 30), date(2004, 6, 15))
    assert refused.value.rule == "continuance-one-plan-year"
    assert refused.value.clause == "ELEVENTH (from year to year, approved at least annually)"
    assert "covers the next plan year only (2004-05-31..2005-05-30)" in refused.value.detail
    assert "not through 2006-05-30" in refused.value.detail


def test_a_second_plan_year_at_the_same_meeting_is_refused():
    same_meeting = [continued(date(2004, 6, 15), date(2005, 5, 30))]
    with pytest.raises(RuleViolation) as refused:
        continuance_period(
            KEY, INITIAL_TERM_END, same_meeting, date(2006, 5, 30), date(2004, 6, 15)
        )
    assert refused.value.rule == "continuance-one-plan-year"


@pytest.mark.parametrize(
    ("approved_on", "before", "through"),
    [
        (date(2004, 5, 20), [], date(2005, 5, 30)),
        (date(2004, 6, 15), [], date(2005, 5, 30)),
        (date(2005, 5, 20), [continued(date(2004, 5, 20), date(2005, 5, 30))], date(2006, 5, 30)),
        (date(2005, 5, 30), [continued(date(2004, 5, 20), date(2005, 5, 30))], date(2006, 5, 30)),
    ],
)
def test_the_next_plan_year_alone_is_continued(approved_on, before, through):
    period = continuance_period(KEY, INITIAL_TERM_END, before, through, approved_on)
    assert period.end_inclusive == through
