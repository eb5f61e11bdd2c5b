"""Handlers of the audit commands: verify, seal, log, impact, reverse, asof, the bundle, and
the database's roles."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from adapters.application.compose import opened
from adapters.cli.handlers import (
    CommandInputError,
    Context,
    known_view,
    open_ledger,
    output_file,
    settled_known_at,
)
from adapters.cli.output import Column, render, shown, write_rows
from adapters.cli.progress import progress_bar
from adapters.outputs.bundle import export_bundle
from adapters.outputs.contract import impact_record, log_entry_record, point_in_time_record
from adapters.outputs.impact import Impact, analyse_impact
from adapters.readside.audit_log import (
    LogEntry,
    LogFilter,
    UnknownEventTypeError,
    event_position,
    last_entries,
    read_log,
)
from adapters.readside.point_in_time import fund_class_as_of
from adapters.readside.read_model_check import ReadModelCheck, verify_read_models
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from adapters.store.chain import format_commit_time
from adapters.store.persistence import DatabaseTarget, open_store, parse_database_url
from adapters.store.verify import ExternalHead, Verification, heads_by_position, verify_store
from domain.errors import UnknownFundClassError
from domain.money import format_money
from domain.rates import format_percent

if TYPE_CHECKING:
    from adapters.store.db_admin import LedgerTables

EXIT_FOUND = 1


def verify(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    try:
        heads = [ExternalHead.parse(text) for text in arguments.head or []]
        heads_by_position(heads)
    except ValueError as error:
        raise CommandInputError(f"--head: {error}") from None
    store = open_store(context.database_url)
    try:
        with progress_bar("verifying") as progress:
            result = verify_store(
                store, heads, check_snapshots=not arguments.skip_snapshots, progress=progress
            )
        models = None
        if not arguments.skip_read_models:
            models = verify_read_models(store, context.database_url)
            result.findings += models.findings
    finally:
        store.close()
    # Beside the answer (standard error), so the answer's lines stay as they were.
    context.notes.write(f"read models checked against the log: {_read_models_checked(models)}\n")
    if arguments.format != "table":
        _write_verification(result, arguments, len(heads), out)
        return 0 if result.ok else EXIT_FOUND
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
    if result.report_files:
        out.write(f"issued report files checked against their SHA-256: {result.report_files}\n")
    if result.ok:
        out.write("OK: every stored event matches the chain, the seals and the snapshots\n")
        return 0
    out.write(f"FOUND {len(result.findings)} problem(s):\n")
    for finding in result.findings:
        out.write(f"  {shown(finding.describe())}\n")  # a finding may quote stored text
    return EXIT_FOUND


FINDING_COLUMNS = [
    Column("kind", "Kind"),
    Column("position", "Position"),
    Column("stream", "Stream"),
    Column("version", "Version"),
    Column("detail", "Detail"),
]


def _write_verification(
    result: Verification, arguments: argparse.Namespace, heads: int, out: TextIO
) -> None:
    """The verification as JSON (the counts, and each finding with its fields), or as CSV (one
    row per finding, under a header even when there is none)."""
    findings = [asdict(finding) for finding in result.findings]
    if arguments.format == "csv":
        out.write(render(findings, FINDING_COLUMNS, "csv"))
        return
    head = result.head
    record = {
        "ok": result.ok,
        "events": result.events,
        "chain_records": result.chain_records,
        "head": {"position": head.position, "sha256": head.hash} if head else None,
        "seals_checked": result.seals,
        "snapshots_checked": None if arguments.skip_snapshots else result.snapshots,
        "external_heads_checked": heads,
        "report_files_checked": result.report_files,
        "findings": findings,
    }
    out.write(json.dumps(record, indent=2) + "\n")


def _read_models_checked(models: ReadModelCheck | None) -> str:
    if models is None:
        return "skipped"
    if models.skipped:
        return "none stored"
    tracked = ", ".join(f"{name} {position}" for name, position in models.positions.items())
    return f"{models.rows} rows in {models.tables} tables (positions tracked: {tracked})"


def seal(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import Seal

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
    from adapters.store.db_admin import ledger_tables, require_postgres  # psycopg: PostgreSQL only

    target = parse_database_url(context.database_url)
    require_postgres(target)  # before composing, which would start a SQLite ledger
    # The read-model tables must exist before they can be granted: composing makes them.
    with opened(context.database_url, context.actor) as ledger:
        names = [table.name for table in TABLES.values()]
        return target, ledger_tables(target, ledger.store, names, TABLES["tracking"].name)


def db_writer_role(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.store.db_admin import grant_writer_role

    target, tables = _ledger_tables(context)
    for statement in grant_writer_role(target, tables, arguments.role):
        out.write(f"{statement};\n")
    out.write(
        f"role {arguments.role} may read and append the ledger's events and read models, and "
        f"nothing more; connect as it with postgresql://{arguments.role}@HOST:PORT/DB?schema=…\n"
    )
    return 0


def db_init_roles(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.store.db_admin import init_roles

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


# `log --format csv`: the table's columns, then the keys a reconciliation joins on, then every
# field of the event as one JSON object (the same contract as `--format json`).
LOG_CSV_COLUMNS = [
    *LOG_COLUMNS,
    Column("event_id", "Event id"),
    Column("recorded_at", "Recorded at"),
    Column("fund", "Fund"),
    Column("class", "Class"),
    Column("provider", "Provider"),
    Column("amount", "Amount"),
    Column("reference", "Reference"),
    Column("reverses_event_id", "Reverses event"),
    Column("reverses_position", "Reverses position"),
    Column("idempotency_key", "Idempotency key"),
    Column("fields", "Fields (JSON)"),
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


def _log_filter(arguments: argparse.Namespace) -> LogFilter:
    positions = getattr(arguments, "log_positions", None)
    return LogFilter(
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
        first_position=positions[0] if positions else None,
        last_position=positions[1] if positions else None,
    )


def _one_event(view: LedgerView, chosen: LogFilter, event_id: str) -> LogFilter:
    """The filter narrowed to the position of the event `--event` names."""
    position = event_position(view, event_id)
    if position is None:
        raise CommandInputError(f"--event: no event {event_id!r} in the log")
    first = max(position, chosen.first_position or position)
    last = min(position, chosen.last_position or position)
    return replace(chosen, first_position=first, last_position=last)


def log(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    chosen = _log_filter(arguments)
    event_id = getattr(arguments, "event_id", None)
    with open_ledger(context) as ledger:
        _check_log_fund(ledger.view, arguments.fund, arguments.share_class)
        view = known_view(ledger, arguments, context)
        if event_id is not None:
            chosen = _one_event(view, chosen, event_id)
        limit = getattr(arguments, "limit", None)
        try:
            entries = (
                list(read_log(view, chosen)) if limit is None else last_entries(view, chosen, limit)
            )
        except UnknownEventTypeError as error:
            raise CommandInputError(str(error)) from None
    positions = getattr(arguments, "log_positions", None)
    if positions and not entries:
        first, last = positions
        where = f"at log position {first}" if first == last else f"at log positions {first}..{last}"
        raise CommandInputError(f"--position: no event {where} (that the other options accept)")
    if event_id is not None and not entries:
        raise CommandInputError(f"--event: event {event_id!r} is not one the other options accept")
    if arguments.format == "json":
        out.write(json.dumps([log_entry_record(entry) for entry in entries], indent=2) + "\n")
        return 0
    if arguments.format == "csv":
        rows = [_entry_csv(entry) for entry in entries]
        out.write(render(rows, LOG_CSV_COLUMNS, "csv"))
        return 0
    rows = [{column.key: getattr(entry, column.key) for column in LOG_COLUMNS} for entry in entries]
    write_rows(out, rows, LOG_COLUMNS, arguments.format)
    return 0


def _entry_csv(entry: LogEntry) -> dict[str, Any]:
    record = log_entry_record(entry)
    record["fields"] = json.dumps(entry.fields, sort_keys=True)
    return record


def reverse(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    from adapters.application.commands import (
        ReverseDistributorPayment,
        ReverseExpenditure,
        ReverseServiceFee,
    )

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
        out.write(json.dumps(impact_record(found), indent=2) + "\n")
    elif arguments.format == "csv":
        out.write(render(_impact_rows(found), IMPACT_COLUMNS, "csv"))
    else:
        out.write(_impact_text(found))
    return 0


IMPACT_COLUMNS = [
    Column("kind", "Kind"),
    Column("fund_class", "Fund class"),
    Column("provider", "Provider"),
    Column("reference", "Reference"),
    Column("period", "Period"),
    Column("issued_on", "Issued"),
    Column("path", "Figure"),
    Column("paid", "Paid", money=True),
    Column("then", "Then"),
    Column("now", "Now"),
    Column("delta", "Change"),
    Column("note", "Note"),
]


def _impact_rows(found: Impact) -> list[dict[str, Any]]:
    """One CSV row per figure that comes out differently: a figure of an issued report (or the
    report alone, when only the digest of its events differs), or a fee or payment."""
    rows: list[dict[str, Any]] = []
    for report in found.reports:
        base = {
            "kind": "report",
            "fund_class": report.fund_class,
            "reference": report.issued_sha256,
            "period": report.quarter,
            "issued_on": report.issued_on,
        }
        rows += [
            base
            | {"path": change.path, "then": change.before, "now": change.after}
            | {"delta": change.delta}
            for change in report.changes
        ] or [base]
    rows += [
        {
            "kind": amount.kind,
            "fund_class": amount.fund_class,
            "provider": amount.provider,
            "reference": amount.reference,
            "period": amount.period,
            "paid": amount.paid,
            "then": format_money(amount.then),
            "now": format_money(amount.now),
            "delta": format_money(amount.delta),
            "note": amount.note,
        }
        for amount in found.amounts
    ]
    return rows


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


def export_bundle_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    output_file(arguments.out)
    with open_ledger(context) as ledger:
        known_at = settled_known_at(ledger, arguments.known_at)
        with progress_bar("events exported") as progress:
            summary = export_bundle(ledger.view, arguments.as_of, known_at, arguments.out, progress)
    out.write(
        f"{summary.path}: {summary.events} events to position {summary.position}, "
        f"{summary.files} files; chain head sha256:{summary.head_hash}\n"
        f"manifest sha256:{summary.manifest_sha256} (send it apart from the bundle: it "
        "anchors every file)\n"
        f"check it anywhere with: unzip it, then python3 verify_bundle.py\n"
    )
    return 0


def _report_text(report: dict[str, Any]) -> str:
    reviewed = f", reviewed {report['reviewed_on']}" if report.get("reviewed_on") else ""
    return f"{report['quarter']} issued {report['issued_on']}{reviewed}"


def _shown(name: str, value: Any) -> str:
    """One line of `asof` as a table: rates as percentages, yes or no, the reports listed."""
    if isinstance(value, dict):
        if name == "schedule_b":
            value = {part: format_percent(Decimal(rate)) for part, rate in value.items()}
        return ", ".join(f"{part} {amount}" for part, amount in value.items())
    if isinstance(value, list):
        return "; ".join(_report_text(report) for report in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    """`record` as one CSV row: a nested field named `outer.inner`."""
    row: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            row.update({f"{name}.{part}": inner for part, inner in value.items()})
        else:
            row[name] = value
    return row


def as_of_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    as_of = arguments.as_of or date.today()
    key = f"{arguments.fund}/{arguments.share_class}"
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        found = fund_class_as_of(view, key, as_of)
    record = point_in_time_record(found)
    if arguments.format == "json":
        out.write(json.dumps(record, indent=2) + "\n")
        return 0
    if arguments.format == "csv":
        row = _flat(record)
        columns = [Column(name, name, item_text=_report_text) for name in row]
        out.write(render([row], columns, "csv"))
        return 0
    for name, value in record.items():
        out.write(f"{name.replace('_', ' '):<22} {shown(_shown(name, value))}\n")
    return 0
