"""The rule that a service fee is paid only under an agreement made on a form the board had
approved on every day the fee pays for (SEVENTH; Rule 12b-1(b)(2); decision A15), on
arrangements and approvals built by hand, and how an agreement recorded before forms were
recorded reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.agreement_forms import AgreementFormApproval
from domain.errors import RuleViolation
from domain.events import Provenance, provenance_fields
from domain.periods import Period
from domain.service import (
    FORM_NAMED,
    AgreementKind,
    ServiceArrangement,
    check_agreement_forms_approved,
)

FORM = "Dealer Service Agreement form 2003-06"
PROVENANCE = Provenance("tester", "test")
Q3 = Period(date(2003, 7, 1), date(2003, 10, 1))


def approval(on: date, kind: str = "A", form: str = FORM) -> AgreementFormApproval:
    return AgreementFormApproval(
        agreement_kind=kind,
        form_reference=form,
        form_sha256=None,
        approved_on=on,
        resolution_id=f"R-{on}",
        meeting_id=f"M-{on}",
        fund_classes=("F/R",),
    )


def arrangement(form: str | None = FORM) -> ServiceArrangement:
    opened = ServiceArrangement.open(
        provider_code="P",
        provider_name="Provider",
        fund_code="F",
        share_class="R",
        opened_on=date(2003, 7, 1),
        provenance=PROVENANCE,
    )
    if form is None:
        # An agreement as a ledger written before forms were recorded holds it.
        opened.trigger_event(
            ServiceArrangement.ProviderAgreementSigned,
            **provenance_fields(PROVENANCE, date(2003, 7, 1), "provider-agreement/P/F/R/SA-1"),
            agreement_reference="SA-1",
            kind="A",
            contractual_rate_annual=Decimal("0.0025"),
            effective_from=date(2003, 7, 1),
            effective_to=None,
            agency_capacity_attested=True,
            schedule_b_service_rate_annual=Decimal("0.0025"),
            form_reference=None,
        )
    else:
        sign(opened, form)
    return opened


def sign(opened: ServiceArrangement, form: str) -> str:
    return opened.sign_agreement(
        reference="SA-1",
        kind=AgreementKind.A,
        contractual_rate_annual=Decimal("0.0025"),
        effective_from=date(2003, 7, 1),
        effective_to=None,
        agency_capacity_attested=True,
        schedule_b_service_rate_lowest=Decimal("0.0025"),
        form_reference=form,
        provenance=PROVENANCE,
    )


def check(opened: ServiceArrangement, approvals: list[AgreementFormApproval]) -> None:
    check_agreement_forms_approved(
        opened.key, Q3, list(Q3.each_day()), opened.agreement_on, approvals
    )


def test_a_form_approved_before_the_period_passes():
    check(arrangement(), [approval(date(2003, 6, 17))])


def test_no_approval_names_the_form_and_its_kind():
    with pytest.raises(RuleViolation) as raised:
        check(arrangement(), [])
    assert raised.value.rule == "agreement-form-not-approved"
    assert raised.value.clause == "SEVENTH (A); Rule 12b-1(b)(2)"
    message = str(raised.value)
    assert (
        f'form "{FORM}"' in message and "Service Agreement with a dealer (SEVENTH (A))" in message
    )
    assert "never approved" in message


def test_a_form_approved_as_another_kind_does_not_count():
    with pytest.raises(RuleViolation) as raised:
        check(arrangement(), [approval(date(2003, 6, 17), kind="B")])
    assert "approved as a Third Party Agreement (SEVENTH (B))" in str(raised.value)


def test_an_agreement_recorded_without_a_form_is_refused_until_its_form_is_named():
    old = arrangement(form=None)
    assert old.agreement_on(date(2003, 7, 1)).form_reference is None
    with pytest.raises(RuleViolation) as raised:
        check(old, [approval(date(2003, 6, 17))])
    assert raised.value.rule == "agreement-form-not-approved"
    assert "names no form of agreement" in str(raised.value)
    assert sign(old, FORM) == FORM_NAMED
    assert old.agreement_on(date(2003, 7, 1)).form_reference == FORM
    check(old, [approval(date(2003, 6, 17))])
    assert sign(old, FORM) == "unchanged"
    with pytest.raises(RuleViolation) as reused:
        sign(old, "Another form")
    assert reused.value.rule == "reference-reused"


def test_version_1_of_the_signed_event_reads_as_an_agreement_without_a_form():
    state: dict[str, object] = {"agreement_reference": "SA-1", "kind": "A"}
    ServiceArrangement.ProviderAgreementSigned.upcast_v1_v2(state)
    assert state["form_reference"] is None


@given(
    approved_offset=st.integers(-30, 120),
    start_offset=st.integers(0, 80),
    length=st.integers(1, 40),
)
def test_refused_exactly_when_a_day_paid_for_precedes_the_approval(
    approved_offset: int, start_offset: int, length: int
):
    first = date(2003, 7, 1)
    approved_on = first + timedelta(days=approved_offset)
    period = Period(
        first + timedelta(days=start_offset), first + timedelta(days=start_offset + length)
    )
    opened = arrangement()
    days = list(period.each_day())
    if period.start >= approved_on:
        check_agreement_forms_approved(
            opened.key, period, days, opened.agreement_on, [approval(approved_on)]
        )
    else:
        with pytest.raises(RuleViolation) as raised:
            check_agreement_forms_approved(
                opened.key, period, days, opened.agreement_on, [approval(approved_on)]
            )
        assert f"would pay for {period.start}" in str(raised.value)
        assert f"approved only on {approved_on}" in str(raised.value)
