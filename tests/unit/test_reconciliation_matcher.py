"""The pure matcher: each break kind, the tolerance's edges, batches and splits, and the same
keys on every run (docs/reconciliation.md §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.reconciliation.cash import match_cash
from domain.reconciliation.matcher import business_days_apart, match_accruals, match_payables
from domain.reconciliation.records import (
    BreakKind,
    Direction,
    LedgerFigure,
    LedgerPayment,
    OutsideLine,
)

D = Decimal
FC = "INTL-BCV/R"
SHA = "a" * 64


def book(row: int, day: date, amount: str, fund_class: str = FC) -> OutsideLine:
    return OutsideLine(SHA, row, day, D(amount), fund_class=fund_class)


def bank(row: int, day: date, amount: str, *references: str, text: str = "") -> OutsideLine:
    return OutsideLine(
        "b" * 64, row, day, D(amount), Direction.DEBIT, "fund:INTL-BCV", "", references, text
    )


def paid(reference: str, day: date, amount: str, fund_class: str = FC) -> LedgerPayment:
    return LedgerPayment(fund_class, reference, day, D(amount), (f"stream:{reference}",))


def figure(amount: str) -> LedgerFigure:
    return LedgerFigure(D(amount), (f"stream:{amount}",))


def kinds(outcome: object) -> list[str]:
    return [found.kind.value for found in outcome.breaks]  # type: ignore[attr-defined]


JULY_1, JULY_2 = date(2003, 7, 1), date(2003, 7, 2)


# ---- accruals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("books_figure", "tolerance", "matched"),
    [
        ("100.01", "0.01", True),  # exactly a cent: within
        ("100.011", "0.01", False),  # a cent and a tenth: a break
        ("99.99", "0.01", True),
        ("100.02", "0.01", False),
        ("100.02", "0.02", True),  # the tolerance is per check
    ],
)
def test_accrual_tolerance_edges(books_figure: str, tolerance: str, matched: bool) -> None:
    outcome = match_accruals(
        {(FC, JULY_1): figure("100.00")}, {}, [book(2, JULY_1, books_figure)], D(tolerance)
    )
    day_breaks = [found for found in outcome.breaks if "/day/" in found.key]
    assert (not day_breaks) is matched
    if not matched:
        assert day_breaks[0].kind is BreakKind.AMOUNT_DIFFERS
        assert day_breaks[0].difference == D(books_figure) - D("100.00")


def test_accruals_missing_on_either_side_and_the_month() -> None:
    ledger = {(FC, JULY_1): figure("10.00"), (FC, JULY_2): figure("10.00")}
    outcome = match_accruals(
        ledger,
        {(FC, "2003-07"): figure("20.00")},
        [book(2, JULY_1, "10.00"), book(3, date(2003, 7, 3), "10.00")],
    )
    by_key = {found.key: found.kind for found in outcome.breaks}
    assert by_key == {
        f"accruals/day/{FC}/2003-07-02": BreakKind.MISSING_IN_STATEMENT,
        f"accruals/day/{FC}/2003-07-03": BreakKind.MISSING_IN_LEDGER,
    }
    # The month agrees while two of its days do not (a figure booked on another day).
    assert f"accruals/month/{FC}/2003-07" in {match.key for match in outcome.matches}


def test_a_month_that_differs_is_one_break_dated_its_last_day() -> None:
    outcome = match_accruals(
        {(FC, JULY_1): figure("10.00")},
        {(FC, "2003-07"): figure("10.50")},
        [book(2, JULY_1, "10.00")],
    )
    assert [(found.key, found.business_date) for found in outcome.breaks] == [
        (f"accruals/month/{FC}/2003-07", date(2003, 7, 31))
    ]


def test_books_giving_a_day_two_figures_is_a_duplicate() -> None:
    outcome = match_accruals(
        {(FC, JULY_1): figure("10.00")}, {}, [book(2, JULY_1, "10.00"), book(3, JULY_1, "11.00")]
    )
    assert kinds(outcome)[0] == "duplicate"
    # The same figure twice (overlapping extracts) is one figure.
    again = match_accruals(
        {(FC, JULY_1): figure("10.00")}, {}, [book(2, JULY_1, "10.00"), book(3, JULY_1, "10.00")]
    )
    assert not [found for found in again.breaks if "/day/" in found.key]


def test_accruals_in_any_order_give_the_same_outcome_in_the_same_order() -> None:
    """The days are sorted whatever order each side comes in (the ledger's by class or by
    day, the books' as the file gives them), a day only one side has included."""
    other = "INTL-BCV/A"
    days = [date(2003, 7, day) for day in range(1, 11)]
    ledger = {
        (fund_class, day): figure(f"{day.day}.00") for fund_class in (FC, other) for day in days
    }
    books = [
        book(row, day, f"{day.day}.00" if day.day != 4 else "4.50", fund_class)
        for row, (fund_class, day) in enumerate(sorted(ledger), start=2)
        if day.day != 7
    ] + [book(99, date(2003, 7, 11), "1.00")]
    first = match_accruals(ledger, {}, books)
    by_day = dict(sorted(ledger.items(), key=lambda item: (item[0][1], item[0][0])))
    second = match_accruals(by_day, {}, list(reversed(books)))
    assert first == second
    assert [match.key for match in first.matches] == sorted(m.key for m in first.matches)
    days_found = [found for found in first.breaks if "/day/" in found.key]
    assert [(found.kind.value, found.key) for found in days_found] == [
        ("amount-differs", f"accruals/day/{other}/2003-07-04"),
        ("missing-in-statement", f"accruals/day/{other}/2003-07-07"),
        ("amount-differs", f"accruals/day/{FC}/2003-07-04"),
        ("missing-in-statement", f"accruals/day/{FC}/2003-07-07"),
        ("missing-in-ledger", f"accruals/day/{FC}/2003-07-11"),
    ]


# ---- cash ----------------------------------------------------------------------------------


def test_by_reference_one_to_one() -> None:
    outcome = match_cash("fund", [paid("P1", JULY_1, "500.00")], [bank(1, JULY_2, "500.00", "P1")])
    assert not outcome.breaks
    assert [match.rule for match in outcome.matches] == ["reference"]


def test_reference_in_the_text_counts() -> None:
    line = bank(1, JULY_1, "500.00", text="WIRE TO DISTRIBUTOR REF P1 12B-1")
    outcome = match_cash("fund", [paid("P1", JULY_1, "500.00")], [line])
    assert [match.rule for match in outcome.matches] == ["reference"]


def test_by_amount_and_date_without_reference() -> None:
    outcome = match_cash(
        "fund",
        [paid("P1", date(2003, 7, 4), "500.00")],  # a Friday
        [bank(1, date(2003, 7, 9), "500.01")],  # the Wednesday after: 3 business days
    )
    assert [match.rule for match in outcome.matches] == ["amount-date"]
    assert outcome.matches[0].difference == D("0.01")


def test_date_outside_the_window() -> None:
    outcome = match_cash(
        "fund", [paid("P1", date(2003, 7, 4), "500.00")], [bank(1, date(2003, 7, 10), "500.00")]
    )
    assert kinds(outcome) == ["date-outside-window"]
    by_reference = match_cash(
        "fund",
        [paid("P1", date(2003, 7, 4), "500.00")],
        [bank(1, date(2003, 7, 10), "500.00", "P1")],
        window_business_days=3,
    )
    assert kinds(by_reference) == ["date-outside-window"]


def test_amount_differs_by_reference_beyond_the_tolerance() -> None:
    outcome = match_cash("fund", [paid("P1", JULY_1, "500.00")], [bank(1, JULY_1, "500.02", "P1")])
    assert kinds(outcome) == ["amount-differs"]
    assert outcome.breaks[0].difference == D("0.02")


def test_missing_on_each_side() -> None:
    outcome = match_cash("fund", [paid("P1", JULY_1, "500.00")], [bank(1, JULY_1, "77.00")])
    assert sorted(kinds(outcome)) == ["missing-in-ledger", "missing-in-statement"]


def test_a_batch_of_two_payments_in_one_line() -> None:
    payments = [paid("P1", JULY_1, "300.00"), paid("P2", JULY_1, "200.00", "INTL-BCV/A")]
    outcome = match_cash("fund", payments, [bank(1, JULY_2, "500.00")])
    assert not outcome.breaks
    assert [(match.rule, len(match.ledger_items)) for match in outcome.matches] == [("batch", 2)]


def test_a_batch_named_by_references() -> None:
    payments = [paid("P1", JULY_1, "300.00"), paid("P2", JULY_1, "200.00")]
    outcome = match_cash("fund", payments, [bank(1, JULY_1, "500.00", text="P1 P2")])
    assert [match.rule for match in outcome.matches] == ["batch"]


def test_one_payment_split_over_two_lines() -> None:
    outcome = match_cash(
        "fund",
        [paid("P1", JULY_1, "500.00")],
        [bank(1, JULY_2, "300.00"), bank(2, JULY_2, "200.00")],
    )
    assert not outcome.breaks
    assert [(match.rule, len(match.outside_items)) for match in outcome.matches] == [("split", 2)]


def test_the_same_payment_paid_twice_is_a_duplicate() -> None:
    outcome = match_cash(
        "fund",
        [paid("P1", JULY_1, "500.00")],
        [bank(1, JULY_1, "500.00", "P1"), bank(2, JULY_2, "500.00", "P1")],
    )
    assert [match.rule for match in outcome.matches] == ["reference"]
    assert kinds(outcome) == ["duplicate"]
    assert outcome.breaks[0].outside_items == (f"{'b' * 16}#row=2",)


def test_same_inputs_in_any_order_give_the_same_keys() -> None:
    payments = [paid(f"P{n}", JULY_1, f"{n}00.00") for n in range(1, 6)]
    lines = [bank(n, JULY_2, f"{n}00.00") for n in range(1, 5)] + [bank(9, JULY_2, "1.00")]
    first = match_cash("fund", payments, lines)
    second = match_cash("fund", list(reversed(payments)), list(reversed(lines)))
    assert first == second
    assert {found.key for found in first.breaks} == {
        "distributor-cash/fund/missing-in-statement/payment:INTL-BCV/R:P5",
        f"distributor-cash/fund/missing-in-ledger/{'b' * 16}#row=9",
    }


@pytest.mark.parametrize(
    ("first", "second", "apart"),
    [
        (date(2003, 7, 4), date(2003, 7, 7), 1),  # Friday to Monday
        (date(2003, 7, 4), date(2003, 7, 5), 0),  # Friday to Saturday
        (date(2003, 7, 1), date(2003, 7, 15), 10),
        (date(2003, 7, 15), date(2003, 7, 1), 10),
        (date(2003, 7, 1), date(2003, 7, 1), 0),
    ],
)
def test_business_days_apart(first: date, second: date, apart: int) -> None:
    assert business_days_apart(first, second) == apart


def test_the_payable_at_each_month_end_the_books_give() -> None:
    july_end = date(2003, 7, 31)
    books = [
        OutsideLine(SHA, 2, july_end, D("10.00"), fund_class=FC, payable=D("310.01")),
        OutsideLine(SHA, 3, date(2003, 8, 30), D("10.00"), fund_class=FC, payable=D("9.00")),
    ]
    agreed = match_payables({(FC, "2003-07"): figure("310.00")}, books)
    assert [match.key for match in agreed.matches] == [f"accruals/payable/{FC}/2003-07"]
    differs = match_payables({(FC, "2003-07"): figure("309.99")}, books)
    assert [(f.kind, f.business_date) for f in differs.breaks] == [
        (BreakKind.AMOUNT_DIFFERS, july_end)
    ]
    # August's extract stops before its end: its payable is not compared.
    assert len(agreed.matches) + len(agreed.breaks) == 1
