#!/usr/bin/env python3
"""Ingest benchmark: the ledger's event rate against the event library's raw batched rate.

For N fund classes (default 1,000) over one year, it writes a plan file and a net-assets CSV,
then in one process and on the same kind of database:

  ledger  imports the net assets (CSV parsing, validation, rules, events) and accrues every
          day of the year (accruals and month-end true-ups), through planledger's use cases;
  raw     saves the same number of minimal events straight through the eventsourcing library,
          many aggregates per save() call (its fastest batched write), before and after the
          ledger run, so that drift on a noisy machine affects both sides alike.

It prints both rates and their ratio (the goal is a ratio of at least 0.5) and writes them as
JSON. Usage: scripts/bench.py [FUND_CLASSES] [--db sqlite|postgres] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from adapters.ledger import Ledger
from adapters.persistence import open_store, parse_database_url, psycopg_conninfo
from domain.board import MeetingRecord, ResolutionRecord
from domain.governance import AttendanceMode, DirectorStatus, Relief, ResolutionKind, Vote

YEAR = 2005
HOLIDAYS = {
    date(2005, 1, 17),
    date(2005, 2, 21),
    date(2005, 3, 25),
    date(2005, 5, 30),
    date(2005, 7, 4),
    date(2005, 9, 5),
    date(2005, 11, 24),
    date(2005, 12, 26),
}
RAW_SAVE_BATCH_AGGREGATES = 50


class Minimal(Aggregate):
    """The smallest useful event-sourced aggregate: one event type with one Decimal."""

    TOPIC = "bench.Minimal"

    class Created(Aggregate.Created):
        TOPIC = "bench.Minimal.Created"

    @event("Ticked", topic="bench.Minimal.Ticked")
    def tick(self, amount: Decimal) -> None:
        pass


class RawApplication(Application):
    name = "rawbench"


def business_days() -> list[date]:
    """The year's NYSE days, and the last one before it (the plan takes effect on a Saturday)."""
    day, days = date(YEAR - 1, 12, 31), []
    while day.year <= YEAR:
        if day.weekday() < 5 and day not in HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def write_inputs(folder: Path, fund_classes: int) -> tuple[Path, Path]:
    text = f"Synthetic Rule 12b-1 plan for {fund_classes} funds, for benchmarking.\n".encode()
    (folder / "plan.txt").write_bytes(text)
    lines = [
        'format = "planledger-plan/1"',
        "[plan]",
        'key = "bench"',
        'title = "Benchmark plan"',
        'document_file = "plan.txt"',
        f'document_sha256 = "{hashlib.sha256(text).hexdigest()}"',
        'share_class = "R"',
        f"effective_date = {YEAR}-01-01",
        f"initial_term_end = {YEAR}-12-31",
        'governing_law = "Maryland"',
        'notice_address = "Denver"',
        "[plan.distributor]",
        'name = "Distributor"',
        'jurisdiction = "Delaware"',
        "[plan.original_agreement]",
        'distributor = "Predecessor"',
        'dated = "unknown"',
    ]
    for company in range(0, fund_classes, 100):
        lines += [
            "[[companies]]",
            f'code = "C{company // 100:03d}"',
            f'name = "Company {company // 100}"',
            'jurisdiction = "Maryland"',
        ]
        for fund in range(company, min(company + 100, fund_classes)):
            lines += [
                "[[companies.funds]]",
                f'code = "F{fund:05d}"',
                f'name = "Fund {fund}"',
                'schedule_b = { asset_based_sales_charge = "0.25%", maximum_service_fee = '
                '"0.25%", maximum_total = "0.50%" }',
            ]
    plan = folder / "plan.toml"
    plan.write_text("\n".join(lines) + "\n")
    csv_path = folder / "net-assets.csv"
    with csv_path.open("w") as handle:
        handle.write("fund,class,date,net_assets\n")
        for fund in range(fund_classes):
            cents = 1_000_000_000 + fund * 1_234_567
            for index, day in enumerate(business_days()):
                value = cents + index * 98_765
                handle.write(f"F{fund:05d},R,{day.isoformat()},{value // 100}.{value % 100:02d}\n")
    return plan, csv_path


def approve_every_company(ledger: Ledger) -> None:
    """Each board approves the plan for all its funds (without it nothing would accrue)."""
    directors = ["D-1", "D-2", "D-3"]
    companies: dict[str, list[str]] = {}
    for fund_class in ledger.fund_classes():
        companies.setdefault(fund_class.company_code, []).append(fund_class.key)
    for company, keys in companies.items():
        board = ledger._board_or_open(company, date(YEAR - 1, 1, 1))
        for code in directors:
            board.declare_director_status(
                DirectorStatus(code, code, True, False, False),
                date(YEAR - 1, 1, 1),
                "questionnaire",
                "counsel",
                ledger.provenance("bench"),
            )
        ledger.store.save(board)
        meeting = MeetingRecord(
            meeting_id=f"{company}-approval",
            meeting_date=date(YEAR - 1, 12, 15),
            called_for_plan=True,
            agenda=["approval of the plan"],
            attendance={code: AttendanceMode.PHYSICAL for code in directors},
            relief=Relief.NONE,
            minutes_reference="minutes",
            resolutions=[
                ResolutionRecord(
                    resolution_id=f"{company}-approval-1",
                    kind=ResolutionKind.PLAN_APPROVAL,
                    fund_classes=keys,
                    text="approved",
                    votes={code: Vote.FOR for code in directors},
                )
            ],
        )
        ledger.record_meeting(company, meeting, source="bench")


def count_events(store) -> int:
    return store.recorder.max_notification_id() or 0


def run_ledger(url: str, plan: Path, csv_path: Path) -> dict[str, float]:
    store = open_store(url)
    try:
        ledger = Ledger(store, actor="bench")
        ledger.load_plan(plan)
        approve_every_company(ledger)
        before = count_events(store)
        started = time.perf_counter()
        ledger.import_net_assets(csv_path)
        imported = time.perf_counter()
        ledger.accrue(date(YEAR, 12, 31), max_carry_days=4)
        finished = time.perf_counter()
        events = count_events(store) - before
    finally:
        store.close()
    return {
        "events": events,
        "seconds": finished - started,
        "import_seconds": imported - started,
        "accrue_seconds": finished - imported,
        "events_per_second": events / (finished - started),
    }


def run_raw(url: str, events: int, aggregates: int) -> dict[str, float]:
    target = parse_database_url(url)
    environment = dict(target.environment)
    if target.is_postgres:
        environment["POSTGRES_SCHEMA"] = f"rawbench_{uuid.uuid4().hex[:8]}"
        create_schema(target, environment["POSTGRES_SCHEMA"])
    app = RawApplication(env=environment)
    per_aggregate = events // aggregates
    try:
        started = time.perf_counter()
        written = 0
        for first in range(0, aggregates, RAW_SAVE_BATCH_AGGREGATES):
            batch = []
            for _ in range(first, min(first + RAW_SAVE_BATCH_AGGREGATES, aggregates)):
                aggregate = Minimal()
                for _ in range(per_aggregate - 1):
                    aggregate.tick(Decimal("136.99"))
                batch.append(aggregate)
            app.save(*batch)
            written += len(batch) * per_aggregate
        seconds = time.perf_counter() - started
    finally:
        app.close()
    return {"events": written, "seconds": seconds, "events_per_second": written / seconds}


def create_schema(target, schema: str) -> None:
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def drop_schemas(prefixes: tuple[str, ...] = ("bench_", "rawbench_")) -> None:
    """Remove the schemas this benchmark created on PostgreSQL."""
    target = parse_database_url(database_url("postgres", Path("."), "cleanup"))
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        names = [row[0] for row in connection.execute("SELECT nspname FROM pg_namespace")]
        for name in names:
            if name.startswith(prefixes):
                connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def database_url(kind: str, folder: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / name}.db"
    base = os.environ.get(
        "PLANLEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    return f"{base}?schema=bench_{name}_{uuid.uuid4().hex[:8]}"


def main() -> None:
    parser = argparse.ArgumentParser(description="planledger ingest benchmark")
    parser.add_argument("fund_classes", nargs="?", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        plan, csv_path = write_inputs(folder, arguments.fund_classes)
        raw_before = run_raw(database_url(arguments.db, folder, "raw1"), 10_000, 20)  # warm-up
        ledger = run_ledger(database_url(arguments.db, folder, "ledger"), plan, csv_path)
        raws = [
            run_raw(
                database_url(arguments.db, folder, f"raw{index}"),
                int(ledger["events"]),
                arguments.fund_classes,
            )
            for index in (2, 3)
        ]
        if arguments.db == "postgres":
            drop_schemas()
    raw_rate = statistics.mean(raw["events_per_second"] for raw in raws)
    result = {
        "benchmark": "ingest",
        "database": arguments.db,
        "fund_classes": arguments.fund_classes,
        "year": YEAR,
        "ledger": ledger,
        "raw_library_runs": raws,
        "raw_library_events_per_second": raw_rate,
        "ratio_ledger_to_raw": ledger["events_per_second"] / raw_rate,
        "python": platform.python_version(),
        "warm_up_events_per_second": raw_before["events_per_second"],
    }
    print(f"fund classes:       {arguments.fund_classes} ({arguments.db}, one year)")
    print(
        f"ledger ingest:      {ledger['events']:,} events in {ledger['seconds']:.1f} s "
        f"= {ledger['events_per_second']:,.0f} events/s "
        f"(import {ledger['import_seconds']:.1f} s, accrue {ledger['accrue_seconds']:.1f} s)"
    )
    print(f"raw library save:   {raw_rate:,.0f} events/s (mean of {len(raws)} runs)")
    print(f"ratio ledger/raw:   {result['ratio_ledger_to_raw']:.2f}  (goal: at least 0.50)")
    out_file = arguments.out / f"bench-ingest-{arguments.db}.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


if __name__ == "__main__":
    main()
