"""The journal as a Beancount ledger: accounts opened, one transaction per journal entry with
the event it came from as metadata, and a balance assertion for every account at every month
end, so that `bean-check` (or Fava) can verify and explore the books independently.

The journal is streamed in date order and written as it is read; only the running balance of
each account is held in memory, whatever the length of the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import Engine, select

from adapters.readside.read_models import TABLES
from domain.periods import next_month_start

CURRENCY = "USD"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f} {CURRENCY}"


def _journal_rows(engine: Engine) -> Iterator[Sequence[Any]]:
    entries, lines = TABLES["journal_entries"], TABLES["journal_lines"]
    query = (
        select(
            entries.c.entry_id,
            entries.c.business_date,
            entries.c.narration,
            entries.c.actor,
            entries.c.source,
            entries.c.recorded_at,
            lines.c.account,
            lines.c.debit_cents,
            lines.c.credit_cents,
        )
        .join(lines, lines.c.entry_id == entries.c.entry_id)
        .order_by(entries.c.business_date, entries.c.entry_id, lines.c.line_no)
    )
    with engine.connect() as conn:
        yield from conn.execution_options(yield_per=10_000).execute(query)


class _Writer:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.balances: dict[str, int] = {}
        self.opened: dict[str, date] = {}
        self.month_end: date | None = None  # the first day after the month being written

    def assertions_until(self, day: date) -> None:
        """Assert every account's balance at each month boundary up to `day`."""
        while self.month_end is not None and self.month_end <= day:
            for account in sorted(self.balances):
                self.out.write(
                    f"{self.month_end} balance {account}  {_amount(self.balances[account])}\n"
                )
            self.out.write("\n")
            self.month_end = next_month_start(self.month_end)

    def transaction(self, first: Sequence[Any], postings: list[tuple[str, int]]) -> None:
        entry_id, day, narration, actor, source, recorded_at = first[:6]
        if self.month_end is None:
            self.month_end = next_month_start(day)
        self.assertions_until(day)
        self.out.write(f"{day} * {_quoted(narration)}\n")
        self.out.write(f"  event: {_quoted(entry_id)}\n  recorded: {_quoted(recorded_at)}\n")
        self.out.write(f"  actor: {_quoted(actor)}\n  source: {_quoted(source)}\n")
        for account, cents in postings:
            self.opened.setdefault(account, day)
            self.balances[account] = self.balances.get(account, 0) + cents
            self.out.write(f"  {account}  {_amount(cents)}\n")
        self.out.write("\n")


def export_beancount(engine: Engine, out: TextIO, title: str) -> int:
    """Write the whole journal; returns the number of transactions."""
    out.write(f"; {title}\n; Written by planledger from its journal read model.\n\n")
    out.write(f'option "title" {_quoted(title)}\noption "operating_currency" "{CURRENCY}"\n\n')
    writer = _Writer(out)
    count = 0
    current: list[Sequence[Any]] = []
    for row in _journal_rows(engine):
        if current and row[0] != current[0][0]:
            writer.transaction(current[0], [(r[6], r[7] - r[8]) for r in current])
            count += 1
            current = []
        current.append(tuple(row))
    if current:
        writer.transaction(current[0], [(r[6], r[7] - r[8]) for r in current])
        count += 1
    if writer.month_end is not None:
        writer.assertions_until(writer.month_end)
    for account, opened in sorted(writer.opened.items()):
        out.write(f"{opened} open {account} {CURRENCY}\n")
    return count
