"""The two times of every page: `as_of` (a business date) and `known_at` (a commit time),
read from the URL and resolved to the log position the page answers at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urlencode

from adapters.inputs.grammar import parse_date, parse_moment
from adapters.store.chain import format_commit_time, parse_commit_time
from adapters.web.opening import ReadOnlyLedger


class BadQueryError(ValueError):
    """A parameter of the URL the page cannot take (answered 400, with the reason)."""


@dataclass(frozen=True)
class Moment:
    """What a page is asked for: a business date, a commit time (None: now) and the log
    position they resolve to."""

    as_of: date
    known_at: datetime | None
    position: int
    as_of_given: bool

    def query(self, **extra: str | int | None) -> str:
        """The URL query that asks for this moment again (and `extra`)."""
        pairs: dict[str, str | int] = {}
        if self.as_of_given:
            pairs["as_of"] = self.as_of.isoformat()
        if self.known_at is not None:
            pairs["known_at"] = format_commit_time(self.known_at)
        pairs |= {name: value for name, value in extra.items() if value not in (None, "")}
        return ("?" + urlencode(pairs)) if pairs else ""

    def record(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "known_at": None if self.known_at is None else format_commit_time(self.known_at),
            "log_position": self.position,
        }


def day_of(text: str | None, name: str) -> date | None:
    if text in (None, ""):
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise BadQueryError(f"{name}: {error}") from None


def moment_of(text: str | None, name: str, day_time: time = time.max) -> datetime | None:
    if text in (None, ""):
        return None
    try:
        return parse_moment(text, day_time)
    except ValueError as error:
        raise BadQueryError(f"{name}: {error}") from None


def resolve(ledger: ReadOnlyLedger, as_of: str | None, known_at: str | None, today: date) -> Moment:
    """The moment the URL asks for. A commit time after the last commit and after now is
    refused (what the ledger will know then is not fixed), as on the command line.

    Raises:
        BadQueryError: a malformed date or time, or a time in the future.
    """
    day = day_of(as_of, "as_of")
    moment = moment_of(known_at, "known_at")
    served = ledger.served_position()
    if moment is None:
        return Moment(day or today, None, served, day is not None)
    standby = ledger.store.standby()
    if standby is not None and (standby.reached is None or moment > standby.reached):
        reached = "no time yet" if standby.reached is None else format_commit_time(standby.reached)
        raise BadQueryError(  # docs/decisions.md S1: a replica's answer could be short
            f"known_at {format_commit_time(moment)}: this database is a replica and has reached "
            f"{reached} (the primary's clock); ask the primary, or again when it has caught up"
        )
    latest = datetime.now(UTC)
    head = ledger.store.chain_head()
    if head is not None:
        latest = max(latest, parse_commit_time(head.committed_at))
    if moment > latest:
        if moment.time() != time.max or moment.date() != latest.date():
            raise BadQueryError(
                f"known_at {format_commit_time(moment)} is in the future: the ledger cannot "
                "say yet what it will know then"
            )
        moment = latest
    return Moment(day or today, moment, ledger.position_known_at(moment), day is not None)
