"""Building a new event as the library builds one it reads: its `__dict__` set at once.

The library's `trigger_event` checks the event class's topic, copies the arguments, and calls
the event's frozen-dataclass `__init__`, which sets each of some twenty-five fields by
`object.__setattr__` and then checks the originator's id. For an accrual that was about 4.5 µs
of the ingest's 42 per event. The event that comes out is a plain object whose `__dict__` holds
its fields, which is also how the mapper restores a stored event (`object.__new__`, then the
`__dict__`): `DirectEvents.trigger_event` builds it that way when the arguments are exactly
the event's declared fields, and leaves everything else to the library.

So the library still checks each (aggregate class, event class) pair the first time it is
triggered: the topic is explicit and registered, the class is not the base `Event`. Any call
whose arguments are not exactly the declared fields (a missing or an unknown one, a default
relied on, a timestamp given), any event class with a `__post_init__` of its own or a field
not set by `__init__`, and any aggregate whose id is not a UUID go through the library's path,
which builds the event or raises as it always did.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import DomainEvent

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate as AggregateBase
    from eventsourcing.domain import CanMutateAggregate
else:
    AggregateBase = object

# Set by `trigger_event` itself, never passed by a command.
_SET_BY_TRIGGER = frozenset({"originator_id", "originator_version", "timestamp"})

# For each (aggregate class, event class) the library's path has built once: the names of the
# fields a command passes, or None if such events are always built by the library.
_DIRECT_FIELDS: dict[tuple[type, type], frozenset[str] | None] = {}


def direct_fields(event_class: type) -> frozenset[str] | None:
    """The fields a command passes, if an event of this class may be built directly: a
    dataclass whose `__init__` sets every field and whose only `__post_init__` is the
    library's (the originator id's type check, which `trigger_event` makes itself)."""
    if not dataclasses.is_dataclass(event_class):
        return None
    if getattr(event_class, "__post_init__", None) is not DomainEvent.__post_init__:
        return None
    fields = dataclasses.fields(event_class)
    names = frozenset(field.name for field in fields)
    if not all(field.init for field in fields) or not names >= _SET_BY_TRIGGER:
        return None
    return names - _SET_BY_TRIGGER


class DirectEvents(AggregateBase):
    """An aggregate whose new events are built directly (see the module's docstring)."""

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        pair = (type(self), event_class)
        names = _DIRECT_FIELDS.get(pair)
        aggregate_id = self.id
        if names is None or kwargs.keys() != names or type(aggregate_id) is not UUID:
            super().trigger_event(event_class, **kwargs)
            if pair not in _DIRECT_FIELDS:  # checked by the library and built once: known
                _DIRECT_FIELDS[pair] = direct_fields(event_class)
            return
        # The library's order of the fields (its three first), then the command's.
        state: dict[str, Any] = {
            "originator_id": aggregate_id,
            "originator_version": self.version + 1,
            "timestamp": event_class.create_timestamp(),
        }
        state.update(kwargs)
        new_event = object.__new__(event_class)
        object.__setattr__(new_event, "__dict__", state)
        new_event.mutate(self)
        self._pending_events.append(new_event)
