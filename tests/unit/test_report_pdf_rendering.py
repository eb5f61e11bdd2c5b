"""The report's PDF renderings (docs/decisions.md P-reports-4): rendering 1, fpdf2's table
layout, still draws the bytes it drew (the PDFs issued with it are drawn so again); rendering 2
draws the same words on the same pages, names itself, and keeps every line within its cell."""

from __future__ import annotations

import copy
import hashlib
from collections import Counter

import pytest

from adapters.outputs.renderings import PDF_RENDERING, pdf_rendering
from adapters.outputs.report_pdf import MARGIN_MM, PAGE_WIDTH_MM, report_pdf
from tests.unit.test_report_pdf_layout import REPORT, overlapping, text_runs

# The report's PDF as rendering 1 drew it when rendering 2 came (fpdf2 2.8.9).
RENDERING_1_SHA256 = "1ab19feddd09f9efcd12ce523be1fbe0a201aa9111934555d75ae77b5b7d12b8"
POINTS_PER_MM = 72 / 25.4


def words_by_page(pdf: bytes) -> list[Counter[str]]:
    pages: dict[int, Counter[str]] = {}
    for page, _, text in text_runs(pdf):
        pages.setdefault(page, Counter()).update(text.split())
    return [pages[number] for number in sorted(pages)]


def test_rendering_1_draws_the_bytes_it_drew():
    assert hashlib.sha256(report_pdf(REPORT, 1)).hexdigest() == RENDERING_1_SHA256


def test_each_rendering_is_named_by_its_pdf():
    assert PDF_RENDERING == 2
    assert pdf_rendering(report_pdf(REPORT)) == 2
    assert pdf_rendering(report_pdf(REPORT, 1)) == 1
    with pytest.raises(ValueError, match="no PDF rendering 3"):
        report_pdf(REPORT, 3)


def test_rendering_2_prints_rendering_1s_words_on_the_same_pages():
    assert words_by_page(report_pdf(REPORT)) == words_by_page(report_pdf(REPORT, 1))


def test_a_restated_report_prints_its_table_of_moved_figures_alike():
    report = copy.deepcopy(REPORT)
    report["restated"] = {
        "issued_on": "2003-10-20",
        "issued_sha256": "0" * 64,
        "figures": [
            {
                "figure": "quarter_figures.accrued.total",
                "label": "Quarter: accrued: total, a label long enough to be wrapped in its cell",
                "as_issued": "31563.26",
                "now": "31600.00",
                "difference": "36.74",
            },
            {
                "figure": "quarter_figures.service_fees.by_provider[a dealer whose name is "
                "long enough to be wrapped over lines in the figure's cell].amount",
                "as_issued": "4733.80",
                "now": "4700.00",
                "difference": "-33.80",
            },
        ],
    }
    new, old = report_pdf(report), report_pdf(report, 1)
    assert words_by_page(new) == words_by_page(old)
    assert overlapping(list(text_runs(new))) == []


def test_a_word_wider_than_its_cell_is_broken_within_it():
    report = copy.deepcopy(REPORT)
    report["company"] = "Z" * 400  # wider than the page
    report["fund"] = "F" * 120
    runs = list(text_runs(report_pdf(report)))
    right = (PAGE_WIDTH_MM - MARGIN_MM) * POINTS_PER_MM
    left = MARGIN_MM * POINTS_PER_MM
    assert all(left - 0.5 <= box[0] and box[2] <= right + 0.5 for _, box, _ in runs)
    assert overlapping(runs) == []
    before = sum(text.count("Z") for _, _, text in text_runs(report_pdf(REPORT)))
    assert sum(text.count("Z") for _, _, text in runs) == 400 + before
