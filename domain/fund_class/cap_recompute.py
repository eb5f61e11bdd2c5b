"""The FINRA aggregate-cap account recomputed from the first day a correction reaches
(decision A3): a restatement of net assets, or a late fact taking days out of effect.

The account keeps only its open month; what it was, month by month, is in the class's recorded
events. `cap_history_of` folds them into what the account booked (each day's accrual, each
month's interest and the remaining amount it left, the movements). `recompute_cap_account` then
runs the account again from the month of the first day affected, as the accrual run would have
on the figures and standing of now: each day limited by what remains (`limited_accrual`), each
day charged with its deemed charge (`deemed_charge`, decision A13), each closed month trued up
and credited its interest (`CapAccount`) — the same functions the accrual run calls, so both
meet in one place. `FundClass` books the differences as new events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.accrual import BasisSegment, DailyAccrual, MonthTrueUp, PartRates, compute_month_true_up
from domain.fund_class.cap_account import (
    SERVICE_FEE_CREDIT,
    SERVICE_FEE_CREDIT_REVERSED,
    CapAccount,
    PrimeRates,
    charged_to_account,
    deemed_charge,
    limited_accrual,
)
from domain.fund_class.records import CapLine
from domain.money import ZERO, exact_add, round_half_up_to_cent
from domain.periods import ONE_DAY, Period, is_last_day_of_month, month_label


@dataclass(frozen=True)
class MonthInterest:
    """A month's interest credit, and the remaining amount at its end (interest included)."""

    amount: Decimal
    amount_exact: Decimal
    remaining_after: Decimal


@dataclass
class CapHistory:
    """What the account booked, as the class's events tell it (the latest word on each)."""

    opened_on: date | None = None
    opening_remaining: Decimal = ZERO
    lines: list[CapLine] = field(default_factory=list)
    booked: dict[date, DailyAccrual] = field(default_factory=dict)
    interest: dict[str, MonthInterest] = field(default_factory=dict)
    # (day, suspended) in the order the events came.
    flags: list[tuple[date, bool]] = field(default_factory=list)

    def suspended_before(self, day: date) -> bool:
        suspended = False
        for flagged_on, flag in self.flags:
            if flagged_on < day:
                suspended = flag
        return suspended


def _booked_accrual(event: Any) -> DailyAccrual:
    return DailyAccrual(
        day=event.business_date,
        basis_date=event.basis_date,
        basis_net_assets=event.basis_net_assets,
        rates=PartRates(event.absc_rate_annual, event.service_rate_annual),
        days_in_year=event.days_in_year,
        absc_amount_exact=event.absc_amount_exact,
        service_amount_exact=event.service_amount_exact,
        amount=event.amount,
        absc_amount=event.absc_amount,
        service_amount=event.service_amount,
        absc_limited_by=event.absc_limited_by,
    )


def _adjusted(booked: DailyAccrual, event: Any) -> DailyAccrual:
    return replace(
        booked,
        basis_date=event.basis_date,
        basis_net_assets=event.basis_net_assets,
        absc_amount_exact=exact_add(booked.absc_amount_exact, event.absc_amount_exact_delta),
        service_amount_exact=exact_add(
            booked.service_amount_exact, event.service_amount_exact_delta
        ),
        amount=booked.amount + event.amount_delta,
        absc_amount=booked.absc_amount + event.absc_amount_delta,
        service_amount=booked.service_amount + event.service_amount_delta,
        absc_limited_by=event.absc_limited_by,
    )


def _movement(name: str, event: Any) -> CapLine | None:
    """The line a movement of the account adds (sales, sales charges, service fees credited
    back under decision A13), or None for any other event."""
    day = event.business_date
    if name == "NewGrossSalesRecorded":
        return CapLine(day, event.cap_added, "new_gross_sales")
    if name == "SalesChargeReceived":
        return CapLine(day, -event.amount, event.kind)
    if name in ("CapServiceFeeCredited", "CapDeferredServiceFeeCredited"):
        return CapLine(day, event.amount, SERVICE_FEE_CREDIT)
    if name == "CapServiceFeeCreditReversed":
        return CapLine(day, -event.amount, SERVICE_FEE_CREDIT_REVERSED)
    return None


def cap_history_of(events: Iterable[Any]) -> CapHistory:
    """Fold a fund class's events (in order) into what its cap account booked."""
    history = CapHistory()
    for event in events:
        name = type(event).__name__
        day = event.business_date
        line = _movement(name, event)
        if line is not None:
            history.lines.append(line)
        elif name == "FinraCapAccountOpened":
            history.opened_on, history.opening_remaining = day, event.opening_remaining
        elif name == "FeeAccrued":
            history.booked[day] = _booked_accrual(event)
        elif name == "FeeAccrualAdjusted":
            history.booked[day] = _adjusted(history.booked[day], event)
        elif name == "FeeAccrualReversed":
            history.booked.pop(day, None)
        elif name in ("CapInterestCredited", "CapInterestAdjusted"):
            history.interest[event.month] = MonthInterest(
                event.amount, event.amount_exact, event.remaining_after
            )
        elif name in ("AbscSuspended", "AbscResumed"):
            history.flags.append((day, name == "AbscSuspended"))
    return history


@dataclass(frozen=True)
class CapInputs:
    """What a correction reaching the account needs beyond the class's state: its recorded
    events (read only if the correction reaches the account) and the prime rates."""

    recorded: Callable[[], Iterable[Any]]
    prime_rate_on: PrimeRates


def same_booking(booked: DailyAccrual, recomputed: DailyAccrual) -> bool:
    """Whether a day stands booked as recomputed (a figure from another date aside)."""
    return (
        booked.basis_net_assets,
        booked.absc_amount,
        booked.service_amount,
        booked.absc_limited_by,
    ) == (
        recomputed.basis_net_assets,
        recomputed.absc_amount,
        recomputed.service_amount,
        recomputed.absc_limited_by,
    ) and (not booked.absc_limited_by or booked.absc_amount_exact == recomputed.absc_amount_exact)


@dataclass(frozen=True)
class Recomputed:
    """The account run again: each day's accrual, each closed month's interest, the open month
    (its start, the remaining amount then, the charges so far) and the suspension at the end."""

    accruals: dict[date, DailyAccrual]
    interest: dict[str, MonthInterest]
    month_start: date
    month_start_remaining: Decimal
    absc_this_month: dict[str, Decimal]
    suspended: bool
    flagged_on: date | None
    # From the month run again: the state at the start and each day the suspension changed.
    run_from: date
    suspended_at_start: bool
    transitions: tuple[tuple[date, bool], ...]


@dataclass(frozen=True)
class Rerun:
    """What the run needs from the class: the days it accrued and the months it closed."""

    key: str
    last_accrued_day: date
    open_month_start: date  # the account's open month: every month ending before it is closed
    accrual_of: Callable[[date], DailyAccrual | None]  # unlimited; None: not in effect
    prime_rate_on: PrimeRates


def month_true_up(month: str, accruals: list[DailyAccrual]) -> MonthTrueUp:
    """The month's true-up over these days, as `FundClass` computes it from its segments."""
    sums: dict[tuple[Decimal, Decimal, int], Decimal] = {}
    extra = ZERO
    for accrual in accruals:
        absc_rate = accrual.rates.absc_rate_annual
        if accrual.absc_limited_by:
            absc_rate = ZERO
            extra = exact_add(extra, accrual.absc_amount_exact)
        terms = (absc_rate, accrual.rates.service_rate_annual, accrual.days_in_year)
        sums[terms] = exact_add(sums.get(terms, ZERO), accrual.basis_net_assets)
    segments = [
        BasisSegment(PartRates(absc, service), days, total)
        for (absc, service, days), total in sums.items()
    ]
    absc_booked = sum((accrual.absc_amount for accrual in accruals), ZERO)
    service_booked = sum((accrual.service_amount for accrual in accruals), ZERO)
    return compute_month_true_up(
        month, len(accruals), segments, absc_booked, service_booked, absc_extra_exact=extra
    )


def _start_of(history: CapHistory, first_day: date) -> tuple[date, date, Decimal]:
    """(first calendar day to run, the account's month start then, the remaining amount at
    that start): the month of the first day affected, or the account's first month."""
    assert history.opened_on is not None
    first_charged = history.opened_on + ONE_DAY
    run_from = max(first_day, first_charged).replace(day=1)
    if run_from <= first_charged:
        return run_from, first_charged, history.opening_remaining
    previous_month = month_label(run_from - ONE_DAY)
    return run_from, run_from, history.interest[previous_month].remaining_after


def recompute_cap_account(history: CapHistory, first_day: date, rerun: Rerun) -> Recomputed:
    """Run the account again from the month of `first_day`, as the accrual run would have."""
    run_from, month_start, remaining = _start_of(history, first_day)
    opened_on = history.opened_on
    suspended, flagged_on = history.suspended_before(run_from), None
    at_start, transitions = suspended, []
    accruals: dict[date, DailyAccrual] = {}
    interest: dict[str, MonthInterest] = {}
    charges: dict[str, Decimal] = {}
    month_days: list[DailyAccrual] = []
    last_day = max(rerun.last_accrued_day, rerun.open_month_start - ONE_DAY)
    for day in Period(run_from, last_day + ONE_DAY).each_day():
        account = CapAccount(
            rerun.key, opened_on, month_start, remaining, history.lines, charges, None
        )
        accrual = rerun.accrual_of(day) if day <= rerun.last_accrued_day else None
        if accrual is not None:
            if charged_to_account(opened_on, day):
                accrual, limited = limited_accrual(accrual, account.available_on(day))
                if limited != suspended:
                    suspended, flagged_on = limited, day
                    transitions.append((day, limited))
                charges[day.isoformat()] = deemed_charge(
                    accrual.absc_amount, accrual.service_amount
                )
            accruals[day] = accrual
            month_days.append(accrual)
        if not is_last_day_of_month(day) or day >= rerun.open_month_start:
            continue
        if month_days and charged_to_account(opened_on, day):
            true_up = month_true_up(month_label(day), month_days)
            adjustment = deemed_charge(true_up.adjustment_absc, true_up.adjustment_service)
            charges[day.isoformat()] = charges.get(day.isoformat(), ZERO) + adjustment
        month_days = []
        if charged_to_account(opened_on, day):
            closed = _close(account, charges, day, rerun.prime_rate_on)
            interest[month_label(day)] = closed
            month_start, remaining, charges = day + ONE_DAY, closed.remaining_after, {}
    return Recomputed(
        accruals,
        interest,
        month_start,
        remaining,
        charges,
        suspended,
        flagged_on,
        run_from,
        at_start,
        tuple(transitions),
    )


def transitions_booked(history: CapHistory, run_from: date) -> tuple[tuple[date, bool], ...]:
    """Each day from `run_from` on whose end the flags as booked change the suspension, read
    as every view reads them (the flags dated before a day, in the order recorded)."""
    found, state = [], history.suspended_before(run_from)
    for day in sorted({day for day, _ in history.flags if day >= run_from}):
        after = history.suspended_before(day + ONE_DAY)
        if after != state:
            found.append((day, after))
            state = after
    return tuple(found)


def _close(
    account: CapAccount, charges: dict[str, Decimal], month_end: date, prime_rate_on: PrimeRates
) -> MonthInterest:
    """The month's interest and the remaining amount after it, as `credit_cap_interest`."""
    account = replace(account, absc_this_month=charges)
    exact = account.interest_exact(month_end, prime_rate_on)
    credited = round_half_up_to_cent(exact)
    return MonthInterest(
        credited, exact, exact_add(account.remaining_at_end_of(month_end), credited)
    )
