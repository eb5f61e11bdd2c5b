"""What an accrual run of a fund class will do, and what it did; the outcomes of commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.basis import DayBasis
from domain.periods import ONE_DAY
from domain.terms import NotInEffect, PlanStanding

RECORDED = "recorded"
UNCHANGED = "unchanged"
RESTATED = "restated"


def gaps_of(standing: PlanStanding, days_not_in_effect: list[date]) -> list[EffectGap]:
    """Group consecutive days not in effect that share the same reason."""
    gaps: list[EffectGap] = []
    for day in days_not_in_effect:
        kind, why = standing.why_not_in_effect(day)
        last = gaps[-1] if gaps else None
        if last is not None and last.last_day + ONE_DAY == day and last.kind is kind:
            gaps[-1] = EffectGap(last.first_day, day, kind, last.why)
        else:
            gaps.append(EffectGap(day, day, kind, why))
    return gaps


@dataclass(frozen=True)
class EffectGap:
    """A run of days on which no accrual may be made, and why."""

    first_day: date
    last_day: date
    kind: NotInEffect
    why: str

    def describe(self) -> str:
        days = (
            f"{self.first_day}"
            if self.first_day == self.last_day
            else (f"{self.first_day}..{self.last_day}")
        )
        return f"not in effect {days}: {self.why}"


@dataclass(frozen=True)
class AccrualPlan:
    """What an accrual run will do for one fund class: each calendar day, its authority (None
    where no accrual may be made), the basis of each day in effect, and the gaps."""

    calendar_days: list[date]
    authorities: dict[date, str | None]
    bases: list[DayBasis]
    gaps: list[EffectGap]


@dataclass(frozen=True)
class AccrualRunSummary:
    fund_class: str
    days_accrued: int
    first_day: date | None
    last_day: date | None
    amount: Decimal
    true_ups: int
    gaps: list[EffectGap]

    @property
    def refusals(self) -> list[EffectGap]:
        """Gaps that are compliance failures (a lapse, no approval), not decisions."""
        return [gap for gap in self.gaps if gap.kind.is_refusal]
