"""A fund added to Schedule A whose class is already offered to the public (issue 11, decision
A17): the plan is in effect for it only from its shareholders' §2(a)(42) approval (Rule
12b-1(b)(1)); a failed vote leaves it without effect. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from eventsourcing.domain import Snapshot

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    RecordMeeting,
    RecordShareholderVote,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from domain.terms import NotInEffect
from projections.compliance import compliance_as_of
from tests.builders import every_day, meeting_record, net_assets_csv, resolution
from tests.conftest import count_events

COMPANY = "INTL-FUNDS"
GROWTH = "INTL-GROWTH/R"
PROSPECTUS = "INVESCO International Growth Fund prospectus of 2002-03-01 (Class R offered)"
ADD_FUND = {
    "fund_code": "INTL-GROWTH",
    "fund_name": "INVESCO International Growth Fund",
    "absc_rate_annual": Decimal("0.0025"),
    "service_rate_annual_max": Decimal("0.0025"),
    "total_rate_annual_max": Decimal("0.0050"),
    "offered_to_public": True,
    "offered_to_public_source": PROSPECTUS,
}


def add_growth(ledger, day=date(2003, 9, 15), resolution_id="R-ADD", **overrides):
    terms = {**ADD_FUND, **overrides}
    added = resolution(resolution_id, "amendment", [GROWTH], add_fund=terms)
    meeting = meeting_record(f"{COMPANY}-{day}", day, [added])
    return ledger.boards.record_meeting(RecordMeeting(COMPANY, meeting, source="test"))


def vote(ledger, reference, on, present, votes_for, subject="add_fund", subject_id="R-ADD"):
    return ledger.fund_governance.record_shareholder_vote(
        RecordShareholderVote(
            fund_code="INTL-GROWTH",
            share_class="R",
            vote_reference=reference,
            subject=subject,
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


@pytest.fixture
def growth_ledger(loaded_ledger, tmp_path):
    (outcome,) = add_growth(loaded_ledger)
    assert outcome.tally.passed
    figures = {
        day: Decimal("5000000.00") for day in every_day(date(2003, 9, 15), date(2003, 11, 30))
    }
    csv = net_assets_csv(tmp_path / "g.csv", figures, fund="INTL-GROWTH")
    loaded_ledger.figures.import_net_assets(ImportNetAssets(read_csv(csv, NetAssetsRow)))
    return loaded_ledger


def accrue(ledger, through):
    (summary,) = ledger.accruals.accrue(Accrue(through, max_carry_days=4, fund_classes=[GROWTH]))
    return summary


def accrued_days(ledger):
    return {
        event.business_date: event
        for event in ledger.view.stream(fund_class_id("INTL-GROWTH", "R"))
        if isinstance(event, FundClass.FeeAccrued)
    }


def test_an_added_fund_offered_to_the_public_accrues_only_from_its_shareholders_approval(
    growth_ledger,
):
    before_vote = accrue(growth_ledger, date(2003, 9, 30))
    assert before_vote.days_accrued == 0
    (gap,) = before_vote.refusals
    assert gap.kind is NotInEffect.NOT_APPROVED
    assert gap.why == (
        "awaiting the shareholders: resolution R-ADD of 2003-09-15 added the fund to Schedule A, "
        "and its class was already offered to the public (" + PROSPECTUS + "), so the plan is "
        "in effect for it only from the approval of a majority of its outstanding voting "
        "securities (§2(a)(42); Rule 12b-1(b)(1)); none is recorded"
    )
    # C1 of the brief: 60% present, 4,100,000 for >= 67% of 6,000,000.
    assert vote(growth_ledger, "V-ADD", date(2003, 10, 20), "6000000", "4100000")
    summary = accrue(growth_ledger, date(2003, 10, 31))
    assert (summary.first_day, summary.days_accrued) == (date(2003, 10, 20), 12)
    days = accrued_days(growth_ledger)
    assert min(days) == date(2003, 10, 20)
    assert days[date(2003, 10, 20)].amount == Decimal("68.49")  # 5,000,000 × 0.50% / 365
    assert "shareholders' vote V-ADD" in days[date(2003, 10, 20)].authority


def test_a_failed_vote_leaves_the_added_fund_without_effect(growth_ledger, store):
    # C2 of the brief: just under 67% of those present.
    assert not vote(growth_ledger, "V-ADD", date(2003, 10, 1), "6000000", "4019999.999")
    summary = accrue(growth_ledger, date(2003, 10, 31))
    assert summary.days_accrued == 0
    (gap,) = summary.refusals
    assert gap.why.startswith("the shareholders did not approve")
    assert "vote V-ADD of 2003-10-01 failed" in gap.why
    before = count_events(store)
    with pytest.raises(RuleViolation) as again:
        vote(growth_ledger, "V-ADD-2", date(2003, 10, 20), "6000000", "4100000")
    assert again.value.rule == "shareholder-vote-subject"
    with pytest.raises(RuleViolation) as board_alone:
        growth_ledger.boards.record_meeting(
            RecordMeeting(
                COMPANY,
                meeting_record(
                    "M-PLAN", date(2003, 10, 21), [resolution("R-PLAN", "plan_approval", [GROWTH])]
                ),
                source="test",
            )
        )
    assert board_alone.value.rule == "shareholder-approval-required"
    assert count_events(store) == before


def test_a_vote_before_the_boards_addition_or_on_an_ordinary_class_is_refused(growth_ledger):
    with pytest.raises(RuleViolation) as early:
        vote(growth_ledger, "V-0", date(2003, 9, 14), "6000000", "4100000")
    assert early.value.rule == "shareholder-vote-subject"
    with pytest.raises(RuleViolation) as other:
        vote(growth_ledger, "V-1", date(2003, 10, 1), "6000000", "4100000", subject_id="R-OTHER")
    assert other.value.rule == "shareholder-vote-subject"


def test_a_new_fund_not_yet_offered_needs_only_the_board(loaded_ledger):
    (outcome,) = add_growth(loaded_ledger, offered_to_public=False, offered_to_public_source="")
    assert outcome.tally.passed
    standing = loaded_ledger.view.fund_class("INTL-GROWTH", "R").standing()
    assert standing.plan_interval_on(date(2003, 9, 15)) is not None


def test_a_snapshot_keeps_the_addition_awaiting_its_shareholders(growth_ledger, store):
    fund_class = growth_ledger.view.fund_class("INTL-GROWTH", "R")
    assert fund_class.schedule_a_addition.status == "pending"
    snapshot = Snapshot.take(fund_class)
    stored = store.mapper.to_stored_event(snapshot)
    restored = store.mapper.to_domain_event(stored).mutate(None)
    assert restored.schedule_a_addition == fund_class.schedule_a_addition


def test_a_continuance_by_the_board_alone_cannot_put_a_pending_addition_in_effect(
    loaded_ledger, store
):
    add_growth(loaded_ledger, day=date(2004, 5, 3))
    before = count_events(store)
    continuance = resolution("C-2005", "continuance", [GROWTH], covers_through=date(2005, 5, 30))
    with pytest.raises(RuleViolation) as refused:
        loaded_ledger.boards.record_meeting(
            RecordMeeting(
                COMPANY, meeting_record("M-C", date(2004, 5, 20), [continuance]), source="test"
            )
        )
    assert refused.value.rule == "shareholder-approval-required"
    assert count_events(store) == before


def test_the_compliance_view_names_the_shareholders_the_added_fund_awaits(growth_ledger):
    stream = fund_class_id("INTL-GROWTH", "R")
    pending = compliance_as_of(growth_ledger.view.stream(stream), date(2003, 9, 30))
    assert pending.plan_status.startswith("not in effect: awaiting the shareholders: resolution")
    assert not vote(growth_ledger, "V-ADD", date(2003, 10, 1), "6000000", "4019999.999")
    failed = compliance_as_of(growth_ledger.view.stream(stream), date(2003, 10, 31))
    assert "vote V-ADD of 2003-10-01 failed under §2(a)(42)" in failed.plan_status
