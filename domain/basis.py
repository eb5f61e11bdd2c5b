"""Which net-assets figure is the basis for each calendar day.

Schedule B applies the rates to average daily net assets "computed in a manner used for the
determination of the offering price": a figure is struck on each business day, and a day
without one (a weekend, a holiday) is deemed to have the last earlier figure (domain brief
§6.3). A long run of days without a figure is not a weekend: it is missing data, and the
ledger refuses to guess (decision Q16 and docs/decisions.md).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.errors import RuleViolation
from domain.periods import ONE_DAY

MAX_CARRY_DAYS_DEFAULT = 4


@dataclass(frozen=True)
class DayBasis:
    day: date
    basis_date: date
    net_assets: Decimal


class MissingFiguresError(RuleViolation):
    """Runs of days whose carried figure would be older than the limit allows."""

    def __init__(self, rule: str, clause: str, subject: str, runs: list[tuple[date, date]]) -> None:
        self.runs = runs
        described = ", ".join(_describe_run(first, last) for first, last in runs)
        super().__init__(rule, clause, f"{subject}: no figure for {described}")


def _describe_run(first: date, last: date) -> str:
    days = (last - first).days + 1
    if first == last:
        return f"{first} (1 day)"
    return f"{first}..{last} ({days} days)"


class BasisLookup:
    """Finds the figure in force on a day from figures keyed by ISO date."""

    def __init__(self, figures_by_iso_date: Mapping[str, Decimal]) -> None:
        self._figures = figures_by_iso_date
        self._sorted_iso_dates = sorted(figures_by_iso_date)

    def latest_on_or_before(self, day: date) -> tuple[date, Decimal] | None:
        index = bisect.bisect_right(self._sorted_iso_dates, day.isoformat())
        if index == 0:
            return None
        iso_date = self._sorted_iso_dates[index - 1]
        return date.fromisoformat(iso_date), self._figures[iso_date]

    def next_after(self, day: date) -> date | None:
        index = bisect.bisect_right(self._sorted_iso_dates, day.isoformat())
        if index == len(self._sorted_iso_dates):
            return None
        return date.fromisoformat(self._sorted_iso_dates[index])


def bases_for_days(
    figures_by_iso_date: Mapping[str, Decimal],
    days: Iterable[date],
    *,
    max_carry_days: int,
    subject: str,
    rule: str = "net-assets-missing",
    clause: str = "SECOND, Schedule B",
) -> list[DayBasis]:
    """The basis of each day, in order.

    Args:
        figures_by_iso_date: the recorded figures (net assets or provider positions).
        days: ascending calendar days.
        max_carry_days: how many days after a figure it may still be carried.
        subject: names the fund class or provider in the error.
    Raises:
        MissingFiguresError: listing every run of days (first, last) without a usable figure.
    """
    lookup = BasisLookup(figures_by_iso_date)
    bases: list[DayBasis] = []
    missing_days: list[date] = []
    for day in days:
        found = lookup.latest_on_or_before(day)
        if found is None or (day - found[0]).days > max_carry_days:
            missing_days.append(day)
            continue
        bases.append(DayBasis(day, found[0], found[1]))
    if missing_days:
        raise MissingFiguresError(
            rule, clause, subject, _runs_without_figures(lookup, missing_days)
        )
    return bases


def _runs_without_figures(lookup: BasisLookup, missing_days: list[date]) -> list[tuple[date, date]]:
    """Widen each missing day to the whole run of days that have no figure of their own."""
    runs: list[tuple[date, date]] = []
    for day in missing_days:
        if runs and runs[-1][0] <= day <= runs[-1][1]:
            continue
        found = lookup.latest_on_or_before(day)
        first = found[0] + ONE_DAY if found else day
        following = lookup.next_after(day)
        last = missing_days[-1] if following is None else following - ONE_DAY
        runs.append((first, min(last, missing_days[-1])))
    return runs
