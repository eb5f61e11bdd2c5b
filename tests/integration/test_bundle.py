"""The regulator bundle (docs/audit.md §4), on SQLite and PostgreSQL: it verifies with a plain
Python in a clean folder, fails after a one-byte change, and answers "as known at T".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.application.commands import IssueReport, Seal
from adapters.outputs.bundle import export_bundle
from adapters.outputs.issued import restatement
from adapters.outputs.reports import (
    FORMATS,
    quarterly_report,
    report_files,
    report_json,
    report_sha256,
)
from adapters.readside.queries import balances, dollars
from tests.integration.scenario import BEFORE_RESTATEMENT, FUND_CLASS, restate_week

AS_OF = date(2003, 12, 31)


def plain_python() -> str:
    """The interpreter the project's environment was made from: no project packages."""
    candidate = Path(sys.base_prefix) / "bin" / "python3"
    return str(candidate) if candidate.exists() else shutil.which("python3") or "python3"


def run_verifier(
    folder: Path, *arguments: str, script: str = "verify_bundle.py"
) -> subprocess.CompletedProcess[str]:
    """The verifier run as an examiner would: `folder` the working folder, `script` its path."""
    return subprocess.run(
        [plain_python(), "-I", script, *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        check=False,
        timeout=120,
    )


def unpack(bundle: Path, folder: Path) -> Path:
    folder.mkdir()
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    return folder


def flip_byte(path: Path, anchor: bytes) -> None:
    """Change one digit right after `anchor` (to another digit, so the file stays readable)."""
    data = bytearray(path.read_bytes())
    index = data.index(anchor) + len(anchor)
    while not chr(data[index]).isdigit():
        index += 1
    data[index] = ord("1") if data[index] != ord("1") else ord("2")
    path.write_bytes(bytes(data))


@pytest.fixture
def restated(quarter, tmp_path):
    ledger, issued = quarter
    restate_week(ledger, tmp_path)
    return ledger, issued


def test_the_bundle_verifies_with_a_plain_python_and_fails_after_one_byte(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "out" / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK:")
    assert run_verifier(folder, str(bundle)).returncode == 0  # the zip itself, unopened

    flip_byte(folder / "events.jsonl", b'absc_amount\\":\\"')
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "events.jsonl: SHA-256 differs from the manifest" in result.stdout
    assert "content does not match its hash" in result.stdout


def test_the_verifier_runs_isolated_from_another_folder_and_its_own_files_are_checked(
    restated, tmp_path
):
    """`python3 -I` puts neither the script's folder nor the working folder on sys.path: the
    entry point loads its checks from `verifier/` beside it, by path, and writes no bytecode
    into the bundle's folder. Each of its files is in the manifest: one changed is named."""
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    manifest = json.loads((folder / "manifest.json").read_text())
    carried = {"verify_bundle.py", *(f"verifier/{p.name}" for p in (folder / "verifier").iterdir())}
    assert {"verify_bundle.py", "verifier/run.py", "verifier/chain.py"} <= carried
    assert carried <= set(manifest["files"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_verifier(elsewhere, script=str(folder / "verify_bundle.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK: {len(manifest['files'])} files match the manifest")
    assert not list(folder.rglob("__pycache__"))  # a second run finds no file added

    module = folder / "verifier" / "split.py"
    module.write_bytes(module.read_bytes().replace(b"SIXTH", b"SIXTY", 1))
    result = run_verifier(elsewhere, script=str(folder / "verify_bundle.py"))
    assert result.returncode == 1 and result.stderr == ""
    assert "verifier/split.py: SHA-256 differs from the manifest" in result.stdout

    (folder / "verifier" / "issued.py").unlink()
    result = run_verifier(elsewhere, script=str(folder / "verify_bundle.py"))
    assert result.returncode == 1 and result.stderr == ""
    assert "NOT OK: the checks in verifier/ do not load" in result.stdout
    assert "verifier.issued" in result.stdout


def test_a_changed_balance_is_caught_by_the_recomputation(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    balances_file = folder / "read-models" / "balances.json"
    flip_byte(balances_file, b'"absc_paid": "')
    # Even with the manifest updated to match, the balances no longer follow from the events.
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    data = balances_file.read_bytes()
    manifest["files"]["read-models/balances.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "absc_paid" in result.stdout and "the events give" in result.stdout


def test_the_bundle_known_before_the_restatement_is_what_the_ledger_said_then(
    restated, store, tmp_path
):
    ledger, issued = restated
    engine = ledger.read_models.engine
    position = store.position_known_at(BEFORE_RESTATEMENT)
    bundle = export_bundle(ledger.view, AS_OF, BEFORE_RESTATEMENT, tmp_path / "then.zip").path
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        stated = json.loads(archive.read("read-models/balances.json"))
        report = json.loads(archive.read("reports/as-of/INTL-BCV-R-2003Q3.json"))
        events = archive.read("events.jsonl").decode().splitlines()
    assert manifest["position"] == position == len(events)
    assert not any("NetAssetsRestated" in line for line in events)
    [then] = [b for b in balances(engine, AS_OF, position) if b.fund_class == FUND_CLASS]
    [row] = [row for row in stated["fund_classes"] if row["fund_class"] == FUND_CLASS]
    assert row["absc_accrued"] == str(dollars(then.absc_accrued))
    assert report_sha256(report) == report_sha256(issued)
    assert run_verifier(unpack(bundle, tmp_path / "clean")).returncode == 0


def test_the_same_question_gives_the_same_bytes(restated, tmp_path):
    ledger, _ = restated
    first = export_bundle(ledger.view, AS_OF, BEFORE_RESTATEMENT, tmp_path / "a.zip").path
    second = export_bundle(ledger.view, AS_OF, BEFORE_RESTATEMENT, tmp_path / "b.zip").path
    assert first.read_bytes() == second.read_bytes()


def rewrite_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2))


def reseal_file(folder: Path, name: str, data: bytes) -> None:
    """Write a file and update the manifest to match, as an intruder would."""
    (folder / name).write_bytes(data)

    def change(manifest):
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}

    rewrite_manifest(folder, change)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m.update(known_at="2003-10-01T00:00:00.000000Z"), "known at"),
        (lambda m: m.update(position=m["position"] - 1), "is not the chain head's"),
        (lambda m: m["chain_head"].update(committed_at="2003-10-02T00:00:00.000000Z"), "head"),
        (lambda m: m.update(seals=[]), "its seals are not the seals"),
        (lambda m: m.update(format="planledger-bundle/0"), "format"),
    ],
    ids=["known-at", "position", "head-time", "seals", "format"],
)
def test_the_manifest_s_own_statements_are_checked(restated, tmp_path, change, expected):
    ledger, _ = restated
    ledger.audit.seal(Seal("after the restatement", date(2003, 11, 4)))
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    rewrite_manifest(folder, change)
    result = run_verifier(folder)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert expected in result.stdout


def test_an_unreadable_bundle_is_reported_not_a_crash(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    balances_file = folder / "read-models" / "balances.json"
    reseal_file(
        folder, "read-models/balances.json", balances_file.read_bytes().replace(b'"0', b'"x', 1)
    )
    lines = (folder / "events.jsonl").read_bytes().splitlines(keepends=True)
    line = json.loads(lines[3])
    del line["committed_at"]
    lines[3] = (json.dumps(line) + "\n").encode()
    reseal_file(folder, "events.jsonl", b"".join(lines))
    result = run_verifier(folder)
    assert result.returncode == 1 and result.stderr == ""
    assert "line 4: unreadable" in result.stdout
    assert "read-models/balances.json" in result.stdout
    (folder / "events.jsonl").unlink()
    result = run_verifier(folder)
    assert result.returncode == 1 and result.stderr == ""
    assert "events.jsonl: missing" in result.stdout


def test_the_governance_file_holds_only_what_was_done_by_the_as_of_date(restated, tmp_path):
    """The 2003Q3 report was issued on 2003-10-15; as of 2003-10-01 it does not exist yet."""
    ledger, _ = restated
    as_of_before, as_of_after = date(2003, 10, 1), date(2003, 10, 31)
    governance = {}
    for as_of in (as_of_before, as_of_after):
        bundle = export_bundle(ledger.view, as_of, None, tmp_path / f"{as_of}.zip").path
        with zipfile.ZipFile(bundle) as archive:
            [row] = [
                row
                for row in json.loads(archive.read("read-models/governance.json"))["fund_classes"]
                if row["fund_class"] == FUND_CLASS
            ]
        governance[as_of] = row
    assert governance[as_of_before]["reports"] == []
    assert [r["quarter"] for r in governance[as_of_after]["reports"]] == ["2003Q3"]
    for as_of, row in governance.items():
        approved = [a["approved_on"] for a in row["approvals"] + row["continuances"]]
        assert approved and all(day <= as_of.isoformat() for day in approved)


def test_a_damaged_zip_is_reported_not_a_crash(restated, tmp_path):
    """One byte changed inside a compressed member of the zip itself: a bad CRC or a broken
    stream is a problem of that file, listed with the rest."""
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = tmp_path / "clean"
    folder.mkdir()
    shutil.copy(bundle, folder / "bundle.zip")
    with zipfile.ZipFile(bundle) as archive:
        (folder / "verify_bundle.py").write_bytes(archive.read("verify_bundle.py"))
        member = archive.getinfo("read-models/governance.json")
    data = bytearray((folder / "bundle.zip").read_bytes())
    middle = member.header_offset + 30 + len(member.filename) + member.compress_size // 2
    data[middle] ^= 0xFF
    (folder / "bundle.zip").write_bytes(bytes(data))
    result = run_verifier(folder, "bundle.zip")
    assert result.returncode == 1 and result.stderr == ""
    assert "read-models/governance.json: unreadable" in result.stdout


def test_a_report_issued_again_later_keeps_its_first_issue_as_of_before(restated, tmp_path):
    ledger, issued = restated
    reissued = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")  # after the restatement
    assert report_sha256(reissued) != report_sha256(issued)
    ledger.fund_governance.issue_report(
        IssueReport(
            fund_code="INTL-BCV",
            share_class="R",
            quarter="2003Q3",
            report_sha256=report_sha256(reissued),
            issued_on=date(2004, 1, 20),
            issued_by="the Distributor",
        )
    )
    shown = {}
    for as_of in (date(2003, 12, 31), date(2004, 1, 31)):
        bundle = export_bundle(ledger.view, as_of, None, tmp_path / f"{as_of}.zip").path
        with zipfile.ZipFile(bundle) as archive:
            [row] = [
                row
                for row in json.loads(archive.read("read-models/governance.json"))["fund_classes"]
                if row["fund_class"] == FUND_CLASS
            ]
        [report] = row["reports"]
        shown[as_of] = report["report_sha256"]
    assert shown[date(2003, 12, 31)] == report_sha256(issued)
    assert shown[date(2004, 1, 31)] == report_sha256(reissued)


# ---- the reports as issued and as of the bundle's date (docs/audit.md §7) ---------------------

ISSUED = "reports/issued/INTL-BCV-R-2003Q3"
AS_OF_REPORT = "reports/as-of/INTL-BCV-R-2003Q3.json"


def test_the_bundle_carries_the_reports_as_issued_and_as_of_with_what_moved(restated, tmp_path):
    ledger, issued = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    now = quarterly_report(ledger.view, FUND_CLASS, "2003Q3")
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        kept = {name: archive.read(f"{ISSUED}.{name}") for name in FORMATS}
        as_of = archive.read(AS_OF_REPORT)
        differences = json.loads(archive.read("reports/differences.json"))
    assert kept == report_files(issued)  # the sealed bytes, not the report rebuilt
    assert as_of == report_json(now) != kept["json"]
    for name, data in kept.items():
        assert manifest["files"][f"{ISSUED}.{name}"]["sha256"] == hashlib.sha256(data).hexdigest()
    [entry] = differences["reports"]
    assert entry["issued_on"] == "2003-10-15" and entry["as_of"] == AS_OF_REPORT
    assert entry["issued"]["json"] == {"file": f"{ISSUED}.json", "sha256": report_sha256(issued)}
    marked = restatement(ledger.view, now)["figures"]  # the same, with each figure in words
    assert entry["figures"] == [{k: v for k, v in row.items() if k != "label"} for row in marked]
    assert "quarter_figures.accrued.total" in {row["figure"] for row in entry["figures"]}
    result = run_verifier(unpack(bundle, tmp_path / "clean"))
    assert result.returncode == 0, result.stdout
    assert "1 report(s) as issued match their sealed issues" in result.stdout


def test_a_changed_issued_report_fails_the_verifier_naming_it(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    pdf = folder / f"{ISSUED}.pdf"
    reseal_file(folder, f"{ISSUED}.pdf", pdf.read_bytes() + b"\n")  # the manifest made to match
    result = run_verifier(folder)
    assert result.returncode == 1
    assert f"{ISSUED}.pdf: not the file its sealed issue names" in result.stdout


def test_differences_that_do_not_follow_from_the_two_reports_fail(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    path = folder / "reports" / "differences.json"
    differences = json.loads(path.read_text())
    differences["reports"][0]["figures"] = differences["reports"][0]["figures"][1:]
    reseal_file(folder, "reports/differences.json", json.dumps(differences).encode())
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "INTL-BCV/R 2003Q3: its figures are not the differences" in result.stdout


def test_an_issued_report_left_out_fails(restated, tmp_path):
    ledger, _ = restated
    bundle = export_bundle(ledger.view, AS_OF, None, tmp_path / "bundle.zip").path
    folder = unpack(bundle, tmp_path / "clean")
    for name in FORMATS:
        (folder / f"{ISSUED}.{name}").unlink()
    reseal_file(
        folder,
        "reports/differences.json",
        json.dumps({"as_of": "2003-12-31", "reports": []}).encode(),
    )
    rewrite_manifest(folder, lambda m: [m["files"].pop(f"{ISSUED}.{name}") for name in FORMATS])
    result = run_verifier(folder)
    assert result.returncode == 1
    assert "INTL-BCV/R 2003Q3: issued by 2003-12-31, not in the bundle" in result.stdout


def test_a_bundle_known_before_the_issue_carries_no_issued_report(restated, tmp_path):
    ledger, _ = restated
    known_at = datetime(2003, 10, 2, tzinfo=UTC)
    bundle = export_bundle(ledger.view, AS_OF, known_at, tmp_path / "bundle.zip").path
    with zipfile.ZipFile(bundle) as archive:
        assert not [n for n in archive.namelist() if n.startswith("reports/issued/")]
        assert json.loads(archive.read("reports/differences.json"))["reports"] == []
    assert run_verifier(unpack(bundle, tmp_path / "clean")).returncode == 0
