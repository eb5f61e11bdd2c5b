"""read-models/trial-balance.json against the journal each money event posts, in the fund's
books and the Distributor's (docs/books.md), summed per account, each account named with its
entity."""

from __future__ import annotations

from decimal import Decimal

from .bundle import TRIAL_BALANCE, Bundle, read_json, same_figure
from .events import cents, event_name, shown_cents, stream_keys

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bundle import Json


def _component(text: str) -> str:
    if "_" in text or text.islower():
        return "".join(part.capitalize() for part in text.split("_"))
    return text.replace("/", "-")


def postings(name: str, fields: Json, key: str, provider: str) -> list[tuple[str, int, int]]:
    """The journal lines (account, debit, credit) one event posts, as the ledger's journal: the
    fund's lines, then the Distributor's (docs/books.md)."""
    fc = key.replace("/", "-")
    fund = fund_postings(name, fields, fc)
    if fund:
        return [*fund, *(mirror(account, fc, debit, credit) for account, debit, credit in fund)]
    spent: list[tuple[str, int, int]] = []
    if name in ("ExpenditureRecorded", "ExpenditureReversed"):
        amount = cents(fields["amount"])
        account = f"Expenses:Distributor:Fifth:{fc}:{_component(fields['purpose'])}"
        spent = [(account, amount, 0), (DISTRIBUTOR_SETTLEMENT, 0, amount)]
    elif name in ("ServiceFeePaid", "ServiceFeeReversed"):
        amount = cents(fields["amount"])
        account = f"Expenses:Distributor:ServiceFees:{fc}:{provider}"
        spent = [(account, amount, 0), (DISTRIBUTOR_SETTLEMENT, 0, amount)]
    if name.endswith("Reversed"):  # the exact opposite entry
        return [(account, credit, debit) for account, debit, credit in spent]
    return spent


DISTRIBUTOR_SETTLEMENT = "Equity:Distributor:GeneralLedgerSettlement"
PARTS = ("AssetBasedSalesCharge", "ServiceFee")


def entity_of(account: str) -> str:
    """Whose books an account is in: the Distributor's accounts all name it."""
    return "distributor" if account.split(":")[1] == "Distributor" else "fund"


def mirror(account: str, fc: str, debit: int, credit: int) -> tuple[str, int, int]:
    """The Distributor's side of a fund class's plan account, debit and credit swapped."""
    names = {f"Equity:Fund:{fc}:GeneralLedgerSettlement": DISTRIBUTOR_SETTLEMENT}
    for part in PARTS:
        names[f"Expenses:Plan12b1:{fc}:{part}"] = f"Income:Distributor:PlanFees:{fc}:{part}"
        names[f"Liabilities:PayableToDistributor:{fc}:{part}"] = (
            f"Assets:Distributor:ReceivableFromFund:{fc}:{part}"
        )
        names[f"Assets:Fund:{fc}:ReceivableFromDistributor:{part}"] = (
            f"Liabilities:Distributor:PayableToFund:{fc}:{part}"
        )
    return names[account], credit, debit


def fund_postings(name: str, fields: Json, fc: str) -> list[tuple[str, int, int]]:
    """The fund class's own lines of an event between it and the Distributor."""
    accrued = {
        "FeeAccrued": ("absc_amount", "service_amount"),
        "AccrualTrueUpPosted": ("adjustment_absc", "adjustment_service"),
        "FeeAccrualAdjusted": ("absc_amount_delta", "service_amount_delta"),
        "FeeAccrualReversed": ("absc_amount_delta", "service_amount_delta"),
    }
    if name in accrued:
        absc, service = (cents(fields[part]) for part in accrued[name])
        signed = [
            (f"Expenses:Plan12b1:{fc}:AssetBasedSalesCharge", absc),
            (f"Expenses:Plan12b1:{fc}:ServiceFee", service),
            (f"Liabilities:PayableToDistributor:{fc}:AssetBasedSalesCharge", -absc),
            (f"Liabilities:PayableToDistributor:{fc}:ServiceFee", -service),
        ]
        return [(account, max(n, 0), max(-n, 0)) for account, n in signed if n]
    if name in ("DistributorPaid", "DistributorPaymentReversed"):
        paid = [
            (
                f"Liabilities:PayableToDistributor:{fc}:AssetBasedSalesCharge",
                cents(fields["absc_amount"]),
                0,
            ),
            (
                f"Liabilities:PayableToDistributor:{fc}:ServiceFee",
                cents(fields["service_amount"]),
                0,
            ),
            (f"Equity:Fund:{fc}:GeneralLedgerSettlement", 0, cents(fields["amount"])),
        ]
        lines = [line for line in paid if line[1] or line[2]]
        if name.endswith("Reversed"):  # the exact opposite entry
            return [(account, credit, debit) for account, debit, credit in lines]
        return lines
    return receivable_postings(name, fields, fc)


def receivable_postings(name: str, fields: Json, fc: str) -> list[tuple[str, int, int]]:
    """The fund class's lines of the receivable from the Distributor (decision A16)."""
    payable = f"Liabilities:PayableToDistributor:{fc}:"
    receivable = f"Assets:Fund:{fc}:ReceivableFromDistributor:"
    absc, service = "AssetBasedSalesCharge", "ServiceFee"
    if name == "DistributorReceivableBooked":
        booked_absc, booked_service = cents(fields["absc_amount"]), cents(fields["service_amount"])
        signed = [
            (receivable + absc, booked_absc),
            (receivable + service, booked_service),
            (payable + absc, -booked_absc),
            (payable + service, -booked_service),
        ]
        return [(account, max(n, 0), max(-n, 0)) for account, n in signed if n]
    if name not in ("DistributorReceivableOffset", "DistributorRefundReceived"):
        return []
    lines = [
        (receivable + absc, 0, cents(fields["receivable_absc"])),
        (receivable + service, 0, cents(fields["receivable_service"])),
    ]
    if name == "DistributorReceivableOffset":
        lines = [
            (payable + absc, cents(fields["payable_absc"]), 0),
            (payable + service, cents(fields["payable_service"]), 0),
            *lines,
        ]
    else:
        lines = [(f"Equity:Fund:{fc}:GeneralLedgerSettlement", cents(fields["amount"]), 0), *lines]
    return [line for line in lines if line[1] or line[2]]


def recompute_trial_balance(events: list[Json], as_of: str) -> dict[str, tuple[int, int]]:
    keys = stream_keys(events)
    sums: dict[str, tuple[int, int]] = {}
    for event in events:
        name, fields = event_name(event["topic"]), event["fields"]
        if not name or event["stream"] not in keys or fields.get("business_date", "") > as_of:
            continue
        key, provider = keys[event["stream"]]
        for account, debit, credit in postings(name, fields, key, provider):
            before = sums.get(account, (0, 0))
            sums[account] = (before[0] + debit, before[1] + credit)
    return dict(sorted(sums.items()))


def check_trial_balance(bundle: Bundle, events: list[Json], as_of: str, problems: list[str]) -> int:
    stated = {row["account"]: row for row in read_json(bundle, TRIAL_BALANCE)["accounts"]}
    recomputed = recompute_trial_balance(events, as_of)
    for account in sorted(set(stated) ^ set(recomputed)):
        where = "the events post nothing to it" if account in stated else "missing from the file"
        problems.append(f"{TRIAL_BALANCE}: account {account}: {where}")
    for account in sorted(set(stated) & set(recomputed)):
        if stated[account].get("entity") != entity_of(account):
            problems.append(
                f"{TRIAL_BALANCE}: {account} is in the books of {stated[account].get('entity')}, "
                f"the events post it in the {entity_of(account)}'s"
            )
        for index, side in enumerate(("debit", "credit")):
            expected = shown_cents(recomputed[account][index])
            if not same_figure(stated[account].get(side), Decimal(expected)):
                problems.append(
                    f"{TRIAL_BALANCE}: {account} {side} is {stated[account].get(side)}, the "
                    f"events give {expected}"
                )
    return len(recomputed)
