"""On PostgreSQL the workbench connects as a role that only reads (docs/web.md): a role that
may write the ledger, its owner above all, is refused before anything is served."""

from __future__ import annotations

import pytest

from adapters.web.opening import NotReadOnlyError, open_read_only
from tests.conftest import drop_schema, fresh_postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def database_url():
    url = fresh_postgres_url()
    try:
        yield url
    finally:
        drop_schema(url)


def test_a_role_that_may_write_the_ledger_is_refused(loaded_ledger, database_url):
    loaded_ledger.read_models.catch_up()
    with pytest.raises(NotReadOnlyError, match="may write the ledger"):
        open_read_only(database_url)
