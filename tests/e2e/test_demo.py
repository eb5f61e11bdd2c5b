"""The demo runs from the shell script and its balances match an independent calculation.

The calculation below reads the demo's own net-assets file and recomputes each month's fee
with fractions: every calendar day from 2003-07-01 to 2004-06-30 (the initial term, then the
continuance the boards approved in May 2004) carries the last figure, at 0.50% a year over the
actual days of the year, rounded once a month; the odd cent of each month goes to the
asset-based sales charge (equal rates). The demo pays every month's accrual (June on
2004-07-06), so as of 2004-07-31 everything accrued is paid and nothing is payable. Its audit
chapter then restates a week of September 2003: the same calculation on the corrected figures
gives the new accruals, while the payments stand.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

TERM_START = date(2003, 7, 1)
LAST_DAY = date(2004, 6, 30)  # the initial term to 2004-05-30, then the May 2004 continuance


def independent_balances(*net_assets_csvs: Path) -> dict[str, dict[str, Decimal]]:
    """From the net-assets files in order: a later file's figure replaces an earlier one."""
    figures: dict[str, dict[date, Fraction]] = defaultdict(dict)
    for net_assets_csv in net_assets_csvs:
        with net_assets_csv.open() as handle:
            for row in csv.DictReader(handle):
                day = date.fromisoformat(row["date"])
                figures[f"{row['fund']}/{row['class']}"][day] = Fraction(row["net_assets"])
    balances = {}
    for fund_class, by_day in figures.items():
        months: dict[tuple[int, int], Fraction] = defaultdict(Fraction)
        basis = None
        day = TERM_START
        while day <= LAST_DAY:
            basis = by_day.get(day, basis)
            year_days = 366 if day.year % 4 == 0 else 365
            months[(day.year, day.month)] += basis * Fraction(5, 1000) / year_days
            day += timedelta(days=1)
        absc = service = Decimal(0)
        for exact in months.values():
            cents = int(
                (Decimal(exact.numerator) / Decimal(exact.denominator) * 100).quantize(
                    Decimal(1), rounding=ROUND_HALF_UP
                )
            )
            absc += Decimal((cents + 1) // 2) / 100
            service += Decimal(cents // 2) / 100
        balances[fund_class] = {"absc_accrued": absc, "service_accrued": service}
    return balances


@pytest.mark.slow
def test_demo_balances_match_an_independent_calculation(tmp_path):
    folder = tmp_path / "demo"
    environment = dict(os.environ, PLANLEDGER_DEMO_DIR=str(folder))
    environment.pop("PLANLEDGER_DB", None)
    completed = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "demo.sh")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "Traceback" not in completed.stdout + completed.stderr
    assert f"ledger:      {folder}/planledger.db" in completed.stdout
    printed = json.loads((folder / "balances.json").read_text())
    expected = independent_balances(folder / "data" / "net-assets.csv")
    assert sorted(row["fund_class"] for row in printed) == sorted(expected)
    for row in printed:
        want = expected[row["fund_class"]]
        accrued = want["absc_accrued"] + want["service_accrued"]
        assert Decimal(row["absc_accrued"]) == want["absc_accrued"]
        assert Decimal(row["service_accrued"]) == want["service_accrued"]
        assert Decimal(row["accrued"]) == accrued
        assert Decimal(row["paid"]) == accrued
        assert row["payable"] == "0.00"
        assert row["accrued_through"] == "2004-06-30"
    # After the audit chapter's restatement: accrued follows the corrected figures exactly;
    # what was paid stays paid, so the Distributor owes the difference back: a receivable,
    # never a negative payable (decision A16).
    restated = json.loads((folder / "balances-after-restatement.json").read_text())
    corrected = independent_balances(
        folder / "data" / "net-assets.csv", folder / "data" / "restatement.csv"
    )
    for row, before in zip(restated, printed, strict=True):
        want = corrected[row["fund_class"]]
        accrued = want["absc_accrued"] + want["service_accrued"]
        assert Decimal(row["accrued"]) == accrued
        assert row["paid"] == before["paid"]
        owed = accrued - Decimal(before["paid"])
        assert Decimal(row["payable"]) == max(owed, Decimal(0))
        assert Decimal(row["receivable"]) == max(-owed, Decimal(0))
    assert restated[0]["fund_class"] == "INTL-BCV/R" and restated[0]["payable"] == "0.00"
    assert restated[0]["receivable"] == "19.82"
    assert "OK: every stored event matches the chain, the seals and the snapshots" in (
        completed.stdout
    )
    # The bundle, checked with a plain Python: 16 files, the 24 files of the six reports issued
    # by its date as kept, and the differences between them and the reports as of that date.
    assert "OK: 41 files match the manifest" in completed.stdout
    assert "6 report(s) as issued match their sealed issues" in completed.stdout
    # INTL-BCV 2003Q3 as issued, byte for byte (the files written before it was issued), and
    # now, marked with what the restatement moved (docs/audit.md §7).
    for name in ("json", "csv", "html", "pdf"):
        stem = f"INTL-BCV-R-2003Q3.{name}"
        kept = (folder / "reports-as-issued" / stem).read_bytes()
        assert kept == (folder / "reports" / stem).read_bytes()
    now = json.loads((folder / "reports-restated" / "INTL-BCV-R-2003Q3.json").read_text())
    moved = {row["figure"]: row for row in now["restated"]["figures"]}
    assert now["restated"]["issued_on"] == "2003-10-20"
    assert moved["quarter_figures.accrued.total"]["as_issued"] == "12860.79"
    assert moved["quarter_figures.accrued.total"]["now"] == "12840.97"
    assert moved["quarter_figures.accrued_less_paid"]["now"] == "-19.82"
    assert "INTL-BCV/R 2003Q3, issued 2003-10-20" in completed.stdout  # named by impact
    reports = sorted(path.name for path in (folder / "reports").iterdir())
    assert len(reports) == 2 * 4 * 4  # two fund classes, four quarters, four formats
    assert "INTL-BCV-R-2003Q3.pdf" in reports and "STABLE-VALUE-R-2004Q2.html" in reports
    checked = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "bean-check"), str(folder / "books.beancount")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "bean-check: no errors" in completed.stdout
    trial = (folder / "trial-balance.txt").read_text().splitlines()[-1].split()
    assert trial[0] == "TOTAL" and trial[1] == trial[2] and trial[3] == "0.00"
