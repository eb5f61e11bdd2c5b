"""The plan's type, compensation or reimbursement, as data on the plan file (issue 11).

Form N-1A Item 19(g) asks whether a plan is a compensation or a reimbursement plan; decision Q3
reads this one as a compensation plan (Schedule B's "full compensation"), and later plans will
be of the other type. The plan file states it (`type` under `[plan]`), the plan instrument
records it, and `plan show`, the quarterly report's plan section and the bundle show it.

The ledger tests run on SQLite and PostgreSQL; the reading of files needs no database.
"""

from __future__ import annotations

import pytest

from adapters.application.commands import LoadPlan
from adapters.inputs.errors import InputError
from adapters.inputs.plan_file import read_plan
from domain.errors import RuleViolation
from domain.ids import plan_instrument_id
from domain.instrument import PlanInstrument
from domain.plan import PlanType
from tests.builders import plan_copy, sha256_of
from tests.conftest import SHIPPED_PLAN, count_events

TYPE_LINE = 'type = "compensation"'


def recorded(ledger, plan_path) -> PlanInstrument.PlanInstrumentRecorded:
    document_sha256 = sha256_of(plan_path.parent / "plan.txt")
    first, *_ = list(ledger.view.stream(plan_instrument_id(document_sha256)))
    assert isinstance(first, PlanInstrument.PlanInstrumentRecorded)
    return first


def test_the_shipped_plan_states_that_it_is_a_compensation_plan():
    assert read_plan(SHIPPED_PLAN).terms.plan_type is PlanType.COMPENSATION


def test_the_shipped_plan_is_recorded_as_a_compensation_plan(ledger):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    assert recorded(ledger, SHIPPED_PLAN).plan_type == "compensation"
    assert ledger.view.plan_type_of(ledger.view.fund_class("INTL-BCV", "R")) == "compensation"


def test_a_reimbursement_plan_is_recorded_as_one(ledger, tmp_path):
    plan = plan_copy(tmp_path, {TYPE_LINE: 'type = "reimbursement"'})
    ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    assert recorded(ledger, plan).plan_type == "reimbursement"
    assert ledger.view.plan_type_of(ledger.view.fund_class("INTL-BCV", "R")) == "reimbursement"


def test_the_same_document_read_as_the_other_type_is_refused(ledger, store, tmp_path):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    before = count_events(store)
    other = plan_copy(tmp_path, {TYPE_LINE: 'type = "reimbursement"'})
    with pytest.raises(RuleViolation) as refused:
        ledger.plans.load_plan(LoadPlan(read_plan(other)))
    assert refused.value.rule == "plan-type-changed"
    assert "recorded as a compensation plan" in refused.value.detail
    assert count_events(store) == before


def test_loading_the_shipped_plan_again_writes_nothing(ledger, store):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    before = count_events(store)
    assert not ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN))).created
    assert count_events(store) == before


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("", "Field required"),
        ('type = "Compensation"', "'compensation' or 'reimbursement'"),
        ('type = "mixed"', "'compensation' or 'reimbursement'"),
        ('type = ""', "'compensation' or 'reimbursement'"),
        ("type = 1", "'compensation' or 'reimbursement'"),
        ('type = ["compensation"]', "'compensation' or 'reimbursement'"),
    ],
)
def test_a_plan_file_without_a_known_type_is_bad_input_naming_the_field(tmp_path, line, words):
    plan = plan_copy(tmp_path, {TYPE_LINE: line})
    with pytest.raises(InputError) as refused:
        read_plan(plan)
    (problem,) = refused.value.problems
    assert (problem.file, problem.field) == ("plan.toml", "plan.type")
    assert words in problem.message


def test_the_quarterly_reports_plan_section_names_the_type(quarter):
    _, report = quarter
    assert report["plan"]["type"] == "compensation"
