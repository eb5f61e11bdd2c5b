"""The quarterly report as one self-contained HTML page for the board: tables and SVG charts.

No scripts, no external fonts, styles or images: the page opens the same anywhere, prints on
one or two pages, and the same report always gives the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from adapters.outputs.report_charts import (
    SERIES_COLOURS,
    SERIES_LABELS,
    Chart,
    axis_ticks,
    format_tick,
    spending_by_purpose,
    split_over_time,
)
from projections.quarterly_report import receivable_rows

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; color: #1a1a1a; margin: 2.5em auto;
       max-width: 60em; line-height: 1.35; }
h1 { font-size: 1.45em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; margin-top: 1.8em; border-bottom: 1px solid #999; }
p.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; font-size: 0.95em; }
th, td { padding: 0.25em 0.5em; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums;
                       white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 1px solid #555; }
figure { margin: 1em 0; }
figcaption { font-size: 0.9em; color: #444; }
footer { margin-top: 2.5em; font-size: 0.8em; color: #555; word-break: break-all; }
"""


def sentence(text: str) -> str:
    """The text ending with one full stop ("Inc." is not followed by another)."""
    return text if text.endswith(".") else f"{text}."


def _amount(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def _rows(rows: list[tuple[str, str, str]], total: tuple[str, str, str] | None = None) -> str:
    lines = [
        f"<tr><td>{escape(label)}</td><td class=amount>{_amount(quarter)}</td>"
        f"<td class=amount>{_amount(year)}</td></tr>"
        for label, quarter, year in rows
    ]
    if total is not None:
        label, quarter, year = total
        lines.append(
            f"<tr class=total><td>{escape(label)}</td><td class=amount>{_amount(quarter)}</td>"
            f"<td class=amount>{_amount(year)}</td></tr>"
        )
    return "\n".join(lines)


def _table(title: str, body: str) -> str:
    return (
        f"<table><thead><tr><th>{escape(title)}</th><th class=amount>Quarter</th>"
        f"<th class=amount>Year to date</th></tr></thead><tbody>\n{body}\n</tbody></table>"
    )


def _plan_table(report: dict[str, Any]) -> str:
    quarter, year = report["quarter_figures"], report["year_to_date"]
    rows = [
        (
            "Accrued: asset-based sales charge",
            quarter["accrued"]["asset_based_sales_charge"],
            year["accrued"]["asset_based_sales_charge"],
        ),
        ("Accrued: service fee", quarter["accrued"]["service_fee"], year["accrued"]["service_fee"]),
        ("Accrued under SECOND", quarter["accrued"]["total"], year["accrued"]["total"]),
        ("Paid to the Distributor", quarter["paid_to_distributor"], year["paid_to_distributor"]),
        ("Accrued less paid", quarter["accrued_less_paid"], year["accrued_less_paid"]),
        *receivable_rows(quarter, year),
    ]
    return _table("Amounts under the Plan (US dollars)", _rows(rows))


def _split_table(report: dict[str, Any]) -> str:
    quarter, year = report["quarter_figures"], report["year_to_date"]
    year_by_provider = {row["provider"]: row for row in year["service_fees"]["by_provider"]}
    rows = [
        (
            f"Service fees: {row['provider']} ({row['agreement']})",
            row["amount"],
            year_by_provider.get(row["provider"], {}).get("amount", "0.00"),
        )
        for row in quarter["service_fees"]["by_provider"]
    ]
    rows.append(
        (
            "Deemed asset-based sales charge",
            quarter["deemed_asset_based_sales_charge"],
            year["deemed_asset_based_sales_charge"],
        )
    )
    return _table(
        "How the payments to the Distributor were used (SIXTH)",
        _rows(
            rows,
            (
                "Paid to the Distributor",
                quarter["paid_to_distributor"],
                year["paid_to_distributor"],
            ),
        ),
    )


def _purpose_table(report: dict[str, Any]) -> str:
    quarter, year = report["quarter_figures"], report["year_to_date"]
    rows = [
        (q["label"], q["amount"], y["amount"])
        for q, y in zip(
            quarter["expenditures_by_purpose"], year["expenditures_by_purpose"], strict=True
        )
    ]
    return _table(
        "Expended by the Distributor, by purpose (FIFTH)",
        _rows(rows, ("Total expended", quarter["expenditures_total"], year["expenditures_total"])),
    )


def _rates_table(report: dict[str, Any]) -> str:
    quarter, year = report["quarter_figures"], report["year_to_date"]
    lines = [
        f"<tr><td>{escape(label)}</td><td class=amount>{escape(quarter['annualised'][key])}</td>"
        f"<td class=amount>{escape(year['annualised'][key])}</td></tr>"
        for label, key in (
            ("Paid to the Distributor", "paid_to_distributor"),
            ("Service fees", "service_fees"),
            ("Deemed asset-based sales charge", "deemed_asset_based_sales_charge"),
        )
    ]
    lines.append(
        f"<tr><td>Average daily net assets (US dollars)</td>"
        f"<td class=amount>{_amount(quarter['average_daily_net_assets'])}</td>"
        f"<td class=amount>{_amount(year['average_daily_net_assets'])}</td></tr>"
    )
    lines.append(
        f"<tr><td>FINRA caps (0.75% asset-based, 0.25% service)</td>"
        f"<td>{escape(quarter['annualised']['finra_caps'])}</td>"
        f"<td>{escape(year['annualised']['finra_caps'])}</td></tr>"
    )
    return _table("Annual rates of average daily net assets", "\n".join(lines))


# The chart's canvas and the margins around its plot area, in SVG user units.
SVG_WIDTH, SVG_HEIGHT = 720, 330
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 80, 20, 40, 110
PLOT_WIDTH = SVG_WIDTH - PLOT_LEFT - PLOT_RIGHT
PLOT_HEIGHT = SVG_HEIGHT - PLOT_TOP - PLOT_BOTTOM
PLOT_BASE = PLOT_TOP + PLOT_HEIGHT


def _svg_chart(chart: Chart) -> str:
    """A vertical bar chart with stacked segments, labelled axes and a legend."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{SVG_HEIGHT}" '
        f'viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" aria-label="{escape(chart.title)}" '
        f'font-family="Georgia, serif" font-size="11">',
        f'<text x="{SVG_WIDTH / 2:.1f}" y="18" text-anchor="middle" font-size="13">'
        f"{escape(chart.title)}</text>",
    ]
    parts.extend(_svg_grid(chart))
    parts.extend(_svg_bars(chart))
    parts.extend(_svg_axes(chart))
    parts.extend(_svg_legend(chart))
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_grid(chart: Chart) -> list[str]:
    """A line and a label at each tick of the value axis."""
    ticks = axis_ticks(chart.maximum)
    parts = []
    for tick in ticks:
        y = PLOT_BASE - float(tick / ticks[-1]) * PLOT_HEIGHT
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{y:.1f}" x2="{SVG_WIDTH - PLOT_RIGHT}" y2="{y:.1f}" '
            f'stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{PLOT_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{format_tick(tick)}</text>'
        )
    return parts


def _svg_bars(chart: Chart) -> list[str]:
    """Each bar's segments stacked from the base, and its label slanted under it."""
    top_value = axis_ticks(chart.maximum)[-1]
    slot = PLOT_WIDTH / max(len(chart.bars), 1)
    parts = []
    for index, bar in enumerate(chart.bars):
        x = PLOT_LEFT + index * slot + slot * 0.2
        base: float = PLOT_BASE
        for series, value in bar.segments:
            bar_height = float(value / top_value) * PLOT_HEIGHT
            base -= bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.6:.1f}" '
                f'height="{bar_height:.1f}" fill="{SERIES_COLOURS[series]}"/>'
            )
        label_x = x + slot * 0.3
        parts.append(
            f'<text x="{label_x:.1f}" y="{PLOT_BASE + 12}" text-anchor="end" '
            f'transform="rotate(-35 {label_x:.1f} {PLOT_BASE + 12})">'
            f"{escape(_short(bar.label))}</text>"
        )
    return parts


def _svg_axes(chart: Chart) -> list[str]:
    """The two axis lines and their titles."""
    middle_y = PLOT_TOP + PLOT_HEIGHT / 2
    return [
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BASE}" x2="{SVG_WIDTH - PLOT_RIGHT}" '
        f'y2="{PLOT_BASE}" stroke="#333"/>',
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BASE}" stroke="#333"/>',
        f'<text x="16" y="{middle_y:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle_y:.1f})">'
        f"{escape(chart.value_axis)}</text>",
        f'<text x="{PLOT_LEFT + PLOT_WIDTH / 2:.1f}" y="{SVG_HEIGHT - 8}" '
        f'text-anchor="middle">{escape(chart.category_axis)}</text>',
    ]


def _svg_legend(chart: Chart) -> list[str]:
    """A swatch and a name per series; a chart of one series needs none."""
    parts = []
    for index, series in enumerate(chart.series if len(chart.series) > 1 else ()):
        legend_x = PLOT_LEFT + 10 + index * 300
        parts.append(
            f'<rect x="{legend_x}" y="26" width="10" height="10" fill="{SERIES_COLOURS[series]}"/>'
        )
        parts.append(f'<text x="{legend_x + 14}" y="35">{escape(SERIES_LABELS[series])}</text>')
    return parts


def grouped(value: str) -> str:
    """A number with thousands separators and its own places ("10,204,759.34"); anything
    else (a rate with its % sign) as it is."""
    try:
        return f"{Decimal(value):,}"
    except ArithmeticError:
        return value


def _restated_section(report: dict[str, Any]) -> str:
    """A report restated since its issue (docs/audit.md §7): said first, with the figures
    that moved; nothing for a report as issued."""
    restated = report.get("restated")
    if not restated:
        return ""
    rows = "\n".join(
        f"<tr><td>{escape(moved['label'])}</td>"
        + "".join(
            f"<td class=amount>{escape(grouped(moved[key]))}</td>"
            for key in ("as_issued", "now", "difference")
        )
        + "</tr>"
        for moved in restated["figures"]
    )
    return (
        f"<h2>Restated since the report issued on {escape(restated['issued_on'])}</h2>\n"
        f"<p>The figures below differ from the report issued on {escape(restated['issued_on'])} "
        f"(SHA-256 {escape(restated['issued_sha256'])}).</p>\n"
        "<table><thead><tr><th>Figure</th><th class=amount>As issued</th>"
        "<th class=amount>Now</th><th class=amount>Difference</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table>\n"
    )


def _short(label: str) -> str:
    return label if len(label) <= 28 else label[:26] + "…"


def report_html(report: dict[str, Any]) -> bytes:
    built = report["built_from"]
    plan = report["plan"]
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(report["fund"])}, Class {escape(report["fund_class"].split("/")[1])}: {escape(report["quarter"])} report</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(report["fund"])} — Class {escape(report["fund_class"].split("/")[1])}</h1>
<p class=meta>{escape(report["title"])} ({escape(report["clause"])}).<br>
Quarter {escape(report["quarter"])}: {escape(report["period"]["start"])} to {escape(report["period"]["end"])}; year to date from {escape(report["year_to_date_period"]["start"])}.<br>
{escape(sentence(report["company"]))} Distributor: {escape(sentence(report["distributor"]))}</p>
{_restated_section(report)}<h2>Amounts under the Plan</h2>
{_plan_table(report)}
<h2>Use of the payments to the Distributor</h2>
{_split_table(report)}
<figure>{_svg_chart(split_over_time(report))}
<figcaption>Each month's plan payments to the Distributor: the part it paid or advanced as service fees, and the rest, deemed an asset-based sales charge.</figcaption></figure>
<h2>Purposes of the Distributor's expenditures</h2>
{_purpose_table(report)}
<figure>{_svg_chart(spending_by_purpose(report))}
<figcaption>Amounts expended in the quarter for each purpose named in FIFTH.</figcaption></figure>
<h2>Rates and limits</h2>
{_rates_table(report)}
<footer>Plan: {escape(plan["title"])}, a {escape(plan["type"])} plan; document SHA-256 {escape(plan["document_sha256"])};
Schedule B: asset-based sales charge {escape(plan["schedule_b"]["asset_based_sales_charge"])}, maximum service fee {escape(plan["schedule_b"]["maximum_service_fee"])}, maximum total {escape(plan["schedule_b"]["maximum_total"])}.<br>
Built from {built["events"]} events, SHA-256 {escape(built["events_sha256"])}; planledger {escape(built["software_version"])}; rounding policy {escape(built["rounding_policy"])}.</footer>
</body>
</html>
"""
    return page.encode("utf-8")
