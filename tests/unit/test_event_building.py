"""An event built directly (domain/event_building.py) is the event the library builds: the
same fields in the same order, the same stored bytes, the same aggregate after it; and a call
the direct path cannot take goes to the library, which refuses it as it always did."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import JSONTranscoder

from adapters.inputs.plan_file import read_plan_file
from adapters.store.event_codec import LedgerMapper
from domain.event_building import _DIRECT_FIELDS, direct_fields
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.periods import month_period

PLAN = Path(__file__).resolve().parents[2] / "plans" / "aim-class-r-2003" / "plan.toml"
TERMS, _ = read_plan_file(PLAN)
PROVENANCE = Provenance("unit-test", "building")
TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _two_months() -> tuple[FundClass, list[Any]]:
    """A class approved, with net assets, accrued over two months (true-ups included)."""
    fund_class = FundClass.adopt(TERMS, TERMS.funds[0], PROVENANCE)
    fund_class.approve_plan("R-2003-06-1", "M-2003-06", date(2003, 6, 17), PROVENANCE)
    july, august = month_period(date(2003, 7, 1)), month_period(date(2003, 8, 1))
    for day, amount in [(july.start, "10000000.00"), (august.start, "10234567.89")]:
        fund_class.record_net_assets(day, Decimal(amount), PROVENANCE)
    fund_class.accrue_through(august.end_inclusive, PROVENANCE, max_carry_days=31)
    return fund_class, list(fund_class.collect_events())


def test_direct_events_are_the_librarys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FundClass.Event, "create_timestamp", staticmethod(lambda: TIME))
    direct, direct_events = _two_months()
    # All but the first of each kind were built directly.
    assert _DIRECT_FIELDS[(FundClass, FundClass.FeeAccrued)] is not None
    with monkeypatch.context() as library_only:
        library_only.setattr(FundClass, "trigger_event", Aggregate.trigger_event)
        by_library, library_events = _two_months()
    assert len(direct_events) == len(library_events) > 60
    mapper = LedgerMapper(transcoder=JSONTranscoder())
    for event, twin in zip(direct_events, library_events, strict=True):
        assert type(event) is type(twin)
        assert list(vars(event).items()) == list(vars(twin).items())
        assert event == twin
        assert mapper.to_stored_event(event) == mapper.to_stored_event(twin)
    assert vars(direct) == vars(by_library)


def test_a_call_the_direct_path_cannot_take_is_the_librarys() -> None:
    fund_class, events = _two_months()
    accrual = next(event for event in events if isinstance(event, FundClass.FeeAccrued))
    fields = {
        name: value
        for name, value in vars(accrual).items()
        if name not in ("originator_id", "originator_version", "timestamp")
    }
    fields["business_date"] = date(2003, 9, 1)
    with pytest.raises(TypeError, match="Can't construct event"):
        fund_class.trigger_event(FundClass.FeeAccrued, **fields, unknown=1)
    del fields["cap_charge"]
    with pytest.raises(TypeError, match="Can't construct event"):
        fund_class.trigger_event(FundClass.FeeAccrued, **fields)
    fields["cap_charge"] = Decimal("0.00")
    fund_class.trigger_event(FundClass.FeeAccrued, **fields, timestamp=TIME)
    assert fund_class.collect_events()[-1].timestamp == TIME


def test_only_plain_dataclass_events_are_built_directly() -> None:
    fields = direct_fields(FundClass.FeeAccrued)
    assert fields is not None and "cap_charge" in fields and "timestamp" not in fields

    class Checked(DomainEvent):
        def __post_init__(self) -> None:
            raise ValueError("checked")

    assert direct_fields(Checked) is None
    assert direct_fields(dict) is None
