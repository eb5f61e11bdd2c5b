"""Bad input, reported completely: every problem with its file, row and field.

Importers collect problems instead of stopping at the first, and raise one `InputError` with
all of them before anything is written. Rows are numbered as a spreadsheet shows them: the
header is row 1, the first record row 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class InputError(Exception):
    """One or more problems in the input; nothing was written."""

    def __init__(self, problems: list[InputProblem], *, unlisted: int = 0) -> None:
        assert problems
        self.problems = problems
        self.unlisted = unlisted  # problems found but not listed (a file wrong throughout)
        count = len(problems) + unlisted
        super().__init__(
            f"{count} problem{'s' if count > 1 else ''} in the input"
            + (f" ({unlisted} not listed)" if unlisted else "")
            + "; nothing was written"
        )
