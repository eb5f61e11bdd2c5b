"""Shapes shared by the aggregates that pay for periods and restate dated figures.

`FundClass` (payments to the Distributor, net assets) and `ServiceArrangement` (service fees,
provider positions) keep the same state for a payment and make the same events for a restated
figure and for a reversal: they are defined once here.

State records are frozen dataclasses with a stable `RECORD_NAME`: snapshots store each record
under that name (see adapters/store/persistence.py), so a record may move between modules
without making stored snapshots unreadable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar, Protocol, TypeVar

from domain.events import payload_digest
from domain.periods import Period

T = TypeVar("T")


@dataclass(frozen=True)
class Payment:
    """A payment standing in an aggregate's state: what it paid, for which period."""

    RECORD_NAME: ClassVar[str] = "planledger.Payment"

    reference: str
    period_start: date
    period_end_exclusive: date
    amount: Decimal
    # The day it was paid, for a Distributor payment recorded from decision A16 on (a receivable
    # is dated on the payment it comes back from); None for a service fee, and for a payment
    # recorded before, whose date an older snapshot did not keep (a replay leaves it None too).
    paid_on: date | None = None

    @property
    def period(self) -> Period:
        return Period(self.period_start, self.period_end_exclusive)

    @classmethod
    def from_stored(cls, row: Mapping[str, object]) -> Payment:
        """The record of a payment an older snapshot kept as a plain mapping."""
        return cls(
            stored_as(str, row["reference"]),
            stored_as(date, row["period_start"]),
            stored_as(date, row["period_end_exclusive"]),
            stored_as(Decimal, row["amount"]),
        )


def without_payment(payments: list[Payment], reference: str) -> list[Payment]:
    """The payments left standing once `reference` is reversed."""
    return [payment for payment in payments if payment.reference != reference]


def restatement_key(prefix: str, day: date, figure: Decimal, next_version: int) -> str:
    """The idempotency key of a restated figure. The stream version makes it unique: a day may
    be restated to a figure it held before (X, then Y, then X again), each its own fact."""
    return f"{prefix}/{day}/{figure}@v{next_version}"


def restated_fields(figure: Decimal, recorded: Decimal | None, reason: str) -> dict[str, object]:
    """The fields of a restated figure (`NetAssetsRestated`, `ProviderPositionRestated`)."""
    return {"net_assets": figure, "net_assets_previous": recorded, "reason": reason}


def differs_from_recorded(
    subject: str, day: date, recorded: Decimal | None, figure: Decimal
) -> str | None:
    if recorded is not None and recorded != figure:
        return f"{subject} {day}: differs from the recorded {recorded}"
    return None


class PaidEvent(Protocol):
    """What a reversal copies from the payment event it reverses."""

    @property
    def reference(self) -> str: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def business_date(self) -> date: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end_exclusive(self) -> date: ...


def reversal_fields(original: PaidEvent, reason: str) -> dict[str, object]:
    """The fields every reversal of a payment carries, in their stored order."""
    return {
        "reference": original.reference,
        "reversed_version": original.originator_version,
        "amount": original.amount,
        "period_start": original.period_start,
        "period_end_exclusive": original.period_end_exclusive,
        "reason": reason,
    }


def payment_digest(amount: Decimal, paid_on: date, period: Period, last_part: str | None) -> str:
    """The digest that tells a replayed payment from a conflicting reuse of its reference."""
    return payload_digest(amount, paid_on, period.start, period.end_exclusive, last_part)


def stored_as(kind: type[T], value: object) -> T:
    assert isinstance(value, kind), f"expected {kind.__name__}, got {value!r}"
    return value
