"""One fund class through a life of governance events, checked day by day.

Adoption (approved 2003-06-17); a rate increase whose shareholder vote fails (Sept 2003); one
whose vote passes (from 2003-10-20); an assignment (2004-01-15) and a new agreement
(2004-02-10); a lapse after the initial term (2004-05-31), a late continuance (2004-06-21) that
covers no day, and a new plan approved by the board at the same meeting and by the class's
shareholders (2004-07-06: the plan is back from that day, decision Q6b); termination by the
Independent Board Members (from 2004-08-16). The expected days, rates,
cents and month totals are computed here independently, with fractions, from that timeline.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    PayDistributor,
    RecordAssignment,
    RecordMeeting,
    RecordShareholderVote,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from domain.periods import parse_period
from domain.terms import NotInEffect
from tests.builders import every_day, meeting_record, net_assets_csv, resolution

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
FIRST, LAST = date(2003, 7, 1), date(2004, 9, 30)
NET_ASSETS = {
    day: Decimal(10_000_000 + 1_234 * index) + Decimal("0.37")
    for index, day in enumerate(every_day(date(2003, 6, 30), LAST))
}
IN_EFFECT = [
    (date(2003, 7, 1), date(2004, 1, 14)),  # until the assignment
    (date(2004, 2, 10), date(2004, 5, 30)),  # new agreement to the end of the initial term
    (date(2004, 7, 6), date(2004, 8, 15)),  # the new plan's approvals to the termination
]
RATE_INCREASE_FROM = date(2003, 10, 20)


def expected_rates(day: date) -> tuple[Fraction, Fraction]:
    absc = Fraction(30, 10000) if day >= RATE_INCREASE_FROM else Fraction(25, 10000)
    return absc, Fraction(25, 10000)


def in_effect(day: date) -> bool:
    return any(start <= day <= end for start, end in IN_EFFECT)


def half_up(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def expected_day(day: date) -> tuple[Decimal, Decimal, Decimal]:
    absc_rate, service_rate = expected_rates(day)
    year_days = 366 if day.year == 2004 else 365
    total = half_up(Fraction(NET_ASSETS[day]) * (absc_rate + service_rate) / year_days)
    # Two parts by largest remainder: the first part's quota rounded half-up, ties to it.
    absc = half_up(Fraction(total) * absc_rate / (absc_rate + service_rate))
    return total, absc, total - absc


def expected_months() -> dict[str, Decimal]:
    exact: dict[str, Fraction] = {}
    for day in every_day(FIRST, LAST):
        if in_effect(day):
            absc_rate, service_rate = expected_rates(day)
            year_days = 366 if day.year == 2004 else 365
            month = f"{day.year}-{day.month:02d}"
            exact[month] = (
                exact.get(month, Fraction(0))
                + Fraction(NET_ASSETS[day]) * (absc_rate + service_rate) / year_days
            )
    return {month: half_up(value) for month, value in exact.items()}


def meet(ledger, day, *resolutions):
    return ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY, meeting_record(f"M-{day}", day, list(resolutions)), source="scenario"
        )
    )


def increase(resolution_id):
    return resolution(
        resolution_id,
        "amendment",
        [INTL],
        amendment_id=resolution_id,
        absc_rate_annual=Decimal("0.0030"),
        service_rate_annual_max=Decimal("0.0025"),
        total_rate_annual_max=Decimal("0.0055"),
    )


def shareholder_vote(ledger, reference, on, votes_for, subject_id, subject="amendment"):
    return ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            fund_code="INTL-BCV",
            share_class="R",
            vote_reference=reference,
            subject=subject,
            subject_id=subject_id,
            voted_on=on,
            outstanding=Decimal("8000000.500"),
            present=Decimal("4000000.250"),
            votes_for=Decimal(votes_for),
            votes_against=Decimal(0),
            abstentions=Decimal(0),
            broker_non_votes=Decimal(0),
        )
    )


def accrue(ledger, through):
    (summary,) = ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[INTL]))
    return summary


def pay_month(ledger, month: str):
    period = parse_period(month)
    return ledger.payments.pay_distributor(
        PayDistributor(
            fund_code="INTL-BCV",
            share_class="R",
            amount=None,
            paid_on=period.end_exclusive,
            period=period,
            reference=f"ADI-{month}",
        )
    )


def test_a_fund_class_through_its_governance_life_day_by_day(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", NET_ASSETS), NetAssetsRow))
    )
    paid: dict[str, Decimal] = {}

    # A rate increase fails the vote of exactly half present (§2(a)(42): more than half needed).
    meet(ledger, date(2003, 8, 15), increase("AMD-1"))
    assert not shareholder_vote(ledger, "V-1", date(2003, 9, 10), "4000000.250", "AMD-1")
    # A second proposal passes with more than half of all outstanding shares.
    meet(ledger, date(2003, 10, 1), increase("AMD-2"))
    assert shareholder_vote(ledger, "V-2", RATE_INCREASE_FROM, "4000000.251", "AMD-2")

    ledger.fund_governance.record_assignment(
        RecordAssignment(
            occurred_on=date(2004, 1, 15),
            description="change of control",
            rule_2a6_exempt=False,
            determination_reference="COUNSEL-1",
        )
    )
    meet(
        ledger,
        date(2004, 2, 10),
        resolution("R-NEW", "new_agreement", [INTL], distributor="Successor Distributors, Inc."),
    )
    summary = accrue(ledger, date(2004, 6, 20))
    assert [gap.kind for gap in summary.gaps] == [NotInEffect.AGREEMENT_ENDED, NotInEffect.LAPSED]
    for month in (
        "2003-07",
        "2003-08",
        "2003-09",
        "2003-10",
        "2003-11",
        "2003-12",
        "2004-01",
        "2004-02",
        "2004-03",
        "2004-04",
        "2004-05",
    ):
        paid[month] = pay_month(ledger, month)[1]

    # Issue 11: the late continuance covers no day; the plan resumes on the later of the
    # board's approval of a new plan and the shareholders' vote on it.
    meet(
        ledger,
        date(2004, 6, 21),
        resolution("R-CONT", "continuance", [INTL], covers_through=date(2005, 5, 30)),
        resolution("R-NEW-PLAN", "plan_approval", [INTL]),
    )
    assert shareholder_vote(
        ledger, "V-NEW-PLAN", date(2004, 7, 6), "4000000.251", "R-NEW-PLAN", subject="new_plan"
    )
    meet(
        ledger,
        date(2004, 8, 10),
        resolution(
            "R-TERM",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=date(2004, 8, 16),
        ),
    )
    summary = accrue(ledger, LAST)
    assert summary.gaps[-1].kind is NotInEffect.TERMINATED
    for month in ("2004-07", "2004-08"):
        paid[month] = pay_month(ledger, month)[1]

    accruals = {
        e.business_date: e
        for e in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(e, FundClass.FeeAccrued)
    }
    assert sorted(accruals) == [day for day in every_day(FIRST, LAST) if in_effect(day)]
    for day, event in accruals.items():
        assert (event.amount, event.absc_amount, event.service_amount) == expected_day(day), day
    months = expected_months()
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    for month, total in months.items():
        booked = (
            fund_class.accrued_absc_by_month[month] + fund_class.accrued_service_by_month[month]
        )
        assert booked == total, month
    assert paid == months
    assert fund_class.payable == 0

    with pytest.raises(RuleViolation) as refused:
        ledger.payments.pay_distributor(
            PayDistributor(
                fund_code="INTL-BCV",
                share_class="R",
                amount=Decimal("10.00"),
                paid_on=date(2004, 10, 5),
                period=parse_period("2004-09"),
                reference="ADI-2004-09",
            )
        )
    assert "terminated with effect from 2004-08-16" in refused.value.detail
