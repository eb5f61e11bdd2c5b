"""Retention of the plan's records: a pure fold over events.

Rule 12b-1(f): the fund must preserve the plan, every agreement related to it and every written
report "for a period of not less than six years from the date of such plan, agreement or
report, the first two years in an easily accessible place". Rules 31a-1(b)(1), (2) and (4) with
31a-2(a)(1): journals, general and auxiliary ledgers and minute books are preserved
permanently, the first two years in an easily accessible place. The ledger keeps every record in
its append-only log and never deletes anything; this view says, for each, the rule that keeps
it, from which date its periods run and until when (decision A5 in docs/decisions.md).
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
from projections.journal import journal_entry

RETENTION_YEARS = 6
EASILY_ACCESSIBLE_YEARS = 2
EASILY_ACCESSIBLE = "easily accessible"
RETAINED = "retained"
PAST_MINIMUM = "past the minimum; kept (nothing is deleted)"
KEPT_PERMANENTLY = "kept permanently"
PERMANENT = "permanent"
BOOKS = "the plan's books"


@dataclass(frozen=True)
class RetentionRule:
    rule: str
    years: int | None  # None: preserved permanently


RULE_12B1_F = RetentionRule("Rule 12b-1(f)", RETENTION_YEARS)
# Each kind of record, and the rule that keeps it.
RULES = {
    "plan": RULE_12B1_F,
    "plan amendment": RULE_12B1_F,
    "agreement": RULE_12B1_F,
    "quarterly report": RULE_12B1_F,
    "minutes": RetentionRule("Rules 31a-1(b)(4), 31a-2(a)(1)", None),
    "journal": RetentionRule("Rules 31a-1(b)(1), 31a-2(a)(1)", None),
    "ledger": RetentionRule("Rules 31a-1(b)(2), 31a-2(a)(1)", None),
}


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RetainedRecord:
    kind: str  # a key of RULES
    subject: str
    reference: str
    dated: date  # the record's date; for a year of the books, its last entry

    @property
    def rule(self) -> str:
        return RULES[self.kind].rule

    @property
    def permanent(self) -> bool:
        return RULES[self.kind].years is None

    @property
    def easily_accessible_until(self) -> date:
        return years_after(self.dated, EASILY_ACCESSIBLE_YEARS)

    @property
    def retain_until(self) -> date | None:
        """The end of the minimum period; None for a record preserved permanently."""
        years = RULES[self.kind].years
        return None if years is None else years_after(self.dated, years)

    def status_on(self, as_of: date) -> str:
        if as_of <= self.easily_accessible_until:
            return EASILY_ACCESSIBLE
        retain_until = self.retain_until
        if retain_until is None:
            return KEPT_PERMANENTLY
        if as_of <= retain_until:
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


def _posts_to_the_books(event: Any) -> bool:
    """Whether the event is of a kind the journal posts (a record of original entry)."""
    return journal_entry.dispatch(type(event)) is not journal_entry.dispatch(object)


def _books_of_each_year(entry_dates: Iterable[date]) -> list[RetainedRecord]:
    """The journal and the ledgers of each calendar year with entries, dated by its last entry:
    every entry of the year then stays easily accessible at least two years from its date."""
    by_year: dict[int, list[date]] = {}
    for day in entry_dates:
        by_year.setdefault(day.year, []).append(day)
    records = []
    for year, days in sorted(by_year.items()):
        first, last = min(days), max(days)
        reference = f"{year}: entries {first.isoformat()} to {last.isoformat()}"
        records.append(RetainedRecord("journal", BOOKS, reference, last))
        records.append(RetainedRecord("ledger", BOOKS, reference, last))
    return records


def retained_records(
    streams: Iterable[tuple[str, Iterable[Any]]], as_of: date
) -> list[RetainedRecord]:
    """Every record dated on or before `as_of`, from (subject, events of one stream) pairs,
    oldest first; the books (journal and ledgers) once per calendar year."""
    found: list[RetainedRecord] = []
    entry_dates: list[date] = []
    for subject, events in streams:
        for event in events:
            if event.business_date > as_of:
                continue
            if (record := _record(event, subject)) is not None:
                found.append(record)
            if _posts_to_the_books(event):
                entry_dates.append(event.business_date)
    found.extend(_books_of_each_year(entry_dates))
    return sorted(found, key=lambda record: (record.dated, record.kind, record.subject))
