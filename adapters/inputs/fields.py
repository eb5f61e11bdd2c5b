"""The grammar of adapters/inputs/grammar.py as pydantic field types, for the models of the
CSV and TOML files. Apart from the grammar, so that reading an option on the command line does
not load pydantic (README, "Start-up")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

from adapters.inputs.grammar import (
    check_date,
    parse_date,
    parse_money,
    parse_period_text,
    parse_rate,
    period_label,
)
from domain.plan import PlanType

# ---- the same grammar as pydantic field types ------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {type(value).__name__}")
    return value


def _toml_date(value: Any) -> date:
    """A TOML file's date is a TOML local date (`2004-05-20`), never a number, a string or a
    date with a time."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"expected a TOML date like 2004-05-20, got {value!r}")
    return check_date(value)


def _toml_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false (a TOML boolean), got {value!r}")
    return value


def _toml_plan_type(value: Any) -> PlanType:
    """The plan's type (Form N-1A Item 19(g)) as the plan file writes it: exactly one of the
    words, never a guess from another spelling."""
    words = {plan_type.value: plan_type for plan_type in PlanType}
    if not isinstance(value, str) or value not in words:
        choices = " or ".join(repr(word) for word in words)
        raise ValueError(f"expected {choices}, got {value!r}")
    return words[value]


def _csv_flag(value: Any) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"expected true or false: {value!r}")
    return bool(value == "true")


CsvDate = Annotated[date, BeforeValidator(lambda value: parse_date(_text(value)))]
PositiveMoney = Annotated[Decimal, BeforeValidator(lambda value: parse_money(_text(value)))]
NonNegativeMoney = Annotated[
    Decimal,
    BeforeValidator(
        lambda value: parse_money(_text(value), minimum="non-negative", max_integer_digits=18)
    ),
]
CsvFlag = Annotated[bool, BeforeValidator(_csv_flag)]
CsvPeriod = Annotated[str, BeforeValidator(lambda value: _period_label(_text(value)))]
TomlDate = Annotated[date, BeforeValidator(_toml_date)]
TomlBool = Annotated[bool, BeforeValidator(_toml_bool)]
TomlPlanType = Annotated[PlanType, BeforeValidator(_toml_plan_type)]
Rate = Annotated[str, BeforeValidator(lambda value: _rate_text(_text(value)))]


def _period_label(text: str) -> str:
    parse_period_text(text)
    return period_label(text)


def _rate_text(text: str) -> str:
    parse_rate(text)
    return text
