"""Accruing the 12b-1 fee, day by day, for every fund class (or the ones named)."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.application.bulk import BatchedWriter, Progress, bulk, no_progress
from adapters.application.commands import Accrue
from adapters.application.ports import Ports
from adapters.readside.view import PrimeRateLookup
from domain.errors import RuleViolation, RuleViolations
from domain.fund_class import AccrualPlan, AccrualRunSummary, FundClass


@dataclass(frozen=True)
class AccrualUseCases:
    ports: Ports

    @bulk
    def accrue(self, command: Accrue, progress: Progress = no_progress) -> list[AccrualRunSummary]:
        """Every class is checked for missing net assets before anything is written; then the
        classes are accrued in memory and saved in one transaction (all or nothing). A run
        that is interrupted wrote nothing, and running it again accrues every day once.

        Raises:
            UnknownFundClassError: a named class is not known.
            RuleViolations: net assets are missing for one or more classes.
        """
        prime_rate_on = self.ports.view.prime_rate_lookup()
        planned = self._plan(command, prime_rate_on)
        provenance = self.ports.provenance(f"command:accrue --through {command.through}")
        summaries = []
        writer = BatchedWriter(self.ports.store)
        # The progress counts calendar days, the work, not classes (a run of one class is all
        # of its days).
        days_total = sum(len(plan.calendar_days) for _, plan in planned)
        days_done = 0
        for fund_class, plan in planned:
            summaries.append(fund_class.accrue(plan, provenance, prime_rate_on=prime_rate_on))
            writer.changed(fund_class)
            days_done += len(plan.calendar_days)
            progress(days_done, days_total)
        writer.flush()
        return summaries

    def _chosen_keys(self, command: Accrue) -> list[str]:
        keys = self.ports.view.fund_class_keys()
        if command.fund_classes is None:
            return keys
        self.ports.view.check_fund_class_keys(command.fund_classes)
        return [key for key in keys if key in command.fund_classes]

    def _plan(
        self, command: Accrue, prime_rate_on: PrimeRateLookup
    ) -> list[tuple[FundClass, AccrualPlan]]:
        """The accrual of each chosen class, planned; every class missing figures refused."""
        planned: list[tuple[FundClass, AccrualPlan]] = []
        missing: list[RuleViolation] = []
        for key in self._chosen_keys(command):
            fund_class = self.ports.view.fund_class_by_key(key)
            try:
                plan = fund_class.plan_accrual(
                    command.through,
                    max_carry_days=command.max_carry_days,
                    prime_rate_on=prime_rate_on,
                )
            except RuleViolation as error:
                missing.append(error)
                continue
            planned.append((fund_class, plan))
        if missing:
            raise RuleViolations(missing)
        return planned
