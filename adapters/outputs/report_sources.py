"""The events behind each figure of a quarterly report: the read-model rows the report sums,
with the log position of the event that wrote each (docs/traceability.md §4).

Every query here asks what adapters/outputs/reports.py asks for the same report (the fund
class, the year to date, the known position), and also reads each row's `position`; the pure
part, projections/report_sources.py, turns them into the report's `sources`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, select

from adapters.readside.queries import known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from domain.periods import Period
from projections.journal import receivable_accounts
from projections.report_sources import (
    AccrualSource,
    CoveringSource,
    ExpenditureSource,
    ReceivableSource,
    SourceRows,
    report_sources,
)
from projections.split import Covering


def quarterly_report_sources(
    ledger: LedgerView, report: dict[str, Any], sections: dict[str, Period | None]
) -> dict[str, Any]:
    """The `sources` of a report built by `quarterly_report` from the same view: `sections`
    names each figures section's period (None: the section is empty, before the plan).

    Each section's rows are read over its own period, as the report reads them; the monthly
    rows are the calendar year to date's. A period shared by several sections (the monthly
    rows' and the year to date's always; often the plan's or fiscal year's too) is read once:
    the same query gives the same rows."""
    fund_class = report["fund_class"]
    read: dict[Period, SourceRows] = {}

    def rows_over(period: Period) -> SourceRows:
        if period not in read:
            read[period] = source_rows(ledger, fund_class, period)
        return read[period]

    sources: dict[str, Any] = {}
    for section in [column["section"] for column in report["columns"]]:  # the report's order
        period = sections.get(section)
        if period is None or not report.get(section):
            continue
        rows = rows_over(period)
        sources.update(report_sources({section: report[section]}, {section: period}, rows))
    year_to_date = sections["year_to_date"]
    assert year_to_date is not None
    monthly_only = {"monthly": report.get("monthly", [])}
    sources.update(report_sources(monthly_only, {}, rows_over(year_to_date)))
    return sources


def source_rows(ledger: LedgerView, fund_class: str, window: Period) -> SourceRows:
    """The rows the report of `fund_class` sums over `window` (its year to date)."""
    return SourceRows(
        accruals=_accruals(ledger, fund_class, window),
        payments=_coverings(ledger, "distributor_payments", fund_class, window),
        fees=_coverings(ledger, "service_fees", fund_class, window),
        expenditures=_expenditures(ledger, fund_class, window),
        receivable=_receivable(ledger, fund_class, window.end_inclusive),
    )


def _accruals(ledger: LedgerView, fund_class: str, window: Period) -> list[AccrualSource]:
    """As `_accrued_by_month` and the split's bases read them: by business date in the
    window, each row kept with its month."""
    accruals = TABLES["accruals"]
    query = known(
        select(
            accruals.c.position,
            accruals.c.month,
            accruals.c.kind,
            accruals.c.absc_cents,
            accruals.c.service_cents,
            accruals.c.basis_cents,
        ).where(
            and_(
                accruals.c.fund_class == fund_class,
                accruals.c.business_date >= window.start,
                accruals.c.business_date < window.end_exclusive,
            )
        ),
        ledger.known_position,
        accruals,
    )
    with ledger.engine.connect() as conn:
        return [
            AccrualSource(int(position), month, kind, int(absc), int(service), int(basis))
            for position, month, kind, absc, service, basis in conn.execute(query)
        ]


def _coverings(
    ledger: LedgerView, table_name: str, fund_class: str, window: Period
) -> list[CoveringSource]:
    """Payments (or fees) whose covered period overlaps the window, as `split_inputs`."""
    table = TABLES[table_name]
    has_provider = "provider" in table.c
    columns = [
        table.c.position,
        table.c.period_start,
        table.c.period_end_exclusive,
        table.c.amount_cents,
        *([table.c.provider] if has_provider else []),
    ]
    query = known(
        select(*columns).where(
            and_(
                table.c.fund_class == fund_class,
                table.c.period_start < window.end_exclusive,
                table.c.period_end_exclusive > window.start,
            )
        ),
        ledger.known_position,
        table,
    )
    with ledger.engine.connect() as conn:
        return [
            CoveringSource(
                int(row[0]),
                Covering(fund_class, row[1], row[2], int(row[3]), row[4] if has_provider else ""),
            )
            for row in conn.execute(query)
        ]


def _expenditures(ledger: LedgerView, fund_class: str, window: Period) -> list[ExpenditureSource]:
    return [
        ExpenditureSource(
            int(row["position"]),
            row["purpose"],
            row["performer"],
            row["period_start"],
            row["period_end_exclusive"],
            int(row["amount_cents"]),
        )
        for row in ledger.expenditures(fund_class, window.start, window.end_exclusive)
    ]


def _receivable(ledger: LedgerView, fund_class: str, last_day: date) -> list[ReceivableSource]:
    """Each journal entry's lines on the receivable accounts, as `_receivable_lines` reads
    them."""
    entries, lines = TABLES["journal_entries"], TABLES["journal_lines"]
    query = known(
        select(
            entries.c.position,
            entries.c.business_date,
            entries.c.kind,
            func.sum(lines.c.debit_cents - lines.c.credit_cents),
        )
        .join(lines, lines.c.entry_id == entries.c.entry_id)
        .where(
            and_(
                entries.c.business_date <= last_day,
                entries.c.fund_class == fund_class.replace("/", "-"),
                lines.c.account.in_(receivable_accounts(fund_class)),
            )
        )
        .group_by(entries.c.position, entries.c.business_date, entries.c.kind),
        ledger.known_position,
        entries,
    )
    with ledger.engine.connect() as conn:
        return [
            ReceivableSource(int(position), day, kind, int(signed))
            for position, day, kind, signed in conn.execute(query)
        ]
