"""The quarterly report's PDF, word by word: no two runs of text overlap on any page, and every
figure is printed, wherever the page breaks fall.

The report is the demo's STABLE-VALUE/R 2003Q3 (tests/data/reports), whose long "Supplemental
payments ..." label once crossed a page break and left its amounts on the next table's row. The
title's note is lengthened a line at a time, so every row of every table meets the page break.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator

import pypdfium2 as pdfium
import pytest

from adapters.outputs.report_pdf import report_pdf
from adapters.outputs.report_tables import figure_tables
from tests.conftest import PROJECT_ROOT

REPORT = json.loads(
    (PROJECT_ROOT / "tests" / "data" / "reports" / "STABLE-VALUE-R-2003Q3.json").read_text()
)
FIGURE = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})*\.[0-9]{2,6}%?")
Box = tuple[float, float, float, float]


def text_runs(pdf: bytes) -> Iterator[tuple[int, Box, str]]:
    document = pdfium.PdfDocument(pdf)
    for number in range(len(document)):
        text = document[number].get_textpage()
        for index in range(text.count_rects()):
            box = text.get_rect(index)
            yield number + 1, box, text.get_text_bounded(*box)


def overlapping(runs: list[tuple[int, Box, str]]) -> list[tuple[int, str, str]]:
    found = []
    for (page_a, a, text_a), (page_b, b, text_b) in itertools.combinations(runs, 2):
        width = min(a[2], b[2]) - max(a[0], b[0])
        height = min(a[3], b[3]) - max(a[1], b[1])
        if page_a == page_b and width > 0.5 and height > 0.5:
            found.append((page_a, text_a, text_b))
    return found


def figures(runs: list[tuple[int, Box, str]]) -> Counter[str]:
    return Counter(figure for _, _, text in runs for figure in FIGURE.findall(text))


def shifted(lines: int) -> dict:
    """The report with `lines` more lines of title note, pushing every table down."""
    report = copy.deepcopy(REPORT)
    report["company"] = report["company"] + " " + " ".join(["(a longer name)"] * 9 * lines)
    return report


# A page holds some 54 lines of the title's note: so many shifts move the page break across
# every row of every table.
@pytest.mark.parametrize("lines", range(0, 56, 1))
def test_no_text_overlaps_and_every_figure_is_printed(lines):
    runs = list(text_runs(report_pdf(shifted(lines))))
    assert overlapping(runs) == []
    assert figures(runs) == figures(list(text_runs(report_pdf(REPORT))))
    # The total expended, in every table cell that holds it (totals, the reconciliation, the
    # performer who did it all), in every column with figures.
    cells = [v for t in figure_tables(REPORT) for row in t.rows for v in row.values]
    assert figures(runs)["1,431.48"] == cells.count("1431.48") >= 8
