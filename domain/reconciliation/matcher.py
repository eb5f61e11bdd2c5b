"""The matcher: the ledger's figures against the outside world's lines, pure and deterministic.

Two checks (docs/reconciliation.md §2):

- accruals: each class's daily accrual against the fund books' `accrued` for the day, then the
  month's total against the books' month, and the payable at each month end against the books'
  `payable`; a difference within the tolerance is a match.
- distributor cash: the ledger's payments against one side's bank lines (the fund account's
  debits, or the Distributor account's credits), matched by reference, then by amount within
  the tolerance and a date window of business days, then a bank line holding a day's payments
  (a batch) or a payment paid in several lines of a day (a split). What is left is a break.

The same inputs always give the same matches and breaks under the same keys, whatever order
they come in: everything is sorted by its ids before it is paired.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import repeat
from typing import Any, NamedTuple

from domain.reconciliation.records import (
    BreakKind,
    Check,
    Finding,
    LedgerFigure,
    Match,
    MatchRule,
    Outcome,
    OutsideLine,
    line_ids,
)

DEFAULT_TOLERANCE = Decimal("0.01")
DEFAULT_WINDOW_BUSINESS_DAYS = 3
ZERO = Decimal(0)
SATURDAY = 5
ONE_DAY = timedelta(days=1)
# Read once: an enum member's value is a property call, and the accruals ask it per day.
_ACCRUALS = Check.ACCRUALS.value
_EQUAL = MatchRule.EQUAL.value
_new_tuple = tuple.__new__


def within(difference: Decimal, tolerance: Decimal) -> bool:
    """A difference of exactly the tolerance is within it."""
    return abs(difference) <= tolerance


def business_days_apart(first: date, second: date) -> int:
    """Weekdays from the earlier date (excluded) to the later (included): Friday to Monday is
    one business day apart, Friday to Saturday none."""
    start, end = min(first, second), max(first, second)
    weeks, rest = divmod((end - start).days, 7)
    days = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < SATURDAY:
            days += 1
    return days


# ---- accruals -----------------------------------------------------------------------------


class LedgerDays(NamedTuple):
    """One class's daily figures, its days in order (each once), with each day's amount and
    the events that make it: the ledger's side of `match_accruals_by_class`."""

    days: list[date]
    amounts: list[Decimal]
    event_ids: list[tuple[str, ...]]


def daily_figures(ledger: Mapping[str, LedgerDays]) -> dict[tuple[str, date], LedgerFigure]:
    """The classes' days as `match_accruals` takes them: a figure per class and day."""
    return {
        (fund_class, day): LedgerFigure(amount, ids)
        for fund_class, series in ledger.items()
        for day, amount, ids in zip(series.days, series.amounts, series.event_ids, strict=True)
    }


def match_accruals(
    ledger_daily: Mapping[tuple[str, date], LedgerFigure],
    ledger_monthly: Mapping[tuple[str, str], LedgerFigure],
    books: Sequence[OutsideLine],
    tolerance: Decimal = DEFAULT_TOLERANCE,
    whole_months: Callable[[str], bool] = lambda month: True,
) -> Outcome:
    """Day by day, then month by month (`YYYY-MM`), for every class and day either side has.

    Books lines for the same class and day with the same figure are one figure (overlapping
    extracts); with different figures, the day is a `duplicate` break. Only the months
    `whole_months` accepts are compared as months: a run over part of a month compares its
    days, not part of the books' month against the ledger's whole one.
    """
    by_day: dict[tuple[str, date], list[OutsideLine]] = defaultdict(list)
    for line in books:
        by_day[(line.fund_class, line.day)].append(line)
    matches: list[Match] = []
    breaks: list[Finding] = []
    books_monthly: dict[tuple[str, str], list[Any]] = {}  # [amount, item ids]
    _days_compared(
        ledger_daily, by_day, books_monthly, tolerance=tolerance, matches=matches, breaks=breaks
    )
    monthly = _outcome(_months_compared(books_monthly, ledger_monthly, tolerance, whole_months))
    return Outcome((*matches, *monthly.matches), (*breaks, *monthly.breaks))


def match_accruals_by_class(
    ledger: Mapping[str, LedgerDays],
    ledger_monthly: Mapping[tuple[str, str], LedgerFigure],
    books: Sequence[OutsideLine],
    tolerance: Decimal = DEFAULT_TOLERANCE,
    whole_months: Callable[[str], bool] = lambda month: True,
) -> Outcome:
    """`match_accruals`, the same outcome, with the ledger's days given by class: a class whose
    books give one line a day, for exactly the ledger's days and with the same amounts (one
    comparison of the two lists), matches every day at once; any other class is compared day
    by day as `match_accruals` does. The classes in order, each one's days in order: the
    matches and breaks come in the order of `match_accruals`' sorted class and day."""
    by_class: dict[str, list[OutsideLine]] = defaultdict(list)
    for line in books:
        by_class[line.fund_class].append(line)
    matches: list[Match] = []
    breaks: list[Finding] = []
    books_monthly: dict[tuple[str, str], list[Any]] = {}  # [amount, item ids]
    labels: dict[date, str] = {}  # each day's ISO text, made once for every class
    no_days = LedgerDays([], [], [])
    for fund_class in sorted(by_class.keys() | ledger.keys()):
        lines = by_class.get(fund_class, [])
        series = ledger.get(fund_class, no_days)
        if tolerance >= 0 and _same_days_and_amounts(lines, series):
            matches.extend(_equal_days(fund_class, lines, series, books_monthly, labels))
            continue
        by_day: dict[tuple[str, date], list[OutsideLine]] = defaultdict(list)
        for line in lines:
            by_day[(fund_class, line.day)].append(line)
        figures = daily_figures({fund_class: series})
        _days_compared(
            figures, by_day, books_monthly, tolerance=tolerance, matches=matches, breaks=breaks
        )
    monthly = _outcome(_months_compared(books_monthly, ledger_monthly, tolerance, whole_months))
    return Outcome((*matches, *monthly.matches), (*breaks, *monthly.breaks))


def _same_days_and_amounts(lines: list[OutsideLine], series: LedgerDays) -> bool:
    """The books' lines are the ledger's days, one each, in order, with the same amounts (the
    lists compared in C; a difference of zero is within any tolerance of at least zero)."""
    return (
        len(lines) == len(series.days)
        and [line.day for line in lines] == series.days
        and [line.amount for line in lines] == series.amounts
    )


def _equal_days(
    fund_class: str,
    lines: list[OutsideLine],
    series: LedgerDays,
    books_monthly: dict[tuple[str, str], list[Any]],
    label_of: dict[date, str],
) -> list[Match]:
    """Every day of a class whose books equal the ledger's days (`_same_days_and_amounts`):
    the matches `_day_compared` makes, and each month's books figure and lines, summed in
    the days' order as it sums them. `label_of`: the days' ISO texts, grown as new days come
    (the classes share their days)."""
    for day in set(series.days).difference(label_of):
        label_of[day] = day.isoformat()
    labels = list(map(label_of.__getitem__, series.days))
    items = [(item,) for item in line_ids(lines)]
    amounts = [line.amount for line in lines]
    start, count = 0, len(labels)
    while start < count:  # each month's days, found by bisection of the sorted labels
        month = labels[start][:7]
        end = bisect_left(labels, f"{month}-99", start)
        total = sum(amounts[start + 1 : end], amounts[start])
        books_monthly[(fund_class, month)] = [total, [item for (item,) in items[start:end]]]
        start = end
    prefix = f"{_ACCRUALS}/day/{fund_class}/"
    values = zip(
        repeat(_ACCRUALS), [prefix + label for label in labels], repeat(_EQUAL),
        repeat(fund_class), series.days, series.event_ids, items, series.amounts, amounts,
    )  # fmt: skip
    # Each Match made from its nine values without a call of its constructor.
    return list(map(_new_tuple, repeat(Match), values))


def _days_compared(
    ledger_daily: Mapping[tuple[str, date], LedgerFigure],
    by_day: Mapping[tuple[str, date], list[OutsideLine]],
    books_monthly: dict[tuple[str, str], list[Any]],
    *,
    tolerance: Decimal,
    matches: list[Match],
    breaks: list[Finding],
) -> None:
    """Each class and day either side has, in order, compared: its match or break appended."""
    no_lines: list[OutsideLine] = []
    for key in _every_day(ledger_daily, by_day):
        lines = by_day.get(key, no_lines)
        if len(lines) > 1:  # overlapping extracts: sorted, so the items' order is the ids'
            lines.sort(key=lambda line: line.item_id)
            if len({line.amount for line in lines}) > 1:
                breaks.append(_conflicting_books(*key, ledger_daily.get(key), lines))
                continue
        # Positional arguments, the result's type asked once: a call per class and day.
        found = _day_compared(key, ledger_daily.get(key), lines, books_monthly, tolerance)
        (matches if type(found) is Match else breaks).append(found)  # type: ignore[arg-type]


def _every_day(
    ledger_daily: Mapping[tuple[str, date], LedgerFigure],
    by_day: Mapping[tuple[str, date], list[OutsideLine]],
) -> list[tuple[str, date]]:
    """Every class and day either side has, sorted. Each side mostly comes in order already
    (the ledger's figures as the classes were recorded, the books as the file gives them):
    sorting the ledger's days followed by the books' others merges a few runs, where sorting
    a set of both (in the order of its hashes) was a full sort of 90,000 keys in a run."""
    days = list(ledger_daily)
    days.extend(by_day.keys() - ledger_daily.keys())  # few, if any
    days.sort()
    return days


def _day_compared(
    key: tuple[str, date],
    ledger: LedgerFigure | None,
    lines: list[OutsideLine],
    books_monthly: dict[tuple[str, str], list[Any]],
    tolerance: Decimal,
) -> Match | Finding:
    """A class's day, books (one figure) against ledger; the books' figure and lines added to
    their month's (in place: a month's figure grows by the day)."""
    fund_class, day = key
    # One line (the common day): its id alone, without a list made into a tuple.
    items = (lines[0].item_id,) if len(lines) == 1 else tuple([line.item_id for line in lines])
    label = day.isoformat()
    outside = lines[0].amount if lines else None
    if outside is not None:
        month = (fund_class, label[:7])
        found = books_monthly.get(month)
        if found is None:
            books_monthly[month] = [outside, list(items)]
        else:
            found[0] += outside
            found[1].extend(items)
        if ledger is not None and abs(outside - ledger.amount) <= tolerance:
            # The common case, without the general comparison's keywords (a day per line).
            return Match(
                _ACCRUALS, f"{_ACCRUALS}/day/{fund_class}/{label}", _EQUAL, fund_class, day,
                ledger.event_ids, items, ledger.amount, outside,
            )  # fmt: skip
    return _compared(
        "day",
        fund_class,
        label,
        day,
        ledger=ledger,
        outside=outside,
        outside_items=items,
        tolerance=tolerance,
    )


def _months_compared(
    books_monthly: Mapping[tuple[str, str], list[Any]],  # [amount, item ids]
    ledger_monthly: Mapping[tuple[str, str], LedgerFigure],
    tolerance: Decimal,
    whole_months: Callable[[str], bool],
) -> list[Match | Finding]:
    """Each class's month either side has (and `whole_months` accepts), books against ledger."""
    return [
        _compared(
            "month",
            fund_class,
            month,
            _month_end(month),
            ledger=ledger_monthly.get((fund_class, month)),
            outside=books_monthly[(fund_class, month)][0]
            if (fund_class, month) in books_monthly
            else None,
            outside_items=tuple(books_monthly.get((fund_class, month), (ZERO, []))[1]),
            tolerance=tolerance,
        )
        for fund_class, month in sorted(set(books_monthly) | set(ledger_monthly))
        if whole_months(month)
    ]


def match_payables(
    ledger_month_end: Mapping[tuple[str, str], LedgerFigure],
    books: Sequence[OutsideLine],
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> Outcome:
    """The payable at each month end the books give one for (a line on the month's last day):
    the ledger's against the books' `payable`. A month end the books do not give is not
    compared (an extract may stop before it)."""
    results: list[Match | Finding] = []
    month_ends = sorted(
        {
            (line.fund_class, line.day.isoformat()[:7]): line
            for line in books
            if line.payable is not None and (line.day + ONE_DAY).day == 1  # the month's last
        }.items()
    )
    for (fund_class, month), line in month_ends:
        assert line.payable is not None
        results.append(
            _compared(
                "payable",
                fund_class,
                month,
                line.day,
                ledger=ledger_month_end.get((fund_class, month)),
                outside=line.payable,
                outside_items=(line.item_id,),
                tolerance=tolerance,
            )
        )
    return _outcome(results)


def _outcome(results: Iterable[Match | Finding]) -> Outcome:
    matches: list[Match] = []
    breaks: list[Finding] = []
    for result in results:
        if isinstance(result, Match):
            matches.append(result)
        else:
            breaks.append(result)
    return Outcome(tuple(matches), tuple(breaks))


def _month_end(month: str) -> date:
    first = date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _compared(
    scope: str,
    fund_class: str,
    label: str,
    business_date: date,
    *,
    ledger: LedgerFigure | None,
    outside: Decimal | None,
    outside_items: tuple[str, ...],
    tolerance: Decimal,
) -> Match | Finding:
    check = _ACCRUALS
    key = f"{check}/{scope}/{fund_class}/{label}"
    ledger_amount = None if ledger is None else ledger.amount
    ledger_items = () if ledger is None else ledger.event_ids
    if (
        ledger_amount is not None
        and outside is not None
        and within(outside - ledger_amount, tolerance)
    ):
        return Match(
            check, key, _EQUAL, fund_class, business_date, ledger_items,
            outside_items, ledger_amount, outside,
        )  # fmt: skip
    if outside is None:
        kind, detail = BreakKind.MISSING_IN_STATEMENT, f"the fund books have no {scope} figure"
    elif ledger_amount is None:
        kind, detail = BreakKind.MISSING_IN_LEDGER, f"the ledger accrued nothing for the {scope}"
    else:
        kind = BreakKind.AMOUNT_DIFFERS
        detail = f"differs by {outside - ledger_amount} (tolerance {tolerance})"
    return Finding(
        check, key, kind, fund_class, business_date, ledger_amount, outside, ledger_items,
        outside_items, detail,
    )  # fmt: skip


def _conflicting_books(
    fund_class: str, day: date, ledger: LedgerFigure | None, lines: list[OutsideLine]
) -> Finding:
    check = Check.ACCRUALS.value
    figures = ", ".join(sorted({str(line.amount) for line in lines}))
    return Finding(
        check,
        f"{check}/day/{fund_class}/{day.isoformat()}",
        BreakKind.DUPLICATE,
        fund_class,
        day,
        None if ledger is None else ledger.amount,
        None,
        () if ledger is None else ledger.event_ids,
        tuple(line.item_id for line in lines),
        f"the fund books give the day more than one figure: {figures}",
    )
