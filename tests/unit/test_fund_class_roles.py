"""`FundClass` is composed of role mixins (domain/fund_class/*_role.py), each declaring its
events and the commands that trigger them. The library redefines the events of an aggregate's
direct bases as the aggregate's own; these tests hold that every event is still reached, named,
stored and applied as it was when all of them were declared in the aggregate's class body."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.utils import get_topic, resolve_topic

from adapters.inputs.plan_file import read_plan_file
from domain.events import LedgerEvent, Provenance
from domain.fund_class import FundClass

PLAN = Path(__file__).resolve().parents[2] / "plans" / "aim-class-r-2003" / "plan.toml"
TERMS, _ = read_plan_file(PLAN)
PROVENANCE = Provenance("unit-test", "roles")

# Every event a fund class's stream may hold, stored under `planledger.FundClass.<name>`.
STORED_EVENTS = (
    "AbscResumed",
    "AbscSuspended",
    "AccrualTrueUpPosted",
    "AdditionAwaitsShareholders",
    "AgreementApprovedInAdvance",
    "AgreementRestored",
    "AgreementTerminated",
    "AmendmentApproved",
    "ApprovalExceptionRecorded",
    "AssignmentRecorded",
    "CapDeferredServiceFeeCredited",
    "CapInterestAdjusted",
    "CapInterestCredited",
    "CapServiceFeeCreditReversed",
    "CapServiceFeeCredited",
    "ContinuanceApproved",
    "Created",
    "DistributorPaid",
    "DistributorPaymentReversed",
    "DistributorReceivableBooked",
    "DistributorReceivableOffset",
    "DistributorRefundReceived",
    "ExpenditureRecorded",
    "ExpenditureReversed",
    "FeeAccrualAdjusted",
    "FeeAccrualReversed",
    "FeeAccrued",
    "FinraCapAccountOpened",
    "NetAssetsRecorded",
    "NetAssetsRestated",
    "NewGrossSalesRecorded",
    "NewPlanAwaitsShareholders",
    "PlanAdopted",
    "PlanApproved",
    "PlanResumed",
    "PlanTerminated",
    "QuarterlyReportIssued",
    "QuarterlyReportReviewed",
    "SalesChargeReceived",
    "SalesResumed",
    "SalesSuspended",
    "ScheduleBAmended",
    "ShareholderVoteTallied",
    "TerminationNoticeGiven",
)
# The events past their first version (each with its upcasts from version 1).
EVENT_VERSIONS = {
    "AccrualTrueUpPosted": 2,
    "CapServiceFeeCredited": 2,
    "DistributorPaid": 2,
    "FeeAccrualAdjusted": 2,
    "FeeAccrued": 2,
    "QuarterlyReportIssued": 2,
}


def roles() -> list[type]:
    return [
        cls
        for cls in FundClass.__mro__[1:]
        if cls.__module__.startswith("domain.fund_class.") and cls.__module__.endswith("_role")
    ]


def declared_events(role: type) -> dict[str, type]:
    return {
        name: value
        for name, value in vars(role).items()
        if isinstance(value, type) and issubclass(value, LedgerEvent)
    }


def test_every_stored_event_is_reached_from_fund_class_under_its_topic() -> None:
    for name in STORED_EVENTS:
        event_class = getattr(FundClass, name)
        assert f"planledger.FundClass.{name}" == event_class.TOPIC
        assert resolve_topic(event_class.TOPIC) is event_class
        assert get_topic(event_class) == event_class.TOPIC
        assert event_class.__qualname__ == f"FundClass.{name}"
        assert event_class.__module__ == "domain.fund_class.aggregate"
        assert issubclass(event_class, FundClass.Event)
        version = EVENT_VERSIONS.get(name, 1)
        assert getattr(event_class, "class_version", 1) == version
        for step in range(1, version):
            assert callable(getattr(event_class, f"upcast_v{step}_v{step + 1}"))
    assert resolve_topic("planledger.FundClass") is FundClass


def test_each_role_is_a_direct_base_and_its_events_are_the_aggregates() -> None:
    # The library redefines only the events of the aggregate's direct bases: a role reached
    # through another role alone would leave its events unregistered.
    declaring = [role for role in roles() if declared_events(role)]
    assert declaring
    for role in declaring:
        assert role in FundClass.__bases__
        for name, declared in declared_events(role).items():
            assert name in STORED_EVENTS
            event_class = getattr(FundClass, name)
            assert event_class is not declared
            assert issubclass(event_class, declared)
            assert event_class.apply is declared.apply


def without_pending(fund_class: FundClass) -> dict[str, Any]:
    return {key: value for key, value in vars(fund_class).items() if key != "_pending_events"}


def test_commands_trigger_the_aggregates_events_and_a_replay_gives_the_same_state() -> None:
    fund_class = FundClass.adopt(TERMS, TERMS.funds[0], PROVENANCE)
    fund_class.approve_plan("R-2003-06-1", "M-2003-06", date(2003, 6, 17), PROVENANCE)
    fund_class.open_cap_account(date(2003, 6, 30), Decimal("5000.00"), "opening", PROVENANCE)
    fund_class.record_net_assets(date(2003, 7, 1), Decimal("10000000.00"), PROVENANCE)
    fund_class.accrue_through(
        date(2003, 7, 31), PROVENANCE, max_carry_days=31, prime_rate_on=lambda _: Decimal("4")
    )
    assert fund_class.cap_opened_on == date(2003, 6, 30)
    events = fund_class.collect_events()
    assert {type(event).__name__ for event in events} >= {
        "PlanAdopted",
        "PlanApproved",
        "FinraCapAccountOpened",
        "NetAssetsRecorded",
        "FeeAccrued",
        "AccrualTrueUpPosted",
        "CapInterestCredited",
    }
    for event in events:
        assert type(event) is getattr(FundClass, type(event).__name__)
    replayed = None
    for event in events:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, FundClass)
    assert without_pending(replayed) == without_pending(fund_class)
