"""The quarterly report with every figure a link to its events, a figure's events, the
comparison of two moments, reconciliation's breaks and the chain's check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from adapters.outputs.contract import (
    impact_record,
    log_entry_record,
    plain_json,
    point_in_time_record,
)
from adapters.outputs.impact import analyse_impact, report_leaves
from adapters.outputs.issued import marked_if_restated
from adapters.outputs.report_html_sources import figure_label, figure_value
from adapters.outputs.report_tables import figure_tables, restated_rows
from adapters.outputs.reports import quarterly_report
from adapters.readside.audit_log import LogFilter, read_log
from adapters.readside.point_in_time import fund_class_as_of
from adapters.readside.reconciliation import breaks
from adapters.readside.view import LedgerView
from adapters.store.chain import format_commit_time
from adapters.store.verify import verify_chain
from adapters.web.moments import BadQueryError, Moment

FIGURE_EVENTS_LIMIT = 500
COMPARE_EVENTS_LIMIT = 200
MAX_CARRY_DAYS = 4  # `impact --max-carry-days`'s default


def report_page(view: LedgerView, key: str, quarter: str) -> dict[str, Any]:
    """The report as `report quarterly --formats json` writes it, and its figures in order,
    each with its label, value and JSON pointer (the key of its `sources`)."""
    view.check_fund_class_keys([key])
    # Marked, as the command marks it, when it moved since the report issued (docs/audit.md §7).
    report = marked_if_restated(view, quarterly_report(view, key, quarter))
    return {
        "report": report,
        "tables": _tables(report),
        "restated": [
            {
                "label": row.label,
                "as_issued": row.as_issued,
                "now": row.now,
                "difference": row.difference,
            }
            for row in restated_rows(report)
        ],
        "figures": [
            {
                "pointer": pointer,
                "label": figure_label(report, pointer),
                "value": figure_value(report, pointer),
            }
            for pointer in report.get("sources", {})
        ],
    }


def _tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's tables as the printed report lays them out, each figure with its pointer
    (the page links it to its events)."""
    return [
        {
            "title": table.title,
            "rows": [
                {
                    "label": row.label,
                    "total": row.total,
                    "cells": [
                        {"value": value, "pointer": pointer}
                        for value, pointer in zip(row.values, row.pointers, strict=True)
                    ],
                }
                for row in table.rows
            ],
        }
        for table in figure_tables(report)
    ]


def position_runs(runs: list[str]) -> list[tuple[int, int]]:
    """`["1307..1401", "2144"]` as inclusive ranges."""
    ranges = []
    for run in runs:
        first, _, last = run.partition("..")
        ranges.append((int(first), int(last or first)))
    return ranges


def figure_page(view: LedgerView, report: dict[str, Any], pointer: str) -> dict[str, Any]:
    """One figure of `report` (report_page's, at the view's position): its value, how it is
    made, and the events that make it.

    Raises:
        BadQueryError: the report has no such figure.
    """
    key, quarter = report["fund_class"], report["quarter"]
    source = report.get("sources", {}).get(pointer)
    if source is None:
        raise BadQueryError(f"pointer: the report has no figure {pointer!r}")
    entries: list[dict[str, Any]] = []
    for first, last in position_runs(source.get("positions", [])):
        chosen = LogFilter(first_position=first, last_position=last)
        for entry in read_log(view, chosen):
            entries.append(log_entry_record(entry))
            if len(entries) >= FIGURE_EVENTS_LIMIT:
                break
    terms = [
        {"sign": term[0], "pointer": term[1:], "label": figure_label(report, term[1:])}
        for term in source.get("terms", [])
    ]
    return {
        "fund_class": key,
        "quarter": quarter,
        "pointer": pointer,
        "label": figure_label(report, pointer),
        "value": figure_value(report, pointer),
        "source": source,
        "terms": terms,
        "events": entries,
        "events_shown_limit": FIGURE_EVENTS_LIMIT,
    }


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a view and a business date."""

    view: LedgerView
    moment: Moment


def _figures(side: Side, keys: list[str], quarter: str | None) -> dict[str, str]:
    """Every figure of every class at one side, by a readable path."""
    known = set(side.view.fund_class_keys())
    leaves: dict[str, str] = {}
    for key in keys:
        if key not in known:
            continue
        record = point_in_time_record(fund_class_as_of(side.view, key, side.moment.as_of))
        record.pop("known_position")
        record.pop("as_of")
        leaves |= {f"{key} {path}": value for path, value in report_leaves(record)}
        if quarter is not None:
            report = quarterly_report(side.view, key, quarter)
            report.pop("sources", None)
            leaves |= {
                f"{key} report {quarter} {path}": value
                for path, value in report_leaves(report)
                if not path.startswith("built_from.")
            }
    return leaves


def impact_between(before: Side, after: Side) -> dict[str, Any] | None:
    """What `impact --since A` says at B: for two known-at times, B the later."""
    if before.moment.known_at is None or before.moment.position >= after.moment.position:
        return None
    found = analyse_impact(after.view, before.moment.known_at, max_carry_days=MAX_CARRY_DAYS)
    return impact_record(found)


def compare_page(
    before: Side, after: Side, quarter: str | None, impact: dict[str, Any] | None
) -> dict[str, Any]:
    """Two moments side by side: every figure, those that differ flagged, and the events
    committed between the two positions (with what `impact` says of them)."""
    keys = sorted(set(before.view.fund_class_keys()) | set(after.view.fund_class_keys()))
    old, new = _figures(before, keys, quarter), _figures(after, keys, quarter)
    rows = [
        {"figure": path, "before": old.get(path), "after": new.get(path)}
        | {"differs": old.get(path) != new.get(path)}
        for path in sorted(set(old) | set(new))
    ]
    low, high = sorted((before.moment.position, after.moment.position))
    between = [
        log_entry_record(entry)
        for _, entry in zip(
            range(COMPARE_EVENTS_LIMIT),
            read_log(after.view, LogFilter(first_position=low + 1, last_position=high)),
            strict=False,
        )
    ]
    return {
        "before": before.moment.record(),
        "after": after.moment.record(),
        "quarter": quarter,
        "figures": rows,
        "differing": sum(1 for row in rows if row["differs"]),
        "events_between": between,
        "events_between_count": high - low,
        "impact": impact,
    }


def breaks_page(view: LedgerView, as_of: date) -> dict[str, Any]:
    """Reconciliation's breaks as known at the view's position, dated by `as_of`."""
    rows = sorted(breaks(view).values(), key=lambda row: (row.business_date, row.key))
    return {
        "breaks": [
            plain_json(
                {
                    "key": row.key,
                    "check": row.check,
                    "kind": row.kind,
                    "fund_class": row.fund_class,
                    "business_date": row.business_date,
                    "age_days": row.age_days(as_of),
                    "owner": row.owner,
                    "status": row.status,
                    "ledger_amount": _money(row.ledger_amount),
                    "outside_amount": _money(row.outside_amount),
                    "difference": _money(row.difference),
                    "detail": row.detail,
                    "comments": list(row.comments),
                    "resolved_by_event": row.resolved_by_event,
                }
            )
            for row in rows
            if row.business_date <= as_of
        ]
    }


def _money(amount: Any) -> str | None:
    from domain.money import format_money

    return None if amount is None else format_money(amount)


@dataclass(frozen=True)
class ChainCheck:
    """The last `verify` of the chain this server ran (on demand)."""

    ran_at: str
    ok: bool
    events: int
    head_position: int | None
    findings: list[str]


def check_chain(view: LedgerView) -> ChainCheck:
    """The chain recomputed over every stored event, its seals checked (verify's chain part;
    snapshots and read models are `planledger verify`'s)."""
    result = verify_chain(view.store)
    return ChainCheck(
        ran_at=format_commit_time(datetime.now(UTC)),
        ok=result.ok,
        events=result.events,
        head_position=None if result.head is None else result.head.position,
        findings=[finding.describe() for finding in result.findings[:50]],
    )
