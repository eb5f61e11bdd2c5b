"""`ChainSeal`: the chain's head recorded at a chosen point (docs/audit.md §3).

A seal says "at position P the chain's hash was H", for a stated subject (a quarterly report
issued, an auditor's request). Each seal is a stream of one event, so sealing never loads or
grows a long stream, and sealing the same head twice is the same seal.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.ids import NAMESPACE

_HASH = re.compile(r"^[0-9a-f]{64}$")


def chain_seal_id(position: int, head_hash: str) -> UUID:
    return uuid5(NAMESPACE, f"chain-seal/{position}/{head_hash}")


class ChainSeal(DirectEvents, Aggregate):
    TOPIC = "planledger.ChainSeal"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.ChainSeal.Created"

    class ChainSealed(Aggregate.Created, Event):
        TOPIC = "planledger.ChainSeal.ChainSealed"
        position: int
        head_hash: str
        subject: str

    def __init__(self, position: int, head_hash: str, subject: str) -> None:
        # The library calls this when the stream is created, with the created event's fields
        # of the same names; state is set here, not by an annotation on the class, because
        # annotations would make the library turn the aggregate into a dataclass.
        self.position = position
        self.head_hash = head_hash
        self.subject = subject

    @classmethod
    def record(
        cls,
        *,
        position: int,
        head_hash: str,
        subject: str,
        sealed_on: date,
        provenance: Provenance,
    ) -> ChainSeal:
        """Raises:
        RuleViolation: not a position in the log, or not a SHA-256 in hex.
        """
        if position < 1 or not _HASH.match(head_hash):
            raise RuleViolation(
                "seal-invalid",
                "Rule 12b-1(f); docs/audit.md",
                f"a seal names a log position (from 1) and a SHA-256 head, not "
                f"{position} and {head_hash!r}",
            )
        return cls._create(
            cls.ChainSealed,
            id=chain_seal_id(position, head_hash),
            **provenance_fields(provenance, sealed_on, f"chain-seal/{position}"),
            position=position,
            head_hash=head_hash,
            subject=subject,
        )
