"""The bundle's verifier (verify_bundle.py and its checks in verifier/) runs with an examiner's
plain Python 3.9 or newer: standard library only, no syntax of a later version, and each of
its files small enough to read (the house's limits: modules under 800 lines, functions under
60)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from adapters.outputs.bundle import verifier_files

FILES = verifier_files()


def test_the_bundle_carries_the_entry_point_and_the_modules_of_its_checks() -> None:
    """All but the package's `__init__.py`, which the entry point stands in for."""
    package = Path(FILES["verify_bundle.py"]).with_name("verifier")
    modules = {f"verifier/{path.name}" for path in package.glob("*.py")}
    assert set(FILES) == {"verify_bundle.py", *modules} - {"verifier/__init__.py"}
    assert "verifier/run.py" in modules


@pytest.mark.parametrize("member", sorted(FILES))
def test_each_file_is_python_3_9_with_the_standard_library_alone(member: str) -> None:
    tree = ast.parse(FILES[member].read_text(), feature_version=(3, 9))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.partition(".")[0])
        elif isinstance(node, ast.ImportFrom):  # relative: only within verifier/
            assert member.startswith("verifier/"), member
        assert not isinstance(node, ast.Match), member
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, member


@pytest.mark.parametrize("member", sorted(FILES))
def test_each_file_keeps_the_house_s_sizes(member: str) -> None:
    text = FILES[member].read_text()
    assert len(text.splitlines()) < 800
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            assert node.end_lineno - node.lineno + 1 < 60, f"{member}: {node.name}"
