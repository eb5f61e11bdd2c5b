"""The audit part of the `planledger` command line: verify, seal, the database roles, and the
point-in-time options shared by every read command (docs/audit.md)."""

from __future__ import annotations

import argparse
from typing import Any

from adapters.cli import handlers_audit
from adapters.cli.option_types import day_count, known_at_time, range_start
from adapters.cli.option_types import iso_date as _iso_date
from adapters.store.db_admin import DEFAULT_AUDITOR, DEFAULT_WRITER

__all__ = ["add_audit_commands", "known_at_option", "known_at_time", "range_start"]


def known_at_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--known-at",
        type=known_at_time,
        metavar="TIMESTAMP",
        help="answer as the ledger knew it at this time: only events committed by then "
        "(default: now); a date alone means the end of that day, UTC",
    )


def add_audit_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """The audit commands, in the order `--help` lists them."""
    _add_verify_command(sub, common)
    _add_seal_command(sub, common)
    _add_log_command(sub, common)
    _add_asof_command(sub, common)
    _add_impact_command(sub, common)
    _add_reverse_commands(sub, common)
    _add_db_commands(sub, common)


def _add_verify_command(sub: Any, common: argparse.ArgumentParser) -> None:
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
        "--skip-snapshots", action="store_true", help="do not replay streams to their snapshots"
    )
    verify.add_argument(
        "--skip-read-models",
        action="store_true",
        help="do not recompute the read models from the log",
    )
    verify.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table); csv lists the findings",
    )
    verify.set_defaults(handler=handlers_audit.verify)


def _add_seal_command(sub: Any, common: argparse.ArgumentParser) -> None:
    seal = sub.add_parser(
        "seal", parents=[common], help="record the chain's current head as a seal"
    )
    seal.add_argument("--reason", required=True, help="why: the subject of the seal")
    seal.add_argument("--on", type=_iso_date, help="business date of the seal (default: today)")
    seal.set_defaults(handler=handlers_audit.seal)


def _add_log_command(sub: Any, common: argparse.ArgumentParser) -> None:
    log = sub.add_parser(
        "log",
        parents=[common],
        help="the auditor's log: every event with who, when, why and from which source",
    )
    log.add_argument("--fund", help="fund code")
    log.add_argument("--class", dest="share_class", help="share class")
    log.add_argument(
        "--type", dest="event_types", action="append", metavar="EVENT", help="repeatable"
    )
    log.add_argument("--by", dest="log_actor", metavar="ACTOR", help="who recorded it")
    log.add_argument("--from", dest="business_from", type=_iso_date, help="business date from")
    log.add_argument("--to", dest="business_to", type=_iso_date, help="business date to")
    log.add_argument("--as-of", type=_iso_date, help="business dates on or before")
    log.add_argument(
        "--committed-from",
        type=range_start,
        metavar="TIMESTAMP",
        help="commit time from (a date alone: from its start)",
    )
    log.add_argument(
        "--committed-to",
        type=known_at_time,
        metavar="TIMESTAMP",
        help="commit time to (a date alone: to its end)",
    )
    known_at_option(log)
    log.add_argument("--format", choices=("table", "json", "csv"), default="table")
    log.set_defaults(handler=handlers_audit.log)


def _add_asof_command(sub: Any, common: argparse.ArgumentParser) -> None:
    as_of = sub.add_parser(
        "asof",
        parents=[common],
        help="one fund class on a business date, as known at a time: in force and owed",
        description="What was in force (plan, agreement, Schedule B rates, fee basis) and owed "
        "(accrued, paid, payable, per part) for one fund class on --as-of, as the ledger knew "
        "it at --known-at.",
    )
    as_of.add_argument("--fund", required=True, help="fund code")
    as_of.add_argument("--class", dest="share_class", default="R")
    as_of.add_argument("--as-of", type=_iso_date, help="business date (default: today)")
    known_at_option(as_of)
    as_of.add_argument("--format", choices=("table", "json", "csv"), default="table")
    as_of.set_defaults(handler=handlers_audit.as_of_command)


def _add_impact_command(sub: Any, common: argparse.ArgumentParser) -> None:
    impact = sub.add_parser(
        "impact",
        parents=[common],
        help="what the events committed since a time change in issued reports, fees, payments",
    )
    impact.add_argument("--since", type=known_at_time, required=True, metavar="TIMESTAMP")
    impact.add_argument(
        "--max-carry-days",
        type=day_count,
        default=4,
        help="as for the service-fee caps being recomputed (default: 4)",
    )
    known_at_option(impact)
    impact.add_argument("--format", choices=("table", "json", "csv"), default="table")
    impact.set_defaults(handler=handlers_audit.impact)


def _add_reverse_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    reverse = sub.add_parser(
        "reverse",
        parents=[common],
        help="reverse a payment, service fee or expenditure recorded by mistake",
        description="Record a reversal of a mistaken record, dated on its business date, with "
        "the reason. The reference stays used; record the right figure under a new one.",
    )
    reverse_sub = reverse.add_subparsers(dest="reverse_command", required=True, metavar="WHAT")
    for what in ("distributor-payment", "service-fee", "expenditure"):
        parser = reverse_sub.add_parser(what, parents=[common])
        if what == "service-fee":
            parser.add_argument("--provider", required=True)
        parser.add_argument("--fund", required=True, help="fund code")
        parser.add_argument("--class", dest="share_class", default="R")
        parser.add_argument("--reference", required=True, help="the mistaken record's reference")
        parser.add_argument("--reason", required=True)
        parser.set_defaults(handler=handlers_audit.reverse)


def _add_db_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", parents=[common], help="database administration")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    writer = db_sub.add_parser(
        "writer-role",
        parents=[common],
        help="(PostgreSQL) the writer of init-roles alone: it may only read and append",
    )
    writer.add_argument("role", help="role name (created if it does not exist)")
    writer.set_defaults(handler=handlers_audit.db_writer_role)
    roles = db_sub.add_parser(
        "init-roles",
        parents=[common],
        help="(PostgreSQL) a writer that may only append and an auditor that may only read",
        description="Create (if need be) and grant two roles on the ledger's schema: a writer "
        "that reads and appends the events, their chain, the snapshots and the read models "
        "(no UPDATE, DELETE or TRUNCATE of any of them), and an auditor that only reads. "
        "`db writer-role ROLE` grants the same writer alone. Run as the schema's owner.",
    )
    roles.add_argument(
        "--writer", default=DEFAULT_WRITER, help=f"the writer's name (default {DEFAULT_WRITER})"
    )
    roles.add_argument(
        "--auditor",
        default=DEFAULT_AUDITOR,
        help=f"the auditor's name (default {DEFAULT_AUDITOR})",
    )
    roles.set_defaults(handler=handlers_audit.db_init_roles)
