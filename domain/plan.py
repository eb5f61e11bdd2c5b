"""The plan as data: the terms of one instrument, and the rules its Schedule B must obey.

`PlanTerms` is what a plan file says, already parsed and typed. Whether those terms may be
adopted is decided here, by `find_schedule_b_violations`, so that no adapter can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from domain.errors import RuleViolation
from domain.money import EXACT_CONTEXT
from domain.rates import FINRA_ABSC_RATE_ANNUAL_MAX, FINRA_SERVICE_RATE_ANNUAL_MAX, format_percent


class PlanType(Enum):
    """Form N-1A Item 19(g): a compensation plan pays the Distributor its fee whatever it
    spends; a reimbursement plan pays at most what it spent. Decision Q3 reads the Class R
    plan as a compensation plan."""

    COMPENSATION = "compensation"
    REIMBURSEMENT = "reimbursement"


# What every plan recorded before the type was data was taken to be (decision Q3).
PLAN_TYPE_BEFORE_IT_WAS_DATA = PlanType.COMPENSATION


@dataclass(frozen=True)
class ScheduleBRates:
    """One fund's row of Schedule B (annual fractions)."""

    absc_rate_annual: Decimal
    service_rate_annual_max: Decimal
    total_rate_annual_max: Decimal


@dataclass(frozen=True)
class FundTerms:
    """One Schedule A fund with its Schedule B rates."""

    fund_code: str
    fund_name: str
    company_code: str
    company_name: str
    schedule_b: ScheduleBRates
    # The last day of the fund's fiscal year, MM-DD (Schedule A in the plan file; the plan's
    # text does not say it). None: not stated, and the report takes the calendar year.
    fiscal_year_end: str | None = None


@dataclass(frozen=True)
class CompanyTerms:
    code: str
    name: str
    jurisdiction: str
    fund_codes: tuple[str, ...]


@dataclass(frozen=True)
class PlanTerms:
    """Everything the ledger needs from one plan document."""

    plan_key: str
    title: str
    document_name: str
    document_sha256: str
    status_banner: str
    share_class: str
    distributor_name: str
    distributor_jurisdiction: str
    original_distributor_name: str
    original_agreement_date: str
    effective_date: date
    initial_term_end: date
    notice_address: str
    governing_law: str
    companies: tuple[CompanyTerms, ...]
    funds: tuple[FundTerms, ...]
    plan_type: PlanType


def find_schedule_b_violations(fund_code: str, rates: ScheduleBRates) -> list[RuleViolation]:
    """The FINRA caps and the Schedule B arithmetic, for one fund's rates.

    Returns every violation, so a plan file with several problems is reported in one pass.
    """
    violations = []
    if rates.absc_rate_annual > FINRA_ABSC_RATE_ANNUAL_MAX:
        violations.append(
            RuleViolation(
                "finra-absc-cap",
                "SECOND, NINTH; NASD Conduct Rule 2830(d) / FINRA Rule 2341(d)(2)",
                f"{fund_code}: asset-based sales charge {format_percent(rates.absc_rate_annual)} "
                f"exceeds the cap of {format_percent(FINRA_ABSC_RATE_ANNUAL_MAX)} a year",
            )
        )
    if rates.service_rate_annual_max > FINRA_SERVICE_RATE_ANNUAL_MAX:
        violations.append(
            RuleViolation(
                "finra-service-fee-cap",
                "SECOND, SEVENTH, NINTH; NASD Conduct Rule 2830(d) / FINRA Rule 2341(d)(5)",
                f"{fund_code}: maximum service fee {format_percent(rates.service_rate_annual_max)} "
                f"exceeds the cap of {format_percent(FINRA_SERVICE_RATE_ANNUAL_MAX)} a year",
            )
        )
    parts_sum = EXACT_CONTEXT.add(rates.absc_rate_annual, rates.service_rate_annual_max)
    if parts_sum != rates.total_rate_annual_max:
        violations.append(
            RuleViolation(
                "schedule-b-total",
                "Schedule B",
                f"{fund_code}: maximum total {format_percent(rates.total_rate_annual_max)} is not "
                f"the asset-based sales charge plus the maximum service fee "
                f"({format_percent(parts_sum)})",
            )
        )
    return violations


def find_plan_violations(terms: PlanTerms) -> list[RuleViolation]:
    """Every rule the terms break; an empty list means the plan may be adopted."""
    violations: list[RuleViolation] = []
    for fund in terms.funds:
        violations.extend(find_schedule_b_violations(fund.fund_code, fund.schedule_b))
    if terms.initial_term_end < terms.effective_date:
        violations.append(
            RuleViolation(
                "plan-term",
                "ELEVENTH",
                f"the initial term ends ({terms.initial_term_end}) before the plan takes "
                f"effect ({terms.effective_date})",
            )
        )
    return violations
