"""Kill trials: commands killed (SIGKILL) at seeded random moments, on SQLite and PostgreSQL.

Each command of a quarter (import its net assets, accrue it, issue its report, rebuild the read
models, export a bundle) is started in a child process and killed `KILLS_PER_COMMAND` times at
a random moment of its run, then run to the end. After every kill `verify` exits 0 and the log
holds either everything the command writes or, where a command writes twice (a report, then its
seal), a prefix of it; after the run to the end no idempotency key is stored twice, the read
models equal a full rebuild, and a bundle at `--out` is always a whole zip.

The children are forked from the test process, which has imported everything already, so that
a trial costs the command and not Python's start-up (`PLANLEDGER_KILL_MODE=exec` starts
`.venv/bin/planledger` instead, as `scripts/soak.sh` does). The counts are printed at the end.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import signal
import subprocess
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.application.compose import compose
from adapters.cli.main import main
from adapters.readside.read_models import TABLES, ReadModels
from tests.builders import approve_plan, every_day, write_csv
from tests.conftest import PROJECT_ROOT, SHIPPED_PLAN

FORK = multiprocessing.get_context("fork")
SEED = int(os.environ.get("PLANLEDGER_KILL_SEED", "1012"))
KILLS_PER_COMMAND = int(os.environ.get("PLANLEDGER_KILLS_PER_COMMAND", "3"))
QUARTERS = int(os.environ.get("PLANLEDGER_KILL_QUARTERS", "3"))
KILL_MODE = os.environ.get("PLANLEDGER_KILL_MODE", "fork")  # or "exec"
RUN_SECONDS = 120  # a run to the end that takes longer is a failure, not a hang
FIRST_ESTIMATE_SECONDS = 0.6  # the kill window of a command before it was timed once
FUND_CLASSES = ("INTL-BCV", "STABLE-VALUE")
QUARTER_STARTS = (date(2003, 7, 1), date(2003, 10, 1), date(2004, 1, 1))
ACTOR = "kill-trial"


@dataclass
class Tally:
    kills: int = 0
    finished_before_the_kill: int = 0
    runs_to_the_end: int = 0
    by_command: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Trial:
    """A command, and how many events it writes: all or none (`steps` 1), or in steps."""

    name: str
    argv: list[str]
    steps: int = 1


def _child(argv: Sequence[str], environment: dict[str, str]) -> None:
    os.environ.update(environment)
    code = main(list(argv), out=io.StringIO(), err=io.StringIO())
    os._exit(code)


class Runner:
    """Starts a command in a child process; kills it after a delay, or waits for its end."""

    def __init__(self, url: str) -> None:
        self.environment = {"PLANLEDGER_DB": url, "PLANLEDGER_ACTOR": ACTOR}
        self.estimates: dict[str, float] = {}

    def start(self, argv: Sequence[str]) -> Any:
        if KILL_MODE == "exec":
            command = [str(PROJECT_ROOT / ".venv" / "bin" / "planledger"), *argv]
            return subprocess.Popen(
                command,
                env=dict(os.environ, **self.environment),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        process = FORK.Process(target=_child, args=(list(argv), self.environment))
        process.start()
        return process

    @staticmethod
    def wait(process: Any, seconds: float) -> int | None:
        if isinstance(process, subprocess.Popen):
            try:
                return process.wait(seconds)
            except subprocess.TimeoutExpired:
                return None
        process.join(seconds)
        return process.exitcode  # type: ignore[no-any-return]

    def run_to_end(self, name: str, argv: Sequence[str]) -> int:
        started = time.perf_counter()
        process = self.start(argv)
        code = self.wait(process, RUN_SECONDS)
        assert code is not None, f"{name} ran longer than {RUN_SECONDS} s"
        self.estimates[name] = time.perf_counter() - started
        return code

    def run_killed(self, name: str, argv: Sequence[str], rng: random.Random) -> bool:
        """Kill the command at a random moment of its expected run; False if it ended first."""
        delay = rng.uniform(0.0, 0.9 * self.estimates.get(name, FIRST_ESTIMATE_SECONDS))
        process = self.start(argv)
        code = self.wait(process, delay)
        if code is not None:
            assert code == 0, f"{name} ended with {code} before it was killed"
            return False
        os.kill(process.pid, signal.SIGKILL)
        code = self.wait(process, RUN_SECONDS)
        if code == -signal.SIGKILL:
            return True
        assert code == 0, f"{name} ended with {code} as it was killed"
        return False  # it ended in the instant before the signal


def stored_keys(url: str) -> list[str]:
    ledger = compose(url, ACTOR)
    try:
        store = ledger.store
        return [
            str(getattr(store.mapper.to_domain_event(notification), "idempotency_key", ""))
            for notification in store.recorder.select_notifications(start=None, limit=10**9)
        ]
    finally:
        ledger.close()


def table_rows(models: ReadModels) -> dict[str, list[tuple[str, ...]]]:
    with models.engine.connect() as conn:
        return {
            name: sorted(tuple(str(value) for value in row) for row in conn.execute(select(table)))
            for name, table in TABLES.items()
            if name != "tracking"
        }


def assert_read_models_equal_a_rebuild(url: str) -> None:
    ledger = compose(url, ACTOR)
    try:
        ledger.read_models.catch_up()
        caught_up = table_rows(ledger.read_models)
        ledger.read_models.rebuild()
        assert table_rows(ledger.read_models) == caught_up
    finally:
        ledger.close()


def assert_whole_zip(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert "manifest.json" in archive.namelist()


def quarter_trials(folder: Path, start: date) -> list[Trial]:
    end = (start + timedelta(days=92)).replace(day=1) - timedelta(days=1)
    rows = [
        (fund, "R", day.isoformat(), f"{10_000_000 + 1_000 * index}.00")
        for fund in FUND_CLASSES
        for index, day in enumerate(every_day(start, end))
    ]
    figures = write_csv(
        folder / f"net-assets-{start}.csv", ["fund", "class", "date", "net_assets"], rows
    )
    quarter = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    issued_on = (end + timedelta(days=15)).isoformat()
    return [
        Trial("import", ["import", "net-assets", str(figures)]),
        Trial("accrue", ["accrue", "--through", end.isoformat()]),
        Trial(
            "report issue",
            ["report", "issue", "--fund", "INTL-BCV", "--quarter", quarter, "--on", issued_on],
            steps=2,  # the report, then its seal
        ),
        Trial("rebuild", ["rebuild"], steps=0),
        Trial(
            "export bundle",
            ["export", "bundle", "--as-of", end.isoformat(), "--out", str(folder / "bundle.zip")],
            steps=0,
        ),
    ]


def run_trial(url: str, runner: Runner, trial: Trial, rng: random.Random, tally: Tally) -> None:
    before = len(stored_keys(url))
    seen_after_kills = []
    out = Path(trial.argv[-1]) if trial.name == "export bundle" else None
    for _ in range(KILLS_PER_COMMAND):
        if runner.run_killed(trial.name, trial.argv, rng):
            tally.kills += 1
            tally.by_command[trial.name] += 1
        else:
            tally.finished_before_the_kill += 1
        assert runner.run_to_end("verify", ["verify"]) == 0, f"verify after killing {trial.name}"
        seen_after_kills.append(len(stored_keys(url)))
        if out is not None and out.exists():
            assert_whole_zip(out)
    assert runner.run_to_end(trial.name, trial.argv) == 0, trial.name
    tally.runs_to_the_end += 1
    keys = stored_keys(url)
    repeated = [key for key, count in Counter(keys).items() if key and count > 1]
    assert repeated == [], f"{trial.name}: keys stored twice"
    if trial.steps == 0:
        assert set(seen_after_kills) | {len(keys)} == {before}, f"{trial.name} wrote events"
    else:
        allowed = {before, len(keys)} if trial.steps == 1 else set(range(before, len(keys) + 1))
        assert set(seen_after_kills) <= allowed, f"{trial.name}: a part of its events survived"
        if trial.steps > 1:
            assert len(keys) - before == trial.steps, f"{trial.name} wrote more than once"
    if out is not None:
        assert_whole_zip(out)
    assert_read_models_equal_a_rebuild(url)


def prepare(url: str, runner: Runner) -> None:
    """The shipped plan loaded (by the command that starts a ledger) and approved."""
    assert runner.run_to_end("plan load", ["plan", "load", str(SHIPPED_PLAN)]) == 0
    ledger = compose(url, ACTOR)
    try:
        approve_plan(ledger)
    finally:
        ledger.close()


def test_commands_killed_at_random_moments_lose_and_duplicate_nothing(database_url, tmp_path):
    rng = random.Random(f"{SEED}:{database_url.split(':', 1)[0]}")
    runner = Runner(database_url)
    tally = Tally()
    prepare(database_url, runner)
    for start in QUARTER_STARTS[:QUARTERS]:
        for trial in quarter_trials(tmp_path, start):
            run_trial(database_url, runner, trial, rng, tally)
    print(
        f"\nkill trials ({database_url.split(':', 1)[0]}, seed {SEED}, mode {KILL_MODE}): "
        f"{tally.kills} kills survived ({dict(tally.by_command)}), "
        f"{tally.finished_before_the_kill} runs ended before their kill, "
        f"{tally.runs_to_the_end} commands completed"
    )
    # Most moments fall inside the run: a trial that never kills anything cannot pass.
    assert tally.kills >= QUARTERS * 5 * KILLS_PER_COMMAND // 2
