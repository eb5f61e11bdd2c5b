"""An instrument recorded before the plan's type was data reads as a compensation plan.

`PlanInstrumentRecorded` version 1 had no `plan_type`: the code of then treated every plan as
a compensation plan (decision Q3), so the upcast to version 2 states exactly that. Stored
events are never rewritten; the upcast runs as an event is read.
"""

from __future__ import annotations

from adapters.store.event_codec import EventCodec
from domain.instrument import PlanInstrument

RECORDED = PlanInstrument.PlanInstrumentRecorded


def test_a_version_1_instrument_reads_as_a_compensation_plan():
    stored = {"plan_key": "aim-class-r-2003", "title": "Plan"}  # no class_version: version 1
    assert EventCodec(RECORDED).decode(stored)["plan_type"] == "compensation"


def test_a_version_2_instrument_keeps_its_type():
    stored = {"plan_key": "later", "plan_type": "reimbursement", "class_version": 2}
    assert EventCodec(RECORDED).decode(stored)["plan_type"] == "reimbursement"


def test_a_new_instrument_is_stored_at_version_2():
    assert RECORDED.class_version == 2
