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


def test_a_payment_above_the_payable_balance_is_refused_unless_an_advance() -> None:
    fund_class = accrued_july()
    too_much = fund_class.payable + Decimal("0.01")
    with pytest.raises(RuleViolation) as refused:
        fund_class.pay_distributor(
            amount=too_much,
            paid_on=date(2003, 8, 5),
            period=JULY,
            reference="P-1",
            provenance=PROVENANCE,
        )
    assert rule_of(refused) == "payment-exceeds-payable"


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
    assert fund_class.payments == [Payment("P-1", JULY.start, JULY.end_exclusive, payable)]
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
