"""The manifest and the hash chain: every file against the manifest, the chain over
events.jsonl to the manifest's head, the seals, and what the manifest says of itself."""

from __future__ import annotations

import hashlib
import io
import json

from .bundle import EVENTS, MANIFEST, Bundle, Unreadable
from .events import SEALED

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bundle import Json

GENESIS_HASH = "0" * 64
FORMAT = "planledger-bundle/1"
EVENT_KEYS = ("position", "stream", "version", "topic", "committed_at", "previous_hash", "hash")


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
