"""A service fee paid from plan money needs the plan and the agreement with the Distributor in
effect on every day it pays for (SIXTH; ELEVENTH; THIRTEENTH). Runs on SQLite and PostgreSQL.

Each refusal is checked for its rule, its clause and for writing nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

import pytest

from adapters.application.commands import (
    GiveDistributorNotice,
    ImportPositions,
    PayProvider,
    RecordMeeting,
)
from adapters.inputs.csv_files import PositionRow, read_csv
from domain.errors import RuleViolation
from domain.governance import NoticeMethod
from domain.periods import Period, parse_period
from tests.builders import every_day, meeting_record, positions_csv, resolution
from tests.conftest import count_events
from tests.integration.test_payments import agree

INTL = "INTL-BCV/R"
POSITION = Decimal("1000000.00")


@pytest.fixture
def provider_ledger(loaded_ledger, tmp_path):
    """The plan approved in June 2003 and never continued: it lapses after 2004-05-30.
    DEALER-A's agreement runs from 2003-07-01, with constant positions through 2004-06-30."""
    agree(loaded_ledger, "DEALER-A")
    figures = {day: POSITION for day in every_day(date(2004, 4, 1), date(2004, 6, 30))}
    loaded_ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "p.csv", "DEALER-A", figures), PositionRow)
        )
    )
    return loaded_ledger


def pay(ledger, period: Period, reference: str, amount: Decimal | None = None):
    return ledger.payments.pay_provider(
        PayProvider(
            provider_code="DEALER-A",
            fund_code="INTL-BCV",
            share_class="R",
            period=period,
            amount=amount,
            paid_on=period.end_exclusive,
            reference=reference,
            paid_or_advanced="paid",
            max_carry_days=4,
        )
    )


def refused(ledger, period: Period, reference: str, amount: Decimal | None) -> RuleViolation:
    before = count_events(ledger.store)
    with pytest.raises(RuleViolation) as raised:
        pay(ledger, period, reference, amount)
    assert count_events(ledger.store) == before
    return raised.value


def test_a_service_fee_for_june_2004_after_the_lapse_is_refused(provider_ledger):
    error = refused(provider_ledger, parse_period("2004-06"), "SF-JUN", Decimal("100.00"))
    assert error.rule == "plan-not-in-effect"
    assert "SIXTH" in error.clause and "ELEVENTH" in error.clause
    assert "would pay for 2004-06-01" in str(error) and "lapsed" in str(error)


def test_a_period_reaching_one_lapsed_day_is_refused_and_a_month_in_effect_is_paid(
    provider_ledger,
):
    error = refused(provider_ledger, parse_period("2004Q2"), "SF-Q2", Decimal("100.00"))
    assert error.rule == "plan-not-in-effect"
    # The initial term ends on 2004-05-30 (decision Q6): May's last day is already lapsed.
    assert "would pay for 2004-05-31" in str(error)
    error = refused(provider_ledger, parse_period("2004-05"), "SF-MAY", None)
    assert "would pay for 2004-05-31" in str(error)
    # April 2004 is in effect: paid up to its cap, computed here on its own:
    # 1,000,000.00 x 0.25% x 30 / 366 (2004 is a leap year), rounded down to the cent.
    expected = (POSITION * Decimal("0.0025") * 30 / 366).quantize(Decimal("0.01"), ROUND_DOWN)
    assert expected == Decimal("204.91")
    outcome, amount, _ = pay(provider_ledger, parse_period("2004-04"), "SF-APR")
    assert (outcome, amount) == ("recorded", expected)


def test_a_late_continuance_does_not_open_the_days_before_it(provider_ledger):
    provider_ledger.boards.record_meeting(
        RecordMeeting(
            "INTL-FUNDS",
            meeting_record(
                "INTL-FUNDS-2004-06-15",
                date(2004, 6, 15),
                [resolution("R-C", "continuance", [INTL], covers_through=date(2005, 5, 30))],
            ),
            source="test",
        )
    )
    error = refused(provider_ledger, parse_period("2004-06"), "SF-JUN", None)
    assert error.rule == "plan-not-in-effect"
    assert "would pay for 2004-06-01" in str(error)


def test_a_fee_reaching_past_the_end_of_the_distributor_agreement_is_refused(provider_ledger):
    provider_ledger.fund_governance.give_distributor_notice(
        GiveDistributorNotice(
            fund_classes=[INTL],
            method=NoticeMethod.DELIVERED,
            sent_on=date(2004, 2, 2),
            received_on=date(2004, 2, 2),
            termination_effective_on=date(2004, 4, 30),
            document_reference="LETTER-2004-02-02",
        )
    )
    error = refused(provider_ledger, parse_period("2004Q2"), "SF-Q2", None)
    assert error.rule == "plan-not-in-effect"
    assert "THIRTEENTH" in str(error)
