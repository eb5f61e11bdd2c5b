"""A movement of the FINRA aggregate-cap account dated the first day of a month counts once,
however far the accrual run that closes the month before it reaches (SQLite and PostgreSQL).

INTL-BCV's account opens at the end of 2003-06-30 with 10,000.00 remaining, prime 4.00%
(interest at 5.00%). New gross sales of 1,000,000.00 on 2003-08-01 add 62,500.00 (6.25%,
NASD 2830(d)). They are recorded before July and August are accrued in one run, so when July
closes the account already holds a line dated the day after July's end: it belongs to August,
and must not be in July's closing remaining amount and again in August's.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from adapters.application.commands import (
    Accrue,
    ImportGrossSales,
    ImportNetAssets,
    OpenCapAccount,
    SetPrimeRate,
)
from adapters.inputs.csv_files import GrossSalesRow, NetAssetsRow, read_csv
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from projections.compliance import compliance_as_of
from tests.builders import every_day, net_assets_csv, write_csv

NET_ASSETS = Decimal("10000000.00")


def half_up(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_total(days: int) -> Decimal:
    """A month's deemed charge: both parts at 0.25%, rounded once (decision A13)."""
    return half_up(Fraction(NET_ASSETS) * Fraction(5, 1000) * days / 365)


def test_sales_dated_the_first_of_a_month_count_once(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    figures = {day: NET_ASSETS for day in every_day(date(2003, 6, 30), date(2003, 8, 31))}
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", figures), NetAssetsRow))
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", date(2003, 6, 30), Decimal("10000.00"), "test")
    )
    ledger.fund_governance.set_prime_rate(SetPrimeRate(date(2003, 6, 27), Decimal("0.04"), "test"))
    sales = write_csv(
        tmp_path / "s.csv",
        ["fund", "class", "date", "gross_sales"],
        [("INTL-BCV", "R", "2003-08-01", "1000000.00")],
    )
    ledger.figures.import_gross_sales(ImportGrossSales(read_csv(sales, GrossSalesRow)))
    ledger.accruals.accrue(Accrue(date(2003, 8, 31), max_carry_days=4, fund_classes=["INTL-BCV/R"]))

    july_interest = half_up(Fraction(10_000) * Fraction(5, 100) * 31 / 365)  # 42.47
    july_end = Decimal("10000.00") - month_total(31) + july_interest
    august_interest = half_up(Fraction(july_end) * Fraction(5, 100) * 31 / 365)
    august_end = july_end + Decimal("62500.00") - month_total(31) + august_interest

    stream = list(ledger.view.stream(fund_class_id("INTL-BCV", "R")))
    closing = {
        event.month: event.remaining_after
        for event in stream
        if isinstance(event, FundClass.CapInterestCredited)
    }
    assert closing == {"2003-07": july_end, "2003-08": august_end}
    assert compliance_as_of(stream, date(2003, 8, 31)).cap_remaining == august_end
