"""`planledger verify`: check the whole store against its hash chain, its seals and its
snapshots, and say where anything was changed (docs/audit.md §3).

Two hashes are followed for each position:

* the **stored link**: each chain record is checked on its own (its content hashes to its
  recorded hash given its recorded previous hash) and against the record before it (its
  previous hash is that record's hash). This places an edit, a deletion or an insertion at
  its position, or, where the intruder also re-hashed the changed record, at the first
  record after it that still links to the original.
* the **true chain**: recomputed from the events' content alone. Seals and heads kept outside
  the database are compared with it, so a chain that was rewritten to look consistent no
  longer matches them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import CanMutateProtocol

from adapters.store.chain import (
    GENESIS_HASH,
    ChainHead,
    ChainRecord,
    StoredContent,
    StoredRow,
    chain_hash,
)
from adapters.store.persistence import LedgerStore
from domain.fund_class import FundClass
from domain.seal import ChainSeal

PAGE = 5_000
SEAL_TOPIC = ChainSeal.ChainSealed.TOPIC
REPORT_ISSUED_TOPIC = FundClass.QuarterlyReportIssued.TOPIC
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int | None
    stream: str
    version: int | None
    detail: str

    def describe(self) -> str:
        where = f"position {self.position}" if self.position is not None else "store"
        if self.stream:
            where += f" (stream {self.stream}" + (
                f" v{self.version})" if self.version is not None else ")"
            )
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class Verification:
    events: int = 0
    chain_records: int = 0
    head: ChainHead | None = None
    true_head_hash: str = GENESIS_HASH
    seals: int = 0
    snapshots: int = 0
    report_files: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class ExternalHead:
    """A chain head kept outside the database: `POSITION:HASH`."""

    position: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> ExternalHead:
        position, _, digest = text.partition(":")
        if not position.isdigit() or len(digest) != 64:
            raise ValueError(f"a head is POSITION:SHA256, not {text!r}")
        return cls(int(position), digest.lower())


def stored_bytes(state: Any) -> bytes:
    """An event's stored state as bytes, even if someone stored it back as text."""
    return state.encode("utf-8") if isinstance(state, str) else bytes(state)


def _paged(fetch: Callable[[int | None], Sequence[Any]]) -> Iterator[Any]:
    after: int | None = None  # from the lowest position: rows put below 1 are read too
    while True:
        page = fetch(after)
        if not page:
            return
        yield from page
        after = page[-1].position


def stored_end(store: LedgerStore) -> int:
    """The last position stored, of an event or of a chain record, read once: every pass of
    a verification stops there, so events committed while it runs are left to the next one
    instead of being seen on one side (events or chain) and not yet on the other."""
    head = store.chain_head()
    return max(store.head_position(), head.position if head is not None else 0)


def _events(store: LedgerStore, stop: int, topic: str | None = None) -> Iterator[StoredRow]:
    recorder: Any = store.recorder
    return _paged(lambda after: recorder.stored_rows(after, PAGE, stop, topic))


def _records(store: LedgerStore, stop: int) -> Iterator[ChainRecord]:
    recorder: Any = store.recorder
    return _paged(lambda after: recorder.chain_records(after, PAGE, stop))


def merged_log(
    store: LedgerStore, stop: int | None = None
) -> Iterator[tuple[int, StoredRow | None, ChainRecord | None]]:
    """(position, stored event or None, chain record or None), in position order, up to
    `stop` (default: what is stored now)."""
    stop = stored_end(store) if stop is None else stop
    events, records = _events(store, stop), _records(store, stop)
    event, record = next(events, None), next(records, None)
    while event is not None or record is not None:
        if record is None or (event is not None and event.position < record.position):
            assert event is not None  # the loop runs while either is left
            yield event.position, event, None
            event = next(events, None)
        elif event is None or record.position < event.position:
            yield record.position, None, record
            record = next(records, None)
        else:
            yield event.position, event, record
            event, record = next(events, None), next(records, None)


def _seals(store: LedgerStore, stop: int) -> dict[int, list[tuple[int, str]]]:
    """Sealed position → [(the seal's own position, the sealed hash)]."""
    seals: dict[int, list[tuple[int, str]]] = {}
    for row in _events(store, stop, SEAL_TOPIC):
        try:
            state = json.loads(stored_bytes(row.state))
            sealed = (int(state["position"]), str(state["head_hash"]))
        except (ValueError, KeyError, TypeError):
            continue  # an unreadable seal is an edited event: the chain reports it
        seals.setdefault(sealed[0], []).append((row.position, sealed[1]))
    return seals


@dataclass(frozen=True)
class _Decoded:
    """A stored row read leniently: what cannot be read is reported, not raised."""

    stream: str
    version: int
    content: StoredContent | None
    problem: str


def _decode(row: StoredRow, committed_at: str, stored_id: Callable[[UUID], str]) -> _Decoded:
    raw_id = row.originator_id
    try:
        stream_id = raw_id if isinstance(raw_id, UUID) else UUID(str(raw_id))
    except ValueError:
        return _Decoded(str(raw_id), _version(row), None, f"the stream id {raw_id!r} is no UUID")
    stream, version = str(stream_id), _version(row)
    if not isinstance(raw_id, UUID) and raw_id != stored_id(stream_id):
        return _Decoded(
            stream,
            version,
            None,
            f"the stream id is stored as {raw_id!r}, which the ledger never writes: the event "
            "is hidden from its stream",
        )
    if row.topic is None or row.state is None or version < 1:
        return _Decoded(stream, version, None, "the topic, state or version is missing")
    content = StoredContent(
        row.position, stream, version, row.topic, committed_at, stored_bytes(row.state)
    )
    return _Decoded(stream, version, content, "")


def _version(row: StoredRow) -> int:
    try:
        return int(row.originator_version)
    except (TypeError, ValueError):
        return 0


class _Walk:
    """The state of one pass over the chain."""

    def __init__(
        self,
        result: Verification,
        seals: dict[int, list[tuple[int, str]]],
        heads: dict[int, str],
        stored_id: Callable[[UUID], str],
    ) -> None:
        self.result = result
        self.seals = seals
        self.heads = heads
        self.stored_id = stored_id
        self.stored_previous = GENESIS_HASH
        self.true_previous = GENESIS_HASH
        self.committed_previous = ""
        self.versions: dict[str, int] = {}

    def add(
        self, kind: str, position: int | None, stream: str, version: int | None, detail: str
    ) -> None:
        self.result.findings.append(Finding(kind, position, stream, version, detail))

    def step(self, position: int, event: StoredRow | None, record: ChainRecord | None) -> None:
        if record is None:
            assert event is not None
            self.result.events += 1
            decoded = _decode(event, "", self.stored_id)
            self.add(
                "inserted",
                position,
                decoded.stream,
                decoded.version,
                "the event has no chain record: it was not written by the ledger",
            )
            self._check_version(position, decoded.stream, decoded.version)
            return
        self.result.chain_records += 1
        if record.previous_hash != self.stored_previous:
            self.add(
                "link-broken",
                position,
                record.originator_id,
                record.originator_version,
                "its previous hash is not the hash of the record before it: that record was "
                "changed and hashed again, or records were removed or inserted before this "
                "position",
            )
        if record.committed_at < self.committed_previous:
            self.add(
                "reordered",
                position,
                record.originator_id,
                record.originator_version,
                f"committed at {record.committed_at}, before the record before it "
                f"({self.committed_previous})",
            )
        self.committed_previous = max(self.committed_previous, record.committed_at)
        self.stored_previous = record.hash
        if event is None:
            self.add(
                "deleted",
                position,
                record.originator_id,
                record.originator_version,
                f"the event committed at {record.committed_at} is missing",
            )
            self._check_version(position, record.originator_id, record.originator_version)
            return
        self.result.events += 1
        self._check_event(position, event, record)

    def _check_event(self, position: int, event: StoredRow, record: ChainRecord) -> None:
        decoded = _decode(event, record.committed_at, self.stored_id)
        stream, version, content = decoded.stream, decoded.version, decoded.content
        if content is None:
            self.add("edited", position, stream, version, decoded.problem)
            self.true_previous = f"unreadable event at position {position}"
            self._check_version(position, stream, version)
            self._check_anchors(position)
            return
        if (stream, version) != (record.originator_id, record.originator_version):
            self.add(
                "reordered",
                position,
                stream,
                version,
                f"the chain records stream {record.originator_id} "
                f"v{record.originator_version} at this position",
            )
        if chain_hash(record.previous_hash, content) != record.hash:
            self.add(
                "edited",
                position,
                stream,
                version,
                "the stored event no longer matches its recorded hash",
            )
        self.true_previous = chain_hash(self.true_previous, content)
        self._check_version(position, stream, version)
        self._check_anchors(position)

    def _check_version(self, position: int, stream: str, version: int) -> None:
        expected = self.versions.get(stream, 0) + 1
        if version != expected:
            self.add(
                "reordered",
                position,
                stream,
                version,
                f"the stream's next version should be v{expected}",
            )
        self.versions[stream] = max(version, self.versions.get(stream, 0))

    def _check_anchors(self, position: int) -> None:
        for seal_position, sealed_hash in self.seals.pop(position, []):
            self.result.seals += 1
            if sealed_hash != self.true_previous:
                self.add(
                    "seal-mismatch",
                    seal_position,
                    "",
                    None,
                    f"the seal of position {position} records {sealed_hash[:16]}…, the "
                    f"chain recomputed from the events gives {self.true_previous[:16]}…",
                )
        expected = self.heads.pop(position, None)
        if expected is not None and expected != self.true_previous:
            self.add(
                "head-mismatch",
                position,
                "",
                None,
                f"the head given was {expected[:16]}…, the chain recomputed from the "
                f"events gives {self.true_previous[:16]}…",
            )

    def finish(self) -> None:
        for position, seals in sorted(self.seals.items()):
            for seal_position, _ in seals:
                self.result.seals += 1
                self.add(
                    "seal-mismatch",
                    seal_position,
                    "",
                    None,
                    f"the seal names position {position}, which holds no event",
                )
        for position in sorted(self.heads):
            self.add("head-mismatch", position, "", None, "no event is stored at this position")
        self.result.true_head_hash = self.true_previous


def heads_by_position(heads: Sequence[ExternalHead]) -> dict[int, str]:
    by_position: dict[int, str] = {}
    for head in heads:
        if by_position.setdefault(head.position, head.hash) != head.hash:
            raise ValueError(f"two different heads were given for position {head.position}")
    return by_position


def verify_chain(
    store: LedgerStore,
    heads: Sequence[ExternalHead] = (),
    progress: Progress | None = None,
) -> Verification:
    result = Verification(head=store.chain_head())
    stop = stored_end(store)
    recorder: Any = store.recorder
    walk = _Walk(result, _seals(store, stop), heads_by_position(heads), recorder.stored_id)
    for position, event, record in merged_log(store, stop):
        walk.step(position, event, record)
        if progress is not None and position % PAGE == 0:
            progress(position, stop)
    walk.finish()
    return result


# ---- snapshots ------------------------------------------------------------------------------


def _snapshot_versions(store: LedgerStore) -> dict[UUID, list[int]]:
    assert store.snapshots is not None
    recorder: Any = store.snapshots.recorder
    table = recorder.events_table_name
    if hasattr(recorder.datastore, "schema"):
        from psycopg.sql import SQL, Identifier

        statement = SQL("SELECT originator_id, originator_version FROM {0}.{1}").format(
            Identifier(recorder.datastore.schema), Identifier(table)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement)
            rows = [(row["originator_id"], row["originator_version"]) for row in curs.fetchall()]
    else:
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_id, originator_version FROM {table}")
            rows = [(row[0], row[1]) for row in c.fetchall()]
    versions: dict[UUID, list[int]] = {}
    for originator_id, version in rows:
        key = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        versions.setdefault(key, []).append(int(version))
    return versions


def _state(aggregate: Any) -> dict[str, Any]:
    return {key: value for key, value in vars(aggregate).items() if key != "_pending_events"}


def verify_snapshots(
    store: LedgerStore, result: Verification, progress: Progress | None = None
) -> None:
    """Each snapshot must equal its stream replayed from the first event to its version."""
    if store.snapshots is None:
        return
    by_stream = _snapshot_versions(store)
    for done, (stream_id, versions) in enumerate(sorted(by_stream.items()), start=1):
        try:
            _compare_snapshots(store, stream_id, set(versions), result)
        except Exception as error:  # an edited row may not even decode
            result.findings.append(
                Finding(
                    "snapshot-mismatch",
                    None,
                    str(stream_id),
                    None,
                    f"the stream or its snapshots cannot be read back: {error}",
                )
            )
        if progress is not None:
            progress(done, len(by_stream))


def _compare_snapshots(
    store: LedgerStore, stream_id: UUID, wanted: set[int], result: Verification
) -> None:
    assert store.snapshots is not None
    aggregate: Any = None
    last_version = 0
    # The library types what it reads back as bare events; an aggregate's events and its
    # snapshots are all events that mutate it.
    for domain_event in store.events.get(stream_id, lte=max(wanted)):
        aggregate = cast(CanMutateProtocol[Any], domain_event).mutate(aggregate)
        version = last_version = domain_event.originator_version
        if version not in wanted:
            continue
        result.snapshots += 1
        snapshot = next(iter(store.snapshots.get(stream_id, gt=version - 1, lte=version)))
        if _state(cast(CanMutateProtocol[Any], snapshot).mutate(None)) != _state(aggregate):
            result.findings.append(
                Finding(
                    "snapshot-mismatch",
                    None,
                    str(stream_id),
                    version,
                    "the snapshot differs from replaying the stream's events",
                )
            )
    for version in sorted(number for number in wanted if number > last_version):
        result.snapshots += 1
        result.findings.append(
            Finding(
                "snapshot-ahead",
                None,
                str(stream_id),
                version,
                f"a snapshot of version {version}, but the stream's events end at "
                f"v{last_version}: events were removed from the end of the log",
            )
        )


# ---- the issued reports' files (docs/audit.md §7) --------------------------------------------


def verify_report_files(store: LedgerStore, result: Verification) -> None:
    """Each kept file's bytes against the SHA-256 it is kept under, and each file an issued
    report's event names against the files kept."""
    kept: set[str] = set()
    for digest, content in store.kept_files():
        kept.add(digest)
        result.report_files += 1
        if hashlib.sha256(content).hexdigest() != digest:
            result.findings.append(
                Finding(
                    "report-file-mismatch",
                    None,
                    "",
                    None,
                    f"the issued report file kept as {digest} no longer has that SHA-256",
                )
            )
    for row in _events(store, stored_end(store), REPORT_ISSUED_TOPIC):
        try:
            state = json.loads(stored_bytes(row.state))
            named = dict(state.get("files", {}))
        except (ValueError, TypeError, AttributeError):
            continue  # an unreadable event is an edited one: the chain reports it
        for name, digest in sorted(named.items()):
            if digest not in kept:
                result.findings.append(
                    Finding(
                        "report-file-missing",
                        row.position,
                        str(row.originator_id),
                        None,
                        f"the {state.get('quarter')} report issued on "
                        f"{state.get('business_date')} names its {name} file {digest}, "
                        "which the store does not keep",
                    )
                )


def verify_store(
    store: LedgerStore,
    heads: Sequence[ExternalHead] = (),
    *,
    check_snapshots: bool = True,
    progress: Progress | None = None,
) -> Verification:
    result = verify_chain(store, heads, progress)
    if check_snapshots:
        verify_snapshots(store, result)
    verify_report_files(store, result)
    return result
