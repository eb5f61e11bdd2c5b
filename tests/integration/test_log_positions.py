"""The log finds an event by its id and by its position, on SQLite and PostgreSQL alike
(`planledger log --event`, `--position`)."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from adapters.readside.audit_log import LogFilter, event_position, read_log
from tests.integration.test_governance import accrue
from tests.integration.test_late_facts import figures_ledger, terminate_by_ibms

__all__ = ["figures_ledger"]  # a fixture, used by name


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


def test_a_day_taken_off_the_books_names_the_accrual_it_reverses(figures_ledger):
    accrue(figures_ledger, date(2004, 3, 12))
    terminate_by_ibms(figures_ledger, date(2004, 3, 10), date(2004, 3, 10))
    view = figures_ledger.view
    accrued = {
        entry.business_date: entry
        for entry in read_log(view, LogFilter(event_types=["FeeAccrued"]))
        if entry.business_date >= date(2004, 3, 1)
    }
    reversals = list(read_log(view, LogFilter(event_types=["FeeAccrualReversed"])))
    assert [entry.business_date for entry in reversals] == [
        date(2004, 3, 10),
        date(2004, 3, 11),
        date(2004, 3, 12),
    ]
    for reversal in reversals:
        day = accrued[reversal.business_date]
        assert (reversal.reverses_event_id, reversal.reverses_position) == (
            day.event_id,
            day.position,
        )
        # The reversal alone, read by its position, still finds the day it reverses.
        chosen = LogFilter(first_position=reversal.position, last_position=reversal.position)
        assert list(read_log(view, chosen)) == [reversal]
