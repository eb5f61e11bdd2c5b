"""The plan file: one instrument as TOML, read with the standard library, checked by pydantic.

The format (`format = "planledger-plan/1"`) is documented in README.md and shown by the
shipped plan, plans/aim-class-r-2003/plan.toml. The text of the plan sits beside the file; its
SHA-256 must match `document_sha256`, so the ledger is bound to the exact words it administers.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath, PureWindowsPath
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.fields import Rate, TomlDate, TomlPlanType
from adapters.inputs.grammar import parse_rate
from domain.errors import RuleViolation
from domain.plan import CompanyTerms, FundTerms, PlanTerms, ScheduleBRates

PLAN_FORMAT = "planledger-plan/1"
Code = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]
Text = Annotated[str, Field(min_length=1)]


def _month_day(value: str) -> str:
    """MM-DD of a real day (29 February allowed: in other years, the 28th)."""
    try:
        date.fromisoformat(f"2000-{value}")
    except ValueError:
        raise ValueError(f"{value!r} is not a month and day written MM-DD (e.g. 10-31)") from None
    if len(value) != 5:
        raise ValueError(f"{value!r} is not a month and day written MM-DD (e.g. 10-31)")
    return value


FiscalYearEnd = Annotated[str, AfterValidator(_month_day)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduleBRow(_Strict):
    asset_based_sales_charge: Rate
    maximum_service_fee: Rate
    maximum_total: Rate


class FundRow(_Strict):
    code: Code
    name: Text
    schedule_b: ScheduleBRow
    # MM-DD, the last day of the fund's fiscal year; not stated: the calendar year's end
    fiscal_year_end: FiscalYearEnd | None = None


class CompanyRow(_Strict):
    code: Code
    name: Text
    jurisdiction: Text
    funds: list[FundRow] = Field(min_length=1)


class DistributorRow(_Strict):
    name: Text
    jurisdiction: Text


class OriginalAgreementRow(_Strict):
    distributor: Text
    dated: Text


class PlanRow(_Strict):
    key: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    title: Text
    document_file: Text
    document_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    status_banner: str = ""
    share_class: Annotated[str, Field(pattern=r"^[A-Z0-9]{1,8}$")]
    type: TomlPlanType  # compensation or reimbursement (Form N-1A Item 19(g)); required
    effective_date: TomlDate
    initial_term_end: TomlDate
    governing_law: Text
    notice_address: Text
    distributor: DistributorRow
    original_agreement: OriginalAgreementRow


class PlanFile(_Strict):
    format: Text
    plan: PlanRow
    companies: list[CompanyRow] = Field(min_length=1)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value != PLAN_FORMAT:
            raise ValueError(f"expected {PLAN_FORMAT!r}")
        return value


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def read_plan_file(path: Path) -> tuple[PlanTerms, bytes]:
    """Parse and check a plan file; returns the terms and the bytes of the plan text.

    Raises:
        InputError: the file is unreadable, not TOML, or fails validation (every problem).
        RuleViolation: the plan text does not match its recorded hash.
    """
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([InputProblem(name, None, None, f"cannot read: {error}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError([InputProblem(name, None, None, f"not valid TOML: {error}")]) from None
    try:
        parsed = PlanFile.model_validate(raw)
    except ValidationError as error:
        problems = [
            InputProblem(
                name, None, _field_path(item["loc"]), item["msg"].removeprefix("Value error, ")
            )
            for item in error.errors()
        ]
        raise InputError(problems) from None
    problems = _duplicate_codes(name, parsed)
    if problems:
        raise InputError(problems)
    text = _read_document(path, parsed.plan)
    return _to_terms(parsed), text


@dataclass(frozen=True)
class PlanFileContents:
    """A plan file read and checked: its terms, the plan text it names, and the file itself
    (kept with the plan's documents)."""

    terms: PlanTerms
    document: bytes
    file_name: str
    file_text: str


def read_plan(path: Path) -> PlanFileContents:
    """`read_plan_file`, keeping the plan file's name and text.

    Raises:
        InputError, RuleViolation: as `read_plan_file`.
    """
    terms, document = read_plan_file(path)
    return PlanFileContents(terms, document, path.name, path.read_text(encoding="utf-8"))


def _duplicate_codes(name: str, parsed: PlanFile) -> list[InputProblem]:
    seen: set[str] = set()
    companies_seen: set[str] = set()
    problems = []
    for company_index, company in enumerate(parsed.companies):
        if company.code in companies_seen:
            field = f"companies.{company_index}.code"
            problems.append(InputProblem(name, None, field, f"company code {company.code} repeats"))
        companies_seen.add(company.code)
        for fund_index, fund in enumerate(company.funds):
            if fund.code in seen:
                field = f"companies.{company_index}.funds.{fund_index}.code"
                problems.append(InputProblem(name, None, field, f"fund code {fund.code} repeats"))
            seen.add(fund.code)
    return problems


def _beside(path: Path, document_file: str) -> Path:
    """The instrument's file, which must sit in the plan file's own folder: a plain name, and
    not a link that leads out of the folder. A plan file is input like any other; it must not
    be able to load an arbitrary file of this machine into the ledger and the bundle.

    Raises:
        InputError: naming the plan file and `plan.document_file`.
    """

    def refused(why: str) -> InputError:
        message = f"{why}: {document_file!r}"
        return InputError([InputProblem(path.name, None, "plan.document_file", message)])

    name = PurePath(document_file)
    is_plain = (
        document_file not in (".", "..")
        and "/" not in document_file
        and "\\" not in document_file
        and not name.is_absolute()
        and not PureWindowsPath(document_file).drive
    )
    if not is_plain:
        raise refused("must be a file name in the plan file's own folder (no folder, no '..')")
    folder = path.parent
    document_path = folder / document_file
    if document_path.resolve().parent != folder.resolve():
        raise refused("is a link that leads out of the plan file's folder")
    return document_path


def _read_document(path: Path, plan: PlanRow) -> bytes:
    document_path = _beside(path, plan.document_file)
    try:
        text = document_path.read_bytes()
    except OSError as error:
        problem = InputProblem(path.name, None, "plan.document_file", f"cannot read: {error}")
        raise InputError([problem]) from None
    actual = hashlib.sha256(text).hexdigest()
    if actual != plan.document_sha256:
        raise RuleViolation(
            "plan-document-hash",
            "the instrument (decision Q22)",
            f"{plan.document_file} has SHA-256 {actual}, but the plan file records "
            f"{plan.document_sha256}: the text is not the one these terms were written for",
        )
    return text


def _to_terms(parsed: PlanFile) -> PlanTerms:
    plan = parsed.plan
    funds = tuple(
        FundTerms(
            fund_code=fund.code,
            fund_name=fund.name,
            company_code=company.code,
            company_name=company.name,
            schedule_b=ScheduleBRates(
                absc_rate_annual=parse_rate(fund.schedule_b.asset_based_sales_charge),
                service_rate_annual_max=parse_rate(fund.schedule_b.maximum_service_fee),
                total_rate_annual_max=parse_rate(fund.schedule_b.maximum_total),
            ),
            fiscal_year_end=fund.fiscal_year_end,
        )
        for company in parsed.companies
        for fund in company.funds
    )
    companies = tuple(
        CompanyTerms(
            company.code,
            company.name,
            company.jurisdiction,
            tuple(fund.code for fund in company.funds),
        )
        for company in parsed.companies
    )
    return PlanTerms(
        plan_key=plan.key,
        title=plan.title,
        document_name=plan.document_file,
        document_sha256=plan.document_sha256,
        status_banner=plan.status_banner,
        share_class=plan.share_class,
        distributor_name=plan.distributor.name,
        distributor_jurisdiction=plan.distributor.jurisdiction,
        original_distributor_name=plan.original_agreement.distributor,
        original_agreement_date=plan.original_agreement.dated,
        effective_date=plan.effective_date,
        initial_term_end=plan.initial_term_end,
        notice_address=plan.notice_address,
        governing_law=plan.governing_law,
        companies=companies,
        funds=funds,
        plan_type=plan.type,
    )
