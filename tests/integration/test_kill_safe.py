"""Commands safe to kill and to run again (issue 10, item 4), on SQLite and PostgreSQL.

`rebuild` killed at any moment leaves a state from which the next rebuild and the next catch-up
succeed, with every index in place; `export bundle` never leaves a half-written zip at `--out`;
`report issue` run again on an unchanged report records nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from adapters.application.commands import IssueReport
from adapters.outputs import bundle as bundle_module
from adapters.outputs.bundle import export_bundle
from adapters.outputs.reports import quarterly_report, report_sha256
from adapters.readside.read_models import TABLES, ReadModels
from tests.conftest import count_events
from tests.integration.scenario import FUND_CLASS
from tests.integration.test_read_models import q3_history, run_cli, snapshot


def index_names(models: ReadModels) -> set[str]:
    with models.engine.connect() as conn:
        inspector = inspect(conn)
        return {
            index["name"]
            for table in TABLES.values()
            for index in inspector.get_indexes(table.name)
            if index["name"]
        }


def expected_index_names() -> set[str]:
    return {str(index.name) for table in TABLES.values() for index in table.indexes}


def test_a_rebuild_killed_mid_way_is_followed_by_a_rebuild_that_succeeds(
    loaded_ledger, read_models, tmp_path, database_url
):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=True)
    whole = snapshot(read_models)
    # The process dies inside its first batch, after the tables were emptied and unindexed.
    assert run_cli(database_url, "rebuild", crash_after_rows=50) == 70
    assert run_cli(database_url, "rebuild") == 0
    assert snapshot(read_models) == whole
    assert index_names(read_models) == expected_index_names()


def test_a_rebuild_killed_mid_way_is_completed_by_the_next_catch_up(
    loaded_ledger, read_models, tmp_path, database_url
):
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=True)
    whole = snapshot(read_models)
    assert run_cli(database_url, "rebuild", crash_after_rows=50) == 70
    assert run_cli(database_url, "balances", "--as-of", "2003-09-30") == 0
    assert snapshot(read_models) == whole
    assert index_names(read_models) == expected_index_names()


def test_a_bundle_cut_short_leaves_nothing_at_out_and_the_last_bundle_whole(
    quarter, tmp_path, monkeypatch
):
    ledger, _ = quarter
    out = tmp_path / "bundles" / "bundle.zip"
    export_bundle(ledger.view, date(2003, 9, 30), None, out)
    first = out.read_bytes()

    def fail(*_args, **_kwargs):
        raise RuntimeError("cut short")

    monkeypatch.setattr(bundle_module, "_add_reports", fail)
    with pytest.raises(RuntimeError, match="cut short"):
        export_bundle(ledger.view, date(2003, 9, 30), None, out)
    assert out.read_bytes() == first
    assert sorted(path.name for path in out.parent.iterdir()) == ["bundle.zip"]
    fresh = tmp_path / "bundles" / "fresh.zip"
    with pytest.raises(RuntimeError, match="cut short"):
        export_bundle(ledger.view, date(2003, 9, 30), None, fresh)
    assert not fresh.exists()


def test_issuing_an_unchanged_report_again_records_nothing(quarter, store):
    ledger, issued = quarter
    events, head = count_events(store), store.chain_head()
    outcome = ledger.fund_governance.issue_report(
        IssueReport(
            fund_code="INTL-BCV",
            share_class="R",
            quarter="2003Q3",
            report_sha256=report_sha256(quarterly_report(ledger.view, FUND_CLASS, "2003Q3")),
            issued_on=date(2003, 10, 15),
            issued_by="the Distributor",
        )
    )
    assert outcome == "unchanged"
    assert report_sha256(issued) == report_sha256(
        quarterly_report(ledger.view, FUND_CLASS, "2003Q3")
    )
    assert (count_events(store), store.chain_head()) == (events, head)
