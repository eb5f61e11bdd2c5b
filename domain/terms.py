"""When the plan is in effect for a fund class, and by what authority (ELEVENTH).

The plan takes effect on its effective date and continues until the end of the initial term
(2004-05-30 inclusive, decision Q6). Each later year needs a continuance approved by the board;
until one is recorded, days after the term are not in effect and nothing accrues for them.
Coverage is a list of dated intervals so that continuances can extend it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CoverageInterval:
    start: date
    end_inclusive: date
    name: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end_inclusive

    @property
    def authority(self) -> str:
        """What an accrual for a day in this interval cites as its authority."""
        return f"{self.name} {self.start}..{self.end_inclusive} (ELEVENTH)"


def initial_term(effective_date: date, initial_term_end: date) -> CoverageInterval:
    return CoverageInterval(effective_date, initial_term_end, "initial term")


def interval_on(coverage: list[CoverageInterval], day: date) -> CoverageInterval | None:
    for interval in coverage:
        if interval.covers(day):
            return interval
    return None


def authorities_by_day(
    coverage: list[CoverageInterval], days: list[date]
) -> dict[date, str | None]:
    """The authority for each day (None where the plan is not in effect)."""
    texts = {interval: interval.authority for interval in coverage}
    found = {}
    for day in days:
        interval = interval_on(coverage, day)
        found[day] = None if interval is None else texts[interval]
    return found


def describe_lapse(coverage: list[CoverageInterval], day: date) -> str:
    """Why the plan is not in effect on `day`, for refusals and run summaries."""
    earlier = [interval for interval in coverage if interval.end_inclusive < day]
    if not earlier:
        first = min(interval.start for interval in coverage)
        return f"the plan takes effect on {first} (ELEVENTH)"
    last = max(earlier, key=lambda interval: interval.end_inclusive)
    return (
        f"the {last.name} ended on {last.end_inclusive} and no continuance "
        f"approved by the board and the Independent Board Members covers {day} (ELEVENTH)"
    )
