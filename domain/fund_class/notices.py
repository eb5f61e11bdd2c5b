"""The Distributor's notice, an assignment and a shareholder vote are recorded once per
document (issues 11 and 12).

Their natural key is the written document: the notice's reference (FOURTEENTH: notices are in
writing) and counsel's determination of the assignment. The same command again changes
nothing; the same reference with other details is refused (`reference-reused`), so one notice
cannot end the agreement on two dates. A shareholder vote is keyed by its reference: the same
vote again (same subject, date and figures) is done, whether it passed or failed, and records
nothing; other figures under its reference are refused (`reference-reused`).

The fund class's state keeps none of them by reference, and a snapshot written before cannot
tell which references it had seen; so the recorded details are read from the
stream's own events, which every snapshot version agrees on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from domain.events import is_replay_of, payload_digest
from domain.fund_class.aggregate import FundClass
from domain.fund_class.governance import assignment_key, notice_key, shareholder_vote_key
from domain.governance import NoticeMethod


def notice_digest(
    method: str, sent_on: date, received_on: date | None, termination_effective_on: date
) -> str:
    return payload_digest(method, sent_on, received_on, termination_effective_on)


def assignment_digest(occurred_on: date, description: str, rule_2a6_exempt: bool) -> str:
    return payload_digest(occurred_on, description, rule_2a6_exempt)


def recorded_document_digests(events: Iterable[object]) -> dict[str, str]:
    """Idempotency key → payload digest of every notice and assignment in a class's stream."""
    digests: dict[str, str] = {}
    for event in events:
        if isinstance(event, FundClass.TerminationNoticeGiven):
            digests[event.idempotency_key] = notice_digest(
                event.method, event.sent_on, event.received_on, event.termination_effective_on
            )
        elif isinstance(event, FundClass.AssignmentRecorded):
            digests[event.idempotency_key] = assignment_digest(
                event.business_date, event.description, event.rule_2a6_exempt
            )
    return digests


def notice_recorded_before(
    fund_class_key: str,
    recorded: dict[str, str],
    *,
    method: NoticeMethod,
    sent_on: date,
    received_on: date | None,
    termination_effective_on: date,
    document_reference: str,
) -> bool:
    """True if this notice was recorded before, as given.

    Raises:
        RuleViolation: the document was recorded with other details (`reference-reused`).
    """
    digest = notice_digest(method.value, sent_on, received_on, termination_effective_on)
    key = notice_key(fund_class_key, document_reference)
    return _replays(recorded, key, document_reference, digest, f"{fund_class_key} notice")


def assignment_recorded_before(
    fund_class_key: str,
    recorded: dict[str, str],
    *,
    occurred_on: date,
    description: str,
    rule_2a6_exempt: bool,
    determination_reference: str,
) -> bool:
    """True if this assignment was recorded before, as given.

    Raises:
        RuleViolation: the determination was recorded with other details (`reference-reused`).
    """
    digest = assignment_digest(occurred_on, description, rule_2a6_exempt)
    key = assignment_key(fund_class_key, determination_reference)
    return _replays(recorded, key, determination_reference, digest, f"{fund_class_key} assignment")


def _replays(recorded: dict[str, str], key: str, reference: str, digest: str, subject: str) -> bool:
    # The message names the document as the user gave it, not the stored key.
    given = {reference: recorded[key]} if key in recorded else {}
    return is_replay_of(given, reference, digest, subject)


def vote_digest(subject: str, subject_id: str, voted_on: date, *shares: Decimal) -> str:
    """The digest of a vote's subject, date and share counts; `100` and `100.000` shares are
    the same count."""
    counts = [format(count.normalize(), "f") for count in shares]
    return payload_digest(subject, subject_id, voted_on, *counts)


def recorded_votes(events: Iterable[object]) -> dict[str, tuple[str, bool]]:
    """Idempotency key → (digest, passed) of the first vote tallied under each key of a
    class's stream (a ledger of before may hold a key twice: the first is the vote)."""
    votes: dict[str, tuple[str, bool]] = {}
    for event in events:
        if isinstance(event, FundClass.ShareholderVoteTallied):
            digest = vote_digest(
                event.subject,
                event.subject_id,
                event.business_date,
                event.outstanding_shares,
                event.present_shares,
                event.votes_for,
                event.votes_against,
                event.abstentions,
                event.broker_non_votes,
            )
            votes.setdefault(event.idempotency_key, (digest, event.passed))
    return votes


def vote_recorded_before(
    fund_class_key: str,
    recorded: dict[str, tuple[str, bool]],
    vote_reference: str,
    digest: str,
) -> bool | None:
    """Whether this vote passed, if it was recorded before as given; None if it was not.

    Raises:
        RuleViolation: the reference was recorded with other details (`reference-reused`).
    """
    key = shareholder_vote_key(fund_class_key, vote_reference)
    digests = {key: recorded[key][0]} if key in recorded else {}
    if _replays(digests, key, vote_reference, digest, f"{fund_class_key} shareholder vote"):
        return recorded[key][1]
    return None
