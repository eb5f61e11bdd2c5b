"""CSV input: declared columns, every row validated by pydantic, every problem reported.

Each importable file has a row model below. `read_csv` checks the header, validates every row
and returns them with their row numbers and the file's SHA-256 (which goes into each event's
source), or raises `InputError` naming the file, row and field of every problem.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.fields import CsvDate, CsvFlag, CsvPeriod, NonNegativeMoney, PositiveMoney
from domain.expenditures import Performer, Purpose
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


Code = Annotated[str, AfterValidator(_code)]
ShareClass = Annotated[str, AfterValidator(_share_class)]
NetAssets = NonNegativeMoney
Amount = PositiveMoney
Text = Annotated[str, Field(min_length=1, max_length=500)]


class _Row(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, str_strip_whitespace=True
    )


class NetAssetsRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: CsvDate
    net_assets: NetAssets
    source_reference: str = ""


class PositionRow(_Row):
    provider: Code
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: CsvDate
    net_assets: NetAssets
    source_reference: str = ""


class ExpenditureRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    incurred_on: CsvDate
    period: CsvPeriod
    purpose: Purpose
    performer: Performer
    performer_name: Text
    amount: Amount
    description: Text
    reference: Text
    company_agreement_reference: str = ""

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
    # A column named twice would let one value silently win over the other.
    problems += [
        InputProblem(name, 1, column, f"column named {header.count(column)} times")
        for column in sorted(set(header))
        if header.count(column) > 1
    ]
    return problems


# Problems listed in full; past this many only their count is given (a file that is wrong
# throughout would otherwise print, and hold, a line per row).
MAX_PROBLEMS_LISTED = 100
# A file larger than this is checked in a first pass that keeps no rows, so that a rejected
# file costs bounded memory however large it is; only a clean one is read again to keep them.
CHECK_FIRST_BYTES = 8 * 1024 * 1024
# The csv module refuses a field over 128 KiB; a line is capped too, so that a file with no
# line ends is not read into memory whole.
MAX_LINE_BYTES = 4 * 1024 * 1024
_READ_CHUNK_BYTES = 64 * 1024


def read_csv(path: Path, model: type[RowT]) -> CsvFile[RowT]:
    """Read and validate a whole CSV file, streaming: the file is never held whole.

    Raises:
        InputError: the file cannot be read, its header is wrong, or any row is invalid.
    """
    name = path.name
    try:
        size_bytes = path.stat().st_size
    except OSError as error:
        raise InputError([InputProblem(name, None, None, f"cannot read: {error}")]) from None
    checked_sha256 = None
    if size_bytes > CHECK_FIRST_BYTES:
        checked_sha256 = _scan(path, model, keep_rows=False).sha256
    csv_file = _scan(path, model, keep_rows=True)
    if checked_sha256 is not None and csv_file.sha256 != checked_sha256:
        raise InputError([InputProblem(name, None, None, "the file changed while it was read")])
    return csv_file


class _Problems:
    """The problems of one file: the first MAX_PROBLEMS_LISTED, and how many in all."""

    def __init__(self) -> None:
        self.listed: list[InputProblem] = []
        self.count = 0

    def add(self, problem: InputProblem) -> None:
        self.count += 1
        if len(self.listed) < MAX_PROBLEMS_LISTED:
            self.listed.append(problem)

    def raise_any(self) -> None:
        if self.count:
            raise InputError(self.listed, unlisted=self.count - len(self.listed))


def _scan(path: Path, model: type[RowT], *, keep_rows: bool) -> CsvFile[RowT]:
    name = path.name
    problems = _Problems()
    rows: list[NumberedRow[RowT]] = []
    digest = hashlib.sha256()
    try:
        with path.open("rb") as raw:
            records = csv.reader(_lines(raw, digest))
            header = _header(records, name)
            if not header:
                raise InputError([InputProblem(name, None, None, "the file is empty")])
            for problem in _header_problems(name, header, model):
                problems.add(problem)
            problems.raise_any()
            for row_number, values in _numbered(records, name, problems):
                record = _validate_row(
                    name, row_number, header, values, model=model, problems=problems
                )
                if record is not None and keep_rows and not problems.count:
                    rows.append(NumberedRow(row_number, record))
                elif problems.count:
                    rows.clear()  # the file is refused: its rows will never be used
    except OSError as error:
        raise InputError([InputProblem(name, None, None, f"cannot read: {error}")]) from None
    problems.raise_any()
    return CsvFile(name, digest.hexdigest(), rows)


def _lines(raw: BinaryIO, digest: Any) -> Iterator[str]:
    """The file's text line by line (ends kept, as the csv module wants them), hashing every
    byte as it is read. Lines are split on bytes (a line end never sits inside a UTF-8
    sequence) and decoded one by one, so text that is not UTF-8 is found at its row.

    Raises:
        UnicodeDecodeError: a line is not UTF-8.
        csv.Error: a line is longer than any may be.
    """
    pending = b""
    first = True
    while chunk := raw.read(_READ_CHUNK_BYTES):
        digest.update(chunk)
        lines, pending = _split_lines(pending + chunk)
        for line in lines:
            yield line.decode("utf-8-sig" if first else "utf-8")
            first = False
    if pending:
        yield pending.decode("utf-8-sig" if first else "utf-8")


_LINE_END = re.compile(rb"\r\n|\r|\n")


def _split_lines(data: bytes) -> tuple[list[bytes], bytes]:
    """The complete lines of `data` (a line ends at \\n, \\r or \\r\\n, as with newline=''),
    and the unfinished rest.

    Raises:
        csv.Error: the rest is longer than any line may be.
    """
    lines = []
    start = 0
    for match in _LINE_END.finditer(data):
        if match.group() == b"\r" and match.end() == len(data):
            break  # a \r at the end may be the first half of \r\n
        lines.append(data[start : match.end()])
        start = match.end()
    rest = data[start:]
    if len(rest) > MAX_LINE_BYTES:
        raise csv.Error(f"a line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB")
    return lines, rest


def _header(records: Iterator[list[str]], name: str) -> list[str]:
    try:
        return [column.strip() for column in next(records, [])]
    except (csv.Error, UnicodeDecodeError) as error:
        raise InputError([InputProblem(name, 1, None, _unreadable(error))]) from None


def _numbered(
    records: Iterator[list[str]], name: str, problems: _Problems
) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records with their row numbers (the header is row 1). A record the csv
    module cannot read, or text that is not UTF-8, ends the file with a problem at its row."""
    row_number = 1
    while True:
        row_number += 1
        try:
            values = next(records, None)
        except (csv.Error, UnicodeDecodeError) as error:
            problems.add(InputProblem(name, row_number, None, _unreadable(error)))
            return
        if values is None:
            return
        if any(value.strip() for value in values):
            yield row_number, values


def _unreadable(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    text = str(error)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit() // 1024} KiB"
    return f"cannot read this row: {text}"


def _validate_row(
    name: str,
    row_number: int,
    header: list[str],
    values: list[str],
    *,
    model: type[RowT],
    problems: _Problems,
) -> RowT | None:
    if len(values) != len(header):
        problems.add(
            InputProblem(name, row_number, None, f"{len(values)} values for {len(header)} columns")
        )
        return None
    # What surrounds a value is not part of it (a spreadsheet's padding); a blank is absent.
    data = {
        column: value.strip()
        for column, value in zip(header, values, strict=True)
        if value.strip() != ""
    }
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else None
            problems.add(InputProblem(name, row_number, field, _message(item["msg"])))
        return None


def _message(pydantic_message: str) -> str:
    return pydantic_message.removeprefix("Value error, ")


Flag = CsvFlag


class DirectorRow(_Row):
    company: Code
    director: Code
    name: Text
    effective_from: CsvDate
    in_office: Flag
    interested: Flag
    financial_interest: Flag
    basis: Text
    attested_by: Text


NonNegative = NonNegativeMoney


class GrossSalesRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: CsvDate
    gross_sales: NonNegative
    reinvested_distributions: NonNegative = Decimal("0.00")
    exchanges: NonNegative = Decimal("0.00")
    source_reference: str = ""


class SalesChargeRow(_Row):
    fund: Code
    share_class: ShareClass = Field(alias="class")
    date: CsvDate
    kind: Literal["front_end", "deferred"]
    amount: Amount
    reference: Text
