"""`report quarterly` for every class reads what every class shares once, not once a class:
the registry holds every class, so reading it for each made the reports of N classes take a
time in N squared (docs/performance.md, "Reports")."""

from __future__ import annotations

from adapters.readside.view import LedgerView
from tests.e2e.test_cli import run
from tests.e2e.test_cli_audit import db

__all__ = ["db"]


def registry_reads(monkeypatch, db, out, *fund_classes: str) -> int:
    """How many times `report quarterly` reads the registry for the classes given (every
    class when none is)."""
    reads = []
    original = LedgerView.registry

    def counted(view: LedgerView):
        reads.append(view.known_position)
        return original(view)

    monkeypatch.setattr(LedgerView, "registry", counted)
    chosen = [option for key in fund_classes for option in ("--fund-class", key)]
    code, _, err = run(
        "report", "quarterly", "--quarter", "2003Q3", "--formats", "json", "--out", str(out),
        *chosen, db=db,
    )  # fmt: skip
    assert code == 0, err
    monkeypatch.setattr(LedgerView, "registry", original)
    return len(reads)


def test_the_registry_is_read_as_often_for_every_class_as_for_one(monkeypatch, db, tmp_path):
    every = registry_reads(monkeypatch, db, tmp_path / "every")
    written = sorted(path.name for path in (tmp_path / "every").iterdir())
    assert len(written) == 2  # the shipped plan's two classes, each its report
    one = registry_reads(monkeypatch, db, tmp_path / "one", "INTL-BCV/R")
    assert every <= one + 1  # + 1: the list of every class, read when none is given
