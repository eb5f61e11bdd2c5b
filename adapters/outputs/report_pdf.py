"""The quarterly report as a PDF for the board: the HTML page's tables and charts, on Letter.

Drawn with fpdf2 (pure Python, installed by pip) in its built-in Helvetica, so no system font
is needed; text is kept to Latin-1, which that font covers. The charts are the same data as
the HTML ones (adapters/outputs/report_charts.py), drawn with lines and rectangles.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
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
from projections.quarterly_report import receivable_rows

PAGE_WIDTH_MM = 215.9
MARGIN_MM = 16
LABEL_WIDTH_MM = 118
AMOUNT_WIDTH_MM = (PAGE_WIDTH_MM - 2 * MARGIN_MM - LABEL_WIDTH_MM) / 2
LINE_MM = 6

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


def _amount(value: str) -> str:
    return f"{Decimal(value):,.2f}"


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

    def figures_table(
        self,
        title: str,
        rows: list[tuple[str, str, str]],
        total: tuple[str, str, str] | None = None,
    ) -> None:
        """A table of figures by fpdf2's own `table()`: a label that wraps keeps its amounts on
        its own lines, and a row that does not fit the page moves whole to the next, under its
        headings repeated."""
        self.set_font("Helvetica", size=9)
        self.set_fill_color(255, 255, 255)  # a chart's last colour would otherwise fill the cells
        self.set_draw_color(150, 150, 150)
        with self.table(
            col_widths=(LABEL_WIDTH_MM, AMOUNT_WIDTH_MM, AMOUNT_WIDTH_MM),  # proportions
            width=self.epw,
            align="LEFT",
            text_align=("LEFT", "RIGHT", "RIGHT"),
            v_align="TOP",
            borders_layout="NONE",
            line_height=LINE_MM * 0.75,
            padding=(0.9, 0.5),
            headings_style=FontFace(emphasis="BOLD"),
            repeat_headings=1,
        ) as table:
            table.row([latin1(title), "Quarter", "Year to date"])
            for label, quarter, year in rows:
                table.row([latin1(label), quarter, year])
            if total is not None:
                table.row([latin1(total[0]), total[1], total[2]], style=FontFace(emphasis="BOLD"))

    def chart(self, chart: Chart) -> None:
        width, height = PAGE_WIDTH_MM - 2 * MARGIN_MM, 78
        if self.get_y() + height + 10 > self.h - MARGIN_MM - 6:
            self.add_page()
        left, top = MARGIN_MM + 20, self.get_y() + 10
        plot_width, plot_height = width - 26, height - 40
        self.set_font("Helvetica", "B", 9)
        self.cell(0, 5, latin1(chart.title), align="C", new_x="LMARGIN", new_y="NEXT")
        self._legend(chart, left, top - 4)
        self._axes(chart, left, top, plot_width, plot_height)
        self._bars(chart, left, top, plot_width, plot_height)
        self.set_y(top + height - 6)

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
        self.text(
            left + width / 2 - self.get_string_width(chart.category_axis) / 2,
            top + height + 28,
            chart.category_axis,
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
            label = latin1(bar.label if len(bar.label) <= 30 else bar.label[:28] + "...")
            with self.rotation(35, x + slot * 0.3, top + height + 2):
                self.text(x + slot * 0.3 - self.get_string_width(label), top + height + 4, label)


def report_pdf(report: dict[str, Any]) -> bytes:
    pdf = ReportPdf(report)
    pdf.add_page()
    _title(pdf, report)
    _restated(pdf, report)
    quarter, year = report["quarter_figures"], report["year_to_date"]
    _amounts_under_plan(pdf, quarter, year)
    _use_of_payments(pdf, quarter, year)
    pdf.chart(split_over_time(report))
    _expended_by_purpose(pdf, quarter, year)
    pdf.chart(spending_by_purpose(report))
    _rates(pdf, report)
    _provenance(pdf, report)
    return bytes(pdf.output())


def _amounts_under_plan(pdf: ReportPdf, quarter: dict[str, Any], year: dict[str, Any]) -> None:
    pdf.heading("Amounts under the Plan (US dollars)")
    pdf.figures_table(
        "",
        [
            (
                "Accrued: asset-based sales charge",
                _amount(quarter["accrued"]["asset_based_sales_charge"]),
                _amount(year["accrued"]["asset_based_sales_charge"]),
            ),
            (
                "Accrued: service fee",
                _amount(quarter["accrued"]["service_fee"]),
                _amount(year["accrued"]["service_fee"]),
            ),
            (
                "Accrued under SECOND",
                _amount(quarter["accrued"]["total"]),
                _amount(year["accrued"]["total"]),
            ),
            (
                "Paid to the Distributor",
                _amount(quarter["paid_to_distributor"]),
                _amount(year["paid_to_distributor"]),
            ),
            (
                "Accrued less paid",
                _amount(quarter["accrued_less_paid"]),
                _amount(year["accrued_less_paid"]),
            ),
            *[
                (label, _amount(in_quarter), _amount(in_year))
                for label, in_quarter, in_year in receivable_rows(quarter, year)
            ],
        ],
    )


def _use_of_payments(pdf: ReportPdf, quarter: dict[str, Any], year: dict[str, Any]) -> None:
    pdf.heading("How the payments to the Distributor were used (SIXTH)")
    year_by_provider = {row["provider"]: row for row in year["service_fees"]["by_provider"]}
    rows = [
        (
            f"Service fees: {row['provider']} ({row['agreement']})",
            _amount(row["amount"]),
            _amount(year_by_provider.get(row["provider"], {}).get("amount", "0.00")),
        )
        for row in quarter["service_fees"]["by_provider"]
    ]
    rows.append(
        (
            "Deemed asset-based sales charge",
            _amount(quarter["deemed_asset_based_sales_charge"]),
            _amount(year["deemed_asset_based_sales_charge"]),
        )
    )
    pdf.figures_table(
        "",
        rows,
        (
            "Paid to the Distributor",
            _amount(quarter["paid_to_distributor"]),
            _amount(year["paid_to_distributor"]),
        ),
    )


def _expended_by_purpose(pdf: ReportPdf, quarter: dict[str, Any], year: dict[str, Any]) -> None:
    pdf.heading("Expended by the Distributor, by purpose (FIFTH)")
    pdf.figures_table(
        "",
        [
            (q["label"], _amount(q["amount"]), _amount(y["amount"]))
            for q, y in zip(
                quarter["expenditures_by_purpose"], year["expenditures_by_purpose"], strict=True
            )
        ],
        (
            "Total expended",
            _amount(quarter["expenditures_total"]),
            _amount(year["expenditures_total"]),
        ),
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
            f"{report['period']['start']} to {report['period']['end']}; year to date from "
            f"{report['year_to_date_period']['start']}. {sentence(report['company'])} "
            f"Distributor: {sentence(report['distributor'])}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_text_color(0, 0, 0)


def _rates(pdf: ReportPdf, report: dict[str, Any]) -> None:
    quarter, year = report["quarter_figures"], report["year_to_date"]
    pdf.heading("Annual rates of average daily net assets")
    pdf.figures_table(
        "",
        [
            (
                "Paid to the Distributor",
                quarter["annualised"]["paid_to_distributor"],
                year["annualised"]["paid_to_distributor"],
            ),
            (
                "Service fees",
                quarter["annualised"]["service_fees"],
                year["annualised"]["service_fees"],
            ),
            (
                "Deemed asset-based sales charge",
                quarter["annualised"]["deemed_asset_based_sales_charge"],
                year["annualised"]["deemed_asset_based_sales_charge"],
            ),
            (
                "Average daily net assets (US dollars)",
                _amount(quarter["average_daily_net_assets"]),
                _amount(year["average_daily_net_assets"]),
            ),
        ],
    )
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0,
        5,
        latin1(
            f"FINRA caps (0.75% asset-based, 0.25% service): quarter "
            f"{quarter['annualised']['finra_caps']}; year to date "
            f"{year['annualised']['finra_caps']}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )


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
        col_widths=(LABEL_WIDTH_MM, AMOUNT_WIDTH_MM, AMOUNT_WIDTH_MM, AMOUNT_WIDTH_MM),
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
        for moved in restated["figures"]:
            table.row(
                [
                    latin1(moved["label"]),
                    *(grouped(moved[key]) for key in ("as_issued", "now", "difference")),
                ]
            )
