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

from adapters.application.commands import ImportExpenditures, IssueReport, LoadPlan
from adapters.application.compose import compose
from adapters.inputs.csv_files import ExpenditureRow, read_csv
from adapters.inputs.plan_file import read_plan
from adapters.outputs.report_pdf import report_pdf
from adapters.outputs.reports import (
    quarterly_report,
    report_csv,
    report_html,
    report_json,
)
from domain.fund_class import FundClass
from domain.ids import fund_class_id
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
        report = quarterly_report(ledger.view, "INTL-BCV/R", "2003Q3")
        files = {
            "json": report_json(report),
            "csv": report_csv(report),
            "html": report_html(report),
            "pdf": report_pdf(report),
        }
        ledger.close()
    return files


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


def test_report_issue_records_the_hash_of_the_report(loaded_ledger, tmp_path):
    models = loaded_ledger.read_models
    q3_history(loaded_ledger, models, tmp_path, catch_up_each_step=False)
    models.catch_up()
    report = quarterly_report(loaded_ledger.view, "INTL-BCV/R", "2003Q3")
    digest = hashlib.sha256(report_json(report)).hexdigest()
    loaded_ledger.fund_governance.issue_report(
        IssueReport(
            fund_code="INTL-BCV",
            share_class="R",
            quarter="2003Q3",
            report_sha256=digest,
            issued_on=date(2003, 10, 20),
            issued_by="ADI",
        )
    )
    models.catch_up()
    issued = list(loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-1]
    assert isinstance(issued, FundClass.QuarterlyReportIssued)
    assert issued.report_sha256 == digest
    # Issuing the report (dated after the quarter) does not change the report.
    assert report_json(quarterly_report(loaded_ledger.view, "INTL-BCV/R", "2003Q3")) == report_json(
        report
    )
