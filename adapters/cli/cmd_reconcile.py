"""The reconciliation commands (docs/reconciliation.md): import a statement, run the checks,
list the breaks, and work them. Options only: each runs a handler of
cli/handlers_reconcile.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from adapters.cli.params import (
    DATE,
    FILE,
    FOLDER_OR_FILE,
    PERIOD,
    GrammarType,
    command,
    format_option,
    fund_class_options,
    group,
    known_at_option,
)

F = TypeVar("F", bound=Callable[..., Any])
H = "adapters.cli.handlers_reconcile"
# The kinds of statement, as domain/reconciliation/records.py names them (a unit test checks).
KINDS = ("fund-books", "bank-bai2", "bank-csv", "dealer-invoice")
# The averaging methods of domain/reconciliation/dealers.py (a unit test checks).
AVERAGING = ("calendar-day-average", "business-day-average", "month-end")
TOLERANCE = GrammarType("amount", "fine_amount")
WINDOW = GrammarType("count", "day_count")

reconcile = group("reconcile", "hold the ledger against the fund's books, the bank and the dealers")


def _on_option(command_options: F) -> F:
    return click.option(
        "--on", type=DATE, help="business date of what is recorded (default: today)"
    )(command_options)


@command(
    reconcile,
    "import",
    f"{H}:import_statement",
    "import a statement: fund books, a bank statement (BAI2 or CSV), dealers' invoices",
    "Import a whole file, or nothing if any row is bad (each bad row named with its field). "
    "The same file again writes nothing. KIND: fund-books (CSV: date, fund, class, accrued, "
    "payable), bank-bai2, bank-csv (with --mapping), dealer-invoice (CSV: dealer, fund, class, "
    "period, amount, invoice).",
)
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=FILE)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="[NUMBER=]NAME",
    help="a bank statement's account: 'distributor' or 'fund:FUND'; NUMBER=NAME names one "
    "account number of the file (repeatable), NAME alone every account not named",
)
@click.option("--mapping", type=FILE, help="bank-csv: the TOML file saying which column holds what")
def _import() -> None: ...


@command(
    reconcile,
    "run",
    f"{H}:run",
    "match the ledger against the imported statements; record matches and breaks",
    "Run every check the imported statements allow (accruals against the fund books, day by "
    "day and month by month; Distributor payments against the bank's lines). Each new match "
    "and break is recorded; an open break no longer found is resolved. The same run again "
    "writes nothing.",
)
@click.option("--period", type=PERIOD, help="only these days (default: every day)")
@click.option(
    "--tolerance",
    type=TOLERANCE,
    default="0.01",
    show_default=True,
    help="the largest difference that still matches, e.g. 0.01",
)
@click.option(
    "--window",
    type=WINDOW,
    default=3,
    show_default=True,
    help="business days a bank line may be from its payment",
)
@_on_option
def _run() -> None: ...


@command(
    reconcile,
    "breaks",
    f"{H}:breaks",
    "every break with its kind, age and owner",
    "The breaks, each with its kind, its age in days at --as-of and its owner, as known at "
    "--known-at.",
)
@click.option("--open", "only_open", is_flag=True, help="only the breaks still open")
@click.option(
    "--as-of", type=DATE, help="business date: breaks about days up to it, aged to it (today)"
)
@known_at_option
@format_option
def _breaks() -> None: ...


def _break_command(name: str, summary: str) -> click.Command:
    @command(reconcile, name, f"{H}:work", summary, action=name)
    @click.argument("break_id", metavar="BREAK")
    @_on_option
    def _work() -> None: ...

    return _work


_assign = _break_command("assign", "give a break an owner")
_assign.params.insert(1, click.Option(["--owner"], required=True, help="who works it"))
_comment = _break_command("comment", "comment on a break")
_comment.params.insert(1, click.Option(["--text"], required=True, help="the comment"))
_resolve = _break_command("resolve", "resolve a break by the event that fixed it")
_resolve.params.insert(
    1,
    click.Option(
        ["--event", "resolving_event"],
        required=True,
        metavar="ID",
        help="the event (STREAM:VERSION, as `log` shows it) of the restatement, reversal or "
        "payment that fixed it",
    ),
)
_resolve.params.insert(2, click.Option(["--note"], default="", help="what was done"))
_write_off = _break_command("write-off", "propose writing a break off (another approves)")
_write_off.params.insert(
    1, click.Option(["--amount"], required=True, type=TOLERANCE, help="the amount written off")
)
_write_off.params.insert(2, click.Option(["--reason"], required=True, help="why"))
_approve = _break_command("approve", "approve a write-off another person proposed")


@command(
    reconcile,
    "dealer-terms",
    f"{H}:dealer_terms",
    "the averaging method a dealer's agreement states for its fee",
    "Record how a dealer's agreement averages its customers' positions for the fee the "
    "three-way check computes: calendar-day-average (the cap's own basis, and the default), "
    "business-day-average (the positions recorded) or month-end (each month's last position, "
    "at a twelfth of the rate). The per-provider cap stays the ceiling whatever the method.",
)
@click.option("--provider", required=True, help="the dealer's provider code")
@fund_class_options
@click.option("--agreement", required=True, help="the agreement's reference")
@click.option(
    "--averaging", required=True, type=click.Choice(AVERAGING), help="the agreement's method"
)
@click.option("--document", required=True, help="where the agreement states it, e.g. §4")
@_on_option
def _dealer_terms() -> None: ...


@command(
    reconcile,
    "report",
    f"{H}:report",
    "a period's reconciliation: matched totals, open breaks, each dealer's three-way status",
    "Matched totals per check (matches, both sides' totals, breaks open, resolved and written "
    "off), the breaks about the period's days still open (age at --as-of, owner), and each "
    "dealer's fund classes with the fee owed under its agreement, the invoice, the cap and "
    "what was paid; as known at --known-at.",
)
@click.option("--period", type=PERIOD, required=True, help="the period, e.g. 2003Q3 or 2003")
@click.option("--as-of", type=DATE, help="business date the open breaks are aged to (today)")
@known_at_option
@click.option(
    "--format",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="a table for people, JSON or CSV for programs, an HTML page to print",
)
@click.option("--out", type=FILE, help="write to this file (default: standard output)")
def _report() -> None: ...


@command(
    reconcile,
    "remittance",
    f"{H}:remittance",
    "a dealer's remittance advice for a period (PDF and CSV)",
    "For each dealer (or --dealer), its fund classes and fee periods in --period: the average "
    "net assets and rate its agreement's fee is computed on, the fee, the per-provider cap, "
    "what it invoiced and what was paid; OUT/remittance-DEALER-PERIOD.pdf and .csv.",
)
@click.option("--dealer", help="this dealer's provider code only (default: every dealer)")
@click.option("--period", type=PERIOD, required=True, help="the period, e.g. 2003Q3 or 2003")
@known_at_option
@click.option("--out", type=FOLDER_OR_FILE, required=True, help="folder for the files")
def _remittance() -> None: ...
