"""Periods as users write them, half-open underneath; percentages and the day count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from domain.periods import Period, parse_period
from domain.rates import days_in_year, format_percent, parse_percent


@pytest.mark.parametrize(
    ("text", "start", "end_exclusive"),
    [
        ("2003Q3", date(2003, 7, 1), date(2003, 10, 1)),
        ("2003Q4", date(2003, 10, 1), date(2004, 1, 1)),
        ("2004-02", date(2004, 2, 1), date(2004, 3, 1)),
        ("2003-07..2003-09", date(2003, 7, 1), date(2003, 10, 1)),
        ("2003-07-01..2003-07-15", date(2003, 7, 1), date(2003, 7, 16)),
        ("2004-05-30", date(2004, 5, 30), date(2004, 5, 31)),
    ],
)
def test_periods_parse_to_half_open_ranges(text, start, end_exclusive):
    assert parse_period(text) == Period(start, end_exclusive)


@pytest.mark.parametrize("text", ["2003Q5", "2003-13", "2003-07..2003-06", "July", ""])
def test_bad_periods_are_refused_with_the_accepted_forms(text):
    with pytest.raises(ValueError, match="2003Q3"):
        parse_period(text)


def test_period_facts():
    quarter = parse_period("2003Q3")
    assert quarter.days == 92
    assert quarter.end_inclusive == date(2003, 9, 30)
    assert quarter.months() == ["2003-07", "2003-08", "2003-09"]
    assert quarter.is_whole_months()
    assert not parse_period("2003-07-02..2003-07-31").is_whole_months()
    assert quarter.overlaps(parse_period("2003-09..2003-10"))
    assert not quarter.overlaps(parse_period("2003-10"))


def test_actual_actual_day_count():
    assert days_in_year(date(2003, 12, 31)) == 365
    assert days_in_year(date(2004, 2, 29)) == 366
    assert days_in_year(date(2100, 1, 1)) == 365


def test_percentages():
    assert parse_percent("0.25%") == D("0.0025")
    assert parse_percent(" 0.75 ") == D("0.0075")
    assert format_percent(D("0.0025")) == "0.25%"
    assert format_percent(D("0.005")) == "0.50%"
    assert format_percent(D("0.00125")) == "0.125%"
    for bad in ("-0.1%", "abc", "NaN"):
        with pytest.raises(ValueError):
            parse_percent(bad)


def test_sub_periods_cut_a_span_into_plan_years_months_and_quarters():
    from projections.split import sub_periods

    span = parse_period("2003-07..2005-06")
    plan_years = sub_periods(span, "plan-year", (5, 30))
    assert plan_years == [
        ("plan year to 2004-05-30", Period(date(2003, 7, 1), date(2004, 6, 1))),
        ("plan year to 2005-05-30", Period(date(2004, 6, 1), date(2005, 6, 1))),
        ("plan year to 2006-05-30", Period(date(2005, 6, 1), date(2006, 6, 1))),
    ]
    assert [label for label, _ in sub_periods(span, "quarter", (5, 30))][:2] == ["2003Q3", "2003Q4"]
    assert len(sub_periods(span, "month", (5, 30))) == 24
