"""Reports as issued, and as now (docs/audit.md §7), on SQLite and PostgreSQL: `report issue`
keeps the bytes of every file issued under its SHA-256, names the digests in its event, and
gives them back exactly after a restatement; the report built now says what it restates;
`verify` checks the kept bytes and that every file named is kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pypdfium2
import pytest
from freezegun import freeze_time

from adapters.application.commands import IssueReport
from adapters.outputs.issued import (
    figure_label,
    issued_files,
    issued_report,
    issues_of,
    latest_issue,
    marked_if_restated,
    moved_figures,
    restatement,
)
from adapters.outputs.reports import FORMATS, quarterly_report, report_files, report_sha256
from adapters.outputs.verifier import issued as bundle_verifier
from adapters.store.chain import REPORT_FILES_TABLE
from adapters.store.verify import verify_store
from domain.fund_class import FundClass
from tests.integration.scenario import (
    BEFORE_RESTATEMENT,
    FUND_CLASS,
    ISSUED_AT,
    restate_week,
)
from tests.integration.tamper import RawDatabase

QUARTER = "2003Q3"
BEFORE_ISSUE = datetime(2003, 10, 2, tzinfo=UTC)


def kept_rows(raw: RawDatabase) -> int:
    return int(raw.execute(f"SELECT COUNT(*) FROM {REPORT_FILES_TABLE}")[0][0])


def issue_again(ledger, report, on=date(2003, 11, 10)):
    with freeze_time("2003-11-10 12:00:00"):
        return ledger.fund_governance.issue_report(
            IssueReport(
                fund_code="INTL-BCV",
                share_class="R",
                quarter=QUARTER,
                report_sha256=report_sha256(report),
                issued_on=on,
                issued_by="the Distributor",
                files=report_files(report),
            )
        )


def test_the_issue_keeps_each_format_and_names_its_digests(quarter, store):
    ledger, report = quarter
    [issue] = issues_of(ledger.view, FUND_CLASS)
    built = report_files(report)
    assert sorted(issue.files) == sorted(FORMATS)
    assert issue.files == {name: hashlib.sha256(data).hexdigest() for name, data in built.items()}
    assert issue.files["json"] == issue.report_sha256 == report_sha256(report)
    assert issued_files(ledger.view, issue) == built
    assert verify_store(store).report_files == 4


def test_issued_again_with_the_same_bytes_stores_nothing_new(quarter, store, database_url):
    ledger, report = quarter
    raw = RawDatabase(store, database_url)
    events = store.head_position()
    assert kept_rows(raw) == 4
    assert issue_again(ledger, report) == "unchanged"
    assert store.keep_files(_by_digest(report)) == 0
    assert kept_rows(raw) == 4 and store.head_position() == events


def _by_digest(report):
    return {hashlib.sha256(data).hexdigest(): data for data in report_files(report).values()}


def test_the_files_as_issued_come_back_exactly_after_a_restatement(quarter, tmp_path):
    ledger, report = quarter
    as_issued = report_files(report)
    restate_week(ledger, tmp_path)
    now = quarterly_report(ledger.view, FUND_CLASS, QUARTER)
    assert report_sha256(now) != report_sha256(report)
    issue = latest_issue(ledger.view, FUND_CLASS, QUARTER)
    assert issued_files(ledger.view, issue) == as_issued


def _moved(restated) -> dict[str, dict[str, str]]:
    return {row["figure"]: row for row in restated["figures"]}


def test_the_report_now_lists_the_figures_that_moved_since_the_issue(quarter, tmp_path):
    ledger, issued = quarter
    restate_week(ledger, tmp_path)
    now = quarterly_report(ledger.view, FUND_CLASS, QUARTER)
    restated = restatement(ledger.view, now)
    assert restated is not None
    assert restated["issued_on"] == "2003-10-15"
    assert restated["issued_sha256"] == report_sha256(issued)
    moved = _moved(restated)
    accrued = moved["quarter_figures.accrued.total"]
    assert accrued["as_issued"] == issued["quarter_figures"]["accrued"]["total"]
    assert accrued["now"] == now["quarter_figures"]["accrued"]["total"]
    assert Decimal(accrued["difference"]) == Decimal(accrued["now"]) - Decimal(accrued["as_issued"])
    assert Decimal(accrued["difference"]) < 0  # net assets restated 2% lower for a week
    # Paid in full as issued; the same payments now exceed what was accrued by the difference.
    less_paid = moved["quarter_figures.accrued_less_paid"]
    assert Decimal(less_paid["now"]) == Decimal(accrued["difference"])
    assert not any(figure.startswith("built_from") for figure in moved)


def test_a_report_equal_to_its_issue_or_known_before_it_is_not_marked(quarter, tmp_path):
    ledger, _ = quarter
    assert restatement(ledger.view, quarterly_report(ledger.view, FUND_CLASS, QUARTER)) is None
    restate_week(ledger, tmp_path)
    before_issue = ledger.view.as_known_at(ledger.store.position_known_at(BEFORE_ISSUE))
    then = quarterly_report(before_issue, FUND_CLASS, QUARTER)
    assert restatement(before_issue, then) is None  # no issue known yet
    known_then = ledger.view.as_known_at(ledger.store.position_known_at(BEFORE_RESTATEMENT))
    assert restatement(known_then, quarterly_report(known_then, FUND_CLASS, QUARTER)) is None


def test_a_restatement_issued_again_is_the_new_issue_compared_with(quarter, tmp_path, store):
    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    now = quarterly_report(ledger.view, FUND_CLASS, QUARTER)
    assert issue_again(ledger, now) == "recorded"
    assert [i.issued_on for i in issues_of(ledger.view, FUND_CLASS)] == [
        date(2003, 10, 15),
        date(2003, 11, 10),
    ]
    assert restatement(ledger.view, quarterly_report(ledger.view, FUND_CLASS, QUARTER)) is None
    result = verify_store(store)
    assert result.ok and result.report_files == 8


def test_every_format_says_what_was_restated(quarter, tmp_path):
    ledger, issued = quarter
    restate_week(ledger, tmp_path)
    now = quarterly_report(ledger.view, FUND_CLASS, QUARTER)
    marked = marked_if_restated(ledger.view, now)
    assert marked["issue"]["certification"] == (
        "Restated since the report issued on 2003-10-15; not issued again."
    )
    files = report_files(marked)
    accrued = _moved(marked["restated"])["quarter_figures.accrued.total"]
    assert json.loads(files["json"])["restated"] == marked["restated"]
    rows = list(csv.reader(io.StringIO(files["csv"].decode())))
    assert rows[1] == ["restated", "issued_on", "", "2003-10-15", ""]
    assert [
        "restated",
        "quarter_figures.accrued.total",
        "difference",
        accrued["difference"],
        "",
    ] in (rows)
    html = files["html"].decode()
    assert html.index("Restated since the report issued on 2003-10-15") < html.index(
        "Amounts under the Plan"
    )
    as_issued = f"{Decimal(accrued['as_issued']):,}"  # 12,860.79
    # Read once, naming the columns where it moved alike (the quarter first).
    assert re.search(
        rf"<tr><td>accrued: total \(2003Q3[^<]*\)</td><td class=amount>{re.escape(as_issued)}</td>",
        html,
    )
    document = pypdfium2.PdfDocument(files["pdf"])
    first_page = document[0].get_textpage().get_text_range()
    assert "Restated since the report issued on 2003-10-15" in first_page
    assert "accrued less paid" in first_page and as_issued in first_page
    assert accrued["difference"] in first_page
    # The report as issued says nothing of it.
    assert b"restated" not in report_files(issued)["csv"]


# ---- the store keeps them and verify checks them ---------------------------------------------


def test_kept_files_cannot_be_changed_or_removed(quarter, store, database_url):
    raw = RawDatabase(store, database_url)
    for statement in (
        f"UPDATE {REPORT_FILES_TABLE} SET content = content",
        f"DELETE FROM {REPORT_FILES_TABLE}",
    ):
        with pytest.raises(Exception, match="append-only"):
            raw.execute(statement)
    if not raw.is_postgres:
        with pytest.raises(Exception, match="append-only"):
            raw.execute(
                f"INSERT OR REPLACE INTO {REPORT_FILES_TABLE} "
                f"SELECT sha256, x'00' FROM {REPORT_FILES_TABLE} LIMIT 1"
            )
    assert kept_rows(raw) == 4


def test_verify_finds_a_changed_file_and_a_file_missing(quarter, store, database_url):
    ledger, _ = quarter
    raw = RawDatabase(store, database_url)
    raw.drop_guards()
    pdf_digest = latest_issue(ledger.view, FUND_CLASS, QUARTER).files["pdf"]
    csv_digest = latest_issue(ledger.view, FUND_CLASS, QUARTER).files["csv"]
    raw.execute(
        f"UPDATE {REPORT_FILES_TABLE} SET content = ? WHERE sha256 = ?", [b"forged", pdf_digest]
    )
    raw.execute(f"DELETE FROM {REPORT_FILES_TABLE} WHERE sha256 = ?", [csv_digest])
    result = verify_store(store)
    kinds = {(finding.kind, finding.detail.split(" ")[-1]) for finding in result.findings}
    found = {finding.kind: finding.detail for finding in result.findings}
    assert pdf_digest in found["report-file-mismatch"]
    assert csv_digest in found["report-file-missing"] and "csv file" in found["report-file-missing"]
    assert len(kinds) == 2
    with pytest.raises(LookupError, match="csv file"):
        issued_files(ledger.view, latest_issue(ledger.view, FUND_CLASS, QUARTER))


def test_an_issue_without_files_still_verifies_and_reads_as_it_was(frozen_ledger, store):
    """An issue naming no files (as every issue recorded before they were kept): nothing to
    check, and its report is the ledger's as known when it was recorded."""
    ledger = frozen_ledger
    with freeze_time(ISSUED_AT):
        report = quarterly_report(ledger.view, FUND_CLASS, QUARTER)
        ledger.fund_governance.issue_report(
            IssueReport("INTL-BCV", "R", QUARTER, report_sha256(report), date(2003, 10, 15), "D")
        )
    [issue] = issues_of(ledger.view, FUND_CLASS)
    assert issue.files == {}
    assert issued_report(ledger.view, issue) == report
    result = verify_store(store)
    assert result.ok and result.report_files == 0


def test_version_1_of_the_event_upcasts_to_no_files():
    state = {"quarter": QUARTER, "report_sha256": "a" * 64, "issued_by": "D"}
    FundClass.QuarterlyReportIssued.upcast_v1_v2(state)
    assert state["files"] == {}


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("quarter_figures.accrued_less_paid", "Quarter: accrued less paid"),
        ("year_to_date.accrued.total", "Year to date: accrued: total"),
        ("monthly[2003-09].accrued", "2003-09: accrued"),
        (
            "quarter_figures.service_fees.by_provider[DEALER-A].amount",
            "Quarter: service fees: by provider DEALER-A: amount",
        ),
    ],
)
def test_a_figure_that_moved_is_named_in_words(path, label):
    assert figure_label(path) == label


def test_only_figures_that_moved_are_listed_not_words_dates_or_how_it_was_built():
    issued = {
        "prepared_on": "2003-10-15",
        "distributor": "A I M Distributors, Inc.",
        "built_from": {"events": 10},
        "quarter_figures": {"accrued": {"total": "12860.79"}, "rate": "0.50%"},
    }
    now = {
        "prepared_on": "2003-11-10",
        "distributor": "A I M Distributors",
        "built_from": {"events": 12},
        "quarter_figures": {"accrued": {"total": "12840.97"}, "rate": "0.500772%"},
    }
    assert moved_figures(issued, now) == [
        {
            "figure": "quarter_figures.accrued.total",
            "as_issued": "12860.79",
            "now": "12840.97",
            "difference": "-19.82",
        },
        {
            "figure": "quarter_figures.rate",
            "as_issued": "0.50%",
            "now": "0.500772%",
            "difference": "",
        },
    ]
    # The bundle's verifier, which shares no code with the ledger, lists the same.
    assert bundle_verifier.moved(issued, now) == moved_figures(issued, now)
    assert moved_figures(issued, {**issued, "prepared_on": "2004-01-01"}) == []
