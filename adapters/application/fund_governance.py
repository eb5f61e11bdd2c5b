"""What governs each fund class beyond its board's meetings: shareholder votes, notices, an
assignment, sales suspended or resumed, the FOURTH reports, and the FINRA cap account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from hashlib import sha256

from adapters.application.audit import seal_chain, sealed_subjects
from adapters.application.commands import (
    GiveDistributorNotice,
    IssueReport,
    OpenCapAccount,
    RecordAssignment,
    RecordSales,
    RecordShareholderVote,
    ReviewReport,
    SetPrimeRate,
)
from adapters.application.ports import Ports
from domain.fund_class import UNCHANGED, FundClass
from domain.fund_class.notices import (
    assignment_recorded_before,
    notice_recorded_before,
    recorded_document_digests,
    recorded_votes,
    vote_digest,
    vote_recorded_before,
)
from domain.governance import notice_effective_on
from domain.market_data import MarketData


@dataclass(frozen=True)
class NoticeOutcome:
    """The date the notice took effect, and the classes it was recorded for now (none: it
    was recorded before, as given)."""

    effective: date
    recorded_for: tuple[str, ...]


@dataclass(frozen=True)
class VoteOutcome:
    """Whether a shareholder vote passed under §2(a)(42), and whether it was recorded now
    (False: the same vote was recorded before)."""

    passed: bool
    recorded: bool


@dataclass(frozen=True)
class FundGovernanceUseCases:
    ports: Ports

    def record_shareholder_vote(self, command: RecordShareholderVote) -> bool:
        """Whether the vote passed under §2(a)(42) (see `tally_shareholder_vote`)."""
        return self.tally_shareholder_vote(command).passed

    def tally_shareholder_vote(self, command: RecordShareholderVote) -> VoteOutcome:
        """Record a vote, passed or failed: either is done. The same vote again records
        nothing; its reference with other figures is refused."""
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        digest = vote_digest(
            command.subject,
            command.subject_id,
            command.voted_on,
            command.outstanding,
            command.present,
            command.votes_for,
            command.votes_against,
            command.abstentions,
            command.broker_non_votes,
        )
        # Read from the stream, not the aggregate's state: see domain/fund_class/notices.py.
        recorded = recorded_votes(self.ports.view.stream(fund_class.id))
        passed_before = vote_recorded_before(
            fund_class.key, recorded, command.vote_reference, digest
        )
        if passed_before is not None:
            return VoteOutcome(passed=passed_before, recorded=False)
        passed = fund_class.record_shareholder_vote(
            vote_reference=command.vote_reference,
            subject=command.subject,
            subject_id=command.subject_id,
            voted_on=command.voted_on,
            outstanding=command.outstanding,
            present=command.present,
            votes_for=command.votes_for,
            votes_against=command.votes_against,
            abstentions=command.abstentions,
            broker_non_votes=command.broker_non_votes,
            provenance=self.ports.provenance("command:shareholder-vote"),
            cap_inputs=self.ports.cap_inputs(fund_class),
        )
        self.ports.save(fund_class)
        return VoteOutcome(passed=passed, recorded=True)

    def give_distributor_notice(self, command: GiveDistributorNotice) -> NoticeOutcome:
        """Recorded once per document: the same notice again records nothing (issue 11)."""
        chosen = [self.ports.view.fund_class_by_key(key) for key in command.fund_classes]
        effective = notice_effective_on(command.method, command.sent_on, command.received_on)
        changed = []
        for fund_class in chosen:
            if notice_recorded_before(
                fund_class.key,
                self._recorded_documents(fund_class),
                method=command.method,
                sent_on=command.sent_on,
                received_on=command.received_on,
                termination_effective_on=command.termination_effective_on,
                document_reference=command.document_reference,
            ):
                continue
            effective = fund_class.give_distributor_notice(
                method=command.method,
                sent_on=command.sent_on,
                received_on=command.received_on,
                termination_effective_on=command.termination_effective_on,
                document_reference=command.document_reference,
                provenance=self.ports.provenance("command:notice"),
                cap_inputs=self.ports.cap_inputs(fund_class),
            )
            changed.append(fund_class)
        self.ports.save(*changed)
        return NoticeOutcome(effective, tuple(fund_class.key for fund_class in changed))

    def record_assignment(self, command: RecordAssignment) -> list[str]:
        """An assignment of the Distributor's contract ends the agreement for every class.

        Returns:
            The classes it was recorded for now (none: recorded before, as given).
        """
        chosen = [fc for fc in self.ports.view.fund_classes() if fc.terminated_on is None]
        changed = []
        for fund_class in chosen:
            if assignment_recorded_before(
                fund_class.key,
                self._recorded_documents(fund_class),
                occurred_on=command.occurred_on,
                description=command.description,
                rule_2a6_exempt=command.rule_2a6_exempt,
                determination_reference=command.determination_reference,
            ):
                continue
            fund_class.record_assignment(
                occurred_on=command.occurred_on,
                description=command.description,
                rule_2a6_exempt=command.rule_2a6_exempt,
                determination_reference=command.determination_reference,
                provenance=self.ports.provenance("command:assignment"),
                cap_inputs=self.ports.cap_inputs(fund_class),
            )
            changed.append(fund_class)
        self.ports.save(*changed)
        return [fund_class.key for fund_class in changed]

    def _recorded_documents(self, fund_class: FundClass) -> dict[str, str]:
        # Read from the stream, not the aggregate's state: see domain/fund_class/notices.py.
        return recorded_document_digests(self.ports.view.stream(fund_class.id))

    def record_sales(self, command: RecordSales) -> None:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        provenance = self.ports.provenance("command:sales")
        if command.suspended:
            fund_class.suspend_sales(command.on, command.reason, provenance)
        else:
            fund_class.resume_sales(command.on, command.reason, provenance)
        self.ports.save(fund_class)

    # ---- the FOURTH reports -----------------------------------------------------------------

    def issue_report(self, command: IssueReport) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        digests = {name: sha256(data).hexdigest() for name, data in command.files.items()}
        outcome = fund_class.issue_quarterly_report(
            command.quarter,
            command.report_sha256,
            command.issued_on,
            command.issued_by,
            self.ports.provenance("command:report issue"),
            files=digests,
        )
        # The bytes first, the event naming them after: a run killed between the two leaves
        # bytes no event names yet (kept again, as nothing new, when it is run again), never
        # an event whose files are missing.
        self.ports.store.keep_files({digests[name]: data for name, data in command.files.items()})
        subject = (
            f"quarterly report {fund_class.key} {command.quarter} sha256:{command.report_sha256}"
        )
        if outcome == UNCHANGED and subject in sealed_subjects(self.ports):
            return outcome  # issued and sealed already: running it again records nothing
        self.ports.save(fund_class)
        # Seal the chain with the report in it: a later rewrite of what the report rests on
        # no longer matches the seal (docs/audit.md §3). A run killed between the two saves
        # left the report unsealed: running it again seals it.
        seal_chain(self.ports, subject, command.issued_on)
        return outcome

    def review_report(self, command: ReviewReport) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        outcome = fund_class.review_quarterly_report(
            command.quarter,
            command.meeting_id,
            command.reviewed_on,
            self.ports.provenance("command:report review"),
        )
        self.ports.save(fund_class)
        return outcome

    # ---- the FINRA cap account --------------------------------------------------------------

    def set_prime_rate(self, command: SetPrimeRate) -> str:
        provenance = self.ports.provenance("command:finra prime-rate")
        market_data = self.ports.view.market_data() or MarketData.open(
            command.effective_from, provenance
        )
        outcome = market_data.set_prime_rate(
            command.effective_from, command.rate_annual, command.source, provenance
        )
        self.ports.save(market_data)
        return outcome

    def open_cap_account(self, command: OpenCapAccount) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        outcome = fund_class.open_cap_account(
            command.as_of,
            command.remaining,
            command.note,
            self.ports.provenance("command:finra open-account"),
        )
        self.ports.save(fund_class)
        return outcome
