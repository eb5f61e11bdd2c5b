"""A ledger written by an earlier release still opens, verifies and answers the same figures.

`tests/data/ledger-before-house/planledger.db.gz` is the demo's SQLite ledger as the code before
the adapters were split into rooms and the fund class's state was typed wrote it: its events,
chain, seals, FundClass snapshots at class version 3, and read models. `expected/` holds what
that code answered to the commands below. Every answer must stay byte for byte the same, before
and after the read models are rebuilt by today's code.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from adapters.cli.main import main
from tests.conftest import SHIPPED_PLAN

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "ledger-before-house"
BEFORE_RESTATEMENT = "2026-12-01T17:32:40Z"

# Each command, and the file of `expected/` holding what the earlier code printed.
QUESTIONS = [
    (("balances", "--as-of", "2004-06-30", "--format", "json"), "balances.json"),
    (
        (
            "balances",
            "--as-of",
            "2003-09-30",
            "--known-at",
            BEFORE_RESTATEMENT,
            "--format",
            "json",
        ),
        "balances-known-before.json",
    ),
    (("trial-balance", "--as-of", "2004-06-30", "--format", "json"), "trial-balance.json"),
    (
        ("split", "--period", "2003-07..2004-06", "--by", "quarter", "--format", "json"),
        "split.json",
    ),
    (("plan", "show", "--format", "json"), "plan-show.json"),
    (("asof", "--fund", "INTL-BCV", "--as-of", "2003-09-30", "--format", "json"), "asof.json"),
    (
        (
            "asof",
            "--fund",
            "INTL-BCV",
            "--as-of",
            "2003-09-30",
            "--known-at",
            BEFORE_RESTATEMENT,
            "--format",
            "json",
        ),
        "asof-known-before.json",
    ),
    (("compliance", "--as-of", "2004-06-30", "--format", "json"), "compliance.json"),
    (("log", "--type", "DistributorPaid", "--format", "json"), "log-payments.json"),
    (("verify",), "verify.txt"),
]


def run(db: Path, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--db", f"sqlite:///{db}", "--actor", "auditor"], out=out, err=err)
    assert code == 0, err.getvalue()
    return code, out.getvalue()


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "planledger.db"
    with gzip.open(FIXTURE / "planledger.db.gz") as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    return path


def answers(db: Path) -> dict[str, str]:
    return {expected: run(db, *argv)[1] for argv, expected in QUESTIONS}


def expected_answers() -> dict[str, str]:
    return {name: (FIXTURE / "expected" / name).read_text() for _, name in QUESTIONS}


def test_an_old_ledger_answers_as_it_did(old_ledger):
    assert answers(old_ledger) == expected_answers()


def test_an_old_ledger_answers_as_it_did_after_a_rebuild(old_ledger):
    run(old_ledger, "rebuild")
    assert answers(old_ledger) == expected_answers()


def test_an_old_ledgers_quarterly_report_is_the_same(old_ledger, tmp_path):
    out = tmp_path / "reports"
    run(
        old_ledger,
        "report",
        "quarterly",
        "--quarter",
        "2004Q2",
        "--fund-class",
        "STABLE-VALUE/R",
        "--out",
        str(out),
        "--formats",
        "json",
    )
    produced = (out / "STABLE-VALUE-R-2004Q2.json").read_text()
    assert produced == (FIXTURE / "expected" / "STABLE-VALUE-R-2004Q2.json").read_text()


def stored_events(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT count(*) FROM stored_events").fetchone()[0])


def test_an_old_ledger_takes_the_shipped_plan_again_without_writing(old_ledger):
    """Its instrument was recorded before the plan's type was data (issue 11): it reads as the
    compensation plan the code of then assumed, so the shipped file, which states
    `type = "compensation"`, is the same plan and its reload writes nothing."""
    before = stored_events(old_ledger)
    run(old_ledger, "plan", "load", str(SHIPPED_PLAN))
    assert stored_events(old_ledger) == before
    shown = json.loads(run(old_ledger, "plan", "show", "--format", "json")[1])
    assert [row["plan_type"] for row in shown] == ["compensation", "compensation"]
    run(old_ledger, "verify")


def test_an_old_ledgers_bundle_names_the_plan_type(old_ledger, tmp_path):
    bundle = tmp_path / "bundle.zip"
    run(old_ledger, "export", "bundle", "--as-of", "2003-09-30", "--out", str(bundle))
    with zipfile.ZipFile(bundle) as archive:
        governance = json.loads(archive.read("read-models/governance.json"))
        report = json.loads(archive.read("reports/INTL-BCV-R-2003Q3.json"))
    assert {row["plan_type"] for row in governance["fund_classes"]} == {"compensation"}
    assert report["plan"]["type"] == "compensation"
