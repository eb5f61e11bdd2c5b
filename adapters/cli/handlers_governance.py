"""Handlers of the governance commands: boards, votes, notices, the cap account, compliance."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from adapters.cli.handlers import (
    CommandInputError,
    Context,
    known_view,
    open_ledger,
    read_csv_file,
)
from adapters.cli.output import Column, shown, write_rows
from adapters.inputs.grammar import parse_rate, parse_shares
from adapters.readside.view import LedgerView
from domain.board import RatificationDue, board_id
from domain.governance import NoticeMethod, ReliefScope, ReliefTerms
from domain.ids import fund_class_id, plan_instrument_id, service_arrangement_id
from domain.rates import format_percent
from projections.compliance import DUE, OVERDUE, ComplianceRow, compliance_as_of
from projections.retention import PERMANENT, retained_records

EXIT_REFUSED = 1


def _shares(text: str, option: str) -> Decimal:
    try:
        return parse_shares(text)
    except ValueError as error:
        raise CommandInputError(f"{option}: {error}") from None


def board_directors(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportDirectors

    with open_ledger(context) as ledger:
        command = ImportDirectors(read_csv_file(arguments.file, "DirectorRow"))
        summary = ledger.boards.import_directors(command)
    out.write(
        f"{shown(summary.file)}: {summary.rows} rows; {summary.recorded} recorded, "
        f"{summary.unchanged} unchanged\n"
    )
    return 0


def board_meeting(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordMeeting

    with open_ledger(context) as ledger:
        from adapters.inputs.meeting_file import read_meeting_file

        company_code, meeting = read_meeting_file(arguments.file)
        command = RecordMeeting.read_from(arguments.file.name, company_code, meeting)
        outcomes = ledger.boards.record_meeting(command)
    if outcomes is None:
        name = shown(arguments.file.name)
        out.write(f"{name}: this meeting is already recorded; nothing changed\n")
        return 0
    # A failed resolution is recorded as such: the meeting is done (exit 0), each FAILED.
    for outcome in outcomes:
        tally = outcome.tally
        counts = (
            f"board {tally.board_for}/{tally.board_seated}, Independent Board Members "
            f"{tally.ibm_for}/{tally.ibm_seated}"
        )
        if tally.passed:
            note = (
                "; ratification at the next in-person meeting is required"
                if (tally.ratification_required)
                else ""
            )
            passed = (
                f"resolution {outcome.resolution_id} ({outcome.kind}, "
                f"{', '.join(outcome.fund_classes)}): passed ({counts}){note}"
            )
            out.write(f"{shown(passed)}\n")  # the meeting file's text, on one line
        else:
            failed = (
                f"resolution {outcome.resolution_id} ({outcome.kind}): FAILED ({counts}): "
                f"{'; '.join(tally.reasons)}"
            )
            out.write(f"{shown(failed)}\n")
    return 0


def board_relief(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordRelief

    try:
        scopes = tuple(ReliefScope(part.strip()) for part in arguments.covers.split(","))
    except ValueError:
        names = ", ".join(scope.value for scope in ReliefScope)
        raise CommandInputError(f"--covers: each of {names}") from None
    relief = ReliefTerms(
        relief_id=arguments.relief_id,
        name=arguments.name,
        source=arguments.source,
        scopes=scopes,
        effective_from=arguments.effective_from,
        effective_until=arguments.until,
        until_withdrawn_source=arguments.until_withdrawn or "",
        conditions=arguments.conditions,
    )
    with open_ledger(context) as ledger:
        outcome = ledger.boards.record_relief(RecordRelief(arguments.company, relief))
    out.write(f"{arguments.company}: relief {shown(arguments.relief_id)} {outcome}\n")
    return 0


def board_relief_end(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import EndRelief

    command = EndRelief(
        arguments.company, arguments.relief_id, arguments.last_day, arguments.source
    )
    with open_ledger(context) as ledger:
        outcome = ledger.boards.end_relief(command)
    out.write(
        f"{arguments.company}: relief {shown(arguments.relief_id)} ends after "
        f"{arguments.last_day}: {outcome}\n"
    )
    return 0


def board_nominate(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import NominateIndependentDirector

    with open_ledger(context) as ledger:
        command = NominateIndependentDirector(
            company_code=arguments.company,
            nominee=arguments.nominee,
            nominated_on=arguments.on,
            approved_by=arguments.approved_by.split(","),
        )
        outcome = ledger.boards.nominate_independent_director(command)
    out.write(f"nomination of {arguments.nominee} {outcome}\n")
    return 0


def board_adviser(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ChangeAdviser

    with open_ledger(context) as ledger:
        command = ChangeAdviser(
            company_code=arguments.company,
            adviser_name=arguments.adviser,
            effective_on=arguments.effective_from,
            affiliated=arguments.affiliated,
            reference=arguments.reference,
        )
        ended = ledger.boards.change_adviser(command)
    out.write(
        f"{arguments.company}: adviser {arguments.adviser} from {arguments.effective_from} "
        f"recorded\n"
    )
    for key in ended:
        out.write(
            f"{key}: the agreement with the Distributor ends on {arguments.effective_from} "
            f"(THIRTEENTH (B))\n"
        )
    return 0


def shareholder_vote(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordShareholderVote

    if arguments.subject == "amendment" and not arguments.amendment:
        raise CommandInputError("--subject amendment needs --amendment ID")
    if arguments.subject == "new_plan" and not arguments.resolution:
        raise CommandInputError("--subject new_plan needs --resolution ID")
    if arguments.subject == "add_fund" and not (arguments.resolution or arguments.amendment):
        raise CommandInputError("--subject add_fund needs --resolution ID")
    with open_ledger(context) as ledger:
        command = RecordShareholderVote(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            vote_reference=arguments.reference,
            subject=arguments.subject,
            subject_id=arguments.amendment or arguments.resolution or "termination",
            voted_on=arguments.on,
            outstanding=_shares(arguments.outstanding, "--outstanding"),
            present=_shares(arguments.present, "--present"),
            votes_for=_shares(arguments.votes_for, "--for"),
            votes_against=_shares(arguments.against, "--against"),
            abstentions=_shares(arguments.abstain, "--abstain"),
            broker_non_votes=_shares(arguments.broker_non_votes, "--broker-non-votes"),
        )
        outcome = ledger.fund_governance.tally_shareholder_vote(command)
    verdict = "passed" if outcome.passed else "FAILED"
    vote = f"{arguments.fund}/{arguments.share_class} vote {arguments.reference}"
    if not outcome.recorded:
        out.write(f"{shown(vote)}: already recorded ({verdict}); nothing changed\n")
        return 0
    # A failed vote is recorded as such: the command is done (exit 0), its result FAILED.
    out.write(f"{shown(vote)} on the {arguments.subject}: {verdict} (§2(a)(42))\n")
    return 0


def notice(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import GiveDistributorNotice

    with open_ledger(context) as ledger:
        chosen = arguments.fund_classes or ledger.view.fund_class_keys()
        ledger.view.check_fund_class_keys(chosen)
        command = GiveDistributorNotice(
            fund_classes=chosen,
            method=NoticeMethod(arguments.method),
            sent_on=arguments.sent_on,
            received_on=arguments.received_on,
            termination_effective_on=arguments.terminates_on,
            document_reference=arguments.document,
        )
        outcome = ledger.fund_governance.give_distributor_notice(command)
    if not outcome.recorded_for:
        out.write(f"notice {arguments.document}: already recorded; nothing changed\n")
        return 0
    out.write(
        f"notice {arguments.document}: effective {outcome.effective}; the agreement ends on "
        f"{arguments.terminates_on} for {', '.join(outcome.recorded_for)}\n"
    )
    return 0


def assignment(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordAssignment

    with open_ledger(context) as ledger:
        command = RecordAssignment(
            occurred_on=arguments.on,
            description=arguments.description,
            rule_2a6_exempt=arguments.exempt,
            determination_reference=arguments.reference,
        )
        keys = ledger.fund_governance.record_assignment(command)
    if not keys:
        out.write(f"assignment {arguments.reference}: already recorded; nothing changed\n")
        return 0
    effect = (
        "exempt under Rule 2a-6: the agreement continues"
        if arguments.exempt
        else f"the agreement ends on {arguments.on} (THIRTEENTH (C))"
    )
    out.write(f"assignment {arguments.reference} recorded for {', '.join(keys)}: {effect}\n")
    return 0


def sales(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordSales

    with open_ledger(context) as ledger:
        command = RecordSales(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            on=arguments.on,
            suspended=arguments.sales_command == "suspend",
            reason=arguments.reason,
        )
        ledger.fund_governance.record_sales(command)
    out.write(
        f"{arguments.fund}/{arguments.share_class}: sales {arguments.sales_command}d on "
        f"{arguments.on}; accruals and payments continue (SIXTH)\n"
    )
    return 0


def report_review(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ReviewReport

    with open_ledger(context) as ledger:
        command = ReviewReport(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            quarter=arguments.quarter,
            meeting_id=arguments.meeting,
            reviewed_on=arguments.on,
        )
        outcome = ledger.fund_governance.review_report(command)
    out.write(f"{arguments.fund}/{arguments.share_class} {arguments.quarter} review {outcome}\n")
    return 0


def finra_open_account(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import OpenCapAccount

    with open_ledger(context) as ledger:
        command = OpenCapAccount(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            as_of=arguments.as_of,
            remaining=arguments.remaining,
            note=arguments.note,
        )
        outcome = ledger.fund_governance.open_cap_account(command)
    out.write(
        f"{arguments.fund}/{arguments.share_class}: aggregate-cap account {outcome} with "
        f"{arguments.remaining} remaining at the end of {arguments.as_of}\n"
    )
    return 0


def finra_prime_rate(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import SetPrimeRate

    try:
        rate = parse_rate(arguments.rate)
    except ValueError as error:
        raise CommandInputError(f"--rate: {error}") from None
    with open_ledger(context) as ledger:
        command = SetPrimeRate(arguments.effective_from, rate, arguments.source)
        outcome = ledger.fund_governance.set_prime_rate(command)
    out.write(f"prime rate {format_percent(rate)} from {arguments.effective_from} {outcome}\n")
    return 0


def import_gross_sales(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportGrossSales

    with open_ledger(context) as ledger:
        command = ImportGrossSales(read_csv_file(arguments.file, "GrossSalesRow"))
        summary = ledger.figures.import_gross_sales(command)
    out.write(
        f"{shown(summary.file)}: {summary.rows} rows; {summary.recorded} recorded, "
        f"{summary.unchanged} unchanged\n"
    )
    return 0


def import_sales_charges(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportSalesCharges

    with open_ledger(context) as ledger:
        command = ImportSalesCharges(read_csv_file(arguments.file, "SalesChargeRow"))
        summary = ledger.figures.import_sales_charges(command)
    out.write(
        f"{shown(summary.file)}: {summary.rows} rows; {summary.recorded} recorded, "
        f"{summary.unchanged} unchanged\n"
    )
    return 0


RATIFICATION = "ratification"


def _item_shown(item: dict[str, Any]) -> str:
    """An item in a table or CSV: its text, after OVERDUE when it is (a ratification's text
    says so itself)."""
    overdue = item["status"] == OVERDUE and item["kind"] != RATIFICATION
    return ("OVERDUE " if overdue else "") + str(item["text"])


COMPLIANCE_COLUMNS = [
    Column("fund_class", "Fund class"),
    Column("plan", "Plan"),
    Column("agreement", "Agreement"),
    Column("agreement_ends_on", "Agreement ends", in_table=False),
    Column("next_continuance_due", "Continuance due"),
    Column("unreviewed_quarters", "Reports not reviewed", table_joiner=" "),
    Column("absc_annualised", "ABSC p.a.", rate=True),
    Column("service_annualised", "Service p.a.", rate=True),
    Column("cap_remaining", "Cap remaining", money=True),
    Column("retain_until", "Plan kept until"),
    Column("overdue", "Overdue"),
    Column("items", "Items", item_text=_item_shown),
]


RETENTION_COLUMNS = [
    Column("kind", "Record"),
    Column("subject", "Of"),
    Column("reference", "Reference"),
    Column("dated", "Dated"),
    Column("rule", "Kept under"),
    Column("easily_accessible_until", "Easily accessible until"),
    Column("retain_until", "Retain at least until"),
    Column("status", "Status"),
]


def _retention_streams(view: LedgerView) -> list[tuple[str, Iterator[Any]]]:
    """(subject, events) of every stream that holds a record kept under Rule 12b-1(f) or
    Rule 31a-2(a)(1)."""
    registry = view.registry()
    if registry is None:
        return []
    streams: list[tuple[str, Iterator[Any]]] = [
        ("plan", view.stream(plan_instrument_id(sha)))
        for sha in sorted(set(registry.fund_classes.values()))
    ]
    companies = set()
    for key in sorted(registry.fund_classes):
        streams.append((key, view.stream(fund_class_id(*key.split("/", 1)))))
        companies.add(view.fund_class(*key.split("/", 1)).company_code)
    for provider, keys in sorted(registry.service_arrangements.items()):
        for key in keys:
            stream_id = service_arrangement_id(provider, *key.split("/", 1))
            streams.append((f"{provider} on {key}", view.stream(stream_id)))
    for company in sorted(companies):
        streams.append((f"board of {company}", view.stream(board_id(company))))
    return streams


def retention_rows(view: LedgerView, as_of: date) -> list[dict[str, Any]]:
    """Each record kept, the rule that keeps it, and until when ("permanent" for the journals,
    ledgers and minute books of Rule 31a-2(a)(1))."""
    return [
        {
            "kind": record.kind,
            "subject": record.subject,
            "reference": record.reference,
            "dated": record.dated,
            "rule": record.rule,
            "easily_accessible_until": record.easily_accessible_until,
            "retain_until": PERMANENT if record.retain_until is None else record.retain_until,
            "status": record.status_on(as_of),
        }
        for record in retained_records(_retention_streams(view), as_of)
    ]


def compliance(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    as_of = arguments.as_of or date.today()
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        retention = retention_rows(view, as_of)
        if arguments.retention:
            write_rows(out, retention, RETENTION_COLUMNS, arguments.format)
            return 0
        rows = [
            compliance_as_of(view.stream(fund_class_id(*key.split("/", 1))), as_of)
            for key in view.fund_class_keys()
        ]
        unratified = {
            company: board.ratifications_due()
            for company in sorted({fc.company_code for fc in view.fund_classes()})
            if (board := view.board(company)) is not None
        }
        company_of = {fc.key: fc.company_code for fc in view.fund_classes()}
    records = [
        _compliance_record(row, unratified.get(company_of[row.fund_class], [])) for row in rows
    ]
    write_rows(out, records, COMPLIANCE_COLUMNS, arguments.format)
    if arguments.format == "table":
        out.write(
            "\nRecords kept (Rule 12b-1(f): 6 years; Rules 31a-1(b) and 31a-2(a)(1): "
            "permanently; the first 2 years easily accessible):\n"
        )
        write_rows(out, retention, RETENTION_COLUMNS, "table")
    for company, due in unratified.items():
        if due and arguments.format == "table":
            out.write(
                f"{company}: resolutions awaiting ratification in person: "
                f"{', '.join(_ratification_text(row) for row in due)}\n"
            )
    missed = any(row.missed_on is not None for due in unratified.values() for row in due)
    return EXIT_REFUSED if missed or any(row.overdue for row in rows) else 0


def _compliance_record(row: ComplianceRow, due: list[RatificationDue]) -> dict[str, object]:
    """One class's compliance line, with the resolutions of its Company awaiting ratification in
    person among its items, so every format says why the command exits 1."""
    items = [
        {"kind": item.kind, "date": item.on, "status": item.status, "text": item.text}
        for item in row.items
    ]
    items += [
        {
            "kind": RATIFICATION,
            "date": r.voted_on if r.missed_on is None else r.missed_on,
            "status": OVERDUE if r.missed_on is not None else DUE,
            "text": f"awaiting ratification in person: {_ratification_text(r)}",
        }
        for r in due
    ]
    return {
        "fund_class": row.fund_class,
        "plan": row.plan_status,
        "agreement": row.agreement_status,
        "agreement_ends_on": row.agreement_ends_on,
        "next_continuance_due": row.next_continuance_due,
        "unreviewed_quarters": row.unreviewed_quarters,
        "absc_annualised": _rate(row.absc_annualised),
        "service_annualised": _rate(row.service_annualised),
        "cap_remaining": row.cap_remaining,
        "retain_until": row.retain_until,
        "overdue": row.overdue or any(r.missed_on is not None for r in due),
        "items": items,
    }


def _ratification_text(row: RatificationDue) -> str:
    """A resolution passed under a relief, and whether the next in-person meeting passed."""
    text = f"{row.resolution_id} (voted {row.voted_on} under relief {row.relief})"
    if row.missed_on is not None:
        text += f" OVERDUE: the in-person meeting of {row.missed_on} did not ratify it"
    return shown(text)


def _rate(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else rate.quantize(Decimal("0.000001"))
