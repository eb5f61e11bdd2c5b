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
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


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
    offender.write_text("import sqlalchemy\nfrom adapters.cli.main import main\n")
    names = imported_names(offender)
    assert [is_forbidden(name, "domain") for name in names] == [True, True]


# The rooms of adapters/ and the rooms each may import. cli is the top; store and inputs are
# the bottom. Every room may also import domain/ and projections/.
ROOMS: dict[str, set[str]] = {
    "cli": {"application", "outputs", "readside", "store", "inputs", "web"},
    "web": {"application", "outputs", "readside", "store", "inputs"},
    "application": {"outputs", "readside", "store", "inputs"},
    "outputs": {"readside", "store"},
    "readside": {"store"},
    "store": set(),
    "inputs": set(),
}


def project_modules() -> dict[str, Path]:
    """Every module of the three floors, by its dotted name."""
    modules = {}
    for package in ("domain", "projections", "adapters"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `module` imports, at any depth of its code (TYPE_CHECKING too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known and name != module}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {module: imports_of(module, path, known) for module, path in modules.items()}


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "adapters" and len(parts) > 1 else None


def test_every_adapter_module_lives_in_a_room():
    loose = [
        module
        for module in project_modules()
        if module.startswith("adapters.") and room_of(module) not in ROOMS
    ]
    assert loose == []


def test_rooms_import_only_the_rooms_below_them():
    offenders = [
        f"{module} -> {imported}"
        for module, imported_modules in import_graph().items()
        if (room := room_of(module)) is not None
        for imported in sorted(imported_modules)
        if (other := room_of(imported)) is not None and other != room and other not in ROOMS[room]
    ]
    assert offenders == []


def test_only_the_serve_handler_imports_the_web_room():
    """The web framework loads with `planledger serve` alone (start-up of every other command
    stays light): no module outside adapters/web/ but the serve handler imports it."""
    importers = sorted(
        module
        for module, imported_modules in import_graph().items()
        if room_of(module) != "web" and any(room_of(name) == "web" for name in imported_modules)
    )
    assert importers == ["adapters.cli.handlers_serve"]


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of `graph` (its modules in order, the first repeated), or []."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str]:
        path.append(module)
        on_path.add(module)
        for imported in sorted(graph.get(module, ())):
            if imported in on_path:
                return [*path[path.index(imported) :], imported]
            if imported not in done and (cycle := visit(imported)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return []

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return []


def test_no_module_imports_itself_through_others():
    assert find_cycle(import_graph()) == []


def test_the_cycle_check_finds_a_circle_hidden_under_type_checking():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
