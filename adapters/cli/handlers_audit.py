"""Handlers of the audit commands: verify, seal, log, impact, reverse, asof, the bundle, and
the database's roles."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from adapters.application.commands import (
    ReverseDistributorPayment,
    ReverseExpenditure,
    ReverseServiceFee,
    Seal,
)
from adapters.application.compose import opened
from adapters.cli.handlers import (
    CommandInputError,
    Context,
    known_view,
    open_ledger,
    output_file,
    settled_known_at,
)
from adapters.cli.output import Column, render, shown
from adapters.cli.progress import progress_bar
from adapters.outputs.bundle import export_bundle
from adapters.outputs.impact import Impact, analyse_impact
from adapters.readside.audit_log import LogEntry, LogFilter, UnknownEventTypeError, read_log
from adapters.readside.point_in_time import fund_class_as_of
from adapters.readside.read_model_check import ReadModelCheck, verify_read_models
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from adapters.store.chain import format_commit_time
from adapters.store.db_admin import (
    LedgerTables,
    grant_writer_role,
    init_roles,
    ledger_tables,
    require_postgres,
)
from adapters.store.persistence import DatabaseTarget, open_store, parse_database_url
from adapters.store.verify import ExternalHead, heads_by_position, verify_store
from domain.errors import UnknownFundClassError

EXIT_FOUND = 1


def verify(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    try:
        heads = [ExternalHead.parse(text) for text in arguments.head or []]
        heads_by_position(heads)
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
        models = None
        if not arguments.skip_read_models:
            models = verify_read_models(store, context.database_url)
            result.findings += models.findings
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
    # Beside the answer (standard error), so the answer's lines stay as they were.
    context.notes.write(f"read models checked against the log: {_read_models_checked(models)}\n")
    if result.ok:
        out.write("OK: every stored event matches the chain, the seals and the snapshots\n")
        return 0
    out.write(f"FOUND {len(result.findings)} problem(s):\n")
    for finding in result.findings:
        out.write(f"  {shown(finding.describe())}\n")  # a finding may quote stored text
    return EXIT_FOUND


def _read_models_checked(models: ReadModelCheck | None) -> str:
    if models is None:
        return "skipped"
    if models.skipped:
        return "none stored"
    tracked = ", ".join(f"{name} {position}" for name, position in models.positions.items())
    return f"{models.rows} rows in {models.tables} tables (positions tracked: {tracked})"


def seal(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    reason = (arguments.reason or "").strip()
    if not reason:
        raise CommandInputError("--reason: say why the chain is sealed")
    with open_ledger(context) as ledger:
        sealed = ledger.audit.seal(Seal(reason, arguments.on or date.today()))
    if sealed is None:
        out.write("nothing to seal: the ledger is empty\n")
        return 0
    out.write(
        f"sealed position {sealed.position} sha256:{sealed.head_hash} ({shown(sealed.subject)})\n"
    )
    return 0


def _ledger_tables(context: Context) -> tuple[DatabaseTarget, LedgerTables]:
    target = parse_database_url(context.database_url)
    require_postgres(target)  # before composing, which would start a SQLite ledger
    # The read-model tables must exist before they can be granted: composing makes them.
    with opened(context.database_url, context.actor) as ledger:
        names = [table.name for table in TABLES.values()]
        return target, ledger_tables(target, ledger.store, names, TABLES["tracking"].name)


def db_writer_role(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    target, tables = _ledger_tables(context)
    for statement in grant_writer_role(target, tables, arguments.role):
        out.write(f"{statement};\n")
    out.write(
        f"role {arguments.role} may read and append the ledger's events and read models, and "
        f"nothing more; connect as it with postgresql://{arguments.role}@HOST:PORT/DB?schema=…\n"
    )
    return 0


def db_init_roles(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    target, tables = _ledger_tables(context)
    for statement in init_roles(target, tables, arguments.writer, arguments.auditor):
        out.write(f"{statement};\n")
    out.write(
        f"writer {arguments.writer}: reads, and appends to the events, the chain, the "
        "snapshots and the read models; it may not update, delete or truncate any of them\n"
        f"auditor {arguments.auditor}: reads every table and writes nothing (planledger "
        "verify)\n"
    )
    return 0


LOG_COLUMNS = [
    Column("position", "Position"),
    Column("committed_at", "Committed (UTC)"),
    Column("business_date", "Business date"),
    Column("stream", "Stream"),
    Column("version", "v"),
    Column("event_type", "Event"),
    Column("actor", "Actor"),
    Column("source", "Source"),
    Column("why", "Why"),
]


def _check_log_fund(view: LedgerView, fund: str | None, share_class: str | None) -> None:
    """`--fund` and `--class` name a known fund and class (of the ledger of now: the log
    is filtered, whatever `--known-at`), so a typo is bad input, not an empty log.

    Raises:
        UnknownFundClassError: they do not.
    """
    keys = view.fund_class_keys()
    if fund is not None and share_class is not None:
        view.check_fund_class_keys([f"{fund}/{share_class}"])
    elif fund is not None:
        funds = {key.split("/", 1)[0] for key in keys}
        if fund not in funds:
            raise UnknownFundClassError.naming(f"unknown fund {fund}", fund, funds)
    elif share_class is not None:
        classes = {key.split("/", 1)[1] for key in keys}
        if share_class not in classes:
            raise UnknownFundClassError.naming(
                f"unknown share class {share_class}", share_class, classes
            )


def log(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    chosen = LogFilter(
        fund=arguments.fund,
        share_class=arguments.share_class,
        event_types=arguments.event_types or (),
        actor=arguments.log_actor,
        business_from=arguments.business_from,
        business_to=min(
            [day for day in (arguments.business_to, arguments.as_of) if day], default=None
        ),
        committed_from=arguments.committed_from,
        committed_to=arguments.committed_to,
    )
    with open_ledger(context) as ledger:
        _check_log_fund(ledger.view, arguments.fund, arguments.share_class)
        view = known_view(ledger, arguments, context)
        try:
            entries = list(read_log(view, chosen))
        except UnknownEventTypeError as error:
            raise CommandInputError(str(error)) from None
    if arguments.format == "json":
        out.write(json.dumps([_entry_json(entry) for entry in entries], indent=2) + "\n")
        return 0
    rows = [{column.key: getattr(entry, column.key) for column in LOG_COLUMNS} for entry in entries]
    out.write(render(rows, LOG_COLUMNS, arguments.format))
    return 0


def _entry_json(entry: LogEntry) -> dict[str, Any]:
    record = asdict(entry)
    record["business_date"] = entry.business_date.isoformat() if entry.business_date else None
    return record


def reverse(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    reason = (arguments.reason or "").strip()
    if not reason:
        raise CommandInputError("--reason: say why the record is reversed")
    what = arguments.reverse_command
    with open_ledger(context) as ledger:
        if what == "distributor-payment":
            outcome = ledger.audit.reverse_distributor_payment(
                ReverseDistributorPayment(
                    arguments.fund, arguments.share_class, arguments.reference, reason
                )
            )
        elif what == "expenditure":
            outcome = ledger.audit.reverse_expenditure(
                ReverseExpenditure(
                    arguments.fund, arguments.share_class, arguments.reference, reason
                )
            )
        else:
            outcome = ledger.audit.reverse_service_fee(
                ReverseServiceFee(
                    provider_code=arguments.provider,
                    fund_code=arguments.fund,
                    share_class=arguments.share_class,
                    reference=arguments.reference,
                    reason=reason,
                )
            )
    out.write(
        f"{what} {arguments.reference} of {arguments.fund}/{arguments.share_class} reversed: "
        f"{outcome}\n"
    )
    return 0


def impact(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        found = analyse_impact(view, arguments.since, max_carry_days=arguments.max_carry_days)
    if arguments.format == "json":
        out.write(json.dumps(_impact_json(found), indent=2) + "\n")
        return 0
    out.write(_impact_text(found))
    return 0


def _signed(amount: Decimal | None) -> str:
    return "" if amount is None else f" ({amount:+,.2f})"


def _impact_text(found: Impact) -> str:
    corrections = ", ".join(f"{name} {count}" for name, count in sorted(found.corrections.items()))
    lines = [
        f"{found.events_since} event(s) committed after {format_commit_time(found.since)} "
        f"(log positions {found.since_position + 1}..{found.now_position})"
        + (f"; corrections: {corrections}" if corrections else ""),
    ]
    if found.reports:
        lines.append("Issued quarterly reports that would now come out differently:")
        for report in found.reports:
            lines.append(
                f"  {report.fund_class} {report.quarter}, issued {report.issued_on} "
                f"(sha256 {report.issued_sha256[:16]}…): now sha256 {report.sha256_now[:16]}…"
            )
            lines += [
                f"    {change.path}: {change.before} -> {change.after}{_signed(change.delta)}"
                for change in report.changes
            ] or ["    no figure changes: only the digest of the events it rests on differs"]
    for kind, title in (
        ("service-fee-cap", "Service fees whose cap, or days in effect, now differ:"),
        ("distributor-payment", "Distributor payments whose period's accruals now differ:"),
    ):
        chosen = [amount for amount in found.amounts if amount.kind == kind]
        if chosen:
            lines.append(title)
        for amount in chosen:
            who = f" {amount.provider}" if amount.provider else ""
            lines.append(
                f"  {amount.fund_class}{who} ref {amount.reference} for {amount.period}: "
                f"paid {amount.paid:,.2f}; {amount.note}: then {amount.then:,.2f}, "
                f"now {amount.now:,.2f}{_signed(amount.delta)}"
            )
    if not found.reports and not found.amounts:
        lines.append("No issued report, service fee or payment comes out differently.")
    return "".join(f"{shown(line)}\n" for line in lines)  # each line one line, whatever it quotes


def _impact_json(found: Impact) -> dict[str, Any]:
    return {
        "since": format_commit_time(found.since),
        "since_position": found.since_position,
        "now_position": found.now_position,
        "events_since": found.events_since,
        "corrections": found.corrections,
        "reports": [
            {
                "fund_class": report.fund_class,
                "quarter": report.quarter,
                "issued_on": report.issued_on.isoformat(),
                "issued_sha256": report.issued_sha256,
                "sha256_then": report.sha256_then,
                "sha256_now": report.sha256_now,
                "changes": [
                    {
                        "path": change.path,
                        "before": change.before,
                        "after": change.after,
                        "delta": None if change.delta is None else str(change.delta),
                    }
                    for change in report.changes
                ],
            }
            for report in found.reports
        ],
        "amounts": [
            {
                "kind": amount.kind,
                "fund_class": amount.fund_class,
                "provider": amount.provider,
                "reference": amount.reference,
                "period": amount.period,
                "paid": str(amount.paid),
                "then": str(amount.then),
                "now": str(amount.now),
                "delta": str(amount.delta),
                "note": amount.note,
            }
            for amount in found.amounts
        ],
    }


def export_bundle_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    output_file(arguments.out)
    with open_ledger(context) as ledger:
        known_at = settled_known_at(ledger, arguments.known_at)
        summary = export_bundle(
            ledger.view, arguments.as_of, known_at, arguments.out, progress_bar("events")
        )
    out.write(
        f"{summary.path}: {summary.events} events to position {summary.position}, "
        f"{summary.files} files; chain head sha256:{summary.head_hash}\n"
        f"manifest sha256:{summary.manifest_sha256} (send it apart from the bundle: it "
        "anchors every file)\n"
        f"check it anywhere with: unzip it, then python3 verify_bundle.py\n"
    )
    return 0


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{part} {amount}" for part, amount in value.items())
    if isinstance(value, list):
        return (
            "; ".join(
                f"{report['quarter']} issued {report['issued_on']}"
                + (f", reviewed {report['reviewed_on']}" if report.get("reviewed_on") else "")
                for report in value
            )
            or "none"
        )
    return str(value)


def as_of_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    as_of = arguments.as_of or date.today()
    key = f"{arguments.fund}/{arguments.share_class}"
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        found = fund_class_as_of(view, key, as_of)
    record = {
        "fund_class": found.fund_class,
        "as_of": found.as_of.isoformat(),
        "known_position": found.known_position,
        "plan_in_effect": found.in_effect,
        "authority": found.authority,
        "agreement_in_effect": found.agreement_in_effect,
        "schedule_b": {
            "asset_based_sales_charge": str(found.absc_rate_annual),
            "maximum_service_fee": str(found.service_rate_annual_max),
            "maximum_total": str(found.total_rate_annual_max),
        },
        "fee_basis": {
            "net_assets": None if found.basis_net_assets is None else str(found.basis_net_assets),
            "struck_on": found.basis_date.isoformat() if found.basis_date else None,
        },
        "accrued_through": found.accrued_through.isoformat() if found.accrued_through else None,
        "accrued": {
            "asset_based_sales_charge": str(found.absc_accrued),
            "service_fee": str(found.service_accrued),
            "total": str(found.accrued),
        },
        "paid_to_distributor": {
            "asset_based_sales_charge": str(found.absc_paid),
            "service_fee": str(found.service_paid),
            "total": str(found.paid),
        },
        "payable": str(found.payable),
        "receivable_from_distributor": str(found.receivable),
        "reports": found.reports,
    }
    if arguments.format == "json":
        out.write(json.dumps(record, indent=2, default=str) + "\n")
        return 0
    for name, value in record.items():
        out.write(f"{name.replace('_', ' '):<22} {shown(_shown(value))}\n")
    return 0
