"""The handlers of `planledger reconcile` (cli/cmd_reconcile.py): read the files, call one use
case of application/reconciliation.py, print the outcome."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, TextIO

from adapters.cli.handlers import CommandInputError, Context, known_view, open_ledger
from adapters.cli.output import write_rows
from adapters.cli.reconcile_report import BREAK_COLUMNS
from adapters.inputs.statements import StatementFile
from adapters.readside import reconciliation as reads
from domain.reconciliation.breaks import break_id
from domain.reconciliation.records import StatementKind
from projections.reconciliation import BreakRow

SHORT_ID_HEX = 12


def short_id(key: str) -> str:
    return break_id(key).hex[:SHORT_ID_HEX]


def _today() -> date:
    return date.today()


def _accounts(given: list[str] | None) -> tuple[dict[str, str], str | None]:
    """`--account`: NUMBER=NAME pairs, and at most one NAME for every number not named.

    Raises:
        CommandInputError: a name that is no account, or two defaults.
    """
    from adapters.inputs.statements import check_account

    numbered: dict[str, str] = {}
    defaults: list[str] = []
    for text in given or []:
        number, equals, name = text.rpartition("=")
        try:
            check_account(name)
        except ValueError as error:
            raise CommandInputError(f"--account {text}: {error}") from None
        if equals:
            numbered[number] = name
        else:
            defaults.append(name)
    if len(defaults) > 1:
        raise CommandInputError("--account: give one NAME alone at most (the others NUMBER=NAME)")
    return numbered, defaults[0] if defaults else None


def _statement(kind: StatementKind, arguments: argparse.Namespace) -> StatementFile:
    from adapters.inputs import statements

    accounts, default = _accounts(arguments.accounts)
    if not kind.is_bank and arguments.accounts:
        raise CommandInputError(f"--account is for bank statements, not {kind.value}")
    if (kind is StatementKind.BANK_CSV) != (arguments.mapping is not None):
        raise CommandInputError("--mapping is needed for bank-csv, and only for it")
    if kind is StatementKind.FUND_BOOKS:
        return statements.read_fund_books(arguments.file)
    if kind is StatementKind.DEALER_INVOICE:
        return statements.read_dealer_invoices(arguments.file)
    if kind is StatementKind.BANK_BAI2:
        return statements.read_bai2(arguments.file, accounts, default)
    mapping = statements.read_mapping(arguments.mapping)
    return statements.read_bank_csv(arguments.file, mapping, default)


def import_statement(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.reconciliation import ImportStatement

    kind = StatementKind(arguments.kind)
    statement = _statement(kind, arguments)
    with open_ledger(context) as ledger:
        outcome = ledger.reconciliation.import_statement(ImportStatement(kind, statement))
    what = f"{statement.name} (sha256 {statement.sha256[:16]})"
    if outcome == "unchanged":
        out.write(f"{what} was imported before: nothing written\n")
    else:
        out.write(f"imported {len(statement.lines)} lines of {what} as {kind.value}\n")
    return 0


def run(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.reconciliation import RunReconciliation

    command = RunReconciliation(
        arguments.period, arguments.tolerance, arguments.window, arguments.on or _today()
    )
    with open_ledger(context) as ledger:
        summary = ledger.reconciliation.run(command)
    out.write(
        f"found {summary.matches_found} matches and {summary.breaks_found} breaks; recorded "
        f"{summary.matches_recorded} new matches, opened {summary.breaks_opened} breaks, "
        f"resolved {summary.breaks_resolved}"
        + (f", reopened {summary.breaks_reopened}" if summary.breaks_reopened else "")
        + "\n"
    )
    if not summary.events_written:
        out.write("nothing new: nothing written\n")
    return 0


def breaks(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    as_of = arguments.as_of or _today()
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        rows = reads.breaks(view)
    shown = [
        _break_record(row, as_of)
        for row in sorted(rows.values(), key=lambda row: (row.business_date, row.key))
        if row.business_date <= as_of and (row.is_open or not arguments.only_open)
    ]
    write_rows(out, shown, BREAK_COLUMNS, arguments.format)
    return 0


def _break_record(row: BreakRow, as_of: date) -> dict[str, Any]:
    return {
        "id": short_id(row.key),
        "check": row.check,
        "kind": row.kind,
        "fund_class": row.fund_class,
        "business_date": row.business_date,
        "age_days": row.age_days(as_of),
        "owner": row.owner,
        "status": row.status,
        "ledger_amount": row.ledger_amount,
        "outside_amount": row.outside_amount,
        "difference": row.difference,
        "key": row.key,
        "detail": row.detail,
        "comments": list(row.comments),
        "write_off_amount": row.write_off_amount,
        "write_off_proposed_by": row.write_off_proposed_by,
        "written_off_by": row.written_off_by,
        "resolved_by_event": row.resolved_by_event,
        "reopened": row.reopened,
    }


def _break_key(given: str, rows: dict[str, BreakRow]) -> str:
    """A break by its key, or by its id as `reconcile breaks` shows it.

    Raises:
        CommandInputError: no such break.
    """
    if given in rows:
        return given
    found = [key for key in rows if short_id(key) == given.lower()]
    if not found:
        raise CommandInputError(
            f"no break {given!r}: give its id or key as `planledger reconcile breaks` shows them"
        )
    return found[0]


def work(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.reconciliation import BreakAction

    action = arguments.action
    # The one text each step takes: the owner, the comment, the event, the reason.
    option = {"assign": "owner", "comment": "text", "resolve": "resolving_event"}.get(
        action, "reason"
    )
    text = str(getattr(arguments, option, "") or "")
    with open_ledger(context) as ledger:
        key = _break_key(arguments.break_id, reads.breaks(ledger.view))
        outcome = ledger.reconciliation.work(
            BreakAction(
                key,
                action,
                arguments.on or _today(),
                text,
                note=getattr(arguments, "note", "") or "",
                amount=getattr(arguments, "amount", None),
            )
        )
    out.write(f"break {short_id(key)} ({key}): {action} {outcome}\n")
    return 0


def dealer_terms(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.reconciliation import StateAveraging
    from domain.reconciliation.dealers import AveragingMethod

    fund_class = f"{arguments.fund}/{arguments.share_class}"
    command = StateAveraging(
        arguments.provider,
        fund_class,
        arguments.agreement,
        AveragingMethod(arguments.averaging),
        arguments.document,
        arguments.on or _today(),
    )
    with open_ledger(context) as ledger:
        outcome = ledger.reconciliation.state_averaging(command)
    out.write(
        f"{arguments.provider} on {fund_class}, agreement {arguments.agreement}: "
        f"{arguments.averaging} {outcome}\n"
    )
    return 0


def report(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.reconciliation_report import reconciliation_report
    from adapters.cli import reconcile_report as formats

    as_of = arguments.as_of or _today()
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        found = reconciliation_report(view, arguments.period, as_of)
    writer = {
        "json": formats.report_json,
        "csv": formats.report_csv,
        "html": formats.report_html,
        "table": formats.report_table,
    }[arguments.format]
    text = writer(found)
    if arguments.out is None:
        out.write(text)
        return 0
    from adapters.outputs.atomic_file import written_atomically

    with written_atomically(arguments.out) as temporary:
        temporary.write_text(text, encoding="utf-8")
    out.write(f"written {arguments.out}\n")
    return 0


def remittance(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Each dealer's advice as OUT/remittance-DEALER-PERIOD.pdf and .csv.

    Raises:
        CommandInputError: no such dealer, or nothing for it in the period.
    """
    from adapters.application.reconciliation_report import dealer_lines
    from adapters.outputs.atomic_file import written_atomically
    from adapters.outputs.remittance import file_stem, remittance_csv, remittance_pdf

    period = arguments.period
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        lines = dealer_lines(view, period, dealer=arguments.dealer)
        by_dealer: dict[str, list[Any]] = {}
        for line in lines:
            by_dealer.setdefault(line.dealer, []).append(line)
        if not by_dealer:
            raise CommandInputError(
                f"no dealer agreement{' of ' + arguments.dealer if arguments.dealer else ''} "
                f"covers {period.label()}"
            )
        distributor = {
            dealer: view.fund_class_by_key(found[0].fund_class).distributor_name
            for dealer, found in by_dealer.items()
        }
    for dealer, found in sorted(by_dealer.items()):
        stem = arguments.out / file_stem(dealer, period)
        with written_atomically(stem.with_suffix(".csv")) as temporary:
            temporary.write_text(remittance_csv(found), encoding="utf-8")
        with written_atomically(stem.with_suffix(".pdf")) as temporary:
            temporary.write_bytes(remittance_pdf(found, period, distributor[dealer]))
        lines_text = f"{len(found)} line{'' if len(found) == 1 else 's'}"
        out.write(f"{dealer}: {lines_text}, {stem}.pdf and {stem}.csv\n")
    return 0
