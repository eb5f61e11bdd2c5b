"""Governance gates every posting: approvals, continuance, amendments, votes, termination,
notices, the agreement, sales suspension, nominations. Runs on SQLite and PostgreSQL.

Each refusal is checked for its rule and message and for writing nothing; each rule is checked
at its edge (the last day of the term, the 60th day, half present exactly).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import (
    Accrue,
    ChangeAdviser,
    GiveDistributorNotice,
    ImportGrossSales,
    ImportNetAssets,
    LoadPlan,
    NominateIndependentDirector,
    OpenCapAccount,
    PayDistributor,
    RecordAssignment,
    RecordMeeting,
    RecordSales,
    RecordShareholderVote,
    SetPrimeRate,
)
from adapters.inputs.csv_files import GrossSalesRow, NetAssetsRow, read_csv
from adapters.inputs.errors import InputError
from adapters.inputs.plan_file import read_plan
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.governance import AttendanceMode, NoticeMethod
from domain.ids import fund_class_id
from domain.money import CENT
from domain.periods import parse_period
from domain.terms import NotInEffect
from tests.builders import (
    every_day,
    meeting_record,
    net_assets_csv,
    resolution,
    seat_directors,
)
from tests.conftest import SHIPPED_PLAN, count_events

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
FIGURES = {day: Decimal("10000000.00") for day in every_day(date(2003, 6, 30), date(2005, 7, 31))}


@pytest.fixture
def figures_ledger(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    return loaded_ledger


def accrue(ledger, through):
    (summary,) = ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[INTL]))
    return summary


def accrued_days(ledger) -> dict[date, FundClass.FeeAccrued]:
    return {
        event.business_date: event
        for event in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(event, FundClass.FeeAccrued)
    }


def meet(ledger, day, *resolutions, **options):
    return ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY,
            meeting_record(
                f"{COMPANY}-{day}-{len(resolutions)}", day, list(resolutions), **options
            ),
            source="test",
        )
    )


def pay(ledger, month, amount=None, reference=None):
    return ledger.payments.pay_distributor(
        PayDistributor(
            fund_code="INTL-BCV",
            share_class="R",
            amount=amount,
            paid_on=parse_period(month).end_exclusive,
            period=parse_period(month),
            reference=reference or f"W-{month}",
        )
    )


# ---- approval -------------------------------------------------------------------------------


def test_without_an_approval_nothing_accrues_and_the_run_names_why(ledger, tmp_path):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    summary = accrue(ledger, date(2003, 7, 31))
    assert summary.days_accrued == 0
    (gap,) = summary.refusals
    assert gap.kind is NotInEffect.NOT_APPROVED
    assert "no approval of the plan by the board and the Independent Board Members" in gap.why


def test_an_approval_at_a_meeting_not_called_for_the_purpose_fails(ledger, store):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    seat_directors(ledger, COMPANY)
    (outcome,) = meet(
        ledger, date(2003, 6, 17), resolution("R-1", "plan_approval", [INTL]), called_for_plan=False
    )
    assert not outcome.tally.passed
    assert outcome.tally.reasons == (
        "the meeting was not called for the purpose of voting on the plan",
    )
    assert ledger.view.fund_class("INTL-BCV", "R").approvals == []


def test_telephone_votes_do_not_count_in_2003(ledger):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    seat_directors(ledger, COMPANY)
    on_phone = {"D-ADAMS": AttendanceMode.TELEPHONE, "D-BAKER": AttendanceMode.VIDEO}
    (outcome,) = meet(
        ledger, date(2003, 6, 17), resolution("R-1", "plan_approval", [INTL]), modes=on_phone
    )
    assert (outcome.tally.ibm_for, outcome.tally.ibm_seated) == (1, 3)
    assert not outcome.tally.passed


def test_a_meeting_with_an_unknown_director_is_bad_input(ledger, store):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    seat_directors(ledger, COMPANY)
    before = count_events(store)
    meeting = meeting_record("M-X", date(2003, 6, 17), [resolution("R-1", "plan_approval", [INTL])])
    meeting.attendance["D-NOBODY"] = AttendanceMode.PHYSICAL
    with pytest.raises(InputError) as bad:
        ledger.boards.record_meeting(RecordMeeting(COMPANY, meeting, source="m.toml"))
    assert [(p.field, p.message) for p in bad.value.problems] == [
        ("attendance.D-NOBODY", "no status is declared for this director")
    ]
    assert count_events(store) == before


# ---- term, lapse and continuance (ELEVENTH) ---------------------------------------------------


def test_the_plan_lapses_after_may_30_and_payments_for_june_are_refused(figures_ledger, store):
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert summary.last_day == date(2004, 5, 30)
    (gap,) = summary.refusals
    assert (gap.first_day, gap.kind) == (date(2004, 5, 31), NotInEffect.LAPSED)
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay(figures_ledger, "2004-06", Decimal("1.00"))
    assert refused.value.rule == "plan-not-in-effect"
    assert "lapsed: the initial term ended on 2004-05-30" in refused.value.detail
    assert count_events(store) == before
    pay(figures_ledger, "2004-05")  # May, whose days were in effect, can be paid


def test_a_late_continuance_does_not_restore_the_plan(figures_ledger):
    # Issue 11 (decision Q6b): a continuance passed after the plan lapsed continues nothing;
    # it used to cover the plan year from its own date.
    accrue(figures_ledger, date(2004, 6, 10))
    meet(
        figures_ledger,
        date(2004, 6, 15),
        resolution("R-C", "continuance", [INTL], covers_through=date(2005, 5, 30)),
    )
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert max(accrued_days(figures_ledger)) == date(2004, 5, 30)
    (gap,) = summary.refusals
    assert (gap.first_day, gap.last_day) == (date(2004, 5, 31), date(2004, 6, 30))


def test_a_retroactive_continuance_covers_no_day(figures_ledger):
    # Issue 11 (decision Q6b): `retroactive = true` is recorded as an exception, never as
    # coverage; it used to cover the whole plan year.
    accrue(figures_ledger, date(2004, 6, 10))
    meet(
        figures_ledger,
        date(2004, 6, 15),
        resolution(
            "R-C", "continuance", [INTL], covers_through=date(2005, 5, 30), retroactive=True
        ),
    )
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert [gap.first_day for gap in summary.refusals] == [date(2004, 5, 31)]
    assert date(2004, 5, 31) not in accrued_days(figures_ledger)


def test_a_continuance_on_the_last_day_of_the_term_leaves_no_gap(figures_ledger):
    meet(
        figures_ledger,
        date(2004, 5, 30),
        resolution("R-C", "continuance", [INTL], covers_through=date(2005, 5, 30)),
    )
    summary = accrue(figures_ledger, date(2005, 5, 31))
    assert summary.last_day == date(2005, 5, 30)
    assert [gap.first_day for gap in summary.refusals] == [date(2005, 5, 31)]


@pytest.mark.parametrize(
    ("approved_on", "covers_through", "words"),
    [
        (date(2004, 5, 20), date(2005, 6, 30), "ending on an anniversary of 2004-05-30"),
        (date(2003, 5, 20), date(2005, 5, 30), "must be approved within the year before it"),
    ],
)
def test_continuance_periods_are_plan_years_approved_at_least_annually(
    figures_ledger, store, approved_on, covers_through, words
):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(
            figures_ledger,
            approved_on,
            resolution("R-C", "continuance", [INTL], covers_through=covers_through),
        )
    assert refused.value.rule == "continuance-period"
    assert words in refused.value.detail
    assert count_events(store) == before


# ---- amendments (TWELFTH) -------------------------------------------------------------------


def amendment(resolution_id, absc, service, total):
    return resolution(
        resolution_id,
        "amendment",
        [INTL],
        amendment_id=resolution_id,
        absc_rate_annual=Decimal(absc),
        service_rate_annual_max=Decimal(service),
        total_rate_annual_max=Decimal(total),
    )


def vote(ledger, reference, on, present, votes_for, subject_id):
    return ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            fund_code="INTL-BCV",
            share_class="R",
            vote_reference=reference,
            subject="amendment",
            subject_id=subject_id,
            voted_on=on,
            outstanding=Decimal("10000000.000"),
            present=Decimal(present),
            votes_for=Decimal(votes_for),
            votes_against=Decimal(0),
            abstentions=Decimal(0),
            broker_non_votes=Decimal(0),
        )
    )


def test_a_rate_decrease_takes_effect_at_the_meeting(figures_ledger):
    meet(figures_ledger, date(2003, 9, 15), amendment("A-1", "0.0020", "0.0025", "0.0045"))
    accrue(figures_ledger, date(2003, 9, 30))
    days = accrued_days(figures_ledger)
    assert days[date(2003, 9, 14)].absc_rate_annual == Decimal("0.0025")
    assert days[date(2003, 9, 15)].absc_rate_annual == Decimal("0.0020")


def test_a_rate_increase_waits_for_the_shareholders_and_fails_or_passes_by_2a42(figures_ledger):
    meet(figures_ledger, date(2003, 9, 15), amendment("A-UP", "0.0030", "0.0025", "0.0055"))
    assert not vote(figures_ledger, "V-1", date(2003, 10, 1), "6000000", "4019999.999", "A-UP")
    with pytest.raises(RuleViolation) as refused:
        vote(figures_ledger, "V-2", date(2003, 10, 2), "6000000", "4100000", "A-UP")
    assert refused.value.rule == "shareholder-vote-subject"
    meet(figures_ledger, date(2003, 10, 10), amendment("A-UP2", "0.0030", "0.0025", "0.0055"))
    assert vote(figures_ledger, "V-3", date(2003, 10, 20), "6000000", "4100000", "A-UP2")
    accrue(figures_ledger, date(2003, 10, 31))
    days = accrued_days(figures_ledger)
    assert days[date(2003, 10, 19)].absc_rate_annual == Decimal("0.0025")
    assert days[date(2003, 10, 20)].absc_rate_annual == Decimal("0.0030")
    assert days[date(2003, 10, 20)].amount == Decimal("150.68")  # 10,000,000 × 0.55% / 365


def test_an_amendment_above_the_finra_cap_is_refused(figures_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(figures_ledger, date(2003, 9, 15), amendment("A-X", "0.0080", "0.0025", "0.0105"))
    assert refused.value.rule == "finra-absc-cap"
    assert count_events(store) == before


def test_a_rate_change_for_days_already_accrued_is_refused(figures_ledger, store):
    accrue(figures_ledger, date(2003, 9, 30))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(figures_ledger, date(2003, 9, 15), amendment("A-1", "0.0020", "0.0025", "0.0045"))
    assert refused.value.rule == "governance-after-accrual"
    assert count_events(store) == before


# ---- termination, notices, the agreement (THIRTEENTH, FOURTEENTH) -----------------------------


def test_termination_by_the_independent_board_members_ends_plan_and_agreement(figures_ledger):
    meet(
        figures_ledger,
        date(2003, 11, 10),
        resolution(
            "R-T",
            "termination",
            [INTL],
            votes_for=("D-ADAMS", "D-BAKER"),
            effective_on=date(2003, 11, 15),
        ),
    )
    summary = accrue(figures_ledger, date(2003, 11, 30))
    assert summary.last_day == date(2003, 11, 14)
    assert summary.gaps[0].kind is NotInEffect.TERMINATED
    assert summary.refusals == []
    with pytest.raises(RuleViolation) as refused:
        pay(figures_ledger, "2003-12", Decimal("1.00"))
    assert "the plan was terminated with effect from 2003-11-15" in refused.value.detail


def notice(ledger, sent_on, terminates_on, method=NoticeMethod.DELIVERED, received_on=None):
    """The date the notice took effect."""
    return ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=method,
            sent_on=sent_on,
            received_on=received_on,
            termination_effective_on=terminates_on,
            document_reference=f"LETTER-{sent_on}",
        )
    ).effective


def test_the_distributors_notice_takes_effect_sixty_days_after_it_at_the_earliest(
    figures_ledger, store
):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        notice(figures_ledger, date(2003, 9, 1), date(2003, 10, 30))
    assert refused.value.rule == "notice-period"
    assert "may end on 2003-10-31 at the earliest" in refused.value.detail
    assert count_events(store) == before
    assert notice(figures_ledger, date(2003, 9, 1), date(2003, 10, 31)) == date(2003, 9, 1)
    summary = accrue(figures_ledger, date(2003, 11, 30))
    assert summary.last_day == date(2003, 10, 30)
    assert summary.gaps[0].kind is NotInEffect.AGREEMENT_ENDED


def test_a_mailed_notice_takes_effect_three_business_days_after_mailing(figures_ledger):
    mailed = date(2003, 9, 5)  # a Friday
    assert notice(figures_ledger, mailed, date(2003, 11, 9), NoticeMethod.MAILED) == date(
        2003, 9, 10
    )


def test_an_assignment_ends_the_agreement_and_a_new_one_restores_it(figures_ledger, store):
    figures_ledger.fund_governance.record_assignment(
        RecordAssignment(
            occurred_on=date(2003, 8, 16),
            description="sale of a controlling block of the Distributor",
            rule_2a6_exempt=False,
            determination_reference="COUNSEL-2003-08",
        )
    )
    summary = accrue(figures_ledger, date(2003, 8, 31))
    assert summary.last_day == date(2003, 8, 15)
    assert summary.gaps[0].kind is NotInEffect.AGREEMENT_ENDED
    assert summary.refusals == []  # accruals are suspended in the gap (decision Q11)
    with pytest.raises(RuleViolation):
        pay(figures_ledger, "2003-09", Decimal("1.00"))
    meet(
        figures_ledger,
        date(2003, 9, 10),
        resolution("R-N", "new_agreement", [INTL], distributor="New Distributor, Inc."),
    )
    accrue(figures_ledger, date(2003, 9, 30))
    days = accrued_days(figures_ledger)
    assert date(2003, 9, 9) not in days and date(2003, 9, 10) in days
    pay(figures_ledger, "2003-09")


def test_an_adviser_without_affiliation_ends_the_agreement_of_the_companys_classes(figures_ledger):
    ended = figures_ledger.boards.change_adviser(
        ChangeAdviser(
            company_code=COMPANY,
            adviser_name="Other Advisers LLC",
            effective_on=date(2003, 8, 1),
            affiliated=False,
            reference="BOARD-MINUTES-2003-07",
        )
    )
    assert ended == [INTL]
    assert accrue(figures_ledger, date(2003, 8, 31)).last_day == date(2003, 7, 31)


def test_suspending_sales_blocks_neither_accruals_nor_payments(figures_ledger):
    figures_ledger.fund_governance.record_sales(
        RecordSales(
            fund_code="INTL-BCV",
            share_class="R",
            on=date(2003, 7, 10),
            suspended=True,
            reason="fund closed to new investors",
        )
    )
    assert accrue(figures_ledger, date(2003, 7, 31)).days_accrued == 31
    pay(figures_ledger, "2003-07")


# ---- nominations (TWELFTH) ------------------------------------------------------------------


def test_a_nomination_needs_a_majority_of_the_non_interested_directors(loaded_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        loaded_ledger.boards.nominate_independent_director(
            NominateIndependentDirector(
                company_code=COMPANY,
                nominee="Erin Evans",
                nominated_on=date(2003, 9, 1),
                approved_by=["D-ADAMS", "D-DOYLE"],
            )
        )
    assert "approved by 1 of the 3 directors in office who are not interested" in str(refused.value)
    assert count_events(store) == before
    assert (
        loaded_ledger.boards.nominate_independent_director(
            NominateIndependentDirector(
                company_code=COMPANY,
                nominee="Erin Evans",
                nominated_on=date(2003, 9, 1),
                approved_by=["D-ADAMS", "D-BAKER"],
            )
        )
        == "recorded"
    )


# ---- the FINRA aggregate cap (oracle 9(e)) ----------------------------------------------------


def test_the_cap_account_reproduces_oracle_9e(loaded_ledger, tmp_path):
    from tests import oracles
    from tests.builders import write_csv

    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS), NetAssetsRow)
        )
    )
    august = {day: Decimal("10185000.00") for day in every_day(date(2003, 8, 1), date(2003, 8, 31))}
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "a.csv", august), NetAssetsRow))
    )
    loaded_ledger.fund_governance.open_cap_account(
        OpenCapAccount(
            fund_code="INTL-BCV",
            share_class="R",
            as_of=date(2003, 6, 30),
            remaining=Decimal("0.00"),
            note="no sales before the plan",
        )
    )
    loaded_ledger.figures.import_gross_sales(
        ImportGrossSales(
            read_csv(
                write_csv(
                    tmp_path / "s.csv",
                    ["fund", "class", "date", "gross_sales", "reinvested_distributions"],
                    [("INTL-BCV", "R", "2003-07-01", "2100000.00", "100000.00")],
                ),
                GrossSalesRow,
            )
        )
    )
    loaded_ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0.04"), "assumed, as in the brief")
    )
    accrue(loaded_ledger, date(2003, 8, 31))
    credits = [
        e
        for e in loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(e, FundClass.CapInterestCredited)
    ]
    # Oracle 9(e) takes off July's asset-based column (2,141.35): it assumes the service part
    # passed on to dealers within July. No service fee is recorded here, so under SIXTH all of
    # July's accrual, 4,282.70, is deemed an asset-based charge (decision A13): 125,000.00 -
    # 4,282.70 = 120,717.30, which earns 120,717.30 x 5% x 31/365 = 512.6378 in August. With
    # the oracle's own balance the same mechanic gives its 521.73.
    assert Decimal("125000.00") - oracles.JULY_2003_MONTH_AMOUNT == Decimal("120717.30")
    assert [(c.month, c.amount) for c in credits] == [
        ("2003-07", Decimal("0.00")),
        ("2003-08", Decimal("512.64")),
    ]
    assert credits[0].remaining_after == Decimal("120717.30")
    assert (Decimal("120717.30") * Decimal("0.05") * 31 / 365).quantize(CENT) == Decimal("512.64")
    assert (Decimal("122858.65") * Decimal("0.05") * 31 / 365).quantize(CENT) == Decimal("521.73")


def test_the_asset_based_part_stops_when_the_remaining_amount_is_used_up(loaded_ledger, tmp_path):
    from tests.builders import write_csv

    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    loaded_ledger.fund_governance.open_cap_account(
        OpenCapAccount(
            fund_code="INTL-BCV",
            share_class="R",
            as_of=date(2003, 6, 30),
            remaining=Decimal("200.00"),
            note="test",
        )
    )
    loaded_ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0"), "zero, to isolate the cap")
    )
    summary = accrue(loaded_ledger, date(2003, 7, 31))
    assert summary.days_accrued == 31
    days = accrued_days(loaded_ledger)
    # 136.99 a day, 68.50 of it asset-based (the odd cent goes to that part), all of it deemed
    # an asset-based charge until service fees are passed on (SIXTH; decision A13): the first
    # day accrues in full and leaves 63.01, the second day's asset-based part takes those 63.01,
    # then nothing. The service part is not limited; it keeps accruing (and is charged).
    assert [days[date(2003, 7, d)].absc_amount for d in (1, 2, 3, 4)] == [
        Decimal("68.50"),
        Decimal("63.01"),
        Decimal("0.00"),
        Decimal("0.00"),
    ]
    assert [days[date(2003, 7, d)].cap_charge for d in (1, 2, 3)] == [
        Decimal("136.99"),
        Decimal("131.50"),
        Decimal("68.49"),
    ]
    assert days[date(2003, 7, 2)].absc_limited_by.startswith("finra-aggregate-cap")
    assert days[date(2003, 7, 4)].service_amount == Decimal("68.49")
    true_up = next(
        e
        for e in loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(e, FundClass.AccrualTrueUpPosted)
    )
    # The month's exact asset-based charge (a full day at the rate, 68.4931..., plus the 63.01)
    # is 131.50 after rounding once; the true-up takes the odd cent back.
    assert true_up.month_absc_amount == Decimal("131.50")
    assert loaded_ledger.view.fund_class("INTL-BCV", "R").accrued_absc_by_month[
        "2003-07"
    ] == Decimal("131.50")
    suspended = [
        e
        for e in loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(e, FundClass.AbscSuspended)
    ]
    assert [s.business_date for s in suspended] == [date(2003, 7, 2)]
    loaded_ledger.figures.import_gross_sales(
        ImportGrossSales(
            read_csv(
                write_csv(
                    tmp_path / "s.csv",
                    ["fund", "class", "date", "gross_sales"],
                    [("INTL-BCV", "R", "2003-08-05", "100000.00")],
                ),
                GrossSalesRow,
            )
        )
    )
    accrue(loaded_ledger, date(2003, 8, 10))
    days = accrued_days(loaded_ledger)
    assert days[date(2003, 8, 4)].absc_amount == Decimal("0.00")
    assert days[date(2003, 8, 5)].absc_amount == Decimal("68.50")


def test_an_amendment_adding_a_fund_to_schedule_a_adopts_a_new_class(loaded_ledger, tmp_path):
    added = resolution(
        "R-ADD",
        "amendment",
        ["INTL-GROWTH/R"],
        add_fund={
            "fund_code": "INTL-GROWTH",
            "fund_name": "INVESCO International Growth Fund",
            "absc_rate_annual": Decimal("0.0025"),
            "service_rate_annual_max": Decimal("0.0025"),
            "total_rate_annual_max": Decimal("0.0050"),
        },
    )
    (outcome,) = meet(loaded_ledger, date(2003, 9, 15), added)
    assert outcome.tally.passed
    assert "INTL-GROWTH/R" in loaded_ledger.view.fund_class_keys()
    growth = {day: Decimal("5000000.00") for day in every_day(date(2003, 9, 15), date(2003, 9, 30))}
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "g.csv", growth, fund="INTL-GROWTH"), NetAssetsRow)
        )
    )
    (summary,) = loaded_ledger.accruals.accrue(
        Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=["INTL-GROWTH/R"])
    )
    assert (summary.first_day, summary.days_accrued) == (date(2003, 9, 15), 16)
    with pytest.raises(InputError) as bad:
        meet(
            loaded_ledger,
            date(2003, 9, 16),
            resolution("R-ADD2", "amendment", ["INTL-GROWTH/R"], add_fund=added.terms["add_fund"]),
        )
    assert "INTL-GROWTH/R is already a fund class" in str(bad.value.problems[0])
