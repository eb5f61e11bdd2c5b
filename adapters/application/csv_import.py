"""The one routine that records a CSV file, every row or none, and the owners of its rows.

Each import names how a row finds its owner (a fund class, a service arrangement, a board) and
how the owner records it. Dated figures (net assets, positions) that change a recorded figure
are refused before anything is written unless the file comes as a restatement. Every row is
decided in memory first; the owners are saved in one transaction only once the last row has
passed (a refusal on any row writes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from adapters.application.bulk import BatchedWriter, Progress, no_progress
from adapters.application.ports import Ports
from adapters.application.summaries import ImportSummary, import_summary, violation_at_row
from adapters.inputs.errors import InputError, InputProblem
from domain.board import Board
from domain.errors import RuleViolation, RuleViolations, UnknownFundClassError
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.ids import fund_class_key
from domain.service import ServiceArrangement

if TYPE_CHECKING:
    from adapters.inputs.csv_files import CsvFile, NumberedRow, _Row

# A row of a CSV file (a model of adapters/inputs/csv_files.py, loaded only by the commands
# that read one).
RowT = TypeVar("RowT", bound="_Row")
OwnerT = TypeVar("OwnerT")


@dataclass(frozen=True)
class FigureCheck(Generic[RowT, OwnerT]):
    """A dated figure that changes a recorded one needs a restatement (and its reason)."""

    check: Callable[[OwnerT, RowT], str | None]
    rule: tuple[str, str]
    is_restatement: bool


@dataclass(frozen=True)
class RowImport(Generic[RowT, OwnerT]):
    """How a row of one kind of file is recorded: its owner, and the owner's command."""

    owner: Callable[[RowT], OwnerT]
    record: Callable[[OwnerT, RowT, Provenance], str]
    figure_check: FigureCheck[RowT, OwnerT] | None = None


def import_csv(
    ports: Ports,
    csv_file: CsvFile[RowT],
    rows: Sequence[NumberedRow[RowT]],
    how: RowImport[RowT, OwnerT],
    progress: Progress = no_progress,
) -> ImportSummary:
    """Record `rows` of `csv_file` (all of them, or the unique ones): every row or none.

    Raises:
        RuleViolations: a row is refused (each names its file and row).
    """
    if how.figure_check is None:
        outcomes = _record_all_or_none(ports, csv_file, rows, how)
    else:
        if not how.figure_check.is_restatement:
            _refuse_changed_figures(csv_file, rows, how.owner, how.figure_check)
        outcomes = _record_in_batches(ports, csv_file, rows, how, progress)
    return import_summary(csv_file, outcomes)


def _source(csv_file: CsvFile[Any], numbered: NumberedRow[Any]) -> str:
    return csv_file.source(numbered.row, getattr(numbered.record, "source_reference", ""))


def _refuse_changed_figures(
    csv_file: CsvFile[RowT],
    rows: Sequence[NumberedRow[RowT]],
    owner: Callable[[RowT], OwnerT],
    figure_check: FigureCheck[RowT, OwnerT],
) -> None:
    violations = [
        RuleViolation(
            *figure_check.rule,
            f"{csv_file.name} row {numbered.row}: {problem}; import it as a restatement "
            f"with a reason",
        )
        for numbered in rows
        if (problem := figure_check.check(owner(numbered.record), numbered.record))
    ]
    if violations:
        raise RuleViolations(violations)


def _record_in_batches(
    ports: Ports,
    csv_file: CsvFile[RowT],
    rows: Sequence[NumberedRow[RowT]],
    how: RowImport[RowT, OwnerT],
    progress: Progress,
) -> list[str]:
    outcomes = []
    writer = BatchedWriter(ports.store)
    for index, numbered in enumerate(rows):
        aggregate = how.owner(numbered.record)
        provenance = ports.provenance(_source(csv_file, numbered))
        outcomes.append(how.record(aggregate, numbered.record, provenance))
        writer.changed(aggregate)
        progress(index + 1, len(rows))
    writer.flush()
    return outcomes


def _record_all_or_none(
    ports: Ports,
    csv_file: CsvFile[RowT],
    rows: Sequence[NumberedRow[RowT]],
    how: RowImport[RowT, OwnerT],
) -> list[str]:
    outcomes = []
    violations = []
    owners: dict[int, OwnerT] = {}
    for numbered in rows:
        aggregate = how.owner(numbered.record)
        owners.setdefault(id(aggregate), aggregate)
        provenance = ports.provenance(_source(csv_file, numbered))
        try:
            outcomes.append(how.record(aggregate, numbered.record, provenance))
        except RuleViolation as violation:
            violations.append(violation_at_row(csv_file.name, numbered.row, violation))
    if violations:
        raise RuleViolations(violations)
    ports.save(*owners.values())
    return outcomes


# ---- the owners of rows -----------------------------------------------------------------------


def unique_rows(
    csv_file: CsvFile[RowT], owner_key: Callable[[Any], tuple[str, ...]]
) -> list[NumberedRow[RowT]]:
    """Drop exact repeats of a dated figure; refuse two different figures for one owner and
    date.

    Raises:
        InputError: naming both rows of each contradiction.
    """
    first_by_key: dict[tuple[Any, ...], NumberedRow[RowT]] = {}
    unique = []
    problems = []
    for numbered in csv_file.rows:
        record: Any = numbered.record
        key = (*owner_key(record), record.date)
        first = first_by_key.get(key)
        if first is None:
            first_by_key[key] = numbered
            unique.append(numbered)
            continue
        first_record: Any = first.record
        if first_record.net_assets != record.net_assets:
            problems.append(
                InputProblem(
                    csv_file.name,
                    numbered.row,
                    "net_assets",
                    f"{record.net_assets} contradicts {first_record.net_assets} "
                    f"on row {first.row} for the same {'/'.join(key[:-1])} and date",
                )
            )
    if problems:
        raise InputError(problems)
    return unique


def fund_classes_for(
    ports: Ports, csv_file: CsvFile[Any], rows: Sequence[NumberedRow[Any]]
) -> dict[tuple[str, str], FundClass]:
    """The fund class of each row, by (fund, share class).

    Raises:
        InputError: a row names a class no loaded plan adopts (every such row).
    """
    wanted: dict[tuple[str, str], int] = {}
    for numbered in rows:
        wanted.setdefault((numbered.record.fund, numbered.record.share_class), numbered.row)
    known = set(ports.view.fund_class_keys())
    problems = [
        InputProblem(
            csv_file.name,
            row,
            "fund",
            f"unknown fund class {fund_class_key(*key)}: load the plan that adopts it first",
        )
        for key, row in wanted.items()
        if fund_class_key(*key) not in known
    ]
    if problems:
        raise InputError(problems)
    return {key: ports.view.fund_class(*key) for key in wanted}


def arrangements_for(
    ports: Ports, csv_file: CsvFile[Any], rows: Sequence[NumberedRow[Any]]
) -> dict[tuple[str, str, str], ServiceArrangement]:
    """The service arrangement of each row, by (provider, fund, share class).

    Raises:
        InputError: no agreement is recorded for a row's provider on its class.
    """
    wanted: dict[tuple[str, str, str], int] = {}
    for numbered in rows:
        wanted.setdefault(position_owner(numbered.record), numbered.row)
    registry = ports.view.registry()
    problems = [
        InputProblem(
            csv_file.name,
            row,
            "provider",
            f"no service agreement recorded for provider {owner[0]} on "
            f"{fund_class_key(owner[1], owner[2])}",
        )
        for owner, row in wanted.items()
        if registry is None
        or not registry.has_service_arrangement(owner[0], fund_class_key(owner[1], owner[2]))
    ]
    if problems:
        raise InputError(problems)
    return {owner: ports.view.arrangement(*owner) for owner in wanted}


def position_owner(record: Any) -> tuple[str, str, str]:
    return record.provider, record.fund, record.share_class


def boards_for(ports: Ports, csv_file: CsvFile[Any]) -> dict[str, Board]:
    """The board of each row's company, opened (as of the row's date) where none is yet.

    Raises:
        InputError: the first row whose company no loaded plan names.
    """
    boards: dict[str, Board] = {}
    for numbered in csv_file.rows:
        row = numbered.record
        if row.company in boards:
            continue
        try:
            boards[row.company] = ports.board_or_open(row.company, row.effective_from)
        except UnknownFundClassError as error:
            raise InputError(
                [InputProblem(csv_file.name, numbered.row, "company", str(error))]
            ) from None
    return boards
