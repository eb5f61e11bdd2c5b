"""The FINRA aggregate-cap account is charged with the deemed asset-based charge of SIXTH:
every plan dollar accrued is charged until a service fee is paid or advanced to a provider for
its days, and those fees are credited back when they are recorded (decision A13). Once the
remaining amount is exhausted, the Distributor may be paid only what is passed on (A14).
Runs on SQLite and PostgreSQL.

Worked example: oracle 9(b)'s quarter (2003Q3) on a class whose account opened at the end of
2003-06-30 with 100,000.00 remaining, the prime rate at zero: the account still earns 1% a year
on each month's opening balance, computed here independently.
"""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from adapters.application.commands import (
    Accrue,
    ImportGrossSales,
    ImportNetAssets,
    ImportPositions,
    OpenCapAccount,
    PayProvider,
    ReverseServiceFee,
    SetPrimeRate,
)
from adapters.inputs.csv_files import GrossSalesRow, NetAssetsRow, PositionRow, read_csv
from adapters.outputs.bundle import export_bundle
from adapters.store.verify import Verification, verify_snapshots
from domain.errors import RuleViolation
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from projections.compliance import compliance_as_of
from tests import oracles
from tests.builders import net_assets_csv, positions_csv, write_csv
from tests.conftest import count_events
from tests.integration.test_payments import agree, month_constant, pay_distributor, pay_provider

INTL = "INTL-BCV/R"
OPENED = date(2003, 6, 30)
OPENING = Decimal("100000.00")
FEES_RECORDED_ON = date(2003, 10, 15)  # pay_provider's paid_on


def _stream(ledger):
    return list(ledger.view.stream(fund_class_id("INTL-BCV", "R")))


def _shown(ledger, as_of: date) -> Decimal | None:
    return compliance_as_of(_stream(ledger), as_of).cap_remaining


def _with_interest(opening: Decimal, charges_by_month: list[Decimal]) -> Decimal:
    """The remaining amount after the months' charges and each month's interest at 0% + 1% on
    its opening balance (days/365, half-up to the cent; none on a balance at or below zero)."""
    remaining = opening
    for (_, days, *_), charge in zip(oracles.Q3_2003_MONTHS, charges_by_month, strict=True):
        interest = max(remaining, Decimal(0)) * Decimal("0.01") * days / 365
        remaining = remaining - charge + interest.quantize(Decimal("0.01"), ROUND_HALF_UP)
    return remaining


def _quarter(ledger, tmp_path, opening: Decimal) -> None:
    """Oracle 9(b)'s net assets, positions and agreements; the account opened; Q3 accrued."""
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "c.csv", month_constant(0)), NetAssetsRow)
        )
    )
    ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0"), "zero, to isolate the charge")
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", OPENED, opening, "test")
    )
    ledger.accruals.accrue(Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[INTL]))
    agree(ledger, "DEALER-A")
    agree(ledger, "DEALER-B")
    for provider, column in (("DEALER-A", 1), ("DEALER-B", 2)):
        rows = positions_csv(tmp_path / f"{provider}.csv", provider, month_constant(column))
        ledger.figures.import_positions(ImportPositions(read_csv(rows, PositionRow)))


def test_oracle_9b_quarter_charges_the_deemed_asset_based_charge(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    _quarter(ledger, tmp_path, OPENING)
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    # Before any service fee is known, every plan dollar of the quarter is deemed an
    # asset-based charge: 4,280.55 + 4,373.97 + 4,273.97 = 12,928.49 (both Schedule B parts).
    assert sum(oracles.Q3_2003_DISTRIBUTOR_MONTHLY) == Decimal("12928.49")
    before_fees = _with_interest(OPENING, oracles.Q3_2003_DISTRIBUTOR_MONTHLY)
    interest = before_fees - OPENING + Decimal("12928.49")
    assert interest == Decimal("84.93") + Decimal("81.37") + Decimal("75.22")
    assert fund_class.cap_remaining_at_end_of(date(2003, 9, 30)) == before_fees
    assert _shown(ledger, date(2003, 9, 30)) == before_fees

    pay_provider(ledger, "DEALER-A", None, "SF-A")
    pay_provider(ledger, "DEALER-B", None, "SF-B")

    # SIXTH: 12,928.49 - (2,583.56 + 955.13) = 9,389.80 (today only the asset-based column,
    # 6,464.26, was charged).
    remaining = ledger.view.fund_class("INTL-BCV", "R").cap_remaining_at_end_of(FEES_RECORDED_ON)
    charged = OPENING + interest - remaining
    assert charged == oracles.Q3_2003_DEEMED_ABSC == Decimal("9389.80")
    assert _shown(ledger, FEES_RECORDED_ON) == remaining
    credits = [e for e in _stream(ledger) if isinstance(e, FundClass.CapServiceFeeCredited)]
    assert [(c.provider_code, c.fee_reference, c.amount) for c in credits] == [
        ("DEALER-A", "SF-A", oracles.Q3_2003_DEALER_A_PAID),
        ("DEALER-B", "SF-B", oracles.Q3_2003_DEALER_B_PAID),
    ]
    # Spread over the quarter's months by days (31/31/30 of 92), largest remainder.
    assert credits[0].credited_by_month == {
        "2003-07": Decimal("870.55"),
        "2003-08": Decimal("870.55"),
        "2003-09": Decimal("842.46"),
    }
    assert all(c.business_date == FEES_RECORDED_ON for c in credits)
    bundle = export_bundle(ledger.view, FEES_RECORDED_ON, None, tmp_path / "b.zip").path
    with zipfile.ZipFile(bundle) as archive:
        [row] = [
            row
            for row in json.loads(archive.read("read-models/governance.json"))["fund_classes"]
            if row["fund_class"] == INTL
        ]
    assert row["cap_remaining"] == str(remaining)


def test_the_views_as_known_before_the_fees_are_unchanged(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    _quarter(ledger, tmp_path, OPENING)
    before = ledger.store.recorder.max_notification_id()
    pay_provider(ledger, "DEALER-A", None, "SF-A")
    provisional = _with_interest(OPENING, oracles.Q3_2003_DISTRIBUTOR_MONTHLY)
    as_known = list(ledger.view.as_known_at(before).stream(fund_class_id("INTL-BCV", "R")))
    assert compliance_as_of(as_known, FEES_RECORDED_ON).cap_remaining == provisional
    assert _shown(ledger, FEES_RECORDED_ON) == provisional + Decimal("2583.56")
    # As of a date before the credit, today's view shows the provisional figure as well.
    assert _shown(ledger, date(2003, 10, 14)) == provisional


def test_the_credit_is_written_once(loaded_ledger, tmp_path, store):
    ledger = loaded_ledger
    _quarter(ledger, tmp_path, OPENING)
    assert pay_provider(ledger, "DEALER-A", None, "SF-A")[0] == "recorded"
    written = count_events(store)
    assert pay_provider(ledger, "DEALER-A", Decimal("2583.56"), "SF-A")[0] == "unchanged"
    assert count_events(store) == written
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    [credit] = [e for e in _stream(ledger) if isinstance(e, FundClass.CapServiceFeeCredited)]
    again = fund_class.credit_service_fee(
        provider_code="DEALER-A",
        fee_reference="SF-A",
        fee_amount=Decimal("2583.56"),
        paid_on=FEES_RECORDED_ON,
        paid_or_advanced="paid",
        period=oracles_q3(),
        provenance=credit_provenance(),
    )
    assert again == "unchanged"
    with pytest.raises(RuleViolation) as refused:
        fund_class.credit_service_fee(
            provider_code="DEALER-A",
            fee_reference="SF-A",
            fee_amount=Decimal("2000.00"),
            paid_on=FEES_RECORDED_ON,
            paid_or_advanced="paid",
            period=oracles_q3(),
            provenance=credit_provenance(),
        )
    assert refused.value.rule == "reference-reused"
    assert credit.amount == Decimal("2583.56")


def test_a_reversed_fee_takes_its_credit_back(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    _quarter(ledger, tmp_path, OPENING)
    pay_provider(ledger, "DEALER-A", None, "SF-A")
    ledger.audit.reverse_service_fee(
        ReverseServiceFee("DEALER-A", "INTL-BCV", "R", "SF-A", "paid to the wrong dealer")
    )
    provisional = _with_interest(OPENING, oracles.Q3_2003_DISTRIBUTOR_MONTHLY)
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_remaining_at_end_of(FEES_RECORDED_ON) == provisional
    assert fund_class.cap_service_credited_by_month == {}
    [reversal] = [
        e for e in _stream(ledger) if isinstance(e, FundClass.CapServiceFeeCreditReversed)
    ]
    assert reversal.amount == Decimal("2583.56")
    assert _shown(ledger, FEES_RECORDED_ON) == provisional


def test_once_exhausted_the_distributor_is_paid_only_what_is_passed_on(
    loaded_ledger, tmp_path, store
):
    ledger = loaded_ledger
    _quarter(ledger, tmp_path, Decimal("0.00"))
    events = _stream(ledger)
    accrued = [e for e in events if isinstance(e, FundClass.FeeAccrued)]
    true_ups = [e for e in events if isinstance(e, FundClass.AccrualTrueUpPosted)]
    # Nothing remains: no asset-based part accrues; the service part does, and is charged
    # provisionally, so the account goes below zero by the service accrued.
    assert {e.absc_amount for e in accrued} == {Decimal("0.00")}
    service = sum(e.service_amount for e in accrued) + sum(e.adjustment_service for e in true_ups)
    assert sum(e.adjustment_absc for e in true_ups) == Decimal("0.00")
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_remaining_at_end_of(date(2003, 9, 30)) == -service
    assert fund_class.payable == service
    assert fund_class.cap_withheld == service
    items = [item.text for item in compliance_as_of(events, date(2003, 9, 30)).items]
    assert (
        f"{service} of service fee accrued may be paid to the Distributor only as it is passed "
        f"on to providers: the aggregate cap is exhausted (SIXTH; FINRA)"
    ) in items

    before = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(ledger, "2003-07", Decimal("0.01"))
    assert refused.value.rule == "cap-exhausted-service-not-passed-on"
    assert "passed on" in refused.value.detail
    assert count_events(store) == before

    # The dealers' fees are passed on: the Distributor may be paid them, not a cent more (a
    # payment for the quarter they served: July alone accrued less, and no payment may run
    # ahead of the fee, decision A16).
    pay_provider(ledger, "DEALER-A", None, "SF-A")
    pay_provider(ledger, "DEALER-B", None, "SF-B")
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_withheld == service - Decimal("3538.69")
    with pytest.raises(RuleViolation) as refused:
        pay_distributor(ledger, "2003Q3", Decimal("3538.70"))
    assert refused.value.rule == "cap-exhausted-service-not-passed-on"
    assert pay_distributor(ledger, "2003Q3", Decimal("3538.69"))[0] == "recorded"

    # New sales give the account room again: what they cover may be kept as an asset-based
    # charge (6.25% of 100,000.00 = 6,250.00 > the withheld service).
    ledger.figures.import_gross_sales(
        ImportGrossSales(
            read_csv(
                write_csv(
                    tmp_path / "s.csv",
                    ["fund", "class", "date", "gross_sales"],
                    [("INTL-BCV", "R", "2003-10-16", "100000.00")],
                ),
                GrossSalesRow,
            )
        )
    )
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_withheld == Decimal("0.00")
    assert pay_distributor(ledger, "2003-08", None)[0] == "recorded"
    # The asset-based part accrues again from the day of the sales.
    october = {date(2003, 10, day): Decimal("10400000.00") for day in range(1, 21)}
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "o.csv", october), NetAssetsRow))
    )
    ledger.accruals.accrue(Accrue(date(2003, 10, 20), max_carry_days=4, fund_classes=[INTL]))
    resumed = [e for e in _stream(ledger) if isinstance(e, FundClass.AbscResumed)]
    assert [e.business_date for e in resumed] == [date(2003, 10, 16)]
    # The stream passed a snapshot (every 200 events) with credits in it: it equals a replay.
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.version > 200 and fund_class.cap_service_credits
    verification = Verification()
    verify_snapshots(store, verification)
    assert verification.snapshots >= 1 and verification.findings == []


def oracles_q3():
    from domain.periods import parse_period

    return parse_period("2003Q3")


def credit_provenance():
    from domain.events import Provenance

    return Provenance("test", "test")


ADVANCED_ON = date(2003, 7, 1)


def _advance(ledger, provider: str, amount: Decimal, reference: str):
    return ledger.payments.pay_provider(
        PayProvider(
            provider_code=provider,
            fund_code="INTL-BCV",
            share_class="R",
            period=oracles_q3(),
            amount=amount,
            paid_on=ADVANCED_ON,
            reference=reference,
            paid_or_advanced="advanced",
            max_carry_days=4,
        )
    )


def _quarter_advanced(ledger, tmp_path) -> int:
    """Oracle 9(b)'s quarter with both dealers' fees advanced on 2003-07-01, before any day
    of the quarter is accrued; the notification id before the accrual run is returned."""
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "c.csv", month_constant(0)), NetAssetsRow)
        )
    )
    ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0"), "zero, to isolate the charge")
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", OPENED, OPENING, "test")
    )
    agree(ledger, "DEALER-A")
    agree(ledger, "DEALER-B")
    for provider, column in (("DEALER-A", 1), ("DEALER-B", 2)):
        rows = positions_csv(tmp_path / f"{provider}.csv", provider, month_constant(column))
        ledger.figures.import_positions(ImportPositions(read_csv(rows, PositionRow)))
    _advance(ledger, "DEALER-A", oracles.Q3_2003_DEALER_A_PAID, "SF-A")
    _advance(ledger, "DEALER-B", oracles.Q3_2003_DEALER_B_PAID, "SF-B")
    before = ledger.store.recorder.max_notification_id()
    ledger.accruals.accrue(Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[INTL]))
    return before


def test_a_fee_advanced_before_its_days_are_accrued_is_credited_as_they_are(
    loaded_ledger, tmp_path
):
    ledger = loaded_ledger
    before = _quarter_advanced(ledger, tmp_path)
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    # No month had room when the fees were advanced: nothing credited then, all pending.
    credits = [e for e in _stream(ledger) if isinstance(e, FundClass.CapServiceFeeCredited)]
    assert [c.amount for c in credits] == [Decimal("0.00"), Decimal("0.00")]
    assert [c.not_credited for c in credits] == [
        oracles.Q3_2003_DEALER_A_PAID,
        oracles.Q3_2003_DEALER_B_PAID,
    ]
    # Each month's close credited its pending share: the quarter is charged the oracle's
    # deemed 12,928.49 - (2,583.56 + 955.13) = 9,389.80, as when the fees are paid after it.
    deferred = [
        e for e in _stream(ledger) if isinstance(e, FundClass.CapDeferredServiceFeeCredited)
    ]
    assert sum(e.amount for e in deferred) == Decimal("3538.69")
    assert {e.business_date for e in deferred} == {
        date(2003, 7, 31),
        date(2003, 8, 31),
        date(2003, 9, 30),
    }
    # Each dealer's fee spread 31/31/30 over the quarter, as when paid after it.
    assert fund_class.cap_service_credited_by_month == {
        "2003-07": Decimal("870.55") + Decimal("321.84"),
        "2003-08": Decimal("870.55") + Decimal("321.84"),
        "2003-09": Decimal("842.46") + Decimal("311.45"),
    }
    assert sum(fund_class.cap_service_credited_by_month.values()) == Decimal("3538.69")
    assert fund_class.cap_service_pending == {}
    charged = [
        Decimal("4280.55") - sum(e.amount for e in deferred if e.month == "2003-07"),
        Decimal("4373.97") - sum(e.amount for e in deferred if e.month == "2003-08"),
        Decimal("4273.97") - sum(e.amount for e in deferred if e.month == "2003-09"),
    ]
    assert sum(charged) == oracles.Q3_2003_DEEMED_ABSC == Decimal("9389.80")
    remaining = fund_class.cap_remaining_at_end_of(date(2003, 9, 30))
    assert remaining == _with_interest(OPENING, charged)
    assert _shown(ledger, date(2003, 9, 30)) == remaining
    # Views as known before the accrual run are unchanged: the fees' credits still pending.
    as_known = list(ledger.view.as_known_at(before).stream(fund_class_id("INTL-BCV", "R")))
    assert compliance_as_of(as_known, date(2003, 9, 30)).cap_remaining == OPENING


def test_a_reversed_advanced_fee_takes_back_its_deferred_credit(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    _quarter_advanced(ledger, tmp_path)
    ledger.audit.reverse_service_fee(
        ReverseServiceFee("DEALER-A", "INTL-BCV", "R", "SF-A", "paid to the wrong dealer")
    )
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    [reversal] = [
        e for e in _stream(ledger) if isinstance(e, FundClass.CapServiceFeeCreditReversed)
    ]
    assert reversal.amount == oracles.Q3_2003_DEALER_A_PAID
    assert sum(fund_class.cap_service_credited_by_month.values()) == (oracles.Q3_2003_DEALER_B_PAID)
    day = fund_class.cap_month_start
    assert _shown(ledger, day) == fund_class.cap_remaining_at_end_of(day)


def test_a_fee_reversed_while_pending_drops_what_is_pending(loaded_ledger, tmp_path):
    ledger = loaded_ledger
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "c.csv", month_constant(0)), NetAssetsRow)
        )
    )
    ledger.fund_governance.set_prime_rate(
        SetPrimeRate(date(2003, 6, 27), Decimal("0"), "zero, to isolate the charge")
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount("INTL-BCV", "R", OPENED, OPENING, "test")
    )
    agree(ledger, "DEALER-A")
    rows = positions_csv(tmp_path / "DEALER-A.csv", "DEALER-A", month_constant(1))
    ledger.figures.import_positions(ImportPositions(read_csv(rows, PositionRow)))
    _advance(ledger, "DEALER-A", oracles.Q3_2003_DEALER_A_PAID, "SF-A")
    ledger.audit.reverse_service_fee(
        ReverseServiceFee("DEALER-A", "INTL-BCV", "R", "SF-A", "paid to the wrong dealer")
    )
    ledger.accruals.accrue(Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[INTL]))
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.cap_service_pending == {}
    assert fund_class.cap_service_credited_by_month == {}
    provisional = _with_interest(OPENING, oracles.Q3_2003_DISTRIBUTOR_MONTHLY)
    assert fund_class.cap_remaining_at_end_of(date(2003, 9, 30)) == provisional
    assert _shown(ledger, date(2003, 9, 30)) == provisional
