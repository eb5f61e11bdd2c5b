"""read-models/balances.json against balances recomputed from the events: per fund class, the
fee accrued, paid to the Distributor, payable, the receivable from the Distributor and the
last day accrued, on the bundle's as-of date."""

from __future__ import annotations

import json
from decimal import Decimal

from .bundle import BALANCES, Bundle, money, same_figure
from .events import TOPIC

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bundle import Figure, Json

ZERO = Decimal("0.00")


def recompute_balances(events: list[Json], as_of: str) -> dict[str, dict[str, Figure]]:
    classes: dict[str, str] = {}
    totals: dict[str, dict[str, Decimal]] = {}
    accrued_through: dict[str, str | None] = {}
    booked_days: dict[str, set[str]] = {}
    for event in events:
        topic, fields = event["topic"], event["fields"]
        if topic == TOPIC + "PlanAdopted":
            adopted = f"{fields['fund_code']}/{fields['share_class']}"
            classes[event["stream"]] = adopted
            totals[adopted] = dict.fromkeys(
                (
                    "absc_accrued",
                    "service_accrued",
                    "absc_paid",
                    "service_paid",
                    "absc_receivable",
                    "service_receivable",
                ),
                ZERO,
            )
            accrued_through[adopted] = None
            continue
        key = classes.get(event["stream"])
        if key is None or fields.get("business_date", "") > as_of:
            continue
        parts = _parts(topic, fields)
        if parts is not None:
            for name, amount in parts.items():
                totals[key][name] += amount
        # Accrued through the last day accrued and not reversed (a late fact, decision A19).
        if topic == TOPIC + "FeeAccrued":
            booked_days.setdefault(key, set()).add(fields["business_date"])
        elif topic == TOPIC + "FeeAccrualReversed":
            booked_days.setdefault(key, set()).discard(fields["business_date"])
        else:
            continue
        accrued_through[key] = max(booked_days[key], default=None)
    return {
        key: {
            **sums,
            "absc_payable": sums["absc_accrued"] - sums["absc_paid"] + sums["absc_receivable"],
            "service_payable": (
                sums["service_accrued"] - sums["service_paid"] + sums["service_receivable"]
            ),
            "accrued_through": accrued_through[key],
        }
        for key, sums in totals.items()
    }


def _parts(topic: str, fields: Json) -> dict[str, Decimal] | None:
    """What one fund-class event adds to the accrued and paid totals."""
    name = topic.removeprefix(TOPIC)
    if name == "FeeAccrued":
        return {
            "absc_accrued": money(fields["absc_amount"]),
            "service_accrued": money(fields["service_amount"]),
        }
    if name == "AccrualTrueUpPosted":
        return {
            "absc_accrued": money(fields["adjustment_absc"]),
            "service_accrued": money(fields["adjustment_service"]),
        }
    if name in ("FeeAccrualAdjusted", "FeeAccrualReversed"):
        return {
            "absc_accrued": money(fields["absc_amount_delta"]),
            "service_accrued": money(fields["service_amount_delta"]),
        }
    if name == "DistributorPaid":
        return {
            "absc_paid": money(fields["absc_amount"]),
            "service_paid": money(fields["service_amount"]),
        }
    if name == "DistributorPaymentReversed":
        return {
            "absc_paid": -money(fields["absc_amount"]),
            "service_paid": -money(fields["service_amount"]),
        }
    return _receivable_parts(name, fields)


def _receivable_parts(name: str, fields: Json) -> dict[str, Decimal] | None:
    """The receivable from the Distributor: booked by a correction (the payable it took below
    zero), settled by an offset (as a payment of the months paid for) or by a refund."""
    if name == "DistributorReceivableBooked":
        return {
            "absc_receivable": money(fields["absc_amount"]),
            "service_receivable": money(fields["service_amount"]),
        }
    if name in ("DistributorReceivableOffset", "DistributorRefundReceived"):
        absc, service = money(fields["receivable_absc"]), money(fields["receivable_service"])
        paid_absc = money(fields.get("payable_absc", "0")) - absc
        paid_service = money(fields.get("payable_service", "0")) - service
        return {
            "absc_receivable": -absc,
            "service_receivable": -service,
            "absc_paid": paid_absc,
            "service_paid": paid_service,
        }
    return None


def check_balances(bundle: Bundle, events: list[Json], manifest: Json, problems: list[str]) -> int:
    try:
        stated = json.loads(bundle.read(BALANCES))
    except (KeyError, FileNotFoundError, ValueError) as error:
        problems.append(f"{BALANCES}: unreadable ({error})")
        return 0
    recomputed = recompute_balances(events, manifest["as_of"])
    stated_by_class = {row["fund_class"]: row for row in stated.get("fund_classes", [])}
    if set(stated_by_class) != set(recomputed):
        problems.append(
            f"{BALANCES}: fund classes {sorted(stated_by_class)} differ from the events' "
            f"{sorted(recomputed)}"
        )
    for key in sorted(set(stated_by_class) & set(recomputed)):
        for name, expected in recomputed[key].items():
            stated_value = stated_by_class[key].get(name)
            if not same_figure(stated_value, expected):
                problems.append(
                    f"{BALANCES}: {key} {name} is {stated_value}, the events give {expected}"
                )
    return len(recomputed)
