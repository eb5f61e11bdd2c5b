"""No fund money ahead of the fee (decision A16): what each month's payments settled, what a
month still owes the Distributor, and what the Distributor owes back when a correction lowers a
month it was already paid for.

A payment to the Distributor pays for months that accrued and are unpaid; it may not pay ahead,
because the Distributor is an affiliated person and the principal underwriter of the fund, and
money paid ahead of the fee is fund money lent to it. When a correction lowers a month already
paid, the excess is a receivable from the Distributor, settled by an offset against the next
payment or by a refund. These are pure functions over the fund class's state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from domain.money import ZERO
from domain.periods import next_month_start
from domain.records import Payment


def settled_by_month(
    payments: Sequence[Payment],
    accrued_by_month: Mapping[str, Decimal],
    taken_by_month: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    """What the standing payments (offsets included) settled for each month, less what offsets
    and refunds took back from it.

    Each payment fills the months it covers in order, each up to what it accrued and is not yet
    settled; what is left stays with its last month (a payment recorded as an advance before
    decision A16, or a month lowered by a correction since it was paid). The split depends on
    the payments and today's accruals only, never on when they were recorded.
    """
    settled: dict[str, Decimal] = {}
    for payment in payments:
        months = payment.period.months()
        left = payment.amount
        for month in months:
            room = max(accrued_by_month.get(month, ZERO) - settled.get(month, ZERO), ZERO)
            part = min(left, room)
            if part > ZERO:
                settled[month] = settled.get(month, ZERO) + part
                left -= part
        if left > ZERO:
            settled[months[-1]] = settled.get(months[-1], ZERO) + left
    for month, taken in taken_by_month.items():
        settled[month] = settled.get(month, ZERO) - taken
    return settled


def excess_by_month(
    settled: Mapping[str, Decimal], accrued_by_month: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """The months settled beyond what they now accrue, and by how much."""
    return {
        month: amount - accrued_by_month.get(month, ZERO)
        for month, amount in settled.items()
        if amount > accrued_by_month.get(month, ZERO)
    }


def unpaid_in(
    months: Sequence[str],
    settled: Mapping[str, Decimal],
    accrued_by_month: Mapping[str, Decimal],
) -> Decimal:
    """What `months` accrued and is not yet settled (a month settled beyond its accrual owes
    nothing, and lends nothing to the others)."""
    return sum(
        (
            max(accrued_by_month.get(month, ZERO) - settled.get(month, ZERO), ZERO)
            for month in months
        ),
        ZERO,
    )


def take_oldest_first(
    amount: Decimal, booked_by_month: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Which months' receivable an offset or a refund of `amount` settles: the oldest first."""
    taken: dict[str, Decimal] = {}
    left = amount
    for month in sorted(booked_by_month):
        part = min(left, booked_by_month[month])
        if part > ZERO:
            taken[month] = part
            left -= part
    assert left == ZERO, "settles more than the receivable"
    return taken


def receivable_date(month: str, payments: Sequence[Payment]) -> date:
    """The business date of a receivable for `month`: the latest standing payment for it (the
    overpayment stands from then); the first day after the month for a payment recorded before
    decision A16, whose date the state did not keep (paid monthly in arrears, decision Q17)."""
    dates = [
        payment.paid_on
        for payment in payments
        if payment.paid_on is not None and month in payment.period.months()
    ]
    if dates:
        return max(dates)
    return next_month_start(date.fromisoformat(f"{month}-01"))
