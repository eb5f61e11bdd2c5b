"""The `Board` aggregate: one Company's directors, meetings, resolutions and adviser.

Directors' status is attested input with an effective date. A meeting is recorded with its
attendance and the resolutions voted on; each resolution is tallied when it is recorded, under
the rules in force on the meeting date, and the tally is stored on the event, so a later
correction of a director's status never rewrites what was decided (brief §5.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.agreement_forms import AgreementFormApproval
from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, is_replay_of, payload_digest, provenance_fields
from domain.governance import (
    NO_RELIEF,
    AttendanceMode,
    DirectorStatus,
    MeetingFacts,
    ReliefScope,
    ReliefTerms,
    ResolutionKind,
    Tally,
    Vote,
    check_relief_terms,
    is_majority,
    tally_resolution,
)
from domain.ids import NAMESPACE


def board_id(company_code: str) -> UUID:
    return uuid5(NAMESPACE, f"board/{company_code}")


@dataclass(frozen=True)
class ResolutionRecord:
    """A resolution as the minutes state it, before it is counted."""

    resolution_id: str
    kind: ResolutionKind
    fund_classes: list[str]
    text: str
    votes: dict[str, Vote]
    terms: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MeetingRecord:
    meeting_id: str
    meeting_date: date
    called_for_plan: bool
    agenda: list[str]
    attendance: dict[str, AttendanceMode]
    relief: str  # the id of a relief recorded on the board, or "none" (NO_RELIEF)
    minutes_reference: str
    resolutions: list[ResolutionRecord]


@dataclass(frozen=True)
class DeclaredStatus:
    """A director's status as declared, from the date it takes effect."""

    effective_from: date
    status: DirectorStatus


@dataclass(frozen=True)
class HeldMeeting:
    meeting_date: date
    digest: str
    relief: str = "none"  # a meeting relying on no relief is an in-person meeting


@dataclass(frozen=True)
class RatificationDue:
    """A resolution passed on votes counted under a relief, awaiting ratification in person;
    `missed_on` is the in-person meeting after it that did not ratify it (None: none yet)."""

    resolution_id: str
    voted_on: date
    relief: str
    missed_on: date | None


@dataclass(frozen=True)
class VotedResolution:
    meeting_id: str
    voted_on: date
    kind: str
    passed: bool
    ratification_required: bool
    ratified_by: str | None = None


@dataclass(frozen=True)
class AdviserTerm:
    """An adviser from the date it took over."""

    effective_from: date
    name: str
    affiliated: bool


class Board(DirectEvents, Aggregate):
    TOPIC = "planledger.Board"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.Board.Created"

    class BoardOpened(Aggregate.Created, Event):
        TOPIC = "planledger.Board.BoardOpened"
        company_code: str
        company_name: str

    class DirectorStatusDeclared(Event):
        TOPIC = "planledger.Board.DirectorStatusDeclared"
        director_code: str
        director_name: str
        in_office: bool
        interested: bool
        financial_interest: bool
        basis: str
        attested_by: str

        def apply(self, board: Board) -> None:
            status = DirectorStatus(
                self.director_code,
                self.director_name,
                self.in_office,
                self.interested,
                self.financial_interest,
            )
            history = board.director_history.setdefault(self.director_code, [])
            history.append(DeclaredStatus(self.business_date, status))
            history.sort(key=lambda declared: declared.effective_from)
            board.director_digests[self.idempotency_key] = _status_digest(self)

    class BoardMeetingHeld(Event):
        TOPIC = "planledger.Board.BoardMeetingHeld"
        meeting_id: str
        called_for_plan: bool
        agenda: list[str]
        attendance: list[dict[str, Any]]
        relief_relied_on: str
        minutes_reference: str
        meeting_digest: str

        def apply(self, board: Board) -> None:
            board.meetings[self.meeting_id] = HeldMeeting(
                self.business_date, self.meeting_digest, self.relief_relied_on
            )

    class ResolutionVoted(Event):
        TOPIC = "planledger.Board.ResolutionVoted"
        meeting_id: str
        resolution_id: str
        kind: str
        fund_classes: list[str]
        text: str
        votes: list[dict[str, Any]]
        terms: dict[str, Any]
        board_seated: int
        board_for: int
        ibm_seated: int
        ibm_for: int
        passed: bool
        reasons: list[str]
        ratification_required: bool
        in_person_rule: str

        def apply(self, board: Board) -> None:
            board.resolutions[self.resolution_id] = VotedResolution(
                self.meeting_id,
                self.business_date,
                self.kind,
                self.passed,
                self.ratification_required,
            )
            ratifies = self.terms.get("ratifies")
            if self.passed and ratifies in board.resolutions:
                ratified = board.resolutions[ratifies]
                board.resolutions[ratifies] = replace(ratified, ratified_by=self.resolution_id)

    class AgreementFormApproved(Event):
        """A passed resolution approving a form of agreement under SEVENTH (decision A15);
        business date: the meeting's."""

        TOPIC = "planledger.Board.AgreementFormApproved"
        resolution_id: str
        meeting_id: str
        agreement_kind: str
        form_reference: str
        form_sha256: str | None
        fund_classes: list[str]

        def apply(self, board: Board) -> None:
            board.agreement_forms.append(
                AgreementFormApproval(
                    self.agreement_kind,
                    self.form_reference,
                    self.form_sha256,
                    self.business_date,
                    self.resolution_id,
                    self.meeting_id,
                    tuple(self.fund_classes),
                )
            )

    class IndependentDirectorNominated(Event):
        TOPIC = "planledger.Board.IndependentDirectorNominated"
        nominee: str
        approved_by: list[str]
        not_interested_in_office: list[str]

        def apply(self, board: Board) -> None:
            board.nomination_digests[self.idempotency_key] = payload_digest(
                self.nominee, self.business_date, sorted(self.approved_by)
            )

    class AdviserChanged(Event):
        TOPIC = "planledger.Board.AdviserChanged"
        adviser_name: str
        affiliated_with_distributor: bool
        reference: str

        def apply(self, board: Board) -> None:
            board.advisers.append(
                AdviserTerm(self.business_date, self.adviser_name, self.affiliated_with_distributor)
            )

    class ReliefRecorded(Event):
        """A relief from the in-person vote the board may rely on, with its source and scope
        (decision A18); dated from its first day in force."""

        TOPIC = "planledger.Board.ReliefRecorded"
        relief_id: str
        name: str
        citation: str  # the source it rests on
        scopes: list[str]
        effective_until: date | None
        until_withdrawn_source: str
        conditions: str

        def apply(self, board: Board) -> None:
            board.reliefs[self.relief_id] = ReliefTerms(
                self.relief_id,
                self.name,
                self.citation,
                tuple(ReliefScope(scope) for scope in self.scopes),
                self.business_date,
                self.effective_until,
                self.until_withdrawn_source,
                self.conditions,
            )

    class ReliefEnded(Event):
        """The end, once known, of a relief recorded as lasting until withdrawn; dated on its
        last day in force."""

        TOPIC = "planledger.Board.ReliefEnded"
        relief_id: str
        citation: str  # the notice or statement that ends it

        def apply(self, board: Board) -> None:
            relief = board.reliefs[self.relief_id]
            board.reliefs[self.relief_id] = relief.ended(self.business_date, self.citation)

    def __init__(self, company_code: str, company_name: str) -> None:
        # The library calls this when the stream is created, with the created event's fields
        # of the same names; state is set here, not by an annotation on the class, because
        # annotations would make the library turn the aggregate into a dataclass.
        self.company_code = company_code
        self.company_name = company_name
        self.director_history: dict[str, list[DeclaredStatus]] = {}  # by director code
        self.director_digests: dict[str, str] = {}  # idempotency key -> payload digest
        self.meetings: dict[str, HeldMeeting] = {}  # by meeting id
        self.resolutions: dict[str, VotedResolution] = {}  # by resolution id
        self.nomination_digests: dict[str, str] = {}  # idempotency key -> payload digest
        self.advisers: list[AdviserTerm] = []  # in the order recorded
        self.reliefs: dict[str, ReliefTerms] = {}  # by relief id
        self.agreement_forms: list[AgreementFormApproval] = []  # in the order recorded

    # ---- creation ---------------------------------------------------------------------------

    @staticmethod
    def create_id(company_code: str) -> UUID:
        return board_id(company_code)

    @classmethod
    def open(
        cls, company_code: str, company_name: str, opened_on: date, provenance: Provenance
    ) -> Board:
        return cls._create(
            cls.BoardOpened,
            id=board_id(company_code),
            **provenance_fields(provenance, opened_on, f"board/{company_code}"),
            company_code=company_code,
            company_name=company_name,
        )

    # ---- directors --------------------------------------------------------------------------

    def declare_director_status(
        self,
        status: DirectorStatus,
        effective_from: date,
        basis: str,
        attested_by: str,
        provenance: Provenance,
    ) -> str:
        """Record a director's attested status from a date (idempotent per director and date)."""
        key = f"director-status/{self.company_code}/{status.code}/{effective_from}"
        digest = payload_digest(
            status.name, status.in_office, status.interested, status.financial_interest
        )
        if is_replay_of(self.director_digests, key, digest, f"{self.company_code} director"):
            return "unchanged"
        self.trigger_event(
            self.DirectorStatusDeclared,
            **provenance_fields(provenance, effective_from, key),
            director_code=status.code,
            director_name=status.name,
            in_office=status.in_office,
            interested=status.interested,
            financial_interest=status.financial_interest,
            basis=basis,
            attested_by=attested_by,
        )
        return "recorded"

    def directors_on(self, day: date) -> list[DirectorStatus]:
        """Each director's latest declared status effective on or before `day`."""
        statuses = []
        for _code, history in sorted(self.director_history.items()):
            effective = [declared for declared in history if declared.effective_from <= day]
            if effective:
                statuses.append(effective[-1].status)
        return statuses

    def relief(self, relief_id: str) -> ReliefTerms | None:
        return self.reliefs.get(relief_id)

    def meeting_held_on(self, meeting_id: str) -> date | None:
        held = self.meetings.get(meeting_id)
        return None if held is None else held.meeting_date

    def knows_director(self, code: str) -> bool:
        return code in self.director_history

    # ---- meetings ---------------------------------------------------------------------------

    def hold_meeting(self, meeting: MeetingRecord, provenance: Provenance) -> list[Tally] | None:
        """Record a meeting and tally each of its resolutions.

        Returns:
            The tallies, in the order of the resolutions; None if this exact meeting was
            recorded before (nothing is written again).
        Raises:
            RuleViolation: the meeting id was recorded with different minutes.
        """
        digest = _meeting_digest(meeting)
        recorded = self.meetings.get(meeting.meeting_id)
        if recorded is not None:
            if recorded.digest == digest:
                return None
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.company_code}: meeting {meeting.meeting_id!r} was already recorded with "
                f"different minutes",
            )
        directors = self.directors_on(meeting.meeting_date)
        self.trigger_event(
            self.BoardMeetingHeld,
            **provenance_fields(
                provenance,
                meeting.meeting_date,
                f"meeting/{self.company_code}/{meeting.meeting_id}",
            ),
            meeting_id=meeting.meeting_id,
            called_for_plan=meeting.called_for_plan,
            agenda=list(meeting.agenda),
            attendance=[
                {"director": code, "mode": mode.value}
                for code, mode in sorted(meeting.attendance.items())
            ],
            relief_relied_on=meeting.relief,
            minutes_reference=meeting.minutes_reference,
            meeting_digest=digest,
        )
        facts = MeetingFacts(
            meeting.meeting_date,
            meeting.called_for_plan,
            meeting.attendance,
            self.reliefs.get(meeting.relief),
        )
        return [
            self._vote(
                meeting,
                resolution,
                tally_resolution(
                    resolution.kind,
                    directors,
                    facts,
                    resolution.votes,
                    discussed_in_person_before="discussed_in_person_at" in resolution.terms,
                ),
                provenance,
            )
            for resolution in meeting.resolutions
        ]

    def _vote(
        self,
        meeting: MeetingRecord,
        resolution: ResolutionRecord,
        tally: Tally,
        provenance: Provenance,
    ) -> Tally:
        if resolution.resolution_id in self.resolutions:
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.company_code}: resolution {resolution.resolution_id!r} was already "
                f"recorded at another meeting",
            )
        key = f"resolution/{self.company_code}/{resolution.resolution_id}"
        self.trigger_event(
            self.ResolutionVoted,
            **provenance_fields(provenance, meeting.meeting_date, key),
            meeting_id=meeting.meeting_id,
            resolution_id=resolution.resolution_id,
            kind=resolution.kind.value,
            fund_classes=list(resolution.fund_classes),
            text=resolution.text,
            votes=[
                {"director": code, "vote": vote.value}
                for code, vote in sorted(resolution.votes.items())
            ],
            terms=dict(resolution.terms),
            board_seated=tally.board_seated,
            board_for=tally.board_for,
            ibm_seated=tally.ibm_seated,
            ibm_for=tally.ibm_for,
            passed=tally.passed,
            reasons=list(tally.reasons),
            ratification_required=tally.ratification_required,
            in_person_rule=tally.in_person_rule,
        )
        return tally

    def ratifications_due(self) -> list[RatificationDue]:
        """Every resolution passed under a relief and not yet ratified, with the in-person
        meeting (one relying on no relief) held after it, if any: the relief's condition was
        ratification at the next one (decision A18)."""
        in_person_days = sorted(
            held.meeting_date for held in self.meetings.values() if held.relief == NO_RELIEF
        )
        due = []
        for resolution_id in self.unratified_resolutions():
            voted = self.resolutions[resolution_id]
            later = [day for day in in_person_days if day > voted.voted_on]
            relief = self.meetings[voted.meeting_id].relief
            due.append(
                RatificationDue(resolution_id, voted.voted_on, relief, later[0] if later else None)
            )
        return due

    def unratified_resolutions(self) -> list[str]:
        return sorted(
            resolution_id
            for resolution_id, voted in self.resolutions.items()
            if voted.ratification_required and voted.ratified_by is None
        )

    # ---- relief from the in-person vote (Rule 12b-1(b)(2); decision A18) ----------------------

    def record_relief(self, relief: ReliefTerms, provenance: Provenance) -> str:
        """Record a relief the board may rely on (the same relief again changes nothing).

        Raises:
            RuleViolation: open-ended or ill-formed (`check_relief_terms`); the id recorded
                with other terms (`reference-reused`).
        """
        check_relief_terms(relief)
        recorded = self.reliefs.get(relief.relief_id)
        if recorded is not None:
            if replace(recorded, ended_on=None, ended_source="") == relief:
                return "unchanged"
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.company_code}: relief {relief.relief_id!r} was already recorded with "
                f"other terms",
            )
        self.trigger_event(
            self.ReliefRecorded,
            **provenance_fields(
                provenance, relief.effective_from, f"relief/{self.company_code}/{relief.relief_id}"
            ),
            relief_id=relief.relief_id,
            name=relief.name,
            citation=relief.source,
            scopes=[scope.value for scope in relief.scopes],
            effective_until=relief.effective_until,
            until_withdrawn_source=relief.until_withdrawn_source,
            conditions=relief.conditions,
        )
        return "recorded"

    def end_relief(
        self, relief_id: str, last_day: date, source: str, provenance: Provenance
    ) -> str:
        """Record the last day in force of a relief that lasted until withdrawn.

        Raises:
            RuleViolation: no such relief, one with a last day of its own, a day before it
                started, or another end recorded before.
        """
        relief = self.reliefs.get(relief_id)
        problem = None
        if relief is None:
            problem = "is not recorded"
        elif relief.effective_until is not None:
            problem = f"ends on {relief.effective_until} by its own terms"
        elif last_day < relief.effective_from:
            problem = f"starts on {relief.effective_from}, after {last_day}"
        elif relief.ended_on is not None:
            if (relief.ended_on, relief.ended_source) == (last_day, source):
                return "unchanged"
            problem = f"was already recorded as ended on {relief.ended_on}"
        if problem is not None:
            raise RuleViolation(
                "relief-end",
                "Rule 12b-1(b)(2) (in person)",
                f"{self.company_code}: relief {relief_id!r} {problem}",
            )
        self.trigger_event(
            self.ReliefEnded,
            **provenance_fields(
                provenance, last_day, f"relief-end/{self.company_code}/{relief_id}"
            ),
            relief_id=relief_id,
            citation=source,
        )
        return "recorded"

    # ---- forms of agreement (SEVENTH; Rule 12b-1(b)(2)) ---------------------------------------

    def approve_agreement_form(
        self,
        resolution: ResolutionRecord,
        meeting: MeetingRecord,
        fund_classes: list[str],
        provenance: Provenance,
    ) -> None:
        """Record what a passed `agreement_form` resolution approves: its form, for
        `fund_classes` (those it names, or every fund class the Company has).

        Raises:
            RuleViolation: the form's reference was approved before as another kind, or with
                the SHA-256 of another text (a reference names one document).
        """
        terms = resolution.terms
        kind, form = terms["agreement_kind"], terms["form_reference"]
        sha256 = terms.get("form_sha256")
        for earlier in self.agreement_forms:
            if earlier.form_reference != form:
                continue
            other_text = None not in (sha256, earlier.form_sha256) and sha256 != earlier.form_sha256
            if earlier.agreement_kind != kind or other_text:
                raise RuleViolation(
                    "agreement-form-reused",
                    "SEVENTH; Rule 12b-1(b)(2)",
                    f"{self.company_code} resolution {resolution.resolution_id}: the form "
                    f"{form!r} was approved by resolution {earlier.resolution_id} as SEVENTH "
                    f"({earlier.agreement_kind}) with SHA-256 {earlier.form_sha256 or 'not given'}"
                    f"; a form's reference names one document: give this one its own",
                )
        self.trigger_event(
            self.AgreementFormApproved,
            **provenance_fields(
                provenance,
                meeting.meeting_date,
                f"agreement-form/{self.company_code}/{resolution.resolution_id}",
            ),
            resolution_id=resolution.resolution_id,
            meeting_id=meeting.meeting_id,
            agreement_kind=kind,
            form_reference=form,
            form_sha256=sha256,
            fund_classes=sorted(fund_classes),
        )

    def agreement_forms_for(self, fund_class_key: str) -> list[AgreementFormApproval]:
        """The forms of agreement approved for one fund class, in the order recorded."""
        return [approval for approval in self.agreement_forms if approval.covers(fund_class_key)]

    # ---- nominations (TWELFTH) and the adviser (THIRTEENTH (B)) ------------------------------

    def nominate_independent_director(
        self, nominee: str, nominated_on: date, approved_by: list[str], provenance: Provenance
    ) -> str:
        """TWELFTH: the final decision on nominating a non-interested director is approved by a
        majority of the non-interested directors then in office.

        Raises:
            RuleViolation: the approvals are not such a majority.
        """
        key = f"nomination/{self.company_code}/{nominee}/{nominated_on}"
        digest = payload_digest(nominee, nominated_on, sorted(approved_by))
        if is_replay_of(self.nomination_digests, key, digest, f"{self.company_code} nomination"):
            return "unchanged"
        eligible = [d.code for d in self.directors_on(nominated_on) if d.is_not_interested]
        approving = sorted(set(approved_by) & set(eligible))
        if not is_majority(len(approving), len(eligible)):
            raise RuleViolation(
                "nomination-needs-independent-majority",
                "TWELFTH; Rule 12b-1(c)",
                f"{self.company_code}: the nomination of {nominee} is approved by "
                f"{len(approving)} of the {len(eligible)} directors in office who are not "
                f"interested persons: not a majority",
            )
        self.trigger_event(
            self.IndependentDirectorNominated,
            **provenance_fields(provenance, nominated_on, key),
            nominee=nominee,
            approved_by=approving,
            not_interested_in_office=eligible,
        )
        return "recorded"

    def change_adviser(
        self,
        adviser_name: str,
        effective_on: date,
        affiliated: bool,
        reference: str,
        provenance: Provenance,
    ) -> None:
        key = f"adviser/{self.company_code}/{effective_on}/{adviser_name}"
        self.trigger_event(
            self.AdviserChanged,
            **provenance_fields(provenance, effective_on, key),
            adviser_name=adviser_name,
            affiliated_with_distributor=affiliated,
            reference=reference,
        )


def _status_digest(event: Board.DirectorStatusDeclared) -> str:
    return payload_digest(
        event.director_name, event.in_office, event.interested, event.financial_interest
    )


def _meeting_digest(meeting: MeetingRecord) -> str:
    return payload_digest(
        meeting.meeting_date,
        meeting.called_for_plan,
        meeting.agenda,
        sorted((code, mode.value) for code, mode in meeting.attendance.items()),
        meeting.relief,
        meeting.minutes_reference,
        [
            (
                r.resolution_id,
                r.kind.value,
                r.fund_classes,
                r.text,
                sorted((c, v.value) for c, v in r.votes.items()),
                sorted(r.terms.items()),
            )
            for r in meeting.resolutions
        ],
    )
