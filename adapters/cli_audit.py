"""The audit part of the `planledger` command line: verify, seal, the writer role, and the
point-in-time options shared by every read command (docs/audit.md)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from typing import Any

from adapters import commands_audit


def known_at_time(text: str) -> datetime:
    """`2026-11-26T14:05:00Z`, with an offset, naive (UTC), or a date alone (its end, UTC)."""
    cleaned = text.strip()
    try:
        if len(cleaned) == 10:
            return datetime.combine(date.fromisoformat(cleaned), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time (YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], or a date): {text!r}"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def known_at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--known-at",
        type=known_at_time,
        metavar="TIMESTAMP",
        help="answer as the ledger knew it at this time: only events committed by then "
        "(default: now); a date alone means the end of that day, UTC",
    )


def add_audit_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    verify = sub.add_parser(
        "verify",
        parents=[common],
        help="check the stored events against the hash chain, seals and snapshots",
        description="Recompute the hash chain over every stored event, check every seal and "
        "every snapshot, and report with its position any event edited, deleted, inserted or "
        "reordered. Exit 1 if anything is found.",
    )
    verify.add_argument(
        "--head",
        action="append",
        metavar="POSITION:SHA256",
        help="a chain head kept outside the database (e.g. from a bundle's manifest); repeatable",
    )
    verify.add_argument(
        "--skip-snapshots", action="store_true", help="check the chain and seals only"
    )
    verify.set_defaults(handler=commands_audit.verify)

    seal = sub.add_parser(
        "seal", parents=[common], help="record the chain's current head as a seal"
    )
    seal.add_argument("--reason", required=True, help="why: the subject of the seal")
    seal.add_argument("--on", type=_iso_date, help="business date of the seal (default: today)")
    seal.set_defaults(handler=commands_audit.seal)

    db = sub.add_parser("db", parents=[common], help="database administration")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    writer = db_sub.add_parser(
        "writer-role",
        parents=[common],
        help="(PostgreSQL) a role that may only read and append the ledger's events",
    )
    writer.add_argument("role", help="role name (created if it does not exist)")
    writer.set_defaults(handler=commands_audit.db_writer_role)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
