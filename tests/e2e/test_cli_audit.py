"""The audit commands end to end: verify, seal, log, impact, reverse, the bundle, --known-at,
and the retention list. Each runs `main(argv)` on a SQLite file, as a shell user would.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from tests import oracles
from tests.builders import net_assets_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run

JULY = oracles.JULY_2003_NET_ASSETS


@pytest.fixture
def db(tmp_path):
    """July 2003 accrued and paid, recorded (frozen) on 2003-08-05 at noon UTC."""
    path = tmp_path / "ledger.db"
    with freeze_time("2003-08-05 12:00:00"):
        assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
        assert run("board", "directors", str(DATA / "directors.csv"), db=path)[0] == 0
        for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
            assert run("board", "meeting", str(DATA / f"approval-{company}.toml"), db=path)[0] == 0
        net_assets_csv(tmp_path / "july.csv", JULY)
        assert run("import", "net-assets", str(tmp_path / "july.csv"), db=path)[0] == 0
        assert (
            run("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R", db=path)[0] == 0
        )
        code, _, err = run(
            "pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07",
            "--amount", "accrued", "--paid-on", "2003-08-05", "--reference", "WIRE-JULY",
            db=path,
        )  # fmt: skip
        assert code == 0, err
    return path


def balances_json(db, *extra):
    code, out, err = run("balances", "--as-of", "2003-08-31", "--format", "json", *extra, db=db)
    assert code == 0, err
    return {row["fund_class"]: row for row in json.loads(out)}


def test_verify_says_ok_then_names_an_edited_event(db):
    code, out, _ = run("verify", db=db)
    assert code == 0 and "OK:" in out
    connection = sqlite3.connect(db)
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute(
        'UPDATE stored_events SET state = replace(state, \'"amount":"\', \'"amount":"9\') '
        "WHERE rowid = (SELECT MAX(rowid) FROM stored_events "
        "WHERE topic = 'planledger.FundClass.DistributorPaid')"
    )
    connection.commit()
    code, out, _ = run("verify", "--skip-snapshots", db=db)
    assert code == 1
    assert "FOUND" in out and "edited: position" in out


def test_the_database_refuses_an_update(db):
    connection = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        connection.execute("DELETE FROM stored_events")


def test_seal_and_an_external_head(db):
    code, out, _ = run("seal", "--reason", "auditor's request", "--on", "2003-08-06", db=db)
    assert code == 0 and out.startswith("sealed position ")
    position, digest = out.split()[2], out.split()[3].removeprefix("sha256:")
    assert run("verify", "--head", f"{position}:{digest}", db=db)[0] == 0
    code, out, _ = run("verify", "--head", f"{position}:{'0' * 64}", db=db)
    assert code == 1 and "head-mismatch" in out
    assert run("verify", "--head", "nonsense", db=db)[0] == 2


def test_log_filters_and_explains(db):
    code, out, _ = run("log", "--fund", "INTL-BCV", "--type", "DistributorPaid", db=db)
    assert code == 0
    assert "DistributorPaid" in out and "cli-test" in out and "FeeAccrued" not in out
    code, out, _ = run(
        "log", "--type", "FeeAccrued", "--from", "2003-07-30", "--format", "json", db=db
    )
    entries = json.loads(out)
    assert [entry["business_date"] for entry in entries] == ["2003-07-30", "2003-07-31"]
    assert all(entry["actor"] == "cli-test" and entry["source"] for entry in entries)
    assert all(entry["committed_at"].startswith("2003-08-05T12:00:00") for entry in entries)
    code, _, err = run("log", "--type", "NoSuchEvent", db=db)
    assert code == 2 and "unknown event type NoSuchEvent" in err


def test_known_at_answers_as_the_ledger_knew_it(db, tmp_path):
    before = balances_json(db)
    with freeze_time("2003-09-02 12:00:00"):
        restated = {day: str(Decimal(value) * 2) for day, value in JULY.items() if day.day <= 3}
        net_assets_csv(tmp_path / "restated.csv", restated)
        code, out, err = run(
            "import", "net-assets", str(tmp_path / "restated.csv"), "--restatement",
            "--reason", "NAV error", db=db,
        )  # fmt: skip
        assert code == 0, err
    after = balances_json(db)
    assert after["INTL-BCV/R"]["accrued"] != before["INTL-BCV/R"]["accrued"]
    then = balances_json(db, "--known-at", "2003-08-31")
    assert then == before
    code, out, err = run(
        "trial-balance", "--as-of", "2003-08-31", "--known-at", "2003-08-31", db=db
    )
    assert code == 0 and "as known at 2003-08-31T23:59:59.999999Z: log position" in err
    code, out, _ = run("impact", "--since", "2003-08-31", db=db)
    assert code == 0
    assert "FeeAccrualAdjusted" in out
    assert "WIRE-JULY" in out and "accrued for the period it settled" in out


def test_reverse_a_mistaken_payment(db):
    code, out, err = run(
        "reverse", "distributor-payment", "--fund", "INTL-BCV", "--reference", "WIRE-JULY",
        "--reason", "paid from the wrong account", db=db,
    )  # fmt: skip
    assert code == 0, err
    assert "reversed: recorded" in out
    assert balances_json(db)["INTL-BCV/R"]["paid"] == "0.00"
    code, _, err = run(
        "reverse", "expenditure", "--fund", "INTL-BCV", "--reference", "NOPE",
        "--reason", "x", db=db,
    )  # fmt: skip
    assert code == 1 and "reversal-unknown-record" in err


def test_export_bundle_writes_a_verifiable_zip(db, tmp_path):
    out_file = tmp_path / "bundle.zip"
    code, out, err = run("export", "bundle", "--as-of", "2003-07-31", "--out", str(out_file), db=db)
    assert code == 0, err
    assert "events to position" in out
    with zipfile.ZipFile(out_file) as archive:
        names = set(archive.namelist())
    assert {"manifest.json", "events.jsonl", "verify_bundle.py"} <= names
    assert "plan/9dc8a469ea2c9cfc/document.txt" in names


def test_compliance_lists_retention_dates(db):
    code, out, _ = run(
        "compliance", "--as-of", "2003-08-31", "--retention", "--format", "json", db=db
    )
    assert code == 0
    records = json.loads(out)
    kinds = {record["kind"] for record in records}
    assert {"plan", "minutes"} <= kinds
    plan = next(record for record in records if record["kind"] == "plan")
    assert plan["dated"] == "2003-07-01"
    assert plan["easily_accessible_until"] == "2005-07-01"
    assert plan["retain_until"] == "2009-07-01"
    assert plan["status"] == "easily accessible"


def test_retention_runs_from_each_record_date():
    from projections.retention import RetainedRecord, years_after

    assert years_after(date(2004, 2, 29), 6) == date(2010, 2, 28)
    record = RetainedRecord("quarterly report", "X/R", "2003Q3", date(2003, 10, 20))
    assert record.status_on(record.easily_accessible_until) == "easily accessible"
    assert record.status_on(record.easily_accessible_until + timedelta(days=1)) == "retained"
    assert record.status_on(record.retain_until + timedelta(days=1)).startswith("past the minimum")
