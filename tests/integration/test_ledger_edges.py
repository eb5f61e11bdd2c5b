"""The ledger's edges on SQLite and PostgreSQL: a missing ledger is never created by a command
that does not start one, connection parameters cannot be rewritten by a crafted name, and the
bundle names its members from hashes and fixed names only.
"""

from __future__ import annotations

import dataclasses
import io
import re
import sqlite3
import zipfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from adapters.application.commands import LoadPlan
from adapters.application.compose import Ledger, compose
from adapters.cli.main import main
from adapters.inputs.plan_file import read_plan
from adapters.outputs.bundle import export_bundle
from adapters.store.persistence import (
    DatabaseUrlError,
    MissingLedgerError,
    open_store,
    parse_database_url,
    psycopg_conninfo,
)
from tests.builders import approve_plan
from tests.conftest import SHIPPED_PLAN, postgres_base_url

SHIPPED_PLAN_AS_OF = date(2003, 7, 31)
PLAIN_MEMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def exists(database_url: str) -> bool:
    """Whether anything of the database is there: the SQLite file, or the PostgreSQL schema."""
    target = parse_database_url(database_url)
    if target.sqlite_path is not None:
        return target.sqlite_path.exists()
    with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", [target.postgres_schema]
        ).fetchone()
    return found is not None


def test_a_missing_ledger_is_refused_and_not_created(database_url: str) -> None:
    with pytest.raises(MissingLedgerError) as raised:
        open_store(database_url)
    assert "planledger init" in str(raised.value)
    assert not exists(database_url)
    code, _, err = cli("verify", "--db", database_url)
    assert code == 2 and "planledger init" in err
    code, _, err = cli("plan", "show", "--db", database_url)
    assert code == 2 and "planledger init" in err
    assert not exists(database_url)


def test_init_starts_the_ledger_and_every_command_opens_it(database_url: str) -> None:
    code, out, err = cli("init", "--db", database_url)
    assert code == 0 and "started" in out, err
    code, out, err = cli("init", "--db", database_url)
    assert code == 0 and "already" in out, err
    code, out, err = cli("verify", "--db", database_url)
    assert code == 0 and "OK:" in out, err
    opened = compose(database_url, "edge-test")
    opened.close()


def test_a_database_without_the_ledger_tables_is_not_a_ledger(database_url: str) -> None:
    target = parse_database_url(database_url)
    if target.sqlite_path is not None:
        with sqlite3.connect(target.sqlite_path) as connection:
            connection.execute("CREATE TABLE something_else (x INTEGER)")
        connection.close()
    else:
        with psycopg.connect(psycopg_conninfo(target), autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(str(target.postgres_schema)))
            )
    with pytest.raises(MissingLedgerError) as raised:
        open_store(database_url)
    assert "no ledger" in str(raised.value)
    code, _, err = cli("log", "--db", database_url)
    assert code == 2 and "no ledger" in err


@pytest.mark.postgres
def test_a_crafted_database_name_cannot_change_the_port_host_or_user() -> None:
    base = parse_database_url(postgres_base_url())
    env = base.environment
    crafted_name = f"{env['POSTGRES_DBNAME']} port=1 host=192.0.2.1 user=intruder"
    url = (
        f"postgresql://{quote(env['POSTGRES_USER'])}@{env['POSTGRES_HOST']}:"
        f"{env['POSTGRES_PORT']}/{quote(crafted_name)}?schema=crafted"
    )
    # Raised as the driver's error, or as the ledger's own message about an unreachable URL.
    with pytest.raises((psycopg.OperationalError, DatabaseUrlError)) as raised:
        open_store(url, create=True)
    # The server named in the URL answered, about the database named in the URL.
    assert f'database "{crafted_name}" does not exist' in str(raised.value)


def test_bundle_members_are_plain_whatever_the_stored_names(ledger: Ledger, tmp_path: Path) -> None:
    contents = read_plan(SHIPPED_PLAN)
    hostile_terms = dataclasses.replace(contents.terms, document_name="../../../../etc/passwd")
    hostile = dataclasses.replace(
        contents, terms=hostile_terms, file_name="/tmp/../..\\evil\nplan.toml"
    )
    ledger.plans.load_plan(LoadPlan(hostile))
    approve_plan(ledger)
    out = tmp_path / "bundle.zip"
    export_bundle(ledger.view, SHIPPED_PLAN_AS_OF, None, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    assert names
    for name in names:
        assert PLAIN_MEMBER.match(name), name
        assert ".." not in name.split("/"), name
    assert any(name.startswith("plan/") for name in names)
