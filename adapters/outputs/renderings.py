"""Which rendering drew a report's PDF (docs/decisions.md P-reports-4).

Rendering 2 draws each line of text where fpdf2's layout would (report_pdf.py,
`DrawnReportPdf`), in a tenth of the time of rendering 1, fpdf2's own table and paragraph
layout, which drew every PDF before it and draws again a report issued with it
(`issued.issued_rendering`). A PDF names its rendering in its Creator, rendering 1's naming
none. Kept apart from the renderers: finding an issue's rendering loads no PDF library.
"""

from __future__ import annotations

import re

PDF_RENDERING = 2  # what new reports are drawn with
_RENDERING_CREATOR = re.compile(rb"/Creator \(planledger, report rendering ([0-9]+)\)")


def pdf_creator(rendering: int) -> str:
    return f"planledger, report rendering {rendering}"


def pdf_rendering(pdf: bytes) -> int:
    """The rendering that drew a report's PDF (its Creator; 1 when it names none)."""
    found = _RENDERING_CREATOR.search(pdf)
    return int(found[1]) if found else 1
