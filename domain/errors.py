"""The ledger's refusals.

A `RuleViolation` is a command refused by a rule of the plan, of Rule 12b-1 or of FINRA: the
input was well formed but the ledger will not record it. It names the rule and the plan clause,
so an operator (and an auditor reading the log of refusals) knows exactly why.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# The known codes an unknown one lists when none is near it.
MAX_LISTED = 10


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
    """A fund class (a fund, a provider's agreement, a Company) that no loaded plan adopted.

    `naming` builds the message: what is unknown, and the known codes nearest the one given,
    so a typo (`INTL-BVC/R`) is answered with the code meant (`INTL-BCV/R`)."""

    @classmethod
    def naming(
        cls, message: str, given: str, known: Iterable[str], advice: str = ""
    ) -> UnknownFundClassError:
        choices = sorted(set(known))
        nearest = difflib.get_close_matches(given, choices, n=3, cutoff=0.6)
        if nearest:
            message += f"; did you mean {' or '.join(nearest)}?"
        elif choices:
            shown = ", ".join(choices[:MAX_LISTED])
            more = f" and {len(choices) - MAX_LISTED} more" if len(choices) > MAX_LISTED else ""
            message += f"; known: {shown}{more}"
        return cls(f"{message}{f' ({advice})' if advice else ''}")


class RuleViolations(DomainError):
    """Several refusals found in one pass (a plan file, an import, an accrual run)."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        assert violations
        self.violations = violations
        super().__init__("; ".join(str(violation) for violation in violations))
