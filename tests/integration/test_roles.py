"""Database roles on PostgreSQL (docs/audit.md §3): `planledger db init-roles` makes a writer
that may only append (to the log, and to the read models what catch-up adds) and an auditor
that may only read. Each test shows what a role cannot do, through the database driver alone.
"""

from __future__ import annotations

import io
import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from adapters.cli.main import main
from adapters.readside.read_models import TABLES
from adapters.store.chain import REPORT_FILES_TABLE
from adapters.store.verify import verify_store
from tests.builders import every_day, net_assets_csv
from tests.conftest import fresh_postgres_schema
from tests.integration.tamper import RawDatabase

pytestmark = pytest.mark.postgres

READ_MODELS = [table.name for table in TABLES.values()]
DATA_READ_MODELS = [table.name for key, table in TABLES.items() if key != "tracking"]


@pytest.fixture
def database_url():
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def roles(loaded_ledger, store, database_url):
    """A writer and an auditor of unique names (roles are the server's, not the schema's),
    made by `planledger db init-roles` and dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    writer, auditor = f"pl_writer_{suffix}", f"pl_auditor_{suffix}"
    raw = RawDatabase(store, database_url)
    out = io.StringIO()
    try:
        code = main(
            ["--db", database_url, "db", "init-roles", "--writer", writer, "--auditor", auditor],
            out=out,
        )
        assert code == 0, out.getvalue()
        yield writer, auditor
    finally:
        for role in (writer, auditor):
            if raw.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [role]):
                raw.execute(f'DROP OWNED BY "{role}"')
                raw.execute(f'DROP ROLE "{role}"')


def as_role(url: str, role: str) -> str:
    return url.replace("postgres@", f"{role}@", 1)


def refused(raw: RawDatabase, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute(statement)


def run(url: str, *argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", url, *argv], out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def test_the_writer_runs_the_ledger_and_catches_up_but_changes_nothing(
    roles, store, database_url, tmp_path
):
    writer, _ = roles
    figures = dict.fromkeys(every_day(date(2003, 7, 1), date(2003, 7, 31)), Decimal("50000000.00"))
    csv_file = net_assets_csv(tmp_path / "july.csv", figures)
    url = as_role(database_url, writer)
    assert run(url, "import", "net-assets", str(csv_file))[0] == 0
    code, said = run(url, "accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R")
    assert code == 0, said
    code, said = run(url, "balances", "--as-of", "2003-07-31", "--format", "json")
    assert code == 0 and "INTL-BCV/R" in said  # read models caught up as the writer
    code, said = run(
        url, "report", "issue", "--fund", "INTL-BCV", "--quarter", "2003Q3", "--on", "2003-10-15"
    )
    assert code == 0, said  # the report's files kept by the writer (docs/audit.md §7)
    as_writer = RawDatabase(store, database_url, user=writer)
    assert as_writer.execute("SELECT count(*) FROM rm_accruals WHERE kind = 'accrual'")[0][0] == 31
    for table in DATA_READ_MODELS:
        refused(as_writer, f"UPDATE {table} SET position = position")
        refused(as_writer, f"DELETE FROM {table}")
        refused(as_writer, f"TRUNCATE {table}")
    refused(as_writer, "DELETE FROM rm_tracking")
    refused(as_writer, "TRUNCATE rm_tracking")
    refused(as_writer, "UPDATE rm_tracking SET projection = projection")  # only its position
    for table in (as_writer.events, as_writer.chain, as_writer.snapshots):
        refused(as_writer, f"UPDATE {table} SET originator_version = originator_version")
        refused(as_writer, f"DELETE FROM {table}")
        refused(as_writer, f"TRUNCATE {table}")
    assert as_writer.execute(f"SELECT count(*) FROM {REPORT_FILES_TABLE}")[0][0] == 4
    refused(as_writer, f"UPDATE {REPORT_FILES_TABLE} SET sha256 = sha256")
    refused(as_writer, f"DELETE FROM {REPORT_FILES_TABLE}")
    refused(as_writer, f"TRUNCATE {REPORT_FILES_TABLE}")
    refused(as_writer, "DROP TABLE rm_service_fees")
    refused(as_writer, "ALTER TABLE rm_accruals ADD COLUMN forged integer")
    refused(as_writer, "CREATE TABLE rm_forged (n integer)")
    assert verify_store(store).ok


def test_the_auditor_reads_and_verifies_but_writes_nothing(roles, store, database_url):
    _, auditor = roles
    url = as_role(database_url, auditor)
    head = store.head_position()
    code, said = run(url, "verify")
    assert code == 0, said
    assert "OK" in said
    as_auditor = RawDatabase(store, database_url, user=auditor)
    assert as_auditor.execute(f"SELECT count(*) FROM {as_auditor.events}")[0][0] == head
    log = (as_auditor.events, as_auditor.chain, as_auditor.snapshots)
    for table in (*log, *READ_MODELS):
        column = "originator_version" if table in log else "position"
        as_auditor.execute(f"SELECT * FROM {table} LIMIT 1")
        refused(as_auditor, f"INSERT INTO {table} SELECT * FROM {table} LIMIT 0")
        refused(as_auditor, f"UPDATE {table} SET {column} = {column}")
        refused(as_auditor, f"DELETE FROM {table}")
        refused(as_auditor, f"TRUNCATE {table}")
    refused(as_auditor, "CREATE TABLE forged (n integer)")
    assert store.head_position() == head


def test_init_roles_again_changes_nothing_and_writer_role_is_its_writer(roles, store, database_url):
    writer, auditor = roles
    again = ["db", "init-roles", "--writer", writer, "--auditor", auditor]
    assert run(database_url, *again)[0] == 0
    # `db writer-role ROLE` grants the same writer, even to a role that had more before.
    legacy = f"pl_legacy_{uuid.uuid4().hex[:8]}"
    raw = RawDatabase(store, database_url)
    try:
        raw.execute(f'CREATE ROLE "{legacy}" LOGIN')
        raw.execute(f'GRANT USAGE ON SCHEMA "{raw.target.postgres_schema}" TO "{legacy}"')
        raw.execute(f'GRANT UPDATE, DELETE ON rm_service_fees TO "{legacy}"')
        code, said = run(database_url, "db", "writer-role", legacy)
        assert code == 0, said
        as_legacy = RawDatabase(store, database_url, user=legacy)
        as_legacy.execute("SELECT count(*) FROM rm_service_fees")
        refused(as_legacy, "UPDATE rm_service_fees SET amount_cents = amount_cents / 2")
        refused(as_legacy, "DELETE FROM rm_service_fees")
    finally:
        if raw.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [legacy]):
            raw.execute(f'DROP OWNED BY "{legacy}"')
            raw.execute(f'DROP ROLE "{legacy}"')


def test_init_roles_on_sqlite_is_bad_input(tmp_path):
    code, said = run(f"sqlite:///{tmp_path / 'l.db'}", "db", "init-roles")
    assert code == 2
    assert "PostgreSQL" in said
