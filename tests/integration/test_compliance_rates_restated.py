"""The compliance view's annualised rates follow a restatement (SQLite and PostgreSQL).

INTL-BCV at 10,000,000.00 a day from 2003-07-01; an amendment lowers the asset-based rate to
0.20% from 2003-09-15 (a decrease takes effect at the meeting). The plan year to 2003-09-30
then mixes days at 0.25% and at 0.20%, so the annualised asset-based rate is a weighted
average: restating 2003-09-20 down to 1,000,000.00 moves it. Expected, exactly:
Σ(basis × rate / days) / Σ(basis / days) over the plan year's days, quantized to 1E-8.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from adapters.application.commands import ImportNetAssets
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.ids import fund_class_id
from projections.compliance import compliance_as_of
from tests.builders import every_day, net_assets_csv
from tests.integration.test_governance import FIGURES, accrue, amendment, meet

RESTATED_DAY, RESTATED = date(2003, 9, 20), Decimal("1000000.00")


def expected_absc_rate(restated: bool) -> Decimal:
    weighted, weights = Fraction(0), Fraction(0)
    for day in every_day(date(2003, 7, 1), date(2003, 9, 30)):
        basis = Fraction(RESTATED if restated and day == RESTATED_DAY else FIGURES[day])
        rate = Fraction(20, 10000) if day >= date(2003, 9, 15) else Fraction(25, 10000)
        weighted += basis * rate / 365
        weights += basis / 365
    exact = weighted / weights
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("1E-8"), rounding=ROUND_HALF_EVEN
    )


def shown(ledger) -> Decimal | None:
    stream = ledger.view.stream(fund_class_id("INTL-BCV", "R"))
    return compliance_as_of(stream, date(2003, 9, 30)).absc_annualised


def test_the_annualised_rate_follows_a_restated_day(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    meet(ledger, date(2003, 9, 15), amendment("A-1", "0.0020", "0.0025", "0.0045"))
    accrue(ledger, date(2003, 9, 30))
    assert shown(ledger) == expected_absc_rate(restated=False)
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "r.csv", {RESTATED_DAY: RESTATED}), NetAssetsRow),
            restatement_reason="NAV error",
        )
    )
    assert expected_absc_rate(restated=True) != expected_absc_rate(restated=False)
    assert shown(ledger) == expected_absc_rate(restated=True)
