"""Daily accruals and the month-end true-up reproduce the brief's oracle 9(a) to the cent.

Method: feed the July 2003 net assets through the pure accrual functions, day by day with the
prior-business-day carry, and compare every cent and the true-up with the brief's table.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from domain.accrual import BasisSegment, PartRates, compute_daily_accrual, compute_month_true_up
from domain.basis import bases_for_days
from domain.money import shown_exact
from domain.periods import month_period
from tests import oracles

SCHEDULE_B = PartRates(absc_rate_annual=D("0.0025"), service_rate_annual=D("0.0025"))


def july_accruals():
    figures = {day.isoformat(): value for day, value in oracles.JULY_2003_NET_ASSETS.items()}
    days = month_period(date(2003, 7, 1)).each_day()
    bases = bases_for_days(figures, days, max_carry_days=4, subject="test")
    return [compute_daily_accrual(b.day, b.basis_date, b.net_assets, SCHEDULE_B) for b in bases]


def test_every_day_of_july_2003_matches_the_oracle_to_the_cent():
    accruals = july_accruals()
    assert len(accruals) == 31
    for accrual, (day, basis, total, absc, service) in zip(
        accruals, oracles.JULY_2003_DAILY, strict=True
    ):
        assert accrual.day == date(2003, 7, day)
        assert accrual.basis_net_assets == D(basis)
        assert (accrual.amount, accrual.absc_amount, accrual.service_amount) == (
            D(total),
            D(absc),
            D(service),
        )


def test_holiday_and_weekend_carry_the_prior_business_day_basis():
    by_day = {accrual.day.day: accrual for accrual in july_accruals()}
    for carried in (4, 5, 6):
        assert by_day[carried].basis_date == date(2003, 7, 3)
        assert by_day[carried].amount == by_day[3].amount


def test_odd_cent_goes_to_the_asset_based_sales_charge():
    first = july_accruals()[0]
    assert (first.absc_amount, first.service_amount) == (D("68.50"), D("68.49"))


def test_each_day_parts_sum_to_the_day_total():
    for accrual in july_accruals():
        assert accrual.absc_amount + accrual.service_amount == accrual.amount


def test_july_true_up_rounds_the_month_once():
    accruals = july_accruals()
    basis_sum = sum((a.basis_net_assets for a in accruals), D(0))
    assert basis_sum == oracles.JULY_2003_BASIS_SUM
    true_up = compute_month_true_up(
        "2003-07",
        days_accrued=31,
        segments=[BasisSegment(SCHEDULE_B, 365, basis_sum)],
        booked_absc_amount=sum((a.absc_amount for a in accruals), D(0)),
        booked_service_amount=sum((a.service_amount for a in accruals), D(0)),
    )
    assert shown_exact(true_up.amount_exact) == oracles.JULY_2003_EXACT_TOTAL_10DP
    assert true_up.month_amount == oracles.JULY_2003_MONTH_AMOUNT
    assert true_up.month_absc_amount == oracles.JULY_2003_MONTH_ABSC
    assert true_up.month_service_amount == oracles.JULY_2003_MONTH_SERVICE
    assert true_up.booked_amount == oracles.JULY_2003_DAILY_SUM
    assert true_up.booked_absc_amount == oracles.JULY_2003_DAILY_ABSC_SUM
    assert true_up.booked_service_amount == oracles.JULY_2003_DAILY_SERVICE_SUM
    assert true_up.adjustment_amount == oracles.JULY_2003_TRUE_UP
    assert true_up.adjustment_absc + true_up.adjustment_service == true_up.adjustment_amount


def test_sum_of_exact_daily_accruals_equals_the_average_daily_method():
    exact_sum = sum((a.amount_exact for a in july_accruals()), D(0))
    assert shown_exact(exact_sum) == oracles.JULY_2003_EXACT_TOTAL_10DP


def test_leap_year_actual_actual_keeps_a_full_year_within_the_annual_rate():
    service_only = PartRates(absc_rate_annual=D("0"), service_rate_annual=D("0.0025"))
    segment = BasisSegment(service_only, 366, D("10000000.00") * 366)
    true_up = compute_month_true_up("2004", 366, [segment], D(0), D(0))
    assert true_up.amount_exact == oracles.LEAP_2004_ACTUAL_TOTAL
    fixed_365 = D("10000000.00") * 366 * D("0.0025") / 365
    assert fixed_365.quantize(D("0.000001")) == oracles.LEAP_2004_FIXED_365_TOTAL_6DP
    assert fixed_365 > true_up.amount_exact
