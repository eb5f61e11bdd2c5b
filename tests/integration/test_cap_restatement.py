"""A restatement reaching days under the FINRA aggregate-cap account is recorded and the account
recomputed from the first day affected (decision A3), on SQLite and PostgreSQL.

The worked example: INTL-BCV at 10,000,000.00 a day, its account opened at the end of
2003-06-30 with 3,000.00 remaining, prime 4.00% (interest at 5.00%). Each day's asset-based part
is 68.50 (10,000,000 × 0.25% / 365 = 68.493…, the day's 136.99 giving it the odd cent).

As first accrued: July charges its true-up total 2,123.29 (4,246.58 / 2), earns 12.74 on the
3,000.00 it started with (3,000 × 5% × 31 / 365 = 12.739…), and leaves 889.45. August charges
68.50 for twelve days (822.00), 67.45 on 08-13, nothing after: the charge is suspended.

Then 2003-07-10 is restated to 5,000,000.00: July's total becomes 4,178.08 (2,089.04 each part),
so July leaves 3,000.00 − 2,089.04 + 12.74 = 923.70; August now charges 68.50 for thirteen days
(890.50), 33.20 on 08-14, and earns 3.92 instead of 3.78 (923.70 × 5% × 31 / 365 = 3.922…
against 889.45 × 5% × 31 / 365 = 3.777…); its true-up charges 923.61 in all, leaving 4.01.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    OpenCapAccount,
    SetPrimeRate,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from projections.compliance import compliance_as_of
from tests.builders import every_day, net_assets_csv

INTL = "INTL-BCV/R"
TEN_MILLION = Decimal("10000000.00")


@pytest.fixture
def capped(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    figures = {day: TEN_MILLION for day in every_day(date(2003, 7, 1), date(2003, 8, 31))}
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", figures), NetAssetsRow))
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", date(2003, 6, 30), Decimal("3000.00"), "test")
    )
    ledger.fund_governance.set_prime_rate(SetPrimeRate(date(2003, 6, 27), Decimal("0.04"), "test"))
    ledger.accruals.accrue(Accrue(date(2003, 8, 31), max_carry_days=4, fund_classes=[INTL]))
    return ledger


def events(ledger) -> list:
    return list(ledger.view.stream(fund_class_id("INTL-BCV", "R")))


def absc_by_day(ledger) -> dict[date, Decimal]:
    """Each day's asset-based cents as booked now (accrual plus adjustments)."""
    found: dict[date, Decimal] = {}
    for event in events(ledger):
        if isinstance(event, FundClass.FeeAccrued):
            found[event.business_date] = event.absc_amount
        elif isinstance(event, FundClass.FeeAccrualAdjusted):
            found[event.business_date] += event.absc_amount_delta
    return found


def interest(ledger) -> dict[str, tuple[Decimal, Decimal]]:
    found = {}
    for event in events(ledger):
        if isinstance(event, FundClass.CapInterestCredited | FundClass.CapInterestAdjusted):
            found[event.month] = (event.amount, event.remaining_after)
    return found


def restate(ledger, tmp_path, day: date, figure: str):
    return ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "r.csv", {day: Decimal(figure)}), NetAssetsRow),
            restatement_reason="NAV error found by the fund accountant",
        )
    )


def test_the_worked_example_as_first_accrued(capped):
    fund_class = capped.view.fund_class("INTL-BCV", "R")
    assert fund_class.accrued_absc_by_month["2003-07"] == Decimal("2123.29")
    assert interest(capped)["2003-07"] == (Decimal("12.74"), Decimal("889.45"))
    days = absc_by_day(capped)
    assert [days[date(2003, 8, d)] for d in (12, 13, 14)] == [
        Decimal("68.50"),
        Decimal("67.45"),
        Decimal("0"),
    ]
    assert interest(capped)["2003-08"][0] == Decimal("3.78")


def test_a_restatement_under_the_cap_account_recomputes_it_from_the_first_day(capped, tmp_path):
    summary = restate(capped, tmp_path, date(2003, 7, 10), "5000000.00")
    assert summary.restated == 1
    fund_class = capped.view.fund_class("INTL-BCV", "R")
    assert fund_class.accrued_absc_by_month["2003-07"] == Decimal("2089.04")
    assert fund_class.accrued_service_by_month["2003-07"] == Decimal("2089.04")
    assert interest(capped)["2003-07"] == (Decimal("12.74"), Decimal("923.70"))
    days = absc_by_day(capped)
    assert days[date(2003, 7, 10)] == Decimal("34.25")
    assert [days[date(2003, 8, d)] for d in (13, 14, 15)] == [
        Decimal("68.50"),
        Decimal("33.20"),
        Decimal("0"),
    ]
    assert interest(capped)["2003-08"][0] == Decimal("3.92")
    [adjusted] = [e for e in events(capped) if isinstance(e, FundClass.CapInterestAdjusted)][1:]
    assert (adjusted.month, adjusted.amount_previous, adjusted.amount) == (
        "2003-08",
        Decimal("3.78"),
        Decimal("3.92"),
    )
    # August's remaining amount at its end, three ways: the domain, the compliance view, and
    # by hand. August's month, rounded once: 13 rated days' asset-based part 890.4109…, the
    # limited 33.20, the service part 2,123.2876… (31 days): 3,046.90, of which the asset-based
    # part is 923.61 (its quota 923.6112…, the odd cent going to the larger remainder). So
    # 923.70 − 923.61 + 3.92 = 4.01.
    august_end = interest(capped)["2003-08"][1]
    assert fund_class.accrued_absc_by_month["2003-08"] == Decimal("923.61")
    assert august_end == Decimal("4.01")
    shown = compliance_as_of(
        capped.view.stream(fund_class_id("INTL-BCV", "R")), date(2003, 8, 31)
    ).cap_remaining
    assert shown == august_end == fund_class.cap_month_start_remaining
    assert fund_class.absc_suspended


def test_a_late_termination_under_the_cap_account_gives_back_what_the_days_charged(capped):
    """Terminated by the IBMs effective 2003-07-20, learnt after August was accrued: July keeps
    19 days, 2,602.74 rounded once (10,000,000 × 0.50% × 19 / 365 = 2,602.739…), 1,301.37 of it
    asset-based; July leaves 3,000.00 − 1,301.37 + 12.74 = 1,711.37; August charges nothing and
    earns 1,711.37 × 5% × 31 / 365 = 7.267… = 7.27, leaving 1,718.64. The charge, suspended in
    August as first accrued, is no longer."""
    from tests.builders import resolution
    from tests.integration.test_governance import meet

    meet(
        capped,
        date(2003, 9, 10),
        resolution(
            "R-LATE",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=date(2003, 7, 20),
        ),
    )
    fund_class = capped.view.fund_class("INTL-BCV", "R")
    reversed_days = [
        e.business_date for e in events(capped) if isinstance(e, FundClass.FeeAccrualReversed)
    ]
    assert reversed_days == every_day(date(2003, 7, 20), date(2003, 8, 31))
    assert fund_class.accrued_absc_by_month["2003-07"] == Decimal("1301.37")
    assert fund_class.accrued_service_by_month["2003-07"] == Decimal("1301.37")
    assert fund_class.accrued_absc_by_month["2003-08"] == 0
    assert interest(capped)["2003-07"] == (Decimal("12.74"), Decimal("1711.37"))
    assert interest(capped)["2003-08"] == (Decimal("7.27"), Decimal("1718.64"))
    assert fund_class.cap_month_start_remaining == Decimal("1718.64")
    assert not fund_class.absc_suspended
    shown = compliance_as_of(
        capped.view.stream(fund_class_id("INTL-BCV", "R")), date(2003, 8, 31)
    ).cap_remaining
    assert shown == Decimal("1718.64")
