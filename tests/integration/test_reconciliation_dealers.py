"""The three-way dealer check on SQLite and PostgreSQL, on the Q3 2003 oracle's dealers
(positions constant within each month: DEALER-A 4.0M, 4.2M, 4.1M; DEALER-B 1.5M, 1.45M, 1.6M;
both at 0.25% a year):

- DEALER-A on the cap's own method: (4.0 x 31 + 4.2 x 31 + 4.1 x 30)M x 0.25% / 365 = 2,583.56,
  the cap, paid in full: owed, invoiced and paid agree;
- DEALER-A's agreement stated as month-end: (4.0 + 4.2 + 4.1)M x 0.25% / 12 = 2,562.50;
- DEALER-B invoicing 1,200.00: (1.5 x 31 + 1.45 x 31 + 1.6 x 30)M x 0.25% / 365 = 955.136…,
  owed 955.14 (half up) and capped at 955.13 (down, decision Q19), nothing paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from adapters.application.reconciliation import ImportStatement, RunReconciliation, StateAveraging
from adapters.inputs.statements import read_bai2, read_dealer_invoices
from adapters.readside import reconciliation as reads
from domain.periods import parse_period
from domain.reconciliation.dealers import AveragingMethod
from domain.reconciliation.records import StatementKind
from tests.builders import write_csv
from tests.conftest import count_events
from tests.integration.test_payments import pay_provider, q3_ledger  # noqa: F401
from tests.reconcile_builders import ACCOUNTS, DISTRIBUTOR_ACCOUNT_NUMBER, BankLine, write_bai2

Q3 = parse_period("2003Q3")
ON = date(2003, 10, 20)
BASE_A = f"dealer-fees/DEALER-A/INTL-BCV/R/{Q3.label()}"
BASE_B = f"dealer-fees/DEALER-B/INTL-BCV/R/{Q3.label()}"


def invoices(ledger, tmp_path, *rows):
    path = write_csv(
        tmp_path / "invoices.csv",
        ["dealer", "fund", "class", "period", "amount", "invoice"],
        [(dealer, "INTL-BCV", "R", "2003Q3", amount, f"INV-{dealer}") for dealer, amount in rows],
    )
    ledger.reconciliation.import_statement(
        ImportStatement(StatementKind.DEALER_INVOICE, read_dealer_invoices(path))
    )


def run(ledger):
    return ledger.reconciliation.run(RunReconciliation(Q3, Decimal("0.01"), 3, ON))


def test_three_way_on_the_caps_method_and_a_capped_invoice(q3_ledger, store, tmp_path):  # noqa: F811
    ledger = q3_ledger
    pay_provider(ledger, "DEALER-A", None, "SF-A-2003Q3")
    ledger.read_models.catch_up()
    invoices(ledger, tmp_path, ("DEALER-A", "2583.56"), ("DEALER-B", "1200.00"))
    summary = run(ledger)
    assert summary.matches_found == 1
    found = {row.key: (row.kind, row.ledger_amount) for row in reads.breaks(ledger.view).values()}
    assert found == {
        f"{BASE_B}/invoice": ("amount-differs", Decimal("955.14")),
        f"{BASE_B}/cap": ("over-cap", Decimal("955.13")),  # the cap rounds down
        f"{BASE_B}/paid": ("missing-in-ledger", None),
    }
    events = count_events(store)
    assert not run(ledger).events_written
    assert count_events(store) == events


def test_the_fees_cash_leg_on_the_distributors_account(q3_ledger, tmp_path):  # noqa: F811
    """The fee paid on 10-15 against the Distributor account's debits of October: by its
    reference; a second debit nothing in the ledger pays is missing from the ledger."""
    ledger = q3_ledger
    pay_provider(ledger, "DEALER-A", None, "SF-A-2003Q3")
    ledger.read_models.catch_up()
    lines = [
        BankLine(date(2003, 10, 15), DISTRIBUTOR_ACCOUNT_NUMBER, Decimal("2583.56"), True,
                 "ACH1", "SF-A-2003Q3"),
        BankLine(date(2003, 10, 16), DISTRIBUTOR_ACCOUNT_NUMBER, Decimal("99.00"), True, "ACH2"),
    ]  # fmt: skip
    bank = read_bai2(write_bai2(tmp_path / "dist.bai2", lines), ACCOUNTS, None)
    ledger.reconciliation.import_statement(ImportStatement(StatementKind.BANK_BAI2, bank))
    summary = ledger.reconciliation.run(
        RunReconciliation(parse_period("2003Q4"), Decimal("0.01"), 3, ON)
    )
    assert summary.matches_found == 1
    ((key, row),) = reads.breaks(ledger.view).items()
    assert key.startswith("dealer-fees/distributor/missing-in-ledger/")
    assert row.outside_amount == Decimal("99.00")


def test_the_agreements_own_averaging_method(q3_ledger, tmp_path):  # noqa: F811
    ledger = q3_ledger
    stated = StateAveraging(
        "DEALER-A", "INTL-BCV/R", "SA-DEALER-A", AveragingMethod.MONTH_END, "agreement §4", ON
    )
    assert ledger.reconciliation.state_averaging(stated) == "recorded"
    assert ledger.reconciliation.state_averaging(stated) == "unchanged"
    pay_provider(ledger, "DEALER-A", Decimal("2562.50"), "SF-A-2003Q3")
    ledger.read_models.catch_up()
    invoices(ledger, tmp_path, ("DEALER-A", "2562.50"))
    summary = run(ledger)
    assert (summary.matches_found, summary.breaks_found) == (1, 0)
