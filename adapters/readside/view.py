"""The ledger as known at one log position: its aggregates and its read-model queries.

A `LedgerView` reads; it never writes. With `known_position=None` it reads the ledger as it is
now; `as_known_at(position)` gives the view of the same ledger as it stood at that position
(docs/audit.md §1): aggregates at their version of then, read-model rows written by then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Engine

from adapters.readside import queries
from adapters.readside.queries import (
    AccountBalance,
    AccrualTotal,
    FundClassBalances,
    JournalRow,
)
from adapters.readside.read_models import ReadModels
from adapters.store.persistence import LedgerStore
from domain.board import Board, board_id
from domain.errors import UnknownFundClassError
from domain.fund_class import FundClass
from domain.ids import fund_class_id, fund_class_key, plan_instrument_id, service_arrangement_id
from domain.instrument import PlanInstrument
from domain.market_data import MARKET_DATA_ID, MarketData
from domain.periods import Period
from domain.registry import REGISTRY_ID, Registry
from domain.service import ServiceArrangement
from domain.service_fees import ServiceFeeCap
from projections.split import Covering, MonthBasis

PrimeRateLookup = Callable[[date], Decimal | None]


@dataclass(frozen=True)
class LedgerView:
    """Aggregates and read-model answers as known at `known_position` (None: now)."""

    store: LedgerStore
    read_models: ReadModels
    known_position: int | None = None

    def as_known_at(self, position: int | None) -> LedgerView:
        """The same ledger as it stood at `position` (this view, for None)."""
        if position is None:
            return self
        return replace(self, known_position=position)

    def position_known_at(self, moment: datetime | None) -> int | None:
        """The log position known at `moment` (None: now, everything)."""
        if moment is None:
            return None
        return self.store.position_known_at(moment)

    @property
    def engine(self) -> Engine:
        return self.read_models.engine

    # ---- aggregates -------------------------------------------------------------------------

    def load(self, aggregate_id: UUID) -> Any:
        """The aggregate, as known at this view's position.

        Raises:
            AggregateNotFoundError: no such aggregate (or not yet, at the position).
        """
        if self.known_position is None:
            settled = self.store.take_settled(aggregate_id)
            if settled is not None:
                return settled
            return self.store.repository.get(aggregate_id)
        version = self.store.version_at(aggregate_id, self.known_position)
        if version is None:
            raise AggregateNotFoundError(aggregate_id)
        return self.store.repository.get(aggregate_id, version=version)

    def stream(self, aggregate_id: UUID) -> Iterator[Any]:
        if self.known_position is None:
            return iter(self.store.events.get(aggregate_id))
        version = self.store.version_at(aggregate_id, self.known_position)
        return iter(self.store.events.get(aggregate_id, lte=version) if version else [])

    def _load_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.load(aggregate_id)
        except AggregateNotFoundError:
            return None

    def registry(self) -> Registry | None:
        return cast(Registry | None, self._load_or_none(REGISTRY_ID))

    def market_data(self) -> MarketData | None:
        return cast(MarketData | None, self._load_or_none(MARKET_DATA_ID))

    def board(self, company_code: str) -> Board | None:
        return cast(Board | None, self._load_or_none(board_id(company_code)))

    def prime_rate_lookup(self) -> PrimeRateLookup:
        market_data = self.market_data()
        return market_data.prime_rate_lookup() if market_data else _no_prime_rate

    def fund_class_keys(self) -> list[str]:
        registry = self.registry()
        return sorted(registry.fund_classes) if registry else []

    def fund_class(self, fund_code: str, share_class: str) -> FundClass:
        """Raises:
        UnknownFundClassError: no such class (or not yet, at the position).
        """
        try:
            return cast(FundClass, self.load(fund_class_id(fund_code, share_class)))
        except AggregateNotFoundError:
            key = fund_class_key(fund_code, share_class)
            raise UnknownFundClassError.naming(
                f"unknown fund class {key}",
                key,
                self.fund_class_keys(),
                "a new one needs its plan loaded first",
            ) from None

    def fund_class_by_key(self, key: str) -> FundClass:
        """Raises:
        UnknownFundClassError: no such class, or `key` is not FUND/CLASS.
        """
        if "/" not in key:
            self.check_fund_class_keys([key])
        fund_code, share_class = key.split("/", 1)
        return self.fund_class(fund_code, share_class)

    def check_fund_class_keys(self, keys: Iterable[str]) -> None:
        """Raises:
        UnknownFundClassError: one of `keys` names no known class (the first, with the
            nearest known).
        """
        known = self.fund_class_keys()
        for key in keys:
            if key not in known:
                what = "" if "/" in key else " (write FUND/CLASS)"
                raise UnknownFundClassError.naming(f"unknown fund class {key}{what}", key, known)

    def plan_instrument(
        self, fund_class: FundClass, loaded: dict[str, PlanInstrument] | None = None
    ) -> PlanInstrument:
        """The plan instrument the class was adopted under. `loaded`: the instruments a caller
        reporting on many classes has read, by document (one holds every class adopted under
        it, so its load takes longer with the classes: read for each, it made their reports
        take a time in N squared)."""
        memo = {} if loaded is None else loaded
        if fund_class.document_sha256 not in memo:
            instrument = self.load(plan_instrument_id(fund_class.document_sha256))
            memo[fund_class.document_sha256] = cast(PlanInstrument, instrument)
        return memo[fund_class.document_sha256]

    def plan_type_of(
        self, fund_class: FundClass, loaded: dict[str, PlanInstrument] | None = None
    ) -> str:
        """The type of the plan the class was adopted under (Form N-1A Item 19(g)): an
        instrument recorded before the type was data reads as compensation (decision Q3)."""
        return self.plan_instrument(fund_class, loaded).plan_type

    def fiscal_year_end_of(
        self, fund_class: FundClass, loaded: dict[str, PlanInstrument] | None = None
    ) -> str:
        """The fund's fiscal year end, MM-DD, as its plan file states it in Schedule A; the
        calendar year's end when it does not (decision F-board-1)."""
        instrument = self.plan_instrument(fund_class, loaded)
        stated: dict[str, str] = getattr(instrument, "fiscal_year_ends", {})
        return stated.get(fund_class.fund_code, CALENDAR_YEAR_END)

    def fund_classes(self) -> list[FundClass]:
        return [self.fund_class_by_key(key) for key in self.fund_class_keys()]

    def fund_classes_of(self, company_code: str) -> list[FundClass]:
        return [fc for fc in self.fund_classes() if fc.company_code == company_code]

    def arrangement(
        self, provider_code: str, fund_code: str, share_class: str
    ) -> ServiceArrangement:
        """Raises:
        UnknownFundClassError: no agreement is recorded for the provider on the class.
        """
        try:
            return cast(
                ServiceArrangement,
                self.load(service_arrangement_id(provider_code, fund_code, share_class)),
            )
        except AggregateNotFoundError:
            key = fund_class_key(fund_code, share_class)
            self.check_fund_class_keys([key])
            registry = self.registry()
            agreed = registry.service_arrangements.items() if registry else []
            providers = [provider for provider, keys in agreed if key in keys]
            raise UnknownFundClassError.naming(
                f"no service agreement recorded for provider {provider_code} on {key}",
                provider_code,
                providers,
            ) from None

    def arrangements(self) -> list[ServiceArrangement]:
        registry = self.registry()
        if registry is None:
            return []
        return [
            self.arrangement(provider, *key.split("/", 1))
            for provider, keys in sorted(registry.service_arrangements.items())
            for key in keys
        ]

    def service_fee_cap(
        self,
        provider_code: str,
        fund_code: str,
        share_class: str,
        period: Period,
        *,
        max_carry_days: int,
    ) -> ServiceFeeCap:
        fund_class = self.fund_class(fund_code, share_class)
        arrangement = self.arrangement(provider_code, fund_code, share_class)
        return arrangement.service_fee_cap(
            period, fund_class.service_rate_max_on, max_carry_days=max_carry_days
        )

    # ---- read models, at this view's position -----------------------------------------------

    def trial_balance(self, as_of: date, entity: str | None = None) -> list[AccountBalance]:
        return queries.trial_balance(self.engine, as_of, self.known_position, entity)

    def balances(self, as_of: date) -> list[FundClassBalances]:
        return queries.balances(self.engine, as_of, self.known_position)

    def journal(
        self,
        *,
        start: date | None = None,
        end_inclusive: date | None = None,
        fund_class: str | None = None,
        account: str | None = None,
        entity: str | None = None,
    ) -> list[JournalRow]:
        return queries.journal(
            self.engine,
            start=start,
            end_inclusive=end_inclusive,
            fund_class=fund_class,
            account=account,
            entity=entity,
            known_position=self.known_position,
        )

    def accrual_totals(
        self,
        by: str,
        *,
        fund_class: str | None = None,
        start: date | None = None,
        end_inclusive: date | None = None,
    ) -> list[AccrualTotal]:
        return queries.accrual_totals(
            self.engine,
            by,
            fund_class=fund_class,
            start=start,
            end_inclusive=end_inclusive,
            known_position=self.known_position,
        )

    def split_inputs(
        self,
        start: date,
        end_exclusive: date,
        as_of: date | None = None,
        fund_class: str | None = None,
    ) -> tuple[list[Covering], list[Covering], list[MonthBasis]]:
        return queries.split_inputs(
            self.engine,
            start,
            end_exclusive,
            known_position=self.known_position,
            as_of=as_of,
            fund_class=fund_class,
        )

    def expenditures(
        self, fund_class: str, start: date, end_exclusive: date
    ) -> list[dict[str, Any]]:
        return queries.expenditures(
            self.engine, fund_class, start, end_exclusive, self.known_position
        )

    def provider_kinds(self) -> dict[tuple[str, str], str]:
        return queries.provider_kinds(self.engine, self.known_position)


CALENDAR_YEAR_END = "12-31"


def _no_prime_rate(day: date) -> Decimal | None:
    return None
