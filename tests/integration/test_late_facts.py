"""Late facts are recorded, not refused (issue 11 §3; decision A19), on SQLite and PostgreSQL.

A termination, an assignment, a notice or an adviser change learnt after the days it changes
were accrued is recorded, dated when it took effect; the same command books a reversal of every
accrued day no longer in effect and revises the true-up of each closed month it touched, so each
month books what accruing only the days in effect would have booked. Payments beyond what is
now owed leave the payable negative; `impact` names the report and the payments that changed;
as known before the fact, every view is unchanged.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    ChangeAdviser,
    GiveDistributorNotice,
    ImportNetAssets,
    RecordAssignment,
    RecordShareholderVote,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.outputs.impact import analyse_impact
from adapters.outputs.reports import quarterly_report, report_sha256
from adapters.readside.queries import balances, dollars, trial_balance
from domain.fund_class import FundClass
from domain.governance import NoticeMethod
from domain.ids import fund_class_id
from domain.periods import parse_period
from tests.builders import net_assets_csv, resolution
from tests.integration.scenario import BEFORE_RESTATEMENT, FUND_CLASS, RESTATED_AT
from tests.integration.test_governance import (
    COMPANY,
    FIGURES,
    INTL,
    accrue,
    accrued_days,
    meet,
    pay,
)

DAILY = Decimal("136.61")  # 10,000,000.00 × 0.50% / 366, rounded half-up (2004)
MARCH_9_DAYS = Decimal("1229.51")  # 10,000,000.00 × 0.50% × 9 / 366 = 1,229.508…, rounded once
MARCH_31_DAYS = Decimal("4234.97")  # 10,000,000.00 × 0.50% × 31 / 366 = 4,234.972…


@pytest.fixture
def figures_ledger(loaded_ledger, tmp_path):
    """The plan approved; 10,000,000.00 of net assets every day from 2003-06-30."""
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    return loaded_ledger


def stream(ledger) -> list:
    return list(ledger.view.stream(fund_class_id("INTL-BCV", "R")))


def reversals(ledger) -> dict[date, FundClass.FeeAccrualReversed]:
    return {
        event.business_date: event
        for event in stream(ledger)
        if isinstance(event, FundClass.FeeAccrualReversed)
    }


def booked(ledger, month: str) -> tuple[Decimal, Decimal]:
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    return fund_class.accrued_absc_by_month[month], fund_class.accrued_service_by_month[month]


def terminate_by_ibms(ledger, effective_on: date, meeting_on: date) -> None:
    meet(
        ledger,
        meeting_on,
        resolution(
            "R-LATE",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=effective_on,
        ),
    )


def test_the_issue_s_example_a_late_termination_by_the_ibms(figures_ledger, store):
    """Effective 2004-03-10, recorded after accruals ran to 2004-03-12: 03-10..03-12 reversed."""
    accrue(figures_ledger, date(2004, 3, 12))
    accrued = accrued_days(figures_ledger)
    terminate_by_ibms(figures_ledger, date(2004, 3, 10), date(2004, 3, 10))

    found = reversals(figures_ledger)
    assert sorted(found) == [date(2004, 3, 10), date(2004, 3, 11), date(2004, 3, 12)]
    for day, reversal in found.items():
        assert reversal.amount_delta == -accrued[day].amount == -DAILY
        assert reversal.absc_amount_delta == -accrued[day].absc_amount
        assert reversal.service_amount_delta == -accrued[day].service_amount
        assert reversal.cause == "plan-termination/INTL-BCV/R/R-LATE"
    fund_class = figures_ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.terminated_on == date(2004, 3, 10)
    assert sum(booked(figures_ledger, "2004-03")) == 9 * DAILY

    # Accrued through the last day still in effect, in the read models and the point in time.
    from adapters.readside.point_in_time import fund_class_as_of

    figures_ledger.read_models.catch_up()
    [row] = [
        b
        for b in balances(figures_ledger.read_models.engine, date(2004, 3, 31))
        if b.fund_class == INTL
    ]
    assert row.accrued_through == date(2004, 3, 9)
    found = fund_class_as_of(figures_ledger.view, INTL, date(2004, 3, 31))
    assert found.accrued_through == date(2004, 3, 9)

    # March's true-up, when the month closes, books the nine days in effect rounded once.
    accrue(figures_ledger, date(2004, 3, 31))
    assert booked(figures_ledger, "2004-03") == (Decimal("614.76"), Decimal("614.75"))
    assert sum(booked(figures_ledger, "2004-03")) == MARCH_9_DAYS
    assert sum(booked(figures_ledger, "2004-02")) == (
        Decimal(10_000_000) * Decimal("0.005") * 29 / 366
    ).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_late_assignment_reverses_a_closed_month_and_shows_the_overpayment(figures_ledger, store):
    ledger = figures_ledger
    accrue(ledger, date(2004, 3, 31))
    pay(ledger, "2004-03")
    assert sum(booked(ledger, "2004-03")) == MARCH_31_DAYS
    payable_before = ledger.view.fund_class("INTL-BCV", "R").payable
    command = RecordAssignment(
        occurred_on=date(2004, 3, 10),
        description="sale of a controlling block of the Distributor, found by counsel later",
        rule_2a6_exempt=False,
        determination_reference="COUNSEL-2004-04",
    )
    assert INTL in ledger.fund_governance.record_assignment(command)

    assert sorted(reversals(ledger)) == [date(2004, 3, day) for day in range(10, 32)]
    assert sum(booked(ledger, "2004-03")) == MARCH_9_DAYS
    true_ups = [
        e
        for e in stream(ledger)
        if isinstance(e, FundClass.AccrualTrueUpPosted) and e.month == "2004-03"
    ]
    assert [e.month_amount for e in true_ups] == [MARCH_31_DAYS, MARCH_9_DAYS]
    # Paid for 31 days, owed for 9: what March was paid beyond its fee is a receivable from
    # the Distributor (decision A16); the payable of the other months is unchanged.
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    absc, service = fund_class.accrued_in(parse_period("2004-03"))
    assert absc + service == MARCH_9_DAYS
    assert fund_class.receivable == MARCH_31_DAYS - MARCH_9_DAYS
    assert fund_class.payable == payable_before
    ledger.read_models.catch_up()
    [row] = [
        b for b in balances(ledger.read_models.engine, date(2004, 4, 30)) if b.fund_class == INTL
    ]
    assert dollars(row.payable) == fund_class.payable
    assert dollars(row.receivable) == fund_class.receivable
    rows = trial_balance(ledger.read_models.engine, date(2004, 3, 31))
    assert sum(r.debit_cents for r in rows) == sum(r.credit_cents for r in rows)

    # The same fact again records nothing.
    head = store.head_position()
    assert ledger.fund_governance.record_assignment(command) == []
    assert store.head_position() == head
    # Later runs accrue nothing for the days the agreement no longer covers.
    assert accrue(ledger, date(2004, 4, 30)).days_accrued == 0


def test_a_late_termination_by_the_shareholders_reverses_from_the_vote(figures_ledger):
    accrue(figures_ledger, date(2004, 3, 12))
    passed = figures_ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            fund_code="INTL-BCV",
            share_class="R",
            vote_reference="V-TERM",
            subject="termination",
            subject_id="",
            voted_on=date(2004, 3, 11),
            outstanding=Decimal("10000000.000"),
            present=Decimal("6000000"),
            votes_for=Decimal("5100000"),
            votes_against=Decimal(0),
            abstentions=Decimal(0),
            broker_non_votes=Decimal(0),
        )
    )
    assert passed
    assert sorted(reversals(figures_ledger)) == [date(2004, 3, 11), date(2004, 3, 12)]


def test_a_late_notice_and_a_late_adviser_change_are_recorded(figures_ledger):
    accrue(figures_ledger, date(2004, 3, 12))
    figures_ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=NoticeMethod.DELIVERED,
            sent_on=date(2004, 1, 5),
            received_on=None,
            termination_effective_on=date(2004, 3, 12),
            document_reference="LETTER-2004-01-05",
        )
    )
    assert sorted(reversals(figures_ledger)) == [date(2004, 3, 12)]
    ended = figures_ledger.boards.change_adviser(
        ChangeAdviser(
            company_code=COMPANY,
            adviser_name="Other Advisers LLC",
            effective_on=date(2004, 3, 1),
            affiliated=False,
            reference="BOARD-MINUTES-2004-03",
        )
    )
    assert ended == [INTL]
    assert sorted(reversals(figures_ledger)) == [date(2004, 3, day) for day in range(1, 13)]
    assert sum(booked(figures_ledger, "2004-03")) == 0


def test_as_known_before_the_late_fact_nothing_changed_and_impact_names_it(quarter, store):
    """2003Q3 accrued, paid and reported; a notice ending the agreement on 2003-09-20 is found
    afterwards. As known before it, the report and the balances are the same bytes and cents."""
    ledger, issued_report = quarter
    engine = ledger.read_models.engine
    before = balances(engine, date(2003, 12, 31))
    with freeze_time(RESTATED_AT):
        ledger.fund_governance.give_distributor_notice(
            GiveDistributorNotice(
                fund_classes=[FUND_CLASS],
                method=NoticeMethod.DELIVERED,
                sent_on=date(2003, 7, 15),
                received_on=None,
                termination_effective_on=date(2003, 9, 20),
                document_reference="LETTER-2003-07-15",
            )
        )
        ledger.read_models.catch_up()
    assert sorted(reversals(ledger)) == [date(2003, 9, day) for day in range(20, 31)]

    known_before = store.position_known_at(BEFORE_RESTATEMENT)
    assert balances(engine, date(2003, 12, 31), known_before) == before
    then = quarterly_report(ledger.view.as_known_at(known_before), FUND_CLASS, "2003Q3")
    assert report_sha256(then) == report_sha256(issued_report)
    assert ledger.view.as_known_at(known_before).fund_class("INTL-BCV", "R").payable == 0

    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    assert found.corrections["FeeAccrualReversed"] == 11
    [report] = found.reports
    assert (report.fund_class, report.quarter) == (FUND_CLASS, "2003Q3")
    total = {change.path: change for change in report.changes}["quarter_figures.accrued.total"]
    assert total.delta is not None and total.delta < 0
    [payment] = [amount for amount in found.amounts if amount.kind == "distributor-payment"]
    assert payment.reference == "WIRE-2003-09"
    assert payment.delta == total.delta
    after = {b.fund_class: b for b in balances(engine, date(2003, 12, 31))}[FUND_CLASS]
    # Paid in full before: what is now overpaid is owed back (decision A16).
    assert dollars(after.payable) == 0
    assert dollars(after.receivable) == -total.delta


def test_impact_names_a_service_fee_for_days_a_late_fact_took_out_of_effect(quarter, tmp_path):
    """A service fee paid for 2003Q3 before the agreement was found to have ended on 09-20:
    its cap is the same figure, but eleven of the days it paid for are no longer in effect."""
    from adapters.application.commands import ImportPositions
    from adapters.inputs.csv_files import PositionRow
    from tests.builders import positions_csv
    from tests.integration.test_payments import agree, month_constant, pay_provider

    ledger, _ = quarter
    with freeze_time("2003-10-15 12:00:00"):
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
        ledger.fund_governance.give_distributor_notice(
            GiveDistributorNotice(
                fund_classes=[FUND_CLASS],
                method=NoticeMethod.DELIVERED,
                sent_on=date(2003, 7, 15),
                received_on=None,
                termination_effective_on=date(2003, 9, 20),
                document_reference="LETTER-2003-07-15",
            )
        )
    found = analyse_impact(ledger.view, BEFORE_RESTATEMENT, max_carry_days=4)
    [fee] = [amount for amount in found.amounts if amount.kind == "service-fee-cap"]
    assert (fee.provider, fee.reference, fee.period) == (
        "DEALER-A",
        "SF-Q3",
        "2003-07-01..2003-09-30",
    )
    assert "11 of its days no longer in effect" in fee.note


def test_the_bundle_after_a_late_fact_verifies(quarter, tmp_path):
    """The bundle's own verifier recomputes balances, journal and split from the events: the
    reversals are folded there as in the ledger."""
    from adapters.outputs.bundle import export_bundle
    from tests.integration.test_bundle import run_verifier, unpack

    ledger, _ = quarter
    with freeze_time(RESTATED_AT):
        ledger.fund_governance.give_distributor_notice(
            GiveDistributorNotice(
                fund_classes=[FUND_CLASS],
                method=NoticeMethod.DELIVERED,
                sent_on=date(2003, 7, 15),
                received_on=None,
                termination_effective_on=date(2003, 9, 20),
                document_reference="LETTER-2003-07-15",
            )
        )
        ledger.read_models.catch_up()
    bundle = export_bundle(ledger.view, date(2003, 12, 31), None, tmp_path / "b.zip").path
    result = run_verifier(unpack(bundle, tmp_path / "unpacked"))
    assert result.returncode == 0, result.stdout + result.stderr
