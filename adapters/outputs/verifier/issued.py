"""The reports as issued (reports/issued/) against their sealed issues, and
reports/differences.json against the figures that differ between each issued JSON and the
report as of the bundle's date."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from .bundle import DIFFERENCES, ISSUED, Bundle, read_json
from .events import ISSUE, SEALED, stream_keys

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from .bundle import Json

LIST_KEYS = ("month", "provider", "purpose", "performer", "section", "quarter")
# What is not a figure of a report (as adapters/outputs/impact.py keeps apart): how it was
# built, its issue and review lines, the events behind each figure.
PROVENANCE_PATHS = ("built_from.", "issue.", "board_review.", "sources.")


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(place, text) of every figure, places named as the ledger names them (a month, a
    provider, a purpose or a quarter names an item of a list)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            keys = [str(item[k]) for k in LIST_KEYS if isinstance(item, dict) and item.get(k)]
            yield from leaves(item, f"{path}[{keys[0] if keys else index}]")
    else:
        yield path, "" if value is None else str(value)


def is_figure(text: str) -> bool:
    try:
        Decimal(text.removesuffix("%"))
    except ArithmeticError:
        return False
    return True


def moved(issued: Json, now: Json) -> list[Json]:
    old, new = dict(leaves(issued)), dict(leaves(now))
    rows = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path, ""), new.get(path, "")
        if before == after or path.startswith(PROVENANCE_PATHS) or path.endswith(".explanation"):
            continue
        if not (is_figure(before) or is_figure(after)):
            continue  # a text (a name, a date), not a figure
        try:
            difference = str(Decimal(after) - Decimal(before))
        except ArithmeticError:
            difference = ""
        rows.append({"figure": path, "as_issued": before, "now": after, "difference": difference})
    return rows


def check_issued(bundle: Bundle, events: list[Json], as_of: str, problems: list[str]) -> int:
    """Each issued file against its sealed issue; the differences against the files."""
    sealed = max([e["fields"].get("position", 0) for e in events if e["topic"] == SEALED] or [0])
    keys, latest = stream_keys(events), {}  # type: tuple[dict[str, tuple[str, str]], dict[tuple[str, str], Json]]
    for event in events:
        fields = event["fields"]
        if event["topic"] == ISSUE and fields.get("files") and fields["business_date"] <= as_of:
            latest[keys.get(event["stream"], ("?", ""))[0], fields["quarter"]] = event
    listed = read_json(bundle, DIFFERENCES)["reports"]
    named = set()
    for entry in listed:
        event = latest.pop((entry["fund_class"], entry["quarter"]), {})
        where = f"{DIFFERENCES}: {entry['fund_class']} {entry['quarter']}"
        if event.get("position") != entry["issue_position"]:
            problems.append(f"{where}: not the latest issue by {as_of} among the events")
            continue
        if sealed < event["position"]:
            problems.append(f"{where}: no seal covers its issue at position {event['position']}")
        for form, item in entry["issued"].items():
            named.add(item["file"])
            if hashlib.sha256(bundle.read(item["file"])).hexdigest() != event["fields"][
                "files"
            ].get(form):
                problems.append(f"{item['file']}: not the file its sealed issue names")
        if "as_of" in entry:
            issued = json.loads(bundle.read(entry["issued"]["json"]["file"]))
            if entry["figures"] != moved(issued, read_json(bundle, entry["as_of"])):
                problems.append(f"{where}: its figures are not the differences of the two reports")
    problems += [
        f"{DIFFERENCES}: {k[0]} {k[1]}: issued by {as_of}, not in the bundle" for k in latest
    ]
    problems += [
        f"{n}: no issue names it" for n in bundle.names() if n.startswith(ISSUED) and n not in named
    ]
    return len(listed)
