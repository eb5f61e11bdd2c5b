"""The reports benchmark (`scripts/bench.py --reports`): the quarterly report of every fund
class for one quarter, in JSON alone and in every format, through the command a user runs.

The ledger: a year of N fund classes (default 1,000; the ingest benchmark's generator and run).
Then, on the same database, `planledger report quarterly --quarter 2005Q1` with no
`--fund-class` (a report for each class) writes into a fresh folder:

  json  `--formats json`, the report's data alone; timed before and after the next run, so that
        drift on a noisy machine affects both sides alike (the mean of the two is the baseline);
  all   `--formats json,csv,html,pdf`, every file a report is issued as.

The read models are caught up before the runs, so each time is the reports' own. The goals:
JSON for every class within 5 s, and every format within twice the JSON's time
(`ratio_all_to_json`).
"""

from __future__ import annotations

import io
import shutil
import statistics
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from adapters.application.compose import opened
from adapters.cli.main import main as planledger

QUARTER = "2005Q1"
JSON_GOAL_SECONDS = 5.0
ALL_TO_JSON_GOAL = 2.0


def time_reports(url: str, folder: Path, formats: str) -> dict[str, Any]:
    """`report quarterly` for every class into an empty folder: the seconds and the files."""
    if folder.exists():
        shutil.rmtree(folder)
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    code = planledger(
        ["--db", url, "report", "quarterly", "--quarter", QUARTER, "--formats", formats,
         "--out", str(folder)],
        out=out,
        err=err,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"report quarterly failed ({code}): {err.getvalue()}")
    files = sorted(folder.iterdir())
    return {
        "formats": formats,
        "seconds": seconds,
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
    }


def run_reports(bench: ModuleType, url: str, folder: Path, fund_classes: int) -> dict[str, Any]:
    plan, csv_path = bench.write_inputs(folder, fund_classes)
    ingest = bench.run_ledger(url, plan, csv_path)
    with opened(url, "bench") as ledger:
        ledger.read_models.catch_up()
    json_before = time_reports(url, folder / "json", "json")
    every = time_reports(url, folder / "all", "json,csv,html,pdf")
    json_after = time_reports(url, folder / "json", "json")
    json_seconds = statistics.mean([json_before["seconds"], json_after["seconds"]])
    return {
        "fund_classes": fund_classes,
        "quarter": QUARTER,
        "log_events": ingest["events"],
        "json_runs": [json_before, json_after],
        "json_seconds": json_seconds,
        "json_seconds_per_class": json_seconds / fund_classes,
        "all_formats": every,
        "all_formats_seconds": every["seconds"],
        "all_formats_seconds_per_class": every["seconds"] / fund_classes,
        "ratio_all_to_json": every["seconds"] / json_seconds,
        "goal_json_seconds": JSON_GOAL_SECONDS,
        "goal_ratio_all_to_json": ALL_TO_JSON_GOAL,
    }


def print_reports(result: dict[str, Any]) -> None:
    classes = result["fund_classes"]
    print(
        f"quarterly report {result['quarter']} of {classes:,} fund classes "
        f"({result['database']}; {result['log_events']:,} events in the year)"
    )
    runs = ", ".join(f"{run['seconds']:.1f} s" for run in result["json_runs"])
    print(
        f"JSON alone:    {result['json_seconds']:.1f} s (mean of {runs}) = "
        f"{result['json_seconds_per_class'] * 1000:.1f} ms a class  "
        f"(goal: at most {result['goal_json_seconds']:.0f} s)"
    )
    every = result["all_formats"]
    print(
        f"every format:  {every['seconds']:.1f} s = "
        f"{result['all_formats_seconds_per_class'] * 1000:.1f} ms a class, "
        f"{every['files']:,} files, {every['bytes'] / 1e6:.1f} MB"
    )
    print(
        f"ratio every format/JSON: {result['ratio_all_to_json']:.2f}  "
        f"(goal: at most {result['goal_ratio_all_to_json']:.0f})"
    )
