"""No fund money ahead of the fee (decision A16), on SQLite and PostgreSQL.

The worked example: INTL-BCV/R has net assets of 10,000,000.00 every day of July and August
2003. Each month accrues 10,000,000.00 × 0.50% × 31 / 365 = 4,246.575342… → 4,246.58, and July
is paid in full on 2003-08-01. July's net assets are then restated to 9,000,000.00 every day:
July now accrues 9,000,000.00 × 0.50% × 31 / 365 = 3,821.917808… → 3,821.92, so the Distributor
was paid X = 4,246.58 − 3,821.92 = 424.66 beyond its fee. That is a receivable from the
Distributor, dated on the payment (2003-08-01); the payable stays at zero. August's payment
nets it off: August owes 4,246.58, of which 424.66 is offset and 3,821.92 paid in cash. Or
the Distributor refunds 424.66. As known before the restatement, no receivable.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ReceiveDistributorRefund,
    ReverseDistributorPayment,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.outputs.bundle import export_bundle
from adapters.outputs.impact import analyse_impact
from adapters.outputs.reports import quarterly_report, write_report
from adapters.readside.queries import balances, trial_balance
from adapters.store.verify import verify_store
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from domain.periods import parse_period
from tests.builders import net_assets_csv
from tests.conftest import count_events
from tests.integration.scenario import RECORDED_AT, frozen_ledger, read_models  # noqa: F401
from tests.integration.test_bundle import run_verifier, unpack
from tests.integration.test_payments import pay_distributor

FUND_CLASS = "INTL-BCV/R"
TEN_MILLION = Decimal("10000000.00")
NINE_MILLION = Decimal("9000000.00")
MONTH_AT_TEN = Decimal("4246.58")  # 10,000,000.00 × 0.005 × 31 / 365, rounded once
MONTH_AT_NINE = Decimal("3821.92")  # 9,000,000.00 × 0.005 × 31 / 365, rounded once
X = MONTH_AT_TEN - MONTH_AT_NINE  # 424.66
BEFORE_RESTATEMENT = datetime(2003, 10, 10, tzinfo=UTC)
RESTATED_AT = "2003-10-20 12:00:00"
AUGUST_PAID_AT = "2003-10-25 12:00:00"


def days_of(month: str) -> list[date]:
    return list(parse_period(month).each_day())


def import_figures(ledger, path, figures, reason=None):
    return ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(path, figures), NetAssetsRow), reason)
    )


def fund_class(ledger) -> FundClass:
    return ledger.view.fund_class("INTL-BCV", "R")


def balance(ledger, as_of: date, position=None):
    ledger.read_models.catch_up()
    found = balances(ledger.read_models.engine, as_of, position)
    return {row.fund_class: row for row in found}[FUND_CLASS]


@pytest.fixture
def july_paid_then_lowered(frozen_ledger, tmp_path):  # noqa: F811
    """July and August accrued at 10,000,000.00 a day, July paid, then July restated to
    9,000,000.00 a day."""
    ledger = frozen_ledger
    with freeze_time(RECORDED_AT):
        figures = {day: TEN_MILLION for day in days_of("2003-07") + days_of("2003-08")}
        import_figures(ledger, tmp_path / "ten.csv", figures)
        ledger.accruals.accrue(
            Accrue(date(2003, 8, 31), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        _, paid, offset = pay_distributor(ledger, "2003-07")
        assert (paid, offset) == (MONTH_AT_TEN, Decimal("0"))
        ledger.read_models.catch_up()
    with freeze_time(RESTATED_AT):
        lowered = {day: NINE_MILLION for day in days_of("2003-07")}
        import_figures(ledger, tmp_path / "nine.csv", lowered, "NAV struck on a wrong price")
        ledger.read_models.catch_up()
    return ledger


def test_a_correction_leaves_a_receivable_not_a_negative_payable(july_paid_then_lowered, store):
    ledger = july_paid_then_lowered
    state = fund_class(ledger)
    assert state.receivable == X == Decimal("424.66")
    assert state.receivable_by_month == {"2003-07": X}
    assert state.accrued_unpaid_in(parse_period("2003-07")) == Decimal("0")
    assert state.payable == MONTH_AT_TEN  # August, accrued and unpaid
    # Each restated day books what it took off July (the stream's last, with July's revised
    # true-up, its rounding), dated on the payment it comes back from.
    booked = [
        event
        for event in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(event, FundClass.DistributorReceivableBooked)
    ]
    assert len(booked) == 31
    assert {(event.month, event.business_date) for event in booked} == {
        ("2003-07", date(2003, 8, 1))
    }
    assert sum(event.amount for event in booked) == X
    assert all(event.absc_amount + event.service_amount == event.amount for event in booked)

    # Balances: the payable never goes negative; the receivable takes the excess.
    after = balance(ledger, date(2003, 8, 31))
    assert after.accrued * Decimal("0.01") == MONTH_AT_NINE + MONTH_AT_TEN
    assert after.payable * Decimal("0.01") == MONTH_AT_TEN
    assert after.receivable * Decimal("0.01") == X
    assert after.paid * Decimal("0.01") == MONTH_AT_TEN  # July's payment, not yet paid back
    assert after.absc_payable >= 0 and after.service_payable >= 0
    # As of July's end, before the payment: July owes its corrected fee, nothing is receivable.
    july_end = balance(ledger, date(2003, 7, 31))
    assert (july_end.payable * Decimal("0.01"), july_end.receivable) == (MONTH_AT_NINE, 0)

    # As known before the restatement: no receivable.
    known_before = store.position_known_at(BEFORE_RESTATEMENT)
    then = balance(ledger, date(2003, 8, 31), known_before)
    assert then.receivable == 0
    assert then.payable * Decimal("0.01") == MONTH_AT_TEN

    rows = trial_balance(ledger.read_models.engine, date(2003, 12, 31))
    assert sum(r.debit_cents for r in rows) == sum(r.credit_cents for r in rows)
    accounts = {row.account: row.balance_cents for row in rows}
    receivable = sum(
        cents for name, cents in accounts.items() if ":ReceivableFromDistributor:" in name
    )
    assert receivable * Decimal("0.01") == X
    assert verify_store(store).ok


def test_the_next_payment_nets_the_receivable_off(july_paid_then_lowered):
    ledger = july_paid_then_lowered
    with freeze_time(AUGUST_PAID_AT):
        outcome, cash, offset = pay_distributor(ledger, "2003-08")
    assert (outcome, cash, offset) == ("recorded", MONTH_AT_TEN - X, X)
    assert cash == MONTH_AT_NINE  # 4,246.58 owed, 424.66 offset: 3,821.92 in cash
    state = fund_class(ledger)
    assert (state.receivable, state.payable) == (Decimal("0"), Decimal("0"))
    offset_event, paid_event = list(ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-2:]
    assert isinstance(offset_event, FundClass.DistributorReceivableOffset)
    assert (offset_event.amount, offset_event.cash_amount) == (X, cash)
    assert paid_event.amount == cash and paid_event.unpaid_before == cash
    after = balance(ledger, date(2003, 9, 30))
    assert (after.payable, after.receivable) == (0, 0)
    assert after.paid * Decimal("0.01") == MONTH_AT_NINE + MONTH_AT_TEN  # in all, what accrued
    assert after.absc_payable == after.service_payable == 0

    # The same command again records nothing.
    with freeze_time(AUGUST_PAID_AT):
        assert pay_distributor(ledger, "2003-08", amount=cash)[0] == "unchanged"


def test_a_payment_beyond_what_the_months_owe_after_the_offset_is_refused(
    july_paid_then_lowered, store
):
    ledger = july_paid_then_lowered
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(ledger, "2003-08", amount=MONTH_AT_TEN)
    assert refused.value.rule == "payment-ahead-of-fee"
    assert "424.66 is offset by the receivable" in refused.value.detail
    assert count_events(store) == before


def test_a_refund_clears_the_receivable_and_is_idempotent_by_reference(
    july_paid_then_lowered, store
):
    ledger = july_paid_then_lowered

    def refund(amount, reference="REFUND-1", received_on=date(2003, 8, 25)):
        return ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund("INTL-BCV", "R", amount, received_on, reference, "July")
        )

    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        refund(X + Decimal("0.01"))
    assert refused.value.rule == "refund-exceeds-receivable"
    assert count_events(store) == before
    assert refund(X) == "recorded"
    assert refund(X) == "unchanged"
    with pytest.raises(RuleViolation) as reused:
        refund(X, received_on=date(2003, 8, 26))
    assert reused.value.rule == "reference-reused"
    state = fund_class(ledger)
    assert state.receivable == Decimal("0")
    assert state.accrued_unpaid_in(parse_period("2003-07")) == Decimal("0")
    after = balance(ledger, date(2003, 8, 31))
    assert (after.receivable, after.payable * Decimal("0.01")) == (0, MONTH_AT_TEN)
    assert after.paid * Decimal("0.01") == MONTH_AT_NINE
    # August is then paid in full in cash: nothing left to offset.
    assert pay_distributor(ledger, "2003-08")[1:] == (MONTH_AT_TEN, Decimal("0"))


def test_reversing_the_payment_releases_the_receivable(july_paid_then_lowered):
    ledger = july_paid_then_lowered
    ledger.audit.reverse_distributor_payment(
        ReverseDistributorPayment("INTL-BCV", "R", "WIRE-2003-07", "wired to the wrong account")
    )
    state = fund_class(ledger)
    assert state.receivable == Decimal("0")
    assert state.accrued_unpaid_in(parse_period("2003-07")) == MONTH_AT_NINE
    after = balance(ledger, date(2003, 8, 31))
    assert (after.receivable, after.payable * Decimal("0.01")) == (0, MONTH_AT_NINE + MONTH_AT_TEN)


def test_the_quarterly_report_shows_the_receivable(july_paid_then_lowered, tmp_path):
    ledger = july_paid_then_lowered
    report = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")
    html, csv_file, pdf = write_report(report, tmp_path / "out", ("html", "csv", "pdf"))
    assert "Receivable from the Distributor at the end</td><td class=amount>424.66" in (
        html.read_text()
    )
    assert (
        'plan,receivable_from_distributor.booked,"Paid beyond the fee, found by corrections '
        '(receivable booked)",424.66,424.66,' in csv_file.read_text()
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    receivable = report["quarter_figures"]["receivable_from_distributor"]
    assert receivable == {
        "outstanding_at_start": "0.00",
        "booked": "424.66",
        "offset": "0.00",
        "refunded": "0.00",
        "outstanding_at_end": "424.66",
    }
    assert report["year_to_date"]["receivable_from_distributor"] == receivable
    # The quarter before, and a quarter of a class that never had one: no such line.
    ledger.read_models.catch_up()
    assert (
        "receivable_from_distributor"
        not in quarterly_report(
            ledger.view.as_known_at(ledger.store.position_known_at(BEFORE_RESTATEMENT)),
            FUND_CLASS,
            "2003Q3",
        )["quarter_figures"]
    )
    # Offset against August's payment: the quarter shows it booked and settled.
    with freeze_time(AUGUST_PAID_AT):
        pay_distributor(ledger, "2003-08")
    ledger.read_models.catch_up()
    settled = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")["quarter_figures"]
    assert settled["receivable_from_distributor"]["offset"] == "424.66"
    assert settled["receivable_from_distributor"]["outstanding_at_end"] == "0.00"


def test_a_bundle_with_a_refund_and_an_offset_verifies_on_its_own(july_paid_then_lowered, tmp_path):
    """The regulator bundle's verifier recomputes the receivable, its postings and the months'
    payments from the events alone: a partial refund, then the rest offset against August."""
    ledger = july_paid_then_lowered
    with freeze_time(AUGUST_PAID_AT):
        ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund("INTL-BCV", "R", Decimal("100.00"), date(2003, 9, 1), "RF", "")
        )
        assert pay_distributor(ledger, "2003-08")[1:] == (
            MONTH_AT_TEN - (X - Decimal("100.00")),
            X - Decimal("100.00"),
        )
    ledger.read_models.catch_up()
    report = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")["quarter_figures"]
    assert report["receivable_from_distributor"] == {
        "outstanding_at_start": "0.00",
        "booked": "424.66",
        "offset": "324.66",
        "refunded": "100.00",
        "outstanding_at_end": "0.00",
    }
    # What the Distributor kept for the quarter is what the quarter accrued.
    assert report["paid_to_distributor"] == str(MONTH_AT_NINE + MONTH_AT_TEN)
    assert report["accrued_less_paid"] == "0.00"
    bundle = export_bundle(ledger.view, date(2003, 12, 31), None, tmp_path / "b.zip").path
    result = run_verifier(unpack(bundle, tmp_path / "b"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_impact_names_the_payment_now_beyond_the_fee(july_paid_then_lowered):
    ledger = july_paid_then_lowered
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    assert found.corrections["DistributorReceivableBooked"] == 31
    [payment] = [amount for amount in found.amounts if amount.kind == "distributor-payment"]
    assert (payment.reference, payment.paid) == ("WIRE-2003-07", MONTH_AT_TEN)
    assert (payment.then, payment.now, payment.delta) == (MONTH_AT_TEN, MONTH_AT_NINE, -X)
    assert "a receivable from the Distributor" in payment.note


def test_a_refund_dated_before_the_payment_it_gives_back_is_refused(july_paid_then_lowered, store):
    """July was paid on 2003-08-01: the Distributor cannot have refunded its excess on
    2003-07-31, which would show a negative receivable as of the days between."""
    ledger = july_paid_then_lowered
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund("INTL-BCV", "R", X, date(2003, 7, 31), "REFUND-EARLY", "")
        )
    assert refused.value.rule == "refund-before-receivable"
    assert "2003-08-01" in refused.value.detail
    assert count_events(store) == before
    assert (
        ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund("INTL-BCV", "R", X, date(2003, 8, 1), "REFUND-ON-TIME", "")
        )
        == "recorded"
    )
