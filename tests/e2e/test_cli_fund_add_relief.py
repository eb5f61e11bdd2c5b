"""Meeting files for issue 11's add-fund and in-person relief rules, through the command line:
an added fund already offered to the public waits for `shareholder-vote --subject add_fund`;
a telephone vote counts only under a relief recorded with `board relief`, and `compliance`
lists it until it is ratified in person."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.builders import every_day, net_assets_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run

HEADER = """format = "planledger-meeting/1"
company = "INTL-FUNDS"
meeting_id = "{meeting_id}"
date = {day}
called_for_plan = true
agenda = ["The Class R Plan and Agreement"]
minutes = "Minutes of {meeting_id}"
relief = "{relief}"

[attendance]
D-ADAMS = "{mode}"
D-BAKER = "{mode}"
D-CRUZ = "physical"
D-DOYLE = "physical"
"""
VOTES = 'votes = { D-ADAMS = "for", D-BAKER = "for", D-CRUZ = "for", D-DOYLE = "for" }\n'
ADD_GROWTH = (
    """
[[resolutions]]
id = "R-ADD"
kind = "amendment"
fund_classes = ["INTL-GROWTH/R"]
text = "RESOLVED, that the International Growth Fund is added to Schedule A"
"""
    + VOTES
    + """
[resolutions.add_fund]
code = "INTL-GROWTH"
name = "INVESCO International Growth Fund"
offered_to_public = true
offered_to_public_source = "prospectus of 2002-03-01"

[resolutions.add_fund.schedule_b]
asset_based_sales_charge = "0.25%"
maximum_service_fee = "0.25%"
maximum_total = "0.50%"
"""
)


def meeting_file(
    folder: Path, meeting_id: str, day: str, body: str, relief="none", mode="physical"
):
    path = folder / f"{meeting_id}.toml"
    path.write_text(HEADER.format(meeting_id=meeting_id, day=day, relief=relief, mode=mode) + body)
    return path


def approved_ledger(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=db)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=db)[0] == 0
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        code, _, err = run("board", "meeting", str(DATA / f"approval-{company}.toml"), db=db)
        assert code == 0, err
    return db


def test_an_added_fund_offered_to_the_public_waits_for_its_shareholders(tmp_path: Path):
    db = approved_ledger(tmp_path)
    added = meeting_file(tmp_path, "M-ADD", "2003-09-15", ADD_GROWTH)
    code, out, err = run("board", "meeting", str(added), db=db)
    assert code == 0, err
    figures = {day: "5000000.00" for day in every_day(date(2003, 9, 15), date(2003, 10, 31))}
    net_assets_csv(tmp_path / "g.csv", figures, fund="INTL-GROWTH")
    assert run("import", "net-assets", str(tmp_path / "g.csv"), db=db)[0] == 0
    accrue = ("accrue", "--through", "2003-09-30", "--fund-class", "INTL-GROWTH/R")
    code, out, err = run(*accrue, db=db)
    assert code == 1, out + err
    assert "awaiting the shareholders" in out + err
    vote = ("shareholder-vote", "--fund", "INTL-GROWTH", "--class", "R", "--reference", "V-ADD")
    code, out, err = run(
        *vote,
        *("--subject", "add_fund", "--amendment", "R-ADD", "--on", "2003-10-20"),
        *("--outstanding", "10000000", "--present", "6000000", "--for", "4100000"),
        db=db,
    )
    assert code == 0, err
    assert "passed (§2(a)(42))" in out
    code, out, err = run(*accrue[:2], "2003-10-31", *accrue[3:], db=db)
    # 12 days from the vote: 5,000,000 × 0.50% × 12 / 365 = 821.92 after the month's true-up.
    assert "2003-10-20  2003-10-31" in out and "821.92" in out
    assert (
        "the plan is in effect only from 2003-10-20 (its shareholders' approval, vote V-ADD of "
        "2003-10-20; §2(a)(42); Rule 12b-1(b)(1))"
    ) in out


def test_a_telephone_renewal_counts_only_under_a_recorded_relief_and_awaits_ratification(
    tmp_path: Path,
):
    db = approved_ledger(tmp_path)
    body = (
        """
[[resolutions]]
id = "A-1"
kind = "amendment"
fund_classes = ["INTL-BCV/R"]
text = "RESOLVED, that the asset-based sales charge is reduced to 0.20%"
discussed_in_person_at = "INTL-FUNDS-2003-06-17"
"""
        + VOTES
        + """
[resolutions.schedule_b]
asset_based_sales_charge = "0.20%"
maximum_service_fee = "0.25%"
maximum_total = "0.45%"
"""
    )
    unknown = meeting_file(
        tmp_path, "M-1", "2003-09-15", body, relief="staff-2019", mode="telephone"
    )
    code, out, err = run("board", "meeting", str(unknown), db=db)
    assert code == 2, out + err
    assert "no relief 'staff-2019' is recorded for INTL-FUNDS" in err
    relief = (
        *("board", "relief", "--company", "INTL-FUNDS", "--id", "IDC-2019"),
        *("--name", "SEC staff letter to the Independent Directors Council"),
        *("--source", "Independent Directors Council, SEC staff letter of February 28, 2019"),
        *("--covers", "renewal,prior-discussion", "--from", "2003-09-01"),
        *("--conditions", "ratified at the next in-person meeting"),
    )
    code, out, err = run(*relief, db=db)
    assert code == 2, out + err  # neither --until nor --until-withdrawn
    code, out, err = run(*relief, "--until-withdrawn", "no end date in the letter", db=db)
    assert code == 0, err
    assert "relief IDC-2019 recorded" in out
    remote = meeting_file(tmp_path, "M-2", "2003-09-15", body, relief="IDC-2019", mode="telephone")
    code, out, err = run("board", "meeting", str(remote), db=db)
    assert code == 0, out + err
    assert "ratification at the next in-person meeting is required" in out
    code, out, err = run("compliance", "--as-of", "2003-09-30", db=db)
    assert code == 0, out + err
    assert (
        "INTL-FUNDS: resolutions awaiting ratification in person: A-1 (voted 2003-09-15 under "
        "relief IDC-2019)\n"
    ) in out
    later = meeting_file(tmp_path, "M-3", "2003-10-15", "")
    assert run("board", "meeting", str(later), db=db)[0] == 0
    code, out, err = run("compliance", "--as-of", "2003-10-31", db=db)
    assert code == 1, out + err
    assert "A-1 (voted 2003-09-15 under relief IDC-2019) OVERDUE: the in-person meeting of " in out
    assert "2003-10-15 did not ratify it" in out
    # Every output says why it exits 1, not the table alone: the classes of the Company carry
    # the resolution awaiting ratification among their items, overdue.
    code, out, err = run("compliance", "--as-of", "2003-10-31", "--format", "json", db=db)
    assert code == 1, out + err
    [row] = [row for row in json.loads(out) if row["fund_class"] == "INTL-BCV/R"]
    assert row["overdue"] is True
    [ratification] = [item for item in row["items"] if item["kind"] == "ratification"]
    assert (
        "A-1 (voted 2003-09-15 under relief IDC-2019) OVERDUE: the in-person meeting of "
        "2003-10-15 did not ratify it"
    ) in ratification["text"]
    assert (ratification["date"], ratification["status"]) == ("2003-10-15", "overdue")
