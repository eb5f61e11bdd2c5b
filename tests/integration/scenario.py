"""A recorded quarter whose report was issued (its files kept), then a week of restated net
assets, on the test's own calendar (commit times frozen): shared by the corrections and bundle
tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time

from adapters.application.commands import Accrue, ImportNetAssets, IssueReport, LoadPlan
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.plan_file import read_plan
from adapters.outputs.reports import quarterly_report, report_files, report_sha256
from tests.builders import approve_plan, net_assets_csv
from tests.conftest import SHIPPED_PLAN
from tests.integration.test_payments import month_constant, pay_distributor

FUND_CLASS = "INTL-BCV/R"
RECORDED_AT = "2003-10-01 12:00:00"
ISSUED_AT = "2003-10-15 12:00:00"
BEFORE_RESTATEMENT = datetime(2003, 10, 20, tzinfo=UTC)
RESTATED_AT = "2003-11-03 12:00:00"
WEEK = [date(2003, 9, day) for day in range(8, 15)]


@pytest.fixture
def read_models(ledger):
    return ledger.read_models


@pytest.fixture
def frozen_ledger(ledger):
    """The shipped plan loaded and approved, recorded (frozen) on 2003-10-01: every commit
    time of these tests is then on the test's own calendar."""
    with freeze_time(RECORDED_AT):
        ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
        approve_plan(ledger)
    return ledger


@pytest.fixture
def quarter(frozen_ledger, read_models, tmp_path):
    """2003Q3 accrued and paid month by month; its report issued on 2003-10-15."""
    ledger = frozen_ledger
    with freeze_time(RECORDED_AT):
        ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "q3.csv", month_constant(0)), NetAssetsRow)
            )
        )
        ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        for month in ("2003-07", "2003-08", "2003-09"):
            pay_distributor(ledger, month, amount=None)
        read_models.catch_up()
    with freeze_time(ISSUED_AT):
        report = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")
        ledger.fund_governance.issue_report(
            IssueReport(
                fund_code="INTL-BCV",
                share_class="R",
                quarter="2003Q3",
                report_sha256=report_sha256(report),
                issued_on=date(2003, 10, 15),
                issued_by="the Distributor",
                files=report_files(report),
            )
        )
        read_models.catch_up()
    return ledger, report


def restate_week(ledger, tmp_path, factor=Decimal("0.98")):
    old = month_constant(0)
    figures = {day: (old[day] * factor).quantize(Decimal("0.01")) for day in WEEK}
    with freeze_time(RESTATED_AT):
        summary = ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "restated.csv", figures), NetAssetsRow),
                restatement_reason=(
                    "NAV error: pricing of one holding corrected by the fund accountant"
                ),
            )
        )
        ledger.read_models.catch_up()
    return old, figures, summary
