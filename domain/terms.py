"""When the plan and the agreement are in effect for a fund class, and by what authority.

ELEVENTH: the plan is in effect from its effective date until the end of the initial term
(2004-05-30 inclusive, decision Q6), once approved by the board and the Independent Board
Members; then year to year, each annual period (05-31 to 05-30) only under a continuance.
FIRST and THIRTEENTH: the agreement with the Distributor is in effect while the plan is, until
it ends (termination of the plan, the Distributor's notice, an assignment, the adviser ceasing
to be affiliated); a new agreement or other arrangement approved by the board restores it, from
its own date or, approved in advance, from the end it replaces (decision Q11a). A plan that
lapsed is back in effect only on the approvals a new plan needs, to the end of that plan year
(decision Q6b). Accruals need both (decision Q11); so do payments. See docs/governance.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property

from domain.periods import ONE_DAY, Period


@dataclass(frozen=True)
class CoverageInterval:
    start: date
    end_inclusive: date
    name: str
    approved_by: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end_inclusive

    @property
    def authority(self) -> str:
        """What an accrual for a day in this interval cites as its authority."""
        return (
            f"{self.name} {self.start}..{self.end_inclusive}, approved by {self.approved_by} "
            f"(ELEVENTH)"
        )


@dataclass(frozen=True)
class AgreementChange:
    """The agreement stops (`in_effect=False`) or resumes from `effective_on`."""

    effective_on: date
    in_effect: bool
    reason: str


class NotInEffect(Enum):
    NOT_APPROVED = "not_approved"
    LAPSED = "lapsed"
    TERMINATED = "terminated"
    AGREEMENT_ENDED = "agreement_ended"

    @property
    def is_refusal(self) -> bool:
        """A lapse or a missing approval is a compliance failure; the others are decisions."""
        return self in (NotInEffect.NOT_APPROVED, NotInEffect.LAPSED)


@dataclass(frozen=True)
class PlanStanding:
    """Everything that decides whether a day is in effect, gathered from a fund class."""

    effective_date: date
    initial_term_end: date
    first_approval: tuple[date, str] | None
    continuances: list[CoverageInterval] = field(default_factory=list)
    terminated_on: date | None = None
    termination_reason: str = ""
    agreement_changes: list[AgreementChange] = field(default_factory=list)
    # The plan back in effect after a lapse, on a new plan's approvals (decision Q6b).
    resumptions: list[CoverageInterval] = field(default_factory=list)
    # Why the plan waits for (or was refused) another approval than the board's, e.g. an
    # added fund's shareholders (decision A17); "" when nothing but the board's is needed.
    approval_note: str = ""

    @cached_property
    def intervals(self) -> list[CoverageInterval]:
        return self.coverage()

    def coverage(self) -> list[CoverageInterval]:
        intervals = []
        if self.first_approval is not None:
            approved_on, resolution = self.first_approval
            start = max(self.effective_date, approved_on)
            if start <= self.initial_term_end:
                approved_by = f"resolution {resolution} of {approved_on}"
                intervals.append(
                    CoverageInterval(start, self.initial_term_end, "initial term", approved_by)
                )
        intervals += self.continuances
        intervals += self.resumptions
        if self.terminated_on is None:
            return intervals
        return [
            CoverageInterval(
                i.start, min(i.end_inclusive, self.terminated_on - ONE_DAY), i.name, i.approved_by
            )
            for i in intervals
            if i.start < self.terminated_on
        ]

    def plan_interval_on(self, day: date) -> CoverageInterval | None:
        for interval in self.intervals:
            if interval.covers(day):
                return interval
        return None

    def lapsed_since(self, day: date) -> date | None:
        """The first day of the lapse `day` falls in, or None if the plan has not lapsed by
        then: it was approved, is not terminated, its initial term is over and nothing covers
        `day` (ELEVENTH)."""
        if self.first_approval is None or day <= self.initial_term_end:
            return None
        if self.terminated_on is not None and day >= self.terminated_on:
            return None
        if self.plan_interval_on(day) is not None:
            return None
        ends = [i.end_inclusive for i in self.intervals if i.end_inclusive < day]
        return max(ends) + ONE_DAY if ends else self.initial_term_end + ONE_DAY

    def agreement_change_on(self, day: date) -> AgreementChange | None:
        """The last change of the agreement on or before `day` (None: never changed)."""
        earlier = [change for change in self.agreement_changes if change.effective_on <= day]
        return earlier[-1] if earlier else None

    def agreement_in_effect(self, day: date) -> bool:
        if self.plan_interval_on(day) is None:
            return False
        change = self.agreement_change_on(day)
        return change is None or change.in_effect

    def why_not_in_effect(self, day: date) -> tuple[NotInEffect, str]:
        """Why neither accruals nor payments may be made for `day` (which is not in effect)."""
        if self.terminated_on is not None and day >= self.terminated_on:
            return NotInEffect.TERMINATED, (
                f"the plan was terminated with effect from {self.terminated_on} "
                f"({self.termination_reason}; THIRTEENTH)"
            )
        if self.plan_interval_on(day) is not None:
            change = self.agreement_change_on(day)
            assert change is not None and not change.in_effect
            return NotInEffect.AGREEMENT_ENDED, (
                f"the agreement with the Distributor ended on {change.effective_on} "
                f"({change.reason}) and no new agreement or other arrangement approved by the "
                f"board covers {day} (THIRTEENTH (C))"
            )
        if self.first_approval is None:
            return NotInEffect.NOT_APPROVED, self.approval_note or (
                "no approval of the plan by the board and the Independent Board Members, cast "
                "in person at a meeting called for the purpose, is recorded (ELEVENTH; Rule "
                "12b-1(b)(2))"
            )
        return NotInEffect.LAPSED, self._describe_lapse(day)

    def _describe_lapse(self, day: date) -> str:
        coverage = self.coverage()
        earlier = [interval for interval in coverage if interval.end_inclusive < day]
        if not earlier:
            first = min((interval.start for interval in coverage), default=self.effective_date)
            return f"the plan is in effect only from {first} ({self.approval_note or 'ELEVENTH'})"
        last = max(earlier, key=lambda interval: interval.end_inclusive)
        return (
            f"lapsed: the {last.name} ended on {last.end_inclusive} and no "
            f"continuance approved by the board and the Independent Board Members covers {day} "
            f"(ELEVENTH); after a lapse the plan resumes only on the approvals a new plan needs "
            f"(Rule 12b-1(b)(1), (b)(2))"
        )

    def authorities_by_day(self, days: list[date]) -> dict[date, str | None]:
        """The authority for each day on which accruals may be made (None elsewhere)."""
        found: dict[date, str | None] = {}
        texts: dict[CoverageInterval, str] = {}
        for day in days:
            interval = self.plan_interval_on(day)
            if interval is None or not self.agreement_in_effect(day):
                found[day] = None
                continue
            if interval not in texts:
                texts[interval] = interval.authority
            found[day] = texts[interval]
        return found

    def days_in_effect(self, period: Period) -> list[date]:
        return [day for day in period.each_day() if self.agreement_in_effect(day)]
