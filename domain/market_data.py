"""The `MarketData` aggregate: dated prime rates, for interest on the FINRA cap account.

"Interest at the prime rate plus one per cent per annum" needs the prime rate of each day; the
ledger never hard-codes it. Each `PrimeRateSet` takes effect from its date until the next.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.ids import NAMESPACE

MARKET_DATA_ID: UUID = uuid5(NAMESPACE, "market-data")
PRIME_RATE_CEILING = Decimal("0.5")


class MarketData(DirectEvents, Aggregate):
    TOPIC = "planledger.MarketData"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.MarketData.Created"

    class MarketDataOpened(Aggregate.Created, Event):
        TOPIC = "planledger.MarketData.MarketDataOpened"

    def __init__(self) -> None:
        # The library calls this when the stream is created, with the created event's fields
        # of the same names; state is set here, not by an annotation on the class, because
        # annotations would make the library turn the aggregate into a dataclass.
        self.prime_rates: dict[str, Decimal] = {}  # ISO date it takes effect -> rate

    class PrimeRateSet(Event):
        TOPIC = "planledger.MarketData.PrimeRateSet"
        rate_annual: Decimal
        rate_source: str

        def apply(self, market_data: MarketData) -> None:
            market_data.prime_rates[self.business_date.isoformat()] = self.rate_annual

    @classmethod
    def open(cls, opened_on: date, provenance: Provenance) -> MarketData:
        return cls._create(
            cls.MarketDataOpened,
            id=MARKET_DATA_ID,
            **provenance_fields(provenance, opened_on, "market-data"),
        )

    def set_prime_rate(
        self, effective_from: date, rate_annual: Decimal, rate_source: str, provenance: Provenance
    ) -> str:
        recorded = self.prime_rates.get(effective_from.isoformat())
        if recorded == rate_annual:
            return "unchanged"
        if recorded is not None or not (Decimal(0) <= rate_annual < PRIME_RATE_CEILING):
            raise RuleViolation(
                "prime-rate",
                "NASD 2830(d) (interest at prime + 1%)",
                f"a prime rate of {rate_annual} from {effective_from} is "
                + ("already recorded otherwise" if recorded is not None else "not plausible"),
            )
        key = f"prime-rate/{effective_from}"
        self.trigger_event(
            self.PrimeRateSet,
            **provenance_fields(provenance, effective_from, key),
            rate_annual=rate_annual,
            rate_source=rate_source,
        )
        return "recorded"

    def prime_rate_lookup(self) -> Callable[[date], Decimal | None]:
        """The prime rate in force on a day (None before the first one recorded)."""
        dates = sorted(self.prime_rates)
        rates = [self.prime_rates[iso_date] for iso_date in dates]

        def prime_rate_on(day: date) -> Decimal | None:
            index = bisect.bisect_right(dates, day.isoformat())
            return None if index == 0 else rates[index - 1]

        return prime_rate_on
