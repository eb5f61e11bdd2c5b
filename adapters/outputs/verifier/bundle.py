"""The bundle's files, read from a folder or a zip, and the comparison of what a file states
with what the events give."""

from __future__ import annotations

import json
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

# The verifier runs on Python 3.9+ with the standard library alone and imports nothing it does
# not use: these names are for the type checker only (annotations are not evaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Json = dict[str, Any]
    Figure = Decimal | str | None

MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
BALANCES = "read-models/balances.json"
TRIAL_BALANCE = "read-models/trial-balance.json"
SPLIT = "read-models/split.json"
REPORTS = "reports/"
AS_OF = "reports/as-of/"
ISSUED = "reports/issued/"
DIFFERENCES = "reports/differences.json"


class Bundle:
    """The bundle's files, read from a folder or a zip."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.zip = zipfile.ZipFile(location) if location.is_file() else None

    def names(self) -> list[str]:
        if self.zip is not None:
            return sorted(info.filename for info in self.zip.infolist() if not info.is_dir())
        return sorted(
            str(path.relative_to(self.location)).replace("\\", "/")
            for path in self.location.rglob("*")
            if path.is_file()
        )

    def read(self, name: str) -> bytes:
        """The file's bytes; a file missing or damaged (a bad CRC, a broken compressed
        stream) raises Unreadable, which every check reports as a problem."""
        try:
            if self.zip is not None:
                return self.zip.read(name)
            return (self.location / name).read_bytes()
        except (KeyError, OSError, zipfile.BadZipFile, zlib.error) as error:
            raise Unreadable(f"{type(error).__name__}: {error}") from None


class Unreadable(ValueError):
    """A file of the bundle that cannot be read."""


def read_json(bundle: Bundle, name: str) -> Any:
    return json.loads(bundle.read(name))


def money(value: str) -> Decimal:
    return Decimal(value)


def same_figure(stated: object, expected: object) -> bool:
    if not isinstance(expected, Decimal):
        return stated == expected
    try:
        return money(str(stated)) == expected
    except ArithmeticError:  # not a number at all
        return False


def compare_tree(name: str, path: str, stated: Any, expected: Any, problems: list[str]) -> None:
    """Every value of `expected` against the value at the same place in `stated`."""
    if isinstance(expected, dict):
        stated_dict = stated if isinstance(stated, dict) else {}
        for key, value in expected.items():
            compare_tree(
                name, f"{path}.{key}" if path else key, stated_dict.get(key), value, problems
            )
        return
    if isinstance(expected, list):
        stated_list = stated if isinstance(stated, list) else []
        if len(stated_list) != len(expected):
            problems.append(
                f"{name}: {path} has {len(stated_list)} entries, the events give {len(expected)}"
            )
        for index, value in enumerate(expected):
            item = stated_list[index] if index < len(stated_list) else None
            compare_tree(name, f"{path}[{index}]", item, value, problems)
        return
    if stated != expected:
        problems.append(f"{name}: {path} is {stated!r}, the events give {expected!r}")
