"""Running one command's handler: the ledger behind it, the retries, the exit code.

Imported only once a command is about to run (not for `--help` or a usage error), as it loads
the ledger. Exit codes: 0 done (or a no-op on an exact retry); 1 refused by a rule (the message
names the rule and the plan clause); 2 bad input (the message names the file, row and field);
3 a bug; 4 every attempt lost a race after part of the command was committed. User errors never
print a traceback. A command that loses a race with another process is re-run from a fresh
load (application/conflicts.py).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import importlib
import os
from collections.abc import Callable
from typing import TextIO, cast

from adapters.application.conflicts import CommandConflict, with_retries
from adapters.cli.handlers import CommandInputError, Context
from adapters.cli.output import TerminalText, shown
from adapters.inputs.errors import InputError
from adapters.store.persistence import (
    COMMITTED_EVENTS,
    DEFAULT_DATABASE_URL,
    DatabaseUrlError,
    WriterRoleError,
    url_secrets,
)
from domain.errors import RuleViolation, RuleViolations, UnknownFundClassError

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_CONFLICT_PARTLY_WRITTEN = 4

USER_ERRORS = (
    RuleViolation,
    RuleViolations,
    InputError,
    UnknownFundClassError,
    DatabaseUrlError,
    CommandInputError,
    WriterRoleError,
)

Handler = Callable[[Context, argparse.Namespace, TextIO], int]


def database_url(arguments: argparse.Namespace) -> str:
    return getattr(arguments, "db", None) or os.environ.get("PLANLEDGER_DB") or DEFAULT_DATABASE_URL


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _guarded(stream: TextIO, url: str) -> TextIO:
    """`stream` behind the last guard: no raw control character, never the password."""
    return cast(TextIO, TerminalText(stream, url_secrets(url)))


def run_handler(target: str, arguments: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the handler named `target` ("module:function") and say how it ended."""
    module_name, attribute = target.split(":")
    handler: Handler = getattr(importlib.import_module(module_name), attribute)
    url = database_url(arguments)
    out, err = _guarded(out, url), _guarded(err, url)
    actor = getattr(arguments, "actor", None) or os.environ.get("PLANLEDGER_ACTOR") or _os_user()
    context = Context(database_url=url, actor=actor, notes=err)
    written_before = COMMITTED_EVENTS.count
    _resume_collection()
    try:
        # A command that loses a race with another process is run again from a fresh load.
        return with_retries(lambda: handler(context, arguments, out), err)
    except CommandConflict as conflict:
        err.write(f"conflict: {conflict}\n")
        return EXIT_CONFLICT_PARTLY_WRITTEN if conflict.events_written else EXIT_REFUSED
    except USER_ERRORS as error:
        return report_error(error, err)
    except BrokenPipeError:
        raise  # the reader went away: cli.main ends quietly
    except Exception as error:  # the last line of defence for the operator
        if refused_as_read_only(error):
            err.write(READ_ONLY_SERVER)
            return EXIT_BAD_INPUT
        if os.environ.get("PLANLEDGER_DEBUG"):
            raise
        err.write(
            f"internal error: {type(error).__name__}: {shown(str(error))}\n"
            "(set PLANLEDGER_DEBUG=1 to see the traceback)\n"
        )
        written = COMMITTED_EVENTS.count - written_before
        if written:
            err.write(f"{written} events were written before the error\n")
        return EXIT_INTERNAL


READ_ONLY_SERVER = (
    "the database refused to write: it is read-only, a replica (a read-only standby) or a "
    "read-only session; nothing was written. Write commands go to the primary server\n"
)
READ_ONLY_TRANSACTION_SQLSTATE = "25006"  # PostgreSQL's read_only_sql_transaction


def refused_as_read_only(error: BaseException) -> bool:
    """Whether `error` is, or was caused by, PostgreSQL refusing a write in a read-only
    transaction: on a standby every transaction is, and nothing can have been written. The
    event library and SQLAlchemy each wrap the driver's error, so the whole chain is read."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if getattr(current, "sqlstate", None) == READ_ONLY_TRANSACTION_SQLSTATE:
            return True
        original = getattr(current, "orig", None)
        pending += [current.__cause__, current.__context__]
        if isinstance(original, BaseException):
            pending.append(original)
    return False


def _resume_collection() -> None:
    """Start-up makes many objects (modules, classes, the event library's and SQLAlchemy's
    tables) and little garbage: the executable loads with the cyclic collector off (cli/main.py),
    here it moves what was loaded out of the collector's sight and turns it back on, so a long
    command (an accrual run, a rebuild) is collected as usual without rescanning start-up."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def report_error(error: Exception, err: TextIO) -> int:
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
