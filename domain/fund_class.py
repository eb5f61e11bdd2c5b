"""The `FundClass` aggregate: one fund's share class under the plan.

It holds what SECOND needs to incur the fee (the Schedule B rates, the term, the daily net
assets), the accruals made, and what was paid to the Distributor and spent under FIFTH. Every
command checks its rules and computes its amounts first; only then does it trigger an event,
whose `apply` assigns values and nothing else (it is replayed on every load).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.accrual import (
    ROUNDING_POLICY,
    BasisSegment,
    DailyAccrual,
    MonthTrueUp,
    PartRates,
    compute_daily_accrual,
    compute_month_true_up,
    split_cents,
)
from domain.basis import DayBasis, bases_for_days
from domain.errors import RuleViolation
from domain.events import (
    LedgerEvent,
    Provenance,
    is_replay_of,
    payload_digest,
    provenance_fields,
)
from domain.expenditures import Performer, Purpose, expenditure_digest, expenditure_digest_of
from domain.finra import limit_absc
from domain.fund_class_cap import FundClassCapAccount, PrimeRates
from domain.fund_class_corrections import FundClassCorrections
from domain.fund_class_governance import FundClassGovernance
from domain.ids import fund_class_id, fund_class_key
from domain.money import ZERO, exact_add, exact_sum, shown_exact
from domain.periods import ONE_DAY, Period, is_last_day_of_month, month_label
from domain.plan import FundTerms, PlanTerms, find_schedule_b_violations
from domain.rates import DAY_COUNT_ACTUAL_ACTUAL
from domain.terms import NotInEffect, PlanStanding

RECORDED = "recorded"
UNCHANGED = "unchanged"
RESTATED = "restated"


def _no_prime_rate(day: date) -> Decimal | None:
    return None


def _gaps(standing: PlanStanding, days_not_in_effect: list[date]) -> list[EffectGap]:
    """Group consecutive days not in effect that share the same reason."""
    gaps: list[EffectGap] = []
    for day in days_not_in_effect:
        kind, why = standing.why_not_in_effect(day)
        last = gaps[-1] if gaps else None
        if last is not None and last.last_day + ONE_DAY == day and last.kind is kind:
            gaps[-1] = EffectGap(last.first_day, day, kind, last.why)
        else:
            gaps.append(EffectGap(day, day, kind, why))
    return gaps


@dataclass(frozen=True)
class EffectGap:
    """A run of days on which no accrual may be made, and why."""

    first_day: date
    last_day: date
    kind: NotInEffect
    why: str

    def describe(self) -> str:
        days = (
            f"{self.first_day}"
            if self.first_day == self.last_day
            else (f"{self.first_day}..{self.last_day}")
        )
        return f"not in effect {days}: {self.why}"


@dataclass(frozen=True)
class AccrualPlan:
    """What an accrual run will do for one fund class: each calendar day, its authority (None
    where no accrual may be made), the basis of each day in effect, and the gaps."""

    calendar_days: list[date]
    authorities: dict[date, str | None]
    bases: list[DayBasis]
    gaps: list[EffectGap]


@dataclass(frozen=True)
class AccrualRunSummary:
    fund_class: str
    days_accrued: int
    first_day: date | None
    last_day: date | None
    amount: Decimal
    true_ups: int
    gaps: list[EffectGap]

    @property
    def refusals(self) -> list[EffectGap]:
        """Gaps that are compliance failures (a lapse, no approval), not decisions."""
        return [gap for gap in self.gaps if gap.kind.is_refusal]


class FundClass(FundClassGovernance, FundClassCapAccount, FundClassCorrections, Aggregate):
    TOPIC = "planledger.FundClass"
    # The version of the state a snapshot keeps; each step up has its `upcast_vN_vM` below.
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 kept one list of reversed references for payments and expenditures,
        each reference at most once. A reversed payment left `payments` but kept its digest,
        so the references of payments no longer paid are the payment reversals; the rest
        are expenditure reversals."""
        reversed_references = state.pop("reversed_references")
        still_paid = {payment["reference"] for payment in state["payments"]}
        payments = [
            reference
            for reference in reversed_references
            if reference in state["payment_digests"] and reference not in still_paid
        ]
        state["reversed_payment_references"] = payments
        state["reversed_expenditure_references"] = [
            reference for reference in reversed_references if reference not in payments
        ]

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 2 kept only the latest issue of each quarter's report: it becomes the
        history's one entry for that quarter."""
        state["report_issues"] = [
            {"quarter": quarter, **details} for quarter, details in sorted(state["reports"].items())
        ]

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

    class NetAssetsRecorded(Event):
        TOPIC = "planledger.FundClass.NetAssetsRecorded"
        net_assets: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class.net_assets_by_date[self.business_date.isoformat()] = self.net_assets

    class NetAssetsRestated(Event):
        TOPIC = "planledger.FundClass.NetAssetsRestated"
        net_assets: Decimal
        net_assets_previous: Decimal | None
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.net_assets_by_date[self.business_date.isoformat()] = self.net_assets

    class FeeAccrued(Event):
        TOPIC = "planledger.FundClass.FeeAccrued"
        basis_date: date
        basis_net_assets: Decimal
        absc_rate_annual: Decimal
        service_rate_annual: Decimal
        day_count: str
        days_in_year: int
        amount_exact: Decimal
        absc_amount_exact: Decimal
        service_amount_exact: Decimal
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        rounding_policy: str
        authority: str
        absc_limited_by: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class._apply_accrual(self)

    class AccrualTrueUpPosted(Event):
        TOPIC = "planledger.FundClass.AccrualTrueUpPosted"
        month: str
        days_accrued: int
        amount_exact: Decimal
        absc_amount_exact: Decimal
        service_amount_exact: Decimal
        month_amount: Decimal
        month_absc_amount: Decimal
        month_service_amount: Decimal
        booked_amount: Decimal
        booked_absc_amount: Decimal
        booked_service_amount: Decimal
        adjustment_amount: Decimal
        adjustment_absc: Decimal
        adjustment_service: Decimal
        rounding_policy: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class._apply_true_up(self)

    class DistributorPaid(Event):
        TOPIC = "planledger.FundClass.DistributorPaid"
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        period_start: date
        period_end_exclusive: date
        reference: str
        is_advance: bool
        reason: str
        payable_before: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class._apply_payment(self)

    class ExpenditureRecorded(Event):
        TOPIC = "planledger.FundClass.ExpenditureRecorded"
        purpose: str
        performer: str
        performer_name: str
        amount: Decimal
        period_start: date
        period_end_exclusive: date
        description: str
        reference: str
        company_agreement_reference: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.expenditure_digests[self.reference] = expenditure_digest(self)

    # ---- corrections (see domain/fund_class_corrections.py) ----------------------------------

    class FeeAccrualAdjusted(Event):
        TOPIC = "planledger.FundClass.FeeAccrualAdjusted"
        restatement_key: str
        reason: str
        basis_date_previous: date
        basis_net_assets_previous: Decimal
        basis_date: date
        basis_net_assets: Decimal
        absc_rate_annual: Decimal
        service_rate_annual: Decimal
        days_in_year: int
        absc_amount_exact_delta: Decimal
        service_amount_exact_delta: Decimal
        absc_amount_delta: Decimal
        service_amount_delta: Decimal
        amount_delta: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class._apply_adjustment(self)

    class DistributorPaymentReversed(Event):
        TOPIC = "planledger.FundClass.DistributorPaymentReversed"
        reference: str
        reversed_version: int
        amount: Decimal
        absc_amount: Decimal
        service_amount: Decimal
        period_start: date
        period_end_exclusive: date
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class._apply_payment_reversal(self)

    class ExpenditureReversed(Event):
        TOPIC = "planledger.FundClass.ExpenditureReversed"
        reference: str
        reversed_version: int
        amount: Decimal
        purpose: str
        performer: str
        performer_name: str
        period_start: date
        period_end_exclusive: date
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.reversed_expenditure_references.append(self.reference)

    # ---- governance events (see domain/fund_class_governance.py) -----------------------------

    class PlanApproved(Event):
        TOPIC = "planledger.FundClass.PlanApproved"
        resolution_id: str
        meeting_id: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.approvals.append(
                {"resolution_id": self.resolution_id, "approved_on": self.business_date}
            )

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
                {
                    "resolution_id": self.resolution_id,
                    "approved_on": self.business_date,
                    "period_end_inclusive": self.period_end_inclusive,
                    "covers_from": self.covers_from,
                }
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
            fund_class.amendments[self.amendment_id] = {
                "approved_on": self.business_date,
                "absc_rate_annual": self.absc_rate_annual,
                "service_rate_annual_max": self.service_rate_annual_max,
                "total_rate_annual_max": self.total_rate_annual_max,
                "status": "pending",
            }

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
                fund_class.amendments[self.subject_id]["status"] = "failed"

    class ScheduleBAmended(Event):
        TOPIC = "planledger.FundClass.ScheduleBAmended"
        amendment_id: str
        effective_from: date
        absc_rate_annual: Decimal
        service_rate_annual_max: Decimal
        total_rate_annual_max: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class.amendments[self.amendment_id]["status"] = "effective"
            fund_class.schedule_b_versions.append(
                {
                    "effective_from": self.effective_from,
                    "absc_rate_annual": self.absc_rate_annual,
                    "service_rate_annual_max": self.service_rate_annual_max,
                    "total_rate_annual_max": self.total_rate_annual_max,
                }
            )
            fund_class.schedule_b_versions.sort(key=lambda version: version["effective_from"])

    class PlanTerminated(Event):
        TOPIC = "planledger.FundClass.PlanTerminated"
        by: str
        reference: str
        effective_on: date

        def apply(self, fund_class: FundClass) -> None:
            fund_class.terminated_on = self.effective_on
            fund_class.termination_reason = f"by {self.by}, {self.reference}"

    class AgreementTerminated(Event):
        TOPIC = "planledger.FundClass.AgreementTerminated"
        reason: str
        reference: str
        effective_on: date

        def apply(self, fund_class: FundClass) -> None:
            fund_class.agreement_changes.append(
                {"effective_on": self.effective_on, "in_effect": False, "reason": self.reason}
            )

    class TerminationNoticeGiven(Event):
        TOPIC = "planledger.FundClass.TerminationNoticeGiven"
        by: str
        method: str
        sent_on: date
        received_on: date | None
        notice_effective_on: date
        termination_effective_on: date
        document_reference: str

    class AssignmentRecorded(Event):
        TOPIC = "planledger.FundClass.AssignmentRecorded"
        description: str
        rule_2a6_exempt: bool
        determination_reference: str

    class AgreementRestored(Event):
        TOPIC = "planledger.FundClass.AgreementRestored"
        kind: str
        resolution_id: str
        distributor_name: str
        effective_on: date
        retroactive: bool

        def apply(self, fund_class: FundClass) -> None:
            fund_class.agreement_changes.append(
                {
                    "effective_on": self.effective_on,
                    "in_effect": True,
                    "reason": f"{self.kind.replace('_', ' ')} with {self.distributor_name}",
                    "resolution_id": self.resolution_id,
                }
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
        quarter: str
        report_sha256: str
        issued_by: str

        def apply(self, fund_class: FundClass) -> None:
            issue = {
                "report_sha256": self.report_sha256,
                "issued_on": self.business_date,
                "reviewed_on": None,
            }
            fund_class.reports[self.quarter] = issue
            fund_class.report_issues.append({"quarter": self.quarter, **issue})

    class QuarterlyReportReviewed(Event):
        TOPIC = "planledger.FundClass.QuarterlyReportReviewed"
        quarter: str
        report_sha256: str
        meeting_id: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.reports[self.quarter]["reviewed_on"] = self.business_date
            latest = [i for i in fund_class.report_issues if i["quarter"] == self.quarter][-1]
            latest["reviewed_on"] = self.business_date

    # ---- FINRA aggregate-cap events (see domain/fund_class_cap.py) ----------------------------

    class FinraCapAccountOpened(Event):
        TOPIC = "planledger.FundClass.FinraCapAccountOpened"
        opening_remaining: Decimal
        note: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.cap_opened_on = self.business_date
            fund_class.cap_month_start = self.business_date + ONE_DAY
            fund_class.cap_month_start_remaining = self.opening_remaining

    class NewGrossSalesRecorded(Event):
        TOPIC = "planledger.FundClass.NewGrossSalesRecorded"
        gross_sales: Decimal
        reinvested_distributions: Decimal
        exchanges: Decimal
        new_gross_sales: Decimal
        cap_rate: Decimal
        cap_added: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class.cap_lines.append(
                {"date": self.business_date, "amount": self.cap_added, "kind": "new_gross_sales"}
            )
            fund_class.cap_digests[self.idempotency_key] = payload_digest(
                self.gross_sales, self.reinvested_distributions, self.exchanges
            )

    class SalesChargeReceived(Event):
        TOPIC = "planledger.FundClass.SalesChargeReceived"
        kind: str
        amount: Decimal
        reference: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.cap_lines.append(
                {"date": self.business_date, "amount": -self.amount, "kind": self.kind}
            )
            fund_class.cap_digests[self.idempotency_key] = payload_digest(
                self.business_date, self.kind, self.amount
            )

    class CapInterestCredited(Event):
        TOPIC = "planledger.FundClass.CapInterestCredited"
        month: str
        amount: Decimal
        amount_exact: Decimal
        remaining_after: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class.cap_month_start = self.business_date + ONE_DAY
            fund_class.cap_month_start_remaining = self.remaining_after
            fund_class.cap_absc_this_month = {}
            fund_class.cap_lines = [
                line for line in fund_class.cap_lines if line["date"] > self.business_date
            ]

    class AbscSuspended(Event):
        TOPIC = "planledger.FundClass.AbscSuspended"
        remaining: Decimal
        reason: str

        def apply(self, fund_class: FundClass) -> None:
            fund_class.absc_suspended = True

    class AbscResumed(Event):
        TOPIC = "planledger.FundClass.AbscResumed"
        remaining: Decimal

        def apply(self, fund_class: FundClass) -> None:
            fund_class.absc_suspended = False

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
        self.schedule_b_versions: list[dict[str, Any]] = [
            {
                "effective_from": event.effective_date,
                "absc_rate_annual": event.absc_rate_annual,
                "service_rate_annual_max": event.service_rate_annual_max,
                "total_rate_annual_max": event.total_rate_annual_max,
            }
        ]
        self.net_assets_by_date: dict[str, Decimal] = {}
        self.last_accrued_day: date | None = None
        # Per month: the basis summed per (rates, day count), the days accrued, and the exact
        # asset-based amounts of days a rule limited; the months whose true-up is due.
        self.segments_by_month: dict[str, list[dict[str, Any]]] = {}
        self.days_by_month: dict[str, int] = {}
        self.absc_extra_by_month: dict[str, Decimal] = {}
        self.months_awaiting_true_up: list[str] = []
        self.accrued_absc_by_month: dict[str, Decimal] = {}
        self.accrued_service_by_month: dict[str, Decimal] = {}
        self.paid_absc_total = ZERO
        self.paid_service_total = ZERO
        self.payments: list[dict[str, Any]] = []
        self.payment_digests: dict[str, str] = {}
        self.expenditure_digests: dict[str, str] = {}
        # Separate: a payment and an expenditure may carry the same reference.
        self.reversed_payment_references: list[str] = []
        self.reversed_expenditure_references: list[str] = []
        # Governance (ELEVENTH to FOURTEENTH).
        self.approvals: list[dict[str, Any]] = []
        self.continuances: list[dict[str, Any]] = []
        self.amendments: dict[str, dict[str, Any]] = {}
        self.terminated_on: date | None = None
        self.termination_reason = ""
        self.agreement_changes: list[dict[str, Any]] = []
        self.sales_suspended = False
        self.reports: dict[str, dict[str, Any]] = {}  # the latest issue of each quarter
        # Every issue, in order: a report re-issued after a correction keeps its first issue
        # for the views as of a date before the second.
        self.report_issues: list[dict[str, Any]] = []
        # The FINRA aggregate-cap account (opt-in).
        self.cap_opened_on: date | None = None
        self.cap_month_start: date = event.effective_date
        self.cap_month_start_remaining = ZERO
        self.cap_lines: list[dict[str, Any]] = []
        self.cap_absc_this_month: dict[str, Decimal] = {}
        self.cap_digests: dict[str, str] = {}
        self.absc_suspended = False

    @property
    def key(self) -> str:
        return fund_class_key(self.fund_code, self.share_class)

    # ---- terms ------------------------------------------------------------------------------

    def rates_on(self, day: date) -> PartRates:
        """The Schedule B rates in force on `day` (the asset-based part and the service part)."""
        schedule_b = self.schedule_b_on(day)
        return PartRates(schedule_b.absc_rate_annual, schedule_b.service_rate_annual_max)

    def service_rate_max_on(self, day: date) -> Decimal:
        return self.rates_on(day).service_rate_annual

    def service_rate_max_lowest_during(self, start: date, end_inclusive: date | None) -> Decimal:
        """The lowest Schedule B maximum service fee in force on any day from `start`."""
        rates = [self.service_rate_max_on(start)]
        for version in self.schedule_b_versions:
            starts = version["effective_from"]
            if start < starts and (end_inclusive is None or starts <= end_inclusive):
                rates.append(version["service_rate_annual_max"])
        return min(rates)

    # ---- net assets -------------------------------------------------------------------------

    def check_net_assets(self, day: date, net_assets: Decimal) -> str | None:
        """Why recording this figure needs a restatement, or None if it does not."""
        recorded = self.net_assets_by_date.get(day.isoformat())
        if recorded is not None and recorded != net_assets:
            return f"{self.key} {day}: differs from the recorded {recorded}"
        if recorded is None and self.last_accrued_day is not None and day <= self.last_accrued_day:
            return (
                f"{self.key} {day}: that day was already accrued on the basis of an earlier figure"
            )
        return None

    def record_net_assets(
        self,
        day: date,
        net_assets: Decimal,
        provenance: Provenance,
        restatement_reason: str | None = None,
    ) -> str:
        """Record the class's net assets for a day; idempotent for an identical figure.

        Raises:
            RuleViolation: the figure changes a recorded or accrued day and no reason was given.
        """
        recorded = self.net_assets_by_date.get(day.isoformat())
        if recorded == net_assets:
            return UNCHANGED
        problem = self.check_net_assets(day, net_assets)
        if problem is None:
            key = f"net-assets/{self.key}/{day}"
            self.trigger_event(
                self.NetAssetsRecorded,
                **provenance_fields(provenance, day, key),
                net_assets=net_assets,
            )
            return RECORDED
        if not restatement_reason:
            raise RuleViolation(
                "net-assets-restatement-required",
                "SECOND, Schedule B",
                f"{problem}; import it as a restatement with a reason",
            )
        # The stream version makes the key unique: a day may be restated to a figure it held
        # before (X, then Y, then X again), and each restatement is its own fact.
        key = f"net-assets-restatement/{self.key}/{day}/{net_assets}@v{self.version + 1}"
        figures_before = dict(self.net_assets_by_date)
        self.trigger_event(
            self.NetAssetsRestated,
            **provenance_fields(provenance, day, key),
            net_assets=net_assets,
            net_assets_previous=recorded,
            reason=restatement_reason,
        )
        # Days already accrued on the old figure are corrected now, in the same transaction.
        self.correct_accruals_after_restatement(
            day, figures_before, key, restatement_reason, provenance
        )
        return RESTATED

    # ---- accruals ---------------------------------------------------------------------------

    def accrue_through(
        self,
        through: date,
        provenance: Provenance,
        *,
        max_carry_days: int,
        prime_rate_on: PrimeRates | None = None,
    ) -> AccrualRunSummary:
        """Accrue every calendar day in effect after the last accrued day, up to `through`.

        Raises:
            MissingFiguresError: a run of days without net assets longer than the limit.
        """
        prime_rates = prime_rate_on or _no_prime_rate
        plan = self.plan_accrual(through, max_carry_days=max_carry_days, prime_rate_on=prime_rates)
        return self.accrue(plan, provenance, prime_rate_on=prime_rates)

    def plan_accrual(
        self,
        through: date,
        *,
        max_carry_days: int,
        prime_rate_on: PrimeRates = None,  # type: ignore[assignment]
    ) -> AccrualPlan:
        """Find the authority and the basis of every day to accrue, triggering nothing.

        Every basis is found before any event is triggered, so missing net assets (or missing
        prime rates, for a class with an aggregate-cap account) refuse the whole run.

        Raises:
            MissingFiguresError: a run of days without net assets longer than the limit.
            RuleViolation: prime rates are missing.
        """
        first_day = self._first_unaccrued_day()
        if through < first_day:
            return AccrualPlan([], {}, [], [])
        standing = self.standing()
        calendar_days = list(Period(first_day, through + ONE_DAY).each_day())
        authorities = standing.authorities_by_day(calendar_days)
        effective_days = [day for day in calendar_days if authorities[day] is not None]
        bases = bases_for_days(
            self.net_assets_by_date,
            effective_days,
            max_carry_days=max_carry_days,
            subject=f"{self.key} net assets",
        )
        missing = self.missing_prime_rates(calendar_days, prime_rate_on or _no_prime_rate)
        if missing:
            raise RuleViolation(
                "prime-rate-missing",
                "SECOND; NASD 2830(d) (interest at prime + 1%)",
                f"{self.key}: no prime rate is recorded for {missing[0]}"
                + (f" to {missing[-1]}" if len(missing) > 1 else ""),
            )
        gaps = _gaps(standing, [day for day in calendar_days if authorities[day] is None])
        return AccrualPlan(calendar_days, authorities, bases, gaps)

    def accrue(
        self,
        plan: AccrualPlan,
        provenance: Provenance,
        *,
        prime_rate_on: PrimeRates = None,  # type: ignore[assignment]
    ) -> AccrualRunSummary:
        """Trigger the accruals, true-ups and cap-interest credits of a plan from `plan_accrual`.

        A month's true-up (and interest credit) is posted once the run passes the month's end.
        """
        if not plan.calendar_days:
            return AccrualRunSummary(self.key, 0, None, None, ZERO, 0, [])
        assert plan.calendar_days[0] == self._first_unaccrued_day(), (
            "the plan was made for another state of this fund class"
        )
        basis_by_day = {basis.day: basis for basis in plan.bases}
        amount = ZERO
        true_ups = 0
        for day in plan.calendar_days:
            basis = basis_by_day.get(day)
            if basis is not None:
                accrual = self._accrual_for(basis, provenance)
                self._trigger_accrual(accrual, str(plan.authorities[day]), provenance)
                amount += accrual.amount
            if is_last_day_of_month(day):
                true_up = self._close_month(day, provenance, prime_rate_on or _no_prime_rate)
                if true_up is not None:
                    true_ups += 1
                    amount += true_up.adjustment_amount
        return AccrualRunSummary(
            self.key,
            len(plan.bases),
            plan.bases[0].day if plan.bases else None,
            plan.bases[-1].day if plan.bases else None,
            amount,
            true_ups,
            plan.gaps,
        )

    def _accrual_for(self, basis: DayBasis, provenance: Provenance) -> DailyAccrual:
        """The day's accrual, its asset-based part limited by the aggregate cap if need be."""
        rates = self.rates_on(basis.day)
        accrual = compute_daily_accrual(basis.day, basis.basis_date, basis.net_assets, rates)
        if self.cap_opened_on is None or basis.day <= self.cap_opened_on:
            return accrual
        remaining = self.cap_available_on(basis.day)
        limit = limit_absc(accrual.absc_amount, remaining)
        if limit.allowed_cents is None:
            if self.absc_suspended:
                key = f"absc-resumed/{self.key}/{basis.day}"
                self.trigger_event(
                    self.AbscResumed,
                    **provenance_fields(provenance, basis.day, key),
                    remaining=remaining,
                )
            return accrual
        if not self.absc_suspended:
            key = f"absc-suspended/{self.key}/{basis.day}"
            self.trigger_event(
                self.AbscSuspended,
                **provenance_fields(provenance, basis.day, key),
                remaining=remaining,
                reason=limit.reason,
            )
        return compute_daily_accrual(
            basis.day,
            basis.basis_date,
            basis.net_assets,
            rates,
            absc_limit=limit.allowed_cents,
            limited_by=limit.reason,
        )

    def _close_month(
        self, month_end: date, provenance: Provenance, prime_rate_on: PrimeRates
    ) -> MonthTrueUp | None:
        """Post the month's true-up (if it has new accruals) and its cap interest."""
        true_up = None
        if month_label(month_end) in self.months_awaiting_true_up:
            true_up = self._compute_true_up(month_label(month_end))
            self._trigger_true_up(true_up, month_end, provenance)
        if self.cap_opened_on is not None and month_end > self.cap_opened_on:
            self.credit_cap_interest(month_end, prime_rate_on, provenance)
        return true_up

    def _trigger_accrual(
        self, accrual: DailyAccrual, authority: str, provenance: Provenance
    ) -> None:
        self.trigger_event(
            self.FeeAccrued,
            **provenance_fields(provenance, accrual.day, f"accrual/{self.key}/{accrual.day}"),
            basis_date=accrual.basis_date,
            basis_net_assets=accrual.basis_net_assets,
            absc_rate_annual=accrual.rates.absc_rate_annual,
            service_rate_annual=accrual.rates.service_rate_annual,
            day_count=DAY_COUNT_ACTUAL_ACTUAL,
            days_in_year=accrual.days_in_year,
            amount_exact=shown_exact(accrual.amount_exact),
            absc_amount_exact=shown_exact(accrual.absc_amount_exact),
            service_amount_exact=shown_exact(accrual.service_amount_exact),
            amount=accrual.amount,
            absc_amount=accrual.absc_amount,
            service_amount=accrual.service_amount,
            rounding_policy=ROUNDING_POLICY,
            authority=authority,
            absc_limited_by=accrual.absc_limited_by,
        )

    def _compute_true_up(self, month: str) -> MonthTrueUp:
        segments = [
            BasisSegment(
                PartRates(segment["absc_rate_annual"], segment["service_rate_annual"]),
                segment["days_in_year"],
                segment["net_assets_sum"],
            )
            for segment in self.segments_by_month[month]
        ]
        return compute_month_true_up(
            month,
            self.days_by_month[month],
            segments,
            self.accrued_absc_by_month[month],
            self.accrued_service_by_month[month],
            absc_extra_exact=self.absc_extra_by_month.get(month, ZERO),
        )

    def _trigger_true_up(
        self, true_up: MonthTrueUp, month_end: date, provenance: Provenance, key_suffix: str = ""
    ) -> None:
        key = f"accrual-true-up/{self.key}/{true_up.month}{key_suffix}"
        self.trigger_event(
            self.AccrualTrueUpPosted,
            **provenance_fields(provenance, month_end, key),
            month=true_up.month,
            days_accrued=true_up.days_accrued,
            amount_exact=shown_exact(true_up.amount_exact),
            absc_amount_exact=shown_exact(true_up.absc_amount_exact),
            service_amount_exact=shown_exact(true_up.service_amount_exact),
            month_amount=true_up.month_amount,
            month_absc_amount=true_up.month_absc_amount,
            month_service_amount=true_up.month_service_amount,
            booked_amount=true_up.booked_amount,
            booked_absc_amount=true_up.booked_absc_amount,
            booked_service_amount=true_up.booked_service_amount,
            adjustment_amount=true_up.adjustment_amount,
            adjustment_absc=true_up.adjustment_absc,
            adjustment_service=true_up.adjustment_service,
            rounding_policy=ROUNDING_POLICY,
        )

    def _apply_accrual(self, event: FundClass.FeeAccrued) -> None:
        month = month_label(event.business_date)
        if month not in self.months_awaiting_true_up:
            self.months_awaiting_true_up.append(month)
        self.days_by_month[month] = self.days_by_month.get(month, 0) + 1
        absc_rate = event.absc_rate_annual
        if event.absc_limited_by:
            # The day's asset-based part is not rate × basis: keep it exactly, outside segments.
            absc_rate = ZERO
            self.absc_extra_by_month[month] = exact_add(
                self.absc_extra_by_month.get(month, ZERO), event.absc_amount_exact
            )
        self._add_to_segment(month, absc_rate, event)
        self._add_accrued(month, event.absc_amount, event.service_amount)
        self.last_accrued_day = event.business_date
        if self.cap_opened_on is not None and event.business_date > self.cap_opened_on:
            self.cap_absc_this_month[event.business_date.isoformat()] = event.absc_amount

    def _add_to_segment(self, month: str, absc_rate: Decimal, event: FundClass.FeeAccrued) -> None:
        segments = self.segments_by_month.setdefault(month, [])
        for segment in segments:
            if (
                segment["absc_rate_annual"] == absc_rate
                and segment["service_rate_annual"] == event.service_rate_annual
                and segment["days_in_year"] == event.days_in_year
            ):
                segment["net_assets_sum"] = exact_add(
                    segment["net_assets_sum"], event.basis_net_assets
                )
                return
        segments.append(
            {
                "absc_rate_annual": absc_rate,
                "service_rate_annual": event.service_rate_annual,
                "days_in_year": event.days_in_year,
                "net_assets_sum": event.basis_net_assets,
            }
        )

    def _apply_true_up(self, event: FundClass.AccrualTrueUpPosted) -> None:
        self._add_accrued(event.month, event.adjustment_absc, event.adjustment_service)
        if self.cap_opened_on is not None and event.business_date > self.cap_opened_on:
            # The month's asset-based charge is what it books, true-up included.
            iso_day = event.business_date.isoformat()
            self.cap_absc_this_month[iso_day] = exact_add(
                self.cap_absc_this_month.get(iso_day, ZERO), event.adjustment_absc
            )
        if event.month in self.months_awaiting_true_up:  # a revision finds the month closed
            self.months_awaiting_true_up.remove(event.month)

    def _add_accrued(self, month: str, absc: Decimal, service: Decimal) -> None:
        self.accrued_absc_by_month[month] = exact_add(
            self.accrued_absc_by_month.get(month, ZERO), absc
        )
        self.accrued_service_by_month[month] = exact_add(
            self.accrued_service_by_month.get(month, ZERO), service
        )

    # ---- payments to the Distributor --------------------------------------------------------

    @property
    def payable(self) -> Decimal:
        accrued = exact_sum(
            [*self.accrued_absc_by_month.values(), *self.accrued_service_by_month.values()]
        )
        return accrued - self.paid_absc_total - self.paid_service_total

    def accrued_in(self, period: Period) -> tuple[Decimal, Decimal]:
        months = period.months()
        absc = sum((self.accrued_absc_by_month.get(month, ZERO) for month in months), ZERO)
        service = sum((self.accrued_service_by_month.get(month, ZERO) for month in months), ZERO)
        return absc, service

    def accrued_unpaid_in(self, period: Period) -> Decimal:
        """What was accrued for the months of `period`, less payments made for those months."""
        absc, service = self.accrued_in(period)
        paid = sum(
            (
                payment["amount"]
                for payment in self.payments
                if period.start <= payment["period_start"]
                and payment["period_end_exclusive"] <= period.end_exclusive
            ),
            ZERO,
        )
        return max(absc + service - paid, ZERO)

    def pay_distributor(
        self,
        *,
        amount: Decimal,
        paid_on: date,
        period: Period,
        reference: str,
        provenance: Provenance,
        advance_reason: str | None = None,
    ) -> str:
        """Record a payment of plan fees to the Distributor (SECOND, SIXTH).

        Raises:
            RuleViolation: the period is not whole months in the plan's term, the reference was
                used for another payment, or the amount exceeds the payable balance and is not
                an advance with a reason.
        """
        digest = payload_digest(amount, paid_on, period.start, period.end_exclusive, advance_reason)
        if is_replay_of(self.payment_digests, reference, digest, f"{self.key} payment"):
            return UNCHANGED
        self._check_payment_period(period, is_advance=amount > self.payable)
        payable = self.payable
        if amount > payable and not advance_reason:
            raise RuleViolation(
                "payment-exceeds-payable",
                "SECOND, SIXTH",
                f"{self.key}: payment {amount} exceeds the payable balance {payable}; "
                f"record it as an advance with a reason if it is one",
            )
        absc_amount, service_amount = self._allocate_payment(amount, period)
        self.trigger_event(
            self.DistributorPaid,
            **provenance_fields(provenance, paid_on, f"distributor-payment/{reference}"),
            amount=amount,
            absc_amount=absc_amount,
            service_amount=service_amount,
            period_start=period.start,
            period_end_exclusive=period.end_exclusive,
            reference=reference,
            is_advance=bool(advance_reason),
            reason=advance_reason or "",
            payable_before=payable,
        )
        return RECORDED

    def _check_payment_period(self, period: Period, *, is_advance: bool) -> None:
        if not period.is_whole_months():
            raise RuleViolation(
                "payment-period",
                "SECOND; settled monthly (decision Q17)",
                f"{self.key}: a Distributor payment covers whole calendar months, "
                f"not {period.label()}",
            )
        standing = self.standing()
        days_in_effect = standing.days_in_effect(period)
        if not days_in_effect:
            _, why = standing.why_not_in_effect(period.start)
            raise RuleViolation(
                "plan-not-in-effect",
                "ELEVENTH, THIRTEENTH",
                f"{self.key}: no day of {period.label()} is in effect: {why}",
            )
        if is_advance and len(days_in_effect) < period.days:
            first_gap = next(day for day in period.each_day() if day not in days_in_effect)
            _, why = standing.why_not_in_effect(first_gap)
            raise RuleViolation(
                "plan-not-in-effect",
                "ELEVENTH, THIRTEENTH",
                f"{self.key}: an advance for {period.label()} would pay for {first_gap}, which is "
                f"not in effect: {why}",
            )

    def _allocate_payment(self, amount: Decimal, period: Period) -> list[Decimal]:
        absc, service = self.accrued_in(period)
        if absc + service > ZERO:
            return split_cents(amount, [absc, service])
        rates = self.rates_on(period.start)
        return split_cents(amount, [rates.absc_rate_annual, rates.service_rate_annual])

    def _apply_payment(self, event: FundClass.DistributorPaid) -> None:
        self.paid_absc_total = exact_add(self.paid_absc_total, event.absc_amount)
        self.paid_service_total = exact_add(self.paid_service_total, event.service_amount)
        self.payments.append(
            {
                "reference": event.reference,
                "period_start": event.period_start,
                "period_end_exclusive": event.period_end_exclusive,
                "amount": event.amount,
            }
        )
        self.payment_digests[event.reference] = payload_digest(
            event.amount,
            event.business_date,
            event.period_start,
            event.period_end_exclusive,
            event.reason or None,
        )

    # ---- expenditures (FIFTH) ----------------------------------------------------------------

    def record_expenditure(
        self,
        *,
        incurred_on: date,
        period: Period,
        purpose: Purpose,
        performer: Performer,
        performer_name: str,
        amount: Decimal,
        description: str,
        reference: str,
        company_agreement_reference: str,
        provenance: Provenance,
    ) -> str:
        """Record what the Distributor spent, and for which FIFTH purpose (reporting only, Q3).

        Raises:
            RuleViolation: "other agreed services" without the Company's agreement reference, or
                a reference reused for different details.
        """
        event_fields = {
            "purpose": purpose.value,
            "performer": performer.value,
            "performer_name": performer_name,
            "amount": amount,
            "period_start": period.start,
            "period_end_exclusive": period.end_exclusive,
            "description": description,
            "reference": reference,
            "company_agreement_reference": company_agreement_reference,
        }
        digest = expenditure_digest_of(incurred_on, event_fields)
        if is_replay_of(self.expenditure_digests, reference, digest, f"{self.key} expenditure"):
            return UNCHANGED
        if purpose is Purpose.OTHER_AGREED_SERVICES and not company_agreement_reference:
            raise RuleViolation(
                "other-services-need-agreement",
                "FIFTH",
                f"{self.key} {reference}: other services and activities must be agreed upon by "
                f"the Company; give the agreement's reference",
            )
        self.trigger_event(
            self.ExpenditureRecorded,
            **provenance_fields(provenance, incurred_on, f"expenditure/{reference}"),
            **event_fields,
        )
        return RECORDED
