"""The base of every role of the `FundClass` aggregate: the plan's terms and standing.

`FundClass` (aggregate.py) is composed of role mixins, one module each: the aggregate-cap
account, accruals, the balance with the Distributor, payments, expenditures, corrections, net
assets, the agreement, approvals and reports. Each role declares its events as classes nested
in it, deriving from `LedgerEvent` with their explicit topics (`planledger.FundClass.<Name>`),
and the commands that trigger them; it derives from the roles whose methods it calls.

The library redefines every event class of an aggregate's direct bases as the aggregate's own:
`FundClass.<Name>`, a subclass of both the role's class and `FundClass.Event`, registered under
the topic. So `FundClass` lists every role among its direct bases, and a command triggers
`self.<Name>` (the aggregate's class), never the role's class, which no topic resolves to.

The roles are plain classes at run time, so the library's aggregate metaclass sees only
`FundClass`; for the type checker they derive from `Aggregate`, whose `trigger_event`,
`version` and `pending_events` their commands use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from domain.accrual import PartRates
from domain.fund_class.governance import (
    Governed,
    Guard,
    first_unaccrued_day,
    schedule_b_in,
    standing_of,
)
from domain.fund_class.state import FundClassState
from domain.ids import fund_class_key
from domain.plan import ScheduleBRates
from domain.terms import PlanStanding

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate as AggregateBase
else:
    AggregateBase = object


class TermsRole(FundClassState, AggregateBase):
    """The class's identity, its Schedule B rates on a day, and the plan's standing."""

    @property
    def key(self) -> str:
        return fund_class_key(self.fund_code, self.share_class)

    def schedule_b_on(self, day: date) -> ScheduleBRates:
        return schedule_b_in(self.schedule_b_versions, day)

    def rates_on(self, day: date) -> PartRates:
        """The Schedule B rates in force on `day` (the asset-based part and the service part)."""
        schedule_b = self.schedule_b_on(day)
        return PartRates(schedule_b.absc_rate_annual, schedule_b.service_rate_annual_max)

    def service_rate_max_on(self, day: date) -> Decimal:
        return self.rates_on(day).service_rate_annual

    def service_rate_max_lowest_during(self, start: date, end_inclusive: date | None) -> Decimal:
        """The lowest Schedule B maximum service fee in force on any day from `start`."""
        rates = [self.service_rate_max_on(start)]
        for version in self.schedule_b_versions:
            starts = version.effective_from
            if start < starts and (end_inclusive is None or starts <= end_inclusive):
                rates.append(version.service_rate_annual_max)
        return min(rates)

    def standing(self) -> PlanStanding:
        return standing_of(
            Governed(
                self.effective_date,
                self.initial_term_end,
                self.approvals,
                self.continuances,
                self.terminated_on,
                self.termination_reason,
                self.agreement_changes,
                self.plan_resumptions,
                self.schedule_a_addition,
            )
        )

    def _guard(self) -> Guard:
        return Guard(self.key, self.last_accrued_day, self.terminated_on)

    def _first_unaccrued_day(self) -> date:
        return first_unaccrued_day(self.last_accrued_day, self.effective_date)
