"""The Distributor's notice and an assignment are idempotent by their natural key, the document
reference (issue 11): the same command again records nothing; the same reference with other
details is refused. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import (
    GiveDistributorNotice,
    ImportNetAssets,
    RecordAssignment,
)
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from domain.errors import RuleViolation
from domain.governance import NoticeMethod
from tests.builders import every_day, net_assets_csv
from tests.conftest import count_events

INTL = "INTL-BCV/R"
FIGURES = {day: Decimal("10000000.00") for day in every_day(date(2003, 6, 30), date(2004, 7, 31))}


@pytest.fixture
def figures_ledger(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "n.csv", FIGURES), NetAssetsRow))
    )
    return loaded_ledger


def notice(ledger, terminates_on: date, document: str = "LETTER-2004-03"):
    return ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=NoticeMethod.DELIVERED,
            sent_on=date(2004, 3, 1),
            received_on=None,
            termination_effective_on=terminates_on,
            document_reference=document,
        )
    )


def assignment(ledger, occurred_on: date, exempt: bool = False):
    return ledger.fund_governance.record_assignment(
        RecordAssignment(
            occurred_on=occurred_on,
            description="change of control of the Distributor",
            rule_2a6_exempt=exempt,
            determination_reference="COUNSEL-2004-05",
        )
    )


def test_the_same_notice_twice_records_it_once(figures_ledger, store):
    first = notice(figures_ledger, date(2004, 4, 30))
    assert first.effective == date(2004, 3, 1) and first.recorded_for == (INTL,)
    after_first = count_events(store)
    again = notice(figures_ledger, date(2004, 4, 30))
    assert again.effective == date(2004, 3, 1) and again.recorded_for == ()
    assert count_events(store) == after_first


def test_the_same_document_with_another_date_is_refused(figures_ledger, store):
    notice(figures_ledger, date(2004, 4, 30))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        notice(figures_ledger, date(2004, 6, 30))
    assert refused.value.rule == "reference-reused"
    assert "'LETTER-2004-03'" in refused.value.detail
    assert count_events(store) == before
    # The agreement ends once, on the first notice's date.
    fund_class = figures_ledger.view.fund_class("INTL-BCV", "R")
    ended = [change for change in fund_class.agreement_changes if not change.in_effect]
    assert [change.effective_on for change in ended] == [date(2004, 4, 30)]


def test_another_document_is_still_a_notice_of_its_own(figures_ledger):
    notice(figures_ledger, date(2004, 4, 30))
    assert notice(figures_ledger, date(2004, 4, 30), "LETTER-2004-03-B").recorded_for == (INTL,)


def test_the_same_assignment_twice_records_it_once(figures_ledger, store):
    assert assignment(figures_ledger, date(2004, 5, 15)) == ["INTL-BCV/R", "STABLE-VALUE/R"]
    after_first = count_events(store)
    assert assignment(figures_ledger, date(2004, 5, 15)) == []
    assert count_events(store) == after_first


def test_the_same_determination_with_other_details_is_refused(figures_ledger, store):
    assignment(figures_ledger, date(2004, 5, 15), exempt=True)
    before = count_events(store)
    for occurred_on, exempt in ((date(2004, 5, 16), True), (date(2004, 5, 15), False)):
        with pytest.raises(RuleViolation) as refused:
            assignment(figures_ledger, occurred_on, exempt)
        assert refused.value.rule == "reference-reused"
        assert "'COUNSEL-2004-05'" in refused.value.detail
    assert count_events(store) == before
