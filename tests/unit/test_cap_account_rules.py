"""The aggregate-cap account's charging rule, as the accrual run and the views apply it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.fund_class.cap_account import (
    CapAccount,
    account_charge,
    charged_to_account,
    check_passed_on,
    credit_day,
    deemed_charge,
    pending_credits,
    service_fee_credits,
    withheld_for_the_cap,
)
from domain.fund_class.records import CapLine
from domain.periods import Period

OPENED = date(2003, 7, 15)


def test_only_days_after_the_opening_day_are_charged():
    assert not charged_to_account(None, date(2003, 7, 16))
    assert not charged_to_account(OPENED, date(2003, 7, 1))
    assert not charged_to_account(OPENED, OPENED)
    assert charged_to_account(OPENED, date(2003, 7, 16))


def test_the_remaining_amount_at_the_end_of_a_day_takes_off_that_day_and_the_days_before():
    account = CapAccount(
        key="F/R",
        opened_on=OPENED,
        month_start=date(2003, 7, 16),
        month_start_remaining=Decimal("1000.00"),
        lines=[],
        absc_this_month={"2003-07-16": Decimal("68.50"), "2003-07-17": Decimal("68.50")},
        last_accrued_day=date(2003, 7, 17),
    )
    assert account.available_on(date(2003, 7, 17)) == Decimal("931.50")
    assert account.remaining_at_end_of(date(2003, 7, 17)) == Decimal("863.00")
    assert account.remaining_at_end_of(date(2003, 7, 16)) == Decimal("931.50")


# ---- the deemed asset-based charge (SIXTH; decisions A13, A14) ------------------------------

Q3 = Period(date(2003, 7, 1), date(2003, 10, 1))
AMPLE = {month: Decimal("1000000.00") for month in ("2003-07", "2003-08", "2003-09")}


def test_a_day_charges_both_parts_until_service_fees_are_passed_on():
    assert deemed_charge(Decimal("68.50"), Decimal("68.49")) == Decimal("136.99")
    assert account_charge(OPENED, date(2003, 7, 16), Decimal("136.99")) == Decimal("136.99")
    assert account_charge(OPENED, OPENED, Decimal("136.99")) == Decimal("0")
    assert account_charge(None, date(2003, 7, 16), Decimal("136.99")) == Decimal("0")


def test_a_fee_is_credited_over_its_months_by_days():
    # Oracle 9(b)'s Dealer A: 2,583.56 for 92 days, 31/31/30: 870.547..., 870.547..., 842.465...
    credited, pending, under = service_fee_credits(Decimal("2583.56"), Q3, date(2003, 6, 30), AMPLE)
    assert credited == {
        "2003-07": Decimal("870.55"),
        "2003-08": Decimal("870.55"),
        "2003-09": Decimal("842.46"),
    }
    assert under == Decimal("2583.56")
    assert pending == {}


def test_only_the_days_under_the_account_are_credited_and_no_more_than_was_charged():
    # Opened at the end of 07-15: July's first 15 days are before it (15/92 of the fee).
    credited, _, under = service_fee_credits(Decimal("920.00"), Q3, OPENED, AMPLE)
    assert under == Decimal("770.00")
    assert credited == {
        "2003-07": Decimal("160.00"),
        "2003-08": Decimal("310.00"),
        "2003-09": Decimal("300.00"),
    }
    room = {"2003-07": Decimal("100.00"), "2003-08": Decimal("-5.00")}
    credited, pending, under = service_fee_credits(Decimal("920.00"), Q3, OPENED, room)
    assert credited == {
        "2003-07": Decimal("100.00"),
        "2003-08": Decimal("0"),
        "2003-09": Decimal("0"),
    }
    # What a month has no room for yet is kept pending, to be credited as it gets room.
    assert pending == {
        "2003-07": Decimal("60.00"),
        "2003-08": Decimal("310.00"),
        "2003-09": Decimal("300.00"),
    }


def test_pending_shares_are_credited_up_to_the_months_room_in_the_order_recorded():
    pending = {
        "A/SF-A": {"2003-07": Decimal("870.55")},
        "B/SF-B": {"2003-07": Decimal("321.83"), "2003-08": Decimal("5")},
    }
    assert pending_credits(pending, "2003-07", Decimal("1000.00")) == [
        ("A/SF-A", Decimal("870.55"), Decimal("0.00")),
        ("B/SF-B", Decimal("129.45"), Decimal("192.38")),
    ]
    assert pending_credits(pending, "2003-07", Decimal("-3")) == []


@given(
    fee_cents=st.integers(min_value=0, max_value=10**9),
    opened_offset=st.integers(min_value=-40, max_value=100),
    room_cents=st.lists(st.integers(min_value=-(10**6), max_value=10**9), min_size=3, max_size=3),
)
def test_credits_never_exceed_the_fee_under_the_account_nor_a_months_room(
    fee_cents, opened_offset, room_cents
):
    fee = Decimal(fee_cents) / 100
    opened = date.fromordinal(Q3.start.toordinal() + opened_offset)
    months = ("2003-07", "2003-08", "2003-09")
    room = {month: Decimal(cents) / 100 for month, cents in zip(months, room_cents, strict=True)}
    credited, pending, under = service_fee_credits(fee, Q3, opened, room)
    assert Decimal(0) <= under <= fee
    assert sum(credited.values(), Decimal(0)) + sum(pending.values(), Decimal(0)) == under
    for month, amount in credited.items():
        assert Decimal(0) <= amount <= max(room[month], Decimal(0))
    if opened < Q3.start:
        assert under == fee


def test_a_fee_is_credited_on_its_payment_day_but_never_on_a_day_already_accrued():
    assert credit_day(date(2003, 10, 15), date(2003, 10, 1), date(2003, 10, 1)) == date(
        2003, 10, 15
    )
    assert credit_day(date(2003, 10, 15), date(2003, 10, 21), date(2003, 10, 1)) == date(
        2003, 10, 21
    )


def test_what_is_withheld_once_the_remaining_amount_is_exhausted():
    assert withheld_for_the_cap(Decimal("10.00")) == Decimal("0")
    assert withheld_for_the_cap(Decimal("-6464.25")) == Decimal("6464.25")
    check_passed_on("F/R", Decimal("3538.69"), Decimal("10002.94"), Decimal("6464.25"))
    check_passed_on("F/R", Decimal("50.00"), Decimal("10.00"), Decimal("0"))  # not this rule's
    with pytest.raises(RuleViolation) as refused:
        check_passed_on("F/R", Decimal("3538.70"), Decimal("10002.94"), Decimal("6464.25"))
    assert refused.value.rule == "cap-exhausted-service-not-passed-on"
    assert "exceeds the 3538.69 that may be paid" in refused.value.detail


def test_the_remaining_amount_recorded_counts_every_movement_whatever_its_day():
    account = CapAccount(
        key="F/R",
        opened_on=OPENED,
        month_start=date(2003, 10, 1),
        month_start_remaining=Decimal("-100.00"),
        lines=[CapLine(date(2003, 10, 15), Decimal("70.00"), "service_fee_credit")],
        absc_this_month={"2003-10-01": Decimal("68.49")},
        last_accrued_day=date(2003, 10, 1),
    )
    assert account.remaining_recorded() == Decimal("-98.49")
    assert account.remaining_at_end_of(date(2003, 10, 1)) == Decimal("-168.49")


def test_a_fee_credited_before_pending_shares_were_kept_keeps_none_pending():
    # CapServiceFeeCredited version 1 left what a month had no room for never credited.
    state = {"amount": Decimal("0"), "not_credited": Decimal("2583.56")}
    FundClass.CapServiceFeeCredited.upcast_v1_v2(state)
    assert state["pending_by_month"] == {}
    assert FundClass.CapServiceFeeCredited.class_version == 2
