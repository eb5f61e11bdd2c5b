"""The files of many quarterly reports, the formats rendered on every core.

The HTML and the PDF take about as long as the report's own reading and building (the PDF
took ten times that before rendering 2: fpdf2's line breaking, docs/decisions.md P-reports-4).
Each file's bytes depend on its report (and the PDF's rendering) alone, so other processes can
render them while this one builds the next reports; the files are written here, in the order
of the reports and formats, as one process would write them. A rendering's error is raised
here, at its report.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from adapters.outputs.reports import file_stem, report_files, write_files

# JSON and CSV take a millisecond or two: a process's start and each report's transfer would
# cost more than they save.
QUICK_FORMATS = frozenset({"json", "csv"})
# Reports handed to the renderers ahead of the one being written: enough to keep them busy,
# few enough that the reports waiting take little memory.
AHEAD_PER_PROCESS = 4


def rendering_processes(reports: int, formats: tuple[str, ...]) -> int:
    """How many processes render: none (this one renders) for a single report, for the quick
    formats alone, or on one core."""
    cores = os.cpu_count() or 1
    if reports < 2 or cores < 2 or set(formats) <= QUICK_FORMATS:
        return 0
    return cores


def write_reports(
    reports: Iterable[tuple[dict[str, Any], int]],
    folder: Path,
    formats: tuple[str, ...],
    processes: int,
) -> Iterator[Path]:
    """Each report's files in `folder` (as `write_report` writes them), its PDF in the
    rendering given with it, yielded as written; `processes` render them (0: this process
    does)."""
    if processes == 0:
        for report, pdf in reports:
            yield from write_files(file_stem(report), report_files(report, formats, pdf), folder)
        return
    # fork: the renderers start at once, with what this process has imported; they touch no
    # database (rendering is pure).
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    pending: deque[tuple[str, Future[dict[str, bytes]]]] = deque()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        try:
            for report, pdf in reports:
                rendered = pool.submit(report_files, report, formats, pdf)
                pending.append((file_stem(report), rendered))
                while len(pending) > processes * AHEAD_PER_PROCESS:
                    yield from _write_next(pending, folder)
            while pending:
                yield from _write_next(pending, folder)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _write_next(pending: deque[tuple[str, Future[dict[str, bytes]]]], folder: Path) -> list[Path]:
    stem, rendered = pending.popleft()
    return write_files(stem, rendered.result(), folder)
