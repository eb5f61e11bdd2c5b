"""Importing net assets: all rows or none, idempotent, restatements only with a reason.

Every test runs on SQLite and PostgreSQL and checks, for each refusal, the message and that
the event count did not move.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import Accrue, ImportNetAssets
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.errors import InputError
from domain.errors import RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests.builders import net_assets_csv, write_csv
from tests.conftest import count_events

JULY = {date(2003, 7, 1): "10000000.00", date(2003, 7, 2): "10012345.67"}


def test_rows_become_events_with_their_file_row_and_key(loaded_ledger, tmp_path):
    path = net_assets_csv(tmp_path / "nav.csv", JULY)
    summary = loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    assert (summary.rows, summary.recorded, summary.unchanged) == (2, 2, 0)
    events = list(loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[2:]
    assert [type(event) for event in events] == [FundClass.NetAssetsRecorded] * 2
    first = events[0]
    assert first.net_assets == Decimal("10000000.00")
    assert first.business_date == date(2003, 7, 1)
    assert first.source.startswith("nav.csv sha256:") and first.source.endswith("#row=2")
    assert first.idempotency_key == "net-assets/INTL-BCV/R/2003-07-01"
    assert first.actor == "test-accountant"


def test_reimporting_the_same_file_writes_nothing(loaded_ledger, store, tmp_path):
    path = net_assets_csv(tmp_path / "nav.csv", JULY)
    loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    before = count_events(store)
    summary = loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    assert (summary.recorded, summary.unchanged) == (0, 2)
    assert count_events(store) == before


def test_every_bad_row_is_named_with_its_field_and_nothing_is_written(
    loaded_ledger, store, tmp_path
):
    path = write_csv(
        tmp_path / "bad.csv",
        ["fund", "class", "date", "net_assets"],
        [
            ("INTL-BCV", "R", "2003-07-01", "10000000.00"),
            ("INTL-BCV", "R", "2003-07-32", "10000000.00"),
            ("INTL-BCV", "R", "2003-07-03", "-5.00"),
            ("intl", "R", "2003-07-04", "1.234"),
            ("INTL-BCV", "R", "2003-07-07", "ten million"),
        ],
    )
    before = count_events(store)
    with pytest.raises(InputError) as bad:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    found = {(problem.row, problem.field) for problem in bad.value.problems}
    assert found == {
        (3, "date"),
        (4, "net_assets"),
        (5, "fund"),
        (5, "net_assets"),
        (6, "net_assets"),
    }
    assert all(problem.file == "bad.csv" for problem in bad.value.problems)
    assert "bad.csv, row 4, field 'net_assets': " in str(bad.value.problems[1])
    assert count_events(store) == before


def test_missing_and_unknown_columns_are_reported_on_the_header_row(loaded_ledger, tmp_path):
    path = write_csv(tmp_path / "h.csv", ["fund", "klass", "date", "net_assets"], [])
    with pytest.raises(InputError) as bad:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    assert {(p.row, p.field) for p in bad.value.problems} == {(1, "class"), (1, "klass")}


def test_unknown_fund_class_is_bad_input(loaded_ledger, store, tmp_path):
    path = net_assets_csv(tmp_path / "x.csv", JULY, fund="NO-SUCH-FUND")
    before = count_events(store)
    with pytest.raises(InputError) as bad:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    (problem,) = bad.value.problems
    assert (problem.row, problem.field) == (2, "fund")
    assert "unknown fund class NO-SUCH-FUND/R" in problem.message
    assert count_events(store) == before


def test_contradicting_rows_in_one_file_are_bad_input(loaded_ledger, tmp_path):
    path = write_csv(
        tmp_path / "dup.csv",
        ["fund", "class", "date", "net_assets"],
        [
            ("INTL-BCV", "R", "2003-07-01", "1.00"),
            ("INTL-BCV", "R", "2003-07-01", "1.00"),
            ("INTL-BCV", "R", "2003-07-01", "2.00"),
        ],
    )
    with pytest.raises(InputError) as bad:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(path, NetAssetsRow)))
    (problem,) = bad.value.problems
    assert problem.row == 4
    assert "contradicts 1.00 on row 2" in problem.message


def test_a_changed_figure_is_refused_unless_it_is_a_restatement(loaded_ledger, store, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "a.csv", JULY), NetAssetsRow))
    )
    changed = net_assets_csv(
        tmp_path / "b.csv", {date(2003, 7, 1): "10000000.00", date(2003, 7, 2): "10012000.00"}
    )
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(changed, NetAssetsRow)))
    (violation,) = refused.value.violations
    assert violation.rule == "net-assets-restatement-required"
    assert "b.csv row 3" in violation.detail
    assert "differs from the recorded 10012345.67" in violation.detail
    assert count_events(store) == before

    summary = loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(changed, NetAssetsRow), restatement_reason="NAV error corrected")
    )
    assert (summary.restated, summary.unchanged) == (1, 1)
    restated = list(loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-1]
    assert isinstance(restated, FundClass.NetAssetsRestated)
    assert restated.net_assets_previous == Decimal("10012345.67")
    assert restated.net_assets == Decimal("10012000.00")
    assert restated.reason == "NAV error corrected"
    assert loaded_ledger.view.fund_class("INTL-BCV", "R").net_assets_by_date[
        "2003-07-02"
    ] == Decimal("10012000.00")


def test_a_figure_for_a_day_accrued_on_a_carried_basis_needs_a_restatement(
    loaded_ledger, store, tmp_path
):
    figures = {date(2003, 7, 3): "10025000.00", date(2003, 7, 7): "10030500.25"}
    figures.update(JULY)
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "a.csv", figures), NetAssetsRow))
    )
    loaded_ledger.accruals.accrue(
        Accrue(date(2003, 7, 7), max_carry_days=4, fund_classes=["INTL-BCV/R"])
    )
    late = net_assets_csv(tmp_path / "late.csv", {date(2003, 7, 4): "10025000.00"})
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(late, NetAssetsRow)))
    assert "already accrued on the basis of an earlier figure" in str(refused.value)
    assert count_events(store) == before
