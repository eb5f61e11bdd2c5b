"""`planledger`: the board approves a form of SEVENTH agreement in a meeting file, a provider
agreement names its form, and a service fee under a form not approved on the days it pays for
exits 1 naming the rule, the form and its kind, and writes nothing (decision A15)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.builders import every_day, positions_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run

FORM_C = "Variable Contract Agreement form 2003-09"

MEETING = """format = "planledger-meeting/1"
company = "INTL-FUNDS"
meeting_id = "INTL-FUNDS-{day}"
date = {day}
called_for_plan = true
agenda = ["Forms of agreement related to the Class R Plan"]
minutes = "Minutes of the meeting of {day}"

[attendance]
D-ADAMS = "physical"
D-BAKER = "physical"
D-CRUZ = "physical"
D-DOYLE = "physical"

[[resolutions]]
id = "INTL-FUNDS-{day}-forms-C"
kind = "agreement_form"
agreement_kind = "C"
form_reference = "{form}"
form_sha256 = "{sha}"
fund_classes = ["INTL-BCV/R"]
text = "RESOLVED, that the form of Variable Contract Agreement (SEVENTH (C)) is approved"
votes = {{ D-ADAMS = "for", D-BAKER = "for", D-CRUZ = "for", D-DOYLE = "for" }}
"""


def approved_ledger(tmp_path: Path) -> Path:
    """The plan and the forms A and B approved on 2003-06-17 (tests/data/approval-*.toml); an
    insurance company's Variable Contract Agreement (SEVENTH (C)) on a form not yet approved,
    its customers' shares worth 2,000,000.00 every day of 2003Q4."""
    db = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=db)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=db)[0] == 0
    code, out, err = run("board", "meeting", str(DATA / "approval-INTL-FUNDS.toml"), db=db)
    assert code == 0, err
    assert "(agreement_form, INTL-BCV/R): passed (board 4/4" in out
    code, out, err = run(
        *("provider", "agree", "--provider", "INS-C", "--name", "Mutual Life", "--kind", "C"),
        *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-10-01"),
        *("--reference", "VCA-1", "--agency-attested", "--form", FORM_C),
        db=db,
    )
    assert code == 0, err
    assert f'on form "{FORM_C}"' in out
    assert "warning: the board of INTL-FUNDS has not approved the form" in out
    q4 = {day: "2000000.00" for day in every_day(date(2003, 10, 1), date(2003, 12, 31))}
    positions_csv(tmp_path / "p.csv", "INS-C", q4)
    assert run("import", "positions", str(tmp_path / "p.csv"), db=db)[0] == 0
    return db


PAY = ("pay", "provider", "--provider", "INS-C", "--fund", "INTL-BCV", "--amount", "cap")


def test_a_fee_under_a_form_not_approved_exits_1_naming_the_form_and_kind(tmp_path: Path):
    db = approved_ledger(tmp_path)
    code, out, err = run(
        *PAY, "--period", "2003Q4", "--paid-on", "2004-01-15", "--reference", "SF-Q4", db=db
    )
    assert code == 1, out + err
    assert "refused by rule 'agreement-form-not-approved' (SEVENTH (C); Rule 12b-1(b)(2))" in err
    assert f'form "{FORM_C}"' in err and "Variable Contract Agreement (SEVENTH (C))" in err
    assert "never approved" in err
    assert "SF-Q4" not in run("log", "--format", "json", db=db)[1]


def test_the_approved_form_opens_the_days_after_its_meeting_only(tmp_path: Path):
    db = approved_ledger(tmp_path)
    meeting = tmp_path / "forms.toml"
    meeting.write_text(MEETING.format(day="2003-11-12", form=FORM_C, sha="c" * 64))
    code, out, err = run("board", "meeting", str(meeting), db=db)
    assert code == 0, err
    assert "(agreement_form, INTL-BCV/R): passed (board 4/4, Independent Board Members 3/3)" in out
    code, _, err = run(
        *PAY, "--period", "2003Q4", "--paid-on", "2004-01-15", "--reference", "SF-Q4", db=db
    )
    assert code == 1
    assert "would pay for 2003-10-01" in err and "approved only on 2003-11-12" in err
    # December 2003 is after the approval: 2,000,000.00 x 0.25% x 31 / 365 = 424.657...,
    # rounded down to 424.65.
    code, out, err = run(
        *PAY, "--period", "2003-12", "--paid-on", "2004-01-15", "--reference", "SF-DEC", db=db
    )
    assert code == 0, err
    assert "service fee SF-DEC of 424.65 recorded" in out


def test_an_agreement_must_name_its_form(tmp_path: Path, capsys):
    db = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=db)[0] == 0
    code, _, err = run(
        *("provider", "agree", "--provider", "D", "--name", "D", "--kind", "A"),
        *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01", "--reference", "S"),
        db=db,
    )
    assert code == 2
    assert "Missing option '--form'" in err + capsys.readouterr().err


def test_a_form_resolution_without_its_form_or_with_a_bad_digest_is_bad_input(tmp_path: Path):
    db = approved_ledger(tmp_path)
    meeting = tmp_path / "bad.toml"
    text = MEETING.format(day="2003-11-12", form=FORM_C, sha="c" * 64)
    meeting.write_text(text.replace(f'form_reference = "{FORM_C}"\n', ""))
    code, _, err = run("board", "meeting", str(meeting), db=db)
    assert code == 2
    assert "an agreement_form resolution needs form_reference" in err
    meeting.write_text(text.replace("c" * 64, "xyz"))
    code, _, err = run("board", "meeting", str(meeting), db=db)
    assert code == 2
    assert "field 'resolutions.0.form_sha256'" in err
