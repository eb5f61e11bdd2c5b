"""What every ledger event carries, whatever it records.

Each aggregate's events derive from `LedgerEvent`: besides the library's stream position and
recorded time (`timestamp`), every event names the business date it is effective for, who
recorded it, where it came from, and the natural key that makes recording it idempotent.
See docs/events.md for the catalogue.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, NewType

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation

# A batch field held in plain JSON values alone (text, integers, lists and objects of them):
# stored and read as it is, with no tagged value to encode or restore, so that a batch of a
# thousand rows costs the JSON codec alone. A Decimal or a date in it is refused at storing.
# It is held as arrays, one per row, its values in the order of a list of column names the
# event states once (`PlainColumns`), so that no row repeats the names.
PlainTable = NewType("PlainTable", list[list[Any]])
PlainColumns = NewType("PlainColumns", list[str])
# The batch types the store keeps as they are both ways.
PLAIN_BATCHES: tuple[object, ...] = (PlainTable, PlainColumns)


class LedgerEvent(Aggregate.Event):
    # Each concrete event names the topic it is stored under, so that a class can move or be
    # renamed without orphaning stored events (the abstract `Event` bases name none).
    TOPIC: ClassVar[str]

    business_date: date
    actor: str
    source: str
    idempotency_key: str


@dataclass(frozen=True)
class Provenance:
    """Who records a fact and from where: passed to every command, copied onto its events."""

    actor: str
    source: str

    def at_row(self, row: int) -> Provenance:
        return Provenance(self.actor, f"{self.source}#row={row}")


def provenance_fields(provenance: Provenance, business_date: date, key: str) -> dict[str, Any]:
    return {
        "business_date": business_date,
        "actor": provenance.actor,
        "source": provenance.source,
        "idempotency_key": key,
    }


def payload_digest(*parts: object) -> str:
    """A short, stable digest of a command's payload, to tell a replay from a conflicting reuse."""
    text = "\x1f".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def is_replay_of(digests: dict[str, str], reference: str, digest: str, subject: str) -> bool:
    """True if this exact command was recorded before under `reference`.

    Raises:
        RuleViolation: the reference was recorded with a different payload.
    """
    recorded = digests.get(reference)
    if recorded is None:
        return False
    if recorded == digest:
        return True
    raise RuleViolation(
        "reference-reused",
        "idempotency",
        f"{subject}: reference {reference!r} was already used with different details",
    )


def check_not_reversed(
    reversed_references: Collection[str], reference: str, subject: str, reversal: str
) -> None:
    """A reversed record's reference stays used (docs/audit.md §2): the same command again is
    not the record it was ("unchanged" would say it stands), nor may it record anew.

    Raises:
        RuleViolation: `reference` was reversed (`reference-reversed`); `reversal` names the
            command that reversed it.
    """
    if reference in reversed_references:
        raise RuleViolation(
            "reference-reversed",
            "docs/audit.md §2",
            f"{subject}: reference {reference!r} was reversed ({reversal}); a reversed "
            "reference stays used: record it under a new reference",
        )


def check_reversal(
    digests: dict[str, str], reference: str, digest: str, reason: str, subject: str
) -> None:
    """A reversal needs a reason and must name a record as it was recorded (docs/audit.md §2).

    Raises:
        RuleViolation: no reason, or no record under `reference` with this payload.
    """
    if not reason.strip():
        raise RuleViolation(
            "reversal-needs-reason", "docs/audit.md §2", "say why the record is reversed"
        )
    if digests.get(reference) != digest:
        raise RuleViolation(
            "reversal-unknown-record",
            "docs/audit.md §2",
            f"{subject}: no record {reference!r} as given was recorded",
        )
