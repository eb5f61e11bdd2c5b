"""Which figure is the basis of each day, and how missing runs are reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from domain.basis import MissingFiguresError, bases_for_days
from domain.periods import parse_period

FIGURES = {"2003-07-03": D("1.00"), "2003-07-07": D("2.00"), "2003-07-14": D("3.00")}


def days(text):
    return list(parse_period(text).each_day())


def test_weekend_and_holiday_carry_the_last_figure():
    bases = bases_for_days(FIGURES, days("2003-07-03..2003-07-07"), max_carry_days=4, subject="x")
    assert [(b.day.day, b.basis_date.day, b.net_assets) for b in bases] == [
        (3, 3, D("1.00")),
        (4, 3, D("1.00")),
        (5, 3, D("1.00")),
        (6, 3, D("1.00")),
        (7, 7, D("2.00")),
    ]


def test_a_gap_longer_than_the_limit_names_the_whole_run():
    with pytest.raises(MissingFiguresError) as missing:
        bases_for_days(FIGURES, days("2003-07-07..2003-07-31"), max_carry_days=4, subject="x")
    assert missing.value.runs == [
        (date(2003, 7, 8), date(2003, 7, 13)),
        (date(2003, 7, 15), date(2003, 7, 31)),
    ]
    assert "x: no figure for 2003-07-08..2003-07-13 (6 days), 2003-07-15..2003-07-31" in str(
        missing.value
    )


def test_days_before_the_first_figure_are_missing():
    with pytest.raises(MissingFiguresError) as missing:
        bases_for_days(FIGURES, days("2003-07-01..2003-07-03"), max_carry_days=4, subject="x")
    assert missing.value.runs == [(date(2003, 7, 1), date(2003, 7, 2))]


def test_the_limit_is_inclusive():
    bases = bases_for_days(FIGURES, days("2003-07-14..2003-07-18"), max_carry_days=4, subject="x")
    assert bases[-1].basis_date == date(2003, 7, 14)
    with pytest.raises(MissingFiguresError):
        bases_for_days(FIGURES, days("2003-07-14..2003-07-19"), max_carry_days=4, subject="x")
