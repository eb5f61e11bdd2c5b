"""Dependencies point inward, and the core never touches the outside world.

`domain/` may import the standard library (minus I/O, the clock, randomness and the
environment), `eventsourcing.domain` and itself; `projections/` may add `domain`. Neither may
read the clock or use floats. The check parses every module's imports with `ast`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

FORBIDDEN_MODULES = {
    "adapters",
    "projections.",
    "sqlalchemy",
    "psycopg",
    "pydantic_settings",
    "os",
    "sys",
    "pathlib",
    "io",
    "subprocess",
    "socket",
    "time",
    "random",
    "secrets",
    "tempfile",
    "shutil",
    "csv",
    "json",
    "sqlite3",
    "getpass",
    "logging",
    "eventsourcing.application",
    "eventsourcing.persistence",
    "eventsourcing.sqlite",
    "eventsourcing.postgres",
}
FORBIDDEN_CALLS = re.compile(
    r"\bfloat\(|datetime\.now\(|date\.today\(|time\.time\(|uuid4\(|getenv\("
    r"|(?<![.\w])(?<!def )open\("
)


def modules_of(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).glob("*.py"))


def imported_names(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def is_forbidden(name: str, package: str) -> bool:
    for forbidden in FORBIDDEN_MODULES:
        if forbidden == "projections." and package == "projections":
            continue
        if name == forbidden.rstrip(".") or name.startswith(forbidden.rstrip(".") + "."):
            return True
    return package == "domain" and name.split(".", maxsplit=1)[0] == "projections"


@pytest.mark.parametrize("package", ["domain", "projections"])
def test_the_core_imports_nothing_from_outer_layers_or_the_world(package):
    offenders = [
        f"{path.name}: {name}"
        for path in modules_of(package)
        for name in imported_names(path)
        if is_forbidden(name, package)
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["domain", "projections"])
def test_the_core_reads_no_clock_and_uses_no_float(package):
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in modules_of(package)
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FORBIDDEN_CALLS.search(line) and not line.strip().startswith("#")
    ]
    assert offenders == []


def test_the_check_itself_catches_an_offender(tmp_path):
    offender = tmp_path / "bad.py"
    offender.write_text("import sqlalchemy\nfrom adapters.cli import main\n")
    names = imported_names(offender)
    assert [is_forbidden(name, "domain") for name in names] == [True, True]
