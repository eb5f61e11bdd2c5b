"""The SIXTH split as rows (one per fund class and piece of a period), for the `split` command
and the regulator bundle."""

from __future__ import annotations

from datetime import date
from typing import Any

from adapters.readside.queries import dollars
from adapters.readside.view import LedgerView
from domain.periods import Period
from domain.rates import format_percent
from projections.split import combine, split_by_month, sub_periods


def _rate(value: object) -> str:
    return "" if value is None else format_percent(value)  # type: ignore[arg-type]


def split_rows(
    view: LedgerView,
    period: Period,
    by: str,
    *,
    fund_class: str | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """The rows of `split_figures` as the regulator bundle has always carried them: rates as
    percentages, the fees by provider as one text."""
    rows = split_figures(view, period, by, fund_class=fund_class, as_of=as_of)
    for row in rows:
        for key in ("payments_rate", "service_rate", "absc_rate"):
            row[key] = _rate(row[key])
        row["by_provider"] = " ".join(
            f"{part['provider']}={part['service_fees']}" for part in row["by_provider"]
        )
    return rows


def split_figures(
    view: LedgerView,
    period: Period,
    by: str,
    *,
    fund_class: str | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """`by`: period (one row per class), month, quarter or plan-year. Rates are annual, as
    fractions (None where no net assets were known); the fees by provider a list."""
    payments, fees, bases = view.split_inputs(period.start, period.end_exclusive, as_of)
    keys = view.fund_class_keys()
    term_end = view.fund_classes()[0].initial_term_end if keys else None
    months = split_by_month(payments, fees, bases)
    anniversary = (term_end.month, term_end.day) if term_end else (5, 30)
    pieces = [(period.label(), period)] if by == "period" else sub_periods(period, by, anniversary)
    classes = sorted({key for key, _ in months})
    if fund_class:
        classes = [key for key in classes if key == fund_class]
    rows = []
    for key in classes:
        for label, piece in pieces:
            figures = combine(
                key,
                label,
                (
                    months[(key, month)]
                    for month in piece.months()
                    if (key, month) in months and month in period.months()
                ),
            )
            rows.append(
                {
                    "fund_class": key,
                    "period": label,
                    "plan_payments": dollars(figures.plan_payments),
                    "service_fees": dollars(figures.service_from_plan),
                    "deemed_absc": dollars(figures.deemed_absc),
                    "own_resources": dollars(figures.service_from_own_resources),
                    "average_daily_net_assets": figures.average_daily_net_assets,
                    "payments_rate": figures.annualised(figures.plan_payments),
                    "service_rate": figures.annualised(figures.service_from_plan),
                    "absc_rate": figures.annualised(figures.deemed_absc),
                    "caps": "; ".join(figures.exceeds()) or "within",
                    "by_provider": [
                        {"provider": provider, "service_fees": dollars(cents)}
                        for provider, cents in sorted(figures.service_fees_by_provider.items())
                    ],
                }
            )
    return rows
