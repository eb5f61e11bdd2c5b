"""What each page of the workbench shows, as the JSON it answers with (the command line's
contract: money a string with two decimals, rates decimal fractions, ISO dates). The HTML
templates render these same records; nothing here decides a figure: the read side and the
outputs do (readside/, outputs/)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, time, timedelta
from typing import Any

from adapters.outputs.contract import log_entry_record, plain_json, point_in_time_record
from adapters.readside import queries
from adapters.readside.audit_log import (
    LogEntry,
    LogFilter,
    event_types,
    last_entries,
    read_log,
)
from adapters.readside.point_in_time import fund_class_as_of
from adapters.readside.view import LedgerView
from adapters.web.moments import BadQueryError, Moment, day_of, moment_of
from domain.ids import fund_class_id
from domain.money import format_money
from domain.periods import Period, last_quarter_ended, parse_period
from domain.rates import rate_text
from projections.compliance import compliance_as_of

LOG_PAGE_SIZE = 50
LISTINGS = {
    "payments": "distributor_payments",
    "service_fees": "service_fees",
    "expenditures": "expenditures",
}
FIGURE_EVENTS_LIMIT = 500


def money(cents: int) -> str:
    return format_money(queries.dollars(cents))


def standing(view: LedgerView, key: str, as_of: date) -> dict[str, Any]:
    """A fund class's standing on `as_of`: plan and agreement, continuance, caps, open items."""
    row = compliance_as_of(view.stream(fund_class_id(*key.split("/", 1))), as_of)
    return {
        "fund_class": key,
        "plan": row.plan_status,
        "agreement": row.agreement_status,
        "agreement_ends_on": plain_json(row.agreement_ends_on),
        "next_continuance_due": plain_json(row.next_continuance_due),
        "unreviewed_quarters": row.unreviewed_quarters,
        "absc_annualised": None if row.absc_annualised is None else rate_text(row.absc_annualised),
        "service_annualised": (
            None if row.service_annualised is None else rate_text(row.service_annualised)
        ),
        "cap_remaining": None if row.cap_remaining is None else format_money(row.cap_remaining),
        "overdue": row.overdue,
        "open_items": [
            {"kind": item.kind, "date": plain_json(item.on), "status": item.status}
            | {"text": item.text}
            for item in row.items
            if item.status != "noted"
        ],
    }


def chain_state(view: LedgerView, moment: Moment) -> dict[str, Any]:
    """The chain's head at the page's position and its last seal."""
    head = view.store.chain_head(moment.position)
    seals = last_entries(view, LogFilter(event_types=["ChainSealed"]), 1)
    return {
        "head": None if head is None else asdict(head),
        "last_seal": log_entry_record(seals[-1]) if seals else None,
    }


def home(view: LedgerView, moment: Moment) -> dict[str, Any]:
    keys = view.fund_class_keys()
    return {
        "fund_classes": [
            {
                "standing": standing(view, key, moment.as_of),
                "as_of": point_in_time_record(fund_class_as_of(view, key, moment.as_of)),
            }
            for key in keys
        ],
        "chain": chain_state(view, moment),
    }


def fund_class_page(view: LedgerView, key: str, moment: Moment) -> dict[str, Any]:
    """Raises:
    UnknownFundClassError: no such class at the position.
    """
    view.check_fund_class_keys([key])
    as_of = moment.as_of
    engine, position = view.engine, moment.position
    point = point_in_time_record(fund_class_as_of(view, key, as_of))
    return {
        "fund_class": key,
        "as_of": point,
        "standing": standing(view, key, as_of),
        "accruals_by_month": [
            {
                "month": total.period,
                "days": total.days,
                "absc_accrued": money(total.absc_cents),
                "service_accrued": money(total.service_cents),
                "accrued": money(total.total_cents),
            }
            for total in view.accrual_totals("month", fund_class=key, end_inclusive=as_of)
        ],
        **{
            name: _money_rows(queries.listed(engine, table, key, as_of, position))
            for name, table in LISTINGS.items()
        },
        "quarters": _quarters(view, key, as_of, point["accrued_through"]),
    }


def _money_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Read-model rows for JSON: `*_cents` as money under the name without it."""
    shown = []
    for row in rows:
        record = {}
        for name, value in row.items():
            if name.endswith("_cents"):
                record[name.removesuffix("_cents")] = money(int(value))
            elif name != "entry_id":
                record[name] = plain_json(value)
        shown.append(record)
    return shown


def _quarters(view: LedgerView, key: str, as_of: date, accrued_through: str | None) -> list[str]:
    """The calendar quarters ended by `as_of` that have accruals (from the plan's effective
    date to the last day accrued), latest first: the reports there are to read."""
    start = view.fund_class_by_key(key).effective_date
    if start is None or accrued_through is None or start > as_of:
        return []
    through = date.fromisoformat(accrued_through)
    quarters: list[str] = []
    period = parse_period(last_quarter_ended(as_of))
    while period.end_inclusive >= start:
        if period.start <= through:
            quarters.append(last_quarter_ended(period.end_inclusive))
        period = parse_period(last_quarter_ended(period.start - timedelta(days=1)))
    return quarters


def log_filter(params: dict[str, str], moment: Moment) -> LogFilter:
    """The log's filters from the URL (the command line's `log` options by other names).

    Raises:
        BadQueryError: a malformed value or an unknown event type.
    """
    fund_class = params.get("fund_class") or ""
    fund, _, share_class = fund_class.partition("/")
    types = [name for name in params.get("type", "").split(",") if name]
    unknown = sorted(set(types) - set(event_types()))
    if unknown:
        raise BadQueryError(f"type: unknown event type {', '.join(unknown)}")
    business_to = day_of(params.get("business_to"), "business_to")
    if moment.as_of_given:
        business_to = min(day for day in (business_to, moment.as_of) if day)
    return LogFilter(
        fund=fund or None,
        share_class=share_class or None,
        event_types=tuple(types),
        actor=params.get("actor") or None,
        business_from=day_of(params.get("business_from"), "business_from"),
        business_to=business_to,
        committed_from=moment_of(params.get("recorded_from"), "recorded_from", time.min),
        committed_to=moment_of(params.get("recorded_to"), "recorded_to"),
    )


def log_page(view: LedgerView, chosen: LogFilter, after: int, before: int | None) -> dict[str, Any]:
    """One page of the log: the first `LOG_PAGE_SIZE` entries after position `after`, or the
    last ones before position `before`."""
    if before is not None:
        bounded = replace(chosen, last_position=before - 1)
        entries = last_entries(view, bounded, LOG_PAGE_SIZE) if before > 1 else []
    else:
        entries = []
        for entry in read_log(view, replace(chosen, first_position=after + 1)):
            entries.append(entry)
            if len(entries) > LOG_PAGE_SIZE:
                break
    more_after = len(entries) > LOG_PAGE_SIZE
    entries = entries[:LOG_PAGE_SIZE]
    return {
        "entries": [log_entry_record(entry) for entry in entries],
        "next_after": entries[-1].position if entries and (more_after or before) else None,
        "previous_before": entries[0].position if entries and (after or before) else None,
        "event_types": sorted(event_types()),
    }


def one_entry(view: LedgerView, position: int) -> LogEntry | None:
    found = list(read_log(view, LogFilter(first_position=position, last_position=position)))
    return found[0] if found else None


def event_page(view: LedgerView, position: int) -> dict[str, Any] | None:
    """One event: its entry, its chain record, what it corrects and what corrects it."""
    entry = one_entry(view, position)
    if entry is None:
        return None
    records = view.store.recorder.chain_records(position - 1, 1, position)  # type: ignore[attr-defined]
    return {
        "entry": log_entry_record(entry),
        "chain": asdict(records[0]) if records else None,
        "corrects": (
            None
            if entry.reverses_position is None
            else log_entry_record(one_entry(view, entry.reverses_position) or entry)
        ),
        "corrected_by": [log_entry_record(later) for later in _corrections_of(view, entry)],
    }


def _corrections_of(view: LedgerView, entry: LogEntry) -> list[LogEntry]:
    """The later events of the same fund class that name `entry` as what they reverse."""
    if entry.fund is None:
        return []
    reversals = [name for name in event_types() if "Revers" in name]
    chosen = LogFilter(
        fund=entry.fund,
        share_class=entry.share_class,
        event_types=reversals,
        first_position=entry.position + 1,
    )
    return [later for later in read_log(view, chosen) if later.reverses_position == entry.position]


def quarter_period(quarter: str) -> Period:
    try:
        return parse_period(quarter)
    except ValueError as error:
        raise BadQueryError(f"quarter: {error}") from None
