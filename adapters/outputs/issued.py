"""Reports as issued, and as now (docs/audit.md §7).

`report issue` keeps the bytes of every file issued (JSON, CSV, HTML, PDF) in the store,
under their SHA-256, and the QuarterlyReportIssued event names the digests. From them:

* `issued_files` gives a quarter's report back exactly as issued, whatever was corrected since;
* `restatement` tells whether the report built now differs in its figures from the latest
  issue the ledger knows of, and lists the figures that moved (figure, as issued, now,
  difference): `report quarterly` marks the report with it, the bundle lists it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.outputs.impact import figure_changes
from adapters.outputs.renderings import PDF_RENDERING, pdf_rendering
from adapters.outputs.reports import FORMATS, quarterly_report, report_sha256
from adapters.readside.view import LedgerView
from domain.fund_class import FundClass
from domain.ids import fund_class_id

PAGE = 1_000


@dataclass(frozen=True)
class IssuedReport:
    """One issue of a quarter's report: when, its JSON form's hash, and each file's hash."""

    fund_class: str
    quarter: str
    issued_on: date
    report_sha256: str
    files: dict[str, str]  # format → SHA-256 of the bytes kept; empty if issued before
    position: int


def _issue_rows(view: LedgerView) -> Iterator[Any]:
    """Every QuarterlyReportIssued event the view knows, as stored, in log order."""
    recorder: Any = view.store.recorder
    stop = view.store.head_position() if view.known_position is None else view.known_position
    after: int | None = 0
    while True:
        page = recorder.stored_rows(after, PAGE, stop, FundClass.QuarterlyReportIssued.TOPIC)
        if not page:
            return
        yield from page
        after = page[-1].position


def issues_by_class(view: LedgerView) -> dict[str, list[IssuedReport]]:
    """Every issue of each class's reports the view knows, in the order they were recorded
    (one pass over the issues, however many classes)."""
    recorder: Any = view.store.recorder
    keys = {
        str(recorder.stored_id(fund_class_id(*key.split("/", 1)))): key
        for key in view.fund_class_keys()
    }
    found: dict[str, list[IssuedReport]] = {}
    for row in _issue_rows(view):
        key = keys.get(str(row.originator_id))
        if key is None:
            continue
        state = json.loads(bytes(row.state))
        found.setdefault(key, []).append(
            IssuedReport(
                fund_class=key,
                quarter=state["quarter"],
                issued_on=date.fromisoformat(state["business_date"]),
                report_sha256=state["report_sha256"],
                files=dict(state.get("files", {})),  # version 1 named none
                position=int(row.position),
            )
        )
    return found


def issues_of(view: LedgerView, key: str) -> list[IssuedReport]:
    """Every issue of the class's reports the view knows, in the order they were recorded."""
    return issues_by_class(view).get(key, [])


def latest_issue(view: LedgerView, key: str, quarter: str) -> IssuedReport | None:
    issues = [issue for issue in issues_of(view, key) if issue.quarter == quarter]
    return issues[-1] if issues else None


def issued_files(view: LedgerView, issue: IssuedReport) -> dict[str, bytes]:
    """The kept bytes of each file of the issue, by format (in FORMATS order).

    Raises:
        LookupError: a file the event names is not kept (`planledger verify` reports it too).
    """
    files = {}
    for name in sorted(issue.files, key=lambda n: FORMATS.index(n) if n in FORMATS else 99):
        data = view.store.kept_file(issue.files[name])
        if data is None:
            raise LookupError(
                f"{issue.fund_class} {issue.quarter} issued on {issue.issued_on}: its {name} "
                f"file (SHA-256 {issue.files[name]}) is not kept in the store"
            )
        files[name] = data
    return files


def issued_report(view: LedgerView, issue: IssuedReport) -> dict[str, Any]:
    """The report as issued: its kept JSON, or (issued before files were kept) the report as
    the ledger knew it when the issue was recorded."""
    if "json" in issue.files:
        return dict(json.loads(issued_files(view, issue)["json"]))
    return quarterly_report(view.as_known_at(issue.position), issue.fund_class, issue.quarter)


def issued_rendering(
    view: LedgerView, report: dict[str, Any], aggregate: FundClass | None = None
) -> int:
    """The rendering of `report`'s PDF: when `report` is its quarter's latest issue (the same
    SHA-256), the one that drew the PDF issued (rendering 1 for an issue before the files were
    kept), so that its files are again the issued ones, byte for byte; PDF_RENDERING for any
    other report (docs/decisions.md P-reports-4). `aggregate`: the report's class as `view`
    knows it, when the caller has it.

    Raises:
        LookupError: the issue's PDF is not kept (`planledger verify` reports it too).
    """
    key, quarter = report["fund_class"], report["quarter"]
    if aggregate is None:
        aggregate = view.fund_class_by_key(key)
    recorded = aggregate.latest_report(quarter)  # the class's own record first: most have none
    if recorded is None or recorded.report_sha256 != report_sha256(report):
        return PDF_RENDERING
    issue = latest_issue(view, key, quarter)
    if issue is None or "pdf" not in issue.files:
        return 1  # issued before the files were kept, when rendering 1 drew every PDF
    kept = issued_files(view, replace(issue, files={"pdf": issue.files["pdf"]}))
    return pdf_rendering(kept["pdf"])


def is_figure(text: str) -> bool:
    """An amount, a count or a rate ("12860.79", "0.50%"); not a word, a date or a hash."""
    try:
        Decimal(text.removesuffix("%"))
    except ArithmeticError:
        return False
    return True


def moved_figures(issued: dict[str, Any], now: dict[str, Any]) -> list[dict[str, str]]:
    """Each figure of the report that differs (impact.py's comparison, the build's provenance
    aside; a text that differs, such as a name or a date, is not a figure that moved): its
    place in the JSON form, as issued, now, and the difference ("" for a rate)."""
    return [
        {
            "figure": change.path,
            "as_issued": change.before,
            "now": change.after,
            "difference": "" if change.delta is None else str(change.delta),
        }
        for change in figure_changes(issued, now)
        if is_figure(change.before) or is_figure(change.after)
    ]


SECTION_LABELS = {"quarter_figures": "Quarter", "year_to_date": "Year to date"}


def figure_label(path: str) -> str:
    """A figure's place in words, for the board: `quarter_figures.accrued_less_paid` is
    "Quarter: accrued less paid", `monthly[2003-09].accrued` "2003-09: accrued"."""
    first, _, rest = path.partition(".")
    if first.startswith("monthly[") and first.endswith("]"):
        head = first[len("monthly[") : -1]
    else:
        head = SECTION_LABELS.get(first, first.replace("_", " "))
    words = [part.replace("_", " ").replace("[", " ").rstrip("]") for part in rest.split(".")]
    return ": ".join([head, *[word for word in words if word]])


def restatement(
    view: LedgerView, report: dict[str, Any], aggregate: FundClass | None = None
) -> dict[str, Any] | None:
    """What `report` (built from `view`) restates of the latest issue `view` knows of its
    quarter: None if there is none, or its figures are the same. `aggregate`: the report's
    class as `view` knows it, when the caller has it (loading it replays its stream)."""
    key, quarter = report["fund_class"], report["quarter"]
    # The class's own record of its issues first: the log is searched only for a report that
    # differs from its latest issue.
    if aggregate is None:
        aggregate = view.fund_class_by_key(key)
    recorded = aggregate.latest_report(quarter)
    if recorded is None or recorded.report_sha256 == report_sha256(report):
        return None
    issue = latest_issue(view, key, quarter)
    if issue is None:  # pragma: no cover - the class's record is its events'
        return None
    figures = moved_figures(issued_report(view, issue), report)
    if not figures:
        return None  # only how it was built differs (the events' hash, the software)
    return {
        "issued_on": issue.issued_on.isoformat(),
        "issued_sha256": issue.report_sha256,
        "figures": [{**row, "label": figure_label(row["figure"])} for row in figures],
    }


def marked_if_restated(
    view: LedgerView, report: dict[str, Any], aggregate: FundClass | None = None
) -> dict[str, Any]:
    """`report` marked with what it restates of its quarter's latest issue (docs/audit.md §7),
    its issue line saying so, since a restated report is not the one the board received; the
    report as it is when nothing moved."""
    restated = restatement(view, report, aggregate)
    if restated is None:
        return report
    issue_line = {
        **report["issue"],
        "certification": f"Restated since the report issued on {restated['issued_on']}; "
        "not issued again.",
    }
    return {**report, "issue": issue_line, "restated": restated}
