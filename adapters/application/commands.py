"""The commands the use cases take: one frozen record per command, inputs already parsed.

A command read from a file carries the parsed rows (or plan, or meeting) and the file's name,
which error messages and each recorded event's source name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.board import MeetingRecord
from domain.expenditures import Performer, Purpose
from domain.governance import NoticeMethod, ReliefTerms
from domain.periods import Period
from domain.service import AgreementKind

# ---- the plan, figures and accruals -----------------------------------------------------------


if TYPE_CHECKING:
    from adapters.inputs.csv_files import (
        CsvFile,
        DirectorRow,
        ExpenditureRow,
        GrossSalesRow,
        NetAssetsRow,
        PositionRow,
        SalesChargeRow,
    )
    from adapters.inputs.plan_file import PlanFileContents


@dataclass(frozen=True)
class LoadPlan:
    plan: PlanFileContents


@dataclass(frozen=True)
class ImportNetAssets:
    csv_file: CsvFile[NetAssetsRow]
    restatement_reason: str | None = None


@dataclass(frozen=True)
class ImportPositions:
    csv_file: CsvFile[PositionRow]
    restatement_reason: str | None = None


@dataclass(frozen=True)
class ImportExpenditures:
    csv_file: CsvFile[ExpenditureRow]


@dataclass(frozen=True)
class ImportDirectors:
    csv_file: CsvFile[DirectorRow]


@dataclass(frozen=True)
class ImportGrossSales:
    csv_file: CsvFile[GrossSalesRow]


@dataclass(frozen=True)
class ImportSalesCharges:
    csv_file: CsvFile[SalesChargeRow]


@dataclass(frozen=True)
class Accrue:
    """Accrue every fund class (or the ones named, as `FUND/CLASS`) through `through`."""

    through: date
    max_carry_days: int
    fund_classes: Sequence[str] | None = None


# ---- payments, providers, expenditures ------------------------------------------------------


@dataclass(frozen=True)
class PayDistributor:
    """`amount=None` pays what the period accrued and is unpaid."""

    fund_code: str
    share_class: str
    amount: Decimal | None
    paid_on: date
    period: Period
    reference: str


@dataclass(frozen=True)
class ReceiveDistributorRefund:
    """The Distributor paying back what a correction left it paid beyond its fee (A16)."""

    fund_code: str
    share_class: str
    amount: Decimal
    received_on: date
    reference: str
    note: str


@dataclass(frozen=True)
class SignProviderAgreement:
    provider_code: str
    provider_name: str
    fund_code: str
    share_class: str
    reference: str
    kind: AgreementKind
    contractual_rate_annual: Decimal
    effective_from: date
    effective_to: date | None
    agency_capacity_attested: bool
    form_reference: str  # the form of agreement it is made on (decision A15)


@dataclass(frozen=True)
class PayProvider:
    """`amount=None` pays what the period's cap leaves."""

    provider_code: str
    fund_code: str
    share_class: str
    period: Period
    amount: Decimal | None
    paid_on: date
    reference: str
    paid_or_advanced: str
    max_carry_days: int


@dataclass(frozen=True)
class RecordExpenditure:
    fund_code: str
    share_class: str
    incurred_on: date
    period: Period
    purpose: Purpose
    performer: Performer
    performer_name: str
    amount: Decimal
    description: str
    reference: str
    company_agreement_reference: str
    source: str = "command:expenditure record"


# ---- governance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordMeeting:
    """A board meeting; `source` names where it was read (the file and the meeting)."""

    company_code: str
    meeting: MeetingRecord
    source: str

    @classmethod
    def read_from(cls, file_name: str, company_code: str, meeting: MeetingRecord) -> RecordMeeting:
        return cls(company_code, meeting, f"{file_name} (meeting {meeting.meeting_id})")


@dataclass(frozen=True)
class RecordShareholderVote:
    fund_code: str
    share_class: str
    vote_reference: str
    subject: str
    subject_id: str
    voted_on: date
    outstanding: Decimal
    present: Decimal
    votes_for: Decimal
    votes_against: Decimal
    abstentions: Decimal
    broker_non_votes: Decimal


@dataclass(frozen=True)
class GiveDistributorNotice:
    fund_classes: Sequence[str]
    method: NoticeMethod
    sent_on: date
    received_on: date | None
    termination_effective_on: date
    document_reference: str


@dataclass(frozen=True)
class RecordAssignment:
    occurred_on: date
    description: str
    rule_2a6_exempt: bool
    determination_reference: str


@dataclass(frozen=True)
class ChangeAdviser:
    company_code: str
    adviser_name: str
    effective_on: date
    affiliated: bool
    reference: str


@dataclass(frozen=True)
class RecordSales:
    fund_code: str
    share_class: str
    on: date
    suspended: bool
    reason: str


@dataclass(frozen=True)
class NominateIndependentDirector:
    company_code: str
    nominee: str
    nominated_on: date
    approved_by: Sequence[str]


@dataclass(frozen=True)
class IssueReport:
    fund_code: str
    share_class: str
    quarter: str
    report_sha256: str
    issued_on: date
    issued_by: str
    # The bytes of each file issued, by format ("json", "csv", "html", "pdf"): kept by the
    # store under their SHA-256, which the event names (docs/audit.md §7).
    files: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewReport:
    fund_code: str
    share_class: str
    quarter: str
    meeting_id: str
    reviewed_on: date


@dataclass(frozen=True)
class SetPrimeRate:
    effective_from: date
    rate_annual: Decimal
    source: str


@dataclass(frozen=True)
class OpenCapAccount:
    fund_code: str
    share_class: str
    as_of: date
    remaining: Decimal
    note: str


# ---- audit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seal:
    subject: str
    sealed_on: date


@dataclass(frozen=True)
class ReverseDistributorPayment:
    fund_code: str
    share_class: str
    reference: str
    reason: str


@dataclass(frozen=True)
class ReverseExpenditure:
    fund_code: str
    share_class: str
    reference: str
    reason: str


@dataclass(frozen=True)
class ReverseServiceFee:
    provider_code: str
    fund_code: str
    share_class: str
    reference: str
    reason: str


# ---- relief from the in-person vote (decision A18) -------------------------------------------


@dataclass(frozen=True)
class RecordRelief:
    company_code: str
    relief: ReliefTerms


@dataclass(frozen=True)
class EndRelief:
    company_code: str
    relief_id: str
    last_day: date
    source: str
