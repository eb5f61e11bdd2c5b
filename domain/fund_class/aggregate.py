"""The `FundClass` aggregate: one fund's share class under the plan.

It holds what SECOND needs to incur the fee (the Schedule B rates, the term, the daily net
assets), the accruals made, and what was paid to the Distributor and spent under FIFTH. Every
command checks its rules and computes its amounts first; only then does it trigger an event,
whose `apply` assigns values and nothing else (it is replayed on every load).

The class is composed of its roles, each in its module with its events and commands (see
terms_role.py): net_assets_role.py, accruals_role.py, cap_account_role.py,
distributor_balance_role.py, payments_role.py, expenditures_role.py, corrections_role.py,
agreement_role.py, approvals_role.py and reports_role.py. This module holds what makes them
one aggregate: the topic, the snapshot's version and upcasts, the base event class, and the
plan's adoption, which opens the stream and starts every role's state. The rules the roles
call live in governance.py, cap_account.py, corrections.py, late_facts.py and receivable.py,
as functions and small classes over the typed state (records.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accruals_role import AccrualsRole
from domain.fund_class.agreement_role import AgreementRole
from domain.fund_class.approvals_role import ApprovalsRole
from domain.fund_class.cap_account_role import CapAccountRole
from domain.fund_class.corrections_role import CorrectionsRole
from domain.fund_class.distributor_balance_role import DistributorBalanceRole
from domain.fund_class.expenditures_role import ExpendituresRole
from domain.fund_class.net_assets_role import NetAssetsRole
from domain.fund_class.payments_role import PaymentsRole
from domain.fund_class.records import ScheduleBVersion
from domain.fund_class.reports_role import ReportsRole
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


# Every role is a direct base: the library makes the events of the direct bases the
# aggregate's own (`FundClass.<Name>`, registered under its topic), not those of their bases.
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
    ReportsRole,
    TermsRole,
    DirectEvents,
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
