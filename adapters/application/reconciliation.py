"""Reconciliation's use cases: import a statement, run the checks, work the breaks
(docs/reconciliation.md)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from eventsourcing.application import AggregateNotFoundError

from adapters.application.ports import Ports
from adapters.application.reconciliation_report import agreement_fee
from adapters.inputs.statements import StatementFile
from adapters.readside import reconciliation as reads
from domain.errors import RuleViolation
from domain.periods import Period, next_month_start, parse_period
from domain.reconciliation.breaks import (
    OPEN,
    RECORDED,
    RESOLVED,
    UNCHANGED,
    Break,
    Reconciliation,
    break_id,
    reconciliation_id,
)
from domain.reconciliation.cash import match_cash
from domain.reconciliation.dealers import AveragingMethod, DealerFee, match_dealer_fees
from domain.reconciliation.matcher import (
    business_days_apart,
    match_accruals_by_class,
    match_payables,
)
from domain.reconciliation.records import (
    DISTRIBUTOR_ACCOUNT,
    FUND_ACCOUNT_PREFIX,
    BreakKind,
    Check,
    Direction,
    Finding,
    LedgerFigure,
    LedgerPayment,
    Match,
    Outcome,
    OutsideLine,
    StatementKind,
)
from domain.reconciliation.statement import OutsideStatement, statement_id
from projections.reconciliation import BreakRow


@dataclass(frozen=True)
class ImportStatement:
    kind: StatementKind
    statement: StatementFile


@dataclass(frozen=True)
class RunReconciliation:
    period: Period | None  # None: every day any side has
    tolerance: Decimal
    window_business_days: int
    on: date  # the business date the run's events carry


@dataclass(frozen=True)
class StateAveraging:
    provider_code: str
    fund_class: str
    agreement_reference: str
    method: AveragingMethod
    document: str
    on: date


@dataclass(frozen=True)
class RunSummary:
    matches_found: int
    breaks_found: int
    matches_recorded: int
    breaks_opened: int
    breaks_resolved: int
    breaks_reopened: int = 0

    @property
    def events_written(self) -> bool:
        return bool(
            self.matches_recorded or self.breaks_opened or self.breaks_resolved
            or self.breaks_reopened
        )  # fmt: skip


@dataclass(frozen=True)
class BreakAction:
    """One step of work on a break: `action` is assign, comment, resolve, write-off or approve."""

    key: str
    action: str
    on: date
    text: str = ""  # the owner, the comment, the resolving event id or the reason
    note: str = ""
    amount: Decimal | None = None


class ReconciliationUseCases:
    def __init__(self, ports: Ports) -> None:
        self.ports = ports

    def import_statement(self, command: ImportStatement) -> str:
        """Record the file's lines, all in one transaction; the same file again: unchanged."""
        statement = command.statement
        if self._exists(statement_id(command.kind, statement.sha256)):
            return UNCHANGED
        provenance = self.ports.provenance(
            f"{statement.name} sha256:{statement.sha256[:16]} (reconcile import)"
        )
        imported = OutsideStatement.imported(
            command.kind,
            file_name=statement.name,
            sha256=statement.sha256,
            account=statement.account,
            lines=statement.lines,
            provenance=provenance,
        )
        self.ports.store.save(imported, statement_events=500)
        return RECORDED

    def _exists(self, aggregate_id: Any) -> bool:
        try:
            self.ports.view.load(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def run(self, command: RunReconciliation) -> RunSummary:
        """Run every check the imported statements allow; record new matches, open new breaks,
        and resolve the open breaks of the checks run that are no longer found."""
        with _without_cycle_collection():
            return self._run(command)

    def _run(self, command: RunReconciliation) -> RunSummary:
        view = self.ports.view
        statements, known = reads.statements_and_breaks(view)
        outcomes: dict[str, Outcome] = {}
        books = _lines_of(statements, StatementKind.FUND_BOOKS, command.period)
        if books:
            daily, monthly = reads.ledger_accrual_days(view, command.period)
            outcomes[Check.ACCRUALS.value] = match_accruals_by_class(
                daily,
                {
                    key: figure
                    for key, figure in monthly.items()
                    if _month_in(key[1], command.period)
                },
                books,
                command.tolerance,
                functools.partial(_month_in, period=command.period),
            ) + match_payables(
                reads.ledger_payables(view, _month_end_days(books)), books, command.tolerance
            )
        cash = _cash_outcome(statements, reads.ledger_payments(view), command)
        if cash is not None:
            outcomes[Check.DISTRIBUTOR_CASH.value] = cash
        dealers = self._dealer_outcome(statements, command)
        if dealers is not None:
            outcomes[Check.DEALER_FEES.value] = dealers
        return self._record(outcomes, known, command)

    def _dealer_outcome(
        self, statements: Sequence[reads.Statement], command: RunReconciliation
    ) -> Outcome | None:
        """The three-way check of each invoice in the period, and the fees paid against the
        Distributor's account's debits (the cash leg)."""
        invoices = _lines_of(statements, StatementKind.DEALER_INVOICE, command.period)
        fees = reads.ledger_service_fees(self.ports.view)
        cash = _cash_outcome(
            statements,
            [fee.payment for fee in fees],
            command,
            side_of=_dealer_cash_side,
            check=Check.DEALER_FEES,
        )
        if not invoices:
            return cash
        outcome = self._three_way(invoices, fees, command)
        return outcome if cash is None else outcome + cash

    def _three_way(
        self, invoices: list[OutsideLine], fees: list[reads.LedgerFee], command: RunReconciliation
    ) -> Outcome:
        paid: dict[tuple[str, str, str], list[LedgerPayment]] = {}
        for fee in fees:
            paid.setdefault((fee.provider, fee.payment.fund_class, fee.period), []).append(
                fee.payment
            )
        averaging = self._reconciliation(Check.DEALER_FEES.value, command.on).averaging
        invoiced = {(line.dealer, line.fund_class, line.period) for line in invoices}
        figures = {
            key: self._dealer_fee(key, averaging, _paid_figure(paid.get(key, [])))
            for key in invoiced
        }
        dealers = {dealer for dealer, _class, _period in invoiced}
        not_invoiced = {
            key: _total(payments)
            for key, payments in paid.items()
            if key[0] in dealers
            and key not in invoiced
            and _in(parse_period(key[2]).start, command.period)
        }
        return match_dealer_fees(invoices, figures, not_invoiced, command.tolerance)

    def _dealer_fee(
        self,
        key: tuple[str, str, str],
        averaging: dict[str, str],
        paid: LedgerFigure | None,
    ) -> DealerFee:
        """The fee the dealer's agreement gives for the period (on the averaging method stated
        for the agreement in force on the period's last covered day; the cap's own method if
        none was stated), and the cap."""
        dealer, fund_class, label = key
        found = agreement_fee(self.ports.view, averaging, dealer, fund_class, parse_period(label))
        if isinstance(found, str):
            return DealerFee(None, None, paid, found)
        return DealerFee(found.owed, found.cap, paid)

    def state_averaging(self, command: StateAveraging) -> str:
        """Record the averaging method a dealer's agreement states (dealer-fees check).

        Raises:
            UnknownFundClassError: no agreement of the dealer on the class.
            RuleViolation: the agreement is not one recorded for the dealer on the class.
        """
        fund, share_class = command.fund_class.split("/", 1)
        arrangement = self.ports.view.arrangement(command.provider_code, fund, share_class)
        references = {agreement.reference for agreement in arrangement.agreements}
        if command.agreement_reference not in references:
            raise RuleViolation(
                "dealer-agreement-unknown",
                "SEVENTH",
                f"{arrangement.key}: no agreement {command.agreement_reference!r} (recorded: "
                f"{', '.join(sorted(references))})",
            )
        reconciliation = self._reconciliation(Check.DEALER_FEES.value, command.on)
        outcome = reconciliation.state_averaging(
            provider_code=command.provider_code,
            fund_class=command.fund_class,
            agreement_reference=command.agreement_reference,
            method=command.method.value,
            document=command.document,
            on=command.on,
            provenance=self.ports.provenance("command:reconcile dealer-terms"),
        )
        if outcome == RECORDED:
            self.ports.save(reconciliation)
        return outcome

    def _record(
        self,
        outcomes: dict[str, Outcome],
        known: dict[str, BreakRow],
        command: RunReconciliation,
    ) -> RunSummary:
        """Record the outcomes against the breaks `known` (as read with the statements)."""
        provenance = self.ports.provenance("command:reconcile run")
        period = command.period.label() if command.period else "all"
        to_save: list[Any] = []
        recorded = opened = resolved = reopened = 0
        for check, outcome in sorted(outcomes.items()):
            reconciliation = self._reconciliation(check, command.on)
            recorded += reconciliation.record_matches(
                outcome.matches,
                period=period,
                tolerance=command.tolerance,
                window_business_days=command.window_business_days,
                on=command.on,
                provenance=provenance,
            )
            to_save.append(reconciliation)
            for finding in outcome.breaks:
                if finding.key not in known:
                    to_save.append(Break.opened(finding, provenance))
                    opened += 1
                elif known[finding.key].status == RESOLVED:
                    # Resolved, yet the difference is found again: the resolution did not hold.
                    again = cast(Break, self.ports.view.load(break_id(finding.key)))
                    again.reopen(finding, command.on, provenance)
                    to_save.append(again)
                    reopened += 1
            for row in _no_longer_found(known.values(), check, outcome, command.period):
                found = cast(Break, self.ports.view.load(break_id(row.key)))
                found.resolve(
                    _resolving_events(row, outcome.matches),
                    "the matcher no longer finds the difference",
                    command.on,
                    provenance,
                )
                to_save.append(found)
                resolved += 1
        if recorded or opened or resolved or reopened:
            self.ports.store.save(*to_save, statement_events=500)
        found_matches = sum(len(outcome.matches) for outcome in outcomes.values())
        found_breaks = sum(len(outcome.breaks) for outcome in outcomes.values())
        return RunSummary(found_matches, found_breaks, recorded, opened, resolved, reopened)

    def _reconciliation(self, check: str, on: date) -> Reconciliation:
        try:
            return cast(Reconciliation, self.ports.view.load(reconciliation_id(check)))
        except AggregateNotFoundError:
            return Reconciliation.opened(check, on, self.ports.provenance("command:reconcile run"))

    def work(self, command: BreakAction) -> str:
        """Assign, comment on, resolve, propose a write-off of, or approve the write-off of a
        break; "unchanged" for the same step again.

        Raises:
            RuleViolation: no such break, or the step refused (a self-approved write-off).
        """
        try:
            found = cast(Break, self.ports.view.load(break_id(command.key)))
        except AggregateNotFoundError:
            raise RuleViolation(
                "break-unknown", "docs/reconciliation.md §3", f"no break {command.key!r}"
            ) from None
        provenance = self.ports.provenance(f"command:reconcile {command.action}")
        if command.action == "assign":
            outcome = found.assign(command.text, command.on, provenance)
        elif command.action == "comment":
            outcome = found.comment(command.text, command.on, provenance)
        elif command.action == "resolve":
            outcome = found.resolve(command.text, command.note, command.on, provenance)
        elif command.action == "write-off":
            assert command.amount is not None
            outcome = found.propose_write_off(command.amount, command.text, command.on, provenance)
        else:
            outcome = found.approve_write_off(command.on, provenance)
        if outcome == RECORDED:
            self.ports.save(found)
        return outcome


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A run makes a few objects per statement line and per match, none of them in a cycle,
    and holds them all to the end: the cycle collector, triggered by the allocations, would
    walk that growing heap again and again for nothing (a third of a 100,000-line run). It
    runs again once the run is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _paid_figure(payments: Sequence[LedgerPayment]) -> LedgerFigure | None:
    return _total(payments) if payments else None


def _total(payments: Sequence[LedgerPayment]) -> LedgerFigure:
    total = sum((payment.amount for payment in payments), Decimal(0))
    return LedgerFigure(total, tuple(sorted(i for p in payments for i in p.event_ids)))


def _in(day: date, period: Period | None) -> bool:
    return period is None or period.start <= day < period.end_exclusive


def _month_in(month: str, period: Period | None) -> bool:
    """The whole month lies in the period (or there is no period)."""
    if period is None:
        return True
    first = date.fromisoformat(f"{month}-01")
    return period.start <= first and next_month_start(first) <= period.end_exclusive


def _month_end_days(books: Iterable[OutsideLine]) -> set[tuple[str, date]]:
    """The classes and days of the books' lines on a month's last day (no month ends before
    its 28th: most days are passed by on that alone)."""
    return {
        (line.fund_class, line.day)
        for line in books
        if line.day.day >= 28 and (line.day + timedelta(days=1)).day == 1
    }


def _lines_of(
    statements: Iterable[reads.Statement], kind: StatementKind, period: Period | None
) -> list[OutsideLine]:
    """The statements' lines of the kind in the period: a statement wholly in it (its period
    is its lines' first and last days) gives every line without a test of each day."""
    lines: list[OutsideLine] = []
    for statement in statements:
        if statement.kind != kind.value:
            continue
        if period is None or (
            period.start <= statement.period_start
            and statement.period_end_exclusive <= period.end_exclusive
        ):
            lines.extend(statement.lines)
        else:
            lines.extend(line for line in statement.lines if _in(line.day, period))
    return lines


def _plan_cash_side(account: str) -> Direction | None:
    """The plan's payments: a fund's account's debits, the Distributor's account's credits."""
    return Direction.CREDIT if account == DISTRIBUTOR_ACCOUNT else Direction.DEBIT


def _dealer_cash_side(account: str) -> Direction | None:
    """The service fees: the Distributor's account's debits."""
    return Direction.DEBIT if account == DISTRIBUTOR_ACCOUNT else None


def _cash_outcome(
    statements: Sequence[reads.Statement],
    payments: Sequence[LedgerPayment],
    command: RunReconciliation,
    *,
    side_of: Callable[[str], Direction | None] = _plan_cash_side,
    check: Check = Check.DISTRIBUTOR_CASH,
) -> Outcome | None:
    """Each bank account's side (`side_of`: the direction of its lines the payments are held
    against): a fund's account against that fund's payments, the Distributor's against every
    payment; only on the days its statements cover (a payment on a day no statement covers is
    not missing from it)."""
    sides = _sides(statements, side_of, command.period)
    if not sides:
        return None
    in_period = [payment for payment in payments if _in(payment.paid_on, command.period)]
    by_fund: dict[str, list[LedgerPayment]] = {}
    for payment in in_period:
        by_fund.setdefault(payment.fund_class.split("/")[0], []).append(payment)
    matches: list[Match] = []
    kept: list[Finding] = []
    for account, (lines, days) in sorted(sides.items()):
        fund = account.removeprefix(FUND_ACCOUNT_PREFIX)
        held = in_period if account == DISTRIBUTOR_ACCOUNT else by_fund.get(fund, [])
        # A payment a few days before or after the statement may be in it: it is matched, but
        # missing from it only if paid on a day it covers.
        near = _within_window(frozenset(days), command.window_business_days)
        paid = [payment for payment in held if payment.paid_on in near]
        found = match_cash(
            account, paid, lines, command.tolerance, command.window_business_days, check=check
        )
        matches.extend(found.matches)
        kept.extend(
            finding
            for finding in found.breaks
            if finding.kind is not BreakKind.MISSING_IN_STATEMENT or finding.business_date in days
        )
    return Outcome(tuple(matches), tuple(kept))


def _sides(
    statements: Sequence[reads.Statement],
    side_of: Callable[[str], Direction | None],
    period: Period | None,
) -> dict[str, tuple[list[OutsideLine], set[date]]]:
    """Each account's lines on the side wanted, in the period, and the days its statements
    cover."""
    sides: dict[str, tuple[list[OutsideLine], set[date]]] = {}
    for statement in statements:
        if not StatementKind(statement.kind).is_bank:
            continue
        covered = _days(statement.period_start, statement.period_end_exclusive)
        counted: set[str] = set()  # the accounts given this statement's days (once each)
        for line in statement.lines:
            wanted = side_of(line.account)
            if wanted is None:
                continue
            lines, days = sides.setdefault(line.account, ([], set()))
            if line.account not in counted:
                counted.add(line.account)
                days.update(covered)
            if line.direction is wanted and _in(line.day, period):
                lines.append(line)
    return sides


@functools.lru_cache(maxsize=64)
def _within_window(days: frozenset[date], window_business_days: int) -> frozenset[date]:
    """The days covered, and those within the window of one of them (the funds' accounts
    share one statement's days: computed once for them all)."""
    near = set(days)
    for day in days:
        near.update(_near(day, window_business_days))
    return frozenset(near)


@functools.lru_cache(maxsize=8_192)
def _near(day: date, window_business_days: int) -> frozenset[date]:
    """The days within the window of `day` (each account's statements cover the same days
    again and again: computed once)."""
    found = set()
    for offset in range(1, window_business_days * 2 + 5):
        for other in (day - timedelta(days=offset), day + timedelta(days=offset)):
            if business_days_apart(day, other) <= window_business_days:
                found.add(other)
    return frozenset(found)


def _days(start: date, end_exclusive: date) -> list[date]:
    return [date.fromordinal(day) for day in range(start.toordinal(), end_exclusive.toordinal())]


def _no_longer_found(
    rows: Iterable[BreakRow], check: str, outcome: Outcome, period: Period | None
) -> list[BreakRow]:
    """The open breaks of `check` in the period that this run did not find again."""
    found = {finding.key for finding in outcome.breaks}
    return sorted(
        (
            row
            for row in rows
            if row.check == check
            and row.status == OPEN
            and row.key not in found
            and _in(row.business_date, period)
        ),
        key=lambda row: row.key,
    )


def _resolving_events(row: BreakRow, matches: Sequence[Match]) -> str:
    """The ledger events of the match that now holds the break's items (the latest first: the
    correction that made them agree), else the break's own ledger items."""
    items = set(row.ledger_items) | set(row.outside_items)
    for match in matches:
        if match.key == row.key or items & (set(match.ledger_items) | set(match.outside_items)):
            return ", ".join(reversed(match.ledger_items)) or match.key
    return ", ".join(row.ledger_items) or "matcher"
