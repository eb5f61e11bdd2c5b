"""`planledger completion SHELL`: the script that makes the shell complete planledger's
commands and options (Click's shell completion; README, "Shell completion")."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command(
    "completion",
    short_help="print the shell completion script for bash, zsh or fish",
)
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the completion script for SHELL. Load it once per session with, for bash,
    `eval "$(planledger completion bash)"`, or keep it where the shell reads it at start-up
    (README, "Shell completion")."""
    from adapters.cli.main import cli

    completer = get_completion_class(shell)
    if completer is None:  # every name of SHELLS has one; a guard for a later Click
        raise click.UsageError(f"no completion for {shell}")
    script = completer(cli, {}, "planledger", "_PLANLEDGER_COMPLETE").source()
    click.echo(script)
    return 0
