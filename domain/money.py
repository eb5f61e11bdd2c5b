"""Money as exact decimals, and the few ways the ledger is allowed to round it.

Money is never a float. Amounts are built from strings by `to_decimal`, exact intermediate
values are computed in a private high-precision context (so nothing depends on the ambient
`decimal` context of whoever calls us), and every conversion to cents names its rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
# Exact amounts are shown to auditors with ten decimals; computations never use the shown value.
EXACT_QUANTUM = Decimal("1E-10")

# Quotas are compared at this resolution, so that ties that are exact in arithmetic stay ties
# whatever noise the sixtieth digit carries.
QUOTA_QUANTUM = Decimal("1E-30")

# Sixty significant digits: net assets in the trillions times rates with a few decimals, summed
# over decades of days, stay exact until the one division by the day count.
EXACT_CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN)


def to_decimal(value: str | int | Decimal) -> Decimal:
    """The one constructor for money and rates: never from a float."""
    if isinstance(value, float):  # pragma: no cover - a programmer error, not user input
        raise TypeError("money is never a float")
    return Decimal(value)


def exact_multiply(left: Decimal, right: Decimal) -> Decimal:
    return EXACT_CONTEXT.multiply(left, right)


def exact_add(left: Decimal, right: Decimal) -> Decimal:
    return EXACT_CONTEXT.add(left, right)


def exact_divide(numerator: Decimal, denominator: Decimal | int) -> Decimal:
    return EXACT_CONTEXT.divide(numerator, Decimal(denominator))


def exact_sum(values: Sequence[Decimal]) -> Decimal:
    total = ZERO
    for value in values:
        total = EXACT_CONTEXT.add(total, value)
    return total


def round_half_up_to_cent(amount: Decimal) -> Decimal:
    """Totals: the amount owed for a day or a month (domain brief §6.5, method M1)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT_CONTEXT)


def round_down_to_cent(amount: Decimal) -> Decimal:
    """Capped amounts: never pay more than the exact cap (decision Q19)."""
    return amount.quantize(CENT, rounding=ROUND_DOWN, context=EXACT_CONTEXT)


def shown_exact(amount: Decimal) -> Decimal:
    """An exact amount as stored for the reader (ten decimals)."""
    return amount.quantize(EXACT_QUANTUM, rounding=ROUND_HALF_EVEN, context=EXACT_CONTEXT)


def allocate_largest_remainder(
    total_cents: Decimal, exact_parts: Sequence[Decimal]
) -> list[Decimal]:
    """Split `total_cents` into parts proportional to `exact_parts`, summing exactly to it.

    Each part first gets its exact amount rounded down to the cent; the cents left over go one
    each to the parts with the largest discarded fractions. Ties go to the earlier part, which
    is why callers list the asset-based sales charge first (Schedule B order).

    The exact parts are scaled to the total first, so they may be weights (for instance rates)
    as well as amounts that already sum to about the total.

    Args:
        total_cents: a non-negative amount with at most two decimals.
        exact_parts: non-negative weights, at least one of them positive.
    Returns:
        One amount in cents per part, in the same order, summing to `total_cents`.
    """
    assert total_cents >= ZERO and total_cents == total_cents.quantize(CENT)
    weight_total = exact_sum(exact_parts)
    assert weight_total > ZERO and all(part >= ZERO for part in exact_parts)
    scaled = [quota(total_cents, part, weight_total) for part in exact_parts]
    floors = [floor_to_cent(part) for part in scaled]
    cents_left = int((total_cents - exact_sum(floors)) / CENT)
    # Sort by discarded fraction, largest first; Python's sort is stable, so ties keep order.
    order = sorted(
        range(len(scaled)), key=lambda index: scaled[index] - floors[index], reverse=True
    )
    for index in order[:cents_left]:
        floors[index] += CENT
    return floors


def quota(total: Decimal, part: Decimal, weight_total: Decimal) -> Decimal:
    """`total × part / weight_total`, at the resolution at which quotas are compared."""
    exact = exact_divide(exact_multiply(total, part), weight_total)
    return exact.quantize(QUOTA_QUANTUM, rounding=ROUND_HALF_EVEN, context=EXACT_CONTEXT)


def floor_to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_FLOOR, context=EXACT_CONTEXT)


def format_money(amount: Decimal) -> str:
    """Two decimals, as money is shown in JSON and CSV output."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT_CONTEXT))
