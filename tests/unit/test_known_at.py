"""Parsing `--known-at` and the log's time bounds, settling a time against the ledger's
latest, and the commit-time text they are compared with (docs/audit.md §1)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time

import pytest

from adapters.cli.handlers import (
    CommandInputError,
    ReplicaBehindError,
    settle_known_at,
    settle_on_replica,
)
from adapters.cli.option_types import known_at_time, range_start
from adapters.store.chain import format_commit_time

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
END_OF_20TH = datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-11-20"])
def test_a_date_alone_is_the_end_of_that_day_or_the_start_of_a_range(text):
    assert known_at_time(text) == END_OF_20TH
    assert range_start(text) == datetime(2026, 11, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T10:00:00+02:00", datetime(2026, 11, 20, 8, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_utc(text, expected):
    assert known_at_time(text) == expected


@pytest.mark.parametrize("text", ["2026-11-20T10:00", "2026-11-20T10:00:00", "2026-11-20T10"])
def test_a_time_without_a_zone_is_refused_with_the_form_to_use(text):
    """Issue 12: a zone-less time was read as UTC, and one meant as a business date
    (`--known-at` for `--as-of`) silently answered from an empty ledger."""
    for parse in (known_at_time, range_start):
        with pytest.raises(argparse.ArgumentTypeError) as refused:
            parse(text)
        assert "2004-07-01T12:00:00Z" in str(refused.value)
        assert "+02:00" in str(refused.value)


def test_today_means_the_latest_and_a_later_time_is_refused():
    assert settle_known_at(known_at_time("2026-11-26"), NOW) == NOW
    assert settle_known_at(END_OF_20TH, NOW) == END_OF_20TH
    for text in ("2026-11-26T15:00:01Z", "2100-01-01T00:00Z", "2026-11-27"):
        with pytest.raises(CommandInputError, match="in the future"):
            settle_known_at(known_at_time(text), NOW)


def test_commit_times_keep_their_width_so_text_order_is_time_order():
    early = datetime.combine(datetime(999, 1, 1).date(), time.max, tzinfo=UTC)
    assert format_commit_time(early) == "0999-01-01T23:59:59.999999Z"
    assert format_commit_time(early) < format_commit_time(NOW)


def test_a_replica_answers_up_to_the_time_it_has_reached_and_refuses_after_it():
    """docs/decisions.md S1: not even the end of today is rounded down, as
    the primary does, since the replica's "now" is behind and its answer could be short."""
    assert settle_on_replica(NOW, NOW) == NOW
    with pytest.raises(ReplicaBehindError, match=r"has reached 2026-11-26T15:00:00.000000Z"):
        settle_on_replica(datetime.combine(NOW.date(), time.max, UTC), NOW)
    with pytest.raises(ReplicaBehindError, match="has reached no time yet"):
        settle_on_replica(END_OF_20TH, None)
    assert issubclass(ReplicaBehindError, CommandInputError)  # exit 2, as a future time
