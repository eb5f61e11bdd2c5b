"""Shared fixtures: a ledger on SQLite and on PostgreSQL, and the plan and data they load.

Every integration test that takes `ledger` (or `database_url`) runs twice: on a fresh SQLite
file and on a fresh PostgreSQL schema of the server named by PLANLEDGER_TEST_POSTGRES_URL.
Without that variable the PostgreSQL runs are skipped, except under CI=true, where they fail:
CI must never pass without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import DatetimeAsISO
from freezegun.api import FakeDate, FakeDatetime
from hypothesis import HealthCheck, settings
from psycopg import sql

from adapters.application.commands import LoadPlan
from adapters.application.compose import Ledger, compose
from adapters.inputs.plan_file import read_plan
from adapters.store.persistence import (
    DateAsISO,
    LedgerStore,
    parse_database_url,
    psycopg_conninfo,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_PLAN = PROJECT_ROOT / "plans" / "aim-class-r-2003" / "plan.toml"
POSTGRES_URL_VARIABLE = "PLANLEDGER_TEST_POSTGRES_URL"

# The property tests prove what they draw, not how fast: on a shared machine a slow draw or a
# slow example is the machine's load, so neither fails a test (each keeps its own examples).
settings.register_profile("planledger", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("planledger")


class FakeDatetimeAsISO(DatetimeAsISO):
    """freezegun's datetime, stored exactly as a real one (same transcoding name)."""

    type = FakeDatetime


class FakeDateAsISO(DateAsISO):
    """freezegun's date (what `date(...)` makes under a frozen clock), stored exactly as a real
    one: a snapshot taken under `freeze_time` holds such dates."""

    type = FakeDate


LedgerStore.extra_transcodings.extend([FakeDatetimeAsISO(), FakeDateAsISO()])


def postgres_base_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {POSTGRES_URL_VARIABLE} is not set: PostgreSQL tests must run")
    pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")


def drop_schema(url: str) -> None:
    target = parse_database_url(url)
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(str(target.postgres_schema))
            )
        )


def fresh_postgres_url() -> str:
    base = postgres_base_url()
    schema = f"planledger_test_{uuid.uuid4().hex[:12]}"
    return f"{base}{'&' if '?' in base else '?'}schema={schema}"


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """The URL of a new schema on the test server, dropped when the block ends."""
    url = fresh_postgres_url()
    try:
        yield url
    finally:
        drop_schema(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    """The ledger as the composition root builds it (its read models are caught up only when
    a test asks)."""
    composed = compose(database_url, actor="test-accountant", create=True)
    try:
        yield composed
    finally:
        composed.close()


@pytest.fixture
def store(ledger: Ledger) -> LedgerStore:
    return ledger.store


@pytest.fixture
def loaded_ledger(ledger: Ledger) -> Ledger:
    """The shipped plan, loaded and approved by both boards on 2003-06-17."""
    from tests.builders import approve_plan

    ledger.plans.load_plan(LoadPlan(read_plan(SHIPPED_PLAN)))
    approve_plan(ledger)
    return ledger


def count_events(store: LedgerStore) -> int:
    return len(store.recorder.select_notifications(start=None, limit=10**9))
