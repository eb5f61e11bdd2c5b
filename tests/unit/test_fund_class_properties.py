"""Invariants of the FundClass aggregate under random histories, without a database.

Hypothesis draws net-asset series (with weekend-like gaps), accrual run boundaries and
payments. For every history: each day's parts sum to its total; each complete month equals its
exact total rounded once (computed here independently with fractions); replaying the stored
form of the events (through the ledger's mapper) rebuilds exactly the live state; and a
snapshot taken from the live aggregate rebuilds it too.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from eventsourcing.domain import Snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.inputs.plan_file import read_plan_file
from adapters.store.persistence import LedgerStore
from domain.events import Provenance
from domain.fund_class import FundClass, Payment, ReportIssue
from domain.periods import month_period
from tests.conftest import SHIPPED_PLAN

TERMS, _ = read_plan_file(SHIPPED_PLAN)
PROVENANCE = Provenance("property-test", "hypothesis")
START = date(2003, 7, 1)
STORE = LedgerStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@st.composite
def histories(draw):
    length = draw(st.integers(min_value=20, max_value=150))
    figures = {}
    day = START
    value = draw(st.integers(min_value=0, max_value=10**11))
    while (day - START).days < length:
        figures[day] = Decimal(value) / 100
        value = max(0, value + draw(st.integers(min_value=-(10**8), max_value=10**8)))
        day += timedelta(days=draw(st.integers(min_value=1, max_value=4)))
    last_day = max(figures)
    cuts = sorted(
        draw(st.sets(st.integers(min_value=0, max_value=(last_day - START).days), max_size=4))
    )
    return figures, [START + timedelta(days=cut) for cut in cuts] + [last_day]


def new_fund_class() -> FundClass:
    fund_class = FundClass.adopt(TERMS, TERMS.funds[0], PROVENANCE)
    fund_class.approve_plan("R-2003-06-1", "M-2003-06", date(2003, 6, 17), PROVENANCE)
    return fund_class


def run(figures, run_ends) -> tuple[FundClass, list]:
    fund_class = new_fund_class()
    for day, value in figures.items():
        fund_class.record_net_assets(day, value, PROVENANCE)
    for through in run_ends:
        fund_class.accrue_through(through, PROVENANCE, max_carry_days=4)
    return fund_class, fund_class.collect_events()


def independent_month_total(figures, month_first: date) -> Decimal:
    total = Fraction(0)
    for day in month_period(month_first).each_day():
        basis = figures[max(known for known in figures if known <= day)]
        year_days = 366 if day.year % 4 == 0 else 365
        total += Fraction(basis) * Fraction(5, 1000) / year_days
    return (Decimal(total.numerator) / Decimal(total.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_daily_parts_sum_and_complete_months_round_once(history):
    figures, run_ends = history
    fund_class, events = run(figures, run_ends)
    for event in events:
        if isinstance(event, FundClass.FeeAccrued):
            assert event.absc_amount + event.service_amount == event.amount
            assert abs(event.absc_amount - event.service_amount) <= Decimal("0.01")
    for event in events:
        if isinstance(event, FundClass.AccrualTrueUpPosted):
            month_first = date.fromisoformat(event.month + "-01")
            assert event.month_amount == independent_month_total(figures, month_first)
            assert fund_class.accrued_absc_by_month[event.month] == event.month_absc_amount
            assert fund_class.accrued_service_by_month[event.month] == event.month_service_amount
    accrued_days = [e.business_date for e in events if isinstance(e, FundClass.FeeAccrued)]
    assert accrued_days == sorted(set(accrued_days))
    assert accrued_days == [START + timedelta(days=n) for n in range(len(accrued_days))]


def replay(events) -> FundClass:
    aggregate = None
    for event in events:
        stored = STORE.mapper.to_stored_event(event)
        aggregate = STORE.mapper.to_domain_event(stored).mutate(aggregate)
    return aggregate


def comparable(aggregate: FundClass) -> dict:
    state = dict(vars(aggregate))
    state.pop("_pending_events")
    return state


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), st.integers(min_value=1, max_value=10**6))
def test_replay_and_snapshot_rebuild_the_live_state(history, payment_cents):
    figures, run_ends = history
    fund_class, events = run(figures, run_ends)
    month = month_period(START)
    # At most what the month accrued and is unpaid (decision A16: no payment ahead of the fee).
    paid = min(Decimal(payment_cents) / 100, fund_class.accrued_unpaid_in(month))
    if paid > 0:
        fund_class.pay_distributor(
            amount=paid,
            paid_on=date(2003, 8, 5),
            period=month,
            reference="W-1",
            provenance=PROVENANCE,
        )
    events += fund_class.collect_events()
    assert comparable(replay(events)) == comparable(fund_class)
    snapshot = Snapshot.take(fund_class)
    restored = STORE.mapper.to_domain_event(STORE.mapper.to_stored_event(snapshot)).mutate(None)
    assert comparable(restored) == comparable(fund_class)
    assert (
        fund_class.payable
        == sum((e.amount for e in events if isinstance(e, FundClass.FeeAccrued)), Decimal(0))
        + sum(
            (e.adjustment_amount for e in events if isinstance(e, FundClass.AccrualTrueUpPosted)),
            Decimal(0),
        )
        - paid
    )


def test_a_version_1_snapshot_is_upcast_to_the_current_state():
    """Version 1 kept one list of reversed references for payments and expenditures, version
    2 only the latest issue of each report; a snapshot written then still loads, with each
    reversal in its own list and the issues as a history."""
    fund_class = new_fund_class()
    snapshot = Snapshot.take(fund_class)
    assert snapshot.state["class_version"] == FundClass.class_version
    state_v1 = dict(snapshot.state)
    for field in (
        "class_version",
        "reversed_payment_references",
        "reversed_expenditure_references",
        "report_issues",
        "cap_service_credits",  # version 5: the service fees credited to the cap account
        # Version 6 added a new plan's approvals and agreements approved in advance.
        "new_plans_awaiting_vote",
        "plan_resumptions",
        "advance_agreement_approvals",
        "approval_exception_resolutions",
        "schedule_a_addition",  # version 7: a fund added to Schedule A awaiting its shareholders
        # Version 8 (decision A16) added the receivable from the Distributor.
        "receivable_by_month",
        "receivable_taken_by_month",
        "receivable_absc_total",
        "receivable_service_total",
        "refund_digests",
        "cap_service_pending",  # version 9: service fees' shares pending credit (A13)
    ):
        del state_v1[field]
    # Version 3 kept mappings where version 4 keeps records.
    for field in ("approvals", "continuances", "agreement_changes", "cap_lines"):
        state_v1[field] = []
    state_v1["schedule_b_versions"] = [asdict(row) for row in state_v1["schedule_b_versions"]]
    # REV-PAY was a payment, reversed (it left `payments`, its digest stayed); REV-EXP an
    # expenditure; PAID is a payment still standing.
    state_v1["payments"] = [
        {
            "reference": "PAID",
            "period_start": date(2003, 7, 1),
            "period_end_exclusive": date(2003, 8, 1),
            "amount": Decimal("10.00"),
        }
    ]
    state_v1["payment_digests"] = {"PAID": "d1", "REV-PAY": "d2"}
    state_v1["reversed_references"] = ["REV-PAY", "REV-EXP"]
    issued = {"report_sha256": "ab", "issued_on": date(2003, 10, 20), "reviewed_on": None}
    approval = asdict(fund_class.approvals[0])
    state_v1["approvals"] = [approval]
    state_v1["reports"] = {"2003Q3": issued}
    old = Snapshot(
        originator_id=snapshot.originator_id,
        originator_version=snapshot.originator_version,
        timestamp=snapshot.timestamp,
        topic=snapshot.topic,
        state=state_v1,
    )
    loaded = old.mutate(None)
    assert loaded.reversed_payment_references == ["REV-PAY"]
    assert loaded.reversed_expenditure_references == ["REV-EXP"]
    assert loaded.report_issues == [ReportIssue("2003Q3", "ab", date(2003, 10, 20), None)]
    assert not hasattr(loaded, "reversed_references")
    assert loaded.cap_service_credits == loaded.cap_service_pending == {}
    assert loaded.schedule_a_addition is None
    assert loaded.payments == [
        Payment("PAID", date(2003, 7, 1), date(2003, 8, 1), Decimal("10.00"))
    ]
    assert loaded.approvals == fund_class.approvals
    assert loaded.schedule_b_versions == fund_class.schedule_b_versions
    assert (loaded.new_plans_awaiting_vote, loaded.plan_resumptions) == ({}, [])
    assert (loaded.advance_agreement_approvals, loaded.approval_exception_resolutions) == ([], [])
    # Version 5: nothing receivable, nothing taken or refunded; the payment keeps no date.
    assert loaded.receivable_by_month == loaded.receivable_taken_by_month == {}
    assert loaded.receivable == Decimal(0)
    assert (loaded.receivable_absc_total, loaded.receivable_service_total) == (0, 0)
    assert loaded.refund_digests == {}
    assert loaded.payments[0].paid_on is None
