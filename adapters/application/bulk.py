"""Bulk commands: written in batches of bounded size, with the cyclic collector paused."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from adapters.store.persistence import LedgerStore

Progress = Callable[[int, int], None]
P = ParamSpec("P")
T = TypeVar("T")

# Bulk commands write at most about this many events per transaction, once every check passed.
WRITE_BATCH_EVENTS = 10_000


def no_progress(done: int, total: int) -> None:
    return None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk command.

    A bulk import or accrual run keeps hundreds of thousands of acyclic objects (rows, events)
    alive until they are saved; each full collection would scan them all again, for nothing:
    reference counting frees them. The collector is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def bulk(method: Callable[P, T]) -> Callable[P, T]:
    """The use case, run with the cyclic collector paused."""

    @functools.wraps(method)
    def with_gc_paused(*args: P.args, **kwargs: P.kwargs) -> T:
        with cyclic_gc_paused():
            return method(*args, **kwargs)

    return with_gc_paused


class BatchedWriter:
    """Saves the aggregates a bulk command changes, in transactions of bounded size.

    A bulk command calls `changed(aggregate)` after each command on an aggregate; once the
    pending events reach `WRITE_BATCH_EVENTS`, every changed aggregate is saved together. It
    is used only after every check of the command has passed, so a refusal writes nothing; a
    run cut short between batches is completed by running the same command again, because
    recorded rows and accrued days are never recorded twice. (One statement with hundreds of
    thousands of events also stalls the PostgreSQL driver, which is why there is a bound.)
    """

    def __init__(self, store: LedgerStore, limit_events: int = WRITE_BATCH_EVENTS) -> None:
        self.store = store
        self.limit_events = limit_events
        self.pending: dict[UUID, Any] = {}
        self.pending_counts: dict[UUID, int] = {}
        self.pending_total = 0

    def changed(self, aggregate: Any) -> None:
        count = len(aggregate.pending_events)
        self.pending_total += count - self.pending_counts.get(aggregate.id, 0)
        self.pending_counts[aggregate.id] = count
        self.pending[aggregate.id] = aggregate
        if self.pending_total >= self.limit_events:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.save(*self.pending.values())
        self.pending, self.pending_counts, self.pending_total = {}, {}, 0
