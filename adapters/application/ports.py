"""What every use case works with: the store it saves to, the ledger as it is now, the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.readside.view import LedgerView
from adapters.store.persistence import LedgerStore
from domain.board import Board
from domain.errors import UnknownFundClassError
from domain.events import Provenance
from domain.fund_class import FundClass, PrimeRates
from domain.fund_class.cap_recompute import CapInputs
from domain.registry import Registry


@dataclass(frozen=True)
class Ports:
    """The store, the view of the ledger now (aggregates are loaded through it) and the actor
    each recorded event names."""

    store: LedgerStore
    view: LedgerView
    actor: str

    def provenance(self, source: str) -> Provenance:
        if self.view.known_position is not None:
            raise RuntimeError("a ledger read as known at a past position cannot record")
        return Provenance(self.actor, source)

    def cap_inputs(self, fund_class: FundClass) -> CapInputs:
        """What a correction reaching the class's aggregate-cap account needs: the class's
        recorded events and the prime rates, each read only if it comes to that (decision A3)."""
        lookups: list[PrimeRates] = []

        def prime_rate_on(day: date) -> Decimal | None:
            if not lookups:
                lookups.append(self.view.prime_rate_lookup())
            return lookups[0](day)

        return CapInputs(lambda: self.view.stream(fund_class.id), prime_rate_on)

    def save(self, *aggregates: Any) -> None:
        """Save in one transaction (None entries, for aggregates left unchanged, are skipped)."""
        self.store.save(*aggregates)

    def registry_or_open(self, opened_on: date) -> Registry:
        registry = self.view.registry()
        return registry or Registry.open(opened_on, self.provenance("command:plan load"))

    def board_or_open(self, company_code: str, on: date) -> Board:
        """Raises:
        UnknownFundClassError: no loaded plan names the company.
        """
        board = self.view.board(company_code)
        if board is not None:
            return board
        names = {fc.company_code: fc.company_name for fc in self.view.fund_classes()}
        if company_code not in names:
            raise UnknownFundClassError.naming(
                f"unknown company {company_code}: no loaded plan names it in Schedule A",
                company_code,
                names,
            )
        return Board.open(company_code, names[company_code], on, self.provenance("command"))
