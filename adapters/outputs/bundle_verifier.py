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
   the fee accrued (asset-based sales charge and service fee), paid to the Distributor (less
   what it paid back), payable, the receivable from the Distributor (months paid beyond what
   they now accrue), and the last day accrued, on the bundle's as-of date;
6. every other figure carried, recomputed from the events the same way: the trial balance (the
   journal each money event posts, in the fund's books and the Distributor's, each account
   named with its entity), the SIXTH split of each plan year (payments and fees spread over the
   months they cover, service fees, deemed asset-based sales charge, own resources, average
   net assets, annualised rates, caps), and in each quarterly report the quarter's and
   the year's figures, the expenditures by purpose and the months. A figure changed anywhere is
   named with its file and place, even if the manifest was rewritten to match;
7. the reports as issued (reports/issued/): each file's SHA-256 against the one the issue's
   QuarterlyReportIssued event names, that a seal covers that event, that every latest issue
   by the as-of date is there, and that reports/differences.json lists exactly the figures
   that differ between the issued JSON and the report as of the bundle's date.

The words of governance.json and the plan documents are covered by the manifest's hashes; keep
the manifest's own SHA-256, printed at export, apart from the bundle to anchor them. Needs
Python 3.9 or newer.

This file is written once, for auditors; it shares no code with the ledger on purpose.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile
import zlib
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

# The verifier runs on Python 3.9+ with the standard library alone and imports nothing it does
# not use: these names are for the type checker only (annotations are not evaluated).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
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
    booked_days: dict[str, set[str]] = {}
    for event in events:
        topic, fields = event["topic"], event["fields"]
        if topic == TOPIC + "PlanAdopted":
            adopted = f"{fields['fund_code']}/{fields['share_class']}"
            classes[event["stream"]] = adopted
            totals[adopted] = dict.fromkeys(
                (
                    "absc_accrued",
                    "service_accrued",
                    "absc_paid",
                    "service_paid",
                    "absc_receivable",
                    "service_receivable",
                ),
                ZERO,
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
        # Accrued through the last day accrued and not reversed (a late fact, decision A19).
        if topic == TOPIC + "FeeAccrued":
            booked_days.setdefault(key, set()).add(fields["business_date"])
        elif topic == TOPIC + "FeeAccrualReversed":
            booked_days.setdefault(key, set()).discard(fields["business_date"])
        else:
            continue
        accrued_through[key] = max(booked_days[key], default=None)
    return {
        key: {
            **sums,
            "absc_payable": sums["absc_accrued"] - sums["absc_paid"] + sums["absc_receivable"],
            "service_payable": (
                sums["service_accrued"] - sums["service_paid"] + sums["service_receivable"]
            ),
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
    if name in ("FeeAccrualAdjusted", "FeeAccrualReversed"):
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
    return _receivable_parts(name, fields)


def _receivable_parts(name: str, fields: Json) -> dict[str, Decimal] | None:
    """The receivable from the Distributor: booked by a correction (the payable it took below
    zero), settled by an offset (as a payment of the months paid for) or by a refund."""
    if name == "DistributorReceivableBooked":
        return {
            "absc_receivable": money(fields["absc_amount"]),
            "service_receivable": money(fields["service_amount"]),
        }
    if name in ("DistributorReceivableOffset", "DistributorRefundReceived"):
        absc, service = money(fields["receivable_absc"]), money(fields["receivable_service"])
        paid_absc = money(fields.get("payable_absc", "0")) - absc
        paid_service = money(fields.get("payable_service", "0")) - service
        return {
            "absc_receivable": -absc,
            "service_receivable": -service,
            "absc_paid": paid_absc,
            "service_paid": paid_service,
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


# ---- every other figure: the journal, the SIXTH split, the quarterly reports ---------------

TRIAL_BALANCE = "read-models/trial-balance.json"
SPLIT = "read-models/split.json"
REPORTS = "reports/"
AS_OF = "reports/as-of/"
ISSUED = "reports/issued/"
DIFFERENCES = "reports/differences.json"
ISSUE = "planledger.FundClass.QuarterlyReportIssued"
LIST_KEYS = ("month", "provider", "purpose", "performer", "section", "quarter")
# What is not a figure of a report (as adapters/outputs/impact.py keeps apart): how it was
# built, its issue and review lines, the events behind each figure.
PROVENANCE_PATHS = ("built_from.", "issue.", "board_review.", "sources.")
SERVICE = "planledger.ServiceArrangement."
EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)
RATE_QUANTUM = Decimal("1E-8")
FINRA_ABSC, FINRA_SERVICE = Decimal("0.0075"), Decimal("0.0025")


def cents(value: str) -> int:
    return int(Decimal(value) * 100)


def shown_cents(amount: int) -> str:
    return str((Decimal(amount) / 100).quantize(Decimal("0.01")))


def stream_keys(events: list[Json]) -> dict[str, tuple[str, str]]:
    """Stream → (fund class, provider), from the events that open fund classes and service
    arrangements."""
    keys: dict[str, tuple[str, str]] = {}
    for event in events:
        fields = event["fields"]
        if event["topic"] == TOPIC + "PlanAdopted":
            keys[event["stream"]] = (f"{fields['fund_code']}/{fields['share_class']}", "")
        elif event["topic"] == SERVICE + "ServiceArrangementOpened":
            key = f"{fields['fund_code']}/{fields['share_class']}"
            keys[event["stream"]] = (key, fields["provider_code"])
    return keys


def _component(text: str) -> str:
    if "_" in text or text.islower():
        return "".join(part.capitalize() for part in text.split("_"))
    return text.replace("/", "-")


def postings(name: str, fields: Json, key: str, provider: str) -> list[tuple[str, int, int]]:
    """The journal lines (account, debit, credit) one event posts, as the ledger's journal: the
    fund's lines, then the Distributor's (docs/books.md)."""
    fc = key.replace("/", "-")
    fund = fund_postings(name, fields, fc)
    if fund:
        return [*fund, *(mirror(account, fc, debit, credit) for account, debit, credit in fund)]
    spent: list[tuple[str, int, int]] = []
    if name in ("ExpenditureRecorded", "ExpenditureReversed"):
        amount = cents(fields["amount"])
        account = f"Expenses:Distributor:Fifth:{fc}:{_component(fields['purpose'])}"
        spent = [(account, amount, 0), (DISTRIBUTOR_SETTLEMENT, 0, amount)]
    elif name in ("ServiceFeePaid", "ServiceFeeReversed"):
        amount = cents(fields["amount"])
        account = f"Expenses:Distributor:ServiceFees:{fc}:{provider}"
        spent = [(account, amount, 0), (DISTRIBUTOR_SETTLEMENT, 0, amount)]
    if name.endswith("Reversed"):  # the exact opposite entry
        return [(account, credit, debit) for account, debit, credit in spent]
    return spent


DISTRIBUTOR_SETTLEMENT = "Equity:Distributor:GeneralLedgerSettlement"
PARTS = ("AssetBasedSalesCharge", "ServiceFee")


def entity_of(account: str) -> str:
    """Whose books an account is in: the Distributor's accounts all name it."""
    return "distributor" if account.split(":")[1] == "Distributor" else "fund"


def mirror(account: str, fc: str, debit: int, credit: int) -> tuple[str, int, int]:
    """The Distributor's side of a fund class's plan account, debit and credit swapped."""
    names = {f"Equity:Fund:{fc}:GeneralLedgerSettlement": DISTRIBUTOR_SETTLEMENT}
    for part in PARTS:
        names[f"Expenses:Plan12b1:{fc}:{part}"] = f"Income:Distributor:PlanFees:{fc}:{part}"
        names[f"Liabilities:PayableToDistributor:{fc}:{part}"] = (
            f"Assets:Distributor:ReceivableFromFund:{fc}:{part}"
        )
        names[f"Assets:Fund:{fc}:ReceivableFromDistributor:{part}"] = (
            f"Liabilities:Distributor:PayableToFund:{fc}:{part}"
        )
    return names[account], credit, debit


def fund_postings(name: str, fields: Json, fc: str) -> list[tuple[str, int, int]]:
    """The fund class's own lines of an event between it and the Distributor."""
    accrued = {
        "FeeAccrued": ("absc_amount", "service_amount"),
        "AccrualTrueUpPosted": ("adjustment_absc", "adjustment_service"),
        "FeeAccrualAdjusted": ("absc_amount_delta", "service_amount_delta"),
        "FeeAccrualReversed": ("absc_amount_delta", "service_amount_delta"),
    }
    if name in accrued:
        absc, service = (cents(fields[part]) for part in accrued[name])
        signed = [
            (f"Expenses:Plan12b1:{fc}:AssetBasedSalesCharge", absc),
            (f"Expenses:Plan12b1:{fc}:ServiceFee", service),
            (f"Liabilities:PayableToDistributor:{fc}:AssetBasedSalesCharge", -absc),
            (f"Liabilities:PayableToDistributor:{fc}:ServiceFee", -service),
        ]
        return [(account, max(n, 0), max(-n, 0)) for account, n in signed if n]
    if name in ("DistributorPaid", "DistributorPaymentReversed"):
        paid = [
            (
                f"Liabilities:PayableToDistributor:{fc}:AssetBasedSalesCharge",
                cents(fields["absc_amount"]),
                0,
            ),
            (
                f"Liabilities:PayableToDistributor:{fc}:ServiceFee",
                cents(fields["service_amount"]),
                0,
            ),
            (f"Equity:Fund:{fc}:GeneralLedgerSettlement", 0, cents(fields["amount"])),
        ]
        lines = [line for line in paid if line[1] or line[2]]
        if name.endswith("Reversed"):  # the exact opposite entry
            return [(account, credit, debit) for account, debit, credit in lines]
        return lines
    return receivable_postings(name, fields, fc)


def receivable_postings(name: str, fields: Json, fc: str) -> list[tuple[str, int, int]]:
    """The fund class's lines of the receivable from the Distributor (decision A16)."""
    payable = f"Liabilities:PayableToDistributor:{fc}:"
    receivable = f"Assets:Fund:{fc}:ReceivableFromDistributor:"
    absc, service = "AssetBasedSalesCharge", "ServiceFee"
    if name == "DistributorReceivableBooked":
        booked_absc, booked_service = cents(fields["absc_amount"]), cents(fields["service_amount"])
        signed = [
            (receivable + absc, booked_absc),
            (receivable + service, booked_service),
            (payable + absc, -booked_absc),
            (payable + service, -booked_service),
        ]
        return [(account, max(n, 0), max(-n, 0)) for account, n in signed if n]
    if name not in ("DistributorReceivableOffset", "DistributorRefundReceived"):
        return []
    lines = [
        (receivable + absc, 0, cents(fields["receivable_absc"])),
        (receivable + service, 0, cents(fields["receivable_service"])),
    ]
    if name == "DistributorReceivableOffset":
        lines = [
            (payable + absc, cents(fields["payable_absc"]), 0),
            (payable + service, cents(fields["payable_service"]), 0),
            *lines,
        ]
    else:
        lines = [(f"Equity:Fund:{fc}:GeneralLedgerSettlement", cents(fields["amount"]), 0), *lines]
    return [line for line in lines if line[1] or line[2]]


def _event_name(topic: str) -> str:
    return topic.rpartition(".")[2] if topic.startswith((TOPIC, SERVICE)) else ""


def recompute_trial_balance(events: list[Json], as_of: str) -> dict[str, tuple[int, int]]:
    keys = stream_keys(events)
    sums: dict[str, tuple[int, int]] = {}
    for event in events:
        name, fields = _event_name(event["topic"]), event["fields"]
        if not name or event["stream"] not in keys or fields.get("business_date", "") > as_of:
            continue
        key, provider = keys[event["stream"]]
        for account, debit, credit in postings(name, fields, key, provider):
            before = sums.get(account, (0, 0))
            sums[account] = (before[0] + debit, before[1] + credit)
    return dict(sorted(sums.items()))


def read_json(bundle: Bundle, name: str) -> Any:
    return json.loads(bundle.read(name))


def check_trial_balance(bundle: Bundle, events: list[Json], as_of: str, problems: list[str]) -> int:
    stated = {row["account"]: row for row in read_json(bundle, TRIAL_BALANCE)["accounts"]}
    recomputed = recompute_trial_balance(events, as_of)
    for account in sorted(set(stated) ^ set(recomputed)):
        where = "the events post nothing to it" if account in stated else "missing from the file"
        problems.append(f"{TRIAL_BALANCE}: account {account}: {where}")
    for account in sorted(set(stated) & set(recomputed)):
        if stated[account].get("entity") != entity_of(account):
            problems.append(
                f"{TRIAL_BALANCE}: {account} is in the books of {stated[account].get('entity')}, "
                f"the events post it in the {entity_of(account)}'s"
            )
        for index, side in enumerate(("debit", "credit")):
            expected = shown_cents(recomputed[account][index])
            if not _same_figure(stated[account].get(side), Decimal(expected)):
                problems.append(
                    f"{TRIAL_BALANCE}: {account} {side} is {stated[account].get(side)}, the "
                    f"events give {expected}"
                )
    return len(recomputed)


def _month(day: str) -> str:
    return day[:7]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _months(start: date, end_exclusive: date) -> list[str]:
    labels, day = [], start.replace(day=1)
    while day < end_exclusive:
        labels.append(day.isoformat()[:7])
        day = _next_month(day)
    return labels


def spread(start: date, end_exclusive: date, amount: int) -> dict[str, int]:
    """An amount over the months it covers, in proportion to their days; the cents left after
    rounding down go to the largest remainders, ties to the earlier month."""
    spans: list[tuple[str, int]] = []
    day = start
    while day < end_exclusive:
        end = min(_next_month(day), end_exclusive)
        spans.append((day.isoformat()[:7], (end - day).days))
        day = end
    if len(spans) == 1:
        return {spans[0][0]: amount}
    total, days = abs(amount), sum(span for _, span in spans)
    shares = [total * span // days for _, span in spans]
    order = sorted(range(len(spans)), key=lambda i: (total * spans[i][1]) % days, reverse=True)
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    sign = 1 if amount >= 0 else -1
    return {spans[index][0]: sign * shares[index] for index in range(len(spans))}


class Cell:
    """One fund class over a month, or several months combined; amounts in cents."""

    def __init__(self) -> None:
        self.payments = 0
        self.fees = 0
        self.by_provider: dict[str, int] = {}
        self.basis_by_year: dict[int, int] = {}
        self.basis_per_day_count = Decimal(0)
        self.basis_cents = 0
        self.days = 0

    def add(self, other: Cell) -> None:
        self.payments += other.payments
        self.fees += other.fees
        for provider, amount in other.by_provider.items():
            self.by_provider[provider] = self.by_provider.get(provider, 0) + amount
        self.basis_per_day_count = EXACT.add(self.basis_per_day_count, other.per_day_count())
        self.basis_cents += other.basis_cents
        self.days += other.days

    def per_day_count(self) -> Decimal:
        if not self.basis_by_year:
            return self.basis_per_day_count
        return sum((Decimal(s) / y for y, s in sorted(self.basis_by_year.items())), Decimal(0))

    @property
    def service_from_plan(self) -> int:
        return min(self.fees, max(self.payments, 0))

    @property
    def deemed_absc(self) -> int:
        return self.payments - self.service_from_plan

    def rate(self, amount: int) -> str:
        if self.basis_per_day_count == 0:
            return ""
        value = EXACT.divide(Decimal(amount), self.basis_per_day_count).quantize(RATE_QUANTUM)
        return percent(value)

    def average(self) -> Decimal | None:
        if self.days == 0:
            return None
        return (Decimal(self.basis_cents) / 100 / self.days).quantize(Decimal("0.01"))

    def caps(self) -> list[str]:
        found = []
        if self.basis_per_day_count != 0:
            absc = EXACT.divide(Decimal(self.deemed_absc), self.basis_per_day_count)
            service = EXACT.divide(Decimal(self.service_from_plan), self.basis_per_day_count)
            if absc.quantize(RATE_QUANTUM) > FINRA_ABSC:
                found.append("deemed asset-based sales charge above 0.75% a year")
            if service.quantize(RATE_QUANTUM) > FINRA_SERVICE:
                found.append("service fees above 0.25% a year")
        return found


def percent(rate: Decimal) -> str:
    value = EXACT.multiply(rate, Decimal(100)).normalize()
    if value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}%"


def month_cells(
    events: list[Json], start: date, end_exclusive: date, last_day: str
) -> dict[tuple[str, str], Cell]:
    """Per (fund class, month): what the ledger's split reads for [start, end_exclusive),
    counting only what was paid or accrued by `last_day`."""
    keys = stream_keys(events)
    cells: dict[tuple[str, str], Cell] = {}
    span = (start.isoformat(), end_exclusive.isoformat())
    for event in events:
        name, fields = _event_name(event["topic"]), event["fields"]
        if event["stream"] not in keys or fields.get("business_date", "") > last_day:
            continue
        key, provider = keys[event["stream"]]
        if name in COVERINGS:
            _add_covering(cells, (key, provider), name, fields, span)
        # An offset both covers its months and settles the receivable: not an `elif`.
        if name in ("DistributorReceivableOffset", "DistributorRefundReceived"):
            _add_receivable_settled(cells, key, fields, span)
        elif name in ("FeeAccrued", "FeeAccrualAdjusted", "FeeAccrualReversed"):
            _add_basis(cells, key, name, fields, span)
    for cell in cells.values():
        cell.basis_per_day_count = cell.per_day_count()
        cell.basis_by_year = {}
    return cells


COVERINGS = (
    "DistributorPaid",
    "DistributorPaymentReversed",
    "DistributorReceivableOffset",
    "ServiceFeePaid",
    "ServiceFeeReversed",
)


def _add_covering(
    cells: dict[tuple[str, str], Cell],
    stream: tuple[str, str],
    name: str,
    fields: Json,
    span: tuple[str, str],
) -> None:
    """A payment or a fee (a reversal negative), over the months it covers, if they overlap.
    `stream`: the event's fund class and provider."""
    key, provider = stream
    covered = fields["period_start"], fields["period_end_exclusive"]
    if not (covered[0] < span[1] and covered[1] > span[0]):
        return
    sign = -1 if name.endswith("Reversed") else 1
    amount = sign * cents(fields["amount"])
    shares = spread(date.fromisoformat(covered[0]), date.fromisoformat(covered[1]), amount)
    for month, share in shares.items():
        cell = cells.setdefault((key, month), Cell())
        if name.startswith("Distributor"):
            cell.payments += share
        else:
            cell.fees += share
            cell.by_provider[provider] = cell.by_provider.get(provider, 0) + share


def _add_receivable_settled(
    cells: dict[tuple[str, str], Cell], key: str, fields: Json, span: tuple[str, str]
) -> None:
    """An offset or a refund gives back, from each month it settles the receivable of, what
    that month was paid beyond its fee: the month's payments are what the Distributor kept."""
    for month, tagged in fields["taken_by_month"].items():
        # A mapping inside an event keeps the library's tagged form for its decimals.
        amount = tagged["_data_"] if isinstance(tagged, dict) else tagged
        first = date.fromisoformat(f"{month}-01")
        if first.isoformat() < span[1] and _next_month(first).isoformat() > span[0]:
            cell = cells.setdefault((key, month), Cell())
            cell.payments -= cents(amount)


def _add_basis(
    cells: dict[tuple[str, str], Cell], key: str, name: str, fields: Json, span: tuple[str, str]
) -> None:
    """A day's basis (an accrual), or the change a restatement made to it (an adjustment)."""
    if not span[0] <= fields["business_date"] < span[1]:
        return
    cell = cells.setdefault((key, _month(fields["business_date"])), Cell())
    basis = cents(fields["basis_net_assets"])
    if name == "FeeAccrualAdjusted":
        basis -= cents(fields["basis_net_assets_previous"])
    elif name == "FeeAccrualReversed":  # the day leaves the month (decision A19)
        basis = -basis
        cell.days -= 1
    else:
        cell.days += 1
    year = int(fields["days_in_year"])
    cell.basis_by_year[year] = cell.basis_by_year.get(year, 0) + basis
    cell.basis_cents += basis


def combined(cells: dict[tuple[str, str], Cell], key: str, months: list[str]) -> Cell:
    total = Cell()
    for month in months:
        if (key, month) in cells:
            total.add(cells[(key, month)])
    return total


def _plan_years(
    start: date, end_exclusive: date, anniversary: tuple[int, int]
) -> list[tuple[str, list[str]]]:
    """The plan years (by whole months) from `start`'s month: label and months."""
    pieces, day = [], start.replace(day=1)
    while day < end_exclusive:
        end = date(day.year, *anniversary)
        if end < day:
            end = date(day.year + 1, *anniversary)
        year_start = date(end.year - 1, *anniversary)
        piece_start, piece_end = max(year_start, day), _next_month(end)
        pieces.append((f"plan year to {end}", _months(piece_start, piece_end)))
        day = piece_end
    return pieces


def split_row(key: str, label: str, figures: Cell) -> Json:
    average = figures.average()
    return {
        "fund_class": key,
        "period": label,
        "plan_payments": shown_cents(figures.payments),
        "service_fees": shown_cents(figures.service_from_plan),
        "deemed_absc": shown_cents(figures.deemed_absc),
        "own_resources": shown_cents(figures.fees - figures.service_from_plan),
        "average_daily_net_assets": None if average is None else str(average),
        "payments_rate": figures.rate(figures.payments),
        "service_rate": figures.rate(figures.service_from_plan),
        "absc_rate": figures.rate(figures.deemed_absc),
        "caps": "; ".join(figures.caps()) or "within",
        "by_provider": " ".join(
            f"{provider}={shown_cents(amount)}"
            for provider, amount in sorted(figures.by_provider.items())
        ),
    }


def plans(events: list[Json]) -> dict[str, Json]:
    """Fund class → the fields of its PlanAdopted event."""
    return {
        f"{event['fields']['fund_code']}/{event['fields']['share_class']}": event["fields"]
        for event in events
        if event["topic"] == TOPIC + "PlanAdopted"
    }


def recompute_split(events: list[Json], as_of: str) -> list[Json]:
    adopted = plans(events)
    if not adopted:
        return []
    start = min(date.fromisoformat(plan["effective_date"]) for plan in adopted.values())
    end_exclusive = max(date.fromisoformat(as_of), start) + timedelta(days=1)
    term_end = date.fromisoformat(next(iter(adopted.values()))["initial_term_end"])
    cells = month_cells(events, start, end_exclusive, as_of)
    in_period = set(_months(start, end_exclusive))
    rows = []
    for key in sorted({key for key, _ in cells}):
        for label, months in _plan_years(start, end_exclusive, (term_end.month, term_end.day)):
            chosen = [month for month in months if month in in_period]
            rows.append(split_row(key, label, combined(cells, key, chosen)))
    return rows


def compare_tree(name: str, path: str, stated: Any, expected: Any, problems: list[str]) -> None:
    """Every value of `expected` against the value at the same place in `stated`."""
    if isinstance(expected, dict):
        stated_dict = stated if isinstance(stated, dict) else {}
        for key, value in expected.items():
            compare_tree(
                name, f"{path}.{key}" if path else key, stated_dict.get(key), value, problems
            )
        return
    if isinstance(expected, list):
        stated_list = stated if isinstance(stated, list) else []
        if len(stated_list) != len(expected):
            problems.append(
                f"{name}: {path} has {len(stated_list)} entries, the events give {len(expected)}"
            )
        for index, value in enumerate(expected):
            item = stated_list[index] if index < len(stated_list) else None
            compare_tree(name, f"{path}[{index}]", item, value, problems)
        return
    if stated != expected:
        problems.append(f"{name}: {path} is {stated!r}, the events give {expected!r}")


def check_split(bundle: Bundle, events: list[Json], as_of: str, problems: list[str]) -> int:
    rows = recompute_split(events, as_of)
    compare_tree(SPLIT, "rows", read_json(bundle, SPLIT).get("rows"), rows, problems)
    return len(rows)


def _quarter(label: str) -> tuple[date, date]:
    year, number = int(label[:4]), int(label[5:])
    start = date(year, 3 * number - 2, 1)
    return start, date(year + (number == 4), (3 * number) % 12 + 1, 1)


def accrued_by_month(
    events: list[Json], key: str, start: str, end: str
) -> dict[str, tuple[int, int]]:
    keys, totals = stream_keys(events), {}  # type: tuple[dict[str, tuple[str, str]], dict[str, tuple[int, int]]]
    parts = {
        "FeeAccrued": ("absc_amount", "service_amount"),
        "AccrualTrueUpPosted": ("adjustment_absc", "adjustment_service"),
        "FeeAccrualAdjusted": ("absc_amount_delta", "service_amount_delta"),
        "FeeAccrualReversed": ("absc_amount_delta", "service_amount_delta"),
    }
    for event in events:
        name, fields = _event_name(event["topic"]), event["fields"]
        if name not in parts or keys.get(event["stream"], ("", ""))[0] != key:
            continue
        if not start <= fields["business_date"] < end:
            continue
        month = (
            fields["month"] if name == "AccrualTrueUpPosted" else _month(fields["business_date"])
        )
        absc, service = totals.get(month, (0, 0))
        totals[month] = (
            absc + cents(fields[parts[name][0]]),
            service + cents(fields[parts[name][1]]),
        )
    return totals


def expenditures(events: list[Json], key: str, start: str, end: str) -> dict[str, dict[str, int]]:
    """Purpose → performer → cents, of expenditures whose period overlaps [start, end)."""
    keys = stream_keys(events)
    found: dict[str, dict[str, int]] = {}
    for event in events:
        name, fields = _event_name(event["topic"]), event["fields"]
        if name not in ("ExpenditureRecorded", "ExpenditureReversed"):
            continue
        if keys.get(event["stream"], ("", ""))[0] != key:
            continue
        if not (fields["period_start"] < end and fields["period_end_exclusive"] > start):
            continue
        sign = -1 if name == "ExpenditureReversed" else 1
        by_performer = found.setdefault(fields["purpose"], {})
        by_performer[fields["performer"]] = by_performer.get(fields["performer"], 0) + sign * cents(
            fields["amount"]
        )
    return found


def report_section(
    figures: Cell, accrued: tuple[int, int], spent: dict[str, dict[str, int]], stated: Any
) -> Json:
    stated_purposes = [
        row.get("purpose") for row in (stated or {}).get("expenditures_by_purpose", [])
    ]
    purposes = stated_purposes + sorted(set(spent) - set(stated_purposes))
    average = figures.average()
    return {
        "accrued": {
            "asset_based_sales_charge": shown_cents(accrued[0]),
            "service_fee": shown_cents(accrued[1]),
            "total": shown_cents(sum(accrued)),
        },
        "paid_to_distributor": shown_cents(figures.payments),
        "accrued_less_paid": shown_cents(sum(accrued) - figures.payments),
        "service_fees": {
            "total": shown_cents(figures.service_from_plan),
            "from_distributor_own_resources": shown_cents(figures.fees - figures.service_from_plan),
            "by_provider": [
                {"provider": provider, "amount": shown_cents(amount)}
                for provider, amount in sorted(figures.by_provider.items())
            ],
        },
        "deemed_asset_based_sales_charge": shown_cents(figures.deemed_absc),
        "average_daily_net_assets": str(average or "0.00"),
        "annualised": {
            "paid_to_distributor": figures.rate(figures.payments),
            "service_fees": figures.rate(figures.service_from_plan),
            "deemed_asset_based_sales_charge": figures.rate(figures.deemed_absc),
            "finra_caps": "; ".join(figures.caps()) or "within 0.75% and 0.25%",
        },
        "expenditures_by_purpose": [
            {
                "purpose": purpose,
                "amount": shown_cents(sum(spent.get(purpose, {}).values())),
                "by_performer": {
                    performer: shown_cents(amount)
                    for performer, amount in sorted(spent.get(purpose, {}).items())
                },
            }
            for purpose in purposes
        ],
        "expenditures_total": shown_cents(sum(sum(p.values()) for p in spent.values())),
    }


def recompute_report(events: list[Json], stated: Json) -> Json:
    key, quarter = stated["fund_class"], stated["quarter"]
    plan = plans(events)[key]
    start, end = _quarter(quarter)
    effective = date.fromisoformat(plan["effective_date"])
    year_start = max(date(start.year, 1, 1), effective.replace(day=1))
    cells = month_cells(events, year_start, end, "9999-12-31")
    accrued = accrued_by_month(events, key, year_start.isoformat(), end.isoformat())
    expected: Json = {}
    for section, first in (("quarter_figures", start), ("year_to_date", year_start)):
        months = _months(first, end)
        sums = [sum(accrued.get(m, (0, 0))[part] for m in months) for part in (0, 1)]
        spent = expenditures(events, key, first.isoformat(), end.isoformat())
        expected[section] = report_section(
            combined(cells, key, months), (sums[0], sums[1]), spent, stated.get(section)
        )
    expected["monthly"] = [
        {
            "month": month,
            "accrued": shown_cents(sum(accrued.get(month, (0, 0)))),
            "paid_to_distributor": shown_cents(combined(cells, key, [month]).payments),
            "service_fees": shown_cents(combined(cells, key, [month]).service_from_plan),
            "deemed_asset_based_sales_charge": shown_cents(
                combined(cells, key, [month]).deemed_absc
            ),
        }
        for month in _months(year_start, end)
    ]
    return expected


def check_reports(bundle: Bundle, events: list[Json], problems: list[str]) -> int:
    names = [n for n in bundle.names() if n.startswith(AS_OF) and n.endswith(".json")]
    for name in names:
        stated = read_json(bundle, name)
        compare_tree(name, "", stated, recompute_report(events, stated), problems)
    return len(names)


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
    as_of = str(manifest["as_of"])
    accounts = checked(
        problems, TRIAL_BALANCE, lambda: check_trial_balance(bundle, events, as_of, problems), 0
    )
    rows = checked(problems, SPLIT, lambda: check_split(bundle, events, as_of, problems), 0)
    reports = checked(problems, REPORTS, lambda: check_reports(bundle, events, problems), 0)
    issued = checked(problems, ISSUED, lambda: check_issued(bundle, events, as_of, problems), 0)
    if not problems:
        print(
            f"OK: {len(manifest.get('files', {}))} files match the manifest; {len(events)} events "
            f"chain to head {manifest['chain_head']['hash'][:16]}… at position "
            f"{manifest['chain_head']['position']}; {seals} seal(s) match; balances of "
            f"{classes} fund class(es) on {manifest['as_of']} recomputed from the events; so "
            f"are the trial balance ({accounts} accounts), the split ({rows} rows) and every "
            f"figure of {reports} quarterly report(s); {issued} report(s) as issued match "
            "their sealed issues and the differences listed"
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
