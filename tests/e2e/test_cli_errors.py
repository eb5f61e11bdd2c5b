"""Exit codes and messages that read once (issue 12, section 4).

0 done (or nothing to do on an exact retry), 1 refused by a rule, 2 bad input, 3 only for a
bug. A user's text never reaches an "internal error"; a recorded vote that fails is recorded
(exit 0, FAILED); a reversed reference is refused, not "unchanged"; an unknown fund code
names the nearest known ones; a commit time without a zone is refused with the form to use.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

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


def test_log_json_is_unchanged_by_a_known_fund(db):
    code, out, err = run("log", "--fund", "INTL-BCV", "--format", "json", db=db)
    assert code == 0, err
    assert json.loads(out)
