"""Small builders for test inputs: CSV files and plan files with chosen defects."""

from __future__ import annotations

import csv
import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

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
