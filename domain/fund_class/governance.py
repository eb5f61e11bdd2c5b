"""The governance rules of a fund class: its standing, and what approvals, continuances,
amendments, votes, termination and the agreement may do (ELEVENTH to FOURTEENTH).

Plain functions over the typed state: `FundClass` calls them to check a command before it
triggers the command's events. The rules are stated in docs/governance.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from domain.errors import RuleViolation
from domain.fund_class.records import (
    EFFECTIVE,
    PENDING,
    AdvanceAgreementApproval,
    AgreementEvent,
    Amendment,
    Approval,
    Continuance,
    PlanResumption,
    ReportIssue,
    ScheduleAAddition,
    ScheduleBVersion,
)
from domain.governance import annual_period_ending
from domain.periods import ONE_DAY, Period
from domain.plan import ScheduleBRates
from domain.terms import AgreementChange, CoverageInterval, PlanStanding


def notice_key(fund_class_key: str, document_reference: str) -> str:
    """The idempotency key of the Distributor's notice: the written document (FOURTEENTH)."""
    return f"notice/{fund_class_key}/{document_reference}"


def shareholder_vote_key(fund_class_key: str, vote_reference: str) -> str:
    """The idempotency key of a shareholder vote: the vote's reference (its inspector's
    report, say)."""
    return f"shareholder-vote/{fund_class_key}/{vote_reference}"


def assignment_key(fund_class_key: str, determination_reference: str) -> str:
    """The idempotency key of an assignment: counsel's determination of it."""
    return f"assignment/{fund_class_key}/{determination_reference}"


ONE_YEAR_DAYS = 366


@dataclass(frozen=True)
class Guard:
    """What every governance command checks first: the plan not terminated, and the days it
    changes not yet accrued."""

    key: str
    last_accrued_day: date | None
    terminated_on: date | None

    def check_not_accrued(self, effective_on: date, what: str, clause: str) -> None:
        """Governance events must be recorded before the days they change are accrued."""
        if self.last_accrued_day is not None and effective_on <= self.last_accrued_day:
            raise RuleViolation(
                "governance-after-accrual",
                clause,
                f"{self.key}: {what} takes effect on {effective_on}, but accruals were already "
                f"made through {self.last_accrued_day}; record it before accruing the days it "
                f"changes (correcting accruals already made is not supported)",
            )

    def check_not_terminated(self, what: str) -> None:
        if self.terminated_on is not None:
            raise RuleViolation(
                "plan-terminated",
                "FIRST, THIRTEENTH",
                f"{self.key}: {what} is not possible: the plan was terminated with effect "
                f"from {self.terminated_on}",
            )


@dataclass(frozen=True)
class Governed:
    """The state the standing is made of."""

    effective_date: date
    initial_term_end: date
    approvals: list[Approval]
    continuances: list[Continuance]
    terminated_on: date | None
    termination_reason: str
    agreement_changes: list[AgreementEvent]
    resumptions: list[PlanResumption]
    schedule_a_addition: ScheduleAAddition | None = None


@dataclass(frozen=True)
class ApprovalClaim:
    """Days an approval claims that no approval can cover: a continuance passed after the
    plan lapsed, or a `retroactive` one (decisions Q6b, Q11a). Recorded, never coverage."""

    resolution_id: str
    meeting_id: str
    subject: str
    claims_from: date
    claims_through: date
    retroactive: bool


def standing_of(state: Governed) -> PlanStanding:
    approvals = sorted((row.approved_on, row.resolution_id) for row in state.approvals)
    return PlanStanding(
        effective_date=state.effective_date,
        initial_term_end=state.initial_term_end,
        first_approval=approvals[0] if approvals else None,
        continuances=[
            CoverageInterval(
                row.covers_from,
                row.period_end_inclusive,
                "continuance",
                f"resolution {row.resolution_id} of {row.approved_on}",
            )
            for row in state.continuances
        ],
        terminated_on=state.terminated_on,
        termination_reason=state.termination_reason,
        agreement_changes=[
            AgreementChange(row.effective_on, row.in_effect, row.reason)
            for row in sorted(state.agreement_changes, key=lambda row: row.effective_on)
        ],
        resumptions=[resumed_interval(row) for row in state.resumptions],
        approval_note=addition_note(state.schedule_a_addition),
    )


def resumed_interval(row: PlanResumption) -> CoverageInterval:
    """The days a new plan's approvals put back in effect, and the authority they cite."""
    approved_by = f"resolution {row.resolution_id} of {row.approved_on}"
    if row.vote_reference is not None:
        approved_by += f" and the shareholders' vote {row.vote_reference} of {row.covers_from}"
    return CoverageInterval(row.covers_from, row.period_end_inclusive, "new plan", approved_by)


def plan_year_end_on_or_after(initial_term_end: date, day: date) -> date:
    """The last day of the plan year (05-31 to 05-30, decision Q6) holding `day`."""
    end = initial_term_end
    while end < day:
        end = _a_year_later(end)
    return end


def offered_to_public_since(net_assets_by_date: dict[str, Decimal], by: date) -> date | None:
    """The first day on or before `by` with net assets recorded: the class's shares were
    sold, so a new plan needs its shareholders' approval (Rule 12b-1(b)(1)). None: no share
    was ever sold, and the board's approval is enough."""
    days = [
        date.fromisoformat(day)
        for day, net_assets in net_assets_by_date.items()
        if net_assets > 0 and date.fromisoformat(day) <= by
    ]
    return min(days, default=None)


# ---- a fund added to Schedule A, its class already offered to the public (decision A17) -------

ADD_FUND_SUBJECT = "add_fund"
SHAREHOLDERS_RULE = "§2(a)(42); Rule 12b-1(b)(1)"


def addition_note(addition: ScheduleAAddition | None) -> str:
    """Why the plan is not (or only later) in effect for an added fund, in the words the
    refusals and the accrual gaps use ("" for any other class)."""
    if addition is None:
        return ""
    added = (
        f"resolution {addition.resolution_id} of {addition.approved_on} added the fund to "
        f"Schedule A"
    )
    offered = f"({addition.offered_to_public_source})"
    if addition.status == PENDING:
        return (
            f"awaiting the shareholders: {added}, and its class was already offered to the "
            f"public {offered}, so the plan is in effect for it only from the approval of a "
            f"majority of its outstanding voting securities ({SHAREHOLDERS_RULE}); none is "
            f"recorded"
        )
    if addition.status == EFFECTIVE:
        return (
            f"its shareholders' approval, vote {addition.vote_reference} of "
            f"{addition.voted_on}; {SHAREHOLDERS_RULE}"
        )
    return (
        f"the shareholders did not approve: {added}, its class already offered to the public "
        f"{offered}; vote {addition.vote_reference} of {addition.voted_on} failed under "
        f"§2(a)(42), so the plan has no effect for it (Rule 12b-1(b)(1))"
    )


def check_addition_vote(
    guard: Guard, addition: ScheduleAAddition | None, resolution_id: str, voted_on: date
) -> None:
    """A vote on an added fund is on the addition that awaits it, after the board's."""
    if addition is None or addition.resolution_id != resolution_id or addition.status != PENDING:
        raise RuleViolation(
            "shareholder-vote-subject",
            "TWELFTH; Rule 12b-1(b)(1)",
            f"{guard.key}: no addition to Schedule A by resolution {resolution_id!r} awaits "
            f"a shareholder vote",
        )
    if voted_on < addition.approved_on:
        raise RuleViolation(
            "shareholder-vote-subject",
            "TWELFTH; Rule 12b-1(b)(1)",
            f"{guard.key}: the vote on {voted_on} precedes the board's addition of the fund "
            f"on {addition.approved_on}",
        )
    guard.check_not_accrued(voted_on, "the shareholders' approval", "TWELFTH")


def check_plan_approval_allowed(key: str, addition: ScheduleAAddition | None) -> None:
    """The board alone cannot approve or continue the plan for a class whose shareholders
    must approve it first (A17)."""
    if addition is not None and addition.status != EFFECTIVE:
        raise RuleViolation(
            "shareholder-approval-required",
            "TWELFTH; Rule 12b-1(b)(1)",
            f"{key}: {addition_note(addition)}; the board alone cannot approve the plan for it",
        )


def continuance_period(
    key: str,
    initial_term_end: date,
    continuances: list[Continuance],
    covers_through: date,
    approved_on: date,
    *,
    resumed_year_ends: frozenset[date] = frozenset(),
) -> Period:
    """The plan year a continuance covers (ELEVENTH, decision Q6).

    Raises:
        RuleViolation: not a plan year after the initial term, approved too early or too late,
            or already continued.
    """
    anniversary = (initial_term_end.month, initial_term_end.day)
    if (covers_through.month, covers_through.day) != anniversary or (
        covers_through <= initial_term_end
    ):
        raise RuleViolation(
            "continuance-period",
            "ELEVENTH (decision Q6)",
            f"{key}: a continuance covers one plan year ending on an anniversary of "
            f"{initial_term_end} after the initial term, not {covers_through}",
        )
    period = annual_period_ending(covers_through)
    if (period.start - approved_on).days > ONE_YEAR_DAYS or approved_on > period.end_inclusive:
        raise RuleViolation(
            "continuance-period",
            "ELEVENTH (approved at least annually)",
            f"{key}: a continuance for {period.label()} must be approved within the "
            f"year before it starts or during it, not on {approved_on}",
        )
    for row in continuances:
        if row.period_end_inclusive == period.end_inclusive:
            raise RuleViolation(
                "continuance-period",
                "ELEVENTH",
                f"{key}: {period.label()} is already continued by resolution {row.resolution_id}",
            )
    next_end = next_plan_year_end(initial_term_end, continuances, approved_on, resumed_year_ends)
    if covers_through > next_end:
        raise RuleViolation(
            "continuance-one-plan-year",
            "ELEVENTH (from year to year, approved at least annually)",
            f"{key}: a continuance approved on {approved_on} covers the next plan year only "
            f"({annual_period_ending(next_end).label()}), not through {covers_through}",
        )
    return period


def continuance_after_lapse(
    standing: PlanStanding, period: Period, passed: ApprovalClaim
) -> tuple[ApprovalClaim, str] | None:
    """A continuance passed after the plan lapsed continues nothing (decision Q6b): the days
    it claims (what the rule before issue 11 covered: its plan year from its own date, or
    whole if `retroactive`) and why, or None if it was passed in time.

    `passed` names the resolution, its meeting, its date (as `claims_from`) and its flag."""
    approved_on = passed.claims_from
    # Passed after its plan year began, the plan had lapsed on that year's first day; passed
    # in time for a year whose year before had lapsed, it continues nothing either.
    late = approved_on > period.start
    lapsed_from = standing.lapsed_since(period.start if late else approved_on)
    if not late and (lapsed_from is None or lapsed_from >= approved_on):
        return None
    claim = replace(
        passed,
        claims_from=period.start if (passed.retroactive or not late) else approved_on,
        claims_through=period.end_inclusive,
    )
    reason = (
        f"passed after the plan lapsed on {lapsed_from or period.start}: a continuance "
        f"continues a plan in effect (ELEVENTH; Rule 12b-1(b)(3)(i)); the plan resumes only on "
        f"the approvals a new plan needs (Rule 12b-1(b)(1), (b)(2))"
    )
    return claim, reason


def next_plan_year_end(
    initial_term_end: date,
    continuances: list[Continuance],
    approved_on: date,
    resumed_year_ends: frozenset[date] = frozenset(),
) -> date:
    """The last day of the plan year a continuance approved on `approved_on` may cover: the
    first plan year after the initial term that ends on or after that day and that no
    continuance approved on an earlier day covers. Continuances approved the same day (at the
    same meeting) do not move it on, so one meeting continues one plan year (issue 11). A plan
    year a new plan's approvals put back in effect (decision Q6b) counts as continued."""
    continued_before = {
        row.period_end_inclusive for row in continuances if row.approved_on < approved_on
    } | set(resumed_year_ends)
    end = _a_year_later(initial_term_end)
    while end < approved_on or end in continued_before:
        end = _a_year_later(end)
    return end


def _a_year_later(day: date) -> date:
    # Plan years end on an anniversary of the initial term (decision Q6), as in
    # `annual_period_ending`.
    return date(day.year + 1, day.month, day.day)


def schedule_b_in(versions: list[ScheduleBVersion], day: date) -> ScheduleBRates:
    """The rates of the last version in effect on `day` (the adopted one before any)."""
    in_force = versions[0]
    for version in versions[1:]:
        if version.effective_from <= day:
            in_force = version
    return rates_of(in_force)


def rates_of(row: ScheduleBVersion | Amendment) -> ScheduleBRates:
    return ScheduleBRates(
        row.absc_rate_annual, row.service_rate_annual_max, row.total_rate_annual_max
    )


def increases_rates(rates: ScheduleBRates, current: ScheduleBRates) -> bool:
    """An increase needs the shareholders' approval (TWELFTH)."""
    return (
        rates.absc_rate_annual > current.absc_rate_annual
        or rates.service_rate_annual_max > current.service_rate_annual_max
        or rates.total_rate_annual_max > current.total_rate_annual_max
    )


def check_vote_subject(
    guard: Guard,
    amendments: dict[str, Amendment],
    subject: str,
    subject_id: str,
    voted_on: date,
    *,
    new_plans_awaiting_vote: dict[str, date],
    lapsed_on_vote: bool = True,
) -> None:
    """A vote is on termination, on an amendment the board approved that awaits it, or on a
    new plan the board approved after a lapse (Rule 12b-1(b)(1))."""
    if subject == "termination":
        # Recorded however late: the days it ends are reversed (decision A19).
        return
    if subject == "new_plan":
        check_new_plan_vote(guard.key, new_plans_awaiting_vote, subject_id, voted_on)
        if not lapsed_on_vote:
            raise RuleViolation(
                "shareholder-vote-subject",
                "ELEVENTH (decision Q6b)",
                f"{guard.key}: the plan is in effect on {voted_on}; a new plan ends a lapse, "
                f"and there is none for {subject_id} to end",
            )
        return
    row = amendments.get(subject_id)
    if subject != "amendment" or row is None or row.status != PENDING:
        raise RuleViolation(
            "shareholder-vote-subject",
            "ELEVENTH, TWELFTH",
            f"{guard.key}: no amendment {subject_id!r} awaits a shareholder vote",
        )
    if voted_on < row.approved_on:
        raise RuleViolation(
            "shareholder-vote-subject",
            "ELEVENTH (provided that the Board has approved such amendment)",
            f"{guard.key}: the vote on {voted_on} precedes the board's approval of "
            f"{subject_id} on {row.approved_on}",
        )
    guard.check_not_accrued(voted_on, f"amendment {subject_id}", "TWELFTH")


def check_new_plan_vote(
    key: str, new_plans_awaiting_vote: dict[str, date], resolution_id: str, voted_on: date
) -> None:
    """The shareholders vote on a new plan the board approved and that awaits their vote."""
    approved_on = new_plans_awaiting_vote.get(resolution_id)
    if approved_on is None:
        raise RuleViolation(
            "shareholder-vote-subject",
            "Rule 12b-1(b)(1)",
            f"{key}: no new plan approved by resolution {resolution_id!r} awaits a shareholder "
            f"vote",
        )
    if voted_on < approved_on:
        raise RuleViolation(
            "shareholder-vote-subject",
            "Rule 12b-1(b)(1), (b)(2)",
            f"{key}: the vote on {voted_on} precedes the board's approval of the new plan "
            f"({resolution_id}) on {approved_on}",
        )


def check_agreement_approval(
    key: str, approved_on: date, effective_on: date | None, on_assignment: str | None
) -> None:
    """A new agreement covers days from its own approval on, never before it (decision Q11)."""
    if effective_on is not None and on_assignment is not None:
        raise RuleViolation(
            "agreement-effective-before-approval",
            "THIRTEENTH (C) (decision Q11a)",
            f"{key}: a new agreement takes effect on a date or on an assignment, not on both",
        )
    if effective_on is not None and effective_on < approved_on:
        raise RuleViolation(
            "agreement-effective-before-approval",
            "THIRTEENTH (C) (decision Q11a)",
            f"{key}: a new agreement approved on {approved_on} cannot take effect on "
            f"{effective_on}, before its approval; the days between are recorded as an "
            f"exception with retroactive = true, never covered",
        )


def advance_start(
    pending: AdvanceAgreementApproval, ended_on: date, assignment_reference: str | None
) -> date | None:
    """The day a new agreement approved in advance takes effect when the agreement ends on
    `ended_on` (by the assignment `assignment_reference`, if one): from the end itself, or
    from its own date if that is later, never before its approval (an end learnt late may
    precede it). None: it awaits another event (decision Q11a)."""
    if pending.on_assignment is not None:
        if pending.on_assignment != assignment_reference:
            return None
        return max(ended_on, pending.approved_on)
    assert pending.effective_on is not None
    return max(ended_on, pending.effective_on, pending.approved_on)


def first_unaccrued_day(last_accrued_day: date | None, effective_date: date) -> date:
    return last_accrued_day + ONE_DAY if last_accrued_day else effective_date


def latest_issues(report_issues: list[ReportIssue]) -> dict[str, ReportIssue]:
    """The latest issue of each quarter's report."""
    return {issue.quarter: issue for issue in report_issues}
