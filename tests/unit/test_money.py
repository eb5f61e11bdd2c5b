"""Money arithmetic: the largest-remainder split and the rounding helpers.

Property tests check the invariants (parts sum to the total, each part is within a cent of its
quota, ties go to the earlier part); examples pin the cases the domain brief names.
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from domain.accrual import split_cents, split_cents_in_two
from domain.money import (
    CENT,
    allocate_largest_remainder,
    round_down_to_cent,
    round_half_up_to_cent,
)

cents = st.integers(min_value=0, max_value=10**12).map(lambda value: D(value) / 100)
weights = st.integers(min_value=1, max_value=10**9).map(lambda value: D(value) / 10**4)


@given(cents, st.lists(weights, min_size=1, max_size=6))
def test_parts_sum_to_the_total_and_stay_within_a_cent_of_their_quota(total, parts):
    allocated = allocate_largest_remainder(total, parts)
    assert sum(allocated, D(0)) == total
    weight = sum(parts, D(0))
    for amount, part in zip(allocated, parts, strict=True):
        assert amount == amount.quantize(CENT)
        assert abs(amount - total * part / weight) < CENT


@given(cents, weights, weights)
def test_the_two_part_split_agrees_with_the_general_method(total, first, second):
    assert split_cents_in_two(total, first, second) == allocate_largest_remainder(
        total, [first, second]
    )


@given(cents, weights)
def test_equal_parts_give_the_odd_cent_to_the_first(total, weight):
    first, second = split_cents(total, [weight, weight])
    assert first - second in (D("0.00"), D("0.01"))


def test_all_zero_parts_split_nothing():
    assert split_cents(D("0.00"), [D(0), D(0)]) == [D(0), D(0)]


def test_brief_examples_of_rounding():
    assert round_half_up_to_cent(D("4282.7029421918")) == D("4282.70")
    assert round_half_up_to_cent(D("0.005")) == D("0.01")
    assert round_down_to_cent(D("955.136986")) == D("955.13")
    assert round_down_to_cent(D("2583.5616438")) == D("2583.56")
    assert allocate_largest_remainder(D("136.99"), [D("68.4931506849"), D("68.4931506849")]) == [
        D("68.50"),
        D("68.49"),
    ]
