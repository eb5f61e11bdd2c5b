"""What reconciliation reads, as known at a view's log position: the imported statements and
the breaks (folds of their events, read by topic), and the ledger's side (accruals and
Distributor payments, from the read models)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, case, func, select

from adapters.readside.queries import known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from adapters.store.topic_index import all_indexed
from domain.periods import Period
from domain.reconciliation.breaks import Break
from domain.reconciliation.matcher import LedgerDays, daily_figures
from domain.reconciliation.records import LedgerFigure, LedgerPayment, OutsideLine
from domain.reconciliation.statement import OutsideStatement, lines_from_stored
from projections.journal import ABSC, SERVICE, account_component, payable_account
from projections.reconciliation import BreakRow, fold_breaks

PAGE = 2_000
BREAK_TOPICS = tuple(
    event.TOPIC
    for event in (
        Break.BreakOpened,
        Break.BreakAssigned,
        Break.BreakCommented,
        Break.BreakResolved,
        Break.BreakReopened,
        Break.BreakWriteOffProposed,
        Break.BreakWrittenOff,
    )
)
STATEMENT_TOPICS = (
    OutsideStatement.StatementImported.TOPIC,
    OutsideStatement.StatementLinesRecorded.TOPIC,
)
# The journal's kinds of the entries that move cash to or from the Distributor.
CASH_KINDS = ("distributor-payment", "distributor-payment-reversal")


@dataclass(frozen=True)
class Statement:
    kind: str
    file_name: str
    sha256: str
    account: str
    period_start: date
    period_end_exclusive: date
    lines: tuple[OutsideLine, ...]


def events_of(view: LedgerView, topics: Sequence[str]) -> Iterator[Any]:
    """The events of these topics known at the view's position, in log order; by the log's
    partial index when every topic is one it holds (adapters/store/topic_index.py)."""
    stop = view.known_position
    if stop is None:
        stop = view.store.head_position()
    recorder: Any = view.store.recorder
    by_index = all_indexed(topics) and hasattr(recorder, "select_indexed_topics")
    after = 0
    while after < stop:
        if by_index:
            page = recorder.select_indexed_topics(list(topics), after, PAGE, stop)
        else:
            page = recorder.select_notifications(
                after, PAGE, stop=stop, topics=list(topics), inclusive_of_start=False
            )
        if not page:
            return
        for notification in page:
            yield view.store.mapper.to_domain_event(notification)
        after = page[-1].id


def breaks(view: LedgerView) -> dict[str, BreakRow]:
    return fold_breaks(events_of(view, BREAK_TOPICS))


def statements(view: LedgerView) -> list[Statement]:
    return _statements(events_of(view, STATEMENT_TOPICS))


def statements_and_breaks(view: LedgerView) -> tuple[list[Statement], dict[str, BreakRow]]:
    """Both, from one pass over the log: a pass by topic reads the whole log's index."""
    events = list(events_of(view, STATEMENT_TOPICS + BREAK_TOPICS))
    return _statements(events), fold_breaks(events)


def _statements(events: Iterable[Any]) -> list[Statement]:
    """The statements' folds (any other event passed by)."""
    headers: dict[Any, Any] = {}
    lines: dict[Any, list[OutsideLine]] = defaultdict(list)
    for event in events:
        if isinstance(event, OutsideStatement.StatementImported):
            headers[event.originator_id] = event
        elif isinstance(event, OutsideStatement.StatementLinesRecorded):
            sha256 = headers[event.originator_id].sha256
            lines[event.originator_id].extend(lines_from_stored(sha256, event.columns, event.lines))
    return [
        Statement(
            header.kind,
            header.file_name,
            header.sha256,
            header.account,
            header.period_start,
            header.period_end_exclusive,
            tuple(lines[stream]),
        )
        for stream, header in headers.items()
    ]


def ledger_accruals(
    view: LedgerView, period: Period | None = None
) -> tuple[dict[tuple[str, date], LedgerFigure], dict[tuple[str, str], LedgerFigure]]:
    """Each class's accrual per day and per month (both parts, every adjustment and true-up
    included), with the events that make it; with a period, its days and its months (whole:
    the days of its last month after it too)."""
    daily, monthly = ledger_accrual_days(view, period)
    return daily_figures(daily), monthly


def ledger_accrual_days(
    view: LedgerView, period: Period | None = None
) -> tuple[dict[str, LedgerDays], dict[tuple[str, str], LedgerFigure]]:
    """`ledger_accruals` with the days by class, each class's in order (as
    `match_accruals_by_class` compares them): no figure made per class and day. The rows are
    put in the log's order here (they come so, mostly, as they were written: a check, where
    SQLite's ORDER BY sorted them all; sorted by class and day, PostgreSQL would read them by
    the class's index, row by row) and grouped by class: each class's months from its rows in
    that order, then its days from them sorted by day (stable: a day's events stay in order)."""
    accruals = TABLES["accruals"]
    selected = select(
        accruals.c.fund_class,
        accruals.c.business_date,
        accruals.c.month,
        accruals.c.entry_id,
        accruals.c.absc_cents + accruals.c.service_cents,
        accruals.c.position,
    )
    if period is not None:
        selected = selected.where(
            accruals.c.month >= period.start.isoformat()[:7],
            accruals.c.month <= period.end_inclusive.isoformat()[:7],
        )
    query = known(selected, view.known_position, accruals)
    with view.engine.connect() as conn:
        rows = _driver_rows(conn, query)
    rows.sort(key=itemgetter(5))  # by position
    first, end = (date.min, date.max) if period is None else (period.start, period.end_exclusive)
    # SQLite gives a day as its text, PostgreSQL as a date: each of the few days made once.
    dates = {day: _as_date(day) for day in set(map(itemgetter(1), rows))}
    by_class: defaultdict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_class[row[0]].append(row)
    daily: dict[str, LedgerDays] = {}
    monthly: dict[tuple[str, str], LedgerFigure] = {}
    for fund_class, class_rows in by_class.items():
        for month, figure in _class_months(class_rows).items():
            monthly[(fund_class, month)] = figure
        # By day (ISO texts on SQLite): in order already but for an adjustment of a past day.
        class_rows.sort(key=itemgetter(1))
        days = _class_days(class_rows, dates, first, end)
        if days.days:
            daily[fund_class] = days
    return daily, monthly


def _driver_rows(conn: Connection, query: Select[Any]) -> list[Any]:
    """The query's rows as the driver gives them: SQLAlchemy's own rows (and its processing of
    each day) cost more than the database's scan."""
    compiled = query.compile(dialect=conn.dialect)
    params: Any = compiled.params
    if compiled.positiontup is not None:  # SQLite's qmark style: the values in order
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def _as_date(day: date | str) -> date:
    return day if isinstance(day, date) else date.fromisoformat(day)


def _class_months(rows: list[Any]) -> dict[str, LedgerFigure]:
    """A class's months (every row, whatever its day), from its rows in the log's order: each
    run of rows of one month summed and its ids taken at once."""
    months: dict[str, list[Any]] = {}  # [cents, event ids...]
    for month, run in groupby(rows, itemgetter(2)):
        run_rows = list(run)
        cents = sum(map(itemgetter(4), run_rows))
        found = months.get(month)
        if found is None:
            months[month] = [cents, *map(itemgetter(3), run_rows)]
        else:  # seen again: a true-up or an adjustment recorded among another month's rows
            found[0] += cents
            found.extend(map(itemgetter(3), run_rows))
    return {
        month: LedgerFigure(Decimal(figure[0]).scaleb(-2), tuple(figure[1:]))
        for month, figure in months.items()
    }


def _class_days(rows: list[Any], dates: dict[Any, date], first: date, end: date) -> LedgerDays:
    """A class's days within [first, end), from its rows by day (each day's in the log's
    order)."""
    days: list[date] = []
    day_cents: list[int] = []
    day_ids: list[tuple[str, ...]] = []
    last: date | None = None
    for _, text, _, entry_id, cents, _ in rows:
        day = dates[text]
        if day == last:  # the day's events after its first
            day_cents[-1] += cents
            day_ids[-1] += (entry_id,)
        elif first <= day < end:  # a true-up may be dated after the month it trues up
            last = day
            days.append(day)
            day_cents.append(cents)
            day_ids.append((entry_id,))
    amounts = list(map(Decimal.scaleb, map(Decimal, day_cents), repeat(-2)))
    return LedgerDays(days, amounts, day_ids)


def ledger_payables(
    view: LedgerView, month_ends: Iterable[tuple[str, date]]
) -> dict[tuple[str, str], LedgerFigure]:
    """Each class's payable (both parts) at the month ends asked for, from the journal: the
    credits less the debits of its payable accounts through the day, as `balances` gives it,
    every month end summed in one pass over those accounts' lines."""
    wanted: dict[date, set[str]] = defaultdict(set)
    for fund_class, day in month_ends:
        wanted[day].add(fund_class)
    if not wanted:
        return {}
    days = sorted(wanted)
    accounts = {
        payable_account(account_component(fund_class), part): fund_class
        for classes in wanted.values()
        for fund_class in classes
        for part in (ABSC, SERVICE)
    }
    cents_by_class = _payable_cents(view, days, accounts)
    figures: dict[tuple[str, str], LedgerFigure] = {}
    for index, day in enumerate(days):
        for fund_class in sorted(wanted[day] & cents_by_class.keys()):
            figures[(fund_class, day.isoformat()[:7])] = LedgerFigure(
                Decimal(cents_by_class[fund_class][index]).scaleb(-2),
                (f"payable:{fund_class}:{day}",),
            )
    return figures


def _payable_cents(
    view: LedgerView, days: Sequence[date], accounts: dict[str, str]
) -> dict[str, list[int]]:
    """Per known fund class, its payable in cents at each of the days (0 with no line)."""
    lines, streams = TABLES["journal_lines"], TABLES["streams"]
    sums = [
        func.sum(
            case(
                (lines.c.business_date <= day, lines.c.credit_cents - lines.c.debit_cents),
                else_=0,
            )
        )
        for day in days
    ]
    # The payable accounts by name (not by their prefix): each is a range of the index by
    # account and day, read without the table, on both databases whatever their collation.
    query = known(
        select(lines.c.account, *sums)
        .where(lines.c.account.in_(sorted(accounts)), lines.c.business_date <= days[-1])
        .group_by(lines.c.account),
        view.known_position,
        lines,
    )
    classes_query = known(
        select(streams.c.fund_class).where(streams.c.kind == "fund_class"),
        view.known_position,
        streams,
    )
    wanted_classes = set(accounts.values())
    with view.engine.connect() as conn:
        found = {row[0]: [0] * len(days) for row in conn.execute(classes_query)}
        cents = {key: found[key] for key in wanted_classes if key in found}
        for account, *totals in conn.execute(query):
            fund_class = accounts.get(account)
            if fund_class in cents:
                for index, total in enumerate(totals):
                    cents[fund_class][index] += int(total or 0)
    return cents


@dataclass(frozen=True)
class LedgerFee:
    """A service fee the ledger paid (net of any reversal), with the events that made it."""

    provider: str
    payment: LedgerPayment
    period: str  # the period's label, as `Period.label()` writes it


def ledger_service_fees(view: LedgerView) -> list[LedgerFee]:
    fees = TABLES["service_fees"]
    query = known(
        select(
            fees.c.provider,
            fees.c.fund_class,
            fees.c.reference,
            fees.c.paid_on,
            fees.c.period_start,
            fees.c.period_end_exclusive,
            fees.c.amount_cents,
            fees.c.entry_id,
        ).order_by(fees.c.position),
        view.known_position,
        fees,
    )
    found: dict[tuple[str, str, str], tuple[date, Period, int, list[str]]] = {}
    with view.engine.connect() as conn:
        for provider, fund_class, reference, paid_on, start, end, cents, entry_id in conn.execute(
            query
        ):
            key = (provider, fund_class, reference)
            day, period, total, ids = found.get(key, (paid_on, Period(start, end), 0, []))
            found[key] = (day, period, total + int(cents), [*ids, entry_id])
    return [
        LedgerFee(
            provider,
            LedgerPayment(fund_class, reference, day, Decimal(cents).scaleb(-2), tuple(ids)),
            period.label(),
        )
        for (provider, fund_class, reference), (day, period, cents, ids) in sorted(found.items())
        if cents > 0
    ]


def ledger_payments(view: LedgerView) -> list[LedgerPayment]:
    """The Distributor payments standing (a reversed one nets to nothing and is left out),
    each with its cash, its day and the events that made it."""
    payments, entries = TABLES["distributor_payments"], TABLES["journal_entries"]
    # Each payment's entry looked up by its id (a join let SQLite, without statistics, scan
    # every journal entry for the few that are payments).
    is_cash = (
        select(entries.c.entry_id)
        .where(entries.c.entry_id == payments.c.entry_id, entries.c.kind.in_(CASH_KINDS))
        .exists()
    )
    query = known(
        select(
            payments.c.fund_class,
            payments.c.reference,
            payments.c.paid_on,
            payments.c.amount_cents,
            payments.c.entry_id,
        )
        .where(is_cash)
        .order_by(payments.c.position),
        view.known_position,
        payments,
    )
    found: dict[tuple[str, str], tuple[date, int, list[str]]] = {}
    with view.engine.connect() as conn:
        for fund_class, reference, paid_on, cents, entry_id in conn.execute(query):
            day, total, ids = found.get((fund_class, reference), (paid_on, 0, []))
            found[(fund_class, reference)] = (day, total + int(cents), [*ids, entry_id])
    return [
        LedgerPayment(fund_class, reference, day, Decimal(cents).scaleb(-2), tuple(ids))
        for (fund_class, reference), (day, cents, ids) in sorted(found.items())
        if cents > 0
    ]
