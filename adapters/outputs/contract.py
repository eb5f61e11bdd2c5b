"""The JSON records the command line and the web workbench both give (README, "Output"):
money a string with two decimals, an annual rate a decimal fraction string, dates ISO, no
float anywhere. One builder per record, so `log`, `impact` and `asof --format json` and the
workbench's `.json` pages cannot drift apart."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.outputs.impact import Impact
from adapters.readside.audit_log import LogEntry
from adapters.store.chain import format_commit_time
from domain.money import format_money
from domain.rates import rate_text
from projections.point_in_time import PointInTime


def plain_json(value: Any) -> Any:
    """`value` as JSON carries it: lists and dicts all the way down, a Decimal as its exact
    string, a date as ISO."""
    if isinstance(value, list | tuple):
        return [plain_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain_json(item) for key, item in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def log_entry_record(entry: LogEntry) -> dict[str, Any]:
    """One entry of the auditor's log for programs: every value by the contract of
    readside/event_fields.py, the class under `class` (as the command line names it)."""
    record = asdict(entry)
    record["business_date"] = entry.business_date.isoformat() if entry.business_date else None
    return {("class" if key == "share_class" else key): value for key, value in record.items()}


def money_or_none(amount: Decimal | None) -> str | None:
    return None if amount is None else format_money(amount)


def point_in_time_record(found: PointInTime) -> dict[str, Any]:
    """What `asof` answers: money with two decimals, rates as fractions."""
    return {
        "fund_class": found.fund_class,
        "as_of": found.as_of.isoformat(),
        "known_position": found.known_position,
        "plan_in_effect": found.in_effect,
        "authority": found.authority,
        "agreement_in_effect": found.agreement_in_effect,
        "schedule_b": {
            "asset_based_sales_charge": rate_text(found.absc_rate_annual),
            "maximum_service_fee": rate_text(found.service_rate_annual_max),
            "maximum_total": rate_text(found.total_rate_annual_max),
        },
        "fee_basis": {
            "net_assets": money_or_none(found.basis_net_assets),
            "struck_on": found.basis_date.isoformat() if found.basis_date else None,
        },
        "accrued_through": found.accrued_through.isoformat() if found.accrued_through else None,
        "accrued": {
            "asset_based_sales_charge": format_money(found.absc_accrued),
            "service_fee": format_money(found.service_accrued),
            "total": format_money(found.accrued),
        },
        "paid_to_distributor": {
            "asset_based_sales_charge": format_money(found.absc_paid),
            "service_fee": format_money(found.service_paid),
            "total": format_money(found.paid),
        },
        "payable": format_money(found.payable),
        "receivable_from_distributor": format_money(found.receivable),
        "reports": plain_json(found.reports),
    }


def impact_record(found: Impact) -> dict[str, Any]:
    """What `impact` answers: the events since a time, and what they change."""
    return {
        "since": format_commit_time(found.since),
        "since_position": found.since_position,
        "now_position": found.now_position,
        "events_since": found.events_since,
        "corrections": found.corrections,
        "reports": [
            {
                "fund_class": report.fund_class,
                "quarter": report.quarter,
                "issued_on": report.issued_on.isoformat(),
                "issued_sha256": report.issued_sha256,
                "sha256_then": report.sha256_then,
                "sha256_now": report.sha256_now,
                "changes": [
                    {
                        "path": change.path,
                        "before": change.before,
                        "after": change.after,
                        "delta": None if change.delta is None else str(change.delta),
                    }
                    for change in report.changes
                ],
            }
            for report in found.reports
        ],
        "amounts": [
            {
                "kind": amount.kind,
                "fund_class": amount.fund_class,
                "provider": amount.provider,
                "reference": amount.reference,
                "period": amount.period,
                "paid": format_money(amount.paid),
                "then": format_money(amount.then),
                "now": format_money(amount.now),
                "delta": format_money(amount.delta),
                "note": amount.note,
            }
            for amount in found.amounts
        ],
    }
