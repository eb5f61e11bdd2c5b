"""FIFTH expenditures: recorded by purpose and performer, all rows or none.

Runs on SQLite and PostgreSQL; each refusal is checked for its message and for writing
nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.application.commands import ImportExpenditures
from adapters.inputs.csv_files import ExpenditureRow, read_csv
from adapters.inputs.errors import InputError
from domain.errors import RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests.builders import EXPENDITURE_HEADER, write_csv
from tests.conftest import count_events

HEADER = [*EXPENDITURE_HEADER, "company_agreement_reference"]
SEMINAR = (
    "INTL-BCV",
    "R",
    "2003-09-30",
    "2003Q3",
    "sales_seminars",
    "distributor",
    "A I M Distributors, Inc.",
    "950.37",
    "Plan-sponsor seminar",
    "EXP-1",
    "",
)


def test_expenditures_are_recorded_with_purpose_performer_and_period(loaded_ledger, tmp_path):
    path = write_csv(tmp_path / "e.csv", HEADER, [SEMINAR])
    summary = loaded_ledger.figures.import_expenditures(
        ImportExpenditures(read_csv(path, ExpenditureRow))
    )
    assert summary.recorded == 1
    recorded = list(loaded_ledger.view.stream(fund_class_id("INTL-BCV", "R")))[-1]
    assert isinstance(recorded, FundClass.ExpenditureRecorded)
    assert (recorded.purpose, recorded.performer) == ("sales_seminars", "distributor")
    assert recorded.amount == Decimal("950.37")
    assert str(recorded.period_start) == "2003-07-01"
    assert str(recorded.period_end_exclusive) == "2003-10-01"
    assert recorded.source.endswith("#row=2")
    assert loaded_ledger.view.fund_class("INTL-BCV", "R").payable == 0  # reporting only (Q3)


def test_reimport_writes_nothing_and_a_reused_reference_is_refused(loaded_ledger, store, tmp_path):
    path = write_csv(tmp_path / "e.csv", HEADER, [SEMINAR])
    loaded_ledger.figures.import_expenditures(ImportExpenditures(read_csv(path, ExpenditureRow)))
    before = count_events(store)
    assert (
        loaded_ledger.figures.import_expenditures(
            ImportExpenditures(read_csv(path, ExpenditureRow))
        ).unchanged
        == 1
    )
    assert count_events(store) == before
    changed = write_csv(tmp_path / "f.csv", HEADER, [(*SEMINAR[:7], "999.00", *SEMINAR[8:])])
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.figures.import_expenditures(
            ImportExpenditures(read_csv(changed, ExpenditureRow))
        )
    (violation,) = refused.value.violations
    assert violation.rule == "reference-reused"
    assert violation.detail.startswith("f.csv row 2: INTL-BCV/R expenditure: reference 'EXP-1'")
    assert count_events(store) == before


def test_other_agreed_services_need_the_companys_agreement(loaded_ledger, store, tmp_path):
    other = (
        "STABLE-VALUE",
        "R",
        "2003-09-30",
        "2003Q3",
        "other_agreed_services",
        "third_party",
        "Consultant",
        "10.00",
        "Study",
        "EXP-2",
        "",
    )
    path = write_csv(tmp_path / "e.csv", HEADER, [SEMINAR, other])
    before = count_events(store)
    with pytest.raises(RuleViolations) as refused:
        loaded_ledger.figures.import_expenditures(
            ImportExpenditures(read_csv(path, ExpenditureRow))
        )
    (violation,) = refused.value.violations
    assert violation.rule == "other-services-need-agreement"
    assert violation.clause == "FIFTH"
    assert "e.csv row 3" in violation.detail
    assert count_events(store) == before
    agreed = (*other[:10], "BOARD-RES-2003-07")
    assert (
        loaded_ledger.figures.import_expenditures(
            ImportExpenditures(
                read_csv(write_csv(tmp_path / "g.csv", HEADER, [SEMINAR, agreed]), ExpenditureRow)
            )
        ).recorded
        == 2
    )


def test_unknown_purpose_and_performer_are_bad_input(loaded_ledger, store, tmp_path):
    bad = ("INTL-BCV", "R", "2003-09-30", "2003Q5", "lunch", "cousin", "X", "1.00", "d", "E", "")
    before = count_events(store)
    with pytest.raises(InputError) as error:
        loaded_ledger.figures.import_expenditures(
            ImportExpenditures(
                read_csv(write_csv(tmp_path / "b.csv", HEADER, [bad]), ExpenditureRow)
            )
        )
    assert {problem.field for problem in error.value.problems} == {
        "period",
        "purpose",
        "performer",
    }
    assert count_events(store) == before
