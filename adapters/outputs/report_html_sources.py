"""The HTML report's last section: where each figure comes from (docs/read-models.md, "From a
figure to its events").

One row per figure of the report's `sources`: its amount and the log positions of its events,
each position run carrying the `planledger log --position` command that shows them (in a
`title`, and as `data-positions` for a page that turns them into links), or, for a figure
derived from others, its formula. Folded under a `<details>`: the board reads the tables
above; an auditor opens it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from html import escape
from typing import Any

SECTION_NAMES = {"quarter_figures": "Quarter", "year_to_date": "Year to date"}
# The key of a list item that names it, by list.
ITEM_NAMES = {
    "by_provider": "provider",
    "expenditures_by_purpose": "short_label",
    "monthly": "month",
}


def figure_label(report: dict[str, Any], pointer: str) -> str:
    """A pointer as a reader names the figure: `/year_to_date/service_fees/by_provider/0/amount`
    is "Year to date › service fees › DEALER-A › amount"."""
    parts = [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]
    words = []
    node: Any = report
    parent = ""
    for part in parts:
        if isinstance(node, list):
            node = node[int(part)]
            words.append(str(node.get(ITEM_NAMES.get(parent, ""), part)))
        else:
            node = node.get(part) if isinstance(node, dict) else None
            words.append(SECTION_NAMES.get(part, part.replace("_", " ")))
        parent = part
    return " › ".join(words)


def figure_value(report: dict[str, Any], pointer: str) -> str:
    """The figure as the tables above show it: an amount with thousands separated, a rate or
    a text as it is."""
    node: Any = report
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    text = str(node)
    try:
        return f"{Decimal(text):,.2f}"
    except InvalidOperation:
        return text


def _events_cell(source: dict[str, Any]) -> str:
    if "derived" in source:
        return f"<td>= {escape(source['derived'])}</td>"
    runs = source.get("positions", [])
    if not runs:
        return "<td>no events</td>"
    contributions = source.get("contributions")
    shown = [
        f"{run} ({contributions[index]})" if contributions else run
        for index, run in enumerate(runs)
    ]
    commands = "; ".join(f"planledger log --position {run}" for run in runs)
    return (
        f'<td data-positions="{escape(" ".join(runs))}" title="{escape(commands)}">'
        f"log {escape(', '.join(shown))}</td>"
    )


def sources_html(report: dict[str, Any]) -> str:
    """The section, or nothing for a report without sources."""
    sources = report.get("sources")
    if not sources:
        return ""
    rows = [
        f"<tr><td>{escape(figure_label(report, pointer))}</td>"
        f"<td class=amount>{escape(figure_value(report, pointer))}</td>"
        f"{_events_cell(source)}</tr>"
        for pointer, source in sources.items()
    ]
    return (
        "<h2>Where the figures come from</h2>\n"
        "<p>Each figure is the sum of the events at these positions of the ledger's log "
        "(<code>planledger log --position N..M</code> shows them; where an event adds only a "
        "share of its amount, as a payment covering months beyond the period does, the share "
        "is in brackets), or is derived from the figures named.</p>\n"
        "<details><summary>Figures and their events</summary>\n"
        "<table><thead><tr><th>Figure</th><th class=amount>Amount</th><th>Events</th></tr>"
        "</thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></details>"
    )
