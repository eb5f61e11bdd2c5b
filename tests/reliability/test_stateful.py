"""Random sequences of commands against a real ledger and a small model of it (issue 10).

A hypothesis `RuleBasedStateMachine` loads the shipped plan on a fresh ledger (SQLite always,
PostgreSQL when PLANLEDGER_TEST_POSTGRES_URL is set), then imports net assets and provider
positions, restates them, accrues, pays the Distributor and the dealer, reverses payments,
issues reports, tallies shareholder votes and gives the Distributor's notice, in any order.
The model keeps what must follow: the net assets known, the days accrued, the payments and
fees recorded and reversed, the day the plan ends, and what the ledger answered at each step.

After every step:
- the parts (asset-based + service) sum to the totals, and accrued/paid/payable match the model
  (each whole month accrued is its net assets' exact fee rounded once to the cent);
- no payment paid its month ahead of the fee (decision A16: at most what the month accrued and
  is unpaid, less the receivable from the Distributor offset first); a month a restatement left
  paid beyond its fee is a receivable, never a negative payable; no service fee took its period
  above the cap;
- the trial balance balances;
- the read models equal a replay of the log into a fresh read-model database;
- what the ledger answered as known at every earlier position is still its answer;
- a refused command wrote nothing (event count and chain head unchanged).

Bounded for CI (profile `ci`, derandomized); `PLANLEDGER_HYPOTHESIS_PROFILE=soak` runs many
more and longer sequences (scripts/soak.sh).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters.application.commands import (
    Accrue,
    GiveDistributorNotice,
    ImportNetAssets,
    ImportPositions,
    IssueReport,
    LoadPlan,
    PayDistributor,
    PayProvider,
    ReceiveDistributorRefund,
    RecordShareholderVote,
    ReverseDistributorPayment,
    ReverseServiceFee,
    SignProviderAgreement,
)
from adapters.application.compose import Ledger, compose
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from adapters.inputs.errors import InputError
from adapters.inputs.plan_file import read_plan
from adapters.outputs.reports import quarterly_report, report_sha256
from adapters.readside import queries
from adapters.readside.read_models import ReadModels, read_model_engine
from domain.errors import DomainError
from domain.fund_class import FundClass
from domain.governance import NoticeMethod
from domain.ids import fund_class_id, service_arrangement_id
from domain.periods import Period, parse_period
from domain.service import AgreementKind, ServiceArrangement
from tests.builders import FORM_A, approve_plan, every_day, net_assets_csv, positions_csv
from tests.conftest import SHIPPED_PLAN, drop_schema, fresh_postgres_url

PROFILE_VARIABLE = "PLANLEDGER_HYPOTHESIS_PROFILE"
PROFILES = {
    # About 15 s on SQLite and 25 s on PostgreSQL on the 2-core machine when it is not shared.
    "ci": settings(
        max_examples=10,
        stateful_step_count=18,
        derandomize=True,
        database=None,
        # Shrinking a failure can take minutes: CI prints the sequence as found, the soak
        # script shrinks it.
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    ),
    "soak": settings(
        max_examples=int(os.environ.get("PLANLEDGER_HYPOTHESIS_EXAMPLES", "150")),
        stateful_step_count=60,
        derandomize=False,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    ),
}

FULL_CHECK_EVERY = (
    4  # checks (one after each step); each full check rebuilds the read models from the whole log
)
CLASSES = ("INTL-BCV/R", "STABLE-VALUE/R")
MONTHS = ("2003-07", "2003-08", "2003-09", "2003-10", "2003-11", "2003-12")
QUARTERS = ("2003Q3", "2003Q4")
FEE_PERIODS = (*QUARTERS, "2003-08", "2003-11")
PLAN_START = date(2003, 7, 1)
RATE_TOTAL = Decimal("0.0050")  # Schedule B: 0.25% asset-based + 0.25% service, both classes
DAYS_IN_2003 = 365
AS_OF_EVERYTHING = date(2004, 12, 31)
CENT = Decimal("0.01")
DEALER = "DEALER-A"
DEALER_FUND = ("INTL-BCV", "R")
FIRST_COMMIT = datetime(2003, 10, 1, 12, 0, tzinfo=UTC)
NET_ASSETS_LEVELS = (
    Decimal("10080000.00"),
    Decimal("10300000.37"),
    Decimal("9876543.21"),
    Decimal("25000000.00"),
)
POSITION_LEVELS = (Decimal("4000000.00"), Decimal("4200000.55"), Decimal("1500000.00"))


def cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def fund_of(key: str) -> str:
    return key.partition("/")[0]


def month_days(month: str) -> list[date]:
    period = parse_period(month)
    return every_day(period.start, period.end_exclusive - timedelta(days=1))


def month_fee_cents(net_assets: list[Decimal]) -> int:
    """The fee of a whole month, rounded once (decision: the month-end true-up)."""
    exact = sum(net_assets, Decimal(0)) * RATE_TOTAL / DAYS_IN_2003
    return cents(exact.quantize(CENT, rounding=ROUND_HALF_EVEN))


def likely(data: st.DataObject, productive: list[str], anything: tuple[str, ...] = MONTHS) -> str:
    """One of `productive` three times in four (when there is one), else any of `anything`
    (months, by default): most steps then do something, and the rest try what is refused."""
    if productive and data.draw(st.integers(0, 3), label="productive") > 0:
        return data.draw(st.sampled_from(productive), label="choice")
    return data.draw(st.sampled_from(anything), label="choice")


@dataclass
class Payment:
    amount: Decimal  # the cash; zero when the receivable offset settled it all
    paid_on: date
    month: str
    reversed: bool = False


@dataclass
class Fee:
    amount: Decimal
    period: str
    reversed: bool = False


@dataclass
class Model:
    """What the ledger must show, kept without the ledger's code."""

    net_assets: dict[str, dict[date, Decimal]] = field(
        default_factory=lambda: {key: {} for key in CLASSES}
    )
    accrued_through: dict[str, date | None] = field(default_factory=lambda: dict.fromkeys(CLASSES))
    ends_on: dict[str, date | None] = field(default_factory=lambda: dict.fromkeys(CLASSES))
    payments: dict[str, dict[str, Payment]] = field(
        default_factory=lambda: {key: {} for key in CLASSES}
    )
    fees: dict[str, Fee] = field(default_factory=dict)
    positions: set[str] = field(default_factory=set)
    terminated: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CLASSES, False))
    noticed: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(CLASSES, False))
    votes: set[tuple[str, int]] = field(default_factory=set)
    # Decision A16: per class and month, the receivable offset into a month's payment, and
    # what offsets and refunds took back from a month paid beyond its fee; refunds received.
    offset_in: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in CLASSES})
    taken: dict[str, dict[str, int]] = field(default_factory=lambda: {k: {} for k in CLASSES})
    refunds: dict[str, dict[str, Decimal]] = field(default_factory=lambda: {k: {} for k in CLASSES})
    reports: list[tuple[str, str, str, int]] = field(default_factory=list)

    def accrued_months(self, key: str) -> list[str]:
        through = self.accrued_through[key]
        return [m for m in MONTHS if through is not None and month_days(m)[-1] <= through]

    def month_accrued_cents(self, key: str, month: str) -> int:
        if month not in self.accrued_months(key):
            return 0
        return month_fee_cents([self.net_assets[key][day] for day in month_days(month)])

    def known_through(self, keys: list[str], month: str) -> bool:
        """Whether every day from the plan's start to the month's end has net assets."""
        days = every_day(PLAN_START, month_days(month)[-1])
        return all(day in self.net_assets[key] for key in keys for day in days)

    def accrued_cents(self, key: str) -> int:
        return sum(self.month_accrued_cents(key, month) for month in self.accrued_months(key))

    def paid_cents(self, key: str, month: str | None = None) -> int:
        """Cash paid (for `month`, or in all less the refunds)."""
        cash = sum(
            cents(p.amount)
            for p in self.payments[key].values()
            if not p.reversed and (month is None or p.month == month)
        )
        if month is None:
            cash -= sum(cents(amount) for amount in self.refunds[key].values())
        return cash

    def settled_cents(self, key: str, month: str) -> int:
        """What a month's payments and the offsets into it settled, less what was taken back."""
        return (
            self.paid_cents(key, month)
            + self.offset_in[key].get(month, 0)
            - self.taken[key].get(month, 0)
        )

    def owed_cents(self, key: str, month: str) -> int:
        return max(self.month_accrued_cents(key, month) - self.settled_cents(key, month), 0)

    def excess_cents(self, key: str, month: str) -> int:
        return max(self.settled_cents(key, month) - self.month_accrued_cents(key, month), 0)

    def payable_cents(self, key: str) -> int:
        return sum(self.owed_cents(key, month) for month in MONTHS)

    def receivable_cents(self, key: str) -> int:
        return sum(self.excess_cents(key, month) for month in MONTHS)

    def take_oldest_first(self, key: str, amount: int) -> None:
        for month in MONTHS:
            part = min(amount, self.excess_cents(key, month))
            if part > 0:
                self.taken[key][month] = self.taken[key].get(month, 0) + part
                amount -= part
        assert amount == 0

    def days_to_accrue(self, key: str, through: date) -> list[date]:
        through_accrued = self.accrued_through[key]
        first = through_accrued + timedelta(days=1) if through_accrued else PLAN_START
        last = through
        ends_on = self.ends_on[key]
        if ends_on is not None:
            last = min(last, ends_on - timedelta(days=1))
        return every_day(first, last) if first <= last else []

    def in_effect(self, key: str, month: str) -> bool:
        ends_on = self.ends_on[key]
        return ends_on is None or parse_period(month).start < ends_on


@dataclass(frozen=True)
class Answers:
    """What the ledger answered at one position: compared again after every later step."""

    position: int
    balances: list[Any]
    trial_balance: list[Any]
    journal_lines: int
    payable_exact: dict[str, Decimal]


class Counts:
    """Examples and steps run, for the report (printed at the end of the run)."""

    examples = 0
    steps = 0
    refused = 0
    accepted = 0
    by_rule: ClassVar[dict[str, list[int]]] = {}

    @classmethod
    def reset(cls) -> None:
        cls.examples = cls.steps = cls.refused = cls.accepted = 0
        cls.by_rule = {}

    @classmethod
    def tally(cls, accepted: bool) -> None:
        """Accepted and refused, per rule (the caller of `attempt`)."""
        name = sys._getframe(2).f_code.co_name
        cls.by_rule.setdefault(name, [0, 0])[0 if accepted else 1] += 1


class LedgerMachine(RuleBasedStateMachine):
    """The ledger against the model; `new_database` gives a fresh URL and its cleanup."""

    new_database: Callable[[], tuple[str, Callable[[], None]]]

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="planledger-stateful-"))
        self.database_url, self.drop_database = self.new_database()
        self.ledger: Ledger = compose(self.database_url, actor="stateful-test", create=True)
        self.model = Model()
        self.answers: list[Answers] = []
        self.step = 0
        self.checks = 0
        self.checked_fully = False
        self.failed = False
        self.files = 0
        Counts.examples += 1

    # ---- helpers --------------------------------------------------------------------------

    @property
    def moment(self) -> datetime:
        """Each step commits a minute after the one before, on the test's own calendar."""
        return FIRST_COMMIT + timedelta(minutes=self.step)

    def next_file(self, name: str) -> Path:
        self.files += 1
        return self.folder / f"{self.files:04d}-{name}.csv"

    def head(self) -> tuple[int, Any]:
        store = self.ledger.store
        return store.head_position(), store.chain_head()

    def attempt(self, action: Callable[[], Any]) -> tuple[bool, Any]:
        """Run one command at this step's moment; a refusal must have written nothing."""
        self.step += 1
        Counts.steps += 1
        before = self.head()
        with freeze_time(self.moment):
            try:
                result = action()
            except (DomainError, InputError) as refusal:
                Counts.refused += 1
                Counts.tally(False)
                assert self.head() == before, f"refused but wrote: {refusal}"
                return False, refusal
            except BaseException:
                self.failed = True  # the model no longer follows: teardown checks nothing
                raise
        Counts.accepted += 1
        Counts.tally(True)
        return True, result

    def wrote_nothing(self, before: tuple[int, Any]) -> None:
        assert self.head() == before, "a command that changed nothing wrote events"

    # ---- setup ----------------------------------------------------------------------------

    @initialize(months=st.integers(0, len(MONTHS)))
    def load_and_approve(self, months: int) -> None:
        """The shipped plan, approved; the dealer's agreement; and the first `months` months of
        net assets and positions (so that most sequences accrue and pay from the start)."""
        with freeze_time(FIRST_COMMIT - timedelta(days=1)):
            self.ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
            approve_plan(self.ledger)
            self.ledger.payments.sign_provider_agreement(
                SignProviderAgreement(
                    provider_code=DEALER,
                    provider_name="Dealer A Securities",
                    fund_code=DEALER_FUND[0],
                    share_class=DEALER_FUND[1],
                    reference="SA-DEALER-A",
                    kind=AgreementKind.A,
                    contractual_rate_annual=Decimal("0.0025"),
                    effective_from=PLAN_START,
                    effective_to=None,
                    agency_capacity_attested=True,
                    form_reference=FORM_A,
                )
            )
        for month in MONTHS[:months]:
            for key in CLASSES:
                self.import_month_of(key, month, NET_ASSETS_LEVELS[0])
            self.import_positions(month, POSITION_LEVELS[0])

    # ---- figures --------------------------------------------------------------------------

    @rule(key=st.sampled_from(CLASSES), level=st.sampled_from(NET_ASSETS_LEVELS), data=st.data())
    def import_month(self, key: str, level: Decimal, data: st.DataObject) -> None:
        """A whole month of net assets (mostly the next one missing); a changed figure without
        a reason is refused."""
        missing = [m for m in MONTHS if month_days(m)[0] not in self.model.net_assets[key]]
        self.import_month_of(key, likely(data, missing[:1]), level)

    def import_month_of(self, key: str, month: str, level: Decimal) -> None:
        figures = dict.fromkeys(month_days(month), level)
        known = self.model.net_assets[key]
        changes = any(day in known and known[day] != value for day, value in figures.items())
        fund, share_class = key.split("/")
        path = net_assets_csv(self.next_file("na"), figures, fund=fund, share_class=share_class)
        accepted, _ = self.attempt(
            lambda: self.ledger.figures.import_net_assets(
                ImportNetAssets(read_csv(path, NetAssetsRow))
            )
        )
        assert accepted == (not changes)
        if accepted:
            known.update(figures)

    @precondition(lambda self: any(self.model.net_assets.values()))
    @rule(data=st.data(), level=st.sampled_from(NET_ASSETS_LEVELS), days=st.integers(1, 31))
    def restate(self, data: st.DataObject, level: Decimal, days: int) -> None:
        """Restate the first days of a month already known (accrued days are adjusted)."""
        key = data.draw(st.sampled_from([k for k in CLASSES if self.model.net_assets[k]]))
        known = self.model.net_assets[key]
        month = data.draw(st.sampled_from([m for m in MONTHS if month_days(m)[0] in known]))
        figures = dict.fromkeys(month_days(month)[:days], level)
        fund, share_class = key.split("/")
        path = net_assets_csv(self.next_file("re"), figures, fund=fund, share_class=share_class)
        accepted, refusal = self.attempt(
            lambda: self.ledger.figures.import_net_assets(
                ImportNetAssets(
                    read_csv(path, NetAssetsRow), restatement_reason="NAV error corrected"
                )
            )
        )
        assert accepted, refusal
        known.update(figures)

    @rule(month=st.sampled_from(MONTHS), level=st.sampled_from(POSITION_LEVELS))
    def import_positions(self, month: str, level: Decimal) -> None:
        """The dealer's positions for a month, once (a later change would need a reason)."""
        figures = dict.fromkeys(month_days(month), level)
        path = positions_csv(self.next_file("pos"), DEALER, figures, fund=DEALER_FUND[0])
        accepted, _ = self.attempt(
            lambda: self.ledger.figures.import_positions(
                ImportPositions(read_csv(path, PositionRow))
            )
        )
        if month not in self.model.positions:
            assert accepted
            self.model.positions.add(month)

    # ---- accruals -------------------------------------------------------------------------

    @precondition(lambda self: any(self.model.net_assets.values()))
    @rule(which=st.sampled_from((*CLASSES, "all")), data=st.data())
    def accrue(self, which: str, data: st.DataObject) -> None:
        """Through a month's end (mostly one whose net assets are all known)."""
        chosen = list(CLASSES) if which == "all" else [which]
        month = likely(data, [m for m in MONTHS if self.model.known_through(chosen, m)])
        through = month_days(month)[-1]
        missing = any(
            day not in self.model.net_assets[key]
            for key in chosen
            for day in self.model.days_to_accrue(key, through)
        )
        accepted, refusal = self.attempt(
            lambda: self.ledger.accruals.accrue(
                Accrue(through, max_carry_days=4, fund_classes=chosen)
            )
        )
        assert accepted == (not missing), refusal
        if accepted:
            for key in chosen:
                days = self.model.days_to_accrue(key, through)
                if days:
                    self.model.accrued_through[key] = days[-1]

    # ---- payments to the Distributor --------------------------------------------------------

    @rule(
        key=st.sampled_from(CLASSES),
        how=st.sampled_from(("accrued", "half", "payable", "over")),
        reference=st.integers(0, 3),
        data=st.data(),
    )
    def pay_distributor(self, key: str, how: str, reference: int, data: st.DataObject) -> None:
        """For a month (mostly one accrued), in one of four ways; the cash never ahead of the
        fee, the receivable offset first (decision A16)."""
        model = self.model
        month = likely(data, model.accrued_months(key))
        # What the month owes in cash, after the offset (the whole payable, before A16).
        owed_cash = (
            Decimal(
                model.owed_cents(key, month)
                - min(model.receivable_cents(key), model.owed_cents(key, month))
            )
            * CENT
        )
        amount: Decimal | None = {
            "accrued": None,
            "half": (owed_cash / 2).quantize(CENT) if owed_cash > 0 else Decimal("10.00"),
            "payable": owed_cash if owed_cash > 0 else Decimal("0.01"),
            "over": owed_cash + Decimal("25.00"),
        }[how]
        period = parse_period(month)
        ref = f"WIRE-{fund_of(key)}-{reference}"
        command = PayDistributor(
            fund_code=fund_of(key),
            share_class="R",
            amount=amount,
            paid_on=period.end_exclusive,
            period=period,
            reference=ref,
        )
        owed = model.owed_cents(key, month)
        offset = min(model.receivable_cents(key), owed)
        expected_amount = amount
        if amount is None:
            expected_amount = Decimal(owed - offset) * CENT
        before = self.head()
        accepted, outcome = self.attempt(lambda: self.ledger.payments.pay_distributor(command))
        if amount is None and owed == 0:
            assert not accepted, outcome  # nothing accrued and unpaid
            return
        recorded = model.payments[key].get(ref)
        if recorded is not None and recorded.reversed:
            # A reversed reference stays used: refused, not "unchanged" (issue 12).
            assert not accepted, outcome
            self.wrote_nothing(before)
            return
        if recorded is not None:
            same = (recorded.amount, recorded.paid_on, recorded.month) == (
                expected_amount,
                period.end_exclusive,
                month,
            )
            assert accepted == same, outcome
            if accepted:
                self.wrote_nothing(before)
            return
        assert expected_amount is not None
        should = (
            model.in_effect(key, month)
            and (expected_amount > 0 or offset > 0)
            and cents(expected_amount) <= owed - offset
        )
        assert accepted == should, (outcome, expected_amount, owed, offset)
        if accepted:
            assert outcome[1:] == (expected_amount, Decimal(offset) * CENT)
            model.take_oldest_first(key, offset)
            model.offset_in[key][month] = model.offset_in[key].get(month, 0) + offset
            model.payments[key][ref] = Payment(expected_amount, period.end_exclusive, month)

    @rule(key=st.sampled_from(CLASSES), whole=st.booleans(), reference=st.integers(0, 2))
    def receive_refund(self, key: str, whole: bool, reference: int) -> None:
        """The Distributor pays back all its receivable, or a cent more (refused)."""
        model = self.model
        receivable = model.receivable_cents(key)
        amount = Decimal(receivable + (0 if whole else 1)) * CENT
        ref = f"REFUND-{fund_of(key)}-{reference}"
        received_on = date(2004, 12, 1)
        accepted, outcome = self.attempt(
            lambda: self.ledger.payments.receive_distributor_refund(
                ReceiveDistributorRefund(fund_of(key), "R", amount, received_on, ref, "")
            )
        )
        recorded = model.refunds[key].get(ref)
        if recorded is not None:
            assert accepted == (recorded == amount), outcome
            return
        assert accepted == (whole and receivable > 0), (outcome, amount, receivable)
        if accepted:
            model.take_oldest_first(key, receivable)
            model.refunds[key][ref] = amount

    @precondition(lambda self: any(self.model.payments.values()))
    @rule(key=st.sampled_from(CLASSES), data=st.data())
    def reverse_payment(self, key: str, data: st.DataObject) -> None:
        """A payment (mostly one recorded) reversed: an unknown reference is refused."""
        refs = tuple(f"WIRE-{fund_of(key)}-{n}" for n in range(4))
        ref = likely(data, sorted(self.model.payments[key]), refs)
        before = self.head()
        accepted, refusal = self.attempt(
            lambda: self.ledger.audit.reverse_distributor_payment(
                ReverseDistributorPayment(fund_of(key), "R", ref, "wired twice by mistake")
            )
        )
        recorded = self.model.payments[key].get(ref)
        # A payment the offset settled alone has no `DistributorPaid` to reverse.
        assert accepted == (recorded is not None and recorded.amount > 0), refusal
        if accepted and recorded is not None:
            if recorded.reversed:
                self.wrote_nothing(before)
            recorded.reversed = True

    # ---- service fees -----------------------------------------------------------------------

    @precondition(lambda self: bool(self.model.positions))
    @rule(
        how=st.sampled_from(("cap", "half", "above")),
        reference=st.integers(0, 3),
        data=st.data(),
    )
    def pay_dealer(self, how: str, reference: int, data: st.DataObject) -> None:
        """For a period (mostly one whose positions are all known), in one of three ways."""
        covered = [
            label
            for label in FEE_PERIODS
            if set(parse_period(label).months()) <= self.model.positions
        ]
        period = likely(data, covered, FEE_PERIODS)
        ref = f"SF-{reference}"
        view = self.ledger.view
        try:
            cap = view.service_fee_cap(DEALER, *DEALER_FUND, parse_period(period), max_carry_days=4)
            remaining = cap.cap_amount_exact - self.fees_paid_for(period)
        except DomainError:
            remaining = Decimal("100.00")
        amount: Decimal | None = {
            "cap": None,
            "half": (remaining / 2).quantize(CENT) if remaining > 0 else Decimal("1.00"),
            "above": remaining.quantize(CENT) + CENT,
        }[how]
        accepted, outcome = self.attempt(
            lambda: self.ledger.payments.pay_provider(
                PayProvider(
                    provider_code=DEALER,
                    fund_code=DEALER_FUND[0],
                    share_class=DEALER_FUND[1],
                    period=parse_period(period),
                    amount=amount,
                    paid_on=parse_period(period).end_exclusive,
                    reference=ref,
                    paid_or_advanced="paid",
                    max_carry_days=4,
                )
            )
        )
        if how == "above":
            assert not accepted, "a service fee above the cap was accepted"
        if accepted and ref not in self.model.fees:
            self.model.fees[ref] = Fee(outcome[1], period)

    def fees_paid_for(self, period: str) -> Decimal:
        return sum(
            (f.amount for f in self.model.fees.values() if f.period == period and not f.reversed),
            Decimal(0),
        )

    @precondition(lambda self: bool(self.model.fees))
    @rule(data=st.data())
    def reverse_fee(self, data: st.DataObject) -> None:
        ref = likely(data, sorted(self.model.fees), tuple(f"SF-{n}" for n in range(4)))
        accepted, refusal = self.attempt(
            lambda: self.ledger.audit.reverse_service_fee(
                ReverseServiceFee(DEALER, *DEALER_FUND, ref, "paid to the wrong dealer")
            )
        )
        fee = self.model.fees.get(ref)
        assert accepted == (fee is not None), refusal
        if fee is not None:
            fee.reversed = True

    # ---- reports and governance ------------------------------------------------------------

    @rule(key=st.sampled_from(CLASSES), quarter=st.sampled_from(QUARTERS))
    def issue_report(self, key: str, quarter: str) -> None:
        self.ledger.read_models.catch_up()
        position = self.ledger.store.head_position()
        sha = report_sha256(quarterly_report(self.ledger.view, key, quarter))
        issued_on = parse_period(quarter).end_exclusive + timedelta(days=14)
        command = IssueReport(fund_of(key), "R", quarter, sha, issued_on, "the Distributor")
        accepted, refusal = self.attempt(lambda: self.ledger.fund_governance.issue_report(command))
        assert accepted, refusal
        self.model.reports.append((key, quarter, sha, position))
        before = self.head()
        again, _ = self.attempt(lambda: self.ledger.fund_governance.issue_report(command))
        assert again
        self.wrote_nothing(before)

    @rule(
        key=st.sampled_from(CLASSES),
        month=st.sampled_from(MONTHS[1:]),
        passes=st.booleans(),
        reference=st.integers(0, 2),
    )
    def shareholder_vote(self, key: str, month: str, passes: bool, reference: int) -> None:
        """A vote on termination, on the first day of a month (passing ends the plan then)."""
        voted_on = parse_period(month).start
        accepted, _ = self.attempt(
            lambda: self.ledger.fund_governance.record_shareholder_vote(
                RecordShareholderVote(
                    fund_code=fund_of(key),
                    share_class="R",
                    vote_reference=f"VOTE-{reference}",
                    subject="termination",
                    subject_id="",
                    voted_on=voted_on,
                    outstanding=Decimal("1000000.000"),
                    present=Decimal("800000.000"),
                    votes_for=Decimal("700000.000") if passes else Decimal("100000.000"),
                    votes_against=Decimal(0),
                    abstentions=Decimal(0),
                    broker_non_votes=Decimal(0),
                )
            )
        )
        vote = (key, reference)
        if vote not in self.model.votes:
            # A plan ended by its shareholders takes no later vote; a vote over accrued days
            # is recorded, the days reversed (decision A19; the notice ends only the agreement).
            self.expect_open(key, accepted)
        if accepted:
            self.model.votes.add(vote)
            if passes:
                self.model.terminated[key] = True
                self.end_plan(key, voted_on)

    @rule(
        key=st.sampled_from(CLASSES),
        sent_month=st.sampled_from(MONTHS),
        months_later=st.integers(1, 4),
    )
    def distributor_notice(self, key: str, sent_month: str, months_later: int) -> None:
        """Notice sent on the first of a month, ending the agreement on a later first."""
        sent_on = parse_period(sent_month).start
        ends = sent_on
        for _ in range(months_later):
            ends = (ends + timedelta(days=32)).replace(day=1)
        accepted, _ = self.attempt(
            lambda: self.ledger.fund_governance.give_distributor_notice(
                GiveDistributorNotice(
                    fund_classes=[key],
                    method=NoticeMethod.DELIVERED,
                    sent_on=sent_on,
                    received_on=None,
                    termination_effective_on=ends,
                    document_reference=f"LETTER-{sent_on}",
                )
            )
        )
        if ends < sent_on + timedelta(days=60):
            assert not accepted
            return
        if not self.model.noticed[key]:
            self.expect_open(key, accepted)
        if accepted:
            self.model.noticed[key] = True
            self.end_plan(key, ends)

    def expect_open(self, key: str, accepted: bool) -> None:
        """Refused after the shareholders ended the plan; over days already accrued, recorded
        (decision A19: it was refused before)."""
        assert accepted == (not self.model.terminated[key]), (key, self.model)

    def end_plan(self, key: str, on: date) -> None:
        """The plan or the agreement ends on `on`: days accrued from it are reversed."""
        ends_on = self.model.ends_on[key]
        self.model.ends_on[key] = on if ends_on is None else min(ends_on, on)
        through = self.model.accrued_through[key]
        if through is not None and through >= on:
            last = on - timedelta(days=1)
            self.model.accrued_through[key] = last if last >= PLAN_START else None

    # ---- the checks after every step --------------------------------------------------------

    @invariant()
    def check_after_step(self) -> None:
        """Every step: the model, the trial balance, the caps, the last answers known. Every
        `FULL_CHECK_EVERY` steps, and at the end: the replay, every answer, every report."""
        self.checks += 1
        self.check_everything(full=self.checks % FULL_CHECK_EVERY == 0)

    def check_everything(self, *, full: bool = True) -> None:
        self.ledger.read_models.catch_up()
        answers = self.answers_now()
        self.check_balances_match_the_model(answers)
        self.check_trial_balance(answers.trial_balance)
        self.check_caps()
        self.check_known_answers_unchanged(self.answers if full else self.answers[-2:])
        if full:
            self.check_replay_equals_live()
            self.check_reports_unchanged()
        self.checked_fully = full
        self.answers.append(answers)

    def answers_now(self, position: int | None = None) -> Answers:
        view = self.ledger.view.as_known_at(position or self.ledger.store.head_position())
        payable = {}
        for key in CLASSES:
            try:
                payable[key] = view.fund_class_by_key(key).payable
            except DomainError:
                payable[key] = Decimal(0)
        return Answers(
            position=view.known_position or 0,
            balances=view.balances(AS_OF_EVERYTHING),
            trial_balance=view.trial_balance(AS_OF_EVERYTHING),
            journal_lines=len(view.journal()),
            payable_exact=payable,
        )

    def check_balances_match_the_model(self, answers: Answers) -> None:
        by_class = {row.fund_class: row for row in answers.balances}
        for key in CLASSES:
            row = by_class.get(key)
            if row is None:
                continue
            assert row.accrued == row.absc_accrued + row.service_accrued
            assert row.payable == row.absc_payable + row.service_payable
            assert row.paid == row.absc_paid + row.service_paid
            assert row.accrued == self.model.accrued_cents(key), (key, row, self.model)
            assert row.paid == self.model.paid_cents(key), (key, row)
            assert row.payable == self.model.payable_cents(key), (key, row)
            assert row.receivable == self.model.receivable_cents(key), (key, row)
            assert min(row.absc_payable, row.service_payable) >= 0, (key, row)
            assert cents(answers.payable_exact[key]) == row.payable
            assert row.accrued_through == self.model.accrued_through[key]
            ends_on = self.model.ends_on[key]
            if ends_on is not None and row.accrued_through is not None:
                assert row.accrued_through < ends_on

    @staticmethod
    def check_trial_balance(trial_balance: list[Any]) -> None:
        debits = sum(line.debit_cents for line in trial_balance)
        credits = sum(line.credit_cents for line in trial_balance)
        assert debits == credits, trial_balance

    def check_caps(self) -> None:
        """From the log: each payment within what its months owed, never an advance; each
        service fee within its period's cap; and the fees standing now within today's cap."""
        view = self.ledger.view
        for key in CLASSES:
            for event in view.stream(fund_class_id(*key.split("/"))):
                if isinstance(event, FundClass.DistributorPaid):
                    assert not event.is_advance and event.unpaid_before is not None, event
                    assert event.amount <= event.unpaid_before <= event.payable_before, event
                    assert event.absc_amount + event.service_amount == event.amount
        standing: dict[Period, Decimal] = {}
        for event in view.stream(service_arrangement_id(DEALER, *DEALER_FUND)):
            if isinstance(event, ServiceArrangement.ServiceFeePaid):
                period = Period(event.period_start, event.period_end_exclusive)
                standing[period] = standing.get(period, Decimal(0)) + event.amount
                assert standing[period] <= event.cap_amount_exact, event
            elif isinstance(event, ServiceArrangement.ServiceFeeReversed):
                fee = self.model.fees[event.reference]
                period = parse_period(fee.period)
                standing[period] -= fee.amount
        for period, paid in standing.items():
            cap = view.service_fee_cap(DEALER, *DEALER_FUND, period, max_carry_days=4)
            assert paid <= cap.cap_amount_exact, (period, paid, cap)

    def check_replay_equals_live(self) -> None:
        """The read models, rebuilt from the log alone in a fresh database, answer the same."""
        replay_url = f"sqlite:///{self.folder / f'replay-{self.step}.db'}"
        replayed = ReadModels(self.ledger.store, read_model_engine(replay_url))
        try:
            replayed.rebuild()
            live = self.ledger.read_models.engine
            for query in (queries.trial_balance, queries.balances):
                assert query(replayed.engine, AS_OF_EVERYTHING) == query(live, AS_OF_EVERYTHING)
            assert queries.journal(replayed.engine) == queries.journal(live)
            assert replayed.row_counts() == self.ledger.read_models.row_counts()
        finally:
            replayed.close()
            Path(replay_url.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def check_known_answers_unchanged(self, answers: list[Answers]) -> None:
        for earlier in answers:
            assert self.answers_now(earlier.position) == earlier, earlier.position
        with freeze_time(self.moment + timedelta(seconds=30)):
            assert self.ledger.view.position_known_at(self.moment + timedelta(seconds=30)) == (
                self.ledger.store.head_position()
            )

    def check_reports_unchanged(self) -> None:
        for key, quarter, sha, position in self.model.reports:
            view = self.ledger.view.as_known_at(position)
            assert report_sha256(quarterly_report(view, key, quarter)) == sha

    def teardown(self) -> None:
        try:
            if not (self.checked_fully or self.failed):
                self.check_everything()
        finally:
            self.ledger.close()
            self.drop_database()
            shutil.rmtree(self.folder, ignore_errors=True)


def sqlite_database(folder: Path) -> Callable[[], tuple[str, Callable[[], None]]]:
    def new() -> tuple[str, Callable[[], None]]:
        path = Path(tempfile.mkdtemp(dir=folder)) / "ledger.db"
        return f"sqlite:///{path}", lambda: None

    return new


def postgres_database() -> tuple[str, Callable[[], None]]:
    url = fresh_postgres_url()
    return url, lambda: drop_schema(url)


@pytest.fixture
def new_database(
    database_url: str, tmp_path: Path
) -> Iterator[Callable[[], tuple[str, Callable[[], None]]]]:
    """A fresh database of the kind the `database_url` fixture names, for each example."""
    if database_url.startswith("sqlite"):
        yield sqlite_database(tmp_path)
    else:
        yield postgres_database


def profile() -> settings:
    return PROFILES[os.environ.get(PROFILE_VARIABLE, "ci")]


def machine_on(
    new_database: Callable[[], tuple[str, Callable[[], None]]],
) -> type[LedgerMachine]:
    return type("Machine", (LedgerMachine,), {"new_database": staticmethod(new_database)})


def test_random_command_sequences_keep_the_ledger_whole(
    new_database: Callable[[], tuple[str, Callable[[], None]]],
) -> None:
    Counts.reset()
    run_state_machine_as_test(machine_on(new_database), settings=profile())
    print(
        f"stateful: {Counts.examples} examples, {Counts.steps} commands "
        f"({Counts.accepted} accepted, {Counts.refused} refused)"
    )
    print(f"stateful: per rule [accepted, refused]: {Counts.by_rule}")


def test_issuing_a_report_again_writes_nothing(
    new_database: Callable[[], tuple[str, Callable[[], None]]],
) -> None:
    """Found by the machine: the second `report issue` of an unchanged report sealed the seal
    the first had recorded (one event more on every rerun; issue 10, item 4)."""
    machine = machine_on(new_database)()
    try:
        machine.load_and_approve(months=1)
        machine.check_everything()
        machine.issue_report("INTL-BCV/R", "2003Q3")  # issues, then issues again: no write
        machine.check_everything()
    finally:
        machine.teardown()


def test_a_restatement_that_takes_a_snapshot_under_a_frozen_clock(
    new_database: Callable[[], tuple[str, Callable[[], None]]],
) -> None:
    """Found by the soak run: a restatement crossing the snapshot interval, under freezegun,
    snapshotted a `FakeDate` the store could not encode, after its events were committed."""
    machine = machine_on(new_database)()
    try:
        machine.load_and_approve(months=6)
        machine.check_everything()
        accrued, _ = machine.attempt(
            lambda: machine.ledger.accruals.accrue(
                Accrue(date(2003, 12, 31), max_carry_days=4, fund_classes=list(CLASSES))
            )
        )
        assert accrued
        machine.model.accrued_through = dict.fromkeys(CLASSES, date(2003, 12, 31))
        before = machine.ledger.view.fund_class("INTL-BCV", "R").version
        figures = dict.fromkeys(month_days("2003-07"), NET_ASSETS_LEVELS[1])
        path = net_assets_csv(machine.folder / "restated.csv", figures)
        restated, _ = machine.attempt(
            lambda: machine.ledger.figures.import_net_assets(
                ImportNetAssets(read_csv(path, NetAssetsRow), restatement_reason="NAV error")
            )
        )
        assert restated
        machine.model.net_assets["INTL-BCV/R"].update(figures)
        after = machine.ledger.view.fund_class("INTL-BCV", "R").version
        assert before // 200 < after // 200, (before, after)  # a snapshot was due
        machine.check_everything()
    finally:
        machine.teardown()
