"""Relief from the in-person vote as dated facts with their sources (issue 11, decision A18).
Runs on SQLite and PostgreSQL.

The class is continued in person every year from 2004 to 2018; the 2019 continuance is voted
by telephone relying on the 2019 staff letter (a renewal: in its scope), the 2020 one by video
relying on the 2020 exemptive order (in force through 2020-08-15). Remote votes on a matter
outside a relief's scope, outside its period, or relying on no recorded relief do not count.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import EndRelief, RecordMeeting, RecordRelief
from adapters.inputs.errors import InputError
from domain.errors import RuleViolation
from domain.governance import AttendanceMode, ReliefScope, ReliefTerms
from tests.builders import meeting_record, resolution
from tests.conftest import count_events

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
ON_THE_PHONE = {"D-ADAMS": AttendanceMode.TELEPHONE, "D-BAKER": AttendanceMode.VIDEO}

STAFF_2019 = ReliefTerms(
    relief_id="IDC-2019",
    name="SEC staff no-action letter to the Independent Directors Council",
    source="Independent Directors Council, SEC Division of Investment Management staff letter "
    "of February 28, 2019",
    scopes=(ReliefScope.RENEWAL, ReliefScope.PRIOR_DISCUSSION),
    effective_from=date(2019, 2, 28),
    effective_until=None,
    until_withdrawn_source="a staff no-action position; the letter sets no end date",
    conditions="directors unable to meet in person for unforeseen or emergency reasons and no "
    "material change, or the matter fully considered at an earlier in-person meeting; "
    "ratified at the next in-person meeting",
)
ORDER_2020 = ReliefTerms(
    relief_id="IC-33824",
    name="Order granting exemptions from the in-person voting requirements (COVID-19)",
    source="Investment Company Act Release No. 33824 (March 25, 2020)",
    scopes=(ReliefScope.ANY_APPROVAL,),
    effective_from=date(2020, 3, 13),
    effective_until=date(2020, 8, 15),
    until_withdrawn_source="",
    conditions="all directors can hear each other simultaneously; ratified at the next "
    "in-person meeting by the board and a majority of the independent directors",
)


def meet(ledger, meeting_id, day, *resolutions, **options):
    return ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY, meeting_record(meeting_id, day, list(resolutions), **options), source="test"
        )
    )


def continue_through(year: int, **terms):
    return resolution(f"C-{year}", "continuance", [INTL], covers_through=date(year, 5, 30), **terms)


@pytest.fixture
def continued_to_2019(loaded_ledger):
    for year in range(2004, 2019):
        (outcome,) = meet(loaded_ledger, f"M-{year}", date(year, 5, 20), continue_through(year + 1))
        assert outcome.tally.passed
    for relief in (STAFF_2019, ORDER_2020):
        assert loaded_ledger.boards.record_relief(RecordRelief(COMPANY, relief)) == "recorded"
    return loaded_ledger


def test_a_renewal_by_telephone_counts_under_the_2019_letter_and_awaits_ratification(
    continued_to_2019,
):
    ledger = continued_to_2019
    (outcome,) = meet(
        ledger,
        "M-2019",
        date(2019, 5, 20),
        continue_through(2020),
        modes=ON_THE_PHONE,
        relief="IDC-2019",
    )
    assert outcome.tally.passed and outcome.tally.ratification_required
    assert (outcome.tally.board_for, outcome.tally.ibm_for) == (4, 3)
    assert "IDC-2019" in outcome.tally.in_person_rule
    assert ledger.view.board(COMPANY).unratified_resolutions() == ["C-2020"]
    (ratified,) = meet(
        ledger,
        "M-2019-09",
        date(2019, 9, 12),
        resolution("RAT-1", "ratification", [INTL], ratifies="C-2020"),
    )
    assert ratified.tally.passed
    assert ledger.view.board(COMPANY).unratified_resolutions() == []
    continuance = ledger.view.fund_class("INTL-BCV", "R").continuances[-1]
    assert continuance.period_end_inclusive == date(2020, 5, 30)


def rate_cut(resolution_id, **terms):
    """A Schedule B decrease (0.25% to 0.20% asset-based): a material change, not a renewal."""
    return resolution(
        resolution_id,
        "amendment",
        [INTL],
        amendment_id=resolution_id,
        absc_rate_annual=Decimal("0.0020"),
        service_rate_annual_max=Decimal("0.0025"),
        total_rate_annual_max=Decimal("0.0045"),
        **terms,
    )


def test_an_amendment_by_telephone_is_outside_the_2019_letter_unless_discussed_before(
    continued_to_2019,
):
    ledger = continued_to_2019
    (refused,) = meet(
        ledger,
        "M-2019-06",
        date(2019, 6, 10),
        rate_cut("A-1"),
        modes=ON_THE_PHONE,
        relief="IDC-2019",
    )
    assert not refused.tally.passed
    assert refused.tally.reasons[-1] == (
        "2 telephone or video votes for it were not counted as cast in person: relief IDC-2019 "
        "does not cover a amendment (it covers: renewal, prior-discussion)"
    )
    assert "A-1" not in ledger.view.fund_class("INTL-BCV", "R").amendments
    (passed,) = meet(
        ledger,
        "M-2019-07",
        date(2019, 7, 10),
        rate_cut("A-2", discussed_in_person_at="M-2018"),
        modes=ON_THE_PHONE,
        relief="IDC-2019",
    )
    assert passed.tally.passed and passed.tally.ratification_required
    assert ledger.view.fund_class("INTL-BCV", "R").schedule_b_on(
        date(2019, 7, 10)
    ).absc_rate_annual == Decimal("0.0020")


def test_the_2020_order_counts_video_votes_only_through_the_day_it_names(continued_to_2019):
    ledger = continued_to_2019
    meet(ledger, "M-2019", date(2019, 5, 20), continue_through(2020))
    (in_force,) = meet(
        ledger,
        "M-2020",
        date(2020, 5, 20),
        continue_through(2021),
        modes=ON_THE_PHONE,
        relief="IC-33824",
    )
    assert in_force.tally.passed and in_force.tally.ratification_required
    (late,) = meet(
        ledger,
        "M-2020-08",
        date(2020, 8, 17),
        rate_cut("A-3"),
        modes=ON_THE_PHONE,
        relief="IC-33824",
    )
    assert not late.tally.passed
    assert late.tally.reasons[-1].endswith(
        "relief IC-33824 is in force from 2020-03-13 through 2020-08-15"
    )
    (no_relief,) = meet(ledger, "M-2020-09", date(2020, 9, 1), rate_cut("A-4"), modes=ON_THE_PHONE)
    assert no_relief.tally.reasons[-1].endswith(
        "the meeting relies on no relief from the in-person requirement"
    )
    assert ledger.view.board(COMPANY).unratified_resolutions() == ["C-2021"]


def test_a_meeting_relying_on_a_relief_not_recorded_is_bad_input(loaded_ledger, store):
    before = count_events(store)
    with pytest.raises(InputError) as bad:
        meet(
            loaded_ledger,
            "M-X",
            date(2020, 5, 20),
            continue_through(2005),
            modes=ON_THE_PHONE,
            relief="exemptive-2020",
        )
    (problem,) = bad.value.problems
    assert "no relief 'exemptive-2020' is recorded for INTL-FUNDS" in str(problem)
    with pytest.raises(InputError) as earlier:
        meet(loaded_ledger, "M-Y", date(2003, 9, 1), rate_cut("A-5", discussed_in_person_at="M-Z"))
    assert "M-Z is not a meeting of INTL-FUNDS recorded before 2003-09-01" in str(
        earlier.value.problems[0]
    )
    assert count_events(store) == before


def test_an_open_ended_relief_is_refused_and_until_withdrawn_ends_on_a_recorded_day(
    loaded_ledger, store
):
    before = count_events(store)
    open_ended = replace(STAFF_2019, until_withdrawn_source="")
    with pytest.raises(RuleViolation) as refused:
        loaded_ledger.boards.record_relief(RecordRelief(COMPANY, open_ended))
    assert refused.value.rule == "relief-open-ended"
    assert count_events(store) == before
    boards = loaded_ledger.boards
    assert boards.record_relief(RecordRelief(COMPANY, STAFF_2019)) == "recorded"
    assert boards.record_relief(RecordRelief(COMPANY, STAFF_2019)) == "unchanged"
    with pytest.raises(RuleViolation) as reused:
        boards.record_relief(RecordRelief(COMPANY, replace(STAFF_2019, name="another")))
    assert reused.value.rule == "reference-reused"
    # A hypothetical withdrawal, to show the end is a dated fact with its source.
    end = EndRelief(COMPANY, "IDC-2019", date(2019, 12, 31), "a staff statement (test)")
    assert boards.end_relief(end) == "recorded"
    assert boards.end_relief(end) == "unchanged"
    with pytest.raises(RuleViolation) as ended_twice:
        boards.end_relief(replace(end, last_day=date(2020, 1, 31)))
    assert ended_twice.value.rule == "relief-end"
    with pytest.raises(RuleViolation) as own_end:
        loaded_ledger.boards.record_relief(RecordRelief(COMPANY, ORDER_2020))
        boards.end_relief(EndRelief(COMPANY, "IC-33824", date(2020, 6, 30), "x"))
    assert own_end.value.rule == "relief-end"
    relief = loaded_ledger.view.board(COMPANY).relief("IDC-2019")
    assert relief.in_force_on(date(2019, 12, 31)) and not relief.in_force_on(date(2020, 1, 1))


def test_a_vote_under_relief_not_ratified_at_the_next_in_person_meeting_is_overdue(
    continued_to_2019,
):
    ledger = continued_to_2019
    meet(
        ledger,
        "M-2019",
        date(2019, 5, 20),
        continue_through(2020),
        modes=ON_THE_PHONE,
        relief="IDC-2019",
    )
    (due,) = ledger.view.board(COMPANY).ratifications_due()
    assert (due.resolution_id, due.voted_on, due.relief, due.missed_on) == (
        "C-2020",
        date(2019, 5, 20),
        "IDC-2019",
        None,
    )
    # A later meeting relying on a relief is not an in-person meeting; one relying on none is.
    meet(
        ledger,
        "M-2019-07",
        date(2019, 7, 10),
        rate_cut("A-7", discussed_in_person_at="M-2018"),
        modes=ON_THE_PHONE,
        relief="IDC-2019",
    )
    assert ledger.view.board(COMPANY).ratifications_due()[0].missed_on is None
    meet(ledger, "M-2019-09", date(2019, 9, 12), rate_cut("A-8"))
    due = {row.resolution_id: row for row in ledger.view.board(COMPANY).ratifications_due()}
    assert due["C-2020"].missed_on == date(2019, 9, 12)
    assert due["A-7"].missed_on == date(2019, 9, 12)
    meet(
        ledger,
        "M-2019-10",
        date(2019, 10, 1),
        resolution("RAT-1", "ratification", [INTL], ratifies="C-2020"),
    )
    assert [row.resolution_id for row in ledger.view.board(COMPANY).ratifications_due()] == ["A-7"]
