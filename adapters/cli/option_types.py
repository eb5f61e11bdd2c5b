"""The types of command-line options: the grammar of adapters/inputs/grammar.py, as argparse
wants it (an `ArgumentTypeError` whose message argparse prints after the option's name)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
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


def _moment(text: str, day_time: time) -> datetime:
    """`2026-11-26T14:05:00Z`, with an offset, or a date alone (`2026-11-26`) at `day_time`
    of that day, UTC; within the ledger's calendar. A time without a zone is refused: it is
    easily a business date taken for a commit time (`--known-at` for `--as-of`), and which
    zone it meant cannot be known."""
    if _MOMENT.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"not a time: {text!r}; {_MOMENT_FORM}")
    if len(text) > len("YYYY-MM-DD") and _ZONE.search(text) is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone (a commit time, not a business date); {_MOMENT_FORM}"
        )
    try:
        if len(text) == len("YYYY-MM-DD"):
            moment = datetime.combine(date.fromisoformat(text), day_time, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
            moment = moment.astimezone(UTC)  # OverflowError at the calendar's very edges
        grammar.check_date(moment.date(), text)
    except (ValueError, OverflowError) as error:
        raise argparse.ArgumentTypeError(f"not a time: {error}; {_MOMENT_FORM}") from None
    return moment


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
