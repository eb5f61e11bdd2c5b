"""What was in force and owed for one fund class on business date D, as the ledger knew it at T
(docs/audit.md §1): assembled from the fund class as of T, evaluated on D, and the money the
read models hold for business dates up to D among the events known at T. Pure.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.basis import BasisLookup
from domain.fund_class import FundClass, ReportIssue

CENT = Decimal("0.01")


@dataclass(frozen=True)
class MoneyOnDate:
    """Sums in cents for business dates up to D, of the events known at T."""

    accrued_through: date | None
    absc_accrued_cents: int
    service_accrued_cents: int
    absc_paid_cents: int
    service_paid_cents: int
    absc_receivable_cents: int = 0
    service_receivable_cents: int = 0


@dataclass(frozen=True)
class PointInTime:
    fund_class: str
    as_of: date
    known_position: int
    in_effect: bool
    authority: str
    agreement_in_effect: bool
    absc_rate_annual: Decimal
    service_rate_annual_max: Decimal
    total_rate_annual_max: Decimal
    basis_date: date | None
    basis_net_assets: Decimal | None
    accrued_through: date | None
    absc_accrued: Decimal
    service_accrued: Decimal
    absc_paid: Decimal
    service_paid: Decimal
    reports: list[dict[str, Any]]
    # What the Distributor owes back (decision A16): months paid beyond what they now accrue.
    receivable: Decimal = Decimal("0.00")

    @property
    def accrued(self) -> Decimal:
        return self.absc_accrued + self.service_accrued

    @property
    def paid(self) -> Decimal:
        return self.absc_paid + self.service_paid

    @property
    def payable(self) -> Decimal:
        """Accrued, less what the Distributor was paid and kept: never below zero, the
        receivable taking what it was paid beyond."""
        return self.accrued - self.paid + self.receivable


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def point_in_time(
    fund_class: FundClass, as_of: date, known_position: int, money: MoneyOnDate
) -> PointInTime:
    """Args:
    fund_class: the aggregate as known at `known_position`.
    money: the read models' sums for (as_of, known_position).
    """
    standing = fund_class.standing()
    authority = standing.authorities_by_day([as_of])[as_of]
    schedule_b = fund_class.schedule_b_on(as_of)
    basis = BasisLookup(fund_class.net_assets_by_date).latest_on_or_before(as_of)
    return PointInTime(
        fund_class=fund_class.key,
        as_of=as_of,
        known_position=known_position,
        in_effect=authority is not None,
        authority=authority or standing.why_not_in_effect(as_of)[1],
        agreement_in_effect=standing.agreement_in_effect(as_of),
        absc_rate_annual=schedule_b.absc_rate_annual,
        service_rate_annual_max=schedule_b.service_rate_annual_max,
        total_rate_annual_max=schedule_b.total_rate_annual_max,
        basis_date=basis[0] if basis else None,
        basis_net_assets=basis[1] if basis else None,
        accrued_through=money.accrued_through,
        absc_accrued=_dollars(money.absc_accrued_cents),
        service_accrued=_dollars(money.service_accrued_cents),
        absc_paid=_dollars(money.absc_paid_cents),
        service_paid=_dollars(money.service_paid_cents),
        reports=reports_as_of(fund_class, as_of),
        receivable=_dollars(money.absc_receivable_cents + money.service_receivable_cents),
    )


def reports_as_of(fund_class: FundClass, as_of: date) -> list[dict[str, Any]]:
    """Each quarter's report as it stood on `as_of`: its latest issue by then, reviewed only
    if reviewed by then (a re-issue after `as_of` does not hide the issue before it)."""
    latest: dict[str, ReportIssue] = {}
    for issue in fund_class.report_issues:
        if issue.issued_on <= as_of:
            latest[issue.quarter] = issue
    return [
        {**asdict(issue), "reviewed_on": _on_or_before(issue.reviewed_on, as_of)}
        for _, issue in sorted(latest.items())
    ]


def approvals_as_of(fund_class: FundClass, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """The board's approvals and continuances made by `as_of`; the new plans that brought the
    plan back after a lapse (decision Q6b) in effect by then; the new agreements approved in
    advance that still wait for the end they name (Q11a)."""
    return {
        "approvals": [asdict(a) for a in fund_class.approvals if a.approved_on <= as_of],
        "continuances": [asdict(c) for c in fund_class.continuances if c.approved_on <= as_of],
        "new_plans": [asdict(r) for r in fund_class.plan_resumptions if r.covers_from <= as_of],
        "agreements_approved_in_advance": [
            asdict(a) for a in fund_class.advance_agreement_approvals if a.approved_on <= as_of
        ],
    }


def _on_or_before(day: date | None, as_of: date) -> date | None:
    return day if day is not None and day <= as_of else None
