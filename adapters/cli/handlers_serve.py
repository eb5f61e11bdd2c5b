"""Handlers of `planledger serve` and its tokens (docs/web.md). The web framework and the
workbench are imported here, when the command runs: no other command loads them."""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path
from typing import TextIO

from adapters.cli.handlers import CommandInputError, Context
from adapters.cli.output import shown
from adapters.store.persistence import shown_url

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tokens_path(context: Context, arguments: argparse.Namespace) -> Path:
    from adapters.web.tokens import default_tokens_path

    given: Path | None = getattr(arguments, "tokens_path", None)
    return given or default_tokens_path(context.database_url)


def serve(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    import uvicorn

    from adapters.web.app import create_app
    from adapters.web.opening import NotReadOnlyError, StaleReadModelsError, open_read_only
    from adapters.web.tokens import TokenCheck, TokenError, read_tokens

    host: str = arguments.host
    tokens = None
    if not is_loopback(host):
        path = _tokens_path(context, arguments)
        try:
            stored = read_tokens(path)
        except TokenError as error:
            raise CommandInputError(str(error)) from None
        if not stored:
            raise CommandInputError(
                f"--host {shown(host)} is reachable from other machines: the workbench then "
                f"requires a token, and {shown(str(path))} holds none; add one with "
                "`planledger serve token add NAME`"
            )
        tokens = TokenCheck(stored)
    try:
        ledger = open_read_only(context.database_url)
    except (NotReadOnlyError, StaleReadModelsError) as error:
        raise CommandInputError(str(error)) from None
    try:
        url = f"http://{host if ':' not in host else f'[{host}]'}:{arguments.port}/"
        out.write(
            f"serving {shown_url(context.database_url)} read-only at {url} "
            f"(log position {ledger.served_position()}); Ctrl-C stops it\n"
        )
        if tokens is not None:
            out.write(
                f"access: a token is required on every request ({len(tokens.tokens)} in "
                f"{_tokens_path(context, arguments)}; HTTP Basic NAME:SECRET, or "
                "Bearer NAME:SECRET)\n"
            )
        out.flush()
        uvicorn.run(create_app(ledger, tokens), host=host, port=arguments.port, log_level="warning")
    finally:
        ledger.close()
    return 0


def token_add(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.web.tokens import TokenError, add_token

    path = _tokens_path(context, arguments)
    try:
        secret = add_token(path, arguments.name)
    except TokenError as error:
        raise CommandInputError(str(error)) from None
    out.write(
        f"token {arguments.name} added to {path} (only its salted scrypt hash is kept)\n"
        f"secret (shown once): {secret}\n"
    )
    return 0


def token_list(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.web.tokens import read_tokens

    for token in read_tokens(_tokens_path(context, arguments)):
        out.write(f"{token.name}\n")
    return 0


def token_revoke(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.web.tokens import revoke_token

    path = _tokens_path(context, arguments)
    if not revoke_token(path, arguments.name):
        raise CommandInputError(f"no token {arguments.name!r} in {path}")
    out.write(f"token {arguments.name} revoked\n")
    return 0
