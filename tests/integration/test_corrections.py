"""Corrections and point-in-time reads (docs/audit.md §1–2), on SQLite and PostgreSQL.

The scenario of the issue: a quarter is recorded and its report issued; a week of net assets is
then restated. As known before the restatement, every figure is unchanged (the issued report is
rebuilt byte for byte); as known after it, the accruals are corrected by exactly the restated
basis; `impact` names the report, the figures and the payment that settled the month.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    Accrue,
    ImportExpenditures,
    ImportNetAssets,
    ImportPositions,
    ReverseDistributorPayment,
    ReverseExpenditure,
    Seal,
)
from adapters.inputs.csv_files import ExpenditureRow, NetAssetsRow, PositionRow, read_csv
from adapters.outputs.impact import analyse_impact
from adapters.outputs.reports import quarterly_report, report_sha256
from adapters.readside.audit_log import LogFilter, read_log
from adapters.readside.queries import balances, dollars, journal, trial_balance
from adapters.store.verify import verify_store
from domain.errors import RuleViolation
from domain.periods import parse_period
from tests.builders import expenditures_csv, net_assets_csv
from tests.integration.scenario import (
    BEFORE_RESTATEMENT,
    FUND_CLASS,
    ISSUED_AT,
    RECORDED_AT,
    RESTATED_AT,
    WEEK,
    restate_week,
)
from tests.integration.test_payments import month_constant, pay_distributor

RATE_TOTAL = Decimal("0.005")


def september_total_exact(figures: dict[date, Decimal]) -> Decimal:
    return sum(
        (figures[day] * RATE_TOTAL / 365 for day in parse_period("2003-09").each_day()),
        Decimal(0),
    )


def test_restating_a_week_corrects_accruals_and_keeps_the_past_view(quarter, store, tmp_path):
    ledger, issued_report = quarter
    engine = ledger.read_models.engine
    before = balances(engine, date(2003, 9, 30))
    old, restated, summary = restate_week(ledger, tmp_path)
    assert summary.restated == len(WEEK)

    known_before = store.position_known_at(BEFORE_RESTATEMENT)
    assert balances(engine, date(2003, 9, 30), known_before) == before

    # As known now, September's booked cents are its corrected exact total rounded once.
    after = {b.fund_class: b for b in balances(engine, date(2003, 9, 30))}[FUND_CLASS]
    corrected = {**old, **restated}
    september = sum(
        row.debit_cents - row.credit_cents
        for row in journal(engine, start=date(2003, 9, 1), end_inclusive=date(2003, 9, 30))
        if row.account.startswith("Expenses:Plan12b1:INTL-BCV-R")
    )
    expected = september_total_exact(corrected).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert dollars(september) == expected
    previous = {b.fund_class: b for b in before}[FUND_CLASS]
    assert after.accrued < previous.accrued
    assert after.payable == after.accrued - previous.paid  # paid in full before: now overpaid

    # The issued report, rebuilt as known before the restatement, is the same bytes.
    then = quarterly_report(ledger.view.as_known_at(known_before), FUND_CLASS, "2003Q3")
    assert report_sha256(then) == report_sha256(issued_report)
    now = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")
    assert report_sha256(now) != report_sha256(issued_report)

    # Every debit still has its credit, as known then and now.
    for position in (known_before, None):
        rows = trial_balance(engine, date(2003, 12, 31), position)
        assert sum(r.debit_cents for r in rows) == sum(r.credit_cents for r in rows)


def test_impact_names_the_report_the_figures_and_the_payment(quarter, tmp_path):
    ledger, _ = quarter
    _, _, _ = restate_week(ledger, tmp_path)
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    assert found.corrections["NetAssetsRestated"] == len(WEEK)
    assert found.corrections["FeeAccrualAdjusted"] == len(WEEK)
    [report] = found.reports
    assert (report.fund_class, report.quarter) == (FUND_CLASS, "2003Q3")
    changes = {change.path: change for change in report.changes}
    total = changes["quarter_figures.accrued.total"]
    assert total.delta is not None and total.delta < 0
    [payment] = [amount for amount in found.amounts if amount.kind == "distributor-payment"]
    assert payment.reference == "WIRE-2003-09"
    assert payment.delta == total.delta  # the whole change falls in the month September settled


def test_each_adjustment_names_its_restatement_and_reason(quarter, tmp_path):
    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    entries = list(read_log(ledger.view, LogFilter(event_types=["FeeAccrualAdjusted"])))
    assert [entry.business_date for entry in entries] == WEEK
    for entry in entries:
        assert "NAV error" in entry.why
        assert "net-assets-restatement/INTL-BCV/R/" in entry.why
        assert entry.source.startswith("restated.csv sha256:")
        assert entry.actor == "test-accountant"


def test_restating_again_with_the_same_figures_changes_nothing(quarter, store, tmp_path):
    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    head = store.head_position()
    _, _, summary = restate_week(ledger, tmp_path)
    assert summary.restated == 0
    assert store.head_position() == head


def test_restating_a_day_back_and_forth_keeps_each_restatement_apart(quarter, store, tmp_path):
    ledger, _ = quarter
    for factor in ("0.98", "1", "0.98"):  # to Y, back to X, to Y again
        restate_week(ledger, tmp_path, factor=Decimal(factor))
    keys = [
        entry.idempotency_key
        for entry in read_log(ledger.view, LogFilter(event_types=("NetAssetsRestated",)))
        if entry.business_date == WEEK[0]
    ]
    assert len(keys) == len(set(keys)) == 3
    adjusted = [
        entry.why
        for entry in read_log(ledger.view, LogFilter(event_types=("FeeAccrualAdjusted",)))
        if entry.business_date == WEEK[0]
    ]
    assert len(adjusted) == 3 and all(key in why for key, why in zip(keys, adjusted, strict=True))


def test_the_store_still_verifies_after_corrections(quarter, store, tmp_path):
    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    assert verify_store(store).ok


# ---- reversals ------------------------------------------------------------------------------


def test_a_mistaken_payment_is_reversed_and_paid_again(frozen_ledger, read_models, store, tmp_path):
    ledger = frozen_ledger
    with freeze_time(RECORDED_AT):
        ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "q3.csv", month_constant(0)), NetAssetsRow)
            )
        )
        ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        pay_distributor(ledger, "2003-07", amount=Decimal("1000.00"), reference="WIRE-TYPO")
        read_models.catch_up()
    mistaken_known = datetime(2003, 10, 2, tzinfo=UTC)
    with freeze_time("2003-10-05 12:00:00"):
        ledger.audit.reverse_distributor_payment(
            ReverseDistributorPayment(
                fund_code="INTL-BCV",
                share_class="R",
                reference="WIRE-TYPO",
                reason="keyed 1000.00 for the July wire; the bank statement shows the accrued sum",
            )
        )
        pay_distributor(ledger, "2003-07", amount=None, reference="WIRE-2003-07")
        read_models.catch_up()

    def class_balances(as_of, position=None):
        [found] = [
            b for b in balances(read_models.engine, as_of, position) if b.fund_class == FUND_CLASS
        ]
        return found

    july_accrued = class_balances(date(2003, 7, 31)).accrued
    paid_on = parse_period("2003-07").end_exclusive
    assert class_balances(paid_on).paid == july_accrued  # July is exactly settled
    then_position = store.position_known_at(mistaken_known)
    assert dollars(class_balances(paid_on, then_position).paid) == Decimal("1000.00")
    # Reversing twice is the same reversal; the reference cannot be paid again, and the refusal
    # names the reversal.
    head = store.head_position()
    assert (
        ledger.audit.reverse_distributor_payment(
            ReverseDistributorPayment(
                fund_code="INTL-BCV", share_class="R", reference="WIRE-TYPO", reason="again"
            )
        )
        == "unchanged"
    )
    assert store.head_position() == head
    with pytest.raises(RuleViolation, match=r"reference-reversed.*reversed on 2003-10-05"):
        pay_distributor(ledger, "2003-07", amount=Decimal("5.00"), reference="WIRE-TYPO")


def test_a_reversal_needs_a_reason_and_a_real_record(loaded_ledger):
    with pytest.raises(RuleViolation, match="reversal-unknown-record"):
        loaded_ledger.audit.reverse_expenditure(
            ReverseExpenditure(
                fund_code="INTL-BCV", share_class="R", reference="NOPE", reason="typo"
            )
        )


def import_expenditure(ledger, path, reference):
    row = (
        "INTL-BCV",
        "R",
        "2003-09-30",
        "2003Q3",
        "advertising",
        "third_party",
        "Front Range Media",
        "1800.37",
        "Print campaign",
        reference,
    )
    ledger.figures.import_expenditures(
        ImportExpenditures(read_csv(expenditures_csv(path, [row]), ExpenditureRow))
    )


def fifth_clause_balances(read_models):
    rows = trial_balance(read_models.engine, date(2003, 12, 31))
    return [r for r in rows if r.account.startswith("Expenses:Distributor:Fifth:INTL-BCV-R")]


def test_a_payment_and_an_expenditure_of_one_reference_are_reversed_apart(
    frozen_ledger, read_models, tmp_path
):
    ledger = frozen_ledger
    with freeze_time(RECORDED_AT):
        ledger.figures.import_net_assets(
            ImportNetAssets(
                read_csv(net_assets_csv(tmp_path / "q3.csv", month_constant(0)), NetAssetsRow)
            )
        )
        ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        pay_distributor(ledger, "2003-07", amount=Decimal("1000.00"), reference="DOC-7")
        import_expenditure(ledger, tmp_path / "e.csv", "DOC-7")
    with freeze_time("2003-10-05 12:00:00"):
        for outcome in (
            ledger.audit.reverse_expenditure(
                ReverseExpenditure("INTL-BCV", "R", reference="DOC-7", reason="mistaken")
            ),
            ledger.audit.reverse_distributor_payment(
                ReverseDistributorPayment("INTL-BCV", "R", reference="DOC-7", reason="mistaken")
            ),
        ):
            assert outcome == "recorded"
        read_models.catch_up()
    [found] = [
        b for b in balances(read_models.engine, date(2003, 12, 31)) if b.fund_class == FUND_CLASS
    ]
    assert found.paid == 0
    assert all(r.balance_cents == 0 for r in fifth_clause_balances(read_models))


def test_a_mistaken_expenditure_is_reversed(loaded_ledger, read_models, tmp_path):
    ledger = loaded_ledger
    import_expenditure(ledger, tmp_path / "e.csv", "EXP-1")
    with pytest.raises(RuleViolation, match="reversal-needs-reason"):
        ledger.audit.reverse_expenditure(
            ReverseExpenditure(fund_code="INTL-BCV", share_class="R", reference="EXP-1", reason=" ")
        )
    ledger.audit.reverse_expenditure(
        ReverseExpenditure(
            fund_code="INTL-BCV",
            share_class="R",
            reference="EXP-1",
            reason="booked to the wrong fund",
        )
    )
    read_models.catch_up()
    assert all(r.balance_cents == 0 for r in fifth_clause_balances(read_models))


def test_the_point_in_time_view_agrees_with_the_balances_at_every_date_and_time(
    quarter, store, tmp_path
):
    from adapters.readside.point_in_time import fund_class_as_of

    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    engine = ledger.read_models.engine
    positions = [store.position_known_at(BEFORE_RESTATEMENT), store.head_position()]
    days = [date(2003, 6, 30), date(2003, 7, 1), date(2003, 9, 10), date(2003, 10, 1)]
    for position in positions:
        view = ledger.view.as_known_at(position)
        for day in days:
            found = fund_class_as_of(view, FUND_CLASS, day)
            [row] = [b for b in balances(engine, day, position) if b.fund_class == FUND_CLASS]
            assert (found.absc_accrued, found.service_accrued) == (
                dollars(row.absc_accrued),
                dollars(row.service_accrued),
            )
            assert found.payable == dollars(row.payable)
            assert found.accrued_through == row.accrued_through
            assert found.in_effect == (day >= date(2003, 7, 1))
    before, after = (
        fund_class_as_of(ledger.view.as_known_at(p), FUND_CLASS, WEEK[0]) for p in positions
    )
    assert after.basis_net_assets == (before.basis_net_assets * Decimal("0.98")).quantize(
        Decimal("0.01")
    )


def test_impact_names_a_service_fee_whose_cap_a_restated_position_lowers(quarter, tmp_path):
    from tests.builders import positions_csv
    from tests.integration.test_payments import agree, pay_provider

    ledger, _ = quarter
    with freeze_time(ISSUED_AT):
        agree(ledger, "DEALER-A")
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "pos.csv", "DEALER-A", month_constant(1)), PositionRow
                )
            )
        )
        pay_provider(ledger, "DEALER-A", None, "SF-Q3")
        ledger.read_models.catch_up()
    with freeze_time(RESTATED_AT):
        lower = {day: value / 2 for day, value in month_constant(1).items() if day.month == 9}
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "restated-pos.csv", "DEALER-A", lower), PositionRow
                ),
                restatement_reason="the dealer's omnibus account double-counted",
            )
        )
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    [fee] = [amount for amount in found.amounts if amount.kind == "service-fee-cap"]
    assert (fee.provider, fee.reference) == ("DEALER-A", "SF-Q3")
    assert fee.now < fee.then == fee.paid
    assert fee.note == "over the cap now"


def test_impact_holds_a_period_s_fees_together_and_leaves_out_reversed_ones(quarter, tmp_path):
    from tests.builders import positions_csv
    from tests.integration.test_payments import Q3, agree, pay_provider

    ledger, _ = quarter
    with freeze_time(ISSUED_AT):
        agree(ledger, "DEALER-A")
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "pos.csv", "DEALER-A", month_constant(1)), PositionRow
                )
            )
        )
        cap = ledger.view.service_fee_cap(
            "DEALER-A", "INTL-BCV", "R", Q3, max_carry_days=4
        ).cap_amount
        first = (cap * Decimal("0.6")).quantize(Decimal("0.01"))
        second = (cap * Decimal("0.3")).quantize(Decimal("0.01"))
        pay_provider(ledger, "DEALER-A", first, "SF-A")
        pay_provider(ledger, "DEALER-A", second, "SF-B")
        ledger.audit.reverse_distributor_payment(
            ReverseDistributorPayment(
                fund_code="INTL-BCV", share_class="R", reference="WIRE-2003-09", reason="mistaken"
            )
        )
        ledger.read_models.catch_up()
    with freeze_time(RESTATED_AT):
        half = {day: value / 2 for day, value in month_constant(1).items()}
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "restated-pos.csv", "DEALER-A", half), PositionRow
                ),
                restatement_reason="the dealer's omnibus account double-counted",
            )
        )
    restate_week(ledger, tmp_path)
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    [fees] = [amount for amount in found.amounts if amount.kind == "service-fee-cap"]
    assert fees.reference == "SF-A, SF-B"
    assert fees.paid == first + second
    assert fees.then == cap and fees.now < fees.paid
    assert fees.note == "over the cap now"  # neither fee alone is over the new cap
    payments = [amount.reference for amount in found.amounts if amount.kind != "service-fee-cap"]
    assert "WIRE-2003-09" not in payments


def test_a_known_at_time_after_the_read_models_caught_up_waits_for_them(quarter, tmp_path):
    """Events committed between a command's catch-up and its `--known-at` (a time of about
    now) are in the answer, not left out under a position that claims them."""
    import argparse
    import io

    from adapters.cli.handlers import Context, known_view

    ledger, _ = quarter
    october = {date(2003, 10, day): Decimal("50000000.00") for day in range(1, 32)}
    with freeze_time(RESTATED_AT):
        ledger.figures.import_net_assets(
            ImportNetAssets(read_csv(net_assets_csv(tmp_path / "oct.csv", october), NetAssetsRow))
        )
        ledger.accruals.accrue(
            Accrue(date(2003, 10, 31), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
    notes = io.StringIO()
    moment = datetime(2003, 11, 3, 12, 0, 1, tzinfo=UTC)
    view = known_view(ledger, argparse.Namespace(known_at=moment), Context("", "", notes))
    [found] = [
        b
        for b in balances(view.read_models.engine, date(2003, 10, 31), view.known_position)
        if b.fund_class == FUND_CLASS
    ]
    assert found.accrued_through == date(2003, 10, 31)
    assert f"log position {view.known_position}" in notes.getvalue()


def test_a_commit_time_from_a_clock_ahead_of_this_one_is_not_the_future(quarter):
    """A writer whose clock ran ahead commits "in the future"; the time the ledger printed
    for it is accepted back, while a time beyond it is still refused."""
    import argparse
    import io

    from adapters.cli.handlers import CommandInputError, Context, known_view

    ledger, _ = quarter
    with freeze_time("2100-01-01 00:00:00"):
        ledger.audit.seal(Seal("sealed by a writer whose clock runs ahead", date(2003, 11, 1)))
    ahead = datetime(2100, 1, 1, tzinfo=UTC)
    context = Context("", "", io.StringIO())
    view = known_view(ledger, argparse.Namespace(known_at=ahead), context)
    assert view.known_position == ledger.store.head_position()
    with pytest.raises(CommandInputError, match="in the future"):
        known_view(ledger, argparse.Namespace(known_at=datetime(2100, 1, 2, tzinfo=UTC)), context)


def test_impact_names_fees_over_a_cap_that_moved_and_came_back(quarter, tmp_path):
    """A fee paid against a raised cap stays over it once the cap is restated back down, even
    though the cap when the first fee was paid equals the cap now."""
    from tests.builders import positions_csv
    from tests.integration.test_payments import Q3, agree, pay_provider

    ledger, _ = quarter
    positions = month_constant(1)
    with freeze_time(ISSUED_AT):
        agree(ledger, "DEALER-A")
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(positions_csv(tmp_path / "pos.csv", "DEALER-A", positions), PositionRow)
            )
        )
        cap = ledger.view.service_fee_cap(
            "DEALER-A", "INTL-BCV", "R", Q3, max_carry_days=4
        ).cap_amount
        first = (cap * Decimal("0.6")).quantize(Decimal("0.01"))
        pay_provider(ledger, "DEALER-A", first, "SF-A")
    with freeze_time("2003-10-25 12:00:00"):
        doubled = {day: value * 2 for day, value in positions.items()}
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(positions_csv(tmp_path / "doubled.csv", "DEALER-A", doubled), PositionRow),
                restatement_reason="the dealer's first file left out an omnibus account",
            )
        )
        pay_provider(ledger, "DEALER-A", cap, "SF-B")  # within the doubled cap
    with freeze_time(RESTATED_AT):
        ledger.figures.import_positions(
            ImportPositions(
                read_csv(positions_csv(tmp_path / "back.csv", "DEALER-A", positions), PositionRow),
                restatement_reason="the omnibus account was counted twice after all",
            )
        )
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    [fees] = [amount for amount in found.amounts if amount.kind == "service-fee-cap"]
    assert fees.then == fees.now == cap
    assert fees.paid == first + cap and fees.note == "over the cap now"
