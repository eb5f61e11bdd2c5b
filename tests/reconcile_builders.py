"""Statements for reconciliation's tests, built from a ledger's own figures: fund-books CSV
extracts and BAI2 bank statements (written record by record, as a bank sends them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from scripts.make_reconcile_data import BankLine, bai2_text
from tests.builders import write_csv

FUND_ACCOUNT_NUMBER = "1111222233"
DISTRIBUTOR_ACCOUNT_NUMBER = "9999000011"
ACCOUNTS = {FUND_ACCOUNT_NUMBER: "fund:INTL-BCV", DISTRIBUTOR_ACCOUNT_NUMBER: "distributor"}


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
