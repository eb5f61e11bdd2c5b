"""Every check in turn, each one's failure to run a problem like the others; OK and a summary, or
the problems."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from .balances import check_balances
from .books import check_trial_balance
from .bundle import BALANCES, EVENTS, ISSUED, MANIFEST, REPORTS, SPLIT, TRIAL_BALANCE, Bundle
from .chain import check_chain, check_files, check_manifest, check_seals, read_events
from .issued import check_issued
from .reports import check_reports
from .split import check_split

# Names for the type checker only (annotations are not evaluated), as in bundle.py.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    from .bundle import Json

    T = TypeVar("T")

SHOWN = 40


def checked(problems: list[str], what: str, check: Callable[[], T], fallback: T) -> T:
    """Run one check; a bundle altered so that the check cannot even run is a problem to
    report with the others, not a crash."""
    try:
        return check()
    except Exception as error:  # anything unreadable is reported, not raised
        problems.append(f"{what}: could not be checked ({type(error).__name__}: {error})")
        return fallback


def verify(location: Path) -> list[str]:
    try:
        bundle = Bundle(location)
    except (OSError, zipfile.BadZipFile) as error:
        return [f"{location}: not a readable zip or folder ({type(error).__name__}: {error})"]
    problems: list[str] = []
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except (KeyError, FileNotFoundError, ValueError) as error:
        return [f"{MANIFEST}: unreadable ({error})"]
    if not isinstance(manifest, dict) or "as_of" not in manifest:
        return [f"{MANIFEST}: not a bundle manifest (no as_of)"]
    checked(problems, "the files", lambda: check_files(bundle, manifest, problems), None)
    events: list[Json] = checked(problems, EVENTS, lambda: read_events(bundle, problems), [])
    hashes: dict[int, str] = checked(
        problems, "the chain", lambda: check_chain(events, manifest, problems), {}
    )
    seals = checked(problems, "the seals", lambda: check_seals(events, hashes, problems), 0)
    checked(problems, MANIFEST, lambda: check_manifest(events, manifest, problems), None)
    classes = checked(
        problems, BALANCES, lambda: check_balances(bundle, events, manifest, problems), 0
    )
    as_of = str(manifest["as_of"])
    accounts = checked(
        problems, TRIAL_BALANCE, lambda: check_trial_balance(bundle, events, as_of, problems), 0
    )
    rows = checked(problems, SPLIT, lambda: check_split(bundle, events, as_of, problems), 0)
    reports = checked(problems, REPORTS, lambda: check_reports(bundle, events, problems), 0)
    issued = checked(problems, ISSUED, lambda: check_issued(bundle, events, as_of, problems), 0)
    if not problems:
        print(
            f"OK: {len(manifest.get('files', {}))} files match the manifest; {len(events)} events "
            f"chain to head {manifest['chain_head']['hash'][:16]}… at position "
            f"{manifest['chain_head']['position']}; {seals} seal(s) match; balances of "
            f"{classes} fund class(es) on {manifest['as_of']} recomputed from the events; so "
            f"are the trial balance ({accounts} accounts), the split ({rows} rows) and every "
            f"figure of {reports} quarterly report(s); {issued} report(s) as issued match "
            "their sealed issues and the differences listed"
        )
    return problems


def main(arguments: list[str], here: Path) -> int:
    """`here`: the folder of verify_bundle.py, the bundle checked when no other is named."""
    location = Path(arguments[0]) if arguments else here
    problems = verify(location)
    if problems:
        print(f"NOT OK: {len(problems)} problem(s) in {location}")
        for problem in problems[:SHOWN]:
            print(f"  {problem}")
        if len(problems) > SHOWN:
            print(f"  … and {len(problems) - SHOWN} more")
        return 1
    return 0
