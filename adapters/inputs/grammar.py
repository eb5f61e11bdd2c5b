"""The one grammar of figures the ledger reads: money, rates, shares, dates, periods, counts.

Every reader (CSV files, plan and meeting files, command-line options) goes through these
functions, so a figure means the same everywhere and a malformed one is refused, never
guessed at: Python's `Decimal`, `int` and `date.fromisoformat` accept `1.23457E+07`,
`1_000`, non-ASCII digits and `20030701`, each of which would record a number nobody wrote.
Each parser raises `ValueError` with a message fit to follow "file, row, field:" or an option.
README.md ("Data formats") documents the grammar.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

from domain.periods import Period, parse_period
from domain.rates import parse_percent

# The ledger's calendar: wide enough for any plan, narrow enough that date arithmetic (a day
# after, a year after, a notice period) never leaves Python's calendar.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
# Days and counts: a century of days is more than any carry or retention needs.
MAX_DAYS = 36_525

_MONEY = re.compile(r"(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?", re.ASCII)
_SHARES = re.compile(r"(0|[1-9][0-9]{0,14})(?:\.([0-9]{1,6}))?", re.ASCII)
_PERCENT = re.compile(r"(0|[1-9][0-9]{0,2})(?:\.([0-9]{1,6}))?%?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_COUNT = re.compile(r"0|[1-9][0-9]{0,8}", re.ASCII)
# A quarter is written 2003Q3; 2003-Q3, as often written, means the same.
_QUARTER = re.compile(r"([0-9]{4})-?Q([1-4])", re.ASCII)
_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_MONTH = r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?"
_PERIOD = re.compile(rf"{_MONTH}(?:\.\.{_MONTH})?", re.ASCII)

MONEY_FORM = "a plain decimal with at most two places, like 1234.56"
DATE_FORM = "a date YYYY-MM-DD"
QUARTER_FORM = "use 2004Q2 (or 2004-Q2): a year and Q1 to Q4"
PERIOD_FORM = (
    "use 2003Q3 (or 2003-Q3), 2003-07, 2003-07..2003-09, 2003-07-01..2003-09-30 or 2003 "
    "(the calendar year)"
)


def parse_money(
    text: str,
    *,
    minimum: str = "positive",
    max_integer_digits: int = 16,
) -> Decimal:
    """Money: `[-]DIGITS[.D[D]]`, ASCII digits, no leading zeros, no exponent, no separators.

    `minimum` is "positive" (> 0), "non-negative" (>= 0) or "any" (a negative is meaningful;
    `-0` is still refused, as it says nothing a plain 0 does not). Returns the value in cents.

    Raises:
        ValueError: anything else.
    """
    match = _MONEY.fullmatch(text)
    if match is None:
        raise ValueError(f"not an amount ({MONEY_FORM}): {text!r}")
    sign, whole, _ = match.groups()
    if len(whole) > max_integer_digits:
        raise ValueError(f"too large: at most {max_integer_digits} digits before the point")
    value = Decimal(text).quantize(Decimal("0.01"))
    if sign and value == 0:
        raise ValueError(f"-0 is not an amount: {text!r}")
    if sign and minimum != "any":
        raise ValueError(f"must not be negative: {text!r}")
    if minimum == "positive" and value == 0:
        raise ValueError(f"must be more than zero: {text!r}")
    return value


def parse_shares(text: str) -> Decimal:
    """A number of shares: a plain non-negative decimal with at most six places."""
    if _SHARES.fullmatch(text) is None:
        raise ValueError(
            f"not a number of shares (a plain decimal with at most six places): {text!r}"
        )
    return Decimal(text)


FINE_AMOUNT_FORM = "a plain non-negative decimal with at most six places, like 136.986301"


def parse_fine_amount(text: str) -> Decimal:
    """An amount kept finer than the cent: a fund accountant's booked daily accrual, or a
    reconciliation's tolerance (`0.011`, a cent and a tenth). Non-negative, at most six places.

    Raises:
        ValueError: anything else.
    """
    if _SHARES.fullmatch(text) is None:
        raise ValueError(f"not an amount ({FINE_AMOUNT_FORM}): {text!r}")
    return Decimal(text)


def parse_rate(text: str) -> Decimal:
    """An annual rate written as a percentage (`0.25%` or `0.25`), at most 100% and six
    places; returns the fraction (0.0025)."""
    if _PERCENT.fullmatch(text) is None:
        raise ValueError(f"not a percentage (like 0.25%, at most six places and 100%): {text!r}")
    rate = parse_percent(text)
    if rate > 1:
        raise ValueError(f"a rate is at most 100%: {text!r}")
    return rate


def check_date(day: date, text: str | None = None) -> date:
    """`day`, if it lies in the ledger's calendar."""
    if not FIRST_DATE <= day <= LAST_DATE:
        shown = text if text is not None else day.isoformat()
        raise ValueError(f"{shown!r} is outside {FIRST_DATE}..{LAST_DATE}")
    return day


def parse_date(text: str) -> date:
    """A date: exactly `YYYY-MM-DD`, a real day, within FIRST_DATE..LAST_DATE."""
    if _DATE.fullmatch(text) is None:
        raise ValueError(f"not {DATE_FORM}: {text!r}")
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"not a real day: {text!r} ({error})") from None
    return check_date(day, text)


def parse_count(text: str, *, maximum: int = MAX_DAYS) -> int:
    """A whole number of days or things: ASCII digits, 0 to `maximum`."""
    if _COUNT.fullmatch(text) is None or int(text) > maximum:
        raise ValueError(f"not a whole number from 0 to {maximum}: {text!r}")
    return int(text)


def parse_quarter(text: str) -> str:
    """A calendar quarter, `2003Q3` or `2003-Q3`; returned as its label, `2003Q3`."""
    match = _QUARTER.fullmatch(text)
    if match is None:
        raise ValueError(f"not a quarter: {text!r}; {QUARTER_FORM}")
    check_date(date(int(match[1]), 1, 1), text)
    return f"{match[1]}Q{match[2]}"


def period_label(text: str) -> str:
    """The label `domain.periods.parse_period` reads for a period written in one of the forms
    of README's "Data formats": a quarter as `2003Q3`, a calendar year as `2003-01..2003-12`.

    Raises:
        ValueError: none of them.
    """
    if _QUARTER.fullmatch(text) is not None:
        return parse_quarter(text)
    if _YEAR.fullmatch(text) is not None:
        return f"{text}-01..{text}-12"
    if _PERIOD.fullmatch(text) is None:
        raise ValueError(f"not a period: {text!r}; {PERIOD_FORM}")
    return text


def parse_period_text(text: str) -> Period:
    """A period in one of the forms of `period_label`, in ASCII digits and ISO dates only,
    within the ledger's calendar."""
    label = period_label(text)
    try:
        period = parse_period(label)
    except OverflowError:  # the day after 9999-12-31: beyond any calendar
        raise ValueError(f"{text!r} is outside {FIRST_DATE}..{LAST_DATE}") from None
    check_date(period.start, text)
    check_date(period.end_inclusive, text)
    return period


# ---- times: --known-at, --since, --committed-from/to ------------------------------------------

_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?",
    re.ASCII,
)
_ZONE = re.compile(r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$", re.ASCII)
_MOMENT_FORM = (
    "write 2004-07-01T12:00:00Z (UTC) or with an offset, 2004-07-01T12:00:00+02:00; "
    "a date alone (2004-07-01) means that whole day, UTC"
)


def parse_moment(text: str, day_time: time) -> datetime:
    """`2026-11-26T14:05:00Z`, with an offset, or a date alone (`2026-11-26`) at `day_time`
    of that day, UTC; within the ledger's calendar (`--known-at`, the web's `known_at`). A time
    without a zone is refused: it is easily a business date taken for a commit time
    (`--known-at` for `--as-of`), and which zone it meant cannot be known."""
    if _MOMENT.fullmatch(text) is None:
        raise ValueError(f"not a time: {text!r}; {_MOMENT_FORM}")
    if len(text) > len("YYYY-MM-DD") and _ZONE.search(text) is None:
        raise ValueError(
            f"{text!r} has no time zone (a commit time, not a business date); {_MOMENT_FORM}"
        )
    try:
        if len(text) == len("YYYY-MM-DD"):
            moment = datetime.combine(date.fromisoformat(text), day_time, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            moment = moment.astimezone(UTC)  # OverflowError at the calendar's very edges
        check_date(moment.date(), text)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not a time: {error}; {_MOMENT_FORM}") from None
    return moment
