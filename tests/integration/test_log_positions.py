"""The log finds an event by its id and by its position, on SQLite and PostgreSQL alike
(`planledger log --event`, `--position`)."""

from __future__ import annotations

from uuid import uuid4

from adapters.readside.audit_log import LogFilter, event_position, read_log


def test_every_event_is_found_by_its_id_and_its_position(loaded_ledger):
    view = loaded_ledger.view
    entries = list(read_log(view, LogFilter()))
    assert len(entries) > 3
    for entry in entries:
        assert event_position(view, entry.event_id) == entry.position
        chosen = LogFilter(first_position=entry.position, last_position=entry.position)
        assert list(read_log(view, chosen)) == [entry]
    assert event_position(view, f"{uuid4()}:1") is None
    assert event_position(view, "not an id") is None
    middle = LogFilter(first_position=2, last_position=3)
    assert [entry.position for entry in read_log(view, middle)] == [2, 3]


def test_an_event_committed_after_the_view_is_not_found(loaded_ledger):
    entries = list(read_log(loaded_ledger.view, LogFilter()))
    earlier = loaded_ledger.view.as_known_at(entries[0].position)
    assert event_position(earlier, entries[0].event_id) == entries[0].position
    assert event_position(earlier, entries[-1].event_id) is None
