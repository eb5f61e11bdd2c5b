"""Handlers of the read commands served by the read models: balances, journal, trial balance,
the SIXTH split, rebuilds, and the reports and exports."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import date
from typing import Any, TextIO

from adapters.cli.handlers import (
    CommandInputError,
    Context,
    known_view,
    open_ledger,
    output_file,
    output_folder,
)
from adapters.cli.output import Column, write_rows
from adapters.cli.progress import progress_bar
from adapters.outputs.beancount import export_beancount
from adapters.outputs.issued import (
    issued_files,
    issued_rendering,
    issues_of,
    marked_if_restated,
)
from adapters.outputs.report_writing import rendering_processes, write_reports
from adapters.outputs.reports import (
    FORMATS,
    quarterly_report,
    report_files,
    report_sha256,
    write_files,
)
from adapters.readside.queries import dollars
from adapters.readside.split_rows import split_figures
from adapters.readside.view import LedgerView
from domain.instrument import PlanInstrument
from domain.money import format_money
from domain.periods import Period, last_quarter_ended, parse_period
from projections.journal import ENTITIES
from projections.rows import PROJECTIONS

BALANCE_COLUMNS = [
    Column("fund_class", "Fund class"),
    Column("accrued_through", "Accrued through"),
    Column("absc_accrued", "ABSC accrued", money=True),
    Column("service_accrued", "Service accrued", money=True),
    Column("accrued", "Accrued", money=True),
    Column("absc_paid", "ABSC paid", money=True),
    Column("service_paid", "Service paid", money=True),
    Column("paid", "Paid", money=True),
    Column("absc_payable", "ABSC payable", money=True),
    Column("service_payable", "Service payable", money=True),
    Column("payable", "Payable", money=True),
    Column("receivable", "Receivable from Distributor", money=True),
]


def _chosen_fund_class(view: LedgerView, arguments: argparse.Namespace) -> str | None:
    """`--fund-class`, which must name a fund class the ledger knows (exit 2 otherwise)."""
    key: str | None = getattr(arguments, "fund_class", None)
    if key is not None and key not in view.fund_class_keys():
        known = ", ".join(view.fund_class_keys()) or "none"
        raise CommandInputError(f"--fund-class: no fund class {key!r} (known: {known})")
    return key


def balances(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    as_of = arguments.as_of or date.today()
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        chosen = _chosen_fund_class(view, arguments)
        found = [row for row in view.balances(as_of) if chosen in (None, row.fund_class)]
    rows = [
        {
            "fund_class": balance.fund_class,
            "accrued_through": balance.accrued_through,
            "absc_accrued": dollars(balance.absc_accrued),
            "service_accrued": dollars(balance.service_accrued),
            "accrued": dollars(balance.accrued),
            "absc_paid": dollars(balance.absc_paid),
            "service_paid": dollars(balance.service_paid),
            "paid": dollars(balance.paid),
            "absc_payable": dollars(balance.absc_payable),
            "service_payable": dollars(balance.service_payable),
            "payable": dollars(balance.payable),
            "receivable": dollars(balance.receivable),
        }
        for balance in found
    ]
    write_rows(out, rows, BALANCE_COLUMNS, arguments.format)
    return 0


TRIAL_BALANCE_COLUMNS = [
    Column("entity", "Books"),
    Column("account", "Account"),
    Column("debit", "Debit", money=True),
    Column("credit", "Credit", money=True),
    Column("balance", "Balance", money=True),
]


def trial_balance_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Each entity's accounts, closed by its own TOTAL row: the fund's books and the
    Distributor's balance apart (docs/books.md)."""
    as_of = arguments.as_of or date.today()
    chosen = getattr(arguments, "entity", None)
    with open_ledger(context) as ledger:
        accounts = known_view(ledger, arguments, context).trial_balance(as_of, chosen)
    rows: list[dict[str, object]] = []
    for entity in [chosen] if chosen else ENTITIES:
        mine = [row for row in accounts if row.entity == entity]
        rows += [
            {
                "entity": entity,
                "account": row.account,
                "debit": dollars(row.debit_cents),
                "credit": dollars(row.credit_cents),
                "balance": dollars(row.balance_cents),
            }
            for row in mine
        ]
        debits = sum(row.debit_cents for row in mine)
        credits = sum(row.credit_cents for row in mine)
        rows.append(
            {
                "entity": entity,
                "account": "TOTAL",
                "debit": dollars(debits),
                "credit": dollars(credits),
                "balance": dollars(debits - credits),
            }
        )
        if debits != credits:  # pragma: no cover - each entity's lines balance entry by entry
            raise CommandInputError(
                f"the {entity}'s trial balance does not balance: {debits} != {credits}"
            )
    write_rows(out, rows, TRIAL_BALANCE_COLUMNS, arguments.format)
    return 0


JOURNAL_COLUMNS = [
    Column("business_date", "Date"),
    Column("entry_id", "Entry (event)"),
    Column("position", "Position"),
    Column("kind", "Kind"),
    Column("entity", "Books"),
    Column("account", "Account"),
    Column("debit", "Debit", money=True),
    Column("credit", "Credit", money=True),
    Column("payee", "Payee"),
    Column("narration", "Narration"),
    Column("links", "Links"),
    Column("actor", "Actor"),
    Column("source", "Source"),
]


def journal_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    period: Period | None = arguments.period
    ends = [day for day in (period.end_inclusive if period else None, arguments.as_of) if day]
    with open_ledger(context) as ledger:
        if arguments.fund_class:  # checked against the ledger of now: a filter, not a state
            ledger.view.check_fund_class_keys([arguments.fund_class])
        view = known_view(ledger, arguments, context)
        rows = view.journal(
            start=period.start if period else None,
            end_inclusive=min(ends) if ends else None,
            fund_class=arguments.fund_class,
            account=getattr(arguments, "account", None),
            entity=getattr(arguments, "entity", None),
        )
    records = [
        {
            "business_date": row.business_date,
            "entry_id": row.entry_id,
            "position": row.position,
            "kind": row.kind,
            "entity": row.entity,
            "account": row.account,
            "debit": dollars(row.debit_cents),
            "credit": dollars(row.credit_cents),
            "payee": row.payee,
            "narration": row.narration,
            "links": row.links.split(),
            "actor": row.actor,
            "source": row.source,
        }
        for row in rows
    ]
    write_rows(out, records, JOURNAL_COLUMNS, arguments.format)
    return 0


def accruals_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Per fund class and month (or day): the accrual by part, as the ledger books it."""
    by: str = arguments.accruals_by
    period: Period | None = arguments.period
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        found = view.accrual_totals(
            by,
            fund_class=_chosen_fund_class(view, arguments),
            start=period.start if period else None,
            end_inclusive=period.end_inclusive if period else None,
        )
    rows = [
        {
            "fund_class": total.fund_class,
            by: total.period,
            "days": total.days,
            "absc_accrued": dollars(total.absc_cents),
            "service_accrued": dollars(total.service_cents),
            "accrued": dollars(total.total_cents),
        }
        for total in found
    ]
    columns = [
        Column("fund_class", "Fund class"),
        Column(by, by.capitalize()),
        Column("days", "Days"),
        Column("absc_accrued", "ABSC accrued", money=True),
        Column("service_accrued", "Service accrued", money=True),
        Column("accrued", "Accrued", money=True),
    ]
    write_rows(out, rows, columns, arguments.format)
    return 0


def rebuild(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    names = [arguments.projection] if arguments.projection else list(PROJECTIONS)
    with open_ledger(context) as ledger, progress_bar("events rebuilt") as progress:
        done = ledger.read_models.rebuild(names, progress)
    out.write(f"rebuilt {', '.join(names)} from {done.events} events (position {done.position})\n")
    return 0


SPLIT_COLUMNS = [
    Column("fund_class", "Fund class"),
    Column("period", "Period"),
    Column("plan_payments", "Plan payments", money=True),
    Column("service_fees", "Service fees", money=True),
    Column("deemed_absc", "Deemed ABSC", money=True),
    Column("own_resources", "Fees from own resources", money=True),
    Column("average_daily_net_assets", "Avg daily net assets", money=True),
    Column("payments_rate", "Payments p.a.", rate=True),
    Column("service_rate", "Service p.a.", rate=True),
    Column("absc_rate", "Deemed ABSC p.a.", rate=True),
    Column("caps", "FINRA caps"),
    Column(
        "by_provider",
        "Service fees by provider",
        item_text=lambda part: f"{part['provider']}={format_money(part['service_fees'])}",
        table_joiner=" ",
    ),
]


def split_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    with open_ledger(context) as ledger:
        if arguments.fund_class:  # checked against the ledger of now: a filter, not a state
            ledger.view.check_fund_class_keys([arguments.fund_class])
        rows = split_figures(
            known_view(ledger, arguments, context),
            arguments.period,
            arguments.by,
            fund_class=arguments.fund_class,
            as_of=arguments.as_of,
        )
    write_rows(out, rows, SPLIT_COLUMNS, arguments.format)
    return 0


def report_quarterly(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    formats = tuple(arguments.formats.split(","))
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise CommandInputError(
            f"--formats: unknown {', '.join(unknown)} (use {','.join(FORMATS)})"
        )
    quarter = _report_quarter(arguments)
    output_folder(arguments.out)
    with open_ledger(context) as ledger:
        view = known_view(ledger, arguments, context)
        keys = arguments.fund_classes or view.fund_class_keys()
        view.check_fund_class_keys(keys)
        registry = view.registry()  # once for every class: it holds them all
        plans: dict[str, PlanInstrument] = {}  # each read once: one holds every class

        def reports() -> Iterator[tuple[dict[str, Any], int]]:
            for key in keys:
                aggregate = view.fund_class_by_key(key)  # once a report: it replays the stream
                report = quarterly_report(
                    view, key, quarter, registry=registry, aggregate=aggregate, plans=plans
                )
                try:
                    # A report that is its issue: its PDF drawn as issued.
                    rendering = issued_rendering(view, report, aggregate)
                    yield marked_if_restated(view, report, aggregate), rendering
                except LookupError as error:  # a file its issue names is not kept
                    raise CommandInputError(f"{error}: run `planledger verify`") from None

        # The PDFs (and HTML) of many reports rendered on every core: the same bytes.
        processes = rendering_processes(len(keys), formats)
        for path in write_reports(reports(), arguments.out, formats, processes):
            out.write(f"{path}\n")
    return 0


def _report_quarter(arguments: argparse.Namespace) -> str:
    """`--quarter`, or the last quarter that ended on or before `--as-of`."""
    as_of: date | None = arguments.as_of
    if arguments.quarter is None:
        if as_of is None:
            raise CommandInputError("give --quarter, or --as-of to take the last quarter ended")
        return last_quarter_ended(as_of)
    if as_of is not None and parse_period(arguments.quarter).end_inclusive > as_of:
        raise CommandInputError(f"--quarter {arguments.quarter} ends after --as-of {as_of}")
    return str(arguments.quarter)


def report_issue(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Record that a quarter's report was issued: the hash of the report as it stands now."""
    from adapters.application.commands import IssueReport
    from projections.quarterly_report import IssueFacts

    with open_ledger(context) as ledger:
        # The report as issued: its issue date and preparer are part of it, and of its hash.
        report = quarterly_report(
            ledger.view,
            f"{arguments.fund}/{arguments.share_class}",
            arguments.quarter,
            issue=IssueFacts(arguments.on, arguments.issued_by),
        )
        digest = report_sha256(report)
        command = IssueReport(
            fund_code=arguments.fund,
            share_class=arguments.share_class,
            quarter=arguments.quarter,
            report_sha256=digest,
            issued_on=arguments.on,
            issued_by=arguments.issued_by,
            # Every format, its bytes kept by the store; issued again, drawn as it was.
            files=report_files(report, pdf=issued_rendering(ledger.view, report)),
        )
        outcome = ledger.fund_governance.issue_report(command)
    out.write(
        f"{arguments.fund}/{arguments.share_class} {arguments.quarter} report "
        f"(SHA-256 {digest}) issued: {outcome}\n"
    )
    return 0


def report_issued(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Write a quarter's issued files back, byte for byte, from the store."""
    key = f"{arguments.fund}/{arguments.share_class}"
    output_folder(arguments.out)
    with open_ledger(context) as ledger:
        ledger.view.check_fund_class_keys([key])
        issues = [
            issue
            for issue in issues_of(ledger.view, key)
            if issue.quarter == arguments.quarter and arguments.issued_on in (None, issue.issued_on)
        ]
        if not issues:
            on = f" on {arguments.issued_on}" if arguments.issued_on else ""
            raise CommandInputError(f"{key}: no report for {arguments.quarter} was issued{on}")
        issue = issues[-1]
        if not issue.files:
            raise CommandInputError(
                f"{key} {arguments.quarter}: the report issued on {issue.issued_on} was issued "
                "before the ledger kept the files issued; `report quarterly --known-at` gives "
                "it as the ledger knew it then"
            )
        try:
            files = issued_files(ledger.view, issue)
        except LookupError as error:
            raise CommandInputError(f"{error}: run `planledger verify`") from None
    stem = f"{key.replace('/', '-')}-{arguments.quarter}"
    for path in write_files(stem, files, arguments.out):
        out.write(f"{path}\n")
    return 0


def export_beancount_command(context: Context, arguments: argparse.Namespace, out: TextIO) -> int:
    """Each entity's books to OUT/ENTITY.beancount, or one entity's to the file OUT."""
    chosen: str | None = getattr(arguments, "entity", None)
    if chosen:
        targets = {chosen: output_file(arguments.out)}
    else:
        folder = output_folder(arguments.out)
        targets = {entity: folder / f"{entity}.beancount" for entity in ENTITIES}
    with open_ledger(context) as ledger:
        keys = ledger.view.fund_class_keys()
        title = "planledger: " + (ledger.view.fund_classes()[0].plan_title if keys else "empty")
        for entity, path in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as handle:
                count = export_beancount(ledger.read_models.engine, handle, title, entity)
            out.write(f"{path}: {count} transactions ({entity})\n")
    return 0
