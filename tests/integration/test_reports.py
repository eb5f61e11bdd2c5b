"""The quarterly report: the same events give the same bytes, on SQLite and PostgreSQL alike;
the PDF renders and reads as a board member would read it; `report issue` records its hash.

Recorded times are frozen so that the two databases hold identical events (the report states
the hash of the events it was built from, recorded times included).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pypdfium2
import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    ImportExpenditures,
    IssueReport,
    LoadPlan,
    ReviewReport,
)
from adapters.application.compose import compose
from adapters.inputs.csv_files import ExpenditureRow, read_csv
from adapters.inputs.plan_file import read_plan
from adapters.outputs.report_pdf import report_pdf
from adapters.outputs.reports import (
    quarterly_report,
    report_csv,
    report_html,
    report_json,
    report_sha256,
)
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from projections.quarterly_report import IssueFacts
from tests.builders import approve_plan, expenditures_csv
from tests.conftest import SHIPPED_PLAN, drop_schema, fresh_postgres_url
from tests.integration.test_read_models import q3_history

EXPENDITURES = [
    (
        "INTL-BCV",
        "R",
        "2003-09-30",
        "2003Q3",
        "advertising",
        "third_party",
        "Front Range Media",
        "1800.37",
        "Print campaign",
        "EXP-1",
    ),
    (
        "INTL-BCV",
        "R",
        "2003-09-30",
        "2003Q3",
        "sales_seminars",
        "distributor",
        "ADI",
        "950.00",
        "Seminar",
        "EXP-2",
    ),
]


def build_reports(database_url: str, tmp_path) -> dict[str, bytes]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with freeze_time("2026-01-15 10:00:00", tick=False):
        ledger = compose(database_url, "report-test", create=True)
        ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
        approve_plan(ledger)
        q3_history(ledger, ledger.read_models, tmp_path, catch_up_each_step=False)
        ledger.figures.import_expenditures(
            ImportExpenditures(
                read_csv(expenditures_csv(tmp_path / "e.csv", EXPENDITURES), ExpenditureRow)
            )
        )
        ledger.read_models.catch_up()
        issue_and_review(ledger)
        report = quarterly_report(ledger.view, "INTL-BCV/R", "2003Q3")
        files = {
            "json": report_json(report),
            "csv": report_csv(report),
            "html": report_html(report),
            "pdf": report_pdf(report),
        }
        ledger.close()
    return files


ISSUE = IssueFacts(date(2003, 10, 20), "J. Smith, Treasurer of the Distributor")


def issue_and_review(ledger) -> str:
    """Issue the 2003Q3 report as `report issue` does (its date and preparer in it) and have
    the board review it; the SHA-256 recorded."""
    issued = quarterly_report(ledger.view, "INTL-BCV/R", "2003Q3", issue=ISSUE)
    digest = report_sha256(issued)
    ledger.fund_governance.issue_report(
        IssueReport("INTL-BCV", "R", "2003Q3", digest, ISSUE.issued_on, ISSUE.issued_by)
    )
    ledger.fund_governance.review_report(
        ReviewReport("INTL-BCV", "R", "2003Q3", "BOARD-2003-11-12", date(2003, 11, 12))
    )
    ledger.read_models.catch_up()
    return digest


@pytest.fixture
def sqlite_reports(tmp_path):
    return build_reports(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)


def test_the_report_carries_the_figures_and_what_it_was_built_from(sqlite_reports):
    report = json.loads(sqlite_reports["json"])
    quarter = report["quarter_figures"]
    assert quarter["paid_to_distributor"] == "12928.49"
    assert quarter["service_fees"]["total"] == "3538.69"
    assert quarter["deemed_asset_based_sales_charge"] == "9389.80"
    assert [row["amount"] for row in quarter["service_fees"]["by_provider"]] == [
        "2583.56",
        "955.13",
    ]
    assert quarter["service_fees"]["by_provider"][0]["agreement"].startswith("Service Agreement")
    purposes = {row["purpose"]: row["amount"] for row in quarter["expenditures_by_purpose"]}
    assert purposes["advertising"] == "1800.37" and purposes["sales_seminars"] == "950.00"
    assert quarter["expenditures_total"] == "2750.37"
    assert quarter["annualised"]["deemed_asset_based_sales_charge"] == "0.363144%"
    assert report["built_from"]["rounding_policy"].startswith("daily-half-up")
    assert len(report["built_from"]["events_sha256"]) == 64
    assert report["plan"]["document_sha256"].startswith("9dc8a469")
    assert [m["month"] for m in report["monthly"]] == ["2003-07", "2003-08", "2003-09"]
    assert quarter["service_fees"]["by_provider"][0]["provider_name"] == "DEALER-A Securities"
    assert quarter["distributor_reconciliation"] == {
        "received": "12928.49",
        "service_fees_passed_on": "3538.69",
        "expenditures_under_fifth": "2750.37",
        "retained_by_distributor": "6639.43",
        "spent_from_own_resources": "0.00",
    }
    assert {row["performer"]: row["amount"] for row in quarter["expenditures_by_performer"]} == {
        "distributor": "950.00",
        "affiliate": "0.00",
        "third_party": "1800.37",
    }
    assert report["prior_quarter"] is None  # the plan took effect on 2003-07-01
    assert report["fiscal_year_to_date"] == report["year_to_date"]  # from the plan's start
    assert report["issue"]["issued_on"] == "2003-10-20"
    assert report["issue"]["prepared_by"] == "J. Smith, Treasurer of the Distributor"
    assert report["board_review"]["meeting"] == "BOARD-2003-11-12"


def test_every_format_shows_the_board_package(sqlite_reports):
    """The issue, the review, dealers by name, the reconciliation and who did the work, in the
    CSV and the HTML as in the JSON."""
    text = {name: sqlite_reports[name].decode() for name in ("csv", "html")}
    document = pypdfium2.PdfDocument(sqlite_reports["pdf"])
    text["pdf"] = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    for name, shown in text.items():
        flat = " ".join(shown.replace("\r", "").split())
        for expected in (
            "Issued on 2003-10-20. Prepared by J. Smith, Treasurer of the Distributor",
            "true and accurate account",
            "Reviewed by the board of directors on 2003-11-12 at meeting BOARD-2003-11-12",
            "Service fees passed on to DEALER-A Securities",
            "Retained by the Distributor as compensation",
            "12b-1 fees accrued by the fund (SECOND)",
            "Third parties",
            "deemed an asset-based sales charge (SIXTH)",
            *(("Plan year to date", "Fiscal year to date") if name != "csv" else ()),
        ):
            assert expected in flat, (name, expected)
    assert text["csv"].startswith(
        "section,item,detail,quarter,year_to_date,prior_quarter,plan_year_to_date,"
        "fiscal_year_to_date\n"
    )
    assert "6639.43" in text["csv"] and "6,639.43" in text["html"] and "6,639.43" in text["pdf"]


def test_the_same_events_give_the_same_bytes_twice(sqlite_reports, tmp_path):
    again = build_reports(f"sqlite:///{tmp_path / 'b.db'}", tmp_path / "b")
    for name in ("json", "csv", "html", "pdf"):
        assert again[name] == sqlite_reports[name], name


@pytest.mark.postgres
def test_the_same_events_give_the_same_bytes_on_postgresql(sqlite_reports, tmp_path):
    url = fresh_postgres_url()
    try:
        on_postgres = build_reports(url, tmp_path / "pg")
    finally:
        drop_schema(url)
    for name in ("json", "csv", "html", "pdf"):
        assert on_postgres[name] == sqlite_reports[name], name


def test_the_pdf_renders_every_page_with_its_figures(sqlite_reports):
    document = pypdfium2.PdfDocument(sqlite_reports["pdf"])
    assert len(document) >= 1
    text = "".join(page.get_textpage().get_text_range() for page in document)
    for expected in (
        "INVESCO International Blue Chip Value Fund - Class R",
        "12,928.49",
        "9,389.80",
        "2,583.56",
        "Sales seminars",
        "US dollars",
        "Month covered",
        "FINRA caps",
    ):
        assert expected in text, expected
    for page in document:
        image = page.render(scale=1).to_pil().convert("L")
        assert image.getextrema()[0] < 100  # something dark is drawn on every page


def test_report_issue_records_the_hash_of_the_report_as_issued(loaded_ledger, tmp_path):
    """The report issued carries its issue date and preparer; `report quarterly` of the quarter
    shows them as recorded and gives the same report (the same SHA-256), and once the board
    reviews it, its review line too, the report's identity unchanged."""
    models = loaded_ledger.read_models
    q3_history(loaded_ledger, models, tmp_path, catch_up_each_step=False)
    models.catch_up()
    draft = quarterly_report(loaded_ledger.view, "INTL-BCV/R", "2003Q3")
    assert draft["issue"]["status"] == "draft"
    as_issued = quarterly_report(loaded_ledger.view, "INTL-BCV/R", "2003Q3", issue=ISSUE)
    digest = hashlib.sha256(report_json(as_issued)).hexdigest()
    assert report_sha256(as_issued) == digest
    assert issue_and_review(loaded_ledger) == digest
    issued = list(loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-2]
    assert isinstance(issued, FundClass.QuarterlyReportIssued)
    assert issued.report_sha256 == digest
    reviewed = quarterly_report(loaded_ledger.view, "INTL-BCV/R", "2003Q3")
    assert reviewed["issue"] == as_issued["issue"]
    assert reviewed["board_review"]["reviewed_on"] == "2003-11-12"
    assert report_sha256(reviewed) == digest
    assert {k: v for k, v in reviewed.items() if k != "board_review"} == {
        k: v for k, v in as_issued.items() if k != "board_review"
    }
    # As known before the issue, the quarter's report is the draft.
    before = loaded_ledger.view.as_known_at(issued_position(loaded_ledger) - 1)
    assert quarterly_report(before, "INTL-BCV/R", "2003Q3") == draft


def issued_position(ledger) -> int:
    stream_id = fund_class_id("INTL-BCV", "R")
    version = max(e.originator_version for e in ledger.view.stream(stream_id)) - 1
    return ledger.store.recorder.position_of(stream_id, version)
