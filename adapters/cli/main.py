"""`planledger`: the command line.

This module stays light: it knows the commands by name (cli/lazy.py) and imports a command's
module only when that command is run or asked for help, and the ledger only when a command
runs (cli/running.py). Exit codes (README, "Exit codes"): 0 done or an exact retry; 1 refused
by a rule; 2 bad input or usage; 3 a bug; 4 a race lost after part was written; 141 the reader
of the output went away (`planledger verify | head -1`), as for a command ended by SIGPIPE.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from typing import Any, TextIO

import click

from adapters.cli.lazy import Entry, LazyGroup
from adapters.cli.params import CONTEXT_SETTINGS, ReaderGone, Streams, common_options

EXIT_BROKEN_PIPE = 141

_RECORD, _READ, _GOVERN, _RECONCILE, _AUDIT, _SHELL = (
    "Record the plan's facts",
    "Read the books",
    "Governance and reports",
    "Reconcile",
    "Audit",
    "Shell",
)

ENTRIES = (
    Entry("init", "cmd_record:init", "start an empty ledger at --db (idempotent)", _RECORD),
    Entry("plan", "cmd_record:plan", "load and show plan documents", _RECORD),
    Entry("import", "cmd_record:imports", "import CSV files", _RECORD),
    Entry("accrue", "cmd_record:accrue", "accrue the plan fee for every day in effect", _RECORD),
    Entry("pay", "cmd_record:pay", "record payments", _RECORD),
    Entry("provider", "cmd_record:provider", "service providers (SEVENTH)", _RECORD),
    Entry(
        "service-fee",
        "cmd_record:service_fee",
        "the service-fee cap for a provider and period",
        _RECORD,
    ),
    Entry("expenditure", "cmd_record:expenditure", "FIFTH expenditures", _RECORD),
    Entry(
        "balances",
        "cmd_read:balances",
        "accrued, paid, payable and receivable per fund class and part",
        _READ,
    ),
    Entry(
        "accruals",
        "cmd_read:accruals",
        "what each fund class accrued per month or day: asset-based sales charge, service fee, "
        "total",
        _READ,
    ),
    Entry(
        "trial-balance",
        "cmd_read:trial_balance",
        "every account of each entity's books; debits = credits in each",
        _READ,
    ),
    Entry("journal", "cmd_read:journal", "the double-entry journal, one line per posting", _READ),
    Entry(
        "split",
        "cmd_read:split",
        "the SIXTH split: plan payments, service fees, deemed asset-based sales charge",
        _READ,
    ),
    Entry("rebuild", "cmd_read:rebuild", "drop and rebuild read models from the whole log", _READ),
    Entry("export", "cmd_read:export", "export the books", _READ),
    Entry("board", "cmd_governance:board", "directors and meetings of a Company's board", _GOVERN),
    Entry(
        "shareholder-vote",
        "cmd_governance:shareholder_vote",
        "a vote of the class's shareholders (§2(a)(42)): amendment, termination, new plan, "
        "fund added",
        _GOVERN,
    ),
    Entry(
        "notice",
        "cmd_governance:notice",
        "the Distributor's written notice ending the agreement",
        _GOVERN,
    ),
    Entry(
        "assignment",
        "cmd_governance:assignment",
        "an assignment of the Distributor's agreement (§2(a)(4))",
        _GOVERN,
    ),
    Entry("sales", "cmd_governance:sales", "suspend or resume sales (SIXTH)", _GOVERN),
    Entry("report", "cmd_governance:report", "the FOURTH quarterly reports", _GOVERN),
    Entry(
        "compliance",
        "cmd_governance:compliance",
        "plan and agreement status, deadlines, caps",
        _GOVERN,
    ),
    Entry("finra", "cmd_governance:finra", "the FINRA aggregate-cap account", _GOVERN),
    Entry(
        "reconcile",
        "cmd_reconcile:reconcile",
        "hold the ledger against the fund's books, the bank and the dealers",
        _RECONCILE,
    ),
    Entry(
        "verify",
        "cmd_audit:verify",
        "check the stored events against the hash chain, seals and snapshots",
        _AUDIT,
    ),
    Entry("seal", "cmd_audit:seal", "record the chain's current head as a seal", _AUDIT),
    Entry(
        "log",
        "cmd_audit:log",
        "the auditor's log: every event with who, when, why and from which source",
        _AUDIT,
    ),
    Entry(
        "asof",
        "cmd_audit:asof",
        "one fund class on a business date, as known at a time: in force and owed",
        _AUDIT,
    ),
    Entry(
        "impact",
        "cmd_audit:impact",
        "what the events committed since a time change in issued reports, fees, payments",
        _AUDIT,
    ),
    Entry(
        "reverse",
        "cmd_audit:reverse",
        "reverse a payment, service fee or expenditure recorded by mistake",
        _AUDIT,
    ),
    Entry("db", "cmd_audit:db", "database administration", _AUDIT),
    Entry("serve", "cmd_serve:serve", "the read-only web workbench (pages, JSON)", _AUDIT),
    Entry(
        "completion",
        "completion:completion",
        "print the shell completion script for bash, zsh or fish",
        _SHELL,
    ),
)


@click.group(
    cls=LazyGroup,
    entries=ENTRIES,
    name="planledger",
    context_settings=CONTEXT_SETTINGS,
    no_args_is_help=True,
)
@common_options
def cli(**_options: Any) -> None:
    """An event-sourced ledger for a Rule 12b-1 distribution plan.

    --db and --actor may be given before the command or after it. Every read command takes
    --format table|json|csv. Run `planledger COMMAND --help` for a command's options.
    """


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line on `argv`; the exit code (README, "Exit codes")."""
    out = out or sys.stdout
    err = err or sys.stderr
    if argv is None:  # the executable: no collection while loading (cli/running.py resumes it)
        gc.disable()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        with redirect_stdout(out), redirect_stderr(err):  # Click's help and usage messages
            result = cli.main(
                args=args, prog_name="planledger", standalone_mode=False, obj=Streams(out, err)
            )
        out.flush()  # here, so that a reader gone is seen here and not at the exit
    except click.ClickException as error:
        error.show(file=err)
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.Abort:
        err.write("aborted\n")
        return 1
    except (ReaderGone, BrokenPipeError):
        return _quiet_after_broken_pipe()
    finally:
        gc.enable()
    return result if isinstance(result, int) else 0


def _quiet_after_broken_pipe() -> int:
    """The reader of the output went away: say nothing more, and let Python's final flush of
    standard output go nowhere instead of failing with a second traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's buffer)
        pass
    return EXIT_BROKEN_PIPE
