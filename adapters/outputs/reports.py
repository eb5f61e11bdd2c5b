"""The quarterly report: gathered from the read models and the event log, written as files.

`quarterly_report` assembles the inputs of projections/quarterly_report.py for one fund class
and quarter, including the SHA-256 of the stored events the report was built from (the fund
class's stream and its service arrangements', every event with a business date up to the end
of the quarter, in stream order). The same events therefore give the same report, byte for byte,
whatever the database; a later correction dated within the quarter changes the hash.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select

from adapters.outputs.report_html import report_html
from adapters.readside.queries import journal, known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from domain.ids import fund_class_id, service_arrangement_id
from domain.periods import Period, parse_period
from domain.rates import format_percent
from projections.quarterly_report import (
    AccrualTotals,
    ExpenditureLine,
    ReceivableMoves,
    ReportFacts,
    build_report,
    quarter_and_year,
)
from projections.split import split_by_month

FORMATS = ("json", "csv", "html", "pdf")


def software_version() -> str:
    try:
        return version("planledger")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def events_digest(ledger: LedgerView, fund_class: str, last_day: date) -> tuple[str, int]:
    """SHA-256 over the stored events the report rests on, and how many there are."""
    fund_code, share_class = fund_class.split("/", 1)
    registry = ledger.registry()
    providers = sorted(
        provider
        for provider, keys in (registry.service_arrangements if registry else {}).items()
        if fund_class in keys
    )
    stream_ids = [fund_class_id(fund_code, share_class)] + [
        service_arrangement_id(provider, fund_code, share_class) for provider in providers
    ]
    digest = hashlib.sha256()
    count = 0
    for stream_id in stream_ids:
        version = ledger.store.version_at(stream_id, ledger.known_position)
        if ledger.known_position is not None and version is None:
            continue  # the stream did not exist yet at that position
        for stored in ledger.store.recorder.select_events(stream_id, lte=version):
            if json.loads(stored.state)["business_date"] > last_day.isoformat():
                continue
            digest.update(f"{stream_id}|{stored.originator_version}|{stored.topic}|".encode())
            digest.update(stored.state)
            digest.update(b"\n")
            count += 1
    return digest.hexdigest(), count


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


RECEIVABLE_ACCOUNT = ":ReceivableFromDistributor:"


def _receivable_moves(ledger: LedgerView, fund_class: str, period: Period) -> ReceivableMoves:
    """The receivable from the Distributor over `period`, from the journal's receivable
    accounts: what stood before, what corrections booked, what offsets and refunds settled."""
    moved: dict[str, int] = {}
    at_start = 0
    for row in journal(
        ledger.engine,
        end_inclusive=period.end_inclusive,
        fund_class=fund_class,
        known_position=ledger.known_position,
    ):
        if RECEIVABLE_ACCOUNT not in row.account:
            continue
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


def quarterly_report(ledger: LedgerView, fund_class: str, quarter: str) -> dict[str, Any]:
    quarter_period = parse_period(quarter)
    aggregate = ledger.fund_class_by_key(fund_class)
    year = quarter_and_year(quarter_period, aggregate.effective_date)
    payments, fees, bases = ledger.split_inputs(year.start, year.end_exclusive)
    months = {
        month: figures
        for (key, month), figures in split_by_month(
            [p for p in payments if p.fund_class == fund_class],
            [f for f in fees if f.fund_class == fund_class],
            [b for b in bases if b.fund_class == fund_class],
        ).items()
        if key == fund_class
    }
    schedule_b = aggregate.schedule_b_on(quarter_period.end_inclusive)
    events_sha256, events_count = events_digest(ledger, fund_class, quarter_period.end_inclusive)
    facts = ReportFacts(
        fund_class=fund_class,
        fund_name=aggregate.fund_name,
        company_name=aggregate.company_name,
        distributor_name=aggregate.distributor_name,
        plan_title=aggregate.plan_title,
        plan_type=ledger.plan_type_of(aggregate),
        document_sha256=aggregate.document_sha256,
        schedule_b={
            "asset_based_sales_charge": format_percent(schedule_b.absc_rate_annual),
            "maximum_service_fee": format_percent(schedule_b.service_rate_annual_max),
            "maximum_total": format_percent(schedule_b.total_rate_annual_max),
        },
        events_sha256=events_sha256,
        events_count=events_count,
        software_version=software_version(),
    )
    kinds = {
        provider: kind
        for (provider, key), kind in ledger.provider_kinds().items()
        if key == fund_class
    }
    return build_report(
        facts,
        quarter=quarter,
        quarter_period=quarter_period,
        year_to_date=year,
        months=months,
        accrued_by_month=_accrued_by_month(ledger, fund_class, year),
        expenditures_quarter=_expenditure_lines(ledger, fund_class, quarter_period),
        expenditures_year=_expenditure_lines(ledger, fund_class, year),
        provider_kinds=kinds,
        receivable_quarter=_receivable_moves(ledger, fund_class, quarter_period),
        receivable_year=_receivable_moves(ledger, fund_class, year),
    )


def report_json(report: dict[str, Any]) -> bytes:
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def report_sha256(report: dict[str, Any]) -> str:
    """The report's identity: the SHA-256 of its JSON form (what `report issue` records)."""
    return hashlib.sha256(report_json(report)).hexdigest()


def report_csv(report: dict[str, Any]) -> bytes:
    """One line per figure: section, item, detail, quarter, year to date."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "item", "detail", "quarter", "year_to_date"])
    writer.writerows(_csv_restated_rows(report))
    quarter, year = report["quarter_figures"], report["year_to_date"]
    writer.writerows(_csv_plan_rows(quarter, year))
    writer.writerows(_csv_service_fee_rows(quarter, year))
    writer.writerows(_csv_expenditure_rows(quarter, year))
    if "receivable_from_distributor" in quarter:
        for key, amount in quarter["receivable_from_distributor"].items():
            total = year["receivable_from_distributor"][key]
            writer.writerow(["receivable_from_distributor", key, "", amount, total])
    for key in ("paid_to_distributor", "service_fees", "deemed_asset_based_sales_charge"):
        writer.writerow(
            ["annualised", key, "", quarter["annualised"][key], year["annualised"][key]]
        )
    for month in report["monthly"]:
        for key in (
            "accrued",
            "paid_to_distributor",
            "service_fees",
            "deemed_asset_based_sales_charge",
        ):
            writer.writerow(["monthly", key, month["month"], month[key], ""])
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


def _csv_plan_rows(quarter: dict[str, Any], year: dict[str, Any]) -> list[list[str]]:
    """The accrued parts and the plan's own figures."""
    rows = [
        ["accrued", part, "", quarter["accrued"][part], year["accrued"][part]]
        for part in ("asset_based_sales_charge", "service_fee", "total")
    ]
    for item in (
        "paid_to_distributor",
        "accrued_less_paid",
        "deemed_asset_based_sales_charge",
        "average_daily_net_assets",
    ):
        rows.append(["plan", item, "", quarter[item], year[item]])
    return rows


def _csv_service_fee_rows(quarter: dict[str, Any], year: dict[str, Any]) -> list[list[str]]:
    """The total, then one row per provider paid in the quarter."""
    rows = [
        [
            "service_fees",
            "total",
            "",
            quarter["service_fees"]["total"],
            year["service_fees"]["total"],
        ]
    ]
    year_by_provider = {row["provider"]: row for row in year["service_fees"]["by_provider"]}
    for row in quarter["service_fees"]["by_provider"]:
        rows.append(
            [
                "service_fees",
                row["provider"],
                row["agreement"],
                row["amount"],
                year_by_provider.get(row["provider"], {}).get("amount", "0.00"),
            ]
        )
    return rows


def _csv_expenditure_rows(quarter: dict[str, Any], year: dict[str, Any]) -> list[list[str]]:
    """One row per purpose, then the total."""
    rows = [
        [
            "expenditures",
            quarter_row["purpose"],
            quarter_row["label"],
            quarter_row["amount"],
            year_row["amount"],
        ]
        for quarter_row, year_row in zip(
            quarter["expenditures_by_purpose"], year["expenditures_by_purpose"], strict=True
        )
    ]
    rows.append(
        ["expenditures", "total", "", quarter["expenditures_total"], year["expenditures_total"]]
    )
    return rows


def file_stem(report: dict[str, Any]) -> str:
    return f"{report['fund_class'].replace('/', '-')}-{report['quarter']}"


def report_files(report: dict[str, Any], formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The report's bytes in each format, by format."""
    writers = {"json": report_json, "csv": report_csv, "html": report_html, "pdf": _report_pdf}
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


def _report_pdf(report: dict[str, Any]) -> bytes:
    """The PDF form; fpdf2 is loaded only when a PDF is written (a second and more of
    start-up for every other command)."""
    from adapters.outputs.report_pdf import report_pdf

    return report_pdf(report)
