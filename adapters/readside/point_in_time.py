"""One fund class on business date D as known at T, without replaying its history
(docs/audit.md §1): the aggregate at its version as of T (nearest snapshot plus at most one
interval of events), and indexed sums over the read models."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Engine, and_, func, select

from adapters.readside.queries import accrued_through_query, known
from adapters.readside.read_models import TABLES
from adapters.readside.view import LedgerView
from projections.journal import ABSC, SERVICE, account_component, receivable_account
from projections.point_in_time import MoneyOnDate, PointInTime, point_in_time


def money_on_date(engine: Engine, fund_class: str, as_of: date, position: int) -> MoneyOnDate:
    accruals, payments = TABLES["accruals"], TABLES["distributor_payments"]
    accrued = known(
        select(
            func.coalesce(func.sum(accruals.c.absc_cents), 0),
            func.coalesce(func.sum(accruals.c.service_cents), 0),
        ).where(and_(accruals.c.fund_class == fund_class, accruals.c.business_date <= as_of)),
        position,
        accruals,
    )
    through = accrued_through_query(as_of, position, fund_class)
    paid = known(
        select(
            func.coalesce(func.sum(payments.c.absc_cents), 0),
            func.coalesce(func.sum(payments.c.service_cents), 0),
        ).where(and_(payments.c.fund_class == fund_class, payments.c.paid_on <= as_of)),
        position,
        payments,
    )
    with engine.connect() as conn:
        absc, service = conn.execute(accrued).one()
        row = conn.execute(through).first()
        accrued_through = None if row is None else row[1]
        absc_paid, service_paid = conn.execute(paid).one()
        absc_receivable, service_receivable = (
            _receivable_cents(conn, fund_class, part, as_of, position) for part in (ABSC, SERVICE)
        )
    return MoneyOnDate(
        accrued_through,
        int(absc),
        int(service),
        int(absc_paid),
        int(service_paid),
        absc_receivable,
        service_receivable,
    )


def _receivable_cents(
    conn: Connection, fund_class: str, part: str, as_of: date, position: int
) -> int:
    """What the Distributor owes back for one part on `as_of` (decision A16), from the
    journal's receivable account."""
    lines = TABLES["journal_lines"]
    query = known(
        select(func.coalesce(func.sum(lines.c.debit_cents - lines.c.credit_cents), 0)).where(
            and_(
                lines.c.account == receivable_account(account_component(fund_class), part),
                lines.c.business_date <= as_of,
            )
        ),
        position,
        lines,
    )
    return int(conn.execute(query).scalar_one())


def fund_class_as_of(view: LedgerView, fund_class: str, as_of: date) -> PointInTime:
    """Raises:
    UnknownFundClassError: the class was not known at the view's position.
    """
    position = view.known_position
    if position is None:
        position = view.store.head_position()
    aggregate = view.as_known_at(position).fund_class_by_key(fund_class)
    money = money_on_date(view.engine, fund_class, as_of, position)
    return point_in_time(aggregate, as_of, position, money)
