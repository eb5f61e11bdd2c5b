"""The audit commands: verify, seal, log, asof, impact, reverse, db (docs/audit.md). Options
only: each runs a handler of cli/handlers_audit.py."""

from __future__ import annotations

import click

from adapters.cli.params import (
    DATE,
    DAY_COUNT,
    KNOWN_AT,
    LOG_POSITIONS,
    RANGE_START,
    command,
    format_option,
    fund_class_options,
    group,
    known_at_option,
)

A = "adapters.cli.handlers_audit"
DEFAULT_WRITER = "planledger_writer"  # also adapters/store/db_admin.py (a unit test checks)
DEFAULT_AUDITOR = "planledger_auditor"


@command(
    None,
    "verify",
    f"{A}:verify",
    "check the stored events against the hash chain, seals and snapshots",
    "Recompute the hash chain over every stored event, check every seal and every snapshot, "
    "and report with its position any event edited, deleted, inserted or reordered. Exit 1 if "
    "anything is found.",
)
@click.option(
    "--head",
    multiple=True,
    metavar="POSITION:SHA256",
    help="a chain head kept outside the database (e.g. from a bundle's manifest); repeatable",
)
@click.option("--skip-snapshots", is_flag=True, help="do not replay streams to their snapshots")
@click.option(
    "--skip-read-models", is_flag=True, help="do not recompute the read models from the log"
)
@format_option
def verify() -> None: ...


@command(None, "seal", f"{A}:seal", "record the chain's current head as a seal")
@click.option("--reason", required=True, help="why: the subject of the seal")
@click.option("--on", type=DATE, help="business date of the seal (default: today)")
def seal() -> None: ...


@command(
    None,
    "log",
    f"{A}:log",
    "the auditor's log: every event with who, when, why and from which source",
)
@click.option("--fund", help="fund code")
@click.option("--class", "share_class", help="share class")
@click.option("--type", "event_types", multiple=True, metavar="EVENT", help="repeatable")
@click.option("--by", "log_actor", metavar="ACTOR", help="who recorded it")
@click.option("--from", "business_from", type=DATE, help="business date from")
@click.option("--to", "business_to", type=DATE, help="business date to")
@click.option("--as-of", type=DATE, help="business dates on or before")
@click.option(
    "--committed-from",
    type=RANGE_START,
    metavar="TIMESTAMP",
    help="commit time from (a date alone: from its start)",
)
@click.option(
    "--committed-to",
    type=KNOWN_AT,
    metavar="TIMESTAMP",
    help="commit time to (a date alone: to its end)",
)
@click.option(
    "--position",
    "log_positions",
    type=LOG_POSITIONS,
    metavar="N[..M]",
    help="the event at this log position, or those from N to M (both inclusive)",
)
@click.option(
    "--event",
    "event_id",
    metavar="ID",
    help="the event with this id (STREAM:VERSION, as the journal and the Beancount export's "
    "`event` metadata name it)",
)
@click.option(
    "--limit", type=DAY_COUNT, metavar="N", help="the last N events that match (default: all)"
)
@known_at_option
@format_option
def log() -> None: ...


@command(
    None,
    "asof",
    f"{A}:as_of_command",
    "one fund class on a business date, as known at a time: in force and owed",
    "What was in force (plan, agreement, Schedule B rates, fee basis) and owed (accrued, paid, "
    "payable, per part) for one fund class on --as-of, as the ledger knew it at --known-at.",
)
@fund_class_options
@click.option("--as-of", type=DATE, help="business date (default: today)")
@known_at_option
@format_option
def asof() -> None: ...


@command(
    None,
    "impact",
    f"{A}:impact",
    "what the events committed since a time change in issued reports, fees, payments",
)
@click.option(
    "--since",
    type=KNOWN_AT,
    required=True,
    metavar="TIMESTAMP",
    help="the time the ledger is compared with (a date alone: the end of that day, UTC)",
)
@click.option(
    "--max-carry-days",
    type=DAY_COUNT,
    default=4,
    show_default=True,
    help="as for the service-fee caps being recomputed",
)
@known_at_option
@format_option
def impact() -> None: ...


reverse = group(
    "reverse",
    "reverse a payment, service fee or expenditure recorded by mistake",
)
reverse.help = (
    "Record a reversal of a mistaken record, dated on its business date, with the reason. The "
    "reference stays used; record the right figure under a new one."
)

for _what in ("distributor-payment", "service-fee", "expenditure"):

    @command(
        reverse,
        _what,
        f"{A}:reverse",
        f"reverse a {_what.replace('-', ' ')} recorded by mistake",
        reverse_command=_what,
    )
    @fund_class_options
    @click.option("--reference", required=True, help="the mistaken record's reference")
    @click.option("--reason", required=True, help="why it is reversed")
    def _reverse() -> None: ...

    if _what == "service-fee":
        _reverse.params.insert(0, click.Option(["--provider"], required=True, help="provider code"))


db = group("db", "database administration")


@command(
    db,
    "writer-role",
    f"{A}:db_writer_role",
    "(PostgreSQL) the writer of init-roles alone: it may only read and append",
)
@click.argument("role")
def _writer_role() -> None: ...


@command(
    db,
    "init-roles",
    f"{A}:db_init_roles",
    "(PostgreSQL) a writer that may only append and an auditor that may only read",
    "Create (if need be) and grant two roles on the ledger's schema: a writer that reads and "
    "appends the events, their chain, the snapshots and the read models (no UPDATE, DELETE or "
    "TRUNCATE of any of them), and an auditor that only reads. `db writer-role ROLE` grants the "
    "same writer alone. Run as the schema's owner.",
)
@click.option("--writer", default=DEFAULT_WRITER, show_default=True, help="the writer's role name")
@click.option(
    "--auditor", default=DEFAULT_AUDITOR, show_default=True, help="the auditor's role name"
)
def _init_roles() -> None: ...
