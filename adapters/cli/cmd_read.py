"""The commands that read the books: balances, trial-balance, journal, rebuild, split, export.
Options only: each runs a handler of cli/handlers*.py."""

from __future__ import annotations

from collections.abc import Callable

import click

from adapters.cli.params import (
    DATE,
    FOLDER_OR_FILE,
    PERIOD,
    command,
    format_option,
    group,
    known_at_option,
)

R = "adapters.cli.handlers_reports"
# The two sets of books (projections/journal.py ENTITIES), named here so that `--help` does
# not load the domain.
ENTITY_NAMES = ("fund", "distributor")


def entity_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option("--entity", type=click.Choice(ENTITY_NAMES), help=help_text)


A = "adapters.cli.handlers_audit"

# The read models (projections/rows.py PROJECTIONS; a unit test keeps the two the same): named
# here so that `rebuild --help` does not load the domain.
PROJECTION_NAMES = ("accruals", "journal", "payments", "streams")


def as_of_option(
    help_text: str = "business date (default: today)",
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return click.option("--as-of", type=DATE, help=help_text)


@command(
    None,
    "balances",
    f"{R}:balances",
    "accrued, paid, payable and receivable per fund class and part",
)
@as_of_option()
@click.option("--fund-class", metavar="FUND/CLASS", help="this fund class only")
@known_at_option
@format_option
def balances() -> None: ...


@command(
    None,
    "accruals",
    f"{R}:accruals_command",
    "what each fund class accrued per month or day: asset-based sales charge, service fee, total",
)
@click.option(
    "--by",
    "accruals_by",
    type=click.Choice(["month", "day"]),
    default="month",
    show_default=True,
    help="one row per month (true-ups in the month they true up) or per business day",
)
@click.option("--fund-class", metavar="FUND/CLASS", help="this fund class only")
@click.option("--period", type=PERIOD, help="only these months or days, e.g. 2003-07 or 2003Q3")
@known_at_option
@format_option
def accruals() -> None: ...


@command(
    None,
    "trial-balance",
    f"{R}:trial_balance_command",
    "every account of each entity's books; debits = credits in each",
    "The fund's accounts, then the Distributor's, each closed by its own TOTAL row (debits = "
    "credits within each entity's books).",
)
@as_of_option()
@entity_option("only this entity's books (default: the fund's, then the Distributor's)")
@known_at_option
@format_option
def trial_balance() -> None: ...


@command(None, "journal", f"{R}:journal_command", "the double-entry journal, one line per posting")
@click.option("--period", type=PERIOD, help="business dates, e.g. 2003-07 or 2003Q3")
@click.option("--fund-class", metavar="FUND/CLASS", help="only this fund class")
@click.option(
    "--account",
    metavar="NAME",
    help="one account's lines (its exact name), or every account under a prefix ending with "
    "':' (e.g. Expenses:Plan12b1:)",
)
@entity_option("only the lines of this entity's books (default: both)")
@as_of_option("entries dated on or before this date")
@known_at_option
@format_option
def journal() -> None: ...


@command(None, "rebuild", f"{R}:rebuild", "drop and rebuild read models from the whole log")
@click.option(
    "--projection",
    type=click.Choice(PROJECTION_NAMES),
    help="only this read model (default: every one)",
)
def rebuild() -> None: ...


@command(
    None,
    "split",
    f"{R}:split_command",
    "the SIXTH split: plan payments, service fees, deemed asset-based sales charge",
)
@click.option("--period", type=PERIOD, required=True, help="e.g. 2003Q3 or 2003-07..2004-06")
@click.option(
    "--by",
    type=click.Choice(["period", "month", "quarter", "plan-year"]),
    default="period",
    show_default=True,
    help="cut the period (period: one row per class)",
)
@click.option("--fund-class", metavar="FUND/CLASS", help="only this fund class")
@as_of_option("only what was paid or accrued on or before this date")
@known_at_option
@format_option
def split() -> None: ...


export = group("export", "export the books")


@command(
    export,
    "beancount",
    f"{R}:export_beancount_command",
    "each entity's books as a Beancount ledger (bean-check, Fava)",
    "Writes OUT/fund.beancount and OUT/distributor.beancount; with --entity, that entity's "
    "books to the file OUT.",
)
@entity_option("write only this entity's books, to the file --out")
@click.option(
    "--out",
    type=FOLDER_OR_FILE,
    required=True,
    help="the folder for fund.beancount and distributor.beancount (the file, with --entity)",
)
def _export_beancount() -> None: ...


@command(
    export,
    "bundle",
    f"{A}:export_bundle_command",
    "the regulator's point-in-time bundle (zip), with its own verifier",
    "Every event known at --known-at with its hash chain, the plan documents, the read models "
    "and quarterly reports as of --as-of, and a manifest; unzip it and run "
    "`python3 verify_bundle.py`.",
)
@click.option("--as-of", type=DATE, required=True, help="business date")
@known_at_option
@click.option("--out", type=FOLDER_OR_FILE, required=True, help="the .zip to write")
def _export_bundle() -> None: ...
