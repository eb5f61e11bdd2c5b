"""The FundClass aggregate's rules, on an aggregate built in memory (no store, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.inputs.plan_file import read_plan_file
from domain.errors import RuleViolation
from domain.events import Provenance
from domain.expenditures import Performer, Purpose
from domain.fund_class import RECORDED, RESTATED, UNCHANGED, FundClass, Payment
from domain.periods import Period, month_period
from domain.terms import NotInEffect

PLAN = Path(__file__).resolve().parents[2] / "plans" / "aim-class-r-2003" / "plan.toml"
TERMS, _ = read_plan_file(PLAN)
PROVENANCE = Provenance("unit-test", "rules")
JULY = month_period(date(2003, 7, 1))
NET_ASSETS = Decimal("10000000.00")


def adopted(approved: bool = True) -> FundClass:
    fund_class = FundClass.adopt(TERMS, TERMS.funds[0], PROVENANCE)
    if approved:
        fund_class.approve_plan("R-2003-06-1", "M-2003-06", date(2003, 6, 17), PROVENANCE)
    return fund_class


def accrued_july() -> FundClass:
    fund_class = adopted()
    fund_class.record_net_assets(JULY.start, NET_ASSETS, PROVENANCE)
    fund_class.accrue_through(JULY.end_inclusive, PROVENANCE, max_carry_days=31)
    return fund_class


def rule_of(error: pytest.ExceptionInfo[RuleViolation]) -> str:
    return error.value.rule


def test_net_assets_are_recorded_once_and_restated_only_with_a_reason() -> None:
    fund_class = adopted()
    day = date(2003, 7, 1)
    assert fund_class.record_net_assets(day, NET_ASSETS, PROVENANCE) == RECORDED
    assert fund_class.record_net_assets(day, NET_ASSETS, PROVENANCE) == UNCHANGED
    with pytest.raises(RuleViolation) as refused:
        fund_class.record_net_assets(day, Decimal("1.00"), PROVENANCE)
    assert rule_of(refused) == "net-assets-restatement-required"
    restated = fund_class.record_net_assets(day, Decimal("1.00"), PROVENANCE, "typo")
    assert restated == RESTATED
    assert fund_class.net_assets_by_date[day.isoformat()] == Decimal("1.00")
    [event] = [e for e in fund_class.collect_events() if isinstance(e, FundClass.NetAssetsRestated)]
    assert (event.net_assets_previous, event.reason) == (NET_ASSETS, "typo")


def test_a_month_accrues_each_day_and_its_true_up_books_the_month_rounded_once() -> None:
    fund_class = adopted()
    fund_class.record_net_assets(JULY.start, NET_ASSETS, PROVENANCE)
    summary = fund_class.accrue_through(JULY.end_inclusive, PROVENANCE, max_carry_days=31)
    assert (summary.days_accrued, summary.true_ups) == (31, 1)
    assert (summary.first_day, summary.last_day) == (JULY.start, JULY.end_inclusive)
    events = fund_class.collect_events()
    [true_up] = [e for e in events if isinstance(e, FundClass.AccrualTrueUpPosted)]
    absc, service = fund_class.accrued_in(JULY)
    assert absc + service == true_up.month_amount == summary.amount == fund_class.payable
    assert fund_class.months_awaiting_true_up == []
    assert fund_class.last_accrued_day == JULY.end_inclusive


def test_a_payment_beyond_what_its_months_accrued_is_refused() -> None:
    """Decision A16 (was: allowed as an advance with a reason). July alone accrued; a payment
    for July of a cent more, or for August (nothing accrued), lends the Distributor fund money."""
    fund_class = accrued_july()
    owed = fund_class.accrued_unpaid_in(JULY)
    assert owed == fund_class.payable == Decimal("4246.58")
    for amount, period in (
        (owed + Decimal("0.01"), JULY),
        (Decimal("1.00"), month_period(date(2003, 8, 1))),
    ):
        with pytest.raises(RuleViolation) as refused:
            fund_class.pay_distributor(
                amount=amount,
                paid_on=date(2003, 8, 5),
                period=period,
                reference="P-1",
                provenance=PROVENANCE,
            )
        assert rule_of(refused) == "payment-ahead-of-fee"
        assert "ahead of the fee" in refused.value.detail
    assert not any(
        isinstance(event, FundClass.DistributorPaid) for event in fund_class.collect_events()
    )
    # July and August together owe July's fee.
    paid = fund_class.pay_distributor(
        amount=owed,
        paid_on=date(2003, 8, 5),
        period=Period(JULY.start, date(2003, 9, 1)),
        reference="P-2",
        provenance=PROVENANCE,
    )
    assert paid == RECORDED
    [event] = fund_class.collect_events()
    assert isinstance(event, FundClass.DistributorPaid)
    assert (event.is_advance, event.reason, event.unpaid_before) == (False, "", owed)
    with pytest.raises(RuleViolation):  # July is settled: a second payment pays ahead
        fund_class.pay_distributor(
            amount=Decimal("0.01"),
            paid_on=date(2003, 8, 6),
            period=JULY,
            reference="P-3",
            provenance=PROVENANCE,
        )


def test_a_payment_recorded_as_an_advance_before_a16_reads_as_it_was() -> None:
    """A stored version 1 `DistributorPaid` marked as an advance (for August, not accrued)
    replays: it keeps its flag and reason, settles August ahead, and books no receivable."""
    from tests.unit.test_fund_class_properties import STORE

    fund_class = accrued_july()
    fund_class.collect_events()
    fund_class.trigger_event(
        FundClass.DistributorPaid,
        business_date=date(2003, 8, 5),
        actor="old",
        source="old",
        idempotency_key="distributor-payment/ADV-1",
        amount=Decimal("100.00"),
        absc_amount=Decimal("50.00"),
        service_amount=Decimal("50.00"),
        period_start=date(2003, 8, 1),
        period_end_exclusive=date(2003, 9, 1),
        reference="ADV-1",
        is_advance=True,
        reason="year-end advance",
        payable_before=Decimal("4246.58"),
        unpaid_before=None,
    )
    [new] = fund_class.collect_events()
    stored = STORE.mapper.to_stored_event(new)
    state = STORE.mapper.transcoder.decode(stored.state)
    del state["unpaid_before"]  # as version 1 stored it
    state.pop("class_version", None)
    old_stored = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=STORE.mapper.transcoder.encode(state),
    )
    read = STORE.mapper.to_domain_event(old_stored)
    assert (read.is_advance, read.reason, read.unpaid_before) == (True, "year-end advance", None)
    replayed = accrued_july()
    replayed.collect_events()
    read.mutate(replayed)
    assert replayed.payments[-1].paid_on is None
    assert replayed.receivable == Decimal("0")
    assert replayed.accrued_unpaid_in(month_period(date(2003, 8, 1))) == Decimal("0")
    assert replayed.payable == Decimal("4246.58")  # July, still owed


def test_a_payment_period_must_be_whole_months() -> None:
    fund_class = accrued_july()
    with pytest.raises(RuleViolation) as refused:
        fund_class.pay_distributor(
            amount=Decimal("1.00"),
            paid_on=date(2003, 8, 5),
            period=Period(date(2003, 7, 1), date(2003, 7, 15)),
            reference="P-1",
            provenance=PROVENANCE,
        )
    assert rule_of(refused) == "payment-period"


def test_other_agreed_services_need_the_companys_agreement() -> None:
    fund_class = adopted()
    with pytest.raises(RuleViolation) as refused:
        fund_class.record_expenditure(
            incurred_on=date(2003, 7, 20),
            period=JULY,
            purpose=Purpose.OTHER_AGREED_SERVICES,
            performer=Performer.DISTRIBUTOR,
            performer_name="AIM Distributors",
            amount=Decimal("100.00"),
            description="seminars",
            reference="E-1",
            company_agreement_reference="",
            provenance=PROVENANCE,
        )
    assert rule_of(refused) == "other-services-need-agreement"


def test_a_reversed_payment_restores_the_payable_balance_once() -> None:
    fund_class = accrued_july()
    payable = fund_class.payable
    fund_class.pay_distributor(
        amount=payable,
        paid_on=date(2003, 8, 5),
        period=JULY,
        reference="P-1",
        provenance=PROVENANCE,
    )
    [paid] = [e for e in fund_class.collect_events() if isinstance(e, FundClass.DistributorPaid)]
    assert fund_class.payments == [
        Payment("P-1", JULY.start, JULY.end_exclusive, payable, date(2003, 8, 5))
    ]
    assert fund_class.payable == 0
    with pytest.raises(RuleViolation) as refused:
        fund_class.reverse_distributor_payment(paid, " ", PROVENANCE)
    assert rule_of(refused) == "reversal-needs-reason"
    assert fund_class.reverse_distributor_payment(paid, "paid twice", PROVENANCE) == RECORDED
    assert fund_class.reverse_distributor_payment(paid, "paid twice", PROVENANCE) == UNCHANGED
    assert (fund_class.payments, fund_class.payable) == ([], payable)
    assert fund_class.reversed_payment_references == ["P-1"]


def test_without_the_boards_approval_no_day_accrues() -> None:
    fund_class = adopted(approved=False)
    fund_class.record_net_assets(JULY.start, NET_ASSETS, PROVENANCE)
    summary = fund_class.accrue_through(JULY.end_inclusive, PROVENANCE, max_carry_days=31)
    assert (summary.days_accrued, summary.amount, fund_class.last_accrued_day) == (0, 0, None)
    assert [gap.kind for gap in summary.refusals] == [NotInEffect.NOT_APPROVED]
    assert fund_class.payable == 0
