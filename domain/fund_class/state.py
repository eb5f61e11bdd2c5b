"""The attributes of a fund class's state, declared for the type checker.

`FundClass` derives from this plain class rather than declaring them itself: the event
library turns an aggregate class with annotations into a dataclass.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.fund_class.records import (
    AdvanceAgreementApproval,
    AgreementEvent,
    Amendment,
    Approval,
    CapLine,
    Continuance,
    PlanResumption,
    ReportIssue,
    ScheduleAAddition,
    ScheduleBVersion,
    Segment,
)
from domain.records import Payment


class FundClassState:
    """Assigned by `PlanAdopted` and changed only by the events' `apply`."""

    plan_title: str
    fund_code: str
    share_class: str
    fund_name: str
    company_code: str
    company_name: str
    plan_key: str
    document_sha256: str
    distributor_name: str
    effective_date: date
    initial_term_end: date
    schedule_b_versions: list[ScheduleBVersion]
    net_assets_by_date: dict[str, Decimal]
    last_accrued_day: date | None
    # Per month: the basis summed per (rates, day count), the days accrued, and the exact
    # asset-based amounts of days a rule limited; the months whose true-up is due.
    segments_by_month: dict[str, list[Segment]]
    days_by_month: dict[str, int]
    absc_extra_by_month: dict[str, Decimal]
    months_awaiting_true_up: list[str]
    accrued_absc_by_month: dict[str, Decimal]
    accrued_service_by_month: dict[str, Decimal]
    # What payments and receivable offsets settled of each part, less what corrections moved
    # to the receivable: a part's payable (as the journal books it) is its accruals less this.
    paid_absc_total: Decimal
    paid_service_total: Decimal
    payments: list[Payment]
    payment_digests: dict[str, str]
    expenditure_digests: dict[str, str]
    # Separate: a payment and an expenditure may carry the same reference.
    reversed_payment_references: list[str]
    reversed_expenditure_references: list[str]
    # The receivable from the Distributor (decision A16): booked per month when a correction
    # lowers a month already paid, what offsets and refunds took back from each month, the
    # booked total per part, and the refunds received (reference to digest).
    receivable_by_month: dict[str, Decimal]
    receivable_taken_by_month: dict[str, Decimal]
    receivable_absc_total: Decimal
    receivable_service_total: Decimal
    refund_digests: dict[str, str]
    # Governance (ELEVENTH to FOURTEENTH).
    approvals: list[Approval]
    continuances: list[Continuance]
    amendments: dict[str, Amendment]
    terminated_on: date | None
    termination_reason: str
    agreement_changes: list[AgreementEvent]
    # After a lapse (decision Q6b): new plans the board approved that await the shareholders
    # (resolution → board approval date), and the plan years their approvals put back in
    # effect. Agreements approved in advance (Q11a), and the resolutions recorded as
    # exceptions (claiming days no approval covers).
    new_plans_awaiting_vote: dict[str, date]
    plan_resumptions: list[PlanResumption]
    advance_agreement_approvals: list[AdvanceAgreementApproval]
    approval_exception_resolutions: list[str]
    sales_suspended: bool
    # A fund added to Schedule A awaiting (or refused) its shareholders' approval.
    schedule_a_addition: ScheduleAAddition | None
    # Every issue of each quarter's report, in order: a report re-issued after a correction
    # keeps its first issue for the views as of a date before the second.
    report_issues: list[ReportIssue]
    # The FINRA aggregate-cap account (opt-in).
    cap_opened_on: date | None
    cap_month_start: date
    cap_month_start_remaining: Decimal
    cap_lines: list[CapLine]
    # Per day of the account's current month: the deemed charge (both parts, decision A13).
    cap_absc_this_month: dict[str, Decimal]
    cap_digests: dict[str, str]
    absc_suspended: bool
    # The service fees credited back to the account, per provider/fee reference and per month
    # they paid for (decision A13).
    cap_service_credits: dict[str, dict[str, Decimal]]
    # The shares of those fees a month had no room for yet, per provider/fee reference and
    # per month, credited when the month closes with room for them (decision A13).
    cap_service_pending: dict[str, dict[str, Decimal]]
