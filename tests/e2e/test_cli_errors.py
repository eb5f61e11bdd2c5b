"""Exit codes and messages that read once (issue 12, section 4).

0 done (or nothing to do on an exact retry), 1 refused by a rule, 2 bad input, 3 only for a
bug. A user's text never reaches an "internal error"; a recorded vote that fails is recorded
(exit 0, FAILED); a reversed reference is refused, not "unchanged"; an unknown fund code
names the nearest known ones; a commit time without a zone is refused with the form to use.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests import oracles
from tests.builders import every_day, net_assets_csv, positions_csv, write_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plan loaded and approved by both boards, copied for each test."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=path)[0] == 0
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        assert run("board", "meeting", str(DATA / f"approval-{company}.toml"), db=path)[0] == 0
    return path


@pytest.fixture
def db(approved: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ledger.db"
    copy.write_bytes(approved.read_bytes())
    return copy


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


# ---- malformed input on every kind of option: exit 2, never an internal error ----------------

MALFORMED = [
    # (argv, a part of the message); OUT is a folder of the test, FILE a file in it
    (("report", "quarterly", "--quarter", "2004-Q5", "--out", "OUT"), "use 2004Q2"),
    (("report", "quarterly", "--quarter", "2004Q2x", "--out", "OUT"), "use 2004Q2"),
    (("split", "--period", "2004-13"), "2003Q3"),
    (("split", "--period", "9999-12-31"), "9999-12-31"),
    (("journal", "--period", "2999-12-31..9999-12-31"), "9999-12-31"),
    (
        (
            "pay",
            "distributor",
            "--fund",
            "INTL-BCV",
            "--period",
            "9999-12-31",
            "--amount",
            "1",
            "--paid-on",
            "2003-08-01",
            "--reference",
            "R",
        ),
        "--period",
    ),
    (
        (
            "notice",
            "--fund-class",
            "INTL-BCV",
            "--method",
            "mailed",
            "--sent-on",
            "2003-07-01",
            "--terminates-on",
            "2003-12-01",
            "--document",
            "D",
        ),
        "FUND/CLASS",
    ),
    (
        (
            "notice",
            "--fund-class",
            "NOPE/R",
            "--method",
            "mailed",
            "--sent-on",
            "2003-07-01",
            "--terminates-on",
            "2003-12-01",
            "--document",
            "D",
        ),
        "unknown fund class NOPE/R",
    ),
    (("log", "--fund", "NOPE"), "unknown fund NOPE"),
    (("log", "--fund", "INTL-BCV", "--class", "Q"), "unknown fund class INTL-BCV/Q"),
    (("journal", "--fund-class", "NOPE/R"), "unknown fund class NOPE/R"),
    (("journal", "--fund-class", "INTL-BCV"), "FUND/CLASS"),
    (("split", "--period", "2003Q3", "--fund-class", "NOPE/R"), "unknown fund class NOPE/R"),
    (("balances", "--known-at", "2004-07-01T12:00:00"), "2004-07-01T12:00:00Z"),
    (("log", "--committed-from", "2004-07-01T12:00"), "+02:00"),
    (("log", "--committed-to", "2004-07-01T12:00:00"), "+02:00"),
    (("impact", "--since", "2004-07-01T12:00:00"), "+02:00"),
    (("export", "beancount", "--out", "FILE"), "--out"),  # both entities: a folder
    (("export", "beancount", "--entity", "fund", "--out", "OUT"), "--out"),  # one: a file
    (("export", "bundle", "--as-of", "2003-07-01", "--out", "OUT"), "--out"),
    (("report", "quarterly", "--quarter", "2003Q3", "--out", "FILE"), "--out"),
]


def _named(value: object) -> str:
    return " ".join(value) if isinstance(value, tuple) else "-"


@pytest.mark.parametrize(("argv", "message"), MALFORMED, ids=_named)
def test_malformed_input_exits_2_with_the_form_to_use(db, tmp_path, capsys, argv, message):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "a-file").write_text("x")
    replaced = {"OUT": str(folder), "FILE": str(folder / "a-file")}
    before = event_count(db)
    code, out, err = run(*(replaced.get(part, part) for part in argv), db=db)
    err += capsys.readouterr().err  # argparse writes its usage errors to standard error
    assert code == 2, out + err
    assert "internal error" not in err and "Traceback" not in err
    assert message in err, err
    assert event_count(db) == before


def test_a_csv_period_beyond_the_calendar_is_bad_input(db, tmp_path):
    path = write_csv(
        tmp_path / "e.csv",
        ["fund", "class", "incurred_on", "period", "purpose", "performer", "performer_name",
         "amount", "description", "reference"],
        [("INTL-BCV", "R", "2003-07-02", "9999-12-31", "advertising", "distributor", "D",
          "10.00", "ad", "E-1")],
    )  # fmt: skip
    code, _, err = run("import", "expenditures", str(path), db=db)
    assert code == 2, err
    assert "e.csv, row 2, field 'period'" in err and "internal error" not in err


# ---- friendlier forms: a year, a quarter written 2004-Q2 --------------------------------------


def test_a_year_is_a_period_and_2004_q2_a_quarter(db, tmp_path):
    code, year, err = run("split", "--period", "2004", "--format", "json", db=db)
    assert code == 0, err
    assert year == run("split", "--period", "2004-01..2004-12", "--format", "json", db=db)[1]
    code, _, err = run(
        "report", "quarterly", "--quarter", "2003-Q3", "--out", str(tmp_path / "a"),
        "--formats", "json", db=db,
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "a" / "INTL-BCV-R-2003Q3.json").exists()


# ---- a refusal reads once --------------------------------------------------------------------


def test_a_refusal_says_refused_once(db):
    code, _, err = run(
        "report", "review", "--fund", "INTL-BCV", "--quarter", "2003Q3", "--meeting", "M",
        "--on", "2003-10-01", db=db,
    )  # fmt: skip
    assert code == 1
    assert err.startswith("refused by rule 'report-not-issued' (FOURTH): INTL-BCV/R: "), err
    assert err.count("refused") == 1, err


# ---- unknown fund codes name the nearest known ones ------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        (
            "pay",
            "distributor",
            "--fund",
            "INTL-BVC",
            "--period",
            "2003-07",
            "--amount",
            "1",
            "--paid-on",
            "2003-08-01",
            "--reference",
            "R",
        ),
        ("asof", "--fund", "INTL-BVC"),
        ("log", "--fund", "INTL-BVC"),
        ("journal", "--fund-class", "INTL-BVC/R"),
        ("accrue", "--through", "2003-07-01", "--fund-class", "INTL-BVC/R"),
    ],
    ids=lambda value: " ".join(value[:2]),
)
def test_an_unknown_fund_names_the_nearest_known(db, argv):
    code, out, err = run(*argv, db=db)
    assert code == 2, out + err
    assert "INTL-BVC" in err and "did you mean INTL-BCV" in err, err


# ---- a recorded vote is done, whatever its result --------------------------------------------

VOTE = (
    "shareholder-vote", "--fund", "INTL-BCV", "--reference", "V-1", "--subject", "termination",
    "--on", "2003-07-01", "--outstanding", "100", "--present", "60",
)  # fmt: skip


def test_a_failed_vote_is_recorded_and_a_retry_changes_nothing(db):
    code, out, err = run(*VOTE, "--for", "40", db=db)
    assert code == 0, err
    assert "INTL-BCV/R vote V-1 on the termination: FAILED (§2(a)(42))" in out
    recorded = event_count(db)
    code, out, err = run(*VOTE, "--for", "40", db=db)
    assert code == 0, err
    assert "already recorded (FAILED); nothing changed" in out
    assert event_count(db) == recorded
    code, _, err = run(*VOTE, "--for", "45", db=db)
    assert code == 1
    assert "reference-reused" in err and "'V-1'" in err
    assert event_count(db) == recorded


def test_a_retried_passed_termination_vote_is_unchanged_not_refused(db):
    assert run(*VOTE, "--for", "60", db=db)[0] == 0
    code, out, err = run(*VOTE, "--for", "60", db=db)
    assert code == 0, err
    assert "already recorded (passed); nothing changed" in out


# ---- a reversed reference is refused, naming the reversal ------------------------------------


def paid_july(db: Path, tmp_path: Path) -> tuple[str, ...]:
    net_assets_csv(tmp_path / "july.csv", oracles.JULY_2003_NET_ASSETS)
    assert run("import", "net-assets", str(tmp_path / "july.csv"), db=db)[0] == 0
    assert run("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R", db=db)[0] == 0
    pay = (
        "pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07", "--amount",
        "accrued", "--paid-on", "2003-08-05", "--reference", "WIRE-JULY",
    )  # fmt: skip
    code, _, err = run(*pay, db=db)
    assert code == 0, err
    return pay


def test_paying_again_under_a_reversed_reference_is_refused(db, tmp_path):
    pay = paid_july(db, tmp_path)
    code, _, err = run(
        "reverse", "distributor-payment", "--fund", "INTL-BCV", "--reference", "WIRE-JULY",
        "--reason", "paid from the wrong account", db=db,
    )  # fmt: skip
    assert code == 0, err
    recorded = event_count(db)
    code, out, err = run(*pay, db=db)
    assert code == 1, out + err
    assert "refused by rule 'reference-reversed'" in err
    assert "paid from the wrong account" in err and "new reference" in err
    assert event_count(db) == recorded
    code, out, err = run(*pay[:-1], "WIRE-JULY-2", db=db)
    assert code == 0, err


def test_an_expenditure_under_a_reversed_reference_is_refused(db):
    record = (
        "expenditure", "record", "--fund", "INTL-BCV", "--incurred-on", "2003-07-02",
        "--period", "2003-07", "--purpose", "advertising", "--performer", "distributor",
        "--performer-name", "D", "--amount", "10.00", "--description", "ad",
        "--reference", "EXP-1",
    )  # fmt: skip
    assert run(*record, db=db)[0] == 0
    code, _, err = run(
        "reverse", "expenditure", "--fund", "INTL-BCV", "--reference", "EXP-1",
        "--reason", "booked to the wrong fund", db=db,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(*record, db=db)
    assert code == 1, out + err
    assert "refused by rule 'reference-reversed'" in err and "booked to the wrong fund" in err


def test_a_service_fee_under_a_reversed_reference_is_refused(db, tmp_path):
    code, _, err = run(
        *("provider", "agree", "--provider", "DEALER", "--name", "Dealer", "--kind", "A"),
        *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01"),
        *("--reference", "DSA-1", "--form", "Dealer Service Agreement form 2003-06"),
        db=db,
    )
    assert code == 0, err
    july = {day: "1000000.00" for day in every_day(date(2003, 7, 1), date(2003, 7, 31))}
    positions_csv(tmp_path / "p.csv", "DEALER", july)
    assert run("import", "positions", str(tmp_path / "p.csv"), db=db)[0] == 0
    pay = (
        "pay", "provider", "--provider", "DEALER", "--fund", "INTL-BCV", "--period", "2003-07",
        "--amount", "100.00", "--paid-on", "2003-08-05", "--reference", "SF-1",
    )  # fmt: skip
    code, _, err = run(*pay, db=db)
    assert code == 0, err
    code, _, err = run(
        "reverse", "service-fee", "--provider", "DEALER", "--fund", "INTL-BCV",
        "--reference", "SF-1", "--reason", "wrong dealer", db=db,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(*pay, db=db)
    assert code == 1, out + err
    assert "refused by rule 'reference-reversed'" in err and "wrong dealer" in err


def test_log_json_is_unchanged_by_a_known_fund(db):
    code, out, err = run("log", "--fund", "INTL-BCV", "--format", "json", db=db)
    assert code == 0, err
    assert json.loads(out)
