"""The ledger's refusals.

A `RuleViolation` is a command refused by a rule of the plan, of Rule 12b-1 or of FINRA: the
input was well formed but the ledger will not record it. It names the rule and the plan clause,
so an operator (and an auditor reading the log of refusals) knows exactly why.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class for everything the domain refuses."""


class RuleViolation(DomainError):
    """A command refused by a named rule.

    Attributes:
        rule: a stable identifier, listed in docs/events.md.
        clause: the clause of the plan (or external rule) that the rule serves.
        detail: the facts of this refusal.
    """

    def __init__(self, rule: str, clause: str, detail: str) -> None:
        self.rule = rule
        self.clause = clause
        self.detail = detail
        super().__init__(f"refused by rule '{rule}' ({clause}): {detail}")


class UnknownFundClassError(DomainError):
    """A fund class that no loaded plan adopted."""


class RuleViolations(DomainError):
    """Several refusals found in one pass (a plan file, an import, an accrual run)."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        assert violations
        self.violations = violations
        super().__init__("; ".join(str(violation) for violation in violations))
