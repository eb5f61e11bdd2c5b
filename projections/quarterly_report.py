"""The quarterly written report of FOURTH, as data: the same events give the same report.

"Distributor shall provide to the Company's board of directors and the board of directors
shall review, at least quarterly, a written report of the amounts expended pursuant to the
Plan and Agreement and the purposes for which such expenditures were made." (FOURTH; Rule
12b-1(b)(3)(ii)). Per fund class and quarter, with the calendar year to date beside it:

* what the class accrued under SECOND, per part, and what it paid the Distributor;
* the SIXTH split of those payments: service fees paid or advanced to each provider (with the
  kind of its SEVENTH agreement), and the deemed asset-based sales charge;
* the Distributor's expenditures by FIFTH purpose and by who performed them;
* month by month, the split over time (for the chart);
* when there is one, the receivable from the Distributor (decision A16): what corrections left
  it paid beyond its fee, what was offset against later payments or refunded, and what it owes
  at the start and the end of the period. A report with none has no such line, as before.

The report is a plain, ordered dict of strings and lists; exporters only format it. Every
amount is a string with two decimals. Nothing here reads a clock: the report states the hash
of the events it was built from, the plan document, the software version and the rounding
policy, and those are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accrual import ROUNDING_POLICY
from domain.expenditures import PURPOSE_LABELS, Purpose
from domain.money import CENT
from domain.periods import Period
from domain.rates import format_percent
from domain.service import AGREEMENT_KIND_LABELS, AgreementKind
from projections.split import SplitFigures, combine

REPORT_FORMAT = "planledger-quarterly-report/2"
TITLE = (
    "Quarterly written report of the amounts expended under the Plan and Agreement and the "
    "purposes for which they were made"
)


def money(cents: int) -> str:
    return str((Decimal(cents) * CENT).quantize(CENT))


def rate(value: Decimal | None) -> str:
    return "" if value is None else format_percent(value)


@dataclass(frozen=True)
class ReportFacts:
    """Who and what the report is about, and what it was built from."""

    fund_class: str
    fund_name: str
    company_name: str
    distributor_name: str
    plan_title: str
    plan_type: str  # compensation or reimbursement (Form N-1A Item 19(g))
    document_sha256: str
    schedule_b: dict[str, str]
    events_sha256: str
    events_count: int
    software_version: str


@dataclass(frozen=True)
class AccrualTotals:
    absc_cents: int
    service_cents: int

    @property
    def total_cents(self) -> int:
        return self.absc_cents + self.service_cents


# The receivable's lines as the HTML and PDF reports label them.
RECEIVABLE_LABELS = (
    ("outstanding_at_start", "Receivable from the Distributor at the start"),
    ("booked", "Paid beyond the fee, found by corrections (receivable booked)"),
    ("offset", "Receivable offset against payments"),
    ("refunded", "Receivable refunded by the Distributor"),
    ("outstanding_at_end", "Receivable from the Distributor at the end"),
)


def receivable_rows(quarter: dict[str, Any], year: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The receivable's lines (label, quarter, year to date); none when the report has none."""
    if "receivable_from_distributor" not in quarter:
        return []
    return [
        (
            label,
            quarter["receivable_from_distributor"][key],
            year["receivable_from_distributor"][key],
        )
        for key, label in RECEIVABLE_LABELS
    ]


@dataclass(frozen=True)
class ReceivableMoves:
    """The receivable from the Distributor over a period, in cents (decision A16)."""

    at_start_cents: int = 0
    booked_cents: int = 0  # booked by corrections, less what later corrections released
    offset_cents: int = 0
    refunded_cents: int = 0

    @property
    def at_end_cents(self) -> int:
        return self.at_start_cents + self.booked_cents - self.offset_cents - self.refunded_cents

    @property
    def is_nil(self) -> bool:
        return not (
            self.at_start_cents or self.booked_cents or self.offset_cents or self.refunded_cents
        )

    def section(self) -> dict[str, str]:
        return {
            "outstanding_at_start": money(self.at_start_cents),
            "booked": money(self.booked_cents),
            "offset": money(self.offset_cents),
            "refunded": money(self.refunded_cents),
            "outstanding_at_end": money(self.at_end_cents),
        }


@dataclass(frozen=True)
class ExpenditureLine:
    purpose: str
    performer: str
    amount_cents: int


def _figures_section(
    figures: SplitFigures,
    accrued: AccrualTotals,
    expenditures: Sequence[ExpenditureLine],
    kinds: dict[str, str],
) -> dict[str, Any]:
    by_purpose: dict[str, dict[str, int]] = {}
    for line in expenditures:
        by_purpose.setdefault(line.purpose, {}).setdefault(line.performer, 0)
        by_purpose[line.purpose][line.performer] += line.amount_cents
    return {
        "accrued": {
            "asset_based_sales_charge": money(accrued.absc_cents),
            "service_fee": money(accrued.service_cents),
            "total": money(accrued.total_cents),
        },
        "paid_to_distributor": money(figures.plan_payments),
        "accrued_less_paid": money(accrued.total_cents - figures.plan_payments),
        "service_fees": {
            "total": money(figures.service_from_plan),
            "from_distributor_own_resources": money(figures.service_from_own_resources),
            "by_provider": [
                {
                    "provider": provider,
                    "agreement_kind": kinds.get(provider, ""),
                    "agreement": AGREEMENT_KIND_LABELS[AgreementKind(kinds[provider])]
                    if provider in kinds
                    else "",
                    "amount": money(cents),
                }
                for provider, cents in sorted(figures.service_fees_by_provider.items())
            ],
        },
        "deemed_asset_based_sales_charge": money(figures.deemed_absc),
        "average_daily_net_assets": str(figures.average_daily_net_assets or "0.00"),
        "annualised": {
            "paid_to_distributor": rate(figures.annualised(figures.plan_payments)),
            "service_fees": rate(figures.annualised(figures.service_from_plan)),
            "deemed_asset_based_sales_charge": rate(figures.annualised(figures.deemed_absc)),
            "finra_caps": "; ".join(figures.exceeds()) or "within 0.75% and 0.25%",
        },
        "expenditures_by_purpose": [
            {
                "purpose": purpose.value,
                "label": PURPOSE_LABELS[purpose],
                "short_label": purpose.short_label,
                "amount": money(sum(by_purpose.get(purpose.value, {}).values())),
                "by_performer": {
                    performer: money(cents)
                    for performer, cents in sorted(by_purpose.get(purpose.value, {}).items())
                },
            }
            for purpose in Purpose
        ],
        "expenditures_total": money(sum(line.amount_cents for line in expenditures)),
    }


def build_report(
    facts: ReportFacts,
    *,
    quarter: str,
    quarter_period: Period,
    year_to_date: Period,
    months: dict[str, SplitFigures],
    accrued_by_month: dict[str, AccrualTotals],
    expenditures_quarter: Sequence[ExpenditureLine],
    expenditures_year: Sequence[ExpenditureLine],
    provider_kinds: dict[str, str],
    receivable_quarter: ReceivableMoves | None = None,
    receivable_year: ReceivableMoves | None = None,
) -> dict[str, Any]:
    """The report of one fund class for one quarter (all inputs already for that class)."""

    def totals(period: Period) -> tuple[SplitFigures, AccrualTotals]:
        labels = period.months()
        figures = combine(
            facts.fund_class, period.label(), (months[m] for m in labels if m in months)
        )
        accrued = _sum_accruals(accrued_by_month.get(m) for m in labels)
        return figures, accrued

    quarter_figures, quarter_accrued = totals(quarter_period)
    year_figures, year_accrued = totals(year_to_date)
    quarter_section = _figures_section(
        quarter_figures, quarter_accrued, expenditures_quarter, provider_kinds
    )
    year_section = _figures_section(year_figures, year_accrued, expenditures_year, provider_kinds)
    year_moves = receivable_year or ReceivableMoves()
    if not year_moves.is_nil:
        # Shown only when the year had one: a report without keeps its bytes (and its hash).
        quarter_section["receivable_from_distributor"] = (
            receivable_quarter or ReceivableMoves()
        ).section()
        year_section["receivable_from_distributor"] = year_moves.section()
    return {
        **_header(facts, quarter, quarter_period, year_to_date),
        "quarter_figures": quarter_section,
        "year_to_date": year_section,
        "monthly": [
            _month_row(label, months.get(label), accrued_by_month.get(label))
            for label in year_to_date.months()
        ],
    }


def _header(
    facts: ReportFacts, quarter: str, quarter_period: Period, year_to_date: Period
) -> dict[str, Any]:
    """What the report is of: the class, the quarter, the plan, and what it was built from."""
    return {
        "format": REPORT_FORMAT,
        "title": TITLE,
        "clause": "FOURTH; Rule 12b-1(b)(3)(ii)",
        "fund_class": facts.fund_class,
        "fund": facts.fund_name,
        "company": facts.company_name,
        "distributor": facts.distributor_name,
        "quarter": quarter,
        "period": {"start": str(quarter_period.start), "end": str(quarter_period.end_inclusive)},
        "year_to_date_period": {
            "start": str(year_to_date.start),
            "end": str(year_to_date.end_inclusive),
        },
        "plan": {
            "title": facts.plan_title,
            "type": facts.plan_type,
            "document_sha256": facts.document_sha256,
            "schedule_b": facts.schedule_b,
        },
        "built_from": {
            "events_sha256": facts.events_sha256,
            "events": facts.events_count,
            "software_version": facts.software_version,
            "rounding_policy": ROUNDING_POLICY,
        },
    }


def _sum_accruals(rows: Iterable[AccrualTotals | None]) -> AccrualTotals:
    absc = service = 0
    for row in rows:
        if row is not None:
            absc += row.absc_cents
            service += row.service_cents
    return AccrualTotals(absc, service)


def _month_row(
    label: str, figures: SplitFigures | None, accrued: AccrualTotals | None
) -> dict[str, str]:
    figures = figures or SplitFigures("", label)
    accrued = accrued or AccrualTotals(0, 0)
    return {
        "month": label,
        "accrued": money(accrued.total_cents),
        "paid_to_distributor": money(figures.plan_payments),
        "service_fees": money(figures.service_from_plan),
        "deemed_asset_based_sales_charge": money(figures.deemed_absc),
    }


def quarter_and_year(quarter: Period, effective_date: date) -> Period:
    """The calendar year to date at the end of the quarter (from the plan's effective date in
    its first year, rounded down to the month)."""
    start = max(date(quarter.start.year, 1, 1), effective_date.replace(day=1))
    return Period(start, quarter.end_exclusive)
