"""Each entity's books as a Beancount ledger: accounts opened, one transaction per journal
entry with its payee, its links and the event it came from as metadata, and a balance
assertion for every account at every month end, so that `bean-check` (or Fava) can verify and
explore the books independently (docs/books.md).

The directives are Beancount's own (`beancount.core.data`), written by its printer, so the text
is what Beancount itself would write. Beancount is imported here, when a file is written: the
other commands never load it. The journal is streamed in date order and written transaction
by transaction; only the running balance of each account is held in memory, whatever the
length of the history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from sqlalchemy import Engine, case, select, text

from adapters.readside.read_models import TABLES
from domain.periods import next_month_start
from projections.journal import FUND

CURRENCY = "USD"
CENT = Decimal("0.01")
TITLES = {
    "fund": "the fund's books (its Rule 12b-1 plan accounts)",
    "distributor": "the Distributor's books (its Rule 12b-1 plan accounts)",
}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def _journal_rows(engine: Engine, entity: str) -> Iterator[Sequence[Any]]:
    """One entity's lines, entry by entry, in date and log order."""
    entries, lines = TABLES["journal_entries"], TABLES["journal_lines"]
    payee = entries.c.fund_payee if entity == FUND else entries.c.distributor_payee
    query = (
        select(
            entries.c.entry_id,
            entries.c.business_date,
            entries.c.narration,
            entries.c.actor,
            entries.c.source,
            entries.c.recorded_at,
            entries.c.position,
            case((payee == "", None), else_=payee),
            entries.c.links,
            lines.c.account,
            lines.c.debit_cents,
            lines.c.credit_cents,
        )
        .join(lines, lines.c.entry_id == entries.c.entry_id)
        .where(lines.c.entity == entity)
        .order_by(entries.c.business_date, entries.c.position, lines.c.line_no)
    )
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Every row is read: plan for all of them, not for the first tenth (the default
            # for a cursor). A fast-start plan over a journal just loaded, before its
            # statistics, was a nested loop reading every line again for each entry.
            conn.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
        yield from conn.execution_options(yield_per=10_000).execute(query)


class _Writer:
    """Writes directives as they come, keeping each account's running balance."""

    def __init__(self, out: TextIO) -> None:
        from beancount.core import amount, data
        from beancount.parser import printer

        self.data, self.amount, self.printer = data, amount, printer
        self.out = out
        self.balances: dict[str, int] = {}
        self.opened: dict[str, date] = {}
        self.month_end: date | None = None  # the first day after the month being written

    def _units(self, cents: int) -> Any:
        return self.amount.Amount(_dollars(cents), CURRENCY)

    def _write(self, directive: Any) -> None:
        self.out.write(self.printer.format_entry(directive))

    def assertions_until(self, day: date) -> None:
        """Assert every account's balance at each month boundary up to `day`."""
        while self.month_end is not None and self.month_end <= day:
            for account in sorted(self.balances):
                meta = self.data.new_metadata("planledger", 0)
                self._write(
                    self.data.Balance(
                        meta,
                        self.month_end,
                        account,
                        self._units(self.balances[account]),
                        None,
                        None,
                    )
                )
            self.out.write("\n")
            self.month_end = next_month_start(self.month_end)

    def transaction(self, first: Sequence[Any], postings: list[tuple[str, int]]) -> None:
        entry_id, day, narration, actor, source, recorded_at, position, payee, links = first[:9]
        if self.month_end is None:
            self.month_end = next_month_start(day)
        self.assertions_until(day)
        meta = self.data.new_metadata("planledger", 0)
        meta.update(
            event=entry_id,
            position=Decimal(position),
            actor=actor,
            recorded=recorded_at,
            source=source,
        )
        lines = []
        for account, cents in postings:
            self.opened.setdefault(account, day)
            self.balances[account] = self.balances.get(account, 0) + cents
            lines.append(self.data.Posting(account, self._units(cents), None, None, None, None))
        self._write(
            self.data.Transaction(
                meta,
                day,
                "*",
                payee,
                narration,
                self.data.EMPTY_SET,
                frozenset(links.split()),
                lines,
            )
        )
        self.out.write("\n")

    def openings(self) -> None:
        for account, opened in sorted(self.opened.items()):
            meta = self.data.new_metadata("planledger", 0)
            self._write(self.data.Open(meta, opened, account, [CURRENCY], None))


def export_beancount(engine: Engine, out: TextIO, title: str, entity: str) -> int:
    """Write one entity's books (`fund` or `distributor`); returns the number of
    transactions."""
    heading = f"{title}: {TITLES[entity]}"
    out.write(f"; {heading}\n; Written by planledger from its journal read model.\n\n")
    out.write(f'option "title" {_quoted(heading)}\noption "operating_currency" "{CURRENCY}"\n\n')
    writer = _Writer(out)
    count = 0
    current: list[Sequence[Any]] = []
    for row in _journal_rows(engine, entity):
        if current and row[0] != current[0][0]:
            writer.transaction(current[0], [(r[9], r[10] - r[11]) for r in current])
            count += 1
            current = []
        current.append(tuple(row))
    if current:
        writer.transaction(current[0], [(r[9], r[10] - r[11]) for r in current])
        count += 1
    if writer.month_end is not None:
        writer.assertions_until(writer.month_end)
    writer.openings()
    return count
