"""The reconciliation report and the remittance advice on SQLite and PostgreSQL, on the Q3 2003
oracle's dealers (tests/integration/test_reconciliation_dealers.py): DEALER-A's fee owed,
invoiced, capped and paid all 2,583.56 on an average of 4.1M at 0.25%; DEALER-B invoicing
1,200.00 for a fee of 955.14, capped at 955.13, paid nothing. The PDF's figures are the CSV's,
and the CSV's are the ledger's."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pypdfium2

from adapters.application.reconciliation_report import dealer_lines, reconciliation_report
from adapters.outputs.remittance import remittance_csv, remittance_pdf
from domain.periods import parse_period
from tests.integration.test_payments import pay_provider, q3_ledger  # noqa: F401
from tests.integration.test_reconciliation_dealers import invoices, run

Q3 = parse_period("2003Q3")
AS_OF = date(2003, 10, 31)


def reconciled(ledger, tmp_path):
    pay_provider(ledger, "DEALER-A", None, "SF-A-2003Q3")
    ledger.read_models.catch_up()
    invoices(ledger, tmp_path, ("DEALER-A", "2583.56"), ("DEALER-B", "1200.00"))
    before_run = ledger.store.head_position()
    run(ledger)
    return ledger, before_run


def test_the_report_gives_each_dealers_three_ways_and_the_checks_totals(q3_ledger, tmp_path):  # noqa: F811
    ledger, before_run = reconciled(q3_ledger, tmp_path)
    report = reconciliation_report(ledger.view, Q3, AS_OF)
    lines = {line.dealer: line for line in report.dealers}
    dealer_a, dealer_b = lines["DEALER-A"], lines["DEALER-B"]
    assert (dealer_a.owed, dealer_a.invoiced, dealer_a.cap, dealer_a.paid) == (
        Decimal("2583.56"),
        Decimal("2583.56"),
        Decimal("2583.56"),
        Decimal("2583.56"),
    )
    # (4.0 x 31 + 4.2 x 31 + 4.1 x 30)M / 92 days = 4.1M exactly.
    assert (dealer_a.average_net_assets, dealer_a.rate_annual) == (
        Decimal("4100000.00"),
        Decimal("0.0025"),
    )
    assert (dealer_a.method, dealer_a.status) == ("calendar-day-average", "agrees")
    assert (dealer_b.owed, dealer_b.invoiced, dealer_b.cap, dealer_b.paid) == (
        Decimal("955.14"),
        Decimal("1200.00"),
        Decimal("955.13"),
        None,
    )
    assert dealer_b.status == "open: amount-differs, missing-in-ledger, over-cap"
    totals = {totals.check: totals for totals in report.checks}
    fees = totals["dealer-fees"]
    assert (fees.matches, fees.breaks_open, fees.ledger_matched) == (1, 3, Decimal("2583.56"))
    assert totals["accruals"].matches == 0
    assert sorted(row.kind for row in report.open_breaks) == [
        "amount-differs",
        "missing-in-ledger",
        "over-cap",
    ]
    assert {row.age_days(AS_OF) for row in report.open_breaks} == {31}
    # As known before the run: invoiced, never reconciled.
    before = reconciliation_report(ledger.view.as_known_at(before_run), Q3, AS_OF)
    assert before.open_breaks == () and all(totals.matches == 0 for totals in before.checks)
    assert {line.status for line in before.dealers} == {"not run"}
    # Another period: nothing matched, nothing open; the dealers' agreements still cover it.
    later = reconciliation_report(ledger.view, parse_period("2003Q4"), AS_OF)
    assert later.open_breaks == () and all(totals.matches == 0 for totals in later.checks)
    assert {line.status for line in later.dealers} == {"not invoiced"}


def test_the_remittance_pdf_shows_the_csvs_figures_which_are_the_ledgers(q3_ledger, tmp_path):  # noqa: F811
    ledger, _ = reconciled(q3_ledger, tmp_path)
    (line,) = dealer_lines(ledger.view, Q3, dealer="DEALER-A")
    (row,) = csv.DictReader(io.StringIO(remittance_csv([line])))
    assert (row["fund_class"], row["period"], row["averaging"]) == (
        "INTL-BCV/R",
        Q3.label(),
        "calendar-day-average",
    )
    assert [row[name] for name in ("average_net_assets", "rate_annual", "fee", "cap", "paid")] == [
        "4100000.00",
        "0.0025",
        "2583.56",
        "2583.56",
        "2583.56",
    ]
    assert row["payment_references"] == "SF-A-2003Q3"
    pdf = remittance_pdf([line], Q3, "A I M Distributors, Inc.")
    assert pdf == remittance_pdf([line], Q3, "A I M Distributors, Inc.")  # reproducible
    document = pypdfium2.PdfDocument(pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    words = text.split()
    for name in ("average_net_assets", "fee", "cap", "invoiced", "paid"):
        assert f"{Decimal(row[name]):,.2f}" in words, name
    assert "0.25%" in words and "INTL-BCV/R" in words and "SF-A-2003Q3;" in words
    assert f"To: {line.dealer_name} (DEALER-A)" in text
