"""Annual rates, the FINRA caps they must respect, and the actual/actual day count.

Rates are annual fractions held as `Decimal` (`Decimal("0.0025")` is 0.25% a year). Plan files
and commands write them as percentages; `parse_percent` is the one way in.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

from domain.money import EXACT_CONTEXT

HUNDRED = Decimal(100)

# NASD Conduct Rule 2830(d), now FINRA Rule 2341(d): the annual asset-based sales charge may not
# exceed 0.75% of average annual net assets, and service fees may not exceed 0.25%.
FINRA_ABSC_RATE_ANNUAL_MAX = Decimal("0.0075")
FINRA_SERVICE_RATE_ANNUAL_MAX = Decimal("0.0025")

DAY_COUNT_ACTUAL_ACTUAL = "actual/actual"


def days_in_year(day: date) -> int:
    """Actual/actual: 366 in a leap year, else 365 (decision Q23, oracle 9(d))."""
    return 366 if calendar.isleap(day.year) else 365


def parse_percent(text: str) -> Decimal:
    """'0.25%' or '0.25' (percent) to the annual fraction 0.0025.

    Raises:
        ValueError: the text is not a non-negative decimal percentage.
    """
    cleaned = text.strip().removesuffix("%").strip()
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not a percentage: {text!r}") from None
    if not percent.is_finite() or percent < 0:
        raise ValueError(f"not a non-negative percentage: {text!r}")
    return EXACT_CONTEXT.divide(percent, HUNDRED)


def format_percent(rate_annual: Decimal) -> str:
    """0.0025 to '0.25%' (at least two decimals, no trailing noise)."""
    percent = EXACT_CONTEXT.multiply(rate_annual, HUNDRED).normalize()
    if percent.as_tuple().exponent > -2:  # type: ignore[operator]
        percent = percent.quantize(Decimal("0.01"))
    return f"{percent:f}%"


def rate_text(rate: Decimal) -> str:
    """An annual rate as JSON and CSV give it: a decimal fraction, no exponent, no trailing
    zeros (0.0025 for 0.25%)."""
    return f"{rate.normalize():f}" if rate else "0"
