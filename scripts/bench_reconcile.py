"""The reconciliation benchmark (`scripts/bench.py --reconcile`): the matcher's lines per second
against a plain SQL join of the same lines in the same database.

The ledger: a year of N fund classes (default 1,000; the ingest benchmark's generator), the
Distributor paid for January, February and March on each month's last business day.
The statements, of L lines in all (default 100,000): a BAI2 statement of the funds' accounts (a
debit per payment, by its reference; one account per fund; and as many of the funds' other
movements, credits the plan's check passes by, as the lines left make up), one of the
Distributor's account (a credit per payment), and the fund books' daily accrual and payable of
every class from January to March (90,000 lines for 1,000 classes). All agree with the ledger:
a run finds no break.

Measured, each in the same database:
  matcher  `reconcile run` over those days: the statements read from the log, the ledger's
           side from the read models, matched, every match recorded as events;
  join     the same lines loaded into a table (their reference: the payment's, or the class
           and day; and their amount in cents), the ledger's side selected from the read models
           into another, indexed, joined on reference and amount, the matched pairs written to
           a third: the limit for this work, as the database does it with no rule at all.
The rate of each is the statements' lines over its seconds; the goal is a matcher at least a
fifth of the join's rate (`ratio_matcher_to_join`). The join's own figures are given part by
part (load, ledger side, index, join and write), as are the statements' import and the run's.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    String,
    Table,
    cast,
    func,
    insert,
    literal,
    select,
)

from adapters.application.commands import PayDistributor
from adapters.application.compose import opened
from adapters.application.reconciliation import ImportStatement, RunReconciliation
from adapters.inputs.statements import read_bai2, read_fund_books
from adapters.readside import reconciliation as reads
from adapters.readside.read_models import TABLES
from domain.periods import Period
from domain.reconciliation.records import StatementKind

PAID_MONTHS = (1, 2, 3)
DISTRIBUTOR_NUMBER = "9999000011"


def first_business_day(day: date, holidays: set[date], step: int = 1) -> date:
    """`day`, or the next business day (the one before with `step` -1)."""
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=step)
    return day


def pay_the_distributor(ledger: Any, year: int, holidays: set[date]) -> int:
    """Each class's January to March, paid on the month's last business day (so that the
    payments fall on the days the books cover)."""
    count = 0
    for fund_class in ledger.view.fund_classes():
        for month in PAID_MONTHS:
            period = Period(date(year, month, 1), date(year, month + 1, 1))
            ledger.payments.pay_distributor(
                PayDistributor(
                    fund_code=fund_class.fund_code,
                    share_class=fund_class.share_class,
                    amount=None,
                    paid_on=first_business_day(period.end_inclusive, holidays, -1),
                    period=period,
                    reference=f"W-{fund_class.fund_code}-{month:02d}",
                )
            )
            count += 1
    return count


def bai2_text(details: list[tuple[date, str, int, bool, str]]) -> str:
    """BAI2 of (day, account number, cents, debit, customer reference) details."""
    by_day: dict[date, dict[str, list[tuple[int, bool, str]]]] = defaultdict(dict)
    for day, number, cents, debit, reference in details:
        by_day[day].setdefault(number, []).append((cents, debit, reference))
    records = ["01,BANK,PLANLEDGER,050101,0800,1,80,,2/"]
    file_total = 0
    for day, accounts in sorted(by_day.items()):
        group = [f"02,PLANLEDGER,BANK,1,{day:%y%m%d},0800,USD,2/"]
        group_total = 0
        for number, lines in sorted(accounts.items()):
            account = [f"03,{number},USD,010,0,,/"]
            total = 0
            for index, (cents, debit, reference) in enumerate(lines):
                total += cents
                code = "495" if debit else "195"
                account.append(f"16,{code},{cents},Z,B{index},{reference},WIRE/")
            account.append(f"49,{total},{len(account) + 1}/")
            group += account
            group_total += total
        group.append(f"98,{group_total},{len(accounts)},{len(group) + 1}/")
        records += group
        file_total += group_total
    records.append(f"99,{file_total},{len(by_day)},{len(records) + 1}/")
    return "\n".join(records) + "\n"


def write_statements(ledger: Any, folder: Path, lines: int, year: int) -> tuple[dict, Period]:
    """The three statements (see the module's text); the accounts' names by number, and the
    days the books cover (January to March: whole months, as the month check compares them)."""
    view = ledger.view
    payments = reads.ledger_payments(view)
    covered = Period(date(year, 1, 1), date(year, PAID_MONTHS[-1] + 1, 1))
    books = len(view.fund_class_keys()) * covered.days
    funds = sorted({payment.fund_class.split("/")[0] for payment in payments})
    numbers = {fund: f"{1_000_000_000 + index}" for index, fund in enumerate(funds)}
    fund_details = [
        (p.paid_on, numbers[p.fund_class.split("/")[0]], int(p.amount * 100), True, p.reference)
        for p in payments
    ]
    # The rest of the lines: the funds' accounts' other movements (shareholders' purchases),
    # credits the plan's check reads and passes by.
    others = max(lines - books - 2 * len(payments), 0)
    for index in range(others):
        fund = funds[index % len(funds)]
        day = first_business_day(covered.start + timedelta(days=index % covered.days), set())
        fund_details.append((day, numbers[fund], 100_000 + index, False, f"SUB-{index}"))
    distributor_details = [
        (p.paid_on, DISTRIBUTOR_NUMBER, int(p.amount * 100), False, p.reference) for p in payments
    ]
    (folder / "funds.bai2").write_text(bai2_text(fund_details))
    (folder / "distributor.bai2").write_text(bai2_text(distributor_details))
    write_books(view, folder / "books.csv", covered, payments)
    accounts = {number: f"fund:{fund}" for fund, number in numbers.items()}
    accounts[DISTRIBUTOR_NUMBER] = "distributor"
    return accounts, covered


def write_books(view: Any, path: Path, covered: Period, payments: list[Any]) -> None:
    daily, _monthly = reads.ledger_accruals(view)
    month_ends = {
        (fund_class, day)
        for fund_class, day in daily
        if day in covered and (day + timedelta(days=1)).day == 1
    }
    payables = reads.ledger_payables(view, month_ends)
    paid: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for payment in payments:
        paid[payment.fund_class].append((payment.paid_on, payment.amount))
    accrued: dict[str, Decimal] = defaultdict(Decimal)
    with path.open("w") as handle:
        handle.write("date,fund,class,accrued,payable\n")
        for (fund_class, day), figure in sorted(daily.items(), key=lambda item: item[0]):
            if day not in covered:
                continue
            accrued[fund_class] += figure.amount
            payable = accrued[fund_class] - sum(
                (amount for on, amount in paid[fund_class] if on <= day), Decimal(0)
            )
            if (fund_class, day) in month_ends:
                payable = payables[(fund_class, day.isoformat()[:7])].amount
            fund, share_class = fund_class.split("/")
            handle.write(f"{day},{fund},{share_class},{figure.amount},{max(payable, 0)}\n")


def import_statements(ledger: Any, folder: Path, accounts: dict[str, str]) -> int:
    kinds = (
        (StatementKind.FUND_BOOKS, read_fund_books(folder / "books.csv")),
        (StatementKind.BANK_BAI2, read_bai2(folder / "funds.bai2", accounts, None)),
        (StatementKind.BANK_BAI2, read_bai2(folder / "distributor.bai2", accounts, None)),
    )
    total = 0
    for kind, statement in kinds:
        ledger.reconciliation.import_statement(ImportStatement(kind, statement))
        total += len(statement.lines)
    return total


def run_matcher(ledger: Any, covered: Period, profile: bool) -> tuple[Any, float, str]:
    command = RunReconciliation(covered, Decimal("0.01"), 3, covered.end_inclusive)
    # The ledger's file was just written (in part without a sync: the read models'): its
    # first synced commit would flush those pages too, work of the steps before, not the run's.
    os.sync()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    summary = ledger.reconciliation.run(command)
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - started
    for row in list(reads.breaks(ledger.view).values())[:5]:
        print(f"break: {row.key} {row.kind} {row.detail}")
    text = ""
    if profiler is not None:
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(30)
        text = buffer.getvalue()
    return summary, seconds, text


def sql_join(ledger: Any, folder: Path, accounts: dict[str, str], covered: Period) -> dict:
    """The same lines through plain SQL: load, the ledger's side, index, join and write."""
    engine = ledger.view.engine
    metadata = MetaData()
    lines, own, matched = (
        Table(
            f"bench_join_{name}",
            metadata,
            Column("reference", String(120), nullable=False),
            Column("amount_cents", BigInteger, nullable=False),
        )
        for name in ("lines", "ledger", "matches")
    )
    metadata.create_all(engine)
    rows = statement_rows(folder, accounts)
    os.sync()  # as before the matcher: each side pays for its own writes alone
    seconds: dict[str, float] = {}
    accruals, payments = TABLES["accruals"], TABLES["distributor_payments"]
    with engine.begin() as conn:
        started = time.perf_counter()
        conn.execute(insert(lines), rows)
        seconds["load"] = time.perf_counter() - started
    with engine.begin() as conn:
        started = time.perf_counter()
        day_reference = (
            accruals.c.fund_class + literal(":") + cast(accruals.c.business_date, String)
        )
        conn.execute(
            insert(own).from_select(
                ["reference", "amount_cents"],
                select(day_reference, func.sum(accruals.c.absc_cents + accruals.c.service_cents))
                .where(accruals.c.business_date >= covered.start)
                .where(accruals.c.business_date < covered.end_exclusive)
                .group_by(accruals.c.fund_class, accruals.c.business_date),
            )
        )
        conn.execute(
            insert(own).from_select(
                ["reference", "amount_cents"],
                select(payments.c.reference, payments.c.amount_cents),
            )
        )
        seconds["ledger_side"] = time.perf_counter() - started
    with engine.begin() as conn:
        started = time.perf_counter()
        conn.exec_driver_sql(
            "CREATE INDEX bench_join_ledger_key ON bench_join_ledger (reference, amount_cents)"
        )
        seconds["index"] = time.perf_counter() - started
    with engine.begin() as conn:
        started = time.perf_counter()
        joined = select(lines.c.reference, lines.c.amount_cents).join(
            own,
            (own.c.reference == lines.c.reference) & (own.c.amount_cents == lines.c.amount_cents),
        )
        conn.execute(insert(matched).from_select(["reference", "amount_cents"], joined))
        seconds["join_and_write"] = time.perf_counter() - started
        count = conn.execute(select(func.count()).select_from(matched)).scalar_one()
    return {"lines": len(rows), "matched": int(count), "seconds": seconds}


def statement_rows(folder: Path, accounts: dict[str, str]) -> list[dict[str, Any]]:
    """The statements' lines as the join's table holds them: a payment's line by its
    reference, a books line by its class and day."""
    rows = [
        {"reference": f"{line.fund_class}:{line.day}", "amount_cents": int(line.amount * 100)}
        for line in read_fund_books(folder / "books.csv").lines
    ]
    for name in ("funds.bai2", "distributor.bai2"):
        for line in read_bai2(folder / name, accounts, None).lines:
            reference = line.references[-1] if line.references else ""
            rows.append({"reference": reference, "amount_cents": int(line.amount * 100)})
    return rows


def run_reconcile(
    bench: Any, url: str, folder: Path, fund_classes: int, lines: int, *, profile: bool
) -> dict:
    """`bench`: scripts/bench.py's module (its generator, its ledger's year, its holidays)."""
    plan, csv_path = bench.write_inputs(folder, fund_classes)
    ledger_build = bench.run_ledger(url, plan, csv_path)
    with opened(url, "bench") as ledger:
        started = time.perf_counter()
        payments = pay_the_distributor(ledger, bench.YEAR, bench.HOLIDAYS)
        ledger.read_models.catch_up()
        pay_seconds = time.perf_counter() - started
        accounts, covered = write_statements(ledger, folder, lines, bench.YEAR)
        started = time.perf_counter()
        imported = import_statements(ledger, folder, accounts)
        import_seconds = time.perf_counter() - started
    # Opened again, as the command line opens the ledger for `reconcile run`: each command is
    # a process of its own, and the last to close the ledger leaves its log checkpointed.
    with opened(url, "bench") as ledger:
        summary, run_seconds, profiled = run_matcher(ledger, covered, profile)
        again, rerun_seconds, _ = run_matcher(ledger, covered, False)
        join = sql_join(ledger, folder, accounts, covered)
    join_seconds = join["seconds"]["ledger_side"] + join["seconds"]["index"]
    join_seconds += join["seconds"]["join_and_write"]
    return {
        "fund_classes": fund_classes,
        "ledger_events": ledger_build["events"],
        "payments": payments,
        "pay_seconds": pay_seconds,
        "statement_lines": imported,
        "books_days": covered.days,
        "import_seconds": import_seconds,
        "matcher": {
            "seconds": run_seconds,
            "matches_found": summary.matches_found,
            "breaks_found": summary.breaks_found,
            "matches_recorded": summary.matches_recorded,
            "lines_per_second": imported / run_seconds,
            "rerun_seconds": rerun_seconds,
            "rerun_events_written": again.events_written,
        },
        "join": {
            **join,
            "lines_per_second": imported / join_seconds,
            "join_only_lines_per_second": imported / join["seconds"]["join_and_write"],
        },
        "ratio_matcher_to_join": (imported / run_seconds) / (imported / join_seconds),
        "profile": profiled,
    }


def print_reconcile(result: dict) -> None:
    matcher, join = result["matcher"], result["join"]
    parts = join["seconds"]
    print(
        f"ledger: {result['fund_classes']:,} fund classes, a year ({result['ledger_events']:,} "
        f"events), {result['payments']:,} payments to the Distributor"
    )
    print(
        f"statements: {result['statement_lines']:,} lines (books of {result['books_days']} days, "
        f"both banks' BAI2) imported in {result['import_seconds']:.1f} s"
    )
    print(
        f"matcher: {matcher['matches_found']:,} matches, {matcher['breaks_found']} breaks, "
        f"recorded in {matcher['seconds']:.2f} s = {matcher['lines_per_second']:,.0f} lines/s; "
        f"re-run {matcher['rerun_seconds']:.2f} s, events written: "
        f"{matcher['rerun_events_written']}"
    )
    print(
        f"SQL join: {join['matched']:,} of {join['lines']:,} lines matched; load "
        f"{parts['load']:.2f} s, ledger side {parts['ledger_side']:.2f} s, index "
        f"{parts['index']:.2f} s, join and write {parts['join_and_write']:.2f} s = "
        f"{join['lines_per_second']:,.0f} lines/s (join and write alone: "
        f"{join['join_only_lines_per_second']:,.0f} lines/s)"
    )
    print(f"ratio matcher/join: {result['ratio_matcher_to_join']:.2f}  (goal: at least 0.20)")
