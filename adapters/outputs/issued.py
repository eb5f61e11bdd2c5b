"""Reports as issued, and as now (docs/audit.md §5).

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
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.outputs.impact import figure_changes
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


def issues_of(view: LedgerView, key: str) -> list[IssuedReport]:
    """Every issue of the class's reports the view knows, in the order they were recorded."""
    recorder: Any = view.store.recorder
    stream = str(recorder.stored_id(fund_class_id(*key.split("/", 1))))
    found = []
    for row in _issue_rows(view):
        if str(row.originator_id) != stream:
            continue
        state = json.loads(bytes(row.state))
        found.append(
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


def _difference(before: str, after: str) -> str:
    try:
        return str(Decimal(after) - Decimal(before))
    except ArithmeticError:  # not a number: a text that changed
        return ""


def restatement(view: LedgerView, report: dict[str, Any]) -> dict[str, Any] | None:
    """What `report` (built from `view`) restates of the latest issue `view` knows of its
    quarter: None if there is none, or its figures are the same."""
    issue = latest_issue(view, report["fund_class"], report["quarter"])
    if issue is None or issue.report_sha256 == report_sha256(report):
        return None
    changes = figure_changes(issued_report(view, issue), report)
    if not changes:
        return None  # only how it was built differs (the events' hash, the software)
    return {
        "issued_on": issue.issued_on.isoformat(),
        "issued_sha256": issue.report_sha256,
        "figures": [
            {
                "figure": change.path,
                "as_issued": change.before,
                "now": change.after,
                "difference": _difference(change.before, change.after),
            }
            for change in changes
        ],
    }
