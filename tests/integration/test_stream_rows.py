"""The recorder's `stream_rows` (docs/decisions.md P-reports-5), on SQLite and PostgreSQL: the
events of several streams in one statement, as the library's `select_events` gives them stream
by stream, up to a log position; and the report's events hash read from them, unchanged."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from adapters.outputs.reports import events_digest
from domain.ids import fund_class_id, service_arrangement_id
from domain.registry import REGISTRY_ID
from tests.integration.scenario import FUND_CLASS

QUARTER_END = date(2003, 9, 30)


def library_rows(store, stream, position=None):
    recorder = store.recorder
    version = None if position is None else store.version_at(stream, position)
    if position is not None and version is None:
        return []
    return [
        (recorder.stored_id(stream), e.originator_version, e.topic, bytes(e.state))
        for e in recorder.select_events(stream, lte=version)
    ]


def test_the_streams_rows_are_the_librarys_in_one_read(quarter, store):
    streams = [fund_class_id(*FUND_CLASS.split("/")), REGISTRY_ID]
    by_stream = {store.recorder.stored_id(s): s for s in streams}
    middle = store.head_position() // 2
    for position in (None, middle):
        rows = store.recorder.stream_rows(streams, position)
        assert len(rows) > 2
        assert [r[0] for r in rows] == sorted(r[0] for r in rows)  # by stream, then version
        for stored_id, stream in by_stream.items():
            assert [r for r in rows if r[0] == stored_id] == library_rows(store, stream, position)


def old_events_digest(view, fund_class, last_day):
    """The events hash as it was computed before `stream_rows`: stream by stream, through the
    library's `select_events` up to each stream's version at the view's position."""
    fund_code, share_class = fund_class.split("/", 1)
    registry = view.registry()
    providers = sorted(p for p, keys in registry.service_arrangements.items() if fund_class in keys)
    streams = [fund_class_id(fund_code, share_class)] + [
        service_arrangement_id(provider, fund_code, share_class) for provider in providers
    ]
    digest, count = hashlib.sha256(), 0
    for stream in streams:
        version = view.store.version_at(stream, view.known_position)
        if view.known_position is not None and version is None:
            continue
        for stored in view.store.recorder.select_events(stream, lte=version):
            if json.loads(stored.state)["business_date"] > last_day.isoformat():
                continue
            digest.update(f"{stream}|{stored.originator_version}|{stored.topic}|".encode())
            digest.update(stored.state)
            digest.update(b"\n")
            count += 1
    return digest.hexdigest(), count, providers


def test_the_events_hash_is_the_one_read_stream_by_stream(quarter, store):
    ledger, _ = quarter
    for view in (ledger.view, ledger.view.as_known_at(store.head_position() // 2)):
        for last_day in (date(2003, 7, 31), QUARTER_END):
            *expected, _ = old_events_digest(view, FUND_CLASS, last_day)
            assert events_digest(view, FUND_CLASS, last_day) == tuple(expected)
