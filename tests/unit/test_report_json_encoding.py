"""The report's JSON form is its identity (its SHA-256 is what `report issue` records): written
by orjson for speed, its bytes must be json.dumps(indent=2, ensure_ascii=False)'s, as before."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from adapters.outputs.reports import report_json


def _as_before(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def test_report_values_are_written_as_json_wrote_them() -> None:
    every_character = "".join(chr(code) for code in range(0x300))
    report = {
        "text": every_character + "\u2028\u2029\ufeff\U0001f600 é ß 中",
        "escapes": 'quote " backslash \\ slash / tab \t newline \n',
        "empty_dict": {},
        "empty_list": [],
        "nested": [[], [{}], {"x": [1, -2, 0]}, [None, True, False]],
        "money": "-1,234.56",
        "big": 2**63 - 1,
        "negative": -(2**63),
        "unicode_key_é": {"中": "値"},
    }
    assert report_json(report) == _as_before(report)


def test_values_orjson_leaves_alone_are_written_by_json() -> None:
    beyond_64_bits = {"count": 2**70, "list": [1, 2**64]}
    assert report_json(beyond_64_bits) == _as_before(beyond_64_bits)
    integer_keys: dict[Any, Any] = {"months": {1: "a", 2: "b"}}
    assert report_json(integer_keys) == _as_before(integer_keys)


def test_a_date_is_refused_as_json_refused_it() -> None:
    try:
        report_json({"on": date(2005, 3, 31)})
    except TypeError:
        return
    raise AssertionError("a date was written; json.dumps refuses it")
