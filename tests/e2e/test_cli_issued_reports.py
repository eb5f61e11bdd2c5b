"""Reports as issued, and as now (docs/audit.md §7), end to end on a SQLite file: `report
issue` keeps the files, `report issued` writes them back exactly after a restatement, `report
quarterly` marks the report built now, and `verify` checks the files kept."""

from __future__ import annotations

import csv
import json
import sqlite3
from decimal import Decimal

from freezegun import freeze_time

from adapters.outputs import issued as issued_module
from adapters.outputs.renderings import PDF_RENDERING, pdf_rendering
from tests.builders import net_assets_csv
from tests.e2e.test_cli import run
from tests.e2e.test_cli_audit import JULY, db

__all__ = ["db"]
FORMATS = ("json", "csv", "html", "pdf")
STEM = "INTL-BCV-R-2003Q3"


def files_in(folder) -> dict[str, bytes]:
    return {name: (folder / f"{STEM}.{name}").read_bytes() for name in FORMATS}


def quarterly(db, out, *extra) -> dict:
    code, _, err = run(
        "report", "quarterly", "--quarter", "2003Q3", "--fund-class", "INTL-BCV/R",
        "--out", str(out), *extra, db=db,
    )  # fmt: skip
    assert code == 0, err
    return json.loads((out / f"{STEM}.json").read_text())


def restate_july(db, tmp_path) -> None:
    with freeze_time("2003-11-03 12:00:00"):
        restated = {day: str(Decimal(value) * 2) for day, value in JULY.items() if day.day <= 3}
        net_assets_csv(tmp_path / "restated.csv", restated)
        code, _, err = run(
            "import", "net-assets", str(tmp_path / "restated.csv"), "--restatement",
            "--reason", "NAV error", db=db,
        )  # fmt: skip
        assert code == 0, err


def issue(db) -> str:
    with freeze_time("2003-10-15 12:00:00"):
        code, out, err = run(
            "report", "issue", "--fund", "INTL-BCV", "--quarter", "2003Q3", "--on", "2003-10-15",
            db=db,
        )  # fmt: skip
    assert code == 0, err
    return out


def test_the_report_as_issued_comes_back_exactly_and_the_new_one_says_what_moved(db, tmp_path):
    as_built = quarterly(db, tmp_path / "built")
    assert "restated" not in as_built
    assert "issued: recorded" in issue(db)
    # Written after the issue, the report shows it (a draft before): equal to its issue.
    assert as_built["issue"]["status"] != quarterly(db, tmp_path / "same")["issue"]["status"]
    assert "restated" not in quarterly(db, tmp_path / "same")
    restate_july(db, tmp_path)

    code, out, err = run(
        "report", "issued", "--fund", "INTL-BCV", "--quarter", "2003Q3",
        "--out", str(tmp_path / "issued"), db=db,
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines() == [str(tmp_path / "issued" / f"{STEM}.{n}") for n in FORMATS]
    assert files_in(tmp_path / "issued") == files_in(tmp_path / "same")

    now = quarterly(db, tmp_path / "now")
    restated = now["restated"]
    assert restated["issued_on"] == "2003-10-15"
    moved = {row["figure"]: row for row in restated["figures"]}
    accrued = moved["quarter_figures.accrued.total"]
    assert accrued["as_issued"] == as_built["quarter_figures"]["accrued"]["total"]
    assert accrued["now"] == now["quarter_figures"]["accrued"]["total"]
    assert Decimal(accrued["difference"]) == Decimal(accrued["now"]) - Decimal(accrued["as_issued"])
    rows = list(csv.reader((tmp_path / "now" / f"{STEM}.csv").open()))
    assert ["restated", "issued_on", "", "2003-10-15", ""] in rows
    html = (tmp_path / "now" / f"{STEM}.html").read_text()
    assert "<h2>Restated since the report issued on 2003-10-15</h2>" in html

    # As the ledger knew it before the issue: nothing issued yet, nothing to mark.
    assert "restated" not in quarterly(db, tmp_path / "then", "--known-at", "2003-10-14")
    code, out, err = run("verify", db=db)
    assert code == 0, out + err
    assert "issued report files checked against their SHA-256: 4" in out


def test_issuing_the_same_report_again_keeps_nothing_new(db):
    issue(db)
    assert "issued: unchanged" in issue(db)
    code, out, _ = run("verify", "--format", "json", db=db)
    assert code == 0 and json.loads(out)["report_files_checked"] == 4


def test_a_quarter_not_issued_is_bad_input(db, tmp_path):
    code, _, err = run(
        "report", "issued", "--fund", "INTL-BCV", "--quarter", "2003Q4",
        "--out", str(tmp_path / "x"), db=db,
    )  # fmt: skip
    assert code == 2
    assert "INTL-BCV/R: no report for 2003Q4 was issued" in err


def test_a_kept_file_removed_is_named_and_verify_finds_it(db, tmp_path):
    issue(db)
    restate_july(db, tmp_path)
    connection = sqlite3.connect(db)
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        connection.execute(f'DROP TRIGGER "{name}"')
    connection.execute("DELETE FROM planledger_report_files")
    connection.commit()
    connection.close()
    for command in (
        ("report", "quarterly", "--quarter", "2003Q3", "--fund-class", "INTL-BCV/R"),
        ("report", "issued", "--fund", "INTL-BCV", "--quarter", "2003Q3"),
    ):
        code, _, err = run(*command, "--out", str(tmp_path / "out"), db=db)
        assert code == 2, err
        assert "file (SHA-256 " in err and "is not kept in the store" in err
        assert "run `planledger verify`" in err
    code, out, _ = run("verify", db=db)
    assert code == 1
    assert out.count("report-file-missing") == 4


def test_a_report_issued_in_the_former_rendering_is_drawn_in_it_again(db, tmp_path, monkeypatch):
    """A PDF issued by rendering 1 (fpdf2's table layout, before rendering 2): the report
    built now, still that issue, writes the issued bytes again, and issuing it again keeps
    nothing new (docs/decisions.md P-reports-4)."""
    with monkeypatch.context() as before:
        before.setattr(issued_module, "PDF_RENDERING", 1)
        issue(db)
    code, out, err = run(
        "report", "issued", "--fund", "INTL-BCV", "--quarter", "2003Q3",
        "--out", str(tmp_path / "issued"), db=db,
    )  # fmt: skip
    assert code == 0, err
    issued = files_in(tmp_path / "issued")
    assert pdf_rendering(issued["pdf"]) == 1
    quarterly(db, tmp_path / "same")
    assert files_in(tmp_path / "same") == issued
    assert "issued: unchanged" in issue(db)
    code, out, _ = run("verify", "--format", "json", db=db)
    assert code == 0 and json.loads(out)["report_files_checked"] == 4
    # A report that is not its issue is drawn by the rendering of new reports.
    quarterly(db, tmp_path / "then", "--known-at", "2003-10-14")
    assert pdf_rendering((tmp_path / "then" / f"{STEM}.pdf").read_bytes()) == PDF_RENDERING == 2
