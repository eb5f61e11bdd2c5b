"""One continuance covers the next plan year only (ELEVENTH, issue 11): a meeting that would
continue the plan through 2005-05-30 and 2006-05-30 at once is refused whole, writing nothing.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.application.commands import RecordMeeting
from domain.errors import RuleViolation
from tests.builders import meeting_record, resolution
from tests.conftest import count_events

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"


def meet(ledger, day, *resolutions):
    return ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY, meeting_record(f"{COMPANY}-{day}", day, list(resolutions)), source="test"
        )
    )


def continuance(resolution_id, through):
    return resolution(resolution_id, "continuance", [INTL], covers_through=through)


def test_one_meeting_cannot_continue_two_plan_years(loaded_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(
            loaded_ledger,
            date(2004, 6, 15),
            continuance("R-1", date(2005, 5, 30)),
            continuance("R-2", date(2006, 5, 30)),
        )
    assert refused.value.rule == "continuance-one-plan-year"
    assert "ELEVENTH" in refused.value.clause
    assert count_events(store) == before
    assert loaded_ledger.view.fund_class("INTL-BCV", "R").continuances == []


def test_a_continuance_skipping_the_next_plan_year_is_refused(loaded_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(loaded_ledger, date(2004, 6, 15), continuance("R-2", date(2006, 5, 30)))
    assert refused.value.rule == "continuance-one-plan-year"
    assert count_events(store) == before


def test_each_year_continued_at_its_own_meeting_is_accepted(loaded_ledger):
    meet(loaded_ledger, date(2004, 5, 20), continuance("R-1", date(2005, 5, 30)))
    meet(loaded_ledger, date(2005, 5, 19), continuance("R-2", date(2006, 5, 30)))
    fund_class = loaded_ledger.view.fund_class("INTL-BCV", "R")
    assert [row.period_end_inclusive for row in fund_class.continuances] == [
        date(2005, 5, 30),
        date(2006, 5, 30),
    ]
