"""Read models: kept current incrementally, equal row for row to a rebuild, applied exactly
once even when the runner dies in the middle of a batch. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ImportPositions,
    ReverseDistributorPayment,
)
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from adapters.readside.queries import balances, dollars, split_inputs, trial_balance
from adapters.readside.read_models import TABLES, ReadModels
from domain.ids import fund_class_id
from domain.periods import parse_period
from projections.balances import balances_as_of
from projections.split import combine, split_by_month
from tests import oracles
from tests.builders import net_assets_csv, positions_csv
from tests.conftest import PROJECT_ROOT
from tests.integration.test_payments import agree, month_constant, pay_distributor, pay_provider


@pytest.fixture
def read_models(ledger):
    return ledger.read_models


def snapshot(models: ReadModels) -> dict[str, list[tuple]]:
    """Every read-model table's rows, sorted, for comparison."""
    with models.engine.connect() as conn:
        return {
            name: sorted(tuple(str(value) for value in row) for row in conn.execute(select(table)))
            for name, table in TABLES.items()
            if name != "tracking"
        }


def q3_history(ledger, read_models, tmp_path, *, catch_up_each_step: bool) -> None:
    """Oracle 9(b)'s quarter, catching up the read models after each command (or not)."""
    steps = [
        lambda: ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "c.csv", month_constant(0)), NetAssetsRow)
            )
        ),
        lambda: ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=["INTL-BCV/R"])
        ),
        lambda: agree(ledger, "DEALER-A"),
        lambda: agree(ledger, "DEALER-B"),
        lambda: ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "a.csv", "DEALER-A", month_constant(1)), PositionRow
                )
            )
        ),
        lambda: ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "b.csv", "DEALER-B", month_constant(2)), PositionRow
                )
            )
        ),
        *[
            lambda month=month: pay_distributor(ledger, month)
            for month in ("2003-07", "2003-08", "2003-09")
        ],
        lambda: pay_provider(ledger, "DEALER-A", None, "SF-A"),
        lambda: pay_provider(ledger, "DEALER-B", None, "SF-B"),
    ]
    for step in steps:
        step()
        if catch_up_each_step:
            read_models.catch_up()


def test_incremental_read_models_equal_a_rebuild_row_for_row(loaded_ledger, read_models, tmp_path):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=True)
    incremental = snapshot(read_models)
    # Each accrual and true-up, the fund's 4 lines and the Distributor's mirror; each payment
    # 3 and 3; each service fee the Distributor's 2.
    assert len(incremental["journal_lines"]) == 92 * 8 + 3 * 8 + 3 * 6 + 2 * 2
    read_models.rebuild()
    assert snapshot(read_models) == incremental
    read_models.rebuild(["journal"])
    assert snapshot(read_models) == incremental
    assert set(read_models.positions().values()) == {
        loaded_ledger.store.recorder.max_notification_id()
    }


def test_oracle_9b_comes_out_of_the_split(loaded_ledger, read_models, tmp_path):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=False)
    read_models.catch_up()
    quarter = parse_period("2003Q3")
    months = split_by_month(*split_inputs(read_models.engine, quarter.start, quarter.end_exclusive))
    q3 = combine(
        "INTL-BCV/R", "2003Q3", (months[("INTL-BCV/R", month)] for month in quarter.months())
    )
    assert dollars(q3.plan_payments) == oracles.Q3_2003_DISTRIBUTOR_TOTAL
    assert dollars(q3.service_from_plan) == oracles.Q3_2003_SERVICE_FEES_TOTAL
    assert dollars(q3.deemed_absc) == oracles.Q3_2003_DEEMED_ABSC
    assert q3.plan_payments == q3.service_from_plan + q3.deemed_absc
    assert q3.annualised(q3.deemed_absc) == Decimal("0.00363144")
    assert q3.annualised(q3.service_from_plan) == Decimal("0.00136856")
    assert q3.service_fees_by_provider == {"DEALER-A": 258356, "DEALER-B": 95513}
    assert q3.exceeds() == []


@pytest.mark.parametrize("corrected", [False, True], ids=["as-recorded", "corrected"])
def test_balances_from_the_journal_equal_the_fold_over_events(
    loaded_ledger, read_models, tmp_path, corrected
):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=False)
    if corrected:  # a restated week in August and a reversed payment
        restated = {date(2003, 8, day): Decimal("48000000.00") for day in range(11, 18)}
        loaded_ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "restated.csv", restated), NetAssetsRow),
                restatement_reason="NAV error",
            )
        )
        loaded_ledger.audit.reverse_distributor_payment(
            ReverseDistributorPayment(
                fund_code="INTL-BCV", share_class="R", reference="WIRE-2003-07", reason="mistaken"
            )
        )
    read_models.catch_up()
    for as_of in (date(2003, 7, 31), date(2003, 8, 31), date(2003, 10, 1)):
        events = [
            event
            for key in ("INTL-BCV/R", "STABLE-VALUE/R")
            for event in loaded_ledger.view.stream(fund_class_id(*key.split("/")))
        ]
        folded = {b.fund_class: b for b in balances_as_of(events, as_of)}
        for row in balances(read_models.engine, as_of):
            fold = folded[row.fund_class]
            assert dollars(row.absc_accrued) == fold.absc.accrued
            assert dollars(row.service_accrued) == fold.service.accrued
            assert dollars(row.absc_paid) == fold.absc.paid
            assert dollars(row.service_paid) == fold.service.paid
            assert dollars(row.payable) == fold.total.payable
        accounts = trial_balance(read_models.engine, as_of)
        assert sum(a.debit_cents for a in accounts) == sum(a.credit_cents for a in accounts)


def run_cli(database_url: str, *argv: str, crash_after_rows: int = 0) -> int:
    environment = dict(os.environ, PLANLEDGER_DB=database_url, PLANLEDGER_ACTOR="kill-test")
    if crash_after_rows:
        environment["PLANLEDGER_TEST_CRASH_AFTER_ROWS"] = str(crash_after_rows)
    command = [str(PROJECT_ROOT / ".venv" / "bin" / "planledger"), *argv]
    return subprocess.run(command, env=environment, capture_output=True, check=False).returncode


def test_a_runner_killed_mid_batch_applies_nothing_twice_and_loses_nothing(
    loaded_ledger, read_models, tmp_path, database_url
):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=False)
    before = read_models.positions()
    assert set(before.values()) == {0}
    # The process dies after inserting some rows of its first batch, before committing them.
    assert run_cli(database_url, "balances", "--as-of", "2003-09-30", crash_after_rows=50) == 70
    assert read_models.positions() == before
    assert all(rows == [] for rows in snapshot(read_models).values())
    assert run_cli(database_url, "balances", "--as-of", "2003-09-30") == 0
    caught_up = snapshot(read_models)
    read_models.rebuild()
    assert snapshot(read_models) == caught_up
    assert len(caught_up["journal_entries"]) == len(set(caught_up["journal_entries"]))
