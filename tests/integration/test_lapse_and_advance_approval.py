"""No cure for a lapse, and a replacement agreement approved in advance (issue 11).

ELEVENTH continues the plan "from year to year ..., provided that such continuance is
specifically approved at least annually"; Rule 12b-1(b)(3)(i) likewise. A plan that lapsed is
no longer in effect: a continuance passed afterwards continues nothing (decision Q6b). The plan
resumes only with the approvals a new plan needs: the board and the Independent Board Members
(Rule 12b-1(b)(2)) and, for a class whose shares were already sold, its shareholders (Rule
12b-1(b)(1)), from the day they are all in place. THIRTEENTH (C): payments resume "only upon
the approval of a new agreement"; a board may approve one in advance, effective on a date or on
the assignment (decision Q11a). A `retroactive` approval is recorded as an exception, never as
coverage. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import (
    Accrue,
    GiveDistributorNotice,
    ImportNetAssets,
    LoadPlan,
    PayDistributor,
    RecordAssignment,
    RecordMeeting,
    RecordShareholderVote,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.plan_file import read_plan
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.governance import NoticeMethod
from domain.ids import fund_class_id
from domain.periods import parse_period
from domain.terms import NotInEffect
from projections.compliance import compliance_as_of
from tests.builders import approve_plan, every_day, meeting_record, net_assets_csv, resolution
from tests.conftest import SHIPPED_PLAN, count_events

INTL = "INTL-BCV/R"
COMPANY = "INTL-FUNDS"
FIGURES = {day: Decimal("10000000.00") for day in every_day(date(2003, 6, 30), date(2004, 8, 31))}
LAPSE = date(2004, 5, 31)


@pytest.fixture
def figures_ledger(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    return loaded_ledger


def meet(ledger, day, *resolutions):
    return ledger.boards.record_meeting(
        RecordMeeting(
            COMPANY, meeting_record(f"{COMPANY}-{day}", day, list(resolutions)), source="test"
        )
    )


def accrue(ledger, through):
    (summary,) = ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[INTL]))
    return summary


def accrued_days(ledger) -> dict[date, FundClass.FeeAccrued]:
    return {
        event.business_date: event
        for event in ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(event, FundClass.FeeAccrued)
    }


def events_of(ledger, kind):
    return [e for e in ledger.view.stream(fund_class_id("INTL-BCV", "R")) if isinstance(e, kind)]


def compliance(ledger, as_of):
    return compliance_as_of(ledger.view.stream(fund_class_id("INTL-BCV", "R")), as_of)


def new_plan_vote(ledger, reference, on, votes_for, subject_id="R-NEW-PLAN"):
    return ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            fund_code="INTL-BCV",
            share_class="R",
            vote_reference=reference,
            subject="new_plan",
            subject_id=subject_id,
            voted_on=on,
            outstanding=Decimal("8000000"),
            present=Decimal("6000000"),
            votes_for=Decimal(votes_for),
            votes_against=Decimal(0),
            abstentions=Decimal(0),
            broker_non_votes=Decimal(0),
        )
    )


def pay(ledger, month):
    period = parse_period(month)
    return ledger.payments.pay_distributor(
        PayDistributor(
            fund_code="INTL-BCV",
            share_class="R",
            amount=None,
            paid_on=period.end_exclusive,
            period=period,
            reference=f"W-{month}",
        )
    )


def assignment(ledger, occurred_on, reference="COUNSEL-2003-08"):
    ledger.fund_governance.record_assignment(
        RecordAssignment(
            occurred_on=occurred_on,
            description="sale of a controlling block of the Distributor",
            rule_2a6_exempt=False,
            determination_reference=reference,
        )
    )


# ---- no cure for a lapse (ELEVENTH; Rule 12b-1(b)(1), (b)(3)(i); decision Q6b) ---------------


def test_a_continuance_passed_after_the_lapse_covers_no_day(figures_ledger):
    accrue(figures_ledger, date(2004, 6, 10))
    meet(
        figures_ledger,
        date(2004, 6, 15),
        resolution("R-C", "continuance", [INTL], covers_through=date(2005, 5, 30)),
    )
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert max(accrued_days(figures_ledger)) == date(2004, 5, 30)
    (gap,) = summary.refusals
    assert (gap.first_day, gap.last_day, gap.kind) == (
        LAPSE,
        date(2004, 6, 30),
        NotInEffect.LAPSED,
    )
    assert events_of(figures_ledger, FundClass.ContinuanceApproved) == []
    (exception,) = events_of(figures_ledger, FundClass.ApprovalExceptionRecorded)
    assert (exception.resolution_id, exception.claims_from, exception.claims_through) == (
        "R-C",
        date(2004, 6, 15),
        date(2005, 5, 30),
    )
    assert "lapsed on 2004-05-31" in exception.reason
    row = compliance(figures_ledger, date(2004, 6, 30))
    assert row.plan_status.startswith("not in effect: lapsed")
    assert any("R-C" in item.text and "2004-06-15..2005-05-30" in item.text for item in row.items)
    standing = figures_ledger.view.fund_class("INTL-BCV", "R").standing()
    assert standing.why_not_in_effect(date(2004, 6, 15))[0] is NotInEffect.LAPSED


def test_a_retroactive_continuance_is_an_exception_never_coverage(figures_ledger):
    accrue(figures_ledger, date(2004, 6, 10))
    meet(
        figures_ledger,
        date(2004, 6, 15),
        resolution(
            "R-C", "continuance", [INTL], covers_through=date(2005, 5, 30), retroactive=True
        ),
    )
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert [(gap.first_day, gap.last_day) for gap in summary.refusals] == [
        (LAPSE, date(2004, 6, 30))
    ]
    (exception,) = events_of(figures_ledger, FundClass.ApprovalExceptionRecorded)
    assert exception.retroactive
    assert (exception.claims_from, exception.claims_through) == (LAPSE, date(2005, 5, 30))
    items = [item.text for item in compliance(figures_ledger, date(2004, 6, 30)).items]
    assert any("R-C" in text and "2004-05-31..2005-05-30" in text for text in items)


def test_a_new_plan_resumes_from_the_shareholders_vote_after_the_boards_approval(figures_ledger):
    accrue(figures_ledger, date(2004, 6, 30))
    meet(figures_ledger, date(2004, 6, 15), resolution("R-NEW-PLAN", "plan_approval", [INTL]))
    # The class's shares were sold before (net assets since 2003-06-30): the board's approval
    # alone does not bring the plan back (Rule 12b-1(b)(1)).
    summary = accrue(figures_ledger, date(2004, 7, 5))
    assert max(accrued_days(figures_ledger)) == date(2004, 5, 30)
    assert summary.refusals[0].kind is NotInEffect.LAPSED
    (pending,) = events_of(figures_ledger, FundClass.NewPlanAwaitsShareholders)
    assert pending.offered_to_public_since == date(2003, 6, 30)
    assert any(
        "R-NEW-PLAN" in item.text and "shareholders" in item.text
        for item in compliance(figures_ledger, date(2004, 7, 5)).items
    )

    # 6,000,000 present of 8,000,000 outstanding; 4,100,000 for: 67% of those present.
    assert new_plan_vote(figures_ledger, "V-NP", date(2004, 7, 6), "4100000")
    summary = accrue(figures_ledger, date(2004, 7, 31))
    assert [(gap.first_day, gap.last_day) for gap in summary.refusals] == [
        (LAPSE, date(2004, 7, 5))
    ]
    days = accrued_days(figures_ledger)
    assert [day for day in days if day > date(2004, 5, 30)] == list(
        every_day(date(2004, 7, 6), date(2004, 7, 31))
    )
    assert days[date(2004, 7, 6)].authority == (
        "new plan 2004-07-06..2005-05-30, approved by resolution R-NEW-PLAN of 2004-06-15 "
        "and the shareholders' vote V-NP of 2004-07-06 (ELEVENTH)"
    )
    fund_class = figures_ledger.view.fund_class("INTL-BCV", "R")
    july = (
        fund_class.accrued_absc_by_month["2004-07"] + fund_class.accrued_service_by_month["2004-07"]
    )
    assert july == Decimal("3551.91")  # 10,000,000 x 0.005 x 26 / 366, rounded half-up
    assert compliance(figures_ledger, date(2004, 7, 31)).plan_status.startswith(
        "in effect: new plan 2004-07-06..2005-05-30"
    )
    # After that plan year, continuances apply as usual: one passed in time covers the next.
    meet(
        figures_ledger,
        date(2005, 5, 20),
        resolution("R-C-2005", "continuance", [INTL], covers_through=date(2006, 5, 30)),
    )
    standing = figures_ledger.view.fund_class("INTL-BCV", "R").standing()
    assert standing.plan_interval_on(date(2005, 5, 31)).name == "continuance"


def test_a_failed_vote_leaves_the_plan_lapsed_and_a_vote_before_the_board_is_refused(
    figures_ledger, store
):
    meet(figures_ledger, date(2004, 6, 15), resolution("R-NEW-PLAN", "plan_approval", [INTL]))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        new_plan_vote(figures_ledger, "V-EARLY", date(2004, 6, 14), "4100000")
    assert refused.value.rule == "shareholder-vote-subject"
    assert count_events(store) == before
    # 4,000,000 for: exactly half of those outstanding, under 67% of those present.
    assert not new_plan_vote(figures_ledger, "V-NP", date(2004, 7, 6), "4000000")
    standing = figures_ledger.view.fund_class("INTL-BCV", "R").standing()
    assert standing.plan_interval_on(date(2004, 7, 6)) is None
    with pytest.raises(RuleViolation):
        new_plan_vote(figures_ledger, "V-NP-2", date(2004, 7, 20), "6000000")


def test_a_class_never_offered_to_the_public_needs_no_shareholder_vote(ledger):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    approve_plan(ledger)  # no net assets recorded: no share of the class was ever sold
    meet(ledger, date(2004, 6, 15), resolution("R-NEW-PLAN", "plan_approval", [INTL]))
    standing = ledger.view.fund_class("INTL-BCV", "R").standing()
    assert standing.plan_interval_on(date(2004, 6, 14)) is None
    interval = standing.plan_interval_on(date(2004, 6, 15))
    assert (interval.start, interval.end_inclusive, interval.name) == (
        date(2004, 6, 15),
        date(2005, 5, 30),
        "new plan",
    )
    assert (
        interval.approved_by == "resolution R-NEW-PLAN of 2004-06-15"
    )  # no shareholder vote named


def test_a_plan_approval_while_the_plan_is_in_effect_changes_nothing(figures_ledger):
    meet(figures_ledger, date(2004, 3, 1), resolution("R-AGAIN", "plan_approval", [INTL]))
    assert events_of(figures_ledger, FundClass.PlanResumed) == []
    assert events_of(figures_ledger, FundClass.NewPlanAwaitsShareholders) == []


# ---- a new agreement approved in advance (THIRTEENTH (C); decision Q11a) -----------------------


def test_a_new_agreement_approved_in_advance_on_the_assignment_leaves_no_gap(figures_ledger):
    meet(
        figures_ledger,
        date(2003, 8, 1),
        resolution(
            "R-N",
            "new_agreement",
            [INTL],
            distributor="New Distributor, Inc.",
            on_assignment="COUNSEL-2003-08",
        ),
    )
    assert (
        figures_ledger.view.fund_class("INTL-BCV", "R")
        .standing()
        .agreement_in_effect(date(2003, 8, 16))
    )
    assignment(figures_ledger, date(2003, 8, 16))
    summary = accrue(figures_ledger, date(2003, 9, 30))
    assert summary.gaps == [] and summary.refusals == []
    assert list(accrued_days(figures_ledger)) == list(
        every_day(date(2003, 7, 1), date(2003, 9, 30))
    )
    (restored,) = events_of(figures_ledger, FundClass.AgreementRestored)
    assert (restored.resolution_id, restored.effective_on) == ("R-N", date(2003, 8, 16))
    pay(figures_ledger, "2003-08")
    assert compliance(figures_ledger, date(2003, 9, 30)).agreement_status == "in effect"


def test_a_new_agreement_approved_in_advance_for_a_date_starts_then(figures_ledger):
    # The Distributor's notice (delivered 2003-07-01) ends the agreement on 2003-09-01.
    figures_ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=NoticeMethod.DELIVERED,
            sent_on=date(2003, 7, 1),
            received_on=date(2003, 7, 1),
            termination_effective_on=date(2003, 9, 1),
            document_reference="LETTER-2003-07-01",
        )
    )
    meet(
        figures_ledger,
        date(2003, 8, 15),
        resolution(
            "R-N",
            "new_agreement",
            [INTL],
            distributor="Successor, Inc.",
            effective_on=date(2003, 9, 8),
        ),
    )
    summary = accrue(figures_ledger, date(2003, 9, 30))
    (gap,) = summary.gaps
    assert (gap.first_day, gap.last_day, gap.kind) == (
        date(2003, 9, 1),
        date(2003, 9, 7),
        NotInEffect.AGREEMENT_ENDED,
    )
    assert date(2003, 9, 8) in accrued_days(figures_ledger)


def test_an_advance_approval_effective_on_the_end_of_the_agreement_leaves_no_gap(figures_ledger):
    meet(
        figures_ledger,
        date(2003, 8, 1),
        resolution(
            "R-N",
            "other_arrangement",
            [INTL],
            distributor="Successor, Inc.",
            effective_on=date(2003, 9, 1),
        ),
    )
    figures_ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=NoticeMethod.DELIVERED,
            sent_on=date(2003, 8, 2),
            received_on=date(2003, 8, 2),
            termination_effective_on=date(2003, 10, 1),
            document_reference="LETTER-2003-08-02",
        )
    )
    summary = accrue(figures_ledger, date(2003, 10, 31))
    assert summary.gaps == []
    (restored,) = events_of(figures_ledger, FundClass.AgreementRestored)
    assert restored.effective_on == date(2003, 10, 1)


@pytest.mark.parametrize(
    ("terms", "rule"),
    [
        ({"effective_on": date(2003, 7, 31)}, "agreement-effective-before-approval"),
        ({}, "agreement-in-effect"),
    ],
)
def test_advance_approvals_that_are_refused(figures_ledger, store, terms, rule):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(
            figures_ledger,
            date(2003, 8, 1),
            resolution("R-N", "new_agreement", [INTL], distributor="X, Inc.", **terms),
        )
    assert refused.value.rule == rule
    assert count_events(store) == before


def test_naming_an_assignment_that_already_ended_the_agreement_is_refused(figures_ledger, store):
    assignment(figures_ledger, date(2003, 8, 16))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(
            figures_ledger,
            date(2003, 9, 10),
            resolution(
                "R-N",
                "new_agreement",
                [INTL],
                distributor="X, Inc.",
                on_assignment="COUNSEL-2003-08",
            ),
        )
    assert refused.value.rule == "agreement-effective-before-approval"
    assert count_events(store) == before


def test_a_second_advance_approval_while_one_waits_is_refused(figures_ledger, store):
    meet(
        figures_ledger,
        date(2003, 8, 1),
        resolution("R-N", "new_agreement", [INTL], distributor="X", on_assignment="COUNSEL-A"),
    )
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        meet(
            figures_ledger,
            date(2003, 8, 5),
            resolution("R-M", "new_agreement", [INTL], distributor="Y", on_assignment="COUNSEL-B"),
        )
    assert refused.value.rule == "agreement-approval-pending"
    assert count_events(store) == before


def test_an_advance_approval_naming_an_assignment_that_never_comes_waits(figures_ledger):
    meet(
        figures_ledger,
        date(2003, 8, 1),
        resolution("R-N", "new_agreement", [INTL], distributor="X", on_assignment="COUNSEL-A"),
    )
    assignment(figures_ledger, date(2003, 8, 16), reference="COUNSEL-OTHER")
    summary = accrue(figures_ledger, date(2003, 8, 31))
    assert summary.last_day == date(2003, 8, 15)
    assert events_of(figures_ledger, FundClass.AgreementRestored) == []
    items = [item.text for item in compliance(figures_ledger, date(2003, 8, 31)).items]
    assert any("R-N" in text and "COUNSEL-A" in text for text in items)


def test_a_retroactive_new_agreement_covers_from_its_approval_and_records_the_claim(
    figures_ledger,
):
    assignment(figures_ledger, date(2003, 8, 16))
    meet(
        figures_ledger,
        date(2003, 9, 10),
        resolution(
            "R-N", "new_agreement", [INTL], distributor="New Distributor, Inc.", retroactive=True
        ),
    )
    accrue(figures_ledger, date(2003, 9, 30))
    days = accrued_days(figures_ledger)
    assert date(2003, 9, 9) not in days and date(2003, 9, 10) in days
    (restored,) = events_of(figures_ledger, FundClass.AgreementRestored)
    assert restored.effective_on == date(2003, 9, 10)
    (exception,) = events_of(figures_ledger, FundClass.ApprovalExceptionRecorded)
    assert (exception.claims_from, exception.claims_through) == (
        date(2003, 8, 16),
        date(2003, 9, 9),
    )
    items = [item.text for item in compliance(figures_ledger, date(2003, 9, 30)).items]
    assert any("R-N" in text and "2003-08-16..2003-09-09" in text for text in items)


# ---- events stored before issue 11 keep the answers they gave --------------------------------


def store_as_before(ledger, event_class, business_date, key, **fields):
    """Write an event as the code before issue 11 did (it no longer writes such events)."""
    from domain.events import provenance_fields

    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    fund_class.trigger_event(
        event_class,
        **provenance_fields(ledger.ports.provenance("old"), business_date, key),
        **fields,
    )
    ledger.ports.save(fund_class)


def test_a_late_continuance_stored_before_keeps_its_coverage_and_is_named(figures_ledger):
    accrue(figures_ledger, date(2004, 6, 10))
    store_as_before(
        figures_ledger,
        FundClass.ContinuanceApproved,
        date(2004, 6, 15),
        "continuance/INTL-BCV/R/R-OLD",
        resolution_id="R-OLD",
        meeting_id="M-OLD",
        period_start=LAPSE,
        period_end_inclusive=date(2005, 5, 30),
        covers_from=LAPSE,
        retroactive=True,
    )
    # Read as it was recorded: the accruals it authorised, and the views, stay the same.
    summary = accrue(figures_ledger, date(2004, 6, 30))
    assert summary.refusals == []
    assert LAPSE in accrued_days(figures_ledger)
    row = compliance(figures_ledger, date(2004, 6, 30))
    assert row.plan_status.startswith("in effect: continuance 2004-05-31..2005-05-30")
    (note,) = [item for item in row.items if "R-OLD" in item.text]
    assert "under the rule before issue 11" in note.text and not note.overdue


def test_a_retroactive_agreement_stored_before_keeps_its_coverage_and_is_named(figures_ledger):
    assignment(figures_ledger, date(2003, 8, 16))
    store_as_before(
        figures_ledger,
        FundClass.AgreementRestored,
        date(2003, 9, 10),
        "agreement-restored/INTL-BCV/R/R-OLD",
        kind="new_agreement",
        resolution_id="R-OLD",
        distributor_name="New Distributor, Inc.",
        effective_on=date(2003, 8, 16),
        retroactive=True,
    )
    summary = accrue(figures_ledger, date(2003, 9, 30))
    assert summary.gaps == []
    items = [item.text for item in compliance(figures_ledger, date(2003, 9, 30)).items]
    assert any("R-OLD" in text and "from 2003-08-16, before its approval" in text for text in items)


def test_a_vote_on_a_second_new_plan_once_the_plan_is_back_is_refused(figures_ledger, store):
    meet(
        figures_ledger,
        date(2004, 6, 15),
        resolution("R-NEW-PLAN", "plan_approval", [INTL]),
        resolution("R-NEW-PLAN-2", "plan_approval", [INTL]),
    )
    assert new_plan_vote(figures_ledger, "V-1", date(2004, 7, 6), "4100000")
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        new_plan_vote(figures_ledger, "V-2", date(2004, 7, 9), "4100000", "R-NEW-PLAN-2")
    assert refused.value.rule == "shareholder-vote-subject"
    assert "the plan is in effect on 2004-07-09" in refused.value.detail
    assert count_events(store) == before


def test_an_assignment_learnt_late_with_a_new_agreement_approved_for_it_reverses_nothing(
    figures_ledger,
):
    """The board approved a new agreement in advance, effective on the assignment; counsel's
    determination of the assignment (2003-08-16) arrives after accruals ran to 2003-08-31. The
    new agreement takes effect the same day, so no day leaves effect and none is reversed
    (decisions Q11a, A19)."""
    meet(
        figures_ledger,
        date(2003, 8, 1),
        resolution(
            "R-N",
            "new_agreement",
            [INTL],
            distributor="New Distributor, Inc.",
            on_assignment="COUNSEL-2003-08",
        ),
    )
    accrue(figures_ledger, date(2003, 8, 31))
    accrued_before = accrued_days(figures_ledger)
    assignment(figures_ledger, date(2003, 8, 16))
    assert events_of(figures_ledger, FundClass.FeeAccrualReversed) == []
    assert accrued_days(figures_ledger) == accrued_before
    (restored,) = events_of(figures_ledger, FundClass.AgreementRestored)
    assert restored.effective_on == date(2003, 8, 16)
    standing = figures_ledger.view.fund_class("INTL-BCV", "R").standing()
    assert all(standing.agreement_in_effect(day) for day in accrued_before)


def test_the_bundle_names_the_new_plan_and_the_agreement_approved_in_advance(
    figures_ledger, tmp_path
):
    """What a regulator receives says by what authority the plan came back after the lapse,
    and which new agreement waits for the assignment it names."""
    import json
    import zipfile

    from adapters.outputs.bundle import export_bundle

    accrue(figures_ledger, date(2004, 6, 30))
    meet(figures_ledger, date(2004, 6, 15), resolution("R-NEW-PLAN", "plan_approval", [INTL]))
    assert new_plan_vote(figures_ledger, "V-NP", date(2004, 7, 6), "4100000")
    meet(
        figures_ledger,
        date(2004, 7, 20),
        resolution("R-N", "new_agreement", [INTL], distributor="X, Inc.", on_assignment="C-1"),
    )
    accrue(figures_ledger, date(2004, 7, 31))
    bundle = export_bundle(figures_ledger.view, date(2004, 7, 31), None, tmp_path / "b.zip").path
    with zipfile.ZipFile(bundle) as archive:
        [row] = [
            row
            for row in json.loads(archive.read("read-models/governance.json"))["fund_classes"]
            if row["fund_class"] == INTL
        ]
    assert row["new_plans"] == [
        {
            "resolution_id": "R-NEW-PLAN",
            "approved_on": "2004-06-15",
            "covers_from": "2004-07-06",
            "period_end_inclusive": "2005-05-30",
            "vote_reference": "V-NP",
        }
    ]
    assert row["agreements_approved_in_advance"] == [
        {
            "resolution_id": "R-N",
            "kind": "new_agreement",
            "distributor_name": "X, Inc.",
            "approved_on": "2004-07-20",
            "effective_on": None,
            "on_assignment": "C-1",
        }
    ]
