"""No fund money ahead of the fee (decision A16), as properties over random histories.

July and August 2003 are accrued on 10,000,000.00 a day; then payments (each at most what its
months owe after the offset), restatements of single days (lower or higher) and refunds come in
any order. After every step: the journal balances, neither part's payable nor the receivable is
below zero, accrued − cash paid + refunds = payable − receivable, and the state a replay and a
snapshot rebuild is the live one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from eventsourcing.domain import Snapshot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from domain.fund_class import FundClass
from domain.periods import month_period
from projections.journal import StreamContext, journal_entry
from tests.unit.test_fund_class_properties import STORE, comparable, replay
from tests.unit.test_fund_class_rules import NET_ASSETS, PROVENANCE, adopted

CONTEXT = StreamContext("INTL-BCV/R")
JULY, AUGUST = month_period(date(2003, 7, 1)), month_period(date(2003, 8, 1))
CLASS = "INTL-BCV-R"


def accrued_july_and_august() -> FundClass:
    fund_class = adopted()
    for day in (*JULY.each_day(), *AUGUST.each_day()):
        fund_class.record_net_assets(day, NET_ASSETS, PROVENANCE)
    fund_class.accrue_through(AUGUST.end_inclusive, PROVENANCE, max_carry_days=4)
    return fund_class


steps = st.lists(
    st.one_of(
        # A payment of all the months owe (None), or of part of it.
        st.tuples(
            st.just("pay"),
            st.sampled_from([JULY, AUGUST]),
            st.none() | st.integers(1, 500_000),
        ),
        st.tuples(
            st.just("restate"),
            st.integers(1, 31),
            st.integers(5_000_000_00, 15_000_000_00),
        ),
        st.tuples(st.just("refund"), st.integers(1, 200_000), st.just(0)),
    ),
    min_size=1,
    max_size=10,
)


def apply_step(fund_class: FundClass, index: int, step: tuple) -> None:
    kind, first, second = step
    if kind == "pay":
        owed = fund_class.accrued_unpaid_in(first) - fund_class.offset_for(first)
        amount = owed if second is None else min(Decimal(second) / 100, owed)
        if amount > 0 or fund_class.offset_for(first) > 0:
            fund_class.pay_distributor(
                amount=max(amount, Decimal(0)),
                paid_on=date(2003, 9, 1) + timedelta(days=index),
                period=first,
                reference=f"W-{index}",
                provenance=PROVENANCE,
            )
    elif kind == "restate":
        day = date(2003, 7, first)
        figure = Decimal(second) / 100
        fund_class.record_net_assets(day, figure, PROVENANCE, "restated")
    else:
        amount = min(Decimal(first) / 100, fund_class.receivable)
        if amount > 0:
            fund_class.receive_distributor_refund(
                amount=amount,
                received_on=date(2003, 9, 1) + timedelta(days=index),
                reference=f"R-{index}",
                note="",
                provenance=PROVENANCE,
            )


def assert_the_distributor_mirrors_the_fund(
    accounts: dict[str, int], accrued: int, payable: list[int], receivable: list[int]
) -> None:
    """The Distributor's books hold the other side of every plan account, part by part: its
    receivable is the fund's payable, its payable the fund's receivable, its plan-fee income
    the fund's expense; and that income is the cash it kept plus what is still owed it."""
    parts = ("AssetBasedSalesCharge", "ServiceFee")
    assert [accounts[f"Assets:Distributor:ReceivableFromFund:{CLASS}:{p}"] for p in parts] == (
        payable
    )
    assert [-accounts[f"Liabilities:Distributor:PayableToFund:{CLASS}:{p}"] for p in parts] == (
        receivable
    )
    income = -sum(accounts[f"Income:Distributor:PlanFees:{CLASS}:{p}"] for p in parts)
    assert income == accrued
    cash_kept = accounts["Equity:Distributor:GeneralLedgerSettlement"]  # received − refunded
    assert income == cash_kept + sum(payable) - sum(receivable)


def account_balances(events: list) -> dict[str, int]:
    accounts: dict[str, int] = defaultdict(int)
    for event in events:
        entry = journal_entry(event, CONTEXT)
        if entry is None:
            continue
        assert entry.is_balanced, entry
        for line in entry.lines:
            accounts[line.account] += line.debit_cents - line.credit_cents
    return accounts


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
# July paid, lowered, the receivable offset against August, July raised back, a refund.
@example(
    [
        ("pay", JULY, None),
        ("restate", 5, 5_000_000_00),
        ("pay", AUGUST, None),
        ("restate", 5, 10_000_000_00),
        ("pay", JULY, None),
        ("restate", 6, 6_000_000_00),
        ("refund", 5_000, 0),
        ("pay", AUGUST, 100),
    ]
)
# July restated to nothing after it was paid: its whole fee is receivable, as much as August
# owes, so August is settled by the offset alone (no cash, no `DistributorPaid`).
@example(
    [
        ("pay", JULY, None),
        *[("restate", day, 0) for day in range(1, 32)],
        ("pay", AUGUST, None),
        ("pay", AUGUST, None),
    ]
)
# A cent refunded (the odd cent, from the asset-based part), then July raised back: the release
# must come from the service part, which alone is still owed (hypothesis found it).
@example(
    [
        ("pay", JULY, None),
        ("restate", 1, 5_000_000_00),
        ("refund", 1, 0),
        ("restate", 1, 9_999_245_00),
    ]
)
def test_the_payable_and_the_receivable_never_go_below_zero(history):
    fund_class = accrued_july_and_august()
    events = list(fund_class.collect_events())
    for index, step in enumerate(history):
        apply_step(fund_class, index, step)
        events += fund_class.collect_events()
        accounts = account_balances(events)
        payable = [
            -accounts[f"Liabilities:PayableToDistributor:{CLASS}:{part}"]
            for part in ("AssetBasedSalesCharge", "ServiceFee")
        ]
        receivable = [
            accounts[f"Assets:Fund:{CLASS}:ReceivableFromDistributor:{part}"]
            for part in ("AssetBasedSalesCharge", "ServiceFee")
        ]
        assert min(payable) >= 0 and min(receivable) >= 0, (payable, receivable)
        assert Decimal(sum(payable)) / 100 == fund_class.payable
        assert Decimal(sum(receivable)) / 100 == fund_class.receivable
        accrued = sum(v for k, v in accounts.items() if k.startswith("Expenses:Plan12b1:"))
        # − cash paid + refunds, which the fund's general ledger keeps (docs/books.md)
        fund_cash = accounts[f"Equity:Fund:{CLASS}:GeneralLedgerSettlement"]
        assert accrued + fund_cash == sum(payable) - sum(receivable)
        assert_the_distributor_mirrors_the_fund(accounts, accrued, payable, receivable)
    assert comparable(replay(events)) == comparable(fund_class)
    snapshot = Snapshot.take(fund_class)
    restored = STORE.mapper.to_domain_event(STORE.mapper.to_stored_event(snapshot)).mutate(None)
    assert comparable(restored) == comparable(fund_class)
