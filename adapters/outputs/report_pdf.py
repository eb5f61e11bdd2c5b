"""The quarterly report as a PDF for the board: the HTML page's tables and charts, on Letter.

Drawn with fpdf2 (pure Python, installed by pip) in its built-in Helvetica, so no system font
is needed; text is kept to Latin-1, which that font covers. The charts are the same data as
the HTML ones (adapters/outputs/report_charts.py), drawn with lines and rectangles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from adapters.outputs.report_charts import (
    SERIES_COLOURS,
    SERIES_LABELS,
    Chart,
    axis_ticks,
    format_tick,
    spending_by_purpose,
    split_over_time,
)
from adapters.outputs.report_html import grouped, sentence
from adapters.outputs.report_tables import (
    Table,
    figure_tables,
    restated_rows,
    service_fee_notes,
    shown,
)

PAGE_WIDTH_MM = 215.9
MARGIN_MM = 16
LABEL_WIDTH_MM = 64
LINE_MM = 5.4
SLANT_SINE = 0.574  # sin 35 degrees: how far down a bar's slanted label reaches, per mm

LATIN1_REPLACEMENTS = {
    "—": "-",
    "–": "-",
    "…": "...",
    "≤": "<=",
    "≥": ">=",
    "’": "'",
    "“": '"',
    "”": '"',
    "×": "x",
    "÷": "/",
}


def latin1(text: str) -> str:
    for character, replacement in LATIN1_REPLACEMENTS.items():
        text = text.replace(character, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")


def _hex_colour(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


class ReportPdf(FPDF):
    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        self.report = report
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + 6)
        self.set_title(latin1(f"{report['fund']} {report['quarter']} report"))
        self.set_author(latin1(report["distributor"]))
        self.set_creator("planledger")
        quarter_end = datetime.fromisoformat(report["period"]["end"]).replace(tzinfo=UTC)
        self.set_creation_date(quarter_end)

    def footer(self) -> None:
        self.set_y(-MARGIN_MM)
        self.set_font("Helvetica", size=7)
        self.set_text_color(90, 90, 90)
        self.cell(
            0,
            4,
            latin1(
                f"{self.report['fund_class']} {self.report['quarter']} - "
                f"events SHA-256 {self.report['built_from']['events_sha256']} - "
                f"page {self.page_no()}"
            ),
            align="C",
        )

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.set_text_color(0, 0, 0)
        self.cell(0, 8, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN_MM, self.get_y(), PAGE_WIDTH_MM - MARGIN_MM, self.get_y())
        self.ln(1)

    def figures_table(self, report: dict[str, Any], table: Table) -> None:
        """A table of figures by fpdf2's own `table()`, a column per period: a label that
        wraps keeps its amounts on its own lines, and a row that does not fit the page moves
        whole to the next, under its headings repeated."""
        columns = report["columns"]
        amount_width = (self.epw - LABEL_WIDTH_MM) / len(columns)
        self.set_font("Helvetica", size=8)
        self.set_fill_color(255, 255, 255)  # a chart's last colour would otherwise fill the cells
        self.set_draw_color(150, 150, 150)
        with self.table(
            col_widths=(LABEL_WIDTH_MM, *(amount_width for _ in columns)),  # proportions
            width=self.epw,
            align="LEFT",
            text_align=("LEFT", *("RIGHT" for _ in columns)),
            v_align="TOP",
            borders_layout="NONE",
            line_height=LINE_MM * 0.75,
            padding=(0.9, 0.5),
            headings_style=FontFace(emphasis="BOLD", size_pt=7.5),
            repeat_headings=1,
        ) as pdf_table:
            # The columns' days are in the title's note: headings of one or two lines.
            pdf_table.row(["", *(latin1(c["heading"]) for c in columns)])
            for row in table.rows:
                pdf_table.row(
                    [latin1(row.label), *(latin1(shown(row, value)) for value in row.values)],
                    style=FontFace(emphasis="BOLD") if row.total else None,
                )

    def paragraph(self, text: str, size: float = 8.5, bold: bool = False) -> None:
        self.set_font("Helvetica", "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, latin1(text), new_x="LMARGIN", new_y="NEXT", align="L")

    def chart(self, chart: Chart) -> None:
        """The chart, as deep as its slanted bar labels need and no deeper."""
        plot_height = 38
        self.set_font("Helvetica", size=6.5)
        longest = max((self.get_string_width(_bar_label(b.label)) for b in chart.bars), default=0)
        label_depth = longest * SLANT_SINE + 5
        if self.get_y() + 10 + plot_height + label_depth + 8 > self.h - MARGIN_MM - 6:
            self.add_page()
        left, top = MARGIN_MM + 20, self.get_y() + 10
        plot_width = self.epw - 26
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 5, latin1(chart.title), align="C", new_x="LMARGIN", new_y="NEXT")
        self._legend(chart, left, top - 4)
        self._axes(chart, left, top, plot_width, plot_height)
        self.text(
            left + plot_width / 2 - self.get_string_width(chart.category_axis) / 2,
            top + plot_height + label_depth + 3,
            chart.category_axis,
        )
        self._bars(chart, left, top, plot_width, plot_height)
        self.set_y(top + plot_height + label_depth + 6)

    def _legend(self, chart: Chart, left: float, y: float) -> None:
        if len(chart.series) < 2:
            return
        self.set_font("Helvetica", size=7)
        for index, series in enumerate(chart.series):
            x = left + index * 80
            self.set_fill_color(*_hex_colour(SERIES_COLOURS[series]))
            self.rect(x, y, 3, 3, style="F")
            self.text(x + 4.5, y + 2.6, latin1(SERIES_LABELS[series]))

    def _axes(self, chart: Chart, left: float, top: float, width: float, height: float) -> None:
        ticks = axis_ticks(chart.maximum)
        self.set_font("Helvetica", size=7)
        self.set_draw_color(210, 210, 210)
        for tick in ticks:
            y = top + height - float(tick / ticks[-1]) * height
            self.line(left, y, left + width, y)
            label = format_tick(tick)
            self.text(left - 2 - self.get_string_width(label), y + 1, label)
        self.set_draw_color(40, 40, 40)
        self.line(left, top, left, top + height)
        self.line(left, top + height, left + width, top + height)
        with self.rotation(90, left - 16, top + height / 2):
            self.text(
                left - 16 - self.get_string_width(chart.value_axis) / 2,
                top + height / 2,
                chart.value_axis,
            )

    def _bars(self, chart: Chart, left: float, top: float, width: float, height: float) -> None:
        top_value = axis_ticks(chart.maximum)[-1]
        slot = width / max(len(chart.bars), 1)
        self.set_font("Helvetica", size=6.5)
        for index, bar in enumerate(chart.bars):
            x = left + index * slot + slot * 0.2
            base = top + height
            for series, value in bar.segments:
                bar_height = float(value / top_value) * height
                base -= bar_height
                if bar_height > 0:
                    self.set_fill_color(*_hex_colour(SERIES_COLOURS[series]))
                    self.rect(x, base, slot * 0.6, bar_height, style="F")
            label = _bar_label(bar.label)
            with self.rotation(35, x + slot * 0.3, top + height + 2):
                self.text(x + slot * 0.3 - self.get_string_width(label), top + height + 4, label)


def _bar_label(label: str) -> str:
    return latin1(label if len(label) <= 30 else label[:28] + "...")


def _days(column: dict[str, str]) -> str:
    return "before the plan" if not column["start"] else f"{column['start']} to {column['end']}"


def report_pdf(report: dict[str, Any]) -> bytes:
    pdf = ReportPdf(report)
    pdf.add_page()
    _title(pdf, report)
    _issue_block(pdf, report)
    _restated(pdf, report)
    plan, use, reconciliation, purposes, performers, rates = figure_tables(report)
    pdf.heading("Amounts under the Plan (US dollars)")
    pdf.figures_table(report, plan)
    pdf.heading("How the Distributor used the fund's payments (SIXTH)")
    pdf.figures_table(report, use)
    pdf.ln(1)
    pdf.paragraph("Why the service fee accrued and the service fees paid differ", bold=True)
    for note in service_fee_notes(report):
        pdf.paragraph(note)
    pdf.chart(split_over_time(report))
    pdf.heading("What the Distributor received and what it did with it")
    pdf.figures_table(report, reconciliation)
    pdf.heading("Expended by the Distributor, by purpose (FIFTH)")
    pdf.figures_table(report, purposes)
    purpose_chart = spending_by_purpose(report)
    if purpose_chart is None:
        pdf.paragraph(
            "Fewer than two purposes had spending in the quarter: the table above shows them."
        )
    else:
        pdf.chart(purpose_chart)
    pdf.heading("Expended by the Distributor, by who did the work")
    pdf.figures_table(report, performers)
    pdf.heading("Annual rates, of average daily net assets")
    pdf.figures_table(report, rates)
    _provenance(pdf, report)
    return bytes(pdf.output())


def _issue_block(pdf: ReportPdf, report: dict[str, Any]) -> None:
    """The issue and certification, and the line for the board's review, in a box."""
    issue, review = report["issue"], report["board_review"]
    status = "DRAFT" if issue["status"] == "draft" else "Certification"
    pdf.ln(2)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_font("Helvetica", size=8.5)
    pdf.multi_cell(
        0,
        4.5,
        latin1(f"**{status}.** {issue['certification']}\n{review['line']}"),
        border=1,
        padding=2,
        markdown=True,
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )


def _title(pdf: ReportPdf, report: dict[str, Any]) -> None:
    share_class = report["fund_class"].split("/")[1]
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        7,
        latin1(f"{report['fund']} - Class {share_class}"),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(60, 60, 60)
    pdf.multi_cell(
        0,
        4.5,
        latin1(
            f"{report['title']} ({report['clause']}). Quarter {report['quarter']}: "
            f"{report['period']['start']} to {report['period']['end']}. Beside it: the prior "
            f"quarter, and the calendar year, the plan year and the fund's fiscal year (ending "
            f"{report['fiscal_year_end']}) to date: "
            + "; ".join(f"{c['heading']}: {_days(c)}" for c in report["columns"][1:])
            + f". {sentence(report['company'])} "
            f"Distributor: {sentence(report['distributor'])}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_text_color(0, 0, 0)


def _provenance(pdf: ReportPdf, report: dict[str, Any]) -> None:
    plan, built = report["plan"], report["built_from"]
    pdf.ln(4)
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        3.5,
        latin1(
            f"Plan: {plan['title']}, a {plan['type']} plan; document SHA-256 "
            f"{plan['document_sha256']}. Schedule B: "
            f"asset-based sales charge {plan['schedule_b']['asset_based_sales_charge']}, maximum "
            f"service fee {plan['schedule_b']['maximum_service_fee']}, maximum total "
            f"{plan['schedule_b']['maximum_total']}. Built from {built['events']} events, SHA-256 "
            f"{built['events_sha256']}; planledger {built['software_version']}; rounding policy "
            f"{built['rounding_policy']}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )


def _restated(pdf: ReportPdf, report: dict[str, Any]) -> None:
    """A report restated since its issue (docs/audit.md §7): said first, with the figures
    that moved; nothing for a report as issued."""
    restated = report.get("restated")
    if not restated:
        return
    pdf.heading(f"Restated since the report issued on {restated['issued_on']}")
    pdf.set_font("Helvetica", size=9)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(150, 150, 150)
    with pdf.table(
        col_widths=(LABEL_WIDTH_MM, *(((pdf.epw - LABEL_WIDTH_MM) / 3,) * 3)),
        width=pdf.epw,
        align="LEFT",
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        v_align="TOP",
        borders_layout="NONE",
        line_height=LINE_MM * 0.75,
        padding=(0.9, 0.5),
        headings_style=FontFace(emphasis="BOLD"),
        repeat_headings=1,
    ) as table:
        table.row(["Figure", "As issued", "Now", "Difference"])
        for row in restated_rows(report):
            table.row(
                [latin1(row.label), *(grouped(v) for v in (row.as_issued, row.now, row.difference))]
            )
