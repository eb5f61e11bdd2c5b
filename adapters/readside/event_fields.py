"""An event's stored fields as `planledger log --format json|csv` gives them (docs/audit.md §5).

The log is an interface other programs build on (reconciliations, examiners' scripts), so its
values follow one contract, whatever the event library stores:

    money                    a string with two decimals ("136.99")
    an annual rate           its decimal fraction, exactly ("0.0025")
    other decimals           their exact string (shares, votes, exact amounts, averages)
    dates and times          ISO strings
    booleans, lists, dicts   JSON booleans, lists and objects, their values by the same rules

The library's tagged form (`{"_type_": "decimal_str", "_data_": "0.0025"}`), which the store
keeps for values nested in lists and dicts, never reaches the reader.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

from domain.money import CENT, format_money

# A decimal whose field name holds one of these is not money: it keeps its exact string.
NOT_MONEY_MARKERS = ("rate", "exact", "shares", "votes", "abstentions", "average")
_TAGS: dict[str, Callable[[Any], Any]] = {
    "decimal_str": Decimal,
    "date_iso": str,
    "datetime_iso": str,
    "uuid_hex": lambda data: str(UUID(hex=data)),
}


def decimal_text(name: str, value: Decimal) -> str:
    """A decimal as the contract writes it; money that is not whole cents keeps its exact
    string (rounding it here would lose what the ledger recorded)."""
    exact = format(value, "f")
    if any(marker in name for marker in NOT_MONEY_MARKERS) or not value.is_finite():
        return exact
    if value != value.quantize(CENT):
        return exact
    return format_money(value)


@cache
def decimal_fields(event_class: type) -> frozenset[str]:
    """The fields an event class declares as Decimal (or Decimal | None): stored as plain
    strings, which only the declaration tells apart from text."""
    names = set()
    for name, annotation in typing.get_type_hints(event_class).items():
        if annotation is Decimal or Decimal in typing.get_args(annotation):
            names.add(name)
    return frozenset(names)


def contract_value(name: str, value: Any) -> Any:
    """A nested value by the contract; `name` is the nearest field name above it (the keys of
    a dict by month, say, are not field names, so its values take the dict's name)."""
    if isinstance(value, Mapping):
        tag = value.get("_type_")
        if isinstance(tag, str) and tag in _TAGS and set(value) == {"_type_", "_data_"}:
            return contract_value(name, _TAGS[tag](value["_data_"]))
        return {
            key: contract_value(key if _is_field_name(key) else name, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [contract_value(name, item) for item in value]
    if isinstance(value, Decimal):
        return decimal_text(name, value)
    return value


def _is_field_name(key: Any) -> bool:
    return isinstance(key, str) and key.replace("_", "").isalpha() and key.islower()


def contract_fields(state: Mapping[str, Any], event_class: type | None) -> dict[str, Any]:
    """The stored state of one event, every value by the contract."""
    declared = decimal_fields(event_class) if event_class is not None else frozenset()
    fields: dict[str, Any] = {}
    for name, value in state.items():
        if name in declared and isinstance(value, (str, int)) and not isinstance(value, bool):
            fields[name] = decimal_text(name, Decimal(value))
        else:
            fields[name] = contract_value(name, value)
    return fields
