"""`planledger serve`: the examiner's workbench, a read-only web view of the ledger
(docs/web.md), and `serve token add|list|revoke`, the tokens it requires beyond this machine.
Options only: each runs a handler of cli/handlers_serve.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from adapters.cli.params import CONTEXT_SETTINGS, _common_params, command, group, runs

S = "adapters.cli.handlers_serve"
TOKENS_HELP = "the tokens file (default: LEDGER.db.web-tokens beside a SQLite ledger)"
_serve_handler = runs(f"{S}:serve")


def _serve(**options: Any) -> int:
    if click.get_current_context().invoked_subcommand is not None:
        return 0
    return _serve_handler(**options)


serve = click.Group(
    "serve",
    callback=_serve,
    invoke_without_command=True,
    params=[
        click.Option(
            ["--host"],
            default="127.0.0.1",
            show_default=True,
            help="the address to listen on; any but this machine's requires a token",
        ),
        click.Option(["--port"], type=click.IntRange(1, 65535), default=8000, show_default=True),
        click.Option(
            ["--tokens", "tokens_path"], type=click.Path(path_type=Path), help=TOKENS_HELP
        ),
        *_common_params(),
    ],
    help=(
        "Serve the examiner's workbench on the ledger at --db, read-only: every page at a "
        "business date and a known-at time (?as_of=D&known_at=T), the log position it resolved "
        "to, JSON for every page (.json). Listens on 127.0.0.1 unless --host says otherwise; "
        "any other address requires a token (`serve token add NAME`)."
    ),
    short_help="the read-only web workbench (pages, JSON)",
    context_settings=CONTEXT_SETTINGS,
)
token = group("token", "the workbench's access tokens (hashed in the tokens file)", serve)


@command(token, "add", f"{S}:token_add", "add a token NAME; its secret is printed once")
@click.argument("name")
@click.option("--tokens", "tokens_path", type=click.Path(path_type=Path), help=TOKENS_HELP)
def _token_add() -> None: ...


@command(token, "list", f"{S}:token_list", "the names of the tokens")
@click.option("--tokens", "tokens_path", type=click.Path(path_type=Path), help=TOKENS_HELP)
def _token_list() -> None: ...


@command(token, "revoke", f"{S}:token_revoke", "remove the token NAME")
@click.argument("name")
@click.option("--tokens", "tokens_path", type=click.Path(path_type=Path), help=TOKENS_HELP)
def _token_revoke() -> None: ...
