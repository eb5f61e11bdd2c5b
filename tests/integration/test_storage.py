"""What is stored: plain JSON with exact decimals and dates, snapshots that rebuild the state.

Runs on SQLite and PostgreSQL. The stored bytes are read back with the standard library only,
the way an auditor's tool would, and every event type written by a full cycle round-trips.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ImportPositions,
    PayDistributor,
    PayProvider,
    ReceiveDistributorRefund,
    RecordExpenditure,
    ReverseDistributorPayment,
    ReverseExpenditure,
    ReverseServiceFee,
    Seal,
    SignProviderAgreement,
)
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from domain.expenditures import Performer, Purpose
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from domain.periods import parse_period
from domain.service import AgreementKind
from tests import oracles
from tests.builders import FORM_A, net_assets_csv, positions_csv


def full_cycle(ledger, tmp_path):
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS), NetAssetsRow)
        )
    )
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(
                net_assets_csv(tmp_path / "r.csv", {date(2003, 7, 31): "10185000.10"}), NetAssetsRow
            ),
            restatement_reason="late trade",
        )
    )
    ledger.accruals.accrue(Accrue(date(2003, 7, 31), max_carry_days=4, fund_classes=["INTL-BCV/R"]))
    ledger.payments.pay_distributor(
        PayDistributor(
            fund_code="INTL-BCV",
            share_class="R",
            amount=None,
            paid_on=date(2003, 8, 5),
            period=parse_period("2003-07"),
            reference="W-1",
        )
    )
    ledger.payments.sign_provider_agreement(
        SignProviderAgreement(
            provider_code="DEALER-A",
            provider_name="Dealer A",
            fund_code="INTL-BCV",
            share_class="R",
            reference="SA-1",
            kind=AgreementKind.A,
            contractual_rate_annual=Decimal("0.0025"),
            effective_from=date(2003, 7, 1),
            effective_to=None,
            agency_capacity_attested=True,
            form_reference=FORM_A,
        )
    )
    ledger.figures.import_positions(
        ImportPositions(
            read_csv(
                positions_csv(
                    tmp_path / "p.csv",
                    "DEALER-A",
                    {day: "4000000.10" for day in oracles.JULY_2003_NET_ASSETS},
                ),
                PositionRow,
            )
        )
    )
    ledger.payments.pay_provider(
        PayProvider(
            provider_code="DEALER-A",
            fund_code="INTL-BCV",
            share_class="R",
            period=parse_period("2003-07"),
            amount=None,
            paid_on=date(2003, 8, 15),
            reference="SF-1",
            paid_or_advanced="paid",
            max_carry_days=4,
        )
    )
    ledger.payments.record_expenditure(
        RecordExpenditure(
            fund_code="INTL-BCV",
            share_class="R",
            incurred_on=date(2003, 7, 20),
            period=parse_period("2003-07"),
            purpose=Purpose.ADVERTISING,
            performer=Performer.THIRD_PARTY,
            performer_name="Agency",
            amount=Decimal("100.10"),
            description="print",
            reference="E-1",
            company_agreement_reference="",
        )
    )
    corrections(ledger, tmp_path)


def corrections(ledger, tmp_path):
    """A restated accrued day, a seal, and the three reversals."""
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(
                net_assets_csv(tmp_path / "r2.csv", {date(2003, 7, 15): "10000000.00"}),
                NetAssetsRow,
            ),
            restatement_reason="pricing error",
        )
    )
    # July was paid (W-1) before its 15th was restated lower: a receivable, a cent refunded.
    ledger.payments.receive_distributor_refund(
        ReceiveDistributorRefund("INTL-BCV", "R", Decimal("0.01"), date(2003, 8, 18), "RF-1", "")
    )
    ledger.audit.seal(Seal("storage test", date(2003, 8, 20)))
    ledger.audit.reverse_distributor_payment(
        ReverseDistributorPayment("INTL-BCV", "R", reference="W-1", reason="mistake")
    )
    ledger.audit.reverse_expenditure(
        ReverseExpenditure("INTL-BCV", "R", reference="E-1", reason="mistake")
    )
    ledger.audit.reverse_service_fee(
        ReverseServiceFee(
            provider_code="DEALER-A",
            fund_code="INTL-BCV",
            share_class="R",
            reference="SF-1",
            reason="mistake",
        )
    )


def test_every_event_is_plain_json_and_round_trips_exactly(loaded_ledger, store, tmp_path):
    full_cycle(loaded_ledger, tmp_path)
    notifications = store.recorder.select_notifications(start=None, limit=10_000)
    topics = {notification.topic for notification in notifications}
    assert {
        "planledger.PlanInstrument.PlanInstrumentRecorded",
        "planledger.PlanInstrument.DocumentsFiled",
        "planledger.Registry.RegistryOpened",
        "planledger.Registry.FundClassRegistered",
        "planledger.Registry.ServiceArrangementRegistered",
        "planledger.FundClass.PlanAdopted",
        "planledger.FundClass.PlanApproved",
        "planledger.Board.BoardOpened",
        "planledger.Board.DirectorStatusDeclared",
        "planledger.Board.BoardMeetingHeld",
        "planledger.Board.ResolutionVoted",
        "planledger.Board.AgreementFormApproved",
        "planledger.FundClass.NetAssetsRecorded",
        "planledger.FundClass.NetAssetsRestated",
        "planledger.FundClass.FeeAccrued",
        "planledger.FundClass.AccrualTrueUpPosted",
        "planledger.FundClass.DistributorPaid",
        "planledger.FundClass.ExpenditureRecorded",
        "planledger.ServiceArrangement.ServiceArrangementOpened",
        "planledger.ServiceArrangement.ProviderAgreementSigned",
        "planledger.ServiceArrangement.ProviderPositionRecorded",
        "planledger.ServiceArrangement.ServiceFeePaid",
        "planledger.FundClass.FeeAccrualAdjusted",
        "planledger.FundClass.DistributorPaymentReversed",
        "planledger.FundClass.ExpenditureReversed",
        "planledger.FundClass.DistributorReceivableBooked",
        "planledger.FundClass.DistributorRefundReceived",
        "planledger.ServiceArrangement.ServiceFeeReversed",
        "planledger.ChainSeal.ChainSealed",
    } == topics
    for notification in notifications:
        state = json.loads(notification.state)
        for field in ("timestamp", "business_date", "actor", "source", "idempotency_key"):
            assert isinstance(state[field], str) and state[field], (notification.topic, field)
        event = store.mapper.to_domain_event(notification)
        again = store.mapper.to_stored_event(event)
        assert again.state == notification.state
    restated = next(
        json.loads(n.state) for n in notifications if n.topic.endswith("NetAssetsRestated")
    )
    assert restated["net_assets"] == "10185000.10"
    assert restated["net_assets_previous"] == "10185000.00"
    assert restated["business_date"] == "2003-07-31"


def test_a_long_history_loads_from_a_snapshot_and_equals_a_full_replay(
    loaded_ledger, store, tmp_path
):
    first = date(2003, 6, 30)
    figures = {first + timedelta(days=n): Decimal(10_000_000 + n) for n in range(336)}
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", figures), NetAssetsRow))
    )
    loaded_ledger.accruals.accrue(
        Accrue(date(2004, 5, 30), max_carry_days=4, fund_classes=["INTL-BCV/R"])
    )
    fund_class_id_ = fund_class_id("INTL-BCV", "R")
    snapshots = list(store.snapshots.get(fund_class_id_))
    loaded = store.repository.get(fund_class_id_)
    assert loaded.version > 600
    assert [snapshot.originator_version // 200 for snapshot in snapshots] == [1, 3]
    # Adoption and approval, 336 figures, 335 days accrued, 10 true-ups (May is not complete
    # until the run passes May 31).
    assert snapshots[-1].originator_version == 2 + 336 + 335 + 10
    replayed = None
    for event in store.events.get(fund_class_id_):
        replayed = event.mutate(replayed)
    assert vars(loaded) == vars(replayed)
    assert isinstance(replayed, FundClass)
