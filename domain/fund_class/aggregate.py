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
from domain.fund_class.approvals_role import ApprovalsRole
from domain.fund_class.cap_account_role import CapAccountRole
from domain.fund_class.corrections_role import CorrectionsRole
from domain.fund_class.distributor_balance_role import DistributorBalanceRole
from domain.fund_class.expenditures_role import ExpendituresRole
from domain.fund_class.governance import latest_issues
from domain.fund_class.net_assets_role import NetAssetsRole
from domain.fund_class.payments_role import PaymentsRole
from domain.fund_class.records import ReportIssue, ScheduleBVersion
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
from domain.ids import fund_class_id
from domain.money import ZERO
from domain.plan import FundTerms, PlanTerms, find_schedule_b_violations
from domain.rates import DAY_COUNT_ACTUAL_ACTUAL


class FundClass(
    ApprovalsRole,
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
