"""The read commands as an interface other programs build on (issue 12): `log --format json|csv`
with its key fields and one contract for values, `log --position` and `--event`, `accruals`,
`journal --account`, `balances --fund-class`, and inclusive ranges in the Beancount export.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from freezegun import freeze_time

from tests import oracles
from tests.builders import every_day, net_assets_csv, positions_csv
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import DATA, run

FUND_CLASS = "INTL-BCV/R"


def ok(*argv: str, db) -> str:
    code, out, err = run(*argv, db=db)
    assert code == 0, out + err
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """July 2003 accrued; a payment to the Distributor and a service fee to DEALER-A; the
    payment reversed and paid again under a new reference; three days of July restated."""
    folder = tmp_path_factory.mktemp("log-interface")
    path = folder / "ledger.db"
    with freeze_time("2003-08-05 12:00:00"):
        ok("plan", "load", str(SHIPPED_PLAN), db=path)
        ok("board", "directors", str(DATA / "directors.csv"), db=path)
        for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
            ok("board", "meeting", str(DATA / f"approval-{company}.toml"), db=path)
        ok(
            *("provider", "agree", "--provider", "DEALER-A", "--name", "Dealer A", "--kind", "A"),
            *("--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01"),
            *("--reference", "SA-1", "--agency-attested"),
            *("--form", "Dealer Service Agreement form 2003-06"),
            db=path,
        )
        net_assets_csv(folder / "july.csv", oracles.JULY_2003_NET_ASSETS)
        ok("import", "net-assets", str(folder / "july.csv"), db=path)
        july = {day: "1000000.00" for day in every_day(date(2003, 7, 1), date(2003, 7, 31))}
        positions_csv(folder / "positions.csv", "DEALER-A", july)
        ok("import", "positions", str(folder / "positions.csv"), db=path)
        ok("accrue", "--through", "2003-07-31", "--fund-class", FUND_CLASS, db=path)
        pay = ("pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07")
        ok(*pay, "--amount", "accrued", "--paid-on", "2003-08-05", "--reference", "W-1", db=path)
        ok(
            *("reverse", "distributor-payment", "--fund", "INTL-BCV", "--reference", "W-1"),
            *("--reason", "paid from the wrong account"),
            db=path,
        )
        ok(*pay, "--amount", "accrued", "--paid-on", "2003-08-05", "--reference", "W-2", db=path)
        ok(
            *("pay", "provider", "--provider", "DEALER-A", "--fund", "INTL-BCV"),
            *("--period", "2003-07", "--amount", "cap", "--paid-on", "2003-08-05"),
            *("--reference", "SF-JUL"),
            db=path,
        )
    with freeze_time("2003-08-20 12:00:00"):  # restated: three days adjusted, July trued up again
        restated = {
            day: str(Decimal(value) * 2)
            for day, value in oracles.JULY_2003_NET_ASSETS.items()
            if day.day <= 3
        }
        net_assets_csv(folder / "restated.csv", restated)
        ok(
            *("import", "net-assets", str(folder / "restated.csv"), "--restatement"),
            *("--reason", "NAV error"),
            db=path,
        )
    return path


def log_json(db, *extra: str) -> list[dict]:
    return json.loads(ok("log", "--format", "json", *extra, db=db))


def test_log_json_names_fund_class_and_provider_as_fields_of_their_own(db):
    entries = log_json(db)
    paid = next(entry for entry in entries if entry["event_type"] == "DistributorPaid")
    assert (paid["fund"], paid["class"], paid["provider"]) == ("INTL-BCV", "R", None)
    assert paid["reference"] == "W-1" and paid["amount"] == paid["fields"]["amount"]
    fee = next(entry for entry in entries if entry["event_type"] == "ServiceFeePaid")
    assert (fee["fund"], fee["class"], fee["provider"]) == ("INTL-BCV", "R", "DEALER-A")
    assert fee["reference"] == "SF-JUL"
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", fee["amount"])


def test_log_json_follows_the_contract_with_no_library_encoding(db):
    out = ok("log", "--format", "json", db=db)
    assert "_type_" not in out and "_data_" not in out
    entries = json.loads(out)
    accrued = next(entry for entry in entries if entry["event_type"] == "FeeAccrued")["fields"]
    assert re.fullmatch(r"[0-9]+\.[0-9]{2}", accrued["amount"])
    assert Decimal(accrued["absc_rate_annual"]) < 1  # a decimal fraction, not a percentage
    nested = [
        entry["fields"][name]
        for entry in entries
        for name in ("rate_segments", "schedule_b")
        if entry["fields"].get(name)
    ]
    assert nested, "the ledger should hold rate segments or a Schedule B"
    rates = [
        value
        for items in nested
        for item in items
        for key, value in item.items()
        if "rate" in key and value is not None
    ]
    assert rates and all(isinstance(rate, str) and Decimal(rate) < 1 for rate in rates)


def test_a_reversal_names_the_event_id_and_position_of_what_it_reverses(db):
    entries = log_json(db)
    reversal = next(
        entry for entry in entries if entry["event_type"] == "DistributorPaymentReversed"
    )
    reversed_entry = next(
        entry
        for entry in entries
        if entry["event_type"] == "DistributorPaid" and entry["reference"] == "W-1"
    )
    assert reversal["reverses_event_id"] == reversed_entry["event_id"]
    assert reversal["reverses_position"] == reversed_entry["position"]
    assert reversal["reference"] == "W-1"


def test_log_csv_carries_the_keys_and_the_fields(db):
    rows = list(csv.DictReader(io.StringIO(ok("log", "--format", "csv", db=db))))
    by_position = {entry["position"]: entry for entry in log_json(db)}
    assert len(rows) == len(by_position)
    for row in rows:
        entry = by_position[int(row["position"])]
        assert json.loads(row["fields"]) == entry["fields"]
        assert row["event_id"] == entry["event_id"]
        assert row["fund"] == (entry["fund"] or "") and row["class"] == (entry["class"] or "")
        assert row["amount"] == (entry["amount"] or "")
    reversal = next(row for row in rows if row["event_type"] == "DistributorPaymentReversed")
    assert reversal["reverses_position"] and reversal["reverses_event_id"]


def test_log_position_and_range(db):
    entries = log_json(db)
    third = entries[2]
    assert log_json(db, "--position", str(third["position"])) == [third]
    assert log_json(db, "--position", "2..4") == [
        entry for entry in entries if 2 <= entry["position"] <= 4
    ]
    code, _, err = run("log", "--position", "999999", db=db)
    assert code == 2 and "no event at log position 999999" in err
    code, _, err = run("log", "--position", "0", db=db)
    assert code == 2


def test_log_event_takes_the_id_the_beancount_export_carries(db, tmp_path):
    ok("export", "beancount", "--out", str(tmp_path / "books"), db=db)
    text = (tmp_path / "books" / "fund.beancount").read_text()
    event_id = re.search(r'ref W-2" [^\n]*\n  event: "([^"]+)"', text).group(1)
    [entry] = log_json(db, "--event", event_id)
    assert entry["event_id"] == event_id and entry["reference"] == "W-2"
    code, _, err = run("log", "--event", "00000000-0000-0000-0000-000000000000:1", db=db)
    assert code == 2 and "no event" in err
    code, _, err = run("log", "--event", "not-an-id", db=db)
    assert code == 2 and "no event" in err


def test_log_finds_the_event_and_the_position_each_beancount_transaction_names(db, tmp_path):
    """Issue 13 §4: from a figure in either entity's books to the event that made it."""
    ok("export", "beancount", "--out", str(tmp_path / "books"), db=db)
    named = []
    for entity in ("fund", "distributor"):
        text = (tmp_path / "books" / f"{entity}.beancount").read_text()
        named += re.findall(r'\n  event: "([^"]+)"\n  position: (\d+)\n', text)
    assert len(named) > 40
    journal = json.loads(ok("journal", "--format", "json", db=db))
    position_of = {row["entry_id"]: row["position"] for row in journal}
    for event_id, position in [named[0], named[len(named) // 2], named[-1]]:
        [by_id] = log_json(db, "--event", event_id)
        [by_position] = log_json(db, "--position", position)
        assert by_id == by_position
        assert (by_id["event_id"], by_id["position"]) == (event_id, int(position))
        assert position_of[event_id] == int(position)


def test_beancount_narrations_show_inclusive_ranges(db, tmp_path):
    ok("export", "beancount", "--entity", "fund", "--out", str(tmp_path / "fund.beancount"), db=db)
    text = (tmp_path / "fund.beancount").read_text()
    assert "2003-07-01..2003-07-31" in text
    assert "..2003-08-01" not in text
    journal = json.loads(ok("journal", "--format", "json", db=db))
    assert not any("..2003-08-01" in row["narration"] for row in journal)


def balances_of(db, *extra: str) -> list[dict]:
    return json.loads(ok("balances", "--as-of", "2003-08-31", "--format", "json", *extra, db=db))


def test_balances_for_one_fund_class(db):
    everything = balances_of(db)
    assert len(everything) > 1
    [one] = balances_of(db, "--fund-class", FUND_CLASS)
    assert one == next(row for row in everything if row["fund_class"] == FUND_CLASS)
    code, _, err = run("balances", "--fund-class", "NOPE/R", db=db)
    assert code == 2 and "no fund class 'NOPE/R'" in err


def test_accruals_by_month_and_by_day_add_up_to_the_balances(db):
    [balance] = balances_of(db, "--fund-class", FUND_CLASS)
    months = json.loads(
        ok("accruals", "--by", "month", "--fund-class", FUND_CLASS, "--format", "json", db=db)
    )
    assert [row["month"] for row in months] == ["2003-07"]
    [july] = months
    assert july["days"] == 31
    assert Decimal(july["absc_accrued"]) + Decimal(july["service_accrued"]) == Decimal(
        july["accrued"]
    )
    for part in ("absc_accrued", "service_accrued", "accrued"):
        assert july[part] == balance[part]
    days = json.loads(
        ok("accruals", "--by", "day", "--fund-class", FUND_CLASS, "--format", "json", db=db)
    )
    assert days[0]["day"] == "2003-07-01" and len(days) == 31
    for part in ("absc_accrued", "service_accrued", "accrued"):
        assert sum(Decimal(row[part]) for row in days) == Decimal(balance[part])
    week = json.loads(
        ok("accruals", "--by", "day", "--period", "2003-07-01..2003-07-07", "--format", "json",
           "--fund-class", FUND_CLASS, db=db)
    )  # fmt: skip
    assert [row["day"] for row in week] == [f"2003-07-0{day}" for day in range(1, 8)]
    table = ok("accruals", db=db)
    assert "ABSC accrued" in table and "2003-07" in table


def test_journal_for_one_account_or_the_accounts_under_a_prefix(db):
    account = "Liabilities:PayableToDistributor:INTL-BCV-R:ServiceFee"
    lines = json.loads(ok("journal", "--account", account, "--format", "json", db=db))
    assert lines and {line["account"] for line in lines} == {account}
    under = json.loads(ok("journal", "--account", "Expenses:Plan12b1:", "--format", "json", db=db))
    assert {line["account"] for line in under} == {
        "Expenses:Plan12b1:INTL-BCV-R:AssetBasedSalesCharge",
        "Expenses:Plan12b1:INTL-BCV-R:ServiceFee",
    }
    # A name without the closing ':' is exact: no account is called just this.
    assert (
        json.loads(ok("journal", "--account", "Expenses:Plan12b1", "--format", "json", db=db)) == []
    )


def test_trial_balance_keeps_each_entitys_books_apart_with_its_own_total(db):
    rows = json.loads(ok("trial-balance", "--as-of", "2003-12-31", "--format", "json", db=db))
    totals = [row for row in rows if row["account"] == "TOTAL"]
    assert [row["entity"] for row in totals] == ["fund", "distributor"]
    assert all(row["debit"] == row["credit"] and row["balance"] == "0.00" for row in totals)
    # Each entity's accounts, then its TOTAL: the fund's first.
    entities = [row["entity"] for row in rows]
    assert entities == sorted(entities, key=("fund", "distributor").index)
    assert rows[entities.index("distributor") - 1]["account"] == "TOTAL"
    for entity in ("fund", "distributor"):
        only = json.loads(
            ok("trial-balance", "--as-of", "2003-12-31", "--entity", entity, "--format", "json",
               db=db)
        )  # fmt: skip
        assert only == [row for row in rows if row["entity"] == entity]
    table = ok("trial-balance", "--as-of", "2003-12-31", "--entity", "distributor", db=db)
    assert "Income:Distributor:PlanFees:INTL-BCV-R:ServiceFee" in table
    assert "Expenses:Plan12b1" not in table
    csv_rows = list(csv.reader(io.StringIO(ok("trial-balance", "--format", "csv", db=db))))
    assert [row[:2] for row in csv_rows if row[1] == "TOTAL"] == [
        ["fund", "TOTAL"],
        ["distributor", "TOTAL"],
    ]


def test_journal_lines_name_their_entity_payee_links_and_position(db):
    fund = json.loads(ok("journal", "--entity", "fund", "--format", "json", db=db))
    distributor = json.loads(ok("journal", "--entity", "distributor", "--format", "json", db=db))
    assert {row["entity"] for row in fund} == {"fund"}
    assert {row["entity"] for row in distributor} == {"distributor"}
    everything = json.loads(ok("journal", "--format", "json", db=db))
    assert len(everything) == len(fund) + len(distributor)
    paid = [row for row in fund if row["kind"] == "distributor-payment"]
    assert paid and all(row["payee"] == "A I M Distributors, Inc." for row in paid)
    assert all(
        "INTL-BCV-R-2003-07" in row["links"] for row in paid if "2003-07" in row["narration"]
    )
    received = [row for row in distributor if row["kind"] == "distributor-payment"]
    assert all("(INTL-BCV/R)" in row["payee"] for row in received)
    assert all(isinstance(row["position"], int) and row["position"] > 0 for row in everything)
