"""The types of command-line options: the grammar of adapters/inputs/grammar.py, as argparse
wants it (an `ArgumentTypeError` whose message argparse prints after the option's name)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from adapters.inputs import grammar
from domain.periods import Period

T = TypeVar("T")


def _option(parse: Callable[[str], T], name: str) -> Callable[[str], T]:
    def parsed(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parsed.__name__ = name  # argparse names the type in some messages
    return parsed


iso_date = _option(grammar.parse_date, "date")
money = _option(grammar.parse_money, "amount")
non_negative_money = _option(
    lambda text: grammar.parse_money(text, minimum="non-negative"), "amount"
)
day_count = _option(grammar.parse_count, "count")
fine_amount = _option(grammar.parse_fine_amount, "amount")
quarter = _option(grammar.parse_quarter, "quarter")


def _period(text: str) -> Period:
    return grammar.parse_period_text(text)


period: Callable[[str], Any] = _option(_period, "period")


def amount_or_keyword(text: str, keyword: str) -> Decimal | None:
    """`--amount`: an amount, or the keyword (None).

    Raises:
        ValueError: neither.
    """
    return None if text == keyword else grammar.parse_money(text)


# ---- times: --known-at, --since, --committed-from/to -------------------------------------------


def _moment(text: str, day_time: time) -> datetime:
    try:
        return grammar.parse_moment(text, day_time)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def known_at_time(text: str) -> datetime:
    """A point in recorded time; a date alone means the end of that day. Whether it lies in
    the future is settled against the ledger (handlers.settle_known_at)."""
    return _moment(text, time.max)


def range_start(text: str) -> datetime:
    """The lower bound of a range of commit times; a date alone means its start."""
    return _moment(text, time.min)


def _log_positions(text: str) -> tuple[int, int]:
    """`N` (one log position) or `N..M` (both inclusive), positions counted from 1."""
    first, dots, last = text.partition("..")
    try:
        bounds = (int(first), int(last if dots else first))
    except ValueError:
        raise ValueError(f"not a log position or range N..M: {text!r}") from None
    if bounds[0] < 1 or bounds[1] < bounds[0]:
        raise ValueError(f"not a log position or range N..M (1 <= N <= M): {text!r}")
    return bounds


log_positions = _option(_log_positions, "positions")
