"""Fuzzing every importer, file format and figure option through the command line (issue 10).

Hypothesis writes rows for each CSV importer (net assets, positions, expenditures, directors,
gross sales, sales charges), plan and meeting files, and money, date, period, rate, quarter,
count and time options, with one field drawn from good and malformed text alike. An oracle
written here from the README's "Data formats" (not from adapters/inputs/grammar.py) says
which is which:

- a bad input ends with exit 2, a message naming the file, row and field (or the option), no
  traceback, and nothing written (the event count is unchanged);
- a good input is recorded exactly: the figure stored in the new event is the text's Decimal
  in cents (a date, the same day; a flag, the same boolean).

Every example runs `main` in-process against one SQLite ledger per test (the shipped plan,
approved, with a dealer agreement and an open cap account). Bounded for CI (profile `ci`,
derandomized, about 2,400 examples); `PLANLEDGER_HYPOTHESIS_PROFILE=soak` runs ten times as
many, unseeded (scripts/soak.sh).
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from adapters.cli.main import main
from tests.conftest import SHIPPED_PLAN

DATA = Path(__file__).resolve().parent.parent / "data"
PROFILE_VARIABLE = "PLANLEDGER_HYPOTHESIS_PROFILE"
SCALE = {"ci": 1, "soak": 10}[os.environ.get(PROFILE_VARIABLE, "ci")]
CI_MINIMUM_CASES = 2_000
CASES: Counter[str] = Counter()


def fuzz(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples * SCALE,
        derandomize=SCALE == 1,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


# ---- the oracle: the README's grammar, written independently ---------------------------------

FIRST, LAST = date(1900, 1, 1), date(2999, 12, 31)


def is_money(text: str, *, positive: bool, integer_digits: int) -> bool:
    match = re.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?", text, flags=re.ASCII)
    if match is None or len(match.group(1)) > integer_digits:
        return False
    return Decimal(text) > 0 or not positive


def is_rate(text: str) -> bool:
    """A percentage, `%` optional: at most six places, at most 100."""
    match = re.fullmatch(r"(0|[1-9][0-9]{0,2})(\.[0-9]{1,6})?%?", text, flags=re.ASCII)
    return match is not None and Decimal(text.rstrip("%")) <= 100


def as_date(text: str) -> date | None:
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, flags=re.ASCII) is None:
        return None
    try:
        day = date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        return None
    return day if FIRST <= day <= LAST else None


# ---- text to draw from -----------------------------------------------------------------------

KNOWN_BAD_FIGURES = [
    "1.23457E+07", "1e3", "1E+3", "1e400", "1_000.00", "1,000.00", "1 000", "١٠٠.٠٠",
    "１００", "-0", "-0.00", "-1", "+1", "1.005", ".5", "5.", "007", "00", "NaN", "Infinity",
    "-Infinity", "0x10", "1/2", "½", "5%", "$5", "5 USD", "", " ", "true", "9" * 40, "٣",
]  # fmt: skip
KNOWN_BAD_DATES = [
    "1057017600", "20030701", "2003-W27-2", "2003-182", "2003-7-1", "03-07-01", "2003/07/01",
    "2003-07-01T00:00:00", "2003-07-01 ", "2003-02-30", "2003-13-01", "0000-01-01",
    "1899-12-31", "3000-01-01", "9999-12-31", "٢٠٠٣-٠٧-٠١", "2003-07-01Z", "", "0",
    "2003-07", "2003Q3", "+2003-07-01",
]  # fmt: skip
FUZZ_ALPHABET = "0123456789.-+eE_, %$/:TZQ\t٣１½\u00a0\x00x"


def mutated(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A good text with one character inserted, replaced or removed."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        text = draw(good)
        at = draw(st.integers(0, len(text)))
        char = draw(st.sampled_from(FUZZ_ALPHABET))
        how = draw(st.sampled_from(["insert", "replace", "remove"]))
        if how == "insert" or not text:
            return text[:at] + char + text[at:]
        at = min(at, len(text) - 1)
        return text[:at] + (char if how == "replace" else "") + text[at + 1 :]

    return build()


def money_text(maximum_cents: int = 10**14) -> st.SearchStrategy[str]:
    """Good money in every form the grammar allows: 12, 12.5, 12.50."""

    def shown(cents: int, form: int) -> str:
        whole, part = divmod(cents, 100)
        if form == 0 and part == 0:
            return str(whole)
        if form == 1 and part % 10 == 0:
            return f"{whole}.{part // 10}"
        return f"{whole}.{part:02d}"

    return st.builds(shown, st.integers(1, maximum_cents), st.integers(0, 2))


def figure_text(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        good,
        good,
        st.sampled_from(KNOWN_BAD_FIGURES),
        mutated(good),
        st.text(alphabet=FUZZ_ALPHABET, max_size=12),
        st.text(max_size=8),
    )


DRAWN_DAYS_FROM = date(2100, 1, 1)
GOOD_DAYS = st.dates(DRAWN_DAYS_FROM, date(2999, 12, 31))


def date_text() -> st.SearchStrategy[str]:
    good = GOOD_DAYS.map(date.isoformat)
    return st.one_of(
        good,
        good,
        st.sampled_from(KNOWN_BAD_DATES),
        mutated(good),
        st.text(alphabet=FUZZ_ALPHABET, max_size=12),
    )


# ---- one ledger per test, and running the command line ---------------------------------------


@dataclass
class Ledger:
    path: Path
    folder: Path
    serial: Iterator[int]

    def run(self, *argv: str) -> tuple[int, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):  # argparse writes its errors there
            code = main(
                [*argv, "--db", f"sqlite:///{self.path}", "--actor", "fuzz"], out=out, err=err
            )
        return code, err.getvalue()

    def events(self) -> int:
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])

    def states_after(self, count: int) -> list[dict[str, Any]]:
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            rows = connection.execute(
                "SELECT state FROM stored_events ORDER BY rowid LIMIT -1 OFFSET ?", [count]
            ).fetchall()
        return [json.loads(bytes(state)) for (state,) in rows]

    def unique_day(self) -> date:
        """A business day no other example of this test has used."""
        return date(2004, 1, 1) + timedelta(days=next(self.serial))


@pytest.fixture(scope="module")
def approved_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    ledger = Ledger(folder / "ledger.db", folder, itertools.count())
    assert ledger.run("plan", "load", str(SHIPPED_PLAN))[0] == 0
    assert ledger.run("board", "directors", str(DATA / "directors.csv"))[0] == 0
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        assert ledger.run("board", "meeting", str(DATA / f"approval-{company}.toml"))[0] == 0
    agree = ["provider", "agree", "--provider", "BD1", "--name", "Dealer One", "--kind", "A"]
    agree += ["--fund", "INTL-BCV", "--rate", "0.25%", "--from", "2003-07-01"]
    agree += ["--form", "Dealer Service Agreement form 2003-06"]
    assert ledger.run(*agree, "--reference", "DSA-1")[0] == 0
    cap = ["finra", "open-account", "--fund", "INTL-BCV", "--as-of", "2003-06-30"]
    assert ledger.run(*cap, "--remaining", "999999999999.00", "--note", "fuzz")[0] == 0
    return ledger.path


@pytest.fixture
def ledger(approved_ledger: Path, tmp_path: Path) -> Ledger:
    """A copy of the approved ledger for one test (all of its examples)."""
    path = tmp_path / "ledger.db"
    path.write_bytes(approved_ledger.read_bytes())
    return Ledger(path, tmp_path, itertools.count())


def assert_refused_whole(ledger: Ledger, before: int, code: int, err: str, *where: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    for part in where:
        assert part in err, (part, err)
    assert ledger.events() == before


# ---- the CSV importers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # money+, money0, date, period, flag
    optional: bool = False


@dataclass(frozen=True)
class Importer:
    argv: tuple[str, ...]
    header: tuple[str, ...]
    fuzzed: tuple[Column, ...]
    row: Callable[[date, int], dict[str, str]]


IMPORTERS = {
    "net-assets": Importer(
        ("import", "net-assets"),
        ("fund", "class", "date", "net_assets"),
        (Column("net_assets", "money0"), Column("date", "date")),
        lambda day, n: {"fund": "INTL-BCV", "class": "R", "date": str(day), "net_assets": "1.00"},
    ),
    "positions": Importer(
        ("import", "positions"),
        ("provider", "fund", "class", "date", "net_assets"),
        (Column("net_assets", "money0"), Column("date", "date")),
        lambda day, n: {
            "provider": "BD1", "fund": "INTL-BCV", "class": "R", "date": str(day),
            "net_assets": "1.00",
        },
    ),
    "expenditures": Importer(
        ("import", "expenditures"),
        ("fund", "class", "incurred_on", "period", "purpose", "performer", "performer_name",
         "amount", "description", "reference"),
        (Column("amount", "money+"), Column("incurred_on", "date"), Column("period", "period")),
        lambda day, n: {
            "fund": "INTL-BCV", "class": "R", "incurred_on": str(day), "period": str(day)[:7],
            "purpose": "advertising", "performer": "distributor", "performer_name": "AIM",
            "amount": "1.00", "description": "fuzz", "reference": f"EXP-{n}",
        },
    ),
    "directors": Importer(
        ("board", "directors"),
        ("company", "director", "name", "effective_from", "in_office", "interested",
         "financial_interest", "basis", "attested_by"),
        (Column("in_office", "flag"), Column("financial_interest", "flag"),
         Column("effective_from", "date")),
        lambda day, n: {
            "company": "INTL-FUNDS", "director": f"D-F{n}", "name": "Fuzz", "effective_from":
            str(day), "in_office": "true", "interested": "false", "financial_interest": "false",
            "basis": "questionnaire", "attested_by": "counsel",
        },
    ),
    "gross-sales": Importer(
        ("import", "gross-sales"),
        ("fund", "class", "date", "gross_sales", "reinvested_distributions", "exchanges"),
        (Column("gross_sales", "money0"), Column("exchanges", "money0", optional=True),
         Column("date", "date")),
        lambda day, n: {
            "fund": "INTL-BCV", "class": "R", "date": str(day), "gross_sales": "9" * 15,
            "reinvested_distributions": "0", "exchanges": "0",
        },
    ),
    "sales-charges": Importer(
        ("import", "sales-charges"),
        ("fund", "class", "date", "kind", "amount", "reference"),
        (Column("amount", "money+"), Column("date", "date")),
        lambda day, n: {
            "fund": "INTL-BCV", "class": "R", "date": str(day), "kind": "front_end",
            "amount": "1.00", "reference": f"SC-{n}",
        },
    ),
}  # fmt: skip


def is_good(column: Column, text: str) -> bool:
    value = text.strip()  # the CSV reader strips what surrounds a value
    if value == "":
        return column.optional
    if column.kind == "money+":
        return is_money(value, positive=True, integer_digits=16)
    if column.kind == "money0":
        return is_money(value, positive=False, integer_digits=18)
    if column.kind == "flag":
        return value in ("true", "false")
    return as_date(value) is not None


def value_text(kind: str) -> st.SearchStrategy[str]:
    if kind == "flag":
        return st.one_of(
            st.sampled_from(["true", "false"]),
            st.sampled_from(["yes", "no", "1", "0", "True", "FALSE", "t", "on", "y", ""]),
            st.text(max_size=6),
        )
    if kind == "date":
        return date_text()
    if kind == "period":
        return st.just("")  # drawn with the date, below
    return figure_text(money_text())


@st.composite
def fuzzed_rows(draw: st.DrawFn, importer: Importer) -> tuple[Column, str]:
    column = draw(st.sampled_from(importer.fuzzed))
    if column.kind == "period":
        good = GOOD_DAYS.map(lambda day: day.isoformat()[:7])
        bad = ["2003Q5", "2003-13", "٢٠٠٣Q3", "2003q3", "2003-07..2003-06", "20030701", "2003-"]
        return column, draw(st.one_of(good, st.sampled_from(bad), mutated(good)))
    return column, draw(value_text(column.kind))


def recorded(states: list[dict[str, Any]], column: Column) -> list[Any]:
    dates = {"incurred_on", "date", "effective_from"}
    key = "business_date" if column.name in dates else column.name
    key = "period_start" if column.name == "period" else key
    return [state[key] for state in states if key in state]


def check_import(ledger: Ledger, name: str, column: Column, text: str) -> None:
    importer = IMPORTERS[name]
    serial = next(ledger.serial)
    day = date(2004, 1, 1) + timedelta(days=serial)
    row = importer.row(day, serial)
    good = is_good(column, text) if column.kind != "period" else _period_is_good(text)
    if column.kind == "date" and good:
        row = importer.row(date.fromisoformat(text.strip()), serial)
        if "period" in row:
            row["period"] = text.strip()[:7]
    row[column.name] = text
    path = ledger.folder / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)  # "\r\n": a value holding \r or \n is quoted
        writer.writerow(importer.header)
        writer.writerow([row[field] for field in importer.header])
    before = ledger.events()
    code, err = ledger.run(*importer.argv, str(path))
    CASES[f"{name} {'good' if good else 'bad'}"] += 1
    if not good:
        assert_refused_whole(ledger, before, code, err, f"{path.name}, row 2", f"'{column.name}'")
        return
    assert code == 0, (row, err)
    values = recorded(ledger.states_after(before), column)
    assert values, (row, column)
    assert _same(column, text.strip(), values[-1]), (text, values)


def _period_is_good(text: str) -> bool:
    """A month, or a whole year (issue 12), as the rows here are drawn."""
    text = text.strip()
    if re.fullmatch(r"[0-9]{4}", text, flags=re.ASCII) is not None:
        return FIRST.year <= int(text) <= LAST.year
    return re.fullmatch(r"[0-9]{4}-[0-9]{2}", text, flags=re.ASCII) is not None and (
        1 <= int(text[5:]) <= 12 and FIRST.year <= int(text[:4]) <= LAST.year
    )


def _same(column: Column, text: str, stored: Any) -> bool:
    if column.kind == "flag":
        return stored is (text == "true")
    if column.kind == "date":
        return bool(stored == text)
    if column.kind == "period":
        return bool(stored == (f"{text}-01-01" if len(text) == 4 else f"{text}-01"))
    if text == "":
        return bool(stored == "0.00")
    return bool(stored == f"{Decimal(text):.2f}" and Decimal(stored) == Decimal(text))


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_every_importer_refuses_a_bad_row_whole_and_records_a_good_one_exactly(ledger, name):
    importer = IMPORTERS[name]
    examples = 300 if name in ("net-assets", "expenditures") else 250

    @fuzz(examples)
    @given(case=fuzzed_rows(importer))
    def example(case: tuple[Column, str]) -> None:
        column, text = case
        if column.kind == "date" and as_date(text.strip()) is not None:
            # Drawn days lie after the days examples take in turn (2004 on), and are new.
            assume(date.fromisoformat(text.strip()) >= DRAWN_DAYS_FROM)
            assume(text.strip() not in USED_DAYS.setdefault(name, set()))
            USED_DAYS[name].add(text.strip())
        check_import(ledger, name, column, text)

    example()


USED_DAYS: dict[str, set[str]] = {}


def test_a_file_wrong_throughout_lists_a_hundred_problems_and_counts_the_rest(ledger):
    path = ledger.folder / "nav.csv"
    rows = "".join(f"INTL-BCV,R,2004-01-01,{n}e3\n" for n in range(1000))
    path.write_text("fund,class,date,net_assets\n" + rows)
    before = ledger.events()
    code, err = ledger.run("import", "net-assets", str(path))
    assert_refused_whole(ledger, before, code, err, "1000 problems in the input (900 not listed)")
    assert err.count("field 'net_assets'") == 100
    CASES["net-assets bad"] += 1


# ---- plan and meeting files ------------------------------------------------------------------

TOML_BAD_DATES = [
    "0", "1057017600", '"2004-05-20"', "2004-05-20T10:00:00", "2004-05-20 10:00:00Z",
    "2004-05-20T10:00:00+14:00", "10:00:00", "1.5", "true", "[2004-05-20]",
    "{ day = 2004-05-20 }", "1899-12-31", "3000-01-01", "9999-12-31", "0001-01-01", '""',
]  # fmt: skip
TOML_BAD_BOOLS = ['"yes"', '"true"', "1", "0", '"no"', "2004-05-20", "[]", '""', "1.0"]


# Characters a TOML basic string may hold once JSON has escaped the control characters.
TOML_TEXT = st.characters(min_codepoint=0x20, max_codepoint=0xD7FF, exclude_characters="\x7f")


def toml_date_value(low: date, high: date) -> st.SearchStrategy[tuple[str, bool]]:
    good = st.dates(low, high).map(lambda day: (day.isoformat(), True))
    bad = st.one_of(
        st.sampled_from(TOML_BAD_DATES),
        st.integers(-(2**63), 2**63 - 1).map(str),
        st.dates(date(1, 1, 1), date(1899, 12, 31)).map(date.isoformat),
        st.datetimes(datetime(1900, 1, 1), datetime(2999, 1, 1)).map(lambda t: t.isoformat()),
        st.text(TOML_TEXT, max_size=10).map(lambda text: json.dumps(text, ensure_ascii=False)),
    ).map(lambda text: (text, False))
    return st.one_of(good, bad)


MEETING = """format = "planledger-meeting/1"
company = "INTL-FUNDS"
meeting_id = "FUZZ-{serial}"
date = {date}
called_for_plan = {called}
agenda = ["Fuzzing the meeting file"]
minutes = "Minutes {serial}"

[attendance]
D-ADAMS = "physical"
"""


@fuzz(250)
@given(
    field=st.sampled_from(["date", "called_for_plan"]),
    day=toml_date_value(date(2003, 7, 1), date(2999, 12, 31)),
    flag=st.one_of(
        st.sampled_from(["true", "false"]).map(lambda text: (text, True)),
        st.sampled_from(TOML_BAD_BOOLS).map(lambda text: (text, False)),
        st.integers().map(lambda number: (str(number), False)),
    ),
)
def test_a_meeting_file_takes_real_toml_dates_and_booleans(ledger, field, day, flag):
    serial = next(ledger.serial)
    date_text, called = (day[0], "true") if field == "date" else ("2004-05-20", flag[0])
    good = day[1] if field == "date" else flag[1]
    path = ledger.folder / "meeting.toml"
    path.write_text(MEETING.format(serial=serial, date=date_text, called=called))
    before = ledger.events()
    code, err = ledger.run("board", "meeting", str(path))
    CASES[f"meeting {'good' if good else 'bad'}"] += 1
    if not good:
        assert_refused_whole(ledger, before, code, err, "meeting.toml", f"field '{field}'")
        return
    assert code == 0, err
    states = ledger.states_after(before)
    held_on = [state["business_date"] for state in states if "meeting_id" in state]
    assert held_on == [date_text]
    held = [state["called_for_plan"] for state in states if "called_for_plan" in state]
    assert held == [called == "true"]


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan")
    for source in SHIPPED_PLAN.parent.iterdir():
        if source.is_file():
            (folder / source.name).write_bytes(source.read_bytes())
    return folder


RATE_BAD = [
    '"1e400%"', '"0.2_5%"', '"٠.٢٥%"', '"-0.25%"', '"0.25 %"', '"abc"', "0.25", '""',
    '"0.25%%"', '"1e-1"', '"0x1"', '"101%"', '"0.0000001%"', '"NaN"', '"Infinity%"',
]  # fmt: skip


@fuzz(120)
@given(
    field=st.sampled_from(["effective_date", "asset_based_sales_charge"]),
    day=toml_date_value(date(1990, 1, 1), date(2004, 5, 29)),
    rate=st.one_of(
        st.integers(0, 75).map(lambda bp: (f'"{Decimal(bp) / 100:.2f}%"', True)),
        st.sampled_from(RATE_BAD).map(lambda text: (text, False)),
        mutated(st.just("0.25%")).map(lambda text: (json.dumps(text), None)),
    ),
)
def test_a_plan_file_takes_real_dates_and_plain_rates(plan_folder, tmp_path, field, day, rate):
    text = SHIPPED_PLAN.read_text()
    if field == "effective_date":
        value, good = day
        text = text.replace("effective_date = 2003-07-01", f"effective_date = {value}")
    else:
        value, good = rate
        if good is None:  # a mutation of 0.25%: good if it is still a plain percentage
            good = is_rate(json.loads(value))
        total = "0.50%"
        if good:  # keep the total the sum of its parts, so that the plan is not refused
            total = f"{Decimal(json.loads(value).rstrip('%')) + Decimal('0.25')}%"
        rates = 'asset_based_sales_charge = {}, maximum_service_fee = "0.25%", maximum_total = {}'
        old = rates.format('"0.25%"', '"0.50%"')
        new = rates.format(value, json.dumps(total))
        text = text.replace(old, new, 1)
    (plan_folder / "plan.toml").write_text(text)
    database = tmp_path / f"plan-{next(PLAN_SERIAL)}.db"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["plan", "load", str(plan_folder / "plan.toml"), "--db", f"sqlite:///{database}"],
            out=out,
            err=err,
        )
    CASES[f"plan {'good' if good else 'bad'}"] += 1
    if not good:
        assert code == 2, err.getvalue()
        assert "plan.toml" in err.getvalue() and field in err.getvalue(), err.getvalue()
        assert "Traceback" not in err.getvalue()
        assert not database.exists()  # nothing written: not even a ledger started
        return
    # A plain rate may still break the FINRA caps or the sum of the parts: refused by a rule.
    assert code in (0, 1), err.getvalue()
    if code == 0:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            rows = connection.execute("SELECT state FROM stored_events").fetchall()
        states = [json.loads(bytes(state)) for (state,) in rows]
        if field == "effective_date":
            assert value in [state.get("effective_date") for state in states]
        else:
            fraction = Decimal(json.loads(value).rstrip("%")) / 100
            stored = [
                Decimal(state["absc_rate_annual"])
                for state in states
                if "absc_rate_annual" in state
            ]
            assert fraction in stored, (value, stored)


PLAN_SERIAL = itertools.count()


# ---- options ---------------------------------------------------------------------------------


def option_case(option: str) -> st.SearchStrategy[str]:
    if option in ("--amount",):
        return figure_text(money_text(10**12))
    if option in ("--as-of", "--on"):
        return date_text()
    if option == "--period":
        good = st.sampled_from(
            ["2003Q3", "2003-Q3", "2003", "2003-07", "2003-07..2003-09", "2003-07-01..2003-09-30"]
        )
        bad = ["2004Q5", "2003Q0", "٢٠٠٣Q3", "2003q3", "2003-09..2003-07", "20030701..20030930",
               "2003-07-01..", "Q3", "2003-13"]  # fmt: skip
        return st.one_of(good, st.sampled_from(bad), mutated(good))
    if option == "--quarter":
        return st.one_of(
            st.builds(lambda y, q: f"{y}Q{q}", st.integers(1900, 2999), st.integers(1, 4)),
            st.builds(lambda y, q: f"{y}Q{q}", st.integers(0, 99999), st.integers(0, 9)),
            mutated(st.just("2003Q3")),
            mutated(st.just("2003-Q3")),
        )
    if option == "--rate":
        good = st.integers(0, 2000).map(lambda bp: f"{Decimal(bp) / 100:.2f}%")
        as_typed = [json.loads(text) if text.startswith('"') else text for text in RATE_BAD]
        return st.one_of(good, st.sampled_from(as_typed), mutated(good))
    if option == "--max-carry-days":
        return st.one_of(
            st.integers(0, 36525).map(str),
            st.integers().map(str),
            st.sampled_from(["1_0", "٣", "+4", " 4", "4.0", "1e3", "9" * 20, "-0", "04"]),
        )
    known = st.datetimes(datetime(1990, 1, 1), datetime(2020, 1, 1))
    return st.one_of(
        known.map(lambda t: t.isoformat(timespec="seconds") + "Z"),
        known.map(lambda t: t.date().isoformat()),
        st.sampled_from(
            [
                "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-14:00",
                "20031231",
                "2003-12-31T25:00",
                "2003-12-31T10:00:00",
                "1057017600",
                "2003-12-31T10:00:00+25:00",
                "now",
                "",
            ]
        ),
        mutated(st.just("2003-12-31T10:00:00Z")),
    )


def option_is_good(option: str, text: str) -> bool:
    if option == "--amount":
        return is_money(text, positive=True, integer_digits=16)
    if option in ("--as-of", "--on"):
        return as_date(text) is not None
    if option == "--period":
        return _is_period(text)
    if option == "--quarter":
        match = re.fullmatch(r"([0-9]{4})-?Q[1-4]", text, flags=re.ASCII)
        return match is not None and FIRST.year <= int(match.group(1)) <= LAST.year
    if option == "--rate":
        return is_rate(text)
    if option == "--max-carry-days":
        return (
            re.fullmatch(r"0|[1-9][0-9]*", text, flags=re.ASCII) is not None and int(text) <= 36525
        )
    return _is_moment(text)


def _bounds(text: str) -> tuple[date, date] | None:
    """A month or a day as (first day, last day), or None."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text, flags=re.ASCII):
        if not 1 <= int(text[5:]) <= 12 or not FIRST.year <= int(text[:4]) <= LAST.year:
            return None
        first = date(int(text[:4]), int(text[5:]), 1)
        return first, (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    day = as_date(text)
    return None if day is None else (day, day)


def _is_period(text: str) -> bool:
    # A quarter may be written 2003-Q3, and a calendar year 2003 (issue 12).
    quarter = re.fullmatch(r"([0-9]{4})-?Q[1-4]|([0-9]{4})", text, flags=re.ASCII)
    if quarter is not None:
        return FIRST.year <= int(quarter.group(1) or quarter.group(2)) <= LAST.year
    first_text, _, last_text = text.partition("..") if ".." in text else (text, "", text)
    first, last = _bounds(first_text), _bounds(last_text)
    return first is not None and last is not None and first[0] <= last[1]


MOMENT = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
)


def _is_moment(text: str) -> bool:
    if re.fullmatch(MOMENT, text, flags=re.ASCII) is None:
        return False
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    if moment.tzinfo is None and len(text) > len("YYYY-MM-DD"):
        return False  # a time without a zone is refused (issue 12)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # A time to come is refused as well: what the ledger will know then is not yet fixed.
    return FIRST <= moment.date() <= LAST and moment <= datetime.now(UTC)


def option_command(ledger: Ledger, option: str, text: str, serial: int) -> list[str]:
    day = (date(2004, 1, 1) + timedelta(days=serial)).isoformat()
    if option == "--amount":
        return ["expenditure", "record", "--fund", "INTL-BCV", "--incurred-on", day, "--period",
                day[:7], "--purpose", "advertising", "--performer", "distributor",
                "--performer-name", "AIM", "--amount", text, "--description", "fuzz",
                "--reference", f"OPT-{serial}"]  # fmt: skip
    if option == "--rate":
        return ["finra", "prime-rate", "--from", day, "--rate", text, "--source", "fuzz"]
    if option == "--as-of":
        return ["balances", "--as-of", text]
    if option == "--on":
        return ["seal", "--reason", f"fuzz {serial}", "--on", text]
    if option == "--period":
        return ["split", "--period", text]
    if option == "--quarter":
        return ["report", "review", "--fund", "INTL-BCV", "--quarter", text, "--meeting",
                "NONE", "--on", "2004-01-05"]  # fmt: skip
    if option == "--max-carry-days":
        return ["service-fee", "--provider", "BD1", "--fund", "INTL-BCV", "--period", "2003Q3",
                "--max-carry-days", text]  # fmt: skip
    return ["plan", "show", "--known-at", text]


OPTIONS = ["--amount", "--rate", "--as-of", "--on", "--period", "--quarter", "--max-carry-days",
           "--known-at"]  # fmt: skip


@fuzz(50)
@given(data=st.data())
@pytest.mark.parametrize("option", OPTIONS)
def test_every_figure_option_refuses_bad_text_and_takes_good_text_exactly(ledger, option, data):
    text = data.draw(option_case(option))
    serial = next(ledger.serial)
    good = option_is_good(option, text)
    before = ledger.events()
    code, err = ledger.run(*option_command(ledger, option, text, serial))
    CASES[f"option {'good' if good else 'bad'}"] += 1
    if good is False:
        assert_refused_whole(ledger, before, code, err, option)
        return
    # A good figure may still be refused by a rule (exit 1) or answered (exit 0); never a
    # traceback, and never "bad input" for its grammar.
    assert "Traceback" not in err and "internal error" not in err, err
    assert code in (0, 1), err
    if option == "--amount" and code == 0:
        amounts = [state["amount"] for state in ledger.states_after(before) if "amount" in state]
        assert amounts == [f"{Decimal(text):.2f}"]
    if option == "--rate" and code == 0:
        states = ledger.states_after(before)
        rates = [Decimal(state["rate_annual"]) for state in states if "rate_annual" in state]
        assert rates == [Decimal(text.rstrip("%")) / 100], (text, rates)


def test_at_least_two_thousand_cases_ran(capsys):
    """Last in the file: the count of examples, for the record (only when the whole file ran)."""
    total = sum(CASES.values())
    with capsys.disabled():
        print(
            f"\nfuzz: {total} cases: " + ", ".join(f"{key} {n}" for key, n in sorted(CASES.items()))
        )
    kinds = [*IMPORTERS, "meeting", "plan", "option"]
    if all(any(key.startswith(f"{kind} ") for key in CASES) for kind in kinds):
        assert total >= CI_MINIMUM_CASES * SCALE
