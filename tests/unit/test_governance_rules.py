"""The rules that make a vote count, at their edges: §2(a)(42) cases C1-C7 of the brief,
board and IBM majorities with all-seated denominators, in-person votes by era, notices.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from domain.governance import (
    AttendanceMode,
    DirectorStatus,
    MeetingFacts,
    NoticeMethod,
    ReliefScope,
    ReliefTerms,
    ResolutionKind,
    Vote,
    annual_period_ending,
    earliest_distributor_termination,
    majority_of_outstanding_voting_securities,
    notice_effective_on,
    tally_resolution,
)

OUTSTANDING = D("10000000.000")


@pytest.mark.parametrize(
    ("case", "present", "votes_for", "passed", "clause"),
    [
        ("C1", "6000000", "4100000", True, "A"),
        ("C2", "6000000", "4019999.999", False, ""),
        ("C3", "4500000", "4500000", False, ""),
        ("C4", "9000000", "5500000", True, "B"),
        ("C5", "5000000", "5000000", False, ""),
        ("C6", "5000000.001", "3350000.000", False, ""),
        ("C7", "5000000.001", "3350000.001", True, "A"),
    ],
)
def test_majority_of_outstanding_voting_securities_cases_of_the_brief(
    case, present, votes_for, passed, clause
):
    result = majority_of_outstanding_voting_securities(OUTSTANDING, D(present), D(votes_for))
    assert (result.passed, result.clause) == (passed, clause), case


def test_exactly_67_percent_of_those_present_passes():
    assert majority_of_outstanding_voting_securities(OUTSTANDING, D("6000000"), D("4020000")).passed


def director(code, independent=True, in_office=True, financial_interest=False):
    return DirectorStatus(code, code, in_office, not independent, financial_interest)


BOARD = [
    director("I1"),
    director("I2"),
    director("I3"),
    director("N1", independent=False),
    director("N2", independent=False),
    director("FI", financial_interest=True),  # not interested, but not independent either
    director("OLD", in_office=False),
]


def meeting(day=date(2004, 5, 20), called=True, modes=None, relief=None):
    attendance = {d.code: AttendanceMode.PHYSICAL for d in BOARD if d.in_office}
    attendance.update(modes or {})
    return MeetingFacts(day, called, attendance, relief)


def votes_for(*codes):
    return {code: Vote.FOR for code in codes}


def test_majorities_of_all_seated_directors_and_of_all_seated_ibms():
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, meeting(), votes_for("I1", "I2", "N1", "N2")
    )
    assert (tally.board_seated, tally.board_for, tally.ibm_seated, tally.ibm_for) == (6, 4, 3, 2)
    assert tally.passed


def test_half_of_the_board_is_not_a_majority():
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, meeting(), votes_for("I1", "I2", "N1")
    )
    assert not tally.passed
    assert "3 of 6 directors in office voted for it in person" in tally.reasons[0]


def test_board_majority_without_an_ibm_majority_fails():
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, meeting(), votes_for("I1", "N1", "N2", "FI")
    )
    assert tally.reasons == (
        "1 of 3 Independent Board Members voted for it in person: not a majority of the "
        "Independent Board Members",
    )


def test_a_meeting_not_called_for_the_purpose_cannot_approve():
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, meeting(called=False), votes_for("I1", "I2", "I3", "N1")
    )
    assert tally.reasons == ("the meeting was not called for the purpose of voting on the plan",)


def test_telephone_votes_do_not_count_in_2004():
    on_phone = meeting(modes={"I1": AttendanceMode.TELEPHONE, "I2": AttendanceMode.VIDEO})
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, on_phone, votes_for("I1", "I2", "I3", "N1")
    )
    assert tally.ibm_for == 1 and not tally.passed


def test_remote_votes_count_under_the_2020_relief_and_need_ratification():
    # Issue 11: the relief is a recorded fact with its source and its period, no longer a
    # table row open from 2020-03-13 (see tests/unit/test_in_person_relief.py).
    orders = ReliefTerms(
        "IC-33824",
        "Exemptive order (COVID-19)",
        "Investment Company Act Release No. 33824 (March 25, 2020)",
        (ReliefScope.ANY_APPROVAL,),
        date(2020, 3, 13),
        date(2020, 8, 15),
        "",
        "all directors can hear each other; ratified at the next in-person meeting",
    )
    modes = {"I1": AttendanceMode.VIDEO, "I2": AttendanceMode.TELEPHONE}
    votes = votes_for("I1", "I2", "I3", "N1")
    remote = meeting(day=date(2020, 6, 1), modes=modes, relief=orders)
    tally = tally_resolution(ResolutionKind.CONTINUANCE, BOARD, remote, votes)
    assert tally.passed and tally.ratification_required
    for day, counts in [(date(2020, 3, 13), True), (date(2020, 3, 12), False)]:
        on_day = meeting(day=day, modes=modes, relief=orders)
        assert tally_resolution(ResolutionKind.CONTINUANCE, BOARD, on_day, votes).passed is counts
    without = meeting(day=date(2021, 1, 4), modes=modes, relief=None)
    assert not tally_resolution(ResolutionKind.CONTINUANCE, BOARD, without, votes).passed


def test_termination_needs_only_a_majority_of_the_ibms():
    tally = tally_resolution(
        ResolutionKind.TERMINATION, BOARD, meeting(called=False), votes_for("I1", "I2")
    )
    assert tally.passed
    assert not tally_resolution(
        ResolutionKind.TERMINATION, BOARD, meeting(), votes_for("I1")
    ).passed


def test_a_vote_from_someone_not_attending_does_not_count():
    absent = meeting()
    del absent.attendance["I3"]
    tally = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, absent, votes_for("I1", "I3", "N1", "N2")
    )
    assert tally.ibm_for == 1


def test_notices_take_effect_on_delivery_receipt_or_three_business_days_after_mailing():
    assert notice_effective_on(NoticeMethod.DELIVERED, date(2004, 1, 5), None) == date(2004, 1, 5)
    assert notice_effective_on(NoticeMethod.MAILED, date(2004, 1, 5), date(2004, 1, 9)) == date(
        2004, 1, 9
    )
    assert notice_effective_on(NoticeMethod.MAILED, date(2004, 1, 9), None) == date(2004, 1, 14)
    assert earliest_distributor_termination(date(2004, 1, 5)) == date(2004, 3, 5)


def test_annual_periods_run_may_31_to_may_30():
    period = annual_period_ending(date(2005, 5, 30))
    assert (period.start, period.end_inclusive) == (date(2004, 5, 31), date(2005, 5, 30))
    assert period.days == 365
