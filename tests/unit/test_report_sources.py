"""The pure part of a report's sources: pointers, position runs, allocations, labels."""

from __future__ import annotations

from datetime import date

from adapters.outputs.report_html_sources import figure_label, figure_value, sources_html
from domain.periods import parse_period
from projections.report_sources import (
    CoveringSource,
    SourceRows,
    allocated,
    pointer,
    position_runs,
    section_sources,
)
from projections.split import Covering


def test_a_pointer_escapes_slash_and_tilde():
    assert (
        pointer("year_to_date", "by_performer", "a/b~c", 0)
        == "/year_to_date/by_performer/a~1b~0c/0"
    )


def test_consecutive_positions_are_one_run():
    assert position_runs([7, 3, 4, 5, 9, 10, 3]) == ["3..5", "7", "9..10"]
    assert position_runs([]) == []


def test_an_allocation_lists_each_event_with_its_share():
    assert allocated("payments_by_days", {12: 150, 3: -1}) == {
        "allocated": "payments_by_days",
        "positions": ["3", "12"],
        "contributions": ["-0.01", "1.50"],
    }


def test_a_payment_covering_two_quarters_gives_each_its_days():
    """June and July 2003 paid at once: 30 and 31 days of 61.00."""
    payment = CoveringSource(40, Covering("F/R", date(2003, 6, 1), date(2003, 8, 1), 6100))
    figures = {"service_fees": {"by_provider": []}, "expenditures_by_purpose": []}
    rows = SourceRows([], [payment], [], [], [])
    q2 = section_sources("q", figures, parse_period("2003Q2"), rows)
    q3 = section_sources("q", figures, parse_period("2003Q3"), rows)
    assert q2["/q/paid_to_distributor"]["contributions"] == ["30.00"]
    assert q3["/q/paid_to_distributor"]["contributions"] == ["31.00"]
    assert q3["/q/expenditures_total"] == {
        "derived": "sum of expenditures_by_purpose amounts",
        "op": "sum",
        "terms": [],
    }


def test_the_html_names_each_figure_and_its_events():
    report = {
        "year_to_date": {
            "service_fees": {"by_provider": [{"provider": "DEALER-A", "amount": "1234.50"}]}
        },
        "sources": {
            "/year_to_date/service_fees/by_provider/0/amount": {
                "allocated": "service_fees_by_days",
                "positions": ["12"],
                "contributions": ["1234.50"],
            }
        },
    }
    at = "/year_to_date/service_fees/by_provider/0/amount"
    assert (
        figure_label(report, at) == "Year to date › service fees › by provider › DEALER-A › amount"
    )
    assert figure_value(report, at) == "1,234.50"
    page = sources_html(report)
    assert 'data-positions="12" title="planledger log --position 12"' in page
    assert "log 12 (1234.50)" in page
    assert sources_html({"quarter": "2003Q3"}) == ""
