"""The two charts of the quarterly report, as data both exporters draw from.

A chart is a list of labelled bars with one or more stacked segments, plus its axis titles.
The HTML exporter draws it as inline SVG, the PDF exporter with the PDF's own lines and
rectangles, so both show the same thing and neither needs a plotting library.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SERIES_COLOURS = {"service_fees": "#2f6f9f", "deemed_absc": "#d08c2b", "spent": "#4c8c4a"}
SERIES_LABELS = {
    "service_fees": "Service fees (SEVENTH)",
    "deemed_absc": "Deemed asset-based sales charge (SIXTH)",
    "spent": "Expended",
}


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[tuple[str, Decimal], ...]  # (series, dollars), stacked in this order

    @property
    def total(self) -> Decimal:
        return sum((value for _, value in self.segments), Decimal(0))


@dataclass(frozen=True)
class Chart:
    title: str
    value_axis: str
    category_axis: str
    bars: tuple[Bar, ...]
    series: tuple[str, ...]

    @property
    def maximum(self) -> Decimal:
        return max((bar.total for bar in self.bars), default=Decimal(0))


def nice_ceiling(value: Decimal) -> Decimal:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10  # pragma: no cover


# Fewer purposes with spending than this, and the purpose table says all a chart would.
PURPOSES_WORTH_A_CHART = 2


def spending_by_purpose(report: dict[str, Any]) -> Chart | None:
    """The quarter's spending by purpose, only the purposes with spending; None when fewer
    than two had any (a chart of zero bars, or of one, tells nothing the table does not)."""
    bars = tuple(
        Bar(row["short_label"], (("spent", Decimal(row["amount"])),))
        for row in report["quarter_figures"]["expenditures_by_purpose"]
        if Decimal(row["amount"]) > 0
    )
    if len(bars) < PURPOSES_WORTH_A_CHART:
        return None
    return Chart(
        f"Expended in {report['quarter']} by purpose (FIFTH)",
        "US dollars",
        "Purpose",
        bars,
        ("spent",),
    )


def split_over_time(report: dict[str, Any]) -> Chart:
    bars = tuple(
        Bar(
            row["month"],
            (
                ("service_fees", Decimal(row["service_fees"])),
                ("deemed_absc", Decimal(row["deemed_asset_based_sales_charge"])),
            ),
        )
        for row in report["monthly"]
    )
    return Chart(
        "Plan payments by month, as SIXTH splits them (year to date)",
        "US dollars",
        "Month covered",
        bars,
        ("service_fees", "deemed_absc"),
    )


def axis_ticks(maximum: Decimal, count: int = 5) -> list[Decimal]:
    top = nice_ceiling(maximum)
    return [top * index / count for index in range(count + 1)]


def format_tick(value: Decimal) -> str:
    return f"{int(value):,}"
