"""What an import reports: rows read, and how many were recorded, restated or unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from domain.errors import RuleViolation

if TYPE_CHECKING:
    from adapters.inputs.csv_files import CsvFile


@dataclass(frozen=True)
class ImportSummary:
    file: str
    rows: int
    recorded: int
    restated: int
    unchanged: int

    @property
    def written(self) -> int:
        return self.recorded + self.restated


def import_summary(csv_file: CsvFile[Any], outcomes: list[str]) -> ImportSummary:
    return ImportSummary(
        file=csv_file.name,
        rows=len(csv_file.rows),
        recorded=outcomes.count("recorded"),
        restated=outcomes.count("restated"),
        unchanged=outcomes.count("unchanged"),
    )


def violation_at_row(file_name: str, row: int, violation: RuleViolation) -> RuleViolation:
    """The same refusal, saying which row of which file it came from."""
    return RuleViolation(
        violation.rule, violation.clause, f"{file_name} row {row}: {violation.detail}"
    )
