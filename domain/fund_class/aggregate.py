"""The `FundClass` aggregate: one fund's share class under the plan.

It holds what SECOND needs to incur the fee (the Schedule B rates, the term, the daily net
assets), the accruals made, and what was paid to the Distributor and spent under FIFTH. Every
command checks its rules and computes its amounts first; only then does it trigger an event,
whose `apply` assigns values and nothing else (it is replayed on every load).

The rules of governance, of the FINRA aggregate-cap account and of corrections live in
governance.py, cap_account.py and corrections.py, as functions and small classes over the
typed state (records.py) that the commands here call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.accruals_role import AccrualsRole
from domain.fund_class.agreement_role import AgreementRole
from domain.fund_class.cap_account_role import CapAccountRole
from domain.fund_class.cap_recompute import CapInputs
from domain.fund_class.corrections_role import CorrectionsRole
from domain.fund_class.distributor_balance_role import DistributorBalanceRole
from domain.fund_class.expenditures_role import ExpendituresRole
from domain.fund_class.governance import (
    ADD_FUND_SUBJECT,
    ApprovalClaim,
    check_addition_vote,
    check_plan_approval_allowed,
    check_vote_subject,
    continuance_after_lapse,
    continuance_period,
    increases_rates,
    latest_issues,
    offered_to_public_since,
    plan_year_end_on_or_after,
    rates_of,
    shareholder_vote_key,
)
from domain.fund_class.net_assets_role import NetAssetsRole
from domain.fund_class.payments_role import PaymentsRole
from domain.fund_class.records import (
    EFFECTIVE,
    FAILED,
    PENDING,
    Amendment,
    Approval,
    Continuance,
    PlanResumption,
    ReportIssue,
    ScheduleAAddition,
    ScheduleBVersion,
)
from domain.fund_class.snapshot_upcasts import (
    upcast_v1_v2,
    upcast_v2_v3,
    upcast_v3_v4,
    upcast_v4_v5,
    upcast_v5_v6,
    upcast_v6_v7,
    upcast_v7_v8,
    upcast_v8_v9,
)
from domain.fund_class.terms_role import TermsRole
from domain.governance import majority_of_outstanding_voting_securities
from domain.ids import fund_class_id
from domain.money import ZERO
from domain.plan import FundTerms, PlanTerms, ScheduleBRates, find_schedule_b_violations
from domain.rates import DAY_COUNT_ACTUAL_ACTUAL


class FundClass(
    AgreementRole,
    NetAssetsRole,
    CorrectionsRole,
    PaymentsRole,
    AccrualsRole,
    CapAccountRole,
    DistributorBalanceRole,
    ExpendituresRole,
    TermsRole,
    Aggregate,
):
    TOPIC = "planledger.FundClass"
    # The version of the state a snapshot keeps; each step up has its upcast (see
    # snapshot_upcasts.py). Version 4 keeps records (records.py) where 3 kept plain mappings;
    # version 5 keeps the service fees credited to the aggregate-cap account (decision A13);
    # version 6 adds a new plan's approvals after a lapse and agreements approved in advance;
    # version 7 keeps a fund added to Schedule A that awaits its shareholders (decision A17);
    # version 8 keeps the receivable from the Distributor (decision A16); version 9 keeps
    # the service fees' shares pending credit to the aggregate-cap account (decision A13).
    class_version = 9
    upcast_v1_v2 = staticmethod(upcast_v1_v2)
    upcast_v2_v3 = staticmethod(upcast_v2_v3)
    upcast_v3_v4 = staticmethod(upcast_v3_v4)
    upcast_v4_v5 = staticmethod(upcast_v4_v5)
    upcast_v5_v6 = staticmethod(upcast_v5_v6)
    upcast_v6_v7 = staticmethod(upcast_v6_v7)
    upcast_v7_v8 = staticmethod(upcast_v7_v8)
    upcast_v8_v9 = staticmethod(upcast_v8_v9)

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.FundClass.Created"

    class PlanAdopted(Aggregate.Created, Event):
        TOPIC = "planledger.FundClass.PlanAdopted"
        plan_key: str
        plan_title: str
        document_sha256: str
        company_code: str
        company_name: str
        fund_code: str
        fund_name: str
        share_class: str
        distributor_name: str
        effective_date: date
        initial_term_end: date
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal
        day_count: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class._adopt(self)

    # ---- governance events (see governance.py) -------------------------------------------------

    class PlanApproved(Event):
        TOPIC = "planledger.FundClass.PlanApproved"
        resolution_id: str
        meeting_id: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.approvals.append(Approval(self.resolution_id, self.business_date))

    class ContinuanceApproved(Event):
        TOPIC = "planledger.FundClass.ContinuanceApproved"
        resolution_id: str
        meeting_id: str
        period_start: date
        period_end_inclusive: date
        covers_from: date
        retroactive: bool

        def apply(self, fund_class: FundClass) -> None:
            fund_class.continuances.append(
                Continuance(
                    self.resolution_id,
                    self.business_date,
                    self.period_end_inclusive,
                    self.covers_from,
                )
            )

    class AmendmentApproved(Event):
        TOPIC = "planledger.FundClass.AmendmentApproved"
        amendment_id: str
        resolution_id: str
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal
        increases_rates: bool
        requires_shareholder_approval: bool

        def apply(self, fund_class: FundClass) -> None:
            fund_class.amendments[self.amendment_id] = Amendment(
                self.business_date,
                self.absc_rate_annual,
                self.service_rate_annual_max,
                self.total_rate_annual_max,
                PENDING,
            )

    class ShareholderVoteTallied(Event):
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

        def apply(self, fund_class: FundClass) -> None:
            if self.subject == "amendment" and not self.passed:
                fund_class._set_amendment_status(self.subject_id, FAILED)
            if self.subject == "new_plan":
                # Passed, `PlanResumed` follows; failed, the new plan is not in effect.
                fund_class.new_plans_awaiting_vote.pop(self.subject_id, None)
            if self.subject == ADD_FUND_SUBJECT:
                fund_class._settle_addition(self)

    class AdditionAwaitsShareholders(Event):
        """A fund added to Schedule A whose class was already offered to the public: in
        effect only from its shareholders' approval (Rule 12b-1(b)(1); decision A17)."""

        TOPIC = "planledger.FundClass.AdditionAwaitsShareholders"
        resolution_id: str
        meeting_id: str
        offered_to_public_source: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.schedule_a_addition = ScheduleAAddition(
                self.resolution_id,
                self.meeting_id,
                self.business_date,
                self.offered_to_public_source,
                PENDING,
            )

    class ScheduleBAmended(Event):
        TOPIC = "planledger.FundClass.ScheduleBAmended"
        amendment_id: str
        effective_from: date
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal

        def apply(self, fund_class: FundClass) -> None:
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

    class NewPlanAwaitsShareholders(Event):
        """The board approved the plan again after a lapse; the class's shares were sold, so
        it is in effect only once its shareholders approve it (Rule 12b-1(b)(1))."""

        TOPIC = "planledger.FundClass.NewPlanAwaitsShareholders"
        resolution_id: str
        lapsed_from: date
        offered_to_public_since: date

        def apply(self, fund_class: FundClass) -> None:
            fund_class.new_plans_awaiting_vote[self.resolution_id] = self.business_date

    class PlanResumed(Event):
        """The plan back in effect after a lapse, on all the approvals a new plan needs, from
        `covers_from` to the end of that plan year (decision Q6b)."""

        TOPIC = "planledger.FundClass.PlanResumed"
        resolution_id: str
        approved_on: date
        vote_reference: str | None
        lapsed_from: date
        covers_from: date
        period_end_inclusive: date

        def apply(self, fund_class: FundClass) -> None:
            fund_class.plan_resumptions.append(
                PlanResumption(
                    self.resolution_id,
                    self.approved_on,
                    self.covers_from,
                    self.period_end_inclusive,
                    self.vote_reference,
                )
            )

    class SalesSuspended(Event):
        TOPIC = "planledger.FundClass.SalesSuspended"
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.sales_suspended = True

    class SalesResumed(Event):
        TOPIC = "planledger.FundClass.SalesResumed"
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.sales_suspended = False

    class QuarterlyReportIssued(Event):
        TOPIC = "planledger.FundClass.QuarterlyReportIssued"
        # Version 2 names the SHA-256 of each file issued (format → digest), whose bytes the
        # store keeps (docs/events.md); version 1 named the JSON form's hash alone.
        class_version = 2
        quarter: str
        report_sha256: str
        issued_by: str
        files: dict[str, str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Issued before the files were kept: none is named."""
            state["files"] = {}

        def apply(self, fund_class: FundClass) -> None:
            fund_class.report_issues.append(
                ReportIssue(self.quarter, self.report_sha256, self.business_date, None)
            )

    class QuarterlyReportReviewed(Event):
        TOPIC = "planledger.FundClass.QuarterlyReportReviewed"
        quarter: str
        report_sha256: str
        meeting_id: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class._review_latest_issue(self.quarter, self.business_date)

    # ---- identity and creation -------------------------------------------------------------

    @staticmethod
    def create_id(fund_code: str, share_class: str) -> UUID:
        return fund_class_id(fund_code, share_class)

    @classmethod
    def adopt(cls, terms: PlanTerms, fund: FundTerms, provenance: Provenance) -> FundClass:
        """Open the fund class's stream with the plan's terms for it (Schedule A and B)."""
        key = f"plan/{terms.document_sha256}/fund-class/{fund.fund_code}/{terms.share_class}"
        return cls._create(
            cls.PlanAdopted,
            id=fund_class_id(fund.fund_code, terms.share_class),
            **provenance_fields(provenance, terms.effective_date, key),
            plan_key=terms.plan_key,
            plan_title=terms.title,
            document_sha256=terms.document_sha256,
            company_code=fund.company_code,
            company_name=fund.company_name,
            fund_code=fund.fund_code,
            fund_name=fund.fund_name,
            share_class=terms.share_class,
            distributor_name=terms.distributor_name,
            effective_date=terms.effective_date,
            initial_term_end=terms.initial_term_end,
            absc_rate_annual=fund.schedule_b.absc_rate_annual,
            service_rate_annual_max=fund.schedule_b.service_rate_annual_max,
            total_rate_annual_max=fund.schedule_b.total_rate_annual_max,
            day_count=DAY_COUNT_ACTUAL_ACTUAL,
        )

    @classmethod
    def adopt_added_fund(
        cls,
        template: FundClass,
        fund: FundTerms,
        effective_date: date,
        resolution_id: str,
        provenance: Provenance,
    ) -> FundClass:
        """A fund added to Schedule A by an amendment (TWELFTH): the plan's terms of a fund of
        the same Company, the new fund's own rates, in effect from the resolution."""
        violations = find_schedule_b_violations(fund.fund_code, fund.schedule_b)
        if violations:
            raise violations[0]
        key = f"plan-amendment/{resolution_id}/fund-class/{fund.fund_code}/{template.share_class}"
        return cls._create(
            cls.PlanAdopted,
            id=fund_class_id(fund.fund_code, template.share_class),
            **provenance_fields(provenance, effective_date, key),
            plan_key=template.plan_key,
            plan_title=template.plan_title,
            document_sha256=template.document_sha256,
            company_code=template.company_code,
            company_name=template.company_name,
            fund_code=fund.fund_code,
            fund_name=fund.fund_name,
            share_class=template.share_class,
            distributor_name=template.distributor_name,
            effective_date=max(effective_date, template.effective_date),
            initial_term_end=template.initial_term_end,
            absc_rate_annual=fund.schedule_b.absc_rate_annual,
            service_rate_annual_max=fund.schedule_b.service_rate_annual_max,
            total_rate_annual_max=fund.schedule_b.total_rate_annual_max,
            day_count=DAY_COUNT_ACTUAL_ACTUAL,
        )

    def _adopt(self, event: FundClass.PlanAdopted) -> None:
        self.plan_title = event.plan_title
        self.fund_code = event.fund_code
        self.share_class = event.share_class
        self.fund_name = event.fund_name
        self.company_code = event.company_code
        self.company_name = event.company_name
        self.plan_key = event.plan_key
        self.document_sha256 = event.document_sha256
        self.distributor_name = event.distributor_name
        self.effective_date = event.effective_date
        self.initial_term_end = event.initial_term_end
        self.schedule_b_versions = [
            ScheduleBVersion(
                event.effective_date,
                event.absc_rate_annual,
                event.service_rate_annual_max,
                event.total_rate_annual_max,
            )
        ]
        self._start_accounts()
        self._start_governance()
        self._start_cap_account(event.effective_date)

    def _start_accounts(self) -> None:
        self.net_assets_by_date = {}
        self.last_accrued_day = None
        self.segments_by_month = {}
        self.days_by_month = {}
        self.absc_extra_by_month = {}
        self.months_awaiting_true_up = []
        self.accrued_absc_by_month = {}
        self.accrued_service_by_month = {}
        self.paid_absc_total = ZERO
        self.paid_service_total = ZERO
        self.payments = []
        self.payment_digests = {}
        self.expenditure_digests = {}
        self.reversed_payment_references = []
        self.reversed_expenditure_references = []
        self.receivable_by_month = {}
        self.receivable_taken_by_month = {}
        self.receivable_absc_total = ZERO
        self.receivable_service_total = ZERO
        self.refund_digests = {}

    def _start_governance(self) -> None:
        self.approvals = []
        self.continuances = []
        self.amendments = {}
        self.terminated_on = None
        self.termination_reason = ""
        self.agreement_changes = []
        self.new_plans_awaiting_vote = {}
        self.plan_resumptions = []
        self.advance_agreement_approvals = []
        self.approval_exception_resolutions = []
        self.sales_suspended = False
        self.report_issues = []
        self.schedule_a_addition = None

    def _start_cap_account(self, effective_date: date) -> None:
        self.cap_opened_on = None
        self.cap_month_start = effective_date
        self.cap_month_start_remaining = ZERO
        self.cap_lines = []
        self.cap_absc_this_month = {}
        self.cap_digests = {}
        self.absc_suspended = False
        self.cap_service_credits = {}
        self.cap_service_pending = {}

    # ---- approval and continuance (ELEVENTH; rules in governance.py) ---------------------------

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

    def _settle_addition(self, event: FundClass.ShareholderVoteTallied) -> None:
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

    # ---- sales (SIXTH) and the written reports (FOURTH) ---------------------------------------

    def suspend_sales(self, on: date, reason: str, provenance: Provenance) -> None:
        """Recorded only: SIXTH lets payments go on while sales are suspended or limited."""
        key = f"sales-suspended/{self.key}/{on}"
        self.trigger_event(
            self.SalesSuspended, **provenance_fields(provenance, on, key), reason=reason
        )

    def resume_sales(self, on: date, reason: str, provenance: Provenance) -> None:
        key = f"sales-resumed/{self.key}/{on}"
        self.trigger_event(
            self.SalesResumed, **provenance_fields(provenance, on, key), reason=reason
        )

    def latest_report(self, quarter: str) -> ReportIssue | None:
        """The latest issue of the quarter's report, if any."""
        return latest_issues(self.report_issues).get(quarter)

    def issue_quarterly_report(
        self,
        quarter: str,
        report_sha256: str,
        issued_on: date,
        issued_by: str,
        provenance: Provenance,
        *,
        files: Mapping[str, str] | None = None,
    ) -> str:
        """`files`: the SHA-256 of each file issued, by format (the JSON one is
        `report_sha256`)."""
        recorded = self.latest_report(quarter)
        if recorded is not None and recorded.report_sha256 == report_sha256:
            return UNCHANGED
        named = dict(sorted((files or {}).items()))
        if "json" in named and named["json"] != report_sha256:
            raise ValueError(f"the JSON file issued is not the report {report_sha256}")
        key = f"report-issued/{self.key}/{quarter}/{report_sha256[:16]}"
        self.trigger_event(
            self.QuarterlyReportIssued,
            **provenance_fields(provenance, issued_on, key),
            quarter=quarter,
            report_sha256=report_sha256,
            issued_by=issued_by,
            files=named,
        )
        return RECORDED

    def review_quarterly_report(
        self, quarter: str, meeting_id: str, reviewed_on: date, provenance: Provenance
    ) -> str:
        recorded = self.latest_report(quarter)
        if recorded is None or recorded.issued_on > reviewed_on:
            raise RuleViolation(
                "report-not-issued",
                "FOURTH",
                f"{self.key}: no written report for {quarter} was issued by {reviewed_on}",
            )
        if recorded.reviewed_on is not None:
            return UNCHANGED
        key = f"report-reviewed/{self.key}/{quarter}"
        self.trigger_event(
            self.QuarterlyReportReviewed,
            **provenance_fields(provenance, reviewed_on, key),
            quarter=quarter,
            report_sha256=recorded.report_sha256,
            meeting_id=meeting_id,
        )
        return RECORDED

    def _review_latest_issue(self, quarter: str, reviewed_on: date) -> None:
        index = max(i for i, issue in enumerate(self.report_issues) if issue.quarter == quarter)
        self.report_issues[index] = replace(self.report_issues[index], reviewed_on=reviewed_on)
