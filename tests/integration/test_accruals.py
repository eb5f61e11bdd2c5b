"""Daily accruals through the ledger: oracle 9(a) on both databases, the term, the carry rule.

The expected figures come from the domain brief (tests/oracles.py) or from an independent
calculation with `fractions.Fraction` in this file, never from the code under test.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from adapters.application.commands import Accrue, ImportNetAssets
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.basis import MissingFiguresError
from domain.errors import RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests import oracles
from tests.builders import net_assets_csv, weekdays
from tests.conftest import count_events

INTL = "INTL-BCV/R"


def accrued_events(ledger, fund="INTL-BCV"):
    return [
        e
        for e in ledger.view.stream(fund_class_id(fund, "R"))
        if isinstance(e, FundClass.FeeAccrued)
    ]


def true_ups(ledger, fund="INTL-BCV"):
    return [
        e
        for e in ledger.view.stream(fund_class_id(fund, "R"))
        if isinstance(e, FundClass.AccrualTrueUpPosted)
    ]


@pytest.fixture
def july_ledger(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(
                net_assets_csv(tmp_path / "july.csv", oracles.JULY_2003_NET_ASSETS), NetAssetsRow
            )
        )
    )
    loaded_ledger.accruals.accrue(Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=[INTL]))
    return loaded_ledger


def test_july_2003_reproduces_oracle_9a_to_the_cent(july_ledger):
    accruals = accrued_events(july_ledger)
    assert len(accruals) == 31
    for event, (day, basis, total, absc, service) in zip(
        accruals, oracles.JULY_2003_DAILY, strict=True
    ):
        assert event.business_date == date(2003, 7, day)
        assert event.basis_net_assets == Decimal(basis)
        assert (event.amount, event.absc_amount, event.service_amount) == (
            Decimal(total),
            Decimal(absc),
            Decimal(service),
        )
        assert event.days_in_year == 365
        assert event.day_count == "actual/actual"
        assert event.rounding_policy == "daily-half-up/largest-remainder-absc-first/month-true-up"
        assert event.authority == (
            "initial term 2003-07-01..2004-05-30, approved by resolution "
            "INTL-FUNDS-2003-06-17-1 of 2003-06-17 (ELEVENTH)"
        )
    (true_up,) = true_ups(july_ledger)
    assert true_up.month == "2003-07"
    assert true_up.business_date == date(2003, 7, 31)
    assert true_up.amount_exact == oracles.JULY_2003_EXACT_TOTAL_10DP
    assert true_up.month_amount == oracles.JULY_2003_MONTH_AMOUNT
    assert (true_up.month_absc_amount, true_up.month_service_amount) == (
        oracles.JULY_2003_MONTH_ABSC,
        oracles.JULY_2003_MONTH_SERVICE,
    )
    assert true_up.booked_amount == oracles.JULY_2003_DAILY_SUM
    assert true_up.adjustment_amount == oracles.JULY_2003_TRUE_UP
    fund_class = july_ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.payable == oracles.JULY_2003_MONTH_AMOUNT


def test_weekend_and_holiday_accruals_name_the_business_day_they_carry(july_ledger):
    by_day = {event.business_date.day: event for event in accrued_events(july_ledger)}
    assert [by_day[day].basis_date for day in (4, 5, 6)] == [date(2003, 7, 3)] * 3
    assert by_day[7].basis_date == date(2003, 7, 7)


def test_running_again_through_the_same_date_writes_nothing(july_ledger, store):
    before = count_events(store)
    (summary,) = july_ledger.accruals.accrue(
        Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=[INTL])
    )
    assert summary.days_accrued == 0
    assert count_events(store) == before


def test_a_run_continues_where_the_last_one_stopped(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(
                net_assets_csv(tmp_path / "july.csv", oracles.JULY_2003_NET_ASSETS), NetAssetsRow
            )
        )
    )
    loaded_ledger.accruals.accrue(Accrue(date(2003, 7, 10), max_carry_days=4, fund_classes=[INTL]))
    assert true_ups(loaded_ledger) == []
    loaded_ledger.accruals.accrue(Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=[INTL]))
    amounts = [event.amount for event in accrued_events(loaded_ledger)]
    assert amounts == [Decimal(row[2]) for row in oracles.JULY_2003_DAILY]
    assert true_ups(loaded_ledger)[0].adjustment_amount == Decimal("-0.01")


def test_missing_net_assets_beyond_the_limit_name_the_dates_and_write_nothing(
    loaded_ledger, store, tmp_path
):
    figures = dict(oracles.JULY_2003_NET_ASSETS)
    for day in (8, 9, 10, 11):  # with the weekend of 12-13, July 8 to 13 has no figure
        del figures[date(2003, 7, day)]
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "gap.csv", figures), NetAssetsRow))
    )
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.accruals.accrue(
            Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=[INTL])
        )
    (violation,) = refused.value.violations
    assert isinstance(violation, MissingFiguresError)
    assert violation.rule == "net-assets-missing"
    assert violation.runs == [(date(2003, 7, 8), date(2003, 7, 13))]
    assert "no figure for 2003-07-08..2003-07-13 (6 days)" in str(violation)
    assert count_events(store) == before
    (summary,) = loaded_ledger.accruals.accrue(
        Accrue(date(2003, 7, 31), max_carry_days=6, fund_classes=[INTL])
    )
    assert summary.days_accrued == 31


def test_exactly_the_limit_is_carried(loaded_ledger, tmp_path):
    figures = {date(2003, 7, 1): "1000000.00", date(2003, 7, 6): "1000000.00"}
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", figures), NetAssetsRow))
    )
    (summary,) = loaded_ledger.accruals.accrue(
        Accrue(date(2003, 7, 5), max_carry_days=4, fund_classes=[INTL])
    )
    assert summary.days_accrued == 5


def test_one_class_missing_data_stops_the_whole_run(loaded_ledger, store, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(
                net_assets_csv(tmp_path / "july.csv", oracles.JULY_2003_NET_ASSETS), NetAssetsRow
            )
        )
    )
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.accruals.accrue(Accrue(date(2003, 7, 31), max_carry_days=4))
    assert "STABLE-VALUE/R net assets: no figure for 2003-07-01..2003-07-31" in str(refused.value)
    assert count_events(store) == before


def independent_month_totals(figures: dict[date, Decimal], last_day: date) -> dict[str, Decimal]:
    """Σ over calendar days of carried basis × 0.50% / days in year, rounded once a month."""
    totals: dict[str, Fraction] = {}
    basis = None
    day = date(2003, 7, 1)
    while day <= last_day:
        basis = figures.get(day, basis)
        year_days = 366 if day.year == 2004 else 365
        month = f"{day.year}-{day.month:02d}"
        totals[month] = (
            totals.get(month, Fraction(0)) + Fraction(basis) * Fraction(5, 1000) / year_days
        )
        day = date.fromordinal(day.toordinal() + 1)
    return {
        month: Decimal(value.numerator / Decimal(value.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        for month, value in totals.items()
    }


def test_the_initial_term_ends_on_may_30_and_leap_day_uses_366(loaded_ledger, tmp_path):
    days = weekdays(date(2003, 7, 1), date(2004, 6, 30))
    figures = {day: Decimal(10_000_000 + 137 * index) for index, day in enumerate(days)}
    figures = {day: value.quantize(Decimal("0.01")) for day, value in figures.items()}
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "year.csv", figures), NetAssetsRow))
    )
    (summary,) = loaded_ledger.accruals.accrue(
        Accrue(date(2004, 6, 30), max_carry_days=4, fund_classes=[INTL])
    )
    assert summary.last_day == date(2004, 5, 30)
    assert summary.days_accrued == 335
    (gap,) = summary.gaps
    assert (gap.first_day, gap.last_day) == (date(2004, 5, 31), date(2004, 6, 30))
    assert gap.describe().startswith(
        "not in effect 2004-05-31..2004-06-30: lapsed: the initial term ended on 2004-05-30 and "
        "no continuance approved by the board and the Independent Board Members covers "
        "2004-05-31 (ELEVENTH)"
    )
    assert summary.refusals == [gap]
    by_day = {event.business_date: event for event in accrued_events(loaded_ledger)}
    assert by_day[date(2004, 2, 29)].days_in_year == 366
    assert by_day[date(2004, 2, 29)].basis_date == date(2004, 2, 27)
    months = {event.month: event.month_amount for event in true_ups(loaded_ledger)}
    assert months == independent_month_totals(figures, date(2004, 5, 30))
    fund_class = loaded_ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.payable == sum(months.values())
