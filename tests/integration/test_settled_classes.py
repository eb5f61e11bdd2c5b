"""A fund class a bulk command saved is handed to the next load as it is (LedgerStore.settle),
but only while it is the stored one: never after a command changed it without saving it, nor
after another writer appended to its stream; and once taken it is not handed out again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import Accrue, ImportNetAssets
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.errors import RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests.builders import every_day, write_csv

JULY = every_day(date(2003, 7, 1), date(2003, 7, 31))
INTL = fund_class_id("INTL-BCV", "R")


def _import_july(ledger, tmp_path) -> None:
    rows = [("INTL-BCV", "R", day.isoformat(), "10000000.00") for day in JULY]
    csv_path = write_csv(tmp_path / "figures.csv", ["fund", "class", "date", "net_assets"], rows)
    ledger.figures.import_net_assets(ImportNetAssets(read_csv(csv_path, NetAssetsRow)))


def _stored(store, aggregate_id) -> dict:
    fresh = store.repository.get(aggregate_id)
    return {key: value for key, value in vars(fresh).items() if key != "_pending_events"}


def test_the_accrual_takes_the_class_the_import_saved(loaded_ledger, tmp_path):
    store = loaded_ledger.store
    _import_july(loaded_ledger, tmp_path)
    settled = store._settled[INTL]
    assert settled.version == store.repository.get(INTL).version
    loaded_ledger.accruals.accrue(
        Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=["INTL-BCV/R"])
    )
    # Taken by the accrual, which saved it again: settled anew, as stored.
    accrued = store._settled[INTL]
    assert accrued is settled and accrued.last_accrued_day == date(2003, 7, 31)
    assert {k: v for k, v in vars(accrued).items() if k != "_pending_events"} == _stored(
        store, INTL
    )


def test_a_refused_run_leaves_nothing_settled(loaded_ledger, tmp_path):
    store = loaded_ledger.store
    _import_july(loaded_ledger, tmp_path)
    # STABLE-VALUE has no figures: the run is refused after it took INTL-BCV to plan it.
    with pytest.raises(RuleViolations):
        loaded_ledger.accruals.accrue(Accrue(date(2003, 7, 31), max_carry_days=4))
    assert INTL not in store._settled
    assert loaded_ledger.view.fund_class("INTL-BCV", "R").last_accrued_day is None


def test_a_class_changed_and_not_saved_is_not_handed_out(loaded_ledger, tmp_path):
    store = loaded_ledger.store
    _import_july(loaded_ledger, tmp_path)
    taken = store.take_settled(INTL)
    assert taken is not None and store.take_settled(INTL) is None  # taken once
    store.settle([taken])
    # A command changes it, then is refused: its events are never saved.
    taken.record_net_assets(date(2003, 8, 1), Decimal("1.00"), loaded_ledger.ports.provenance("t"))
    assert store.take_settled(INTL) is None
    assert (
        loaded_ledger.view.fund_class("INTL-BCV", "R").version == _stored(store, INTL)["_version"]
    )


def test_a_class_another_writer_appended_to_is_read_again(loaded_ledger, tmp_path):
    store = loaded_ledger.store
    _import_july(loaded_ledger, tmp_path)
    other: FundClass = store.repository.get(INTL)
    other.record_net_assets(date(2003, 8, 1), Decimal("1.00"), loaded_ledger.ports.provenance("t"))
    store.save(other)
    assert store.take_settled(INTL) is None
    loaded = loaded_ledger.view.fund_class("INTL-BCV", "R")
    assert loaded.version == other.version
    assert loaded.net_assets_by_date["2003-08-01"] == Decimal("1.00")
