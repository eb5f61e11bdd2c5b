"""A ledger written by an earlier release still opens, verifies and answers the same figures.

`tests/data/ledger-before-house/planledger.db.gz` is the demo's SQLite ledger as the code before
the adapters were split into rooms and the fund class's state was typed wrote it: its events,
chain, seals, FundClass snapshots at class version 3, and read models. `expected/` holds what
that code answered to the commands below, in the form of the output contract (issue 12: rates
as fraction strings, lists as JSON lists, the compliance items as fields), which changed the form
of `plan show`, `split` and `compliance` but not a figure. Every answer must stay byte for byte
the same, before and after the read models are rebuilt by today's code. Two answers were
written again on purpose, both for issue 13. `trial-balance` keeps the fund's books and the
Distributor's apart (docs/books.md), each with its TOTAL; the fund's expense and payable accounts
hold the same figures as before, its cash account is the general-ledger settlement account, with
the same figures, and the Distributor's side is new. The quarterly report grew a board's package
and the sources of its figures: `expected/` holds it as today's code writes it, and beside it
the report as the earlier code wrote it, every figure of which is still the same.
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
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
    # The report grew a board's package and its figures' sources (issue 13; its format is
    # version 2): every figure the earlier code reported is still there, the same.
    before = (FIXTURE / "expected" / "STABLE-VALUE-R-2004Q2.before-board-package.json").read_text()
    now = dict(leaves(json.loads(produced)))
    assert [
        (path, value)
        for path, value in leaves(json.loads(before))
        if now.get(path) != value and path != ".format"
    ] == []
    assert now[".format"] == "planledger-quarterly-report/2"


def leaves(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, f"{path}.{name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


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
        report = json.loads(archive.read("reports/as-of/INTL-BCV-R-2003Q3.json"))
    assert {row["plan_type"] for row in governance["fund_classes"]} == {"compensation"}
    assert report["plan"]["type"] == "compensation"


FORM_MEETING = """format = "planledger-meeting/1"
company = "INTL-FUNDS"
meeting_id = "INTL-FUNDS-2004-06-24"
date = 2004-06-24
called_for_plan = true
agenda = ["The form of Service Agreement related to the Class R Plan"]
minutes = "Minutes of the special meeting of June 24, 2004"

[attendance]
D-ADAMS = "physical"
D-BAKER = "physical"
D-CRUZ = "physical"
D-DOYLE = "physical"

[[resolutions]]
id = "INTL-FUNDS-2004-06-24-1"
kind = "agreement_form"
agreement_kind = "A"
form_reference = "Dealer Service Agreement form 2003-06"
text = "RESOLVED, that the form of Service Agreement with Dealers is approved"
votes = { D-ADAMS = "for", D-BAKER = "for", D-CRUZ = "for", D-DOYLE = "for" }
"""


def test_an_old_agreement_reads_without_a_form_and_pays_once_its_form_is_named_and_approved(
    old_ledger, tmp_path
):
    """Its agreements were recorded before a form was named (ProviderAgreementSigned version 1):
    they read as agreements on no form. Fees already paid stand; a new fee is refused until the
    form the agreement was made on is named and the board's approval of it is recorded
    (decision A15)."""
    july = "".join(f"DEALER-A,INTL-BCV,R,2004-07-{day:02d},4000000.00\n" for day in range(1, 32))
    positions = tmp_path / "positions.csv"
    positions.write_text("provider,fund,class,date,net_assets\n" + july)
    run(old_ledger, "import", "positions", str(positions))
    pay = ("pay", "provider", "--provider", "DEALER-A", "--fund", "INTL-BCV", "--period")
    fee = (*pay, "2004-07", "--amount", "cap", "--paid-on", "2004-08-16", "--reference", "SF-JUL")
    out, err = io.StringIO(), io.StringIO()
    code = main([*fee, "--db", f"sqlite:///{old_ledger}", "--actor", "auditor"], out=out, err=err)
    assert code == 1
    assert "refused by rule 'agreement-form-not-approved' (SEVENTH (A); Rule 12b-1(b)(2))" in (
        err.getvalue()
    )
    assert "SA-DEALER-A-INTL-BCV" in err.getvalue()
    assert "names no form of agreement" in err.getvalue()
    agree = ("provider", "agree", "--provider", "DEALER-A", "--kind", "A", "--fund", "INTL-BCV")
    named = run(
        old_ledger,
        *agree,
        *("--name", "Dealer A Securities, Inc.", "--rate", "0.25%", "--from", "2003-07-01"),
        *("--reference", "SA-DEALER-A-INTL-BCV", "--agency-attested"),
        *("--form", "Dealer Service Agreement form 2003-06"),
    )[1]
    assert "form named" in named
    meeting = tmp_path / "forms.toml"
    meeting.write_text(FORM_MEETING)
    assert "passed" in run(old_ledger, "board", "meeting", str(meeting))[1]
    # 4,000,000.00 x 0.25% x 31 / 366 = 846.994..., rounded down.
    assert "service fee SF-JUL of 846.99 recorded" in run(old_ledger, *fee)[1]
    run(old_ledger, "verify")
