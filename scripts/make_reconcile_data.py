#!/usr/bin/env python3
"""The demo's outside records for reconciliation, built from the demo ledger's own figures with
a few deliberate differences (docs/reconciliation.md, the demo).

Reads the ledger named by --db (default: $PLANLEDGER_DB) and writes into --out:
  fund-books.csv         the fund accountant's daily 12b-1 accrual and payable of each class,
                         as the ledger has them, except INTL-BCV/R on 2003-10-15: a cent more
                         (within the default tolerance of a cent: it matches)
  fund-accounts.bai2     the funds' bank accounts (one account number each): a debit for each
                         payment to the Distributor, by its reference
  distributor.bai2       the Distributor's account: a credit for each payment it received,
                         except March 2004's two, credited in one line naming neither (a batch);
                         a debit for each service fee paid to a dealer, RPS-B's 2004Q2 fee
                         among them although the ledger has not recorded it (a missing payment)
  dealer-invoices.csv    each dealer's fee for each fund class and quarter, as its agreement
                         gives it, except DEALER-A's STABLE-VALUE 2004Q1 invoice: 250.00 more,
                         above the per-provider cap
  accounts.txt           the account numbers and the names `reconcile import --account` gives

The same ledger always gives the same files.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.application.compose import opened
from adapters.application.reconciliation_report import dealer_lines
from adapters.readside import reconciliation as reads
from domain.periods import parse_period

FUND_ACCOUNTS = {"INTL-BCV": "1111222233", "STABLE-VALUE": "1111222244"}
DISTRIBUTOR_ACCOUNT = "9999000011"
CENT_OFF = ("INTL-BCV/R", date(2003, 10, 15))
BATCHED_MONTH = "2004-03"  # both funds' payments for it credited in one line
OVER_CAP = ("DEALER-A", "STABLE-VALUE/R", "2004Q1", Decimal("250.00"))
NOT_RECORDED = ("RPS-B", "INTL-BCV/R", "2004Q2")  # paid by the bank, not yet in the ledger
QUARTERS = ("2003Q3", "2003Q4", "2004Q1", "2004Q2")


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
    """A BAI2 file: one group per day, one account record per account, a detail per line
    (type 495 outgoing wire for a debit, 195 incoming wire for a credit), with the record
    counts and totals the trailers must give."""
    by_day: dict[date, dict[str, list[BankLine]]] = {}
    for line in lines:
        by_day.setdefault(line.day, {}).setdefault(line.account_number, []).append(line)
    records = ["01,BANKOFNY,PLANLEDGER,040801,0800,1,80,,2/"]
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


def write_books(view, path: Path) -> None:
    daily, _monthly = reads.ledger_accruals(view)
    paid: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    for payment in reads.ledger_payments(view):
        paid[payment.fund_class].append((payment.paid_on, payment.amount))
    month_ends = {
        (fund_class, day) for fund_class, day in daily if (day + timedelta(days=1)).day == 1
    }
    payables = reads.ledger_payables(view, month_ends)
    rows = []
    accrued_to_date: dict[str, Decimal] = defaultdict(Decimal)
    by_day = sorted(daily.items(), key=lambda item: (item[0][1], item[0][0]))
    for (fund_class, day), figure in by_day:
        amount = figure.amount + (Decimal("0.01") if (fund_class, day) == CENT_OFF else 0)
        accrued_to_date[fund_class] += amount
        paid_to_date = sum((cash for on, cash in paid[fund_class] if on <= day), Decimal(0))
        payable = accrued_to_date[fund_class] - paid_to_date
        month_end = payables.get((fund_class, day.isoformat()[:7]))
        if (fund_class, day) in month_ends and month_end is not None:
            # The books' own payable at a month end: the ledger's, with the books' extra cent.
            extra = Decimal("0.01") if fund_class == CENT_OFF[0] and day > CENT_OFF[1] else 0
            payable = month_end.amount + extra
        fund, share_class = fund_class.split("/")
        rows.append([day.isoformat(), fund, share_class, f"{amount:.2f}", f"{payable:.2f}"])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["date", "fund", "class", "accrued", "payable"])
        writer.writerows(rows)


def fund_account_lines(view) -> list[BankLine]:
    return [
        BankLine(
            payment.paid_on,
            FUND_ACCOUNTS[payment.fund_class.split("/")[0]],
            payment.amount,
            True,
            f"FW{index:04d}",
            payment.reference,
            "12B-1 FEE TO DISTRIBUTOR",
        )
        for index, payment in enumerate(reads.ledger_payments(view), start=1)
    ]


def distributor_lines(view) -> list[BankLine]:
    """The Distributor's credits (one line for the batched month) and its dealers' debits."""
    lines: list[BankLine] = []
    batch: list[reads.LedgerPayment] = []
    for index, payment in enumerate(reads.ledger_payments(view), start=1):
        if payment.reference.endswith(BATCHED_MONTH):
            batch.append(payment)
            continue
        lines.append(
            BankLine(payment.paid_on, DISTRIBUTOR_ACCOUNT, payment.amount, False,
                     f"IN{index:04d}", payment.reference, "FUNDS TRANSFER")
        )  # fmt: skip
    total = sum((payment.amount for payment in batch), Decimal(0))
    lines.append(
        BankLine(batch[0].paid_on, DISTRIBUTOR_ACCOUNT, total, False, "IN9999", "",
                 f"FUNDS TRANSFER {len(batch)} ITEMS")
    )  # fmt: skip
    paid_on: dict[str, date] = {}
    for index, fee in enumerate(reads.ledger_service_fees(view), start=1):
        paid_on[fee.period] = fee.payment.paid_on
        lines.append(
            BankLine(fee.payment.paid_on, DISTRIBUTOR_ACCOUNT, fee.payment.amount, True,
                     f"ACH{index:04d}", fee.payment.reference, f"SERVICE FEE {fee.provider}")
        )  # fmt: skip
    dealer, fund_class, quarter = NOT_RECORDED
    (line,) = [
        line
        for line in dealer_lines(view, parse_period(quarter), dealer=dealer)
        if line.fund_class == fund_class
    ]
    assert line.paid is None and line.cap is not None, "the demo records this fee later"
    label = parse_period(quarter).label()
    lines.append(
        BankLine(paid_on[label], DISTRIBUTOR_ACCOUNT, line.cap, True, "ACH9999",
                 f"SF-{dealer}-{fund_class.split('/')[0]}-{quarter}", f"SERVICE FEE {dealer}")
    )  # fmt: skip
    return lines


def write_invoices(view, path: Path) -> None:
    rows = []
    for quarter in QUARTERS:
        for line in dealer_lines(view, parse_period(quarter)):
            assert line.owed is not None
            amount = line.owed
            if (line.dealer, line.fund_class, quarter) == OVER_CAP[:3]:
                amount += OVER_CAP[3]
            fund, share_class = line.fund_class.split("/")
            invoice = f"INV-{line.dealer}-{fund}-{quarter}"
            rows.append([line.dealer, fund, share_class, quarter, f"{amount:.2f}", invoice])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["dealer", "fund", "class", "period", "amount", "invoice"])
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("PLANLEDGER_DB", "sqlite:///planledger.db"))
    parser.add_argument("--out", type=Path, required=True)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    with opened(arguments.db, "make-reconcile-data") as ledger:
        ledger.read_models.catch_up()
        view = ledger.view
        write_books(view, arguments.out / "fund-books.csv")
        (arguments.out / "fund-accounts.bai2").write_text(bai2_text(fund_account_lines(view)))
        (arguments.out / "distributor.bai2").write_text(bai2_text(distributor_lines(view)))
        write_invoices(view, arguments.out / "dealer-invoices.csv")
    names = [f"{number}=fund:{fund}" for fund, number in FUND_ACCOUNTS.items()]
    (arguments.out / "accounts.txt").write_text(
        "\n".join([*names, f"{DISTRIBUTOR_ACCOUNT}=distributor"]) + "\n"
    )
    print(f"written {', '.join(sorted(path.name for path in arguments.out.iterdir()))}")


if __name__ == "__main__":
    main()
