"""One strict grammar for figures, and no traceback on a user's mistake (issue 10, items 2, 8).

Each case below was accepted, or ended in exit 3, before the grammar of adapters/inputs/
grammar.py: a malformed figure became a wrong number, or a Python error reached the operator.
Every one now ends with exit 2, a message naming the file, row and field (or the option), and
nothing written.
"""

from __future__ import annotations

import io
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from adapters.cli.main import main
from tests.builders import write_csv
from tests.conftest import SHIPPED_PLAN

DATA = Path(__file__).resolve().parent.parent / "data"
NAV_HEADER = ["fund", "class", "date", "net_assets"]


def run(*argv: str, db: Path | str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    url = db if isinstance(db, str) else f"sqlite:///{db}"
    code = main([*argv, "--db", url, "--actor", "cli-test"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def event_count(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plan loaded and approved by both boards, copied for each test."""
    path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
    assert run("board", "directors", str(DATA / "directors.csv"), db=path)[0] == 0
    for company in ("INTL-FUNDS", "TREASURERS-SERIES"):
        assert run("board", "meeting", str(DATA / f"approval-{company}.toml"), db=path)[0] == 0
    return path


@pytest.fixture
def db(approved: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ledger.db"
    copy.write_bytes(approved.read_bytes())
    return copy


def assert_bad_input(code: int, err: str, *where: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err
    for part in where:
        assert part in err, err


# ---- item 2: malformed figures in files ------------------------------------------------------


@pytest.mark.parametrize(
    "figure",
    [
        "1.23457E+07",  # Excel's rounded form
        "1_000.00",
        "١٠٠.٠٠",  # Arabic-Indic digits
        "１００.００",  # full-width digits
        "-0",
        "-0.00",
        "1,000.00",
        "1.005",
        "Infinity",
        "NaN",
        "0x10",
        ".50",
        "007.50",
    ],
)
def test_a_malformed_amount_in_a_csv_is_bad_input(db, tmp_path, figure):
    before = event_count(db)
    path = write_csv(tmp_path / "nav.csv", NAV_HEADER, [("INTL-BCV", "R", "2003-07-01", figure)])
    code, _, err = run("import", "net-assets", str(path), db=db)
    assert_bad_input(code, err, "nav.csv, row 2, field 'net_assets'", "nothing was written")
    assert event_count(db) == before


def test_a_column_named_twice_is_bad_input(db, tmp_path):
    before = event_count(db)
    path = write_csv(
        tmp_path / "nav.csv",
        [*NAV_HEADER, "net_assets"],
        [("INTL-BCV", "R", "2003-07-01", "10100000.00", "999.99")],
    )
    code, _, err = run("import", "net-assets", str(path), db=db)
    assert_bad_input(code, err, "nav.csv, row 1, field 'net_assets': column named 2 times")
    assert event_count(db) == before


@pytest.mark.parametrize(
    "day", ["1057017600", "20030701", "2003-W27-2", "٢٠٠٣-٠٧-٠١", "9999-12-31"]
)
def test_a_date_not_written_yyyy_mm_dd_is_bad_input(db, tmp_path, day):
    before = event_count(db)
    path = write_csv(tmp_path / "nav.csv", NAV_HEADER, [("INTL-BCV", "R", day, "1.00")])
    code, _, err = run("import", "net-assets", str(path), db=db)
    assert_bad_input(code, err, "nav.csv, row 2, field 'date'")
    assert event_count(db) == before


def test_a_director_flag_is_true_or_false(db, tmp_path):
    before = event_count(db)
    text = (
        (DATA / "directors.csv").read_text().replace(",true,false,false,", ",yes,false,false,", 1)
    )
    path = tmp_path / "directors.csv"
    path.write_text(text)
    code, _, err = run("board", "directors", str(path), db=db)
    assert_bad_input(code, err, "directors.csv, row 2, field 'in_office'")
    assert event_count(db) == before


def _meeting(tmp_path: Path, old: str, new: str) -> Path:
    text = (DATA / "approval-INTL-FUNDS.toml").read_text()
    assert old in text
    path = tmp_path / "meeting.toml"
    path.write_text(text.replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("date = 2003-06-17", "date = 0", "field 'date'"),
        ("date = 2003-06-17", 'date = "2003-06-17"', "field 'date'"),
        ("date = 2003-06-17", "date = 2003-06-17T10:00:00", "field 'date'"),
        ("called_for_plan = true", 'called_for_plan = "yes"', "field 'called_for_plan'"),
        ("called_for_plan = true", "called_for_plan = 1", "field 'called_for_plan'"),
    ],
)
def test_a_meeting_file_takes_real_toml_dates_and_booleans(db, tmp_path, old, new, field):
    before = event_count(db)
    code, _, err = run("board", "meeting", str(_meeting(tmp_path, old, new)), db=db)
    assert_bad_input(code, err, "meeting.toml", field)
    assert event_count(db) == before


def _plan(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "plan"
    folder.mkdir()
    for source in SHIPPED_PLAN.parent.iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    text = SHIPPED_PLAN.read_text()
    assert old in text
    (folder / SHIPPED_PLAN.name).write_text(text.replace(old, new, 1))
    return folder / SHIPPED_PLAN.name


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("effective_date = 2003-07-01", "effective_date = 1057017600", "plan.effective_date"),
        ('"0.25%"', '"1e400%"', "asset_based_sales_charge"),
        ('"0.25%"', '"0.2_5%"', "asset_based_sales_charge"),
    ],
)
def test_a_plan_file_takes_real_dates_and_plain_rates(tmp_path, old, new, field):
    db = tmp_path / "new.db"
    code, _, err = run("plan", "load", str(_plan(tmp_path, old, new)), db=db)
    assert_bad_input(code, err, "plan.toml", field)


# ---- item 2 and 8: options -------------------------------------------------------------------


def test_max_carry_days_is_bounded(db, capsys):
    code, _, err = run("accrue", "--through", "2003-07-31", "--max-carry-days", "9" * 20, db=db)
    assert code == 2
    assert "--max-carry-days" in err + capsys.readouterr().err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["plan", "show", "--known-at", "0001-01-01T00:00:00+14:00"], "--known-at"),
        (["plan", "show", "--known-at", "20031231"], "--known-at"),
        (["accrue", "--through", "9999-12-31"], "--through"),
        (["accrue", "--through", "1057017600"], "--through"),
        (["report", "quarterly", "--quarter", "2004Q5", "--out", "x"], "--quarter"),
        (["split", "--period", "٢٠٠٣Q3"], "--period"),
        (["accrue", "--through", "2003-07-31", "--max-carry-days", "1_0"], "--max-carry-days"),
        (["impact", "--since", "2003-07-01", "--max-carry-days", "-1"], "--max-carry-days"),
    ],
)
def test_a_malformed_option_is_bad_input(db, capsys, argv, option):
    before = event_count(db)
    code, _, err = run(*argv, db=db)
    stderr = capsys.readouterr().err + err
    assert code == 2, stderr
    assert option in stderr and "Traceback" not in stderr and "internal error" not in stderr
    assert event_count(db) == before


PAY = ["pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07", "--paid-on"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        ([*PAY, "2003-08-05", "--reference", "P1", "--amount", "1e400"], "--amount"),
        ([*PAY, "2003-08-05", "--reference", "P1", "--amount", "1E+3"], "--amount"),
        ([*PAY, "2003-08-05", "--reference", "P1", "--amount", "-0"], "--amount"),
        (
            ["report", "issue", "--fund", "INTL-BCV", "--quarter", "2004Q5", "--on", "2004-01-05"],
            "--quarter",
        ),
        (
            [
                "provider",
                "agree",
                "--provider",
                "BD1",
                "--name",
                "Dealer",
                "--kind",
                "A",
                "--fund",
                "INTL-BCV",
                "--rate",
                "1e400%",
                "--from",
                "2003-07-01",
                "--reference",
                "A1",
                "--form",
                "Dealer Service Agreement form 2003-06",
            ],
            "--rate",
        ),
        (
            ["finra", "prime-rate", "--from", "2003-07-01", "--rate", "4,00%", "--source", "WSJ"],
            "--rate",
        ),
        (
            [
                "shareholder-vote",
                "--fund",
                "INTL-BCV",
                "--reference",
                "V1",
                "--subject",
                "termination",
                "--on",
                "2004-01-05",
                "--outstanding",
                "1e9",
                "--present",
                "1",
                "--for",
                "1",
            ],
            "--outstanding",
        ),
    ],
)
def test_a_malformed_figure_option_is_bad_input(db, capsys, argv, option):
    before = event_count(db)
    code, _, err = run(*argv, db=db)
    stderr = capsys.readouterr().err + err
    assert code == 2, stderr
    assert option in stderr and "Traceback" not in stderr and "internal error" not in stderr
    assert event_count(db) == before


# ---- item 8: sizes and databases -------------------------------------------------------------


def test_a_field_over_128_kib_is_bad_input(db, tmp_path):
    before = event_count(db)
    path = write_csv(
        tmp_path / "nav.csv",
        [*NAV_HEADER, "source_reference"],
        [("INTL-BCV", "R", "2003-07-01", "1.00", "x" * (129 * 1024))],
    )
    code, _, err = run("import", "net-assets", str(path), db=db)
    assert_bad_input(code, err, "nav.csv, row 2", "128 KiB")
    assert event_count(db) == before


def test_a_file_that_is_not_utf8_is_bad_input(db, tmp_path):
    path = tmp_path / "nav.csv"
    path.write_bytes(b"fund,class,date,net_assets\nINTL-BCV,R,2003-07-01,1.00\n\xff\xfe\n")
    code, _, err = run("import", "net-assets", str(path), db=db)
    assert_bad_input(code, err, "nav.csv, row 3", "not UTF-8")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://nobody@127.0.0.1:1/none",  # nothing listens on port 1
        "postgresql://nobody@127.0.0.1:notaport/none",
        "sqlite:///",
        "nonsense",
    ],
)
def test_an_unreachable_or_invalid_database_is_bad_input(url, capsys):
    code, _, err = run("balances", "--as-of", "2003-07-31", db=url)
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err


def test_a_50_mb_csv_is_read_streaming_and_refused_whole(db, tmp_path):
    """Every row is good but the last: the file is refused, and reading it never held it."""
    path = tmp_path / "big.csv"
    reference = "r" * 400  # long rows: 50 MB in ~120,000 rows keeps the test quick
    with path.open("w") as handle:
        handle.write("fund,class,date,net_assets,source_reference\n")
        row = f"INTL-BCV,R,2003-07-01,1000.00,{reference}\n"
        handle.write(row * (50 * 1024 * 1024 // len(row) + 1))
        handle.write("INTL-BCV,R,2003-07-01,lots,\n")
    assert path.stat().st_size > 50 * 1024 * 1024
    before = event_count(db)
    tracemalloc.start()
    try:
        code, _, err = run("import", "net-assets", str(path), db=db)
        peak_bytes = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_bad_input(code, err, "big.csv, row ", "field 'net_assets'")
    assert event_count(db) == before
    assert peak_bytes < 40 * 1024 * 1024, f"peak {peak_bytes / 1e6:.0f} MB reading a 50 MB file"
