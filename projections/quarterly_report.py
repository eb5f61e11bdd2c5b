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
* beside the quarter: the prior quarter, and the calendar, plan and fiscal years to date;
* what the Distributor received and what it did with it (service fees passed on, FIFTH
  expenditures, and the rest retained or spent from its own resources), and why the service
  fee accrued differs from the service fees paid;
* the issue (date, preparer, certification) and the board's review, when recorded;
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
from domain.expenditures import PURPOSE_LABELS, Performer, Purpose
from domain.money import CENT
from domain.periods import ONE_DAY, Period, next_month_start
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
    fiscal_year_end: str = "12-31"  # MM-DD, the fund's (plans/*/plan.toml, Schedule A)


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


# Who did the work an expenditure paid for (FIFTH), as the report names them.
PERFORMER_LABELS = {
    Performer.DISTRIBUTOR: "The Distributor itself",
    Performer.AFFILIATE: "An affiliate of the Distributor",
    Performer.THIRD_PARTY: "Third parties",
}


@dataclass(frozen=True)
class IssueFacts:
    """The report's issue: the day and who prepared it (`report issue`, or as recorded)."""

    issued_on: date
    issued_by: str


@dataclass(frozen=True)
class ReviewFacts:
    """The board's review of the issued report, as recorded (`report review`)."""

    reviewed_on: date
    meeting: str


@dataclass(frozen=True)
class ComparedPeriod:
    """A period shown beside the quarter, with its own expenditures and receivable."""

    period: Period
    expenditures: Sequence[ExpenditureLine]
    receivable: ReceivableMoves


@dataclass(frozen=True)
class SectionInputs:
    """What a figures section needs besides its split figures and accruals."""

    expenditures: Sequence[ExpenditureLine]
    kinds: dict[str, str]
    names: dict[str, str]


def _figures_section(
    figures: SplitFigures, accrued: AccrualTotals, inputs: SectionInputs
) -> dict[str, Any]:
    by_purpose: dict[str, dict[str, int]] = {}
    by_performer: dict[str, int] = {}
    for line in inputs.expenditures:
        by_purpose.setdefault(line.purpose, {}).setdefault(line.performer, 0)
        by_purpose[line.purpose][line.performer] += line.amount_cents
        by_performer[line.performer] = by_performer.get(line.performer, 0) + line.amount_cents
    spent = sum(line.amount_cents for line in inputs.expenditures)
    return {
        "accrued": {
            "asset_based_sales_charge": money(accrued.absc_cents),
            "service_fee": money(accrued.service_cents),
            "total": money(accrued.total_cents),
        },
        "paid_to_distributor": money(figures.plan_payments),
        "accrued_less_paid": money(accrued.total_cents - figures.plan_payments),
        "service_fees": _service_fees(figures, inputs),
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
        "expenditures_total": money(spent),
        "expenditures_by_performer": [
            {
                "performer": performer.value,
                "label": PERFORMER_LABELS[performer],
                "amount": money(by_performer.get(performer.value, 0)),
            }
            for performer in Performer
        ],
        "distributor_reconciliation": _reconciliation(figures, spent),
        "service_fee_difference": _service_fee_difference(figures, accrued),
    }


def _service_fees(figures: SplitFigures, inputs: SectionInputs) -> dict[str, Any]:
    return {
        "total": money(figures.service_from_plan),
        "from_distributor_own_resources": money(figures.service_from_own_resources),
        "by_provider": [
            {
                "provider": provider,
                "provider_name": inputs.names.get(provider, provider),
                "agreement_kind": inputs.kinds.get(provider, ""),
                "agreement": AGREEMENT_KIND_LABELS[AgreementKind(inputs.kinds[provider])]
                if provider in inputs.kinds
                else "",
                "amount": money(cents),
            }
            for provider, cents in sorted(figures.service_fees_by_provider.items())
        ],
    }


def _reconciliation(figures: SplitFigures, spent_cents: int) -> dict[str, str]:
    """What the Distributor received from the fund against what it spent, so that nothing is
    left unexplained: received = service fees passed on + FIFTH expenditures + retained - spent
    from its own resources (one of the last two is nil)."""
    passed_on = figures.service_from_plan + figures.service_from_own_resources
    rest = figures.plan_payments - passed_on - spent_cents
    return {
        "received": money(figures.plan_payments),
        "service_fees_passed_on": money(passed_on),
        "expenditures_under_fifth": money(spent_cents),
        "retained_by_distributor": money(max(rest, 0)),
        "spent_from_own_resources": money(max(-rest, 0)),
    }


def _service_fee_difference(figures: SplitFigures, accrued: AccrualTotals) -> dict[str, str]:
    """Why the service fee the fund accrued and the service fees paid to dealers differ."""
    difference = accrued.service_cents - figures.service_from_plan
    explanation = (
        f"The fund accrued {_shown(accrued.service_cents)} as the service part of its 12b-1 "
        f"fee, at the Schedule B rate on the net assets of the whole class; the Distributor "
        f"passed {_shown(figures.service_from_plan)} of its payments on to dealers as service "
        f"fees, each at its own agreed rate on the shares it serves (SEVENTH)."
    )
    if difference > 0:
        explanation += (
            f" The {_shown(difference)} not passed on is, with the asset-based part, deemed an "
            f"asset-based sales charge (SIXTH)."
        )
    elif difference < 0:
        explanation += (
            f" Dealers were paid {_shown(-difference)} more than the service fee accrued, out "
            f"of the rest of the payments."
        )
    return {
        "accrued_service_fee": money(accrued.service_cents),
        "service_fees_paid_from_plan": money(figures.service_from_plan),
        "difference": money(difference),
        "explanation": explanation,
    }


def _shown(cents: int) -> str:
    return f"{Decimal(cents) * CENT:,.2f}"


# The columns of the report's tables: the quarter, the prior quarter, and three years to date.
COLUMNS = (
    ("quarter_figures", "Quarter"),
    ("prior_quarter", "Prior quarter"),
    ("year_to_date", "Calendar year to date"),
    ("plan_year_to_date", "Plan year to date"),
    ("fiscal_year_to_date", "Fiscal year to date"),
)


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
    compared: dict[str, ComparedPeriod | None] | None = None,
    provider_names: dict[str, str] | None = None,
    issue: IssueFacts | None = None,
    review: ReviewFacts | None = None,
) -> dict[str, Any]:
    """The report of one fund class for one quarter (all inputs already for that class).

    `compared` holds the prior quarter and the plan and fiscal years to date (keyed by their
    section names); None for a period wholly before the plan took effect. `months` and
    `accrued_by_month` cover every period. `issue` is None for a draft."""
    periods: dict[str, ComparedPeriod | None] = {
        "quarter_figures": ComparedPeriod(
            quarter_period, expenditures_quarter, receivable_quarter or ReceivableMoves()
        ),
        "year_to_date": ComparedPeriod(
            year_to_date, expenditures_year, receivable_year or ReceivableMoves()
        ),
        **(compared or {}),
    }
    kinds_and_names = (provider_kinds, provider_names or {})
    sections = {
        name: None
        if compared_period is None
        else _period_section(facts, compared_period, months, accrued_by_month, kinds_and_names)
        for name, compared_period in periods.items()
    }
    if any(p is not None and not p.receivable.is_nil for p in periods.values()):
        # Shown only when a period had one: a report without keeps its lines as before.
        for name, compared_period in periods.items():
            section = sections[name]
            if section is not None and compared_period is not None:
                section["receivable_from_distributor"] = compared_period.receivable.section()
    return {
        **_header(facts, quarter, quarter_period, year_to_date),
        "columns": _columns(quarter, periods),
        "issue": _issue_section(facts, issue),
        "board_review": review_section(review),
        "quarter_figures": sections["quarter_figures"],
        "year_to_date": sections["year_to_date"],
        **{name: sections.get(name) for name, _ in COLUMNS[1:] if name != "year_to_date"},
        "monthly": [
            _month_row(label, months.get(label), accrued_by_month.get(label))
            for label in year_to_date.months()
        ],
    }


def _period_section(
    facts: ReportFacts,
    compared_period: ComparedPeriod,
    months: dict[str, SplitFigures],
    accrued_by_month: dict[str, AccrualTotals],
    kinds_and_names: tuple[dict[str, str], dict[str, str]],
) -> dict[str, Any]:
    """The figures of one period: its months' split and accruals, and its expenditures."""
    labels = compared_period.period.months()
    figures = combine(
        facts.fund_class,
        compared_period.period.label(),
        (months[m] for m in labels if m in months),
    )
    accrued = _sum_accruals(accrued_by_month.get(m) for m in labels)
    inputs = SectionInputs(compared_period.expenditures, *kinds_and_names)
    return _figures_section(figures, accrued, inputs)


def _columns(quarter: str, periods: dict[str, ComparedPeriod | None]) -> list[dict[str, str]]:
    """Each column of the report's tables: its section, heading and days (blank for a period
    before the plan)."""
    columns = []
    for name, title in COLUMNS:
        heading = title
        compared_period = periods.get(name)
        start = end = ""
        if compared_period is not None:
            start = str(compared_period.period.start)
            end = str(compared_period.period.end_inclusive)
        if name == "quarter_figures":
            heading = quarter
        elif name == "prior_quarter" and compared_period is not None:
            heading = f"{quarter_label(compared_period.period.start)} (prior quarter)"
        columns.append({"section": name, "heading": heading, "start": start, "end": end})
    return columns


def quarter_label(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


CERTIFICATION = (
    "certified as a true and accurate account of the amounts expended under the Plan and "
    "Agreement and of the purposes for which those expenditures were made (FOURTH; Rule "
    "12b-1(b)(3)(ii))."
)


def _issue_section(facts: ReportFacts, issue: IssueFacts | None) -> dict[str, str]:
    """The issue line: a draft until `report issue` gives the day and the preparer."""
    if issue is None:
        return {
            "status": "draft",
            "issued_on": "",
            "prepared_by": "",
            "certification": "Not yet issued to the board.",
        }
    return {
        "status": "issued",
        "issued_on": str(issue.issued_on),
        "prepared_by": issue.issued_by,
        "certification": (
            f"Issued on {issue.issued_on}. Prepared by {_preparer(issue, facts)}, and "
            f"{CERTIFICATION}"
        ),
    }


def _preparer(issue: IssueFacts, facts: ReportFacts) -> str:
    """Who prepared the report, naming the Distributor it is prepared for."""
    if issue.issued_by.lower() in ("the distributor", facts.distributor_name.lower()):
        return f"the Distributor, {facts.distributor_name}"
    return f"{issue.issued_by} for the Distributor, {facts.distributor_name}"


def review_section(review: ReviewFacts | None) -> dict[str, str]:
    """The board's review line: blank to sign until the review is recorded. The report as
    issued always has it blank (the review follows the issue)."""
    if review is None:
        return {
            "status": "not yet reviewed",
            "reviewed_on": "",
            "meeting": "",
            "line": "Reviewed by the board of directors on ____________ at meeting ____________.",
        }
    return {
        "status": "reviewed",
        "reviewed_on": str(review.reviewed_on),
        "meeting": review.meeting,
        "line": f"Reviewed by the board of directors on {review.reviewed_on} at meeting "
        f"{review.meeting}.",
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
        "fiscal_year_end": facts.fiscal_year_end,
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


def _whole_months_from(day: date) -> date:
    """A period's first day moved to the nearest first of a month: the report's figures are
    kept by month (decision F-board-1)."""
    return day.replace(day=1) if day.day <= 15 else next_month_start(day)


def _same_day_in(day: date, year: int) -> date:
    """`day`'s month and day in `year` (29 February becomes the 28th)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _to_quarter_end(start: date, quarter: Period, effective_date: date) -> Period | None:
    first = max(_whole_months_from(start), effective_date.replace(day=1))
    return Period(first, quarter.end_exclusive) if first < quarter.end_exclusive else None


def plan_year_to_date(
    quarter: Period, effective_date: date, initial_term_end: date
) -> Period | None:
    """The plan year to the end of the quarter. The first plan year runs from the effective
    date to the end of the initial term (ELEVENTH); each later one from the day after that
    term's anniversary, the year each continuance approves (decision Q12)."""
    last_day = quarter.end_inclusive
    if last_day <= initial_term_end:
        return _to_quarter_end(effective_date, quarter, effective_date)
    renewal = initial_term_end + ONE_DAY
    start = _same_day_in(renewal, last_day.year)
    if start > last_day:
        start = _same_day_in(renewal, last_day.year - 1)
    return _to_quarter_end(start, quarter, effective_date)


def fiscal_year_to_date(
    quarter: Period, effective_date: date, fiscal_year_end: str
) -> Period | None:
    """The fund's fiscal year to the end of the quarter: from the day after the last fiscal
    year end before the quarter's last day (`fiscal_year_end` is MM-DD)."""
    month, day = (int(part) for part in fiscal_year_end.split("-"))
    last_day = quarter.end_inclusive
    in_a_leap_year = date(2000, month, day)
    year_end = _same_day_in(in_a_leap_year, last_day.year)
    if year_end >= last_day:
        year_end = _same_day_in(in_a_leap_year, last_day.year - 1)
    return _to_quarter_end(year_end + ONE_DAY, quarter, effective_date)


def prior_quarter(quarter: Period, effective_date: date) -> Period | None:
    """The quarter before, from the plan's effective month; None if it ended before then."""
    month = quarter.start.month
    start = date(quarter.start.year - (month == 1), (month - 4) % 12 + 1, 1)
    return _to_quarter_end(start, Period(start, quarter.start), effective_date)
