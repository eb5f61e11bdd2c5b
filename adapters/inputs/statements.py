"""Readers of the outside world's statements for reconciliation (docs/reconciliation.md §1):
the fund's books and dealers' invoices (CSV, by row models like every other CSV file), bank
statements in BAI2 (through the `bai2` package, loaded only here) and a bank's own CSV export
read through a column-mapping file (TOML), so a real bank's export reads without code.

Each reader returns the whole file as typed lines with its SHA-256, or raises one `InputError`
naming the file, row and field of every problem: nothing is imported from a file with a bad row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from adapters.inputs.csv_files import Code, ShareClass, Text, _Row, read_csv
from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.fields import CsvDate, CsvPeriod, PositiveMoney
from adapters.inputs.grammar import check_date, parse_fine_amount, parse_money
from domain.periods import parse_period
from domain.reconciliation.records import (
    DISTRIBUTOR_ACCOUNT,
    FUND_ACCOUNT_PREFIX,
    Direction,
    OutsideLine,
)

BookedAmount = Annotated[Decimal, BeforeValidator(lambda value: parse_fine_amount(str(value)))]


@dataclass(frozen=True)
class StatementFile:
    name: str
    sha256: str
    account: str  # the accounts its lines are on, for bank statements ("" for the others)
    lines: list[OutsideLine]


def check_account(name: str) -> str:
    """`distributor`, or `fund:FUND` (the fund's own account, paying for all its classes).

    Raises:
        ValueError: anything else.
    """
    fund = name.removeprefix(FUND_ACCOUNT_PREFIX)
    if name == DISTRIBUTOR_ACCOUNT or (name.startswith(FUND_ACCOUNT_PREFIX) and fund):
        return name
    raise ValueError(f"an account is 'distributor' or 'fund:FUND' (e.g. fund:INTL-BCV): {name!r}")


# ---- the fund's books and the dealers' invoices (CSV) --------------------------------------


class FundBooksRow(_Row):
    date: CsvDate
    fund: Code
    share_class: ShareClass = Field(alias="class")
    accrued: BookedAmount
    payable: BookedAmount


class DealerInvoiceRow(_Row):
    dealer: Code
    fund: Code
    share_class: ShareClass = Field(alias="class")
    period: CsvPeriod
    amount: PositiveMoney
    invoice: Text


def read_fund_books(path: Path) -> StatementFile:
    """Raises:
    InputError: a bad row, or a fund class and day given twice.
    """
    csv_file = read_csv(path, FundBooksRow)
    first_row: dict[tuple[str, date], int] = {}
    problems = []
    lines = []
    for numbered in csv_file.rows:
        record = numbered.record
        fund_class = f"{record.fund}/{record.share_class}"
        seen = first_row.setdefault((fund_class, record.date), numbered.row)
        if seen != numbered.row:
            problems.append(
                InputProblem(csv_file.name, numbered.row, "date", f"{fund_class} {record.date} "
                             f"is given in row {seen} too")
            )  # fmt: skip
        lines.append(
            OutsideLine(
                csv_file.sha256, numbered.row, record.date, record.accrued,
                fund_class=fund_class, payable=record.payable,
            )
        )  # fmt: skip
    _raise_any(problems)
    _raise_empty(csv_file.name, lines)
    return StatementFile(csv_file.name, csv_file.sha256, "", lines)


def read_dealer_invoices(path: Path) -> StatementFile:
    csv_file = read_csv(path, DealerInvoiceRow)
    lines = []
    for numbered in csv_file.rows:
        record = numbered.record
        period = parse_period(record.period)
        lines.append(
            OutsideLine(
                csv_file.sha256,
                numbered.row,
                date.fromordinal(period.end_exclusive.toordinal() - 1),
                record.amount,
                fund_class=f"{record.fund}/{record.share_class}",
                references=(record.invoice,),
                dealer=record.dealer,
                period=period.label(),
            )
        )
    _raise_empty(csv_file.name, lines)
    return StatementFile(csv_file.name, csv_file.sha256, "", lines)


def _raise_any(problems: list[InputProblem]) -> None:
    if problems:
        raise InputError(problems)


def _raise_empty(name: str, lines: Sequence[OutsideLine]) -> None:
    if not lines:
        raise InputError([InputProblem(name, None, None, "the file has no lines to import")])


def _file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError([InputProblem(path.name, None, None, f"cannot read: {error}")]) from None


def _file_text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([InputProblem(path.name, None, None, "not UTF-8 text")]) from None


# ---- bank statements in BAI2 ----------------------------------------------------------------


def read_bai2(
    path: Path, accounts: Mapping[str, str], default_account: str | None
) -> StatementFile:
    """Every transaction detail (record 16) of every account, dated by its group's as-of date;
    rows are the file's line numbers. `accounts` maps the file's account numbers to account
    names; `default_account` names the account of any number not mapped.

    Raises:
        InputError: the package cannot parse the file, or a detail is neither a debit nor a
            credit, or its account is not named.
    """
    data = _file_bytes(path)
    text = _file_text(path, data)
    sha256 = hashlib.sha256(data).hexdigest()
    from bai2 import bai2
    from bai2 import exceptions as bai2_errors

    try:
        parsed = bai2.parse_from_string(text)
    except (
        bai2_errors.ParsingException,
        bai2_errors.IntegrityException,
        bai2_errors.NotSupportedYetException,
        ValueError,
        KeyError,
        IndexError,
    ) as error:
        message = str(error) or type(error).__name__
        raise InputError([InputProblem(path.name, None, None, f"not BAI2: {message}")]) from None
    detail_rows = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().startswith("16,")
    ]
    lines: list[OutsideLine] = []
    problems: list[InputProblem] = []
    for group in parsed.children:
        day = check_date(group.header.as_of_date)
        for account in group.children:
            number = str(account.header.customer_account_number)
            name = accounts.get(number, default_account)
            for detail in account.children:
                row = detail_rows[len(lines) + len(problems)]
                found = _bai2_line(
                    path.name, sha256=sha256, row=row, day=day, number=number, name=name,
                    detail=detail,
                )  # fmt: skip
                if isinstance(found, InputProblem):
                    problems.append(found)
                else:
                    lines.append(found)
    _raise_any(problems)
    _raise_empty(path.name, lines)
    return StatementFile(path.name, sha256, _accounts_of(lines), lines)


def _accounts_of(lines: Sequence[OutsideLine]) -> str:
    return ", ".join(sorted({line.account for line in lines}))


def _bai2_line(
    file: str, *, sha256: str, row: int, day: date, number: str, name: str | None, detail: Any
) -> OutsideLine | InputProblem:
    if name is None:
        return InputProblem(
            file, row, "account", f"account {number} is not named: give --account {number}=NAME"
        )
    transaction = detail.type_code.transaction.value
    if transaction not in (Direction.DEBIT.value, Direction.CREDIT.value):
        return InputProblem(
            file, row, "type_code", f"{detail.type_code.code} is neither a debit nor a credit"
        )
    if detail.amount is None or detail.amount <= 0:
        return InputProblem(file, row, "amount", f"must be more than zero: {detail.amount!r}")
    references = tuple(
        str(reference) for reference in (detail.bank_reference, detail.customer_reference)
        if reference
    )  # fmt: skip
    return OutsideLine(
        sha256, row, day, Decimal(detail.amount).scaleb(-2), Direction(transaction), name, "",
        references, str(detail.text or "").strip(),
    )  # fmt: skip


# ---- a bank's own CSV export, through a column mapping (TOML) -------------------------------


@dataclass(frozen=True)
class BankCsvMapping:
    """Which of the export's columns hold what (docs/reconciliation.md §1)."""

    date: str
    date_format: str
    amount: str | None  # one signed column, or:
    debit: str | None  # a column of debits and one of credits
    credit: str | None
    negative_is: Direction  # with one signed column: the direction of a negative amount
    references: tuple[str, ...]
    text: str | None
    account: str | None  # a column naming the account, mapped by `accounts`
    accounts: dict[str, str]
    thousands_separator: str


def read_mapping(path: Path) -> BankCsvMapping:
    """Raises:
    InputError: the mapping file is not TOML, or a key is missing or wrong.
    """
    import tomllib

    try:
        loaded = tomllib.loads(_file_text(path, _file_bytes(path)))
    except tomllib.TOMLDecodeError as error:
        raise InputError([InputProblem(path.name, None, None, f"not TOML: {error}")]) from None
    columns = loaded.get("columns", {})
    formats = loaded.get("format", {})
    problems = []
    if not isinstance(columns.get("date"), str):
        problems.append(InputProblem(path.name, None, "columns.date", "name the date column"))
    one_signed = isinstance(columns.get("amount"), str)
    if one_signed == (
        isinstance(columns.get("debit"), str) and isinstance(columns.get("credit"), str)
    ):
        problems.append(
            InputProblem(path.name, None, "columns.amount",
                         "name either one signed `amount` column or both `debit` and `credit`")
        )  # fmt: skip
    negative_is = formats.get("negative_is", "debit")
    if negative_is not in ("debit", "credit"):
        problems.append(InputProblem(path.name, None, "format.negative_is", "'debit' or 'credit'"))
    accounts = loaded.get("accounts", {})
    for number, name in accounts.items():
        try:
            check_account(str(name))
        except ValueError as error:
            problems.append(InputProblem(path.name, None, f"accounts.{number}", str(error)))
    _raise_any(problems)
    references = columns.get("references", [])
    return BankCsvMapping(
        date=columns["date"],
        date_format=str(formats.get("date", "%Y-%m-%d")),
        amount=columns.get("amount"),
        debit=columns.get("debit"),
        credit=columns.get("credit"),
        negative_is=Direction(negative_is),
        references=tuple([references] if isinstance(references, str) else references),
        text=columns.get("text"),
        account=columns.get("account"),
        accounts={str(number): str(name) for number, name in accounts.items()},
        thousands_separator=str(formats.get("thousands_separator", "")),
    )


def read_bank_csv(
    path: Path, mapping: BankCsvMapping, default_account: str | None
) -> StatementFile:
    """Raises:
    InputError: a mapped column missing from the header, or a bad value in a row.
    """
    import csv
    import io

    data = _file_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    records = csv.reader(io.StringIO(_file_text(path, data), newline=""))
    header = [column.strip() for column in next(records, [])]
    wanted = [mapping.date, mapping.amount, mapping.debit, mapping.credit, mapping.text,
              mapping.account, *mapping.references]  # fmt: skip
    missing = [column for column in wanted if column is not None and column not in header]
    _raise_any(
        [
            InputProblem(path.name, 1, column, "mapped column is not in the file")
            for column in missing
        ]
    )
    lines: list[OutsideLine] = []
    problems: list[InputProblem] = []
    for row, values in enumerate(records, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.append(
                InputProblem(
                    path.name, row, None, f"{len(values)} values for {len(header)} columns"
                )
            )
            continue
        found = _bank_csv_line(
            path.name,
            sha256=sha256,
            row=row,
            values=dict(zip(header, values, strict=True)),
            mapping=mapping,
            default_account=default_account,
        )
        if isinstance(found, InputProblem):
            problems.append(found)
        else:
            lines.append(found)
    _raise_any(problems)
    _raise_empty(path.name, lines)
    return StatementFile(path.name, sha256, _accounts_of(lines), lines)


def _bank_csv_line(
    file: str,
    *,
    sha256: str,
    row: int,
    values: dict[str, str],
    mapping: BankCsvMapping,
    default_account: str | None,
) -> OutsideLine | InputProblem:
    from datetime import datetime

    column = mapping.date
    try:
        day = check_date(datetime.strptime(values[column].strip(), mapping.date_format).date())
        column = mapping.amount or f"{mapping.debit}/{mapping.credit}"
        column, amount, direction = _signed_amount(values, mapping)
        account = default_account
        if mapping.account is not None:
            column = mapping.account
            number = values[column].strip()
            account = mapping.accounts.get(number, default_account)
            if account is None:
                raise ValueError(f"account {number!r} is not named in the mapping's [accounts]")
        if account is None:
            raise ValueError("no account: give --account NAME or map an account column")
    except ValueError as error:
        return InputProblem(file, row, column, str(error))
    references = tuple(values[name].strip() for name in mapping.references if values[name].strip())
    text = values[mapping.text].strip() if mapping.text is not None else ""
    return OutsideLine(sha256, row, day, amount, direction, account, "", references, text)


def _signed_amount(
    values: dict[str, str], mapping: BankCsvMapping
) -> tuple[str, Decimal, Direction]:
    """The column read last (for a problem's field), the amount and its direction.

    Raises:
        ValueError: not an amount, or both or neither of debit and credit given.
    """

    def money(column: str) -> Decimal:
        text = values[column].strip().replace(mapping.thousands_separator or "\0", "")
        return parse_money(text, minimum="any") if text else Decimal(0)

    if mapping.amount is not None:
        signed = money(mapping.amount)
        if signed == 0:
            raise ValueError("must not be zero")
        other = Direction.CREDIT if mapping.negative_is is Direction.DEBIT else Direction.DEBIT
        return mapping.amount, abs(signed), mapping.negative_is if signed < 0 else other
    assert mapping.debit is not None and mapping.credit is not None
    debit, credit = money(mapping.debit), money(mapping.credit)
    if (debit == 0) == (credit == 0) or debit < 0 or credit < 0:
        raise ValueError(
            f"give a positive amount in exactly one of {mapping.debit!r} and {mapping.credit!r}"
        )
    if debit:
        return mapping.debit, debit, Direction.DEBIT
    return mapping.credit, credit, Direction.CREDIT
