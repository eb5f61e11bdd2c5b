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
from adapters.outputs.report_tables import (
    Table,
    figure_tables,
    restated_rows,
    service_fee_notes,
    shown,
)

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; color: #1a1a1a; margin: 2.5em auto;
       max-width: 72em; line-height: 1.35; }
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
td.note { text-align: right; font-size: 0.85em; }
span.days { font-weight: normal; font-size: 0.8em; color: #555; }
section.certification { border: 1px solid #999; padding: 0.4em 0.8em; margin: 1em 0; }
p.note { font-size: 0.92em; }
footer { margin-top: 2.5em; font-size: 0.8em; color: #555; word-break: break-all; }
"""


def sentence(text: str) -> str:
    """The text ending with one full stop ("Inc." is not followed by another)."""
    return text if text.endswith(".") else f"{text}."


def _figures_table(report: dict[str, Any], table: Table) -> str:
    """A table of figures: a column per period, its days under its heading."""
    headings = "".join(
        f"<th class=amount>{escape(column['heading'])}<br><span class=days>"
        f"{escape(_days(column))}</span></th>"
        for column in report["columns"]
    )
    lines = [
        f"<tr{' class=total' if row.total else ''}><td>{escape(row.label)}</td>"
        + "".join(
            f"<td class={'amount' if row.amount else 'note'}>{escape(shown(row, value))}</td>"
            for value in row.values
        )
        + "</tr>"
        for row in table.rows
    ]
    body = "\n".join(lines)
    return (
        f"<table><thead><tr><th>{'' if table.name == 'annualised' else 'US dollars'}</th>"
        f"{headings}</tr></thead>"
        f"<tbody>\n{body}\n</tbody></table>"
    )


def _days(column: dict[str, str]) -> str:
    return "before the plan" if not column["start"] else f"{column['start']} to {column['end']}"


def _issue_block(report: dict[str, Any]) -> str:
    """The issue and certification, and the line for the board's review."""
    issue, review = report["issue"], report["board_review"]
    status = "DRAFT" if issue["status"] == "draft" else "Certification"
    return (
        f"<section class=certification><p><strong>{escape(status)}</strong>. "
        f"{escape(issue['certification'])}</p>\n<p>{escape(review['line'])}</p></section>"
    )


# The chart's canvas and the margins around its plot area, in SVG user units.
SVG_WIDTH = 720
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_HEIGHT = 80, 20, 40, 180
PLOT_WIDTH = SVG_WIDTH - PLOT_LEFT - PLOT_RIGHT
PLOT_BASE = PLOT_TOP + PLOT_HEIGHT
# How far down a slanted bar label reaches, per character (11-unit serif, 35 degrees).
LABEL_DEPTH_PER_CHARACTER = 3.3


def _svg_height(chart: Chart) -> int:
    """The canvas as deep as the chart's slanted bar labels need, then the axis title."""
    longest = max((len(_short(bar.label)) for bar in chart.bars), default=0)
    return PLOT_BASE + 20 + round(longest * LABEL_DEPTH_PER_CHARACTER) + 20


def _svg_chart(chart: Chart) -> str:
    """A vertical bar chart with stacked segments, labelled axes and a legend."""
    height = _svg_height(chart)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{height}" '
        f'viewBox="0 0 {SVG_WIDTH} {height}" role="img" aria-label="{escape(chart.title)}" '
        f'font-family="Georgia, serif" font-size="11">',
        f'<text x="{SVG_WIDTH / 2:.1f}" y="18" text-anchor="middle" font-size="13">'
        f"{escape(chart.title)}</text>",
    ]
    parts.extend(_svg_grid(chart))
    parts.extend(_svg_bars(chart))
    parts.extend(_svg_axes(chart, height))
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


def _svg_axes(chart: Chart, height: int) -> list[str]:
    """The two axis lines and their titles."""
    middle_y = PLOT_TOP + PLOT_HEIGHT / 2
    return [
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_BASE}" x2="{SVG_WIDTH - PLOT_RIGHT}" '
        f'y2="{PLOT_BASE}" stroke="#333"/>',
        f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BASE}" stroke="#333"/>',
        f'<text x="16" y="{middle_y:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle_y:.1f})">'
        f"{escape(chart.value_axis)}</text>",
        f'<text x="{PLOT_LEFT + PLOT_WIDTH / 2:.1f}" y="{height - 8}" '
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
        f"<tr><td>{escape(row.label)}</td>"
        + "".join(
            f"<td class=amount>{escape(grouped(value))}</td>"
            for value in (row.as_issued, row.now, row.difference)
        )
        + "</tr>"
        for row in restated_rows(report)
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
Quarter {escape(report["quarter"])}: {escape(report["period"]["start"])} to {escape(report["period"]["end"])}. Beside it: the prior quarter, and the calendar year, the plan year and the fund's fiscal year (ending {escape(report["fiscal_year_end"])}) to date.<br>
{escape(sentence(report["company"]))} Distributor: {escape(sentence(report["distributor"]))}</p>
{_issue_block(report)}
{_restated_section(report)}{_body(report)}
<footer>Plan: {escape(plan["title"])}, a {escape(plan["type"])} plan; document SHA-256 {escape(plan["document_sha256"])};
Schedule B: asset-based sales charge {escape(plan["schedule_b"]["asset_based_sales_charge"])}, maximum service fee {escape(plan["schedule_b"]["maximum_service_fee"])}, maximum total {escape(plan["schedule_b"]["maximum_total"])}.<br>
Built from {built["events"]} events, SHA-256 {escape(built["events_sha256"])}; planledger {escape(built["software_version"])}; rounding policy {escape(built["rounding_policy"])}.</footer>
</body>
</html>
"""
    return page.encode("utf-8")


def _body(report: dict[str, Any]) -> str:
    """The tables, the notes and the charts, in the order a board member reads them."""
    plan, use, reconciliation, purposes, performers, rates = figure_tables(report)
    notes = "".join(f"<p class=note>{escape(note)}</p>\n" for note in service_fee_notes(report))
    purpose_chart = spending_by_purpose(report)
    purpose_figure = (
        "<p class=note>Fewer than two purposes had spending in the quarter: the table above "
        "shows them.</p>"
        if purpose_chart is None
        else f"<figure>{_svg_chart(purpose_chart)}\n<figcaption>Amounts expended in the "
        f"quarter for each purpose named in FIFTH that had spending.</figcaption></figure>"
    )
    return f"""<h2>{escape(plan.title)}</h2>
{_figures_table(report, plan)}
<h2>{escape(use.title)}</h2>
{_figures_table(report, use)}
<h3>Why the service fee accrued and the service fees paid differ</h3>
{notes}<figure>{_svg_chart(split_over_time(report))}
<figcaption>Each month's plan payments to the Distributor: the part it paid or advanced as service fees, and the rest, deemed an asset-based sales charge.</figcaption></figure>
<h2>{escape(reconciliation.title)}</h2>
{_figures_table(report, reconciliation)}
<h2>{escape(purposes.title)}</h2>
{_figures_table(report, purposes)}
{purpose_figure}
<h2>{escape(performers.title)}</h2>
{_figures_table(report, performers)}
<h2>{escape(rates.title)}</h2>
{_figures_table(report, rates)}"""
