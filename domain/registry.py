"""The `Registry` aggregate: the index of every fund class and service arrangement.

Commands that act on "every fund class" (an accrual run) and importers that must recognise a
fund or provider code read this one small stream instead of scanning the whole event log.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.ids import NAMESPACE, fund_class_key

REGISTRY_ID: UUID = uuid5(NAMESPACE, "registry")


class Registry(DirectEvents, Aggregate):
    TOPIC = "planledger.Registry"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.Registry.Created"

    class RegistryOpened(Aggregate.Created, Event):
        TOPIC = "planledger.Registry.RegistryOpened"

    def __init__(self) -> None:
        # The library calls this when the stream is created, with the created event's fields
        # of the same names; state is set here, not by an annotation on the class, because
        # annotations would make the library turn the aggregate into a dataclass.
        self.fund_classes: dict[str, str] = {}  # fund class key -> plan document SHA-256
        self.service_arrangements: dict[str, list[str]] = {}  # provider -> fund class keys

    class FundClassRegistered(Event):
        TOPIC = "planledger.Registry.FundClassRegistered"
        fund_code: str
        share_class: str
        document_sha256: str

        def apply(self, registry: Registry) -> None:
            key = fund_class_key(self.fund_code, self.share_class)
            registry.fund_classes[key] = self.document_sha256

    class ServiceArrangementRegistered(Event):
        TOPIC = "planledger.Registry.ServiceArrangementRegistered"
        provider_code: str
        fund_code: str
        share_class: str

        def apply(self, registry: Registry) -> None:
            key = fund_class_key(self.fund_code, self.share_class)
            registry.service_arrangements.setdefault(self.provider_code, []).append(key)

    @classmethod
    def open(cls, opened_on: date, provenance: Provenance) -> Registry:
        return cls._create(
            cls.RegistryOpened,
            id=REGISTRY_ID,
            **provenance_fields(provenance, opened_on, "registry"),
        )

    def register_fund_class(
        self,
        fund_code: str,
        share_class: str,
        document_sha256: str,
        effective: date,
        provenance: Provenance,
    ) -> None:
        key = f"registry/fund-class/{fund_class_key(fund_code, share_class)}"
        self.trigger_event(
            self.FundClassRegistered,
            **provenance_fields(provenance, effective, key),
            fund_code=fund_code,
            share_class=share_class,
            document_sha256=document_sha256,
        )

    def register_service_arrangement(
        self,
        provider_code: str,
        fund_code: str,
        share_class: str,
        opened_on: date,
        provenance: Provenance,
    ) -> None:
        key = (
            f"registry/service-arrangement/{provider_code}/{fund_class_key(fund_code, share_class)}"
        )
        self.trigger_event(
            self.ServiceArrangementRegistered,
            **provenance_fields(provenance, opened_on, key),
            provider_code=provider_code,
            fund_code=fund_code,
            share_class=share_class,
        )

    def has_service_arrangement(self, provider_code: str, fund_class: str) -> bool:
        return fund_class in self.service_arrangements.get(provider_code, [])
