"""Command groups whose commands are loaded only when one of them is run or asked for help.

The root's `--help` lists every command from this registry alone, so it imports no command
module, let alone the ledger: a person asking for help, or mistyping a command, gets the answer
in a blink. A mistyped command is answered with the nearest names (`did you mean ...?`).
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Sequence
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Entry:
    """A command of a group: where it is defined, its one line of help, its section."""

    name: str
    target: str  # "module:attribute" of the click.Command, the module in adapters/cli
    summary: str
    section: str


def nearest(word: str, choices: Sequence[str], limit: int = 3) -> list[str]:
    """The names in `choices` closest to `word`, best first (difflib's ratio, at least 0.6).
    `UnknownFundClassError.naming` (domain/errors.py) asks the same of unknown codes; it is not
    called from here because answering a typo must not load the domain."""
    return difflib.get_close_matches(word, list(choices), n=limit, cutoff=0.6)


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """` Did you mean 'x' or 'y'?`, or nothing when no name is close."""
    close = nearest(word, choices)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(name) for name in close) + "?"


class SuggestingGroup(click.Group):
    """A group that answers a mistyped command with the nearest names."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}.{hint}")
        return super().resolve_command(ctx, args)


class LazyGroup(SuggestingGroup):
    """A group whose commands are imported from `entries` when first needed."""

    def __init__(self, *args: object, entries: Sequence[Entry], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.entries = {entry.name: entry for entry in entries}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.entries)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        module_name, attribute = entry.target.split(":")
        command = getattr(importlib.import_module(f"adapters.cli.{module_name}"), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands by section, each with its line of help, without importing any."""
        sections: dict[str, list[tuple[str, str]]] = {}
        for entry in self.entries.values():
            sections.setdefault(entry.section, []).append((entry.name, entry.summary))
        for section, rows in sections.items():
            with formatter.section(section):
                formatter.write_dl(rows)
