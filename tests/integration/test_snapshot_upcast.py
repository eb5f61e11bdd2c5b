"""Snapshots written before the fund class kept typed records (FundClass class_version 3,
ServiceArrangement 1) load through the upcasts into the aggregate a replay builds."""

from __future__ import annotations

import gzip
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from adapters.store.persistence import LedgerStore, parse_database_url
from adapters.store.verify import Verification, verify_snapshots
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.periods import month_period
from domain.service import ServiceArrangement

LEDGER = Path(__file__).resolve().parents[1] / "data" / "ledger-before-house" / "planledger.db.gz"
FUND_CLASS_ID = UUID("d7ae62e5799b5a1d9405bb97737968df")
ARRANGEMENT_ID = UUID("401777fe324a5be59c5450cec8f57f22")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LedgerStore:
    path = tmp_path_factory.mktemp("before-house") / "planledger.db"
    with gzip.open(LEDGER) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return LedgerStore(env=parse_database_url(str(path)).environment)


def snapshot_and_replay(store: LedgerStore, stream_id: UUID, version: int) -> tuple[Any, Any]:
    assert store.snapshots is not None
    [snapshot] = store.snapshots.get(stream_id, gt=version - 1, lte=version)
    replayed = None
    for event in store.events.get(stream_id, lte=version):
        replayed = event.mutate(replayed)
    return snapshot, replayed


def payloads(aggregate: Any) -> list[dict[str, Any]]:
    """The new events' fields, without the time they were made."""
    return [
        {key: value for key, value in vars(event).items() if key != "timestamp"}
        for event in aggregate.collect_events()
    ]


def state(aggregate: Any) -> dict[str, Any]:
    return {key: value for key, value in vars(aggregate).items() if key != "_pending_events"}


@pytest.mark.parametrize("version", [255, 633])
def test_a_version_3_fund_class_snapshot_loads_as_the_replayed_aggregate(
    store: LedgerStore, version: int
) -> None:
    snapshot, replayed = snapshot_and_replay(store, FUND_CLASS_ID, version)
    assert snapshot.state["class_version"] == 3
    loaded = snapshot.mutate(None)
    assert isinstance(loaded, FundClass) and isinstance(replayed, FundClass)
    assert state(loaded) == state(replayed)
    # And they behave alike: balances, the standing, and the next accrual run.
    assert loaded.payable == replayed.payable
    july = month_period(date(2003, 7, 1))
    assert loaded.accrued_in(july) == replayed.accrued_in(july)
    assert loaded.standing().authorities_by_day(list(july.each_day())) == (
        replayed.standing().authorities_by_day(list(july.each_day()))
    )
    next_day = (
        loaded.effective_date
        if loaded.last_accrued_day is None
        else loaded.last_accrued_day + timedelta(days=1)
    )
    through = month_period(next_day).end_inclusive
    provenance = Provenance("test", "upcast")
    runs = [
        aggregate.accrue_through(through, provenance, max_carry_days=10**4)
        for aggregate in (loaded, replayed)
    ]
    assert runs[0] == runs[1] and runs[0].days_accrued > 0
    assert payloads(loaded) == payloads(replayed)
    assert state(loaded) | {"_modified_on": None} == state(replayed) | {"_modified_on": None}


def test_a_version_1_arrangement_snapshot_loads_as_the_replayed_aggregate(
    store: LedgerStore,
) -> None:
    snapshot, replayed = snapshot_and_replay(store, ARRANGEMENT_ID, 254)
    assert "class_version" not in snapshot.state
    loaded = snapshot.mutate(None)
    assert isinstance(loaded, ServiceArrangement)
    assert state(loaded) == state(replayed)
    assert loaded.agreements and loaded.agreements == replayed.agreements


def test_verify_still_accepts_every_snapshot_written_before(store: LedgerStore) -> None:
    result = Verification()
    verify_snapshots(store, result)
    assert (result.snapshots, result.findings) == (7, [])
