"""The governance rules of a fund class: its standing, and what approvals, continuances,
amendments, votes, termination and the agreement may do (ELEVENTH to FOURTEENTH).

Plain functions over the typed state: `FundClass` calls them to check a command before it
triggers the command's events. The rules are stated in docs/governance.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import RuleViolation
from domain.fund_class.records import (
    PENDING,
    AgreementEvent,
    Amendment,
    Approval,
    Continuance,
    ReportIssue,
    ScheduleBVersion,
)
from domain.governance import annual_period_ending
from domain.periods import ONE_DAY, Period
from domain.plan import ScheduleBRates
from domain.terms import AgreementChange, CoverageInterval, PlanStanding


def notice_key(fund_class_key: str, document_reference: str) -> str:
    """The idempotency key of the Distributor's notice: the written document (FOURTEENTH)."""
    return f"notice/{fund_class_key}/{document_reference}"


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
    )


def continuance_period(
    key: str,
    initial_term_end: date,
    continuances: list[Continuance],
    covers_through: date,
    approved_on: date,
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
    next_end = next_plan_year_end(initial_term_end, continuances, approved_on)
    if covers_through > next_end:
        raise RuleViolation(
            "continuance-one-plan-year",
            "ELEVENTH (from year to year, approved at least annually)",
            f"{key}: a continuance approved on {approved_on} covers the next plan year only "
            f"({annual_period_ending(next_end).label()}), not through {covers_through}",
        )
    return period


def next_plan_year_end(
    initial_term_end: date, continuances: list[Continuance], approved_on: date
) -> date:
    """The last day of the plan year a continuance approved on `approved_on` may cover: the
    first plan year after the initial term that ends on or after that day and that no
    continuance approved on an earlier day covers. Continuances approved the same day (at the
    same meeting) do not move it on, so one meeting continues one plan year (issue 11)."""
    continued_before = {
        row.period_end_inclusive for row in continuances if row.approved_on < approved_on
    }
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
    guard: Guard, amendments: dict[str, Amendment], subject: str, subject_id: str, voted_on: date
) -> None:
    """A vote is on termination, or on an amendment the board approved that awaits it."""
    if subject == "termination":
        # Recorded however late: the days it ends are reversed (decision A19).
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


def first_unaccrued_day(last_accrued_day: date | None, effective_date: date) -> date:
    return last_accrued_day + ONE_DAY if last_accrued_day else effective_date


def latest_issues(report_issues: list[ReportIssue]) -> dict[str, ReportIssue]:
    """The latest issue of each quarter's report."""
    return {issue.quarter: issue for issue in report_issues}
