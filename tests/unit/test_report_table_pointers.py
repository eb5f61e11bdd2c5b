"""Every figure of the report's tables names its place in the JSON report, so that a reader
(the workbench's report page) can link it to the events behind it: each pointer is a figure the
report's `sources` explain, holding the very value the table shows."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from adapters.outputs.report_tables import figure_tables

REPORT = Path(__file__).parents[1] / "data" / "ledger-before-house" / "expected"


def at(report: dict, pointer: str) -> str:
    node = report
    for key in pointer.strip("/").split("/"):
        node = node[int(key)] if isinstance(node, list) else node[key]
    return str(node)


def test_each_table_figure_points_at_its_figure_and_its_sources() -> None:
    report = json.loads((REPORT / "STABLE-VALUE-R-2004Q2.json").read_text())
    pointed = 0
    for table in figure_tables(report):
        for row in table.rows:
            assert len(row.pointers) == len(row.values)
            for value, pointer in zip(row.values, row.pointers, strict=True):
                if not pointer:
                    assert value in ("", "0.00"), (row.item, value)  # a column with no figure
                    continue
                pointed += 1
                assert pointer in report["sources"], pointer
                shown = at(report, pointer)
                if row.item == "spent_from_own_resources":  # shown as a deduction
                    assert Decimal(value) == -Decimal(shown)
                else:
                    assert value == shown, (row.item, pointer)
    assert pointed > 60
