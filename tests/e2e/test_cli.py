"""The `planledger` command: exit codes, messages, formats, and quiet output off a terminal.

Most tests call `main(argv)` in-process with a SQLite file in a temporary folder; one runs
the installed console script to check what a shell user sees.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from adapters.cli.main import main
from projections.quarterly_report import review_section
from tests import oracles
from tests.builders import net_assets_csv, write_csv
from tests.conftest import PROJECT_ROOT, SHIPPED_PLAN


def run(*argv: str, db: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--db", f"sqlite:///{db}", "--actor", "cli-test"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A ledger with the shipped plan loaded and approved by both boards (June 2003)."""
    path = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=path)[0] == 0
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        code, out, err = run("board", "meeting", str(DATA / f"approval-{company}.toml"), db=path)
        assert code == 0, err
        assert "passed (board 4/4, Independent Board Members 3/3)" in out
    return path


def test_plan_load_reports_the_fund_classes(tmp_path):
    code, out, _ = run("plan", "load", str(SHIPPED_PLAN), db=tmp_path / "x.db")
    assert code == 0
    assert "loaded: INTL-BCV/R, STABLE-VALUE/R" in out
    code, out, _ = run("plan", "load", str(SHIPPED_PLAN), db=tmp_path / "x.db")
    assert code == 0 and "already loaded, nothing changed" in out


def test_bad_input_exits_2_naming_file_row_and_field(db, tmp_path):
    bad = write_csv(
        tmp_path / "nav.csv",
        ["fund", "class", "date", "net_assets"],
        [("INTL-BCV", "R", "2003-02-30", "1.00")],
    )
    code, _, err = run("import", "net-assets", str(bad), db=db)
    assert code == 2
    assert "error: nav.csv, row 2, field 'date': " in err
    assert "nothing was written" in err
    assert "Traceback" not in err


def test_a_refusal_exits_1_naming_the_rule_and_the_clause(db, tmp_path):
    net_assets_csv(
        tmp_path / "a.csv", {date: "1.00" for date in list(oracles.JULY_2003_NET_ASSETS)[:2]}
    )
    assert run("import", "net-assets", str(tmp_path / "a.csv"), db=db)[0] == 0
    code, _, err = run(
        "pay",
        "distributor",
        "--fund",
        "INTL-BCV",
        "--period",
        "2003-07",
        "--amount",
        "5.00",
        "--paid-on",
        "2003-08-05",
        "--reference",
        "W1",
        db=db,
    )
    assert code == 1
    assert (
        "refused by rule 'payment-ahead-of-fee' (SECOND, SIXTH; ICA §17(a)(3) (decision A16))"
        in err
    )


def test_missing_net_assets_exit_1_and_name_the_dates(db):
    code, _, err = run("accrue", "--through", "2003-07-31", db=db)
    assert code == 1
    assert "'net-assets-missing'" in err
    assert "INTL-BCV/R net assets: no figure for 2003-07-01..2003-07-31 (31 days)" in err


def test_usage_errors_exit_2_without_a_traceback(db):
    code, _, err = run(
        "pay",
        "distributor",
        "--fund",
        "INTL-BCV",
        "--period",
        "2003-13",
        "--amount",
        "1",
        "--paid-on",
        "2003-08-05",
        "--reference",
        "W",
        db=db,
    )
    assert code == 2
    assert "Traceback" not in err
    code, _, err = run(
        "pay",
        "distributor",
        "--fund",
        "INTL-BCV",
        "--period",
        "2003-07",
        "--amount",
        "1.001",
        "--paid-on",
        "2003-08-05",
        "--reference",
        "W",
        db=db,
    )
    assert code == 2 and "--amount: positive, with at most two decimals" in err
    code, _, err = run("import", "net-assets", "nowhere.csv", "--restatement", db=db)
    assert code == 2 and "--restatement needs --reason" in err
    code, _, err = run("import", "net-assets", "nowhere.csv", db=db)
    assert code == 2 and "nowhere.csv: cannot read" in err


def test_unknown_fund_exits_2(db):
    code, _, err = run(
        "pay",
        "distributor",
        "--fund",
        "NOPE",
        "--period",
        "2003-07",
        "--amount",
        "1",
        "--paid-on",
        "2003-08-05",
        "--reference",
        "W",
        db=db,
    )
    assert code == 2
    assert "unknown fund class NOPE/R" in err


def test_json_money_is_a_string_with_two_decimals(db, tmp_path):
    run(
        "import",
        "net-assets",
        str(net_assets_csv(tmp_path / "j.csv", oracles.JULY_2003_NET_ASSETS)),
        db=db,
    )
    run("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R", db=db)
    code, out, _ = run("balances", "--as-of", "2003-07-31", "--format", "json", db=db)
    assert code == 0
    rows = {row["fund_class"]: row for row in json.loads(out)}
    assert rows["INTL-BCV/R"]["accrued"] == "4282.70"
    assert rows["INTL-BCV/R"]["absc_accrued"] == "2141.35"
    assert rows["STABLE-VALUE/R"]["accrued"] == "0.00"
    code, out, _ = run("balances", "--as-of", "2003-07-15", "--format", "csv", db=db)
    header, intl = out.splitlines()[:2]
    assert header.startswith("fund_class,accrued_through,absc_accrued")
    assert intl.startswith("INTL-BCV/R,2003-07-15,")


def test_every_command_has_help():
    for argv in (
        ["--help"],
        ["plan", "load", "--help"],
        ["import", "net-assets", "--help"],
        ["accrue", "--help"],
        ["pay", "distributor", "--help"],
        ["pay", "provider", "--help"],
        ["provider", "agree", "--help"],
        ["service-fee", "--help"],
        ["expenditure", "record", "--help"],
        ["import", "expenditures", "--help"],
        ["balances", "--help"],
    ):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv) == 0
        assert out.getvalue().startswith("Usage: planledger")


def test_the_console_script_is_quiet_off_a_terminal(tmp_path):
    """Piped output carries results only: no progress bar, no traceback."""
    script = PROJECT_ROOT / ".venv" / "bin" / "planledger"
    environment = dict(os.environ, PLANLEDGER_DB=f"sqlite:///{tmp_path / 'x.db'}")
    subprocess.run(
        [str(script), "plan", "load", str(SHIPPED_PLAN)],
        env=environment,
        check=True,
        capture_output=True,
    )
    nav = net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS)
    completed = subprocess.run(
        [str(script), "import", "net-assets", str(nav)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stderr == ""
    assert completed.stdout == "n.csv: 22 rows; 22 recorded, 0 restated, 0 unchanged\n"


def test_compliance_exits_1_when_a_review_is_overdue_and_lists_the_status(db, tmp_path):
    nav = net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS)
    run("import", "net-assets", str(nav), db=db)
    code, out, _ = run("compliance", "--as-of", "2003-09-30", "--format", "json", db=db)
    assert code == 0
    rows = {row["fund_class"]: row for row in json.loads(out)}
    intl = rows["INTL-BCV/R"]
    assert intl["plan"].startswith("in effect: initial term 2003-07-01..2004-05-30, approved by")
    assert intl["agreement"] == "in effect"
    assert intl["next_continuance_due"] == "2004-05-31"
    assert intl["overdue"] is False
    code, out, _ = run("compliance", "--as-of", "2004-01-01", "--format", "json", db=db)
    assert code == 1
    rows = {row["fund_class"]: row for row in json.loads(out)}
    assert rows["INTL-BCV/R"]["unreviewed_quarters"] == ["2003Q3", "2003Q4"]
    review = rows["INTL-BCV/R"]["items"][0]
    assert review["text"].startswith("2003Q3 written report not issued")
    assert (review["kind"], review["date"], review["status"]) == (
        "report-review",
        "2003-12-31",
        "overdue",
    )
    code, out, _ = run("compliance", "--as-of", "2004-06-01", db=db)
    assert code == 1
    assert "lapsed: the initial term ended on 2004-05-30" in out


def test_reports_issued_and_reviewed_clear_the_compliance_item(db):
    for quarter, issued, reviewed in (
        ("2003Q3", "2003-10-20", "2003-11-12"),
        ("2003Q4", "2004-01-20", "2004-02-11"),
    ):
        for fund in ("INTL-BCV", "STABLE-VALUE"):
            assert (
                run(
                    "report",
                    "issue",
                    "--fund",
                    fund,
                    "--quarter",
                    quarter,
                    "--on",
                    issued,
                    db=db,
                )[0]
                == 0
            )
            assert (
                run(
                    "report",
                    "review",
                    "--fund",
                    fund,
                    "--quarter",
                    quarter,
                    "--meeting",
                    f"M-{reviewed}",
                    "--on",
                    reviewed,
                    db=db,
                )[0]
                == 0
            )
    code, out, _ = run("compliance", "--as-of", "2004-03-01", "--format", "csv", db=db)
    assert code == 0, out


def test_the_report_issued_is_the_report_written_after_the_issue_and_the_review(db, tmp_path):
    """`report issue` hashes the report with its issue date and preparer in it; `report
    quarterly` then writes that report, with the review once recorded, and the JSON's hash with
    the review line blank is the one recorded."""
    code, out, _ = run(
        "report",
        "issue",
        "--fund",
        "INTL-BCV",
        "--quarter",
        "2003Q3",
        "--on",
        "2003-10-20",
        "--issued-by",
        "J. Smith, Treasurer",
        db=db,
    )
    assert code == 0, out
    digest = out.split("SHA-256 ")[1].split(")")[0]
    run(
        "report",
        "review",
        "--fund",
        "INTL-BCV",
        "--quarter",
        "2003Q3",
        "--meeting",
        "M-1",
        "--on",
        "2003-11-12",
        db=db,
    )
    code, _, _ = run(
        "report",
        "quarterly",
        "--quarter",
        "2003Q3",
        "--fund-class",
        "INTL-BCV/R",
        "--out",
        str(tmp_path),
        "--formats",
        "json,html",
        db=db,
    )
    assert code == 0
    report = json.loads((tmp_path / "INTL-BCV-R-2003Q3.json").read_text())
    assert (report["issue"]["issued_on"], report["issue"]["prepared_by"]) == (
        "2003-10-20",
        "J. Smith, Treasurer",
    )
    assert report["board_review"]["line"].endswith("on 2003-11-12 at meeting M-1.")
    as_issued = {**report, "board_review": review_section(None)}
    encoded = (json.dumps(as_issued, indent=2, ensure_ascii=False) + "\n").encode()
    assert hashlib.sha256(encoded).hexdigest() == digest
    html = (tmp_path / "INTL-BCV-R-2003Q3.html").read_text()
    assert "Prepared by J. Smith, Treasurer for the Distributor" in html


def test_a_review_before_the_report_is_issued_is_refused(db):
    code, _, err = run(
        "report",
        "review",
        "--fund",
        "INTL-BCV",
        "--quarter",
        "2003Q3",
        "--meeting",
        "M-1",
        "--on",
        "2003-11-12",
        db=db,
    )
    assert code == 1
    assert "'report-not-issued' (FOURTH)" in err


def test_a_malformed_meeting_file_names_each_field(db, tmp_path):
    meeting = tmp_path / "bad.toml"
    meeting.write_text(
        'format = "planledger-meeting/1"\ncompany = "INTL-FUNDS"\nmeeting_id = "M"\n'
        'date = 2004-05-20\ncalled_for_plan = "perhaps"\nagenda = []\nminutes = "m"\n'
        '[attendance]\nD-ADAMS = "zoom"\n[[resolutions]]\nid = "R"\nkind = "continuance"\n'
        'fund_classes = ["INTL-BCV/R"]\ntext = "t"\nvotes = { D-ADAMS = "for" }\n'
    )
    code, _, err = run("board", "meeting", str(meeting), db=db)
    assert code == 2
    assert "bad.toml, field 'called_for_plan'" in err
    assert "bad.toml, field 'attendance.D-ADAMS'" in err
    assert "bad.toml, field 'resolutions.0': a continuance resolution needs covers_through" in err


def test_a_failed_resolution_is_recorded_and_exits_0(db, tmp_path):
    """Recorded, so done (issue 12): exit 0, and the output says FAILED."""
    meeting = tmp_path / "m.toml"
    meeting.write_text(
        (DATA / "approval-INTL-FUNDS.toml")
        .read_text()
        .replace("2003-06-17", "2004-05-20")
        .replace('kind = "plan_approval"', 'kind = "continuance"\ncovers_through = 2005-05-30')
        .replace('D-BAKER = "for", D-CRUZ = "for"', 'D-BAKER = "against", D-CRUZ = "abstain"')
    )
    code, out, _ = run("board", "meeting", str(meeting), db=db)
    assert code == 0
    assert "FAILED (board 2/4, Independent Board Members 1/3)" in out
    code, out, _ = run("board", "meeting", str(meeting), db=db)
    assert code == 0 and "already recorded" in out
