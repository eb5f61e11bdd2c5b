"""The three-way check of dealers' service fees: the fee each averaging method gives (checked
by hand), and each way an invoice, the agreement, the cap and the payment can disagree."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.periods import parse_period
from domain.reconciliation.dealers import (
    AveragingMethod,
    DealerFee,
    fee_owed,
    match_dealer_fees,
)
from domain.reconciliation.records import BreakKind, LedgerFigure, OutsideLine

D = Decimal
Q3 = parse_period("2003Q3")
FC = "INTL-BCV/R"
# Positions recorded on three days only: 1M from 07-01, 2M from 08-01, 3M on 09-30.
POSITIONS = {date(2003, 7, 1): D("1000000"), date(2003, 8, 1): D("2000000"),
             date(2003, 9, 30): D("3000000")}  # fmt: skip


def rate(day: date) -> Decimal | None:
    return D("0.0025")


@pytest.mark.parametrize(
    ("method", "owed"),
    [
        # (31 x 1M + 60 x 2M + 1 x 3M) x 0.25% / 365
        (AveragingMethod.CALENDAR_DAY_AVERAGE, D("1054.79")),
        # the three recorded positions average 2M, for 92 days: 2M x 92 x 0.25% / 365
        (AveragingMethod.BUSINESS_DAY_AVERAGE, D("1260.27")),
        # (1M + 2M + 3M) x 0.25% / 12
        (AveragingMethod.MONTH_END, D("1250.00")),
    ],
)
def test_each_averaging_method(method: AveragingMethod, owed: Decimal) -> None:
    assert fee_owed(method, Q3, POSITIONS, rate) == owed


def test_days_no_agreement_covers_earn_nothing() -> None:
    from_august = parse_period("2003-08-15..2003-09-30")

    def from_mid_august(day: date) -> Decimal | None:
        return D("0.0025") if day >= date(2003, 8, 15) else None

    # August: 17 of its 31 days at its month-end position.
    expected = D("2000000") * D("0.0025") / 12 * 17 / 31 + D("3000000") * D("0.0025") / 12
    assert fee_owed(AveragingMethod.MONTH_END, from_august, POSITIONS, from_mid_august) == (
        expected.quantize(D("0.01"))
    )


def invoice(amount: str, dealer: str = "DEALER-A") -> OutsideLine:
    return OutsideLine(
        "d" * 64, 2, date(2003, 9, 30), D(amount), fund_class=FC, references=("INV-1",),
        dealer=dealer, period=Q3.label(),
    )  # fmt: skip


def paid(amount: str) -> LedgerFigure:
    return LedgerFigure(D(amount), ("fee:1",))


def outcome(amount: str, fee: DealerFee):  # type: ignore[no-untyped-def]
    return match_dealer_fees([invoice(amount)], {("DEALER-A", FC, Q3.label()): fee}, {})


def test_owed_invoiced_and_paid_agree_within_the_tolerance() -> None:
    agreed = outcome("1000.01", DealerFee(D("1000.00"), D("1100.00"), paid("1000.00")))
    assert agreed.breaks == ()
    assert [(m.rule, m.key) for m in agreed.matches] == [
        ("three-way", f"dealer-fees/DEALER-A/{FC}/{Q3.label()}/three-way")
    ]


def test_an_invoice_above_the_cap_is_a_break_even_at_the_agreements_figure() -> None:
    found = outcome("1200.00", DealerFee(D("1200.00"), D("1100.00"), paid("1100.00")))
    assert [(f.kind, f.key.rsplit("/", 1)[1]) for f in found.breaks] == [
        (BreakKind.OVER_CAP, "cap")
    ]
    # Paid at the cap: what was due on an invoice above it; nothing more to say.


def test_invoice_differs_from_the_agreement_and_nothing_paid() -> None:
    found = outcome("1000.50", DealerFee(D("1000.00"), D("1100.00"), None))
    assert [(f.kind, f.key.rsplit("/", 1)[1]) for f in found.breaks] == [
        (BreakKind.AMOUNT_DIFFERS, "invoice"),
        (BreakKind.MISSING_IN_LEDGER, "paid"),
    ]
    assert found.breaks[0].difference == D("0.50")


def test_paid_other_than_invoiced() -> None:
    found = outcome("1000.00", DealerFee(D("1000.00"), D("1100.00"), paid("990.00")))
    assert [(f.kind, f.ledger_amount, f.ledger_items) for f in found.breaks] == [
        (BreakKind.AMOUNT_DIFFERS, D("990.00"), ("fee:1",))
    ]


def test_no_agreement_for_the_dealer() -> None:
    found = outcome("1000.00", DealerFee(None, None, None, "no agreement of DEALER-A"))
    assert [f.kind for f in found.breaks] == [
        BreakKind.MISSING_IN_LEDGER,
        BreakKind.MISSING_IN_LEDGER,
    ]


def test_a_fee_paid_without_an_invoice() -> None:
    found = match_dealer_fees([], {}, {("DEALER-A", FC, Q3.label()): paid("50.00")})
    assert [(f.kind, f.business_date) for f in found.breaks] == [
        (BreakKind.MISSING_IN_STATEMENT, date(2003, 9, 30))
    ]


def test_the_average_basis_of_each_method() -> None:
    from domain.periods import parse_period
    from domain.reconciliation.dealers import AveragingMethod, average_basis

    period = parse_period("2003-07..2003-08")
    positions = {date(2003, 7, 1): Decimal(100), date(2003, 7, 31): Decimal(400)}

    def rate_on(day: date) -> Decimal | None:
        return Decimal("0.0025")

    # Calendar days: 30 days at 100 and 32 days (07-31 to 08-31) at 400, over 62.
    calendar = average_basis(AveragingMethod.CALENDAR_DAY_AVERAGE, period, positions, rate_on)
    assert calendar == Decimal("254.84")
    assert average_basis(AveragingMethod.BUSINESS_DAY_AVERAGE, period, positions, rate_on) == 250
    assert average_basis(AveragingMethod.MONTH_END, period, positions, rate_on) == 400
