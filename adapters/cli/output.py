"""Rendering rows for people (an aligned table) and for machines (JSON, CSV).

Money in JSON is a string with two decimals, so no reader ever sees a float. Rows are plain
dicts of str, int, bool, date and Decimal; columns name the keys and their order.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.money import format_money

FORMATS = ("table", "json", "csv")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    money: bool = False


def _cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_money(value) if column.money else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _json_value(value: Any, column: Column) -> Any:
    if isinstance(value, Decimal):
        return format_money(value) if column.money else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def render(rows: Sequence[dict[str, Any]], columns: Sequence[Column], output_format: str) -> str:
    if output_format == "json":
        records = [
            {column.key: _json_value(row.get(column.key), column) for column in columns}
            for row in rows
        ]
        return json.dumps(records, indent=2) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([column.key for column in columns])
        for row in rows:
            writer.writerow([_cell(row.get(column.key), column) for column in columns])
        return buffer.getvalue()
    return _table(rows, columns)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[_cell(row.get(column.key), column) for column in columns] for row in rows]
    widths = [
        max([len(column.title)] + [len(line[index]) for line in cells])
        for index, column in enumerate(columns)
    ]

    def line(values: Sequence[str]) -> str:
        parts = []
        for index, value in enumerate(values):
            numeric = columns[index].money
            parts.append(value.rjust(widths[index]) if numeric else value.ljust(widths[index]))
        return "  ".join(parts).rstrip()

    out = [line([column.title for column in columns]), line(["-" * width for width in widths])]
    out += [line(values) for values in cells]
    return "\n".join(out) + "\n"
