"""The fund class: the aggregate (aggregate.py) composed of its roles (*_role.py, each with its
events and commands), its state as typed records (records.py), and the rules it calls for
governance, the FINRA aggregate-cap account, the receivable and corrections."""

from domain.fund_class.accrual_plan import (
    RECORDED,
    RESTATED,
    UNCHANGED,
    AccrualPlan,
    AccrualRunSummary,
    EffectGap,
)
from domain.fund_class.aggregate import FundClass
from domain.fund_class.cap_account import PrimeRates
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

# The records a snapshot of a fund class holds (stored under their RECORD_NAME).
SNAPSHOT_RECORDS: tuple[type, ...] = (
    ScheduleBVersion,
    Segment,
    Payment,
    Approval,
    Continuance,
    Amendment,
    AgreementEvent,
    ReportIssue,
    CapLine,
    PlanResumption,
    AdvanceAgreementApproval,
    ScheduleAAddition,
)

__all__ = [
    "RECORDED",
    "RESTATED",
    "SNAPSHOT_RECORDS",
    "UNCHANGED",
    "AccrualPlan",
    "AccrualRunSummary",
    "AdvanceAgreementApproval",
    "AgreementEvent",
    "Amendment",
    "Approval",
    "CapLine",
    "Continuance",
    "EffectGap",
    "FundClass",
    "Payment",
    "PlanResumption",
    "PrimeRates",
    "ReportIssue",
    "ScheduleAAddition",
    "ScheduleBVersion",
    "Segment",
]
