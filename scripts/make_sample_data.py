#!/usr/bin/env python3
"""Deterministic sample data for the demo: net assets, provider positions, expenditures.

Writes into the folder given by --out:
  net-assets.csv    class R net assets of both Schedule A funds on every NYSE business day
                    from 2003-07-01 to 2004-06-30 (2004-02-29 is a Sunday and carries Friday's
                    figure); INTL-BCV's July 2003 is the domain brief's oracle 9(a)
  positions.csv     net assets attributable to the customers of two service providers
  expenditures.csv  FIFTH expenditures, a few a quarter for each fund
  directors.csv     the two boards' directors with their attested status
  meetings/         the board meetings: the approval of the plan and of the forms of
                    agreement the providers' agreements are made on (June 2003), and its
                    continuance (May 2004), one file per Company

The same seed always gives the same files. Amounts are built from whole cents (integers),
never from floats.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

START = date(2003, 7, 1)
END_INCLUSIVE = date(2004, 6, 30)

# NYSE closures in the period (2004-06-11: national day of mourning for President Reagan).
NYSE_HOLIDAYS = {
    date(2003, 7, 4),
    date(2003, 9, 1),
    date(2003, 11, 27),
    date(2003, 12, 25),
    date(2004, 1, 1),
    date(2004, 1, 19),
    date(2004, 2, 16),
    date(2004, 4, 9),
    date(2004, 5, 31),
    date(2004, 6, 11),
}

# Oracle 9(a): INTL-BCV/R fee-basis net assets in July 2003, in cents.
JULY_2003_INTL_BCV_CENTS = {
    1: 1_000_000_000,
    2: 1_001_234_567,
    3: 1_002_500_000,
    7: 1_003_050_025,
    8: 1_004_100_000,
    9: 1_003_825_050,
    10: 1_005_000_000,
    11: 1_006_111_111,
    14: 1_007_000_000,
    15: 1_006_840_040,
    16: 1_008_000_000,
    17: 1_009_550_000,
    18: 1_010_000_000,
    21: 1_011_025_075,
    22: 1_012_000_000,
    23: 1_011_888_888,
    24: 1_013_000_000,
    25: 1_014_050_000,
    28: 1_015_000_000,
    29: 1_016_234_500,
    30: 1_017_000_000,
    31: 1_018_500_000,
}

PROVIDERS = [
    # code, fund, share of the class held by its customers (percent)
    ("DEALER-A", "INTL-BCV", 40),
    ("DEALER-A", "STABLE-VALUE", 30),
    ("RPS-B", "INTL-BCV", 15),
]


def business_days(start: date, end_inclusive: date) -> list[date]:
    days, day = [], start
    while day <= end_inclusive:
        if day.weekday() < 5 and day not in NYSE_HOLIDAYS:
            days.append(day)
        day += timedelta(days=1)
    return days


def cents_to_text(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def net_assets_cents(rng: random.Random) -> dict[str, dict[date, int]]:
    series: dict[str, dict[date, int]] = {"INTL-BCV": {}, "STABLE-VALUE": {}}
    intl, stable = 1_018_500_000, 2_500_000_000
    for day in business_days(START, END_INCLUSIVE):
        if day.year == 2003 and day.month == 7:
            series["INTL-BCV"][day] = JULY_2003_INTL_BCV_CENTS[day.day]
        else:
            # A random walk of up to ±0.6% a day, in whole cents, drifting up slowly.
            intl += intl * rng.randint(-60, 66) // 10_000 + rng.randint(-99, 99)
            series["INTL-BCV"][day] = intl
        stable += stable * rng.randint(-5, 7) // 10_000 + rng.randint(-99, 99)
        series["STABLE-VALUE"][day] = stable
    return series


def write_net_assets(folder: Path, series: dict[str, dict[date, int]]) -> None:
    with (folder / "net-assets.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["fund", "class", "date", "net_assets", "source_reference"])
        for fund, figures in series.items():
            for day, cents in figures.items():
                writer.writerow(
                    [fund, "R", day.isoformat(), cents_to_text(cents), f"NAV-{fund}-{day:%Y%m%d}"]
                )


RESTATED_WEEK = (date(2003, 9, 8), date(2003, 9, 12))


def write_restatement(folder: Path, series: dict[str, dict[date, int]]) -> None:
    """The fund accountant's corrected figures for one week of September 2003: a holding of
    INTL-BCV was priced 2% too high (found after the 2003Q3 report was issued)."""
    first, last = RESTATED_WEEK
    with (folder / "restatement.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["fund", "class", "date", "net_assets", "source_reference"])
        for day, cents in series["INTL-BCV"].items():
            if first <= day <= last:
                corrected = cents * 98 // 100
                writer.writerow(
                    ["INTL-BCV", "R", day.isoformat(), cents_to_text(corrected),
                     f"NAV-CORRECTION-INTL-BCV-{day:%Y%m%d}"]
                )  # fmt: skip


def write_positions(folder: Path, series: dict[str, dict[date, int]], rng: random.Random) -> None:
    with (folder / "positions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["provider", "fund", "class", "date", "net_assets", "source_reference"])
        for provider, fund, percent in PROVIDERS:
            for day, cents in series[fund].items():
                # The provider's share drifts by up to a tenth of a percentage point.
                share_per_mille = percent * 10 + rng.randint(-1, 1)
                writer.writerow(
                    [
                        provider,
                        fund,
                        "R",
                        day.isoformat(),
                        cents_to_text(cents * share_per_mille // 1000),
                        f"NSCC-{provider}-{day:%Y%m%d}",
                    ]
                )


EXPENDITURES = [
    # purpose, performer, performer name, dollars, description
    ("advertising", "third_party", "Front Range Media", 1800, "Retirement-plan print campaign"),
    (
        "sales_seminars",
        "distributor",
        "A I M Distributors, Inc.",
        950,
        "Plan-sponsor seminar, Denver",
    ),
    (
        "printing_for_prospective_shareholders",
        "affiliate",
        "AIM Fund Services, Inc.",
        620,
        "Prospectuses for prospective plan participants",
    ),
    (
        "advertising_material_and_sales_literature",
        "distributor",
        "A I M Distributors, Inc.",
        480,
        "Class R fact sheets",
    ),
    (
        "supplemental_dealer_payments",
        "third_party",
        "Dealer A Securities, Inc.",
        2100,
        "Supplemental asset-based payment to a dealer",
    ),
]


def write_expenditures(folder: Path) -> None:
    quarters = [
        ("2003Q3", date(2003, 9, 30)),
        ("2003Q4", date(2003, 12, 31)),
        ("2004Q1", date(2004, 3, 31)),
        ("2004Q2", date(2004, 5, 28)),
    ]
    with (folder / "expenditures.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "fund",
                "class",
                "incurred_on",
                "period",
                "purpose",
                "performer",
                "performer_name",
                "amount",
                "description",
                "reference",
            ]
        )
        for fund_index, fund in enumerate(("INTL-BCV", "STABLE-VALUE")):
            for quarter_index, (quarter, incurred_on) in enumerate(quarters):
                for item_index, item in enumerate(EXPENDITURES):
                    if (item_index + quarter_index + fund_index) % 2:
                        continue
                    purpose, performer, name, dollars, description = item
                    amount = dollars * 100 + 37 * (quarter_index + 1) * (fund_index + 1)
                    writer.writerow(
                        [
                            fund,
                            "R",
                            incurred_on.isoformat(),
                            quarter,
                            purpose,
                            performer,
                            name,
                            cents_to_text(amount),
                            description,
                            f"EXP-{fund}-{quarter}-{item_index + 1}",
                        ]
                    )


COMPANIES = {"INTL-FUNDS": "INTL-BCV", "TREASURERS-SERIES": "STABLE-VALUE"}
DIRECTORS = [
    # code, name, interested, basis
    ("D-ADAMS", "Alice Adams", False, "2003 D&O questionnaire"),
    ("D-BAKER", "Bruno Baker", False, "2003 D&O questionnaire"),
    ("D-CRUZ", "Carmen Cruz", False, "2003 D&O questionnaire"),
    ("D-DOYLE", "Dennis Doyle", True, "Officer of the investment adviser"),
]


def write_directors(folder: Path) -> None:
    with (folder / "directors.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            [
                "company",
                "director",
                "name",
                "effective_from",
                "in_office",
                "interested",
                "financial_interest",
                "basis",
                "attested_by",
            ]
        )
        for company in COMPANIES:
            for code, name, interested, basis in DIRECTORS:
                writer.writerow(
                    [
                        company,
                        code,
                        name,
                        "2003-01-01",
                        "true",
                        str(interested).lower(),
                        "false",
                        basis,
                        "Fund counsel",
                    ]
                )


MEETING = """format = "planledger-meeting/1"
company = "{company}"
meeting_id = "{company}-{day}"
date = {day}
called_for_plan = true
agenda = ["{agenda}"]
minutes = "Minutes of the meeting of {day}, item 3"

[attendance]
D-ADAMS = "physical"
D-BAKER = "physical"
D-CRUZ = "physical"
D-DOYLE = "{doyle_mode}"

[[resolutions]]
id = "{company}-{day}-1"
kind = "{kind}"
fund_classes = ["{fund}/R"]
text = "RESOLVED, {text}"
finding = "a reasonable likelihood that the plan will benefit the Fund and its Class R \
shareholders (Rule 12b-1(e))"
votes = {{ D-ADAMS = "for", D-BAKER = "for", D-CRUZ = "for", D-DOYLE = "for" }}
{extra}"""


# The forms of agreement under SEVENTH the demo's providers' agreements are made on: agreements
# related to the plan, approved by the board with the plan (Rule 12b-1(b)(2); decision A15).
FORMS = {
    "A": ("Dealer Service Agreement form 2003-06", "Service Agreement with Dealers"),
    "B": ("Third Party Agreement form 2003-06", "Third Party Agreement"),
}

FORM_RESOLUTION = """
[[resolutions]]
id = "{company}-{day}-form-{kind}"
kind = "agreement_form"
agreement_kind = "{kind}"
form_reference = "{form}"
text = "RESOLVED, that the form of {title} (SEVENTH ({kind})) is approved"
votes = {{ D-ADAMS = "for", D-BAKER = "for", D-CRUZ = "for", D-DOYLE = "for" }}
"""


def form_resolutions(company: str, day: str) -> str:
    return "".join(
        FORM_RESOLUTION.format(company=company, day=day, kind=kind, form=form, title=title)
        for kind, (form, title) in FORMS.items()
    )


def write_meetings(folder: Path) -> None:
    meetings = folder / "meetings"
    meetings.mkdir(exist_ok=True)
    for company, fund in COMPANIES.items():
        approval = MEETING.format(
            company=company,
            fund=fund,
            day="2003-06-17",
            kind="plan_approval",
            doyle_mode="physical",
            agenda="Approval of the Amended and Restated Master Distribution Plan and Agreement",
            text="that the Amended and Restated Master Distribution Plan and Agreement "
            "(Class R Shares) is approved",
            extra=form_resolutions(company, "2003-06-17"),
        )
        (meetings / f"2003-06-17-{company}.toml").write_text(approval)
        # Dennis Doyle joins by telephone: it does not count as "in person" in 2004, and the
        # continuance passes on the votes cast in person.
        continuance = MEETING.format(
            company=company,
            fund=fund,
            day="2004-05-20",
            kind="continuance",
            doyle_mode="telephone",
            agenda="Annual continuance of the Class R Plan and Agreement",
            text="that the Plan and Agreement is continued for the year ending May 30, 2005",
            extra="covers_through = 2005-05-30\n",
        )
        (meetings / f"2004-05-20-{company}.toml").write_text(continuance)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=2003)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(arguments.seed)
    series = net_assets_cents(rng)
    write_net_assets(arguments.out, series)
    write_restatement(arguments.out, series)
    write_positions(arguments.out, series, rng)
    write_expenditures(arguments.out)
    write_directors(arguments.out)
    write_meetings(arguments.out)
    print(f"sample data written to {arguments.out}")


if __name__ == "__main__":
    main()
