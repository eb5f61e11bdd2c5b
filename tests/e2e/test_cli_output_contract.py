"""One output contract for every read command (issue 12; README, "Output").

Each read command takes `--format table|json|csv`. In JSON money is a string with two decimals,
an annual rate a decimal fraction string ("0.0025", never "0.25%" and never a float), a boolean
a JSON boolean and a list a JSON list; CSV starts with a header and gives money and rates as
JSON does. A table on a terminal is Rich's: money right-aligned with thousands separators, no
escape code with NO_COLOR, a pager when longer than the terminal; piped, it is plain text.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from adapters.cli.main import main
from adapters.cli.output import Column, TerminalText, render, write_rows
from tests.e2e.test_cli import db, run
from tests.e2e.test_cli_notice import notice

__all__ = ["db"]

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "ledger-before-house"
BEFORE_RESTATEMENT = "2026-12-01T17:32:40Z"

MONEY = re.compile(r"-?\d+\.\d{2}")
FRACTION = re.compile(r"-?\d+(\.\d+)?")
# The fields of the read commands that hold money, and those that hold annual rates.
MONEY_KEYS = {
    "absc_accrued",
    "service_accrued",
    "accrued",
    "absc_paid",
    "service_paid",
    "paid",
    "absc_payable",
    "service_payable",
    "payable",
    "receivable",
    "debit",
    "credit",
    "balance",
    "amount",
    "plan_payments",
    "service_fees",
    "deemed_absc",
    "own_resources",
    "average_daily_net_assets",
    "net_assets_average_daily",
    "cap_amount",
    "cap_remaining",
    "then",
    "now",
    "net_assets",
    "asset_based_sales_charge",
    "service_fee",
    "total",
    "receivable_from_distributor",
}
RATE_KEYS = {
    "absc_rate",
    "service_rate_max",
    "payments_rate",
    "service_rate",
    "absc_annualised",
    "service_annualised",
}
BOOLEAN_KEYS = {"overdue", "plan_in_effect", "agreement_in_effect", "ok"}

READ_COMMANDS = {
    "plan show": ("plan", "show"),
    "balances": ("balances", "--as-of", "2004-06-30"),
    "trial-balance": ("trial-balance", "--as-of", "2004-06-30"),
    "journal": ("journal", "--period", "2003-09"),
    "split": ("split", "--period", "2003-07..2004-06", "--by", "quarter"),
    "service-fee": (
        *("service-fee", "--provider", "DEALER-A", "--fund", "INTL-BCV"),
        *("--period", "2003-09"),
    ),
    "compliance": ("compliance", "--as-of", "2004-06-30"),
    "compliance --retention": ("compliance", "--as-of", "2004-06-30", "--retention"),
    "asof": ("asof", "--fund", "INTL-BCV", "--as-of", "2003-09-30"),
    "impact": ("impact", "--since", BEFORE_RESTATEMENT),
    "verify": ("verify",),
    "accrue": ("accrue", "--through", "2004-06-30"),
}


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's ledger of an earlier release: every command has something to answer."""
    path = tmp_path_factory.mktemp("contract") / "planledger.db"
    with gzip.open(FIXTURE / "planledger.db.gz") as packed, path.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    return path


def answer(ledger: Path, argv: tuple[str, ...], output_format: str) -> str:
    code, out, err = run(*argv, "--format", output_format, db=ledger)
    assert code == 0, err
    return out


def no_float(text: str) -> Any:
    raise AssertionError(f"a JSON number with a fraction: {text}")


def checked(value: Any, key: str = "", rates: bool = False) -> int:
    """Every money, rate and boolean field under `value` in its form; how many were seen.
    `rates`: under asof's `schedule_b`, whose rates have the names `accrued` gives money."""
    if isinstance(value, list):
        return sum(checked(item, key, rates) for item in value)
    if isinstance(value, dict):
        inner = rates or key == "schedule_b"
        return sum(checked(item, name, inner) for name, item in value.items())
    if key in BOOLEAN_KEYS:
        assert isinstance(value, bool), (key, value)
        return 1
    if value is None or key not in MONEY_KEYS | RATE_KEYS:
        return 0
    assert isinstance(value, str), (key, value)
    assert (FRACTION if rates or key in RATE_KEYS else MONEY).fullmatch(value), (key, value)
    return 1


@pytest.mark.parametrize("name", sorted(READ_COMMANDS))
def test_json_money_has_two_decimals_rates_are_fractions_and_booleans_are_booleans(ledger, name):
    found = json.loads(answer(ledger, READ_COMMANDS[name], "json"), parse_float=no_float)
    assert checked(found) or name in {"compliance --retention", "verify"}
    assert "%" not in json.dumps({k: v for k, v in _top(found).items() if k in RATE_KEYS})


def _top(found: Any) -> dict[str, Any]:
    rows = found if isinstance(found, list) else [found]
    return {key: value for row in rows for key, value in row.items()}


@pytest.mark.parametrize("name", sorted(READ_COMMANDS))
def test_csv_starts_with_a_header_and_every_row_fills_it(ledger, name):
    rows = list(csv.reader(io.StringIO(answer(ledger, READ_COMMANDS[name], "csv"))))
    header, body = rows[0], rows[1:]
    assert header and all(re.fullmatch(r"[a-z_.0-9]+", field) for field in header), header
    assert all(len(row) == len(header) for row in body)


@pytest.mark.parametrize("name", sorted(READ_COMMANDS))
def test_every_read_command_takes_the_three_formats(ledger, name):
    for output_format in ("table", "json", "csv"):
        assert answer(ledger, READ_COMMANDS[name], output_format)


def test_rates_are_fractions_in_json_and_csv_and_percentages_in_a_table(ledger):
    argv = READ_COMMANDS["plan show"]
    assert json.loads(answer(ledger, argv, "json"))[0]["absc_rate"] == "0.0025"
    assert next(csv.DictReader(io.StringIO(answer(ledger, argv, "csv"))))["absc_rate"] == "0.0025"
    assert "0.25%" in answer(ledger, argv, "table")
    split = json.loads(answer(ledger, READ_COMMANDS["split"], "json"))
    assert split[1]["payments_rate"] == "0.005"


def test_split_gives_the_fees_by_provider_as_a_list(ledger):
    argv = READ_COMMANDS["split"]
    first = json.loads(answer(ledger, argv, "json"))[0]
    assert first["by_provider"] == [
        {"provider": "DEALER-A", "service_fees": "2572.30"},
        {"provider": "RPS-B", "service_fees": "771.81"},
    ]
    row = next(csv.DictReader(io.StringIO(answer(ledger, argv, "csv"))))
    assert row["by_provider"] == "DEALER-A=2572.30; RPS-B=771.81"
    assert "DEALER-A=2572.30 RPS-B=771.81" in answer(ledger, argv, "table")


def test_asof_booleans_are_json_booleans_and_yes_or_no_in_a_table(ledger):
    argv = READ_COMMANDS["asof"]
    record = json.loads(answer(ledger, argv, "json"))
    assert record["plan_in_effect"] is True
    assert record["schedule_b"]["maximum_total"] == "0.005"
    table = answer(ledger, argv, "table")
    assert "True" not in table
    assert re.search(r"plan in effect +yes\n", table)
    assert "maximum_total 0.50%" in table
    row = next(csv.DictReader(io.StringIO(answer(ledger, argv, "csv"))))
    assert (row["schedule_b.maximum_total"], row["accrued.total"]) == ("0.005", "12840.97")


def test_verify_lists_its_findings_with_fields(ledger):
    record = json.loads(answer(ledger, READ_COMMANDS["verify"], "json"))
    assert record["ok"] is True
    assert record["findings"] == []
    assert record["head"]["position"] == record["events"]
    header = answer(ledger, READ_COMMANDS["verify"], "csv").splitlines()[0]
    assert header == "kind,position,stream,version,detail"


def test_impact_csv_has_a_row_per_figure_changed(ledger):
    rows = list(csv.DictReader(io.StringIO(answer(ledger, READ_COMMANDS["impact"], "csv"))))
    assert {"report"} <= {row["kind"] for row in rows}
    assert any(row["path"] == "quarter_figures.accrued.total" for row in rows)
    table = answer(ledger, READ_COMMANDS["impact"], "table")
    assert table.startswith("27 event(s) committed after")


def test_compliance_items_carry_kind_date_and_status_and_the_agreement_its_end(db):
    code, _, err = notice(db, "2004-04-30")
    assert code == 0, err
    code, out, err = run("compliance", "--as-of", "2004-04-01", "--format", "json", db=db)
    assert code == 1, err  # the reviews of 2003Q3 and 2003Q4 are overdue: still exit 1
    rows = {row["fund_class"]: row for row in json.loads(out)}
    intl = rows["INTL-BCV/R"]
    assert intl["agreement_ends_on"] == "2004-04-30"
    assert rows["STABLE-VALUE/R"]["agreement_ends_on"] is None
    kinds = {item["kind"]: item for item in intl["items"]}
    assert {key: kinds["termination-notice"][key] for key in ("date", "status")} == {
        "date": "2004-04-30",
        "status": "noted",
    }
    review = [item for item in intl["items"] if item["kind"] == "report-review"]
    assert [(item["date"], item["status"]) for item in review] == [
        ("2003-12-31", "overdue"),
        ("2004-03-31", "overdue"),
        ("2004-06-30", "due"),
    ]
    code, out, _ = run("compliance", "--as-of", "2004-05-31", "--format", "json", db=db)
    intl = {row["fund_class"]: row for row in json.loads(out)}["INTL-BCV/R"]
    assert intl["agreement_ends_on"] == "2004-04-30"  # ended: its status says so in a sentence


# ---- the table on a terminal ----------------------------------------------------------------

COLUMNS = [Column("fund_class", "Fund class"), Column("payable", "Payable", money=True)]
ROWS = [
    {"fund_class": "INTL-BCV/R", "payable": Decimal("1234567.891")},
    {"fund_class": "STABLE-VALUE/R", "payable": Decimal("-5")},
]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "40")


def test_a_terminal_gets_money_right_aligned_with_separators_and_no_colour_with_no_color(
    monkeypatch, terminal_size
):
    monkeypatch.setenv("NO_COLOR", "1")
    out = Terminal()
    write_rows(out, ROWS, COLUMNS, "table")
    shown = out.getvalue()
    assert "\x1b" not in shown
    assert "1,234,567.89" in shown
    lines = shown.splitlines()
    money_column_end = lines[0].index("Payable") + len("Payable")
    assert any(line.endswith("-5.00", 0, money_column_end) for line in lines)


def test_a_terminal_gets_colour_without_no_color(monkeypatch, terminal_size):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Terminal()
    write_rows(out, ROWS, COLUMNS, "table")
    assert "\x1b[" in out.getvalue()
    assert "1,234,567.89" in out.getvalue()


def test_a_pipe_gets_the_plain_table_byte_for_byte(monkeypatch, terminal_size):
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    write_rows(out, ROWS, COLUMNS, "table")
    assert out.getvalue() == render(ROWS, COLUMNS, "table")
    assert out.getvalue() == (
        "Fund class         Payable\n"
        "--------------  ----------\n"
        "INTL-BCV/R      1234567.89\n"
        "STABLE-VALUE/R       -5.00\n"
    )


def test_a_table_longer_than_the_terminal_goes_to_the_pager(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "5")
    paged: list[str] = []
    out = Terminal()
    rows = [{"fund_class": f"F{n}/R", "payable": Decimal(n)} for n in range(10)]
    write_rows(out, rows, COLUMNS, "table", page=paged.append)
    assert out.getvalue() == ""
    assert "F9/R" in paged[0] and "\x1b" not in paged[0]


def test_the_command_line_draws_a_terminal_table_through_its_guard(ledger, monkeypatch):
    """On a terminal the answer goes through the same guard (no control character but the
    colours Rich draws), with the separators."""
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setenv("LINES", "60")
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = Terminal()
    argv = ["balances", "--as-of", "2004-06-30", "--db", f"sqlite:///{ledger}"]
    assert main(argv, out=out, err=io.StringIO()) == 0
    shown = out.getvalue()
    assert re.search(r"\d,\d{3}\.\d{2}", shown)
    assert "\x1b[" in shown and "\\u001b" not in shown
    assert not re.search(r"\x1b(?!\[[0-9;]*m)", shown)


def test_a_terminal_narrower_than_the_table_cuts_no_figure(monkeypatch):
    """Rich would shorten a cell to `1,234,5…` to fit: a figure is kept whole instead."""
    monkeypatch.setenv("COLUMNS", "30")
    monkeypatch.setenv("LINES", "40")
    monkeypatch.setenv("NO_COLOR", "1")
    columns = [Column("fund_class", "Fund class")] + [
        Column(f"m{n}", f"Money {n}", money=True) for n in range(6)
    ]
    row = {"fund_class": "STABLE-VALUE/R"} | {f"m{n}": Decimal("1234567.891") for n in range(6)}
    out = Terminal()
    write_rows(out, [row], columns, "table")
    assert out.getvalue().count("1,234,567.89") == 6
    assert "STABLE-VALUE/R" in out.getvalue()
    assert "…" not in out.getvalue()


def test_the_pager_gets_what_the_guard_would_write(monkeypatch):
    """The pager writes to the terminal itself: what it gets went through the same guard."""
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "3")
    paged: list[str] = []
    out = TerminalText(Terminal(), ["s3cret"])
    rows = [{"fund_class": f"F{n}/s3cret\x07", "payable": Decimal(n)} for n in range(5)]
    write_rows(out, rows, COLUMNS, "table", page=paged.append)
    assert "s3cret" not in paged[0] and "\x07" not in paged[0]
    assert "F4/***" in paged[0]
