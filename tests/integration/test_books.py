"""The fund's books and the Distributor's, as Beancount files (docs/books.md), on SQLite and
PostgreSQL.

A quarter of INTL-BCV/R: July to September accrued, July and August paid, a dealer's service
fee paid, reversed and paid again, a FIFTH expenditure; then a week of July restated to half
(July is now paid beyond its fee: a receivable from the Distributor), part of it refunded,
August's payment reversed and paid again (the rest of the receivable offset against it), and
September paid. Each entity's file must load in Beancount and in Fava without an error and
read as that entity's statements: the fund's 12b-1 expense is what it accrued; the
Distributor's plan-fee income equals it, and equals the cash it kept plus what the fund still
owes it less what it owes the fund; the inter-entity balances agree at every month end; no
asset stands in credit and no liability in debit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ImportPositions,
    ReceiveDistributorRefund,
    ReverseDistributorPayment,
    ReverseServiceFee,
)
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from adapters.outputs.beancount import export_beancount
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests.builders import net_assets_csv, positions_csv
from tests.integration.scenario import FUND_CLASS, RECORDED_AT, frozen_ledger  # noqa: F401
from tests.integration.test_corrections import import_expenditure
from tests.integration.test_payments import agree, month_constant, pay_distributor, pay_provider

CLASS = "INTL-BCV-R"
PARTS = ("AssetBasedSalesCharge", "ServiceFee")
RESTATED_AT = "2003-10-20 12:00:00"
LOWERED = [date(2003, 7, day) for day in range(8, 15)]


def _q3(ledger, tmp_path: Path) -> None:
    with freeze_time(RECORDED_AT):
        figures = month_constant(0)
        ledger.figures.import_net_assets(
            ImportNetAssets(read_csv(net_assets_csv(tmp_path / "q3.csv", figures), NetAssetsRow))
        )
        ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        agree(ledger, "DEALER-A")
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "a.csv", "DEALER-A", month_constant(1)), PositionRow
                )
            )
        )
        pay_distributor(ledger, "2003-07")
        pay_distributor(ledger, "2003-08")
        pay_provider(ledger, "DEALER-A", Decimal("1000.00"), "SF-A")
        ledger.audit.reverse_service_fee(
            ReverseServiceFee("DEALER-A", "INTL-BCV", "R", "SF-A", "paid to the wrong dealer")
        )
        pay_provider(ledger, "DEALER-A", Decimal("900.00"), "SF-A2")
        import_expenditure(ledger, tmp_path / "exp.csv", "EXP-1")


def _restated(ledger, tmp_path: Path) -> None:
    old = month_constant(0)
    halved = {day: (old[day] / 2).quantize(Decimal("0.01")) for day in LOWERED}
    with freeze_time(RESTATED_AT):
        ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "half.csv", halved), NetAssetsRow),
                restatement_reason="NAV struck on a wrong price",
            )
        )
        ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund(
                "INTL-BCV", "R", Decimal("100.00"), date(2003, 9, 15), "RF-1", "July"
            )
        )
        ledger.audit.reverse_distributor_payment(
            ReverseDistributorPayment("INTL-BCV", "R", "WIRE-2003-08", "wired twice")
        )
        pay_distributor(ledger, "2003-08", reference="WIRE-2003-08-B")
        pay_distributor(ledger, "2003-09")


@pytest.fixture
def books(frozen_ledger, tmp_path):  # noqa: F811
    """The ledger and its two exported files."""
    ledger = frozen_ledger
    _q3(ledger, tmp_path)
    _restated(ledger, tmp_path)
    ledger.read_models.catch_up()
    paths = {}
    for entity in ("fund", "distributor"):
        paths[entity] = tmp_path / f"{entity}.beancount"
        with paths[entity].open("w", encoding="utf-8") as handle:
            export_beancount(ledger.read_models.engine, handle, "test", entity)
    return ledger, paths


def loaded(path: Path):
    from beancount import loader

    entries, errors, _ = loader.load_file(str(path))
    assert errors == [], errors
    return entries


def transactions(entries):
    from beancount.core import data

    return [entry for entry in entries if isinstance(entry, data.Transaction)]


def final_balances(entries) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in transactions(entries):
        for posting in entry.postings:
            totals[posting.account] += posting.units.number
    return dict(totals)


def month_end_balances(entries) -> dict[date, dict[str, Decimal]]:
    from beancount.core import data

    found: dict[date, dict[str, Decimal]] = defaultdict(dict)
    for entry in entries:
        if isinstance(entry, data.Balance):
            found[entry.date][entry.account] = entry.amount.number
    return found


def under(balances: dict[str, Decimal], prefix: str) -> Decimal:
    return sum((amount for name, amount in balances.items() if name.startswith(prefix)), Decimal(0))


def events_of(ledger, kind) -> list:
    return [
        event
        for event in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(event, kind)
    ]


def test_each_file_loads_in_beancount_and_in_fava_without_an_error(books):
    from fava.core import FavaLedger

    _, paths = books
    for path in paths.values():
        assert transactions(loaded(path))
        fava = FavaLedger(str(path))
        assert list(fava.errors) == [], fava.errors


def test_the_scenario_leaves_the_distributor_owing_and_owed(books):
    """What the sense tests below rest on: a receivable was booked, offset and refunded."""
    ledger, _ = books
    assert events_of(ledger, FundClass.DistributorReceivableBooked)
    assert events_of(ledger, FundClass.DistributorReceivableOffset)
    assert events_of(ledger, FundClass.DistributorRefundReceived)


def test_the_funds_expense_is_what_it_accrued_and_the_distributors_income_is_the_same(books):
    ledger, paths = books
    fund = final_balances(loaded(paths["fund"]))
    distributor = final_balances(loaded(paths["distributor"]))
    accrued_cents = sum(row.total_cents for row in ledger.view.accrual_totals("month"))
    expense = under(fund, "Expenses:Plan12b1:")
    assert expense * 100 == accrued_cents
    for part in PARTS:  # part by part, too
        assert (
            fund[f"Expenses:Plan12b1:{CLASS}:{part}"]
            == -distributor[f"Income:Distributor:PlanFees:{CLASS}:{part}"]
        )
    income = -under(distributor, "Income:")
    assert income == expense

    # The income is the cash the Distributor kept plus what the fund still owes it, less what
    # it owes the fund: from the events, not the journal.
    received = sum(event.amount for event in events_of(ledger, FundClass.DistributorPaid))
    reversed_ = sum(
        event.amount for event in events_of(ledger, FundClass.DistributorPaymentReversed)
    )
    refunded = sum(event.amount for event in events_of(ledger, FundClass.DistributorRefundReceived))
    receivable_from_fund = under(distributor, "Assets:Distributor:ReceivableFromFund:")
    payable_to_fund = -under(distributor, "Liabilities:Distributor:PayableToFund:")
    assert income == received - reversed_ - refunded + receivable_from_fund - payable_to_fund
    assert refunded == Decimal("100.00") and reversed_ > 0


def test_the_inter_entity_balances_agree_at_every_month_end(books):
    _, paths = books
    fund = month_end_balances(loaded(paths["fund"]))
    distributor = month_end_balances(loaded(paths["distributor"]))
    assert sorted(fund) == sorted(distributor) and len(fund) >= 4
    for day in fund:
        for part in PARTS:
            payable = fund[day].get(f"Liabilities:PayableToDistributor:{CLASS}:{part}", 0)
            owed = distributor[day].get(f"Assets:Distributor:ReceivableFromFund:{CLASS}:{part}", 0)
            assert -payable == owed, (day, part)
            receivable = fund[day].get(f"Assets:Fund:{CLASS}:ReceivableFromDistributor:{part}", 0)
            owes = distributor[day].get(f"Liabilities:Distributor:PayableToFund:{CLASS}:{part}", 0)
            assert receivable == -owes, (day, part)
    # The receivable stood at some month end: the check above was not of zeros alone.
    assert any(
        amount > 0
        for balances in fund.values()
        for name, amount in balances.items()
        if ":ReceivableFromDistributor:" in name
    )


def test_no_asset_stands_in_credit_and_no_liability_in_debit(books):
    _, paths = books
    for path in paths.values():
        entries = loaded(path)
        at_the_end = (None, final_balances(entries))
        for day, balances in [*month_end_balances(entries).items(), at_the_end]:
            for account, amount in balances.items():
                root = account.split(":")[0]
                assert not (root == "Assets" and amount < 0), (path.name, day, account, amount)
                assert not (root == "Liabilities" and amount > 0), (path.name, day, account, amount)


def test_each_files_income_and_expenses_are_its_own_entitys(books):
    ledger, paths = books
    fund = final_balances(loaded(paths["fund"]))
    distributor = final_balances(loaded(paths["distributor"]))
    assert not [name for name in fund if name.startswith("Income:")]
    assert {name.rsplit(":", 2)[0] for name in fund if name.startswith("Expenses:")} == {
        "Expenses:Plan12b1"
    }
    assert all(name.split(":")[1] == "Distributor" for name in distributor)
    assert all(
        name.startswith(("Equity:Fund:", "Expenses:Plan12b1:", "Liabilities:PayableToDistributor:"))
        or ":ReceivableFromDistributor:" in name
        for name in fund
    )
    # The Distributor's spending: the dealer's fee as paid again, the FIFTH expenditure.
    assert distributor[f"Expenses:Distributor:ServiceFees:{CLASS}:DEALER-A"] == Decimal("900.00")
    assert distributor[f"Expenses:Distributor:Fifth:{CLASS}:Advertising"] == Decimal("1800.37")
    assert ledger.view.fund_class("INTL-BCV", "R").distributor_name


def test_payees_and_links_tie_the_entries_together(books):
    ledger, paths = books
    distributor_name = ledger.view.fund_class("INTL-BCV", "R").distributor_name
    fund = transactions(loaded(paths["fund"]))
    distributor = transactions(loaded(paths["distributor"]))
    assert {entry.payee for entry in fund} == {distributor_name}
    by_event = {entry.meta["event"]: entry for entry in distributor}
    payees = {entry.payee for entry in distributor}
    assert {"DEALER-A Securities", "Front Range Media"} <= payees
    assert any("Class R (INTL-BCV/R)" in (payee or "") for payee in payees)

    def linked(entries, link):
        return [entry for entry in entries if link in entry.links]

    # A payment and its reversal, and the payment made again under a new reference.
    paid, reversal = linked(fund, f"{CLASS}-payment-WIRE-2003-08")
    assert "reversal" in reversal.narration
    assert [(p.account, -p.units.number) for p in paid.postings] == [
        (p.account, p.units.number) for p in reversal.postings
    ]
    assert linked(fund, f"{CLASS}-payment-WIRE-2003-08-B")
    # A service fee and its reversal.
    assert len(linked(distributor, f"{CLASS}-service-fee-DEALER-A-SF-A")) == 2
    # July: every accrual day and the payment that covers it.
    july = linked(fund, f"{CLASS}-2003-07")
    kinds = {entry.narration.split(" ")[0] for entry in july}
    assert len([entry for entry in july if "accrued on" in entry.narration]) == 31
    assert "plan" in kinds  # "plan fees paid to the Distributor …"
    # Each entry carries the event and its log position, the same in both files.
    for entry in fund:
        if entry.meta["event"] in by_event:
            assert by_event[entry.meta["event"]].meta["position"] == entry.meta["position"]
