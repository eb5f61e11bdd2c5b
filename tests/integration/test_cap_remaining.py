"""The FINRA aggregate cap's remaining amount is one figure: the domain's, shown by compliance
and the bundle alike. Runs on SQLite and PostgreSQL.

The account opens at the end of a day: only the deemed asset-based charge of days after that
day is charged to it (docs/decisions.md A11, the remaining amount computed in one place; A13,
the whole plan accrual until service fees are passed on).
"""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import Decimal

from adapters.application.commands import Accrue, ImportNetAssets, OpenCapAccount, SetPrimeRate
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.outputs.bundle import export_bundle
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from projections.compliance import compliance_as_of
from tests.builders import every_day, net_assets_csv

INTL = "INTL-BCV/R"
NET_ASSETS = Decimal("10000000.00")
ABSC_RATE_ANNUAL = Decimal("0.0025")
OPENING_REMAINING = Decimal("1000.00")


def _accrue(ledger, through: date) -> None:
    ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[INTL]))


def test_compliance_and_the_domain_charge_the_same_days_to_the_remaining_amount(
    loaded_ledger, tmp_path
):
    ledger = loaded_ledger
    figures = {day: NET_ASSETS for day in every_day(date(2003, 6, 30), date(2003, 7, 31))}
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", figures), NetAssetsRow))
    )
    ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0"), "zero, to isolate the charge")
    )
    # Accrued for ten days, then the account opens at the end of 2003-07-15, then more days:
    # 07-11 to 07-15 are accrued after the opening was recorded but are dated on or before it.
    _accrue(ledger, date(2003, 7, 10))
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", date(2003, 7, 15), OPENING_REMAINING, "test")
    )
    _accrue(ledger, date(2003, 7, 20))

    # Independently: each day's asset-based part is 10,000,000 x 0.25% / 365 = 68.4931...,
    # and the day's total 136.99 (0.50% / 365, rounded) gives its odd cent to that part: 68.50.
    # With no service fee passed on, the whole 136.99 is deemed an asset-based charge (A13).
    daily_exact = NET_ASSETS * ABSC_RATE_ANNUAL / 365
    assert daily_exact.quantize(Decimal("0.01")) == Decimal("68.49")
    assert (NET_ASSETS * 2 * ABSC_RATE_ANNUAL / 365).quantize(Decimal("0.01")) == Decimal("136.99")
    charged_days = [date(2003, 7, day) for day in range(16, 21)]
    expected = OPENING_REMAINING - len(charged_days) * Decimal("136.99")
    assert expected == Decimal("315.05")
    accrued = {
        event.business_date: event.absc_amount
        for event in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(event, FundClass.FeeAccrued)
    }
    assert [accrued[day] for day in charged_days] == [Decimal("68.50")] * 5

    domain = ledger.view.fund_class("INTL-BCV", "R").cap_remaining_at_end_of(date(2003, 7, 20))
    shown = compliance_as_of(
        ledger.view.stream(fund_class_id("INTL-BCV", "R")), date(2003, 7, 20)
    ).cap_remaining
    assert domain == expected
    assert shown == expected
    # On the opening day itself, before any charge: the opening balance.
    opening_day = compliance_as_of(
        ledger.view.stream(fund_class_id("INTL-BCV", "R")), date(2003, 7, 15)
    ).cap_remaining
    assert opening_day == OPENING_REMAINING
    bundle = export_bundle(ledger.view, date(2003, 7, 20), None, tmp_path / "b.zip").path
    with zipfile.ZipFile(bundle) as archive:
        [row] = [
            row
            for row in json.loads(archive.read("read-models/governance.json"))["fund_classes"]
            if row["fund_class"] == INTL
        ]
    assert row["cap_remaining"] == str(expected)
