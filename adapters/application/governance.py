"""The ledger's governance use cases: directors, meetings, votes, notices, the cap account.

A mixin of `Ledger` (application/ledger.py). As there, each use case reads the aggregates it
needs, lets the domain check and decide, and saves everything it changed in one transaction;
a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from adapters.application.summaries import ImportSummary, import_summary, violation_at_row
from adapters.inputs.csv_files import DirectorRow, GrossSalesRow, SalesChargeRow, read_csv
from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.meeting_file import read_meeting_file
from domain.board import Board, MeetingRecord, ResolutionRecord, board_id
from domain.errors import RuleViolation, RuleViolations, UnknownFundClassError
from domain.fund_class import FundClass
from domain.governance import DirectorStatus, NoticeMethod, ResolutionKind, Tally
from domain.market_data import MARKET_DATA_ID, MarketData
from domain.plan import FundTerms, ScheduleBRates

if TYPE_CHECKING:
    from adapters.application.ledger import Ledger


@dataclass(frozen=True)
class ResolutionOutcome:
    resolution_id: str
    kind: str
    fund_classes: list[str]
    tally: Tally


class GovernanceUseCases:
    """Governance and cap-account use cases; mixed into `Ledger`."""

    # ---- boards and directors ---------------------------------------------------------------

    def board(self: Ledger, company_code: str) -> Board | None:
        try:
            return self.load(board_id(company_code))
        except AggregateNotFoundError:
            return None

    def _board_or_open(self: Ledger, company_code: str, on: date) -> Board:
        board = self.board(company_code)
        if board is not None:
            return board
        names = {fc.company_code: fc.company_name for fc in self.fund_classes()}
        if company_code not in names:
            raise UnknownFundClassError(
                f"unknown company {company_code}: no loaded plan names it in Schedule A"
            )
        return Board.open(company_code, names[company_code], on, self.provenance("command"))

    def fund_classes_of(self: Ledger, company_code: str) -> list[FundClass]:
        return [fc for fc in self.fund_classes() if fc.company_code == company_code]

    def import_directors(self: Ledger, path: Path) -> ImportSummary:
        """Record directors' attested status (company, director, dates, flags, basis)."""
        csv_file = read_csv(path, DirectorRow)
        boards: dict[str, Board] = {}
        outcomes = []
        for numbered in csv_file.rows:
            row = numbered.record
            try:
                board = boards.get(row.company) or self._board_or_open(
                    row.company, row.effective_from
                )
            except UnknownFundClassError as error:
                raise InputError(
                    [InputProblem(csv_file.name, numbered.row, "company", str(error))]
                ) from None
            boards[row.company] = board
            status = DirectorStatus(
                row.director, row.name, row.in_office, row.interested, row.financial_interest
            )
            outcomes.append(
                board.declare_director_status(
                    status,
                    row.effective_from,
                    row.basis,
                    row.attested_by,
                    self.provenance(csv_file.source(numbered.row)),
                )
            )
        self.store.save(*boards.values())
        return import_summary(csv_file, outcomes)

    # ---- meetings ---------------------------------------------------------------------------

    def record_meeting_file(self: Ledger, path: Path) -> list[ResolutionOutcome] | None:
        company_code, meeting = read_meeting_file(path)
        source = f"{path.name} (meeting {meeting.meeting_id})"
        return self.record_meeting(company_code, meeting, source=source)

    def record_meeting(
        self: Ledger, company_code: str, meeting: MeetingRecord, *, source: str
    ) -> list[ResolutionOutcome] | None:
        """Record a board meeting and carry out what its passed resolutions decide.

        Returns:
            The outcome of each resolution, or None if this meeting was recorded before.
        Raises:
            InputError: unknown directors or fund classes.
            RuleViolation(s): a passed resolution's effect breaks a rule (nothing is written).
        """
        board = self._board_or_open(company_code, meeting.meeting_date)
        fund_classes = self._check_meeting(company_code, meeting, board, source)
        provenance = self.provenance(source)
        tallies = board.hold_meeting(meeting, provenance)
        if tallies is None:
            return None
        outcomes = []
        registry = None
        for resolution, tally in zip(meeting.resolutions, tallies, strict=True):
            if tally.passed and "add_fund" in resolution.terms:
                registry = registry or self.registry()
                added = self._add_fund(company_code, resolution, meeting, registry, provenance)
                fund_classes[added.key] = added
            elif tally.passed:
                for key in resolution.fund_classes:
                    self._carry_out(resolution, meeting, fund_classes[key], provenance)
            outcomes.append(
                ResolutionOutcome(
                    resolution.resolution_id, resolution.kind.value, resolution.fund_classes, tally
                )
            )
        self.store.save(board, registry, *fund_classes.values())
        return outcomes

    def _add_fund(
        self: Ledger,
        company_code: str,
        resolution: ResolutionRecord,
        meeting: MeetingRecord,
        registry: Any,
        provenance: Any,
    ) -> FundClass:
        """TWELFTH: an amendment adding a fund to Schedule A, in effect from the resolution."""
        added = resolution.terms["add_fund"]
        template = self.fund_classes_of(company_code)[0]
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
        self: Ledger, company_code: str, meeting: MeetingRecord, board: Board, source: str
    ) -> dict[str, FundClass]:
        problems = [
            InputProblem(
                source, None, f"attendance.{code}", "no status is declared for this director"
            )
            for code in sorted(meeting.attendance)
            if not board.knows_director(code)
        ]
        own = {fc.key: fc for fc in self.fund_classes_of(company_code)}
        for index, resolution in enumerate(meeting.resolutions):
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

    def _carry_out(
        self: Ledger,
        resolution: ResolutionRecord,
        meeting: MeetingRecord,
        fund_class: FundClass,
        provenance: Any,
    ) -> None:
        terms = resolution.terms
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
                retroactive=terms["retroactive"],
                provenance=provenance,
            )
        elif kind is ResolutionKind.TERMINATION:
            fund_class.terminate_by_independent_board_members(
                rid, terms.get("effective_on", day), provenance
            )

    # ---- shareholders, notices, assignment, adviser, sales ----------------------------------

    def record_shareholder_vote(
        self: Ledger, *, fund_code: str, share_class: str, **vote: Any
    ) -> bool:
        fund_class = self.fund_class(fund_code, share_class)
        passed = fund_class.record_shareholder_vote(
            **vote, provenance=self.provenance("command:shareholder-vote")
        )
        self.store.save(fund_class)
        return passed

    def give_distributor_notice(
        self: Ledger,
        *,
        fund_classes: list[str],
        method: NoticeMethod,
        sent_on: date,
        received_on: date | None,
        termination_effective_on: date,
        document_reference: str,
    ) -> date:
        chosen = [self.fund_class(*key.split("/", 1)) for key in fund_classes]
        effective = sent_on
        for fund_class in chosen:
            effective = fund_class.give_distributor_notice(
                method=method,
                sent_on=sent_on,
                received_on=received_on,
                termination_effective_on=termination_effective_on,
                document_reference=document_reference,
                provenance=self.provenance("command:notice"),
            )
        self.store.save(*chosen)
        return effective

    def record_assignment(
        self: Ledger,
        *,
        occurred_on: date,
        description: str,
        rule_2a6_exempt: bool,
        determination_reference: str,
    ) -> list[str]:
        """An assignment of the Distributor's contract ends the agreement for every class."""
        chosen = [fc for fc in self.fund_classes() if fc.terminated_on is None]
        for fund_class in chosen:
            fund_class.record_assignment(
                occurred_on=occurred_on,
                description=description,
                rule_2a6_exempt=rule_2a6_exempt,
                determination_reference=determination_reference,
                provenance=self.provenance("command:assignment"),
            )
        self.store.save(*chosen)
        return [fund_class.key for fund_class in chosen]

    def change_adviser(
        self: Ledger,
        *,
        company_code: str,
        adviser_name: str,
        effective_on: date,
        affiliated: bool,
        reference: str,
    ) -> list[str]:
        board = self._board_or_open(company_code, effective_on)
        provenance = self.provenance("command:adviser")
        board.change_adviser(adviser_name, effective_on, affiliated, reference, provenance)
        ended = []
        if not affiliated:
            for fund_class in self.fund_classes_of(company_code):
                if fund_class.standing().agreement_in_effect(effective_on):
                    fund_class.end_agreement_for_adviser_change(
                        effective_on, adviser_name, reference, provenance
                    )
                    ended.append(fund_class)
        self.store.save(board, *ended)
        return [fund_class.key for fund_class in ended]

    def record_sales(
        self: Ledger, *, fund_code: str, share_class: str, on: date, suspended: bool, reason: str
    ) -> None:
        fund_class = self.fund_class(fund_code, share_class)
        provenance = self.provenance("command:sales")
        if suspended:
            fund_class.suspend_sales(on, reason, provenance)
        else:
            fund_class.resume_sales(on, reason, provenance)
        self.store.save(fund_class)

    def nominate_independent_director(
        self: Ledger,
        *,
        company_code: str,
        nominee: str,
        nominated_on: date,
        approved_by: list[str],
    ) -> str:
        board = self._board_or_open(company_code, nominated_on)
        outcome = board.nominate_independent_director(
            nominee, nominated_on, approved_by, self.provenance("command:nominate")
        )
        self.store.save(board)
        return outcome

    # ---- the FOURTH reports -----------------------------------------------------------------

    def issue_report(
        self: Ledger,
        *,
        fund_code: str,
        share_class: str,
        quarter: str,
        report_sha256: str,
        issued_on: date,
        issued_by: str,
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        outcome = fund_class.issue_quarterly_report(
            quarter, report_sha256, issued_on, issued_by, self.provenance("command:report issue")
        )
        self.store.save(fund_class)
        # Seal the chain with the report in it: a later rewrite of what the report rests on
        # no longer matches the seal (docs/audit.md §3).
        self.seal(f"quarterly report {fund_class.key} {quarter} sha256:{report_sha256}", issued_on)
        return outcome

    def review_report(
        self: Ledger,
        *,
        fund_code: str,
        share_class: str,
        quarter: str,
        meeting_id: str,
        reviewed_on: date,
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        outcome = fund_class.review_quarterly_report(
            quarter, meeting_id, reviewed_on, self.provenance("command:report review")
        )
        self.store.save(fund_class)
        return outcome

    # ---- the FINRA cap account --------------------------------------------------------------

    def market_data(self: Ledger) -> MarketData | None:
        try:
            return self.load(MARKET_DATA_ID)
        except AggregateNotFoundError:
            return None

    def prime_rate_lookup(self: Ledger) -> Any:
        market_data = self.market_data()
        return market_data.prime_rate_lookup() if market_data else (lambda day: None)

    def set_prime_rate(
        self: Ledger, effective_from: date, rate_annual: Decimal, source: str
    ) -> str:
        provenance = self.provenance("command:finra prime-rate")
        market_data = self.market_data() or MarketData.open(effective_from, provenance)
        outcome = market_data.set_prime_rate(effective_from, rate_annual, source, provenance)
        self.store.save(market_data)
        return outcome

    def open_cap_account(
        self: Ledger,
        *,
        fund_code: str,
        share_class: str,
        as_of: date,
        remaining: Decimal,
        note: str,
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        outcome = fund_class.open_cap_account(
            as_of, remaining, note, self.provenance("command:finra open-account")
        )
        self.store.save(fund_class)
        return outcome

    def import_gross_sales(self: Ledger, path: Path) -> ImportSummary:
        csv_file = read_csv(path, GrossSalesRow)
        fund_classes = self._fund_classes_for(csv_file, csv_file.rows)
        outcomes, violations = [], []
        for numbered in csv_file.rows:
            row = numbered.record
            try:
                outcomes.append(
                    fund_classes[(row.fund, row.share_class)].record_gross_sales(
                        row.date,
                        row.gross_sales,
                        row.reinvested_distributions,
                        row.exchanges,
                        self.provenance(csv_file.source(numbered.row, row.source_reference)),
                    )
                )
            except RuleViolation as violation:
                violations.append(violation_at_row(csv_file.name, numbered.row, violation))
        if violations:
            raise RuleViolations(violations)
        self.store.save(*fund_classes.values())
        return import_summary(csv_file, outcomes)

    def import_sales_charges(self: Ledger, path: Path) -> ImportSummary:
        csv_file = read_csv(path, SalesChargeRow)
        fund_classes = self._fund_classes_for(csv_file, csv_file.rows)
        outcomes, violations = [], []
        for numbered in csv_file.rows:
            row = numbered.record
            try:
                outcomes.append(
                    fund_classes[(row.fund, row.share_class)].record_sales_charge(
                        row.date,
                        row.kind,
                        row.amount,
                        row.reference,
                        self.provenance(csv_file.source(numbered.row)),
                    )
                )
            except RuleViolation as violation:
                violations.append(violation_at_row(csv_file.name, numbered.row, violation))
        if violations:
            raise RuleViolations(violations)
        self.store.save(*fund_classes.values())
        return import_summary(csv_file, outcomes)


def _added_fund_class(resolution: ResolutionRecord, own: dict[str, FundClass]) -> str | None:
    """The key of the fund class an `add_fund` amendment creates (None for other resolutions)."""
    added = resolution.terms.get("add_fund")
    if added is None or not own:
        return None
    share_class = next(iter(own.values())).share_class
    return f"{added['fund_code']}/{share_class}"
