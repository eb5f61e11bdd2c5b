"""The journal balances under random histories: each entry, and the trial balance as a whole.

Hypothesis draws a fund class's history (net assets, accrual runs, payments to the Distributor,
advances, expenditures) and feeds every event through the journal projection. Each entity's
lines in every entry balance (the fund's books and the Distributor's); the trial balance of
each at any date balances; and the accounts agree with the aggregate: the expense accounts
hold what was accrued, the payable accounts what is owed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.expenditures import Performer, Purpose
from domain.periods import month_period
from projections.journal import ABSC, SERVICE, StreamContext, journal_entry
from tests.unit.test_fund_class_properties import PROVENANCE, histories, run

CONTEXT = StreamContext("INTL-BCV/R")


@st.composite
def money_moves(draw):
    payments = draw(st.lists(st.integers(1, 5_000_00), max_size=4))
    expenditures = draw(st.lists(st.integers(1, 1_000_00), max_size=3))
    return payments, expenditures


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(), money_moves(), st.integers(0, 200))
def test_every_entry_and_the_trial_balance_balance(history, moves, as_of_offset):
    figures, run_ends = history
    fund_class, events = run(figures, run_ends)
    payments, expenditures = moves
    for index, cents in enumerate(payments):
        amount = Decimal(cents) / 100
        if amount > fund_class.accrued_unpaid_in(month_period(date(2003, 7, 1))):
            continue  # refused: no payment ahead of the fee (decision A16)
        fund_class.pay_distributor(
            amount=amount,
            paid_on=date(2003, 8, 5) + timedelta(days=index),
            period=month_period(date(2003, 7, 1)),
            reference=f"W-{index}",
            provenance=PROVENANCE,
        )
    for index, cents in enumerate(expenditures):
        fund_class.record_expenditure(
            incurred_on=date(2003, 7, 15),
            period=month_period(date(2003, 7, 1)),
            purpose=Purpose.ADVERTISING,
            performer=Performer.THIRD_PARTY,
            performer_name="x",
            amount=Decimal(cents) / 100,
            description="d",
            reference=f"E-{index}",
            company_agreement_reference="",
            provenance=PROVENANCE,
        )
    events += fund_class.collect_events()
    entries = [entry for event in events if (entry := journal_entry(event, CONTEXT))]
    assert all(entry.is_balanced for entry in entries)
    as_of = date(2003, 7, 1) + timedelta(days=as_of_offset)
    accounts: dict[str, int] = defaultdict(int)
    by_entity: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.business_date <= as_of:
            for line in entry.lines:
                accounts[line.account] += line.debit_cents - line.credit_cents
                by_entity[line.entity] += line.debit_cents - line.credit_cents
    assert sum(accounts.values()) == 0
    assert by_entity["fund"] == 0 and by_entity["distributor"] == 0  # each set of books
    everything: dict[str, int] = defaultdict(int)
    for entry in entries:
        for line in entry.lines:
            everything[line.account] += line.debit_cents - line.credit_cents
    accrued = sum(everything[f"Expenses:Plan12b1:INTL-BCV-R:{part}"] for part in (ABSC, SERVICE))
    owed = -sum(
        everything[f"Liabilities:PayableToDistributor:INTL-BCV-R:{part}"]
        for part in (ABSC, SERVICE)
    )
    assert Decimal(owed) / 100 == fund_class.payable
    assert Decimal(accrued) / 100 == sum(
        fund_class.accrued_absc_by_month.values(), Decimal(0)
    ) + sum(fund_class.accrued_service_by_month.values(), Decimal(0))
