"""Handlers of the audit commands: verify, seal, and the database's writer role."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TextIO

from adapters.commands import CommandInputError, Context, open_ledger
from adapters.db_admin import grant_writer_role
from adapters.persistence import open_store, parse_database_url
from adapters.progress import progress_bar
from adapters.read_models import ReadModels, read_model_engine
from adapters.verify import ExternalHead, verify_store

EXIT_FOUND = 1


def verify(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    try:
        heads = [ExternalHead.parse(text) for text in arguments.head or []]
    except ValueError as error:
        raise CommandInputError(f"--head: {error}") from None
    store = open_store(context.database_url)
    try:
        result = verify_store(
            store,
            heads,
            check_snapshots=not arguments.skip_snapshots,
            progress=progress_bar("chain"),
        )
    finally:
        store.close()
    head = result.head
    out.write(
        f"events: {result.events}; chain records: {result.chain_records}; "
        f"head: {head.position if head else 0} sha256:{head.hash if head else '-'}\n"
    )
    out.write(
        f"seals checked: {result.seals}; snapshots checked against a replay: "
        f"{'skipped' if arguments.skip_snapshots else result.snapshots}; "
        f"external heads checked: {len(heads)}\n"
    )
    if result.ok:
        out.write("OK: every stored event matches the chain, the seals and the snapshots\n")
        return 0
    out.write(f"FOUND {len(result.findings)} problem(s):\n")
    for finding in result.findings:
        out.write(f"  {finding.describe()}\n")
    return EXIT_FOUND


def seal(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    reason = (arguments.reason or "").strip()
    if not reason:
        raise CommandInputError("--reason: say why the chain is sealed")
    with open_ledger(context) as ledger:
        sealed = ledger.seal(reason, arguments.on or date.today())
    if sealed is None:
        out.write("nothing to seal: the ledger is empty\n")
        return 0
    out.write(f"sealed position {sealed.position} sha256:{sealed.head_hash} ({sealed.subject})\n")
    return 0


def db_writer_role(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    target = parse_database_url(context.database_url)
    store = open_store(context.database_url)
    try:
        # The read-model tables must exist before they can be granted.
        ReadModels(store, read_model_engine(context.database_url)).close()
        statements = grant_writer_role(target, store, arguments.role)
    finally:
        store.close()
    for statement in statements:
        out.write(f"{statement};\n")
    out.write(
        f"role {arguments.role} may read and append the ledger's events, and nothing more; "
        f"connect as it with postgresql://{arguments.role}@HOST:PORT/DB?schema=…\n"
    )
    return 0
