"""The ledger's side of the accruals check (`ledger_accrual_days`), on SQLite and PostgreSQL:
grouped by class and day in Python, it gives what the rows read in the log's order give, each
day's events and each month's in the log's order, as known now and at a past position."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from adapters.readside import reconciliation as reads
from adapters.readside.queries import known
from adapters.readside.read_models import TABLES
from domain.periods import Period, parse_period
from domain.reconciliation.matcher import LedgerDays
from domain.reconciliation.records import LedgerFigure
from tests.integration.scenario import BEFORE_RESTATEMENT, FUND_CLASS, WEEK, restate_week


def in_log_order(view, period: Period | None) -> tuple[dict[str, LedgerDays], dict[Any, Any]]:
    """The days and months folded from the rows read in the log's order (the reference)."""
    accruals = TABLES["accruals"]
    query = select(
        accruals.c.fund_class,
        accruals.c.business_date,
        accruals.c.month,
        accruals.c.entry_id,
        accruals.c.absc_cents + accruals.c.service_cents,
    ).order_by(accruals.c.position)
    with view.engine.connect() as conn:
        rows = conn.execute(known(query, view.known_position, accruals)).all()
    daily: dict[str, dict[date, list[Any]]] = defaultdict(dict)
    monthly: dict[tuple[str, str], list[Any]] = {}
    for fund_class, day, month, entry_id, cents in rows:
        if period is not None and month not in period.months():
            continue
        monthly.setdefault((fund_class, month), [0]).append(entry_id)
        monthly[(fund_class, month)][0] += cents
        if period is None or period.start <= day < period.end_exclusive:
            daily[fund_class].setdefault(day, [0]).append(entry_id)
            daily[fund_class][day][0] += cents
    return (
        {
            fund_class: LedgerDays(
                sorted(days),
                [Decimal(days[day][0]).scaleb(-2) for day in sorted(days)],
                [tuple(days[day][1:]) for day in sorted(days)],
            )
            for fund_class, days in daily.items()
        },
        {key: LedgerFigure(Decimal(f[0]).scaleb(-2), tuple(f[1:])) for key, f in monthly.items()},
    )


def rows_by_id(view) -> dict[str, tuple[str, date, int]]:
    """Each accrual row's kind, day and position, by its event id."""
    accruals = TABLES["accruals"]
    columns = (accruals.c.kind, accruals.c.business_date, accruals.c.position)
    with view.engine.connect() as conn:
        return {row[0]: row[1:] for row in conn.execute(select(accruals.c.entry_id, *columns))}


def test_a_restated_week_s_days_and_month_keep_their_events_in_log_order(quarter, store, tmp_path):
    """A restated week adds an adjustment to each of its days, recorded after September's last
    day and its true-up: each of those days is its accrual then its adjustment, and September's
    events are in the log's order, not the days'; the whole ledger's days and months are those
    the rows in the log's order give, as known before the restatement and now, with and
    without a period."""
    ledger, _report = quarter
    restate_week(ledger, tmp_path)
    before = ledger.view.as_known_at(store.position_known_at(BEFORE_RESTATEMENT))
    for view in (before, ledger.view):
        for period in (None, parse_period("2003Q3"), parse_period("2003-09-05..2003-09-20")):
            assert reads.ledger_accrual_days(view, period) == in_log_order(view, period)

    row_of = rows_by_id(ledger.view)
    daily, monthly = reads.ledger_accrual_days(ledger.view, parse_period("2003Q3"))
    series = daily[FUND_CLASS]
    for day in WEEK:
        ids = series.event_ids[series.days.index(day)]
        assert [row_of[entry_id][0] for entry_id in ids] == ["accrual", "adjustment"]
    last_day = series.event_ids[series.days.index(date(2003, 9, 30))]
    assert [row_of[entry_id][0] for entry_id in last_day][:2] == ["accrual", "true-up"]
    september = [row_of[entry_id] for entry_id in monthly[(FUND_CLASS, "2003-09")].event_ids]
    positions = [position for _kind, _day, position in september]
    assert positions == sorted(positions)
    days = [day for _kind, day, _position in september]
    assert days != sorted(days)  # the adjustments of the week after the month's last day
