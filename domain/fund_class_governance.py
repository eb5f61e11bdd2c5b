"""The governance commands of a fund class: approvals, continuance, amendments, votes,
termination, notices, the agreement, sales suspensions and the FOURTH reports.

A mixin of `FundClass` (domain/fund_class.py), where the events are declared. Each command
checks its rules, then triggers events; the events' `apply` methods only assign. The rules
are stated in docs/governance.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.errors import RuleViolation
from domain.events import Provenance, provenance_fields
from domain.governance import (
    NoticeMethod,
    annual_period_ending,
    earliest_distributor_termination,
    majority_of_outstanding_voting_securities,
    notice_effective_on,
)
from domain.periods import ONE_DAY
from domain.plan import ScheduleBRates, find_schedule_b_violations
from domain.terms import AgreementChange, CoverageInterval, PlanStanding

if TYPE_CHECKING:
    from domain.fund_class import FundClass

ONE_YEAR_DAYS = 366
PENDING = "pending"
EFFECTIVE = "effective"
FAILED = "failed"


class FundClassGovernance:
    """Governance commands and the plan's standing; mixed into `FundClass`."""

    # ---- standing ---------------------------------------------------------------------------

    def standing(self: FundClass) -> PlanStanding:
        approvals = sorted((row["approved_on"], row["resolution_id"]) for row in self.approvals)
        return PlanStanding(
            effective_date=self.effective_date,
            initial_term_end=self.initial_term_end,
            first_approval=approvals[0] if approvals else None,
            continuances=[
                CoverageInterval(
                    row["covers_from"],
                    row["period_end_inclusive"],
                    "continuance",
                    f"resolution {row['resolution_id']} of {row['approved_on']}",
                )
                for row in self.continuances
            ],
            terminated_on=self.terminated_on,
            termination_reason=self.termination_reason,
            agreement_changes=[
                AgreementChange(row["effective_on"], row["in_effect"], row["reason"])
                for row in sorted(self.agreement_changes, key=lambda row: row["effective_on"])
            ],
        )

    def _first_unaccrued_day(self: FundClass) -> date:
        return self.last_accrued_day + ONE_DAY if self.last_accrued_day else self.effective_date

    def _check_not_accrued(self: FundClass, effective_on: date, what: str, clause: str) -> None:
        """Governance events must be recorded before the days they change are accrued."""
        if self.last_accrued_day is not None and effective_on <= self.last_accrued_day:
            raise RuleViolation(
                "governance-after-accrual",
                clause,
                f"{self.key}: {what} takes effect on {effective_on}, but accruals were already "
                f"made through {self.last_accrued_day}; record it before accruing the days it "
                f"changes (correcting accruals already made is not supported)",
            )

    def _check_not_terminated(self: FundClass, what: str) -> None:
        if self.terminated_on is not None:
            raise RuleViolation(
                "plan-terminated",
                "FIRST, THIRTEENTH",
                f"{self.key}: {what} is not possible: the plan was terminated with effect "
                f"from {self.terminated_on}",
            )

    # ---- approval and continuance (ELEVENTH) -------------------------------------------------

    def approve_plan(
        self: FundClass,
        resolution_id: str,
        meeting_id: str,
        approved_on: date,
        provenance: Provenance,
    ) -> str:
        if any(row["resolution_id"] == resolution_id for row in self.approvals):
            return "unchanged"
        self._check_not_terminated("approving the plan")
        self._check_not_accrued(max(approved_on, self.effective_date), "the approval", "ELEVENTH")
        self.trigger_event(
            self.PlanApproved,
            **provenance_fields(
                provenance, approved_on, f"plan-approval/{self.key}/{resolution_id}"
            ),
            resolution_id=resolution_id,
            meeting_id=meeting_id,
        )
        return "recorded"

    def approve_continuance(
        self: FundClass,
        *,
        resolution_id: str,
        meeting_id: str,
        approved_on: date,
        covers_through: date,
        retroactive: bool,
        provenance: Provenance,
    ) -> str:
        """Continue the plan for the annual period ending `covers_through` (ELEVENTH, Q6)."""
        if any(row["resolution_id"] == resolution_id for row in self.continuances):
            return "unchanged"
        self._check_not_terminated("continuing the plan")
        period = self._continuance_period(covers_through, approved_on)
        covers_from = period.start if (approved_on <= period.start or retroactive) else approved_on
        self._check_not_accrued(covers_from, "the continuance", "ELEVENTH")
        self.trigger_event(
            self.ContinuanceApproved,
            **provenance_fields(provenance, approved_on, f"continuance/{self.key}/{resolution_id}"),
            resolution_id=resolution_id,
            meeting_id=meeting_id,
            period_start=period.start,
            period_end_inclusive=period.end_inclusive,
            covers_from=covers_from,
            retroactive=retroactive,
        )
        return "recorded"

    def _continuance_period(self: FundClass, covers_through: date, approved_on: date) -> Any:
        anniversary = (self.initial_term_end.month, self.initial_term_end.day)
        if (covers_through.month, covers_through.day) != anniversary or (
            covers_through <= self.initial_term_end
        ):
            raise RuleViolation(
                "continuance-period",
                "ELEVENTH (decision Q6)",
                f"{self.key}: a continuance covers one plan year ending on an anniversary of "
                f"{self.initial_term_end} after the initial term, not {covers_through}",
            )
        period = annual_period_ending(covers_through)
        if (period.start - approved_on).days > ONE_YEAR_DAYS or approved_on > period.end_inclusive:
            raise RuleViolation(
                "continuance-period",
                "ELEVENTH (approved at least annually)",
                f"{self.key}: a continuance for {period.label()} must be approved within the "
                f"year before it starts or during it, not on {approved_on}",
            )
        for row in self.continuances:
            if row["period_end_inclusive"] == period.end_inclusive:
                raise RuleViolation(
                    "continuance-period",
                    "ELEVENTH",
                    f"{self.key}: {period.label()} is already continued by resolution "
                    f"{row['resolution_id']}",
                )
        return period

    # ---- amendments (TWELFTH) and shareholder votes (§2(a)(42)) -------------------------------

    def schedule_b_on(self: FundClass, day: date) -> ScheduleBRates:
        in_force = self.schedule_b_versions[0]
        for version in self.schedule_b_versions[1:]:
            if version["effective_from"] <= day:
                in_force = version
        return ScheduleBRates(
            in_force["absc_rate_annual"],
            in_force["service_rate_annual_max"],
            in_force["total_rate_annual_max"],
        )

    def approve_amendment(
        self: FundClass,
        *,
        amendment_id: str,
        resolution_id: str,
        approved_on: date,
        rates: ScheduleBRates,
        provenance: Provenance,
    ) -> str:
        """A Schedule B amendment passed by the board; an increase waits for the shareholders."""
        if amendment_id in self.amendments:
            return "unchanged"
        self._check_not_terminated("amending Schedule B")
        violations = find_schedule_b_violations(self.fund_code, rates)
        if violations:
            raise violations[0]
        current = self.schedule_b_on(approved_on)
        increases = (
            rates.absc_rate_annual > current.absc_rate_annual
            or rates.service_rate_annual_max > current.service_rate_annual_max
            or rates.total_rate_annual_max > current.total_rate_annual_max
        )
        if not increases:
            self._check_not_accrued(approved_on, f"amendment {amendment_id}", "TWELFTH")
        key = f"amendment/{self.key}/{amendment_id}"
        self.trigger_event(
            self.AmendmentApproved,
            **provenance_fields(provenance, approved_on, key),
            amendment_id=amendment_id,
            resolution_id=resolution_id,
            absc_rate_annual=rates.absc_rate_annual,
            service_rate_annual_max=rates.service_rate_annual_max,
            total_rate_annual_max=rates.total_rate_annual_max,
            increases_rates=increases,
            requires_shareholder_approval=increases,
        )
        if not increases:
            self._trigger_schedule_b(amendment_id, approved_on, rates, provenance)
        return "recorded"

    def _trigger_schedule_b(
        self: FundClass,
        amendment_id: str,
        effective_from: date,
        rates: ScheduleBRates,
        provenance: Provenance,
    ) -> None:
        self.trigger_event(
            self.ScheduleBAmended,
            **provenance_fields(
                provenance, effective_from, f"schedule-b/{self.key}/{amendment_id}"
            ),
            amendment_id=amendment_id,
            effective_from=effective_from,
            absc_rate_annual=rates.absc_rate_annual,
            service_rate_annual_max=rates.service_rate_annual_max,
            total_rate_annual_max=rates.total_rate_annual_max,
        )

    def record_shareholder_vote(
        self: FundClass,
        *,
        vote_reference: str,
        subject: str,
        subject_id: str,
        voted_on: date,
        outstanding: Decimal,
        present: Decimal,
        votes_for: Decimal,
        votes_against: Decimal,
        abstentions: Decimal,
        broker_non_votes: Decimal,
        provenance: Provenance,
    ) -> bool:
        """Tally a vote of the class's shareholders on an amendment or on termination.

        Returns:
            Whether it passed under §2(a)(42).
        """
        self._check_not_terminated("a shareholder vote")
        self._check_vote_subject(subject, subject_id, voted_on)
        result = majority_of_outstanding_voting_securities(outstanding, present, votes_for)
        self.trigger_event(
            self.ShareholderVoteTallied,
            **provenance_fields(
                provenance, voted_on, f"shareholder-vote/{self.key}/{vote_reference}"
            ),
            vote_reference=vote_reference,
            subject=subject,
            subject_id=subject_id,
            outstanding_shares=outstanding,
            present_shares=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstentions=abstentions,
            broker_non_votes=broker_non_votes,
            passed=result.passed,
            clause=result.clause,
        )
        if result.passed and subject == "amendment":
            row = self.amendments[subject_id]
            rates = ScheduleBRates(
                row["absc_rate_annual"],
                row["service_rate_annual_max"],
                row["total_rate_annual_max"],
            )
            self._trigger_schedule_b(subject_id, voted_on, rates, provenance)
        if result.passed and subject == "termination":
            self._trigger_plan_termination(
                "a vote of the outstanding voting securities of the class",
                vote_reference,
                voted_on,
                provenance,
            )
        return result.passed

    def _check_vote_subject(self: FundClass, subject: str, subject_id: str, voted_on: date) -> None:
        if subject == "termination":
            self._check_not_accrued(voted_on, "termination by the shareholders", "THIRTEENTH (A)")
            return
        row = self.amendments.get(subject_id)
        if subject != "amendment" or row is None or row["status"] != PENDING:
            raise RuleViolation(
                "shareholder-vote-subject",
                "ELEVENTH, TWELFTH",
                f"{self.key}: no amendment {subject_id!r} awaits a shareholder vote",
            )
        if voted_on < row["approved_on"]:
            raise RuleViolation(
                "shareholder-vote-subject",
                "ELEVENTH (provided that the Board has approved such amendment)",
                f"{self.key}: the vote on {voted_on} precedes the board's approval of "
                f"{subject_id} on {row['approved_on']}",
            )
        self._check_not_accrued(voted_on, f"amendment {subject_id}", "TWELFTH")

    # ---- termination and the agreement (FIRST, THIRTEENTH, FOURTEENTH) ------------------------

    def terminate_by_independent_board_members(
        self: FundClass, resolution_id: str, effective_on: date, provenance: Provenance
    ) -> None:
        self._check_not_terminated("terminating the plan")
        self._check_not_accrued(effective_on, "the termination", "THIRTEENTH (A)")
        self._trigger_plan_termination(
            "a vote of a majority of the Independent Board Members",
            resolution_id,
            effective_on,
            provenance,
        )

    def _trigger_plan_termination(
        self: FundClass, by: str, reference: str, effective_on: date, provenance: Provenance
    ) -> None:
        key = f"plan-termination/{self.key}/{reference}"
        self.trigger_event(
            self.PlanTerminated,
            **provenance_fields(provenance, effective_on, key),
            by=by,
            reference=reference,
            effective_on=effective_on,
        )
        # FIRST: "Termination of the Plan will automatically terminate the Agreement."
        self._trigger_agreement_end("the plan was terminated", reference, effective_on, provenance)

    def _trigger_agreement_end(
        self: FundClass, reason: str, reference: str, effective_on: date, provenance: Provenance
    ) -> None:
        key = f"agreement-end/{self.key}/{reference}"
        self.trigger_event(
            self.AgreementTerminated,
            **provenance_fields(provenance, effective_on, key),
            reason=reason,
            reference=reference,
            effective_on=effective_on,
        )

    def give_distributor_notice(
        self: FundClass,
        *,
        method: NoticeMethod,
        sent_on: date,
        received_on: date | None,
        termination_effective_on: date,
        document_reference: str,
        provenance: Provenance,
    ) -> date:
        """The Distributor's written notice ending the agreement (THIRTEENTH (A), FOURTEENTH).

        Returns:
            The date the notice took effect.
        """
        if not document_reference.strip():
            raise RuleViolation(
                "notice-in-writing",
                "FOURTEENTH",
                f"{self.key}: a notice is in writing; give the reference of the document",
            )
        self._check_not_terminated("a termination notice")
        effective = notice_effective_on(method, sent_on, received_on)
        earliest = earliest_distributor_termination(effective)
        if termination_effective_on < earliest:
            raise RuleViolation(
                "notice-period",
                "THIRTEENTH (A): sixty (60) days' written notice",
                f"{self.key}: the notice took effect on {effective}, so the agreement may end "
                f"on {earliest} at the earliest, not {termination_effective_on}",
            )
        self._check_not_accrued(
            termination_effective_on, "the end of the agreement", "THIRTEENTH (A)"
        )
        key = f"notice/{self.key}/{document_reference}"
        self.trigger_event(
            self.TerminationNoticeGiven,
            **provenance_fields(provenance, sent_on, key),
            by="distributor",
            method=method.value,
            sent_on=sent_on,
            received_on=received_on,
            notice_effective_on=effective,
            termination_effective_on=termination_effective_on,
            document_reference=document_reference,
        )
        self._trigger_agreement_end(
            f"the Distributor's notice of {sent_on}",
            document_reference,
            termination_effective_on,
            provenance,
        )
        return effective

    def record_assignment(
        self: FundClass,
        *,
        occurred_on: date,
        description: str,
        rule_2a6_exempt: bool,
        determination_reference: str,
        provenance: Provenance,
    ) -> None:
        """THIRTEENTH (C): the agreement ends automatically on an assignment (§2(a)(4)) that
        does not change actual control or management (Rule 2a-6) is not one."""
        key = f"assignment/{self.key}/{determination_reference}"
        self.trigger_event(
            self.AssignmentRecorded,
            **provenance_fields(provenance, occurred_on, key),
            description=description,
            rule_2a6_exempt=rule_2a6_exempt,
            determination_reference=determination_reference,
        )
        if not rule_2a6_exempt:
            self._check_not_accrued(occurred_on, "the assignment", "THIRTEENTH (C)")
            self._trigger_agreement_end(
                "an assignment (§2(a)(4))", determination_reference, occurred_on, provenance
            )

    def end_agreement_for_adviser_change(
        self: FundClass,
        effective_on: date,
        adviser_name: str,
        reference: str,
        provenance: Provenance,
    ) -> None:
        """THIRTEENTH (B): the agreement ends when no affiliate of the Distributor advises."""
        self._check_not_accrued(effective_on, "the adviser change", "THIRTEENTH (B)")
        self._trigger_agreement_end(
            f"{adviser_name}, not affiliated with the Distributor, became the adviser",
            reference,
            effective_on,
            provenance,
        )

    def restore_agreement(
        self: FundClass,
        *,
        kind: str,
        resolution_id: str,
        approved_on: date,
        distributor_name: str,
        retroactive: bool,
        provenance: Provenance,
    ) -> str:
        """A new agreement or other arrangement approved by the board (THIRTEENTH (C))."""
        if any(row.get("resolution_id") == resolution_id for row in self.agreement_changes):
            return "unchanged"
        self._check_not_terminated("a new agreement")
        standing = self.standing()
        change = standing.agreement_change_on(approved_on)
        if change is None or change.in_effect:
            raise RuleViolation(
                "agreement-in-effect",
                "THIRTEENTH (C)",
                f"{self.key}: the agreement with the Distributor has not ended by {approved_on}; "
                f"there is nothing to replace",
            )
        effective_on = change.effective_on if retroactive else approved_on
        self._check_not_accrued(effective_on, "the new agreement", "THIRTEENTH (C)")
        key = f"agreement-restored/{self.key}/{resolution_id}"
        self.trigger_event(
            self.AgreementRestored,
            **provenance_fields(provenance, approved_on, key),
            kind=kind,
            resolution_id=resolution_id,
            distributor_name=distributor_name,
            effective_on=effective_on,
            retroactive=retroactive,
        )
        return "recorded"

    # ---- sales (SIXTH) and the written reports (FOURTH) ---------------------------------------

    def suspend_sales(self: FundClass, on: date, reason: str, provenance: Provenance) -> None:
        """Recorded only: SIXTH lets payments go on while sales are suspended or limited."""
        key = f"sales-suspended/{self.key}/{on}"
        self.trigger_event(
            self.SalesSuspended, **provenance_fields(provenance, on, key), reason=reason
        )

    def resume_sales(self: FundClass, on: date, reason: str, provenance: Provenance) -> None:
        key = f"sales-resumed/{self.key}/{on}"
        self.trigger_event(
            self.SalesResumed, **provenance_fields(provenance, on, key), reason=reason
        )

    def issue_quarterly_report(
        self: FundClass,
        quarter: str,
        report_sha256: str,
        issued_on: date,
        issued_by: str,
        provenance: Provenance,
    ) -> str:
        recorded = self.reports.get(quarter)
        if recorded is not None and recorded["report_sha256"] == report_sha256:
            return "unchanged"
        key = f"report-issued/{self.key}/{quarter}/{report_sha256[:16]}"
        self.trigger_event(
            self.QuarterlyReportIssued,
            **provenance_fields(provenance, issued_on, key),
            quarter=quarter,
            report_sha256=report_sha256,
            issued_by=issued_by,
        )
        return "recorded"

    def review_quarterly_report(
        self: FundClass, quarter: str, meeting_id: str, reviewed_on: date, provenance: Provenance
    ) -> str:
        recorded = self.reports.get(quarter)
        if recorded is None or recorded["issued_on"] > reviewed_on:
            raise RuleViolation(
                "report-not-issued",
                "FOURTH",
                f"{self.key}: no written report for {quarter} was issued by {reviewed_on}",
            )
        if recorded["reviewed_on"] is not None:
            return "unchanged"
        key = f"report-reviewed/{self.key}/{quarter}"
        self.trigger_event(
            self.QuarterlyReportReviewed,
            **provenance_fields(provenance, reviewed_on, key),
            quarter=quarter,
            report_sha256=recorded["report_sha256"],
            meeting_id=meeting_id,
        )
        return "recorded"
