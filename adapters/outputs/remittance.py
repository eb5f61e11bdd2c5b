"""A dealer's remittance advice for a period (`reconcile remittance`, docs/reconciliation.md §4):
for each fund class and fee period, the average net assets and rate the agreement's fee is
computed on, the fee, the per-provider cap, what was invoiced and what was paid; as a CSV and a
PDF of the same figures.

The PDF is drawn with fpdf2 (loaded only here) and its own `table()`; its creation date is the
period's last day, so the same ledger gives the same bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from domain.periods import Period
from domain.rates import format_percent
from projections.reconciliation import DealerLine

CSV_FIELDS = (
    "dealer",
    "dealer_name",
    "fund_class",
    "period",
    "agreement",
    "averaging",
    "average_net_assets",
    "rate_annual",
    "fee",
    "cap",
    "invoiced",
    "paid",
    "payment_references",
    "status",
)
MARGIN_MM = 15
TABLE_HEADINGS = (
    "Fund class",
    "Period",
    "Averaging",
    "Average net assets",
    "Rate",
    "Fee",
    "Cap",
    "Invoiced",
    "Paid",
)
# Proportions of the table's columns (fpdf2 scales them to the page's width).
TABLE_WIDTHS = (24, 34, 30, 26, 10, 18, 18, 18, 18)


def file_stem(dealer: str, period: Period) -> str:
    return f"remittance-{dealer}-{period.label().replace('..', '_')}"


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def remittance_csv(lines: Sequence[DealerLine]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for line in lines:
        writer.writerow(
            [
                line.dealer, line.dealer_name, line.fund_class, line.period,
                line.agreement_reference, line.method, _money(line.average_net_assets),
                "" if line.rate_annual is None else f"{line.rate_annual.normalize():f}",
                _money(line.owed), _money(line.cap), _money(line.invoiced), _money(line.paid),
                " ".join(line.payment_references), line.status,
            ]
        )  # fmt: skip
    return buffer.getvalue()


def latin1(text: str) -> str:
    """The PDF's core font speaks Latin-1: anything else is replaced, never dropped."""
    return text.replace("\u2014", "-").encode("latin-1", "replace").decode("latin-1")


def _shown(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _total(values: Sequence[Decimal | None]) -> Decimal | None:
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


def remittance_pdf(lines: Sequence[DealerLine], period: Period, distributor: str) -> bytes:
    """The advice as a PDF: who pays whom for what period, the table of classes, totals."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    dealer = lines[0].dealer if lines else ""
    name = lines[0].dealer_name if lines else ""
    pdf = FPDF(orientation="L", unit="mm", format="Letter")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.set_title(latin1(f"Remittance advice {dealer} {period.label()}"))
    pdf.set_author(latin1(distributor))
    pdf.set_creator("planledger")
    pdf.set_creation_date(datetime.combine(period.end_inclusive, datetime.min.time(), UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, "Remittance advice: service fees (SEVENTH)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for text in (
        f"To: {name} ({dealer})",
        f"From: {distributor}",
        f"Period: {period.label()} ({period.start.isoformat()} to "
        f"{period.end_inclusive.isoformat()})",
    ):
        pdf.cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=9)
    pdf.set_draw_color(150, 150, 150)
    with pdf.table(
        col_widths=TABLE_WIDTHS,
        width=pdf.epw,
        text_align=("LEFT", "LEFT", "LEFT", *("RIGHT",) * 6),
        headings_style=FontFace(emphasis="BOLD"),
        borders_layout="HORIZONTAL_LINES",
        line_height=5.5,
        repeat_headings=1,
    ) as table:
        table.row(TABLE_HEADINGS)
        for line in lines:
            table.row([latin1(cell) for cell in _pdf_cells(line)])
        table.row(
            [
                "Total", "", "", "", "", _shown(_total([line.owed for line in lines])),
                _shown(_total([line.cap for line in lines])),
                _shown(_total([line.invoiced for line in lines])),
                _shown(_total([line.paid for line in lines])),
            ],
            style=FontFace(emphasis="BOLD"),
        )  # fmt: skip
    _notes(pdf, lines)
    return bytes(pdf.output())


def _pdf_cells(line: DealerLine) -> list[str]:
    return [
        line.fund_class, line.period, line.method or "-", _shown(line.average_net_assets),
        "" if line.rate_annual is None else format_percent(line.rate_annual),
        _shown(line.owed), _shown(line.cap), _shown(line.invoiced), _shown(line.paid),
    ]  # fmt: skip


def _notes(pdf: Any, lines: Sequence[DealerLine]) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", size=8)
    notes = [
        "Fee: the agreement's contractual rate on its own averaging method, over the days it "
        "covers, rounded half up to the cent. Cap: the per-provider cap (SEVENTH), on the "
        "calendar-day average of the positions, rounded down to the cent; what is paid never "
        "exceeds it.",
    ]
    for line in lines:
        references = ", ".join(line.payment_references) or "none"
        notes.append(
            f"{line.fund_class} {line.period}: agreement {line.agreement_reference or '-'}; "
            f"payments {references}; reconciliation: {line.status}"
            + (f" ({line.detail})" if line.detail else "")
        )
    for note in notes:
        pdf.multi_cell(0, 4, latin1(note), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
