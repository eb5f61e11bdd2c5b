"""Commands that lose a race with another process: re-run from a fresh load, or a conflict.

Two processes that load the same aggregate and both record on it cannot both append: the second
insert of the same stream version fails in the database (the event library's
`RecordConflictError`). Every command decides on the aggregates it loads and is idempotent
(recorded rows, accrued days and payment references are never recorded twice), so the whole
command is simply run again, from a fresh load, where it decides again on what is now stored: a
payment that no longer fits the payable is then refused by its rule, a row another process
recorded meanwhile is unchanged. After `CONFLICT_ATTEMPTS` lost races the command gives up with
a `CommandConflict` that says whether it wrote anything (docs/decisions.md, C1).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TextIO, TypeVar

from eventsourcing.persistence import RecordConflictError

from adapters.store.persistence import COMMITTED_EVENTS

T = TypeVar("T")

CONFLICT_ATTEMPTS = 10
# The first wait after a lost race, doubled each time (with jitter, so racers spread out), at
# most MAX_BACKOFF_SECONDS: ten attempts wait at most about 9 seconds in all.
BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 2.0


class CommandConflict(Exception):
    """Every attempt of a command lost a race with another process on the same stream."""

    def __init__(self, detail: str, attempts: int, events_written: int) -> None:
        self.detail = detail
        self.attempts = attempts
        self.events_written = events_written
        super().__init__(self.message())

    def message(self) -> str:
        lost = (
            f"another process kept recording on the same records first ({self.attempts} "
            f"attempts, each from a fresh load)"
        )
        if not self.events_written:
            return f"{lost}; nothing was written: run the command again"
        return (
            f"{lost}; {self.events_written} events were written before it: the command is "
            "idempotent, run the same command again to complete it"
        )


def with_retries(command: Callable[[], T], notes: TextIO, attempts: int = CONFLICT_ATTEMPTS) -> T:
    """`command()`, run again from the start each time it loses a race (at most `attempts`).

    Raises:
        CommandConflict: the last attempt lost its race too.
    """
    written_before = COMMITTED_EVENTS.count
    for attempt in range(1, attempts + 1):
        try:
            return command()
        except RecordConflictError as error:
            written = COMMITTED_EVENTS.count - written_before
            if attempt == attempts:
                raise CommandConflict(str(error), attempts, written) from error
            so_far = f"; {written} events written so far" if written else ""
            notes.write(
                f"conflict: another process recorded on the same records first{so_far}; "
                f"retrying from a fresh load (attempt {attempt + 1} of {attempts})\n"
            )
            time.sleep(_backoff_seconds(attempt))
    raise AssertionError("unreachable: the loop returns or raises")


def _backoff_seconds(attempt: int) -> float:
    ceiling: float = min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** (attempt - 1))
    spread: float = random.uniform(0.5, 1.0)  # spreading racers out, not a secret
    return ceiling * spread
