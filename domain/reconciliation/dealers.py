"""The three-way check of service fees (docs/reconciliation.md §2.3): for each dealer, fund class
and period a dealer invoiced, the fee owed under the dealer's agreement (its contractual rate on
its own averaging method, computed here), the dealer's invoice, and what the ledger paid; the
per-provider cap of SEVENTH stays the ceiling.

Three outcomes per invoice, each its own break when it fails:
- the invoice against the fee owed (`amount-differs`, key `…/invoice`);
- the invoice against the cap (`over-cap`, key `…/cap`), even when it is the agreement's figure;
- what the ledger paid against the invoice, or the cap if the invoice is above it
  (`missing-in-ledger` when nothing was paid, `amount-differs` otherwise; key `…/paid`).
A fee the ledger paid a dealer that invoiced, for a class and period it did not invoice, is
`missing-in-statement`. When all three agree the invoice is one match (`three-way`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from domain.money import ZERO, exact_add, exact_divide, exact_multiply, round_half_up_to_cent
from domain.periods import Period, parse_period
from domain.rates import days_in_year
from domain.reconciliation.matcher import DEFAULT_TOLERANCE, within
from domain.reconciliation.records import (
    BreakKind,
    Check,
    Finding,
    LedgerFigure,
    Match,
    MatchRule,
    Outcome,
    OutsideLine,
)

MONTHS_IN_YEAR = 12


class AveragingMethod(Enum):
    """How an agreement averages the dealer's customers' positions for its fee."""

    # The cap's own basis: every calendar day, a day without a position carrying the last one.
    CALENDAR_DAY_AVERAGE = "calendar-day-average"
    # The average of the positions recorded (business days), applied to every calendar day.
    BUSINESS_DAY_AVERAGE = "business-day-average"
    # Each month's last position, at a twelfth of the annual rate (prorated for a month
    # the agreement covers in part).
    MONTH_END = "month-end"


Positions = Mapping[date, Decimal]
RateOn = Callable[[date], Decimal | None]  # the contractual rate in force, None: no agreement


def _position_on(positions: Positions, recorded: Sequence[date], day: date) -> Decimal:
    """The last position recorded on or before `day` (none yet: zero)."""
    before = [known for known in recorded if known <= day]
    return positions[before[-1]] if before else ZERO


def fee_owed(
    method: AveragingMethod, period: Period, positions: Positions, rate_on: RateOn
) -> Decimal:
    """The fee the agreement itself gives for `period`, exact, rounded half up to the cent."""
    recorded = sorted(positions)
    covered = [day for day in period.each_day() if rate_on(day) is not None]
    total = ZERO
    if method is AveragingMethod.MONTH_END:
        for month_days in _by_month(covered):
            last = month_days[-1]
            share = exact_divide(Decimal(len(month_days)), _days_in_month(last))
            monthly = exact_divide(_rate(rate_on, last), MONTHS_IN_YEAR)
            amount = exact_multiply(_position_on(positions, recorded, last), monthly)
            total = exact_add(total, exact_multiply(amount, share))
        return round_half_up_to_cent(total)
    average = ZERO
    if method is AveragingMethod.BUSINESS_DAY_AVERAGE:
        in_period = [day for day in recorded if day in set(covered)]
        if in_period:
            summed = ZERO
            for day in in_period:
                summed = exact_add(summed, positions[day])
            average = exact_divide(summed, len(in_period))
    for day in covered:
        basis = average if method is AveragingMethod.BUSINESS_DAY_AVERAGE else None
        position = _position_on(positions, recorded, day) if basis is None else basis
        daily = exact_divide(exact_multiply(position, _rate(rate_on, day)), days_in_year(day))
        total = exact_add(total, daily)
    return round_half_up_to_cent(total)


def average_basis(
    method: AveragingMethod, period: Period, positions: Positions, rate_on: RateOn
) -> Decimal:
    """The average position the method applies its rate to over the days an agreement covers
    in `period` (a remittance advice shows it), rounded half up to the cent: the mean of every
    covered day's position (calendar days), of the positions recorded on covered days, or of
    the covered months' last positions."""
    recorded = sorted(positions)
    covered = [day for day in period.each_day() if rate_on(day) is not None]
    if method is AveragingMethod.BUSINESS_DAY_AVERAGE:
        days = set(covered)
        figures = [positions[day] for day in recorded if day in days]
    elif method is AveragingMethod.MONTH_END:
        figures = [_position_on(positions, recorded, days[-1]) for days in _by_month(covered)]
    else:
        figures = [_position_on(positions, recorded, day) for day in covered]
    if not figures:
        return ZERO
    summed = ZERO
    for figure in figures:
        summed = exact_add(summed, figure)
    return round_half_up_to_cent(exact_divide(summed, len(figures)))


def _rate(rate_on: RateOn, day: date) -> Decimal:
    rate = rate_on(day)
    assert rate is not None
    return rate


def _by_month(days: Sequence[date]) -> list[list[date]]:
    months: dict[tuple[int, int], list[date]] = {}
    for day in days:
        months.setdefault((day.year, day.month), []).append(day)
    return [months[key] for key in sorted(months)]


def _days_in_month(day: date) -> int:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (first_next - timedelta(days=1)).day


@dataclass(frozen=True)
class DealerFee:
    """What the ledger knows of one invoiced dealer, class and period."""

    owed: Decimal | None  # None: no agreement recorded for the dealer on the class
    cap: Decimal | None  # None: the cap cannot be computed (positions missing)
    paid: LedgerFigure | None
    detail: str = ""


def match_dealer_fees(
    invoices: Sequence[OutsideLine],
    figures: Mapping[tuple[str, str, str], DealerFee],
    fees_not_invoiced: Mapping[tuple[str, str, str], LedgerFigure],
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> Outcome:
    """`figures` by (dealer, fund class, period label) of each invoice; `fees_not_invoiced`:
    the ledger's fees to invoicing dealers for a class and period no invoice names."""
    matches: list[Match] = []
    breaks: list[Finding] = []
    for invoice in sorted(invoices, key=lambda line: line.item_id):
        key = (invoice.dealer, invoice.fund_class, invoice.period)
        found = _three_way(invoice, figures[key], tolerance)
        if isinstance(found, Match):
            matches.append(found)
        else:
            breaks.extend(found)
    for (dealer, fund_class, period), paid in sorted(fees_not_invoiced.items()):
        breaks.append(
            Finding(
                Check.DEALER_FEES.value,
                f"{_base(dealer, fund_class, period)}/invoice",
                BreakKind.MISSING_IN_STATEMENT,
                fund_class,
                _period_end(period),
                paid.amount,
                None,
                paid.event_ids,
                (),
                f"the ledger paid {dealer} {paid.amount} for {period}; no invoice names it",
            )
        )
    return Outcome(tuple(matches), tuple(breaks))


def _base(dealer: str, fund_class: str, period: str) -> str:
    return f"{Check.DEALER_FEES.value}/{dealer}/{fund_class}/{period}"


def _period_end(period: str) -> date:
    return parse_period(period).end_exclusive - timedelta(days=1)


def _three_way(invoice: OutsideLine, fee: DealerFee, tolerance: Decimal) -> Match | list[Finding]:
    base = _base(invoice.dealer, invoice.fund_class, invoice.period)
    paid_items = () if fee.paid is None else fee.paid.event_ids
    paid = None if fee.paid is None else fee.paid.amount

    def finding(what: str, kind: BreakKind, ledger: Decimal | None, detail: str) -> Finding:
        items = paid_items if what == "paid" else ()
        return Finding(
            Check.DEALER_FEES.value, f"{base}/{what}", kind, invoice.fund_class, invoice.day,
            ledger, invoice.amount, items, (invoice.item_id,), detail,
        )  # fmt: skip

    found: list[Finding] = []
    if fee.owed is None:
        found.append(
            finding("invoice", BreakKind.MISSING_IN_LEDGER, None, fee.detail or "no agreement")
        )
    elif not within(invoice.amount - fee.owed, tolerance):
        found.append(
            finding(
                "invoice",
                BreakKind.AMOUNT_DIFFERS,
                fee.owed,
                f"the agreement gives {fee.owed}; invoiced {invoice.amount}",
            )
        )
    payable = invoice.amount
    if fee.cap is not None and invoice.amount - fee.cap > tolerance:
        payable = fee.cap
        found.append(
            finding(
                "cap",
                BreakKind.OVER_CAP,
                fee.cap,
                f"invoiced {invoice.amount}, above the per-provider cap of {fee.cap} (SEVENTH)",
            )
        )
    if paid is None:
        found.append(finding("paid", BreakKind.MISSING_IN_LEDGER, None, "the ledger paid nothing"))
    elif not within(paid - payable, tolerance):
        found.append(
            finding("paid", BreakKind.AMOUNT_DIFFERS, paid, f"paid {paid}; {payable} was due on it")
        )
    if found:
        return found
    assert fee.owed is not None and paid is not None
    return Match(
        Check.DEALER_FEES.value, f"{base}/three-way", MatchRule.THREE_WAY.value,
        invoice.fund_class, invoice.day, paid_items, (invoice.item_id,), paid, invoice.amount,
    )  # fmt: skip
