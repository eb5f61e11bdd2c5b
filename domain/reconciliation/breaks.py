"""The `Break` aggregate (one difference the matcher found, and the work on it) and the
`Reconciliation` aggregate (one check's recorded matches).

A break's stream is keyed by the break's key (`break/{key}`), which the matcher derives from
the items that differ: a re-run finds the stream and writes nothing. People assign it, comment
on it, resolve it (naming the event that fixed it) or write it off; a write-off is proposed by
one person and approved by another (docs/reconciliation.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import LedgerEvent, PlainColumns, PlainTable, Provenance, provenance_fields
from domain.ids import NAMESPACE
from domain.reconciliation.records import Finding, Match, amount_text

OPEN = "open"
RESOLVED = "resolved"
WRITTEN_OFF = "written-off"
RECORDED = "recorded"
UNCHANGED = "unchanged"
MATCHES_PER_EVENT = 1_000
# The clause a refusal of the reconciliation's workflow names.
WORKFLOW = "docs/reconciliation.md §3"


def break_id(key: str) -> UUID:
    return uuid5(NAMESPACE, f"break/{key}")


def averaging_key(provider_code: str, fund_class: str, agreement_reference: str) -> str:
    return f"{provider_code}/{fund_class}/{agreement_reference}"


def reconciliation_id(check: str) -> UUID:
    return uuid5(NAMESPACE, f"reconciliation/{check}")


@dataclass(frozen=True)
class WriteOffProposal:
    proposed_by: str
    amount: Decimal
    reason: str


class Break(DirectEvents, Aggregate):
    TOPIC = "planledger.Break"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.Break.Created"

    class BreakOpened(Aggregate.Created, Event):
        TOPIC = "planledger.Break.BreakOpened"
        check: str
        key: str
        kind: str
        fund_class: str
        ledger_amount: Decimal | None
        outside_amount: Decimal | None
        difference: Decimal
        ledger_items: list[str]
        outside_items: list[str]
        detail: str

    class BreakAssigned(Event):
        TOPIC = "planledger.Break.BreakAssigned"
        owner: str

        def apply(self, found: Break) -> None:
            found.owner = self.owner

    class BreakCommented(Event):
        TOPIC = "planledger.Break.BreakCommented"
        comment: str

        def apply(self, found: Break) -> None:
            found.comments += 1

    class BreakResolved(Event):
        TOPIC = "planledger.Break.BreakResolved"
        resolving_event_id: str  # the restatement, reversal or payment that fixed it
        note: str

        def apply(self, found: Break) -> None:
            found.status = RESOLVED

    class BreakReopened(Event):
        """A run found again the difference of a break a person (or an earlier run) resolved:
        the resolution did not hold. The figures are those found now."""

        TOPIC = "planledger.Break.BreakReopened"
        ledger_amount: Decimal | None
        outside_amount: Decimal | None
        difference: Decimal
        ledger_items: list[str]
        outside_items: list[str]
        detail: str

        def apply(self, found: Break) -> None:
            found.status = OPEN
            found.reopened += 1
            found.proposal = None  # a proposal made before the resolution is not revived

    class BreakWriteOffProposed(Event):
        TOPIC = "planledger.Break.BreakWriteOffProposed"
        amount: Decimal
        reason: str

        def apply(self, found: Break) -> None:
            found.proposal = WriteOffProposal(self.actor, self.amount, self.reason)

    class BreakWrittenOff(Event):
        TOPIC = "planledger.Break.BreakWrittenOff"
        amount: Decimal
        proposed_by: str
        approved_by: str

        def apply(self, found: Break) -> None:
            found.status = WRITTEN_OFF

    def __init__(self, check: str, key: str, kind: str, fund_class: str) -> None:
        self.check = check
        self.key = key
        self.kind = kind
        self.fund_class = fund_class
        self.status = OPEN
        self.owner = ""
        self.comments = 0
        self.reopened = 0
        self.proposal: WriteOffProposal | None = None

    @classmethod
    def opened(cls, finding: Finding, provenance: Provenance) -> Break:
        return cls._create(
            cls.BreakOpened,
            id=break_id(finding.key),
            **provenance_fields(provenance, finding.business_date, f"break/{finding.key}"),
            check=finding.check,
            key=finding.key,
            kind=finding.kind.value,
            fund_class=finding.fund_class,
            ledger_amount=finding.ledger_amount,
            outside_amount=finding.outside_amount,
            difference=finding.difference,
            ledger_items=list(finding.ledger_items),
            outside_items=list(finding.outside_items),
            detail=finding.detail,
        )

    def _check_open(self, doing: str) -> None:
        if self.status != OPEN:
            raise RuleViolation(
                "break-not-open", WORKFLOW, f"break {self.key} is {self.status}: cannot {doing}"
            )

    def _once_per_opening(self, step: str) -> str:
        """The idempotency key of a step taken once while the break is open: once a reopened
        break is resolved again, its version tells the two apart."""
        return f"{step}/{self.key}" if not self.reopened else f"{step}/{self.key}@v{self.version}"

    def assign(self, owner: str, on: date, provenance: Provenance) -> str:
        if owner == self.owner:
            return UNCHANGED
        if not owner.strip():
            raise RuleViolation("break-owner", WORKFLOW, "name the break's owner")
        self._check_open("assign it")
        self.trigger_event(
            self.BreakAssigned,
            **provenance_fields(provenance, on, f"break-assign/{self.key}@v{self.version}"),
            owner=owner,
        )
        return RECORDED

    def comment(self, text: str, on: date, provenance: Provenance) -> str:
        if not text.strip():
            raise RuleViolation("break-comment", WORKFLOW, "a comment needs text")
        self.trigger_event(
            self.BreakCommented,
            **provenance_fields(provenance, on, f"break-comment/{self.key}@v{self.version}"),
            comment=text,
        )
        return RECORDED

    def resolve(self, resolving_event_id: str, note: str, on: date, provenance: Provenance) -> str:
        """Resolved by an event of the ledger (a restatement, reversal or payment) that made the
        two sides agree, or that explains the difference."""
        if not resolving_event_id.strip():
            raise RuleViolation(
                "break-resolution", WORKFLOW, "name the event that resolves the break"
            )
        self._check_open("resolve it")
        self.trigger_event(
            self.BreakResolved,
            **provenance_fields(provenance, on, self._once_per_opening("break-resolved")),
            resolving_event_id=resolving_event_id,
            note=note,
        )
        return RECORDED

    def reopen(self, finding: Finding, on: date, provenance: Provenance) -> str:
        """Reopen a resolved break whose difference a run finds again; a break open or written
        off is left as it is (a write-off accepted the difference): "unchanged"."""
        if self.status != RESOLVED:
            return UNCHANGED
        self.trigger_event(
            self.BreakReopened,
            **provenance_fields(provenance, on, f"break-reopened/{self.key}@v{self.version}"),
            ledger_amount=finding.ledger_amount,
            outside_amount=finding.outside_amount,
            difference=finding.difference,
            ledger_items=list(finding.ledger_items),
            outside_items=list(finding.outside_items),
            detail=finding.detail,
        )
        return RECORDED

    def propose_write_off(
        self, amount: Decimal, reason: str, on: date, provenance: Provenance
    ) -> str:
        self._check_open("write it off")
        proposal = WriteOffProposal(provenance.actor, amount, reason)
        if self.proposal == proposal:
            return UNCHANGED
        if self.proposal is not None:
            raise RuleViolation(
                "write-off-proposed",
                WORKFLOW,
                f"break {self.key}: a write-off of {self.proposal.amount} by "
                f"{self.proposal.proposed_by} awaits approval",
            )
        if not reason.strip() or amount < 0:
            raise RuleViolation(
                "write-off-terms", WORKFLOW, "a write-off needs a reason and an amount >= 0"
            )
        self.trigger_event(
            self.BreakWriteOffProposed,
            **provenance_fields(provenance, on, self._once_per_opening("break-write-off")),
            amount=amount,
            reason=reason,
        )
        return RECORDED

    def approve_write_off(self, on: date, provenance: Provenance) -> str:
        """Raises:
        RuleViolation: no proposal, or the approver is the proposer (four eyes).
        """
        if self.status == WRITTEN_OFF:
            return UNCHANGED
        self._check_open("approve a write-off")
        if self.proposal is None:
            raise RuleViolation(
                "write-off-not-proposed", WORKFLOW, f"break {self.key}: no write-off proposed"
            )
        if self.proposal.proposed_by == provenance.actor:
            raise RuleViolation(
                "write-off-second-person",
                WORKFLOW,
                f"break {self.key}: {provenance.actor} proposed the write-off and cannot approve "
                "it; another person must",
            )
        self.trigger_event(
            self.BreakWrittenOff,
            **provenance_fields(provenance, on, f"break-written-off/{self.key}"),
            amount=self.proposal.amount,
            proposed_by=self.proposal.proposed_by,
            approved_by=provenance.actor,
        )
        return RECORDED


class Reconciliation(DirectEvents, Aggregate):
    """One check's recorded matches: the set of their keys makes a re-run write nothing."""

    TOPIC = "planledger.Reconciliation"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.Reconciliation.Created"

    class ReconciliationOpened(Aggregate.Created, Event):
        TOPIC = "planledger.Reconciliation.ReconciliationOpened"
        check: str

    class ItemsMatched(Event):
        TOPIC = "planledger.Reconciliation.ItemsMatched"
        # Version 3 holds each match as an array of its values in the order of `columns`
        # (`MATCH_COLUMNS`, stated once per event, so the log still reads row by row), without
        # the difference, which is the outside amount less the ledger's: the names repeated
        # per match were some 40% of the bytes a run commits. Version 2 held an object per
        # match, with its difference; version 1 held the date and amounts as tagged values.
        # Both are upcast as read; stored events are never rewritten.
        class_version = 3
        period: str
        tolerance: Decimal
        window_business_days: int
        columns: PlainColumns
        matches: PlainTable

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """The same matches, their date and amounts as version 2 writes them: the text of
            version 1's tagged values, as stored."""
            state["matches"] = [_plain_match(match) for match in state["matches"]]

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """The same matches as version 3's arrays (their difference, derived, left out)."""
            state["columns"] = list(MATCH_COLUMNS)
            state["matches"] = [
                [match[name] for name in MATCH_COLUMNS] for match in state["matches"]
            ]

        def apply(self, reconciliation: Reconciliation) -> None:
            reconciliation.match_keys.update(match[_KEY] for match in self.matches)

    class DealerAveragingStated(Event):
        """The averaging method a dealer's agreement states for its fee (dealer-fees check);
        stated again with another method, the later statement holds."""

        TOPIC = "planledger.Reconciliation.DealerAveragingStated"
        provider_code: str
        fund_class: str
        agreement_reference: str
        method: str
        document: str  # where the agreement states it

        def apply(self, reconciliation: Reconciliation) -> None:
            key = averaging_key(self.provider_code, self.fund_class, self.agreement_reference)
            reconciliation.averaging[key] = self.method

    def __init__(self, check: str) -> None:
        self.check = check
        self.match_keys: set[str] = set()
        self.averaging: dict[str, str] = {}  # by averaging_key

    def state_averaging(
        self,
        *,
        provider_code: str,
        fund_class: str,
        agreement_reference: str,
        method: str,
        document: str,
        on: date,
        provenance: Provenance,
    ) -> str:
        key = averaging_key(provider_code, fund_class, agreement_reference)
        if self.averaging.get(key) == method:
            return UNCHANGED
        self.trigger_event(
            self.DealerAveragingStated,
            **provenance_fields(provenance, on, f"dealer-averaging/{key}@v{self.version}"),
            provider_code=provider_code,
            fund_class=fund_class,
            agreement_reference=agreement_reference,
            method=method,
            document=document,
        )
        return RECORDED

    @classmethod
    def opened(cls, check: str, on: date, provenance: Provenance) -> Reconciliation:
        return cls._create(
            cls.ReconciliationOpened,
            id=reconciliation_id(check),
            **provenance_fields(provenance, on, f"reconciliation/{check}"),
            check=check,
        )

    def record_matches(
        self,
        matches: Sequence[Match],
        *,
        period: str,
        tolerance: Decimal,
        window_business_days: int,
        on: date,
        provenance: Provenance,
    ) -> int:
        """Record the matches not recorded before; how many."""
        new = sorted(
            {match.key: match for match in matches if match.key not in self.match_keys}.values(),
            key=lambda match: match.key,
        )
        for start in range(0, len(new), MATCHES_PER_EVENT):
            batch = new[start : start + MATCHES_PER_EVENT]
            self.trigger_event(
                self.ItemsMatched,
                **provenance_fields(
                    provenance, on, f"match/{self.check}/{batch[0].key}..{batch[-1].key}"
                ),
                period=period,
                tolerance=tolerance,
                window_business_days=window_business_days,
                columns=list(MATCH_COLUMNS),
                matches=_match_rows(batch),
            )
        return len(new)


# A recorded match's values, in order (ItemsMatched version 3): a Match's fields after its
# check, the date ISO and the amounts as the log writes money (`amount_text`).
MATCH_COLUMNS = (
    "key",
    "rule",
    "fund_class",
    "business_date",
    "ledger_items",
    "outside_items",
    "ledger_amount",
    "outside_amount",
)
_KEY = MATCH_COLUMNS.index("key")


def _match_rows(batch: Sequence[Match]) -> PlainTable:
    """The matches as version 3 stores them: a list of values per match, a Match's fields
    after its check in their order, as `MATCH_COLUMNS` names them (no dict per match). A
    batch's matches share a few days, each written once; an amount already written with two
    places (most) is its `str`, as `amount_text` would give it, without the call."""
    labels: dict[date, str] = {}
    rows: list[list[Any]] = []
    for _, key, rule, fund_class, day, ledger_items, outside_items, ledger, outside in batch:
        label = labels.get(day)
        if label is None:
            label = labels[day] = day.isoformat()
        ledger_text, outside_text = str(ledger), str(outside)
        if len(ledger_text) < 4 or ledger_text[-3] != ".":
            ledger_text = amount_text(ledger)
        if len(outside_text) < 4 or outside_text[-3] != ".":
            outside_text = amount_text(outside)
        rows.append(
            [
                key, rule, fund_class, label, list(ledger_items), list(outside_items),
                ledger_text, outside_text,
            ]
        )  # fmt: skip
    return PlainTable(rows)


# Version 1's tagged values, made text by the upcast to version 2 (which held the difference).
_TEXT_FIELDS = ("business_date", "ledger_amount", "outside_amount", "difference")


def _plain_match(match: dict[str, Any]) -> dict[str, Any]:
    """A version 1 match as stored (its date and amounts tagged: `{"_type_": "date_iso",
    "_data_": "2003-07-01"}`) as version 2 holds it."""
    plain = dict(match)
    for name in _TEXT_FIELDS:
        value = plain[name]
        text = str(value["_data_"]) if isinstance(value, dict) else str(value)
        plain[name] = text if name == "business_date" else amount_text(Decimal(text))
    return plain
