"""What the checks read of the events: their topics, the stream of each fund class and service
arrangement, and amounts in cents."""

from __future__ import annotations

from decimal import Decimal

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bundle import Json

TOPIC = "planledger.FundClass."
SERVICE = "planledger.ServiceArrangement."
SEALED = "planledger.ChainSeal.ChainSealed"
ISSUE = "planledger.FundClass.QuarterlyReportIssued"


def cents(value: str) -> int:
    return int(Decimal(value) * 100)


def shown_cents(amount: int) -> str:
    return str((Decimal(amount) / 100).quantize(Decimal("0.01")))


def stream_keys(events: list[Json]) -> dict[str, tuple[str, str]]:
    """Stream → (fund class, provider), from the events that open fund classes and service
    arrangements."""
    keys: dict[str, tuple[str, str]] = {}
    for event in events:
        fields = event["fields"]
        if event["topic"] == TOPIC + "PlanAdopted":
            keys[event["stream"]] = (f"{fields['fund_code']}/{fields['share_class']}", "")
        elif event["topic"] == SERVICE + "ServiceArrangementOpened":
            key = f"{fields['fund_code']}/{fields['share_class']}"
            keys[event["stream"]] = (key, fields["provider_code"])
    return keys


def event_name(topic: str) -> str:
    return topic.rpartition(".")[2] if topic.startswith((TOPIC, SERVICE)) else ""


def plans(events: list[Json]) -> dict[str, Json]:
    """Fund class → the fields of its PlanAdopted event."""
    return {
        f"{event['fields']['fund_code']}/{event['fields']['share_class']}": event["fields"]
        for event in events
        if event["topic"] == TOPIC + "PlanAdopted"
    }
