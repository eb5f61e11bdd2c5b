"""Concurrency: processes writing to the same and to different fund classes, with readers, at
the same time (issue 10, item 5), on SQLite and PostgreSQL.

Every process is a real one (forked, running the command line's `main` against the database):
the ledger's only shared state is the database. Where a race must happen for the test to mean
anything, the processes meet at a barrier just before the step that races (the save of a
command, the insert of a read-model batch, the opening of the store), so that it happens every
run rather than by luck.

What is checked: a command that lost a race on a stream is re-run from a fresh load and its exit
code tells what it wrote (0: done; 1: refused, nothing written); readers never fail because
another process is catching up; opening a ledger never fails because another process opens it;
and the final state of a mixed run equals the state the same commands leave when run one after
another, with `verify` OK.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.application import conflicts
from adapters.application.commands import PayDistributor
from adapters.application.compose import opened
from adapters.cli.main import main
from adapters.readside.read_models import ReadModels
from adapters.store.persistence import LedgerStore
from domain.periods import parse_period
from tests.builders import every_day, net_assets_csv
from tests.conftest import SHIPPED_PLAN, drop_schema, fresh_postgres_url

DATA = Path(__file__).resolve().parent.parent / "data"
FORK = multiprocessing.get_context("fork")
BARRIER_SECONDS = 30.0  # generous: the machine runs other test suites at the same time
PROCESS_SECONDS = 180.0
CLASS_A, CLASS_B = ("INTL-BCV", "R"), ("STABLE-VALUE", "R")
JULY = (date(2003, 7, 1), date(2003, 7, 31))
CONFLICT_NOTE = re.compile(r"conflict: .*retrying")


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def cli(url: str, actor: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--db", url, "--actor", actor], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def must(url: str, *argv: str) -> str:
    code, out, err = cli(url, "setup", *argv)
    assert code == 0, err
    return out


def approved_ledger(url: str) -> None:
    """The shipped plan loaded and approved by both boards (June 2003)."""
    must(url, "plan", "load", str(SHIPPED_PLAN))
    must(url, "board", "directors", str(DATA / "directors.csv"))
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        must(url, "board", "meeting", str(DATA / f"approval-{company}.toml"))


def net_assets_file(
    folder: Path, name: str, fund_class: tuple[str, str], first: date, last: date
) -> Path:
    figures = {
        day: Decimal(10_000_000 + 1_000 * day.day).quantize(Decimal("0.01"))
        for day in every_day(first, last)
    }
    return net_assets_csv(folder / name, figures, fund=fund_class[0], share_class=fund_class[1])


# ---- processes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    actor: str
    argv: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def retries(self) -> int:
        return len(CONFLICT_NOTE.findall(self.err))


def _wait(barrier: Any) -> None:
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(BARRIER_SECONDS)


def _once_at_barrier(owner: Any, name: str, barrier: Any, before: bool) -> None:
    """Make `owner.name` meet the barrier on its first call in this process (before or after
    the original runs), so that every process reaches the racing step together."""
    original = getattr(owner, name)
    state = {"met": False}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if before and not state["met"]:
            state["met"] = True
            _wait(barrier)
        result = original(*args, **kwargs)
        if not before and not state["met"]:
            state["met"] = True
            _wait(barrier)
        return result

    setattr(owner, name, wrapper)


RACE_POINTS: dict[str, Callable[[Any], None]] = {
    # Every process has loaded what it decides on: they all save at once.
    "save": lambda barrier: _once_at_barrier(LedgerStore, "save", barrier, before=True),
    # Every reader has computed the rows of the same batch: they all insert at once.
    "rows": lambda barrier: _once_at_barrier(ReadModels, "_rows_of", barrier, before=False),
    # Every process opens the ledger at once.
    "open": _wait,
}


def _child(
    result_file: str, url: str, actor: str, argv: Sequence[str], race: str | None, barrier: Any
) -> None:
    if race is not None:
        RACE_POINTS[race](barrier)
    code, out, err = cli(url, actor, *argv)
    Path(result_file).write_text(json.dumps([code, out, err]))


def run_together(
    url: str,
    folder: Path,
    commands: Sequence[tuple[str, Sequence[str]]],
    race: str | None = None,
    racers: int | None = None,
) -> list[Outcome]:
    """Run each (actor, argv) in its own process, all at once; return their outcomes.
    With `race`, the first `racers` processes (default: all) meet at that race point."""
    barrier = FORK.Barrier(racers or len(commands))
    processes = []
    for index, (actor, argv) in enumerate(commands):
        result_file = folder / f"result-{actor}.json"
        result_file.unlink(missing_ok=True)
        racing = race if racers is None or index < racers else None
        process = FORK.Process(
            target=_child, args=(str(result_file), url, actor, list(argv), racing, barrier)
        )
        process.start()
        processes.append((actor, argv, result_file, process))
    outcomes = []
    for actor, argv, result_file, process in processes:
        process.join(PROCESS_SECONDS)
        assert process.exitcode == 0, f"{actor} {argv}: process ended with {process.exitcode}"
        code, out, err = json.loads(result_file.read_text())
        outcomes.append(Outcome(actor, tuple(argv), code, out, err))
    return outcomes


# ---- what each process wrote -------------------------------------------------------------------


def events_by_actor(url: str) -> dict[str, list[str]]:
    """The idempotency keys of every stored event, by the actor who recorded it."""
    written: dict[str, list[str]] = {}
    with opened(url, "inspector") as ledger:
        store = ledger.store
        for notification in store.recorder.select_notifications(start=None, limit=10**9):
            event = store.mapper.to_domain_event(notification)
            actor = getattr(event, "actor", None)
            if actor is not None:
                written.setdefault(actor, []).append(getattr(event, "idempotency_key", ""))
    return written


def assert_no_internal_errors(outcomes: Sequence[Outcome]) -> None:
    for outcome in outcomes:
        assert outcome.code in (0, 1), f"{outcome.actor} {outcome.argv}: {outcome.err}"
        assert "internal error" not in outcome.err and "Traceback" not in outcome.err


def total_retries(outcomes: Sequence[Outcome]) -> int:
    return sum(outcome.retries for outcome in outcomes)


# ---- the failures of the issue, each forced -------------------------------------------------


@pytest.fixture
def july_payable(database_url: str, tmp_path: Path) -> str:
    """A ledger with July 2003's net assets of class A imported and accrued."""
    approved_ledger(database_url)
    must(
        database_url,
        "import",
        "net-assets",
        str(net_assets_file(tmp_path, "a.csv", CLASS_A, *JULY)),
    )
    must(database_url, "accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R")
    return database_url


def payment(fund_class: tuple[str, str], amount: Decimal, reference: str) -> list[str]:
    return [
        "pay", "distributor", "--fund", fund_class[0], "--class", fund_class[1],
        "--period", "2003-07", "--amount", str(amount), "--paid-on", "2003-08-05",
        "--reference", reference,
    ]  # fmt: skip


def payable_of(url: str, fund_class: tuple[str, str]) -> Decimal:
    rows = json.loads(must(url, "balances", "--as-of", "2003-07-31", "--format", "json"))
    key = f"{fund_class[0]}/{fund_class[1]}"
    return sum((Decimal(row["payable"]) for row in rows if row["fund_class"] == key), Decimal("0"))


def test_payments_racing_on_one_stream_are_retried_and_each_exit_code_tells(
    july_payable: str, tmp_path: Path
) -> None:
    """Four processes pay against one payable, all saving at the same moment: three lose the
    race. Each loser re-runs from a fresh load; the first two payments fit the payable, the
    next ones are refused by the rule (exit 1, nothing written), never an internal error."""
    url = july_payable
    amount = (payable_of(url, CLASS_A) / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    commands = [(f"payer-{n}", payment(CLASS_A, amount, f"RACE-{n}")) for n in range(4)]
    outcomes = run_together(url, tmp_path, commands, race="save")

    assert_no_internal_errors(outcomes)
    assert total_retries(outcomes) >= 3  # every loser of the race saw its conflict and retried
    written = events_by_actor(url)
    for outcome in outcomes:
        keys = written.get(outcome.actor, [])
        if outcome.code == 0:
            assert keys == [f"distributor-payment/{outcome.argv[-1]}"], outcome.err
        else:
            assert keys == [] and "refused" in outcome.err
            assert "payment-ahead-of-fee" in outcome.err
    assert sorted(outcome.code for outcome in outcomes) == [0, 0, 1, 1]


def test_an_import_racing_a_payment_on_one_stream_completes_both(
    july_payable: str, tmp_path: Path
) -> None:
    """A bulk import and a payment save to the same fund class at the same moment: the loser is
    re-run from a fresh load, and both end with exit 0, every row and the payment recorded
    once. (Before, the loser ended with `internal error: IntegrityError`.)"""
    url = july_payable
    rows_file = net_assets_file(tmp_path, "b.csv", CLASS_A, date(2003, 8, 1), date(2003, 8, 31))
    commands = [
        ("importer", ["import", "net-assets", str(rows_file)]),
        ("payer", payment(CLASS_A, Decimal("1.00"), "WHILE-IMPORTING")),
    ]
    outcomes = run_together(url, tmp_path, commands, race="save")

    assert [outcome.code for outcome in outcomes] == [0, 0], [o.err for o in outcomes]
    assert total_retries(outcomes) >= 1
    written = events_by_actor(url)
    expected = [f"net-assets/INTL-BCV/R/2003-08-{day:02d}" for day in range(1, 32)]
    assert sorted(written["importer"]) == expected
    assert "31 recorded" in outcomes[0].out
    assert written["payer"] == ["distributor-payment/WHILE-IMPORTING"]
    assert cli(url, "auditor", "verify")[0] == 0


def test_readers_catching_up_together_all_answer(july_payable: str, tmp_path: Path) -> None:
    """Readers open a ledger whose read models are behind and insert the same batch at the same
    moment: every one answers (exit 0), and the read models hold each row once."""
    url = july_payable
    with opened(url, "writer") as ledger:  # recorded through the use case: not yet projected
        command = PayDistributor(
            "INTL-BCV", "R", Decimal("1.00"), date(2003, 8, 5), parse_period("2003-07"), "LATE"
        )
        ledger.payments.pay_distributor(command)
    readers = [(f"reader-{n}", ["plan", "show"]) for n in range(3)]
    readers += [(f"balances-{n}", ["balances", "--as-of", "2003-07-31"]) for n in range(3)]
    outcomes = run_together(url, tmp_path, readers, race="rows")

    for outcome in outcomes:
        assert outcome.code == 0, outcome.err
    with opened(url, "inspector") as ledger:
        counts = ledger.read_models.row_counts()
        rebuilt = ledger.read_models.rebuild()
        assert rebuilt.events > 0
        assert ledger.read_models.row_counts() == counts


def test_processes_opening_a_ledger_together_all_open(database_url: str, tmp_path: Path) -> None:
    """Processes starting together (an existing ledger) never fail in the store's DDL."""
    approved_ledger(database_url)
    readers = [(f"opener-{n}", ["plan", "show"]) for n in range(8)]
    outcomes = run_together(database_url, tmp_path, readers, race="open")
    for outcome in outcomes:
        assert outcome.code == 0, outcome.err


def test_a_conflict_that_persists_exits_1_and_says_nothing_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every attempt loses its race, the command gives up: exit 1, the conflict named, and
    nothing written."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    approved_ledger(url)
    must(url, "import", "net-assets", str(net_assets_file(tmp_path, "a.csv", CLASS_A, *JULY)))
    must(url, "accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R")

    def always_conflicting(self: LedgerStore, *objects: Any, **kwargs: Any) -> Any:
        raise IntegrityError("UNIQUE constraint failed: stored_events.originator_id")

    monkeypatch.setattr(LedgerStore, "save", always_conflicting)
    monkeypatch.setattr(conflicts, "BACKOFF_SECONDS", 0.0)
    code, _, err = cli(url, "payer", *payment(CLASS_A, Decimal("1.00"), "NEVER"))
    assert code == 1, err
    assert "conflict" in err and "nothing was written" in err
    assert "IntegrityError" not in err and "internal error" not in err


def test_a_conflict_that_persists_after_a_commit_says_what_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If part of a command was committed before it lost a race, and every retry loses too,
    the exit code is not 1 (something was written: 4) and the message says how many events
    and that running the same command again completes it. (Bulk commands now write in one
    transaction, so the part is simulated: the first save commits, then reports a conflict.)"""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    approved_ledger(url)
    original = LedgerStore.save
    saves = Counter[str]()

    def committed_then_conflicting(self: LedgerStore, *objects: Any, **kwargs: Any) -> Any:
        saves["calls"] += 1
        if saves["calls"] == 1:
            original(self, *objects, **kwargs)
        raise IntegrityError("UNIQUE constraint failed: stored_events.originator_id")

    monkeypatch.setattr(LedgerStore, "save", committed_then_conflicting)
    monkeypatch.setattr(conflicts, "BACKOFF_SECONDS", 0.0)
    rows_file = net_assets_file(tmp_path, "a.csv", CLASS_A, *JULY)
    code, _, err = cli(url, "importer", "import", "net-assets", str(rows_file))
    written = len(events_by_actor(url).get("importer", []))
    assert written == 31
    assert code == 4, err
    assert f"{written} events were written" in err and "run the same command again" in err
    assert "IntegrityError" not in err and "internal error" not in err


# ---- the suite: writers and readers at once, against a serial run ---------------------------


@contextlib.contextmanager
def serial_twin(url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger on the same kind of database, for the serial run."""
    if not is_postgres(url):
        yield f"sqlite:///{tmp_path / 'serial.db'}"
        return
    twin = fresh_postgres_url()
    try:
        yield twin
    finally:
        drop_schema(twin)


def phases(folder: Path, writers: int, amounts: dict[str, Decimal] | None) -> list[Any]:
    """The commands of each phase, as (actor, argv); readers join every phase."""
    half = date(2003, 7, 16)
    files = {
        "a1": net_assets_file(folder, "a1.csv", CLASS_A, JULY[0], half),
        "a2": net_assets_file(folder, "a2.csv", CLASS_A, half, JULY[1]),  # overlaps a1 on 16th
        "b": net_assets_file(folder, "b.csv", CLASS_B, *JULY),
        "b-aug": net_assets_file(folder, "b-aug.csv", CLASS_B, date(2003, 8, 1), date(2003, 8, 31)),
    }
    names = list(files)
    imports = [
        (f"import-{n}", ["import", "net-assets", str(files[names[n % len(names)]])])
        for n in range(writers)
    ]
    scopes = [["--fund-class", "INTL-BCV/R"], ["--fund-class", "STABLE-VALUE/R"], []]
    accruals = [
        (f"accrue-{n}", ["accrue", "--through", "2003-07-31", *scopes[n % len(scopes)]])
        for n in range(writers)
    ]
    payments = []
    if amounts is not None:
        for n in range(writers):
            fund_class = CLASS_A if n % 2 == 0 else CLASS_B
            payments.append((f"pay-{n}", payment(fund_class, amounts[fund_class[0]], f"P-{n}")))
    return [imports, accruals, payments]


READERS = [["plan", "show"], ["balances", "--as-of", "2003-07-31"]]


def readers(phase: int) -> list[tuple[str, list[str]]]:
    return [(f"reader-{phase}-{n}", argv) for n, argv in enumerate(READERS)]


def state_of(url: str) -> tuple[str, str]:
    balances = must(url, "balances", "--as-of", "2003-08-31", "--format", "json")
    trial = must(url, "trial-balance", "--format", "json")
    return balances, trial


def fitting_amounts(url: str, payers_per_class: int) -> dict[str, Decimal]:
    """Each class's payment amount: half of its payers fit its July payable, the rest do not."""
    fits = max(1, payers_per_class // 2)
    return {
        fund_class[0]: (payable_of(url, fund_class) / fits).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )
        for fund_class in (CLASS_A, CLASS_B)
    }


def check_what_each_wrote(url: str, outcomes: Sequence[Outcome]) -> None:
    written = events_by_actor(url)
    for outcome in outcomes:
        keys = written.get(outcome.actor, [])
        if outcome.code != 0:
            assert keys == [], f"{outcome.actor} exited {outcome.code} after writing {keys}"
        if outcome.actor.startswith("pay-"):
            expected = [f"distributor-payment/{outcome.argv[-1]}"] if outcome.code == 0 else []
            assert keys == expected, outcome.err
        if outcome.actor.startswith("import-") and outcome.code == 0:
            recorded = int(re.search(r"(\d+) recorded", outcome.out).group(1))  # type: ignore[union-attr]
            assert len(keys) == recorded, outcome.out
        if outcome.actor.startswith("reader-"):
            assert outcome.code == 0 and keys == [], outcome.err
    assert len(set(key for keys in written.values() for key in keys)) == sum(
        len(keys) for keys in written.values()
    ), "an idempotency key was recorded twice"


def test_writers_and_readers_at_once_end_as_a_serial_run(database_url: str, tmp_path: Path) -> None:
    writers = 8 if is_postgres(database_url) else 4
    approved_ledger(database_url)
    all_outcomes: list[Outcome] = []
    amounts: dict[str, Decimal] | None = None
    for index in range(3):
        if index == 2:
            amounts = fitting_amounts(database_url, writers // 2)
        commands = phases(tmp_path, writers, amounts)[index] + readers(index)
        outcomes = run_together(database_url, tmp_path, commands, race="save", racers=writers)
        assert_no_internal_errors(outcomes)
        all_outcomes += outcomes
    check_what_each_wrote(database_url, all_outcomes)
    paid = Counter(o.argv[3] for o in all_outcomes if o.actor.startswith("pay-") and o.code == 0)
    assert paid == {"INTL-BCV": writers // 4 or 1, "STABLE-VALUE": writers // 4 or 1}
    assert cli(database_url, "auditor", "verify")[0] == 0

    with serial_twin(database_url, tmp_path) as twin:
        approved_ledger(twin)
        for index in range(3):
            for actor, argv in phases(tmp_path, writers, amounts)[index]:
                code, _, err = cli(twin, actor, *argv)
                assert code in (0, 1), err
        assert state_of(database_url) == state_of(twin)
    print(
        f"\nconcurrency ({'postgres' if is_postgres(database_url) else 'sqlite'}): "
        f"{len(all_outcomes)} processes, {total_retries(all_outcomes)} conflicts retried, "
        f"{sum(o.code == 1 for o in all_outcomes)} refused by a rule"
    )
