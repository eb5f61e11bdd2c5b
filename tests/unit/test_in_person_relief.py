"""Relief from the in-person vote (Rule 12b-1(b)(2)) as dated facts with their sources, and the
scope each source gives it (issue 11): the 2019 staff letter to the Independent Directors Council
(renewals without material change; a matter fully considered before at an in-person meeting),
the 2020 exemptive orders (every approval, for the period the Commission named).
"""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import RuleViolation
from domain.governance import (
    AttendanceMode,
    DirectorStatus,
    MeetingFacts,
    ReliefScope,
    ReliefTerms,
    ResolutionKind,
    Vote,
    check_relief_terms,
    relief_covers,
    tally_resolution,
)

STAFF_2019 = ReliefTerms(
    relief_id="IDC-2019",
    name="SEC staff no-action letter to the Independent Directors Council",
    source="Independent Directors Council, SEC staff letter of February 28, 2019",
    scopes=(ReliefScope.RENEWAL, ReliefScope.PRIOR_DISCUSSION),
    effective_from=date(2019, 2, 28),
    effective_until=None,
    until_withdrawn_source="a staff no-action position stands until the staff withdraws it",
    conditions="unforeseen or emergency circumstances; ratified at the next in-person meeting",
)
ORDERS_2020 = ReliefTerms(
    relief_id="IC-33824",
    name="Exemptive order from the in-person voting requirements (COVID-19)",
    source="Investment Company Act Release No. 33824 (March 25, 2020)",
    scopes=(ReliefScope.ANY_APPROVAL,),
    effective_from=date(2020, 3, 13),
    effective_until=date(2020, 8, 15),
    until_withdrawn_source="",
    conditions="all directors can hear each other; ratified at the next in-person meeting",
)

# The scope table: which matters each source covers.
SCOPE_TABLE = [
    (STAFF_2019, ResolutionKind.CONTINUANCE, False, True),
    (STAFF_2019, ResolutionKind.PLAN_APPROVAL, False, False),
    (STAFF_2019, ResolutionKind.AMENDMENT, False, False),
    (STAFF_2019, ResolutionKind.NEW_AGREEMENT, False, False),
    (STAFF_2019, ResolutionKind.OTHER_ARRANGEMENT, False, False),
    (STAFF_2019, ResolutionKind.PLAN_APPROVAL, True, True),
    (STAFF_2019, ResolutionKind.AMENDMENT, True, True),
    (STAFF_2019, ResolutionKind.RATIFICATION, False, False),
    (STAFF_2019, ResolutionKind.RATIFICATION, True, False),
    (ORDERS_2020, ResolutionKind.CONTINUANCE, False, True),
    (ORDERS_2020, ResolutionKind.PLAN_APPROVAL, False, True),
    (ORDERS_2020, ResolutionKind.AMENDMENT, False, True),
    (ORDERS_2020, ResolutionKind.NEW_AGREEMENT, False, True),
    (ORDERS_2020, ResolutionKind.OTHER_ARRANGEMENT, False, True),
    (ORDERS_2020, ResolutionKind.RATIFICATION, False, False),
]


@pytest.mark.parametrize(("relief", "kind", "discussed_before", "covered"), SCOPE_TABLE)
def test_the_scope_each_source_gives_its_relief(relief, kind, discussed_before, covered):
    why_not = relief_covers(relief, kind, date(2020, 6, 1), discussed_before)
    assert (why_not is None) is covered, why_not


def test_a_relief_covers_only_the_days_it_is_in_force():
    assert relief_covers(ORDERS_2020, ResolutionKind.CONTINUANCE, date(2020, 3, 13), False) is None
    assert relief_covers(ORDERS_2020, ResolutionKind.CONTINUANCE, date(2020, 8, 15), False) is None
    before = relief_covers(ORDERS_2020, ResolutionKind.CONTINUANCE, date(2020, 3, 12), False)
    after = relief_covers(ORDERS_2020, ResolutionKind.CONTINUANCE, date(2020, 8, 16), False)
    assert before == "relief IC-33824 is in force from 2020-03-13 through 2020-08-15"
    assert after == before
    # Until withdrawn: in force from its first day until a recorded end, not before.
    assert relief_covers(STAFF_2019, ResolutionKind.CONTINUANCE, date(2019, 2, 27), False)
    assert relief_covers(STAFF_2019, ResolutionKind.CONTINUANCE, date(2031, 1, 6), False) is None
    ended = STAFF_2019.ended(date(2020, 12, 31), "a later staff statement withdrawing it")
    assert relief_covers(ended, ResolutionKind.CONTINUANCE, date(2020, 12, 31), False) is None
    assert relief_covers(ended, ResolutionKind.CONTINUANCE, date(2021, 1, 1), False) == (
        "relief IDC-2019 is in force from 2019-02-28 through 2020-12-31"
    )


def test_a_relief_without_an_end_or_a_source_for_until_withdrawn_is_refused():
    open_ended = ReliefTerms(
        "OPEN", "x", "a source", (ReliefScope.ANY_APPROVAL,), date(2020, 3, 13), None, "", ""
    )
    with pytest.raises(RuleViolation) as refused:
        check_relief_terms(open_ended)
    assert refused.value.rule == "relief-open-ended"
    both = ReliefTerms(
        "BOTH",
        "x",
        "a source",
        (ReliefScope.RENEWAL,),
        date(2020, 3, 13),
        date(2020, 8, 15),
        "and until withdrawn",
        "",
    )
    with pytest.raises(RuleViolation):
        check_relief_terms(both)
    backwards = ReliefTerms(
        "BACK",
        "x",
        "a source",
        (ReliefScope.RENEWAL,),
        date(2020, 3, 13),
        date(2020, 3, 12),
        "",
        "",
    )
    with pytest.raises(RuleViolation):
        check_relief_terms(backwards)
    check_relief_terms(STAFF_2019)
    check_relief_terms(ORDERS_2020)


def director(code, independent=True):
    return DirectorStatus(code, code, True, not independent, False)


BOARD = [director("I1"), director("I2"), director("I3"), director("N1", independent=False)]
ALL_FOR = {code: Vote.FOR for code in ("I1", "I2", "I3", "N1")}


def remote_meeting(day, relief):
    attendance = {d.code: AttendanceMode.PHYSICAL for d in BOARD}
    attendance.update({"I1": AttendanceMode.VIDEO, "I2": AttendanceMode.TELEPHONE})
    return MeetingFacts(day, True, attendance, relief)


def test_remote_votes_count_only_under_a_relief_in_force_that_covers_the_matter():
    in_2019 = remote_meeting(date(2019, 5, 20), STAFF_2019)
    renewal = tally_resolution(ResolutionKind.CONTINUANCE, BOARD, in_2019, ALL_FOR)
    assert renewal.passed and renewal.ratification_required
    assert (renewal.board_for, renewal.ibm_for) == (4, 3)
    assert "IDC-2019" in renewal.in_person_rule
    new_plan = tally_resolution(ResolutionKind.PLAN_APPROVAL, BOARD, in_2019, ALL_FOR)
    assert not new_plan.passed and not new_plan.ratification_required
    assert (new_plan.board_for, new_plan.ibm_for) == (2, 1)
    assert new_plan.reasons[-1] == (
        "2 telephone or video votes for it were not counted as cast in person: relief "
        "IDC-2019 does not cover a plan_approval (it covers: renewal, prior-discussion)"
    )
    discussed = tally_resolution(
        ResolutionKind.PLAN_APPROVAL, BOARD, in_2019, ALL_FOR, discussed_in_person_before=True
    )
    assert discussed.passed and discussed.ratification_required


def test_remote_votes_do_not_count_without_a_relief_or_outside_its_period():
    none = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, remote_meeting(date(2020, 6, 1), None), ALL_FOR
    )
    assert not none.passed
    assert none.reasons[-1] == (
        "2 telephone or video votes for it were not counted as cast in person: the meeting "
        "relies on no relief from the in-person requirement"
    )
    late = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, remote_meeting(date(2020, 8, 17), ORDERS_2020), ALL_FOR
    )
    assert not late.passed
    assert late.reasons[-1].endswith(
        "relief IC-33824 is in force from 2020-03-13 through 2020-08-15"
    )
    in_force = tally_resolution(
        ResolutionKind.CONTINUANCE, BOARD, remote_meeting(date(2020, 8, 15), ORDERS_2020), ALL_FOR
    )
    assert in_force.passed and in_force.ratification_required


def test_a_ratification_by_telephone_never_counts():
    ratify = tally_resolution(
        ResolutionKind.RATIFICATION, BOARD, remote_meeting(date(2020, 6, 1), ORDERS_2020), ALL_FOR
    )
    assert not ratify.passed
    assert "a ratification must be cast in person" in ratify.reasons[-1]
