#!/usr/bin/env python3
"""Writer scaling on PostgreSQL: 1, 2, 4, 8 processes ingesting different fund classes.

For each writer count W, a fresh ledger (its own schema) is given the plan of FUND_CLASSES
classes and the boards' approvals (not timed); the classes are then dealt round-robin to W
processes, which start together and each import the net assets of their own classes and
accrue them for the year (as the ingest bench does for all of them in one process). The figure
is the total of events written over the wall time from the first start to the last finish.

Every event is chained to the one before it across the whole log, so each save takes one
advisory lock for its transaction (adapters/store/chain_postgres.py). Each writer times the
wait for that lock and the time it holds it (the rest of its save's transaction), so the run
shows whether writers queue on the lock or on the machine's cores.

With --stream-chains, each count is run a second time through the prototype of per-stream
chains (scripts/bench_stream_chain.py), whose saves hash one record under the lock, not each
event.

Usage: scripts/bench.py --writers 1,2,4,8 [--stream-chains] [FUND_CLASSES] [--out DIR]
(the child mode, `--writer-child URL CSV KEYS`, is this script run by itself).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

WRITER_TIMEOUT_SECONDS = 3600


def instrument(recorder: Any, totals: dict[str, float]) -> None:
    """Time the chain lock on this recorder: the wait for it, and its hold from the moment it
    is granted to the end of the save's transaction (the commit, which releases it)."""
    take_lock, insert_events = recorder._lock_table, recorder.insert_events
    granted_at: list[float] = []

    def timed_lock(curs: Any) -> None:
        started = time.perf_counter()
        take_lock(curs)
        granted_at.append(time.perf_counter())
        totals["lock_wait_seconds"] += granted_at[-1] - started

    def timed_insert(stored_events: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        positions = insert_events(stored_events, **kwargs)
        finished = time.perf_counter()
        totals["save_transaction_seconds"] += finished - started
        totals["lock_held_seconds"] += finished - granted_at.pop()
        totals["saves"] += 1
        totals["events"] += len(stored_events)
        return positions

    recorder._lock_table = timed_lock
    recorder.insert_events = timed_insert
    chain_records = getattr(recorder, "_fetch_ids_after_insert_events", None)
    if chain_records is None:
        return

    def timed_chain(curs: Any, stored_events: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        positions = chain_records(curs, stored_events, **kwargs)
        totals["chain_seconds"] += time.perf_counter() - started
        return positions

    recorder._fetch_ids_after_insert_events = timed_chain


def run_writer_child(url: str, csv_path: Path, keys: list[str], chain: str) -> None:
    """One writer: open the ledger, say ready, wait for go, import and accrue its classes.
    `chain` "stream": through the per-stream chain's prototype (bench_stream_chain.py)."""
    from bench import YEAR

    from adapters.application.commands import Accrue, ImportNetAssets
    from adapters.application.compose import opened
    from adapters.inputs.csv_files import NetAssetsRow, read_csv

    totals = {"lock_wait_seconds": 0.0, "lock_held_seconds": 0.0, "chain_seconds": 0.0,
              "save_transaction_seconds": 0.0, "saves": 0, "events": 0}  # fmt: skip
    with opened(url, "bench") as ledger:
        if chain == "stream":
            __import__("bench_stream_chain").install(ledger.store.recorder, totals)
        instrument(ledger.store.recorder, totals)
        rows = read_csv(csv_path, NetAssetsRow)
        print("ready", flush=True)
        sys.stdin.readline()
        started_at, started = time.time(), time.perf_counter()
        ledger.figures.import_net_assets(ImportNetAssets(rows))
        ledger.accruals.accrue(Accrue(date(YEAR, 12, 31), max_carry_days=4, fund_classes=keys))
        seconds = time.perf_counter() - started
    print(json.dumps({**totals, "started_at": started_at, "seconds": seconds}), flush=True)


def split_inputs(csv_path: Path, folder: Path, writers: int) -> list[tuple[Path, list[str]]]:
    """The net-assets CSV dealt into `writers` files by fund class, round-robin."""
    lines = csv_path.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    funds = sorted({row.split(",", 1)[0] for row in rows})
    owner = {fund: index % writers for index, fund in enumerate(funds)}
    parts: list[list[str]] = [[] for _ in range(writers)]
    for row in rows:
        parts[owner[row.split(",", 1)[0]]].append(row)
    inputs = []
    for index, part in enumerate(parts):
        path = folder / f"net-assets-{writers}-{index}.csv"
        path.write_text("\n".join([header, *part]) + "\n")
        keys = [f"{fund}/R" for fund in funds if owner[fund] == index]
        inputs.append((path, keys))
    return inputs


def prepare_ledger(bench: Any, url: str, plan: Path, chain: str) -> None:
    from adapters.application.commands import LoadPlan
    from adapters.application.compose import opened
    from adapters.inputs.plan_file import read_plan

    with opened(url, "bench", create=True) as ledger:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
        bench.approve_every_company(ledger)
        if chain == "stream":
            __import__("bench_stream_chain").create_tables(ledger.store.recorder)


def ledger_url(schemas: list[str]) -> str:
    """A fresh schema, named apart from the other benches' (`bench_`), which drop all of
    theirs when they finish: a bench running beside this one must not drop its ledger."""
    base = os.environ.get(
        "PLANLEDGER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    schemas.append(f"writersbench_{uuid.uuid4().hex[:12]}")
    return f"{base}?schema={schemas[-1]}"


def drop_own_schemas(schemas: list[str]) -> None:
    import psycopg
    from psycopg import sql

    from adapters.store.persistence import parse_database_url, psycopg_conninfo

    target = parse_database_url(ledger_url([]))
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        for name in schemas:
            statement = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
            connection.execute(statement)


def run_writers(
    bench: Any,
    folder: Path,
    inputs: tuple[Path, Path],
    writers: int,
    *,
    schemas: list[str],
    chain: str = "global",
) -> dict[str, Any]:
    """W writer processes on a fresh ledger; their total rate and how long they queued."""
    plan, csv_path = inputs
    url = ledger_url(schemas)
    prepare_ledger(bench, url, plan, chain)
    children = []
    for part, keys in split_inputs(csv_path, folder, writers):
        keys_file = part.with_suffix(".keys")
        keys_file.write_text("\n".join(keys))
        command = [sys.executable, __file__, "--writer-child", url, str(part), str(keys_file)]
        command.append(chain)
        children.append(
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        )
    for child in children:  # every writer has its ledger open and its file read
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        output, _ = child.communicate(timeout=WRITER_TIMEOUT_SECONDS)
        if child.returncode != 0:
            raise RuntimeError(f"a writer failed with exit code {child.returncode}")
        results.append(json.loads(output.strip().splitlines()[-1]))
    first = min(result["started_at"] for result in results)
    last = max(result["started_at"] + result["seconds"] for result in results)
    events = sum(int(result["events"]) for result in results)
    busy = sum(result["seconds"] for result in results)
    wait = sum(result["lock_wait_seconds"] for result in results)
    held = sum(result["lock_held_seconds"] for result in results)
    chain_seconds = sum(result["chain_seconds"] for result in results)
    return {
        "chain": chain,
        "writers": writers,
        "chain_share_of_lock_held": chain_seconds / held,
        "lock_held_seconds": held,
        "events": events,
        "wall_seconds": last - first,
        "events_per_second": events / (last - first),
        "lock_wait_share": wait / busy,
        "lock_held_share_of_wall": held / (last - first),
        "per_writer": results,
    }


def measure_writers(
    bench: Any, fund_classes: int, counts: list[int], chains: Sequence[str] = ("global",)
) -> dict[str, Any]:
    """The curve for each chain layout, the layouts run by turns at each writer count so
    that drift on a noisy machine affects them alike."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        inputs = bench.write_inputs(folder, fund_classes)
        schemas: list[str] = []
        try:
            curve = [
                run_writers(bench, folder, inputs, count, schemas=schemas, chain=chain)
                for count in counts
                for chain in chains
            ]
        finally:
            drop_own_schemas(schemas)
    one = next((point for point in curve if point["writers"] == 1), curve[0])
    for point in curve:  # to one writer of today's (global) chain
        point["ratio_to_one_writer"] = point["events_per_second"] / one["events_per_second"]
    return {"benchmark": "writers", "database": "postgres", "fund_classes": fund_classes,
            "curve": curve}  # fmt: skip


def print_writers(result: dict[str, Any]) -> None:
    print(f"writers on one PostgreSQL ledger, {result['fund_classes']} fund classes, one year")
    print(
        "chain  writers   events   wall s   events/s   ratio to 1   lock wait   lock held/wall"
        "  chain/held"
    )
    for point in result["curve"]:
        print(
            f"{point['chain']:<6} {point['writers']:>7} {point['events']:>8,} "
            f"{point['wall_seconds']:>8.1f} "
            f"{point['events_per_second']:>10,.0f} {point['ratio_to_one_writer']:>12.2f} "
            f"{point['lock_wait_share']:>10.0%} {point['lock_held_share_of_wall']:>15.0%} "
            f"{point['chain_share_of_lock_held']:>12.0%}"
        )
    print(
        "lock wait: the writers' time waiting for the chain lock, over their time; lock held/wall:"
        " the time some writer held it, over the run's wall time (100% = the lock is the limit);"
        " chain/held: the share of the lock's time spent on the chain (its head, the hashes, its"
        " rows)"
    )


def main_writers(
    bench: Any, fund_classes: int, counts_text: str, out: Path, stream_chains: bool = False
) -> None:
    counts = [int(count) for count in counts_text.split(",") if count]
    chains = ("global", "stream") if stream_chains else ("global",)
    result = measure_writers(bench, fund_classes, counts, chains)
    print_writers(result)
    out_file = out / "bench-writers-postgres.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "--writer-child":
    run_writer_child(
        sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]).read_text().split(), sys.argv[5]
    )
