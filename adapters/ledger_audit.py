"""Audit use cases, mixed into `Ledger`: seals, reading as known at a time, and corrections
of mistaken records (docs/audit.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from domain.seal import ChainSeal, chain_seal_id

if TYPE_CHECKING:
    from adapters.ledger import Ledger


class AuditUseCases:
    # ---- knowledge at a time ----------------------------------------------------------------

    def position_known_at(self: Ledger, moment: datetime | None) -> int | None:
        """The log position known at `moment` (None: now, everything)."""
        if moment is None:
            return None
        return self.store.position_known_at(moment)

    def as_known_at(self: Ledger, position: int | None) -> Ledger:
        """This ledger as it stood at `position` (itself, for None): reads only."""
        if position is None:
            return self
        view = type(self)(self.store, self.actor, known_position=position)
        view.read_models = self.read_models
        return view

    # ---- seals ------------------------------------------------------------------------------

    def seal(self: Ledger, subject: str, sealed_on: date) -> ChainSeal | None:
        """Record the chain's current head as a seal (None if nothing is stored yet)."""
        head = self.store.chain_head()
        if head is None:
            return None
        try:
            existing: ChainSeal = self.load(chain_seal_id(head.position, head.hash))
        except AggregateNotFoundError:
            pass
        else:
            return existing
        seal = ChainSeal.record(
            position=head.position,
            head_hash=head.hash,
            subject=subject,
            sealed_on=sealed_on,
            provenance=self.provenance("command:seal"),
        )
        self.store.save(seal)
        return seal
