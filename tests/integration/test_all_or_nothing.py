"""Every command is all or nothing, however large (README: exit 1 means nothing was written).

A bulk command writes its events in statements of bounded size (`WRITE_BATCH_EVENTS`); the
tests set the bound low, so that a small file already needs several of them, and check that a
refusal late in the file leaves the log exactly as it was: its length and its chain head.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from adapters.application import bulk
from adapters.application.commands import (
    Accrue,
    ImportGrossSales,
    ImportNetAssets,
    OpenCapAccount,
    SetPrimeRate,
)
from adapters.inputs.csv_files import GrossSalesRow, NetAssetsRow, read_csv
from adapters.store.verify import verify_store
from domain.errors import RuleViolations
from tests.builders import every_day, write_csv
from tests.conftest import count_events

SMALL_BATCH_EVENTS = 40
JULY_AUGUST = every_day(date(2003, 7, 1), date(2003, 8, 31))


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(bulk, "WRITE_BATCH_EVENTS", SMALL_BATCH_EVENTS)


def net_assets_rows(fund: str, days, figure: str) -> list[tuple[str, str, str, str]]:
    return [(fund, "R", day.isoformat(), figure) for day in days]


def import_rows(ledger, path, rows, reason=None):
    csv_path = write_csv(path, ["fund", "class", "date", "net_assets"], rows)
    return ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(csv_path, NetAssetsRow), restatement_reason=reason)
    )


@pytest.fixture
def accrued_with_cap_account(loaded_ledger, tmp_path):
    """Two classes accrued through August 2003; STABLE-VALUE under the aggregate-cap account."""
    ledger = loaded_ledger
    import_rows(
        ledger,
        tmp_path / "figures.csv",
        net_assets_rows("INTL-BCV", JULY_AUGUST, "10000000.00")
        + net_assets_rows("STABLE-VALUE", JULY_AUGUST, "20000000.00"),
    )
    ledger.fund_governance.open_cap_account(
        OpenCapAccount(
            fund_code="STABLE-VALUE",
            share_class="R",
            as_of=date(2003, 6, 30),
            remaining=Decimal("500000.00"),
            note="test",
        )
    )
    ledger.fund_governance.set_prime_rate(SetPrimeRate(date(2003, 6, 27), Decimal("0.04"), "test"))
    ledger.accruals.accrue(Accrue(date(2003, 8, 31), max_carry_days=4))
    return ledger


def test_a_file_refused_on_its_last_row_writes_nothing(
    accrued_with_cap_account, small_batches, store, tmp_path
):
    ledger = accrued_with_cap_account
    events_before, head_before = count_events(store), store.chain_head()
    # A season of STABLE-VALUE's gross sales (one event a row: several batches), then a row for
    # INTL-BCV, which has no aggregate-cap account: refused.
    autumn = every_day(date(2003, 9, 1), date(2003, 11, 30))
    rows = [("STABLE-VALUE", "R", day.isoformat(), "1000.00") for day in autumn]
    rows.append(("INTL-BCV", "R", "2003-12-01", "1000.00"))
    csv_path = write_csv(tmp_path / "sales.csv", ["fund", "class", "date", "gross_sales"], rows)
    with pytest.raises(RuleViolations) as refused:
        ledger.figures.import_gross_sales(ImportGrossSales(read_csv(csv_path, GrossSalesRow)))
    assert [v.rule for v in refused.value.violations] == ["cap-account-not-open"]
    assert len(autumn) > 2 * SMALL_BATCH_EVENTS
    assert count_events(store) == events_before
    assert store.chain_head() == head_before


def test_a_restatement_reaching_the_cap_account_on_its_last_row_is_written_whole(
    accrued_with_cap_account, small_batches, store, tmp_path
):
    """Decision A3: the row restating a day under STABLE-VALUE's cap account, once refused,
    is recorded with the rest, its account recomputed in the same transaction."""
    ledger = accrued_with_cap_account
    events_before = count_events(store)
    rows = net_assets_rows("INTL-BCV", JULY_AUGUST, "9800000.00") + net_assets_rows(
        "STABLE-VALUE", [date(2003, 8, 15)], "19000000.00"
    )
    summary = import_rows(ledger, tmp_path / "restated.csv", rows, reason="NAV error")
    assert summary.restated == len(rows)
    assert count_events(store) - events_before > 3 * SMALL_BATCH_EVENTS
    assert verify_store(store).ok


def test_the_same_restatement_without_the_refused_row_is_written_whole(
    accrued_with_cap_account, small_batches, store, tmp_path
):
    """The bound is real: the restatement needs several statements, and they all land."""
    ledger = accrued_with_cap_account
    events_before = count_events(store)
    rows = net_assets_rows("INTL-BCV", JULY_AUGUST, "9800000.00")
    summary = import_rows(ledger, tmp_path / "restated.csv", rows, reason="NAV error")
    assert summary.restated == len(JULY_AUGUST)
    assert count_events(store) - events_before > 3 * SMALL_BATCH_EVENTS
    assert verify_store(store).ok
