"""From a report's figure to its events, on SQLite and PostgreSQL (docs/read-models.md, "From a
figure to its events").

A quarter with every kind of event a report sums: daily accruals and their month-end true-ups,
July's net assets restated after July was paid (adjustments, a receivable from the
Distributor), a partial refund and an offset against August's payment, September's payment,
service fees (one spread over the quarter's months, one paid and reversed), expenditures (one
reversed). For the 2003Q3 and 2003Q4 reports, every figure's sources are checked against the
events themselves, read back from the log by position as `planledger log --position` reads
them: the events named sum to the figure to the cent, each allocated share is the share of its
event's own amount, and every derived figure comes out of the figures it names.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from freezegun import freeze_time

from adapters.application.commands import (
    Accrue,
    ImportExpenditures,
    ImportPositions,
    ReceiveDistributorRefund,
    ReverseExpenditure,
    ReverseServiceFee,
)
from adapters.inputs.csv_files import ExpenditureRow, PositionRow, read_csv
from adapters.outputs.reports import quarterly_report, report_json
from adapters.readside.audit_log import LogEntry, LogFilter, read_log
from adapters.readside.view import LedgerView
from domain.money import exact_add
from domain.periods import parse_period
from domain.rates import FINRA_ABSC_RATE_ANNUAL_MAX, FINRA_SERVICE_RATE_ANNUAL_MAX
from projections.quarterly_report import money, rate
from projections.split import Covering, SplitFigures, spread_over_months
from tests.builders import expenditures_csv, positions_csv
from tests.integration.scenario import RECORDED_AT, frozen_ledger, read_models  # noqa: F401
from tests.integration.test_distributor_receivable import (
    AUGUST_PAID_AT,
    BEFORE_RESTATEMENT,
    NINE_MILLION,
    RESTATED_AT,
    TEN_MILLION,
    X,
    days_of,
    import_figures,
)
from tests.integration.test_payments import agree, month_constant, pay_distributor, pay_provider

FUND_CLASS = "INTL-BCV/R"
CENT = Decimal("0.01")
EXPENDITURES = [
    ("INTL-BCV", "R", "2003-09-30", "2003Q3", "advertising", "third_party", "Front Range Media",
     "1800.37", "Print campaign", "EXP-1"),
    ("INTL-BCV", "R", "2003-09-30", "2003Q3", "sales_seminars", "distributor", "ADI", "950.00",
     "Seminar", "EXP-2"),
    ("INTL-BCV", "R", "2003-08-15", "2003-08", "advertising", "third_party", "Front Range Media",
     "999.00", "keyed twice", "EXP-3"),
]  # fmt: skip


@pytest.fixture
def history(frozen_ledger, tmp_path):  # noqa: F811
    ledger = frozen_ledger
    with freeze_time(RECORDED_AT):
        quarter_days = days_of("2003-07") + days_of("2003-08") + days_of("2003-09")
        import_figures(ledger, tmp_path / "ten.csv", {day: TEN_MILLION for day in quarter_days})
        ledger.accruals.accrue(
            Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[FUND_CLASS])
        )
        agree(ledger, "DEALER-A")
        agree(ledger, "DEALER-B")
        for provider, column in (("DEALER-A", 1), ("DEALER-B", 2)):
            path = positions_csv(tmp_path / f"{provider}.csv", provider, month_constant(column))
            ledger.figures.import_positions(ImportPositions(read_csv(path, PositionRow)))
        pay_distributor(ledger, "2003-07")
        ledger.read_models.catch_up()
    with freeze_time(RESTATED_AT):
        lowered = {day: NINE_MILLION for day in days_of("2003-07")}
        import_figures(ledger, tmp_path / "nine.csv", lowered, "NAV struck on a wrong price")
    with freeze_time(AUGUST_PAID_AT):
        ledger.payments.receive_distributor_refund(
            ReceiveDistributorRefund(
                "INTL-BCV", "R", Decimal("100.00"), date(2003, 8, 25), "REFUND-1", "July"
            )
        )
        assert pay_distributor(ledger, "2003-08")[2] == X - Decimal("100.00")  # the offset
        pay_distributor(ledger, "2003-09")
        pay_provider(ledger, "DEALER-A", None, "SF-A-2003Q3")
        pay_provider(ledger, "DEALER-B", Decimal("100.00"), "SF-B-2003Q3")
        ledger.audit.reverse_service_fee(
            ReverseServiceFee("DEALER-B", "INTL-BCV", "R", "SF-B-2003Q3", "paid twice")
        )
        ledger.figures.import_expenditures(
            ImportExpenditures(
                read_csv(expenditures_csv(tmp_path / "e.csv", EXPENDITURES), ExpenditureRow)
            )
        )
        ledger.audit.reverse_expenditure(
            ReverseExpenditure("INTL-BCV", "R", "EXP-3", "the same invoice was keyed twice")
        )
        ledger.read_models.catch_up()
    return ledger


# ---- reading the events back, and what each adds to a figure --------------------------------


def cents(text: str) -> int:
    value = Decimal(text)
    assert value == value.quantize(CENT), text
    return int(value / CENT)


def expand(runs: list[str]) -> list[int]:
    positions = []
    for run in runs:
        first, _, last = run.partition("..")
        positions += list(range(int(first), int(last or first) + 1))
    return positions


class Events:
    """Events by position, read as `planledger log --position N..M` reads them."""

    def __init__(self, view: LedgerView) -> None:
        self.view = view
        self.known: dict[int, LogEntry] = {}

    def read(self, runs: list[str]) -> list[LogEntry]:
        for run in runs:
            first, _, last = run.partition("..")
            chosen = LogFilter(first_position=int(first), last_position=int(last or first))
            for entry in read_log(self.view, chosen):
                self.known[entry.position] = entry
        entries = [self.known[position] for position in expand(runs)]  # each one is there
        for entry in entries:
            assert f"{entry.fund}/{entry.share_class}" == FUND_CLASS, entry
        return entries


def accrued_parts(entry: LogEntry) -> tuple[int, int]:
    fields = entry.fields
    if entry.event_type == "FeeAccrued":
        return cents(fields["absc_amount"]), cents(fields["service_amount"])
    if entry.event_type == "AccrualTrueUpPosted":
        return cents(fields["adjustment_absc"]), cents(fields["adjustment_service"])
    assert entry.event_type in ("FeeAccrualAdjusted", "FeeAccrualReversed"), entry.event_type
    return cents(fields["absc_amount_delta"]), cents(fields["service_amount_delta"])


def basis_and_days(entry: LogEntry) -> tuple[int, int]:
    fields = entry.fields
    if entry.event_type == "FeeAccrued":
        return cents(fields["basis_net_assets"]), 1
    if entry.event_type == "FeeAccrualAdjusted":
        return cents(fields["basis_net_assets"]) - cents(fields["basis_net_assets_previous"]), 0
    assert entry.event_type == "FeeAccrualReversed", entry.event_type
    return -cents(fields["basis_net_assets"]), -1


def summed_amount(rule: str, entry: LogEntry) -> int:
    fields, kind = entry.fields, entry.event_type
    if rule.startswith("accrued_"):
        absc, service = accrued_parts(entry)
        return {"accrued_absc": absc, "accrued_service": service, "accrued_total": absc + service}[
            rule
        ]
    if rule == "expenditure_amount":
        sign = {"ExpenditureRecorded": 1, "ExpenditureReversed": -1}[kind]
        return sign * cents(fields["amount"])
    booked = kind == "DistributorReceivableBooked"
    if booked:
        amount = cents(fields["absc_amount"]) + cents(fields["service_amount"])
    else:
        assert kind in ("DistributorReceivableOffset", "DistributorRefundReceived"), kind
        amount = cents(fields["receivable_absc"]) + cents(fields["receivable_service"])
    if rule == "receivable_booked":
        assert booked
        return amount
    if rule == "receivable_settled":
        assert not booked
        return amount
    assert rule == "receivable_balance", rule
    return amount if booked else -amount


def share_of_months(entry: LogEntry, months: set[str]) -> int:
    """What a payment or fee event adds to the months, from its own fields (SIXTH split)."""
    fields, kind = entry.fields, entry.event_type
    spread: dict[str, int] = defaultdict(int)
    sign = {"DistributorPaid": 1, "DistributorReceivableOffset": 1, "ServiceFeePaid": 1}.get(
        kind, -1
    )
    if kind != "DistributorRefundReceived":
        covering = Covering(
            FUND_CLASS,
            date.fromisoformat(fields["period_start"]),
            date.fromisoformat(fields["period_end_exclusive"]),
            sign * cents(fields["amount"]),
        )
        for month, share in spread_over_months(covering).items():
            spread[month] += share
    for month, taken in fields.get("taken_by_month", {}).items():
        spread[month] -= cents(taken)
    return sum(share for month, share in spread.items() if month in months)


# ---- checking every figure -------------------------------------------------------------------


def figure_at(report: dict[str, Any], pointer: str) -> Any:
    node: Any = report
    for part in pointer.split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


def months_of(report: dict[str, Any], pointer: str) -> set[str]:
    section = pointer.split("/")[1]
    if section == "monthly":
        return {figure_at(report, "/".join(pointer.split("/")[:3]))["month"]}
    (dates,) = [column for column in report["columns"] if column["section"] == section]
    return set(parse_period(f"{dates['start'][:7]}..{dates['end'][:7]}").months())


class Checker:
    def __init__(self, report: dict[str, Any], view: LedgerView) -> None:
        self.report = report
        self.sources = report["sources"]
        self.events = Events(view)

    def cents_at(self, pointer: str) -> int:
        return cents(figure_at(self.report, pointer))

    def check(self, pointer: str) -> None:
        source = self.sources[pointer]
        figure = figure_at(self.report, pointer)
        assert figure == self.recomputed(pointer, source), (pointer, source)

    def recomputed(self, pointer: str, source: dict[str, Any]) -> str:
        if "sum_of" in source:
            entries = self.events.read(source["positions"])
            return money(sum(summed_amount(source["sum_of"], entry) for entry in entries))
        if "allocated" in source:
            return money(self.allocated(pointer, source))
        if "average_of" in source:
            return self.average(source)
        return self.derived(pointer, source)

    def allocated(self, pointer: str, source: dict[str, Any]) -> int:
        """Each event's stated share is its own amount's share of the months."""
        months = months_of(self.report, pointer)
        entries = self.events.read(source["positions"])
        assert len(entries) == len(source["contributions"])
        for entry, stated in zip(entries, source["contributions"], strict=True):
            assert cents(stated) == share_of_months(entry, months), (pointer, entry.position)
            if source["allocated"] == "service_fees_by_days" and "by_provider" in pointer:
                row = figure_at(self.report, pointer.rsplit("/", 1)[0])
                assert entry.provider == row["provider"]
        return sum(cents(stated) for stated in source["contributions"])

    def average(self, source: dict[str, Any]) -> str:
        parts = [basis_and_days(entry) for entry in self.events.read(source["positions"])]
        basis, days = sum(part[0] for part in parts), sum(part[1] for part in parts)
        return str((Decimal(basis) / 100 / days).quantize(CENT)) if days else "0.00"

    def basis_per_day_count(self, net_assets: str) -> Decimal:
        """Σ(net assets ÷ days in year), month by month as the SIXTH split adds it up."""
        groups: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for entry in self.events.read(self.sources[net_assets]["positions"]):
            assert entry.business_date is not None
            groups[entry.business_date.isoformat()[:7]][int(entry.fields["days_in_year"])] += (
                basis_and_days(entry)[0]
            )
        total = Decimal(0)
        for month in sorted(groups):
            in_month = sum(
                (Decimal(basis) / year_days for year_days, basis in groups[month].items()),
                Decimal(0),
            )
            total = exact_add(total, in_month)
        return total

    def derived(self, pointer: str, source: dict[str, Any]) -> str:
        op = source["op"]
        if op == "sum":
            return money(
                sum(
                    (1 if term[0] == "+" else -1) * self.cents_at(term[1:])
                    for term in source["terms"]
                )
            )
        if op == "service_from_plan":
            fees = source["fees"]
            paid_fees = (
                sum(self.cents_at(at) for at in fees)
                if isinstance(fees, list)
                else self.allocated(pointer, fees)
            )
            return money(min(paid_fees, max(self.cents_at(source["paid"]), 0)))
        if op == "positive_part":
            return money(
                max(
                    sum(
                        (1 if term[0] == "+" else -1) * self.cents_at(term[1:])
                        for term in source["terms"]
                    ),
                    0,
                )
            )
        if op == "annualised":
            figures = SplitFigures(
                FUND_CLASS, "", basis_per_day_count=self.basis_per_day_count(source["net_assets"])
            )
            return rate(figures.annualised(self.cents_at(source["amount"])))
        assert op == "finra_caps", op
        return self.caps(source)

    def caps(self, source: dict[str, Any]) -> str:
        def fraction(at: str) -> Decimal | None:
            shown = figure_at(self.report, at)
            return Decimal(shown.rstrip("%")) / 100 if shown else None

        absc = fraction(source["deemed_asset_based_sales_charge"])
        service = fraction(source["service_fees"])
        problems = []
        if absc is not None and absc > FINRA_ABSC_RATE_ANNUAL_MAX:
            problems.append("deemed asset-based sales charge above 0.75% a year")
        if service is not None and service > FINRA_SERVICE_RATE_ANNUAL_MAX:
            problems.append("service fees above 0.25% a year")
        return "; ".join(problems) or "within 0.75% and 0.25%"


def figure_pointers(node: Any, at: str = "") -> list[str]:
    """Every figure of the report's sections and months: the strings that are amounts or
    rates (names, labels and agreements are not figures)."""
    if isinstance(node, dict):
        return [
            pointer
            for key, value in node.items()
            if key not in ("provider", "agreement_kind", "agreement", "purpose", "label")
            and key not in ("short_label", "month", "provider_name", "performer", "explanation")
            for pointer in figure_pointers(
                value, f"{at}/{key.replace('~', '~0').replace('/', '~1')}"
            )
        ]
    if isinstance(node, list):
        return [
            p for index, item in enumerate(node) for p in figure_pointers(item, f"{at}/{index}")
        ]
    return [at]


def all_figures(report: dict[str, Any]) -> list[str]:
    sections = [column["section"] for column in report["columns"]]
    assert {"quarter_figures", "prior_quarter", "year_to_date"} <= set(sections), sections
    return [
        pointer
        for section in [*sections, "monthly"]
        if report.get(section)
        for pointer in figure_pointers(report[section], f"/{section}")
    ]


# ---- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("quarter", ["2003Q3", "2003Q4"])
def test_every_figure_names_the_events_that_sum_to_it(history, quarter):
    report = quarterly_report(history.view, FUND_CLASS, quarter)
    figures = all_figures(report)
    assert sorted(report["sources"]) == sorted(figures)  # every figure, and only figures
    checker = Checker(report, history.view)
    # In a random order (seeded): no figure relies on another having been checked first.
    random.Random(quarter).shuffle(figures)
    for pointer in figures:
        checker.check(pointer)
    if quarter == "2003Q3":
        kinds = {entry.event_type for entry in checker.events.known.values()}
        assert kinds >= {
            "FeeAccrued",
            "AccrualTrueUpPosted",
            "FeeAccrualAdjusted",
            "DistributorPaid",
            "DistributorReceivableBooked",
            "DistributorReceivableOffset",
            "DistributorRefundReceived",
            "ServiceFeePaid",
            "ServiceFeeReversed",
            "ExpenditureRecorded",
            "ExpenditureReversed",
        }, kinds
        receivable = report["quarter_figures"]["receivable_from_distributor"]
        assert (receivable["booked"], receivable["refunded"]) == (money(cents(str(X))), "100.00")


def test_a_report_as_known_at_a_past_time_names_no_later_event(history):
    before = history.store.position_known_at(BEFORE_RESTATEMENT)
    then = history.view.as_known_at(before)
    report = quarterly_report(then, FUND_CLASS, "2003Q3")
    named = [
        position
        for source in report["sources"].values()
        for part in (source, source.get("fees"))
        if isinstance(part, dict) and "positions" in part
        for position in expand(part["positions"])
    ]
    assert named and max(named) <= before
    assert "receivable_from_distributor" not in report["quarter_figures"]
    checker = Checker(report, then)
    for pointer in all_figures(report):
        checker.check(pointer)
    now = quarterly_report(history.view, FUND_CLASS, "2003Q3")
    assert report["sources"] != now["sources"]


def test_sources_are_the_same_bytes_each_time(history):
    first = report_json(quarterly_report(history.view, FUND_CLASS, "2003Q3"))
    assert report_json(quarterly_report(history.view, FUND_CLASS, "2003Q3")) == first
