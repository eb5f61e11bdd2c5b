"""The records the ledger keeps, each with the rule that keeps it and for how long (issue 11).

Rule 12b-1(f) keeps the plan, every agreement related to it and every report six years from
its date, the first two in an easily accessible place. Rules 31a-1(b)(1), (2) and (4) with
31a-2(a)(1) keep journals, general and auxiliary ledgers and minute books permanently, the
first two years easily accessible. Worked example: the `quarter` scenario (plan approved at
meetings of 2003-06-17, 2003Q3 accrued and paid on the first of each following month, its
report issued 2003-10-15), asked on 2003-12-31 and again on 2011-01-01.

Each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from adapters.cli.handlers_governance import retention_rows

SIX_YEARS = "Rule 12b-1(f)"
MINUTE_BOOKS = "Rules 31a-1(b)(4), 31a-2(a)(1)"
JOURNALS = "Rules 31a-1(b)(1), 31a-2(a)(1)"
LEDGERS = "Rules 31a-1(b)(2), 31a-2(a)(1)"
PLAN = "Amended and Restated Master Distribution Plan and Agreement (Class R Shares)"


def kept(rows):
    return [
        (
            row["kind"],
            row["subject"],
            row["dated"],
            row["rule"],
            row["easily_accessible_until"],
            row["retain_until"],
            row["status"],
        )
        for row in rows
    ]


def test_each_record_is_kept_for_the_period_its_rule_gives(quarter):
    ledger, _ = quarter
    rows = retention_rows(ledger.view, date(2003, 12, 31))
    permanently, at_hand = "permanent", "easily accessible"
    assert kept(rows) == [
        (
            "minutes",
            "board of INTL-FUNDS",
            date(2003, 6, 17),
            MINUTE_BOOKS,
            date(2005, 6, 17),
            permanently,
            at_hand,
        ),
        (
            "minutes",
            "board of TREASURERS-SERIES",
            date(2003, 6, 17),
            MINUTE_BOOKS,
            date(2005, 6, 17),
            permanently,
            at_hand,
        ),
        ("plan", PLAN, date(2003, 7, 1), SIX_YEARS, date(2005, 7, 1), date(2009, 7, 1), at_hand),
        # The journal and the ledgers of a year stay at hand two years from its last entry
        # (the payment for September, made on 1 October).
        (
            "journal",
            "the plan's books",
            date(2003, 10, 1),
            JOURNALS,
            date(2005, 10, 1),
            permanently,
            at_hand,
        ),
        (
            "ledger",
            "the plan's books",
            date(2003, 10, 1),
            LEDGERS,
            date(2005, 10, 1),
            permanently,
            at_hand,
        ),
        (
            "quarterly report",
            "INTL-BCV/R",
            date(2003, 10, 15),
            SIX_YEARS,
            date(2005, 10, 15),
            date(2009, 10, 15),
            at_hand,
        ),
    ]
    journal = next(row for row in rows if row["kind"] == "journal")
    assert journal["reference"] == "2003: entries 2003-07-01 to 2003-10-01"


def test_after_six_years_only_the_permanent_records_are_still_required(quarter):
    ledger, _ = quarter
    status = {
        (row["kind"], row["subject"]): row["status"]
        for row in retention_rows(ledger.view, date(2011, 1, 1))
    }
    assert status[("plan", PLAN)].startswith("past the minimum")
    assert status[("quarterly report", "INTL-BCV/R")].startswith("past the minimum")
    assert status[("minutes", "board of INTL-FUNDS")] == "kept permanently"
    assert status[("journal", "the plan's books")] == "kept permanently"
    assert status[("ledger", "the plan's books")] == "kept permanently"
