"""One fund class through the rules of issue 11, every figure checked against an independent
calculation made here with fractions (SQLite and PostgreSQL).

The timeline (INTL-BCV/R, net assets rising by 1,234.00 a day from 10,000,000.37):

1. The initial term runs to 2004-05-30; nobody continues it, so it lapses on 2004-05-31.
2. A continuance passed late, on 2004-06-10, continues nothing (decision Q6b).
3. The board approves a new plan on 2004-06-21; the class was sold before, so it waits for its
   shareholders, who approve it on 2004-07-06: the plan is back from that day (Rule 12b-1(b)(1)).
4. The FINRA aggregate-cap account opens at the end of 2004-07-05 with 50,000.00 remaining,
   prime 4.00% (interest at 5.00%); each day under it is charged its deemed asset-based charge,
   both parts, no service fee being paid (SIXTH; decision A13).
5. July, August and September 2004 are accrued and paid in full.
6. 2004-08-10's net assets are restated down by 2,500,000.00: the account is recomputed from
   August (decision A3), and August, now paid beyond its fee, leaves a receivable (A16).
7. The Independent Board Members' termination effective 2004-09-20 is learnt on 2004-10-05: the
   days from 09-20 are reversed (A19), the account recomputed, and September too leaves a
   receivable.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    OpenCapAccount,
    PayDistributor,
    RecordMeeting,
    RecordShareholderVote,
    SetPrimeRate,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from domain.periods import parse_period
from projections.compliance import compliance_as_of
from tests.builders import every_day, meeting_record, net_assets_csv, resolution

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
FIRST, LAST = date(2003, 7, 1), date(2004, 9, 30)
NET_ASSETS = {
    day: Decimal(10_000_000 + 1_234 * index) + Decimal("0.37")
    for index, day in enumerate(every_day(date(2003, 6, 30), LAST))
}
RESTATED_DAY = date(2004, 8, 10)
RESTATED = NET_ASSETS[RESTATED_DAY] - Decimal("2500000.00")
CAP_OPENED_ON, CAP_OPENING = date(2004, 7, 5), Decimal("50000.00")
INTEREST_RATE = Fraction(5, 100)  # prime 4.00% + 1% (domain notes §4.3)
RATE = Fraction(25, 10000)  # each part, Schedule B


def in_effect(day: date, *, terminated: bool) -> bool:
    """The initial term, then the new plan from its shareholders' vote (to the termination)."""
    if day <= date(2004, 5, 30):
        return True
    end = date(2004, 9, 19) if terminated else LAST
    return date(2004, 7, 6) <= day <= end


def figure(day: date, *, restated: bool) -> Fraction:
    return Fraction(RESTATED if restated and day == RESTATED_DAY else NET_ASSETS[day])


def half_up(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def year_days(day: date) -> int:
    return 366 if day.year == 2004 else 365


def exact_day(day: date, *, restated: bool) -> Fraction:
    """The day's exact total, both parts at 0.25% each, actual/actual."""
    return figure(day, restated=restated) * 2 * RATE / year_days(day)


def expected_day(day: date, *, restated: bool, terminated: bool) -> tuple[Decimal, Decimal]:
    """(total, asset-based part) in cents; equal rates split the cents in two, the odd cent
    to the asset-based part (largest remainder, ties to it)."""
    if not in_effect(day, terminated=terminated):
        return Decimal(0), Decimal(0)
    total = half_up(exact_day(day, restated=restated))
    service = (total / 2).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return total, total - service


def expected_month(month: str, *, restated: bool, terminated: bool) -> Decimal:
    """A month's cents: its exact total over the days in effect, rounded half-up once."""
    days = [d for d in every_day(FIRST, LAST) if d.isoformat()[:7] == month]
    return half_up(
        sum(
            (exact_day(d, restated=restated) for d in days if in_effect(d, terminated=terminated)),
            Fraction(0),
        )
    )


def expected_remaining(*, restated: bool, terminated: bool) -> Decimal:
    """The account at the end of September: the opening, less each month's deemed charge (its
    whole booked total: no service fee was paid), plus each month's interest on what remained
    at its start, day by day at 5.00% / 366, rounded half-up at the month's end."""
    remaining = Fraction(CAP_OPENING)
    month_start = CAP_OPENED_ON.toordinal() + 1
    for month, month_end in (("2004-07", 31), ("2004-08", 31), ("2004-09", 30)):
        charged = expected_month(month, restated=restated, terminated=terminated)
        first = date.fromordinal(month_start)
        days = (date(2004, int(month[5:]), month_end) - first).days + 1
        interest = half_up(remaining * INTEREST_RATE * days / 366)
        remaining = remaining - Fraction(charged) + Fraction(interest)
        month_start = date(2004, int(month[5:]), month_end).toordinal() + 1
    return half_up(remaining)


# ---- the ledger's side --------------------------------------------------------------------


def meet(ledger, day: date, *resolutions) -> None:
    ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY, meeting_record(f"{COMPANY}-{day}", day, list(resolutions)), source="test"
        )
    )


def accrue(ledger, through: date) -> None:
    ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[INTL]))


def pay(ledger, month: str) -> None:
    period = parse_period(month)
    ledger.payments.pay_distributor(
        PayDistributor("INTL-BCV", "R", None, period.end_exclusive, period, f"W-{month}")
    )


def import_figures(ledger, path, figures: dict[date, Decimal], reason: str | None = None) -> None:
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(path, figures), NetAssetsRow), restatement_reason=reason
        )
    )


def booked_by_day(ledger) -> dict[date, tuple[Decimal, Decimal]]:
    """Each day's (total, asset-based) cents as booked now: accrual, adjustments, reversal."""
    found: dict[date, tuple[Decimal, Decimal]] = {}
    for event in ledger.view.stream(fund_class_id("INTL-BCV", "R")):
        day = event.business_date
        if isinstance(event, FundClass.FeeAccrued):
            found[day] = (event.amount, event.absc_amount)
        elif isinstance(event, FundClass.FeeAccrualAdjusted | FundClass.FeeAccrualReversed):
            total, absc = found[day]
            found[day] = (total + event.amount_delta, absc + event.absc_amount_delta)
    return found


def check_every_day(ledger, *, restated: bool, terminated: bool) -> None:
    booked = booked_by_day(ledger)
    for day in every_day(FIRST, LAST):
        expected = expected_day(day, restated=restated, terminated=terminated)
        assert booked.get(day, (Decimal(0), Decimal(0))) == expected, day


def check_months(ledger, *, restated: bool, terminated: bool) -> None:
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    months = sorted({day.isoformat()[:7] for day in every_day(FIRST, LAST)})
    for month in months:
        booked = fund_class.accrued_absc_by_month.get(
            month, Decimal(0)
        ) + fund_class.accrued_service_by_month.get(month, Decimal(0))
        assert booked == expected_month(month, restated=restated, terminated=terminated), month


def remaining_shown(ledger) -> Decimal:
    return compliance_as_of(ledger.view.stream(fund_class_id("INTL-BCV", "R")), LAST).cap_remaining


@pytest.fixture
def scenario(loaded_ledger, tmp_path):
    """Steps 1-5: the lapse, the late continuance, the new plan, the account, paid to Sept."""
    ledger = loaded_ledger
    import_figures(ledger, tmp_path / "n.csv", NET_ASSETS)
    accrue(ledger, date(2004, 6, 9))
    meet(
        ledger,
        date(2004, 6, 10),
        resolution("R-LATE-C", "continuance", [INTL], covers_through=date(2005, 5, 30)),
    )
    meet(ledger, date(2004, 6, 21), resolution("R-NEW-PLAN", "plan_approval", [INTL]))
    ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            "INTL-BCV", "R", "V-NEW-PLAN", "new_plan", "R-NEW-PLAN", date(2004, 7, 6),
            Decimal(8_000_000), Decimal(6_000_000), Decimal(4_100_000),
            Decimal(0), Decimal(0), Decimal(0),
        )
    )  # fmt: skip
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", CAP_OPENED_ON, CAP_OPENING, "test")
    )
    ledger.fund_governance.set_prime_rate(SetPrimeRate(date(2004, 1, 1), Decimal("0.04"), "test"))
    accrue(ledger, LAST)
    for month in ("2004-07", "2004-08", "2004-09"):
        pay(ledger, month)
    return ledger


def test_a_class_through_a_lapse_a_new_plan_a_restatement_and_a_late_termination(
    scenario, tmp_path
):
    ledger = scenario
    # As accrued: the lapse (05-31 to 07-05) has no day; the late continuance none either.
    check_every_day(ledger, restated=False, terminated=False)
    check_months(ledger, restated=False, terminated=False)
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_month_start_remaining == remaining_shown(ledger)
    assert remaining_shown(ledger) == expected_remaining(restated=False, terminated=False)
    assert fund_class.receivable == Decimal(0)

    # The restatement under the account: August now accrues less than it was paid.
    import_figures(ledger, tmp_path / "r.csv", {RESTATED_DAY: RESTATED}, "NAV error")
    check_every_day(ledger, restated=True, terminated=False)
    check_months(ledger, restated=True, terminated=False)
    august_excess = expected_month("2004-08", restated=False, terminated=False) - (
        expected_month("2004-08", restated=True, terminated=False)
    )
    assert august_excess > 0
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.receivable == august_excess
    assert remaining_shown(ledger) == expected_remaining(restated=True, terminated=False)
    assert fund_class.cap_month_start_remaining == remaining_shown(ledger)

    # The termination learnt late: 09-20 to 09-30 reversed, September paid beyond its fee.
    meet(
        ledger,
        date(2004, 10, 5),
        resolution(
            "R-TERM",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=date(2004, 9, 20),
        ),
    )
    check_every_day(ledger, restated=True, terminated=True)
    check_months(ledger, restated=True, terminated=True)
    september_excess = expected_month("2004-09", restated=True, terminated=False) - (
        expected_month("2004-09", restated=True, terminated=True)
    )
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.receivable == august_excess + september_excess
    assert remaining_shown(ledger) == expected_remaining(restated=True, terminated=True)
    assert fund_class.cap_month_start_remaining == remaining_shown(ledger)
    # What is still owed: the initial term's months, never paid here; July to September are
    # settled, and what they were paid beyond their fee is owed back, not netted off here.
    unpaid_months = sorted({d.isoformat()[:7] for d in every_day(FIRST, date(2004, 5, 30))})
    assert fund_class.payable == sum(
        (expected_month(m, restated=True, terminated=True) for m in unpaid_months), Decimal(0)
    )


def test_views_as_known_before_each_late_fact_are_unchanged(scenario, tmp_path):
    """The point in time before the restatement still shows the figures of then."""
    ledger = scenario
    position = ledger.view.store.head_position()
    before = booked_by_day(ledger)
    import_figures(ledger, tmp_path / "r.csv", {RESTATED_DAY: RESTATED}, "NAV error")
    meet(
        ledger,
        date(2004, 10, 5),
        resolution(
            "R-TERM",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=date(2004, 9, 20),
        ),
    )
    then = SimpleNamespace(view=ledger.view.as_known_at(position))
    assert booked_by_day(then) == before
    assert then.view.fund_class("INTL-BCV", "R").receivable == Decimal(0)
    assert booked_by_day(ledger) != before
