"""The governance and report commands: board, shareholder-vote, notice, assignment, sales,
report, compliance, finra. Options only: each runs a handler of cli/handlers*.py."""

from __future__ import annotations

import click

from adapters.cli.params import (
    DATE,
    FILE,
    FOLDER_OR_FILE,
    NON_NEGATIVE_MONEY,
    QUARTER,
    command,
    format_option,
    fund_class_options,
    fund_classes_option,
    group,
    known_at_option,
)

G = "adapters.cli.handlers_governance"
R = "adapters.cli.handlers_reports"

# ---- board ------------------------------------------------------------------------------------

board = group("board", "directors and meetings of a Company's board")


@command(
    board,
    "directors",
    f"{G}:board_directors",
    "record directors' attested status from a CSV",
    "Import a CSV with columns company,director,name,effective_from,in_office,interested,"
    "financial_interest,basis,attested_by (flags: true/false).",
)
@click.argument("file", type=FILE)
def _directors() -> None: ...


@command(
    board,
    "meeting",
    f"{G}:board_meeting",
    "record a board meeting from its file (TOML)",
    "Record a meeting: attendance, resolutions and votes; each resolution is counted under "
    "ELEVENTH/TWELFTH and what a passed one decides is carried out. A failed resolution is "
    "recorded as such: the output says FAILED and the command exits 0.",
)
@click.argument("file", type=FILE)
def _meeting() -> None: ...


@command(board, "nominate", f"{G}:board_nominate", "nominate an independent director (TWELFTH)")
@click.option("--company", required=True, help="the Company's code")
@click.option("--nominee", required=True, help="the nominee's director code")
@click.option("--on", type=DATE, required=True, help="the day of the nomination")
@click.option(
    "--approved-by", required=True, help="comma-separated codes of the directors approving"
)
def _nominate() -> None: ...


@command(board, "adviser", f"{G}:board_adviser", "a change of the Company's investment adviser")
@click.option("--company", required=True, help="the Company's code")
@click.option("--adviser", required=True, help="the adviser's name")
@click.option("--from", "effective_from", type=DATE, required=True, help="its first day")
@click.option(
    "--affiliated/--no-affiliated",
    default=None,
    required=True,
    help="whether it is the Distributor or an affiliate of it",
)
@click.option("--reference", required=True, help="the document recording the change")
def _adviser() -> None: ...


@command(
    board,
    "relief",
    f"{G}:board_relief",
    "a relief from the in-person vote the board may rely on (decision A18)",
    "Record a relief with its source, the matters it covers and its period. Give --until (its "
    "last day) or, when its source says it lasts until withdrawn, --until-withdrawn quoting "
    "that source; record the end later with `relief-end`.",
    exactly_one=("until", "until_withdrawn"),
)
@click.option("--company", required=True, help="the Company's code")
@click.option("--id", "relief_id", required=True, help="what meetings cite")
@click.option("--name", required=True, help="the relief's name")
@click.option("--source", required=True, help="the citation it rests on")
@click.option(
    "--covers", required=True, help="comma-separated: renewal, prior-discussion, any-approval"
)
@click.option("--from", "effective_from", type=DATE, required=True, help="its first day")
@click.option("--until", type=DATE, help="its last day in force (or --until-withdrawn)")
@click.option("--until-withdrawn", metavar="SOURCE", help="the text saying it lasts until so")
@click.option("--conditions", required=True, help="the conditions it sets")
def _relief() -> None: ...


@command(
    board,
    "relief-end",
    f"{G}:board_relief_end",
    "the last day in force of a relief that lasted until withdrawn",
)
@click.option("--company", required=True, help="the Company's code")
@click.option("--id", "relief_id", required=True, help="the relief's id")
@click.option("--last-day", type=DATE, required=True, help="its last day in force")
@click.option("--source", required=True, help="the notice or statement ending it")
def _relief_end() -> None: ...


# ---- shareholders, notice, assignment, sales --------------------------------------------------


@command(
    None,
    "shareholder-vote",
    f"{G}:shareholder_vote",
    "a vote of the class's shareholders (§2(a)(42)): amendment, termination, new plan, fund added",
    "A vote of the class's shareholders (§2(a)(42)) on an amendment, termination, a new plan "
    "after a lapse, or the addition of its fund to Schedule A. A vote that fails the "
    "§2(a)(42) test is recorded as such: the output says FAILED and the command exits 0. The "
    "same vote again (same reference, subject, date and figures) changes nothing; its "
    "reference with other figures is refused.",
)
@fund_class_options
@click.option("--reference", required=True, help="the vote's reference (idempotency key)")
@click.option(
    "--subject",
    type=click.Choice(["amendment", "termination", "new_plan", "add_fund"]),
    required=True,
    help="what the vote decides",
)
@click.option(
    "--amendment",
    help="the amendment's id (with --subject amendment; with --subject add_fund the same as "
    "--resolution)",
)
@click.option(
    "--resolution",
    help="the board's plan_approval resolution of the new plan (with --subject new_plan), or the "
    "resolution adding the fund to Schedule A (with --subject add_fund)",
)
@click.option("--on", type=DATE, required=True, help="the day of the vote")
@click.option("--outstanding", required=True, help="shares outstanding (decimals allowed)")
@click.option("--present", required=True, help="shares present in person or by proxy")
@click.option("--for", "votes_for", required=True, help="shares voted for")
@click.option("--against", default="0", show_default=True, help="shares voted against")
@click.option("--abstain", default="0", show_default=True, help="shares abstaining")
@click.option("--broker-non-votes", default="0", show_default=True, help="broker non-votes")
def shareholder_vote() -> None: ...


@command(None, "notice", f"{G}:notice", "the Distributor's written notice ending the agreement")
@fund_classes_option
@click.option(
    "--method", type=click.Choice(["delivered", "mailed"]), required=True, help="how it was sent"
)
@click.option("--sent-on", type=DATE, required=True, help="the day it was sent")
@click.option("--received-on", type=DATE, help="the day it was received, if known")
@click.option(
    "--terminates-on",
    type=DATE,
    required=True,
    help="the day the agreement ends (at least 60 days after the notice)",
)
@click.option("--document", required=True, help="reference of the written notice")
def notice() -> None: ...


@command(
    None,
    "assignment",
    f"{G}:assignment",
    "an assignment of the Distributor's agreement (§2(a)(4))",
)
@click.option("--on", type=DATE, required=True, help="the day of the assignment")
@click.option("--description", required=True, help="what happened")
@click.option(
    "--exempt/--no-exempt",
    default=None,
    required=True,
    help="whether counsel found it exempt under Rule 2a-6",
)
@click.option("--reference", required=True, help="counsel's determination")
def assignment() -> None: ...


sales = group("sales", "suspend or resume sales (SIXTH)")

for _action in ("suspend", "resume"):

    @command(
        sales,
        _action,
        f"{G}:sales",
        f"{_action} sales of a fund class",
        sales_command=_action,
    )
    @fund_class_options
    @click.option("--on", type=DATE, required=True, help="the first day")
    @click.option("--reason", required=True, help="why")
    def _sales() -> None: ...


# ---- report, compliance -----------------------------------------------------------------------

report = group("report", "the FOURTH quarterly reports")


@command(
    report,
    "quarterly",
    f"{R}:report_quarterly",
    "write the FOURTH quarterly report of each class",
    "Write the quarterly report (amounts expended and their purposes, the SIXTH split, "
    "accruals and payments, the year to date) as JSON, CSV, HTML and PDF.",
)
@click.option(
    "--quarter", type=QUARTER, help="e.g. 2003Q3 (default: the last quarter ended by --as-of)"
)
@click.option("--as-of", type=DATE, help="the report must be of a quarter ended by this date")
@known_at_option
@fund_classes_option
@click.option("--out", type=FOLDER_OR_FILE, required=True, help="folder for the files")
@click.option(
    "--formats",
    default="json,csv,html,pdf",
    show_default=True,
    help="comma-separated files to write: json, csv, html, pdf",
)
def _quarterly() -> None: ...


@command(
    report,
    "issue",
    f"{R}:report_issue",
    "record that a quarter's written report was issued",
    "Record the issue of a quarter's report, identified by the SHA-256 of its JSON form as the "
    "ledger builds it now, with the issue date and the preparer printed in it; the bytes of its "
    "JSON, CSV, HTML and PDF files are kept, so that `report issued` gives them back exactly.",
)
@fund_class_options
@click.option("--quarter", type=QUARTER, required=True, help="e.g. 2003Q3")
@click.option("--on", type=DATE, required=True, help="the day it was issued")
@click.option(
    "--issued-by",
    default="the Distributor",
    show_default=True,
    help="who prepared and issued it (printed on the report's certification)",
)
def _issue() -> None: ...


@command(
    report,
    "issued",
    f"{R}:report_issued",
    "write a quarter's report back exactly as it was issued",
    "Write the files of a quarter's latest issue (or of the issue on --issued-on) as the store "
    "kept them when `report issue` ran, whatever was corrected since: JSON, CSV, HTML and PDF.",
)
@fund_class_options
@click.option("--quarter", type=QUARTER, required=True, help="e.g. 2003Q3")
@click.option("--issued-on", type=DATE, help="the issue of that day (default: the latest)")
@click.option("--out", type=FOLDER_OR_FILE, required=True, help="folder for the files")
def _issued() -> None: ...


@command(report, "review", f"{G}:report_review", "record the board's review of a quarter's report")
@fund_class_options
@click.option("--quarter", type=QUARTER, required=True, help="e.g. 2003Q3")
@click.option("--meeting", required=True, help="the board meeting that reviewed it")
@click.option("--on", type=DATE, required=True, help="the day of the review")
def _review() -> None: ...


@command(
    None,
    "compliance",
    f"{G}:compliance",
    "plan and agreement status, deadlines, caps",
    "Per fund class on --as-of: plan and agreement status, the next continuance deadline, "
    "quarters not reviewed, pending notices, cap headroom, retention. Exit 1 when anything is "
    "overdue.",
)
@click.option("--as-of", type=DATE, help="business date (default: today)")
@click.option(
    "--retention",
    is_flag=True,
    help="list only the records kept (Rule 12b-1(f): 6 years; journals, ledgers and minutes: "
    "Rule 31a-2(a)(1), permanently), each with its rule and dates",
)
@known_at_option
@format_option
def compliance() -> None: ...


# ---- finra ------------------------------------------------------------------------------------

finra = group("finra", "the FINRA aggregate-cap account")


@command(
    finra, "open-account", f"{G}:finra_open_account", "start tracking a class's remaining amount"
)
@fund_class_options
@click.option("--as-of", type=DATE, required=True, help="the day of the opening figure")
@click.option(
    "--remaining", type=NON_NEGATIVE_MONEY, required=True, help="the remaining amount then"
)
@click.option("--note", required=True, help="where the opening figure comes from")
def _open_account() -> None: ...


@command(finra, "prime-rate", f"{G}:finra_prime_rate", "a prime rate from a date")
@click.option("--from", "effective_from", type=DATE, required=True, help="its first day")
@click.option("--rate", required=True, help="annual, e.g. 4.00%")
@click.option("--source", required=True, help="where it was published")
def _prime_rate() -> None: ...
