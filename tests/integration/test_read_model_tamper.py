"""The read models under the chain (docs/audit.md §3), on SQLite and PostgreSQL: `verify`
recomputes every read-model row from the log up to the position its projection tracks, so a
row edited, deleted or inserted directly in the database is a finding naming the table and the
row; evidence that the log lost its end (read models or snapshots past it) is a finding too.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from adapters.application.commands import Accrue, ImportNetAssets, ImportPositions
from adapters.cli.main import main
from adapters.inputs.csv_files import NetAssetsRow, PositionRow, read_csv
from adapters.readside.read_model_check import verify_read_models
from adapters.store.verify import verify_store
from domain.ids import fund_class_id
from tests.builders import every_day, net_assets_csv, positions_csv
from tests.integration.tamper import RawDatabase
from tests.integration.test_payments import agree, month_constant, pay_distributor, pay_provider

INTL = "INTL-BCV/R"


@pytest.fixture
def paid_quarter(loaded_ledger, tmp_path):
    """Q3 2003 of one class paid to the Distributor and to a dealer, and accrued through
    October (its stream passes 200 events: a snapshot); read models caught up."""
    ledger = loaded_ledger
    figures = month_constant(0)
    figures.update(
        dict.fromkeys(every_day(date(2003, 10, 1), date(2003, 10, 31)), Decimal("50000000.00"))
    )
    ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "na.csv", figures), NetAssetsRow))
    )
    ledger.accruals.accrue(Accrue(date(2003, 10, 31), max_carry_days=4, fund_classes=[INTL]))
    agree(ledger, "DEALER-A")
    ledger.figures.import_positions(
        ImportPositions(
            read_csv(positions_csv(tmp_path / "a.csv", "DEALER-A", month_constant(1)), PositionRow)
        )
    )
    pay_provider(ledger, "DEALER-A", Decimal("100.00"), "SF-1")
    for month in ("2003-07", "2003-08"):
        pay_distributor(ledger, month)
    ledger.read_models.catch_up()
    return ledger


@pytest.fixture
def raw(paid_quarter, store, database_url):
    return RawDatabase(store, database_url)


def check(store, database_url):
    result = verify_read_models(store, database_url)
    return result, [(finding.kind, finding.stream) for finding in result.findings]


def verify_cli(database_url):
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", database_url, "verify"], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_untouched_read_models_verify(paid_quarter, store, database_url):
    result, found = check(store, database_url)
    assert found == []
    assert result.rows > 200 and result.tables == 8
    code, said = verify_cli(database_url)
    assert code == 0, said
    assert "read models" in said


def test_a_halved_service_fee_is_found_naming_table_and_row(raw, store, database_url):
    (entry_id,) = raw.execute("SELECT entry_id FROM rm_service_fees")[0]
    raw.execute("UPDATE rm_service_fees SET amount_cents = amount_cents / 2")
    result, found = check(store, database_url)
    assert ("read-model-changed", "rm_service_fees") in found
    (finding,) = result.findings
    assert entry_id in finding.detail and "amount_cents" in finding.detail
    assert "5000" in finding.detail and "10000" in finding.detail
    code, said = verify_cli(database_url)
    assert code == 1
    assert "rm_service_fees" in said and entry_id in said


def test_a_deleted_journal_line_is_found(raw, store, database_url):
    (entry_id, line_no) = raw.execute(
        "SELECT entry_id, line_no FROM rm_journal_lines ORDER BY position DESC LIMIT 1"
    )[0]
    raw.execute(
        "DELETE FROM rm_journal_lines WHERE entry_id = ? AND line_no = ?", [entry_id, line_no]
    )
    result, found = check(store, database_url)
    assert found == [("read-model-missing", "rm_journal_lines")]
    assert entry_id in result.findings[0].detail


def test_an_inserted_payment_row_is_found(raw, store, database_url):
    raw.execute(
        "INSERT INTO rm_distributor_payments SELECT 'forged:1', fund_class, paid_on, "
        "period_start, period_end_exclusive, amount_cents, absc_cents, service_cents, "
        "is_advance, 'FORGED', position FROM rm_distributor_payments LIMIT 1"
    )
    result, found = check(store, database_url)
    assert found == [("read-model-inserted", "rm_distributor_payments")]
    assert "forged:1" in result.findings[0].detail


@pytest.mark.parametrize(
    "table", ["rm_accruals", "rm_streams", "rm_provider_agreements", "rm_journal_entries"]
)
def test_any_changed_column_of_any_table_is_found(raw, store, database_url, table):
    column = {
        "rm_accruals": "basis_cents = basis_cents + 1",
        "rm_streams": "company_code = 'FORGED'",
        "rm_provider_agreements": "rate_annual = '0.0001'",
        "rm_journal_entries": "actor = 'someone else'",
    }[table]
    raw.execute(f"UPDATE {table} SET {column}")
    _, found = check(store, database_url)
    assert found and set(found) == {("read-model-changed", table)}


def test_tracking_past_the_end_of_the_log_is_a_finding(raw, store, database_url):
    head = store.head_position()
    raw.execute("UPDATE rm_tracking SET position = ? WHERE projection = 'payments'", [head + 50])
    result, found = check(store, database_url)
    assert ("read-model-ahead", "rm_tracking") in found
    assert f"position {head + 50}" in result.findings[0].detail


def test_a_log_cut_short_leaves_read_models_and_snapshots_past_its_end(raw, store, database_url):
    """Someone who may drop the guards removes the newest events and their chain records:
    the chain left is consistent with itself, but the read models were caught up past the new
    end and the class's snapshot (at version 200) is past its stream's new last version."""
    stream = str(fund_class_id("INTL-BCV", "R"))
    stream_value = stream if raw.is_postgres else stream.replace("-", "")
    (cut,) = raw.execute(
        f"SELECT {raw.position} FROM {raw.events} WHERE originator_id = ? "
        "AND originator_version = 150",
        [stream_value],
    )[0]
    raw.drop_guards()
    raw.execute(f"DELETE FROM {raw.events} WHERE {raw.position} > ?", [cut])
    raw.execute(f"DELETE FROM {raw.chain} WHERE position > ?", [cut])
    chain_and_snapshots = verify_store(store)
    assert ("snapshot-ahead", stream) in {
        (finding.kind, finding.stream) for finding in chain_and_snapshots.findings
    }
    _, found = check(store, database_url)
    assert ("read-model-ahead", "rm_tracking") in found
    assert ("read-model-inserted", "rm_accruals") in found  # rows past the end of the log
    code, said = verify_cli(database_url)
    assert code == 1 and "snapshot-ahead" in said and "read-model-ahead" in said
