"""A payment and the one line naming it are matched by a shortcut (`_one_to_one`): its outcome
is the general comparison's, to the Decimal's exponent and the order of the matches, whatever
the amounts, days, tolerance and window, and whichever lines name which payments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reconciliation import cash
from domain.reconciliation.cash import match_cash
from domain.reconciliation.records import Direction, LedgerPayment, OutsideLine

START = date(2003, 7, 1)
SHA = "d" * 64
AMOUNTS = st.sampled_from(["0", "1.5", "1.50", "1E+2", "100.00", "12.345", "0.01", "7.77"])


@st.composite
def payments_and_lines(draw: st.DrawFn) -> tuple[list[LedgerPayment], list[OutsideLine]]:
    payments = [
        LedgerPayment(
            draw(st.sampled_from(["A/R", "B/R"])),
            f"PAY-{number}",
            START + timedelta(days=draw(st.integers(0, 20))),
            Decimal(draw(AMOUNTS)),
            tuple(draw(st.lists(st.sampled_from(["e:2", "e:1", "e:3"]), min_size=1, max_size=3))),
        )
        for number in range(draw(st.integers(0, 6)))
    ]
    lines = [
        OutsideLine(
            SHA,
            row,
            START + timedelta(days=draw(st.integers(0, 20))),
            Decimal(draw(AMOUNTS)),
            Direction.DEBIT,
            "distributor",
            "",
            tuple(draw(st.lists(st.sampled_from([f"PAY-{n}" for n in range(7)]), max_size=2))),
            draw(st.sampled_from(["", "WIRE", "WIRE PAY-1", "PAY-2 PAY-3"])),
        )
        for row in range(draw(st.integers(0, 7)))
    ]
    return payments, lines


@settings(max_examples=400, deadline=None)
@given(
    payments_and_lines(),
    st.sampled_from([Decimal("0"), Decimal("0.01"), Decimal("0.5"), Decimal("-1")]),
    st.integers(0, 4),
)
def test_the_shortcut_gives_the_general_comparisons_outcome(
    found: tuple[list[LedgerPayment], list[OutsideLine]], tolerance: Decimal, window: int
) -> None:
    payments, lines = found
    fast = match_cash("distributor", payments, lines, tolerance, window)
    with mock.patch.object(cash, "_one_to_one", return_value=False):
        general = match_cash("distributor", payments, lines, tolerance, window)
    assert repr(fast) == repr(general)


def test_the_shortcut_takes_the_common_pair() -> None:
    payment = LedgerPayment("A/R", "PAY-1", START, Decimal("10.00"), ("e:1",))
    line = OutsideLine(SHA, 2, START, Decimal("10.00"), Direction.DEBIT, "distributor", "",
                       ("PAY-1",))  # fmt: skip
    with mock.patch.object(cash, "_one_to_one", wraps=cash._one_to_one) as shortcut:
        (match,) = match_cash("distributor", [payment], [line]).matches
    assert shortcut.call_count == 1 and match.rule == "reference"
