"""Distributor cash: the ledger's payments against one side's bank lines (docs/reconciliation.md
§2). The passes run in order, each on what the ones before left unpaired:

1. by reference: a line whose references or text name a payment's reference is linked to it;
   linked payments and lines form groups compared by their totals (one to one, a batch, a
   split); a payment named by several lines each of its amount is paid once and the other
   lines are `duplicate` breaks;
2. by amount within the tolerance and dates within the window (business days);
3. a batch: a line equal to the sum of the payments of one day;
4. a split: a payment equal to the sum of the lines of one day;
5. a line of the payment's amount outside the window is a `date-outside-window` break;
6. what is left: payments `missing-in-statement`, lines `missing-in-ledger`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import TypeVar

from domain.reconciliation.matcher import (
    DEFAULT_TOLERANCE,
    DEFAULT_WINDOW_BUSINESS_DAYS,
    business_days_apart,
    within,
)
from domain.reconciliation.records import (
    BreakKind,
    Check,
    Finding,
    LedgerPayment,
    Match,
    MatchRule,
    Outcome,
    OutsideLine,
)

T = TypeVar("T")
_ZERO = Decimal(0)
_REFERENCE = MatchRule.REFERENCE.value
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


@dataclass
class _Pairing:
    """What the passes have found so far, and what is still unpaired."""

    check: str
    side: str
    tolerance: Decimal
    window: int
    payments: dict[str, LedgerPayment]
    lines: dict[str, OutsideLine]
    matches: list[Match] = field(default_factory=list)
    breaks: list[Finding] = field(default_factory=list)

    def key(
        self, what: str, payments: Sequence[LedgerPayment], lines: Sequence[OutsideLine]
    ) -> str:
        items = sorted([p.item_id for p in payments] + [line.item_id for line in lines])
        return f"{self.check}/{self.side}/{what}/{'+'.join(items)}"

    def take(self, payments: Sequence[LedgerPayment], lines: Sequence[OutsideLine]) -> None:
        for payment in payments:
            del self.payments[payment.item_id]
        for line in lines:
            del self.lines[line.item_id]

    def match(
        self, rule: MatchRule, payments: Sequence[LedgerPayment], lines: Sequence[OutsideLine]
    ) -> None:
        self.take(payments, lines)
        self.matches.append(
            Match(
                self.check,
                self.key("match", payments, lines),
                rule.value,
                _fund_class(payments),
                min(p.paid_on for p in payments),
                _event_ids(payments),
                tuple(sorted(line.item_id for line in lines)),
                sum((p.amount for p in payments), Decimal(0)),
                sum((line.amount for line in lines), Decimal(0)),
            )
        )

    def refuse(
        self,
        kind: BreakKind,
        payments: Sequence[LedgerPayment],
        lines: Sequence[OutsideLine],
        detail: str,
    ) -> None:
        self.take(payments, lines)
        days = [p.paid_on for p in payments] or [line.day for line in lines]
        self.breaks.append(
            Finding(
                self.check,
                self.key(kind.value, payments, lines),
                kind,
                _fund_class(payments),
                min(days),
                sum((p.amount for p in payments), Decimal(0)) if payments else None,
                sum((line.amount for line in lines), Decimal(0)) if lines else None,
                _event_ids(payments),
                tuple(sorted(line.item_id for line in lines)),
                detail,
            )
        )

    def in_window(self, payments: Sequence[LedgerPayment], lines: Sequence[OutsideLine]) -> bool:
        return all(
            business_days_apart(p.paid_on, line.day) <= self.window
            for p in payments
            for line in lines
        )


def _event_ids(payments: Sequence[LedgerPayment]) -> tuple[str, ...]:
    """The events that made the payments (a key names the payments; a match or a break names
    the events, so that what resolves it can be named too)."""
    return tuple(sorted(event_id for p in payments for event_id in p.event_ids))


def _fund_class(payments: Sequence[LedgerPayment]) -> str:
    classes = sorted({p.fund_class for p in payments})
    return classes[0] if len(classes) == 1 else ""


def match_cash(
    side: str,
    payments: Sequence[LedgerPayment],
    lines: Sequence[OutsideLine],
    tolerance: Decimal = DEFAULT_TOLERANCE,
    window_business_days: int = DEFAULT_WINDOW_BUSINESS_DAYS,
    *,
    check: Check = Check.DISTRIBUTOR_CASH,
) -> Outcome:
    """Pair one side's payments and bank lines (`check` and `side` name them in every key)."""
    pairing = _Pairing(
        check.value,
        side,
        tolerance,
        window_business_days,
        {p.item_id: p for p in sorted(payments, key=lambda p: p.item_id)},
        {line.item_id: line for line in sorted(lines, key=lambda line: line.item_id)},
    )
    _by_reference(pairing)
    _by_amount_and_date(pairing)
    _batches(pairing)
    _splits(pairing)
    _outside_window(pairing)
    for payment in list(pairing.payments.values()):
        pairing.refuse(BreakKind.MISSING_IN_STATEMENT, [payment], [], "no bank line pays it")
    for line in list(pairing.lines.values()):
        pairing.refuse(
            BreakKind.MISSING_IN_LEDGER, [], [line], "the ledger records no payment for it"
        )
    return Outcome(tuple(pairing.matches), tuple(pairing.breaks))


def line_words(line: OutsideLine) -> set[str]:
    """What a line names: its references, and the words of its text."""
    return set(line.references) | set(_TOKEN.findall(line.text))


def _by_reference(pairing: _Pairing) -> None:
    """Link payments and lines naming them; compare each connected group as a whole."""
    by_reference: dict[str, list[str]] = defaultdict(list)
    for payment_id, payment in pairing.payments.items():
        by_reference[payment.reference].append(payment_id)
    parent: dict[str, str] = {}

    def root(item: str) -> str:
        while parent.get(item, item) != item:
            item = parent[item]
        return item

    for line_id, line in pairing.lines.items():  # each line's id as the pairing holds it
        for word in sorted(line_words(line)):
            for payment_id in by_reference.get(word, []):
                parent.setdefault(line_id, line_id)
                parent.setdefault(payment_id, payment_id)
                parent[root(line_id)] = root(payment_id)
    groups: dict[str, list[str]] = defaultdict(list)
    for item in parent:
        groups[root(item)].append(item)
    for items in sorted(groups.values(), key=sorted):
        if len(items) == 2 and _one_to_one(pairing, *items):
            continue
        group_payments = [pairing.payments[i] for i in sorted(items) if i in pairing.payments]
        group_lines = [pairing.lines[i] for i in sorted(items) if i in pairing.lines]
        _compare_group(pairing, group_payments, group_lines)


def _one_to_one(pairing: _Pairing, first: str, second: str) -> bool:
    """A payment and the one line naming it, matched by reference when they agree within the
    tolerance and the window (the common group: `_compare_group`'s outcome without its sums
    and sorts); False, with nothing taken, for any other pair."""
    payment_id, line_id = (first, second) if first in pairing.payments else (second, first)
    payment, line = pairing.payments.get(payment_id), pairing.lines.get(line_id)
    if (
        payment is None
        or line is None
        or not within(line.amount - payment.amount, pairing.tolerance)
        or business_days_apart(payment.paid_on, line.day) > pairing.window
    ):
        return False
    del pairing.payments[payment_id], pairing.lines[line_id]
    items = f"{payment_id}+{line_id}" if payment_id < line_id else f"{line_id}+{payment_id}"
    pairing.matches.append(
        Match(
            pairing.check, f"{pairing.check}/{pairing.side}/match/{items}",
            _REFERENCE, payment.fund_class, payment.paid_on,
            tuple(sorted(payment.event_ids)), (line_id,),
            _ZERO + payment.amount, _ZERO + line.amount,  # as `sum` from zero gives them
        )
    )  # fmt: skip
    return True


def _compare_group(
    pairing: _Pairing, payments: list[LedgerPayment], lines: list[OutsideLine]
) -> None:
    paid = sum((p.amount for p in payments), Decimal(0))
    banked = sum((line.amount for line in lines), Decimal(0))
    if len(payments) == 1 and len(lines) > 1 and not within(banked - paid, pairing.tolerance):
        copies = [line for line in lines if within(line.amount - paid, pairing.tolerance)]
        if len(copies) == len(lines):  # each line pays it whole: paid once, then again
            first, *again = sorted(copies, key=lambda line: (line.day, line.item_id))
            _compare_group(pairing, payments, [first])
            for line in again:
                pairing.refuse(
                    BreakKind.DUPLICATE, [], [line],
                    f"pays {payments[0].reference} again (first paid by {first.item_id})",
                )  # fmt: skip
            return
    if not within(banked - paid, pairing.tolerance):
        pairing.refuse(
            BreakKind.AMOUNT_DIFFERS, payments, lines,
            f"the bank shows {banked}, the ledger {paid}: differs by {banked - paid}",
        )  # fmt: skip
    elif not pairing.in_window(payments, lines):
        pairing.refuse(
            BreakKind.DATE_OUTSIDE_WINDOW, payments, lines,
            f"paid more than {pairing.window} business days from the bank's date",
        )  # fmt: skip
    else:
        rule = MatchRule.REFERENCE
        if len(payments) > 1:
            rule = MatchRule.BATCH
        elif len(lines) > 1:
            rule = MatchRule.SPLIT
        pairing.match(rule, payments, lines)


class _AmountIndex:
    """The lines by their amount in whole cents (floored), so that the lines within the
    tolerance of an amount are found without looking at every line."""

    def __init__(self, lines: Sequence[OutsideLine]) -> None:
        self.by_cent: dict[int, list[OutsideLine]] = defaultdict(list)
        for line in lines:
            self.by_cent[_cent(line.amount)].append(line)

    def near(self, amount: Decimal, pairing: _Pairing) -> list[OutsideLine]:
        """The unpaired lines whose amount is within the tolerance of `amount`."""
        low, high = _cent(amount - pairing.tolerance), _cent(amount + pairing.tolerance)
        if high - low > len(pairing.lines):  # a tolerance wider than the lines are many
            candidates: Iterable[OutsideLine] = list(pairing.lines.values())
        else:
            candidates = [line for cent in range(low, high + 1) for line in self.by_cent[cent]]
        return [
            line
            for line in candidates
            if line.item_id in pairing.lines and within(line.amount - amount, pairing.tolerance)
        ]


def _cent(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_FLOOR))


def _by_amount_and_date(pairing: _Pairing) -> None:
    index = _AmountIndex(list(pairing.lines.values()))
    for payment in sorted(pairing.payments.values(), key=lambda p: (p.paid_on, p.item_id)):
        candidates = [
            line
            for line in index.near(payment.amount, pairing)
            if pairing.in_window([payment], [line])
        ]
        if candidates:
            best = min(
                candidates,
                key=lambda line: (
                    abs(line.amount - payment.amount),
                    business_days_apart(line.day, payment.paid_on),
                    line.item_id,
                ),
            )
            pairing.match(MatchRule.AMOUNT_DATE, [payment], [best])


def _batches(pairing: _Pairing) -> None:
    """A line paying the payments of one day together."""
    by_day = _grouped(list(pairing.payments.values()), lambda p: p.paid_on)
    for line in sorted(pairing.lines.values(), key=lambda line: (line.day, line.item_id)):
        for day, group in sorted(by_day.items()):
            total = sum((p.amount for p in group), Decimal(0))
            if (
                len(group) > 1
                and within(line.amount - total, pairing.tolerance)
                and pairing.in_window(group, [line])
            ):
                pairing.match(MatchRule.BATCH, group, [line])
                del by_day[day]
                break


def _splits(pairing: _Pairing) -> None:
    """A payment paid in the lines of one day."""
    by_day = _grouped(list(pairing.lines.values()), lambda line: line.day)
    for payment in sorted(pairing.payments.values(), key=lambda p: (p.paid_on, p.item_id)):
        for day, group in sorted(by_day.items()):
            total = sum((line.amount for line in group), Decimal(0))
            if (
                len(group) > 1
                and within(total - payment.amount, pairing.tolerance)
                and pairing.in_window([payment], group)
            ):
                pairing.match(MatchRule.SPLIT, [payment], group)
                del by_day[day]
                break


def _outside_window(pairing: _Pairing) -> None:
    index = _AmountIndex(list(pairing.lines.values()))
    for payment in sorted(pairing.payments.values(), key=lambda p: (p.paid_on, p.item_id)):
        candidates = index.near(payment.amount, pairing)
        if candidates:
            nearest = min(
                candidates,
                key=lambda line: (abs((line.day - payment.paid_on).days), line.item_id),
            )
            pairing.refuse(
                BreakKind.DATE_OUTSIDE_WINDOW, [payment], [nearest],
                f"the bank's line of the amount is dated {nearest.day}, more than "
                f"{pairing.window} business days from {payment.paid_on}",
            )  # fmt: skip


def _grouped(items: list[T], day_of: Callable[[T], date]) -> dict[date, list[T]]:
    groups: dict[date, list[T]] = defaultdict(list)
    for item in items:
        groups[day_of(item)].append(item)
    return groups
