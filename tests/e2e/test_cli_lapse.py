"""The command line after a lapse, and a new agreement approved in advance (issue 11).

A meeting file names `on_assignment` or `effective_on` for a new agreement approved in advance;
`shareholder-vote --subject new_plan --resolution ID` records the class's vote on a new plan the
board approved after a lapse; `compliance` shows the plan back in effect from that vote and
lists what waits and what was recorded as an exception.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.builders import net_assets_csv
from tests.e2e.test_cli import DATA, db, run

__all__ = ["db"]

APPROVAL = (DATA / "approval-INTL-FUNDS.toml").read_text()


def meeting_file(folder: Path, name: str, day: str, kind_lines: str) -> Path:
    path = folder / name
    path.write_text(
        APPROVAL.replace("2003-06-17", day).replace('kind = "plan_approval"', kind_lines)
    )
    return path


def compliance(db: Path, as_of: str) -> dict:
    _, out, err = run("compliance", "--as-of", as_of, "--format", "json", db=db)
    assert "Traceback" not in err
    (row,) = [row for row in json.loads(out) if row["fund_class"] == "INTL-BCV/R"]
    return row


def items_text(row: dict) -> str:
    """The texts of a compliance row's items (a JSON list of kind, date, status and text)."""
    return "; ".join(item["text"] for item in row["items"])


def test_a_late_continuance_covers_nothing_and_a_new_plan_resumes_on_the_vote(db, tmp_path):
    days = {date(2003, 6, 30) + timedelta(days=n): "1000000.00" for n in range(10)}
    net_assets_csv(tmp_path / "n.csv", days)  # shares sold from 2003-06-30: a public class
    assert run("import", "net-assets", str(tmp_path / "n.csv"), db=db)[0] == 0
    late = meeting_file(
        tmp_path,
        "late.toml",
        "2004-06-15",
        'kind = "continuance"\ncovers_through = 2005-05-30\nretroactive = true',
    )
    code, out, err = run("board", "meeting", str(late), db=db)
    assert code == 0, err
    row = compliance(db, "2004-06-30")
    assert row["plan"].startswith("not in effect: lapsed")
    assert "retroactive continuance INTL-FUNDS-2004-06-15-1" in items_text(row)
    assert "2004-05-31..2005-05-30" in items_text(row)

    again = meeting_file(tmp_path, "again.toml", "2004-06-20", 'kind = "plan_approval"')
    assert run("board", "meeting", str(again), db=db)[0] == 0
    assert "awaits the vote of the class's shareholders" in items_text(compliance(db, "2004-06-30"))
    code, out, err = run(
        "shareholder-vote",
        "--fund",
        "INTL-BCV",
        "--reference",
        "V-NP",
        "--subject",
        "new_plan",
        "--resolution",
        "INTL-FUNDS-2004-06-20-1",
        "--on",
        "2004-07-06",
        "--outstanding",
        "8000000",
        "--present",
        "6000000",
        "--for",
        "4100000",
        db=db,
    )
    assert code == 0, err
    assert "passed" in out
    assert compliance(db, "2004-07-31")["plan"].startswith(
        "in effect: new plan 2004-07-06..2005-05-30, approved by resolution "
        "INTL-FUNDS-2004-06-20-1 of 2004-06-20 and the shareholders' vote V-NP of 2004-07-06"
    )


def test_a_new_plan_vote_without_its_resolution_is_bad_input(db):
    code, _, err = run(
        "shareholder-vote",
        "--fund",
        "INTL-BCV",
        "--reference",
        "V",
        "--subject",
        "new_plan",
        "--on",
        "2004-07-06",
        "--outstanding",
        "1",
        "--present",
        "1",
        "--for",
        "1",
        db=db,
    )
    assert code == 2
    assert "--subject new_plan needs --resolution ID" in err


def test_a_new_agreement_approved_in_advance_of_the_assignment_leaves_no_gap(db, tmp_path):
    advance = meeting_file(
        tmp_path,
        "advance.toml",
        "2003-08-01",
        'kind = "new_agreement"\ndistributor = "New Distributor, Inc."\n'
        'on_assignment = "COUNSEL-2003-08"',
    )
    code, _, err = run("board", "meeting", str(advance), db=db)
    assert code == 0, err
    assert "approved in advance, awaits the assignment COUNSEL-2003-08" in items_text(
        compliance(db, "2003-08-10")
    )
    code, _, err = run(
        "assignment",
        "--on",
        "2003-08-16",
        "--description",
        "change of control of the Distributor",
        "--no-exempt",
        "--reference",
        "COUNSEL-2003-08",
        db=db,
    )
    assert code == 0, err
    row = compliance(db, "2003-08-16")
    assert row["agreement"] == "in effect"
    assert "COUNSEL-2003-08" not in items_text(row)


def test_a_meeting_file_naming_a_date_and_an_assignment_is_bad_input(db, tmp_path):
    both = meeting_file(
        tmp_path,
        "both.toml",
        "2003-08-01",
        'kind = "new_agreement"\ndistributor = "X"\non_assignment = "C-1"\n'
        "effective_on = 2003-09-01",
    )
    code, _, err = run("board", "meeting", str(both), db=db)
    assert code == 2
    assert "a new agreement takes effect on effective_on or on_assignment" in err
