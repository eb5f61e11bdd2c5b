"""Statements for reconciliation's tests, built from a ledger's own figures: fund-books CSV
extracts and BAI2 bank statements (written record by record, as a bank sends them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.builders import write_csv

FUND_ACCOUNT_NUMBER = "1111222233"
DISTRIBUTOR_ACCOUNT_NUMBER = "9999000011"
ACCOUNTS = {FUND_ACCOUNT_NUMBER: "fund:INTL-BCV", DISTRIBUTOR_ACCOUNT_NUMBER: "distributor"}


@dataclass(frozen=True)
class BankLine:
    day: date
    account_number: str
    amount: Decimal
    debit: bool
    bank_reference: str
    customer_reference: str = ""
    text: str = ""


def bai2_text(lines: Iterable[BankLine]) -> str:
    """A BAI2 file: one group per day, one account record per account, a detail per line (type
    495 outgoing wire for a debit, 195 incoming wire for a credit), with the record counts the
    trailers must give."""
    by_day: dict[date, dict[str, list[BankLine]]] = {}
    for line in lines:
        by_day.setdefault(line.day, {}).setdefault(line.account_number, []).append(line)
    records = ["01,BANKOFNY,PLANLEDGER,031001,0800,1,80,,2/"]
    file_total = 0
    for day, accounts in sorted(by_day.items()):
        group = [f"02,PLANLEDGER,BANKOFNY,1,{day:%y%m%d},0800,USD,2/"]
        group_total = 0
        for number, details in sorted(accounts.items()):
            account = [f"03,{number},USD,010,0,,/"]
            cents = 0
            for line in details:
                amount = int(line.amount * 100)
                cents += amount
                code = "495" if line.debit else "195"
                account.append(
                    f"16,{code},{amount},Z,{line.bank_reference},{line.customer_reference},"
                    f"{line.text}/"
                )
            account.append(f"49,{cents},{len(account) + 1}/")
            group += account
            group_total += cents
        group.append(f"98,{group_total},{len(accounts)},{len(group) + 1}/")
        records += group
        file_total += group_total
    records.append(f"99,{file_total},{len(by_day)},{len(records) + 1}/")
    return "\n".join(records) + "\n"


def write_bai2(path: Path, lines: Iterable[BankLine]) -> Path:
    path.write_text(bai2_text(lines))
    return path


def books_csv(
    path: Path,
    daily: Mapping[tuple[str, date], Decimal],
    changed: Mapping[tuple[str, date], Decimal | None] | None = None,
    paid: Mapping[tuple[str, date], Decimal] | None = None,
) -> Path:
    """The fund books as the ledger's own daily accruals; `changed` gives a day another
    figure, or leaves it out (None). The payable is what the books accrued less what was
    `paid` by each day."""
    figures = dict(daily)
    for key, figure in (changed or {}).items():
        if figure is None:
            figures.pop(key, None)
        else:
            figures[key] = figure
    rows: list[Sequence[object]] = []
    payable: dict[str, Decimal] = {}
    payments = sorted((paid or {}).items())
    for (fund_class, day), amount in sorted(figures.items()):
        fund, share_class = fund_class.split("/")
        payable[fund_class] = payable.get(fund_class, Decimal(0)) + amount
        while payments and payments[0][0][1] <= day:
            (paid_class, _day), paid_amount = payments.pop(0)
            payable[paid_class] = payable.get(paid_class, Decimal(0)) - paid_amount
        rows.append((day.isoformat(), fund, share_class, amount, payable[fund_class]))
    return write_csv(path, ["date", "fund", "class", "accrued", "payable"], rows)
