"""Audit use cases, mixed into `Ledger`: seals, reading as known at a time, and corrections
of mistaken records (docs/audit.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.seal import ChainSeal, chain_seal_id
from domain.service import ServiceArrangement

if TYPE_CHECKING:
    from adapters.application.ledger import Ledger


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

    # ---- reversals of mistaken records ------------------------------------------------------

    def reverse_distributor_payment(
        self: Ledger, *, fund_code: str, share_class: str, reference: str, reason: str
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        original = self._recorded(fund_class.id, FundClass.DistributorPaid.TOPIC, reference)
        outcome = fund_class.reverse_distributor_payment(
            original, reason, self.provenance("command:reverse distributor-payment")
        )
        self.store.save(fund_class)
        return outcome

    def reverse_expenditure(
        self: Ledger, *, fund_code: str, share_class: str, reference: str, reason: str
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        original = self._recorded(fund_class.id, FundClass.ExpenditureRecorded.TOPIC, reference)
        outcome = fund_class.reverse_expenditure(
            original, reason, self.provenance("command:reverse expenditure")
        )
        self.store.save(fund_class)
        return outcome

    def reverse_service_fee(
        self: Ledger,
        *,
        provider_code: str,
        fund_code: str,
        share_class: str,
        reference: str,
        reason: str,
    ) -> str:
        arrangement = self.arrangement(provider_code, fund_code, share_class)
        original = self._recorded(
            arrangement.id, ServiceArrangement.ServiceFeePaid.TOPIC, reference
        )
        outcome = arrangement.reverse_service_fee(
            original, reason, self.provenance("command:reverse service-fee")
        )
        self.store.save(arrangement)
        return outcome

    def _recorded(self: Ledger, stream_id: UUID, topic: str, reference: str) -> Any:
        """The event of `topic` recorded under `reference` in the stream, read from the log
        (the aggregate keeps only a digest of it).

        Raises:
            RuleViolation: there is none.
        """
        for stored in self.store.recorder.select_events(stream_id):
            if stored.topic == topic and json.loads(stored.state).get("reference") == reference:
                return self.store.mapper.to_domain_event(stored)
        raise RuleViolation(
            "reversal-unknown-record",
            "docs/audit.md §2",
            f"no {topic.rpartition('.')[2]} with reference {reference!r} in this stream",
        )
