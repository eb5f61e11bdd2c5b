"""An accrual run reports its progress in the work it does, calendar days, not fund classes
(issue 12): a run over two classes through 31 July 2003 counts each class's 31 days."""

from __future__ import annotations

from datetime import date

from adapters.application.commands import Accrue, ImportNetAssets
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from tests.builders import net_assets_csv
from tests.integration.test_payments import month_constant

JULY = {day: value for day, value in month_constant(0).items() if day.month == 7}


def test_an_accrual_run_counts_days(loaded_ledger, tmp_path):
    for fund in ("INTL-BCV", "STABLE-VALUE"):
        path = net_assets_csv(tmp_path / f"{fund}.csv", JULY, fund=fund)
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    reported: list[tuple[int, int]] = []
    loaded_ledger.accruals.accrue(
        Accrue(date(2003, 7, 31), max_carry_days=4),
        lambda done, total: reported.append((done, total)),
    )
    assert reported == [(31, 62), (62, 62)]
