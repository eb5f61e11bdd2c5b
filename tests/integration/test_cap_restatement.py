"""A restatement reaching days under the FINRA aggregate-cap account is recorded and the account
recomputed from the first day affected (decision A3), on SQLite and PostgreSQL.

The worked example: INTL-BCV at 10,000,000.00 a day, 0.25% asset-based + 0.25% service, its
account opened at the end of 2003-06-30 with 5,900.00 remaining, prime 4.00% (interest at
5.00%, actual/actual, on the remaining amount at the month's start, rounded half-up at month
end). Each part of a day is 10,000,000 × 0.25% / 365 = 68.4931…; the day, 136.9863… = 136.99,
splits 68.50 asset-based (the odd cent to the first part) and 68.49 service. The account is
charged with each day's deemed asset-based charge (decision A13): the whole day, 136.99, and
each month's true-up likewise, so a month charges its exact total rounded once. The asset-based
part of a day is limited to what remains at its start; the service part never is, so the
remaining amount goes below zero by service parts (decision A14).

As first accrued: July, 31 days, 4,246.5753… = 4,246.58 (2,123.29 each part; the days booked
31 × 136.99 = 4,246.69, the true-up −0.11), earns 5,900.00 × 5% × 31 / 365 = 25.0547… = 25.05
and leaves 5,900.00 − 4,246.58 + 25.05 = 1,678.47. August: twelve days of 136.99 (1,643.88)
leave 34.59 for 08-13, whose asset-based part is limited to it (the day 34.59 + 68.4931… =
103.0831… = 103.08: 34.59 + 68.49); 08-14 to 08-31 accrue no asset-based part and 68.49 of
service each, and the charge is suspended. August's month: asset-based 12 × 68.4931… + 34.59 =
856.5078…, service 31 × 68.4931… = 2,123.2876…, 2,979.7954… = 2,979.80 (856.51 + 2,123.29 by
largest remainder); it earns 1,678.47 × 5% × 31 / 365 = 7.1277… = 7.13 and leaves 1,678.47 −
2,979.80 + 7.13 = −1,294.20.

Then 2003-07-10 is restated to 1,000,000.00 (a digit too many): the day is 1,000,000 × 0.50% /
365 = 13.6986… = 13.70 (6.85 each part); July's total 301,000,000 × 0.50% / 365 = 4,123.2876…
= 4,123.29 (2,061.65 + 2,061.64, the odd cent to the first part), its interest unchanged at
25.05, so July leaves 5,900.00 − 4,123.29 + 25.05 = 1,801.76 (123.29 more). August: thirteen
days of 136.99 (1,780.87) leave 20.89 for 08-14: 08-13 accrues its whole 68.50, 08-14 is
limited to 20.89 (20.89 + 68.4931… = 89.38: 20.89 + 68.49). August's month: asset-based 13 ×
68.4931… + 20.89 = 911.3009…, service 2,123.2876…, 3,034.5886… = 3,034.59 (911.30 + 2,123.29);
it earns 1,801.76 × 5% × 31 / 365 = 7.6513… = 7.65 instead of 7.13, and leaves 1,801.76 −
3,034.59 + 7.65 = −1,225.18.
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
        OpenCapAccount("INTL-BCV", "R", date(2003, 6, 30), Decimal("5900.00"), "test")
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


def remaining_shown(ledger) -> Decimal:
    """The compliance view's remaining amount at the end of August."""
    stream = ledger.view.stream(fund_class_id("INTL-BCV", "R"))
    return compliance_as_of(stream, date(2003, 8, 31)).cap_remaining


def test_the_worked_example_as_first_accrued(capped):
    fund_class = capped.view.fund_class("INTL-BCV", "R")
    assert fund_class.accrued_absc_by_month["2003-07"] == Decimal("2123.29")
    assert fund_class.accrued_service_by_month["2003-07"] == Decimal("2123.29")
    assert interest(capped)["2003-07"] == (Decimal("25.05"), Decimal("1678.47"))
    days = absc_by_day(capped)
    assert [days[date(2003, 8, d)] for d in (12, 13, 14)] == [
        Decimal("68.50"),
        Decimal("34.59"),
        Decimal("0"),
    ]
    assert fund_class.accrued_absc_by_month["2003-08"] == Decimal("856.51")
    assert fund_class.accrued_service_by_month["2003-08"] == Decimal("2123.29")
    # Below zero by service parts: the asset-based part stopped at what remained (A14).
    assert interest(capped)["2003-08"] == (Decimal("7.13"), Decimal("-1294.20"))
    assert remaining_shown(capped) == Decimal("-1294.20") == fund_class.cap_month_start_remaining
    assert fund_class.absc_suspended


def test_a_restatement_under_the_cap_account_recomputes_it_from_the_first_day(capped, tmp_path):
    summary = restate(capped, tmp_path, date(2003, 7, 10), "1000000.00")
    assert summary.restated == 1
    fund_class = capped.view.fund_class("INTL-BCV", "R")
    assert fund_class.accrued_absc_by_month["2003-07"] == Decimal("2061.65")
    assert fund_class.accrued_service_by_month["2003-07"] == Decimal("2061.64")
    assert interest(capped)["2003-07"] == (Decimal("25.05"), Decimal("1801.76"))
    days = absc_by_day(capped)
    assert days[date(2003, 7, 10)] == Decimal("6.85")
    # The limit moves a day: 08-13 accrues its whole part, 08-14 what remains for it.
    assert [days[date(2003, 8, d)] for d in (13, 14, 15)] == [
        Decimal("68.50"),
        Decimal("20.89"),
        Decimal("0"),
    ]
    assert fund_class.accrued_absc_by_month["2003-08"] == Decimal("911.30")
    assert fund_class.accrued_service_by_month["2003-08"] == Decimal("2123.29")
    # July's interest is the same (on the 5,900.00 it started with), what it left is not;
    # August's interest runs on that, 7.65 instead of 7.13.
    adjusted = [
        (e.month, e.amount_previous, e.amount, e.remaining_after_previous, e.remaining_after)
        for e in events(capped)
        if isinstance(e, FundClass.CapInterestAdjusted)
    ]
    assert adjusted == [
        ("2003-07", Decimal("25.05"), Decimal("25.05"), Decimal("1678.47"), Decimal("1801.76")),
        ("2003-08", Decimal("7.13"), Decimal("7.65"), Decimal("-1294.20"), Decimal("-1225.18")),
    ]
    # August's remaining amount at its end, three ways: the domain, the compliance view, and
    # by hand (the module's docstring): 1,801.76 − 3,034.59 + 7.65 = −1,225.18.
    august_end = interest(capped)["2003-08"][1]
    assert august_end == Decimal("-1225.18")
    assert remaining_shown(capped) == august_end == fund_class.cap_month_start_remaining
    assert fund_class.absc_suspended


def test_a_late_termination_under_the_cap_account_gives_back_what_the_days_charged(capped):
    """Terminated by the IBMs effective 2003-07-20, learnt after August was accrued: July keeps
    19 days, 2,602.74 rounded once (10,000,000 × 0.50% × 19 / 365 = 2,602.739…), 1,301.37 each
    part, all of it charged (A13); July's interest is unchanged (25.05, on the 5,900.00 it
    started with), so July leaves 5,900.00 − 2,602.74 + 25.05 = 3,322.31; August charges
    nothing and earns 3,322.31 × 5% × 31 / 365 = 14.1084… = 14.11, leaving 3,336.42. The
    charge, suspended in August as first accrued, is no longer."""
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
    assert fund_class.accrued_service_by_month["2003-08"] == 0
    assert interest(capped)["2003-07"] == (Decimal("25.05"), Decimal("3322.31"))
    assert interest(capped)["2003-08"] == (Decimal("14.11"), Decimal("3336.42"))
    assert fund_class.cap_month_start_remaining == Decimal("3336.42")
    assert not fund_class.absc_suspended
    assert remaining_shown(capped) == Decimal("3336.42")


def test_after_the_restatement_the_suspension_starts_on_the_day_now_limited(capped, tmp_path):
    """As first accrued the charge was suspended from 08-13; after 07-10 is restated, 08-13
    accrues in full and 08-14 is the first day limited. The flags say so, day by day, for the
    compliance view as of each day and for a later recomputation alike."""
    from domain.fund_class.cap_recompute import cap_history_of

    def suspended_on(day: date) -> bool:
        """Whether the compliance view, as of `day`, says the charge is suspended."""
        row = compliance_as_of(events(capped), day)
        return any("asset-based accruals suspended" in item.text for item in row.items)

    assert (suspended_on(date(2003, 8, 12)), suspended_on(date(2003, 8, 13))) == (False, True)
    restate(capped, tmp_path, date(2003, 7, 10), "1000000.00")
    days = absc_by_day(capped)
    assert days[date(2003, 8, 13)] == Decimal("68.50") and days[date(2003, 8, 14)] < 68
    assert [suspended_on(date(2003, 8, d)) for d in (12, 13, 14, 31)] == [
        False,
        False,
        True,
        True,
    ]
    history = cap_history_of(events(capped))
    assert [history.suspended_before(date(2003, 8, d)) for d in (14, 15)] == [False, True]
    assert capped.view.fund_class("INTL-BCV", "R").absc_suspended
