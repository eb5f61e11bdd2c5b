"""The approvals that keep the plan in effect (ELEVENTH, TWELFTH; Rule 12b-1(b)): the board's
approval and annual continuance, a new plan approved after a lapse (decision Q6b), a fund added
to Schedule A that awaits its shareholders (decision A17), Schedule B amendments (an increase
waits for the shareholders), and the votes of the class's shareholders (§2(a)(42)), whose
outcome a vote that passed carries out (a termination ends the plan: agreement_role.py).

The rules are in governance.py and docs/governance.md.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.agreement_role import AgreementRole
from domain.fund_class.cap_recompute import CapInputs
from domain.fund_class.governance import (
    ADD_FUND_SUBJECT,
    ApprovalClaim,
    check_addition_vote,
    check_plan_approval_allowed,
    check_vote_subject,
    continuance_after_lapse,
    continuance_period,
    increases_rates,
    offered_to_public_since,
    plan_year_end_on_or_after,
    rates_of,
    shareholder_vote_key,
)
from domain.fund_class.records import (
    EFFECTIVE,
    FAILED,
    PENDING,
    Amendment,
    Approval,
    Continuance,
    PlanResumption,
    ScheduleAAddition,
    ScheduleBVersion,
)
from domain.governance import majority_of_outstanding_voting_securities
from domain.plan import ScheduleBRates, find_schedule_b_violations


class ApprovalsRole(AgreementRole):
    """Approve, continue and amend the plan, and tally the shareholders' votes."""

    class PlanApproved(LedgerEvent):
        TOPIC = "planledger.FundClass.PlanApproved"
        resolution_id: str
        meeting_id: str

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.approvals.append(Approval(self.resolution_id, self.business_date))

    class ContinuanceApproved(LedgerEvent):
        TOPIC = "planledger.FundClass.ContinuanceApproved"
        resolution_id: str
        meeting_id: str
        period_start: date
        period_end_inclusive: date
        covers_from: date
        retroactive: bool

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.continuances.append(
                Continuance(
                    self.resolution_id,
                    self.business_date,
                    self.period_end_inclusive,
                    self.covers_from,
                )
            )

    class AmendmentApproved(LedgerEvent):
        TOPIC = "planledger.FundClass.AmendmentApproved"
        amendment_id: str
        resolution_id: str
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal
        increases_rates: bool
        requires_shareholder_approval: bool

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.amendments[self.amendment_id] = Amendment(
                self.business_date,
                self.absc_rate_annual,
                self.service_rate_annual_max,
                self.total_rate_annual_max,
                PENDING,
            )

    class ShareholderVoteTallied(LedgerEvent):
        TOPIC = "planledger.FundClass.ShareholderVoteTallied"
        vote_reference: str
        subject: str
        subject_id: str
        outstanding_shares: Decimal
        present_shares: Decimal
        votes_for: Decimal
        votes_against: Decimal
        abstentions: Decimal
        broker_non_votes: Decimal
        passed: bool
        clause: str

        def apply(self, fund_class: ApprovalsRole) -> None:
            if self.subject == "amendment" and not self.passed:
                fund_class._set_amendment_status(self.subject_id, FAILED)
            if self.subject == "new_plan":
                # Passed, `PlanResumed` follows; failed, the new plan is not in effect.
                fund_class.new_plans_awaiting_vote.pop(self.subject_id, None)
            if self.subject == ADD_FUND_SUBJECT:
                fund_class._settle_addition(self)

    class AdditionAwaitsShareholders(LedgerEvent):
        """A fund added to Schedule A whose class was already offered to the public: in
        effect only from its shareholders' approval (Rule 12b-1(b)(1); decision A17)."""

        TOPIC = "planledger.FundClass.AdditionAwaitsShareholders"
        resolution_id: str
        meeting_id: str
        offered_to_public_source: str

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.schedule_a_addition = ScheduleAAddition(
                self.resolution_id,
                self.meeting_id,
                self.business_date,
                self.offered_to_public_source,
                PENDING,
            )

    class ScheduleBAmended(LedgerEvent):
        TOPIC = "planledger.FundClass.ScheduleBAmended"
        amendment_id: str
        effective_from: date
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class._set_amendment_status(self.amendment_id, EFFECTIVE)
            fund_class.schedule_b_versions.append(
                ScheduleBVersion(
                    self.effective_from,
                    self.absc_rate_annual,
                    self.service_rate_annual_max,
                    self.total_rate_annual_max,
                )
            )
            fund_class.schedule_b_versions.sort(key=lambda version: version.effective_from)

    class NewPlanAwaitsShareholders(LedgerEvent):
        """The board approved the plan again after a lapse; the class's shares were sold, so
        it is in effect only once its shareholders approve it (Rule 12b-1(b)(1))."""

        TOPIC = "planledger.FundClass.NewPlanAwaitsShareholders"
        resolution_id: str
        lapsed_from: date
        offered_to_public_since: date

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.new_plans_awaiting_vote[self.resolution_id] = self.business_date

    class PlanResumed(LedgerEvent):
        """The plan back in effect after a lapse, on all the approvals a new plan needs, from
        `covers_from` to the end of that plan year (decision Q6b)."""

        TOPIC = "planledger.FundClass.PlanResumed"
        resolution_id: str
        approved_on: date
        vote_reference: str | None
        lapsed_from: date
        covers_from: date
        period_end_inclusive: date

        def apply(self, fund_class: ApprovalsRole) -> None:
            fund_class.plan_resumptions.append(
                PlanResumption(
                    self.resolution_id,
                    self.approved_on,
                    self.covers_from,
                    self.period_end_inclusive,
                    self.vote_reference,
                )
            )

    def approve_plan(
        self, resolution_id: str, meeting_id: str, approved_on: date, provenance: Provenance
    ) -> str:
        if any(row.resolution_id == resolution_id for row in self.approvals):
            return UNCHANGED
        guard = self._guard()
        guard.check_not_terminated("approving the plan")
        check_plan_approval_allowed(self.key, self.schedule_a_addition)
        guard.check_not_accrued(max(approved_on, self.effective_date), "the approval", "ELEVENTH")
        lapsed_from = self.standing().lapsed_since(approved_on)
        key = f"plan-approval/{self.key}/{resolution_id}"
        self.trigger_event(
            self.PlanApproved,
            **provenance_fields(provenance, approved_on, key),
            resolution_id=resolution_id,
            meeting_id=meeting_id,
        )
        if lapsed_from is not None:
            self._approve_new_plan(resolution_id, approved_on, lapsed_from, provenance)
        return RECORDED

    def _approve_new_plan(
        self, resolution_id: str, approved_on: date, lapsed_from: date, provenance: Provenance
    ) -> None:
        """After a lapse the board's approval is a new plan's (decision Q6b): in effect now if
        no share of the class was ever sold, else once its shareholders approve it (Rule
        12b-1(b)(1))."""
        sold_since = offered_to_public_since(self.net_assets_by_date, approved_on)
        if sold_since is None:
            self._trigger_resumption(resolution_id, approved_on, None, approved_on, provenance)
            return
        self.trigger_event(
            self.NewPlanAwaitsShareholders,
            **provenance_fields(provenance, approved_on, f"new-plan/{self.key}/{resolution_id}"),
            resolution_id=resolution_id,
            lapsed_from=lapsed_from,
            offered_to_public_since=sold_since,
        )

    def _trigger_resumption(
        self,
        resolution_id: str,
        approved_on: date,
        vote_reference: str | None,
        covers_from: date,
        provenance: Provenance,
    ) -> None:
        lapsed_from = self.standing().lapsed_since(covers_from)
        assert lapsed_from is not None  # the plan has lapsed on the day it resumes
        key = f"plan-resumed/{self.key}/{resolution_id}"
        self.trigger_event(
            self.PlanResumed,
            **provenance_fields(provenance, covers_from, key),
            resolution_id=resolution_id,
            approved_on=approved_on,
            vote_reference=vote_reference,
            lapsed_from=lapsed_from,
            covers_from=covers_from,
            period_end_inclusive=plan_year_end_on_or_after(self.initial_term_end, covers_from),
        )

    def await_shareholders_for_addition(
        self,
        resolution_id: str,
        meeting_id: str,
        approved_on: date,
        source: str,
        provenance: Provenance,
    ) -> None:
        """The board added this fund to Schedule A, but its class is already offered to the
        public: the plan waits for a vote of its shareholders (decision A17)."""
        key = f"addition-awaits-shareholders/{self.key}/{resolution_id}"
        self.trigger_event(
            self.AdditionAwaitsShareholders,
            **provenance_fields(provenance, approved_on, key),
            resolution_id=resolution_id,
            meeting_id=meeting_id,
            offered_to_public_source=source,
        )

    def _trigger_addition_approval(
        self, resolution_id: str, vote_reference: str, voted_on: date, provenance: Provenance
    ) -> None:
        """Rule 12b-1(b)(1): the plan is in effect for the added fund from its shareholders'
        vote; the approval names the board's resolution and the vote."""
        addition = self.schedule_a_addition
        assert addition is not None
        self.trigger_event(
            self.PlanApproved,
            **provenance_fields(provenance, voted_on, f"plan-approval/{self.key}/{resolution_id}"),
            resolution_id=f"{resolution_id} with shareholders' vote {vote_reference}",
            meeting_id=addition.meeting_id,
        )

    def _settle_addition(self, event: ApprovalsRole.ShareholderVoteTallied) -> None:
        addition = self.schedule_a_addition
        assert addition is not None
        self.schedule_a_addition = replace(
            addition,
            status=EFFECTIVE if event.passed else FAILED,
            vote_reference=event.vote_reference,
            voted_on=event.business_date,
        )

    def approve_continuance(
        self,
        *,
        resolution_id: str,
        meeting_id: str,
        approved_on: date,
        covers_through: date,
        retroactive: bool,
        provenance: Provenance,
    ) -> str:
        """Continue the plan for the annual period ending `covers_through` (ELEVENTH, Q6).

        A continuance passed after the plan lapsed continues nothing: it is recorded as an
        exception naming the days it claims, and covers none (decision Q6b)."""
        if any(row.resolution_id == resolution_id for row in self.continuances) or (
            resolution_id in self.approval_exception_resolutions
        ):
            return UNCHANGED
        guard = self._guard()
        guard.check_not_terminated("continuing the plan")
        check_plan_approval_allowed(self.key, self.schedule_a_addition)
        period = continuance_period(
            self.key,
            self.initial_term_end,
            self.continuances,
            covers_through,
            approved_on,
            resumed_year_ends=frozenset(row.period_end_inclusive for row in self.plan_resumptions),
        )
        key = f"continuance/{self.key}/{resolution_id}"
        after_lapse = continuance_after_lapse(
            self.standing(),
            period,
            ApprovalClaim(
                resolution_id, meeting_id, "continuance", approved_on, approved_on, retroactive
            ),
        )
        if after_lapse is not None:
            claim, reason = after_lapse
            self._trigger_exception(claim, reason, key, approved_on, provenance)
            return RECORDED
        guard.check_not_accrued(period.start, "the continuance", "ELEVENTH")
        self.trigger_event(
            self.ContinuanceApproved,
            **provenance_fields(provenance, approved_on, key),
            resolution_id=resolution_id,
            meeting_id=meeting_id,
            period_start=period.start,
            period_end_inclusive=period.end_inclusive,
            covers_from=period.start,
            retroactive=retroactive,
        )
        return RECORDED

    # ---- amendments (TWELFTH) and shareholder votes (§2(a)(42)) -------------------------------

    def approve_amendment(
        self,
        *,
        amendment_id: str,
        resolution_id: str,
        approved_on: date,
        rates: ScheduleBRates,
        provenance: Provenance,
    ) -> str:
        """A Schedule B amendment passed by the board; an increase waits for the shareholders."""
        if amendment_id in self.amendments:
            return UNCHANGED
        guard = self._guard()
        guard.check_not_terminated("amending Schedule B")
        violations = find_schedule_b_violations(self.fund_code, rates)
        if violations:
            raise violations[0]
        increases = increases_rates(rates, self.schedule_b_on(approved_on))
        if not increases:
            guard.check_not_accrued(approved_on, f"amendment {amendment_id}", "TWELFTH")
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
        return RECORDED

    def _trigger_schedule_b(
        self, amendment_id: str, effective_from: date, rates: ScheduleBRates, provenance: Provenance
    ) -> None:
        key = f"schedule-b/{self.key}/{amendment_id}"
        self.trigger_event(
            self.ScheduleBAmended,
            **provenance_fields(provenance, effective_from, key),
            amendment_id=amendment_id,
            effective_from=effective_from,
            absc_rate_annual=rates.absc_rate_annual,
            service_rate_annual_max=rates.service_rate_annual_max,
            total_rate_annual_max=rates.total_rate_annual_max,
        )

    def _set_amendment_status(self, amendment_id: str, status: str) -> None:
        self.amendments[amendment_id] = replace(self.amendments[amendment_id], status=status)

    def record_shareholder_vote(
        self,
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
        cap_inputs: CapInputs | None = None,
    ) -> bool:
        """Tally a vote of the class's shareholders on an amendment, on termination, or on a
        new plan the board approved after a lapse (Rule 12b-1(b)(1)).

        Returns:
            Whether it passed under §2(a)(42).
        """
        self._check_vote(subject, subject_id, voted_on, cap_inputs)
        result = majority_of_outstanding_voting_securities(outstanding, present, votes_for)
        key = shareholder_vote_key(self.key, vote_reference)
        self.trigger_event(
            self.ShareholderVoteTallied,
            **provenance_fields(provenance, voted_on, key),
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
        if result.passed:
            self._carry_out_vote(
                subject, subject_id, vote_reference, voted_on, provenance, cap_inputs=cap_inputs
            )
        return result.passed

    def _check_vote(
        self, subject: str, subject_id: str, voted_on: date, cap_inputs: CapInputs | None
    ) -> None:
        """A vote on what awaits the shareholders, of a plan not terminated; a termination
        reaching the aggregate-cap account needs the class's recorded events."""
        guard = self._guard()
        guard.check_not_terminated("a shareholder vote")
        if subject == ADD_FUND_SUBJECT:
            check_addition_vote(guard, self.schedule_a_addition, subject_id, voted_on)
        else:
            check_vote_subject(
                guard,
                self.amendments,
                subject,
                subject_id,
                voted_on,
                new_plans_awaiting_vote=self.new_plans_awaiting_vote,
                lapsed_on_vote=self.standing().lapsed_since(voted_on) is not None,
            )
        if subject == "termination":
            self._check_late_fact(voted_on, cap_inputs)

    def _carry_out_vote(
        self,
        subject: str,
        subject_id: str,
        vote_reference: str,
        voted_on: date,
        provenance: Provenance,
        *,
        cap_inputs: CapInputs | None,
    ) -> None:
        """What a vote that passed brings into effect, from the day of the vote."""
        if subject == "amendment":
            rates = rates_of(self.amendments[subject_id])
            self._trigger_schedule_b(subject_id, voted_on, rates, provenance)
        if subject == "new_plan":
            # The vote's own event took the new plan off those awaiting it.
            approved_on = next(
                row.approved_on
                for row in self.approvals
                if row.resolution_id == subject_id and row.approved_on <= voted_on
            )
            self._trigger_resumption(subject_id, approved_on, vote_reference, voted_on, provenance)
        if subject == ADD_FUND_SUBJECT:
            self._trigger_addition_approval(subject_id, vote_reference, voted_on, provenance)
        if subject == "termination":
            self._trigger_plan_termination(
                "a vote of the outstanding voting securities of the class",
                vote_reference,
                voted_on,
                provenance,
                cap_inputs,
            )
