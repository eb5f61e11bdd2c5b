"""Statements built from a random set of ledger payments reconcile with no break; each
difference injected into them gives exactly one break, of the kind the difference is."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reconciliation.cash import match_cash
from domain.reconciliation.matcher import match_accruals
from domain.reconciliation.records import (
    BreakKind,
    Direction,
    LedgerFigure,
    LedgerPayment,
    OutsideLine,
)

START = date(2003, 7, 1)
SHA = "c" * 64
CLASSES = ("INTL-BCV/R", "INTL-BCV/A", "STABLE-VALUE/R")


@st.composite
def ledgers(draw: st.DrawFn) -> list[LedgerPayment]:
    count = draw(st.integers(min_value=1, max_value=12))
    payments = []
    for number in range(count):
        cents = draw(st.integers(min_value=100, max_value=10_000_000))
        day = START + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
        payments.append(
            LedgerPayment(
                draw(st.sampled_from(CLASSES)),
                f"PAY-{number:03d}",
                day,
                Decimal(cents) / 100,
                (f"stream:{number}",),
            )
        )
    return payments


def statement_of(payments: list[LedgerPayment], lag_days: int) -> list[OutsideLine]:
    """The bank's lines for the payments: the reference, the amount, a day or so later."""
    return [
        OutsideLine(
            SHA,
            row,
            payment.paid_on + timedelta(days=lag_days),
            payment.amount,
            Direction.DEBIT,
            "distributor",
            "",
            (f"BANK{row}", payment.reference),
            "OUTGOING WIRE",
        )
        for row, payment in enumerate(payments, start=2)
    ]


@settings(max_examples=150, deadline=None)
@given(ledgers(), st.integers(min_value=0, max_value=1))
def test_a_statement_of_the_ledgers_own_payments_has_no_break(
    payments: list[LedgerPayment], lag_days: int
) -> None:
    outcome = match_cash("distributor", payments, statement_of(payments, lag_days))
    assert outcome.breaks == ()
    assert sum(len(match.ledger_items) for match in outcome.matches) == len(payments)


@settings(max_examples=150, deadline=None)
@given(
    ledgers(),
    st.sampled_from(
        ["amount", "missing-line", "extra-line", "late-line", "twice", "missing-payment"]
    ),
    st.data(),
)
def test_each_injected_difference_is_one_break_of_its_kind(
    payments: list[LedgerPayment], change: str, data: st.DataObject
) -> None:
    lines = statement_of(payments, 0)
    at = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    line = lines[at]
    expected = {
        "amount": BreakKind.AMOUNT_DIFFERS,
        "missing-line": BreakKind.MISSING_IN_STATEMENT,
        "extra-line": BreakKind.MISSING_IN_LEDGER,
        "late-line": BreakKind.DATE_OUTSIDE_WINDOW,
        "twice": BreakKind.DUPLICATE,
        "missing-payment": BreakKind.MISSING_IN_LEDGER,
    }[change]
    ledger = list(payments)
    if change == "amount":
        lines[at] = _with(line, amount=line.amount + Decimal("0.02"))
    elif change == "missing-line":
        del lines[at]
    elif change == "extra-line":
        # An amount no payment has (payments are whole cents up to 100,000.00).
        lines.append(_with(line, row=999, amount=Decimal("123456.785"), references=()))
    elif change == "late-line":
        lines[at] = _with(line, day=line.day + timedelta(days=14))
    elif change == "twice":
        lines.append(_with(line, row=999, references=line.references[1:]))
    else:
        del ledger[at]
    outcome = match_cash("distributor", ledger, lines)
    assert [found.kind for found in outcome.breaks] == [expected]


def _with(line: OutsideLine, **changes: object) -> OutsideLine:
    return line._replace(**changes)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.tuples(st.sampled_from(CLASSES), st.integers(min_value=0, max_value=60)),
        st.integers(min_value=0, max_value=10_000_000),
        min_size=1,
        max_size=40,
    ),
    st.data(),
)
def test_books_of_the_ledgers_accruals_agree_and_one_cent_more_is_one_break(
    cents_by_day: dict[tuple[str, int], int], data: st.DataObject
) -> None:
    daily = {
        (fund_class, START + timedelta(days=offset)): Decimal(cents) / 100
        for (fund_class, offset), cents in cents_by_day.items()
    }
    monthly: dict[tuple[str, str], Decimal] = {}
    for (fund_class, day), amount in daily.items():
        month = (fund_class, day.isoformat()[:7])
        monthly[month] = monthly.get(month, Decimal(0)) + amount
    books = [
        OutsideLine(SHA, row, day, amount, fund_class=fund_class)
        for row, ((fund_class, day), amount) in enumerate(sorted(daily.items()), start=2)
    ]
    figures = {key: LedgerFigure(amount, ("stream:1",)) for key, amount in daily.items()}
    months = {key: LedgerFigure(amount, ("stream:1",)) for key, amount in monthly.items()}
    assert match_accruals(figures, months, books).breaks == ()
    at = data.draw(st.integers(min_value=0, max_value=len(books) - 1))
    books[at] = _with(books[at], amount=books[at].amount + Decimal("0.02"))
    found = match_accruals(figures, months, books).breaks
    # The day differs, and so does its month: one break at each level.
    assert [(f.kind, f.key.split("/")[1]) for f in found] == [
        (BreakKind.AMOUNT_DIFFERS, "day"),
        (BreakKind.AMOUNT_DIFFERS, "month"),
    ]
