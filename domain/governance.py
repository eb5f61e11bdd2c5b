"""The rules that make a vote count: board approvals, in-person votes, shareholder majorities,
notices, and the plan's annual periods.

Everything here is a pure function of its inputs, dates included; docs/governance.md states
the rules and the defaults taken (brief §10 Q6, Q7, Q9, Q10, Q15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.money import EXACT_CONTEXT
from domain.periods import ONE_DAY, Period

SIXTY_DAYS = timedelta(days=60)
MAILED_NOTICE_BUSINESS_DAYS = 3
HALF = Decimal("0.5")
TWO_THIRDS_RULE = Decimal("0.67")


class AttendanceMode(Enum):
    PHYSICAL = "physical"
    TELEPHONE = "telephone"
    VIDEO = "video"


class Relief(Enum):
    """Relief from the in-person requirement a meeting may rely on (brief §3.3)."""

    NONE = "none"
    STAFF_2019 = "staff-2019"
    EXEMPTIVE_2020 = "exemptive-2020"


class Vote(Enum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class ResolutionKind(Enum):
    PLAN_APPROVAL = "plan_approval"
    CONTINUANCE = "continuance"
    AMENDMENT = "amendment"
    NEW_AGREEMENT = "new_agreement"
    OTHER_ARRANGEMENT = "other_arrangement"
    TERMINATION = "termination"
    RATIFICATION = "ratification"
    # A form of agreement under SEVENTH (A) to (D): an agreement related to the plan, Rule
    # 12b-1(b)(2) (decision A15).
    AGREEMENT_FORM = "agreement_form"


# Kinds that need the approval of ELEVENTH/TWELFTH (board and IBM majorities, in person).
APPROVAL_KINDS = frozenset(
    {
        ResolutionKind.PLAN_APPROVAL,
        ResolutionKind.CONTINUANCE,
        ResolutionKind.AMENDMENT,
        ResolutionKind.NEW_AGREEMENT,
        ResolutionKind.OTHER_ARRANGEMENT,
        ResolutionKind.RATIFICATION,
        ResolutionKind.AGREEMENT_FORM,
    }
)


@dataclass(frozen=True)
class InPersonRule:
    """Which attendance modes count as "cast in person" for meetings in a span of dates."""

    start: date
    end_exclusive: date | None
    remote_allowed_with: Relief | None
    description: str

    def applies_on(self, day: date) -> bool:
        return self.start <= day and (self.end_exclusive is None or day < self.end_exclusive)


IN_PERSON_RULES = (
    InPersonRule(
        date.min,
        date(2019, 2, 28),
        None,
        "SEC staff view: in person means physically present",
    ),
    InPersonRule(
        date(2019, 2, 28),
        date(2020, 3, 13),
        Relief.STAFF_2019,
        "2019 staff relief (IDC): telephone or video in narrow cases, ratified in person later",
    ),
    InPersonRule(
        date(2020, 3, 13),
        None,
        Relief.EXEMPTIVE_2020,
        "2020 exemptive orders: telephone or video if all could hear each other, ratified later",
    ),
)


def in_person_rule_on(day: date) -> InPersonRule:
    return next(rule for rule in IN_PERSON_RULES if rule.applies_on(day))


def counts_as_in_person(mode: AttendanceMode, meeting_date: date, relief: Relief) -> bool:
    if mode is AttendanceMode.PHYSICAL:
        return True
    rule = in_person_rule_on(meeting_date)
    return rule.remote_allowed_with is not None and relief is rule.remote_allowed_with


@dataclass(frozen=True)
class DirectorStatus:
    """A director's attested status on a date."""

    code: str
    name: str
    in_office: bool
    interested: bool
    financial_interest: bool

    @property
    def is_independent_board_member(self) -> bool:
        """ELEVENTH: not an interested person, and no financial interest in the plan."""
        return self.in_office and not self.interested and not self.financial_interest

    @property
    def is_not_interested(self) -> bool:
        return self.in_office and not self.interested


def is_majority(count: int, of: int) -> bool:
    return of > 0 and 2 * count > of


@dataclass(frozen=True)
class Tally:
    """The counted outcome of one resolution, stored on the event that records it."""

    board_seated: int
    board_for: int
    ibm_seated: int
    ibm_for: int
    passed: bool
    reasons: tuple[str, ...]
    ratification_required: bool
    in_person_rule: str


@dataclass(frozen=True)
class MeetingFacts:
    meeting_date: date
    called_for_plan: bool
    attendance: dict[str, AttendanceMode]
    relief: Relief


def tally_resolution(
    kind: ResolutionKind,
    directors: list[DirectorStatus],
    meeting: MeetingFacts,
    votes: dict[str, Vote],
) -> Tally:
    """Count a resolution under ELEVENTH/TWELFTH (approvals) or THIRTEENTH (termination).

    Args:
        directors: every director's status on the meeting date (in office or not).
        votes: director code to vote, for the directors who voted.
    """
    seated = [director for director in directors if director.in_office]
    independents = [director for director in seated if director.is_independent_board_member]
    rule = in_person_rule_on(meeting.meeting_date)
    approval = kind in APPROVAL_KINDS

    def counted_for(director: DirectorStatus) -> bool:
        if votes.get(director.code) is not Vote.FOR or director.code not in meeting.attendance:
            return False
        mode = meeting.attendance[director.code]
        return not approval or counts_as_in_person(mode, meeting.meeting_date, meeting.relief)

    board_for = sum(1 for director in seated if counted_for(director))
    ibm_for = sum(1 for director in independents if counted_for(director))
    reasons = _approval_failures(
        kind,
        meeting,
        board_seated=len(seated),
        board_for=board_for,
        ibm_seated=len(independents),
        ibm_for=ibm_for,
    )
    remote_counted = approval and any(
        votes.get(code) is Vote.FOR
        and mode is not AttendanceMode.PHYSICAL
        and counts_as_in_person(mode, meeting.meeting_date, meeting.relief)
        for code, mode in meeting.attendance.items()
    )
    return Tally(
        board_seated=len(seated),
        board_for=board_for,
        ibm_seated=len(independents),
        ibm_for=ibm_for,
        passed=not reasons,
        reasons=tuple(reasons),
        ratification_required=remote_counted and not reasons,
        in_person_rule=rule.description,
    )


def _approval_failures(
    kind: ResolutionKind,
    meeting: MeetingFacts,
    *,
    board_seated: int,
    board_for: int,
    ibm_seated: int,
    ibm_for: int,
) -> list[str]:
    reasons = []
    if kind is ResolutionKind.TERMINATION:
        if not is_majority(ibm_for, ibm_seated):
            reasons.append(
                f"{ibm_for} of {ibm_seated} Independent Board Members voted for termination: "
                f"not a majority (THIRTEENTH (A))"
            )
        return reasons
    if not meeting.called_for_plan:
        reasons.append("the meeting was not called for the purpose of voting on the plan")
    if not is_majority(board_for, board_seated):
        reasons.append(
            f"{board_for} of {board_seated} directors in office voted for it in person: "
            f"not a majority of the board"
        )
    if not is_majority(ibm_for, ibm_seated):
        reasons.append(
            f"{ibm_for} of {ibm_seated} Independent Board Members voted for it in person: "
            f"not a majority of the Independent Board Members"
        )
    return reasons


@dataclass(frozen=True)
class ShareholderVoteResult:
    passed: bool
    clause: str  # "A" (67% of those present, more than half present), "B" (more than half), ""
    present_majority: bool


def majority_of_outstanding_voting_securities(
    outstanding: Decimal, present: Decimal, votes_for: Decimal
) -> ShareholderVoteResult:
    """§2(a)(42): 67% of the shares present if more than half are present, or more than half
    of all outstanding shares, whichever is less; exact decimals, fractional shares allowed."""
    half_of_outstanding = EXACT_CONTEXT.multiply(outstanding, HALF)
    present_majority = present > half_of_outstanding
    passes_a = present_majority and votes_for >= EXACT_CONTEXT.multiply(TWO_THIRDS_RULE, present)
    passes_b = votes_for > half_of_outstanding
    clause = "A" if passes_a else ("B" if passes_b else "")
    return ShareholderVoteResult(passes_a or passes_b, clause, present_majority)


class NoticeMethod(Enum):
    DELIVERED = "delivered"
    MAILED = "mailed"


def add_business_days(day: date, business_days: int) -> date:
    """Monday to Friday; the plan names no holiday calendar for notices."""
    while business_days > 0:
        day += ONE_DAY
        if day.weekday() < 5:
            business_days -= 1
    return day


def notice_effective_on(method: NoticeMethod, sent_on: date, received_on: date | None) -> date:
    """FOURTEENTH, decision Q9: delivered on delivery; mailed on receipt, else mailing + 3
    business days."""
    if method is NoticeMethod.DELIVERED or received_on is not None:
        return received_on or sent_on
    return add_business_days(sent_on, MAILED_NOTICE_BUSINESS_DAYS)


def earliest_distributor_termination(notice_effective: date) -> date:
    """THIRTEENTH (A): on sixty days' written notice; the 60th day after is the first allowed."""
    return notice_effective + SIXTY_DAYS


def annual_period_ending(covers_through: date) -> Period:
    """The plan year that ends on `covers_through` (a May 30 under the anniversary convention)."""
    start = date(covers_through.year - 1, covers_through.month, covers_through.day) + ONE_DAY
    return Period(start, covers_through + ONE_DAY)
