"""A catch-up where the projections stand at different positions applies each event only to
those behind it (the runner's per-event path; a rebuild takes the per-page one)."""

from __future__ import annotations

import pytest

from tests.integration.test_read_models import q3_history, snapshot


@pytest.fixture
def models(ledger):
    return ledger.read_models


def test_a_projection_behind_the_others_catches_up_alone_to_the_same_rows(
    loaded_ledger, models, tmp_path
):
    read_models = models
    q3_history(loaded_ledger, read_models, tmp_path, catch_up_each_step=True)
    incremental = snapshot(read_models)
    head = loaded_ledger.store.recorder.max_notification_id()
    read_models.rebuild(["journal"], until_position=head // 2)
    positions = read_models.positions()
    assert positions["journal"] < head and positions["accruals"] == head
    assert snapshot(read_models) != incremental
    read_models.catch_up()
    assert snapshot(read_models) == incremental
    assert set(read_models.positions().values()) == {head}
