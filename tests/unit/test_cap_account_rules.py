"""The aggregate-cap account's charging rule, as the accrual run and the views apply it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.fund_class.cap_account import CapAccount, charged_to_account

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
