"""`planledger pay provider` for days the plan is not in effect: exit 1, rule and clause named,
nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.builders import every_day, positions_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run


def test_a_service_fee_after_the_lapse_exits_1_naming_the_rule_and_the_clauses(tmp_path: Path):
    db = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=db)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=db)[0] == 0
    code, _, err = run("board", "meeting", str(DATA / "approval-INTL-FUNDS.toml"), db=db)
    assert code == 0, err
    agree = ("provider", "agree", "--provider", "DEALER-A", "--name", "Dealer A", "--kind", "A")
    code, _, err = run(
        *agree,
        *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01"),
        *("--reference", "SA-1", "--agency-attested"),
        *("--form", "Dealer Service Agreement form 2003-06"),
        db=db,
    )
    assert code == 0, err
    june = {day: "1000000.00" for day in every_day(date(2004, 6, 1), date(2004, 6, 30))}
    positions_csv(tmp_path / "p.csv", "DEALER-A", june)
    assert run("import", "positions", str(tmp_path / "p.csv"), db=db)[0] == 0
    pay = ("pay", "provider", "--provider", "DEALER-A", "--fund", "INTL-BCV")
    arguments = (*pay, "--period", "2004-06", "--amount", "cap", "--paid-on", "2004-07-15")
    code, out, err = run(*arguments, "--reference", "SF-JUN", db=db)
    assert code == 1, out + err
    assert "refused by rule 'plan-not-in-effect' (SIXTH; ELEVENTH, THIRTEENTH)" in err
    assert "would pay for 2004-06-01" in err
    code, out, _ = run("log", "--format", "json", db=db)
    assert "SF-JUN" not in out
