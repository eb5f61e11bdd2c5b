"""One handler per `planledger` command: decide nothing, print the outcome.

Handlers open the ledger, read the command's files with adapters/inputs, call one use case with
one command (application/compose.py builds them) or ask the ledger's view, and render the
result. Errors travel up to `cli.main`, which turns them into messages and exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from adapters.application.compose import Ledger, opened
from adapters.application.summaries import ImportSummary
from adapters.cli.output import Column, shown, write_rows
from adapters.cli.progress import progress_bar
from adapters.inputs.grammar import parse_money, parse_rate
from adapters.readside.view import LedgerView
from adapters.store.chain import format_commit_time, parse_commit_time
from adapters.store.persistence import MissingLedgerError, shown_url
from domain.errors import RuleViolation, RuleViolations
from domain.expenditures import Performer, Purpose
from domain.money import shown_exact
from domain.rates import format_percent
from domain.service import ADVANCED, PAID, AgreementKind

if TYPE_CHECKING:
    from adapters.inputs.csv_files import CsvFile


@dataclass(frozen=True)
class Context:
    database_url: str
    actor: str
    notes: TextIO = sys.stderr  # what is said about an answer, beside it (not in its data)


@contextmanager
def open_ledger(context: Context, *, create: bool = False) -> Iterator[Ledger]:
    """The ledger, with its read models caught up before the command and after it. Only the
    commands that start a ledger (`init`, `plan load`) pass `create`: any other command on a
    missing ledger is bad input (a mistyped `--db`), not a new empty ledger."""
    with opened(context.database_url, context.actor, create=create) as ledger:
        with progress_bar("events caught up") as progress:
            ledger.read_models.catch_up(progress=progress)
        yield ledger
        with progress_bar("events caught up") as progress:
            ledger.read_models.catch_up(progress=progress)


def read_csv_file(path: Path, row_model: str) -> CsvFile[Any]:
    """The CSV file at `path`, each row read by the model of adapters/inputs/csv_files.py
    named `row_model`: pydantic is loaded only by the commands that read a file."""
    from adapters.inputs import csv_files

    return csv_files.read_csv(path, getattr(csv_files, row_model))


class CommandInputError(ValueError):
    """A value on the command line that the use case cannot take."""


def output_file(path: Path) -> Path:
    """`--out` naming a file to write: not a folder, not inside a file.

    Raises:
        CommandInputError: it is not.
    """
    if path.is_dir():
        raise CommandInputError(f"--out {shown(str(path))}: a folder; name the file to write")
    if any(parent.exists() and not parent.is_dir() for parent in path.parents):
        raise CommandInputError(f"--out {shown(str(path))}: a file is in the way of its folder")
    return path


def output_folder(path: Path) -> Path:
    """`--out` naming a folder to write files into (made if need be).

    Raises:
        CommandInputError: it is a file, or inside one.
    """
    if any(part.exists() and not part.is_dir() for part in (path, *path.parents)):
        raise CommandInputError(
            f"--out {shown(str(path))}: a file, not a folder; name the folder for the files"
        )
    return path


def settle_known_at(moment: datetime, latest: datetime) -> datetime:
    """`moment`, unless it lies after `latest` (the later of now and the last commit time):
    the end of that day (a date alone) is then `latest`, and any other time is refused, as
    what the ledger will know then is not yet fixed and the same question (a bundle above
    all) must always give the same answer.

    Raises:
        CommandInputError: a time in the future.
    """
    if moment <= latest:
        return moment
    if moment.time() == time.max and moment.date() == latest.date():
        return latest
    raise CommandInputError(
        f"--known-at {format_commit_time(moment)} is in the future: the ledger cannot say yet "
        "what it will know then"
    )


class ReplicaBehindError(CommandInputError):
    """A --known-at later than a replica has reached: its answer could be short."""


def settle_on_replica(moment: datetime, reached: datetime | None) -> datetime:
    """`moment`, if the replica has reached it (docs/decisions.md S1).
    Unlike the primary, no time after that is rounded down, not even the end of today.

    Raises:
        ReplicaBehindError: `moment` is after what the replica has reached.
    """
    if reached is not None and moment <= reached:
        return moment
    shown_reached = "no time yet" if reached is None else format_commit_time(reached)
    raise ReplicaBehindError(
        f"--known-at {format_commit_time(moment)}: this database is a replica and has reached "
        f"{shown_reached} (the primary's clock); its answer could leave out what the primary "
        "knew by then: ask the primary, or again when the replica has caught up"
    )


def settled_known_at(ledger: Ledger, moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    standby = ledger.store.standby()
    if standby is not None:
        return settle_on_replica(moment, standby.reached)
    latest = datetime.now(UTC)
    head = ledger.store.chain_head()
    if head is not None:  # a writer's clock may run ahead of this one
        latest = max(latest, parse_commit_time(head.committed_at))
    return settle_known_at(moment, latest)


def known_view(ledger: Ledger, arguments: argparse.Namespace, context: Context) -> LedgerView:
    """The ledger as known at `--known-at` (as it is now without it). The log position the
    time resolved to goes to standard error, so the answer can be repeated exactly."""
    moment = settled_known_at(ledger, getattr(arguments, "known_at", None))
    if moment is None:
        return ledger.view
    position = ledger.store.position_known_at(moment)
    models = ledger.read_models
    if min(models.positions().values(), default=0) < position:
        # Events committed since the catch-up at start may be known at `moment` (a time of
        # about now): the read models must hold them before answering for that position.
        models.catch_up()
        applied = min(models.positions().values(), default=0)
        if applied < position:  # a replica, which cannot catch its read models up
            raise ReplicaBehindError(
                f"--known-at {format_commit_time(moment)} is log position {position}, and this "
                f"replica's read models hold the log up to position {applied} only (the "
                "primary catches them up): ask the primary, or again when it has"
            )
    context.notes.write(f"as known at {format_commit_time(moment)}: log position {position}\n")
    return ledger.view.as_known_at(position)


def _amount_or_keyword(text: str, keyword: str) -> Decimal | None:
    try:
        return parse_money(text) if text != keyword else None
    except ValueError as error:
        raise CommandInputError(
            f"--amount: positive, with at most two decimals, or '{keyword}': {error}"
        ) from None


def _restatement_reason(arguments: argparse.Namespace) -> str | None:
    if arguments.restatement and not (arguments.reason or "").strip():
        raise CommandInputError("--restatement needs --reason")
    if arguments.reason and not arguments.restatement:
        raise CommandInputError("--reason is for --restatement")
    return arguments.reason.strip() if arguments.restatement else None


# ---- plan -----------------------------------------------------------------------------------


def init_ledger(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    where = shown_url(context.database_url)
    try:
        with open_ledger(context):
            out.write(f"a ledger is already at {where}: nothing changed\n")
            return 0
    except MissingLedgerError:
        pass
    with open_ledger(context, create=True):
        out.write(f"started an empty ledger at {where}\n")
    return 0


def plan_load(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import LoadPlan
    from adapters.inputs.plan_file import read_plan

    plan = read_plan(arguments.file)  # before opening: a bad plan file starts no ledger
    with open_ledger(context, create=True) as ledger:
        summary = ledger.plans.load_plan(LoadPlan(plan))
    verb = "loaded" if summary.created else "already loaded, nothing changed"
    out.write(
        f"plan {summary.plan_key} (sha256 {summary.document_sha256[:16]}…) {verb}: "
        f"{', '.join(summary.fund_classes)}\n"
    )
    return 0


PLAN_COLUMNS = [
    Column("fund_class", "Fund class"),
    Column("fund_name", "Fund"),
    Column("company", "Company"),
    Column("absc_rate", "ABSC", rate=True),
    Column("service_rate_max", "Service max", rate=True),
    Column("effective_date", "Effective"),
    Column("initial_term_end", "Term ends"),
    Column("document_sha256", "Plan document"),
    Column("plan_type", "Plan type"),
]


def plan_show(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    with open_ledger(context) as ledger:
        rows = []
        view = known_view(ledger, arguments, context)
        for fund_class in view.fund_classes():
            rates = fund_class.rates_on(fund_class.effective_date)
            rows.append(
                {
                    "fund_class": fund_class.key,
                    "fund_name": fund_class.fund_name,
                    "company": fund_class.company_name,
                    "absc_rate": rates.absc_rate_annual,
                    "service_rate_max": rates.service_rate_annual,
                    "effective_date": fund_class.effective_date,
                    "initial_term_end": fund_class.initial_term_end,
                    "document_sha256": fund_class.document_sha256[:16],
                    "plan_type": view.plan_type_of(fund_class),
                }
            )
    write_rows(out, rows, PLAN_COLUMNS, arguments.format)
    return 0


# ---- imports --------------------------------------------------------------------------------


def _report_import(summary: ImportSummary, out: TextIO) -> None:
    out.write(
        f"{shown(summary.file)}: {summary.rows} rows; {summary.recorded} recorded, "
        f"{summary.restated} restated, {summary.unchanged} unchanged\n"
    )


def import_net_assets(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportNetAssets

    reason = _restatement_reason(arguments)
    with open_ledger(context) as ledger:
        command = ImportNetAssets(read_csv_file(arguments.file, "NetAssetsRow"), reason)
        with progress_bar("net assets rows") as progress:
            summary = ledger.figures.import_net_assets(command, progress)
    _report_import(summary, out)
    return 0


def import_positions(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportPositions

    reason = _restatement_reason(arguments)
    with open_ledger(context) as ledger:
        command = ImportPositions(read_csv_file(arguments.file, "PositionRow"), reason)
        with progress_bar("position rows") as progress:
            summary = ledger.figures.import_positions(command, progress)
    _report_import(summary, out)
    return 0


def import_expenditures(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ImportExpenditures

    with open_ledger(context) as ledger:
        command = ImportExpenditures(read_csv_file(arguments.file, "ExpenditureRow"))
        summary = ledger.figures.import_expenditures(command)
    _report_import(summary, out)
    return 0


# ---- accruals -------------------------------------------------------------------------------

ACCRUAL_COLUMNS = [
    Column("fund_class", "Fund class"),
    Column("days_accrued", "Days"),
    Column("first_day", "From"),
    Column("last_day", "Through"),
    Column("true_ups", "True-ups"),
    Column("amount", "Accrued", money=True),
    Column("note", "Note"),
]


def accrue(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import Accrue

    with open_ledger(context) as ledger:
        command = Accrue(arguments.through, arguments.max_carry_days, arguments.fund_classes)
        with progress_bar("days accrued") as progress:
            summaries = ledger.accruals.accrue(command, progress)
    rows = [
        {
            "fund_class": summary.fund_class,
            "days_accrued": summary.days_accrued,
            "first_day": summary.first_day,
            "last_day": summary.last_day,
            "true_ups": summary.true_ups,
            "amount": summary.amount,
            "note": "; ".join(gap.describe() for gap in summary.gaps),
        }
        for summary in summaries
    ]
    write_rows(out, rows, ACCRUAL_COLUMNS, arguments.format)
    refusals = [
        RuleViolation(
            "plan-not-in-effect",
            "ELEVENTH; Rule 12b-1(b)",
            f"{summary.fund_class}: {gap.describe()}; no accrual was made for those days",
        )
        for summary in summaries
        for gap in summary.refusals
    ]
    if refusals:
        # The days in effect were accrued and saved; the lapse is reported as a refusal so that
        # a scheduler running this command notices it (exit code 1).
        raise RuleViolations(refusals)
    return 0


# ---- payments -------------------------------------------------------------------------------


def pay_distributor(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import PayDistributor

    amount = _amount_or_keyword(arguments.amount, "accrued")
    if arguments.advance:
        # Decision A16: a payment ahead of the fee lends fund money to the Distributor, an
        # affiliated person and the fund's principal underwriter. Refused before the ledger is
        # opened: nothing is written.
        raise RuleViolation(
            "payment-ahead-of-fee",
            "SECOND, SIXTH; ICA §17(a)(3) (decision A16)",
            "a Distributor payment may not be an advance: it pays only what the months it "
            "covers accrued and is unpaid (drop --advance and --reason)",
        )
    with open_ledger(context) as ledger:
        command = PayDistributor(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            amount=amount,
            paid_on=arguments.paid_on,
            period=arguments.period,
            reference=arguments.reference,
        )
        outcome, paid, offset = ledger.payments.pay_distributor(command)
    netted = f" (and {offset} offset against the receivable)" if offset else ""
    out.write(
        f"{arguments.fund}/{arguments.share_class} {arguments.period.label()}: payment "
        f"{arguments.reference} of {paid} to the Distributor{netted} {outcome}\n"
    )
    return 0


def pay_refund(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import ReceiveDistributorRefund

    try:
        amount = parse_money(arguments.amount)
    except ValueError as error:
        raise CommandInputError(f"--amount: positive, with at most two decimals: {error}") from None
    with open_ledger(context) as ledger:
        outcome = ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund(
                fund_code=arguments.fund,
                share_class=arguments.share_class,
                amount=amount,
                received_on=arguments.received_on,
                reference=arguments.reference,
                note=(arguments.note or "").strip(),
            )
        )
    out.write(
        f"{arguments.fund}/{arguments.share_class}: refund {arguments.reference} of {amount} "
        f"from the Distributor {outcome}\n"
    )
    return 0


def pay_provider(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import PayProvider

    amount = _amount_or_keyword(arguments.amount, "cap")
    with open_ledger(context) as ledger:
        command = PayProvider(
            provider_code=arguments.provider,
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            period=arguments.period,
            amount=amount,
            paid_on=arguments.paid_on,
            reference=arguments.reference,
            paid_or_advanced=ADVANCED if arguments.advanced else PAID,
            max_carry_days=arguments.max_carry_days,
        )
        outcome, paid, cap = ledger.payments.pay_provider(command)
    out.write(
        f"{arguments.provider} on {arguments.fund}/{arguments.share_class} "
        f"{arguments.period.label()}: service fee {arguments.reference} of {paid} {outcome} "
        f"(cap {cap.cap_amount}, exact {shown_exact(cap.cap_amount_exact)})\n"
    )
    return 0


# ---- providers ------------------------------------------------------------------------------


def provider_agree(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import SignProviderAgreement

    try:
        rate = parse_rate(arguments.rate)
    except ValueError as error:
        raise CommandInputError(f"--rate: {error}") from None
    with open_ledger(context) as ledger:
        command = SignProviderAgreement(
            provider_code=arguments.provider,
            provider_name=arguments.name,
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            reference=arguments.reference,
            kind=AgreementKind(arguments.kind),
            contractual_rate_annual=rate,
            effective_from=arguments.effective_from,
            effective_to=arguments.effective_to,
            agency_capacity_attested=arguments.agency_attested,
            form_reference=arguments.form,
        )
        outcome = ledger.payments.sign_provider_agreement(command)
        unapproved_by = (
            None
            if ledger.payments.form_approved_by(command)
            else ledger.view.fund_class(arguments.fund, arguments.share_class).company_code
        )
    kind = AgreementKind(arguments.kind).label
    out.write(
        shown(
            f'agreement {arguments.reference} ({kind}) on form "{arguments.form}" with '
            f"{arguments.provider} on {arguments.fund}/{arguments.share_class} at "
            f"{format_percent(rate)} {outcome}"
        )
        + "\n"
    )
    if unapproved_by is not None:
        out.write(
            shown(
                f"warning: the board of {unapproved_by} has not approved the form "
                f'"{arguments.form}" as a {kind} for {arguments.fund}/{arguments.share_class} '
                f"by {arguments.effective_from}: no service fee is paid under this agreement for "
                f"a day before it does (Rule 12b-1(b)(2); decision A15)"
            )
            + "\n"
        )
    if not arguments.agency_attested:
        out.write(
            "warning: no attestation that the provider acts in an agency capacity for its "
            "customers (SEVENTH; decision Q5)\n"
        )
    return 0


SERVICE_FEE_COLUMNS = [
    Column("provider", "Provider"),
    Column("fund_class", "Fund class"),
    Column("period", "Period"),
    Column("days_covered", "Days covered"),
    Column("net_assets_average_daily", "Avg daily net assets", money=True),
    Column("cap_amount_exact", "Cap (exact)"),
    Column("cap_amount", "Cap", money=True),
    Column("paid", "Paid", money=True),
]


def service_fee(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    with open_ledger(context) as ledger:
        cap = ledger.view.service_fee_cap(
            arguments.provider,
            arguments.fund,
            arguments.share_class,
            arguments.period,
            max_carry_days=arguments.max_carry_days,
        )
        paid = ledger.view.arrangement(
            arguments.provider, arguments.fund, arguments.share_class
        ).paid_for(arguments.period)
    row = {
        "provider": arguments.provider,
        "fund_class": f"{arguments.fund}/{arguments.share_class}",
        "period": arguments.period.label(),
        "days_covered": cap.days_covered,
        "net_assets_average_daily": cap.net_assets_average_daily,
        "cap_amount_exact": shown_exact(cap.cap_amount_exact),
        "cap_amount": cap.cap_amount,
        "paid": paid,
    }
    write_rows(out, [row], SERVICE_FEE_COLUMNS, arguments.format)
    return 0


# ---- expenditures ---------------------------------------------------------------------------


def record_expenditure(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import RecordExpenditure

    with open_ledger(context) as ledger:
        command = RecordExpenditure(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            incurred_on=arguments.incurred_on,
            period=arguments.period,
            purpose=Purpose(arguments.purpose),
            performer=Performer(arguments.performer),
            performer_name=arguments.performer_name,
            amount=arguments.amount,
            description=arguments.description,
            reference=arguments.reference,
            company_agreement_reference=arguments.company_agreement_reference,
        )
        outcome = ledger.payments.record_expenditure(command)
    out.write(f"expenditure {arguments.reference} of {arguments.amount} {outcome}\n")
    return 0
