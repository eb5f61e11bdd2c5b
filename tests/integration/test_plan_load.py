"""Loading a plan file records the instrument and one fund-class stream per Schedule A fund.

Each test runs on SQLite and PostgreSQL. Refusals are checked for their message and for
writing nothing (the event count does not move).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.application.commands import LoadPlan
from adapters.inputs.errors import InputError
from adapters.inputs.plan_file import read_plan
from domain.errors import RuleViolation, RuleViolations
from domain.fund_class import FundClass
from domain.ids import fund_class_id
from tests.builders import plan_copy
from tests.conftest import SHIPPED_PLAN, count_events

SCHEDULE_B_LINE = (
    'schedule_b = { asset_based_sales_charge = "0.25%", maximum_service_fee = "0.25%", '
    'maximum_total = "0.50%" }\n\n[[companies]]'
)


def test_shipped_plan_creates_one_stream_per_schedule_a_fund(ledger):
    summary = ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    assert summary.created
    assert summary.fund_classes == ["INTL-BCV/R", "STABLE-VALUE/R"]
    assert ledger.view.fund_class_keys() == ["INTL-BCV/R", "STABLE-VALUE/R"]
    fund_class = ledger.view.fund_class("INTL-BCV", "R")
    assert fund_class.fund_name == "INVESCO International Blue Chip Value Fund"
    assert fund_class.company_name == "INVESCO International Funds, Inc."
    assert str(fund_class.effective_date) == "2003-07-01"
    assert str(fund_class.initial_term_end) == "2004-05-30"


def test_adoption_event_carries_provenance_and_the_document_hash(ledger):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    (adopted,) = list(ledger.view.stream(fund_class_id("STABLE-VALUE", "R")))
    assert isinstance(adopted, FundClass.PlanAdopted)
    assert adopted.actor == "test-accountant"
    assert adopted.source.startswith("plan.txt sha256:9dc8a469ea2c9cfc")
    assert adopted.document_sha256.startswith("9dc8a469")
    assert adopted.idempotency_key == (f"plan/{adopted.document_sha256}/fund-class/STABLE-VALUE/R")
    assert str(adopted.business_date) == "2003-07-01"
    assert adopted.total_rate_annual_max == Decimal("0.005")
    assert adopted.timestamp.tzinfo is not None


def test_loading_the_same_file_again_writes_nothing(ledger, store):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    before = count_events(store)
    summary = ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    assert not summary.created
    assert count_events(store) == before


@pytest.mark.parametrize(
    ("absc", "service", "total", "rule", "words"),
    [
        (
            "0.80%",
            "0.25%",
            "1.05%",
            "finra-absc-cap",
            "asset-based sales charge 0.80% exceeds the cap of 0.75%",
        ),
        (
            "0.25%",
            "0.30%",
            "0.55%",
            "finra-service-fee-cap",
            "maximum service fee 0.30% exceeds the cap of 0.25%",
        ),
        (
            "0.25%",
            "0.25%",
            "0.45%",
            "schedule-b-total",
            "maximum total 0.45% is not the asset-based sales charge plus the maximum service fee",
        ),
    ],
)
def test_schedule_b_breaking_a_rule_is_refused_and_nothing_is_written(
    ledger, store, tmp_path: Path, absc, service, total, rule, words
):
    broken = SCHEDULE_B_LINE.replace(
        'asset_based_sales_charge = "0.25%", maximum_service_fee = "0.25%", '
        'maximum_total = "0.50%"',
        f'asset_based_sales_charge = "{absc}", maximum_service_fee = "{service}", '
        f'maximum_total = "{total}"',
    )
    plan = plan_copy(tmp_path, {SCHEDULE_B_LINE: broken})
    with pytest.raises(RuleViolations) as refused:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    (violation,) = refused.value.violations
    assert violation.rule == rule
    assert words in violation.detail
    assert violation.detail.startswith("INTL-BCV")
    assert count_events(store) == 0


def test_plan_text_that_does_not_match_its_hash_is_refused(ledger, store, tmp_path: Path):
    plan = plan_copy(tmp_path)
    (tmp_path / "plan.txt").write_text("a different text\n")
    with pytest.raises(RuleViolation) as refused:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    assert refused.value.rule == "plan-document-hash"
    assert count_events(store) == 0


def test_malformed_plan_file_names_every_bad_field(ledger, store, tmp_path: Path):
    plan = plan_copy(
        tmp_path,
        {
            'share_class = "R"': 'share_class = "class r"',
            "effective_date = 2003-07-01": 'effective_date = "July"',
        },
    )
    with pytest.raises(InputError) as bad:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    fields = {problem.field for problem in bad.value.problems}
    assert fields == {"plan.share_class", "plan.effective_date"}
    assert all(problem.file == "plan.toml" for problem in bad.value.problems)
    assert count_events(store) == 0


def test_same_document_with_other_terms_is_an_amendment_not_a_reload(ledger, store, tmp_path):
    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    before = count_events(store)
    changed = plan_copy(tmp_path, {'governing_law = "Maryland"': 'governing_law = "Delaware"'})
    with pytest.raises(RuleViolation) as refused:
        ledger.plans.load_plan(LoadPlan(read_plan(changed)))
    assert refused.value.rule == "plan-terms-changed"
    assert count_events(store) == before


def test_each_funds_fiscal_year_end_is_read_from_schedule_a(ledger, tmp_path: Path):
    """The fund's fiscal year end, for the quarterly report's fiscal year to date (decision
    F-board-1): as the plan file gives it, the calendar year's end where it gives none."""
    plan = plan_copy(tmp_path, {'  fiscal_year_end = "05-31"': ""})
    ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    view = ledger.view
    assert view.fiscal_year_end_of(view.fund_class("INTL-BCV", "R")) == "10-31"
    assert view.fiscal_year_end_of(view.fund_class("STABLE-VALUE", "R")) == "12-31"


def test_a_fiscal_year_end_added_to_a_loaded_plan_file_changes_nothing(ledger, store, tmp_path):
    """Not a term of the plan: a ledger that loaded the file without it reloads it with it and
    writes nothing (and keeps what it recorded)."""
    without = plan_copy(
        tmp_path / "a",
        {'  fiscal_year_end = "10-31"\n': "", '  fiscal_year_end = "05-31"': ""},
    )
    ledger.plans.load_plan(LoadPlan(read_plan(without)))
    before = count_events(store)
    assert not ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN))).created
    assert count_events(store) == before
    assert ledger.view.fiscal_year_end_of(ledger.view.fund_class("INTL-BCV", "R")) == "12-31"


@pytest.mark.parametrize("written", ["13-01", "02-30", "1031", "10-31-2003", "10/31"])
def test_a_fiscal_year_end_that_is_not_a_month_and_day_is_refused(ledger, store, tmp_path, written):
    plan = plan_copy(tmp_path, {'fiscal_year_end = "10-31"': f'fiscal_year_end = "{written}"'})
    with pytest.raises(InputError) as bad:
        ledger.plans.load_plan(LoadPlan(read_plan(plan)))
    (problem,) = bad.value.problems
    assert problem.field == "companies.0.funds.0.fiscal_year_end"
    assert "MM-DD" in problem.message
    assert count_events(store) == 0
