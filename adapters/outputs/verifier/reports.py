"""Each quarterly report as of the bundle's date (reports/as-of/) against the report recomputed
from the events: the quarter's and the year's figures, the expenditures by purpose and
performer, and the months."""

from __future__ import annotations

from datetime import date

from .bundle import AS_OF, Bundle, compare_tree, read_json
from .events import cents, event_name, plans, shown_cents, stream_keys
from .split import Cell, combined, month_cells, month_of, months_between

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .bundle import Json


def quarter_dates(label: str) -> tuple[date, date]:
    year, number = int(label[:4]), int(label[5:])
    start = date(year, 3 * number - 2, 1)
    return start, date(year + (number == 4), (3 * number) % 12 + 1, 1)


def accrued_by_month(
    events: list[Json], key: str, start: str, end: str
) -> dict[str, tuple[int, int]]:
    keys, totals = stream_keys(events), {}  # type: tuple[dict[str, tuple[str, str]], dict[str, tuple[int, int]]]
    parts = {
        "FeeAccrued": ("absc_amount", "service_amount"),
        "AccrualTrueUpPosted": ("adjustment_absc", "adjustment_service"),
        "FeeAccrualAdjusted": ("absc_amount_delta", "service_amount_delta"),
        "FeeAccrualReversed": ("absc_amount_delta", "service_amount_delta"),
    }
    for event in events:
        name, fields = event_name(event["topic"]), event["fields"]
        if name not in parts or keys.get(event["stream"], ("", ""))[0] != key:
            continue
        if not start <= fields["business_date"] < end:
            continue
        month = (
            fields["month"] if name == "AccrualTrueUpPosted" else month_of(fields["business_date"])
        )
        absc, service = totals.get(month, (0, 0))
        totals[month] = (
            absc + cents(fields[parts[name][0]]),
            service + cents(fields[parts[name][1]]),
        )
    return totals


def expenditures(events: list[Json], key: str, start: str, end: str) -> dict[str, dict[str, int]]:
    """Purpose → performer → cents, of expenditures whose period overlaps [start, end)."""
    keys = stream_keys(events)
    found: dict[str, dict[str, int]] = {}
    for event in events:
        name, fields = event_name(event["topic"]), event["fields"]
        if name not in ("ExpenditureRecorded", "ExpenditureReversed"):
            continue
        if keys.get(event["stream"], ("", ""))[0] != key:
            continue
        if not (fields["period_start"] < end and fields["period_end_exclusive"] > start):
            continue
        sign = -1 if name == "ExpenditureReversed" else 1
        by_performer = found.setdefault(fields["purpose"], {})
        by_performer[fields["performer"]] = by_performer.get(fields["performer"], 0) + sign * cents(
            fields["amount"]
        )
    return found


def report_section(
    figures: Cell, accrued: tuple[int, int], spent: dict[str, dict[str, int]], stated: Any
) -> Json:
    stated_purposes = [
        row.get("purpose") for row in (stated or {}).get("expenditures_by_purpose", [])
    ]
    purposes = stated_purposes + sorted(set(spent) - set(stated_purposes))
    average = figures.average()
    return {
        "accrued": {
            "asset_based_sales_charge": shown_cents(accrued[0]),
            "service_fee": shown_cents(accrued[1]),
            "total": shown_cents(sum(accrued)),
        },
        "paid_to_distributor": shown_cents(figures.payments),
        "accrued_less_paid": shown_cents(sum(accrued) - figures.payments),
        "service_fees": {
            "total": shown_cents(figures.service_from_plan),
            "from_distributor_own_resources": shown_cents(figures.fees - figures.service_from_plan),
            "by_provider": [
                {"provider": provider, "amount": shown_cents(amount)}
                for provider, amount in sorted(figures.by_provider.items())
            ],
        },
        "deemed_asset_based_sales_charge": shown_cents(figures.deemed_absc),
        "average_daily_net_assets": str(average or "0.00"),
        "annualised": {
            "paid_to_distributor": figures.rate(figures.payments),
            "service_fees": figures.rate(figures.service_from_plan),
            "deemed_asset_based_sales_charge": figures.rate(figures.deemed_absc),
            "finra_caps": "; ".join(figures.caps()) or "within 0.75% and 0.25%",
        },
        "expenditures_by_purpose": [
            {
                "purpose": purpose,
                "amount": shown_cents(sum(spent.get(purpose, {}).values())),
                "by_performer": {
                    performer: shown_cents(amount)
                    for performer, amount in sorted(spent.get(purpose, {}).items())
                },
            }
            for purpose in purposes
        ],
        "expenditures_total": shown_cents(sum(sum(p.values()) for p in spent.values())),
    }


def recompute_report(events: list[Json], stated: Json) -> Json:
    key, quarter = stated["fund_class"], stated["quarter"]
    plan = plans(events)[key]
    start, end = quarter_dates(quarter)
    effective = date.fromisoformat(plan["effective_date"])
    year_start = max(date(start.year, 1, 1), effective.replace(day=1))
    cells = month_cells(events, year_start, end, "9999-12-31")
    accrued = accrued_by_month(events, key, year_start.isoformat(), end.isoformat())
    expected: Json = {}
    for section, first in (("quarter_figures", start), ("year_to_date", year_start)):
        months = months_between(first, end)
        sums = [sum(accrued.get(m, (0, 0))[part] for m in months) for part in (0, 1)]
        spent = expenditures(events, key, first.isoformat(), end.isoformat())
        expected[section] = report_section(
            combined(cells, key, months), (sums[0], sums[1]), spent, stated.get(section)
        )
    expected["monthly"] = [
        {
            "month": month,
            "accrued": shown_cents(sum(accrued.get(month, (0, 0)))),
            "paid_to_distributor": shown_cents(combined(cells, key, [month]).payments),
            "service_fees": shown_cents(combined(cells, key, [month]).service_from_plan),
            "deemed_asset_based_sales_charge": shown_cents(
                combined(cells, key, [month]).deemed_absc
            ),
        }
        for month in months_between(year_start, end)
    ]
    return expected


def check_reports(bundle: Bundle, events: list[Json], problems: list[str]) -> int:
    names = [n for n in bundle.names() if n.startswith(AS_OF) and n.endswith(".json")]
    for name in names:
        stated = read_json(bundle, name)
        compare_tree(name, "", stated, recompute_report(events, stated), problems)
    return len(names)
