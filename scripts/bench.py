#!/usr/bin/env python3
"""Ingest benchmark: the ledger's event rate against the event library's raw batched rate.

For N fund classes (default 1,000) over one year, it writes a plan file and a net-assets CSV,
then in one process and on the same kind of database:

  ledger  imports the net assets (CSV parsing, validation, rules, events) and accrues every
          day of the year (accruals and month-end true-ups), through planledger's use cases;
  raw     saves the same number of minimal events straight through the eventsourcing library,
          many aggregates per save() call (its fastest batched write), before and after the
          ledger run, so that drift on a noisy machine affects both sides alike;
  executemany  the very rows the ledger stored (the events table's columns) inserted again,
          after the ledger run, into a fresh table of the library's DDL in the same database
          by the driver's raw `executemany`: the physical limit (scripts/bench_ingest.py).

It prints each rate and the ledger's ratio to it (goals: at least 0.8 of the library's, at
least 0.25 of the executemany's; docs/performance.md) and writes them as JSON.
Usage: scripts/bench.py [FUND_CLASSES] [--db sqlite|postgres] [--out DIR]

With --cli it measures instead the command line's start-up on the demo ledger, each command
against a bare `python -c pass` (scripts/bench_cli.py; --baseline ROOT adds another checkout).

With --serve it measures instead the web workbench on the demo ledger: --clients (default 8)
concurrent clients, --requests (default 3,000) page requests against `planledger serve` on
127.0.0.1, the median and p95 latency and requests per second (scripts/bench_serve.py).
With --reconcile it measures instead the reconciliation of a year of FUND_CLASSES classes
against statements of --statement-lines lines (default 100,000): the matcher's lines per second
against a plain SQL join of the same lines in the same database (scripts/bench_reconcile.py;
--profile prints where the matcher's time goes).
With --writers 1,2,4,8 it measures instead that many processes ingesting different fund classes
into one PostgreSQL ledger: the total events/s per count and its ratio to one writer
(scripts/bench_writers.py).

With --as-of it measures instead the point-in-time reconstruction of one fund class with
--years of daily history (default 20,40: each length in its own ledger): the median and p95
over --samples (default 100) random (business date, known-at) pairs, against a full replay of
the same class in the same run.

The rebuild is also compared with reading and decoding the same log with no projection work;
with --memory it measures instead the rebuild's peak memory on a ledger of FUND_CLASSES
classes over --years years (one length), up to each of --positions (scripts/bench_rebuild.py).

With --reports it measures instead the quarterly report of every class of a year of
FUND_CLASSES classes: `report quarterly` in JSON alone against every format
(scripts/bench_reports.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    LoadPlan,
    PayDistributor,
    RecordMeeting,
)
from adapters.application.compose import Ledger, opened
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.plan_file import read_plan
from adapters.outputs.beancount import export_beancount
from adapters.store.persistence import parse_database_url, psycopg_conninfo
from domain.board import MeetingRecord, ResolutionRecord
from domain.governance import NO_RELIEF, AttendanceMode, DirectorStatus, ResolutionKind, Vote
from domain.periods import Period

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
# On PostgreSQL the library's pipelined insert can hang for good on a batch of several
# megabytes (50 aggregates are about 6 MB; docs/architecture.md), so there the raw baseline
# saves the ledger's own batch size: 16 aggregates, 10,080 events (WRITE_BATCH_EVENTS).
RAW_SAVE_BATCH_AGGREGATES_POSTGRES = 16


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


def write_inputs(folder: Path, fund_classes: int, year: int = YEAR) -> tuple[Path, Path]:
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
        'type = "compensation"',
        f"effective_date = {year}-01-01",
        f"initial_term_end = {year}-12-31",
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
    for fund_class in ledger.view.fund_classes():
        companies.setdefault(fund_class.company_code, []).append(fund_class.key)
    for company, keys in companies.items():
        board = ledger.ports.board_or_open(company, date(YEAR - 1, 1, 1))
        for code in directors:
            board.declare_director_status(
                DirectorStatus(code, code, True, False, False),
                date(YEAR - 1, 1, 1),
                "questionnaire",
                "counsel",
                ledger.ports.provenance("bench"),
            )
        ledger.ports.save(board)
        meeting = MeetingRecord(
            meeting_id=f"{company}-approval",
            meeting_date=date(YEAR - 1, 12, 15),
            called_for_plan=True,
            agenda=["approval of the plan"],
            attendance={code: AttendanceMode.PHYSICAL for code in directors},
            relief=NO_RELIEF,
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
        ledger.boards.record_meeting(RecordMeeting(company, meeting, source="bench"))


def count_events(store) -> int:
    return store.recorder.max_notification_id() or 0


def run_ledger(url: str, plan: Path, csv_path: Path) -> dict[str, float]:
    with opened(url, "bench", create=True) as ledger:
        store = ledger.store
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
        approve_every_company(ledger)
        before = count_events(store)
        started, cpu_started = time.perf_counter(), time.process_time()
        ledger.figures.import_net_assets(ImportNetAssets(read_csv(csv_path, NetAssetsRow)))
        imported = time.perf_counter()
        ledger.accruals.accrue(Accrue(date(YEAR, 12, 31), max_carry_days=4))
        finished, cpu_finished = time.perf_counter(), time.process_time()
        events = count_events(store) - before
    return {
        "events": events,
        "log_position_before": before,
        "seconds": finished - started,
        "cpu_seconds": cpu_finished - cpu_started,
        "import_seconds": imported - started,
        "accrue_seconds": finished - imported,
        "events_per_second": events / (finished - started),
    }


def run_raw(url: str, events: int, aggregates: int) -> dict[str, float]:
    target = parse_database_url(url)
    environment = dict(target.environment)
    # The baseline is the library as it ships: its own recorder, without the ledger's chain.
    environment.pop("APPLICATION_RECORDER_TOPIC", None)
    if target.is_postgres:
        environment["POSTGRES_SCHEMA"] = f"rawbench_{uuid.uuid4().hex[:8]}"
        create_schema(target, environment["POSTGRES_SCHEMA"])
    app = RawApplication(env=environment)
    per_aggregate = events // aggregates
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        written = 0
        per_batch = (
            RAW_SAVE_BATCH_AGGREGATES_POSTGRES if target.is_postgres else RAW_SAVE_BATCH_AGGREGATES
        )
        for first in range(0, aggregates, per_batch):
            batch = []
            for _ in range(first, min(first + per_batch, aggregates)):
                aggregate = Minimal()
                for _ in range(per_aggregate - 1):
                    aggregate.tick(Decimal("136.99"))
                batch.append(aggregate)
            app.save(*batch)
            written += len(batch) * per_aggregate
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        app.close()
    return {
        "events": written,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "events_per_second": written / seconds,
    }


# The schemas this process named on PostgreSQL: only they are dropped at the end, since other
# benchmarks may be running on the same server with schemas of the same prefixes.
NAMED_SCHEMAS: set[str] = set()


def create_schema(target, schema: str) -> None:
    NAMED_SCHEMAS.add(schema)
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def drop_schemas(prefixes: tuple[str, ...] = ("bench_", "rawbench_")) -> None:
    """Remove the schemas this benchmark process created on PostgreSQL."""
    target = parse_database_url(database_url("postgres", Path("."), "cleanup"))
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        names = [row[0] for row in connection.execute("SELECT nspname FROM pg_namespace")]
        for name in names:
            if name.startswith(prefixes) and name in NAMED_SCHEMAS:
                connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


# The as-of and reports runs' schemas: not under `bench_`, which `drop_schemas` of any other
# run on the same server removes, whoever is using them.
OWN_SCHEMA_PREFIX = "planledger_bench"


def drop_schema_of(url: str) -> None:
    """Remove the one schema of `url` on PostgreSQL (not every bench schema: other runs on the
    same server may be using theirs)."""
    target = parse_database_url(url)
    if not target.is_postgres or not target.postgres_schema:
        return
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(target.postgres_schema)
            )
        )


def database_url(kind: str, folder: Path, name: str, schema_prefix: str = "bench") -> str:
    """A fresh database; on PostgreSQL a schema named `schema_prefix`_NAME_RANDOM (a run whose
    schema must outlive another run's `drop_schemas` takes a prefix of its own)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / name}.db"
    base = os.environ.get(
        "PLANLEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    schema = f"{schema_prefix}_{name}_{uuid.uuid4().hex[:8]}"
    NAMED_SCHEMAS.add(schema)
    return f"{base}?schema={schema}"


def measure_rebuild(url: str, until_position: int | None) -> dict[str, Any]:
    """Rebuild every read model (up to a position), timing it and reporting peak memory, and
    the peak so far each time the rebuild passes another million events (one long rebuild
    then shows whether its memory grows with the log)."""
    from bench_rebuild import MemoryCurve, peak_rss_mib

    curve = MemoryCurve(every_events=1_000_000)
    with opened(url, "bench") as ledger:
        started, cpu_started = time.perf_counter(), time.process_time()
        done = ledger.read_models.rebuild(progress=curve.passed, until_position=until_position)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "events": done.events,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # the process's own: less noisy on a shared machine
        "peak_rss_mib": peak_rss_mib(),
        "peak_rss_mib_by_events": curve.samples,
    }


def rebuild_in_child(url: str, until_position: int | None) -> dict[str, Any]:
    """`measure_rebuild` in a fresh process, so that its peak memory is the rebuild's own."""
    command = [sys.executable, __file__, "--measure-rebuild", url]
    if until_position is not None:
        command.append(str(until_position))
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout)


def run_rebuild_against_bean_check(url: str, folder: Path) -> dict[str, Any]:
    """Rebuild the read models from the log, and time bean-check on the same books (the fund's
    and the Distributor's files together)."""
    entities = ("fund", "distributor")
    with opened(url, "bench") as ledger:
        head = ledger.store.recorder.max_notification_id() or 0
        ledger.read_models.catch_up()
        started = time.perf_counter()
        transactions = 0
        for entity in entities:
            with (folder / f"{entity}.beancount").open("w") as handle:
                transactions += export_beancount(
                    ledger.read_models.engine, handle, "benchmark", entity
                )
        export_seconds = time.perf_counter() - started
    from bench_rebuild import against_decode, decode_baseline

    decodes = [decode_baseline(url)]
    half = rebuild_in_child(url, head // 2)
    full = rebuild_in_child(url, None)
    decodes.append(decode_baseline(url))
    from bench_rebuild import children_cpu_seconds

    started, cpu_started = time.perf_counter(), children_cpu_seconds()
    for entity in entities:
        subprocess.run(
            [str(Path(sys.executable).parent / "bean-check"), str(folder / f"{entity}.beancount")],
            check=True,
            capture_output=True,
        )
    bean_check_seconds = time.perf_counter() - started
    bean_check_cpu_seconds = children_cpu_seconds() - cpu_started
    return {
        "events": full["events"],
        "rebuild_seconds": full["seconds"],
        "rebuild_events_per_second": full["events"] / full["seconds"],
        "rebuild_peak_rss_mib_half_log": half["peak_rss_mib"],
        "rebuild_peak_rss_mib_whole_log": full["peak_rss_mib"],
        "beancount_transactions": transactions,
        "beancount_export_seconds": export_seconds,
        "bean_check_seconds": bean_check_seconds,
        "ratio_bean_check_to_rebuild": bean_check_seconds / full["seconds"],
        "bean_check_cpu_seconds": bean_check_cpu_seconds,
        "ratio_bean_check_to_rebuild_cpu": bean_check_cpu_seconds / full["cpu_seconds"],
        **against_decode(full, decodes),
    }


# ---- as-of reconstruction (docs/audit.md §1) -----------------------------------------------

AS_OF_FIRST_YEAR = 2005


def approve_continuance(ledger: Ledger, company: str, keys: list[str], year: int) -> None:
    """The board continues the plan for the next calendar plan year (ELEVENTH)."""
    directors = ["D-1", "D-2", "D-3"]
    meeting = MeetingRecord(
        meeting_id=f"{company}-continuance-{year + 1}",
        meeting_date=date(year, 12, 15),
        called_for_plan=True,
        agenda=["continuance of the plan"],
        attendance={code: AttendanceMode.PHYSICAL for code in directors},
        relief=NO_RELIEF,
        minutes_reference=f"minutes of {year}-12-15",
        resolutions=[
            ResolutionRecord(
                resolution_id=f"{company}-continuance-{year + 1}-1",
                kind=ResolutionKind.CONTINUANCE,
                fund_classes=keys,
                text="continued",
                votes={code: Vote.FOR for code in directors},
                terms={"covers_through": date(year + 1, 12, 31), "retroactive": False},
            )
        ],
    )
    ledger.boards.record_meeting(RecordMeeting(company, meeting, source="bench"))


def long_history(url: str, folder: Path, years: int) -> tuple[str, float]:
    """One fund class with `years` years of daily history, recorded a year per step (net
    assets, the next year's continuance, the accruals, twelve monthly payments)."""
    plan, _ = write_inputs(folder, 1, AS_OF_FIRST_YEAR)
    started = time.perf_counter()
    with opened(url, "bench", create=True) as ledger:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
        approve_every_company(ledger)
        key = ledger.view.fund_class_keys()[0]
        company = ledger.view.fund_classes()[0].company_code
        for year in range(AS_OF_FIRST_YEAR, AS_OF_FIRST_YEAR + years):
            csv_path = folder / f"net-assets-{year}.csv"
            with csv_path.open("w") as handle:
                handle.write("fund,class,date,net_assets\n")
                day = date(year, 1, 1) - timedelta(days=3)
                while day <= date(year, 12, 31):
                    if day.weekday() < 5:
                        cents = 1_000_000_000 + (day.toordinal() % 1000) * 98_765
                        handle.write(f"F00000,R,{day},{cents // 100}.{cents % 100:02d}\n")
                    day += timedelta(days=1)
            ledger.figures.import_net_assets(ImportNetAssets(read_csv(csv_path, NetAssetsRow)))
            approve_continuance(ledger, company, [key], year)
            ledger.accruals.accrue(Accrue(date(year, 12, 31), max_carry_days=5))
            for month in range(1, 13):
                period = Period(date(year, month, 1), date(year + month // 12, month % 12 + 1, 1))
                ledger.payments.pay_distributor(
                    PayDistributor(
                        fund_code="F00000",
                        share_class="R",
                        amount=None,
                        paid_on=period.end_exclusive,
                        period=period,
                        reference=f"WIRE-{year}-{month:02d}",
                    )
                )
        ledger.read_models.catch_up()
    return key, time.perf_counter() - started


def full_replay_seconds(store: Any, stream_id: uuid.UUID) -> tuple[float, int]:
    """Rebuild the class from its first event, without snapshots."""
    started = time.perf_counter()
    aggregate, count = None, 0
    for domain_event in store.events.get(stream_id):
        aggregate = domain_event.mutate(aggregate)
        count += 1
    return time.perf_counter() - started, count


def run_as_of(url: str, folder: Path, years: int, samples: int) -> dict[str, Any]:
    from adapters.readside.point_in_time import fund_class_as_of
    from domain.ids import fund_class_id

    key, build_seconds = long_history(url, folder, years)
    with opened(url, "bench") as ledger:
        store = ledger.store
        stream_id = fund_class_id(*key.split("/", 1))
        replays = [full_replay_seconds(store, stream_id) for _ in range(3)]
        replay_seconds = statistics.median(seconds for seconds, _ in replays)
        head = store.head_position()
        randomly = __import__("random").Random(12)
        first, last = date(AS_OF_FIRST_YEAR, 1, 1), date(AS_OF_FIRST_YEAR + years - 1, 12, 31)
        timings = []
        for _ in range(samples):
            as_of = first + timedelta(days=randomly.randrange((last - first).days + 1))
            position = randomly.randrange(head // 20, head + 1)
            started = time.perf_counter()
            found = fund_class_as_of(ledger.view.as_known_at(position), key, as_of)
            timings.append(time.perf_counter() - started)
            assert found.fund_class == key
    timings.sort()
    median = statistics.median(timings)
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return {
        "years": years,
        "stream_events": replays[0][1],
        "log_events": head,
        "build_seconds": build_seconds,
        "full_replay_seconds": replay_seconds,
        "as_of_samples": samples,
        "as_of_median_seconds": median,
        "as_of_p95_seconds": p95,
        "ratio_full_replay_to_median": replay_seconds / median,
    }


def main_as_of(arguments: argparse.Namespace) -> None:
    """Each of --years (default 20,40) in its own ledger, printed with its ratio."""
    results = []
    for years in [int(part) for part in str(arguments.years).split(",")]:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            url = database_url(arguments.db, folder, "asof", OWN_SCHEMA_PREFIX)
            result = run_as_of(url, folder, years, arguments.samples)
            drop_schema_of(url)
        result.update({"benchmark": "as-of", "database": arguments.db})
        print_as_of(result, arguments.db)
        results.append(result)
    out_file = arguments.out / f"bench-as-of-{arguments.db}.json"
    out_file.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out_file}")


def print_as_of(result: dict[str, Any], db: str) -> None:
    print(
        f"one fund class, {result['years']} years of daily history ({db}): "
        f"{result['stream_events']:,} events in its stream"
    )
    print(
        f"full replay of the class:  {result['full_replay_seconds'] * 1000:,.0f} ms (median of 3)"
    )
    print(
        f"as-of at {result['as_of_samples']} random (business date, known-at) pairs: "
        f"median {result['as_of_median_seconds'] * 1000:.1f} ms, "
        f"p95 {result['as_of_p95_seconds'] * 1000:.1f} ms  (goal: median at most 50 ms)"
    )
    print(
        f"ratio full replay/as-of median: {result['ratio_full_replay_to_median']:.1f}  "
        f"(goal: at least 10)"
    )


def main_reconcile(arguments: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_reconcile import print_reconcile, run_reconcile

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        result = run_reconcile(
            sys.modules[__name__],
            database_url(arguments.db, folder, "reconcile"),
            folder,
            arguments.fund_classes,
            arguments.statement_lines,
            profile=arguments.profile,
        )
        if arguments.db == "postgres":
            drop_schemas(("bench_",))
    profile = result.pop("profile")
    result.update({"benchmark": "reconcile", "database": arguments.db,
                   "python": platform.python_version()})  # fmt: skip
    print_reconcile(result)
    if profile:
        print(profile)
    out_file = arguments.out / f"bench-reconcile-{arguments.db}.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


def main_reports(arguments: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_reports import print_reports, run_reports

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        url = database_url(arguments.db, folder, "reports", OWN_SCHEMA_PREFIX)
        result = run_reports(sys.modules[__name__], url, folder, arguments.fund_classes)
        drop_schema_of(url)
    result.update({"benchmark": "reports", "database": arguments.db,
                   "python": platform.python_version()})  # fmt: skip
    print_reports(result)
    out_file = arguments.out / f"bench-reports-{arguments.db}.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


def main_cli(arguments: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_cli import measure_cli, print_cli

    result = measure_cli(arguments.ledger, arguments.baseline)
    print_cli(result)
    out_file = arguments.out / "bench-cli.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


def main_serve(arguments: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_serve import measure_serve, print_serve

    result = measure_serve(arguments.ledger, arguments.clients, arguments.requests)
    print_serve(result)
    out_file = arguments.out / "bench-serve.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="planledger ingest and rebuild benchmark")
    parser.add_argument("fund_classes", nargs="?", type=int, default=1000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--out", type=Path, default=Path("bench-output"))
    parser.add_argument(
        "--as-of",
        action="store_true",
        help="instead: one class with --years of history, as-of reconstruction vs full replay",
    )
    parser.add_argument(
        "--ingest-only", action="store_true", help="skip the rebuild and bean-check comparison"
    )
    parser.add_argument(
        "--cli",
        action="store_true",
        help="instead: the command line's start-up against python -c pass (scripts/bench_cli.py)",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="instead: the web workbench under --clients concurrent clients (bench_serve.py)",
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument(
        "--ledger", type=Path, help="with --cli or --serve: a ledger (default: the demo's)"
    )
    parser.add_argument(
        "--baseline", type=Path, help="with --cli: another checkout measured in the same rounds"
    )
    parser.add_argument(
        "--reconcile",
        action="store_true",
        help="instead: the matcher against a plain SQL join of the same statements' lines",
    )
    parser.add_argument(
        "--reports",
        action="store_true",
        help="instead: the quarterly report of every class, JSON alone against every format",
    )
    parser.add_argument("--statement-lines", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="with --reconcile: profile the run")
    parser.add_argument(
        "--years",
        default="20,40",
        help="with --as-of: comma-separated lengths of history; with --memory: one length",
    )
    parser.add_argument(
        "--writers", metavar="1,2,4,8", help="instead: writer processes on one PostgreSQL ledger"
    )
    parser.add_argument(
        "--stream-chains", action="store_true", help="with --writers: and per stream"
    )
    parser.add_argument("--samples", type=int, default=100)
    from bench_rebuild import add_memory_arguments

    add_memory_arguments(parser)
    return parser.parse_args()


def executemany_runs(
    kind: str, folder: Path, ledger_url: str, ledger: dict[str, float]
) -> list[dict[str, float]]:
    """The ledger's stored rows, inserted twice by a raw `executemany` (scripts/bench_ingest.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_ingest import ledger_rows, run_raw_executemany

    rows = ledger_rows(ledger_url, int(ledger["log_position_before"]))
    bench = sys.modules[__name__]
    return [run_raw_executemany(bench, kind, folder, f"many{index}", rows) for index in (1, 2)]


def cpu_ratio(ledger: dict[str, float], baselines: list[dict[str, float]]) -> float:
    baseline_cpu_per_event = statistics.mean(
        run["cpu_seconds"] / run["events"] for run in baselines
    )
    return baseline_cpu_per_event / (ledger["cpu_seconds"] / ledger["events"])


def run_ingest(arguments: argparse.Namespace) -> dict[str, Any]:
    """The ledger's ingest against the raw library's, and the rebuild against bean-check."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        plan, csv_path = write_inputs(folder, arguments.fund_classes)
        raw_before = run_raw(database_url(arguments.db, folder, "raw1"), 10_000, 20)  # warm-up
        ledger_url = database_url(arguments.db, folder, "ledger")
        ledger = run_ledger(ledger_url, plan, csv_path)
        raws = [
            run_raw(
                database_url(arguments.db, folder, f"raw{index}"),
                int(ledger["events"]),
                arguments.fund_classes,
            )
            for index in (2, 3)
        ]
        executemany = executemany_runs(arguments.db, folder, ledger_url, ledger)
        rebuild = (
            None if arguments.ingest_only else run_rebuild_against_bean_check(ledger_url, folder)
        )
        from bench_sizes import storage

        sizes = storage(ledger_url, int(ledger["events"]))
        if arguments.db == "postgres":
            drop_schemas()
    raw_rate = statistics.mean(raw["events_per_second"] for raw in raws)
    executemany_rate = statistics.mean(run["events_per_second"] for run in executemany)
    return {
        "benchmark": "ingest",
        "database": arguments.db,
        "fund_classes": arguments.fund_classes,
        "year": YEAR,
        "ledger": ledger,
        "raw_library_runs": raws,
        "raw_library_events_per_second": raw_rate,
        "ratio_ledger_to_raw": ledger["events_per_second"] / raw_rate,
        "raw_executemany_runs": executemany,
        "raw_executemany_events_per_second": executemany_rate,
        "ratio_ledger_to_executemany": ledger["events_per_second"] / executemany_rate,
        # The same ratios by this process's CPU seconds: all the work on SQLite, the client's
        # alone on PostgreSQL.
        "cpu_ratio_ledger_to_raw": cpu_ratio(ledger, raws),
        "cpu_ratio_ledger_to_executemany": cpu_ratio(ledger, executemany),
        "storage": sizes,
        "python": platform.python_version(),
        "warm_up_events_per_second": raw_before["events_per_second"],
        "rebuild": rebuild,
    }


def print_ingest(result: dict[str, Any]) -> None:
    ledger, rebuild = result["ledger"], result["rebuild"]
    print(f"fund classes:       {result['fund_classes']} ({result['database']}, one year)")
    print(
        f"ledger ingest:      {ledger['events']:,} events in {ledger['seconds']:.1f} s "
        f"= {ledger['events_per_second']:,.0f} events/s "
        f"(import {ledger['import_seconds']:.1f} s, accrue {ledger['accrue_seconds']:.1f} s)"
    )
    print(
        f"raw library save:   {result['raw_library_events_per_second']:,.0f} events/s "
        f"(mean of {len(result['raw_library_runs'])} runs)"
    )
    print(f"ratio ledger/raw:   {result['ratio_ledger_to_raw']:.2f}  (goal: at least 0.80)")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_ingest import print_executemany

    print_executemany(result)
    from bench_sizes import print_storage

    print_storage(result["storage"])
    if rebuild is not None:
        print(
            f"rebuild read models: {rebuild['events']:,} events in "
            f"{rebuild['rebuild_seconds']:.1f} s; "
            f"peak memory {rebuild['rebuild_peak_rss_mib_half_log']:.0f} MiB for half the log, "
            f"{rebuild['rebuild_peak_rss_mib_whole_log']:.0f} MiB for all of it"
        )
        print(
            f"bean-check:         {rebuild['beancount_transactions']:,} transactions in "
            f"{rebuild['bean_check_seconds']:.1f} s"
        )
        print(
            f"ratio bean-check/rebuild: {rebuild['ratio_bean_check_to_rebuild']:.2f}  "
            f"(goal: at least 6; in CPU time {rebuild['ratio_bean_check_to_rebuild_cpu']:.2f})"
        )
        from bench_rebuild import print_against_decode

        print_against_decode(rebuild)


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "--measure-rebuild":
        until = int(sys.argv[3]) if len(sys.argv) > 3 else None
        print(json.dumps(measure_rebuild(sys.argv[2], until)))
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "--measure-decode":
        from bench_rebuild import measure_decode

        until = int(sys.argv[3]) if len(sys.argv) > 3 else None
        print(json.dumps(measure_decode(sys.argv[2], until)))
        return
    arguments = parse_arguments()
    arguments.out.mkdir(parents=True, exist_ok=True)
    if arguments.as_of:
        main_as_of(arguments)
        return
    if arguments.cli:
        main_cli(arguments)
        return
    if arguments.serve:
        main_serve(arguments)
        return
    if arguments.reconcile:
        main_reconcile(arguments)
        return
    if arguments.writers:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_writers import main_writers

        main_writers(
            sys.modules[__name__],
            arguments.fund_classes,
            arguments.writers,
            arguments.out,
            arguments.stream_chains,
        )
        return
    if arguments.memory:
        from bench_rebuild import main_memory

        main_memory(sys.modules[__name__], arguments)
        return
    if arguments.reports:
        main_reports(arguments)
        return
    result = run_ingest(arguments)
    print_ingest(result)
    out_file = arguments.out / f"bench-ingest-{arguments.db}.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


if __name__ == "__main__":
    main()
