"""CSV input: declared columns, every row validated by pydantic, every problem reported.

Each importable file has a row model below. `read_csv` checks the header, validates every row
and returns them with their row numbers and the file's SHA-256 (which goes into each event's
source), or raises `InputError` naming the file, row and field of every problem.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from adapters.inputs.errors import InputError, InputProblem
from domain.expenditures import Performer, Purpose
from domain.money import CENT
from domain.periods import Period, parse_period

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
_SHARE_CLASS = re.compile(r"^[A-Z0-9]{1,8}$")


def _code(value: str) -> str:
    if not _CODE.match(value):
        raise ValueError("a code is 1 to 32 upper-case letters, digits and dashes")
    return value


def _share_class(value: str) -> str:
    if not _SHARE_CLASS.match(value):
        raise ValueError("a share class is 1 to 8 upper-case letters or digits")
    return value


def _cents(value: Decimal) -> Decimal:
    # Validation has limited the value to two decimals, so this only normalises '1E+3'.
    return value.quantize(CENT)


Code = Annotated[str, AfterValidator(_code)]
ShareClass = Annotated[str, AfterValidator(_share_class)]
NetAssets = Annotated[Decimal, Field(ge=0, decimal_places=2, max_digits=20), AfterValidator(_cents)]
Amount = Annotated[Decimal, Field(gt=0, decimal_places=2, max_digits=18), AfterValidator(_cents)]
Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Row(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True
    )


class NetAssetsRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: date
    net_assets: NetAssets
    source_reference: str = ""


class PositionRow(_Row):
    provider: Code
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: date
    net_assets: NetAssets
    source_reference: str = ""


class ExpenditureRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    incurred_on: date
    period: str
    purpose: Purpose
    performer: Performer
    performer_name: Text
    amount: Amount
    description: Text
    reference: Text
    company_agreement_reference: str = ""

    @field_validator("period")
    @classmethod
    def _is_period(cls, value: str) -> str:
        parse_period(value)
        return value

    @property
    def parsed_period(self) -> Period:
        return parse_period(self.period)


RowT = TypeVar("RowT", bound=_Row)


@dataclass(frozen=True)
class NumberedRow(Generic[RowT]):
    row: int
    record: RowT


@dataclass(frozen=True)
class CsvFile(Generic[RowT]):
    name: str
    sha256: str
    rows: list[NumberedRow[RowT]]

    def source(self, row: int, reference: str = "") -> str:
        """The `source` of an event made from `row`: the file, its hash and the row."""
        base = f"{self.name} sha256:{self.sha256[:16]}#row={row}"
        return f"{base} ({reference})" if reference else base


def _columns(model: type[_Row]) -> tuple[set[str], set[str]]:
    required: set[str] = set()
    optional: set[str] = set()
    for name, field in model.model_fields.items():
        column = field.alias or name
        (required if field.is_required() else optional).add(column)
    return required, optional


def _header_problems(name: str, header: list[str], model: type[_Row]) -> list[InputProblem]:
    required, optional = _columns(model)
    problems = [
        InputProblem(name, 1, column, "required column is missing")
        for column in sorted(required - set(header))
    ]
    problems += [
        InputProblem(
            name, 1, column, f"unknown column (expected {', '.join(sorted(required | optional))})"
        )
        for column in header
        if column not in required | optional
    ]
    return problems


def read_csv(path: Path, model: type[RowT]) -> CsvFile[RowT]:
    """Read and validate a whole CSV file.

    Raises:
        InputError: the file cannot be read, its header is wrong, or any row is invalid.
    """
    name = path.name
    try:
        content = path.read_bytes()
        text = content.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([InputProblem(name, None, None, f"cannot read: {error}")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip() for column in next(reader, [])]
    if not header:
        raise InputError([InputProblem(name, None, None, "the file is empty")])
    problems = _header_problems(name, header, model)
    if problems:
        raise InputError(problems)
    rows: list[NumberedRow[RowT]] = []
    for row_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        record = _validate_row(name, row_number, header, values, model=model, problems=problems)
        if record is not None:
            rows.append(NumberedRow(row_number, record))
    if problems:
        raise InputError(problems)
    return CsvFile(name, hashlib.sha256(content).hexdigest(), rows)


def _validate_row(
    name: str,
    row_number: int,
    header: list[str],
    values: list[str],
    *,
    model: type[RowT],
    problems: list[InputProblem],
) -> RowT | None:
    if len(values) != len(header):
        problems.append(
            InputProblem(name, row_number, None, f"{len(values)} values for {len(header)} columns")
        )
        return None
    data = {
        column: value for column, value in zip(header, values, strict=True) if value.strip() != ""
    }
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else None
            problems.append(InputProblem(name, row_number, field, _message(item["msg"])))
        return None


def _message(pydantic_message: str) -> str:
    return pydantic_message.removeprefix("Value error, ")


Flag = Annotated[bool, Field(strict=False)]


class DirectorRow(_Row):
    company: Code
    director: Code
    name: Text
    effective_from: date
    in_office: Flag
    interested: Flag
    financial_interest: Flag
    basis: Text
    attested_by: Text


NonNegative = Annotated[
    Decimal, Field(ge=0, decimal_places=2, max_digits=20), AfterValidator(_cents)
]


class GrossSalesRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: date
    gross_sales: NonNegative
    reinvested_distributions: NonNegative = Decimal("0.00")
    exchanges: NonNegative = Decimal("0.00")
    source_reference: str = ""


class SalesChargeRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: date
    kind: Literal["front_end", "deferred"]
    amount: Amount
    reference: Text
