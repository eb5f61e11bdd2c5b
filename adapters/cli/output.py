"""Rendering rows for people (an aligned table) and for machines (JSON, CSV).

Money in JSON is a string with two decimals, so no reader ever sees a float. Rows are plain
dicts of str, int, bool, date and Decimal; columns name the keys and their order.

Text a person reads (tables, CSV, messages) never carries a control character raw: a reason,
an actor or a file name holding a newline, an ANSI escape or a bidi override would otherwise
print a line that is not there, or hide one that is (docs/decisions.md). `shown` writes each
as an escape (`\\n`, `\\x1b`, `\\u202e`); JSON keeps the exact text, escaped as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.money import format_money

FORMATS = ("table", "json", "csv")

# What a terminal acts on or a reader cannot see: C0 (line ends included), DEL, C1, the line
# and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
CONTROL = re.compile(r"[\x00-\x1f" + _BEYOND_C0 + "]")
CONTROL_BUT_LINE_END = re.compile(r"[\x00-\x09\x0b-\x1f" + _BEYOND_C0 + "]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def shown(text: str) -> str:
    """`text` as one line a person may read on a terminal: every control character escaped."""
    return CONTROL.sub(_escape, text)


class TerminalText(io.TextIOBase):
    """What a command prints, on its way out: the last guard, behind `shown`.

    A control character that reached here unescaped (anything but the line end) is written as
    `\\uXXXX`, which is also what it would be inside a JSON string, so JSON stays JSON; and
    every given secret (the database password) is written as `***`, whatever printed it.
    """

    def __init__(self, stream: Any, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._stream = stream
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def write(self, text: str) -> int:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        self._stream.write(
            CONTROL_BUT_LINE_END.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
        )
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return bool(self._stream.isatty())

    def writable(self) -> bool:
        return True


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    money: bool = False


def _cell(value: Any, column: Column) -> str:
    return shown(_plain_cell(value, column))


def _plain_cell(value: Any, column: Column) -> str:
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
