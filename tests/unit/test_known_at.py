"""Parsing `--known-at`, and the commit-time text it is compared with (docs/audit.md §1)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time

import pytest

from adapters.chain import format_commit_time
from adapters.cli_audit import known_at_time

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-11-20", "20261120"])
def test_a_date_alone_is_the_end_of_that_day(text):
    assert known_at_time(text, NOW) == datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T10:00:00+02:00", datetime(2026, 11, 20, 8, tzinfo=UTC)),
        ("2026-11-20T10:00", datetime(2026, 11, 20, 10, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_utc(text, expected):
    assert known_at_time(text, NOW) == expected


def test_today_means_now_and_a_later_time_is_refused():
    assert known_at_time("2026-11-26", NOW) == NOW
    with pytest.raises(argparse.ArgumentTypeError, match="in the future"):
        known_at_time("2026-11-26T15:00:01Z", NOW)
    with pytest.raises(argparse.ArgumentTypeError, match="in the future"):
        known_at_time("2100-01-01T00:00Z", NOW)
    with pytest.raises(argparse.ArgumentTypeError, match="in the future"):
        known_at_time("2026-11-27", NOW)


def test_commit_times_keep_their_width_so_text_order_is_time_order():
    early = datetime.combine(datetime(999, 1, 1).date(), time.max, tzinfo=UTC)
    assert format_commit_time(early) == "0999-01-01T23:59:59.999999Z"
    assert format_commit_time(early) < format_commit_time(NOW)
