"""`planledger reconcile` end to end: statements imported (and not twice), a run and its
re-run, the breaks with their age and owner, a write-off refused to its proposer and approved
by another, and the breaks as known at a time before the work on them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from adapters.application.compose import opened
from adapters.cli.main import main
from adapters.readside import reconciliation as reads
from tests.builders import FORM_A
from tests.e2e.test_cli import DATA, db, run  # noqa: F401
from tests.e2e.test_cli_receivable import figures_file, pay_july
from tests.integration.test_bundle import run_verifier
from tests.reconcile_builders import FUND_ACCOUNT_NUMBER, BankLine, books_csv, write_bai2

RECONCILE = DATA / "reconcile"


def stored_events(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM stored_events").fetchone()[0])


def as_actor(actor: str, *argv: str, db: Path) -> tuple[int, str, str]:  # noqa: F811
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--db", f"sqlite:///{db}", "--actor", actor], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def breaks(db: Path, *options: str) -> list[dict[str, object]]:  # noqa: F811
    code, out, err = run("reconcile", "breaks", "--format", "json", *options, db=db)
    assert code == 0, err
    return list(json.loads(out))


def july_ledger(db: Path, tmp_path: Path) -> None:  # noqa: F811
    figures = figures_file(tmp_path / "na.csv", "10000000.00")
    assert run("import", "net-assets", str(figures), db=db)[0] == 0
    assert run("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R", db=db)[0] == 0
    assert pay_july(db)[0] == 0


def statements(db: Path, tmp_path: Path) -> tuple[Path, Path]:  # noqa: F811
    """The books with 07-15 two cents over (so their July and its payable too); the fund's
    bank paying W-07 and a stray check."""
    with opened(f"sqlite:///{db}", "cli-test") as ledger:
        ledger.read_models.catch_up()
        daily = {
            key: figure.amount for key, figure in reads.ledger_accruals(ledger.view)[0].items()
        }
    day = ("INTL-BCV/R", date(2003, 7, 15))
    books = books_csv(tmp_path / "books.csv", daily, {day: daily[day] + Decimal("0.02")})
    bank = write_bai2(
        tmp_path / "fund.bai2",
        [
            BankLine(date(2003, 8, 1), FUND_ACCOUNT_NUMBER, Decimal("4246.58"), True, "FED1",
                     "W-07", "WIRE TO DISTRIBUTOR"),
            BankLine(date(2003, 8, 1), FUND_ACCOUNT_NUMBER, Decimal("15.00"), True, "CHK9"),
        ],
    )  # fmt: skip
    return books, bank


def test_reconcile_from_the_command_line(db, tmp_path):  # noqa: F811
    july_ledger(db, tmp_path)
    books, bank = statements(db, tmp_path)
    code, out, err = run("reconcile", "import", "fund-books", str(books), db=db)
    assert code == 0, err
    assert "imported 31 lines of books.csv" in out
    account = f"--account={FUND_ACCOUNT_NUMBER}=fund:INTL-BCV"
    assert run("reconcile", "import", "bank-bai2", str(bank), account, db=db)[0] == 0
    before = stored_events(db)
    code, out, _ = run("reconcile", "import", "fund-books", str(books), db=db)
    assert code == 0 and "was imported before: nothing written" in out
    assert stored_events(db) == before

    code, out, err = run(
        "reconcile", "run", "--period", "2003-07..2003-08", "--on", "2003-08-05", db=db
    )
    assert code == 0, err
    assert "opened 4 breaks" in out
    code, out, _ = run("reconcile", "run", "--period", "2003-07..2003-08", db=db)
    assert "nothing new: nothing written" in out
    # Each check: its stream of matches and one batch of them; and four breaks.
    assert stored_events(db) == before + 2 * 2 + 4

    found = breaks(db, "--as-of", "2003-08-31")
    assert [(row["kind"], row["business_date"], row["age_days"]) for row in found] == [
        ("amount-differs", "2003-07-15", 47),
        ("amount-differs", "2003-07-31", 31),  # the month
        ("amount-differs", "2003-07-31", 31),  # the payable at its end
        ("missing-in-ledger", "2003-08-01", 30),
    ]
    assert found[0]["difference"] == "0.02"
    known_before_work = datetime.now(UTC).isoformat().replace("+00:00", "Z")

    day_break = str(found[0]["id"])
    assert run("reconcile", "assign", day_break, "--owner", "treasurer", db=db)[0] == 0
    code, out, err = run(
        "reconcile", "write-off", day_break, "--amount", "0.02", "--reason", "books rounding",
        db=db,
    )  # fmt: skip
    assert code == 0, err
    written = stored_events(db)
    code, _, err = run("reconcile", "approve", day_break, db=db)
    assert code == 1
    assert "refused by rule 'write-off-second-person'" in err
    assert stored_events(db) == written
    code, out, err = as_actor("controller", "reconcile", "approve", day_break, db=db)
    assert code == 0, err
    assert "approve recorded" in out

    now = {row["id"]: row for row in breaks(db, "--as-of", "2003-08-31")}
    assert (now[day_break]["status"], now[day_break]["owner"]) == ("written-off", "treasurer")
    assert len(breaks(db, "--open", "--as-of", "2003-08-31")) == 3
    then = breaks(db, "--open", "--as-of", "2003-08-31", "--known-at", known_before_work)
    assert len(then) == 4 and then[0]["owner"] == ""

    log_verify_and_bundle(db, tmp_path)


def log_verify_and_bundle(db: Path, tmp_path: Path) -> None:  # noqa: F811
    """The work on breaks in the auditor's log; the chain verifies; the regulator's bundle,
    reconciliation's events in it, verifies with its own verifier."""
    code, out, err = run("log", "--type", "BreakWrittenOff", "--format", "json", db=db)
    assert code == 0, err
    (entry,) = json.loads(out)
    assert (entry["actor"], entry["fields"]["proposed_by"]) == ("controller", "cli-test")
    code, out, err = run("verify", db=db)
    assert code == 0, out + err
    bundle = tmp_path / "bundle.zip"
    code, out, err = run("export", "bundle", "--as-of", "2003-08-31", "--out", str(bundle), db=db)
    assert code == 0, err
    with zipfile.ZipFile(bundle) as archive:
        (tmp_path / "verify_bundle.py").write_bytes(archive.read("verify_bundle.py"))
    checked = run_verifier(tmp_path, "bundle.zip")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_reconcile_input_errors_exit_2(db, tmp_path):  # noqa: F811
    bad = tmp_path / "books.csv"
    bad.write_text("date,fund,class,accrued,payable\n2003-07-01,INTL-BCV,R,abc,1.00\n")
    code, _, err = run("reconcile", "import", "fund-books", str(bad), db=db)
    assert code == 2
    assert "books.csv, row 2, field 'accrued'" in err
    code, _, err = run("reconcile", "import", "bank-csv", str(RECONCILE / "bank-export.csv"), db=db)
    assert code == 2 and "--mapping is needed for bank-csv" in err
    code, out, err = run(
        "reconcile", "import", "bank-csv", str(RECONCILE / "bank-export.csv"), "--mapping",
        str(RECONCILE / "bank-mapping.toml"), db=db,
    )  # fmt: skip
    assert code == 0, err
    assert "imported 2 lines of bank-export.csv" in out
    code, _, err = run("reconcile", "assign", "abc", "--owner", "x", db=db)
    assert code == 2 and "no break 'abc'" in err


def test_dealer_terms_and_the_three_way_check(db, tmp_path):  # noqa: F811
    code, _, err = run(
        *("provider", "agree", "--provider", "DEALER-A", "--name", "A Securities", "--kind", "A"),
        *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01", "--reference", "SA-A"),
        *("--agency-attested", "--form", FORM_A),
        db=db,
    )
    assert code == 0, err
    terms = ("reconcile", "dealer-terms", "--provider", "DEALER-A", "--fund", "INTL-BCV")
    code, out, err = run(
        *terms, "--agreement", "SA-A", "--averaging", "month-end", "--document", "§4", db=db
    )
    assert code == 0, err
    assert "DEALER-A on INTL-BCV/R, agreement SA-A: month-end recorded" in out
    again = run(
        *terms, "--agreement", "SA-A", "--averaging", "month-end", "--document", "§4", db=db
    )
    assert "month-end unchanged" in again[1]
    code, _, err = run(
        *terms, "--agreement", "SA-Z", "--averaging", "month-end", "--document", "§4", db=db
    )
    assert code == 1 and "refused by rule 'dealer-agreement-unknown'" in err

    invoices = tmp_path / "invoices.csv"
    invoices.write_text(
        "dealer,fund,class,period,amount,invoice\nDEALER-A,INTL-BCV,R,2003Q3,100.00,INV-9\n"
    )
    assert run("reconcile", "import", "dealer-invoice", str(invoices), db=db)[0] == 0
    code, out, err = run("reconcile", "run", "--period", "2003Q3", db=db)
    assert code == 0, err
    kinds = {str(row["key"]).rsplit("/", 1)[1]: row["kind"] for row in breaks(db)}
    # No positions recorded: the agreement gives nothing, and nothing was paid.
    assert kinds == {"invoice": "amount-differs", "paid": "missing-in-ledger"}
    report_and_remittance(db, tmp_path)


def report_and_remittance(db: Path, tmp_path: Path) -> None:  # noqa: F811
    """The report in its four formats and the dealer's remittance advice, on the ledger of the
    three-way test: one dealer, one class, no positions (a fee of nothing, invoiced 100.00)."""
    period = ("--period", "2003Q3", "--as-of", "2003-10-31")
    code, out, err = run("reconcile", "report", *period, "--format", "json", db=db)
    assert code == 0, err
    document = json.loads(out)
    assert document["period"] == "2003-07-01..2003-09-30"
    assert [row["check"] for row in document["checks"]] == [
        "accruals",
        "distributor-cash",
        "dealer-fees",
    ]
    assert document["checks"][2]["breaks_open"] == 2
    assert sorted(row["kind"] for row in document["open_breaks"]) == [
        "amount-differs",
        "missing-in-ledger",
    ]
    assert {row["age_days"] for row in document["open_breaks"]} == {31}
    (dealer,) = document["dealers"]
    assert (dealer["dealer"], dealer["owed"], dealer["invoiced"], dealer["paid"]) == (
        "DEALER-A",
        "0.00",
        "100.00",
        None,
    )
    assert dealer["method"] == "month-end"
    assert dealer["status"] == "open: amount-differs, missing-in-ledger"
    code, out, _ = run("reconcile", "report", *period, "--format", "csv", db=db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["section"] for row in rows].count("dealers") == 1
    assert {row["section"] for row in rows} == {"checks", "open_breaks", "dealers"}
    code, out, _ = run("reconcile", "report", *period, db=db)
    assert "Matched per check" in out and "open: amount-differs, missing-in-ledger" in out
    owner = "<ops & co>"
    first = str(document["open_breaks"][0]["key"])
    assert run("reconcile", "assign", first, "--owner", owner, db=db)[0] == 0
    page = tmp_path / "report.html"
    code, out, err = run("reconcile", "report", *period, "--format", "html", "--out", str(page),
                         db=db)  # fmt: skip
    assert code == 0, err
    html = page.read_text()
    assert "<h1>Reconciliation 2003-07-01..2003-09-30</h1>" in html
    assert html.count("<table>") == 3
    assert "&lt;ops &amp; co&gt;" in html and owner not in html  # escaped, never markup
    assert "open: amount-differs, missing-in-ledger" in html

    folder = tmp_path / "advice"
    code, out, err = run("reconcile", "remittance", "--period", "2003Q3", "--out", str(folder),
                         db=db)  # fmt: skip
    assert code == 0, err
    assert "DEALER-A: 1 line" in out
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "remittance-DEALER-A-2003-07-01_2003-09-30.csv",
        "remittance-DEALER-A-2003-07-01_2003-09-30.pdf",
    ]
    (advice,) = csv.DictReader(io.StringIO((folder / names[0]).read_text()))
    assert (advice["dealer_name"], advice["fee"], advice["invoiced"]) == (
        "A Securities",
        "0.00",
        "100.00",
    )
    assert (folder / names[1]).read_bytes().startswith(b"%PDF")
    code, _, err = run("reconcile", "remittance", "--dealer", "NOBODY", "--period", "2003Q3",
                       "--out", str(folder), db=db)  # fmt: skip
    assert code == 2 and "no dealer agreement of NOBODY covers" in err
