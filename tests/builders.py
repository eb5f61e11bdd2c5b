"""Small builders for test inputs: CSV files and plan files with chosen defects."""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from adapters.application.commands import RecordMeeting
from tests.conftest import SHIPPED_PLAN


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([str(value) for value in row])
    return path


def net_assets_csv(
    path: Path,
    figures: Mapping[date, Decimal | str],
    fund: str = "INTL-BCV",
    share_class: str = "R",
) -> Path:
    rows = [(fund, share_class, day.isoformat(), value) for day, value in sorted(figures.items())]
    return write_csv(path, ["fund", "class", "date", "net_assets"], rows)


def positions_csv(
    path: Path, provider: str, figures: Mapping[date, Decimal | str], fund: str = "INTL-BCV"
) -> Path:
    rows = [(provider, fund, "R", day.isoformat(), value) for day, value in sorted(figures.items())]
    return write_csv(path, ["provider", "fund", "class", "date", "net_assets"], rows)


EXPENDITURE_HEADER = (
    "fund",
    "class",
    "incurred_on",
    "period",
    "purpose",
    "performer",
    "performer_name",
    "amount",
    "description",
    "reference",
)


def expenditures_csv(path: Path, rows: Iterable[Sequence[object]]) -> Path:
    """An expenditures import file (the optional company_agreement_reference column left out)."""
    return write_csv(path, EXPENDITURE_HEADER, rows)


def plan_copy(folder: Path, replacements: Mapping[str, str] | None = None) -> Path:
    """The shipped plan copied into `folder`, with text replacements applied to the TOML."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED_PLAN.parent / "plan.txt", folder / "plan.txt")
    text = SHIPPED_PLAN.read_text()
    for old, new in (replacements or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    target = folder / "plan.toml"
    target.write_text(text)
    return target


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def every_day(first: date, last: date) -> list[date]:
    days = []
    day = first
    while day <= last:
        days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


def weekdays(first: date, last: date, holidays: Iterable[date] = ()) -> list[date]:
    closed = set(holidays)
    return [day for day in every_day(first, last) if day.weekday() < 5 and day not in closed]


# ---- governance -----------------------------------------------------------------------------

COMPANIES = {"INTL-FUNDS": ["INTL-BCV/R"], "TREASURERS-SERIES": ["STABLE-VALUE/R"]}
DIRECTORS = {
    # code: (name, interested)
    "D-ADAMS": ("Alice Adams", False),
    "D-BAKER": ("Bruno Baker", False),
    "D-CRUZ": ("Carmen Cruz", False),
    "D-DOYLE": ("Dennis Doyle", True),
}


def seat_directors(ledger, company: str, on: date = date(2003, 1, 1)) -> None:
    from domain.governance import DirectorStatus

    board = ledger.ports.board_or_open(company, on)
    for code, (name, interested) in DIRECTORS.items():
        board.declare_director_status(
            DirectorStatus(code, name, True, interested, False),
            on,
            "annual questionnaire",
            "fund counsel",
            ledger.ports.provenance("test"),
        )
    ledger.ports.save(board)


def meeting_record(
    meeting_id, day, resolutions, *, called_for_plan=True, modes=None, relief="none"
):
    from domain.board import MeetingRecord
    from domain.governance import AttendanceMode

    attendance = {code: AttendanceMode.PHYSICAL for code in DIRECTORS}
    attendance.update(modes or {})
    return MeetingRecord(
        meeting_id=meeting_id,
        meeting_date=day,
        called_for_plan=called_for_plan,
        agenda=["The Class R Plan and Agreement"],
        attendance=attendance,
        relief=relief,
        minutes_reference=f"minutes {meeting_id}",
        resolutions=resolutions,
    )


def resolution(resolution_id, kind, fund_classes, votes_for=tuple(DIRECTORS), **terms):
    from domain.board import ResolutionRecord
    from domain.governance import ResolutionKind, Vote

    terms.setdefault("retroactive", False)
    return ResolutionRecord(
        resolution_id=resolution_id,
        kind=ResolutionKind(kind),
        fund_classes=list(fund_classes),
        text=f"RESOLVED ({kind})",
        votes={code: Vote.FOR for code in votes_for},
        terms=terms,
    )


# The forms of agreement under SEVENTH the plan's meeting approves (Rule 12b-1(b)(2)).
FORM_A = "Dealer Service Agreement form 2003-06"
FORM_B = "Third Party Agreement form 2003-06"
FORMS = {"A": FORM_A, "B": FORM_B}


def form_resolution(resolution_id, kind, form_reference, fund_classes=(), **terms):
    """A resolution approving a form of agreement of one of the SEVENTH kinds (A to D)."""
    return resolution(
        resolution_id,
        "agreement_form",
        fund_classes,
        agreement_kind=kind,
        form_reference=form_reference,
        **terms,
    )


def approve_plan(ledger, day: date = date(2003, 6, 17), *, forms: bool = True) -> None:
    """Seat four directors (three independent) and approve the plan for every fund class,
    with (unless `forms` is false) the forms of Service Agreement (SEVENTH (A)) and Third
    Party Agreement (SEVENTH (B)) for the Company, at the same meeting."""
    for company, fund_classes in COMPANIES.items():
        seat_directors(ledger, company)
        resolutions = [resolution(f"{company}-{day}-1", "plan_approval", fund_classes)]
        if forms:
            resolutions += [
                form_resolution(f"{company}-{day}-form-{kind}", kind, reference)
                for kind, reference in FORMS.items()
            ]
        ledger.boards.record_meeting(
            RecordMeeting(
                company,
                meeting_record(f"{company}-{day}", day, resolutions),
                source="test",
            )
        )
