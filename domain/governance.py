"""The rules that make a vote count: board approvals, in-person votes, shareholder majorities,
notices, and the plan's annual periods.

Everything here is a pure function of its inputs, dates included; docs/governance.md states
the rules and the defaults taken (brief §10 Q6, Q7, Q9, Q10, Q15).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.errors import RuleViolation
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


NO_RELIEF = "none"  # a meeting that relies on no relief from the in-person requirement


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


class ReliefScope(Enum):
    """The matters a relief from the in-person vote covers, as its source states them."""

    # The 2019 staff letter: a renewal of a plan or agreement with no material change.
    RENEWAL = "renewal"
    # The 2019 staff letter: a matter the directors fully considered at an earlier in-person
    # meeting.
    PRIOR_DISCUSSION = "prior-discussion"
    # The 2020 orders: every approval Rule 12b-1(b)(2) requires in person.
    ANY_APPROVAL = "any-approval"


# The scope table (decision A18): which relief scopes can cover each kind of resolution. A
# continuance renews the plan unchanged (a change is an amendment); approving a plan, an
# amendment or a new agreement is new or a material change. A ratification is the in-person
# act the relief's condition asks for, so no relief covers it.
SCOPES_OF_MATTER: dict[ResolutionKind, frozenset[ReliefScope]] = {
    ResolutionKind.CONTINUANCE: frozenset({ReliefScope.RENEWAL, ReliefScope.ANY_APPROVAL}),
    ResolutionKind.PLAN_APPROVAL: frozenset({ReliefScope.ANY_APPROVAL}),
    ResolutionKind.AMENDMENT: frozenset({ReliefScope.ANY_APPROVAL}),
    ResolutionKind.NEW_AGREEMENT: frozenset({ReliefScope.ANY_APPROVAL}),
    ResolutionKind.OTHER_ARRANGEMENT: frozenset({ReliefScope.ANY_APPROVAL}),
    ResolutionKind.RATIFICATION: frozenset(),
}


@dataclass(frozen=True)
class ReliefTerms:
    """A relief from the in-person vote, recorded as a dated fact with its source.

    Never open-ended: it ends on `effective_until` (inclusive), or, when its source says it
    lasts until withdrawn, `until_withdrawn_source` quotes that and the end is recorded when
    it is known (`ended_on`, with `ended_source`).
    """

    relief_id: str
    name: str
    source: str
    scopes: tuple[ReliefScope, ...]
    effective_from: date
    effective_until: date | None
    until_withdrawn_source: str
    conditions: str
    ended_on: date | None = None
    ended_source: str = ""

    @property
    def last_day(self) -> date | None:
        return self.effective_until if self.effective_until is not None else self.ended_on

    def in_force_on(self, day: date) -> bool:
        last_day = self.last_day
        return self.effective_from <= day and (last_day is None or day <= last_day)

    def period_text(self) -> str:
        last_day = self.last_day
        until = "until withdrawn" if last_day is None else f"through {last_day}"
        return f"relief {self.relief_id} is in force from {self.effective_from} {until}"

    def ended(self, last_day: date, source: str) -> ReliefTerms:
        return replace(self, ended_on=last_day, ended_source=source)


def check_relief_terms(relief: ReliefTerms) -> None:
    """A relief names its source, what it covers, and how it ends (decision A18).

    Raises:
        RuleViolation: `relief-open-ended`, or `relief-terms` for other faults.
    """
    if relief.effective_until is None and not relief.until_withdrawn_source.strip():
        raise RuleViolation(
            "relief-open-ended",
            "Rule 12b-1(b)(2) (in person)",
            f"relief {relief.relief_id}: give the last day it is in force, or quote the source "
            f"that says it lasts until withdrawn",
        )
    faults = []
    if relief.effective_until is not None and relief.until_withdrawn_source.strip():
        faults.append("it has a last day and is also said to last until withdrawn")
    if relief.effective_until is not None and relief.effective_until < relief.effective_from:
        faults.append(f"it ends on {relief.effective_until}, before it starts")
    if not relief.scopes:
        faults.append("it names no matter it covers")
    if not relief.source.strip():
        faults.append("it names no source")
    if faults:
        raise RuleViolation(
            "relief-terms",
            "Rule 12b-1(b)(2) (in person)",
            f"relief {relief.relief_id}: {'; '.join(faults)}",
        )


def relief_covers(
    relief: ReliefTerms, kind: ResolutionKind, meeting_date: date, discussed_before: bool
) -> str | None:
    """Why the relief does not let a remote vote on this matter count (None: it does)."""
    if not relief.in_force_on(meeting_date):
        return relief.period_text()
    if kind is ResolutionKind.RATIFICATION:
        return "a ratification must be cast in person (it is the relief's own condition)"
    scopes = set(SCOPES_OF_MATTER.get(kind, frozenset()))
    if discussed_before:
        scopes.add(ReliefScope.PRIOR_DISCUSSION)
    if scopes.isdisjoint(relief.scopes):
        covered = ", ".join(scope.value for scope in relief.scopes)
        return f"relief {relief.relief_id} does not cover a {kind.value} (it covers: {covered})"
    return None


def in_person_rule_text(relief: ReliefTerms | None) -> str:
    """The in-person rule a tally was made under, as stored on the resolution."""
    if relief is None:
        return "in person means physically present (SEC staff view; no relief relied on)"
    last_day = relief.last_day
    until = f"through {last_day}" if last_day else "until withdrawn"
    return (
        f"physically present, or by telephone or video under relief {relief.relief_id} "
        f"({relief.source}; from {relief.effective_from} {until}; covers "
        f"{', '.join(scope.value for scope in relief.scopes)}), ratified at the next "
        f"in-person meeting"
    )


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
    relief: ReliefTerms | None  # the relief the meeting relies on, as recorded


def tally_resolution(
    kind: ResolutionKind,
    directors: list[DirectorStatus],
    meeting: MeetingFacts,
    votes: dict[str, Vote],
    *,
    discussed_in_person_before: bool = False,
) -> Tally:
    """Count a resolution under ELEVENTH/TWELFTH (approvals) or THIRTEENTH (termination).

    Args:
        directors: every director's status on the meeting date (in office or not).
        votes: director code to vote, for the directors who voted.
        discussed_in_person_before: the minutes say the matter was fully considered at an
            earlier in-person meeting (the 2019 staff letter's second case).
    """
    seated = [director for director in directors if director.in_office]
    independents = [director for director in seated if director.is_independent_board_member]
    approval = kind in APPROVAL_KINDS
    remote_refused = _why_remote_votes_do_not_count(kind, meeting, discussed_in_person_before)

    def counted_for(director: DirectorStatus) -> bool:
        if votes.get(director.code) is not Vote.FOR or director.code not in meeting.attendance:
            return False
        mode = meeting.attendance[director.code]
        return not approval or mode is AttendanceMode.PHYSICAL or remote_refused is None

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
    remote_for = sum(
        1
        for code, mode in meeting.attendance.items()
        if votes.get(code) is Vote.FOR and mode is not AttendanceMode.PHYSICAL
    )
    if approval and reasons and remote_for and remote_refused is not None:
        reasons.append(
            f"{remote_for} telephone or video votes for it were not counted as cast in "
            f"person: {remote_refused}"
        )
    return Tally(
        board_seated=len(seated),
        board_for=board_for,
        ibm_seated=len(independents),
        ibm_for=ibm_for,
        passed=not reasons,
        reasons=tuple(reasons),
        ratification_required=approval
        and bool(remote_for)
        and remote_refused is None
        and not reasons,
        in_person_rule=in_person_rule_text(meeting.relief if approval else None),
    )


def _why_remote_votes_do_not_count(
    kind: ResolutionKind, meeting: MeetingFacts, discussed_in_person_before: bool
) -> str | None:
    """Telephone and video votes count as cast in person only under a relief recorded as in
    force on the meeting date whose scope covers the matter (decision A18)."""
    if meeting.relief is None:
        return "the meeting relies on no relief from the in-person requirement"
    return relief_covers(meeting.relief, kind, meeting.meeting_date, discussed_in_person_before)


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
