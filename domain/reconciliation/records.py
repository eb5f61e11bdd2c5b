"""What reconciliation compares, as typed frozen records: the outside world's lines, the
ledger's figures, and what the matcher finds (a match, a break).

Every item is named by a stable text id: an outside line by its statement's SHA-256 (first 16
hex digits) and row (`3f2a…#row=7`), a ledger figure by what it is (`accrual:INTL-BCV/R:2003-07-01`
or the payment's event id). Break and match keys are built from these ids alone, so the same
inputs always give the same keys and a re-run finds what it recorded before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from domain.money import CENT, EXACT_CONTEXT, format_money


class StatementKind(Enum):
    FUND_BOOKS = "fund-books"
    BANK_BAI2 = "bank-bai2"
    BANK_CSV = "bank-csv"
    DEALER_INVOICE = "dealer-invoice"

    @property
    def is_bank(self) -> bool:
        return self in (StatementKind.BANK_BAI2, StatementKind.BANK_CSV)


class Direction(Enum):
    """A bank line's side: money out of the account (debit) or into it (credit)."""

    DEBIT = "debit"
    CREDIT = "credit"
    NONE = ""  # books and invoices


class BreakKind(Enum):
    MISSING_IN_LEDGER = "missing-in-ledger"
    MISSING_IN_STATEMENT = "missing-in-statement"
    AMOUNT_DIFFERS = "amount-differs"
    DATE_OUTSIDE_WINDOW = "date-outside-window"
    OVER_CAP = "over-cap"
    DUPLICATE = "duplicate"


class Check(Enum):
    ACCRUALS = "accruals"
    DISTRIBUTOR_CASH = "distributor-cash"
    DEALER_FEES = "dealer-fees"


class MatchRule(Enum):
    EQUAL = "equal"  # the same figure for the same class and day (or month)
    REFERENCE = "reference"
    AMOUNT_DATE = "amount-date"
    BATCH = "batch"  # many ledger payments in one bank line
    SPLIT = "split"  # one ledger payment in several bank lines
    THREE_WAY = "three-way"  # a dealer's fee owed, invoiced and paid


# The account a bank line is on, as named at import: the Distributor's, or a fund's.
DISTRIBUTOR_ACCOUNT = "distributor"
FUND_ACCOUNT_PREFIX = "fund:"


def amount_text(amount: Decimal) -> str:
    """An amount as a batch of plain rows holds it, as the log's contract writes money: two
    decimals, or its exact digits when it is not whole cents (never an exponent)."""
    # Already whole cents (most amounts, and cheapest): `str` writes a Decimal with two
    # places as `format(amount, "f")` does, faster; an exponent form never has its point
    # third from the end.
    text = str(amount)
    if len(text) > 3 and text[-3] == ".":
        return text
    text = format(amount, "f")
    if amount.is_finite() and amount == amount.quantize(CENT, context=EXACT_CONTEXT):
        return format_money(amount)
    return text


def line_id(sha256: str, row: int) -> str:
    return f"{sha256[:16]}#row={row}"


def line_ids(lines: Iterable[OutsideLine]) -> list[str]:
    """The lines' `item_id`s (`line_id`), made inline: a run names every books line."""
    return [f"{line.statement_sha256[:16]}#row={line.row}" for line in lines]


# The records made once per statement line, per ledger figure and per match (a run makes some
# hundred thousand of each) are named tuples: immutable like the frozen dataclasses, and made
# in half the time.


class OutsideLine(NamedTuple):
    """One line of an imported statement, whatever its kind (unused fields are empty)."""

    statement_sha256: str
    row: int
    day: date
    amount: Decimal  # never negative: the direction says which way money moved
    direction: Direction = Direction.NONE
    account: str = ""
    fund_class: str = ""  # FUND/CLASS, for books and invoices
    references: tuple[str, ...] = ()
    text: str = ""
    payable: Decimal | None = None  # fund books
    dealer: str = ""  # invoices
    period: str = ""  # invoices

    @property
    def item_id(self) -> str:
        return line_id(self.statement_sha256, self.row)


class LedgerFigure(NamedTuple):
    """A figure of the ledger (a class's accrual for a day or a month), with the events that
    make it: the accrual, and any adjustment or true-up since."""

    amount: Decimal
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class LedgerPayment:
    """A payment the ledger recorded (net of any reversal), with the events that made it."""

    fund_class: str
    reference: str
    paid_on: date
    amount: Decimal
    event_ids: tuple[str, ...]

    @property
    def item_id(self) -> str:
        return f"payment:{self.fund_class}:{self.reference}"


class Match(NamedTuple):
    check: str
    key: str
    rule: str
    fund_class: str
    business_date: date
    ledger_items: tuple[str, ...]
    outside_items: tuple[str, ...]
    ledger_amount: Decimal
    outside_amount: Decimal

    @property
    def difference(self) -> Decimal:
        return self.outside_amount - self.ledger_amount


@dataclass(frozen=True)
class Finding:
    """A break as the matcher finds it, before it is recorded."""

    check: str
    key: str
    kind: BreakKind
    fund_class: str
    business_date: date
    ledger_amount: Decimal | None
    outside_amount: Decimal | None
    ledger_items: tuple[str, ...]
    outside_items: tuple[str, ...]
    detail: str

    @property
    def difference(self) -> Decimal:
        return (self.outside_amount or Decimal(0)) - (self.ledger_amount or Decimal(0))


@dataclass(frozen=True)
class Outcome:
    matches: tuple[Match, ...]
    breaks: tuple[Finding, ...]

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(self.matches + other.matches, self.breaks + other.breaks)


NO_OUTCOME = Outcome((), ())
