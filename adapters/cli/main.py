"""`planledger`: the command line.

Exit codes: 0 done; 1 refused by a rule (the message names the rule and the plan clause);
2 bad input (the message names the file, row and field). User errors never print a traceback.
A command that loses a race with another process is re-run; if every attempt loses, it exits 1
when nothing was written and 4 when part was (application/conflicts.py).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

from adapters.application.conflicts import CommandConflict, with_retries
from adapters.cli import (
    handlers,
    handlers_audit,
    handlers_governance,
    handlers_reports,
    option_types,
)
from adapters.cli.audit_parser import add_audit_commands, known_at_option
from adapters.cli.output import TerminalText, shown
from adapters.inputs.errors import InputError
from adapters.store.db_admin import WriterRoleError
from adapters.store.persistence import (
    COMMITTED_EVENTS,
    DEFAULT_DATABASE_URL,
    DatabaseUrlError,
    url_secrets,
)
from domain.errors import RuleViolation, RuleViolations, UnknownFundClassError
from projections.rows import PROJECTIONS as PROJECTION_NAMES

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
# Every attempt lost a race after part of the command was committed: run it again to complete.
EXIT_CONFLICT_PARTLY_WRITTEN = 4


# ---- argument types -------------------------------------------------------------------------


# The grammar of adapters/inputs/grammar.py (README, "Data formats"): one for files and options.
iso_date = option_types.iso_date
money = option_types.money
non_negative_money = option_types.non_negative_money
period = option_types.period
positive_int = option_types.day_count


# ---- the parser -----------------------------------------------------------------------------


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help=f"database URL: sqlite:///FILE or postgresql://USER@HOST:PORT/DB[?schema=NAME] "
        f"(default: $PLANLEDGER_DB, else {DEFAULT_DATABASE_URL})",
    )
    common.add_argument(
        "--actor",
        default=argparse.SUPPRESS,
        help="who records what this command writes (default: $PLANLEDGER_ACTOR, else the OS user)",
    )
    return common


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table)",
    )


def _carry_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-carry-days",
        type=positive_int,
        default=4,
        help="longest run of calendar days a figure may be carried without a new one (default: 4)",
    )


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="planledger",
        description="An event-sourced ledger for a Rule 12b-1 distribution plan.",
        parents=[common],
    )
    commands_parser = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_init_command(commands_parser, common)
    _add_plan_commands(commands_parser, common)
    _add_import_commands(commands_parser, common)
    _add_accrue_command(commands_parser, common)
    _add_pay_commands(commands_parser, common)
    _add_provider_commands(commands_parser, common)
    _add_expenditure_commands(commands_parser, common)
    _add_read_commands(commands_parser, common)
    _add_board_commands(commands_parser, common)
    _add_governance_commands(commands_parser, common)
    _add_report_commands(commands_parser, common)
    _add_finra_commands(commands_parser, common)
    add_audit_commands(commands_parser, common)
    return parser


def _add_init_command(sub: Any, common: argparse.ArgumentParser) -> None:
    init = sub.add_parser(
        "init",
        parents=[common],
        help="start an empty ledger at --db (idempotent)",
        description="Start an empty ledger at --db: the SQLite file (and its folder) or the "
        "PostgreSQL schema and tables. Only `init` and `plan load` start a ledger; every other "
        "command on a database that holds none exits 2, so a mistyped --db is caught.",
    )
    init.set_defaults(handler=handlers.init_ledger)


def _add_plan_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    plan = sub.add_parser("plan", help="load and show plan documents", parents=[common])
    plan_sub = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    load = plan_sub.add_parser(
        "load",
        parents=[common],
        help="record a plan file (idempotent)",
        description="Record a plan file and its Schedule A fund classes as events. Loading the "
        "same file again changes nothing.",
    )
    load.add_argument("file", type=Path, help="the plan file (TOML), with its text beside it")
    load.set_defaults(handler=handlers.plan_load)
    show = plan_sub.add_parser("show", parents=[common], help="the fund classes and their terms")
    known_at_option(show)
    _format_option(show)
    show.set_defaults(handler=handlers.plan_show)


def _add_import_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    imports = sub.add_parser("import", help="import CSV files", parents=[common])
    import_sub = imports.add_subparsers(dest="import_command", required=True, metavar="KIND")
    for name, handler, columns in (
        ("net-assets", handlers.import_net_assets, "fund,class,date,net_assets[,source_reference]"),
        (
            "positions",
            handlers.import_positions,
            "provider,fund,class,date,net_assets[,source_reference]",
        ),
    ):
        parser = import_sub.add_parser(
            name,
            parents=[common],
            help=f"daily {name.replace('-', ' ')} ({columns})",
            description=f"Import a CSV with columns {columns}. Every row is checked first; any "
            "problem is reported with its row and field and nothing is written. Re-importing the "
            "same rows writes nothing.",
        )
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--restatement",
            action="store_true",
            help="figures that change recorded ones are restatements",
        )
        parser.add_argument("--reason", help="why (required with --restatement)")
        parser.set_defaults(handler=handler)
    expenditures = import_sub.add_parser(
        "expenditures",
        parents=[common],
        help="FIFTH expenditures by purpose",
        description="Import a CSV with columns fund,class,incurred_on,period,purpose,performer,"
        "performer_name,amount,description,reference[,company_agreement_reference].",
    )
    expenditures.add_argument("file", type=Path)
    expenditures.set_defaults(handler=handlers.import_expenditures)
    gross_sales = import_sub.add_parser(
        "gross-sales",
        parents=[common],
        help="gross sales for the FINRA cap account",
        description="Import a CSV with columns fund,class,date,gross_sales"
        "[,reinvested_distributions,exchanges,source_reference]; new gross sales exclude "
        "reinvested distributions and exchanges.",
    )
    gross_sales.add_argument("file", type=Path)
    gross_sales.set_defaults(handler=handlers_governance.import_gross_sales)
    charges = import_sub.add_parser(
        "sales-charges",
        parents=[common],
        help="front-end and deferred sales charges received",
        description="Import a CSV with columns fund,class,date,kind (front_end|deferred),"
        "amount,reference.",
    )
    charges.add_argument("file", type=Path)
    charges.set_defaults(handler=handlers_governance.import_sales_charges)


def _add_accrue_command(sub: Any, common: argparse.ArgumentParser) -> None:
    accrue = sub.add_parser(
        "accrue",
        parents=[common],
        help="accrue the plan fee for every day in effect",
        description="Accrue every calendar day, for every fund class whose plan is in effect, up "
        "to --through. Running it again through the same date writes nothing.",
    )
    accrue.add_argument("--through", type=iso_date, required=True, help="last day to accrue")
    accrue.add_argument(
        "--fund-class",
        action="append",
        dest="fund_classes",
        metavar="FUND/CLASS",
        help="accrue only this fund class (repeatable; default: every fund class)",
    )
    _carry_option(accrue)
    _format_option(accrue)
    accrue.set_defaults(handler=handlers.accrue)


def _fund_class_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fund", required=True, help="fund code, e.g. INTL-BCV")
    parser.add_argument("--class", dest="share_class", default="R", help="share class (default R)")


def _add_pay_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    pay = sub.add_parser("pay", help="record payments", parents=[common])
    pay_sub = pay.add_subparsers(dest="pay_command", required=True, metavar="PAYEE")
    distributor = pay_sub.add_parser(
        "distributor",
        parents=[common],
        help="a payment of plan fees to the Distributor",
        description="Record a payment to the Distributor for whole calendar months. --amount "
        "accrued pays what those months accrued and is unpaid.",
    )
    _fund_class_options(distributor)
    distributor.add_argument(
        "--period",
        type=period,
        required=True,
        help="months covered: 2003-07, 2003Q3 or 2003-07..2003-09",
    )
    distributor.add_argument("--amount", required=True, help="amount, or 'accrued'")
    distributor.add_argument("--paid-on", type=iso_date, required=True)
    distributor.add_argument(
        "--reference", required=True, help="payment reference (idempotency key)"
    )
    distributor.add_argument(
        "--advance",
        action="store_true",
        help="refused: no payment ahead of the fee (decision A16)",
    )
    distributor.add_argument("--reason", help=argparse.SUPPRESS)
    distributor.set_defaults(handler=handlers.pay_distributor)
    _add_pay_refund_command(pay_sub, common)
    _add_pay_provider_command(pay_sub, common)


def _add_pay_refund_command(pay_sub: Any, common: argparse.ArgumentParser) -> None:
    refund = pay_sub.add_parser(
        "refund",
        parents=[common],
        help="a refund from the Distributor of what it was paid beyond its fee",
        description="Record the Distributor paying back its receivable: what a correction left "
        "it paid beyond the fee (decision A16). At most what it owes; idempotent by reference.",
    )
    _fund_class_options(refund)
    refund.add_argument("--amount", required=True, help="amount received")
    refund.add_argument("--received-on", type=iso_date, required=True)
    refund.add_argument("--reference", required=True, help="refund reference (idempotency key)")
    refund.add_argument("--note", help="what the refund is for")
    refund.set_defaults(handler=handlers.pay_refund)


def _add_pay_provider_command(pay_sub: Any, common: argparse.ArgumentParser) -> None:
    provider = pay_sub.add_parser(
        "provider",
        parents=[common],
        help="a service fee paid to a provider (SEVENTH)",
        description="Record a service fee paid or advanced by the Distributor to a provider. "
        "--amount cap pays what the per-provider cap leaves for the period.",
    )
    provider.add_argument("--provider", required=True)
    _fund_class_options(provider)
    provider.add_argument("--period", type=period, required=True, help="e.g. 2003Q3")
    provider.add_argument("--amount", required=True, help="amount, or 'cap'")
    provider.add_argument("--paid-on", type=iso_date, required=True)
    provider.add_argument("--reference", required=True)
    provider.add_argument(
        "--advanced",
        action="store_true",
        help="advanced by the Distributor before the fund paid it (SIXTH)",
    )
    _carry_option(provider)
    provider.set_defaults(handler=handlers.pay_provider)


def _add_provider_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    provider = sub.add_parser("provider", help="service providers (SEVENTH)", parents=[common])
    provider_sub = provider.add_subparsers(dest="provider_command", required=True, metavar="ACTION")
    agree = provider_sub.add_parser(
        "agree",
        parents=[common],
        help="record an agreement with a provider",
        description="Record a SEVENTH agreement: (A) dealer service agreement, (B) third party, "
        "(C) variable contract, (D) bank trust department.",
    )
    agree.add_argument("--provider", required=True, help="provider code")
    agree.add_argument("--name", required=True, help="provider name")
    agree.add_argument("--kind", choices=("A", "B", "C", "D"), required=True)
    _fund_class_options(agree)
    agree.add_argument("--rate", required=True, help="contractual annual rate, e.g. 0.25%%")
    agree.add_argument("--from", dest="effective_from", type=iso_date, required=True)
    agree.add_argument("--to", dest="effective_to", type=iso_date, help="last day (inclusive)")
    agree.add_argument("--reference", required=True, help="the agreement's reference")
    agree.add_argument(
        "--form",
        required=True,
        help="the form of agreement it is made on (document name and version), as the board "
        "approved it in an agreement_form resolution; fees are paid only under approved forms",
    )
    agree.add_argument(
        "--agency-attested",
        action="store_true",
        help="the provider acts in an agency capacity for its customers",
    )
    agree.set_defaults(handler=handlers.provider_agree)
    fee = sub.add_parser(
        "service-fee",
        parents=[common],
        help="the service-fee cap for a provider and period",
    )
    fee.add_argument("--provider", required=True)
    _fund_class_options(fee)
    fee.add_argument("--period", type=period, required=True)
    _carry_option(fee)
    _format_option(fee)
    fee.set_defaults(handler=handlers.service_fee)


def _add_expenditure_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    expenditure = sub.add_parser("expenditure", help="FIFTH expenditures", parents=[common])
    expenditure_sub = expenditure.add_subparsers(
        dest="expenditure_command", required=True, metavar="ACTION"
    )
    record = expenditure_sub.add_parser("record", parents=[common], help="record one expenditure")
    _fund_class_options(record)
    record.add_argument("--incurred-on", type=iso_date, required=True)
    record.add_argument("--period", type=period, required=True)
    record.add_argument("--purpose", required=True, choices=handlers.PURPOSE_CHOICES)
    record.add_argument("--performer", required=True, choices=handlers.PERFORMER_CHOICES)
    record.add_argument("--performer-name", required=True)
    record.add_argument("--amount", type=money, required=True)
    record.add_argument("--description", required=True)
    record.add_argument("--reference", required=True)
    record.add_argument("--company-agreement-reference", default="")
    record.set_defaults(handler=handlers.record_expenditure)


def _add_read_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The read commands, in the order `--help` lists them."""
    _add_balance_commands(sub, common)
    _add_rebuild_command(sub, common)
    _add_split_command(sub, common)
    _add_export_commands(sub, common)


def _add_balance_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    balances = sub.add_parser(
        "balances",
        parents=[common],
        help="accrued, paid, payable and receivable per fund class and part",
    )
    balances.add_argument("--as-of", type=iso_date, help="business date (default: today)")
    known_at_option(balances)
    _format_option(balances)
    balances.set_defaults(handler=handlers_reports.balances)
    trial = sub.add_parser(
        "trial-balance",
        parents=[common],
        help="every account of the journal; debits = credits",
    )
    trial.add_argument("--as-of", type=iso_date, help="business date (default: today)")
    known_at_option(trial)
    _format_option(trial)
    trial.set_defaults(handler=handlers_reports.trial_balance_command)
    journal = sub.add_parser(
        "journal", parents=[common], help="the double-entry journal, one line per posting"
    )
    journal.add_argument("--period", type=period, help="business dates, e.g. 2003-07 or 2003Q3")
    journal.add_argument("--fund-class", metavar="FUND/CLASS")
    journal.add_argument("--as-of", type=iso_date, help="entries dated on or before this date")
    known_at_option(journal)
    _format_option(journal)
    journal.set_defaults(handler=handlers_reports.journal_command)


def _add_rebuild_command(sub: Any, common: argparse.ArgumentParser) -> None:
    rebuild = sub.add_parser(
        "rebuild",
        parents=[common],
        help="drop and rebuild read models from the whole log",
    )
    rebuild.add_argument("--projection", choices=sorted(PROJECTION_NAMES))

    rebuild.set_defaults(handler=handlers_reports.rebuild)


def _add_split_command(sub: Any, common: argparse.ArgumentParser) -> None:
    split = sub.add_parser(
        "split",
        parents=[common],
        help="the SIXTH split: plan payments, service fees, deemed asset-based sales charge",
    )
    split.add_argument(
        "--period", type=period, required=True, help="e.g. 2003Q3 or 2003-07..2004-06"
    )
    split.add_argument(
        "--by",
        choices=("period", "month", "quarter", "plan-year"),
        default="period",
        help="cut the period (default: one row per class)",
    )
    split.add_argument("--fund-class", metavar="FUND/CLASS")
    split.add_argument(
        "--as-of", type=iso_date, help="only what was paid or accrued on or before this date"
    )
    known_at_option(split)
    _format_option(split)
    split.set_defaults(handler=handlers_reports.split_command)


def _add_export_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    export = sub.add_parser("export", parents=[common], help="export the books")
    export_sub = export.add_subparsers(dest="export_command", required=True, metavar="FORMAT")
    beancount = export_sub.add_parser(
        "beancount", parents=[common], help="the journal as a Beancount ledger (bean-check, Fava)"
    )
    beancount.add_argument("--out", type=Path, required=True)
    beancount.set_defaults(handler=handlers_reports.export_beancount_command)
    bundle = export_sub.add_parser(
        "bundle",
        parents=[common],
        help="the regulator's point-in-time bundle (zip), with its own verifier",
        description="Every event known at --known-at with its hash chain, the plan documents, "
        "the read models and quarterly reports as of --as-of, and a manifest; unzip it and run "
        "`python3 verify_bundle.py`.",
    )
    bundle.add_argument("--as-of", type=iso_date, required=True, help="business date")
    known_at_option(bundle)
    bundle.add_argument("--out", type=Path, required=True, help="the .zip to write")
    bundle.set_defaults(handler=handlers_audit.export_bundle_command)


def _add_board_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    board = sub.add_parser(
        "board", help="directors and meetings of a Company's board", parents=[common]
    )
    board_sub = board.add_subparsers(dest="board_command", required=True, metavar="ACTION")
    directors = board_sub.add_parser(
        "directors",
        parents=[common],
        help="record directors' attested status from a CSV",
        description="Import a CSV with columns company,director,name,effective_from,in_office,"
        "interested,financial_interest,basis,attested_by (flags: true/false).",
    )
    directors.add_argument("file", type=Path)
    directors.set_defaults(handler=handlers_governance.board_directors)
    meeting = board_sub.add_parser(
        "meeting",
        parents=[common],
        help="record a board meeting from its file (TOML)",
        description="Record a meeting: attendance, resolutions and votes; each resolution is "
        "counted under ELEVENTH/TWELFTH and what a passed one decides is carried out. A failed "
        "resolution is recorded as such: the output says FAILED and the command exits 0.",
    )
    meeting.add_argument("file", type=Path)
    meeting.set_defaults(handler=handlers_governance.board_meeting)
    nominate = board_sub.add_parser(
        "nominate", parents=[common], help="nominate an independent director (TWELFTH)"
    )
    nominate.add_argument("--company", required=True)
    nominate.add_argument("--nominee", required=True)
    nominate.add_argument("--on", type=iso_date, required=True)
    nominate.add_argument(
        "--approved-by", required=True, help="comma-separated codes of the directors approving"
    )
    nominate.set_defaults(handler=handlers_governance.board_nominate)
    adviser = board_sub.add_parser(
        "adviser", parents=[common], help="a change of the Company's investment adviser"
    )
    adviser.add_argument("--company", required=True)
    adviser.add_argument("--adviser", required=True)
    adviser.add_argument("--from", dest="effective_from", type=iso_date, required=True)
    adviser.add_argument(
        "--affiliated",
        action=argparse.BooleanOptionalAction,
        required=True,
        help="whether it is the Distributor or an affiliate of it",
    )
    adviser.add_argument("--reference", required=True)
    adviser.set_defaults(handler=handlers_governance.board_adviser)
    _add_relief_commands(board_sub, common)


def _add_relief_commands(board_sub: Any, common: argparse.ArgumentParser) -> None:
    relief = board_sub.add_parser(
        "relief",
        parents=[common],
        help="a relief from the in-person vote the board may rely on (decision A18)",
        description="Record a relief with its source, the matters it covers and its period. "
        "Give --until (its last day) or, when its source says it lasts until withdrawn, "
        "--until-withdrawn quoting that source; record the end later with `relief-end`.",
    )
    relief.add_argument("--company", required=True)
    relief.add_argument("--id", dest="relief_id", required=True, help="what meetings cite")
    relief.add_argument("--name", required=True)
    relief.add_argument("--source", required=True, help="the citation it rests on")
    relief.add_argument(
        "--covers",
        required=True,
        help="comma-separated: renewal, prior-discussion, any-approval",
    )
    relief.add_argument("--from", dest="effective_from", type=iso_date, required=True)
    ending = relief.add_mutually_exclusive_group(required=True)
    ending.add_argument("--until", type=iso_date, help="its last day in force")
    ending.add_argument("--until-withdrawn", metavar="SOURCE", help="the text saying so")
    relief.add_argument("--conditions", required=True)
    relief.set_defaults(handler=handlers_governance.board_relief)
    end = board_sub.add_parser(
        "relief-end",
        parents=[common],
        help="the last day in force of a relief that lasted until withdrawn",
    )
    end.add_argument("--company", required=True)
    end.add_argument("--id", dest="relief_id", required=True)
    end.add_argument("--last-day", type=iso_date, required=True)
    end.add_argument("--source", required=True, help="the notice or statement ending it")
    end.set_defaults(handler=handlers_governance.board_relief_end)


def _add_governance_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The governance commands, in the order `--help` lists them."""
    _add_shareholder_vote_command(sub, common)
    _add_notice_command(sub, common)
    _add_assignment_command(sub, common)
    _add_sales_commands(sub, common)


def _add_shareholder_vote_command(sub: Any, common: argparse.ArgumentParser) -> None:
    vote = sub.add_parser(
        "shareholder-vote",
        parents=[common],
        help=(
            "a vote of the class's shareholders (§2(a)(42)) on an amendment, termination, a new "
            "plan after a lapse, or the addition of its fund to Schedule A"
        ),
        description="Record a vote of the class's shareholders. A vote that fails the "
        "§2(a)(42) test is recorded as such: the output says FAILED and the command exits 0. "
        "The same vote again (same reference, subject, date and figures) changes nothing; its "
        "reference with other figures is refused.",
    )
    _fund_class_options(vote)
    vote.add_argument("--reference", required=True)
    vote.add_argument(
        "--subject",
        choices=("amendment", "termination", "new_plan", "add_fund"),
        required=True,
    )
    vote.add_argument(
        "--amendment",
        help="the amendment's id (with --subject amendment; with --subject add_fund the same "
        "as --resolution)",
    )
    vote.add_argument(
        "--resolution",
        help="the board's plan_approval resolution of the new plan (with --subject new_plan), or "
        "the resolution adding the fund to Schedule A (with --subject add_fund)",
    )
    vote.add_argument("--on", type=iso_date, required=True)
    vote.add_argument("--outstanding", required=True, help="shares outstanding (decimals allowed)")
    vote.add_argument("--present", required=True, help="shares present in person or by proxy")
    vote.add_argument("--for", dest="votes_for", required=True)
    vote.add_argument("--against", default="0")
    vote.add_argument("--abstain", default="0")
    vote.add_argument("--broker-non-votes", default="0")
    vote.set_defaults(handler=handlers_governance.shareholder_vote)


def _add_notice_command(sub: Any, common: argparse.ArgumentParser) -> None:
    notice = sub.add_parser(
        "notice", parents=[common], help="the Distributor's written notice ending the agreement"
    )
    notice.add_argument(
        "--fund-class",
        action="append",
        dest="fund_classes",
        metavar="FUND/CLASS",
        help="repeatable; default every fund class",
    )
    notice.add_argument("--method", choices=("delivered", "mailed"), required=True)
    notice.add_argument("--sent-on", type=iso_date, required=True)
    notice.add_argument("--received-on", type=iso_date)
    notice.add_argument(
        "--terminates-on",
        type=iso_date,
        required=True,
        help="the day the agreement ends (at least 60 days after the notice)",
    )
    notice.add_argument("--document", required=True, help="reference of the written notice")
    notice.set_defaults(handler=handlers_governance.notice)


def _add_assignment_command(sub: Any, common: argparse.ArgumentParser) -> None:
    assignment = sub.add_parser(
        "assignment",
        parents=[common],
        help="an assignment of the Distributor's agreement (§2(a)(4))",
    )
    assignment.add_argument("--on", type=iso_date, required=True)
    assignment.add_argument("--description", required=True)
    assignment.add_argument(
        "--exempt",
        action=argparse.BooleanOptionalAction,
        required=True,
        help="whether counsel found it exempt under Rule 2a-6",
    )
    assignment.add_argument("--reference", required=True, help="counsel's determination")
    assignment.set_defaults(handler=handlers_governance.assignment)


def _add_sales_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    sales = sub.add_parser("sales", parents=[common], help="suspend or resume sales (SIXTH)")
    sales_sub = sales.add_subparsers(dest="sales_command", required=True, metavar="ACTION")
    for action in ("suspend", "resume"):
        parser = sales_sub.add_parser(action, parents=[common])
        _fund_class_options(parser)
        parser.add_argument("--on", type=iso_date, required=True)
        parser.add_argument("--reason", required=True)
        parser.set_defaults(handler=handlers_governance.sales)


def _add_report_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The report commands, in the order `--help` lists them."""
    _add_quarterly_report_commands(sub, common)
    _add_compliance_command(sub, common)


def _add_quarterly_report_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    report = sub.add_parser("report", parents=[common], help="the FOURTH quarterly reports")
    report_sub = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    quarterly = report_sub.add_parser(
        "quarterly",
        parents=[common],
        help="write the FOURTH quarterly report of each class",
        description="Write the quarterly report (amounts expended and their purposes, the SIXTH "
        "split, accruals and payments, the year to date) as JSON, CSV, HTML and PDF.",
    )
    quarterly.add_argument(
        "--quarter",
        type=option_types.quarter,
        help="e.g. 2003Q3 (default: the last quarter ended by --as-of)",
    )
    quarterly.add_argument("--as-of", type=iso_date, help="the report must be of a quarter ended")
    known_at_option(quarterly)
    quarterly.add_argument(
        "--fund-class",
        action="append",
        dest="fund_classes",
        metavar="FUND/CLASS",
        help="repeatable; default every fund class",
    )
    quarterly.add_argument("--out", type=Path, required=True, help="folder for the files")
    quarterly.add_argument("--formats", default="json,csv,html,pdf")
    quarterly.set_defaults(handler=handlers_reports.report_quarterly)
    issue = report_sub.add_parser(
        "issue",
        parents=[common],
        help="record that a quarter's written report was issued",
        description="Record the issue of a quarter's report, identified by the SHA-256 of its "
        "JSON form as the ledger builds it now.",
    )
    _fund_class_options(issue)
    issue.add_argument("--quarter", type=option_types.quarter, required=True)
    issue.add_argument("--on", type=iso_date, required=True)
    issue.add_argument("--issued-by", default="the Distributor")
    issue.set_defaults(handler=handlers_reports.report_issue)
    review = report_sub.add_parser(
        "review", parents=[common], help="record the board's review of a quarter's report"
    )
    _fund_class_options(review)
    review.add_argument("--quarter", type=option_types.quarter, required=True)
    review.add_argument("--meeting", required=True)
    review.add_argument("--on", type=iso_date, required=True)
    review.set_defaults(handler=handlers_governance.report_review)


def _add_compliance_command(sub: Any, common: argparse.ArgumentParser) -> None:
    comply = sub.add_parser(
        "compliance",
        parents=[common],
        help="plan and agreement status, deadlines, caps",
        description="Per fund class on --as-of: plan and agreement status, the next "
        "continuance deadline, quarters not reviewed, pending notices, cap headroom, retention. "
        "Exit 1 when anything is overdue.",
    )
    comply.add_argument("--as-of", type=iso_date, help="business date (default: today)")
    comply.add_argument(
        "--retention",
        action="store_true",
        help="list only the records kept (Rule 12b-1(f): 6 years; journals, ledgers and minutes: "
        "Rule 31a-2(a)(1), permanently), each with its rule and dates",
    )
    known_at_option(comply)
    _format_option(comply)
    comply.set_defaults(handler=handlers_governance.compliance)


def _add_finra_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    finra = sub.add_parser("finra", parents=[common], help="the FINRA aggregate-cap account")
    finra_sub = finra.add_subparsers(dest="finra_command", required=True, metavar="ACTION")
    account = finra_sub.add_parser(
        "open-account", parents=[common], help="start tracking a class's remaining amount"
    )
    _fund_class_options(account)
    account.add_argument("--as-of", type=iso_date, required=True)
    account.add_argument("--remaining", type=non_negative_money, required=True)
    account.add_argument("--note", required=True, help="where the opening figure comes from")
    account.set_defaults(handler=handlers_governance.finra_open_account)
    prime = finra_sub.add_parser("prime-rate", parents=[common], help="a prime rate from a date")
    prime.add_argument("--from", dest="effective_from", type=iso_date, required=True)
    prime.add_argument("--rate", required=True, help="annual, e.g. 4.00%%")
    prime.add_argument("--source", required=True)
    prime.set_defaults(handler=handlers_governance.finra_prime_rate)


# ---- running --------------------------------------------------------------------------------


def _database_url(arguments: argparse.Namespace) -> str:
    return getattr(arguments, "db", None) or os.environ.get("PLANLEDGER_DB") or DEFAULT_DATABASE_URL


def _guarded(stream: TextIO, database_url: str) -> TextIO:
    """`stream` behind the last guard: no raw control character, never the password."""
    return cast(TextIO, TerminalText(stream, url_secrets(database_url)))


def _resolve_context(arguments: argparse.Namespace, err: TextIO) -> handlers.Context:
    database = _database_url(arguments)
    actor = getattr(arguments, "actor", None) or os.environ.get("PLANLEDGER_ACTOR") or _os_user()
    return handlers.Context(database_url=database, actor=actor, notes=err)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _report_error(error: Exception, err: TextIO) -> int:
    # A refusal's own text starts "refused by rule 'NAME' (CLAUSE): ", so it reads once.
    if isinstance(error, RuleViolations):
        for violation in error.violations:
            err.write(f"{shown(str(violation))}\n")
        return EXIT_REFUSED
    if isinstance(error, RuleViolation):
        err.write(f"{shown(str(error))}\n")
        return EXIT_REFUSED
    if isinstance(error, InputError):
        for problem in error.problems:  # a file name or a field may hold any character
            err.write(f"error: {shown(str(problem))}\n")
        err.write(f"{error}\n")
        return EXIT_BAD_INPUT
    err.write(f"error: {shown(str(error))}\n")
    return EXIT_BAD_INPUT


USER_ERRORS = (
    RuleViolation,
    RuleViolations,
    InputError,
    UnknownFundClassError,
    DatabaseUrlError,
    handlers.CommandInputError,
    WriterRoleError,
)


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    handler: Callable[[handlers.Context, argparse.Namespace, TextIO], int] = arguments.handler
    database_url = _database_url(arguments)
    out, err = _guarded(out, database_url), _guarded(err, database_url)
    written_before = COMMITTED_EVENTS.count
    context = _resolve_context(arguments, err)
    try:
        # A command that loses a race with another process is run again from a fresh load.
        return with_retries(lambda: handler(context, arguments, out), err)
    except CommandConflict as conflict:
        err.write(f"conflict: {conflict}\n")
        return EXIT_CONFLICT_PARTLY_WRITTEN if conflict.events_written else EXIT_REFUSED
    except USER_ERRORS as error:
        return _report_error(error, err)
    except Exception as error:  # the last line of defence for the operator
        if os.environ.get("PLANLEDGER_DEBUG"):
            raise
        err.write(
            f"internal error: {type(error).__name__}: {shown(str(error))}\n"
            "(set PLANLEDGER_DEBUG=1 to see the traceback)\n"
        )
        _say_what_was_written(COMMITTED_EVENTS.count - written_before, err)
        return EXIT_INTERNAL


def _say_what_was_written(events: int, err: TextIO) -> None:
    if events:
        err.write(f"{events} events were written before the error\n")
