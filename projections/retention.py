"""Retention of the plan's records (Rule 12b-1(f)): a pure fold over events.

The fund must preserve the plan, every agreement related to it and every written report "for a
period of not less than six years from the date of such plan, agreement or report, the first
two years in an easily accessible place"; the SEC's notices extend this to the minutes. The
ledger keeps every one of them in its append-only log and never deletes anything; this view
says, for each, from which date the periods run and until when (decision in docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import singledispatch
from typing import Any

from domain.board import Board
from domain.fund_class import FundClass
from domain.instrument import PlanInstrument
from domain.service import ServiceArrangement

RETENTION_YEARS = 6
EASILY_ACCESSIBLE_YEARS = 2
EASILY_ACCESSIBLE = "easily accessible"
RETAINED = "retained"
PAST_MINIMUM = "past the minimum; kept (nothing is deleted)"


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RetainedRecord:
    kind: str  # plan, plan amendment, agreement, quarterly report, minutes
    subject: str
    reference: str
    dated: date

    @property
    def easily_accessible_until(self) -> date:
        return years_after(self.dated, EASILY_ACCESSIBLE_YEARS)

    @property
    def retain_until(self) -> date:
        return years_after(self.dated, RETENTION_YEARS)

    def status_on(self, as_of: date) -> str:
        if as_of <= self.easily_accessible_until:
            return EASILY_ACCESSIBLE
        if as_of <= self.retain_until:
            return RETAINED
        return PAST_MINIMUM


@singledispatch
def _record(event: Any, subject: str) -> RetainedRecord | None:
    return None


@_record.register
def _(event: PlanInstrument.PlanInstrumentRecorded, subject: str) -> RetainedRecord:
    return RetainedRecord(
        "plan",
        event.title,
        f"{event.document_name} sha256:{event.document_sha256[:16]}",
        event.business_date,
    )


@_record.register
def _(event: FundClass.AmendmentApproved, subject: str) -> RetainedRecord:
    return RetainedRecord(
        "plan amendment",
        subject,
        f"{event.amendment_id} ({event.resolution_id})",
        event.business_date,
    )


@_record.register
def _(event: ServiceArrangement.ProviderAgreementSigned, subject: str) -> RetainedRecord:
    return RetainedRecord(
        "agreement",
        subject,
        f"{event.agreement_reference} (SEVENTH ({event.kind}))",
        event.business_date,
    )


@_record.register
def _(event: FundClass.QuarterlyReportIssued, subject: str) -> RetainedRecord:
    return RetainedRecord(
        "quarterly report",
        subject,
        f"{event.quarter} sha256:{event.report_sha256[:16]}",
        event.business_date,
    )


@_record.register
def _(event: Board.BoardMeetingHeld, subject: str) -> RetainedRecord:
    return RetainedRecord(
        "minutes", subject, f"{event.meeting_id}: {event.minutes_reference}", event.business_date
    )


def retained_records(
    streams: Iterable[tuple[str, Iterable[Any]]], as_of: date
) -> list[RetainedRecord]:
    """Every record dated on or before `as_of`, from (subject, events of one stream) pairs,
    oldest first."""
    found = [
        record
        for subject, events in streams
        for event in events
        if event.business_date <= as_of and (record := _record(event, subject)) is not None
    ]
    return sorted(found, key=lambda record: (record.dated, record.kind, record.subject))
