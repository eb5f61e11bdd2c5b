"""What the quarterly report shows a board besides the quarter: the periods beside it, the
reconciliation of what the Distributor received, why the service fees differ, and the issue and
review lines (decision F-board-1)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from adapters.outputs.report_charts import spending_by_purpose
from adapters.outputs.report_tables import figure_tables
from domain.periods import Period, parse_period
from projections.quarterly_report import (
    AccrualTotals,
    IssueFacts,
    ReportFacts,
    ReviewFacts,
    build_report,
    fiscal_year_to_date,
    plan_year_to_date,
    prior_quarter,
)
from projections.split import SplitFigures
from tests.conftest import PROJECT_ROOT

EFFECTIVE = date(2003, 7, 1)
INITIAL_TERM_END = date(2004, 5, 30)


def days(period: Period | None) -> tuple[str, str] | None:
    return None if period is None else (str(period.start), str(period.end_inclusive))


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        ("2003Q3", ("2003-07-01", "2003-09-30")),  # the first plan year, from the effective date
        ("2004Q1", ("2003-07-01", "2004-03-31")),
        # The second plan year starts on 31 May 2004, the day after the initial term: by whole
        # months, from 1 June.
        ("2004Q2", ("2004-06-01", "2004-06-30")),
        ("2005Q1", ("2004-06-01", "2005-03-31")),
        ("2005Q2", ("2005-06-01", "2005-06-30")),
    ],
)
def test_the_plan_year_runs_from_the_effective_date_then_from_each_term_anniversary(
    quarter, expected
):
    assert days(plan_year_to_date(parse_period(quarter), EFFECTIVE, INITIAL_TERM_END)) == expected


@pytest.mark.parametrize(
    ("quarter", "year_end", "expected"),
    [
        ("2004Q2", "10-31", ("2003-11-01", "2004-06-30")),
        ("2003Q4", "10-31", ("2003-11-01", "2003-12-31")),
        ("2003Q3", "10-31", ("2003-07-01", "2003-09-30")),  # not before the plan
        ("2004Q2", "06-30", ("2003-07-01", "2004-06-30")),  # the year ends with the quarter
        ("2004Q2", "05-31", ("2004-06-01", "2004-06-30")),
        ("2004Q1", "12-31", ("2004-01-01", "2004-03-31")),  # the calendar year
        ("2004Q1", "02-29", ("2004-03-01", "2004-03-31")),
    ],
)
def test_the_fiscal_year_runs_from_the_day_after_the_funds_year_end(quarter, year_end, expected):
    assert days(fiscal_year_to_date(parse_period(quarter), EFFECTIVE, year_end)) == expected


def test_the_prior_quarter_is_none_before_the_plan():
    assert prior_quarter(parse_period("2003Q3"), EFFECTIVE) is None
    assert days(prior_quarter(parse_period("2004Q1"), EFFECTIVE)) == ("2003-10-01", "2003-12-31")


FACTS = ReportFacts(
    fund_class="F/R",
    fund_name="Fund",
    company_name="Company",
    distributor_name="A I M Distributors, Inc.",
    plan_title="Plan",
    plan_type="compensation",
    document_sha256="0" * 64,
    schedule_b={},
    events_sha256="1" * 64,
    events_count=1,
    software_version="test",
)


def one_month_report(
    paid_cents: int, service_cents: int, own_cents: int, issue=None, review=None
) -> dict:
    """A report of one month: `paid_cents` paid to the Distributor, of which `service_cents`
    passed on to one dealer, and `own_cents` of service fees beyond the payments."""
    figures = SplitFigures(
        "F/R",
        "2003-07",
        plan_payments=paid_cents,
        service_fees=service_cents + own_cents,
        service_fees_by_provider={"D": service_cents + own_cents},
    )
    quarter = parse_period("2003Q3")
    return build_report(
        FACTS,
        quarter="2003Q3",
        quarter_period=quarter,
        year_to_date=quarter,
        months={"2003-07": figures},
        accrued_by_month={"2003-07": AccrualTotals(50_000, 50_000)},
        expenditures_quarter=[],
        expenditures_year=[],
        provider_kinds={},
        provider_names={"D": "Dealer D, Inc."},
        issue=issue,
        review=review,
    )


def test_what_the_distributor_received_is_accounted_for_in_full():
    section = one_month_report(100_000, 30_000, 0)["quarter_figures"]
    assert section["distributor_reconciliation"] == {
        "received": "1000.00",
        "service_fees_passed_on": "300.00",
        "expenditures_under_fifth": "0.00",
        "retained_by_distributor": "700.00",
        "spent_from_own_resources": "0.00",
    }
    assert section["service_fees"]["by_provider"][0]["provider_name"] == "Dealer D, Inc."
    explanation = section["service_fee_difference"]["explanation"]
    assert "accrued 500.00" in explanation and "passed 300.00" in explanation
    assert "The 200.00 not passed on is" in explanation


def test_service_fees_beyond_the_payments_are_spent_from_the_distributors_own_resources():
    section = one_month_report(100_000, 100_000, 20_000)["quarter_figures"]
    assert section["distributor_reconciliation"]["service_fees_passed_on"] == "1200.00"
    assert section["distributor_reconciliation"]["retained_by_distributor"] == "0.00"
    assert section["distributor_reconciliation"]["spent_from_own_resources"] == "200.00"


def test_a_report_is_a_draft_until_issued_and_shows_its_review_once_recorded():
    draft = one_month_report(100_000, 30_000, 0)
    assert draft["issue"]["status"] == "draft" and draft["issue"]["issued_on"] == ""
    assert "____" in draft["board_review"]["line"]
    issued = one_month_report(
        100_000,
        30_000,
        0,
        IssueFacts(date(2003, 10, 20), "J. Smith, Treasurer"),
        ReviewFacts(date(2003, 11, 12), "BOARD-2003-11-12"),
    )
    assert issued["issue"]["issued_on"] == "2003-10-20"
    assert "Prepared by J. Smith, Treasurer" in issued["issue"]["certification"]
    assert "true and accurate account" in issued["issue"]["certification"]
    assert issued["board_review"]["line"] == (
        "Reviewed by the board of directors on 2003-11-12 at meeting BOARD-2003-11-12."
    )


DEMO_REPORT = json.loads(
    (PROJECT_ROOT / "tests" / "data" / "reports" / "STABLE-VALUE-R-2003Q3.json").read_text()
)


def test_every_table_column_adds_up_and_nothing_received_is_unexplained():
    tables = {table.name: table for table in figure_tables(DEMO_REPORT)}
    for column in range(len(DEMO_REPORT["columns"])):
        rows = {row.item: row.values[column] for row in tables["distributor_reconciliation"].rows}
        if rows["received"] == "":
            continue  # a period before the plan
        parts = [rows[k] for k in ("service_fees_passed_on", "expenditures_under_fifth")]
        parts += [rows["retained_by_distributor"], rows["spent_from_own_resources"]]
        assert sum(Decimal(part) for part in parts) == Decimal(rows["received"])
        performers = [row.values[column] for row in tables["expenditures_by_performer"].rows]
        assert sum(Decimal(v) for v in performers[:-1]) == Decimal(performers[-1])


def test_the_purpose_chart_shows_only_purposes_with_spending():
    chart = spending_by_purpose(DEMO_REPORT)
    spent = [
        row["short_label"]
        for row in DEMO_REPORT["quarter_figures"]["expenditures_by_purpose"]
        if Decimal(row["amount"]) > 0
    ]
    assert chart is not None and [bar.label for bar in chart.bars] == spent
    nothing = json.loads(json.dumps(DEMO_REPORT))
    for row in nothing["quarter_figures"]["expenditures_by_purpose"][1:]:
        row["amount"] = "0.00"
    assert spending_by_purpose(nothing) is None  # one purpose: the table says it all
