"""read-models/split.json against the SIXTH split recomputed from the events: payments and fees
spread over the months they cover, service fees, deemed asset-based sales charge, own
resources, average net assets, annualised rates and caps, per plan year. The months' cells
are the reports' too."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal

from .bundle import SPLIT, Bundle, compare_tree, read_json
from .events import cents, event_name, plans, shown_cents, stream_keys

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .bundle import Json

EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN)
RATE_QUANTUM = Decimal("1E-8")
FINRA_ABSC, FINRA_SERVICE = Decimal("0.0075"), Decimal("0.0025")


def month_of(day: str) -> str:
    return day[:7]


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def months_between(start: date, end_exclusive: date) -> list[str]:
    labels, day = [], start.replace(day=1)
    while day < end_exclusive:
        labels.append(day.isoformat()[:7])
        day = next_month(day)
    return labels


def spread(start: date, end_exclusive: date, amount: int) -> dict[str, int]:
    """An amount over the months it covers, in proportion to their days; the cents left after
    rounding down go to the largest remainders, ties to the earlier month."""
    spans: list[tuple[str, int]] = []
    day = start
    while day < end_exclusive:
        end = min(next_month(day), end_exclusive)
        spans.append((day.isoformat()[:7], (end - day).days))
        day = end
    if len(spans) == 1:
        return {spans[0][0]: amount}
    total, days = abs(amount), sum(span for _, span in spans)
    shares = [total * span // days for _, span in spans]
    order = sorted(range(len(spans)), key=lambda i: (total * spans[i][1]) % days, reverse=True)
    for index in order[: total - sum(shares)]:
        shares[index] += 1
    sign = 1 if amount >= 0 else -1
    return {spans[index][0]: sign * shares[index] for index in range(len(spans))}


class Cell:
    """One fund class over a month, or several months combined; amounts in cents."""

    def __init__(self) -> None:
        self.payments = 0
        self.fees = 0
        self.by_provider: dict[str, int] = {}
        self.basis_by_year: dict[int, int] = {}
        self.basis_per_day_count = Decimal(0)
        self.basis_cents = 0
        self.days = 0

    def add(self, other: Cell) -> None:
        self.payments += other.payments
        self.fees += other.fees
        for provider, amount in other.by_provider.items():
            self.by_provider[provider] = self.by_provider.get(provider, 0) + amount
        self.basis_per_day_count = EXACT.add(self.basis_per_day_count, other.per_day_count())
        self.basis_cents += other.basis_cents
        self.days += other.days

    def per_day_count(self) -> Decimal:
        if not self.basis_by_year:
            return self.basis_per_day_count
        return sum((Decimal(s) / y for y, s in sorted(self.basis_by_year.items())), Decimal(0))

    @property
    def service_from_plan(self) -> int:
        return min(self.fees, max(self.payments, 0))

    @property
    def deemed_absc(self) -> int:
        return self.payments - self.service_from_plan

    def rate(self, amount: int) -> str:
        if self.basis_per_day_count == 0:
            return ""
        value = EXACT.divide(Decimal(amount), self.basis_per_day_count).quantize(RATE_QUANTUM)
        return percent(value)

    def average(self) -> Decimal | None:
        if self.days == 0:
            return None
        return (Decimal(self.basis_cents) / 100 / self.days).quantize(Decimal("0.01"))

    def caps(self) -> list[str]:
        found = []
        if self.basis_per_day_count != 0:
            absc = EXACT.divide(Decimal(self.deemed_absc), self.basis_per_day_count)
            service = EXACT.divide(Decimal(self.service_from_plan), self.basis_per_day_count)
            if absc.quantize(RATE_QUANTUM) > FINRA_ABSC:
                found.append("deemed asset-based sales charge above 0.75% a year")
            if service.quantize(RATE_QUANTUM) > FINRA_SERVICE:
                found.append("service fees above 0.25% a year")
        return found


def percent(rate: Decimal) -> str:
    value = EXACT.multiply(rate, Decimal(100)).normalize()
    if value.as_tuple().exponent > -2:  # type: ignore[operator]
        value = value.quantize(Decimal("0.01"))
    return f"{value:f}%"


def month_cells(
    events: list[Json], start: date, end_exclusive: date, last_day: str
) -> dict[tuple[str, str], Cell]:
    """Per (fund class, month): what the ledger's split reads for [start, end_exclusive),
    counting only what was paid or accrued by `last_day`."""
    keys = stream_keys(events)
    cells: dict[tuple[str, str], Cell] = {}
    span = (start.isoformat(), end_exclusive.isoformat())
    for event in events:
        name, fields = event_name(event["topic"]), event["fields"]
        if event["stream"] not in keys or fields.get("business_date", "") > last_day:
            continue
        key, provider = keys[event["stream"]]
        if name in COVERINGS:
            _add_covering(cells, (key, provider), name, fields, span)
        # An offset both covers its months and settles the receivable: not an `elif`.
        if name in ("DistributorReceivableOffset", "DistributorRefundReceived"):
            _add_receivable_settled(cells, key, fields, span)
        elif name in ("FeeAccrued", "FeeAccrualAdjusted", "FeeAccrualReversed"):
            _add_basis(cells, key, name, fields, span)
    for cell in cells.values():
        cell.basis_per_day_count = cell.per_day_count()
        cell.basis_by_year = {}
    return cells


COVERINGS = (
    "DistributorPaid",
    "DistributorPaymentReversed",
    "DistributorReceivableOffset",
    "ServiceFeePaid",
    "ServiceFeeReversed",
)


def _add_covering(
    cells: dict[tuple[str, str], Cell],
    stream: tuple[str, str],
    name: str,
    fields: Json,
    span: tuple[str, str],
) -> None:
    """A payment or a fee (a reversal negative), over the months it covers, if they overlap.
    `stream`: the event's fund class and provider."""
    key, provider = stream
    covered = fields["period_start"], fields["period_end_exclusive"]
    if not (covered[0] < span[1] and covered[1] > span[0]):
        return
    sign = -1 if name.endswith("Reversed") else 1
    amount = sign * cents(fields["amount"])
    shares = spread(date.fromisoformat(covered[0]), date.fromisoformat(covered[1]), amount)
    for month, share in shares.items():
        cell = cells.setdefault((key, month), Cell())
        if name.startswith("Distributor"):
            cell.payments += share
        else:
            cell.fees += share
            cell.by_provider[provider] = cell.by_provider.get(provider, 0) + share


def _add_receivable_settled(
    cells: dict[tuple[str, str], Cell], key: str, fields: Json, span: tuple[str, str]
) -> None:
    """An offset or a refund gives back, from each month it settles the receivable of, what
    that month was paid beyond its fee: the month's payments are what the Distributor kept."""
    for month, tagged in fields["taken_by_month"].items():
        # A mapping inside an event keeps the library's tagged form for its decimals.
        amount = tagged["_data_"] if isinstance(tagged, dict) else tagged
        first = date.fromisoformat(f"{month}-01")
        if first.isoformat() < span[1] and next_month(first).isoformat() > span[0]:
            cell = cells.setdefault((key, month), Cell())
            cell.payments -= cents(amount)


def _add_basis(
    cells: dict[tuple[str, str], Cell], key: str, name: str, fields: Json, span: tuple[str, str]
) -> None:
    """A day's basis (an accrual), or the change a restatement made to it (an adjustment)."""
    if not span[0] <= fields["business_date"] < span[1]:
        return
    cell = cells.setdefault((key, month_of(fields["business_date"])), Cell())
    basis = cents(fields["basis_net_assets"])
    if name == "FeeAccrualAdjusted":
        basis -= cents(fields["basis_net_assets_previous"])
    elif name == "FeeAccrualReversed":  # the day leaves the month (decision A19)
        basis = -basis
        cell.days -= 1
    else:
        cell.days += 1
    year = int(fields["days_in_year"])
    cell.basis_by_year[year] = cell.basis_by_year.get(year, 0) + basis
    cell.basis_cents += basis


def combined(cells: dict[tuple[str, str], Cell], key: str, months: list[str]) -> Cell:
    total = Cell()
    for month in months:
        if (key, month) in cells:
            total.add(cells[(key, month)])
    return total


def _plan_years(
    start: date, end_exclusive: date, anniversary: tuple[int, int]
) -> list[tuple[str, list[str]]]:
    """The plan years (by whole months) from `start`'s month: label and months."""
    pieces, day = [], start.replace(day=1)
    while day < end_exclusive:
        end = date(day.year, *anniversary)
        if end < day:
            end = date(day.year + 1, *anniversary)
        year_start = date(end.year - 1, *anniversary)
        piece_start, piece_end = max(year_start, day), next_month(end)
        pieces.append((f"plan year to {end}", months_between(piece_start, piece_end)))
        day = piece_end
    return pieces


def split_row(key: str, label: str, figures: Cell) -> Json:
    average = figures.average()
    return {
        "fund_class": key,
        "period": label,
        "plan_payments": shown_cents(figures.payments),
        "service_fees": shown_cents(figures.service_from_plan),
        "deemed_absc": shown_cents(figures.deemed_absc),
        "own_resources": shown_cents(figures.fees - figures.service_from_plan),
        "average_daily_net_assets": None if average is None else str(average),
        "payments_rate": figures.rate(figures.payments),
        "service_rate": figures.rate(figures.service_from_plan),
        "absc_rate": figures.rate(figures.deemed_absc),
        "caps": "; ".join(figures.caps()) or "within",
        "by_provider": " ".join(
            f"{provider}={shown_cents(amount)}"
            for provider, amount in sorted(figures.by_provider.items())
        ),
    }


def recompute_split(events: list[Json], as_of: str) -> list[Json]:
    adopted = plans(events)
    if not adopted:
        return []
    start = min(date.fromisoformat(plan["effective_date"]) for plan in adopted.values())
    end_exclusive = max(date.fromisoformat(as_of), start) + timedelta(days=1)
    term_end = date.fromisoformat(next(iter(adopted.values()))["initial_term_end"])
    cells = month_cells(events, start, end_exclusive, as_of)
    in_period = set(months_between(start, end_exclusive))
    rows = []
    for key in sorted({key for key, _ in cells}):
        for label, months in _plan_years(start, end_exclusive, (term_end.month, term_end.day)):
            chosen = [month for month in months if month in in_period]
            rows.append(split_row(key, label, combined(cells, key, chosen)))
    return rows


def check_split(bundle: Bundle, events: list[Json], as_of: str, problems: list[str]) -> int:
    rows = recompute_split(events, as_of)
    compare_tree(SPLIT, "rows", read_json(bundle, SPLIT).get("rows"), rows, problems)
    return len(rows)
