"""`planledger export bundle`: the regulator's point-in-time package (docs/audit.md §4).

One zip holds every event known at T (with its chain record), the plan documents, the read
models as of D, the quarterly reports, a manifest with the SHA-256 of every file and the chain
head, and `verify_bundle.py` with its checks in `verifier/`, which check all of it with the
standard library alone. The same (D, T) gives the same bytes: entries are written in a fixed
order with a fixed timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from adapters.outputs.atomic_file import written_atomically
from adapters.outputs.issued import issued_files, issues_by_class, moved_figures
from adapters.outputs.reports import quarterly_report, report_json, software_version
from adapters.readside.queries import dollars
from adapters.readside.split_rows import split_rows
from adapters.readside.view import LedgerView
from adapters.store.chain import format_commit_time
from adapters.store.verify import merged_log, stored_bytes
from domain.ids import fund_class_id
from domain.instrument import PlanInstrument
from domain.periods import ONE_DAY, Period, last_quarter_ended, parse_period
from domain.seal import ChainSeal
from projections.compliance import compliance_as_of
from projections.point_in_time import approvals_as_of, reports_as_of

FORMAT = "planledger-bundle/1"
VERIFIER_ENTRY = Path(__file__).with_name("verify_bundle.py")
VERIFIER_PACKAGE = Path(__file__).with_name("verifier")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry no time of their own
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BundleSummary:
    path: Path
    position: int
    events: int
    files: int
    head_hash: str
    manifest_sha256: str


class _Writer:
    """Zip entries with their SHA-256 and size, for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files: dict[str, dict[str, Any]] = {}

    def info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add(self, name: str, data: bytes) -> None:
        entry = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if name in self.files:
            # Files are named by their content's hash where two could meet (a plan filed
            # twice): the same name is then the same bytes, written once.
            if self.files[name] != entry:
                raise RuntimeError(f"two different files for {name} in one bundle")
            return
        self.archive.writestr(self.info(name), data)
        self.files[name] = entry

    def add_lines(self, name: str, lines: Iterator[bytes]) -> int:
        digest, size, count = hashlib.sha256(), 0, 0
        with self.archive.open(self.info(name), "w", force_zip64=True) as handle:
            for line in lines:
                handle.write(line)
                digest.update(line)
                size += len(line)
                count += 1
        self.files[name] = {"sha256": digest.hexdigest(), "bytes": size}
        return count


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def export_bundle(
    ledger: LedgerView,
    as_of: date,
    known_at: datetime | None,
    out: Path,
    progress: Progress | None = None,
) -> BundleSummary:
    store = ledger.store
    position = store.position_known_at(known_at) if known_at else store.head_position()
    view = ledger.as_known_at(position)
    head = store.chain_head(position)
    seals: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    # Written whole or not at all: a bundle cut short never lies at `out` (nor replaces one).
    with written_atomically(out) as partial, zipfile.ZipFile(partial, "w") as archive:
        writer = _Writer(archive)
        events = writer.add_lines(
            "events.jsonl", _event_lines(view, position, seals, documents, progress)
        )
        for document in documents:
            _add_documents(writer, document)
        _add_read_models(writer, view, as_of)
        _add_reports(writer, view, as_of)
        for member, source in verifier_files().items():
            writer.add(member, source.read_bytes())
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "as_of": as_of.isoformat(),
            "known_at": format_commit_time(known_at) if known_at else None,
            "position": position,
            "chain_head": {
                "position": head.position if head else 0,
                "hash": head.hash if head else "0" * 64,
                "committed_at": head.committed_at if head else None,
            },
            "chain_hash": "SHA-256(JSON[previous_hash, position, stream, version, topic, "
            "committed_at] + '\\n' + state); compact JSON, UTF-8; the first previous hash is "
            "64 zeros",
            "seals": seals,
            "software_version": software_version(),
            "files": dict(sorted(writer.files.items())),
        }
        manifest_bytes = _json(manifest)
        archive.writestr(writer.info("manifest.json"), manifest_bytes)
    return BundleSummary(
        out,
        position,
        events,
        len(writer.files) + 1,
        manifest["chain_head"]["hash"],
        hashlib.sha256(manifest_bytes).hexdigest(),
    )


def verifier_files() -> dict[str, Path]:
    """The bundle's verifier: member name → source. `verify_bundle.py` at the top, its checks
    in `verifier/` beside it; the manifest lists each with the other files."""
    # Modules only: `__init__.py` stays home (verify_bundle.py makes the package), so every
    # member name starts with a letter or digit.
    modules = sorted(p for p in VERIFIER_PACKAGE.glob("*.py") if p.name != "__init__.py")
    return {
        "verify_bundle.py": VERIFIER_ENTRY,
        **{f"verifier/{module.name}": module for module in modules},
    }


def _event_lines(
    view: LedgerView,
    position: int,
    seals: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    progress: Progress | None,
) -> Iterator[bytes]:
    for at, event, record in merged_log(view.store):
        if at > position:
            return
        if event is None or record is None:
            raise RuntimeError(
                f"the store does not verify at position {at}: run `planledger verify` first"
            )
        state = stored_bytes(event.state).decode("utf-8")
        if event.topic == ChainSeal.ChainSealed.TOPIC:
            fields = json.loads(state)
            seals.append(
                {
                    "position": at,
                    "sealed_position": fields["position"],
                    "head_hash": fields["head_hash"],
                    "subject": fields["subject"],
                }
            )
        elif event.topic == PlanInstrument.DocumentsFiled.TOPIC:
            documents.append(json.loads(state))
        line = {
            "position": at,
            "stream": record.originator_id,
            "version": record.originator_version,
            "topic": event.topic,
            "committed_at": record.committed_at,
            "previous_hash": record.previous_hash,
            "hash": record.hash,
            "state": state,
        }
        if progress is not None and at % 5000 == 0:
            progress(at, position)
        yield (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# The stored names of the documents are text from a plan file: the members are named by
# hash and fixed names instead, so no stored name can make a member like `../../x` or `/x`
# that an unzip would write outside its folder. The stored names stay in events.jsonl.
DOCUMENT_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".rtf", ".xml")
AS_OF = "reports/as-of/"  # each quarter's report as of the bundle's date, as known at T
ISSUED = "reports/issued/"  # the files of each quarter's latest issue by that date, as kept
DIFFERENCES = "reports/differences.json"  # the figures that moved from the one to the other
FUND_CLASS_KEY = re.compile(r"[A-Z0-9][A-Z0-9-]{0,31}/[A-Z0-9]{1,8}")


def _document_member(data: bytes, stored_name: str) -> str:
    suffix = PurePosixPath(stored_name.replace("\\", "/")).suffix.lower()
    return f"plan/{_sha16(data)}/document{suffix if suffix in DOCUMENT_SUFFIXES else ''}"


def _report_member(
    fund_class_key: str, quarter: str, folder: str = AS_OF, suffix: str = "json"
) -> str:
    """`reports/as-of/INTL-BCV-R-2003Q3.json`; a key not of the plan file's form (a ledger
    written by other means) is named by its hash."""
    if FUND_CLASS_KEY.fullmatch(fund_class_key):
        return f"{folder}{fund_class_key.replace('/', '-')}-{quarter}.{suffix}"
    return f"{folder}{_sha16(fund_class_key.encode('utf-8'))}-{quarter}.{suffix}"


def _add_documents(writer: _Writer, filed: dict[str, Any]) -> None:
    """The plan document and the plan file, each in a folder named by its own SHA-256, so a
    document filed again with another plan file keeps both."""
    content = filed["document_content"]
    data = (
        base64.b64decode(content)
        if filed["document_encoding"] == "base64"
        else content.encode("utf-8")
    )
    plan_file = filed["plan_file_content"].encode("utf-8")
    writer.add(_document_member(data, filed["document_name"]), data)
    writer.add(f"plan/{_sha16(plan_file)}/plan.toml", plan_file)


def _sha16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _add_read_models(writer: _Writer, view: LedgerView, as_of: date) -> None:
    writer.add(
        "read-models/balances.json",
        _json(
            {
                "as_of": as_of.isoformat(),
                "fund_classes": [
                    {
                        "fund_class": row.fund_class,
                        "accrued_through": row.accrued_through,
                        "absc_accrued": str(dollars(row.absc_accrued)),
                        "service_accrued": str(dollars(row.service_accrued)),
                        "absc_paid": str(dollars(row.absc_paid)),
                        "service_paid": str(dollars(row.service_paid)),
                        "absc_payable": str(dollars(row.absc_payable)),
                        "service_payable": str(dollars(row.service_payable)),
                        "absc_receivable": str(dollars(row.absc_receivable)),
                        "service_receivable": str(dollars(row.service_receivable)),
                    }
                    for row in view.balances(as_of)
                ],
            }
        ),
    )
    writer.add(
        "read-models/trial-balance.json",
        _json(
            {
                "as_of": as_of.isoformat(),
                "accounts": [
                    {
                        "entity": row.entity,
                        "account": row.account,
                        "debit": str(dollars(row.debit_cents)),
                        "credit": str(dollars(row.credit_cents)),
                    }
                    for row in view.trial_balance(as_of)
                ],
            }
        ),
    )
    classes = view.fund_classes()
    if classes:
        start = min(fund_class.effective_date for fund_class in classes)
        period = Period(start, max(as_of, start) + ONE_DAY)
        rows = split_rows(view, period, "plan-year", as_of=as_of)
    else:
        rows = []
    writer.add("read-models/split.json", _json({"as_of": as_of.isoformat(), "rows": rows}))
    writer.add("read-models/governance.json", _json(_governance(view, as_of)))


def _governance(view: LedgerView, as_of: date) -> dict[str, Any]:
    classes = []
    for fund_class in view.fund_classes():
        row = compliance_as_of(
            view.stream(fund_class_id(fund_class.fund_code, fund_class.share_class)), as_of
        )
        standing = fund_class.standing()
        authority = standing.authorities_by_day([as_of])[as_of]
        schedule_b = fund_class.schedule_b_on(as_of)
        classes.append(
            {
                "fund_class": fund_class.key,
                "plan_type": view.plan_type_of(fund_class),
                "in_effect": authority is not None,
                "authority": authority or standing.why_not_in_effect(as_of)[1],
                "plan": row.plan_status,
                "agreement": row.agreement_status,
                "next_continuance_due": row.next_continuance_due,
                "unreviewed_quarters": row.unreviewed_quarters,
                # The FINRA aggregate cap's remaining amount at the end of the as-of date, as
                # compliance shows it (None: no account opened).
                "cap_remaining": None if row.cap_remaining is None else str(row.cap_remaining),
                "schedule_b": {
                    "asset_based_sales_charge": str(schedule_b.absc_rate_annual),
                    "maximum_service_fee": str(schedule_b.service_rate_annual_max),
                    "maximum_total": str(schedule_b.total_rate_annual_max),
                },
                **approvals_as_of(fund_class, as_of),
                "reports": reports_as_of(fund_class, as_of),
                "items": [{"text": item.text, "overdue": item.overdue} for item in row.items],
            }
        )
    return {"as_of": as_of.isoformat(), "fund_classes": classes}


def _quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _add_reports(writer: _Writer, view: LedgerView, as_of: date) -> None:
    """Every quarter of each class, from the one its plan took effect in to the last ended by
    `as_of`, as known at the bundle's position; then the reports as issued and what moved."""
    last = parse_period(last_quarter_ended(as_of))
    reports: dict[tuple[str, str], dict[str, Any]] = {}
    registry = view.registry()  # once for every report: it holds every class
    for fund_class in view.fund_classes():
        quarter = parse_period(_quarter_of(fund_class.effective_date))
        while quarter.end_exclusive <= last.end_exclusive:
            label = _quarter_of(quarter.start)
            report = quarterly_report(view, fund_class.key, label, registry=registry)
            writer.add(_report_member(fund_class.key, label), report_json(report))
            reports[fund_class.key, label] = report
            quarter = parse_period(_quarter_of(quarter.end_exclusive))
    _add_issued(writer, view, as_of, reports)


def _add_issued(
    writer: _Writer,
    view: LedgerView,
    as_of: date,
    reports: dict[tuple[str, str], dict[str, Any]],
) -> None:
    """The files of each quarter's latest issue by `as_of` (docs/audit.md §7), the bytes the
    store kept, and in DIFFERENCES each issue's files and the figures that differ from the
    report as of `as_of` (figure, as issued, now, difference)."""
    listed = []
    issues = issues_by_class(view)
    for fund_class in view.fund_classes():
        latest = {
            issue.quarter: issue
            for issue in issues.get(fund_class.key, [])
            if issue.issued_on <= as_of
        }
        for quarter, issue in sorted(latest.items()):
            if not issue.files:  # issued before the files were kept
                continue
            try:
                files = issued_files(view, issue)
            except LookupError as error:
                raise RuntimeError(f"{error}: run `planledger verify` first") from None
            entry: dict[str, Any] = {
                "fund_class": fund_class.key,
                "quarter": quarter,
                "issued_on": issue.issued_on.isoformat(),
                "issue_position": issue.position,
                "issued": {},
            }
            for name, data in files.items():
                member = _report_member(fund_class.key, quarter, ISSUED, name)
                writer.add(member, data)
                entry["issued"][name] = {"file": member, "sha256": issue.files[name]}
            now = reports.get((fund_class.key, quarter))
            if now is not None and "json" in files:
                entry["as_of"] = _report_member(fund_class.key, quarter)
                entry["figures"] = moved_figures(json.loads(files["json"]), now)
            listed.append(entry)
    writer.add(DIFFERENCES, _json({"as_of": as_of.isoformat(), "reports": listed}))
