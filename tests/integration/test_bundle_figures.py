"""The bundle's verifier recomputes every figure the bundle carries from its events
(docs/audit.md §4), on SQLite and PostgreSQL: a figure changed in any carried file fails it,
naming the file and the figure, even when the manifest was updated to match."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.outputs.bundle import export_bundle
from tests.integration.test_bundle import run_verifier, unpack
from tests.integration.test_read_model_tamper import paid_quarter

__all__ = ["paid_quarter"]

AS_OF = date(2003, 12, 31)


@pytest.fixture
def folder(paid_quarter, tmp_path):
    bundle = export_bundle(paid_quarter.view, AS_OF, None, tmp_path / "bundle.zip").path
    return unpack(bundle, tmp_path / "clean")


def change_figure(folder: Path, name: str, key: str) -> str:
    """Add a cent to the first `"key": "N.NN"` of the file, and update the manifest to match
    (as an intruder who rewrites both would). Returns the figure as it was."""
    path = folder / name
    text = path.read_text()
    found = re.search(rf'"{key}": "(-?\d+\.\d+)(%?)"', text)
    assert found, (name, key)
    before = found.group(1)
    after = str(Decimal(before) + Decimal("0.01")) if not found.group(2) else before + "1"
    path.write_text(text[: found.start(1)] + after + text[found.end(1) :])
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    data = path.read_bytes()
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return before


def test_the_untouched_bundle_recomputes_every_figure(folder):
    result = run_verifier(folder)
    assert result.returncode == 0, result.stdout
    assert "trial balance" in result.stdout and "split" in result.stdout
    assert "report" in result.stdout


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("read-models/trial-balance.json", "debit"),
        ("read-models/trial-balance.json", "credit"),
        ("read-models/split.json", "service_fees"),
        ("read-models/split.json", "deemed_absc"),
        ("read-models/split.json", "plan_payments"),
        ("read-models/split.json", "average_daily_net_assets"),
        ("read-models/split.json", "absc_rate"),
        ("reports/as-of/INTL-BCV-R-2003Q3.json", "service_fee"),  # accrued, the first figure
        ("reports/as-of/INTL-BCV-R-2003Q3.json", "paid_to_distributor"),
        ("reports/as-of/INTL-BCV-R-2003Q3.json", "deemed_asset_based_sales_charge"),
        ("reports/as-of/INTL-BCV-R-2003Q3.json", "amount"),
        ("reports/as-of/INTL-BCV-R-2003Q4.json", "accrued"),
        ("reports/as-of/STABLE-VALUE-R-2003Q3.json", "expenditures_total"),
    ],
)
def test_a_changed_figure_fails_naming_file_and_figure(folder, name, key):
    change_figure(folder, name, key)
    result = run_verifier(folder)
    assert result.returncode == 1, result.stdout
    assert "SHA-256" not in result.stdout  # the manifest matches: only the recomputation finds it
    assert any(name in line and key in line for line in result.stdout.splitlines()), result.stdout


def test_an_account_moved_to_the_other_entitys_books_fails(folder):
    """The trial balance names each account's entity (docs/books.md); the verifier knows whose
    books each account is in."""
    path = folder / "read-models" / "trial-balance.json"
    text = path.read_text()
    moved = text.replace('"entity": "distributor"', '"entity": "fund"', 1)
    assert moved != text
    path.write_text(moved)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    data = path.read_bytes()
    manifest["files"]["read-models/trial-balance.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    result = run_verifier(folder)
    assert result.returncode == 1, result.stdout
    assert "is in the books of fund, the events post it in the distributor's" in result.stdout
