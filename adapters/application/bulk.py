"""Bulk commands: written in batches of bounded size, with the cyclic collector paused."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

from adapters.store.chain import STATEMENT_EVENTS
from adapters.store.persistence import LedgerStore

Progress = Callable[[int, int], None]
P = ParamSpec("P")
T = TypeVar("T")

# Bulk commands send their one transaction in statements of at most this many events.
WRITE_BATCH_EVENTS = STATEMENT_EVENTS


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
    """Saves the aggregates a bulk command changes: all of them in one transaction, at the end.

    A bulk command calls `changed(aggregate)` after each command on an aggregate, and `flush()`
    once every row or class has been decided: a refusal anywhere (even on the last row, after
    hundreds of thousands of events were decided) therefore writes nothing, and a run that is
    killed leaves the log as it was. The one transaction is sent in statements of at most
    `WRITE_BATCH_EVENTS` events, because one statement of several megabytes stalls the
    PostgreSQL driver (docs/decisions.md D-all-or-nothing).
    """

    def __init__(self, store: LedgerStore) -> None:
        self.store = store
        self.pending: dict[UUID, Any] = {}

    def changed(self, aggregate: Any) -> None:
        self.pending[aggregate.id] = aggregate

    def flush(self) -> None:
        if self.pending:
            self.store.save(*self.pending.values(), statement_events=WRITE_BATCH_EVENTS)
            # The command is done with them: the next command may load them from here.
            self.store.settle(self.pending.values())
        self.pending = {}
