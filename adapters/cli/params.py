"""What the command definitions share: option types, common options, and the one way a command
runs its handler.

Option types wrap the grammar of adapters/inputs/grammar.py (README, "Data formats"), through
cli/option_types.py, so a value on the command line is read as the same value in a file would
be. Handlers keep taking a namespace of the options under their names (`share_class`,
`effective_from`, ...); `runs` builds it and hands the handler to cli/running.py, imported only
then, with the ledger behind it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATABASE_URL = "sqlite:///planledger.db"  # also adapters/store/persistence.py
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass(frozen=True)
class Streams:
    """Where a command writes: its answer, and what is said about it."""

    out: TextIO
    err: TextIO


class ReaderGone(Exception):
    """The reader of the output went away (`planledger log | head -1`). Not an OSError, so
    that Click passes it on to cli.main rather than ending with its own exit code 1."""


class GrammarType(click.ParamType):  # type: ignore[type-arg]  # generic in newer Click
    """A value read by a function of cli/option_types.py, loaded when a value is read (the
    grammar is not needed for `--help`)."""

    def __init__(self, name: str, parser: str) -> None:
        self.name = name
        self._parser = parser

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        from adapters.cli import option_types

        try:
            return getattr(option_types, self._parser)(value)
        except (argparse.ArgumentTypeError, ValueError) as error:
            self.fail(str(error), param, ctx)


DATE = GrammarType("date", "iso_date")
MONEY = GrammarType("amount", "money")
NON_NEGATIVE_MONEY = GrammarType("amount", "non_negative_money")
DAY_COUNT = GrammarType("count", "day_count")
PERIOD = GrammarType("period", "period")
QUARTER = GrammarType("quarter", "quarter")
KNOWN_AT = GrammarType("timestamp", "known_at_time")
RANGE_START = GrammarType("timestamp", "range_start")
LOG_POSITIONS = GrammarType("positions", "log_positions")
FILE = click.Path(dir_okay=False, path_type=Path)
FOLDER_OR_FILE = click.Path(path_type=Path)


def common_options(command: F) -> F:
    """--db and --actor, taken after the command too (`planledger balances --db URL`)."""
    command = click.option(
        "--actor",
        help="who records what this command writes (default: $PLANLEDGER_ACTOR, else the OS user)",
    )(command)
    return click.option(
        "--db",
        metavar="URL",
        help="database: sqlite:///FILE or postgresql://USER@HOST:PORT/DB[?schema=NAME] "
        f"(default: $PLANLEDGER_DB, else {DEFAULT_DATABASE_URL})",
    )(command)


def format_option(command: F) -> F:
    return click.option(
        "--format",
        type=click.Choice(["table", "json", "csv"]),
        default="table",
        show_default=True,
        help="output: a table for people, JSON or CSV for programs (README, Output)",
    )(command)


def known_at_option(command: F) -> F:
    return click.option(
        "--known-at",
        type=KNOWN_AT,
        metavar="TIMESTAMP",
        help="answer as the ledger knew it at this time: only events committed by then "
        "(default: now); a date alone means the end of that day, UTC",
    )(command)


def carry_option(command: F) -> F:
    return click.option(
        "--max-carry-days",
        type=DAY_COUNT,
        default=4,
        show_default=True,
        help="longest run of calendar days a figure may be carried without a new one",
    )(command)


def fund_class_options(command: F) -> F:
    command = click.option("--fund", required=True, help="fund code, e.g. INTL-BCV")(command)
    return click.option(
        "--class", "share_class", default="R", show_default=True, help="share class"
    )(command)


def fund_classes_option(command: F) -> F:
    """--fund-class, repeatable: the handler sees a list, or None for every fund class."""
    return click.option(
        "--fund-class",
        "fund_classes",
        multiple=True,
        metavar="FUND/CLASS",
        help="only this fund class (repeatable; default: every fund class)",
    )(command)


def _root_default(ctx: click.Context, values: dict[str, Any], name: str) -> None:
    """--db and --actor given before the command (`planledger --db URL balances`)."""
    if values.get(name) is None:
        values[name] = ctx.find_root().params.get(name)


def _check_exactly_one(names: tuple[str, ...], values: dict[str, Any]) -> None:
    given = [name for name in names if values.get(name) is not None]
    if len(given) != 1:
        options = " or ".join("--" + name.replace("_", "-") for name in names)
        raise click.UsageError(f"give exactly one of {options}")


def runs(handler: str, exactly_one: tuple[str, ...] = (), **fixed: Any) -> Callable[..., int]:
    """The callback of a command: its options as a namespace, to `handler` ("module:function"),
    with `fixed` names added (the action of a shared handler, e.g. sales suspend/resume)."""

    def callback(**options: Any) -> int:
        ctx = click.get_current_context()
        values = {
            name: (list(value) or None) if isinstance(value, tuple) else value
            for name, value in options.items()
        }
        _root_default(ctx, values, "db")
        _root_default(ctx, values, "actor")
        if exactly_one:
            _check_exactly_one(exactly_one, values)
        streams = ctx.find_object(Streams)
        if streams is None:  # run by Click itself, without cli.main
            import sys

            streams = Streams(sys.stdout, sys.stderr)
        from adapters.cli.running import run_handler

        arguments = argparse.Namespace(**values, **fixed)
        try:
            return run_handler(handler, arguments, streams.out, streams.err)
        except BrokenPipeError:
            raise ReaderGone from None

    return callback


def _common_params() -> list[click.Parameter]:
    """--db and --actor on every command, so they may follow it (`balances --db URL`)."""
    holder = common_options(lambda: None)
    return list(reversed(holder.__click_params__))  # type: ignore[attr-defined]


def command(
    group: click.Group | None,
    name: str,
    handler: str,
    summary: str,
    description: str | None = None,
    *,
    exactly_one: tuple[str, ...] = (),
    **fixed: Any,
) -> Callable[[Callable[..., Any]], click.Command]:
    """Decorate a function holding only options: a command of `group` that runs `handler`
    ("module:function"); `summary` is its line in the group's help, `description` its own."""

    def make(options: Callable[..., Any]) -> click.Command:
        params = list(reversed(getattr(options, "__click_params__", [])))
        built = click.Command(
            name,
            params=params + _common_params(),
            callback=runs(handler, exactly_one, **fixed),
            help=description or summary,
            short_help=summary,
            context_settings=CONTEXT_SETTINGS,
        )
        if group is not None:
            group.add_command(built)
        return built

    return make


def group(name: str, summary: str, parent: click.Group | None = None) -> click.Group:
    """A group of commands (`plan`, `pay`, ...), answering a mistyped action with the nearest."""
    from adapters.cli.lazy import SuggestingGroup

    built = SuggestingGroup(
        name, help=summary, short_help=summary, context_settings=CONTEXT_SETTINGS
    )
    if parent is not None:
        parent.add_command(built)
    return built
