"""The quarterly report: gathered from the read models and the event log, written as files.

`quarterly_report` assembles the inputs of projections/quarterly_report.py for one fund class
and quarter, including the SHA-256 of the stored events the report was built from (the fund
class's stream and its service arrangements', every event with a business date up to the end
of the quarter, in stream order). The same events therefore give the same report, byte for byte,
whatever the database; a later correction dated within the quarter changes the hash. The issue
of the quarter's report (its date and preparer) and the board's review are read from the fund
class's `QuarterlyReportIssued` and `QuarterlyReportReviewed` events (decision F-board-2).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import and_, func, select

from adapters.outputs.renderings import PDF_RENDERING
from adapters.outputs.report_html import report_html
from adapters.outputs.report_sources import quarterly_report_sources
from adapters.outputs.report_tables import figure_tables, service_fee_notes
from adapters.readside.queries import JournalRow, journal, known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from domain.fund_class import FundClass
from domain.ids import fund_class_id, service_arrangement_id
from domain.instrument import PlanInstrument
from domain.periods import Period, parse_period
from domain.rates import format_percent
from domain.registry import Registry
from projections.journal import receivable_accounts
from projections.quarterly_report import (
    AccrualTotals,
    ComparedPeriod,
    ExpenditureLine,
    IssueFacts,
    ReceivableMoves,
    ReportFacts,
    ReviewFacts,
    build_report,
    fiscal_year_to_date,
    plan_year_to_date,
    prior_quarter,
    quarter_and_year,
    review_section,
)
from projections.split import SplitFigures, split_by_month

FORMATS = ("json", "csv", "html", "pdf")


@cache
def software_version() -> str:
    """The installed planledger's version: read from its metadata once a process (a few
    milliseconds, once for every report otherwise)."""
    try:
        return version("planledger")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def events_digest(
    ledger: LedgerView, fund_class: str, last_day: date, registry: Registry | None = None
) -> tuple[str, int]:
    """SHA-256 over the stored events the report rests on, and how many there are.
    `registry`: the view's, when the caller has it (it is read from its events otherwise)."""
    fund_code, share_class = fund_class.split("/", 1)
    registry = registry or ledger.registry()
    providers = sorted(
        provider
        for provider, keys in (registry.service_arrangements if registry else {}).items()
        if fund_class in keys
    )
    stream_ids = [fund_class_id(fund_code, share_class)] + [
        service_arrangement_id(provider, fund_code, share_class) for provider in providers
    ]
    recorder: Any = ledger.store.recorder
    # Every stream's events as known, in one read: a stream's events known at a position are
    # its versions stored up to it.
    by_stream: dict[str, list[tuple[str, int, str, bytes]]] = {}
    for row in recorder.stream_rows(stream_ids, ledger.known_position):
        by_stream.setdefault(row[0], []).append(row)
    digest = hashlib.sha256()
    count = 0
    last = last_day.isoformat()
    for stream_id in stream_ids:
        for _, number, topic, state in by_stream.get(recorder.stored_id(stream_id), []):
            if _business_date(state) > last:
                continue
            digest.update(f"{stream_id}|{number}|{topic}|".encode())
            digest.update(state)
            digest.update(b"\n")
            count += 1
    return digest.hexdigest(), count


def _business_date(state: bytes) -> str:
    """The stored state's `business_date`. orjson reads a state in a tenth of json's time
    (every event of the class is read for the digest); what it refuses, json reads as before."""
    try:
        decoded = orjson.loads(state)
    except orjson.JSONDecodeError:
        decoded = json.loads(state)
    business_date: str = decoded["business_date"]
    return business_date


def _accrued_by_month(
    ledger: LedgerView, fund_class: str, period: Period
) -> dict[str, AccrualTotals]:
    accruals = TABLES["accruals"]
    query = (
        select(
            accruals.c.month, func.sum(accruals.c.absc_cents), func.sum(accruals.c.service_cents)
        )
        .where(
            and_(
                accruals.c.fund_class == fund_class,
                accruals.c.business_date >= period.start,
                accruals.c.business_date < period.end_exclusive,
            )
        )
        .group_by(accruals.c.month)
    )
    query = known(query, ledger.known_position, accruals)
    with ledger.engine.connect() as conn:
        return {
            month: AccrualTotals(int(absc), int(service))
            for month, absc, service in conn.execute(query)
        }


def _expenditure_lines(
    ledger: LedgerView, fund_class: str, period: Period
) -> list[ExpenditureLine]:
    return [
        ExpenditureLine(row["purpose"], row["performer"], row["amount_cents"])
        for row in ledger.expenditures(fund_class, period.start, period.end_exclusive)
    ]


def _receivable_lines(ledger: LedgerView, fund_class: str, last_day: date) -> list[JournalRow]:
    """The journal's lines on the class's receivable accounts up to `last_day`."""
    return journal(
        ledger.engine,
        end_inclusive=last_day,
        fund_class=fund_class,
        # The receivable's accounts alone, found by the index of accounts: not every line.
        accounts=receivable_accounts(fund_class),
        entity="fund",
        known_position=ledger.known_position,
    )


def _moves_over(lines: list[JournalRow], period: Period) -> ReceivableMoves:
    """The receivable from the Distributor over `period`, from the journal's receivable
    accounts: what stood before, what corrections booked, what offsets and refunds settled."""
    moved: dict[str, int] = {}
    at_start = 0
    for row in lines:
        signed = row.debit_cents - row.credit_cents
        if row.business_date < period.start:
            at_start += signed
        else:
            moved[row.kind] = moved.get(row.kind, 0) + signed
    return ReceivableMoves(
        at_start_cents=at_start,
        booked_cents=moved.get("distributor-receivable", 0),
        offset_cents=-moved.get("distributor-receivable-offset", 0),
        refunded_cents=-moved.get("distributor-refund", 0),
    )


@dataclass(frozen=True)
class RecordedIssue:
    """The latest issue of a quarter's report as the events record it, and its review."""

    facts: IssueFacts
    report_sha256: str
    review: ReviewFacts | None


ISSUED_TOPIC = FundClass.QuarterlyReportIssued.TOPIC
REVIEWED_TOPIC = FundClass.QuarterlyReportReviewed.TOPIC


def recorded_issue(ledger: LedgerView, fund_class: str, quarter: str) -> RecordedIssue | None:
    """The quarter's latest issue known to `ledger`, with the board's review of it if any (a
    review is of the issue before it; a later issue starts unreviewed)."""
    stream_id = fund_class_id(*fund_class.split("/", 1))
    version = ledger.store.version_at(stream_id, ledger.known_position)
    if ledger.known_position is not None and version is None:
        return None
    found: RecordedIssue | None = None
    for stored in ledger.store.recorder.select_events(stream_id, lte=version):
        if stored.topic not in (ISSUED_TOPIC, REVIEWED_TOPIC):
            continue
        state = json.loads(stored.state)
        if state["quarter"] != quarter:
            continue
        on = date.fromisoformat(state["business_date"])
        if stored.topic == ISSUED_TOPIC:
            found = RecordedIssue(IssueFacts(on, state["issued_by"]), state["report_sha256"], None)
        elif found is not None:
            found = replace(found, review=ReviewFacts(on, state["meeting_id"]))
    return found


def quarterly_report(
    ledger: LedgerView,
    fund_class: str,
    quarter: str,
    issue: IssueFacts | None = None,
    *,
    registry: Registry | None = None,
    aggregate: FundClass | None = None,
    plans: dict[str, PlanInstrument] | None = None,
) -> dict[str, Any]:
    """The quarter's report of the class. `issue` is given by `report issue`; otherwise the
    report carries the issue recorded for the quarter (and the board's review of it) when,
    rebuilt with it, it is the report that was issued; else it is a draft. `registry`: the
    view's registry, read once by a caller reporting on many classes (it holds every class:
    read for each, it made the reports of N classes take a time in N squared); `aggregate`:
    the class as the view knows it, when the caller has it; `plans`: the plan instruments the
    caller has read, by document (`LedgerView.plan_instrument`), kept for its next reports."""
    if aggregate is None:
        aggregate = ledger.fund_class_by_key(fund_class)
    shared = _Shared(registry, {} if plans is None else plans)
    build = _report_builder(ledger, fund_class, aggregate, quarter, shared)
    if issue is not None:
        return build(issue=issue)
    # The class's own record of its issues first: its events are read only for a quarter
    # whose report was issued (most reports are drafts).
    recorded = (
        None
        if aggregate.latest_report(quarter) is None
        else recorded_issue(ledger, fund_class, quarter)
    )
    if recorded is not None:
        report = build(issue=recorded.facts, review=recorded.review)
        if report_sha256(report) == recorded.report_sha256:
            return report
    return build()


@dataclass(frozen=True)
class _Shared:
    """What the reports of many classes read alike, when their caller keeps it: the registry
    (None: read from the view) and the plan instruments read so far, by document."""

    registry: Registry | None
    plans: dict[str, PlanInstrument]


def _report_builder(
    ledger: LedgerView,
    fund_class: str,
    aggregate: FundClass,
    quarter: str,
    shared: _Shared,
) -> Callable[..., dict[str, Any]]:
    """`build_report` with every input of the class (`aggregate`, as the view knows it) and
    quarter but the issue and review."""
    quarter_period = parse_period(quarter)
    effective = aggregate.effective_date
    fiscal_year_end = ledger.fiscal_year_end_of(aggregate, shared.plans)
    year = quarter_and_year(quarter_period, effective)
    periods = _compared_periods(quarter_period, aggregate, fiscal_year_end)
    span = Period(
        min([year.start, *(p.start for p in periods.values() if p is not None)]),
        quarter_period.end_exclusive,
    )
    reads = _ClassReads(ledger, fund_class)
    kinds = {
        provider: kind
        for (provider, key), kind in ledger.provider_kinds().items()
        if key == fund_class
    }
    build = partial(
        build_report,
        _report_facts(
            ledger, aggregate, fund_class, quarter_period, fiscal_year_end, shared=shared
        ),
        quarter=quarter,
        quarter_period=quarter_period,
        year_to_date=year,
        months=_split_months(ledger, fund_class, span),
        accrued_by_month=_accrued_by_month(ledger, fund_class, span),
        expenditures_quarter=reads.expenditure_lines(quarter_period),
        expenditures_year=reads.expenditure_lines(year),
        provider_kinds=kinds,
        receivable_quarter=reads.receivable_moves(quarter_period),
        receivable_year=reads.receivable_moves(year),
        compared=reads.compared(periods),
        provider_names=_provider_names(ledger, fund_class, sorted(kinds)),
    )
    sections = {"quarter_figures": quarter_period, "year_to_date": year, **periods}

    def with_sources(**issue_and_review: Any) -> dict[str, Any]:
        # The sources are part of the report as issued: its SHA-256 covers them.
        report = build(**issue_and_review)
        report["sources"] = quarterly_report_sources(ledger, report, sections)
        return report

    return with_sources


def _compared_periods(
    quarter_period: Period, aggregate: FundClass, fiscal_year_end: str
) -> dict[str, Period | None]:
    """The periods the report sets beside the quarter (None: one the plan did not run in)."""
    effective = aggregate.effective_date
    return {
        "prior_quarter": prior_quarter(quarter_period, effective),
        "plan_year_to_date": plan_year_to_date(
            quarter_period, effective, aggregate.initial_term_end
        ),
        "fiscal_year_to_date": fiscal_year_to_date(quarter_period, effective, fiscal_year_end),
    }


class _ClassReads:
    """The class's expenditures and receivable over each period the report names, each read
    once: the sections' periods often coincide (the year to date, the plan's and the fiscal
    year's), and the receivable's rows depend on the period's end alone (the quarter's and
    every year to date's are the same lines). The same query gives the same rows."""

    def __init__(self, ledger: LedgerView, fund_class: str) -> None:
        self.ledger, self.fund_class = ledger, fund_class
        self._expenditures: dict[Period, list[ExpenditureLine]] = {}
        self._receivable: dict[date, list[JournalRow]] = {}

    def expenditure_lines(self, period: Period) -> list[ExpenditureLine]:
        if period not in self._expenditures:
            self._expenditures[period] = _expenditure_lines(self.ledger, self.fund_class, period)
        return self._expenditures[period]

    def receivable_moves(self, period: Period) -> ReceivableMoves:
        last_day = period.end_inclusive
        if last_day not in self._receivable:
            self._receivable[last_day] = _receivable_lines(self.ledger, self.fund_class, last_day)
        return _moves_over(self._receivable[last_day], period)

    def compared(self, periods: dict[str, Period | None]) -> dict[str, ComparedPeriod | None]:
        """Each period beside the quarter with its expenditures and receivable."""
        return {
            name: None
            if period is None
            else ComparedPeriod(
                period, self.expenditure_lines(period), self.receivable_moves(period)
            )
            for name, period in periods.items()
        }


def _split_months(ledger: LedgerView, fund_class: str, span: Period) -> dict[str, SplitFigures]:
    # The class's rows alone, chosen by the database: not every class's, read and filtered.
    payments, fees, bases = ledger.split_inputs(
        span.start, span.end_exclusive, fund_class=fund_class
    )
    return {
        month: figures
        for (key, month), figures in split_by_month(
            [p for p in payments if p.fund_class == fund_class],
            [f for f in fees if f.fund_class == fund_class],
            [b for b in bases if b.fund_class == fund_class],
        ).items()
        if key == fund_class
    }


def _provider_names(ledger: LedgerView, fund_class: str, providers: list[str]) -> dict[str, str]:
    """Each provider's name as given when its agreement was recorded (`provider agree`)."""
    fund_code, share_class = fund_class.split("/", 1)
    return {
        provider: ledger.arrangement(provider, fund_code, share_class).provider_name
        for provider in providers
    }


def _report_facts(
    ledger: LedgerView,
    aggregate: FundClass,
    fund_class: str,
    quarter_period: Period,
    fiscal_year_end: str,
    *,
    shared: _Shared,
) -> ReportFacts:
    schedule_b = aggregate.schedule_b_on(quarter_period.end_inclusive)
    events_sha256, events_count = events_digest(
        ledger, fund_class, quarter_period.end_inclusive, shared.registry
    )
    return ReportFacts(
        fund_class=fund_class,
        fund_name=aggregate.fund_name,
        company_name=aggregate.company_name,
        distributor_name=aggregate.distributor_name,
        plan_title=aggregate.plan_title,
        plan_type=ledger.plan_type_of(aggregate, shared.plans),
        document_sha256=aggregate.document_sha256,
        schedule_b={
            "asset_based_sales_charge": format_percent(schedule_b.absc_rate_annual),
            "maximum_service_fee": format_percent(schedule_b.service_rate_annual_max),
            "maximum_total": format_percent(schedule_b.total_rate_annual_max),
        },
        events_sha256=events_sha256,
        events_count=events_count,
        software_version=software_version(),
        fiscal_year_end=fiscal_year_end,
    )


# orjson writes what json.dumps(indent=2, ensure_ascii=False) writes for a report's values
# (strings, integers, booleans, None, lists, dicts: money is a string) in a tenth of its time
# (pure Python, with an indent); a date or dataclass is left to json, as before. A report holds
# no float (orjson writes 1e-7 where json writes 1e-07).
_ORJSON_REPORT = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATETIME
_ORJSON_REPORT |= orjson.OPT_PASSTHROUGH_DATACLASS


def report_json(report: dict[str, Any]) -> bytes:
    """The report's JSON form: its bytes are its identity (`report_sha256`)."""
    try:
        return orjson.dumps(report, option=_ORJSON_REPORT)
    except TypeError:  # a value orjson leaves alone (an integer past 64 bits, a float key)
        return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def report_sha256(report: dict[str, Any]) -> str:
    """The report's identity: the SHA-256 of its JSON form as issued (what `report issue`
    records). The board's review follows the issue, so the review line is taken blank, as it
    was in the report issued; the report reviewed is still the report issued."""
    return hashlib.sha256(report_json(as_issued(report))).hexdigest()


def as_issued(report: dict[str, Any]) -> dict[str, Any]:
    """The report with its review line blank, as it stood when issued."""
    if "board_review" not in report:
        return report
    return {**report, "board_review": review_section(None)}


# The CSV's value columns: the quarter and the calendar year to date first, as before.
CSV_COLUMNS = (
    "quarter_figures",
    "year_to_date",
    "prior_quarter",
    "plan_year_to_date",
    "fiscal_year_to_date",
)


def report_csv(report: dict[str, Any]) -> bytes:
    """One line per figure: section, item, what it is, then a value per period (blank for a
    period before the plan); then the months, the issue, the review and the notes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "item", "detail", "quarter", "year_to_date", *CSV_COLUMNS[2:]])
    writer.writerows(_csv_restated_rows(report))
    order = [
        [column["section"] for column in report["columns"]].index(name) for name in CSV_COLUMNS
    ]
    for table in figure_tables(report):
        for row in table.rows:
            writer.writerow(
                [table.name, row.item, row.label, *(row.values[index] for index in order)]
            )
    for month in report["monthly"]:
        for key in (
            "accrued",
            "paid_to_distributor",
            "service_fees",
            "deemed_asset_based_sales_charge",
        ):
            writer.writerow(["monthly", key, month["month"], month[key], ""])
    for key in ("status", "issued_on", "prepared_by", "certification"):
        writer.writerow(["issue", key, "", report["issue"][key], ""])
    for key in ("status", "reviewed_on", "meeting", "line"):
        writer.writerow(["board_review", key, "", report["board_review"][key], ""])
    for note in service_fee_notes(report):
        writer.writerow(["service_fee_difference", "explanation", note, "", ""])
    writer.writerow(["built_from", "events_sha256", "", report["built_from"]["events_sha256"], ""])
    return buffer.getvalue().encode("utf-8")


def _csv_restated_rows(report: dict[str, Any]) -> list[list[str]]:
    """A report restated since its issue (docs/audit.md §7): the issue's date, then for each
    figure that moved, what the issue said, what it is now and the difference, one row each
    (the figure's place in the JSON form names it; the value sits in the quarter column)."""
    restated = report.get("restated")
    if not restated:
        return []
    rows = [["restated", "issued_on", "", restated["issued_on"], ""]]
    for moved in restated["figures"]:
        rows += [
            ["restated", moved["figure"], detail, moved[detail], ""]
            for detail in ("as_issued", "now", "difference")
        ]
    return rows


def file_stem(report: dict[str, Any]) -> str:
    return f"{report['fund_class'].replace('/', '-')}-{report['quarter']}"


def report_files(
    report: dict[str, Any], formats: tuple[str, ...] = FORMATS, pdf: int = PDF_RENDERING
) -> dict[str, bytes]:
    """The report's bytes in each format, by format; its PDF in rendering `pdf`."""
    writers: dict[str, Callable[[dict[str, Any]], bytes]] = {
        "json": report_json,
        "csv": report_csv,
        "html": report_html,
        "pdf": partial(_report_pdf, rendering=pdf),
    }
    return {name: writers[name](report) for name in formats}


def write_files(stem: str, files: dict[str, bytes], folder: Path) -> list[Path]:
    """`files` (format → bytes) as `folder/STEM.FORMAT`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = folder / f"{stem}.{name}"
        path.write_bytes(data)
        written.append(path)
    return written


def write_report(
    report: dict[str, Any], folder: Path, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    return write_files(file_stem(report), report_files(report, formats), folder)


def _report_pdf(report: dict[str, Any], rendering: int = PDF_RENDERING) -> bytes:
    """The PDF form; fpdf2 is loaded only when a PDF is written (a second and more of
    start-up for every other command)."""
    from adapters.outputs.report_pdf import report_pdf

    return report_pdf(report, rendering)
