"""The rebuild's shortcuts keep their meaning: an entry is balanced only when each entity's
lines balance on their own, and the read models' SQLite connections commit without an fsync
each (WAL mode syncs at checkpoints) while the event store's keep their own setting."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from adapters.readside.read_models import read_model_engine
from projections.journal import DISTRIBUTOR, FUND, JournalEntry, JournalLine


def entry(*lines: JournalLine) -> JournalEntry:
    return JournalEntry("e-1", date(2005, 1, 3), "F-R", "accrual", "n", lines)


def test_an_entry_balances_per_entity_not_only_in_total() -> None:
    fund_debit = JournalLine("Expenses:A", 100, 0, FUND)
    fund_credit = JournalLine("Liabilities:B", 0, 100, FUND)
    distributor_debit = JournalLine("Assets:C", 100, 0, DISTRIBUTOR)
    distributor_credit = JournalLine("Income:D", 0, 100, DISTRIBUTOR)
    assert entry(fund_debit, fund_credit, distributor_debit, distributor_credit).is_balanced
    # Balanced in total, but each entity's lines are not.
    assert not entry(fund_debit, distributor_credit).is_balanced
    assert not entry(fund_debit, fund_credit, distributor_debit).is_balanced
    assert entry().is_balanced


def test_read_model_connections_commit_without_an_fsync_each(tmp_path: Path) -> None:
    engine = read_model_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        with engine.connect() as connection:
            synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar_one()
        assert synchronous == 1  # NORMAL (FULL, the default, is 2)
    finally:
        engine.dispose()
