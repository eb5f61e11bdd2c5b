"""The readers of reconciliation's statements: the sample files read, every bad row is named
with its file, row and field, and nothing is returned from a file with one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.inputs.errors import InputError
from adapters.inputs.statements import (
    read_bai2,
    read_bank_csv,
    read_dealer_invoices,
    read_fund_books,
    read_mapping,
)
from domain.reconciliation.records import Direction
from tests.conftest import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data" / "reconcile"
ACCOUNTS = {"1111222233": "fund:INTL-BCV", "9999000011": "distributor"}


def problems(error: pytest.ExceptionInfo[InputError]) -> list[tuple[str, int | None, str | None]]:
    return [(problem.file, problem.row, problem.field) for problem in error.value.problems]


def test_fund_books_keep_the_accountants_places() -> None:
    books = read_fund_books(DATA / "fund-books.csv")
    first = books.lines[0]
    assert (first.fund_class, first.day, first.amount, first.payable) == (
        "INTL-BCV/R",
        date(2003, 7, 1),
        Decimal("13.698630"),
        Decimal("13.70"),
    )


def test_a_bad_books_row_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    path = tmp_path / "books.csv"
    path.write_text(
        "date,fund,class,accrued,payable\n"
        "2003-07-01,INTL-BCV,R,1.00,1.00\n"
        "2003-07-02,INTL-BCV,R,1.0000001,1.00\n"
        "2003-07-01,INTL-BCV,R,1.00,1.00\n"
    )
    with pytest.raises(InputError) as error:
        read_fund_books(path)
    assert problems(error) == [("books.csv", 3, "accrued")]
    path.write_text(
        "date,fund,class,accrued,payable\n"
        "2003-07-01,INTL-BCV,R,1.00,1.00\n"
        "2003-07-01,INTL-BCV,R,1.00,1.00\n"
    )
    with pytest.raises(InputError) as error:
        read_fund_books(path)
    assert problems(error) == [("books.csv", 3, "date")]
    assert "is given in row 2 too" in str(error.value.problems[0])


def test_bai2_details_with_their_group_date_account_and_line_number() -> None:
    statement = read_bai2(DATA / "statement.bai2", ACCOUNTS, None)
    shown = [
        (line.row, line.day, line.account, line.direction, line.amount, line.references)
        for line in statement.lines
    ]
    assert shown == [
        (4, date(2003, 8, 1), "fund:INTL-BCV", Direction.DEBIT, Decimal("421.23"),
         ("FED0801A", "WIRE-2003-07")),
        (6, date(2003, 8, 1), "fund:INTL-BCV", Direction.DEBIT, Decimal("15.00"), ("CHK1001",)),
        (9, date(2003, 8, 1), "distributor", Direction.CREDIT, Decimal("421.23"),
         ("FED0801B", "WIRE-2003-07")),
        (14, date(2003, 9, 2), "fund:INTL-BCV", Direction.DEBIT, Decimal("390.00"),
         ("FED0902A",)),
    ]  # fmt: skip
    assert statement.account == "distributor, fund:INTL-BCV"


def test_bai2_account_not_named_is_named_by_its_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as error:
        read_bai2(DATA / "statement.bai2", {"1111222233": "fund:INTL-BCV"}, None)
    assert problems(error) == [("statement.bai2", 9, "account")]


def test_not_bai2(tmp_path: Path) -> None:
    path = tmp_path / "broken.bai2"
    text = (DATA / "statement.bai2").read_text().replace("49,42123,3/", "49,42123,7/")
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_bai2(path, ACCOUNTS, None)
    assert "not BAI2: Invalid number of records" in str(error.value.problems[0])


def test_bank_csv_through_its_mapping() -> None:
    statement = read_bank_csv(
        DATA / "bank-export.csv", read_mapping(DATA / "bank-mapping.toml"), None
    )
    assert [(line.day, line.direction, line.amount) for line in statement.lines] == [
        (date(2003, 8, 1), Direction.CREDIT, Decimal("421.23")),
        (date(2003, 8, 4), Direction.DEBIT, Decimal("1250.00")),
    ]


def test_bank_csv_bad_values_are_named(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Posting Date,Account No,Description,Bank Ref,Customer Ref,Amount\n"
        "08/01/2003,9999000011,X,R1,,12.5x\n"
        "13/45/2003,9999000011,X,R2,,12.50\n"
        "08/01/2003,555,X,R3,,12.50\n"
    )
    with pytest.raises(InputError) as error:
        read_bank_csv(path, read_mapping(DATA / "bank-mapping.toml"), None)
    assert problems(error) == [
        ("export.csv", 2, "Amount"),
        ("export.csv", 3, "Posting Date"),
        ("export.csv", 4, "Account No"),
    ]


def test_a_mapping_must_name_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('[columns]\ndate = "D"\namount = "A"\ndebit = "X"\ncredit = "Y"\n')
    with pytest.raises(InputError) as error:
        read_mapping(path)
    assert problems(error) == [("mapping.toml", None, "columns.amount")]


def test_dealer_invoices_dated_on_the_periods_last_day() -> None:
    invoices = read_dealer_invoices(DATA / "dealer-invoices.csv")
    line = invoices.lines[0]
    assert (line.dealer, line.fund_class, line.day, line.amount, line.references) == (
        "DEALER-A",
        "INTL-BCV/R",
        date(2003, 9, 30),
        Decimal("1250.00"),
        ("INV-2003-117",),
    )
