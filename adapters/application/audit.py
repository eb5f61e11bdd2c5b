"""Seals of the chain and reversals of mistaken records (docs/audit.md)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from adapters.application.commands import (
    ReverseDistributorPayment,
    ReverseExpenditure,
    ReverseServiceFee,
    Seal,
)
from adapters.application.ports import Ports
from adapters.store.verify import stored_bytes
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.seal import ChainSeal, chain_seal_id
from domain.service import ServiceArrangement


def seal_chain(ports: Ports, subject: str, sealed_on: date) -> ChainSeal | None:
    """Record the chain's current head as a seal (None if nothing is stored yet); the head
    sealed before is not sealed again."""
    head = ports.store.chain_head()
    if head is None:
        return None
    try:
        existing: ChainSeal = ports.view.load(chain_seal_id(head.position, head.hash))
    except AggregateNotFoundError:
        pass
    else:
        return existing
    seal = ChainSeal.record(
        position=head.position,
        head_hash=head.hash,
        subject=subject,
        sealed_on=sealed_on,
        provenance=ports.provenance("command:seal"),
    )
    ports.save(seal)
    return seal


SEAL_PAGE_ROWS = 1000


def sealed_subjects(ports: Ports) -> set[str]:
    """The subject of every seal recorded (seals are few: one per report issued or asked)."""
    recorder: Any = ports.store.recorder
    head = ports.store.head_position()
    subjects: set[str] = set()
    after: int | None = None
    while page := recorder.stored_rows(after, SEAL_PAGE_ROWS, head, ChainSeal.ChainSealed.TOPIC):
        for row in page:
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                subjects.add(str(json.loads(stored_bytes(row.state)).get("subject")))
        after = page[-1].position
    return subjects


@dataclass(frozen=True)
class AuditUseCases:
    ports: Ports

    def seal(self, command: Seal) -> ChainSeal | None:
        return seal_chain(self.ports, command.subject, command.sealed_on)

    def reverse_distributor_payment(self, command: ReverseDistributorPayment) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        original = self._recorded(fund_class.id, FundClass.DistributorPaid.TOPIC, command.reference)
        outcome = fund_class.reverse_distributor_payment(
            original, command.reason, self.ports.provenance("command:reverse distributor-payment")
        )
        self.ports.save(fund_class)
        return outcome

    def reverse_expenditure(self, command: ReverseExpenditure) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        original = self._recorded(
            fund_class.id, FundClass.ExpenditureRecorded.TOPIC, command.reference
        )
        outcome = fund_class.reverse_expenditure(
            original, command.reason, self.ports.provenance("command:reverse expenditure")
        )
        self.ports.save(fund_class)
        return outcome

    def reverse_service_fee(self, command: ReverseServiceFee) -> str:
        arrangement = self.ports.view.arrangement(
            command.provider_code, command.fund_code, command.share_class
        )
        original = self._recorded(
            arrangement.id, ServiceArrangement.ServiceFeePaid.TOPIC, command.reference
        )
        provenance = self.ports.provenance("command:reverse service-fee")
        outcome = arrangement.reverse_service_fee(original, command.reason, provenance)
        # Not passed on after all: its credit to the aggregate-cap account is taken back in the
        # same transaction (decision A13).
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        fund_class.reverse_service_fee_credit(
            provider_code=command.provider_code,
            fee_reference=command.reference,
            reason=command.reason,
            provenance=provenance,
        )
        self.ports.save(arrangement, fund_class)
        return outcome

    def _recorded(self, stream_id: UUID, topic: str, reference: str) -> Any:
        """The event of `topic` recorded under `reference` in the stream, read from the log
        (the aggregate keeps only a digest of it).

        Raises:
            RuleViolation: there is none.
        """
        store = self.ports.store
        for stored in store.recorder.select_events(stream_id):
            if stored.topic == topic and json.loads(stored.state).get("reference") == reference:
                return store.mapper.to_domain_event(stored)
        raise RuleViolation(
            "reversal-unknown-record",
            "docs/audit.md §2",
            f"no {topic.rpartition('.')[2]} with reference {reference!r} in this stream",
        )
