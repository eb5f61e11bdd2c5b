"""The rebuild's shortcuts keep their meaning: an entry is balanced only when each entity's
lines balance on their own, and the read models' SQLite connections commit without an fsync
each (WAL mode syncs at checkpoints) while the event store's keep their own setting."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import patch

from adapters.readside.read_models import read_model_engine
from projections.journal import (
    ABSC,
    DISTRIBUTOR,
    FUND,
    SERVICE,
    JournalEntry,
    JournalLine,
    StreamContext,
    payable_account,
    plan_expense_account,
    plan_fees_income_account,
    receivable_from_fund_account,
)
from projections.rows import MIRRORED_LINES, journal_rows, mirrored_pair


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


def test_a_mirrored_entry_stands_for_the_fund_lines_and_their_mirror() -> None:
    """The read models write a mirrored entry's lines from one row per fund line
    (`MIRRORED_LINES`): the two rows each stands for are the entry's lines, numbered as
    `lines` numbers them, so the database's mirror is the journal's."""
    fund_class = "INTL-BCV-R"
    posted = (
        JournalLine(plan_expense_account(fund_class, ABSC), 300, 0),
        JournalLine(plan_expense_account(fund_class, SERVICE), 100, 0),
        JournalLine(payable_account(fund_class, ABSC), 0, 300),
        JournalLine(payable_account(fund_class, SERVICE), 0, 100),
    )
    mirrored = JournalEntry(
        "e-1", date(2005, 1, 3), fund_class, "accrual", "n", posted, mirrored=True
    )
    assert mirrored.is_balanced
    assert mirrored.lines[4:] == (
        JournalLine(plan_fees_income_account(fund_class, ABSC), 0, 300, DISTRIBUTOR),
        JournalLine(plan_fees_income_account(fund_class, SERVICE), 0, 100, DISTRIBUTOR),
        JournalLine(receivable_from_fund_account(fund_class, ABSC), 300, 0, DISTRIBUTOR),
        JournalLine(receivable_from_fund_account(fund_class, SERVICE), 100, 0, DISTRIBUTOR),
    )
    written = [
        line
        for _, row in _journal_line_rows(mirrored)
        for line in (mirrored_pair(row) if len(row) > 7 else (row,))
    ]
    expected = [
        (
            "e-1",
            number,
            date(2005, 1, 3),
            line.entity,
            line.account,
            line.debit_cents,
            line.credit_cents,
        )
        for number, line in enumerate(mirrored.lines, start=1)
    ]
    assert sorted(written, key=lambda row: row[1]) == expected


def _journal_line_rows(entry: JournalEntry) -> list[tuple[str, tuple[object, ...]]]:
    """The line rows `journal_rows` makes of an entry (its entry row left out)."""
    event = SimpleNamespace(timestamp=datetime(2005, 1, 3), actor="a", source="s")
    with patch("projections.rows.journal_entry", return_value=entry):
        rows = journal_rows(event, StreamContext("INTL-BCV/R"))
    assert all(table == MIRRORED_LINES for table, _ in rows[1:])
    return [(table, row) for table, row in rows[1:] if isinstance(row, tuple)]
