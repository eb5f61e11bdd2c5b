"""From each figure of the quarterly report to the events that make it (docs/traceability.md §4).

`report_sources` maps the JSON pointer (RFC 6901) of every figure of a report built by
projections/quarterly_report.py to where it comes from, in one of four shapes:

* a sum of events: `{"sum_of": RULE, "positions": [...]}`: every event named adds its own
  amount, read from its fields as RULE says (SUM_RULES);
* an allocation: `{"allocated": RULE, "positions": [...], "contributions": [...]}`: each event
  gives the figure a share of its amount (a payment covering months beyond the period gives
  the period's months their days' share), stated beside it (ALLOCATION_RULES);
* an average of events: `{"average_of": "daily_net_assets", "positions": [...]}`;
* a figure derived from other figures: `{"derived": FORMULA, "op": OP, ...}` naming them by
  pointer (DERIVED_OPS).

Positions are strings a reader can pass to `planledger log --position`: `"1203"`, or a run of
consecutive positions all named, `"1203..1294"`. An allocation lists each position alone, its
contribution at the same index. The rows given here are those the report itself was built
from (the same fund class, window and known position): the sources name exactly the events the
report summed. Pure: rows in, a dict out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.periods import Period
from projections.quarterly_report import money
from projections.split import Covering, spread_over_months

SUM_RULES = {
    "accrued_absc": "each accrual event's asset-based sales charge (FeeAccrued absc_amount, "
    "AccrualTrueUpPosted adjustment_absc, FeeAccrualAdjusted and FeeAccrualReversed "
    "absc_amount_delta)",
    "accrued_service": "each accrual event's service fee (FeeAccrued service_amount, "
    "AccrualTrueUpPosted adjustment_service, FeeAccrualAdjusted and FeeAccrualReversed "
    "service_amount_delta)",
    "accrued_total": "each accrual event's two parts together",
    "expenditure_amount": "ExpenditureRecorded amount, less ExpenditureReversed amount",
    "receivable_booked": "DistributorReceivableBooked absc_amount + service_amount",
    "receivable_settled": "DistributorReceivableOffset or DistributorRefundReceived "
    "receivable_absc + receivable_service",
    "receivable_balance": "booked (DistributorReceivableBooked) less settled "
    "(DistributorReceivableOffset, DistributorRefundReceived)",
}
ALLOCATION_RULES = {
    "payments_by_days": "DistributorPaid amount (a DistributorPaymentReversed, less it; a "
    "DistributorReceivableOffset, its amount) spread over the months it covers in proportion "
    "to their days (largest remainder, ties to the earlier month), the period's months kept; "
    "an offset or a refund gives back, for each month of its taken_by_month in the period, "
    "what it took",
    "service_fees_by_days": "ServiceFeePaid amount (a ServiceFeeReversed, less it) spread over "
    "the months it covers in proportion to their days, the period's months kept",
}
DERIVED_OPS = {
    "sum": "the sum of `terms`, each a pointer signed + or -",
    "service_from_plan": "SIXTH: the smaller of the service fees paid (the figures `fees`, or "
    "the events it lists) and `paid` (what the Distributor was paid, not below zero)",
    "annualised": "`amount` ÷ Σ(each day's net assets ÷ days in its year), over the accrual "
    "events of `net_assets`, as a percentage (actual/actual)",
    "finra_caps": "the FINRA caps the annualised `deemed_asset_based_sales_charge` (0.75%) and "
    "`service_fees` (0.25%) exceed",
    "positive_part": "the sum of `terms`, each a pointer signed + or -, or zero when it is "
    "below zero",
}
ACCRUAL_DAY_KINDS = ("accrual", "adjustment", "reversal")


@dataclass(frozen=True)
class AccrualSource:
    """One `rm_accruals` row (one event): the month it accrues for and its amounts."""

    position: int
    month: str
    kind: str
    absc_cents: int
    service_cents: int
    basis_cents: int


@dataclass(frozen=True)
class CoveringSource:
    """One payment or service fee row: what the SIXTH split spreads over months."""

    position: int
    covering: Covering


@dataclass(frozen=True)
class ExpenditureSource:
    position: int
    purpose: str
    performer: str
    period_start: date
    period_end_exclusive: date
    amount_cents: int


@dataclass(frozen=True)
class ReceivableSource:
    """An entry's lines on the receivable accounts: debit positive."""

    position: int
    business_date: date
    kind: str
    signed_cents: int


@dataclass(frozen=True)
class SourceRows:
    """What the report was built from, with the position of each row's event: accruals with a
    business date in the year to date, payments and fees covering part of it, expenditures
    covering part of it, receivable lines up to its end."""

    accruals: Sequence[AccrualSource]
    payments: Sequence[CoveringSource]
    fees: Sequence[CoveringSource]
    expenditures: Sequence[ExpenditureSource]
    receivable: Sequence[ReceivableSource]


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) to a figure."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def position_runs(positions: Iterable[int]) -> list[str]:
    """Positions as `log --position` takes them: runs of consecutive ones as `N..M`."""
    runs: list[str] = []
    ordered = sorted(set(positions))
    start = 0
    for index in range(1, len(ordered) + 1):
        if index == len(ordered) or ordered[index] != ordered[index - 1] + 1:
            first, last = ordered[start], ordered[index - 1]
            runs.append(str(first) if first == last else f"{first}..{last}")
            start = index
    return runs


def summed(rule: str, positions: Iterable[int]) -> dict[str, Any]:
    return {"sum_of": rule, "positions": position_runs(positions)}


def allocated(rule: str, contributions: dict[int, int]) -> dict[str, Any]:
    ordered = sorted(contributions)
    return {
        "allocated": rule,
        "positions": [str(position) for position in ordered],
        "contributions": [money(contributions[position]) for position in ordered],
    }


def derived(formula: str, terms: Sequence[str]) -> dict[str, Any]:
    return {"derived": formula, "op": "sum", "terms": list(terms)}


def report_sources(
    report: dict[str, Any], periods: dict[str, Period], rows: SourceRows
) -> dict[str, Any]:
    """The sources of every figure of `report`: its sections (`periods`: section key → the
    period it covers) and its monthly rows."""
    sources: dict[str, Any] = {}
    for section, period in periods.items():
        if section in report:
            sources.update(section_sources(section, report[section], period, rows))
    for index, row in enumerate(report.get("monthly", [])):
        sources.update(_month_sources(index, row["month"], rows))
    return sources


def section_sources(
    section: str, figures: dict[str, Any], period: Period, rows: SourceRows
) -> dict[str, Any]:
    """The sources of one figures section (the quarter, the year to date, or any other
    period built as they are)."""
    months = set(period.months())
    sources = _accrual_sources(section, months, rows.accruals)
    paid = pointer(section, "paid_to_distributor")
    sources[paid] = allocated("payments_by_days", _spread(rows.payments, months))
    sources[pointer(section, "accrued_less_paid")] = derived(
        "accrued.total - paid_to_distributor",
        [f"+{pointer(section, 'accrued', 'total')}", f"-{paid}"],
    )
    sources.update(_service_fee_sources(section, figures, months, rows.fees))
    sources.update(_rate_sources(section))
    sources.update(_expenditure_sources(section, figures, period, rows.expenditures))
    if "receivable_from_distributor" in figures:
        sources.update(_receivable_sources(section, period, rows.receivable))
    if "expenditures_by_performer" in figures:
        sources.update(_performer_sources(section, figures))
    if "distributor_reconciliation" in figures:
        sources.update(_reconciliation_sources(section))
    if "service_fee_difference" in figures:
        sources.update(_service_fee_difference_sources(section))
    return sources


def _performer_sources(section: str, figures: dict[str, Any]) -> dict[str, Any]:
    """Who did the work: each performer's amount sums its amounts under every purpose."""
    sources: dict[str, Any] = {}
    for index, line in enumerate(figures["expenditures_by_performer"]):
        terms = [
            "+" + pointer(section, "expenditures_by_purpose", at, "by_performer", line["performer"])
            for at, purpose in enumerate(figures["expenditures_by_purpose"])
            if line["performer"] in purpose["by_performer"]
        ]
        sources[pointer(section, "expenditures_by_performer", index, "amount")] = derived(
            "sum of the performer's by_performer amounts", terms
        )
    return sources


def _reconciliation_sources(section: str) -> dict[str, Any]:
    """What the Distributor received against what it spent: each line is another figure of the
    section, and the rest is what is left of the one after the others."""

    def at(*parts: str) -> str:
        return pointer(section, *parts)

    received, passed_on, fifth = (
        at("distributor_reconciliation", key)
        for key in ("received", "service_fees_passed_on", "expenditures_under_fifth")
    )
    rest = [f"+{received}", f"-{passed_on}", f"-{fifth}"]
    return {
        received: derived("paid_to_distributor", [f"+{at('paid_to_distributor')}"]),
        passed_on: derived(
            "service_fees.total + service_fees.from_distributor_own_resources",
            [
                f"+{at('service_fees', 'total')}",
                f"+{at('service_fees', 'from_distributor_own_resources')}",
            ],
        ),
        fifth: derived("expenditures_total", [f"+{at('expenditures_total')}"]),
        at("distributor_reconciliation", "retained_by_distributor"): {
            "derived": "received - service_fees_passed_on - expenditures_under_fifth, if above 0",
            "op": "positive_part",
            "terms": rest,
        },
        at("distributor_reconciliation", "spent_from_own_resources"): {
            "derived": "service_fees_passed_on + expenditures_under_fifth - received, if above 0",
            "op": "positive_part",
            "terms": [("-" if term[0] == "+" else "+") + term[1:] for term in rest],
        },
    }


def _service_fee_difference_sources(section: str) -> dict[str, Any]:
    """Why the service fee accrued and the service fees paid from the plan differ."""
    accrued = pointer(section, "accrued", "service_fee")
    paid = pointer(section, "service_fees", "total")
    return {
        pointer(section, "service_fee_difference", "accrued_service_fee"): derived(
            "accrued.service_fee", [f"+{accrued}"]
        ),
        pointer(section, "service_fee_difference", "service_fees_paid_from_plan"): derived(
            "service_fees.total", [f"+{paid}"]
        ),
        pointer(section, "service_fee_difference", "difference"): derived(
            "accrued.service_fee - service_fees.total", [f"+{accrued}", f"-{paid}"]
        ),
    }


def _accrual_sources(
    section: str, months: set[str], accruals: Sequence[AccrualSource]
) -> dict[str, Any]:
    chosen = [row for row in accruals if row.month in months]
    absc, service = (
        pointer(section, "accrued", "asset_based_sales_charge"),
        pointer(section, "accrued", "service_fee"),
    )
    return {
        absc: summed("accrued_absc", (row.position for row in chosen)),
        service: summed("accrued_service", (row.position for row in chosen)),
        pointer(section, "accrued", "total"): derived(
            "accrued.asset_based_sales_charge + accrued.service_fee", [f"+{absc}", f"+{service}"]
        ),
        pointer(section, "average_daily_net_assets"): {
            "average_of": "daily_net_assets",
            "positions": position_runs(
                row.position for row in chosen if row.kind in ACCRUAL_DAY_KINDS
            ),
        },
    }


def _spread(
    coverings: Iterable[CoveringSource], months: set[str], provider: str | None = None
) -> dict[int, int]:
    """Each event's share of the months: what the SIXTH split adds up for them."""
    shares: dict[int, int] = {}
    for row in coverings:
        if provider is not None and row.covering.provider != provider:
            continue
        for month, share in spread_over_months(row.covering).items():
            if month in months:
                shares[row.position] = shares.get(row.position, 0) + share
    return shares


def _service_fee_sources(
    section: str, figures: dict[str, Any], months: set[str], fees: Sequence[CoveringSource]
) -> dict[str, Any]:
    sources: dict[str, Any] = {}
    by_provider = []
    for index, line in enumerate(figures["service_fees"]["by_provider"]):
        at = pointer(section, "service_fees", "by_provider", index, "amount")
        sources[at] = allocated("service_fees_by_days", _spread(fees, months, line["provider"]))
        by_provider.append(at)
    total = pointer(section, "service_fees", "total")
    paid = pointer(section, "paid_to_distributor")
    sources[total] = {
        "derived": "min(sum of service_fees.by_provider, max(paid_to_distributor, 0))",
        "op": "service_from_plan",
        "paid": paid,
        "fees": by_provider,
    }
    sources[pointer(section, "service_fees", "from_distributor_own_resources")] = derived(
        "sum of service_fees.by_provider - service_fees.total",
        [*(f"+{at}" for at in by_provider), f"-{total}"],
    )
    sources[pointer(section, "deemed_asset_based_sales_charge")] = derived(
        "paid_to_distributor - service_fees.total", [f"+{paid}", f"-{total}"]
    )
    return sources


def _rate_sources(section: str) -> dict[str, Any]:
    net_assets = pointer(section, "average_daily_net_assets")
    sources: dict[str, Any] = {}
    for key, amount in (
        ("paid_to_distributor", pointer(section, "paid_to_distributor")),
        ("service_fees", pointer(section, "service_fees", "total")),
        ("deemed_asset_based_sales_charge", pointer(section, "deemed_asset_based_sales_charge")),
    ):
        sources[pointer(section, "annualised", key)] = {
            "derived": f"{key} a year, of the average daily net assets",
            "op": "annualised",
            "amount": amount,
            "net_assets": net_assets,
        }
    sources[pointer(section, "annualised", "finra_caps")] = {
        "derived": "annualised deemed asset-based sales charge above 0.75%, service fees above "
        "0.25%",
        "op": "finra_caps",
        "deemed_asset_based_sales_charge": pointer(
            section, "annualised", "deemed_asset_based_sales_charge"
        ),
        "service_fees": pointer(section, "annualised", "service_fees"),
    }
    return sources


def _expenditure_sources(
    section: str, figures: dict[str, Any], period: Period, expenditures: Sequence[ExpenditureSource]
) -> dict[str, Any]:
    """Each performer's amount sums its events; a purpose sums its performers, the total its
    purposes (an expenditure counts whole in every period its own period overlaps, as the
    report counts it)."""
    within = [
        row
        for row in expenditures
        if row.period_start < period.end_exclusive and row.period_end_exclusive > period.start
    ]
    sources: dict[str, Any] = {}
    purposes = []
    for index, line in enumerate(figures["expenditures_by_purpose"]):
        performers = []
        for performer in line["by_performer"]:
            at = pointer(section, "expenditures_by_purpose", index, "by_performer", performer)
            sources[at] = summed(
                "expenditure_amount",
                (
                    row.position
                    for row in within
                    if (row.purpose, row.performer) == (line["purpose"], performer)
                ),
            )
            performers.append(f"+{at}")
        at = pointer(section, "expenditures_by_purpose", index, "amount")
        sources[at] = derived("sum of by_performer", performers)
        purposes.append(f"+{at}")
    sources[pointer(section, "expenditures_total")] = derived(
        "sum of expenditures_by_purpose amounts", purposes
    )
    return sources


def _receivable_sources(
    section: str, period: Period, lines: Sequence[ReceivableSource]
) -> dict[str, Any]:
    """As the report reads the journal's receivable accounts: what stood before the period,
    then what each kind of entry moved within it."""

    def positions(kind: str | None) -> list[int]:
        return [
            line.position
            for line in lines
            if line.business_date <= period.end_inclusive
            and (
                line.business_date < period.start
                if kind is None
                else line.business_date >= period.start and line.kind == kind
            )
        ]

    def at(key: str) -> str:
        return pointer(section, "receivable_from_distributor", key)

    return {
        at("outstanding_at_start"): summed("receivable_balance", positions(None)),
        at("booked"): summed("receivable_booked", positions("distributor-receivable")),
        at("offset"): summed("receivable_settled", positions("distributor-receivable-offset")),
        at("refunded"): summed("receivable_settled", positions("distributor-refund")),
        at("outstanding_at_end"): derived(
            "outstanding_at_start + booked - offset - refunded",
            [
                f"+{at('outstanding_at_start')}",
                f"+{at('booked')}",
                f"-{at('offset')}",
                f"-{at('refunded')}",
            ],
        ),
    }


def _month_sources(index: int, month: str, rows: SourceRows) -> dict[str, Any]:
    months = {month}
    paid = pointer("monthly", index, "paid_to_distributor")
    service = pointer("monthly", index, "service_fees")
    return {
        pointer("monthly", index, "accrued"): summed(
            "accrued_total", (row.position for row in rows.accruals if row.month == month)
        ),
        paid: allocated("payments_by_days", _spread(rows.payments, months)),
        service: {
            "derived": "min(service fees paid for the month, max(paid_to_distributor, 0))",
            "op": "service_from_plan",
            "paid": paid,
            "fees": allocated("service_fees_by_days", _spread(rows.fees, months)),
        },
        pointer("monthly", index, "deemed_asset_based_sales_charge"): derived(
            "paid_to_distributor - service_fees", [f"+{paid}", f"-{service}"]
        ),
    }
