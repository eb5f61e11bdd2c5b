"""Balances per fund class and part, as of a business date: a pure fold over events.

For each fund class: what was accrued for the asset-based sales charge and the service fee
(daily accruals, month-end true-ups and adjustments after a restatement), what was paid to the
Distributor (allocated to the parts when it was paid, less reversals), and what is still
payable. Only events whose business date is on or
before the as-of date count; the caller decides which events the ledger knew (recorded time).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import singledispatch
from typing import Any

from domain.fund_class import FundClass
from domain.ids import fund_class_key
from domain.money import ZERO


@dataclass
class PartBalance:
    accrued: Decimal = ZERO
    paid: Decimal = ZERO

    @property
    def payable(self) -> Decimal:
        return self.accrued - self.paid


@dataclass
class FundClassBalance:
    fund_class: str
    absc: PartBalance = field(default_factory=PartBalance)
    service: PartBalance = field(default_factory=PartBalance)
    accrued_through: date | None = None  # the last day accrued and not reversed
    days_accrued: int = 0
    booked_days: set[date] = field(default_factory=set)
    advances_by_reference: dict[str, Decimal] = field(default_factory=dict)

    @property
    def advances(self) -> Decimal:
        return sum(self.advances_by_reference.values(), ZERO)

    @property
    def total(self) -> PartBalance:
        return PartBalance(
            self.absc.accrued + self.service.accrued, self.absc.paid + self.service.paid
        )


@singledispatch
def _apply(event: Any, balances: dict[str, FundClassBalance]) -> None:
    """Events that do not move a balance."""


@_apply.register
def _(event: FundClass.PlanAdopted, balances: dict[str, FundClassBalance]) -> None:
    key = fund_class_key(event.fund_code, event.share_class)
    balances[str(event.originator_id)] = FundClassBalance(key)


@_apply.register
def _(event: FundClass.FeeAccrued, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.accrued += event.absc_amount
    balance.service.accrued += event.service_amount
    balance.accrued_through = event.business_date
    balance.days_accrued += 1
    balance.booked_days.add(event.business_date)


@_apply.register
def _(event: FundClass.AccrualTrueUpPosted, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.accrued += event.adjustment_absc
    balance.service.accrued += event.adjustment_service


@_apply.register
def _(event: FundClass.DistributorPaid, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.paid += event.absc_amount
    balance.service.paid += event.service_amount
    if event.is_advance:
        balance.advances_by_reference[event.reference] = event.amount


@_apply.register
def _(event: FundClass.FeeAccrualAdjusted, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.accrued += event.absc_amount_delta
    balance.service.accrued += event.service_amount_delta


@_apply.register
def _(event: FundClass.FeeAccrualReversed, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.accrued += event.absc_amount_delta
    balance.service.accrued += event.service_amount_delta
    balance.days_accrued -= 1
    balance.booked_days.discard(event.business_date)
    balance.accrued_through = max(balance.booked_days, default=None)


@_apply.register
def _(event: FundClass.DistributorPaymentReversed, balances: dict[str, FundClassBalance]) -> None:
    balance = balances[str(event.originator_id)]
    balance.absc.paid -= event.absc_amount
    balance.service.paid -= event.service_amount
    balance.advances_by_reference.pop(event.reference, None)


def balances_as_of(events: Iterable[Any], as_of: date) -> list[FundClassBalance]:
    """Fold fund-class events into balances, counting business dates up to `as_of`.

    Args:
        events: the events of one or more fund-class streams, each stream in order.
        as_of: the last business date to count (inclusive).
    Returns:
        One balance per fund class, sorted by fund class.
    """
    balances: dict[str, FundClassBalance] = {}
    for event in events:
        if isinstance(event, FundClass.PlanAdopted) or event.business_date <= as_of:
            _apply(event, balances)
    return sorted(balances.values(), key=lambda balance: balance.fund_class)
