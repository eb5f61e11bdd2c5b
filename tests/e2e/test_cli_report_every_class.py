"""`report quarterly` for every class reads what every class shares once, not once a class:
the registry holds every class, so reading it for each made the reports of N classes take a
time in N squared (docs/performance.md, "Reports")."""

from __future__ import annotations

import os

import adapters.outputs.reports as reports_module
from adapters.cli import handlers_reports
from adapters.outputs.report_writing import rendering_processes
from adapters.outputs.reports import FORMATS
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


def _report_files(db, out, *options: str) -> tuple[list[str], dict[str, bytes]]:
    code, printed, err = run(
        "report", "quarterly", "--quarter", "2003Q3", "--out", str(out), *options, db=db
    )
    assert code == 0, err
    return printed.splitlines(), {path.name: path.read_bytes() for path in out.iterdir()}


def test_reports_rendered_by_other_processes_are_the_same_files_in_the_same_order(
    monkeypatch, db, tmp_path
):
    # Every class in every format, rendered by two processes, against each class alone (one
    # report: rendered here).
    assert rendering_processes(2, FORMATS) >= 2 or (os.cpu_count() or 1) < 2
    monkeypatch.setattr(handlers_reports, "rendering_processes", lambda *_: 2)
    printed, files = _report_files(db, tmp_path / "every")
    assert len(files) == 2 * len(FORMATS)
    alone: dict[str, bytes] = {}
    printed_alone: list[str] = []
    monkeypatch.undo()
    for key in ("INTL-BCV/R", "STABLE-VALUE/R"):
        lines, written = _report_files(db, tmp_path / "alone", "--fund-class", key)
        printed_alone += [line.replace("/alone/", "/every/") for line in lines]
        alone.update(written)
    assert files == alone
    assert printed == printed_alone


def test_a_rendering_error_in_another_process_fails_the_command(monkeypatch, db, tmp_path):
    def broken_pdf(report, rendering=None):
        raise RuntimeError(f"no PDF for {report['fund_class']}")

    monkeypatch.setattr(reports_module, "_report_pdf", broken_pdf)
    monkeypatch.setattr(handlers_reports, "rendering_processes", lambda *_: 2)
    code, _, err = run("report", "quarterly", "--quarter", "2003Q3", "--out", str(tmp_path), db=db)
    assert code != 0
    assert "no PDF for INTL-BCV/R" in err, err
