"""Boards: directors' status, meetings and what their passed resolutions decide, nominations
of independent directors, and changes of adviser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adapters.application.commands import (
    ChangeAdviser,
    EndRelief,
    ImportDirectors,
    NominateIndependentDirector,
    RecordMeeting,
    RecordRelief,
)
from adapters.application.csv_import import RowImport, boards_for, import_csv
from adapters.application.ports import Ports
from adapters.application.summaries import ImportSummary
from adapters.inputs.errors import InputError, InputProblem
from domain.board import Board, MeetingRecord, ResolutionRecord
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.fund_class.cap_recompute import CapInputs
from domain.governance import NO_RELIEF, DirectorStatus, ResolutionKind, Tally
from domain.plan import FundTerms, ScheduleBRates
from domain.registry import Registry

if TYPE_CHECKING:
    from adapters.inputs.csv_files import DirectorRow


@dataclass(frozen=True)
class ResolutionOutcome:
    resolution_id: str
    kind: str
    fund_classes: list[str]
    tally: Tally


@dataclass(frozen=True)
class BoardUseCases:
    ports: Ports

    def import_directors(self, command: ImportDirectors) -> ImportSummary:
        """Record directors' attested status (company, director, dates, flags, basis)."""
        csv_file = command.csv_file
        boards = boards_for(self.ports, csv_file)

        def record(board: Board, row: DirectorRow, provenance: Provenance) -> str:
            status = DirectorStatus(
                row.director, row.name, row.in_office, row.interested, row.financial_interest
            )
            return board.declare_director_status(
                status, row.effective_from, row.basis, row.attested_by, provenance
            )

        how: RowImport[DirectorRow, Board] = RowImport(
            owner=lambda row: boards[row.company], record=record
        )
        return import_csv(self.ports, csv_file, csv_file.rows, how)

    def record_meeting(self, command: RecordMeeting) -> list[ResolutionOutcome] | None:
        """Record a board meeting and carry out what its passed resolutions decide.

        Returns:
            The outcome of each resolution, or None if this meeting was recorded before.
        Raises:
            InputError: unknown directors or fund classes.
            RuleViolation(s): a passed resolution's effect breaks a rule (nothing is written).
        """
        company_code, meeting = command.company_code, command.meeting
        board = self.ports.board_or_open(company_code, meeting.meeting_date)
        fund_classes = self._check_meeting(company_code, meeting, board, command.source)
        provenance = self.ports.provenance(command.source)
        tallies = board.hold_meeting(meeting, provenance)
        if tallies is None:
            return None
        outcomes = []
        registry = None
        company_keys = [fc.key for fc in self.ports.view.fund_classes_of(company_code)]
        for resolution, tally in zip(meeting.resolutions, tallies, strict=True):
            concerned = resolution.fund_classes
            if resolution.kind is ResolutionKind.AGREEMENT_FORM:
                # Left out: the form is approved for every fund class the Company has now.
                concerned = concerned or sorted(company_keys)
                if tally.passed:
                    board.approve_agreement_form(resolution, meeting, concerned, provenance)
            elif tally.passed and "add_fund" in resolution.terms:
                registry = registry or self.ports.view.registry()
                added = self._add_fund(company_code, resolution, meeting, registry, provenance)
                fund_classes[added.key] = added
                company_keys.append(added.key)
            elif tally.passed:
                for key in resolution.fund_classes:
                    fund_class = fund_classes[key]
                    cap_inputs = self.ports.cap_inputs(fund_class)
                    _carry_out(resolution, meeting, fund_class, provenance, cap_inputs)
            outcomes.append(
                ResolutionOutcome(resolution.resolution_id, resolution.kind.value, concerned, tally)
            )
        self.ports.save(board, registry, *fund_classes.values())
        return outcomes

    def _add_fund(
        self,
        company_code: str,
        resolution: ResolutionRecord,
        meeting: MeetingRecord,
        registry: Registry | None,
        provenance: Provenance,
    ) -> FundClass:
        """TWELFTH: an amendment adding a fund to Schedule A, in effect from the resolution; for
        a class already offered to the public, from its shareholders' approval (A17)."""
        assert registry is not None  # a class of the company exists, so its plan was loaded
        added = resolution.terms["add_fund"]
        template = self.ports.view.fund_classes_of(company_code)[0]
        fund = FundTerms(
            added["fund_code"],
            added["fund_name"],
            company_code,
            template.company_name,
            ScheduleBRates(
                added["absc_rate_annual"],
                added["service_rate_annual_max"],
                added["total_rate_annual_max"],
            ),
        )
        fund_class = FundClass.adopt_added_fund(
            template, fund, meeting.meeting_date, resolution.resolution_id, provenance
        )
        if added.get("offered_to_public"):
            fund_class.await_shareholders_for_addition(
                resolution.resolution_id,
                meeting.meeting_id,
                meeting.meeting_date,
                added["offered_to_public_source"],
                provenance,
            )
        else:
            fund_class.approve_plan(
                resolution.resolution_id, meeting.meeting_id, meeting.meeting_date, provenance
            )
        registry.register_fund_class(
            fund.fund_code,
            fund_class.share_class,
            fund_class.document_sha256,
            fund_class.effective_date,
            provenance,
        )
        return fund_class

    def _check_meeting(
        self, company_code: str, meeting: MeetingRecord, board: Board, source: str
    ) -> dict[str, FundClass]:
        problems = [
            InputProblem(
                source, None, f"attendance.{code}", "no status is declared for this director"
            )
            for code in sorted(meeting.attendance)
            if not board.knows_director(code)
        ]
        problems += _relief_problems(company_code, meeting, board, source)
        own = {fc.key: fc for fc in self.ports.view.fund_classes_of(company_code)}
        for index, resolution in enumerate(meeting.resolutions):
            if not resolution.fund_classes and not own:
                problems.append(
                    InputProblem(
                        source,
                        None,
                        f"resolutions.{index}.fund_classes",
                        f"{company_code} has no fund class for the form to be approved for",
                    )
                )
            added = _added_fund_class(resolution, own)
            for key in resolution.fund_classes:
                if key == added and key in own:
                    message = f"{key} is already a fund class"
                elif key != added and key not in own:
                    message = f"{key} is not a fund class of {company_code}"
                else:
                    continue
                problems.append(
                    InputProblem(source, None, f"resolutions.{index}.fund_classes", message)
                )
        if problems:
            raise InputError(problems)
        wanted = {key for resolution in meeting.resolutions for key in resolution.fund_classes}
        return {key: own[key] for key in sorted(wanted) if key in own}

    def record_relief(self, command: RecordRelief) -> str:
        """Record a relief from the in-person vote the board may rely on (decision A18)."""
        board = self.ports.board_or_open(command.company_code, command.relief.effective_from)
        outcome = board.record_relief(command.relief, self.ports.provenance("command:relief"))
        self.ports.save(board)
        return outcome

    def end_relief(self, command: EndRelief) -> str:
        """Record the last day in force of a relief recorded as lasting until withdrawn."""
        board = self.ports.board_or_open(command.company_code, command.last_day)
        outcome = board.end_relief(
            command.relief_id,
            command.last_day,
            command.source,
            self.ports.provenance("command:relief-end"),
        )
        self.ports.save(board)
        return outcome

    def nominate_independent_director(self, command: NominateIndependentDirector) -> str:
        board = self.ports.board_or_open(command.company_code, command.nominated_on)
        outcome = board.nominate_independent_director(
            command.nominee,
            command.nominated_on,
            list(command.approved_by),
            self.ports.provenance("command:nominate"),
        )
        self.ports.save(board)
        return outcome

    def change_adviser(self, command: ChangeAdviser) -> list[str]:
        """A change to an unaffiliated adviser ends the agreement of the company's classes."""
        board = self.ports.board_or_open(command.company_code, command.effective_on)
        provenance = self.ports.provenance("command:adviser")
        board.change_adviser(
            command.adviser_name,
            command.effective_on,
            command.affiliated,
            command.reference,
            provenance,
        )
        ended = []
        if not command.affiliated:
            for fund_class in self.ports.view.fund_classes_of(command.company_code):
                if fund_class.standing().agreement_in_effect(command.effective_on):
                    fund_class.end_agreement_for_adviser_change(
                        command.effective_on,
                        command.adviser_name,
                        command.reference,
                        provenance,
                        cap_inputs=self.ports.cap_inputs(fund_class),
                    )
                    ended.append(fund_class)
        self.ports.save(board, *ended)
        return [fund_class.key for fund_class in ended]


def _carry_out(
    resolution: ResolutionRecord,
    meeting: MeetingRecord,
    fund_class: FundClass,
    provenance: Provenance,
    cap_inputs: CapInputs,
) -> None:
    terms: dict[str, Any] = resolution.terms
    kind = resolution.kind
    rid, day = resolution.resolution_id, meeting.meeting_date
    if kind is ResolutionKind.PLAN_APPROVAL:
        fund_class.approve_plan(rid, meeting.meeting_id, day, provenance)
    elif kind is ResolutionKind.CONTINUANCE:
        fund_class.approve_continuance(
            resolution_id=rid,
            meeting_id=meeting.meeting_id,
            approved_on=day,
            covers_through=terms["covers_through"],
            retroactive=terms["retroactive"],
            provenance=provenance,
        )
    elif kind is ResolutionKind.AMENDMENT:
        fund_class.approve_amendment(
            amendment_id=terms["amendment_id"],
            resolution_id=rid,
            approved_on=day,
            rates=ScheduleBRates(
                terms["absc_rate_annual"],
                terms["service_rate_annual_max"],
                terms["total_rate_annual_max"],
            ),
            provenance=provenance,
        )
    elif kind in (ResolutionKind.NEW_AGREEMENT, ResolutionKind.OTHER_ARRANGEMENT):
        fund_class.restore_agreement(
            kind=kind.value,
            resolution_id=rid,
            approved_on=day,
            distributor_name=terms["distributor"],
            meeting_id=meeting.meeting_id,
            effective_on=terms.get("effective_on"),
            on_assignment=terms.get("on_assignment"),
            retroactive=terms["retroactive"],
            provenance=provenance,
        )
    elif kind is ResolutionKind.TERMINATION:
        fund_class.terminate_by_independent_board_members(
            rid, terms.get("effective_on", day), provenance, cap_inputs=cap_inputs
        )


def _relief_problems(
    company_code: str, meeting: MeetingRecord, board: Board, source: str
) -> list[InputProblem]:
    """The relief a meeting relies on must be recorded on the board; a matter said to have been
    fully considered at an earlier meeting names a meeting recorded before this one."""
    problems = []
    if meeting.relief != NO_RELIEF and board.relief(meeting.relief) is None:
        message = f"no relief {meeting.relief!r} is recorded for {company_code} (board relief)"
        problems.append(InputProblem(source, None, "relief", message))
    for index, resolution in enumerate(meeting.resolutions):
        earlier = resolution.terms.get("discussed_in_person_at")
        if earlier is None:
            continue
        held_on = board.meeting_held_on(earlier)
        if held_on is None or held_on >= meeting.meeting_date:
            problems.append(
                InputProblem(
                    source,
                    None,
                    f"resolutions.{index}.discussed_in_person_at",
                    f"{earlier} is not a meeting of {company_code} recorded before "
                    f"{meeting.meeting_date}",
                )
            )
    return problems


def _added_fund_class(resolution: ResolutionRecord, own: dict[str, FundClass]) -> str | None:
    """The key of the fund class an `add_fund` amendment creates (None for other resolutions)."""
    added = resolution.terms.get("add_fund")
    if added is None or not own:
        return None
    share_class = next(iter(own.values())).share_class
    return f"{added['fund_code']}/{share_class}"
