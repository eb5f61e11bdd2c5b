"""The compiled JSON writer of an event class writes the very text the generic path writes
(adapters/store/event_codec.py): the stored bytes, and so the hash chain over them, do not
depend on which path stored an event."""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import domain
from adapters.store.event_codec import EventCodec
from domain.events import LedgerEvent

ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def _event_classes() -> list[type]:
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found, pending = set(), [LedgerEvent]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return sorted((cls for cls in found if "TOPIC" in vars(cls)), key=lambda cls: cls.TOPIC)


CODECS = [EventCodec(cls) for cls in _event_classes()]
WRITTEN = [codec for codec in CODECS if codec.write_json is not None]

VALUES: dict[type, st.SearchStrategy[Any]] = {
    str: st.text(),  # quotes, backslashes, control characters, braces, any code point
    int: st.integers(min_value=-(10**30), max_value=10**30),
    bool: st.booleans(),
    Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=None),
    date: st.dates(),
    datetime: st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))])),
}


def _state(codec: EventCodec, draw: st.DrawFn) -> dict[str, Any]:
    state: dict[str, Any] = {"originator_id": "id", "originator_version": 1}
    for field in codec.fields:
        assert field.kind is not None
        choices = VALUES[field.kind]
        if field.optional:
            choices = st.none() | choices
        state[field.name] = draw(choices)
    return state


@st.composite
def events(draw: st.DrawFn) -> tuple[EventCodec, dict[str, Any]]:
    codec = draw(st.sampled_from(WRITTEN))
    return codec, _state(codec, draw)


def test_the_ingested_events_have_a_writer():
    topics = {codec.event_class.TOPIC for codec in WRITTEN}  # type: ignore[attr-defined]
    assert {
        "planledger.FundClass.FeeAccrued",
        "planledger.FundClass.AccrualTrueUpPosted",
        "planledger.FundClass.NetAssetsRecorded",
    } <= topics


@settings(max_examples=400)
@given(events())
def test_the_writer_writes_what_the_encoder_writes(event: tuple[EventCodec, dict[str, Any]]):
    codec, state = event
    assert codec.write_json is not None
    assert codec.write_json(state) == ENCODER.encode(codec.encode(state))


@st.composite
def accruals(draw: st.DrawFn) -> dict[str, Any]:
    return _state(ACCRUAL, draw)


ACCRUAL = next(c for c in WRITTEN if c.event_class.__name__ == "FeeAccrued")


@settings(max_examples=50)
@given(accruals())
def test_a_value_not_of_its_declared_type_takes_the_generic_path(state: dict[str, Any]):
    assert ACCRUAL.write_json is not None
    assert ACCRUAL.write_json(state) is not None
    for name, odd in (("days_in_year", True), ("amount", 1.5), ("basis_date", datetime.now(UTC))):
        assert ACCRUAL.write_json({**state, name: odd}) is None
    assert ACCRUAL.write_json({**state, "extra": "x"}) is None
