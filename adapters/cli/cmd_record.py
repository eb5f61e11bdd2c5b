"""The commands that record the plan's facts: init, plan, import, accrue, pay, provider,
service-fee, expenditure. Options only: each runs a handler of cli/handlers*.py."""

from __future__ import annotations

import click

from adapters.cli.params import (
    DATE,
    FILE,
    MONEY,
    PERIOD,
    carry_option,
    command,
    format_option,
    fund_class_options,
    fund_classes_option,
    group,
    known_at_option,
)

H = "adapters.cli.handlers"
G = "adapters.cli.handlers_governance"

# domain/expenditures.py Purpose and Performer, named here so that `--help` does not load the
# domain (tests/unit/test_cli_names.py keeps them the same).
PURPOSES = (
    "sales_seminars",
    "advertising",
    "finders_fees",
    "printing_for_prospective_shareholders",
    "advertising_material_and_sales_literature",
    "supplemental_dealer_payments",
    "other_agreed_services",
)
PERFORMERS = ("distributor", "affiliate", "third_party")


# ---- init -------------------------------------------------------------------------------------


@command(
    None,
    "init",
    f"{H}:init_ledger",
    "start an empty ledger at --db (idempotent)",
    "Start an empty ledger at --db: the SQLite file (and its folder) or the PostgreSQL schema "
    "and tables. Only `init` and `plan load` start a ledger; every other command on a database "
    "that holds none exits 2, so a mistyped --db is caught.",
)
def init() -> None: ...


# ---- plan -------------------------------------------------------------------------------------

plan = group("plan", "load and show plan documents")


@command(
    plan,
    "load",
    f"{H}:plan_load",
    "record a plan file (idempotent)",
    "Record a plan file and its Schedule A fund classes as events. Loading the same file again "
    "changes nothing.",
)
@click.argument("file", type=FILE)
def _plan_load() -> None: ...


@command(plan, "show", f"{H}:plan_show", "the fund classes and their terms")
@known_at_option
@format_option
def _plan_show() -> None: ...


# ---- import -----------------------------------------------------------------------------------

imports = group("import", "import CSV files")


def _daily_import(name: str, handler: str, columns: str) -> None:
    @command(
        imports,
        name,
        handler,
        f"daily {name.replace('-', ' ')} ({columns})",
        f"Import a CSV with columns {columns}. Every row is checked first; any problem is "
        "reported with its row and field and nothing is written. Re-importing the same rows "
        "writes nothing.",
    )
    @click.argument("file", type=FILE)
    @click.option(
        "--restatement", is_flag=True, help="figures that change recorded ones are restatements"
    )
    @click.option("--reason", help="why (required with --restatement)")
    def _import() -> None: ...


_daily_import(
    "net-assets", f"{H}:import_net_assets", "fund,class,date,net_assets[,source_reference]"
)
_daily_import(
    "positions",
    f"{H}:import_positions",
    "provider,fund,class,date,net_assets[,source_reference]",
)


@command(
    imports,
    "expenditures",
    f"{H}:import_expenditures",
    "FIFTH expenditures by purpose",
    "Import a CSV with columns fund,class,incurred_on,period,purpose,performer,performer_name,"
    "amount,description,reference[,company_agreement_reference].",
)
@click.argument("file", type=FILE)
def _import_expenditures() -> None: ...


@command(
    imports,
    "gross-sales",
    f"{G}:import_gross_sales",
    "gross sales for the FINRA cap account",
    "Import a CSV with columns fund,class,date,gross_sales[,reinvested_distributions,exchanges,"
    "source_reference]; new gross sales exclude reinvested distributions and exchanges.",
)
@click.argument("file", type=FILE)
def _import_gross_sales() -> None: ...


@command(
    imports,
    "sales-charges",
    f"{G}:import_sales_charges",
    "front-end and deferred sales charges received",
    "Import a CSV with columns fund,class,date,kind (front_end|deferred),amount,reference.",
)
@click.argument("file", type=FILE)
def _import_sales_charges() -> None: ...


# ---- accrue -----------------------------------------------------------------------------------


@command(
    None,
    "accrue",
    f"{H}:accrue",
    "accrue the plan fee for every day in effect",
    "Accrue every calendar day, for every fund class whose plan is in effect, up to --through. "
    "Running it again through the same date writes nothing.",
)
@click.option("--through", type=DATE, required=True, help="last day to accrue")
@fund_classes_option
@carry_option
@format_option
def accrue() -> None: ...


# ---- pay --------------------------------------------------------------------------------------

pay = group("pay", "record payments")


@command(
    pay,
    "distributor",
    f"{H}:pay_distributor",
    "a payment of plan fees to the Distributor",
    "Record a payment to the Distributor for whole calendar months. --amount accrued pays what "
    "those months accrued and is unpaid.",
)
@fund_class_options
@click.option(
    "--period",
    type=PERIOD,
    required=True,
    help="months covered: 2003-07, 2003Q3 or 2003-07..2003-09",
)
@click.option("--amount", required=True, help="amount, or 'accrued'")
@click.option("--paid-on", type=DATE, required=True, help="the day the payment was made")
@click.option("--reference", required=True, help="payment reference (idempotency key)")
@click.option("--advance", is_flag=True, help="refused: no payment ahead of the fee (decision A16)")
@click.option("--reason", hidden=True)
def _pay_distributor() -> None: ...


@command(
    pay,
    "refund",
    f"{H}:pay_refund",
    "a refund from the Distributor of what it was paid beyond its fee",
    "Record the Distributor paying back its receivable: what a correction left it paid beyond "
    "the fee (decision A16). At most what it owes; idempotent by reference.",
)
@fund_class_options
@click.option("--amount", required=True, help="amount received")
@click.option("--received-on", type=DATE, required=True, help="the day it was received")
@click.option("--reference", required=True, help="refund reference (idempotency key)")
@click.option("--note", help="what the refund is for")
def _pay_refund() -> None: ...


@command(
    pay,
    "provider",
    f"{H}:pay_provider",
    "a service fee paid to a provider (SEVENTH)",
    "Record a service fee paid or advanced by the Distributor to a provider. --amount cap pays "
    "what the per-provider cap leaves for the period.",
)
@click.option("--provider", required=True, help="provider code")
@fund_class_options
@click.option("--period", type=PERIOD, required=True, help="e.g. 2003Q3")
@click.option("--amount", required=True, help="amount, or 'cap'")
@click.option("--paid-on", type=DATE, required=True, help="the day the fee was paid")
@click.option("--reference", required=True, help="payment reference (idempotency key)")
@click.option(
    "--advanced",
    is_flag=True,
    help="advanced by the Distributor before the fund paid it (SIXTH)",
)
@carry_option
def _pay_provider() -> None: ...


# ---- provider, service-fee ----------------------------------------------------------------------

provider = group("provider", "service providers (SEVENTH)")


@command(
    provider,
    "agree",
    f"{H}:provider_agree",
    "record an agreement with a provider",
    "Record a SEVENTH agreement: (A) dealer service agreement, (B) third party, (C) variable "
    "contract, (D) bank trust department.",
)
@click.option("--provider", required=True, help="provider code")
@click.option("--name", required=True, help="provider name")
@click.option("--kind", type=click.Choice(["A", "B", "C", "D"]), required=True, help="SEVENTH")
@fund_class_options
@click.option("--rate", required=True, help="contractual annual rate, e.g. 0.25%")
@click.option("--from", "effective_from", type=DATE, required=True, help="first day")
@click.option("--to", "effective_to", type=DATE, help="last day (inclusive)")
@click.option("--reference", required=True, help="the agreement's reference")
@click.option(
    "--form",
    required=True,
    help="the form of agreement it is made on (document name and version), as the board "
    "approved it in an agreement_form resolution; fees are paid only under approved forms",
)
@click.option(
    "--agency-attested",
    is_flag=True,
    help="the provider acts in an agency capacity for its customers",
)
def _provider_agree() -> None: ...


@command(
    None,
    "service-fee",
    f"{H}:service_fee",
    "the service-fee cap for a provider and period",
)
@click.option("--provider", required=True, help="provider code")
@fund_class_options
@click.option("--period", type=PERIOD, required=True, help="e.g. 2003Q3")
@carry_option
@format_option
def service_fee() -> None: ...


# ---- expenditure ------------------------------------------------------------------------------

expenditure = group("expenditure", "FIFTH expenditures")


@command(expenditure, "record", f"{H}:record_expenditure", "record one expenditure")
@fund_class_options
@click.option("--incurred-on", type=DATE, required=True, help="the day it was incurred")
@click.option("--period", type=PERIOD, required=True, help="the period it served, e.g. 2003Q3")
@click.option("--purpose", type=click.Choice(PURPOSES), required=True, help="FIFTH purpose")
@click.option(
    "--performer",
    type=click.Choice(PERFORMERS),
    required=True,
    help="who performed the service",
)
@click.option("--performer-name", required=True, help="its name")
@click.option("--amount", type=MONEY, required=True, help="amount spent")
@click.option("--description", required=True, help="what was bought")
@click.option("--reference", required=True, help="invoice or voucher (idempotency key)")
@click.option("--company-agreement-reference", default="", help="the agreement it was spent under")
def _record_expenditure() -> None: ...
