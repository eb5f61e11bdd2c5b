"""Reconciliation on SQLite and PostgreSQL: imports all or nothing and idempotent, a run that
opens each break once, a re-run that writes nothing, the matcher resolving a break once the
missing line arrives, an approved write-off and a refused self-approved one, and the breaks
open as known at a past position (docs/reconciliation.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from adapters.application.commands import (
    Accrue,
    ImportNetAssets,
    ReceiveDistributorRefund,
    ReverseDistributorPayment,
)
from adapters.application.ports import Ports
from adapters.application.reconciliation import (
    BreakAction,
    ImportStatement,
    ReconciliationUseCases,
    RunReconciliation,
)
from adapters.application.reconciliation_report import MATCH_TOPICS, reconciliation_report
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.inputs.errors import InputError
from adapters.inputs.statements import read_bai2, read_fund_books
from adapters.readside import reconciliation as reads
from adapters.readside.read_models import TABLES
from domain.errors import RuleViolation
from domain.periods import parse_period
from domain.reconciliation.breaks import Reconciliation
from domain.reconciliation.records import StatementKind, amount_text
from projections.reconciliation import check_totals, fold_matches
from tests.builders import net_assets_csv
from tests.conftest import count_events
from tests.integration.test_payments import month_constant, pay_distributor
from tests.reconcile_builders import (
    ACCOUNTS,
    DISTRIBUTOR_ACCOUNT_NUMBER,
    FUND_ACCOUNT_NUMBER,
    BankLine,
    books_csv,
    write_bai2,
)

INTL = "INTL-BCV/R"
RUN_ON = date(2003, 10, 6)
JULY_3, JULY_4 = date(2003, 7, 3), date(2003, 7, 4)


def run(ledger, period: str | None = "2003Q3", tolerance: str = "0.01"):
    return ledger.reconciliation.run(
        RunReconciliation(parse_period(period) if period else None, Decimal(tolerance), 3, RUN_ON)
    )


def accrued_quarter(ledger, tmp_path):
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "na.csv", month_constant(0)), NetAssetsRow)
        )
    )
    ledger.accruals.accrue(Accrue(date(2003, 9, 30), max_carry_days=4, fund_classes=[INTL]))


@pytest.fixture
def paid_quarter(loaded_ledger, tmp_path):
    """INTL-BCV/R accrued through 2003Q3 and paid month by month (on 08-01, 09-01, 10-01)."""
    ledger = loaded_ledger
    accrued_quarter(ledger, tmp_path)
    for month in ("2003-07", "2003-08", "2003-09"):
        pay_distributor(ledger, month)
    ledger.read_models.catch_up()
    return ledger


def ledger_daily(ledger) -> dict[tuple[str, date], Decimal]:
    daily, _monthly = reads.ledger_accruals(ledger.view)
    return {key: figure.amount for key, figure in daily.items()}


def payments(ledger) -> dict[str, tuple[date, Decimal]]:
    return {p.reference: (p.paid_on, p.amount) for p in reads.ledger_payments(ledger.view)}


def import_books(ledger, path):
    return ledger.reconciliation.import_statement(
        ImportStatement(StatementKind.FUND_BOOKS, read_fund_books(path))
    )


def import_bank(ledger, path):
    return ledger.reconciliation.import_statement(
        ImportStatement(StatementKind.BANK_BAI2, read_bai2(path, ACCOUNTS, None))
    )


def fund_line(day, amount, reference="", bank_reference="FED"):
    return BankLine(day, FUND_ACCOUNT_NUMBER, amount, True, bank_reference, reference, "WIRE")


def test_imports_are_all_or_nothing_and_idempotent(paid_quarter, store, tmp_path):
    ledger = paid_quarter
    path = books_csv(tmp_path / "books.csv", ledger_daily(ledger))
    before = count_events(store)
    assert import_books(ledger, path) == "recorded"
    after = count_events(store)
    assert after == before + 2  # the statement, and its one batch of lines
    assert import_books(ledger, path) == "unchanged"
    assert count_events(store) == after
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text() + "2003-10-01,INTL-BCV,R,1.00,-1\n")
    with pytest.raises(InputError) as error:
        import_books(ledger, bad)
    assert [(p.row, p.field) for p in error.value.problems] == [(94, "payable")]
    assert count_events(store) == after
    statement = reads.statements(ledger.view)[0]
    assert (statement.kind, len(statement.lines)) == ("fund-books", 92)


def quarter_statements(ledger, tmp_path):
    """Books with 07-03 a cent and a tenth off and 07-04 missing; the fund's bank paying July
    by reference and September a cent off without one, August missing."""
    daily = ledger_daily(ledger)
    paid = payments(ledger)
    import_books(
        ledger,
        books_csv(
            tmp_path / "books.csv",
            daily,
            {(INTL, JULY_3): daily[(INTL, JULY_3)] + Decimal("0.011"), (INTL, JULY_4): None},
            {(INTL, day): amount for day, amount in paid.values()},
        ),
    )
    july, september = paid["WIRE-2003-07"], paid["WIRE-2003-09"]
    import_bank(
        ledger,
        write_bai2(
            tmp_path / "fund.bai2",
            [
                fund_line(july[0], july[1], "WIRE-2003-07"),
                fund_line(september[0], september[1] + Decimal("0.01"), bank_reference="FED2"),
            ],
        ),
    )


def test_a_run_opens_each_break_once_and_a_rerun_writes_nothing(paid_quarter, store, tmp_path):
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    summary = run(ledger)
    found = {row.key: row.kind for row in reads.breaks(ledger.view).values()}
    assert found == {
        f"accruals/day/{INTL}/2003-07-03": "amount-differs",
        f"accruals/day/{INTL}/2003-07-04": "missing-in-statement",
        f"accruals/month/{INTL}/2003-07": "amount-differs",
        # The books' payable carries their short July to every month end after: they paid
        # what the ledger paid.
        f"accruals/payable/{INTL}/2003-07": "amount-differs",
        f"accruals/payable/{INTL}/2003-08": "amount-differs",
        f"accruals/payable/{INTL}/2003-09": "amount-differs",
        "distributor-cash/fund:INTL-BCV/missing-in-statement/payment:INTL-BCV/R:WIRE-2003-08": (
            "missing-in-statement"
        ),
    }
    assert (summary.breaks_opened, summary.breaks_resolved) == (7, 0)
    # 90 days and two months agree; July's payment by reference (September's, paid on
    # 10-01, is outside 2003Q3: the whole log matches it by amount and date).
    assert summary.matches_recorded == summary.matches_found == 90 + 2 + 1
    events = count_events(store)
    again = run(ledger)
    assert not again.events_written
    assert count_events(store) == events
    # The whole log, not one period, finds the same breaks under the same keys.
    whole = run(ledger, period=None)
    assert (whole.breaks_opened, whole.matches_recorded) == (0, 1)
    assert not run(ledger, period=None).events_written


def test_the_matcher_resolves_a_break_when_the_missing_line_arrives(paid_quarter, tmp_path):
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    run(ledger)
    august = payments(ledger)["WIRE-2003-08"]
    import_bank(
        ledger,
        write_bai2(tmp_path / "late.bai2", [fund_line(august[0], august[1], "WIRE-2003-08")]),
    )
    summary = run(ledger)
    assert (summary.breaks_opened, summary.breaks_resolved) == (0, 1)
    row = reads.breaks(ledger.view)[
        "distributor-cash/fund:INTL-BCV/missing-in-statement/payment:INTL-BCV/R:WIRE-2003-08"
    ]
    assert row.status == "resolved"
    assert row.resolved_by_event == row.ledger_items[0]  # the payment's event


def test_a_write_off_needs_a_second_person(paid_quarter, store, tmp_path):
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    run(ledger)
    key = f"accruals/day/{INTL}/2003-07-03"
    work = ledger.reconciliation.work
    assert work(BreakAction(key, "assign", RUN_ON, "treasurer")) == "recorded"
    assert work(BreakAction(key, "assign", RUN_ON, "treasurer")) == "unchanged"
    work(BreakAction(key, "comment", RUN_ON, "the books round each day to the cent"))
    proposal = BreakAction(key, "write-off", RUN_ON, "rounding", amount=Decimal("0.011"))
    assert work(proposal) == "recorded"
    events = count_events(store)
    with pytest.raises(RuleViolation) as refused:
        work(BreakAction(key, "approve", RUN_ON))
    assert refused.value.rule == "write-off-second-person"
    assert count_events(store) == events
    reviewer = ReconciliationUseCases(Ports(ledger.store, ledger.view, "controller"))
    assert reviewer.work(BreakAction(key, "approve", RUN_ON)) == "recorded"
    row = reads.breaks(ledger.view)[key]
    assert (row.status, row.owner, row.written_off_by, row.write_off_proposed_by) == (
        "written-off",
        "treasurer",
        "controller",
        "test-accountant",
    )
    assert row.comments == ("test-accountant: the books round each day to the cent",)
    with pytest.raises(RuleViolation, match="break-not-open"):
        work(BreakAction(key, "resolve", RUN_ON, "some-event"))


def test_breaks_known_at_a_past_position_are_those_open_then(paid_quarter, store, tmp_path):
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    run(ledger)
    position = store.head_position()
    key = f"accruals/day/{INTL}/2003-07-04"
    ledger.reconciliation.work(BreakAction(key, "resolve", RUN_ON, "books-extract-2", "re-sent"))
    then = reads.breaks(ledger.view.as_known_at(position))
    now = reads.breaks(ledger.view)
    open_then = sorted(k for k, row in then.items() if row.is_open)
    open_now = sorted(k for k, row in now.items() if row.is_open)
    assert key in open_then and key not in open_now
    assert sorted(set(open_then) - set(open_now)) == [key]
    assert reads.breaks(ledger.view.as_known_at(position - 1)) != then or position == 0
    # Before the run: no break at all.
    first_break = min(row.business_date for row in then.values())
    assert first_break == JULY_3


def test_a_break_must_exist(paid_quarter):
    with pytest.raises(RuleViolation, match="break-unknown"):
        paid_quarter.reconciliation.work(
            BreakAction("accruals/day/X/2003-07-01", "assign", RUN_ON, "a")
        )


def test_distributor_account_credits_one_line_for_a_batch(loaded_ledger, tmp_path):
    """The Distributor's account: July paid in two wires on one day, credited in one line
    naming neither; August credited by reference."""
    ledger = loaded_ledger
    accrued_quarter(ledger, tmp_path)
    pay_distributor(ledger, "2003-07", amount=Decimal("100.00"), reference="WIRE-07A")
    pay_distributor(ledger, "2003-07", reference="WIRE-07B")
    pay_distributor(ledger, "2003-08")
    ledger.read_models.catch_up()
    paid = payments(ledger)
    july = paid["WIRE-07A"][1] + paid["WIRE-07B"][1]
    august_day, august = paid["WIRE-2003-08"]
    lines = [
        BankLine(date(2003, 8, 4), DISTRIBUTOR_ACCOUNT_NUMBER, july, False, "IN1", "", "FUNDS"),
        BankLine(august_day, DISTRIBUTOR_ACCOUNT_NUMBER, august, False, "IN2", "WIRE-2003-08"),
    ]
    import_bank(ledger, write_bai2(tmp_path / "dist.bai2", lines))
    summary = run(ledger, period=None)
    assert (summary.breaks_found, summary.matches_found) == (0, 2)
    assert reads.breaks(ledger.view) == {}


def test_a_break_resolved_by_hand_is_reopened_when_a_run_finds_it_again(paid_quarter, tmp_path):
    """A person resolves a break without fixing it: the next run reopens it (once), and as
    known before that run it is resolved."""
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    run(ledger)
    key = f"accruals/day/{INTL}/2003-07-03"
    ledger.reconciliation.work(BreakAction(key, "resolve", RUN_ON, "books-extract-2", "re-sent"))
    position = ledger.store.head_position()
    summary = run(ledger)
    assert (summary.breaks_opened, summary.breaks_resolved, summary.breaks_reopened) == (0, 0, 1)
    row = reads.breaks(ledger.view)[key]
    assert (row.status, row.reopened, row.resolved_by_event) == ("open", 1, "")
    assert reads.breaks(ledger.view.as_known_at(position))[key].status == "resolved"
    assert not run(ledger).events_written
    work = ledger.reconciliation.work
    assert work(BreakAction(key, "resolve", RUN_ON, "books-extract-3", "again")) == "recorded"
    assert reads.breaks(ledger.view)[key].status == "resolved"


def test_the_month_end_payables_are_the_balances_payables(paid_quarter, store):
    """Read in one pass over the payable accounts, each month end's payable is what the
    balances give, as known now and as known at a past position; a class the ledger does not
    know has none."""
    month_ends = [date(2003, 7, 31), date(2003, 8, 31), date(2003, 9, 30)]
    wanted = [(INTL, day) for day in month_ends] + [("NOT-A/CLASS", month_ends[0])]
    for view in (paid_quarter.view.as_known_at(store.head_position() // 2), paid_quarter.view):
        expected = {
            (row.fund_class, day.isoformat()[:7]): Decimal(row.payable).scaleb(-2)
            for day in month_ends
            for row in view.balances(day)
            if row.fund_class == INTL
        }
        found = reads.ledger_payables(view, wanted)
        assert {key: figure.amount for key, figure in found.items()} == expected
    assert len(set(expected.values())) == 3  # now: three month ends, each its own payable


def test_a_period_ending_within_a_month_compares_its_days_not_the_month(paid_quarter, tmp_path):
    """Books that agree day by day, run over July's first half: the days agree, and July as a
    month is not compared (half of it against the ledger's whole month would be a break); run
    over the whole of July, the month is compared and agrees too."""
    ledger = paid_quarter
    import_books(ledger, books_csv(tmp_path / "books.csv", ledger_daily(ledger)))
    half = run(ledger, period="2003-07-01..2003-07-15")
    assert (half.breaks_found, half.matches_found) == (0, 15)
    whole = run(ledger, period="2003-07")
    assert whole.breaks_found == 0
    assert whole.matches_found == 31 + 1 + 1  # July's days, July itself, its month-end payable


def test_a_day_two_extracts_give_is_one_figure_or_a_duplicate(paid_quarter, tmp_path):
    """A day two imported extracts give: the same figure twice is one figure (no break), two
    figures a `duplicate` break, and that day is left out of its month's books total."""
    ledger = paid_quarter
    daily = ledger_daily(ledger)
    import_books(ledger, books_csv(tmp_path / "books.csv", daily))
    july = {key: amount for key, amount in daily.items() if key[1].month == 7}
    july[(INTL, JULY_3)] += Decimal("5.00")  # the second extract's July 3rd differs
    import_books(ledger, books_csv(tmp_path / "july.csv", july))
    run(ledger)
    found = {row.key: row.kind for row in reads.breaks(ledger.view).values()}
    days = {key: kind for key, kind in found.items() if "/day/" in key}
    assert days == {f"accruals/day/{INTL}/2003-07-03": "duplicate"}
    assert found[f"accruals/month/{INTL}/2003-07"] == "amount-differs"


def _as_version_2(state: bytes) -> bytes:
    """An `ItemsMatched` event's state as version 2 stored it: an object per match, its
    difference with it (the outside amount less the ledger's)."""
    event = json.loads(state)
    columns = event.pop("columns")
    event["matches"] = [
        {
            **dict(zip(columns, row, strict=True)),
            "difference": amount_text(Decimal(row[7]) - Decimal(row[6])),
        }
        for row in event["matches"]
    ]
    event["class_version"] = 2
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def test_matches_stored_as_version_2_read_as_recorded_and_a_rerun_writes_nothing(
    paid_quarter, store, tmp_path, monkeypatch
):
    """A log written before version 3 keeps its events as stored; they are read through the
    upcast: the same match keys (a re-run records none again), the report's same totals."""
    ledger = paid_quarter
    quarter_statements(ledger, tmp_path)
    recorded: list[Reconciliation.ItemsMatched] = []
    to_stored = store.mapper.to_stored_event

    def as_version_2(event):
        stored = to_stored(event)
        if not isinstance(event, Reconciliation.ItemsMatched):
            return stored
        recorded.append(event)
        return replace(stored, state=_as_version_2(stored.state))

    monkeypatch.setattr(store.mapper, "to_stored_event", as_version_2)
    assert run(ledger).matches_recorded == 93
    monkeypatch.undo()
    notifications = store.recorder.select_notifications(start=None, limit=10**9)
    stored = [n for n in notifications if n.topic == Reconciliation.ItemsMatched.TOPIC]
    assert len(stored) == len(recorded) > 0
    assert {json.loads(n.state)["class_version"] for n in stored} == {2}
    read = list(reads.events_of(ledger.view, MATCH_TOPICS))
    assert [event.matches for event in read] == [event.matches for event in recorded]
    assert fold_matches(read) == fold_matches(recorded)
    quarter = parse_period("2003Q3")
    report = reconciliation_report(ledger.view, quarter, RUN_ON)
    expected = check_totals([m for m in fold_matches(recorded) if m.business_date in quarter], [])
    assert [
        (t.check, t.matches, t.within_tolerance, t.ledger_matched, t.outside_matched)
        for t in report.checks
    ] == [
        (t.check, t.matches, t.within_tolerance, t.ledger_matched, t.outside_matched)
        for t in expected
    ]
    assert {t.check: t.matches for t in report.checks}["accruals"] == 92
    events = count_events(store)
    assert not run(ledger).events_written
    assert count_events(store) == events
    # The whole log's run records its one new match, as version 3, after the version 2 ones.
    assert run(ledger, period=None).matches_recorded == 1
    (latest,) = [
        n
        for n in store.recorder.select_notifications(start=None, limit=10**9)
        if n.topic == Reconciliation.ItemsMatched.TOPIC and n.id > stored[-1].id
    ]
    assert json.loads(latest.state)["class_version"] == 3


def test_the_ledgers_payments_are_the_cash_paid_and_standing(paid_quarter, tmp_path):
    """A reversed payment nets to nothing and is left out, a refund from the Distributor and a
    receivable offset against a payment are not cash paid to it, a payment again under a new
    reference stands: the cash kinds only, each payment once with its events."""
    ledger = paid_quarter
    # A week of July restated at half: the Distributor was paid a little too much.
    lowered = [date(2003, 7, day) for day in range(8, 15)]
    halved = {day: (month_constant(0)[day] / 2).quantize(Decimal("0.01")) for day in lowered}
    ledger.figures.import_net_assets(
        ImportNetAssets(
            read_csv(net_assets_csv(tmp_path / "half.csv", halved), NetAssetsRow),
            restatement_reason="NAV struck on a wrong price",
        )
    )
    ledger.payments.receive_distributor_refund(
        ReceiveDistributorRefund("INTL-BCV", "R", Decimal("100.00"), date(2003, 10, 2), "RF-1", "")
    )
    ledger.audit.reverse_distributor_payment(
        ReverseDistributorPayment("INTL-BCV", "R", "WIRE-2003-08", "wired twice")
    )
    outcome, cash, offset = pay_distributor(ledger, "2003-08", reference="WIRE-2003-08-B")
    assert outcome == "recorded" and cash > 0 and offset > 0  # the rest of the receivable
    ledger.read_models.catch_up()
    entries = TABLES["journal_entries"]
    with ledger.view.engine.connect() as conn:
        kinds = set(conn.execute(select(entries.c.kind)).scalars())
    assert {
        "distributor-refund",
        "distributor-payment-reversal",
        "distributor-receivable-offset",
    } <= kinds
    standing = payments(ledger)
    assert sorted(standing) == ["WIRE-2003-07", "WIRE-2003-08-B", "WIRE-2003-09"]
    (again,) = [p for p in reads.ledger_payments(ledger.view) if p.reference == "WIRE-2003-08-B"]
    assert (len(again.event_ids), again.amount) == (1, cash)
