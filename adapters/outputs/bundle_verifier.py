#!/usr/bin/env python3
"""Verify a planledger regulator bundle with nothing but Python's standard library.

Usage:
    python3 verify_bundle.py [BUNDLE]

BUNDLE is the unpacked folder (default: the folder this file is in) or the .zip itself. The
verifier checks, and says OK (exit 0) or lists every problem (exit 1):

1. every file against the SHA-256 and size in manifest.json, and that no file is missing or
   added;
2. the hash chain over events.jsonl: each event's hash is
       SHA-256( JSON[previous_hash, position, stream, version, topic, committed_at]
                + "\\n" + state )
   with the JSON written compactly (separators "," and ":", UTF-8), the first previous hash
   being 64 zeros; each event links to the one before it; positions and commit times never go
   back; the last hash is the manifest's chain head;
3. every seal recorded in the events (ChainSealed) against the chain's hash at the position it
   seals;
4. the manifest's own statements: its format, that its position and chain head are the last
   event's, that no event was committed after its known-at time, and that its list of seals
   is the seals among the events;
5. read-models/balances.json against balances recomputed here from the events: per fund class,
   the fee accrued (asset-based sales charge and service fee), paid to the Distributor, and
   payable, and the last day accrued, on the bundle's as-of date.

The files other than the events (reports, trial balance, split, governance, plan documents) are
covered by the manifest's hashes; keep the manifest's own SHA-256, printed at export, apart
from the bundle to anchor them. Needs Python 3.9 or newer.

This file is written once, for auditors; it shares no code with the ledger on purpose.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

# The verifier runs on Python 3.9+ with the standard library alone and imports nothing it does
# not use: these names are for the type checker only (annotations are not evaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    Json = dict[str, Any]
    Figure = Decimal | str | None
    T = TypeVar("T")

GENESIS_HASH = "0" * 64
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
BALANCES = "read-models/balances.json"
TOPIC = "planledger.FundClass."
SEALED = "planledger.ChainSeal.ChainSealed"
FORMAT = "planledger-bundle/1"
EVENT_KEYS = ("position", "stream", "version", "topic", "committed_at", "previous_hash", "hash")
ZERO = Decimal("0.00")
SHOWN = 40


class Bundle:
    """The bundle's files, read from a folder or a zip."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.zip = zipfile.ZipFile(location) if location.is_file() else None

    def names(self) -> list[str]:
        if self.zip is not None:
            return sorted(info.filename for info in self.zip.infolist() if not info.is_dir())
        return sorted(
            str(path.relative_to(self.location)).replace("\\", "/")
            for path in self.location.rglob("*")
            if path.is_file()
        )

    def read(self, name: str) -> bytes:
        """The file's bytes; a file missing or damaged (a bad CRC, a broken compressed
        stream) raises Unreadable, which every check reports as a problem."""
        try:
            if self.zip is not None:
                return self.zip.read(name)
            return (self.location / name).read_bytes()
        except (KeyError, OSError, zipfile.BadZipFile, zlib.error) as error:
            raise Unreadable(f"{type(error).__name__}: {error}") from None


class Unreadable(ValueError):
    """A file of the bundle that cannot be read."""


def check_files(bundle: Bundle, manifest: Json, problems: list[str]) -> None:
    listed = manifest.get("files", {})
    if not isinstance(listed, dict) or not all(isinstance(v, dict) for v in listed.values()):
        problems.append(f"{MANIFEST}: its list of files is not a table of name to hash and size")
        return
    present = set(bundle.names()) - {MANIFEST}
    for name in sorted(set(listed) - present):
        problems.append(f"{name}: listed in the manifest but missing")
    for name in sorted(present - set(listed)):
        problems.append(f"{name}: present but not listed in the manifest")
    for name in sorted(set(listed) & present):
        try:
            data = bundle.read(name)
        except Unreadable as error:
            problems.append(f"{name}: unreadable ({error})")
            continue
        expected = listed[name]
        if len(data) != expected.get("bytes"):
            problems.append(f"{name}: {len(data)} bytes, the manifest says {expected.get('bytes')}")
        if hashlib.sha256(data).hexdigest() != expected.get("sha256"):
            problems.append(f"{name}: SHA-256 differs from the manifest")


def chain_hash(previous_hash: str, event: Json) -> str:
    header = json.dumps(
        [
            previous_hash,
            event["position"],
            event["stream"],
            event["version"],
            event["topic"],
            event["committed_at"],
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(
        header.encode("utf-8") + b"\n" + event["state"].encode("utf-8")
    ).hexdigest()


def read_events(bundle: Bundle, problems: list[str]) -> list[Json]:
    events: list[Json] = []
    try:
        text = bundle.read(EVENTS).decode("utf-8", errors="replace")
    except Unreadable as error:
        problems.append(f"{EVENTS}: missing or unreadable ({error})")
        return events
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            event["fields"] = json.loads(event["state"])
            missing = [key for key in EVENT_KEYS if key not in event]
            if missing or not isinstance(event["fields"], dict):
                raise ValueError(f"no {', '.join(missing) or 'object in state'}")
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"{EVENTS} line {number}: unreadable ({error})")
            continue
        event["line"] = number
        events.append(event)
    return events


def check_chain(events: list[Json], manifest: Json, problems: list[str]) -> dict[int, str]:
    """Check each event against its own recorded hash and link (which places a change at its
    line), and recompute the chain from the contents alone (which the head and the seals are
    compared with). Returns the recomputed hash at each position."""
    hashes: dict[int, str] = {}
    stored_previous = true_previous = GENESIS_HASH
    last_position, last_commit = 0, ""
    for event in events:
        where = f"{EVENTS} line {event['line']} (position {event['position']})"
        if event["previous_hash"] != stored_previous:
            problems.append(f"{where}: does not link to the event before it")
        if event["position"] <= last_position:
            problems.append(f"{where}: position does not increase")
        if event["committed_at"] < last_commit:
            problems.append(f"{where}: committed before the event before it")
        if chain_hash(event["previous_hash"], event) != event["hash"]:
            problems.append(f"{where}: content does not match its hash")
        true_previous = chain_hash(true_previous, event)
        hashes[event["position"]] = true_previous
        stored_previous, last_position = event["hash"], event["position"]
        last_commit = max(last_commit, event["committed_at"])
    head = manifest.get("chain_head", {})
    if head.get("position") != last_position or head.get("hash") != true_previous:
        problems.append(
            f"chain head: the events recompute to {true_previous[:16]}… at position "
            f"{last_position}, the manifest says {str(head.get('hash'))[:16]}… at "
            f"{head.get('position')}"
        )
    return hashes


def check_seals(events: list[Json], hashes: dict[int, str], problems: list[str]) -> int:
    checked = 0
    for event in events:
        if event["topic"] != SEALED:
            continue
        sealed = event["fields"].get("position")
        recorded = event["fields"].get("head_hash")
        checked += 1
        if hashes.get(sealed) != recorded:
            problems.append(
                f"seal at position {event['position']}: the chain at position {sealed} is not "
                f"the hash it sealed"
            )
    return checked


def check_manifest(events: list[Json], manifest: Json, problems: list[str]) -> None:
    """What the manifest says of itself must agree with the events it lists."""
    if manifest.get("format") != FORMAT:
        problems.append(f"{MANIFEST}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    last = events[-1] if events else {}
    head = manifest.get("chain_head", {})
    if manifest.get("position") != head.get("position"):
        problems.append(
            f"{MANIFEST}: position {manifest.get('position')} is not the chain head's "
            f"{head.get('position')}"
        )
    if head.get("committed_at") != last.get("committed_at"):
        problems.append(
            f"{MANIFEST}: chain head committed at {head.get('committed_at')}, the last event "
            f"at {last.get('committed_at')}"
        )
    known_at = manifest.get("known_at")
    if known_at is not None and str(last.get("committed_at", "")) > str(known_at):
        problems.append(
            f"{MANIFEST}: known at {known_at}, but the last event was committed at "
            f"{last.get('committed_at')}"
        )
    sealed = [
        {
            "position": event["position"],
            "sealed_position": event["fields"].get("position"),
            "head_hash": event["fields"].get("head_hash"),
            "subject": event["fields"].get("subject"),
        }
        for event in events
        if event["topic"] == SEALED
    ]
    if manifest.get("seals") != sealed:
        problems.append(f"{MANIFEST}: its seals are not the seals among the events")


def money(value: str) -> Decimal:
    return Decimal(value)


def recompute_balances(events: list[Json], as_of: str) -> dict[str, dict[str, Figure]]:
    classes: dict[str, str] = {}
    totals: dict[str, dict[str, Decimal]] = {}
    accrued_through: dict[str, str | None] = {}
    for event in events:
        topic, fields = event["topic"], event["fields"]
        if topic == TOPIC + "PlanAdopted":
            adopted = f"{fields['fund_code']}/{fields['share_class']}"
            classes[event["stream"]] = adopted
            totals[adopted] = dict.fromkeys(
                ("absc_accrued", "service_accrued", "absc_paid", "service_paid"), ZERO
            )
            accrued_through[adopted] = None
            continue
        key = classes.get(event["stream"])
        if key is None or fields.get("business_date", "") > as_of:
            continue
        parts = _parts(topic, fields)
        if parts is not None:
            for name, amount in parts.items():
                totals[key][name] += amount
        if topic == TOPIC + "FeeAccrued":
            accrued_through[key] = max(accrued_through[key] or "", fields["business_date"])
    return {
        key: {
            **sums,
            "absc_payable": sums["absc_accrued"] - sums["absc_paid"],
            "service_payable": sums["service_accrued"] - sums["service_paid"],
            "accrued_through": accrued_through[key],
        }
        for key, sums in totals.items()
    }


def _parts(topic: str, fields: Json) -> dict[str, Decimal] | None:
    """What one fund-class event adds to the accrued and paid totals."""
    name = topic.removeprefix(TOPIC)
    if name == "FeeAccrued":
        return {
            "absc_accrued": money(fields["absc_amount"]),
            "service_accrued": money(fields["service_amount"]),
        }
    if name == "AccrualTrueUpPosted":
        return {
            "absc_accrued": money(fields["adjustment_absc"]),
            "service_accrued": money(fields["adjustment_service"]),
        }
    if name == "FeeAccrualAdjusted":
        return {
            "absc_accrued": money(fields["absc_amount_delta"]),
            "service_accrued": money(fields["service_amount_delta"]),
        }
    if name == "DistributorPaid":
        return {
            "absc_paid": money(fields["absc_amount"]),
            "service_paid": money(fields["service_amount"]),
        }
    if name == "DistributorPaymentReversed":
        return {
            "absc_paid": -money(fields["absc_amount"]),
            "service_paid": -money(fields["service_amount"]),
        }
    return None


def check_balances(bundle: Bundle, events: list[Json], manifest: Json, problems: list[str]) -> int:
    try:
        stated = json.loads(bundle.read(BALANCES))
    except (KeyError, FileNotFoundError, ValueError) as error:
        problems.append(f"{BALANCES}: unreadable ({error})")
        return 0
    recomputed = recompute_balances(events, manifest["as_of"])
    stated_by_class = {row["fund_class"]: row for row in stated.get("fund_classes", [])}
    if set(stated_by_class) != set(recomputed):
        problems.append(
            f"{BALANCES}: fund classes {sorted(stated_by_class)} differ from the events' "
            f"{sorted(recomputed)}"
        )
    for key in sorted(set(stated_by_class) & set(recomputed)):
        for name, expected in recomputed[key].items():
            stated_value = stated_by_class[key].get(name)
            if not _same_figure(stated_value, expected):
                problems.append(
                    f"{BALANCES}: {key} {name} is {stated_value}, the events give {expected}"
                )
    return len(recomputed)


def _same_figure(stated: object, expected: object) -> bool:
    if not isinstance(expected, Decimal):
        return stated == expected
    try:
        return money(str(stated)) == expected
    except ArithmeticError:  # not a number at all
        return False


def checked(problems: list[str], what: str, check: Callable[[], T], fallback: T) -> T:
    """Run one check; a bundle altered so that the check cannot even run is a problem to
    report with the others, not a crash."""
    try:
        return check()
    except Exception as error:  # anything unreadable is reported, not raised
        problems.append(f"{what}: could not be checked ({type(error).__name__}: {error})")
        return fallback


def verify(location: Path) -> list[str]:
    try:
        bundle = Bundle(location)
    except (OSError, zipfile.BadZipFile) as error:
        return [f"{location}: not a readable zip or folder ({type(error).__name__}: {error})"]
    problems: list[str] = []
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except (KeyError, FileNotFoundError, ValueError) as error:
        return [f"{MANIFEST}: unreadable ({error})"]
    if not isinstance(manifest, dict) or "as_of" not in manifest:
        return [f"{MANIFEST}: not a bundle manifest (no as_of)"]
    checked(problems, "the files", lambda: check_files(bundle, manifest, problems), None)
    events: list[Json] = checked(problems, EVENTS, lambda: read_events(bundle, problems), [])
    hashes: dict[int, str] = checked(
        problems, "the chain", lambda: check_chain(events, manifest, problems), {}
    )
    seals = checked(problems, "the seals", lambda: check_seals(events, hashes, problems), 0)
    checked(problems, MANIFEST, lambda: check_manifest(events, manifest, problems), None)
    classes = checked(
        problems, BALANCES, lambda: check_balances(bundle, events, manifest, problems), 0
    )
    if not problems:
        print(
            f"OK: {len(manifest.get('files', {}))} files match the manifest; {len(events)} events "
            f"chain to head {manifest['chain_head']['hash'][:16]}… at position "
            f"{manifest['chain_head']['position']}; {seals} seal(s) match; balances of "
            f"{classes} fund class(es) on {manifest['as_of']} recomputed from the events"
        )
    return problems


def main(arguments: list[str]) -> int:
    location = Path(arguments[0]) if arguments else Path(__file__).resolve().parent
    problems = verify(location)
    if problems:
        print(f"NOT OK: {len(problems)} problem(s) in {location}")
        for problem in problems[:SHOWN]:
            print(f"  {problem}")
        if len(problems) > SHOWN:
            print(f"  … and {len(problems) - SHOWN} more")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
