"""Payments to the Distributor and service fees to providers: oracle 9(b) and every refusal.

Net assets and positions are constant within each month of Q3 2003, as in the brief, so the
averages can be checked by hand. Each refusal is checked for its rule, its message and for
writing nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ImportPositions,
    PayDistributor,
    PayProvider,
    SignProviderAgreement,
)
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from adapters.inputs.errors import InputError
from domain.errors import RuleViolation, RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id, service_arrangement_id
from domain.money import shown_exact
from domain.periods import parse_period
from domain.service import AgreementKind, ServiceArrangement
from tests import oracles
from tests.builders import FORM_A, net_assets_csv, positions_csv
from tests.conftest import count_events

INTL = "INTL-BCV/R"
Q3 = parse_period("2003Q3")


def month_constant(column: int) -> dict[date, Decimal]:
    figures = {}
    for first, days, *values in oracles.Q3_2003_MONTHS:
        for offset in range(days):
            figures[date.fromordinal(first.toordinal() + offset)] = values[column]
    return figures


def agree(
    ledger,
    provider,
    rate="0.0025",
    effective_from=date(2003, 7, 1),
    reference=None,
    effective_to=None,
    form=FORM_A,
):
    return ledger.payments.sign_provider_agreement(
        SignProviderAgreement(
            provider_code=provider,
            provider_name=f"{provider} Securities",
            fund_code="INTL-BCV",
            share_class="R",
            reference=reference or f"SA-{provider}",
            kind=AgreementKind.A,
            contractual_rate_annual=Decimal(rate),
            effective_from=effective_from,
            effective_to=effective_to,
            agency_capacity_attested=True,
            form_reference=form,
        )
    )


def pay_provider(ledger, provider, amount, reference, period=Q3):
    return ledger.payments.pay_provider(
        PayProvider(
            provider_code=provider,
            fund_code="INTL-BCV",
            share_class="R",
            period=period,
            amount=amount,
            paid_on=date(2003, 10, 15),
            reference=reference,
            paid_or_advanced="paid",
            max_carry_days=4,
        )
    )


def pay_distributor(ledger, month, amount=None, reference=None):
    """The outcome, the cash paid and the receivable offset against it (decision A16)."""
    return ledger.payments.pay_distributor(
        PayDistributor(
            fund_code="INTL-BCV",
            share_class="R",
            amount=amount,
            paid_on=parse_period(month).end_exclusive,
            period=parse_period(month),
            reference=reference or f"WIRE-{month}",
        )
    )


@pytest.fixture
def q3_ledger(loaded_ledger, tmp_path):
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "class.csv", month_constant(0)), NetAssetsRow)
        )
    )
    loaded_ledger.accruals.accrue(Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[INTL]))
    agree(loaded_ledger, "DEALER-A")
    agree(loaded_ledger, "DEALER-B")
    loaded_ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "a.csv", "DEALER-A", month_constant(1)), PositionRow)
        )
    )
    loaded_ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "b.csv", "DEALER-B", month_constant(2)), PositionRow)
        )
    )
    return loaded_ledger


def test_oracle_9b_distributor_dealers_and_the_sixth_residual(q3_ledger):
    paid_months = [
        pay_distributor(q3_ledger, month)[1] for month in ("2003-07", "2003-08", "2003-09")
    ]
    assert paid_months == oracles.Q3_2003_DISTRIBUTOR_MONTHLY
    assert sum(paid_months) == oracles.Q3_2003_DISTRIBUTOR_TOTAL

    cap_a = q3_ledger.view.service_fee_cap("DEALER-A", "INTL-BCV", "R", Q3, max_carry_days=4)
    assert cap_a.net_assets_average_daily == Decimal("4100000")
    assert cap_a.cap_amount_exact.quantize(Decimal("0.000001")) == (
        oracles.Q3_2003_DEALER_A_CAP_EXACT_6DP
    )
    _, paid_a, _ = pay_provider(q3_ledger, "DEALER-A", None, "SF-A-2003Q3")
    assert paid_a == oracles.Q3_2003_DEALER_A_PAID

    cap_b = q3_ledger.view.service_fee_cap("DEALER-B", "INTL-BCV", "R", Q3, max_carry_days=4)
    assert cap_b.cap_amount_exact.quantize(Decimal("0.000001")) == (
        oracles.Q3_2003_DEALER_B_CAP_EXACT_6DP
    )
    with pytest.raises(RuleViolation) as refused:
        pay_provider(q3_ledger, "DEALER-B", oracles.Q3_2003_DEALER_B_HALF_UP, "SF-B-2003Q3")
    assert refused.value.rule == "service-fee-cap"
    _, paid_b, _ = pay_provider(q3_ledger, "DEALER-B", None, "SF-B-2003Q3")
    assert paid_b == oracles.Q3_2003_DEALER_B_PAID

    service_fees = paid_a + paid_b
    assert service_fees == oracles.Q3_2003_SERVICE_FEES_TOTAL
    distributor_paid = sum(
        e.amount
        for e in q3_ledger.view.stream(fund_class_id("INTL-BCV", "R"))
        if isinstance(e, FundClass.DistributorPaid) and e.period_start in Q3
    )
    provider_paid = sum(
        e.amount
        for provider in ("DEALER-A", "DEALER-B")
        for e in q3_ledger.view.stream(service_arrangement_id(provider, "INTL-BCV", "R"))
        if isinstance(e, ServiceArrangement.ServiceFeePaid)
    )
    assert distributor_paid - provider_paid == oracles.Q3_2003_DEEMED_ABSC


def test_service_fee_event_keeps_the_cap_calculation(q3_ledger):
    pay_provider(q3_ledger, "DEALER-A", None, "SF-A-2003Q3")
    paid = list(q3_ledger.view.stream(service_arrangement_id("DEALER-A", "INTL-BCV", "R")))[-1]
    assert isinstance(paid, ServiceArrangement.ServiceFeePaid)
    assert (paid.days_in_period, paid.days_covered) == (92, 92)
    assert paid.cap_amount == Decimal("2583.56")
    assert paid.cap_amount_exact == shown_exact(Decimal("377200000") * Decimal("0.0025") / 365)
    (segment,) = paid.rate_segments
    assert segment["net_assets_sum"] == Decimal("377200000.00")
    assert segment["rate_annual"] == Decimal("0.0025")
    assert (segment["start"], segment["end_exclusive"]) == (Q3.start, Q3.end_exclusive)


def test_proposed_rate_above_the_cap_is_refused(q3_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_provider(q3_ledger, "DEALER-A", oracles.Q3_2003_DEALER_A_REJECTED_AT_030, "SF-X")
    assert refused.value.rule == "service-fee-cap"
    assert "exceeds the cap 2583.5616438356" in refused.value.detail
    assert count_events(store) == before


def test_contractual_rate_above_schedule_b_is_refused(q3_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        agree(q3_ledger, "DEALER-C", rate="0.0030")
    assert refused.value.rule == "service-rate-above-schedule-b"
    assert "contractual rate 0.30% exceeds the Schedule B maximum service fee of 0.25%" in str(
        refused.value
    )
    assert count_events(store) == before


def test_no_agreement_in_effect_in_the_period_is_refused(q3_ledger, store):
    agree(q3_ledger, "DEALER-D", effective_from=date(2003, 10, 1))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_provider(q3_ledger, "DEALER-D", Decimal("1.00"), "SF-D")
    assert refused.value.rule == "no-service-agreement"
    assert count_events(store) == before


def test_an_agreement_from_mid_quarter_caps_only_the_days_it_covers(q3_ledger, tmp_path):
    agree(q3_ledger, "DEALER-E", effective_from=date(2003, 9, 1))
    q3_ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "e.csv", "DEALER-E", month_constant(1)), PositionRow)
        )
    )
    cap = q3_ledger.view.service_fee_cap("DEALER-E", "INTL-BCV", "R", Q3, max_carry_days=4)
    assert cap.days_covered == 30
    assert cap.cap_amount == Decimal("842.46")  # 30 × 4,100,000 × 0.25% / 365 = 842.465…


def test_overlapping_service_fee_periods_are_refused(q3_ledger, store):
    pay_provider(q3_ledger, "DEALER-A", Decimal("100.00"), "SF-A-JUL", parse_period("2003-07"))
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_provider(q3_ledger, "DEALER-A", Decimal("100.00"), "SF-A-Q3")
    assert refused.value.rule == "service-fee-period-overlap"
    assert count_events(store) == before


def test_several_payments_for_one_period_share_its_cap(q3_ledger):
    pay_provider(q3_ledger, "DEALER-A", Decimal("2000.00"), "SF-A-1")
    with pytest.raises(RuleViolation):
        pay_provider(q3_ledger, "DEALER-A", Decimal("583.57"), "SF-A-2")
    _, rest, _ = pay_provider(q3_ledger, "DEALER-A", None, "SF-A-2")
    assert rest == Decimal("583.56")


def test_a_payment_ahead_of_the_fee_is_refused(q3_ledger, store):
    """Decision A16 (was: allowed as an advance with a reason): July may be paid what July
    accrued, not a cent more, although August and September are payable too."""
    payable = q3_ledger.view.fund_class("INTL-BCV", "R").payable
    assert payable == oracles.Q3_2003_DISTRIBUTOR_TOTAL
    july = oracles.Q3_2003_DISTRIBUTOR_MONTHLY[0]
    before = count_events(store)
    for amount in (july + Decimal("0.01"), payable, payable + Decimal("1000.00")):
        with pytest.raises(RuleViolation) as refused:
            pay_distributor(q3_ledger, "2003-07", amount=amount)
        assert refused.value.rule == "payment-ahead-of-fee"
        assert f"2003-07-31 accrued {july} that is unpaid" in refused.value.detail
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(q3_ledger, "2003-10", amount=Decimal("1.00"))  # nothing accrued yet
    assert refused.value.rule == "payment-ahead-of-fee"
    assert count_events(store) == before
    assert pay_distributor(q3_ledger, "2003-07", amount=july)[:2] == ("recorded", july)
    last = list(q3_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-1]
    assert (last.is_advance, last.reason, last.unpaid_before) == (False, "", july)
    assert last.payable_before == payable


def test_a_payment_splits_between_the_parts_by_what_the_months_accrued(q3_ledger):
    pay_distributor(q3_ledger, "2003-07")
    paid = list(q3_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-1]
    assert (paid.absc_amount, paid.service_amount) == (Decimal("2140.28"), Decimal("2140.27"))


def test_payment_periods_are_whole_months_within_the_term(q3_ledger, store):
    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(q3_ledger, "2003-07-01..2003-07-15", amount=Decimal("1.00"))
    assert refused.value.rule == "payment-period"
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(q3_ledger, "2004-06", amount=Decimal("1.00"))
    assert refused.value.rule == "plan-not-in-effect"
    assert "the initial term ended on 2004-05-30" in refused.value.detail
    assert count_events(store) == before


def test_a_reference_is_idempotent_and_never_reused_for_other_details(q3_ledger, store):
    pay_distributor(q3_ledger, "2003-07", reference="WIRE-1")
    before = count_events(store)
    outcome, _, _ = pay_distributor(
        q3_ledger, "2003-07", amount=Decimal("4280.55"), reference="WIRE-1"
    )
    assert outcome == "unchanged"
    assert count_events(store) == before
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(q3_ledger, "2003-08", amount=Decimal("10.00"), reference="WIRE-1")
    assert refused.value.rule == "reference-reused"
    assert count_events(store) == before


def test_positions_reimport_writes_nothing_and_unknown_providers_are_bad_input(
    q3_ledger, store, tmp_path
):
    before = count_events(store)
    summary = q3_ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "a.csv", "DEALER-A", month_constant(1)), PositionRow)
        )
    )
    assert summary.unchanged == 92 and summary.written == 0
    assert count_events(store) == before
    with pytest.raises(InputError) as bad:
        q3_ledger.figures.import_positions(
            ImportPositions(
                read_csv(
                    positions_csv(tmp_path / "z.csv", "NOBODY", {date(2003, 7, 1): "1.00"}),
                    PositionRow,
                )
            )
        )
    (problem,) = bad.value.problems
    assert (problem.row, problem.field) == (2, "provider")
    assert count_events(store) == before


def test_a_position_inside_a_paid_period_needs_a_restatement(q3_ledger, store, tmp_path):
    pay_provider(q3_ledger, "DEALER-A", None, "SF-A-2003Q3")
    changed = positions_csv(tmp_path / "fix.csv", "DEALER-A", {date(2003, 8, 4): "4300000.00"})
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        q3_ledger.figures.import_positions(ImportPositions(read_csv(changed, PositionRow)))
    assert "differs from the recorded 4200000.00" in str(refused.value)
    assert count_events(store) == before
    q3_ledger.figures.import_positions(
        ImportPositions(
            read_csv(changed, PositionRow), restatement_reason="omnibus sub-account moved"
        )
    )
    assert count_events(store) == before + 1
