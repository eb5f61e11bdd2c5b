"""Rendering rows for people (an aligned table) and for machines (JSON, CSV).

The output contract (README, "Output"): money in JSON and CSV is a string with two decimals,
so no reader ever sees a float; an annual rate is a decimal fraction string ("0.0025"), shown
as a percentage ("0.25%") only in a table; booleans are JSON booleans; a list is a JSON list,
and in CSV and tables its items joined with "; ". Rows are plain dicts of str, int, bool,
date, Decimal and lists of those (or of dicts of them); columns name the keys and their order.

A table written to a terminal is drawn by Rich: as wide as the terminal, money right-aligned
with thousands separators, in a pager when it is longer than the terminal, and in colour unless
NO_COLOR is set. Anywhere else (a pipe, a file) the table is plain aligned text, byte for byte
the same from one release to the next. Rich is imported only for a terminal: it costs startup
time every other run would pay for nothing.

Text a person reads (tables, CSV, messages) never carries a control character raw: a reason,
an actor or a file name holding a newline, an ANSI escape or a bidi override would otherwise
print a line that is not there, or hide one that is (docs/decisions.md). `shown` writes each
as an escape (`\\n`, `\\x1b`, `\\u202e`); JSON keeps the exact text, escaped as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TextIO

from domain.money import format_money
from domain.rates import format_percent, rate_text

FORMATS = ("table", "json", "csv")

# What a terminal acts on or a reader cannot see: C0 (line ends included), DEL, C1, the line
# and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_BEYOND_C0 = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
CONTROL = re.compile(r"[\x00-\x1f" + _BEYOND_C0 + "]")
CONTROL_BUT_LINE_END = re.compile(r"[\x00-\x09\x0b-\x1f" + _BEYOND_C0 + "]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Select Graphic Rendition: colour and weight, nothing more


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
        self._stream.write(self.guarded(text))
        return len(text)

    def guarded(self, text: str) -> str:
        """`text` as `write` would write it: for what goes out another way (the pager)."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return CONTROL_BUT_LINE_END.sub(lambda match: f"\\u{ord(match.group()):04x}", text)

    def flush(self) -> None:
        self._stream.flush()

    def write_styled(self, text: str) -> int:
        """`text` with its SGR sequences (colour, bold) kept: only what Rich drew on cells
        already `shown` comes here; any other control character is still escaped."""
        parts = SGR.split(text)
        styles = SGR.findall(text)
        for index, part in enumerate(parts):
            self.write(part)
            if index < len(styles):
                self._stream.write(styles[index])
        return len(text)

    def isatty(self) -> bool:
        return bool(self._stream.isatty())

    def writable(self) -> bool:
        return True


def money_with_separators(amount: Decimal) -> str:
    """Two decimals (rounded as `format_money`), with thousands separators: 1,234,567.89."""
    return f"{Decimal(format_money(amount)):,}"


@dataclass(frozen=True)
class Column:
    """One column. `money`: its Decimals are money (two decimals, right-aligned); `rate`: its
    Decimals are annual rates (a fraction in JSON and CSV, a percentage in a table). A list
    value is shown item by item with `item_text`, joined with "; " in CSV and `table_joiner` in
    a table. `in_table`: False for a field that only JSON and CSV carry."""

    key: str
    title: str
    money: bool = False
    rate: bool = False
    item_text: Callable[[Any], str] = str
    table_joiner: str = "; "
    in_table: bool = True


def _cell(value: Any, column: Column, joiner: str = "; ") -> str:
    if isinstance(value, list):
        return joiner.join(shown(column.item_text(item)) for item in value)
    return shown(_plain_cell(value, column))


def _table_cell(value: Any, column: Column) -> str:
    if isinstance(value, Decimal) and column.rate:
        return format_percent(value)
    return _cell(value, column, column.table_joiner)


def _plain_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if column.rate:
            return rate_text(value)
        return format_money(value) if column.money else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def json_value(value: Any, column: Column | None = None) -> Any:
    """`value` as JSON carries it (lists and dicts all the way down)."""
    if isinstance(value, list):
        return [json_value(item, column) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item, column) for key, item in value.items()}
    if isinstance(value, Decimal):
        if column is not None and column.rate:
            return rate_text(value)
        return format_money(value) if column is not None and column.money else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def render(rows: Sequence[dict[str, Any]], columns: Sequence[Column], output_format: str) -> str:
    if output_format == "json":
        records = [
            {column.key: json_value(row.get(column.key), column) for column in columns}
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
    return _table(rows, [column for column in columns if column.in_table])


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    cells = [[_table_cell(row.get(column.key), column) for column in columns] for row in rows]
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


def is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty()) if callable(isatty) else False


def write_rows(
    out: TextIO,
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    output_format: str,
    *,
    page: Callable[[str], None] | None = None,
) -> None:
    """`rows` in `output_format` on `out`: a table on a terminal through Rich (paged by `page`,
    the system pager unless given, when longer than the terminal), anything else as `render`."""
    if output_format != "table" or not is_terminal(out):
        out.write(render(rows, columns, output_format))
        return
    width, height = shutil.get_terminal_size()
    table_columns = [column for column in columns if column.in_table]
    if len(rows) + 4 > height:  # title, rule, rows, rule, and the prompt below
        text = terminal_table(rows, table_columns, width=width, colour=False)
        guarded = getattr(out, "guarded", lambda text: CONTROL_BUT_LINE_END.sub(_escape, text))
        (page or _system_pager)(guarded(text))
        return
    colour = not os.environ.get("NO_COLOR")  # https://no-color.org: set and not empty
    text = terminal_table(rows, table_columns, width=width, colour=colour)
    getattr(out, "write_styled", out.write)(text)


def _system_pager(text: str) -> None:
    import pydoc

    pydoc.pager(text)


def terminal_table(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], *, width: int, colour: bool
) -> str:
    """The rows as Rich draws them for a terminal `width` wide; no escape code unless
    `colour`. Cells are `shown` first and passed as plain Text: never read as markup. No figure
    is ever cut: a column of figures, dates or keys keeps its widest cell on one line, text
    wraps at its spaces, and a table that cannot fit is drawn wider than the terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[_terminal_cell(row.get(column.key), column) for column in columns] for row in rows]
    # A column whose cells hold no space (figures, dates, keys) keeps its widest cell whole;
    # a column of text wraps at its spaces, each word whole up to a length.
    whole = [
        max([len(line[index]) for line in cells], default=0)
        if all(" " not in line[index] for line in cells)
        else min(max(len(word) for line in cells for word in line[index].split() or [""]), 24)
        for index in range(len(columns))
    ]
    console = Console(
        file=io.StringIO(),
        width=width,
        force_terminal=colour,
        color_system="standard" if colour else None,
        no_color=not colour,
        markup=False,
        highlight=False,
        emoji=False,
        legacy_windows=False,
    )
    table = Table(header_style="bold" if colour else "", show_edge=False, pad_edge=False)
    for column, least in zip(columns, whole, strict=True):
        table.add_column(
            column.title,
            justify="right" if column.money else "left",
            min_width=least or None,
            overflow="fold",
        )
    for line in cells:
        table.add_row(*(Text(cell) for cell in line))
    console.width = 100_000  # measured unbounded: the terminal's width would clamp it
    console.width = max(width, console.measure(table).minimum)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def _terminal_cell(value: Any, column: Column) -> str:
    if isinstance(value, Decimal) and column.money:
        return money_with_separators(value)
    return _table_cell(value, column)
