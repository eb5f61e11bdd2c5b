"""The accruals compared by class (`match_accruals_by_class`, whose classes whose books equal
the ledger's days match all at once) give exactly the outcome of the day-by-day comparison
(`match_accruals`): the same matches and breaks, in the same order, with the same items and
the same amounts, written alike."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reconciliation.matcher import (
    LedgerDays,
    daily_figures,
    match_accruals,
    match_accruals_by_class,
)
from domain.reconciliation.records import LedgerFigure, OutsideLine

START = date(2003, 6, 20)
SHAS = ("a" * 64, "b" * 64)
CLASSES = ("INTL-BCV/R", "INTL-BCV/R-2", "INTL-BCV/A", "STABLE-VALUE/R", "Z/Z")
# What the books give for one of the ledger's days; "equal" most often, as in a real run.
CHANGES = (
    "equal",
    "equal",
    "equal",
    "wider",  # the same figure written with six places
    "less",  # off by less than a cent
    "sub-cent",  # off by a millionth
    "at",  # off by exactly a cent
    "more",  # off by more than a cent
    "missing",
    "twice",  # the same figure in two extracts
    "conflict",  # two extracts, two figures
    "extra",  # and a day the ledger does not have
)
OFFSETS = {
    "equal": "0",
    "wider": "0",
    "less": "0.004",
    "sub-cent": "-0.000001",
    "at": "0.01",
    "more": "0.011",
}


def _ledger(draw: st.DrawFn, fund_class: str) -> LedgerDays:
    offsets = sorted(draw(st.sets(st.integers(0, 75), min_size=0, max_size=20)))
    days = [START + timedelta(days=offset) for offset in offsets]
    amounts = [Decimal(draw(st.integers(0, 10_000_000))).scaleb(-2) for _ in days]
    ids = [tuple(f"{fund_class}:{day}:{n}" for n in range(draw(st.integers(1, 3)))) for day in days]
    return LedgerDays(days, amounts, ids)


def _books(
    draw: st.DrawFn, fund_class: str, ledger: LedgerDays, rows: list[int]
) -> list[OutsideLine]:
    lines = []
    every_day_equal = draw(st.booleans())
    for day, amount in zip(ledger.days, ledger.amounts, strict=True):
        change = "equal" if every_day_equal else draw(st.sampled_from(CHANGES))
        if change == "missing":
            continue
        figure = amount + Decimal(OFFSETS.get(change, "0"))
        if change == "wider":
            figure = figure.quantize(Decimal("0.000001"))
        figures = [figure]
        if change in ("twice", "conflict"):
            figures.append(figure + (Decimal("0.02") if change == "conflict" else 0))
        if change == "extra":
            lines.append((day + timedelta(days=100), figure))
        lines.extend((day, each) for each in figures)
    made = []
    for day, figure in lines:
        rows[0] += 1
        sha = SHAS[draw(st.integers(0, 1))]
        made.append(OutsideLine(sha, rows[0], day, figure, fund_class=fund_class))
    # The file's order need not be the days'.
    return draw(st.permutations(made)) if draw(st.booleans()) else made


@st.composite
def inputs(
    draw: st.DrawFn,
) -> tuple[dict[str, LedgerDays], dict[tuple[str, str], LedgerFigure], list[OutsideLine]]:
    classes = draw(st.lists(st.sampled_from(CLASSES), unique=True, max_size=len(CLASSES)))
    ledger = {fund_class: _ledger(draw, fund_class) for fund_class in classes}
    rows = [1]
    books = [line for c in classes for line in _books(draw, c, ledger[c], rows)]
    if draw(st.booleans()):  # a class only the books have
        books.append(OutsideLine(SHAS[0], 9_999, START, Decimal("1.00"), fund_class="ONLY/B"))
    monthly: dict[tuple[str, str], LedgerFigure] = {}
    for (fund_class, day), figure in daily_figures(ledger).items():
        key = (fund_class, day.isoformat()[:7])
        found = monthly.get(key, LedgerFigure(Decimal("0.00"), ()))
        monthly[key] = LedgerFigure(
            found.amount + figure.amount, found.event_ids + figure.event_ids
        )
    return ledger, monthly, books


@settings(max_examples=400, deadline=None)
@given(
    inputs(),
    st.sampled_from((Decimal("0.01"), Decimal("0"), Decimal("0.005"), Decimal("-0.01"))),
    st.sets(st.sampled_from(("2003-06", "2003-07", "2003-08", "2003-09"))),
)
def test_by_class_gives_the_day_by_day_outcome(
    given_inputs: tuple[
        dict[str, LedgerDays], dict[tuple[str, str], LedgerFigure], list[OutsideLine]
    ],
    tolerance: Decimal,
    whole: set[str],
) -> None:
    ledger, monthly, books = given_inputs
    general = match_accruals(daily_figures(ledger), monthly, books, tolerance, whole.__contains__)
    by_class = match_accruals_by_class(ledger, monthly, books, tolerance, whole.__contains__)
    assert by_class == general
    # Written alike too: the amounts' digits, not only their values.
    assert repr(by_class) == repr(general)


def test_a_class_whose_books_equal_the_ledger_matches_every_day_and_month() -> None:
    days = [START + timedelta(days=offset) for offset in range(20)]
    amounts = [Decimal(1_000 + offset).scaleb(-2) for offset in range(20)]
    ledger = {"F/R": LedgerDays(days, amounts, [(f"e{n}",) for n in range(20)])}
    books = [
        OutsideLine(SHAS[0], row, day, amount, fund_class="F/R")
        for row, (day, amount) in enumerate(zip(days, amounts, strict=True), start=2)
    ]
    monthly = {
        ("F/R", "2003-06"): LedgerFigure(sum(amounts[:11], Decimal("0.00")), ("m6",)),
        ("F/R", "2003-07"): LedgerFigure(sum(amounts[11:], Decimal("0.00")), ("m7",)),
    }
    outcome = match_accruals_by_class(ledger, monthly, books)
    assert outcome == match_accruals(daily_figures(ledger), monthly, books)
    assert outcome.breaks == ()
    assert [match.key for match in outcome.matches][-3:] == [
        "accruals/day/F/R/2003-07-09",
        "accruals/month/F/R/2003-06",
        "accruals/month/F/R/2003-07",
    ]
