"""Rebuild benchmark parts: the log read and decoded with no projection work (the rebuild's
own floor), and the rebuild's peak memory on a ledger of many years (docs/performance.md).

The decode baseline selects the notifications in the pages the rebuild selects them in and
turns every one into its domain event with the ledger's own mapper (adapters/store/
event_codec.py), keeping none: what any rebuild must do before its first row. The rebuild is
compared with it in the same run.

`scripts/bench.py --memory` generates once a ledger of FUND_CLASSES classes over --years
years (kept in --ledger-folder, reused when present; it is not part of CI), then rebuilds
every read model up to the last of --positions (notification ids) in a fresh process and
records its peak resident memory as it passes each million events, to show whether the
memory stays flat as the log grows (the slope is taken from the first of --positions on).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from adapters.application.commands import Accrue, ImportNetAssets, LoadPlan
from adapters.application.compose import Ledger, opened
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.plan_file import read_plan
from adapters.readside.read_models import BATCH_NOTIFICATIONS

DECODE_FLAG = "--measure-decode"
REBUILD_FLAG = "--measure-rebuild"
MEMORY_FIRST_YEAR = 2005
DEFAULT_MEMORY_POSITIONS = "1000000,2000000,4000000"


def peak_rss_mib() -> float:
    """This process's own peak resident memory. Not `ru_maxrss`: on Linux it survives exec, so
    a child started by a parent of 300 MiB (the ingest before it) reported the parent's peak
    as its own. VmHWM is the peak of the process's own address space."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class MemoryCurve:
    """A rebuild's progress hook: the process's peak memory so far each time the rebuild passes
    another `every_events` events, as [events done, peak MiB] pairs."""

    def __init__(self, every_events: int) -> None:
        self.every_events = every_events
        self.next_mark = every_events
        self.samples: list[list[float]] = []

    def passed(self, done: int, total: int) -> None:
        if done >= self.next_mark or (done == total and done > 0):
            self.samples.append([done, round(peak_rss_mib(), 1)])
            self.next_mark = (done // self.every_events + 1) * self.every_events


def children_cpu_seconds() -> float:
    """The CPU time of every child process this one has waited for (bean-check's, here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_decode(url: str, until_position: int | None) -> dict[str, float]:
    """Read the log in the rebuild's pages and decode every event, keeping none."""
    with opened(url, "bench") as ledger:
        recorder, mapper = ledger.store.recorder, ledger.store.mapper
        head = recorder.max_notification_id() or 0
        if until_position is not None:
            head = min(head, until_position)
        started, cpu_started = time.perf_counter(), time.process_time()
        position, events = 0, 0
        while position < head:
            notifications = recorder.select_notifications(
                start=position, limit=BATCH_NOTIFICATIONS, stop=head, inclusive_of_start=False
            )
            if not notifications:
                break
            for notification in notifications:
                mapper.to_domain_event(notification)
            events += len(notifications)
            position = notifications[-1].id
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "events": events,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


def in_child(flag: str, url: str, until_position: int | None) -> dict[str, Any]:
    """One measurement in a fresh process (scripts/bench.py FLAG URL [POSITION]), so that its
    peak memory is its own."""
    command = [sys.executable, str(Path(__file__).with_name("bench.py")), flag, url]
    if until_position is not None:
        command.append(str(until_position))
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    measured: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return measured


def decode_baseline(url: str) -> dict[str, float]:
    return in_child(DECODE_FLAG, url, None)


def against_decode(rebuild: dict[str, float], decodes: list[dict[str, float]]) -> dict[str, Any]:
    """The rebuild's rate against the decode baseline's (the mean of the runs around it)."""
    decode_rate = sum(run["events"] / run["seconds"] for run in decodes) / len(decodes)
    decode_cpu_rate = sum(run["events"] / run["cpu_seconds"] for run in decodes) / len(decodes)
    return {
        "decode_runs": decodes,
        "decode_events_per_second": decode_rate,
        "ratio_rebuild_to_decode": rebuild["events"] / rebuild["seconds"] / decode_rate,
        # The same ratio in each process's own CPU time: what the code costs, without the
        # waits for the disk and for the other processes on a shared machine.
        "ratio_rebuild_to_decode_cpu": rebuild["events"] / rebuild["cpu_seconds"] / decode_cpu_rate,
    }


def print_against_decode(rebuild: dict[str, Any]) -> None:
    print(
        f"read+decode log:    {rebuild['decode_runs'][0]['events']:,} events at "
        f"{rebuild['decode_events_per_second']:,.0f} events/s; rebuild at "
        f"{rebuild['rebuild_events_per_second']:,.0f} events/s"
    )
    print(
        f"ratio rebuild/decode: {rebuild['ratio_rebuild_to_decode']:.2f}  (goal: at least 0.50; "
        f"in CPU time {rebuild['ratio_rebuild_to_decode_cpu']:.2f})"
    )


# ---- memory on a long ledger -------------------------------------------------------------------


def write_year_net_assets(path: Path, fund_classes: int, year: int) -> None:
    """Every class's net assets on each weekday of the year (and the days just before it)."""
    days, day = [], date(year, 1, 1) - timedelta(days=3)
    while day <= date(year, 12, 31):
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    with path.open("w") as handle:
        handle.write("fund,class,date,net_assets\n")
        for fund in range(fund_classes):
            base = 1_000_000_000 + fund * 1_234_567
            for day in days:
                cents = base + (day.toordinal() % 1000) * 98_765
                handle.write(f"F{fund:05d},R,{day},{cents // 100}.{cents % 100:02d}\n")


def continue_every_company(bench: Any, ledger: Ledger, year: int) -> None:
    companies: dict[str, list[str]] = {}
    for fund_class in ledger.view.fund_classes():
        companies.setdefault(fund_class.company_code, []).append(fund_class.key)
    for company, keys in companies.items():
        bench.approve_continuance(ledger, company, keys, year)


def generate_long_ledger(bench: Any, folder: Path, fund_classes: int, years: int) -> str:
    """The ledger of `fund_classes` classes over `years` years, written once into `folder`
    and reused: a year at a time (net assets, the next year's continuance, the accruals).
    `bench` is scripts/bench.py's module (its plan writer and board approvals)."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / f"ledger-{fund_classes}x{years}.db"
    url = f"sqlite:///{database}"
    done_mark = database.with_suffix(".done")
    if done_mark.exists():
        return url
    database.unlink(missing_ok=True)
    plan, _ = bench.write_inputs(folder, fund_classes, MEMORY_FIRST_YEAR)
    with opened(url, "bench", create=True) as ledger:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
        bench.approve_every_company(ledger)
        for year in range(MEMORY_FIRST_YEAR, MEMORY_FIRST_YEAR + years):
            started = time.perf_counter()
            csv_path = folder / "net-assets-year.csv"
            write_year_net_assets(csv_path, fund_classes, year)
            ledger.figures.import_net_assets(ImportNetAssets(read_csv(csv_path, NetAssetsRow)))
            continue_every_company(bench, ledger, year)
            ledger.accruals.accrue(Accrue(date(year, 12, 31), max_carry_days=5))
            head = ledger.store.recorder.max_notification_id() or 0
            print(
                f"  generated {year}: {head:,} events ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    done_mark.write_text("complete\n")
    return url


def run_memory(bench: Any, arguments: argparse.Namespace) -> dict[str, Any]:
    """Peak memory of one rebuild of the long ledger up to the last of --positions, in a new
    process, read as it passes each million events: the peak so far at 1 million and at 10
    million is what separate rebuilds to those positions would show, at a fraction of the
    rebuilding."""
    # --years is one length here (as-of takes a list): the first, 20 by default.
    years = int(str(arguments.years).split(",")[0])
    url = generate_long_ledger(bench, arguments.ledger_folder, arguments.fund_classes, years)
    with opened(url, "bench") as ledger:
        head = ledger.store.recorder.max_notification_id() or 0
    positions = [int(text) for text in arguments.positions.split(",")]
    until = min(max(positions), head)
    run = in_child(REBUILD_FLAG, url, until)
    curve = [(int(done), mib) for done, mib in run["peak_rss_mib_by_events"]]
    print(f"rebuild to {until:,}: {run['events']:,} events in {run['seconds']:.0f} s")
    for done, mib in curve:
        print(f"  peak after {done:>11,} events: {mib:.0f} MiB", flush=True)
    result: dict[str, Any] = {
        "benchmark": "rebuild-memory",
        "fund_classes": arguments.fund_classes,
        "years": years,
        "ledger_events": head,
        "run": run,
    }
    at_positions = [(done, mib) for done, mib in curve if done >= min(positions)]
    if len(at_positions) >= 2:
        (first_done, first_mib), (last_done, last_mib) = at_positions[0], at_positions[-1]
        result["peak_mib_per_million_events"] = (
            (last_mib - first_mib) / (last_done - first_done) * 1_000_000
        )
        print(f"slope: {result['peak_mib_per_million_events']:+.1f} MiB per million events")
    return result


def main_memory(bench: Any, arguments: argparse.Namespace) -> None:
    result = run_memory(bench, arguments)
    out_file = arguments.out / "bench-rebuild-memory.json"
    out_file.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out_file}")


def add_memory_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory",
        action="store_true",
        help="instead: peak memory of a rebuild of a long ledger (FUND_CLASSES x --years)",
    )
    parser.add_argument(
        "--positions",
        default=DEFAULT_MEMORY_POSITIONS,
        help="with --memory: rebuild up to the last of these notification ids (comma-separated); "
        "the slope of the peak is taken from the first",
    )
    parser.add_argument(
        "--ledger-folder",
        type=Path,
        default=Path("bench-output/long-ledger"),
        help="with --memory: where the long ledger is kept (generated once, then reused)",
    )
