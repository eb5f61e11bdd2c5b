"""Start-up of the command line: each command's wall time against a bare `python -c pass`.

Run by `scripts/bench.py --cli`. On the demo ledger (built with scripts/demo.sh into a
temporary folder unless --ledger names one), it runs `python -c pass`, `--help`, a mistyped
command, and the read commands the README names, ten times each, round robin so that a noisy
machine slows every command alike, and reports each one's median wall time and CPU time
(user + system) as a ratio to those of `python -c pass`. With --baseline ROOT it measures the
command line of another checkout (ROOT) in the same rounds, for a before and after.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("PLANLEDGER_BENCH_RUNS", "10"))
GOAL_READ = 20.0
GOAL_HELP = 4.0

# (label, arguments, goal as a ratio to `python -c pass`)
COMMANDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("--help", ("--help",), GOAL_HELP),
    ("mistyped command", ("balnces",), GOAL_HELP),
    ("balances", ("balances",), GOAL_READ),
    ("plan show", ("plan", "show"), GOAL_READ),
    ("log --limit 20", ("log", "--limit", "20"), GOAL_READ),
    ("asof", ("asof", "--fund", "INTL-BCV", "--as-of", "2004-06-30"), GOAL_READ),
)


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _cli_argv(root: Path, arguments: tuple[str, ...]) -> list[str]:
    program = f"import sys; sys.path.insert(0, {str(root)!r}); from adapters.cli.main import main; "
    program += "sys.exit(main())"
    return [sys.executable, "-c", program, *arguments]


def _demo_ledger(folder: Path) -> Path:
    env = dict(os.environ, PLANLEDGER_DEMO_DIR=str(folder / "demo"))
    subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "demo.sh")],
        env=env,
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return folder / "demo" / "planledger.db"


def _subjects(baseline: Path | None) -> list[tuple[str, Path]]:
    subjects = [("this", PROJECT_ROOT)]
    if baseline is not None:
        subjects.append(("baseline", baseline.resolve()))
    return subjects


def _measure_rounds(
    ledger: Path, baseline: Path | None, runs: int
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Every (subject, command) `runs` times, round robin, and `python -c pass` in each round."""
    env = dict(os.environ, PLANLEDGER_ACTOR="bench")
    env.pop("PYTHONPATH", None)
    subjects = _subjects(baseline)
    # Each checkout reads a copy of its own: another version of the read models' tables would
    # be rebuilt by each in turn, and measured as start-up.
    copies = {subject: ledger.with_name(f"{ledger.stem}-{subject}.db") for subject, _ in subjects}
    for copy in copies.values():
        shutil.copyfile(ledger, copy)
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(runs):
        samples.setdefault(("python", "-c pass"), []).append(
            _timed([sys.executable, "-c", "pass"], env, PROJECT_ROOT)
        )
        for subject, root in subjects:
            env["PLANLEDGER_DB"] = f"sqlite:///{copies[subject]}"
            for label, arguments, _goal in COMMANDS:
                argv = _cli_argv(root, arguments)
                samples.setdefault((subject, label), []).append(_timed(argv, env, root))
    return samples


def _summary(samples: dict[tuple[str, str], list[tuple[float, float]]]) -> dict[str, Any]:
    wall_pass = statistics.median(wall for wall, _ in samples[("python", "-c pass")])
    cpu_pass = statistics.median(cpu for _, cpu in samples[("python", "-c pass")])
    goals = {label: goal for label, _, goal in COMMANDS}
    rows = []
    for (subject, label), runs in samples.items():
        if subject == "python":
            continue
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        rows.append(
            {
                "subject": subject,
                "command": label,
                "median_wall_seconds": wall,
                "median_cpu_seconds": cpu,
                "ratio_wall_to_python": wall / wall_pass,
                "ratio_cpu_to_python": cpu / cpu_pass,
                "goal_ratio": goals[label],
            }
        )
    return {
        "benchmark": "cli start-up",
        "runs_each": len(samples[("python", "-c pass")]),
        "python_pass_median_wall_seconds": wall_pass,
        "python_pass_median_cpu_seconds": cpu_pass,
        "commands": rows,
    }


def measure_cli(ledger: Path | None, baseline: Path | None, runs: int = RUNS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = ledger or _demo_ledger(folder)
        path = folder / "ledger.db"
        shutil.copyfile(source, path)  # the ledger given is only read
        result = _summary(_measure_rounds(path, baseline, runs))
    result["ledger"] = "the demo ledger (scripts/demo.sh)"
    return result


def print_cli(result: dict[str, Any]) -> None:
    print(
        f"python -c pass: median {result['python_pass_median_wall_seconds'] * 1000:.0f} ms wall, "
        f"{result['python_pass_median_cpu_seconds'] * 1000:.0f} ms CPU "
        f"({result['runs_each']} runs of each, round robin)"
    )
    print(f"{'':9}{'command':20}{'wall ms':>9}{'x pass':>8}{'CPU ms':>8}{'x pass':>8}  goal")
    for row in result["commands"]:
        met = "met" if row["ratio_wall_to_python"] <= row["goal_ratio"] else "NOT met"
        print(
            f"{row['subject']:9}{row['command']:20}"
            f"{row['median_wall_seconds'] * 1000:9.0f}{row['ratio_wall_to_python']:8.1f}"
            f"{row['median_cpu_seconds'] * 1000:8.0f}{row['ratio_cpu_to_python']:8.1f}"
            f"  <= {row['goal_ratio']:.0f}x wall: {met}"
        )
