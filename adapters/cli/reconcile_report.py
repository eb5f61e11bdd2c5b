"""The reconciliation report (`reconcile report`) as a table, JSON, CSV or an HTML page
(docs/reconciliation.md §4): matched totals per check, the open breaks with their age and
owner, each dealer's three-way status.

Every format is drawn from the same rows (the HTML by outputs/reconciliation_html.py), so the
page and the JSON never disagree."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from adapters.cli.output import Column, json_value, money_with_separators, render
from domain.rates import format_percent
from projections.reconciliation import BreakRow, CheckTotals, DealerLine, ReconciliationReport

CHECK_COLUMNS = (
    Column("check", "check"),
    Column("matches", "matches"),
    Column("within_tolerance", "within tolerance"),
    Column("ledger_matched", "ledger matched", money=True),
    Column("outside_matched", "outside matched", money=True),
    Column("breaks_open", "open"),
    Column("breaks_resolved", "resolved"),
    Column("breaks_written_off", "written off"),
    Column("open_difference", "open difference", money=True),
)
# Every field of a break (`reconcile breaks`); the report's open breaks show those that
# describe an open one.
BREAK_COLUMNS = (
    Column("id", "id"),
    Column("check", "check"),
    Column("kind", "kind"),
    Column("fund_class", "fund class"),
    Column("business_date", "date"),
    Column("age_days", "age"),
    Column("owner", "owner"),
    Column("status", "status"),
    Column("ledger_amount", "ledger", money=True),
    Column("outside_amount", "outside", money=True),
    Column("difference", "difference", money=True),
    Column("key", "key", in_table=False),
    Column("detail", "detail", in_table=False),
    Column("comments", "comments", in_table=False),
    Column("write_off_amount", "write-off", in_table=False),
    Column("write_off_proposed_by", "proposed by", in_table=False),
    Column("written_off_by", "approved by", in_table=False),
    Column("resolved_by_event", "resolved by", in_table=False),
    Column("reopened", "reopened", in_table=False),
)
OPEN_BREAK_KEYS = frozenset(
    (
        "check",
        "kind",
        "fund_class",
        "business_date",
        "age_days",
        "owner",
        "ledger_amount",
        "outside_amount",
        "difference",
        "key",
        "detail",
    )
)
OPEN_BREAK_COLUMNS = tuple(c for c in BREAK_COLUMNS if c.key in OPEN_BREAK_KEYS)
DEALER_COLUMNS = (
    Column("dealer", "dealer"),
    Column("fund_class", "fund class"),
    Column("period", "period"),
    Column("method", "averaging"),
    Column("average_net_assets", "average net assets", money=True),
    Column("rate_annual", "rate", rate=True),
    Column("owed", "owed", money=True),
    Column("invoiced", "invoiced", money=True),
    Column("cap", "cap", money=True),
    Column("paid", "paid", money=True),
    Column("status", "status"),
    Column("dealer_name", "dealer name", in_table=False),
    Column("agreement_reference", "agreement", in_table=False),
    Column("detail", "detail", in_table=False),
)
SECTIONS = (
    ("checks", "Matched per check", CHECK_COLUMNS),
    ("open_breaks", "Open breaks", OPEN_BREAK_COLUMNS),
    ("dealers", "Dealers: owed under the agreement, invoiced, capped, paid", DEALER_COLUMNS),
)


def _check_row(totals: CheckTotals) -> dict[str, Any]:
    return {column.key: getattr(totals, column.key) for column in CHECK_COLUMNS}


def _break_row(row: BreakRow, report: ReconciliationReport) -> dict[str, Any]:
    record = {
        column.key: getattr(row, column.key, None)
        for column in OPEN_BREAK_COLUMNS
        if column.key != "age_days"
    }
    record["age_days"] = row.age_days(report.as_of)
    return record


def _dealer_row(line: DealerLine) -> dict[str, Any]:
    return {column.key: getattr(line, column.key) for column in DEALER_COLUMNS}


def report_rows(report: ReconciliationReport) -> dict[str, list[dict[str, Any]]]:
    """Each section's rows, by the section's name."""
    return {
        "checks": [_check_row(totals) for totals in report.checks],
        "open_breaks": [_break_row(row, report) for row in report.open_breaks],
        "dealers": [_dealer_row(line) for line in report.dealers],
    }


def _json_rows(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> list[Any]:
    return [
        {column.key: json_value(row.get(column.key), column) for column in columns} for row in rows
    ]


def report_json(report: ReconciliationReport) -> str:
    rows = report_rows(report)
    document: dict[str, Any] = {
        "period": report.period.label(),
        "period_start": report.period.start.isoformat(),
        "period_end_exclusive": report.period.end_exclusive.isoformat(),
        "as_of": report.as_of.isoformat(),
    }
    for name, _title, columns in SECTIONS:
        document[name] = _json_rows(rows[name], columns)
    return json.dumps(document, indent=2) + "\n"


def report_csv(report: ReconciliationReport) -> str:
    """One table: a `section` column, then every section's columns (a row fills its own)."""
    rows = report_rows(report)
    keys: list[str] = []
    columns: dict[str, Column] = {}
    for _name, _title, section_columns in SECTIONS:
        for column in section_columns:
            if column.key not in columns:
                keys.append(column.key)
                columns[column.key] = column
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", *keys])
    for name, _title, section_columns in SECTIONS:
        own = {column.key: column for column in section_columns}
        for row in rows[name]:
            values = []
            for key in keys:
                value = json_value(row.get(key), own[key]) if key in own else None
                values.append("" if value is None else str(value))
            writer.writerow([name, *values])
    return buffer.getvalue()


def report_table(report: ReconciliationReport) -> str:
    rows = report_rows(report)
    out = [f"Reconciliation {report.period.label()} (breaks aged to {report.as_of.isoformat()})\n"]
    for name, title, columns in SECTIONS:
        out.append(f"\n{title}\n")
        out.append(render(rows[name], columns, "table") if rows[name] else "(none)\n")
    return "".join(out)


def report_html(report: ReconciliationReport) -> str:
    """A printable page: a heading, the three sections as tables, amounts right-aligned."""
    from adapters.outputs.reconciliation_html import HtmlSection, page_html

    rows = report_rows(report)
    sections = [
        HtmlSection(
            title,
            tuple((column.title, _is_figure(column)) for column in columns if column.in_table),
            tuple(
                tuple(
                    _html_cell(row.get(column.key), column) for column in columns if column.in_table
                )
                for row in rows[name]
            ),
        )
        for name, title, columns in SECTIONS
    ]
    period = report.period
    return page_html(
        f"Reconciliation {period.label()}",
        f"{period.start.isoformat()} to {period.end_inclusive.isoformat()} · open breaks aged to "
        f"{report.as_of.isoformat()} · {len(report.open_breaks)} open",
        sections,
    )


# The columns of counts: right-aligned like the amounts.
COUNT_KEYS = frozenset(
    ("matches", "within_tolerance", "breaks_open", "breaks_resolved", "breaks_written_off",
     "age_days")
)  # fmt: skip


def _is_figure(column: Column) -> bool:
    return column.money or column.rate or column.key in COUNT_KEYS


def _html_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if column.money:
        return money_with_separators(value)
    if column.rate:
        return format_percent(value)
    return str(json_value(value, column))
