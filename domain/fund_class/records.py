"""The state of a fund class, as typed frozen records.

Each record has a stable `RECORD_NAME` under which snapshots store it (see domain/records.py).
A record is never changed in place: an event that changes one replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar

from domain.records import stored_as

PENDING = "pending"
EFFECTIVE = "effective"
FAILED = "failed"


@dataclass(frozen=True)
class ScheduleBVersion:
    """Schedule B's rates from `effective_from` (the adoption, then each effective amendment)."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.ScheduleBVersion"

    effective_from: date
    absc_rate_annual: Decimal
    service_rate_annual_max: Decimal
    total_rate_annual_max: Decimal


@dataclass(frozen=True)
class Segment:
    """A month's accrued days at the same rates and day count: the sum of their bases."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.Segment"

    absc_rate_annual: Decimal
    service_rate_annual: Decimal
    days_in_year: int
    net_assets_sum: Decimal

    def same_terms(self, absc_rate: Decimal, service_rate: Decimal, days_in_year: int) -> bool:
        return (self.absc_rate_annual, self.service_rate_annual, self.days_in_year) == (
            absc_rate,
            service_rate,
            days_in_year,
        )


@dataclass(frozen=True)
class Approval:
    RECORD_NAME: ClassVar[str] = "planledger.FundClass.Approval"

    resolution_id: str
    approved_on: date


@dataclass(frozen=True)
class Continuance:
    RECORD_NAME: ClassVar[str] = "planledger.FundClass.Continuance"

    resolution_id: str
    approved_on: date
    period_end_inclusive: date
    covers_from: date


@dataclass(frozen=True)
class Amendment:
    """A Schedule B amendment: pending a shareholder vote, effective, or failed."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.Amendment"

    approved_on: date
    absc_rate_annual: Decimal
    service_rate_annual_max: Decimal
    total_rate_annual_max: Decimal
    status: str


@dataclass(frozen=True)
class ScheduleAAddition:
    """A fund added to Schedule A whose class was already offered to the public: the plan is
    in effect for it only from its shareholders' approval (Rule 12b-1(b)(1); decision A17)."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.ScheduleAAddition"

    resolution_id: str
    meeting_id: str
    approved_on: date  # by the board
    offered_to_public_source: str
    status: str  # PENDING, EFFECTIVE or FAILED
    vote_reference: str = ""
    voted_on: date | None = None


@dataclass(frozen=True)
class AgreementEvent:
    """The agreement ended (`in_effect=False`) or was restored (by `resolution_id`)."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.AgreementEvent"

    effective_on: date
    in_effect: bool
    reason: str
    resolution_id: str | None = None


@dataclass(frozen=True)
class PlanResumption:
    """The plan back in effect after a lapse, on the approvals a new plan needs (Rule
    12b-1(b)(1), (b)(2)), from `covers_from` to the end of that plan year (decision Q6b)."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.PlanResumption"

    resolution_id: str
    approved_on: date
    covers_from: date
    period_end_inclusive: date
    vote_reference: str | None


@dataclass(frozen=True)
class AdvanceAgreementApproval:
    """A new agreement or other arrangement the board approved before the agreement ended,
    effective on a date or on a named assignment (THIRTEENTH (C), decision Q11a)."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.AdvanceAgreementApproval"

    resolution_id: str
    kind: str
    distributor_name: str
    approved_on: date
    effective_on: date | None
    on_assignment: str | None


@dataclass(frozen=True)
class ReportIssue:
    """One issue of a quarter's written report (FOURTH), and when the board reviewed it."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.ReportIssue"

    quarter: str
    report_sha256: str
    issued_on: date
    reviewed_on: date | None


@dataclass(frozen=True)
class CapLine:
    """A movement of the FINRA aggregate-cap account: sales raise it, sales charges lower it."""

    RECORD_NAME: ClassVar[str] = "planledger.FundClass.CapLine"

    day: date
    amount: Decimal
    kind: str


def approval_from(row: Mapping[str, object]) -> Approval:
    return Approval(stored_as(str, row["resolution_id"]), stored_as(date, row["approved_on"]))


def continuance_from(row: Mapping[str, object]) -> Continuance:
    return Continuance(
        stored_as(str, row["resolution_id"]),
        stored_as(date, row["approved_on"]),
        stored_as(date, row["period_end_inclusive"]),
        stored_as(date, row["covers_from"]),
    )


def schedule_b_version_from(row: Mapping[str, object]) -> ScheduleBVersion:
    return ScheduleBVersion(
        stored_as(date, row["effective_from"]),
        stored_as(Decimal, row["absc_rate_annual"]),
        stored_as(Decimal, row["service_rate_annual_max"]),
        stored_as(Decimal, row["total_rate_annual_max"]),
    )


def segment_from(row: Mapping[str, object]) -> Segment:
    return Segment(
        stored_as(Decimal, row["absc_rate_annual"]),
        stored_as(Decimal, row["service_rate_annual"]),
        stored_as(int, row["days_in_year"]),
        stored_as(Decimal, row["net_assets_sum"]),
    )


def amendment_from(row: Mapping[str, object]) -> Amendment:
    return Amendment(
        stored_as(date, row["approved_on"]),
        stored_as(Decimal, row["absc_rate_annual"]),
        stored_as(Decimal, row["service_rate_annual_max"]),
        stored_as(Decimal, row["total_rate_annual_max"]),
        stored_as(str, row["status"]),
    )


def agreement_event_from(row: Mapping[str, object]) -> AgreementEvent:
    resolution_id = row.get("resolution_id")
    return AgreementEvent(
        stored_as(date, row["effective_on"]),
        stored_as(bool, row["in_effect"]),
        stored_as(str, row["reason"]),
        None if resolution_id is None else stored_as(str, resolution_id),
    )


def report_issue_from(row: Mapping[str, object]) -> ReportIssue:
    reviewed_on = row["reviewed_on"]
    return ReportIssue(
        stored_as(str, row["quarter"]),
        stored_as(str, row["report_sha256"]),
        stored_as(date, row["issued_on"]),
        None if reviewed_on is None else stored_as(date, reviewed_on),
    )


def cap_line_from(row: Mapping[str, object]) -> CapLine:
    return CapLine(
        stored_as(date, row["date"]), stored_as(Decimal, row["amount"]), stored_as(str, row["kind"])
    )
