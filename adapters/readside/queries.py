"""Questions asked of the read models: balances, the trial balance, the journal, the split.

Each query reads SQL tables kept by adapters/readside/read_models.py and hands plain records to the
pure computations of projections/. Sums are of integer cents, exact on every database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, Table, and_, case, func, select, true

from adapters.readside.read_models import TABLES
from projections.journal import (
    ABSC,
    ENTITIES,
    FUND,
    SERVICE,
    account_component,
    payable_account,
    plan_expense_account,
    receivable_account,
)
from projections.split import Covering, MonthBasis

CENT = Decimal("0.01")


def dollars(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


SelectT = TypeVar("SelectT", bound=Select[Any])


def known(query: SelectT, known_position: int | None, *tables: Table) -> SelectT:
    """The query restricted to rows the ledger knew at `known_position` (None: all of them);
    the query keeps its row type, so callers unpack typed rows."""
    if known_position is None:
        return query
    for table in tables:
        query = query.where(table.c.position <= known_position)
    return query


@dataclass(frozen=True)
class AccountBalance:
    account: str
    debit_cents: int
    credit_cents: int
    entity: str = FUND  # whose books: "fund" or "distributor" (docs/books.md)

    @property
    def balance_cents(self) -> int:
        """Debit positive, credit negative (as Beancount signs a posting)."""
        return self.debit_cents - self.credit_cents


def trial_balance(
    engine: Engine, as_of: date, known_position: int | None = None, entity: str | None = None
) -> list[AccountBalance]:
    """Every account's debits and credits through `as_of`: the fund's accounts, then the
    Distributor's (or one entity's), each in name order."""
    lines = TABLES["journal_lines"]
    query = known(
        select(
            lines.c.entity,
            lines.c.account,
            func.sum(lines.c.debit_cents),
            func.sum(lines.c.credit_cents),
        )
        .where(lines.c.business_date <= as_of)
        .group_by(lines.c.entity, lines.c.account),
        known_position,
        lines,
    )
    if entity is not None:
        query = query.where(lines.c.entity == entity)
    with engine.connect() as conn:
        found = [
            AccountBalance(account, int(debit), int(credit), entity_of)
            for entity_of, account, debit, credit in conn.execute(query)
        ]
    return sorted(found, key=lambda row: (ENTITIES.index(row.entity), row.account))


@dataclass(frozen=True)
class FundClassBalances:
    fund_class: str
    accrued_through: date | None
    absc_accrued: int
    service_accrued: int
    absc_payable: int
    service_payable: int
    # What the Distributor owes back (decision A16): paid beyond what months now accrue.
    absc_receivable: int = 0
    service_receivable: int = 0

    @property
    def accrued(self) -> int:
        return self.absc_accrued + self.service_accrued

    @property
    def payable(self) -> int:
        return self.absc_payable + self.service_payable

    @property
    def receivable(self) -> int:
        return self.absc_receivable + self.service_receivable

    @property
    def absc_paid(self) -> int:
        """Paid to the Distributor and not paid back: accrued, less payable, plus what it owes
        back."""
        return self.absc_accrued - self.absc_payable + self.absc_receivable

    @property
    def service_paid(self) -> int:
        return self.service_accrued - self.service_payable + self.service_receivable

    @property
    def paid(self) -> int:
        return self.absc_paid + self.service_paid


def accrued_through_query(
    as_of: date, known_position: int | None, fund_class: str | None = None
) -> Select[Any]:
    """Per class, the last day through `as_of` accrued and not reversed: a day a late fact took
    out of effect is no longer accrued (decision A19)."""
    accruals = TABLES["accruals"]
    booked = known(
        select(accruals.c.fund_class, accruals.c.business_date)
        .where(
            and_(
                accruals.c.business_date <= as_of,
                accruals.c.kind.in_(("accrual", "reversal")),
                true() if fund_class is None else accruals.c.fund_class == fund_class,
            )
        )
        .group_by(accruals.c.fund_class, accruals.c.business_date)
        .having(func.sum(case((accruals.c.kind == "accrual", 1), else_=-1)) > 0),
        known_position,
        accruals,
    ).subquery()
    return select(booked.c.fund_class, func.max(booked.c.business_date)).group_by(
        booked.c.fund_class
    )


def balances(
    engine: Engine, as_of: date, known_position: int | None = None
) -> list[FundClassBalances]:
    """Accrued, paid and payable per fund class and part, from the journal's accounts."""
    by_account = {
        row.account: row.balance_cents for row in trial_balance(engine, as_of, known_position)
    }
    streams = TABLES["streams"]
    with engine.connect() as conn:
        classes = [
            row[0]
            for row in conn.execute(
                known(
                    select(streams.c.fund_class)
                    .where(streams.c.kind == "fund_class")
                    .order_by(streams.c.fund_class),
                    known_position,
                    streams,
                )
            )
        ]
        through: dict[str, date] = dict(
            conn.execute(accrued_through_query(as_of, known_position)).all()
        )
    result = []
    for key in classes:
        component = account_component(key)
        result.append(
            FundClassBalances(
                fund_class=key,
                accrued_through=through.get(key),
                absc_accrued=by_account.get(plan_expense_account(component, ABSC), 0),
                service_accrued=by_account.get(plan_expense_account(component, SERVICE), 0),
                absc_payable=-by_account.get(payable_account(component, ABSC), 0),
                service_payable=-by_account.get(payable_account(component, SERVICE), 0),
                absc_receivable=by_account.get(receivable_account(component, ABSC), 0),
                service_receivable=by_account.get(receivable_account(component, SERVICE), 0),
            )
        )
    return result


@dataclass(frozen=True)
class JournalRow:
    entry_id: str
    business_date: date
    recorded_at: str
    fund_class: str
    kind: str
    narration: str
    actor: str
    source: str
    account: str
    debit_cents: int
    credit_cents: int
    entity: str  # whose books the line is in
    payee: str  # the other party, as that entity's books name it
    links: str  # the entry's Beancount links, space-separated
    position: int  # the log position of the event


def journal(
    engine: Engine,
    *,
    start: date | None = None,
    end_inclusive: date | None = None,
    fund_class: str | None = None,
    account: str | None = None,
    entity: str | None = None,
    known_position: int | None = None,
    accounts: Sequence[str] | None = None,
) -> list[JournalRow]:
    """The journal's lines in date order; `account` keeps one account's lines (an exact name)
    or those of every account under a prefix that ends with `:` (`Expenses:Plan12b1:`);
    `accounts` those of the accounts named (exact names: the database finds them by its index
    of accounts, which a prefix's LIKE does not use); `entity` one entity's lines."""
    entries, lines = TABLES["journal_entries"], TABLES["journal_lines"]
    query = (
        select(
            entries.c.entry_id,
            entries.c.business_date,
            entries.c.recorded_at,
            entries.c.fund_class,
            entries.c.kind,
            entries.c.narration,
            entries.c.actor,
            entries.c.source,
            lines.c.account,
            lines.c.debit_cents,
            lines.c.credit_cents,
            lines.c.entity,
            case(
                (lines.c.entity == FUND, entries.c.fund_payee),
                else_=entries.c.distributor_payee,
            ),
            entries.c.links,
            entries.c.position,
        )
        .join(lines, lines.c.entry_id == entries.c.entry_id)
        .order_by(entries.c.business_date, entries.c.entry_id, lines.c.line_no)
    )
    if start is not None:
        query = query.where(entries.c.business_date >= start)
    if end_inclusive is not None:
        query = query.where(entries.c.business_date <= end_inclusive)
    if fund_class is not None:
        query = query.where(entries.c.fund_class == fund_class.replace("/", "-"))
    if entity is not None:
        query = query.where(lines.c.entity == entity)
    if account is not None:
        query = query.where(
            lines.c.account.startswith(account, autoescape=True)
            if account.endswith(":")
            else lines.c.account == account
        )
    if accounts is not None:
        query = query.where(lines.c.account.in_(list(accounts)))
    query = known(query, known_position, entries)
    with engine.connect() as conn:
        found: list[Any] = list(conn.execute(query))  # more columns than the typed rows
    return [JournalRow(*row) for row in found]


def split_inputs(
    engine: Engine,
    start: date,
    end_exclusive: date,
    known_position: int | None = None,
    as_of: date | None = None,
    *,
    fund_class: str | None = None,
) -> tuple[list[Covering], list[Covering], list[MonthBasis]]:
    """Payments and fees whose covered period overlaps [start, end_exclusive), and the accrual
    basis of its months; only what was paid or accrued on or before `as_of`, if given; only
    those of `fund_class` (a key, FUND/CLASS), if given."""
    payments, fees = TABLES["distributor_payments"], TABLES["service_fees"]
    accruals = TABLES["accruals"]
    last_day = as_of or date.max
    with engine.connect() as conn:
        payment_rows = conn.execute(
            _of_class(
                _coverings(payments, start, end_exclusive, known_position, last_day),
                payments,
                fund_class,
            )
        ).all()
        fee_rows = conn.execute(
            _of_class(
                _coverings(fees, start, end_exclusive, known_position, last_day, fees.c.provider),
                fees,
                fund_class,
            )
        ).all()
        basis_rows = conn.execute(
            _of_class(
                _month_bases(start, end_exclusive, known_position, last_day), accruals, fund_class
            )
        ).all()
    return (
        [Covering(*row) for row in payment_rows],
        [Covering(*row) for row in fee_rows],
        _month_basis_records(basis_rows),
    )


def _of_class(query: Select[Any], table: Table, fund_class: str | None) -> Select[Any]:
    """The query's rows of one class (by the table's index of classes), or of every class."""
    return query if fund_class is None else query.where(table.c.fund_class == fund_class)


def _coverings(
    table: Table,
    start: date,
    end_exclusive: date,
    known_position: int | None,
    last_day: date,
    *extra: Any,
) -> Select[Any]:
    """Payments (or fees) paid by `last_day` whose covered period overlaps the range."""
    return known(
        select(
            table.c.fund_class,
            table.c.period_start,
            table.c.period_end_exclusive,
            table.c.amount_cents,
            *extra,
        ).where(and_(table.c.period_start < end_exclusive, table.c.period_end_exclusive > start)),
        known_position,
        table,
    ).where(table.c.paid_on <= last_day)


def _month_bases(
    start: date, end_exclusive: date, known_position: int | None, last_day: date
) -> Select[Any]:
    """Per class, month and year length: the sum of daily bases and the days accrued."""
    accruals = TABLES["accruals"]
    return known(
        select(
            accruals.c.fund_class,
            accruals.c.month,
            accruals.c.days_in_year,
            func.sum(accruals.c.basis_cents),
            # Adjustments restate a day's basis; only the accrual itself is a day, and a
            # reversal takes it away again (decision A19).
            func.sum(
                case(
                    (accruals.c.kind == "accrual", 1), (accruals.c.kind == "reversal", -1), else_=0
                )
            ),
        )
        .where(
            and_(
                accruals.c.kind.in_(("accrual", "adjustment", "reversal")),
                accruals.c.business_date >= start,
                accruals.c.business_date < end_exclusive,
            )
        )
        .group_by(accruals.c.fund_class, accruals.c.month, accruals.c.days_in_year),
        known_position,
        accruals,
    ).where(accruals.c.business_date <= last_day)


def _month_basis_records(basis_rows: Sequence[Any]) -> list[MonthBasis]:
    bases: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for fund_class, month, year_days, basis_sum, days in basis_rows:
        bases[(fund_class, month)].append((int(year_days), int(basis_sum), int(days)))
    return [
        MonthBasis(
            fund_class,
            month,
            sum(
                (Decimal(basis_sum) / year_days for year_days, basis_sum, _ in parts),
                Decimal(0),
            ),
            sum(basis_sum for _, basis_sum, _ in parts),
            sum(days for _, _, days in parts),
        )
        for (fund_class, month), parts in sorted(bases.items())
    ]


def expenditures(
    engine: Engine,
    fund_class: str,
    start: date,
    end_exclusive: date,
    known_position: int | None = None,
) -> list[dict[str, Any]]:
    table = TABLES["expenditures"]
    with engine.connect() as conn:
        rows = (
            conn.execute(
                known(
                    select(table)
                    .where(
                        and_(
                            table.c.fund_class == fund_class,
                            table.c.period_start < end_exclusive,
                            table.c.period_end_exclusive > start,
                        )
                    )
                    .order_by(table.c.period_start, table.c.entry_id),
                    known_position,
                    table,
                )
            )
            .mappings()
            .all()
        )
    return [dict(row) for row in rows]


def provider_kinds(engine: Engine, known_position: int | None = None) -> dict[tuple[str, str], str]:
    """(provider, fund class) → the SEVENTH kind of its latest agreement."""
    table = TABLES["provider_agreements"]
    with engine.connect() as conn:
        rows = conn.execute(
            known(
                select(
                    table.c.provider,
                    table.c.fund_class,
                    table.c.agreement_kind,
                    table.c.effective_from,
                ).order_by(table.c.effective_from),
                known_position,
                table,
            )
        ).all()
    return {(provider, fund_class): kind for provider, fund_class, kind, _ in rows}


@dataclass(frozen=True)
class AccrualTotal:
    """What one fund class accrued for one month (or day), per part; true-ups, restatements
    and reversals included, so the months add up to the balances' accrued."""

    fund_class: str
    period: str  # 2003-07, or a day 2003-07-15
    days: int  # days accrued and not reversed (a true-up is not a day)
    absc_cents: int
    service_cents: int

    @property
    def total_cents(self) -> int:
        return self.absc_cents + self.service_cents


def accrual_totals(
    engine: Engine,
    by: str,
    *,
    fund_class: str | None = None,
    start: date | None = None,
    end_inclusive: date | None = None,
    known_position: int | None = None,
) -> list[AccrualTotal]:
    """Per fund class and month (`by` "month": the month each row accrues for, a true-up's
    too) or business day (`by` "day"), from `rm_accruals`."""
    accruals = TABLES["accruals"]
    period = accruals.c.month if by == "month" else accruals.c.business_date
    query = known(
        select(
            accruals.c.fund_class,
            period,
            func.sum(
                case(
                    (accruals.c.kind == "accrual", 1), (accruals.c.kind == "reversal", -1), else_=0
                )
            ),
            func.sum(accruals.c.absc_cents),
            func.sum(accruals.c.service_cents),
        )
        .group_by(accruals.c.fund_class, period)
        .order_by(accruals.c.fund_class, period),
        known_position,
        accruals,
    )
    if fund_class is not None:
        query = query.where(accruals.c.fund_class == fund_class)
    if start is not None:
        query = query.where(period >= (start.isoformat()[:7] if by == "month" else start))
    if end_inclusive is not None:
        last = end_inclusive.isoformat()[:7] if by == "month" else end_inclusive
        query = query.where(period <= last)
    with engine.connect() as conn:
        return [
            AccrualTotal(key, str(label), int(days), int(absc), int(service))
            for key, label, days, absc, service in conn.execute(query)
        ]


LISTED_DATES = {"distributor_payments": "paid_on", "service_fees": "paid_on"}


def listed(
    engine: Engine, table_name: str, fund_class: str, as_of: date, known_position: int | None
) -> list[dict[str, Any]]:
    """One fund class's rows of a payments read model (`distributor_payments`,
    `service_fees`, `expenditures`) dated on or before `as_of`, in date order: what the
    workbench lists."""
    table = TABLES[table_name]
    day = table.c[LISTED_DATES.get(table_name, "incurred_on")]
    query = known(
        select(table)
        .where(and_(table.c.fund_class == fund_class, day <= as_of))
        .order_by(day, table.c.position),
        known_position,
        table,
    )
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]
