"""The ledger (`impact`, a restated report) and the bundle's stdlib-only verifier compare an
issued report with today's the same way: the same list items named by the same keys, the same
fields set apart as not figures. The verifier cannot import the ledger, so it keeps its own
copies; this keeps them equal."""

from __future__ import annotations

from adapters.outputs import impact
from adapters.outputs.verifier import issued as bundle_verifier


def test_the_verifier_names_list_items_as_the_ledger_does() -> None:
    assert bundle_verifier.LIST_KEYS == impact.LIST_KEYS


def test_the_verifier_sets_apart_the_same_fields_as_not_figures() -> None:
    assert bundle_verifier.PROVENANCE_PATHS == impact.PROVENANCE_PATHS


def test_the_events_behind_a_figure_are_not_a_figure_that_moved() -> None:
    issued = {"quarter_figures": {"accrued": {"total": "10.00"}}, "sources": {"/a": ["12"]}}
    now = {"quarter_figures": {"accrued": {"total": "9.00"}}, "sources": {"/a": ["12", "40"]}}
    assert [row["figure"] for row in bundle_verifier.moved(issued, now)] == [
        "quarter_figures.accrued.total"
    ]
    assert [change.path for change in impact.figure_changes(issued, now)] == [
        "quarter_figures.accrued.total"
    ]
