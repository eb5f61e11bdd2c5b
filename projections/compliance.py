"""The compliance view of a fund class on a date: a pure fold over its events.

For each fund class, as of a business date: whether the plan and the agreement are in effect
and by what authority; when the next continuance must be approved; which quarters' written
reports (FOURTH) are not yet reviewed by the board; notices that will end the agreement; and the
headroom under the FINRA caps. Items that are overdue make the view fail (exit code 1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import singledispatch
from typing import Any

from domain.fund_class import FundClass
from domain.fund_class.cap_account import account_charge, deemed_charge, withheld_for_the_cap
from domain.fund_class.governance import ADD_FUND_SUBJECT, addition_note, resumed_interval
from domain.fund_class.records import (
    EFFECTIVE,
    FAILED,
    PENDING,
    PlanResumption,
    ScheduleAAddition,
)
from domain.ids import fund_class_key
from domain.money import ZERO, exact_add, exact_divide
from domain.periods import ONE_DAY, Period, quarter_period
from domain.rates import FINRA_ABSC_RATE_ANNUAL_MAX, FINRA_SERVICE_RATE_ANNUAL_MAX
from domain.terms import AgreementChange, CoverageInterval, PlanStanding
from projections.retention import EASILY_ACCESSIBLE_YEARS, RETENTION_YEARS, years_after

RATE_QUANTUM = Decimal("1E-8")


@dataclass
class _Folded:
    """What the fold keeps of one fund class's events dated on or before the as-of date."""

    key: str = ""
    effective_date: date = date.min
    initial_term_end: date = date.min
    document_sha256: str = ""
    approvals: list[tuple[date, str]] = field(default_factory=list)
    continuances: list[CoverageInterval] = field(default_factory=list)
    terminated_on: date | None = None
    termination_reason: str = ""
    agreement_changes: list[AgreementChange] = field(default_factory=list)
    resumptions: list[CoverageInterval] = field(default_factory=list)
    # Approvals recorded as exceptions, and what waits (a new plan's shareholder vote, an
    # agreement approved in advance), by resolution: listed, never coverage (Q6b, Q11a).
    exceptions: list[str] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)
    notices: list[tuple[date, date, str]] = field(default_factory=list)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    sales_suspended: bool = False
    # Σ basis / days in year over the plan year's accrued days: the denominator that turns the
    # year's accruals back into the annual rates they were made at (actual/actual).
    year_basis_per_day_count: Decimal = ZERO
    year_absc: Decimal = ZERO
    year_service: Decimal = ZERO
    year_days: Decimal = ZERO
    cap_open: bool = False
    cap_opened_on: date | None = None
    cap_remaining: Decimal = ZERO
    absc_suspended: bool = False
    schedule_a_addition: ScheduleAAddition | None = None  # decision A17


@singledispatch
def _fold(event: Any, state: _Folded, as_of: date) -> None:
    """Events that do not change the compliance view."""


@_fold.register
def _(event: FundClass.PlanAdopted, state: _Folded, as_of: date) -> None:
    state.key = fund_class_key(event.fund_code, event.share_class)
    state.effective_date = event.effective_date
    state.initial_term_end = event.initial_term_end
    state.document_sha256 = event.document_sha256


@_fold.register
def _(event: FundClass.PlanApproved, state: _Folded, as_of: date) -> None:
    state.approvals.append((event.business_date, event.resolution_id))


@_fold.register
def _(event: FundClass.AdditionAwaitsShareholders, state: _Folded, as_of: date) -> None:
    state.schedule_a_addition = ScheduleAAddition(
        event.resolution_id,
        event.meeting_id,
        event.business_date,
        event.offered_to_public_source,
        PENDING,
    )


@_fold.register
def _(event: FundClass.ShareholderVoteTallied, state: _Folded, as_of: date) -> None:
    if event.subject == ADD_FUND_SUBJECT and state.schedule_a_addition is not None:
        state.schedule_a_addition = replace(
            state.schedule_a_addition,
            status=EFFECTIVE if event.passed else FAILED,
            vote_reference=event.vote_reference,
            voted_on=event.business_date,
        )
    if event.subject == "new_plan":
        state.waiting.pop(event.subject_id, None)


@_fold.register
def _(event: FundClass.ContinuanceApproved, state: _Folded, as_of: date) -> None:
    state.continuances.append(
        CoverageInterval(
            event.covers_from,
            event.period_end_inclusive,
            "continuance",
            f"resolution {event.resolution_id} of {event.business_date}",
        )
    )
    if event.business_date > event.period_start:
        # Stored before issue 11 (no continuance passed after its plan year began is recorded
        # as coverage since): it keeps the coverage it was recorded with, so answers given
        # before stay the same, and is named here (decision Q6b).
        state.exceptions.append(
            f"continuance {event.resolution_id} of {event.business_date} was recorded as "
            f"covering {event.covers_from}..{event.period_end_inclusive} after the plan "
            f"lapsed on {event.period_start}, under the rule before issue 11; today it would "
            f"cover no day (ELEVENTH; Rule 12b-1(b)(1), (b)(3)(i))"
        )


@_fold.register
def _(event: FundClass.ApprovalExceptionRecorded, state: _Folded, as_of: date) -> None:
    flag = "retroactive " if event.retroactive else ""
    state.exceptions.append(
        f"exception: {flag}{event.subject.replace('_', ' ')} {event.resolution_id} of "
        f"{event.business_date} claims {event.claims_from}..{event.claims_through}, covered by "
        f"no approval: {event.reason}"
    )


@_fold.register
def _(event: FundClass.NewPlanAwaitsShareholders, state: _Folded, as_of: date) -> None:
    state.waiting[event.resolution_id] = (
        f"new plan {event.resolution_id} of {event.business_date} awaits the vote of the "
        f"class's shareholders (shares sold since {event.offered_to_public_since}; Rule "
        f"12b-1(b)(1)); the plan has lapsed since {event.lapsed_from}"
    )


@_fold.register
def _(event: FundClass.PlanResumed, state: _Folded, as_of: date) -> None:
    state.waiting.pop(event.resolution_id, None)
    state.resumptions.append(
        resumed_interval(
            PlanResumption(
                event.resolution_id,
                event.approved_on,
                event.covers_from,
                event.period_end_inclusive,
                event.vote_reference,
            )
        )
    )


@_fold.register
def _(event: FundClass.AgreementApprovedInAdvance, state: _Folded, as_of: date) -> None:
    awaited = (
        f"the assignment {event.on_assignment}"
        if event.on_assignment is not None
        else f"the end of the agreement (effective {event.effective_on} at the earliest)"
    )
    state.waiting[event.resolution_id] = (
        f"{event.kind.replace('_', ' ')} {event.resolution_id} of {event.business_date} with "
        f"{event.distributor_name}, approved in advance, awaits {awaited} (THIRTEENTH (C))"
    )


@_fold.register
def _(event: FundClass.PlanTerminated, state: _Folded, as_of: date) -> None:
    state.terminated_on = event.effective_on
    state.termination_reason = f"by {event.by}, {event.reference}"


@_fold.register
def _(event: FundClass.AgreementTerminated, state: _Folded, as_of: date) -> None:
    state.agreement_changes.append(AgreementChange(event.effective_on, False, event.reason))


@_fold.register
def _(event: FundClass.AgreementRestored, state: _Folded, as_of: date) -> None:
    state.agreement_changes.append(
        AgreementChange(event.effective_on, True, f"{event.kind} with {event.distributor_name}")
    )
    state.waiting.pop(event.resolution_id, None)
    if event.effective_on < event.business_date:
        # A `retroactive` restoration stored before issue 11 keeps its coverage (Q11a).
        state.exceptions.append(
            f"{event.kind.replace('_', ' ')} {event.resolution_id} of {event.business_date} "
            f"was recorded as covering from {event.effective_on}, before its approval, under "
            f"the rule before issue 11; today it would cover from its approval on "
            f"(THIRTEENTH (C))"
        )


@_fold.register
def _(event: FundClass.TerminationNoticeGiven, state: _Folded, as_of: date) -> None:
    state.notices.append(
        (event.notice_effective_on, event.termination_effective_on, event.document_reference)
    )


@_fold.register
def _(event: FundClass.QuarterlyReportIssued, state: _Folded, as_of: date) -> None:
    state.reports[event.quarter] = {"issued_on": event.business_date, "reviewed_on": None}


@_fold.register
def _(event: FundClass.QuarterlyReportReviewed, state: _Folded, as_of: date) -> None:
    state.reports[event.quarter]["reviewed_on"] = event.business_date


@_fold.register
def _(event: FundClass.SalesSuspended, state: _Folded, as_of: date) -> None:
    state.sales_suspended = True


@_fold.register
def _(event: FundClass.SalesResumed, state: _Folded, as_of: date) -> None:
    state.sales_suspended = False


@_fold.register
def _(event: FundClass.FeeAccrued, state: _Folded, as_of: date) -> None:
    if _plan_year(state, as_of).start <= event.business_date:
        state.year_days += 1
        state.year_basis_per_day_count = exact_add(
            state.year_basis_per_day_count,
            exact_divide(event.basis_net_assets, event.days_in_year),
        )
        # The caps apply to what the rates charge: the exact amounts, before cents.
        state.year_absc = exact_add(state.year_absc, event.absc_amount_exact)
        state.year_service = exact_add(state.year_service, event.service_amount_exact)
    # The domain's rules: only days after the opening day are charged (the opening balance is the
    # remaining amount at the end of its day), however late they were accrued (A11), each with
    # the deemed charge the accrual run wrote on the event (A13).
    state.cap_remaining -= account_charge(
        state.cap_opened_on, event.business_date, event.cap_charge
    )


@_fold.register
def _(event: FundClass.FeeAccrualAdjusted, state: _Folded, as_of: date) -> None:
    # A restated day moves the plan year's rates as it moves the day's basis and amounts.
    if _plan_year(state, as_of).start <= event.business_date:
        state.year_basis_per_day_count = exact_add(
            state.year_basis_per_day_count,
            exact_divide(
                event.basis_net_assets - event.basis_net_assets_previous, event.days_in_year
            ),
        )
        state.year_absc = exact_add(state.year_absc, event.absc_amount_exact_delta)
        state.year_service = exact_add(state.year_service, event.service_amount_exact_delta)
    # A correction of a day charged to the account moves its charge (decision A3).
    state.cap_remaining -= account_charge(
        state.cap_opened_on,
        event.business_date,
        deemed_charge(event.absc_amount_delta, event.service_amount_delta),
    )


@_fold.register
def _(event: FundClass.CapInterestAdjusted, state: _Folded, as_of: date) -> None:
    state.cap_remaining += event.amount_delta


@_fold.register
def _(event: FundClass.FeeAccrualReversed, state: _Folded, as_of: date) -> None:
    # The day leaves the plan year's rates as it came in (decision A19).
    if _plan_year(state, as_of).start <= event.business_date:
        state.year_days -= 1
        state.year_basis_per_day_count = exact_add(
            state.year_basis_per_day_count,
            -exact_divide(event.basis_net_assets, event.days_in_year),
        )
        state.year_absc = exact_add(state.year_absc, event.absc_amount_exact_delta)
        state.year_service = exact_add(state.year_service, event.service_amount_exact_delta)
    state.cap_remaining -= account_charge(
        state.cap_opened_on,
        event.business_date,
        deemed_charge(event.absc_amount_delta, event.service_amount_delta),
    )


@_fold.register
def _(event: FundClass.AccrualTrueUpPosted, state: _Folded, as_of: date) -> None:
    state.cap_remaining -= account_charge(
        state.cap_opened_on, event.business_date, event.cap_charge_adjustment
    )


@_fold.register
def _(event: FundClass.FinraCapAccountOpened, state: _Folded, as_of: date) -> None:
    state.cap_open = True
    state.cap_opened_on = event.business_date
    state.cap_remaining = event.opening_remaining


@_fold.register
def _(event: FundClass.NewGrossSalesRecorded, state: _Folded, as_of: date) -> None:
    state.cap_remaining += event.cap_added


@_fold.register
def _(event: FundClass.SalesChargeReceived, state: _Folded, as_of: date) -> None:
    state.cap_remaining -= event.amount


@_fold.register
def _(event: FundClass.CapInterestCredited, state: _Folded, as_of: date) -> None:
    state.cap_remaining += event.amount


@_fold.register
def _(event: FundClass.CapServiceFeeCredited, state: _Folded, as_of: date) -> None:
    state.cap_remaining += event.amount


@_fold.register
def _(event: FundClass.CapDeferredServiceFeeCredited, state: _Folded, as_of: date) -> None:
    state.cap_remaining += event.amount


@_fold.register
def _(event: FundClass.CapServiceFeeCreditReversed, state: _Folded, as_of: date) -> None:
    state.cap_remaining -= event.amount


@_fold.register
def _(event: FundClass.AbscSuspended, state: _Folded, as_of: date) -> None:
    state.absc_suspended = True


@_fold.register
def _(event: FundClass.AbscResumed, state: _Folded, as_of: date) -> None:
    state.absc_suspended = False


def _plan_year(state: _Folded, as_of: date) -> Period:
    """The plan year (05-31 to 05-30, decision Q6) containing `as_of`; the first one starts on
    the effective date."""
    end = state.initial_term_end
    while end < as_of:
        end = date(end.year + 1, end.month, end.day)
    start = max(state.effective_date, date(end.year - 1, end.month, end.day) + ONE_DAY)
    return Period(start, end + ONE_DAY)


OVERDUE, DUE, NOTED = "overdue", "due", "noted"


@dataclass(frozen=True)
class ComplianceItem:
    """One thing the view says of a class. `kind` names what it is, `on` its date (a deadline,
    or the day it takes effect; None where it has none), and its status is `overdue` (the view
    fails), `due` (a deadline not yet passed) or `noted` (a fact to know)."""

    text: str
    overdue: bool
    kind: str = "note"
    on: date | None = None
    due: bool = False

    @property
    def status(self) -> str:
        return OVERDUE if self.overdue else DUE if self.due else NOTED


@dataclass(frozen=True)
class ComplianceRow:
    fund_class: str
    plan_status: str
    agreement_status: str
    next_continuance_due: date | None
    unreviewed_quarters: list[str]
    pending_notices: list[str]
    absc_annualised: Decimal | None
    service_annualised: Decimal | None
    cap_remaining: Decimal | None
    items: list[ComplianceItem]
    retain_until: date
    easily_accessible_until: date
    # The day the agreement with the Distributor ended, or ends under a notice given.
    agreement_ends_on: date | None = None

    @property
    def overdue(self) -> bool:
        return any(item.overdue for item in self.items)


def compliance_as_of(events: Iterable[Any], as_of: date) -> ComplianceRow:
    """The compliance view of one fund class, from its event stream, on `as_of`."""
    state = _Folded()
    for event in events:
        if event.business_date <= as_of or isinstance(event, FundClass.PlanAdopted):
            _fold(event, state, as_of)
    standing = PlanStanding(
        effective_date=state.effective_date,
        initial_term_end=state.initial_term_end,
        first_approval=min(state.approvals) if state.approvals else None,
        continuances=state.continuances,
        terminated_on=state.terminated_on,
        termination_reason=state.termination_reason,
        agreement_changes=sorted(state.agreement_changes, key=lambda change: change.effective_on),
        resumptions=state.resumptions,
        approval_note=addition_note(state.schedule_a_addition),
    )
    items: list[ComplianceItem] = []
    plan_status = _plan_status(standing, as_of, items)
    agreement_status = _agreement_status(standing, as_of)
    next_due = _next_continuance_due(standing, as_of, items)
    unreviewed = _unreviewed_quarters(standing, state, as_of, items)
    pending = [(ends, effective, reference) for effective, ends, reference in state.notices]
    pending = [notice for notice in pending if notice[0] > as_of]
    notices = [
        f"the agreement ends on {ends} under notice {reference} (effective {effective})"
        for ends, effective, reference in pending
    ]
    items += [
        ComplianceItem(text, False, "termination-notice", notice[0])
        for text, notice in zip(notices, pending, strict=True)
    ]
    if standing.terminated_on is None or standing.terminated_on > as_of:
        items += [ComplianceItem(text, False, "awaiting") for text in state.waiting.values()]
    items += [ComplianceItem(text, False, "approval-exception") for text in state.exceptions]
    absc_rate, service_rate = _annualised(state)
    _cap_items(state, absc_rate, service_rate, items)
    return ComplianceRow(
        fund_class=state.key,
        plan_status=plan_status,
        agreement_status=agreement_status,
        next_continuance_due=next_due,
        unreviewed_quarters=unreviewed,
        pending_notices=notices,
        absc_annualised=absc_rate,
        service_annualised=service_rate,
        cap_remaining=state.cap_remaining if state.cap_open else None,
        items=items,
        retain_until=years_after(state.effective_date, RETENTION_YEARS),
        easily_accessible_until=years_after(state.effective_date, EASILY_ACCESSIBLE_YEARS),
        agreement_ends_on=_agreement_ends_on(standing, as_of, [notice[0] for notice in pending]),
    )


def _agreement_ends_on(standing: PlanStanding, as_of: date, notice_ends: list[date]) -> date | None:
    """The day the agreement ended (its status says "ended" on it), else the earliest end a
    notice given sets ahead."""
    change = None if standing.agreement_in_effect(as_of) else standing.agreement_change_on(as_of)
    if change is not None and not change.in_effect:
        return change.effective_on
    return min(notice_ends, default=None)


def _plan_status(standing: PlanStanding, as_of: date, items: list[ComplianceItem]) -> str:
    interval = standing.plan_interval_on(as_of)
    if interval is not None:
        return f"in effect: {interval.authority}"
    kind, why = standing.why_not_in_effect(as_of)
    if kind.is_refusal and as_of >= standing.effective_date:
        items.append(ComplianceItem(why, True, "plan-not-in-effect"))
    return f"not in effect: {why}"


def _agreement_status(standing: PlanStanding, as_of: date) -> str:
    if standing.agreement_in_effect(as_of):
        return "in effect"
    change = standing.agreement_change_on(as_of)
    if change is not None and not change.in_effect:
        return f"ended {change.effective_on}: {change.reason}"
    return "not in effect (the plan is not)"


def _next_continuance_due(
    standing: PlanStanding, as_of: date, items: list[ComplianceItem]
) -> date | None:
    """The first day not yet covered, on or before which a continuance must be approved."""
    if standing.terminated_on is not None or standing.first_approval is None:
        return None
    covered_through = max(interval.end_inclusive for interval in standing.intervals)
    due = covered_through + ONE_DAY
    if due <= as_of:
        items.append(
            ComplianceItem(
                f"no continuance covers {due} onwards (ELEVENTH)", True, "continuance", due
            )
        )
    return due


def _unreviewed_quarters(
    standing: PlanStanding, state: _Folded, as_of: date, items: list[ComplianceItem]
) -> list[str]:
    """Ended quarters with days in effect whose report was not reviewed (FOURTH; Q2: a review
    is overdue after the end of the following quarter)."""
    unreviewed = []
    year, quarter = state.effective_date.year, (state.effective_date.month - 1) // 3 + 1
    while True:
        period = quarter_period(year, quarter)
        if period.end_exclusive > as_of:
            break
        label = f"{year}Q{quarter}"
        report = state.reports.get(label)
        if standing.days_in_effect(period) and (report is None or report["reviewed_on"] is None):
            unreviewed.append(label)
            following_end = quarter_period(year + (quarter == 4), quarter % 4 + 1).end_inclusive
            state_text = "not issued" if report is None else f"issued {report['issued_on']}"
            items.append(
                ComplianceItem(
                    f"{label} written report {state_text}, not reviewed by the board (FOURTH)",
                    overdue=as_of > following_end,
                    kind="report-review",
                    on=following_end,  # the last day of the following quarter (Q2)
                    due=True,
                )
            )
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return unreviewed


def _annualised(state: _Folded) -> tuple[Decimal | None, Decimal | None]:
    """Plan-year-to-date accruals as annual rates of the average daily net assets."""
    if state.year_basis_per_day_count == ZERO:
        return None, None
    # Exact amounts are stored to ten decimals; eight decimals of a rate absorb that.
    return (
        exact_divide(state.year_absc, state.year_basis_per_day_count).quantize(RATE_QUANTUM),
        exact_divide(state.year_service, state.year_basis_per_day_count).quantize(RATE_QUANTUM),
    )


def _cap_items(
    state: _Folded,
    absc_rate: Decimal | None,
    service_rate: Decimal | None,
    items: list[ComplianceItem],
) -> None:
    if absc_rate is not None and absc_rate > FINRA_ABSC_RATE_ANNUAL_MAX:
        items.append(
            ComplianceItem("asset-based charges exceed 0.75% a year (FINRA)", True, "finra-cap")
        )
    if service_rate is not None and service_rate > FINRA_SERVICE_RATE_ANNUAL_MAX:
        items.append(ComplianceItem("service fees exceed 0.25% a year (FINRA)", True, "finra-cap"))
    if state.cap_open and state.absc_suspended:
        items.append(
            ComplianceItem(
                "asset-based accruals suspended: aggregate cap reached (FINRA)", False, "finra-cap"
            )
        )
    withheld = withheld_for_the_cap(state.cap_remaining) if state.cap_open else ZERO
    if withheld > ZERO:
        items.append(
            ComplianceItem(
                f"{withheld} of service fee accrued may be paid to the Distributor only as it "
                f"is passed on to providers: the aggregate cap is exhausted (SIXTH; FINRA)",
                False,
                "finra-cap",
            )
        )
