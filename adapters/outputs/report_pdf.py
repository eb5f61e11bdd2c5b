"""The quarterly report as a PDF for the board: the HTML page's tables and charts, on Letter.

Drawn with fpdf2 (pure Python, installed by pip) in its built-in Helvetica, so no system font
is needed; text is kept to Latin-1, which that font covers. The charts are the same data as
the HTML ones (adapters/outputs/report_charts.py), drawn with lines and rectangles.

Two renderings (adapters/outputs/renderings.py): 1, `ReportPdf`, lays the text out with
fpdf2's `table()` and `multi_cell`, and draws again the reports issued with it; 2,
`DrawnReportPdf` (below), draws the same pages a line at a time, for every other report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fpdf import FPDF
from fpdf.fonts import CORE_FONTS_CHARWIDTHS, FontFace

from adapters.outputs.renderings import PDF_RENDERING, pdf_creator
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

    # The blocks of text: rendering 1's by fpdf2's line breaker (`DrawnReportPdf`, below,
    # draws them a line at a time).
    def title_block(self, report: dict[str, Any]) -> None:
        _title(self, report)

    def issue_block(self, report: dict[str, Any]) -> None:
        _issue_block(self, report)

    def restated_block(self, report: dict[str, Any]) -> None:
        _restated(self, report)

    def provenance_block(self, report: dict[str, Any]) -> None:
        _provenance(self, report)

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


def title_texts(report: dict[str, Any]) -> tuple[str, str]:
    """The title, and the note under it: the quarter, the columns' days, who made it."""
    share_class = report["fund_class"].split("/")[1]
    note = (
        f"{report['title']} ({report['clause']}). Quarter {report['quarter']}: "
        f"{report['period']['start']} to {report['period']['end']}. Beside it: the prior "
        f"quarter, and the calendar year, the plan year and the fund's fiscal year (ending "
        f"{report['fiscal_year_end']}) to date: "
        + "; ".join(f"{c['heading']}: {_days(c)}" for c in report["columns"][1:])
        + f". {sentence(report['company'])} "
        f"Distributor: {sentence(report['distributor'])}"
    )
    return f"{report['fund']} - Class {share_class}", note


def issue_texts(report: dict[str, Any]) -> tuple[str, str, str]:
    """The issue block's status (in bold), its certification and the board's review line."""
    issue, review = report["issue"], report["board_review"]
    status = "DRAFT" if issue["status"] == "draft" else "Certification"
    return f"{status}.", issue["certification"], review["line"]


def provenance_text(report: dict[str, Any]) -> str:
    plan, built = report["plan"], report["built_from"]
    return (
        f"Plan: {plan['title']}, a {plan['type']} plan; document SHA-256 "
        f"{plan['document_sha256']}. Schedule B: "
        f"asset-based sales charge {plan['schedule_b']['asset_based_sales_charge']}, maximum "
        f"service fee {plan['schedule_b']['maximum_service_fee']}, maximum total "
        f"{plan['schedule_b']['maximum_total']}. Built from {built['events']} events, SHA-256 "
        f"{built['events_sha256']}; planledger {built['software_version']}; rounding policy "
        f"{built['rounding_policy']}."
    )


def report_pdf(report: dict[str, Any], rendering: int = PDF_RENDERING) -> bytes:
    """The report's PDF in `rendering` (reports.PDF_RENDERING: new reports; 1: fpdf2's
    table layout, the reports issued before rendering 2, docs/decisions.md P-reports-4)."""
    if rendering == PDF_RENDERING:
        pdf: ReportPdf = DrawnReportPdf(report)
    elif rendering == 1:
        pdf = ReportPdf(report)
    else:
        raise ValueError(f"no PDF rendering {rendering}")
    pdf.add_page()
    pdf.title_block(report)
    pdf.issue_block(report)
    pdf.restated_block(report)
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
    pdf.provenance_block(report)
    return bytes(pdf.output())


def _issue_block(pdf: ReportPdf, report: dict[str, Any]) -> None:
    """The issue and certification, and the line for the board's review, in a box."""
    status, certification, review = issue_texts(report)
    pdf.ln(2)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_font("Helvetica", size=8.5)
    pdf.multi_cell(
        0,
        4.5,
        latin1(f"**{status}** {certification}\n{review}"),
        border=1,
        padding=2,
        markdown=True,
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )


def _title(pdf: ReportPdf, report: dict[str, Any]) -> None:
    title, note = title_texts(report)
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        7,
        latin1(title),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(60, 60, 60)
    pdf.multi_cell(
        0,
        4.5,
        latin1(note),
        new_x="LMARGIN",
        new_y="NEXT",
        align="L",
    )
    pdf.set_text_color(0, 0, 0)


def _provenance(pdf: ReportPdf, report: dict[str, Any]) -> None:
    pdf.ln(4)
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(
        0,
        3.5,
        latin1(provenance_text(report)),
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


# ---- rendering 2 ---------------------------------------------------------------------------
#
# Rendering 2: rendering 1's sections, tables and charts (above), each text wrapped once here
# and drawn a line at a time.
#
# Rendering 1 laid out every table cell and paragraph with fpdf2's line breaker (`table()`,
# `multi_cell`), which sums the characters' widths again for each character added to a line: a
# quarter to half a second a report, ten to twenty times the report's own building. Here a
# text is wrapped by words from the core font's widths of each word, and each line placed with
# `text()` at the position fpdf2's cell would give it (a `cell` costs half a millisecond, a
# `text` a fortieth of that): a tenth of the time. The pages look as before; the bytes differ,
# so the PDF names its rendering in its Creator (`renderings.pdf_rendering`), and a report
# already issued is rendered as it was (`issued.issued_rendering`, docs/decisions.md
# P-reports-4).

ROW_LINE_MM = LINE_MM * 0.75  # a table's line, as rendering 1's
PADDING_V_MM, PADDING_H_MM = 0.9, 0.5  # a table cell's, as rendering 1's
BOX_PADDING_MM = 2  # the issue block's
KEEP_WITH_HEADING_MM = 20  # a heading's table's headings and first row: never a heading alone
BOLD = "B"

Word = tuple[str, str]  # (text, style): "" or "B"
Line = list[Word]


class DrawnReportPdf(ReportPdf):
    """Rendering 2 (this module's note): the page furniture and the charts are rendering 1's,
    the text is drawn line by line."""

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report)
        self.set_creator(pdf_creator(PDF_RENDERING))

    # ---- measuring and drawing lines -------------------------------------------------------

    def word_width(self, text: str, style: str, size: float) -> float:
        """`text`'s width in mm in Helvetica of `style` at `size` points (what
        `get_string_width` gives, summed from the font's character widths)."""
        widths = CORE_FONTS_CHARWIDTHS[f"helvetica{style}"]
        return float(sum(widths[c] for c in text)) * size / 1000 / self.k

    def lines_of(self, words: Sequence[Word], width: float, size: float) -> list[Line]:
        """`words` broken into lines no wider than `width` (a word wider than a line broken
        by characters); a word "\\n" ends a line."""
        space = self.word_width(" ", "", size)
        lines: list[Line] = []
        line: Line = []
        used = 0.0
        for text, style in words:
            if text == "\n":
                lines.append(line)
                line, used = [], 0.0
                continue
            wide = self.word_width(text, style, size)
            if line and used + space + wide <= width + 1e-9:
                line.append((text, style))
                used += space + wide
                continue
            if line:
                lines.append(line)
            rest = text
            while wide > width and len(rest) > 1:
                head = self._fitting(rest, style, size, width)
                lines.append([(head, style)])
                rest = rest[len(head) :]
                wide = self.word_width(rest, style, size)
            line, used = [(rest, style)], wide
        lines.append(line)
        return lines

    def _fitting(self, text: str, style: str, size: float, width: float) -> str:
        """The longest start of `text` (one character at least) within `width`."""
        end = 1
        while end < len(text) and self.word_width(text[: end + 1], style, size) <= width:
            end += 1
        return text[:end]

    def draw_line(self, line: Line, x: float, top: float, height: float, size: float) -> None:
        """One line at `x`, as a cell of `height` from `top` places it: runs of a style
        together."""
        baseline = top + 0.5 * height + 0.3 * size / self.k
        space = self.word_width(" ", "", size)
        runs: list[Line] = []
        for word in line:
            if runs and runs[-1][-1][1] == word[1]:
                runs[-1].append(word)
            else:
                runs.append([word])
        for run in runs:
            style = run[0][1]
            text = " ".join(t for t, _ in run)
            if (self.font_style, self.font_size_pt) != (style, size):
                self.set_font("Helvetica", style, size)
            self.text(x, baseline, text)
            x += self.word_width(text, style, size) + space

    def words_width(self, line: Line, size: float) -> float:
        space = self.word_width(" ", "", size)
        return sum(self.word_width(t, s, size) for t, s in line) + space * max(len(line) - 1, 0)

    # ---- blocks ------------------------------------------------------------------------------

    def paragraph(self, text: str, size: float = 8.5, bold: bool = False) -> None:
        self.set_font("Helvetica", BOLD if bold else "", size)
        self.flowing(words_of(latin1(text), BOLD if bold else ""), size, size * 0.5)

    def flowing(self, words: Sequence[Word], size: float, height: float) -> None:
        """Lines across the page as `multi_cell(0, height)` puts them, the page turned where
        the next line does not fit."""
        left = self.l_margin + self.c_margin
        for line in self.lines_of(words, self.epw - 2 * self.c_margin, size):
            if self.y + height > self.page_break_trigger:
                self.add_page()
            self.draw_line(line, left, self.y, height, size)
            self.y += height
        self.x = self.l_margin

    def heading(self, text: str) -> None:
        self.ln(3)
        if self.y + 9 + KEEP_WITH_HEADING_MM > self.page_break_trigger:
            self.add_page()
        self.set_text_color(0, 0, 0)
        self.set_font("Helvetica", BOLD, 12)
        self.draw_line([(latin1(text), BOLD)], self.l_margin + self.c_margin, self.y, 8, 12)
        self.y += 8
        self.set_draw_color(150, 150, 150)
        self.line(MARGIN_MM, self.y, PAGE_WIDTH_MM - MARGIN_MM, self.y)
        self.ln(1)

    def figures_table(self, report: dict[str, Any], table: Table) -> None:
        """A column per period; a row that does not fit the page moves whole to the next,
        under the headings again."""
        columns = report["columns"]
        amount = (self.epw - LABEL_WIDTH_MM) / len(columns)
        self.set_font("Helvetica", "", 8)
        self.set_fill_color(255, 255, 255)  # a chart's last colour would otherwise colour text
        rows = [
            ([latin1(row.label), *(latin1(shown(row, v)) for v in row.values)], row.total)
            for row in table.rows
        ]
        headings = ["", *(latin1(c["heading"]) for c in columns)]
        widths = (LABEL_WIDTH_MM, *(amount for _ in columns))
        self.grid(widths, headings, rows, size=8, headings_size=7.5)

    def grid(
        self,
        widths: Sequence[float],
        headings: list[str],
        rows: Sequence[tuple[list[str], bool]],
        *,
        size: float,
        headings_size: float,
    ) -> None:
        """A table without borders: its first column left, the others right, each cell's text
        wrapped within it, the headings (bold) again at the top of each page it reaches."""
        head = self._cells(widths, headings, BOLD, headings_size)
        body = [self._cells(widths, texts, BOLD if total else "", size) for texts, total in rows]
        for index, cells in enumerate(body):
            need = _height(cells) + (_height(head) if index == 0 else 0)
            if index == 0 or self.y + need > self.page_break_trigger:
                if self.y + need > self.page_break_trigger:
                    self.add_page()
                self._row(widths, head, headings_size)
            self._row(widths, cells, size)
        self.x = self.l_margin

    def _cells(
        self, widths: Sequence[float], texts: list[str], style: str, size: float
    ) -> list[list[Line]]:
        return [
            self.lines_of(words_of(text, style), width - 2 * PADDING_H_MM, size)
            for text, width in zip(texts, widths, strict=True)
        ]

    def _row(self, widths: Sequence[float], cells: list[list[Line]], size: float) -> None:
        x, top = self.l_margin, self.y
        for column, (lines, width) in enumerate(zip(cells, widths, strict=True)):
            for number, line in enumerate(lines):
                if not line:
                    continue
                left = x + PADDING_H_MM
                if column > 0:  # amounts to the right
                    left = x + width - PADDING_H_MM - self.words_width(line, size)
                line_top = top + PADDING_V_MM + number * ROW_LINE_MM
                self.draw_line(line, left, line_top, ROW_LINE_MM, size)
            x += width
        self.y = top + _height(cells)

    def title_block(self, report: dict[str, Any]) -> None:
        title, note = title_texts(report)
        self.set_font("Helvetica", BOLD, 15)
        self.flowing(words_of(latin1(title), BOLD), 15, 7)
        self.set_font("Helvetica", "", 9)
        self.set_text_color(60, 60, 60)
        self.flowing(words_of(latin1(note), ""), 9, 4.5)
        self.set_text_color(0, 0, 0)

    def issue_block(self, report: dict[str, Any]) -> None:
        """The issue and certification, and the line for the board's review, in a box."""
        status, certification, review = issue_texts(report)
        self.ln(2)
        self.set_draw_color(120, 120, 120)
        self.set_font("Helvetica", "", 8.5)
        words = [
            *words_of(latin1(status), BOLD),
            *words_of(latin1(certification), ""),
            ("\n", ""),
            *words_of(latin1(review), ""),
        ]
        lines = self.lines_of(words, self.epw - 2 * BOX_PADDING_MM, 8.5)
        height = len(lines) * 4.5 + 2 * BOX_PADDING_MM
        if self.y + height > self.page_break_trigger:
            self.add_page()
        self.rect(self.l_margin, self.y, self.epw, height)
        for number, line in enumerate(lines):
            top = self.y + BOX_PADDING_MM + number * 4.5
            self.draw_line(line, self.l_margin + BOX_PADDING_MM, top, 4.5, 8.5)
        self.y += height
        self.x = self.l_margin

    def provenance_block(self, report: dict[str, Any]) -> None:
        self.ln(4)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(80, 80, 80)
        self.flowing(words_of(latin1(provenance_text(report)), ""), 7, 3.5)

    def restated_block(self, report: dict[str, Any]) -> None:
        """A report restated since its issue: said first, with the figures that moved."""
        restated = report.get("restated")
        if not restated:
            return
        self.heading(f"Restated since the report issued on {restated['issued_on']}")
        self.set_font("Helvetica", "", 9)
        self.set_fill_color(255, 255, 255)
        rest = (self.epw - LABEL_WIDTH_MM) / 3
        rows = [
            ([latin1(row.label), *map(grouped, (row.as_issued, row.now, row.difference))], False)
            for row in restated_rows(report)
        ]
        headings = ["Figure", "As issued", "Now", "Difference"]
        self.grid((LABEL_WIDTH_MM, rest, rest, rest), headings, rows, size=9, headings_size=9)


def words_of(text: str, style: str) -> list[Word]:
    """The words of `text` in `style`, a line's end a word "\\n"."""
    words: list[Word] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            words.append(("\n", ""))
        words += [(word, style) for word in line.split(" ") if word]
    return words


def _height(cells: list[list[Line]]) -> float:
    return max(len(lines) for lines in cells) * ROW_LINE_MM + 2 * PADDING_V_MM
