"""Half-open periods of calendar days, and the months and quarters the ledger settles by.

A period is `[start, end_exclusive)`: it contains `start` and stops the day before
`end_exclusive`. Users write inclusive ranges and named periods; `parse_period` converts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end_exclusive: date

    def __post_init__(self) -> None:
        if self.end_exclusive <= self.start:
            raise ValueError(f"empty period: {self.start} to {self.end_exclusive} (exclusive)")

    @property
    def end_inclusive(self) -> date:
        return self.end_exclusive - ONE_DAY

    @property
    def days(self) -> int:
        return (self.end_exclusive - self.start).days

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end_exclusive

    def each_day(self) -> Iterator[date]:
        day = self.start
        while day < self.end_exclusive:
            yield day
            day += ONE_DAY

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end_exclusive and other.start < self.end_exclusive

    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end_exclusive.day == 1

    def months(self) -> list[str]:
        """The `YYYY-MM` labels of the months the period touches."""
        labels = []
        month_start = self.start.replace(day=1)
        while month_start < self.end_exclusive:
            labels.append(month_label(month_start))
            month_start = next_month_start(month_start)
        return labels

    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end_inclusive.isoformat()}"


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month_start(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    return Period(start, next_month_start(start))


def is_last_day_of_month(day: date) -> bool:
    return (day + ONE_DAY).day == 1


def quarter_period(year: int, quarter: int) -> Period:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"no quarter {quarter}: quarters are 1 to 4")
    start = date(year, 3 * quarter - 2, 1)
    end_exclusive = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return Period(start, end_exclusive)


def last_quarter_ended(on: date) -> str:
    """The label (`2003Q3`) of the last calendar quarter that ended on or before `on`."""
    quarter = (on.month - 1) // 3 + 1
    if quarter_period(on.year, quarter).end_inclusive == on:
        return f"{on.year}Q{quarter}"
    if quarter == 1:
        return f"{on.year - 1}Q4"
    return f"{on.year}Q{quarter - 1}"


_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _parse_bound(text: str) -> tuple[date, date]:
    """A month or a date as (first day, day after the last day)."""
    month_match = _MONTH.match(text)
    if month_match:
        period = month_period(date(int(month_match[1]), int(month_match[2]), 1))
        return period.start, period.end_exclusive
    day = date.fromisoformat(text)
    return day, day + ONE_DAY


def parse_period(text: str) -> Period:
    """'2003Q3', '2003-07', '2003-07..2003-09', '2003-07-01..2003-09-30' or '2003-07-01'.

    Ranges are inclusive of both ends, as people write them.

    Raises:
        ValueError: the text is none of these forms, or the range is empty.
    """
    text = text.strip()
    quarter_match = _QUARTER.match(text)
    if quarter_match:
        return quarter_period(int(quarter_match[1]), int(quarter_match[2]))
    try:
        if ".." in text:
            first, last = text.split("..", 1)
            start, _ = _parse_bound(first.strip())
            _, end_exclusive = _parse_bound(last.strip())
            return Period(start, end_exclusive)
        start, end_exclusive = _parse_bound(text)
        return Period(start, end_exclusive)
    except ValueError as error:
        raise ValueError(
            f"not a period: {text!r} (use 2003Q3, 2003-07, 2003-07..2003-09 or "
            f"2003-07-01..2003-09-30): {error}"
        ) from None
