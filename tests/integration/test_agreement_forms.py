"""The forms of the SEVENTH provider agreements are "agreements related to the plan": the board
approves each form (Rule 12b-1(b)(2)), and no service fee is paid under an agreement made on a
form the board had not approved on every day the fee pays for (issue 11; decision A15).

Worked example: DEALER-A's Service Agreement (SEVENTH (A)) on INTL-BCV/R at 0.25% from
2003-07-01, its customers' shares worth 1,000,000.00 every day of 2003Q3. Capped fees, worked
here by hand and rounded down to the cent (decision Q19): September 2003
1,000,000.00 x 0.25% x 30 / 365 = 205.479... -> 205.47; the quarter
1,000,000.00 x 0.25% x 92 / 365 = 630.136... -> 630.13.

Each refusal is checked for its rule, its clause, what it names, and for writing nothing.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest

from adapters.application.commands import ImportPositions, PayProvider, RecordMeeting
from adapters.inputs.csv_files import PositionRow, read_csv
from domain.board import board_id
from domain.errors import RuleViolation
from domain.governance import AttendanceMode
from domain.periods import Period, parse_period
from tests.builders import (
    FORM_A,
    approve_plan,
    every_day,
    form_resolution,
    meeting_record,
    positions_csv,
)
from tests.conftest import SHIPPED_PLAN, count_events
from tests.integration.test_payments import agree

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
POSITION = Decimal("1000000.00")


def capped(days: int) -> Decimal:
    return (POSITION * Decimal("0.0025") * days / 365).quantize(Decimal("0.01"), ROUND_DOWN)


def with_positions(ledger, tmp_path):
    agree(ledger, "DEALER-A", form=FORM_A)
    figures = {day: POSITION for day in every_day(date(2003, 7, 1), date(2003, 9, 30))}
    ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "p.csv", "DEALER-A", figures), PositionRow)
        )
    )
    return ledger


@pytest.fixture
def plan_only_ledger(ledger, tmp_path):
    """The plan approved on 2003-06-17 with no form of agreement: DEALER-A's agreement is made
    on a form the board has not (yet) approved."""
    from adapters.application.commands import LoadPlan
    from adapters.inputs.plan_file import read_plan

    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    approve_plan(ledger, forms=False)
    return with_positions(ledger, tmp_path)


@pytest.fixture
def forms_ledger(loaded_ledger, tmp_path):
    """The plan and the forms of Service and Third Party Agreement approved on 2003-06-17."""
    return with_positions(loaded_ledger, tmp_path)


def meet(ledger, day, *resolutions, company=COMPANY, **options):
    return ledger.boards.record_meeting(
        RecordMeeting(
            company,
            meeting_record(f"{company}-{day}", day, list(resolutions), **options),
            source="test",
        )
    )


def pay(ledger, period: Period, reference: str, amount: Decimal | None = None):
    return ledger.payments.pay_provider(
        PayProvider(
            provider_code="DEALER-A",
            fund_code="INTL-BCV",
            share_class="R",
            period=period,
            amount=amount,
            paid_on=period.end_exclusive,
            reference=reference,
            paid_or_advanced="paid",
            max_carry_days=4,
        )
    )


def refused(ledger, period: Period, reference: str) -> RuleViolation:
    before = count_events(ledger.store)
    with pytest.raises(RuleViolation) as raised:
        pay(ledger, period, reference, Decimal("100.00"))
    assert count_events(ledger.store) == before
    error = raised.value
    assert error.rule == "agreement-form-not-approved"
    assert "SEVENTH" in error.clause and "Rule 12b-1(b)(2)" in error.clause
    return error


def board_events(ledger, name: str):
    board = ledger.view.load(board_id(COMPANY))
    assert board is not None
    return [
        event
        for event in ledger.store.repository.event_store.get(board.id)
        if type(event).__name__ == name
    ]


def test_a_fee_under_a_form_the_board_never_approved_is_refused_naming_the_form_and_kind(
    plan_only_ledger,
):
    error = refused(plan_only_ledger, parse_period("2003Q3"), "SF-Q3")
    message = str(error)
    assert FORM_A in message and "SEVENTH (A)" in message
    assert "never approved" in message and "would pay for 2003-07-01" in message


def test_a_form_approved_after_the_days_paid_for_does_not_cover_them(plan_only_ledger):
    meet(plan_only_ledger, date(2003, 8, 15), form_resolution("F-A", "A", FORM_A, [INTL]))
    error = refused(plan_only_ledger, parse_period("2003Q3"), "SF-Q3")
    assert "would pay for 2003-07-01" in str(error)
    assert "approved only on 2003-08-15 (resolution F-A)" in str(error)
    error = refused(plan_only_ledger, parse_period("2003-08"), "SF-AUG")
    assert "would pay for 2003-08-01" in str(error)
    # September lies wholly after the approval: paid up to its cap.
    assert capped(30) == Decimal("205.47")
    outcome, amount, _ = pay(plan_only_ledger, parse_period("2003-09"), "SF-SEP")
    assert (outcome, amount) == ("recorded", Decimal("205.47"))


def test_the_approval_is_tallied_as_an_agreement_related_to_the_plan(plan_only_ledger):
    """In 2003 a telephone vote is not cast in person: with two of the three Independent Board
    Members on the telephone, the approval fails, and nothing is approved."""
    telephone = {"D-ADAMS": AttendanceMode.TELEPHONE, "D-BAKER": AttendanceMode.TELEPHONE}
    [outcome] = meet(
        plan_only_ledger,
        date(2003, 6, 20),
        form_resolution("F-PHONE", "A", FORM_A, [INTL]),
        modes=telephone,
    )
    assert not outcome.tally.passed
    assert any("Independent Board Members" in reason for reason in outcome.tally.reasons)
    [outcome] = meet(
        plan_only_ledger,
        date(2003, 6, 24),
        form_resolution("F-NOT-CALLED", "A", FORM_A, [INTL]),
        called_for_plan=False,
    )
    assert not outcome.tally.passed
    assert board_events(plan_only_ledger, "AgreementFormApproved") == []
    assert "never approved" in str(refused(plan_only_ledger, parse_period("2003Q3"), "SF-Q3"))


def test_a_form_approved_for_another_company_or_as_another_kind_does_not_count(
    plan_only_ledger,
):
    meet(
        plan_only_ledger,
        date(2003, 6, 20),
        form_resolution("T-F-A", "A", FORM_A),
        company="TREASURERS-SERIES",
    )
    assert "never approved" in str(refused(plan_only_ledger, parse_period("2003Q3"), "SF-Q3"))
    meet(plan_only_ledger, date(2003, 6, 20), form_resolution("F-AS-B", "B", FORM_A))
    error = refused(plan_only_ledger, parse_period("2003Q3"), "SF-Q3")
    assert "approved as a Third Party Agreement (SEVENTH (B))" in str(error)


def test_a_company_wide_approval_names_the_companys_fund_classes_and_fees_are_paid(
    forms_ledger,
):
    [approved, _] = board_events(forms_ledger, "AgreementFormApproved")
    assert approved.agreement_kind == "A"
    assert approved.form_reference == FORM_A
    assert approved.fund_classes == [INTL]
    assert approved.business_date == date(2003, 6, 17)
    assert approved.resolution_id == "INTL-FUNDS-2003-06-17-form-A"
    assert capped(92) == Decimal("630.13")
    outcome, amount, _ = pay(forms_ledger, parse_period("2003Q3"), "SF-Q3")
    assert (outcome, amount) == ("recorded", Decimal("630.13"))


def test_the_same_form_reference_with_another_text_is_refused(plan_only_ledger):
    first = "a" * 64
    meet(
        plan_only_ledger,
        date(2003, 6, 20),
        form_resolution("F-1", "A", FORM_A, [INTL], form_sha256=first),
    )
    before = count_events(plan_only_ledger.store)
    with pytest.raises(RuleViolation) as raised:
        meet(
            plan_only_ledger,
            date(2003, 7, 20),
            form_resolution("F-2", "A", FORM_A, [INTL], form_sha256="b" * 64),
        )
    assert raised.value.rule == "agreement-form-reused"
    assert count_events(plan_only_ledger.store) == before
    # The same text approved again (say, for a fund added later) is recorded.
    meet(
        plan_only_ledger,
        date(2003, 7, 21),
        form_resolution("F-3", "A", FORM_A, [INTL], form_sha256=first),
    )
    assert [
        event.resolution_id for event in board_events(plan_only_ledger, "AgreementFormApproved")
    ] == [
        "F-1",
        "F-3",
    ]


def test_an_agreement_keeps_the_form_it_names(forms_ledger):
    assert agree(forms_ledger, "DEALER-A", form=FORM_A) == "unchanged"
    before = count_events(forms_ledger.store)
    with pytest.raises(RuleViolation) as raised:
        agree(forms_ledger, "DEALER-A", form="Another form 2003-09")
    assert raised.value.rule == "reference-reused"
    assert count_events(forms_ledger.store) == before


def test_a_snapshot_kept_before_agreements_named_their_form_reads_them_on_no_form(forms_ledger):
    """A ServiceArrangement snapshot of class version 2 (written before decision A15) holds
    agreements without a form: it loads through `upcast_v2_v3` as agreements on no form, as a
    replay of their version 1 events builds them."""
    from dataclasses import replace

    from eventsourcing.domain import Snapshot

    from domain.ids import service_arrangement_id
    from domain.service import ProviderAgreement

    store = forms_ledger.store
    arrangement = forms_ledger.view.arrangement("DEALER-A", "INTL-BCV", "R")
    stored = store.mapper.to_stored_event(Snapshot.take(arrangement))
    event_state = json.loads(stored.state)
    state = event_state["state"]  # the aggregate's, inside the snapshot event's
    assert state["class_version"] == 3
    state["class_version"] = 2
    records = 0
    for record in state["agreements"]:
        assert record["_type_"] == ProviderAgreement.RECORD_NAME
        del record["_data_"]["form_reference"]
        records += 1
    assert records == 1
    written_before = replace(stored, state=json.dumps(event_state).encode())
    loaded = store.mapper.to_domain_event(written_before).mutate(None)
    assert loaded.id == service_arrangement_id("DEALER-A", "INTL-BCV", "R")
    assert loaded.agreements == [
        replace(agreement, form_reference=None) for agreement in arrangement.agreements
    ]
    assert loaded.agreement_on(date(2003, 7, 1)).form_reference is None
