"""`planledger pay` and decision A16 end to end: an advance is refused (exit 1, nothing
written); a restatement after July was paid leaves a receivable shown by `balances`, `asof`
and the Beancount export; `pay refund` settles it, idempotent by reference, never beyond it.

Figures: net assets of 10,000,000.00 every day of July 2003 accrue 4,246.58; restated to
9,000,000.00 they accrue 3,821.92, so 424.66 was paid beyond the fee.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from tests.e2e.test_cli import db, run  # noqa: F401

JULY = [date(2003, 7, 1) + timedelta(days=n) for n in range(31)]


def stored_events(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM stored_events").fetchone()[0])


def figures_file(path: Path, net_assets: str) -> Path:
    rows = [f"INTL-BCV,R,{day.isoformat()},{net_assets}" for day in JULY]
    path.write_text("fund,class,date,net_assets\n" + "\n".join(rows) + "\n")
    return path


def pay_july(db: Path, *extra: str) -> tuple[int, str, str]:  # noqa: F811
    return run(
        "pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07", "--amount",
        "accrued", "--paid-on", "2003-08-01", "--reference", "W-07", *extra, db=db,
    )  # fmt: skip


def refund(db: Path, amount: str, reference: str = "RF-1") -> tuple[int, str, str]:  # noqa: F811
    return run(
        "pay", "refund", "--fund", "INTL-BCV", "--amount", amount, "--received-on",
        "2003-08-20", "--reference", reference, "--note", "July restated", db=db,
    )  # fmt: skip


def balances_row(db: Path) -> dict[str, str]:  # noqa: F811
    code, out, err = run("balances", "--as-of", "2003-08-31", "--format", "json", db=db)
    assert code == 0, err
    return {row["fund_class"]: row for row in json.loads(out)}["INTL-BCV/R"]


def test_no_advance_a_receivable_and_its_refund_from_the_command_line(db, tmp_path):  # noqa: F811
    assert (
        run("import", "net-assets", str(figures_file(tmp_path / "a.csv", "10000000.00")), db=db)[0]
        == 0
    )
    accrued = run("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R", db=db)
    assert accrued[0] == 0, accrued[2]

    before = stored_events(db)
    code, _, err = pay_july(db, "--advance", "--reason", "year-end")
    assert code == 1
    assert "refused by rule 'payment-ahead-of-fee'" in err and "may not be an advance" in err
    code, _, err = run(
        "pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-08", "--amount", "1.00",
        "--paid-on", "2003-08-01", "--reference", "W-08", db=db,
    )  # fmt: skip
    assert code == 1 and "ahead of the fee" in err
    assert stored_events(db) == before

    code, out, err = pay_july(db)
    assert code == 0, err
    assert "payment W-07 of 4246.58 to the Distributor recorded" in out
    restated = figures_file(tmp_path / "b.csv", "9000000.00")
    code, _, err = run(
        "import", "net-assets", str(restated), "--restatement", "--reason", "wrong price", db=db
    )
    assert code == 0, err

    row = balances_row(db)
    assert (row["payable"], row["receivable"], row["paid"]) == ("0.00", "424.66", "4246.58")
    code, out, _ = run(
        "asof", "--fund", "INTL-BCV", "--as-of", "2003-08-31", "--format", "json", db=db
    )
    assert code == 0
    shown = json.loads(out)
    assert (shown["payable"], shown["receivable_from_distributor"]) == ("0.00", "424.66")

    books = tmp_path / "books"
    assert run("export", "beancount", "--out", str(books), db=db)[0] == 0
    fund, distributor = (books / "fund.beancount").read_text(), (books / "distributor.beancount")
    assert "Assets:Fund:INTL-BCV-R:ReceivableFromDistributor:AssetBasedSalesCharge" in fund
    assert "Liabilities:Distributor:PayableToFund:INTL-BCV-R:AssetBasedSalesCharge" in (
        distributor.read_text()
    )
    for path in (books / "fund.beancount", distributor):
        checked = subprocess.run(
            [str(Path(sys.executable).parent / "bean-check"), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr

    before = stored_events(db)
    code, _, err = refund(db, "424.67")
    assert code == 1 and "refund-exceeds-receivable" in err
    assert stored_events(db) == before
    code, out, err = refund(db, "424.66")
    assert code == 0, err
    assert "refund RF-1 of 424.66 from the Distributor recorded" in out
    code, out, _ = refund(db, "424.66")
    assert code == 0 and "unchanged" in out
    row = balances_row(db)
    assert (row["payable"], row["receivable"], row["paid"]) == ("0.00", "0.00", "3821.92")
