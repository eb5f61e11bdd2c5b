"""The reconciliation report and the dealers' remittance advice (docs/reconciliation.md §4): what
the recorded matches and breaks say about a period, and for each dealer, fund class and fee
period the fee its agreement gives, the invoice, the cap and what was paid.

Read as known at the view's log position, like every other figure: the matches and breaks are
folds of their events, the dealers' figures come from their arrangements and the read models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from eventsourcing.application import AggregateNotFoundError

from adapters.readside import reconciliation as reads
from adapters.readside.view import LedgerView
from domain.errors import RuleViolation, UnknownFundClassError
from domain.periods import Period, parse_period
from domain.reconciliation.breaks import Reconciliation, averaging_key, reconciliation_id
from domain.reconciliation.dealers import AveragingMethod, average_basis, fee_owed
from domain.reconciliation.records import Check, StatementKind
from projections.reconciliation import (
    BreakRow,
    DealerLine,
    ReconciliationReport,
    check_totals,
    dealer_status,
    fold_matches,
)

# The cap a dealer's invoice is held against is the cap `service-fee` shows by default.
DEALER_CAP_CARRY_DAYS = 4


@dataclass(frozen=True)
class AgreementFee:
    """The fee a dealer's agreement gives for a period, on its own averaging method."""

    agreement_reference: str
    method: AveragingMethod
    average_net_assets: Decimal  # the method's average position over the covered days
    rate_annual: Decimal  # the contractual rate on the period's last covered day
    owed: Decimal
    cap: Decimal | None  # None: the cap cannot be computed (positions missing)
    cap_average_net_assets: Decimal | None


def agreement_fee(
    view: LedgerView, averaging: dict[str, str], dealer: str, fund_class: str, period: Period
) -> AgreementFee | str:
    """The fee and cap of the dealer's agreement on the class for `period`, or why there is
    none (no agreement recorded, or none covering the period)."""
    fund, share_class = fund_class.split("/", 1)
    try:
        arrangement = view.arrangement(dealer, fund, share_class)
    except UnknownFundClassError as error:
        return str(error)
    covered = [day for day in period.each_day() if arrangement.agreement_on(day)]
    if not covered:
        return f"no agreement of {dealer} covers {period.label()}"
    agreement = arrangement.agreement_on(covered[-1])
    assert agreement is not None
    method = AveragingMethod(
        averaging.get(
            averaging_key(dealer, fund_class, agreement.reference),
            AveragingMethod.CALENDAR_DAY_AVERAGE.value,
        )
    )
    positions = {
        date.fromisoformat(day): amount for day, amount in arrangement.positions_by_date.items()
    }
    rate_on = arrangement.contractual_rate_on
    try:
        cap = view.service_fee_cap(
            dealer, fund, share_class, period, max_carry_days=DEALER_CAP_CARRY_DAYS
        )
        cap_amount: Decimal | None = cap.cap_amount
        cap_average: Decimal | None = cap.net_assets_average_daily
    except RuleViolation:
        cap_amount = cap_average = None
    return AgreementFee(
        agreement.reference,
        method,
        average_basis(method, period, positions, rate_on),
        agreement.contractual_rate_annual,
        fee_owed(method, period, positions, rate_on),
        cap_amount,
        cap_average,
    )


def averaging_stated(view: LedgerView) -> dict[str, str]:
    """The averaging methods stated for dealers' agreements (`reconcile dealer-terms`)."""
    try:
        found = cast(Reconciliation, view.load(reconciliation_id(Check.DEALER_FEES.value)))
    except AggregateNotFoundError:
        return {}
    return dict(found.averaging)


def reconciliation_report(view: LedgerView, period: Period, as_of: date) -> ReconciliationReport:
    """Matched totals per check in `period`, the breaks about its days still open (aged to
    `as_of`), and each dealer's three-way status for the fee periods in it."""
    rows = reads.breaks(view)
    matches = fold_matches(reads.events_of(view, MATCH_TOPICS))
    in_period = [row for row in rows.values() if row.business_date in period]
    open_breaks = sorted(
        (row for row in in_period if row.is_open), key=lambda row: (row.business_date, row.key)
    )
    match_keys = {match.key for match in matches}
    return ReconciliationReport(
        period,
        as_of,
        tuple(check_totals([m for m in matches if m.business_date in period], in_period)),
        tuple(open_breaks),
        tuple(dealer_lines(view, period, rows, match_keys)),
    )


MATCH_TOPICS = (Reconciliation.ItemsMatched.TOPIC,)


def dealer_lines(
    view: LedgerView,
    period: Period,
    rows: dict[str, BreakRow] | None = None,
    match_keys: set[str] | None = None,
    dealer: str | None = None,
) -> list[DealerLine]:
    """Each dealer's (or one dealer's) fund classes and fee periods starting in `period`: the
    periods it invoiced or was paid for, else `period` itself while an agreement covers it."""
    rows = reads.breaks(view) if rows is None else rows
    if match_keys is None:
        match_keys = {m.key for m in fold_matches(reads.events_of(view, MATCH_TOPICS))}
    invoiced = _invoiced(reads.statements(view))
    paid: dict[tuple[str, str, str], list[reads.LedgerFee]] = {}
    for service_fee in reads.ledger_service_fees(view):
        payment = service_fee.payment
        paid.setdefault((service_fee.provider, payment.fund_class, service_fee.period), []).append(
            service_fee
        )
    averaging = averaging_stated(view)
    lines = []
    for arrangement in view.arrangements():
        if dealer is not None and arrangement.provider_code != dealer:
            continue
        code = arrangement.provider_code
        fund_class = f"{arrangement.fund_code}/{arrangement.share_class}"
        labels = {
            label
            for (who, what, label) in (*invoiced, *paid)
            if who == code and what == fund_class and parse_period(label).start in period
        }
        if not labels and any(arrangement.agreement_on(day) for day in period.each_day()):
            labels = {period.label()}
        for label in sorted(labels, key=lambda text: parse_period(text).start):
            key = (code, fund_class, label)
            fee = agreement_fee(view, averaging, code, fund_class, parse_period(label))
            status = dealer_status(rows, match_keys, key, key in invoiced)
            lines.append(
                _line(
                    arrangement.provider_name, key, fee,
                    invoiced=invoiced.get(key), fees=paid.get(key, []), status=status,
                )
            )  # fmt: skip
    return lines


def _line(
    name: str,
    key: tuple[str, str, str],
    fee: AgreementFee | str,
    *,
    invoiced: Decimal | None,
    fees: Sequence[reads.LedgerFee],
    status: str,
) -> DealerLine:
    paid = sum((fee.payment.amount for fee in fees), Decimal(0)) if fees else None
    references = tuple(sorted(fee.payment.reference for fee in fees))
    if isinstance(fee, str):
        return DealerLine(
            *key[:1], name, *key[1:], "", "", None, None, None, invoiced, None, paid, references,
            status, fee,
        )  # fmt: skip
    return DealerLine(
        key[0], name, key[1], key[2], fee.agreement_reference, fee.method.value,
        fee.average_net_assets, fee.rate_annual, fee.owed, invoiced, fee.cap, paid, references,
        status,
    )  # fmt: skip


def _invoiced(statements: Iterable[reads.Statement]) -> dict[tuple[str, str, str], Decimal]:
    """Each dealer's invoiced amount by class and period (every invoice line summed once)."""
    totals: dict[tuple[str, str, str], Decimal] = {}
    seen: set[tuple[str, int]] = set()
    for statement in statements:
        if statement.kind != StatementKind.DEALER_INVOICE.value:
            continue
        for line in statement.lines:
            if (line.statement_sha256, line.row) in seen:
                continue
            seen.add((line.statement_sha256, line.row))
            key = (line.dealer, line.fund_class, line.period)
            totals[key] = totals.get(key, Decimal(0)) + line.amount
    return totals
