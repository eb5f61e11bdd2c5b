"""The quarterly report's tables, laid out once for the CSV, HTML and PDF forms.

Each table is a list of rows, and each row has one value per column of the report (the
quarter, the prior quarter, the calendar, plan and fiscal years to date; `report["columns"]`).
A column whose period lies wholly before the plan took effect has no figures: its values are
blank. Labels say what a figure is in plain words first, the clause after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from projections.quarterly_report import RECEIVABLE_LABELS

Section = dict[str, Any]


@dataclass(frozen=True)
class Row:
    item: str  # the figure's name in the JSON form (the CSV's item)
    label: str
    values: tuple[str, ...]  # one per column; "" where the column has no figures
    total: bool = False
    amount: bool = True  # False: a rate or a note, printed as it is
    # Each value's JSON pointer in the report (the key of its `sources`); "" for none.
    pointers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's section
    title: str
    rows: tuple[Row, ...]


def sections(report: dict[str, Any]) -> list[Section | None]:
    return [report.get(column["section"]) for column in report["columns"]]


def _row(
    report: dict[str, Any],
    item: str,
    label: str,
    value: Callable[[Section], str],
    *,
    total: bool = False,
    amount: bool = True,
    at: str | Callable[[Section], str] = "",
) -> Row:
    """`at`: where the value sits in its section (`accrued/total`), for its pointer."""
    values = tuple("" if section is None else value(section) for section in sections(report))
    pointers = tuple(
        _pointer(column["section"], section, at)
        for column, section in zip(report["columns"], sections(report), strict=True)
    )
    return Row(item, label, values, total, amount, pointers)


def _pointer(name: str, section: Section | None, at: str | Callable[[Section], str]) -> str:
    suffix = "" if section is None else at if isinstance(at, str) else at(section)
    return f"/{name}/{suffix}" if suffix else ""


def plan_table(report: dict[str, Any]) -> Table:
    rows = [
        _row(
            report,
            "accrued.asset_based_sales_charge",
            "12b-1 fees accrued by the fund: asset-based sales charge (SECOND)",
            lambda s: s["accrued"]["asset_based_sales_charge"],
            at="accrued/asset_based_sales_charge",
        ),
        _row(
            report,
            "accrued.service_fee",
            "12b-1 fees accrued by the fund: service fee (SECOND)",
            lambda s: s["accrued"]["service_fee"],
            at="accrued/service_fee",
        ),
        _row(
            report,
            "accrued.total",
            "12b-1 fees accrued by the fund (SECOND)",
            lambda s: s["accrued"]["total"],
            total=True,
            at="accrued/total",
        ),
        _row(
            report,
            "paid_to_distributor",
            "Paid by the fund to the Distributor",
            lambda s: s["paid_to_distributor"],
            at="paid_to_distributor",
        ),
        _row(
            report,
            "accrued_less_paid",
            "Accrued by the fund, not yet paid to the Distributor",
            lambda s: s["accrued_less_paid"],
            at="accrued_less_paid",
        ),
    ]
    if any(s is not None and "receivable_from_distributor" in s for s in sections(report)):
        rows += [
            _row(
                report,
                f"receivable_from_distributor.{key}",
                label,
                partial(_receivable, key=key),
                at=f"receivable_from_distributor/{key}",
            )
            for key, label in RECEIVABLE_LABELS
        ]
    return Table("plan", "Amounts under the Plan (US dollars)", tuple(rows))


def _providers(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every provider paid in any column, by code: its name and agreement."""
    found: dict[str, dict[str, str]] = {}
    for section in sections(report):
        for row in [] if section is None else section["service_fees"]["by_provider"]:
            found.setdefault(row["provider"], row)
    return dict(sorted(found.items()))


def _receivable(section: Section, key: str) -> str:
    return str(section.get("receivable_from_distributor", {}).get(key, "0.00"))


def _listed(section: Section, name: str, index: int) -> str:
    return str(section[name][index]["amount"])


def _provider_pointer(section: Section, provider: str) -> str:
    """Where the provider's amount sits in the section ("" when it was not paid there)."""
    rows = section["service_fees"]["by_provider"]
    index = next((i for i, row in enumerate(rows) if row["provider"] == provider), None)
    return "" if index is None else f"service_fees/by_provider/{index}/amount"


def _provider_amount(section: Section, provider: str) -> str:
    rows = section["service_fees"]["by_provider"]
    return next((row["amount"] for row in rows if row["provider"] == provider), "0.00")


def use_table(report: dict[str, Any]) -> Table:
    """How the payments to the Distributor were used (SIXTH): dealers by name."""
    rows = [
        _row(
            report,
            f"service_fees.{code}",
            f"Service fees passed on to {row.get('provider_name', code)}"
            + (f": {row['agreement']}" if row["agreement"] else ""),
            partial(_provider_amount, provider=code),
            at=partial(_provider_pointer, provider=code),
        )
        for code, row in _providers(report).items()
    ]
    rows.append(
        _row(
            report,
            "deemed_asset_based_sales_charge",
            "Not passed on as service fees: deemed an asset-based sales charge (SIXTH)",
            lambda s: s["deemed_asset_based_sales_charge"],
            at="deemed_asset_based_sales_charge",
        )
    )
    rows.append(
        _row(
            report,
            "paid_to_distributor",
            "Paid by the fund to the Distributor",
            lambda s: s["paid_to_distributor"],
            total=True,
            at="paid_to_distributor",
        )
    )
    return Table(
        "service_fees", "How the Distributor used the fund's payments (SIXTH)", tuple(rows)
    )


def reconciliation_table(report: dict[str, Any]) -> Table:
    """What the Distributor received, accounted for in full: what it passed on, what it spent
    on FIFTH's purposes, and what it kept (or spent beyond, shown negative)."""

    def line(key: str) -> Callable[[Section], str]:
        return lambda s: s["distributor_reconciliation"][key]

    def beyond(s: Section) -> str:
        return str(-Decimal(s["distributor_reconciliation"]["spent_from_own_resources"]))

    rows = (
        _row(
            report,
            "service_fees_passed_on",
            "Service fees paid to dealers (SEVENTH)",
            line("service_fees_passed_on"),
            at="distributor_reconciliation/service_fees_passed_on",
        ),
        _row(
            report,
            "expenditures_under_fifth",
            "Spent on the purposes named in FIFTH (below)",
            line("expenditures_under_fifth"),
            at="distributor_reconciliation/expenditures_under_fifth",
        ),
        _row(
            report,
            "retained_by_distributor",
            "Retained by the Distributor as compensation for its distribution services",
            line("retained_by_distributor"),
            at="distributor_reconciliation/retained_by_distributor",
        ),
        _row(
            report,
            "spent_from_own_resources",
            "Less: spent beyond what it received, from its own resources",
            beyond,
            at="distributor_reconciliation/spent_from_own_resources",
        ),
        _row(
            report,
            "received",
            "Received from the fund",
            line("received"),
            total=True,
            at="distributor_reconciliation/received",
        ),
    )
    return Table(
        "distributor_reconciliation", "What the Distributor received and what it did with it", rows
    )


def _expended_table(
    report: dict[str, Any], listed: str, by: str, item_prefix: str, title: str
) -> Table:
    """The expenditures listed under `listed` (one row per `by`), then their total."""
    rows = [
        _row(
            report,
            f"{item_prefix}.{row[by]}",
            row["label"],
            partial(_listed, name=listed, index=index),
            at=f"{listed}/{index}/amount",
        )
        for index, row in enumerate(report["quarter_figures"][listed])
    ]
    rows.append(
        _row(
            report,
            f"{item_prefix}.total",
            "Expended in all",
            lambda s: s["expenditures_total"],
            total=True,
            at="expenditures_total",
        )
    )
    return Table(item_prefix, title, tuple(rows))


def purpose_table(report: dict[str, Any]) -> Table:
    return _expended_table(
        report,
        "expenditures_by_purpose",
        "purpose",
        "expenditures",
        "Expended by the Distributor, by purpose (FIFTH)",
    )


def performer_table(report: dict[str, Any]) -> Table:
    return _expended_table(
        report,
        "expenditures_by_performer",
        "performer",
        "expenditures_by_performer",
        "Expended by the Distributor, by who did the work",
    )


def rates_table(report: dict[str, Any]) -> Table:
    def rate(key: str) -> Callable[[Section], str]:
        return lambda s: s["annualised"][key]

    rows = (
        _row(
            report,
            "annualised.paid_to_distributor",
            "Paid to the Distributor",
            rate("paid_to_distributor"),
            amount=False,
            at="annualised/paid_to_distributor",
        ),
        _row(
            report,
            "annualised.service_fees",
            "Service fees passed on",
            rate("service_fees"),
            amount=False,
            at="annualised/service_fees",
        ),
        _row(
            report,
            "annualised.deemed_asset_based_sales_charge",
            "Deemed asset-based sales charge",
            rate("deemed_asset_based_sales_charge"),
            amount=False,
            at="annualised/deemed_asset_based_sales_charge",
        ),
        _row(
            report,
            "average_daily_net_assets",
            "Average daily net assets of the class (US dollars)",
            lambda s: s["average_daily_net_assets"],
            at="average_daily_net_assets",
        ),
        _row(
            report,
            "annualised.finra_caps",
            "FINRA caps (0.75% asset-based, 0.25% service)",
            rate("finra_caps"),
            amount=False,
            at="annualised/finra_caps",
        ),
    )
    return Table("annualised", "Annual rates, of average daily net assets", rows)


def figure_tables(report: dict[str, Any]) -> list[Table]:
    """Every table of figures, in the order the report shows them."""
    return [
        plan_table(report),
        use_table(report),
        reconciliation_table(report),
        purpose_table(report),
        performer_table(report),
        rates_table(report),
    ]


def service_fee_notes(report: dict[str, Any]) -> list[str]:
    """Why the service fee accrued and the service fees paid differ: the quarter's sentence and
    the calendar year's."""
    return [
        f"{label}: {report[name]['service_fee_difference']['explanation']}"
        for name, label in (
            ("quarter_figures", f"In {report['quarter']}"),
            ("year_to_date", "In the calendar year to date"),
        )
        if report.get(name) is not None
    ]


def amount(value: str) -> str:
    """A figure as printed: thousands separated, two decimals; blank stays blank."""
    return "" if value == "" else f"{Decimal(value):,.2f}"


def shown(row: Row, value: str) -> str:
    """A row's value as the HTML and PDF print it (a column without figures: a dash)."""
    if value == "":
        return "-"
    return amount(value) if row.amount else value


@dataclass(frozen=True)
class RestatedRow:
    label: str  # the figure in words, and the columns or months where it moved alike
    as_issued: str
    now: str
    difference: str


def restated_rows(report: dict[str, Any]) -> list[RestatedRow]:
    """The figures a restatement moved, as the board reads them: a figure that moved alike in
    several columns (the quarter and each year to date that holds it) is one row naming them,
    in the report's column order, then the months. The JSON and CSV forms list every place."""
    headings = {column["section"]: column["heading"] for column in report["columns"]}
    order = [column["section"] for column in report["columns"]]
    groups: dict[tuple[str, str, str, str], list[tuple[int, str]]] = {}
    for moved in report.get("restated", {}).get("figures", []):
        section, _, rest = str(moved["figure"]).partition(".")
        if section.startswith("monthly["):
            where = (len(order), section[len("monthly[") : -1])
        else:
            where = (order.index(section), headings[section]) if section in order else (0, section)
        key = (_in_words(rest), moved["as_issued"], moved["now"], moved["difference"])
        groups.setdefault(key, []).append(where)
    rows = sorted(groups.items(), key=lambda item: (min(item[1]), item[0][0]))
    return [
        RestatedRow(
            f"{what} ({', '.join(name for _, name in sorted(places))})", before, after, delta
        )
        for (what, before, after, delta), places in rows
    ]


def _in_words(path: str) -> str:
    """`accrued.total` → "accrued: total"; `service_fees.by_provider[RPS-B].amount` →
    "service fees: by provider RPS-B: amount"."""
    words = [part.replace("_", " ").replace("[", " ").rstrip("]") for part in path.split(".")]
    return ": ".join(word for word in words if word)
