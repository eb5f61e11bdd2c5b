#!/usr/bin/env python3
"""Verify a planledger regulator bundle with nothing but Python's standard library.

Usage:
    python3 -I verify_bundle.py [BUNDLE]

BUNDLE is the unpacked folder (default: the folder this file is in) or the .zip itself. The
checks are the modules of the folder verifier/ beside this file (given the zip with no
verifier/ beside this file, those in the zip); it checks, and says OK (exit 0) or lists every
problem (exit 1):

1. every file against the SHA-256 and size in manifest.json, and that no file is missing or
   added (`chain`), these modules and verify_bundle.py among them;
2. the hash chain over events.jsonl (`chain`): each event's hash is
       SHA-256( JSON[previous_hash, position, stream, version, topic, committed_at]
                + "\\n" + state )
   with the JSON written compactly (separators "," and ":", UTF-8), the first previous hash
   being 64 zeros; each event links to the one before it; positions and commit times never go
   back; the last hash is the manifest's chain head;
3. every seal recorded in the events (ChainSealed) against the chain's hash at the position it
   seals (`chain`);
4. the manifest's own statements (`chain`): its format, that its position and chain head are
   the last event's, that no event was committed after its known-at time, and that its list of
   seals is the seals among the events;
5. read-models/balances.json against balances recomputed here from the events (`balances`):
   per fund class, the fee accrued (asset-based sales charge and service fee), paid to the
   Distributor (less what it paid back), payable, the receivable from the Distributor (months
   paid beyond what they now accrue), and the last day accrued, on the bundle's as-of date;
6. every other figure carried, recomputed from the events the same way: the trial balance
   (`books`: the journal each money event posts, in the fund's books and the Distributor's,
   each account named with its entity), the SIXTH split of each plan year (`split`: payments
   and fees spread over the months they cover, service fees, deemed asset-based sales charge,
   own resources, average net assets, annualised rates, caps), and in each quarterly report
   (`reports`) the quarter's and the year's figures, the expenditures by purpose and the
   months. A figure changed anywhere is named with its file and place, even if the manifest
   was rewritten to match;
7. the reports as issued (`issued`): each file's SHA-256 against the one the issue's
   QuarterlyReportIssued event names, that a seal covers that event, that every latest issue
   by the as-of date is there, and that reports/differences.json lists exactly the figures
   that differ between the issued JSON and the report as of the bundle's date.

`run` runs them in turn. The words of governance.json and the plan documents are covered by the
manifest's hashes; keep the manifest's own SHA-256, printed at export, apart from the bundle to
anchor them, and this file and verifier/ with them. Needs Python 3.9 or newer.

These files are written once, for auditors; they share no code with the ledger on purpose and
import one another only.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import PathFinder
from pathlib import Path
from types import ModuleType

PACKAGE = "verifier"


def load_checks(here: Path, arguments: list[str]) -> ModuleType | None:
    """The checks, from beside this file or else from the bundle named, by their path and not
    through sys.path (which `python3 -I` leaves without this folder): a module of the same name
    installed elsewhere is never taken for them, nor a bundle's file for the library's. The
    folder carries modules only; the package is made here."""
    for place in [str(here), *arguments[:1]]:
        folder = os.path.join(place, PACKAGE)
        if PathFinder.find_spec("run", [folder]) is None:
            continue
        package = ModuleType(PACKAGE)
        package.__path__ = [folder]
        sys.modules[PACKAGE] = package
        return importlib.import_module(f"{PACKAGE}.run")
    return None


def main(arguments: list[str]) -> int:
    # No __pycache__ written into the bundle's folder: it would be a file the manifest lacks.
    sys.dont_write_bytecode = True
    here = Path(__file__).resolve().parent
    try:
        checks = load_checks(here, arguments)
    except Exception as error:  # a module changed or missing is named, not a traceback
        print(f"NOT OK: the checks in {PACKAGE}/ do not load ({type(error).__name__}: {error})")
        return 1
    if checks is None:
        print(f"NOT OK: no {PACKAGE}/ beside {Path(__file__).name}, nor in the bundle named")
        return 1
    status: int = checks.main(arguments, here)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
